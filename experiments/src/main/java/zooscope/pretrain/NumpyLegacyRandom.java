package zooscope.pretrain;

/**
 * NumPy's legacy global generator ({@code np.random.seed(s); np.random.permutation(n)}): MT19937 seeded
 * with init_genrand, and the Fisher–Yates shuffle drawing each index with a bit mask and rejection.
 * Only used so that task splits equal the reference's (PAPER.md §7, §16.6).
 */
final class NumpyLegacyRandom {
    private final int[] mt = new int[624];
    private int index = 624;

    NumpyLegacyRandom(long seed) {
        mt[0] = (int) seed;
        for (int i = 1; i < 624; i++) mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }

    /** The next 32 random bits (MT19937 genrand_int32). */
    int nextInt32() {
        if (index == 624) {
            for (int i = 0; i < 624; i++) {
                int y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
                mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
            }
            index = 0;
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        return y ^ (y >>> 18);
    }

    /** Uniform in 0..max (inclusive), as NumPy's legacy random_interval. */
    int interval(int max) {
        if (max == 0) return 0;
        int mask = max;
        mask |= mask >>> 1; mask |= mask >>> 2; mask |= mask >>> 4; mask |= mask >>> 8; mask |= mask >>> 16;
        int v;
        do { v = nextInt32() & mask; } while (Integer.compareUnsigned(v, max) > 0);
        return v;
    }

    /** np.random.permutation(n) after np.random.seed(seed). */
    static int[] permutation(long seed, int n) {
        NumpyLegacyRandom r = new NumpyLegacyRandom(seed);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.interval(i);
            int t = p[i]; p[i] = p[j]; p[j] = t;
        }
        return p;
    }
}
