package zooscope.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Backend.sortOrder and sortRows against a stable sort by Float.compare, with ties, signed zeros, infinities and NaN. */
class SortOrderTest {
    static LongStream seeds() { return Cases.seeds(100); }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void sortOrderAndSortRowsFollowAStableSortByFloatCompare(long seed) {
        Cases.Gen g = Cases.gen(seed);
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE, 1f, -1f};
        int n = g.dim(60), off = g.r.nextInt(3);
        float[] v = new float[off + n];
        for (int i = 0; i < v.length; i++) v[i] = g.r.nextInt(4) == 0 ? special[g.r.nextInt(special.length)] : (float) Math.round(g.uniform(-3, 3) * 2) / 2;
        Integer[] want = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(want, Comparator.comparing(i -> v[off + i], Float::compare));
        for (String name : Backends.available()) {
            Backend k = Backends.byName(name);
            Buffer b = Cases.onto(k, v);
            assertArrayEquals(Arrays.stream(want).mapToInt(Integer::intValue).toArray(), k.sortOrder(b, off, n), name + " " + Arrays.toString(v) + "; " + g.why());
            Buffer sorted = k.allocate(n);
            k.sortRows(1, n, b, off, sorted, 0);
            float[] values = new float[n];
            for (int i = 0; i < n; i++) values[i] = v[off + want[i]];
            assertArrayEquals(values, Cases.host(k, sorted), "sortRows on " + name + " " + Arrays.toString(v) + "; " + g.why());
        }
    }
}
