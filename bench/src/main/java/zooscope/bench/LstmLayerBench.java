package zooscope.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import zooscope.engine.Recurrent;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.kernels.Backends;

/**
 * One LSTM layer of the zoo model (the second: input 32, hidden 32), batch 32, 41 steps: forward, then
 * backward to the input and all four parameters.
 */
public class LstmLayerBench extends BenchSettings {
    static final int B = 32, T = 41, X = 32, H = 32;

    @Param({"native", "vector", "scalar"}) public String backend;

    Tensor x, wih, whh, bih, bhh;
    float[] upstream;

    /**
     * FLOPs of one forward + backward, counting the GEMMs (2 per multiply-add): forward x·W_ihᵀ and
     * h·W_hhᵀ; backward ∂h (dG·W_hh), ∂x (dG·W_ih), ∂W_ih, ∂W_hh. Element-wise cell work is not counted.
     */
    public static double flops() {
        double fwd = 2.0 * T * B * 4 * H * (X + H);
        return fwd + 2 * fwd;
    }

    @Setup
    public void setup() {
        Backends.use(Backends.byName(backend));
        Rng r = new Rng(3);
        double bound = 1 / Math.sqrt(H);
        x = Tensor.uniform(r, -1, 1, B, T, X).requiresGrad();
        wih = Tensor.uniform(r, -bound, bound, 4 * H, X).requiresGrad();
        whh = Tensor.uniform(r, -bound, bound, 4 * H, H).requiresGrad();
        bih = Tensor.uniform(r, -bound, bound, 4 * H).requiresGrad();
        bhh = Tensor.uniform(r, -bound, bound, 4 * H).requiresGrad();
        upstream = Tensor.uniform(r, -1, 1, B * T * H).toArray();
    }

    @Benchmark
    public Object forwardBackward() {
        Tensor h = Recurrent.lstmLayer(x, wih, whh, bih, bhh);
        h.backward(upstream);
        return wih.gradStorage();
    }
}
