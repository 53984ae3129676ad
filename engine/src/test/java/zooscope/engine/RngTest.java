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
}
