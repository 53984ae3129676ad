package zooscope.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Splitting a GEMM over the cores gives the bits of one call ({@link HostBackend#gemmHere}), on every host backend. */
class ParallelGemmTest {
    static LongStream seeds() { return Cases.seeds(40); }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void blocksOfRowsGiveTheBitsOfOneCall(long seed) {
        Cases.Gen g = Cases.gen(seed);
        // m from 2 to 12 blocks plus a remainder; n below and above the vector width (the transposed path)
        int m = ParallelGemm.ROWS * (2 + g.r.nextInt(10)) + g.r.nextInt(ParallelGemm.ROWS);
        int n = 1 + g.r.nextInt(g.r.nextBoolean() ? 15 : 80), k = (int) (ParallelGemm.MIN_WORK / ((long) m * n)) + 1 + g.r.nextInt(40);
        splitGivesTheBitsOfOneCall(g, m, n, k);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void blocksOfColumnsGiveTheBitsOfOneCall(long seed) {
        Cases.Gen g = Cases.gen(seed);
        // fewer rows than two blocks (an LSTM step's [batch, 4H]), n from 2 to 20 column units plus a remainder
        int m = 1 + g.r.nextInt(2 * ParallelGemm.ROWS - 1);
        int n = ParallelGemm.COLS * (2 + g.r.nextInt(19)) + g.r.nextInt(ParallelGemm.COLS);
        int k = (int) (ParallelGemm.MIN_WORK / ((long) m * n)) + 1 + g.r.nextInt(40);
        splitGivesTheBitsOfOneCall(g, m, n, k);
    }

    /** Random operands, transpositions, alpha and beta: ParallelGemm.gemm equals one call of the kernel on every backend. */
    static void splitGivesTheBitsOfOneCall(Cases.Gen g, int m, int n, int k) {
        boolean ta = g.r.nextBoolean(), tb = g.r.nextBoolean();
        float beta = g.r.nextBoolean() ? 0f : 1f, alpha = g.uniform(0.5, 1.5);
        float[] a = g.floats(m * k, -1, 1), b = g.floats(k * n, -1, 1), c0 = g.floats(m * n, -1, 1);
        for (String name : Backends.available()) {
            HostBackend be = (HostBackend) Backends.byName(name);
            Buffer ab = Cases.onto(be, a), bb = Cases.onto(be, b), one = Cases.onto(be, c0), split = Cases.onto(be, c0);
            be.gemmHere(ta, tb, m, n, k, alpha, ab, 0, ta ? m : k, bb, 0, tb ? k : n, beta, one, 0, n);
            be.gemm(ta, tb, m, n, k, alpha, ab, 0, ta ? m : k, bb, 0, tb ? k : n, beta, split, 0, n);
            assertArrayEquals(Cases.host(be, one), Cases.host(be, split), name + " m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + "; " + g.why());
        }
    }

    /**
     * A long k over many rows (the native kernel takes k in chunks there, keeping running sums in memory) gives
     * the bits of the same product four rows at a time (each element's sum kept in a register over all of k).
     * n ≥ 16: below the vector width the kernels take the transposed route when m > n, which has its own bits.
     */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void longKRowsGiveTheBitsOfFourRowsAtATime(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int m = 4 * (3 + g.r.nextInt(10)), n = 16 + g.r.nextInt(150), k = 512 + g.r.nextInt(1500);
        boolean ta = g.r.nextBoolean(), tb = g.r.nextBoolean();
        float alpha = g.uniform(0.5, 1.5), beta = g.r.nextBoolean() ? 0f : 1f;
        float[] a = g.floats(m * k, -1, 1), b = g.floats(k * n, -1, 1), c0 = g.floats(m * n, -1, 1);
        int lda = ta ? m : k, ldb = tb ? k : n;
        for (String name : Backends.available()) {
            HostBackend be = (HostBackend) Backends.byName(name);
            Buffer ab = Cases.onto(be, a), bb = Cases.onto(be, b), whole = Cases.onto(be, c0), byFour = Cases.onto(be, c0);
            be.gemmHere(ta, tb, m, n, k, alpha, ab, 0, lda, bb, 0, ldb, beta, whole, 0, n);
            for (int r = 0; r < m; r += 4) be.gemmHere(ta, tb, 4, n, k, alpha, ab, ta ? r : r * k, lda, bb, 0, ldb, beta, byFour, r * n, n);
            assertArrayEquals(Cases.host(be, byFour), Cases.host(be, whole), name + " m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + "; " + g.why());
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void batchEntriesGiveTheBitsOfOneCall(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int batch = 2 + g.r.nextInt(9), m = 1 + g.r.nextInt(90), n = 1 + g.r.nextInt(90);
        int k = (int) (ParallelGemm.MIN_WORK / ((long) batch * m * n)) + 1 + g.r.nextInt(20);
        float[] a = g.floats(batch * m * k, -1, 1), b = g.floats(batch * k * n, -1, 1);
        for (String name : Backends.available()) {
            HostBackend be = (HostBackend) Backends.byName(name);
            Buffer ab = Cases.onto(be, a), bb = Cases.onto(be, b), one = be.allocate(batch * m * n), split = be.allocate(batch * m * n);
            for (int p = 0; p < batch; p++) be.gemmHere(false, true, m, n, k, 1f, ab, p * m * k, k, bb, p * k * n, k, 0f, one, p * m * n, n);
            be.gemmBatched(batch, false, true, m, n, k, 1f, ab, 0, k, m * k, bb, 0, k, k * n, 0f, split, 0, n, m * n);
            assertArrayEquals(Cases.host(be, one), Cases.host(be, split), name + " batch=" + batch + " m=" + m + " n=" + n + " k=" + k + "; " + g.why());
        }
    }

    /** Element-wise maps and softmax rows, large enough to be spread over the cores, give the bits of one call on the calling thread. */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void largeElementwiseWorkGivesTheBitsOfOneCall(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int n = (int) (ParallelGemm.MIN_WORK / 4) + g.r.nextInt(100_000), cols = 1 + g.r.nextInt(600), rows = n / cols;
        Backend.Unary op = Backend.Unary.values()[g.r.nextInt(Backend.Unary.values().length)];
        Backend.Binary bop = Backend.Binary.values()[g.r.nextInt(Backend.Binary.values().length)];
        boolean log = g.r.nextBoolean();
        float[] x = g.floats(n + 1, -3, 3), y = g.floats(n + 1, 0.1, 2), gy = g.floats(n, -1, 1), gx0 = g.floats(n, -1, 1);
        for (String name : Backends.available()) {
            if (!(Backends.byName(name) instanceof HostBackend k)) continue;
            String why = name + " " + op + " " + bop + " n " + n + " rows " + rows + " cols " + cols + "; " + g.why();
            float[] one = new float[n], ga1 = gx0.clone(), b1 = new float[n], s1 = new float[rows * cols], sg1 = gx0.clone();
            k.unary(op, x, 1, one, 0, n);
            k.unaryBackward(op, x, 1, y, 0, gy, 0, ga1, 0, n);
            k.binary(bop, x, 1, y, 1, b1, 0, n);
            k.softmaxRows(log, x, 1, s1, 0, rows, cols);
            k.softmaxRowsBackward(log, y, 1, gy, 0, sg1, 0, rows, cols);
            Buffer xb = Cases.onto(k, x), yb = Cases.onto(k, y), gyb = Cases.onto(k, gy);
            Buffer u = k.allocate(n), ga = Cases.onto(k, gx0), b = k.allocate(n), sm = k.allocate(rows * cols), sg = Cases.onto(k, gx0);
            k.unary(op, xb, 1, u, 0, n);
            k.unaryBackward(op, xb, 1, yb, 0, gyb, 0, ga, 0, n);
            k.binary(bop, new int[] {n}, xb, 1, new int[] {1}, yb, 1, new int[] {1}, b, 0);
            k.softmaxRows(log, xb, 1, sm, 0, rows, cols);
            k.softmaxRowsBackward(log, yb, 1, gyb, 0, sg, 0, rows, cols);
            assertArrayEquals(one, Cases.host(k, u), "unary on " + why);
            assertArrayEquals(ga1, Cases.host(k, ga), "unary backward on " + why);
            assertArrayEquals(b1, Cases.host(k, b), "binary on " + why);
            assertArrayEquals(s1, Cases.host(k, sm), "softmax rows on " + why);
            assertArrayEquals(sg1, Cases.host(k, sg), "softmax rows backward on " + why);
        }
    }
}
