package zooscope.engine;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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

    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    public long nextLong() { return mix(state += GAMMA); }

    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED; // its lane count divides 64

    /**
     * Dropout's keep mask for the next n draws: bit i (of word i / 64) set where !(nextDouble() < p) for the
     * i-th of n calls, and this generator moved past them, as n calls would leave it. Draw i is the mix of its
     * own counter value (state + (i + 1)·γ), so vector lanes compute them side by side: the same bits as the
     * calls one by one, several times faster (the transformer draws ~10⁹ per update at the paper preset).
     */
    public long[] keepMask(long n, double p) {
        if (!(p > 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in (0, 1), got " + p);
        long[] keep = new long[(int) ((n + 63) / 64)];
        // nextDouble() = u·2⁻⁵³ with u the top 53 bits, exactly; u·2⁻⁵³ < p exactly when u < ⌈p·2⁵³⌉
        long below = (long) Math.ceil(p * 0x1.0p53);
        int lanes = L.length();
        long[] first = new long[lanes];
        for (int j = 0; j < lanes; j++) first[j] = state + (j + 1) * GAMMA;
        LongVector counter = LongVector.fromArray(L, first, 0), step = LongVector.broadcast(L, lanes * GAMMA);
        LongVector threshold = LongVector.broadcast(L, below);
        for (int w = 0; w < keep.length; w++) {
            long bits = 0;
            for (int j = 0; j < 64; j += lanes) {
                LongVector z = counter;
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
                bits |= z.lanewise(VectorOperators.LSHR, 11).compare(VectorOperators.GE, threshold).toLong() << j;
                counter = counter.add(step);
            }
            keep[w] = bits;
        }
        if (n % 64 != 0) keep[keep.length - 1] &= (1L << (n % 64)) - 1; // draws past n are not taken
        state += n * GAMMA;
        return keep;
    }

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
