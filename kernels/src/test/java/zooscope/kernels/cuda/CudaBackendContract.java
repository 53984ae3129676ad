package zooscope.kernels.cuda;

import java.util.function.BiConsumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;
import zooscope.kernels.Cases;
import zooscope.kernels.ScalarBackend;
import zooscope.kernels.StridedOpsTest;

/**
 * Every {@link Backend} method of a {@link CudaBackend} against the scalar reference, buffer in, buffer out,
 * on random shapes and offsets: each case runs on both backends from the same host arrays, write-only
 * outputs poisoned with NaN first (an element a kernel forgets stays NaN and fails the comparison), and
 * every buffer is compared afterwards, inputs included (a kernel must not write where it should not).
 * Subclasses: the emulated device (always) and the GPU (skipped without one).
 */
abstract class CudaBackendContract {
    static final Backend REF = new ScalarBackend();
    Backend cuda;

    /** The backend under test; assumption-skips where it cannot run. */
    abstract Backend cuda();

    /** Tolerance of GEMM results relative to k (cuBLAS sums in float32, the reference in float64). */
    abstract double gemmTolerance();

    @BeforeEach void setUp() { cuda = cuda(); }

    static LongStream seeds() { return Cases.seeds(60); }

    static final float NAN = Float.NaN;

    static float[] nan(int n) {
        float[] x = new float[n];
        java.util.Arrays.fill(x, NAN);
        return x;
    }

    /** Runs {@code op} on backend k over buffers holding copies of {@code arrays} (a null stays null); returns them read back. */
    static float[][] on(Backend k, float[][] arrays, BiConsumer<Backend, Buffer[]> op) {
        Buffer[] b = new Buffer[arrays.length];
        for (int i = 0; i < arrays.length; i++) if (arrays[i] != null) b[i] = Cases.onto(k, arrays[i]);
        op.accept(k, b);
        float[][] out = new float[arrays.length][];
        for (int i = 0; i < arrays.length; i++) if (b[i] != null) out[i] = Cases.host(k, b[i]);
        return out;
    }

    /** The op on the reference and on the backend under test, every buffer compared. */
    void check(String what, Cases.Gen g, double rtol, double atol, float[][] arrays, BiConsumer<Backend, Buffer[]> op) {
        float[][] want = on(REF, arrays, op), got = on(cuda, arrays, op);
        for (int i = 0; i < arrays.length; i++) {
            if (arrays[i] != null) Cases.assertClose(got[i], want[i], rtol, atol, what + ", buffer " + i + "; " + g.why());
        }
    }

    void check(String what, Cases.Gen g, float[][] arrays, BiConsumer<Backend, Buffer[]> op) { check(what, g, 2e-6, 1e-6, arrays, op); }

    // ---------------------------------------------------------------- data movement

    @ParameterizedTest(name = "seed={0}") @MethodSource("seeds")
    void fillAndAxpyAndAffine(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int n = g.dim(300), off = g.r.nextInt(5);
        float v = g.uniform(-3, 3), alpha = g.uniform(-2, 2), shift = g.uniform(-1, 1);
        check("fill", g, new float[][] {g.floats(off + n + 3, -1, 1)}, (k, b) -> k.fill(b[0], off, n, v));
        check("axpy", g, new float[][] {g.floats(n + off, -1, 1), g.floats(n, -1, 1)}, (k, b) -> k.axpy(n, alpha, b[0], off, b[1], 0));
        check("affine", g, new float[][] {g.floats(n, -1, 1), nan(n + off)}, (k, b) -> k.affine(n, alpha, shift, b[0], 0, b[1], off));
    }

    /** A random rank-1..4 shape with source strides that permute, skip and broadcast (stride 0). */
    static int[][] stridedCase(Cases.Gen g, boolean zeros) {
        int[] shape = g.shape(1 + g.r.nextInt(4), 6);
        int[] src = StridedOpsTest.strides(g, shape, zeros);
        int[] dst = StridedOpsTest.strides(g, shape, false);
        return new int[][] {shape, src, dst};
    }

    @ParameterizedTest(name = "seed={0}") @MethodSource("seeds")
    void stridedCopyAddBinary(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int[][] c = stridedCase(g, true);
        int[] shape = c[0], ss = c[1], ds = c[2];
        int srcLen = StridedOpsTest.extent(shape, ss) + 2, dstLen = StridedOpsTest.extent(shape, ds) + 2;
        check("copy", g, new float[][] {g.floats(srcLen, -1, 1), g.floats(dstLen, -1, 1)}, (k, b) -> k.copy(shape, b[0], 1, ss, b[1], 1, ds));
        // add: the destination is the one with stride-0 axes (a broadcast's backward sums over them)
        float alpha = g.uniform(-2, 2);
        check("add", g, new float[][] {g.floats(dstLen, -1, 1), g.floats(srcLen, -1, 1)}, (k, b) -> k.add(shape, alpha, b[0], 1, ds, b[1], 1, ss));
        int[] bs = StridedOpsTest.strides(g, shape, true);
        int bLen = StridedOpsTest.extent(shape, bs) + 1, n = 1;
        for (int d : shape) n *= d;
        int outLen = n;
        for (Backend.Binary op : Backend.Binary.values()) {
            check("binary " + op, g, new float[][] {g.floats(srcLen, 0.5, 2), g.floats(bLen, 0.5, 2), nan(outLen)},
                (k, b) -> k.binary(op, shape, b[0], 1, ss, b[1], 0, bs, b[2], 0));
        }
    }

    @ParameterizedTest(name = "seed={0}") @MethodSource("seeds")
    void gatherScatterSort(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int outer = g.dim(4), len = g.dim(9), inner = g.dim(5), m = g.dim(12);
        int[] idx = new int[m];
        for (int i = 0; i < m; i++) idx[i] = g.r.nextInt(len); // repeats likely
        check("gather", g, new float[][] {g.floats(outer * len * inner + 2, -1, 1), nan(outer * m * inner + 1)},
            (k, b) -> k.gather(outer, len, inner, idx, b[0], 2, b[1], 1));
        check("scatterAdd", g, new float[][] {g.floats(outer * m * inner, -1, 1), g.floats(outer * len * inner + 3, -1, 1)},
            (k, b) -> k.scatterAdd(outer, len, inner, idx, b[0], 0, b[1], 3));
        int rows = g.dim(6), n = g.dim(40);
        float[] x = g.floats(rows * n + 1, -2, 2);
        for (int i = 0; i < x.length; i += 7) x[i] = x[(i * 31) % x.length]; // ties
        if (x.length > 3) { x[1] = -0f; x[2] = 0f; x[3] = NAN; }
        check("sortRows", g, new float[][] {x, nan(rows * n)}, (k, b) -> k.sortRows(rows, n, b[0], 1, b[1], 0));
        int[] w = REF.sortOrder(Cases.onto(REF, x), 1, rows * n), h = cuda.sortOrder(Cases.onto(cuda, x), 1, rows * n);
        org.junit.jupiter.api.Assertions.assertArrayEquals(w, h, "sortOrder; " + g.why());
    }

    // ---------------------------------------------------------------- dense algebra

    @ParameterizedTest(name = "seed={0}") @MethodSource("seeds")
    void gemmAllTranspositionsAndBatched(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int m = g.dim(20), n = g.dim(20), k = g.dim(40);
        double tol = gemmTolerance() * k;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                int lda = (ta ? m : k) + g.r.nextInt(3), ldb = (tb ? k : n) + g.r.nextInt(3), ldc = n + g.r.nextInt(3);
                int aOff = g.r.nextInt(4), bOff = g.r.nextInt(4), cOff = g.r.nextInt(4);
                float alpha = g.uniform(-2, 2), beta = g.r.nextBoolean() ? 0f : g.uniform(-1, 1);
                float[] c0 = beta == 0 ? nan(cOff + m * ldc) : g.floats(cOff + m * ldc, -1, 1); // beta 0: old C (NaN) is ignored
                check("gemm transA=" + ta + " transB=" + tb + " m=" + m + " n=" + n + " k=" + k, g, tol, tol,
                    new float[][] {g.floats(aOff + (ta ? k : m) * lda, -1, 1), g.floats(bOff + (tb ? n : k) * ldb, -1, 1), c0},
                    (kk, b) -> kk.gemm(ta, tb, m, n, k, alpha, b[0], aOff, lda, b[1], bOff, ldb, beta, b[2], cOff, ldc));
            }
        }
        int batch = g.dim(5), sa = m * k + 1, sb = k * n + 2, sc = m * n + 1;
        check("gemmBatched", g, tol, tol, new float[][] {g.floats(batch * sa, -1, 1), g.floats(batch * sb, -1, 1), nan(batch * sc)},
            (kk, b) -> kk.gemmBatched(batch, false, true, m, n, k, 1f, b[0], 0, k, sa, b[1], 0, k, sb, 0f, b[2], 0, n, sc));
    }

    // ---------------------------------------------------------------- element-wise, reductions

    @ParameterizedTest(name = "seed={0}") @MethodSource("seeds")
    void unaryForwardAndBackward(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int n = g.dim(200);
        for (Backend.Unary op : Backend.Unary.values()) {
            float[] x = op == Backend.Unary.LOG ? g.floats(n, 0.1, 4) : g.floats(n, -4, 4);
            check("unary " + op, g, new float[][] {x, nan(n + 1)}, (k, b) -> k.unary(op, b[0], 0, b[1], 1, n));
            float[] y = new float[n];
            for (int i = 0; i < n; i++) y[i] = (float) op.apply(x[i]);
            check("unaryBackward " + op, g, new float[][] {x, y, g.floats(n, -1, 1), g.floats(n, -1, 1)},
                (k, b) -> k.unaryBackward(op, b[0], 0, b[1], 0, b[2], 0, b[3], 0, n));
        }
    }

    @ParameterizedTest(name = "seed={0}") @MethodSource("seeds")
    void reductions(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int outer = g.dim(5), reduced = 1 + g.dim(20), inner = g.dim(6), n = outer * reduced * inner;
        for (Backend.Reduction kind : Backend.Reduction.values()) {
            check("reduce " + kind, g, new float[][] {g.floats(n + 1, -2, 2), nan(outer * inner + 2)}, (k, b) -> k.reduce(kind, outer, reduced, inner, b[0], 1, b[1], 2));
            check("reduceBackward " + kind, g, new float[][] {g.floats(n, -2, 2), g.floats(outer * inner, -1, 1), g.floats(n + 1, -1, 1)},
                (k, b) -> k.reduceBackward(kind, outer, reduced, inner, b[0], 0, b[1], 0, b[2], 1));
        }
        // few long columns: the device splits each column into chunks (and VAR's backward needs their means)
        int lo = g.dim(2), li = g.dim(3), lr = 1025 + g.r.nextInt(4000), ln = lo * lr * li;
        for (Backend.Reduction kind : Backend.Reduction.values()) {
            check("reduce long columns " + kind, g, new float[][] {g.floats(ln, -2, 2), nan(lo * li)}, (k, b) -> k.reduce(kind, lo, lr, li, b[0], 0, b[1], 0));
            check("reduceBackward long columns " + kind, g, new float[][] {g.floats(ln, -2, 2), g.floats(lo * li, -1, 1), g.floats(ln, -1, 1)},
                (k, b) -> k.reduceBackward(kind, lo, lr, li, b[0], 0, b[1], 0, b[2], 0));
        }
        int big = 1 + g.r.nextInt(20_000); // over several of the device's partial-sum chunks
        float[] x = g.floats(big + 3, -1, 1);
        double want = REF.sumSquares(Cases.onto(REF, x), 3, big), got = cuda.sumSquares(Cases.onto(cuda, x), 3, big);
        Cases.assertClose(new double[] {got}, new double[] {want}, 1e-10, 0, "sumSquares n=" + big + "; " + g.why());
    }

    // ---------------------------------------------------------------- rows and losses

    @ParameterizedTest(name = "seed={0}") @MethodSource("seeds")
    void rowFunctionsAndLosses(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int rows = g.dim(12), cols = g.dim(30), n = rows * cols;
        for (boolean log : new boolean[] {false, true}) {
            check("softmaxRows log=" + log, g, new float[][] {g.floats(n + 1, -5, 5), nan(n)}, (k, b) -> k.softmaxRows(log, b[0], 1, b[1], 0, rows, cols));
            float[] y = new float[n];
            REF.copyOut(softmax(log, g.floats(n, -5, 5), rows, cols), 0, y, 0, n);
            check("softmaxRowsBackward log=" + log, g, new float[][] {y, g.floats(n, -1, 1), g.floats(n + 2, -1, 1)},
                (k, b) -> k.softmaxRowsBackward(log, b[0], 0, b[1], 0, b[2], 2, rows, cols));
        }
        int[] t = new int[rows];
        for (int r = 0; r < rows; r++) t[r] = g.r.nextInt(cols);
        float[] logp = new float[n];
        REF.copyOut(softmax(true, g.floats(n, -3, 3), rows, cols), 0, logp, 0, n);
        double want = REF.nllRows(Cases.onto(REF, logp), 0, rows, cols, t), got = cuda.nllRows(Cases.onto(cuda, logp), 0, rows, cols, t);
        Cases.assertClose(new double[] {got}, new double[] {want}, 0, 0, "nllRows; " + g.why());
        float scale = g.uniform(0.1, 2);
        for (boolean acc : new boolean[] {false, true}) {
            check("nllRowsBackward accumulate=" + acc, g, new float[][] {logp, acc ? g.floats(n + 1, -1, 1) : nan(n + 1)},
                (k, b) -> k.nllRowsBackward(b[0], 0, rows, cols, t, scale, b[1], 1, acc));
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> cuda.nllRows(Cases.onto(cuda, logp), 0, 1, cols, new int[] {cols}));
    }

    static Buffer softmax(boolean log, float[] x, int rows, int cols) {
        Buffer y = REF.allocate(x.length);
        REF.softmaxRows(log, Cases.onto(REF, x), 0, y, 0, rows, cols);
        return y;
    }

    @ParameterizedTest(name = "seed={0}") @MethodSource("seeds")
    void layerNormAndL2Normalize(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int rows = g.dim(10), cols = 2 + g.dim(30), n = rows * cols;
        boolean affine = g.r.nextBoolean();
        float[] x = g.floats(n + 1, -2, 2), w = affine ? g.floats(cols + 1, 0.5, 1.5) : null, bias = affine ? g.floats(cols, -1, 1) : null;
        check("layerNormRows affine=" + affine, g, new float[][] {x, w, bias, nan(n), nan(n), nan(rows)},
            (k, b) -> k.layerNormRows(rows, cols, 1e-5, b[0], 1, b[1], 1, b[2], 0, b[3], 0, b[4], b[5]));
        float[][] fwd = on(REF, new float[][] {x, w, bias, nan(n), nan(n), nan(rows)},
            (k, b) -> k.layerNormRows(rows, cols, 1e-5, b[0], 1, b[1], 1, b[2], 0, b[3], 0, b[4], b[5]));
        check("layerNormRowsBackward affine=" + affine, g, 1e-5, 1e-6,
            new float[][] {g.floats(n, -1, 1), w, fwd[4], fwd[5], g.floats(n, -1, 1), affine ? g.floats(cols, -1, 1) : null, affine ? g.floats(cols, -1, 1) : null},
            (k, b) -> k.layerNormRowsBackward(rows, cols, b[0], 0, b[1], 1, b[2], b[3], b[4], 0, b[5], 0, b[6], 0));
        float[] z = g.floats(n, -1, 1);
        if (rows > 1) java.util.Arrays.fill(z, 0, cols, 0f); // a clamped norm
        check("l2NormalizeRows", g, new float[][] {z, nan(n), nan(rows)}, (k, b) -> k.l2NormalizeRows(rows, cols, 1e-6, b[0], 0, b[1], 0, b[2]));
        float[][] l2 = on(REF, new float[][] {z, nan(n), nan(rows)}, (k, b) -> k.l2NormalizeRows(rows, cols, 1e-6, b[0], 0, b[1], 0, b[2]));
        check("l2NormalizeRowsBackward", g, new float[][] {g.floats(n, -1, 1), l2[1], l2[2], g.floats(n, -1, 1)},
            (k, b) -> k.l2NormalizeRowsBackward(rows, cols, 1e-6, b[0], 0, b[1], 0, b[2], b[3], 0));
    }

    // ---------------------------------------------------------------- LSTM and optimisers

    @ParameterizedTest(name = "seed={0}") @MethodSource("seeds")
    void lstmCell(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int batch = g.dim(8), h = g.dim(20), bh = batch * h;
        check("lstmCellForward", g, new float[][] {g.floats(4 * bh + 1, -3, 3), g.floats(bh, -1, 1), nan(bh), nan(bh + 2), nan(bh)},
            (k, b) -> k.lstmCellForward(batch, h, b[0], 1, b[1], 0, b[2], 0, b[3], 2, b[4], 0));
        boolean withGc = g.r.nextBoolean();
        float[] acts = g.floats(4 * bh, 0.01, 0.99);
        check("lstmCellBackward gc=" + withGc, g, new float[][] {acts, g.floats(bh, -1, 1), g.floats(bh, -0.9, 0.9), g.floats(bh, -1, 1),
                withGc ? g.floats(bh, -1, 1) : null, nan(4 * bh + 1), nan(bh)},
            (k, b) -> k.lstmCellBackward(batch, h, b[0], 0, b[1], 0, b[2], 0, b[3], 0, b[4], 0, b[5], 1, b[6], 0));
    }

    @ParameterizedTest(name = "seed={0}") @MethodSource("seeds")
    void optimisers(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int n = g.dim(300), off = g.r.nextInt(3);
        long step = 1 + g.r.nextInt(50);
        check("adamW step " + step, g, new float[][] {g.floats(n + off, -1, 1), g.floats(n, -1, 1), g.floats(n + off, -0.1, 0.1), g.floats(n + off, 0, 0.01)},
            (k, b) -> k.adamW(n, b[0], off, b[1], 0, b[2], b[3], off, step, 1e-3, 0.9, 0.999, 1e-8, 0.01));
        int groups = g.dim(5);
        long[] steps = new long[groups];
        double[] lr = new double[groups], wd = new double[groups];
        for (int j = 0; j < groups; j++) { steps[j] = 1 + g.r.nextInt(50); lr[j] = g.uniform(1e-4, 1e-2); wd[j] = g.uniform(0, 0.1); }
        check("adamWGroups", g, new float[][] {g.floats(groups * n + off, -1, 1), g.floats(groups * n, -1, 1), g.floats(groups * n + off, -0.1, 0.1), g.floats(groups * n + off, 0, 0.01)},
            (k, b) -> k.adamWGroups(groups, n, b[0], off, b[1], 0, b[2], b[3], off, steps, lr, 0.9, 0.999, 1e-8, wd));
        boolean nesterov = g.r.nextBoolean(), first = g.r.nextBoolean();
        check("sgd nesterov=" + nesterov + " first=" + first, g, new float[][] {g.floats(n, -1, 1), g.floats(n, -1, 1), g.floats(n, -1, 1)},
            (k, b) -> k.sgd(n, b[0], 0, b[1], 0, b[2], first, 0.1, 0.9, 0.1, 1e-4, nesterov));
        check("sgd without momentum", g, new float[][] {g.floats(n, -1, 1), g.floats(n, -1, 1)},
            (k, b) -> k.sgd(n, b[0], 0, b[1], 0, null, true, 0.1, 0, 0, 0, false));
    }

    @Test
    void refusesBuffersOfAnotherBackend() {
        Buffer host = REF.allocate(4), own = cuda.allocate(4);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> cuda.axpy(4, 1f, host, 0, own, 0));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("'" + cuda.name() + "'"), e.getMessage());
    }
}
