package zooscope.engine;

import java.util.Arrays;
import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;

/** Reshape, permute, slice, gather and concat. Backward passes move gradients back to where values came from. */
final class ShapeOps {
    private ShapeOps() {}

    static Tensor reshape(Tensor a, int[] newShape) {
        int[] shape = newShape.clone();
        int infer = -1, known = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: only one dimension may be -1 in " + Arrays.toString(newShape));
                infer = d;
            } else known *= shape[d];
        }
        if (infer >= 0 && known > 0 && a.size % known == 0) shape[infer] = a.size / known;
        if (Arrays.stream(shape).anyMatch(d -> d < 0) || Shapes.size(shape) != a.size) {
            throw new IllegalArgumentException("reshape: cannot view shape " + Shapes.str(a.shape) + " as " + Arrays.toString(newShape));
        }
        Tensor view = new Tensor(a.data, a.offset, shape);
        return Tensor.attach(view, "reshape", g -> {
            if (a.requiresGrad) a.accumulateGrad(g);
        }, a);
    }

    static Tensor permute(Tensor a, int[] perm) {
        int rank = a.rank();
        if (perm.length != rank) throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " for rank " + rank);
        boolean[] used = new boolean[rank];
        int[] shape = new int[rank], st = new int[rank], inStrides = Shapes.strides(a.shape);
        for (int d = 0; d < rank; d++) {
            int p = Shapes.axis(perm[d], rank);
            if (used[p]) throw new IllegalArgumentException("permute: axis repeated in " + Arrays.toString(perm));
            used[p] = true;
            shape[d] = a.shape[p];
            st[d] = inStrides[p];
        }
        Backend k = a.backend;
        Buffer out = k.allocate(a.size);
        int[] dense = Shapes.strides(shape);
        Strided.copy(k, shape, a.data, a.offset, st, out, 0, dense); // out[i] = a[i permuted]
        return Tensor.result(out, shape, "permute", g -> {
            if (a.requiresGrad) Strided.add(k, shape, 1f, g, 0, dense, a.gradBuffer(), 0, st); // da[i permuted] += g[i]
        }, a);
    }

    static Tensor transpose(Tensor a, int x, int y) {
        int[] perm = new int[a.rank()];
        for (int d = 0; d < perm.length; d++) perm[d] = d;
        int ax = Shapes.axis(x, a.rank()), ay = Shapes.axis(y, a.rank());
        perm[ax] = ay;
        perm[ay] = ax;
        return permute(a, perm);
    }

    /** Sizes of the blocks around an axis: outer × axis × inner. */
    private static int outer(int[] shape, int axis) { int n = 1; for (int d = 0; d < axis; d++) n *= shape[d]; return n; }
    private static int inner(int[] shape, int axis) { int n = 1; for (int d = axis + 1; d < shape.length; d++) n *= shape[d]; return n; }

    static Tensor slice(Tensor a, int axis, int start, int end) {
        Backend k = a.backend;
        int ax = Shapes.axis(axis, a.rank());
        int len = a.shape[ax];
        if (start < 0 || end > len || start > end) {
            throw new IllegalArgumentException("slice [" + start + ", " + end + ") outside axis " + ax + " of length " + len);
        }
        int[] shape = a.shape();
        shape[ax] = end - start;
        int outer = outer(a.shape, ax), inner = inner(a.shape, ax), w = (end - start) * inner;
        if (ax == 0) { // contiguous block: a view
            int from = start * inner;
            return Tensor.attach(new Tensor(a.data, a.offset + from, shape), "slice", g -> {
                if (a.requiresGrad) k.axpy(w, 1f, g, 0, a.gradBuffer(), from);
            }, a);
        }
        int[] block = {outer, w}, dense = {w, 1}, inA = {len * inner, 1};
        int from = a.offset + start * inner;
        Buffer out = k.allocate(outer * w);
        Strided.copy(k, block, a.data, from, inA, out, 0, dense);
        return Tensor.result(out, shape, "slice", g -> {
            if (a.requiresGrad) Strided.add(k, block, 1f, g, 0, dense, a.gradBuffer(), start * inner, inA);
        }, a);
    }

    static Tensor gather(Tensor a, int axis, int[] indices) {
        Backend k = a.backend;
        int ax = Shapes.axis(axis, a.rank());
        int len = a.shape[ax], outer = outer(a.shape, ax), inner = inner(a.shape, ax), m = indices.length;
        for (int i = 0; i < m; i++) {
            if (indices[i] < 0 || indices[i] >= len) throw new IndexOutOfBoundsException("gather: index " + indices[i] + " outside axis " + ax + " of length " + len);
        }
        int[] shape = a.shape();
        shape[ax] = m;
        Buffer out = k.allocate(outer * m * inner);
        k.gather(outer, len, inner, indices, a.data, a.offset, out, 0);
        return Tensor.result(out, shape, "gather", g -> {
            if (a.requiresGrad) k.scatterAdd(outer, len, inner, indices, g, 0, a.gradBuffer(), 0);
        }, a);
    }

    static Tensor concat(int axis, Tensor[] parts) {
        if (parts.length == 0) throw new IllegalArgumentException("concat of nothing");
        Backend k = Tensor.backendOf("concat", parts);
        int rank = parts[0].rank(), ax = Shapes.axis(axis, rank);
        int total = 0;
        for (Tensor p : parts) {
            for (int d = 0; d < rank; d++) {
                if (p.rank() != rank || (d != ax && p.shape[d] != parts[0].shape[d])) {
                    throw new IllegalArgumentException("concat along axis " + ax + ": shape " + Shapes.str(p.shape) + " does not fit " + Shapes.str(parts[0].shape));
                }
            }
            total += p.shape[ax];
        }
        int[] shape = parts[0].shape();
        shape[ax] = total;
        int outer = outer(shape, ax), inner = inner(shape, ax), row = total * inner;
        Buffer out = k.allocate(outer * row);
        int[] starts = new int[parts.length];
        for (int j = 0, at = 0; j < parts.length; j++) {
            starts[j] = at;
            int w = parts[j].shape[ax] * inner;
            Strided.copy(k, new int[] {outer, w}, parts[j].data, parts[j].offset, new int[] {w, 1}, out, at, new int[] {row, 1});
            at += w;
        }
        return Tensor.result(out, shape, "concat", g -> {
            for (int j = 0; j < parts.length; j++) {
                if (!parts[j].requiresGrad) continue;
                int w = parts[j].shape[ax] * inner;
                Strided.add(k, new int[] {outer, w}, 1f, g, starts[j], new int[] {row, 1}, parts[j].gradBuffer(), 0, new int[] {w, 1});
            }
        }, parts);
    }
}
