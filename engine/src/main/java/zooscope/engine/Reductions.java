package zooscope.engine;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Sum, mean and unbiased variance over axes; quantiles of all elements. */
final class Reductions {
    enum Kind { SUM, MEAN, VAR }

    private Reductions() {}

    /** Reduces over {@code axes} (all axes when empty). Sums are accumulated in float64. */
    static Tensor reduce(Tensor a, int[] axes, boolean keepDim, Kind kind) {
        boolean[] mask = Shapes.axesMask(axes, a.rank());
        int[] keep = Shapes.reducedKeep(a.shape, mask);
        int outSize = Shapes.size(keep);
        int count = outSize == 0 ? 0 : a.size / outSize;
        int[] map = outputPositions(a.shape, mask, keep);
        double[] acc = new double[outSize];
        for (int i = 0; i < a.size; i++) acc[map[i]] += a.data[a.offset + i];
        double[] mean = new double[outSize];
        for (int o = 0; o < outSize; o++) mean[o] = acc[o] / count;
        double ddof = kind == Kind.VAR ? 1 : 0;
        if (kind == Kind.VAR) {
            Arrays.fill(acc, 0);
            for (int i = 0; i < a.size; i++) { double d = a.data[a.offset + i] - mean[map[i]]; acc[map[i]] += d * d; }
        }
        float[] out = new float[outSize];
        for (int o = 0; o < outSize; o++) {
            out[o] = (float) switch (kind) {
                case SUM -> acc[o];
                case MEAN -> mean[o];
                case VAR -> acc[o] / (count - ddof);
            };
        }
        int[] shape = keepDim ? keep : Shapes.dropReduced(a.shape, mask);
        return Tensor.result(out, shape, kind.name().toLowerCase(), g -> {
            if (!a.requiresGrad) return;
            float[] ga = a.gradBuffer();
            for (int i = 0; i < a.size; i++) {
                double gi = g[map[i]];
                ga[i] += (float) switch (kind) {
                    case SUM -> gi;
                    case MEAN -> gi / count;
                    case VAR -> gi * 2 * (a.data[a.offset + i] - mean[map[i]]) / (count - ddof);
                };
            }
        }, a);
    }

    /**
     * For each input position, its output position. The reduced axes are usually one contiguous block
     * ([outer, reduced, inner]: per-row means, channel-last summaries); that table is filled directly,
     * any other by the general stride walk.
     */
    private static int[] outputPositions(int[] shape, boolean[] mask, int[] keep) {
        int first = -1, last = -1;
        for (int d = 0; d < mask.length; d++) if (mask[d]) { if (first < 0) first = d; last = d; }
        boolean block = first >= 0;
        for (int d = first + 1; block && d < last; d++) block = mask[d];
        if (!block) {
            int[] keepStrides = Shapes.strides(keep);
            for (int d = 0; d < keep.length; d++) if (mask[d]) keepStrides[d] = 0;
            return Shapes.strideIndex(shape, keepStrides);
        }
        int outer = 1, reduced = 1, inner = 1;
        for (int d = 0; d < first; d++) outer *= shape[d];
        for (int d = first; d <= last; d++) reduced *= shape[d];
        for (int d = last + 1; d < shape.length; d++) inner *= shape[d];
        int[] map = new int[outer * reduced * inner];
        for (int o = 0, i = 0; o < outer; o++) {
            for (int r = 0; r < reduced; r++, i += inner) {
                for (int j = 0; j < inner; j++) map[i + j] = o * inner + j;
            }
        }
        return map;
    }

    /**
     * Quantiles of all elements at levels qs ∈ [0, 1]: position q·(n−1) in sorted order, linear
     * interpolation between its neighbours. The gradient goes to those two elements.
     */
    static Tensor quantile(Tensor a, double[] qs) {
        if (a.size == 0) throw new IllegalArgumentException("quantile of an empty tensor");
        Integer[] boxed = IntStream.range(0, a.size).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, Comparator.comparingDouble(i -> a.data[a.offset + i])); // stable: ties keep order
        int[] order = Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
        int n = a.size;
        int[] lo = new int[qs.length], hi = new int[qs.length];
        double[] frac = new double[qs.length];
        float[] out = new float[qs.length];
        for (int j = 0; j < qs.length; j++) {
            if (!(qs[j] >= 0 && qs[j] <= 1)) throw new IllegalArgumentException("quantile level " + qs[j] + " outside [0, 1]");
            double pos = qs[j] * (n - 1);
            int l = (int) Math.floor(pos);
            lo[j] = order[l];
            hi[j] = order[Math.min(l + 1, n - 1)];
            frac[j] = pos - l;
            double vl = a.data[a.offset + lo[j]], vh = a.data[a.offset + hi[j]];
            out[j] = (float) (vl + frac[j] * (vh - vl));
        }
        return Tensor.result(out, new int[] {qs.length}, "quantile", g -> {
            if (!a.requiresGrad) return;
            float[] ga = a.gradBuffer();
            for (int j = 0; j < qs.length; j++) {
                ga[lo[j]] += (float) (g[j] * (1 - frac[j]));
                ga[hi[j]] += (float) (g[j] * frac[j]);
            }
        }, a);
    }
}
