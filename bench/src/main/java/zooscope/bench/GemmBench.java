package zooscope.bench;

import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import zooscope.kernels.HostBackend;
import zooscope.kernels.Backends;
import zooscope.kernels.Buffer;

/**
 * GEMM at the shapes one training step of a zoo LSTM (2×32, batch 32, 41 steps) runs in
 * {@code LstmLayerPass}, per backend, with the weights already transposed as the pass keeps them.
 * Shape names: {@code proj0} input projection of layer 0 for all steps (x·W_ihᵀ, X = 6), {@code proj1}
 * the same for layer 1 (X = 32), {@code recur} one recurrent step (h·W_hhᵀ), {@code gradW} one step's
 * share of a weight gradient (hᵀ·dG), {@code gradH} one step's ∂L/∂h (dG·W_hh).
 */
public class GemmBench extends BenchSettings {
    /** name: transA, transB, m, n, k. */
    public static final String[] SHAPES = {"proj0", "proj1", "recur", "gradW", "gradH"};

    @Param({"proj0", "proj1", "recur", "gradW", "gradH"}) public String shape;
    @Param({"native", "vector", "scalar"}) public String backend;

    HostBackend k;
    boolean ta, tb;
    int m, n, kk;
    Buffer a, b, c;

    /** {transA, transB, m, n, k} of a named shape. */
    static int[] dims(String shape) {
        return switch (shape) {
            case "proj0" -> new int[] {0, 0, 41 * 32, 128, 6};
            case "proj1" -> new int[] {0, 0, 41 * 32, 128, 32};
            case "recur" -> new int[] {0, 0, 32, 128, 32};
            case "gradW" -> new int[] {1, 0, 32, 128, 32};
            case "gradH" -> new int[] {0, 0, 32, 32, 128};
            default -> throw new IllegalArgumentException(shape);
        };
    }

    /** Floating-point operations of one call (multiply-add = 2). */
    public static double flops(String shape) {
        int[] d = dims(shape);
        return 2.0 * d[2] * d[3] * d[4];
    }

    @Setup
    public void setup() {
        k = (HostBackend) Backends.byName(backend);
        int[] d = dims(shape);
        ta = d[0] == 1; tb = d[1] == 1; m = d[2]; n = d[3]; kk = d[4];
        SplittableRandom r = new SplittableRandom(1);
        a = randomBuffer(k, r, m * kk, -1, 1);
        b = randomBuffer(k, r, kk * n, -1, 1);
        c = k.allocate(m * n);
    }

    @Benchmark
    public Buffer gemm() {
        k.gemmHere(ta, tb, m, n, kk, 1f, a, 0, ta ? m : kk, b, 0, tb ? kk : n, 0f, c, 0, n); // one thread, as on the trainer's threads
        return c;
    }
}
