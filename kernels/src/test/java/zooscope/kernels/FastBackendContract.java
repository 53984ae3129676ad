package zooscope.kernels;

import static zooscope.kernels.Cases.assertClose;

import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel of a fast backend against the float64 scalar reference, on sizes that are mostly not a
 * multiple of the vector length (so the tails run), including offsets and leading dimensions. Each fast
 * backend (and each code path of one) is a subclass.
 */
abstract class FastBackendContract {
    static final HostBackend REF = new ScalarBackend();
    static final int V = VectorBackend.lanes();
    HostBackend fast;

    /** The backend under test (called before each test). */
    abstract HostBackend fast();

    @org.junit.jupiter.api.BeforeEach
    void setUp() { fast = fast(); }

    static LongStream seeds() { return Cases.seeds(150); }

    /** A length around a few vector widths, often with a tail. */
    static int length(Cases.Gen g) { return 1 + g.r.nextInt(4 * V + 7); }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void gemmAllTranspositions(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int m = 1 + g.r.nextInt(13), n = 1 + g.r.nextInt(3 * V + 5), k = 1 + g.r.nextInt(40);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                int lda = (ta ? m : k) + g.r.nextInt(3), ldb = (tb ? k : n) + g.r.nextInt(3), ldc = n + g.r.nextInt(3);
                int aOff = g.r.nextInt(4), bOff = g.r.nextInt(4), cOff = g.r.nextInt(4);
                float[] a = g.floats(aOff + (ta ? k : m) * lda, -1, 1);
                float[] b = g.floats(bOff + (tb ? n : k) * ldb, -1, 1);
                float[] c0 = g.floats(cOff + m * ldc, -1, 1);
                float alpha = g.uniform(-2, 2), beta = g.r.nextBoolean() ? 0f : g.uniform(-1, 1);
                float[] want = c0.clone(), got = c0.clone();
                REF.gemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, want, cOff, ldc);
                fast.gemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, got, cOff, ldc);
                assertClose(got, want, 1e-5, 1e-5 * k, "transA=" + ta + " transB=" + tb + " m=" + m + " n=" + n + " k=" + k + "; " + g.why());
            }
        }
    }

    static LongStream fewSeeds() { return Cases.seeds(30); }

    /** A long k over several blocks of rows (a weight gradient's shape): the native kernel takes k in chunks there. */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("fewSeeds")
    void gemmLongK(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int m = 9 + g.r.nextInt(32), n = 1 + g.r.nextInt(4 * V + 5), k = 512 + g.r.nextInt(800);
        boolean ta = g.r.nextBoolean(), tb = g.r.nextBoolean();
        float[] a = g.floats(m * k, -1, 1), b = g.floats(k * n, -1, 1), c0 = g.floats(m * n, -1, 1);
        float alpha = g.uniform(-2, 2), beta = g.r.nextBoolean() ? 0f : g.uniform(-1, 1);
        float[] want = c0.clone(), got = c0.clone();
        REF.gemm(ta, tb, m, n, k, alpha, a, 0, ta ? m : k, b, 0, tb ? k : n, beta, want, 0, n);
        fast.gemm(ta, tb, m, n, k, alpha, a, 0, ta ? m : k, b, 0, tb ? k : n, beta, got, 0, n);
        assertClose(got, want, 1e-5, 1e-5 * k, "transA=" + ta + " transB=" + tb + " m=" + m + " n=" + n + " k=" + k + "; " + g.why());
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void gemmIgnoresNaNInCWhenBetaIsZero(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int m = g.dim(9), n = g.dim(40), k = g.dim(9);
        float[] a = g.floats(m * k, -1, 1), b = g.floats(k * n, -1, 1);
        float[] want = new float[m * n], got = new float[m * n];
        java.util.Arrays.fill(got, Float.NaN);
        REF.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, want, 0, n);
        fast.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, got, 0, n);
        assertClose(got, want, 1e-5, 1e-5 * k, g.why());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.Unary.class)
    void unaryAndDerivative(Backend.Unary op) {
        seeds().forEach(seed -> {
            Cases.Gen g = Cases.gen(seed);
            int n = length(g), off = g.r.nextInt(3);
            double lo = op == Backend.Unary.LOG ? 0.05 : -6, hi = 6;
            float[] x = g.floats(off + n, lo, hi);
            float[] want = new float[off + n], got = new float[off + n];
            REF.unary(op, x, off, want, off, n);
            fast.unary(op, x, off, got, off, n);
            assertClose(got, want, 2e-6, 1e-6, op + " n=" + n + "; " + g.why());
            float[] gy = g.floats(off + n, -1, 1), gx0 = g.floats(off + n, -1, 1);
            float[] wantG = gx0.clone(), gotG = gx0.clone();
            REF.unaryBackward(op, x, off, want, off, gy, off, wantG, off, n);
            fast.unaryBackward(op, x, off, want, off, gy, off, gotG, off, n);
            assertClose(gotG, wantG, 1e-5, 1e-6, op + "' n=" + n + "; " + g.why());
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.Binary.class)
    void binary(Backend.Binary op) {
        seeds().forEach(seed -> {
            Cases.Gen g = Cases.gen(seed);
            int n = length(g);
            float[] a = g.floats(n, -3, 3), b = g.floats(n, 0.5, 3);
            float[] want = new float[n], got = new float[n];
            REF.binary(op, a, 0, b, 0, want, 0, n);
            fast.binary(op, a, 0, b, 0, got, 0, n);
            assertClose(got, want, 1e-6, 0, op + " n=" + n + "; " + g.why());
        });
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void axpy(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int n = length(g), off = g.r.nextInt(5);
        float[] a = g.floats(off + n, -1, 1), b = g.floats(off + n, -1, 1);
        String why = "n=" + n + "; " + g.why();
        float alpha = g.uniform(-2, 2);
        float[] want = b.clone(), got = b.clone();
        REF.axpy(n, alpha, a, off, want, off);
        fast.axpy(n, alpha, a, off, got, off);
        assertClose(got, want, 1e-6, 1e-6, "axpy " + why);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void softmaxAndLogSoftmax(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int rows = g.dim(6), cols = length(g);
        float[] x = g.floats(rows * cols, -8, 8), gy = g.floats(rows * cols, -1, 1);
        for (boolean log : new boolean[] {false, true}) {
            float[] want = new float[rows * cols], got = new float[rows * cols];
            REF.softmaxRows(log, x, 0, want, 0, rows, cols);
            fast.softmaxRows(log, x, 0, got, 0, rows, cols);
            String why = (log ? "log-softmax" : "softmax") + " " + rows + "x" + cols + "; " + g.why();
            assertClose(got, want, 1e-5, 1e-6, why);
            float[] wantG = new float[rows * cols], gotG = new float[rows * cols];
            REF.softmaxRowsBackward(log, want, 0, gy, 0, wantG, 0, rows, cols);
            fast.softmaxRowsBackward(log, want, 0, gy, 0, gotG, 0, rows, cols);
            assertClose(gotG, wantG, 1e-4, 1e-5, "backward " + why);
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void lstmCell(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int batch = g.dim(5), hidden = 1 + g.r.nextInt(2 * V + 3);
        float[] pre = g.floats(batch * 4 * hidden, -3, 3), cPrev = g.floats(batch * hidden, -2, 2);
        float[] actsRef = pre.clone(), actsVec = pre.clone();
        float[] cRef = new float[batch * hidden], tRef = new float[batch * hidden], hRef = new float[batch * hidden];
        float[] cVec = new float[batch * hidden], tVec = new float[batch * hidden], hVec = new float[batch * hidden];
        REF.lstmCellForward(batch, hidden, actsRef, 0, cPrev, 0, cRef, 0, tRef, 0, hRef, 0);
        fast.lstmCellForward(batch, hidden, actsVec, 0, cPrev, 0, cVec, 0, tVec, 0, hVec, 0);
        String why = "batch=" + batch + " hidden=" + hidden + "; " + g.why();
        assertClose(actsVec, actsRef, 1e-5, 1e-6, "gates " + why);
        assertClose(cVec, cRef, 1e-5, 1e-6, "c " + why);
        assertClose(tVec, tRef, 1e-5, 1e-6, "tanh(c) " + why);
        assertClose(hVec, hRef, 1e-5, 1e-6, "h " + why);
        float[] gh = g.floats(batch * hidden, -1, 1);
        float[] gc = g.r.nextBoolean() ? g.floats(batch * hidden, -1, 1) : null;
        float[] dgRef = new float[batch * 4 * hidden], dgVec = new float[batch * 4 * hidden];
        float[] gcpRef = new float[batch * hidden], gcpVec = new float[batch * hidden];
        REF.lstmCellBackward(batch, hidden, actsRef, 0, cPrev, 0, tRef, 0, gh, 0, gc, 0, dgRef, 0, gcpRef, 0);
        fast.lstmCellBackward(batch, hidden, actsRef, 0, cPrev, 0, tRef, 0, gh, 0, gc, 0, dgVec, 0, gcpVec, 0);
        assertClose(dgVec, dgRef, 1e-4, 1e-6, "dGates " + why);
        assertClose(gcpVec, gcpRef, 1e-4, 1e-6, "gcPrev " + why);
    }
}
