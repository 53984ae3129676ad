package zooscope.engine.nn;

import java.util.Arrays;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/**
 * Where a module's initial parameters come from, and whether they carry a model axis. A solo module draws
 * from one random stream and has the usual shapes. A group of G modules of one architecture (G runs trained
 * together) draws from one stream per model, in the same order as G solo modules would, and stacks every
 * parameter along a leading model axis: shape [G, ...]. The ops read that axis from the weights (a linear
 * map with weight [G, out, in] maps x [G, ..., in] to [G, ..., out]), so a module's forward is one code for
 * both: it indexes axes from the end.
 */
public final class Init {
    private final Rng[] rngs;
    private final boolean grouped;

    private Init(Rng[] rngs, boolean grouped) {
        this.rngs = rngs;
        this.grouped = grouped;
    }

    /** One module, no model axis. */
    public static Init solo(Rng rng) { return new Init(new Rng[] {rng}, false); }

    /** G modules stacked along a leading model axis; model g draws from rngs[g]. */
    public static Init group(Rng... rngs) {
        if (rngs.length == 0) throw new IllegalArgumentException("a group needs at least one model");
        return new Init(rngs.clone(), true);
    }

    /** Whether parameters carry a leading model axis. */
    public boolean grouped() { return grouped; }

    /** Models in the group (1 for a solo module). */
    public int models() { return rngs.length; }

    /** Entries uniform in [lo, hi) of the given per-model shape; stacked [G, ...shape] for a group. */
    public Tensor uniform(double lo, double hi, int... shape) {
        if (!grouped) return Tensor.uniform(rngs[0], lo, hi, shape);
        int n = size(shape);
        float[] d = new float[rngs.length * n];
        for (int g = 0; g < rngs.length; g++) {
            for (int i = 0; i < n; i++) d[g * n + i] = rngs[g].uniform(lo, hi);
        }
        return Tensor.of(d, stacked(shape));
    }

    /** Entries normal with mean 0 and the given standard deviation; stacked [G, ...shape] for a group. */
    public Tensor normal(double std, int... shape) {
        if (!grouped) return Tensor.normal(rngs[0], std, shape);
        int n = size(shape);
        float[] d = new float[rngs.length * n];
        for (int g = 0; g < rngs.length; g++) {
            for (int i = 0; i < n; i++) d[g * n + i] = (float) (std * rngs[g].normal());
        }
        return Tensor.of(d, stacked(shape));
    }

    /** One new generator per model, seeded from its stream's next long (as a solo module's {@code new Rng(rng.nextLong())}). */
    public Rng[] newStreams() {
        Rng[] out = new Rng[rngs.length];
        for (int g = 0; g < rngs.length; g++) out[g] = new Rng(rngs[g].nextLong());
        return out;
    }

    /** Zeros of the given per-model shape; stacked [G, ...shape] for a group. */
    public Tensor zeros(int... shape) { return Tensor.zeros(stacked(shape)); }

    /** The shape of a parameter of per-model shape {@code shape}: with the model axis in front for a group. */
    public int[] stacked(int... shape) {
        if (!grouped) return shape.clone();
        int[] s = new int[shape.length + 1];
        s[0] = rngs.length;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    private static int size(int[] shape) { return Arrays.stream(shape).reduce(1, Math::multiplyExact); }
}
