package zooscope.kernels;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The C kernels against the scalar reference; skipped where the library cannot be loaded. */
class NativeKernelsProperties {
    static LongStream seeds() { return Cases.seeds(100); }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void axpyMatchesReference(long seed) {
        assumeTrue(NativeKernels.load().isPresent(), NativeKernels.unavailableReason());
        Cases.Gen g = Cases.gen(seed);
        int n = g.r.nextInt(200), xo = g.r.nextInt(5), yo = g.r.nextInt(5);
        float[] x = g.floats(xo + n, -1, 1), y = g.floats(yo + n, -1, 1);
        float alpha = g.uniform(-2, 2);
        float[] want = y.clone();
        new ScalarBackend().axpy(n, alpha, x, xo, want, yo);
        NativeKernels.load().get().axpy(n, alpha, x, xo, y, yo);
        Cases.assertClose(y, want, 1e-6, 1e-6, "n=" + n + "; " + g.why());
    }
}
