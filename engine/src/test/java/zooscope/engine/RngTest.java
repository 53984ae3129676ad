package zooscope.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RngTest {
    @Test
    void sameSeedSameStreamBitForBit() {
        Rng a = Rng.stream(42, 7, 3), b = Rng.stream(42, 7, 3), c = Rng.stream(42, 7, 4);
        for (int i = 0; i < 1000; i++) {
            long x = a.nextLong();
            assertEquals(x, b.nextLong());
            assertNotEquals(x, c.nextLong());
        }
    }

    /** Pins the generator's output so any change to it (which would change every zoo) is noticed. */
    @Test
    void outputIsPinned() {
        Rng r = new Rng(0);
        assertEquals(0xE220A8397B1DCDAFL, r.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, r.nextLong());
    }

    @Test
    void distributionsLookRight() {
        Rng r = new Rng(5);
        int n = 200_000;
        double sum = 0, sq = 0, u = 0;
        int[] counts = new int[6];
        for (int i = 0; i < n; i++) {
            double z = r.normal();
            sum += z;
            sq += z * z;
            u += r.nextFloat();
            counts[r.nextInt(6)]++;
        }
        assertEquals(0, sum / n, 0.01);
        assertEquals(1, sq / n, 0.02);
        assertEquals(0.5, u / n, 0.005);
        for (int c : counts) assertEquals(n / 6.0, c, n / 6.0 * 0.03);
    }

    @Test
    void permutationIsAPermutation() {
        int[] p = new Rng(9).permutation(50);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
        assertTrue(!Arrays.equals(p, sorted));
        assertArrayEquals(p, new Rng(9).permutation(50));
    }
    /** The vector keep mask equals nextDouble() < p drawn one by one, and leaves the generator where the draws would. */
    @org.junit.jupiter.params.ParameterizedTest(name = "seed={0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void keepMaskIsTheDrawsOneByOne(long seed) {
        java.util.Random g = new java.util.Random(seed);
        long start = g.nextLong();
        int n = seed < 4 ? (int) seed * 64 : g.nextInt(seed < 8 ? 200 : 5000);
        double p = seed == 5 ? 0.5 : seed == 6 ? 1e-9 : g.nextDouble();
        Rng vec = new Rng(start), one = new Rng(start);
        long[] keep = vec.keepMask(n, p);
        long[] expected = new long[(n + 63) / 64];
        for (int i = 0; i < n; i++) if (!(one.nextDouble() < p)) expected[i >>> 6] |= 1L << i;
        assertArrayEquals(expected, keep, "seed " + seed + ", n " + n + ", p " + p);
        assertEquals(one.nextLong(), vec.nextLong(), "the state after the draws; seed " + seed);
    }
    /** Dropout's float mask from the keep bits, a vector at a time, equals the bits read one by one (one block, and two blocks laid end to end). */
    @org.junit.jupiter.params.ParameterizedTest(name = "n={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1, 15, 16, 63, 64, 65, 127, 128, 1000, 4099})
    void maskFloatsReadTheKeepBits(int n) {
        long[] keep = new Rng(n).keepMask(n, 0.3), second = new Rng(n + 1).keepMask(n, 0.3);
        float[] m = Functional.maskFloats(new long[][] {keep}, n, 1.25f), two = Functional.maskFloats(new long[][] {keep, second}, 2 * n, 1.25f);
        assertEquals(n, m.length);
        assertEquals(2 * n, two.length);
        for (int i = 0; i < n; i++) {
            assertEquals((keep[i >>> 6] >>> i & 1) != 0 ? 1.25f : 0f, m[i], "element " + i + " of " + n);
            assertEquals(m[i], two[i], "block 0, element " + i + " of " + n);
            assertEquals((second[i >>> 6] >>> i & 1) != 0 ? 1.25f : 0f, two[n + i], "block 1, element " + i + " of " + n);
        }
    }
}
