package zooscope.engine;

import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;

/** Sum, mean and unbiased variance over axes; quantiles of all elements. */
final class Reductions {
    private Reductions() {}

    /**
     * Reduces over {@code axes} (all axes when empty), in float64 on the backend. The backend reduces the
     * middle axis of an [outer, reduced, inner] block; reduced axes that are not adjacent are first
     * permuted to the end (a copy whose backward the graph already knows).
     */
    static Tensor reduce(Tensor a, int[] axes, boolean keepDim, Backend.Reduction kind) {
        boolean[] mask = Shapes.axesMask(axes, a.rank());
        int[] shape = keepDim ? Shapes.reducedKeep(a.shape, mask) : Shapes.dropReduced(a.shape, mask);
        int first = -1, last = -1;
        for (int d = 0; d < mask.length; d++) if (mask[d]) { if (first < 0) first = d; last = d; }
        if (first < 0) return a.reshape(shape); // nothing to reduce (a scalar)
        for (int d = first; d <= last; d++) {
            if (!mask[d]) { // not one block: kept axes first, reduced axes last
                int[] perm = new int[a.rank()];
                int p = 0;
                for (int e = 0; e < mask.length; e++) if (!mask[e]) perm[p++] = e;
                for (int e = 0; e < mask.length; e++) if (mask[e]) perm[p++] = e;
                return block(a.permute(perm), a.rank() - countReduced(mask), a.rank() - 1, shape, kind);
            }
        }
        return block(a, first, last, shape, kind);
    }

    private static int countReduced(boolean[] mask) { int n = 0; for (boolean m : mask) if (m) n++; return n; }

    /** Reduces axes first..last (adjacent) of a; the result gets {@code shape}. */
    private static Tensor block(Tensor a, int first, int last, int[] shape, Backend.Reduction kind) {
        Backend k = a.backend;
        int outer = 1, reduced = 1, inner = 1;
        for (int d = 0; d < first; d++) outer *= a.shape[d];
        for (int d = first; d <= last; d++) reduced *= a.shape[d];
        for (int d = last + 1; d < a.rank(); d++) inner *= a.shape[d];
        int or = outer, rr = reduced, ir = inner;
        Buffer out = k.allocate(outer * inner);
        k.reduce(kind, outer, reduced, inner, a.data, a.offset, out, 0);
        return Tensor.result(out, shape, kind.name().toLowerCase(), g -> {
            if (a.requiresGrad) k.reduceBackward(kind, or, rr, ir, a.data, a.offset, g, 0, a.gradBuffer(), 0);
        }, a);
    }

    /**
     * Quantiles along the last axis at levels qs ∈ [0, 1] ([..., n] → [..., qs.length]): position q·(n−1)
     * in sorted order, linear interpolation lo + frac·(hi − lo) between its neighbours (as torch.quantile),
     * built from gathers and element-wise ops. Where a gradient is wanted, the gathers read a through each
     * row's sort order, so that the gradient goes to the two elements; otherwise they read the sorted rows.
     */
    static Tensor quantile(Tensor a, double[] qs) {
        if (a.rank() == 0 || a.dim(-1) == 0) throw new IllegalArgumentException("quantile of an empty axis (shape " + Shapes.str(a.shape) + ")");
        int n = a.dim(-1), rows = a.size / n, q = qs.length;
        int[] lo = new int[q], hi = new int[q];
        float[] frac = new float[q];
        for (int j = 0; j < q; j++) {
            if (!(qs[j] >= 0 && qs[j] <= 1)) throw new IllegalArgumentException("quantile level " + qs[j] + " outside [0, 1]");
            double pos = qs[j] * (n - 1);
            lo[j] = (int) Math.floor(pos);
            hi[j] = Math.min(lo[j] + 1, n - 1);
            frac[j] = (float) (pos - lo[j]);
        }
        int[] shape = a.shape();
        shape[shape.length - 1] = q;
        Tensor vl, vh;
        if (a.requiresGrad && Grad.enabled()) {
            int[] rowLo = new int[rows * q], rowHi = new int[rows * q];
            for (int r = 0; r < rows; r++) {
                int[] order = a.backend.sortOrder(a.data, a.offset + r * n, n);
                for (int j = 0; j < q; j++) {
                    rowLo[r * q + j] = r * n + order[lo[j]];
                    rowHi[r * q + j] = r * n + order[hi[j]];
                }
            }
            Tensor flat = a.reshape(a.size);
            vl = flat.gather(0, rowLo).reshape(shape);
            vh = flat.gather(0, rowHi).reshape(shape);
        } else {
            Tensor sorted = Tensor.empty(a.backend, a.shape);
            a.backend.sortRows(rows, n, a.data, a.offset, sorted.data, 0);
            vl = sorted.gather(-1, lo);
            vh = sorted.gather(-1, hi);
        }
        return vl.add(vh.sub(vl).mul(Tensor.of(a.backend, frac, q)));
    }
}
