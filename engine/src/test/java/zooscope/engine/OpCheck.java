package zooscope.engine;

import java.util.function.Function;
import zooscope.kernels.Backend;
import zooscope.kernels.Backends;
import zooscope.kernels.Cases;

/**
 * Checks one op case on every backend: the float32 forward against a float64 reference, and the
 * backward (for a random upstream gradient w, ∂(w·f)/∂x) against central finite differences of the
 * float64 reference.
 */
final class OpCheck {
    /**
     * Every backend that runs here (the GPU where there is one), the fake remote one (proof that ops go
     * through the seam only) and the CUDA backend on its emulated device (kernels.cu built for the host).
     */
    static final Backend[] BACKENDS = java.util.stream.Stream.concat(Backends.available().stream().map(Backends::byName),
        java.util.stream.Stream.of(RemoteBackendTest.REMOTE, CudaTrainingTest.EMULATED).filter(java.util.Objects::nonNull)).toArray(Backend[]::new);

    /** An op on several inputs: float32 engine version and float64 reference of the same function. */
    record Case(String name, float[][] inputs, int[][] shapes, boolean[] differentiable,
                Function<Tensor[], Tensor> engine, Function<double[][], double[]> reference) {}

    private OpCheck() {}

    static void check(Case c, Cases.Gen g) { check(c, g, 2e-5, 1e-5); }

    static void check(Case c, Cases.Gen g, double fwdRtol, double fwdAtol) {
        Backend before = Backends.current();
        try {
            for (Backend be : BACKENDS) {
                Backends.use(be);
                checkOn(c, g, be.name(), fwdRtol, fwdAtol);
            }
        } finally {
            Backends.use(before);
        }
    }

    private static void checkOn(Case c, Cases.Gen g, String backend, double fwdRtol, double fwdAtol) {
        int n = c.inputs().length;
        Tensor[] ts = new Tensor[n];
        double[][] xs = new double[n][];
        for (int i = 0; i < n; i++) {
            ts[i] = Tensor.of(c.inputs()[i].clone(), c.shapes()[i]);
            if (c.differentiable()[i]) ts[i].requiresGrad();
            xs[i] = toDouble(c.inputs()[i]);
        }
        String why = c.name() + " on " + backend + "; " + g.why();
        Tensor out = c.engine().apply(ts);
        double[] want = c.reference().apply(xs);
        Cases.assertClose(toDouble(out.toArray()), want, fwdRtol, fwdAtol, "forward " + why);

        double[] w = new double[out.size()];
        float[] wf = new float[out.size()];
        for (int i = 0; i < w.length; i++) { wf[i] = g.uniform(-1, 1); w[i] = wf[i]; }
        out.backward(wf);
        for (int i = 0; i < n; i++) {
            if (!c.differentiable()[i]) continue;
            double[] fd = finiteDifference(c.reference(), xs, i, w);
            float[] got = ts[i].grad() == null ? new float[xs[i].length] : ts[i].grad();
            Cases.assertClose(toDouble(got), fd, 2e-3, 2e-4, "gradient of input " + i + " " + why);
        }
    }

    /** ∂(w·f(x))/∂x_i by central differences in float64. */
    static double[] finiteDifference(Function<double[][], double[]> f, double[][] xs, int which, double[] w) {
        double[] x = xs[which];
        double[] grad = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            double keep = x[j], h = 1e-6 * Math.max(1, Math.abs(keep));
            x[j] = keep + h;
            double up = dot(w, f.apply(xs));
            x[j] = keep - h;
            double down = dot(w, f.apply(xs));
            x[j] = keep;
            grad[j] = (up - down) / (2 * h);
        }
        return grad;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    // ------------------------------------------------------------ float64 helpers for references

    static int size(int[] shape) { int n = 1; for (int d : shape) n *= d; return n; }

    static int[] unravel(int k, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) { idx[d] = k % shape[d]; k /= shape[d]; }
        return idx;
    }

    static int ravel(int[] idx, int[] shape) {
        int k = 0;
        for (int d = 0; d < shape.length; d++) k = k * shape[d] + idx[d];
        return k;
    }

    /** The value of x (shape xs) broadcast to position k of outShape. */
    static double broadcastAt(double[] x, int[] xs, int[] outShape, int k) {
        int[] idx = unravel(k, outShape);
        int[] src = new int[xs.length];
        for (int d = 0; d < xs.length; d++) {
            int od = d + outShape.length - xs.length;
            src[d] = xs[d] == 1 ? 0 : idx[od];
        }
        return x[ravel(src, xs)];
    }
}
