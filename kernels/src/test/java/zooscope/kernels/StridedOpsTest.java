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
}
