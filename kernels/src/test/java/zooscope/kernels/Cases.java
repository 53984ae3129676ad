package zooscope.kernels;

import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Seeded cases for property tests (JUnit parameterized tests, no jqwik). Case i uses the seed
 * {@code BASE_SEED + i}; early cases draw small sizes, later ones larger. {@code -Dprop.seed=S} replays
 * one case, {@code -Dprop.tries=N} changes the count. Every assertion message carries {@link #replay}.
 */
public final class Cases {
    public static final long BASE_SEED = 20_240_311L;

    private Cases() {}

    /** The seeds to run: one if {@code prop.seed} is set, else {@code prop.tries} (default {@code tries}). */
    public static LongStream seeds(int tries) {
        String one = System.getProperty("prop.seed");
        if (one != null) return LongStream.of(Long.parseLong(one));
        return LongStream.range(0, Long.getLong("prop.tries", tries)).map(i -> BASE_SEED + i);
    }

    /** Text to append to a failure message: the seed and how to replay it. */
    public static String replay(long seed) {
        return "seed=" + seed + " (replay with -Dprop.seed=" + seed + ")";
    }

    /** A random generator for the case, plus a size bound that grows with the case index (small first). */
    public static Gen gen(long seed) { return new Gen(seed); }

    /** Random draws for one case. */
    public static final class Gen {
        public final long seed;
        public final SplittableRandom r;
        private final int scale;

        Gen(long seed) {
            this.seed = seed;
            this.r = new SplittableRandom(seed);
            this.scale = (int) Math.min(Math.max(seed - BASE_SEED, 0), 1000);
        }

        /** A dimension in [1, max], drawn from a range that widens with the case index. */
        public int dim(int max) {
            int hi = Math.max(1, Math.min(max, 2 + scale / 4));
            return 1 + r.nextInt(hi);
        }

        public float uniform(double lo, double hi) { return (float) (lo + (hi - lo) * r.nextDouble()); }

        public float[] floats(int n, double lo, double hi) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = uniform(lo, hi);
            return x;
        }

        public int[] shape(int rank, int maxDim) {
            int[] s = new int[rank];
            for (int i = 0; i < rank; i++) s[i] = dim(maxDim);
            return s;
        }

        public String why() { return replay(seed); }
    }

    /** Runs {@code body} with the named backend in use, then restores the previous one. */
    public static void onBackend(String name, org.junit.jupiter.api.function.Executable body) throws Throwable {
        Backend before = Backends.current();
        Backends.use(Backends.byName(name));
        try {
            body.execute();
        } finally {
            Backends.use(before);
        }
    }

    /** Relative-or-absolute closeness: |a − b| ≤ atol + rtol·|b|. */
    public static boolean close(double a, double b, double rtol, double atol) {
        if (Double.isNaN(a) || Double.isNaN(b)) return Double.isNaN(a) && Double.isNaN(b);
        return Math.abs(a - b) <= atol + rtol * Math.abs(b);
    }

    /** Throws an AssertionError naming the first index where {@code got} and {@code want} differ. */
    public static void assertClose(float[] got, float[] want, double rtol, double atol, String why) {
        if (got.length != want.length) throw new AssertionError("length " + got.length + " != " + want.length + "; " + why);
        for (int i = 0; i < got.length; i++) {
            if (!close(got[i], want[i], rtol, atol)) {
                throw new AssertionError("index " + i + ": got " + got[i] + ", want " + want[i]
                    + " (rtol " + rtol + ", atol " + atol + "); " + why);
            }
        }
    }

    public static void assertClose(double[] got, double[] want, double rtol, double atol, String why) {
        if (got.length != want.length) throw new AssertionError("length " + got.length + " != " + want.length + "; " + why);
        for (int i = 0; i < got.length; i++) {
            if (!close(got[i], want[i], rtol, atol)) {
                throw new AssertionError("index " + i + ": got " + got[i] + ", want " + want[i]
                    + " (rtol " + rtol + ", atol " + atol + "); " + why);
            }
        }
    }

    /** A new buffer of backend k holding a copy of the values. */
    public static Buffer onto(Backend k, float[] values) {
        Buffer b = k.allocate(values.length);
        k.copyIn(values, 0, b, 0, values.length);
        return b;
    }

    /** A host copy of a whole buffer of backend k. */
    public static float[] host(Backend k, Buffer b) {
        float[] v = new float[b.length()];
        k.copyOut(b, 0, v, 0, v.length);
        return v;
    }
}
