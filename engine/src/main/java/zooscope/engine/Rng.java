package zooscope.engine;

/**
 * A small, fully specified random generator (SplitMix64), so runs are reproducible bit for bit on every
 * JDK. Independent streams come from {@link #stream}: the same (seed, keys) always gives the same stream,
 * and different keys give unrelated streams (e.g. keys = run index, purpose).
 */
public final class Rng {
    private long state;
    private double spareNormal = Double.NaN;

    public Rng(long seed) { this.state = seed; }

    /** Restarts this generator as {@code new Rng(seed)} would start (for modules that own a dropout stream). */
    public void reseed(long seed) { state = seed; spareNormal = Double.NaN; }

    /** A generator in this one's present state (this one is left as it is). */
    public Rng copy() {
        Rng c = new Rng(state);
        c.spareNormal = spareNormal;
        return c;
    }

    /** Puts this generator into {@code other}'s present state (for replaying draws, e.g. dropout in a recompute). */
    public void setTo(Rng other) { state = other.state; spareNormal = other.spareNormal; }

    /** A stream derived from a seed and any number of keys (run index, purpose code, ...). */
    public static Rng stream(long seed, long... keys) {
        long s = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (long k : keys) s = mix(s ^ mix(k + 0x632BE59BD9B4E019L));
        return new Rng(s);
    }

    /** The SplitMix64 finaliser: a bijective 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() { return mix(state += 0x9E3779B97F4A7C15L); }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }

    /** Uniform in [0, 1) with 24 random bits (exactly representable as float). */
    public float nextFloat() { return (nextLong() >>> 40) * 0x1.0p-24f; }

    /** Uniform integer in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        long limit = (1L << 32) - ((1L << 32) % bound);
        long r;
        do { r = nextLong() >>> 32; } while (r >= limit);
        return (int) (r % bound);
    }

    /** Uniform in [lo, hi). */
    public float uniform(double lo, double hi) { return (float) (lo + (hi - lo) * nextDouble()); }

    /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
    public double normal() {
        if (!Double.isNaN(spareNormal)) { double s = spareNormal; spareNormal = Double.NaN; return s; }
        double u1, u2;
        do { u1 = nextDouble(); } while (u1 == 0);
        u2 = nextDouble();
        double r = Math.sqrt(-2 * Math.log(u1));
        spareNormal = r * Math.sin(2 * Math.PI * u2);
        return r * Math.cos(2 * Math.PI * u2);
    }

    /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i]; p[i] = p[j]; p[j] = t;
        }
        return p;
    }
}
