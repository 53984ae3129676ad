package zooscope.bench;

import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import zooscope.kernels.Backend;
import zooscope.kernels.Backends;
import zooscope.kernels.Buffer;

/**
 * The fused LSTM cell kernel alone, forward and backward, at the trainer's shape: one time step of a
 * zoo LSTM layer (batch 32, hidden 32), as {@code LstmLayerPass} calls it 41 times per layer and pass.
 */
public class LstmCellBench extends BenchSettings {
    static final int B = 32, H = 32;

    @Param({"native", "vector", "scalar"}) public String backend;

    Backend k;
    Buffer preActs, acts, cPrev, c, tc, h, gh, gc, dGates, gcPrev;

    @Setup
    public void setup() {
        k = Backends.byName(backend);
        SplittableRandom r = new SplittableRandom(4);
        preActs = randomBuffer(k, r, B * 4 * H, -2, 2);
        acts = k.allocate(B * 4 * H);
        cPrev = randomBuffer(k, r, B * H, -2, 2);
        gh = randomBuffer(k, r, B * H, -2, 2);
        gc = randomBuffer(k, r, B * H, -2, 2);
        c = k.allocate(B * H);
        tc = k.allocate(B * H);
        h = k.allocate(B * H);
        dGates = k.allocate(B * 4 * H);
        gcPrev = k.allocate(B * H);
        forward(); // the backward reads what a forward kept: the activated gates and tanh(c)
    }

    @Benchmark
    public Buffer forward() {
        k.copy(new int[] {B * 4 * H}, preActs, 0, new int[] {1}, acts, 0, new int[] {1}); // the kernel activates in place
        k.lstmCellForward(B, H, acts, 0, cPrev, 0, c, 0, tc, 0, h, 0);
        return h;
    }

    @Benchmark
    public Buffer backward() {
        k.lstmCellBackward(B, H, acts, 0, cPrev, 0, tc, 0, gh, 0, gc, 0, dGates, 0, gcPrev, 0);
        return dGates;
    }
}
