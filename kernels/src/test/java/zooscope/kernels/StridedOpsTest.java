package zooscope.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The strided data movement every host backend shares (copy, add, broadcasting binary) against a
 * plain loop over the full index space, on random shapes and strides: permutations, offsets, and
 * stride 0 (a broadcast read, or a summing write for add). Exact: the ops move or add once per element.
 */
public class StridedOpsTest {
    static LongStream seeds() { return Cases.seeds(200); }

    /** Strides of a random axis order, sometimes with gaps, and (when allowed) some 0 strides. */
    public static int[] strides(Cases.Gen g, int[] shape, boolean allowZero) {
        int rank = shape.length;
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) perm[i] = i;
        for (int i = rank - 1; i > 0; i--) { int j = g.r.nextInt(i + 1); int t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
        int[] st = new int[rank];
        int s = 1 + g.r.nextInt(2); // sometimes a gap between elements
        for (int i = rank - 1; i >= 0; i--) {
            int d = perm[i];
            st[d] = allowZero && g.r.nextInt(4) == 0 ? 0 : s;
            s *= shape[d];
        }
        return st;
    }

    /** Floats spanned by a strided view from offset 0. */
    public static int extent(int[] shape, int[] st) {
        int e = 1;
        for (int d = 0; d < shape.length; d++) e += (shape[d] - 1) * st[d];
        return e;
    }

    /** Position of flat index i of shape under strides. */
    static int at(int[] shape, int[] st, int i) {
        int p = 0;
        for (int d = shape.length - 1; d >= 0; d--) { p += (i % shape[d]) * st[d]; i /= shape[d]; }
        return p;
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void copyAddAndBinaryFollowTheirIndexFormula(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int[] shape = g.shape(g.r.nextInt(5), 5);
        int n = 1;
        for (int d : shape) n *= d;
        int[] ss = strides(g, shape, true), ds = strides(g, shape, false), sum = strides(g, shape, true), dense = new int[shape.length];
        for (int d = shape.length - 1, s = 1; d >= 0; d--) { dense[d] = s; s *= shape[d]; }
        int so = g.r.nextInt(3), dOff = g.r.nextInt(3);
        float[] src = g.floats(so + extent(shape, ss), -2, 2), dst0 = g.floats(dOff + extent(shape, ds), -2, 2);
        float[] b = g.floats(extent(shape, sum), -2, 2);
        float alpha = g.r.nextBoolean() ? 1f : -1f;

        float[] copied = dst0.clone(), added = dst0.clone(), summed = g.floats(extent(shape, sum), -2, 2), binary = new float[n];
        float[] summed0 = summed.clone();
        for (int i = 0; i < n; i++) {
            float x = src[so + at(shape, ss, i)];
            copied[dOff + at(shape, ds, i)] = x;
            added[dOff + at(shape, ds, i)] += alpha * x;
            summed[at(shape, sum, i)] += x;
            binary[i] = x * b[at(shape, sum, i)];
        }
        for (String name : Backends.available()) {
            Backend k = Backends.byName(name);
            String why = name + " shape " + java.util.Arrays.toString(shape) + "; " + g.why();
            Buffer d = Cases.onto(k, dst0);
            k.copy(shape, Cases.onto(k, src), so, ss, d, dOff, ds);
            assertArrayEquals(copied, Cases.host(k, d), "copy on " + why);
            d = Cases.onto(k, dst0);
            k.add(shape, alpha, Cases.onto(k, src), so, ss, d, dOff, ds);
            assertArrayEquals(added, Cases.host(k, d), "add on " + why);
            d = Cases.onto(k, summed0);
            k.add(shape, 1f, Cases.onto(k, src), so, ss, d, 0, sum);
            assertArrayEquals(summed, Cases.host(k, d), "add summing where a stride is 0 on " + why);
            d = k.allocate(n);
            k.binary(Backend.Binary.MUL, shape, Cases.onto(k, src), so, ss, Cases.onto(k, b), 0, sum, d, 0);
            assertArrayEquals(binary, Cases.host(k, d), "binary on " + why);
        }
    }
    /**
     * The two-axis paths of add and copy (a short run repeated over the axis before it, and short runs summed
     * over it, as broadcasting's forward and backward make them) give the bits of the backend's axpy run by run,
     * in order, and of a copy run by run.
     */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shortRunsRepeatedOrSummedGiveTheBitsOfRunByRun(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int outer = 1 + g.r.nextInt(4), m = 2 + g.r.nextInt(30), n = 1 + g.r.nextInt(g.r.nextBoolean() ? 20 : HostBackend.SHORT_RUN - 1);
        int[] shape = {outer, m, n}, fullStrides = {m * n, n, 1}, runStrides = {n, 0, 1};
        float alpha = g.uniform(-1.5, 1.5);
        int so = g.r.nextInt(3), dOff = g.r.nextInt(3);
        float[] full = g.floats(so + outer * m * n, -2, 2), run = g.floats(so + outer * n, -2, 2);
        float[] fullDst = g.floats(dOff + outer * m * n, -2, 2), runDst = g.floats(dOff + outer * n, -2, 2);
        for (String name : Backends.available()) {
            if (!(Backends.byName(name) instanceof HostBackend k)) continue;
            String why = name + " outer " + outer + " m " + m + " n " + n + " alpha " + alpha + "; " + g.why();
            float[] repeated = fullDst.clone(), summed = runDst.clone(), copied = fullDst.clone();
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < m; i++) {
                    System.arraycopy(run, so + o * n, copied, dOff + (o * m + i) * n, n);
                    k.axpy(n, alpha, run, so + o * n, repeated, dOff + (o * m + i) * n);
                    k.axpy(n, alpha, full, so + (o * m + i) * n, summed, dOff + o * n);
                }
            }
            Buffer d = Cases.onto(k, fullDst);
            k.add(shape, alpha, Cases.onto(k, run), so, runStrides, d, dOff, fullStrides);
            assertArrayEquals(repeated, Cases.host(k, d), "a run repeated on " + why);
            d = Cases.onto(k, runDst);
            k.add(shape, alpha, Cases.onto(k, full), so, fullStrides, d, dOff, runStrides);
            assertArrayEquals(summed, Cases.host(k, d), "runs summed on " + why);
            d = Cases.onto(k, fullDst);
            k.copy(shape, Cases.onto(k, run), so, runStrides, d, dOff, fullStrides);
            assertArrayEquals(copied, Cases.host(k, d), "a run copied repeatedly on " + why);
        }
    }
    /** Sums, means and variances over an axis and their gradients: float64 in order on every host backend, so the bits of the scalar reference. */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void reductionsGiveTheScalarBitsOnEveryHostBackend(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int outer = 1 + g.r.nextInt(4), reduced = 2 + g.r.nextInt(20), inner = 1 + g.r.nextInt(40), n = outer * reduced * inner;
        Backend.Reduction kind = Backend.Reduction.values()[g.r.nextInt(Backend.Reduction.values().length)];
        float[] x = g.floats(1 + n, -2, 2), gy = g.floats(outer * inner, -2, 2), gx0 = g.floats(n, -2, 2);
        HostBackend ref = (HostBackend) Backends.byName("scalar");
        Buffer y = ref.allocate(outer * inner), gx = Cases.onto(ref, gx0);
        ref.reduce(kind, outer, reduced, inner, Cases.onto(ref, x), 1, y, 0);
        ref.reduceBackward(kind, outer, reduced, inner, Cases.onto(ref, x), 1, Cases.onto(ref, gy), 0, gx, 0);
        for (String name : Backends.available()) {
            if (!(Backends.byName(name) instanceof HostBackend k)) continue;
            String why = name + " " + kind + " outer " + outer + " reduced " + reduced + " inner " + inner + "; " + g.why();
            Buffer ky = k.allocate(outer * inner), kgx = Cases.onto(k, gx0);
            k.reduce(kind, outer, reduced, inner, Cases.onto(k, x), 1, ky, 0);
            k.reduceBackward(kind, outer, reduced, inner, Cases.onto(k, x), 1, Cases.onto(k, gy), 0, kgx, 0);
            assertArrayEquals(Cases.host(ref, y), Cases.host(k, ky), "reduce on " + why);
            assertArrayEquals(Cases.host(ref, gx), Cases.host(k, kgx), "its gradient on " + why);
        }
    }
}
