package zooscope.engine;

import java.util.Arrays;
import zooscope.kernels.Backend;

/** Element-wise ops: unary functions through the kernels, binary operators with NumPy broadcasting. */
final class Elementwise {
    private Elementwise() {}

    static Tensor unary(Backend.Unary op, Tensor a) {
        float[] out = new float[a.size];
        Backend k = Tensor.kernels();
        k.unary(op, a.data, a.offset, out, 0, a.size);
        return Tensor.result(out, a.shape, op.name().toLowerCase(), g -> {
            if (a.requiresGrad) k.unaryBackward(op, a.data, a.offset, out, 0, g, 0, a.gradBuffer(), 0, a.size);
        }, a);
    }

    /** scale·a + shift. */
    static Tensor affine(Tensor a, float scale, float shift) {
        Backend k = Tensor.kernels(); // the backward runs on the forward's backend
        float[] out = new float[a.size];
        for (int i = 0; i < a.size; i++) out[i] = scale * a.data[a.offset + i] + shift;
        return Tensor.result(out, a.shape, "affine", g -> {
            if (a.requiresGrad) k.axpy(a.size, scale, g, 0, a.gradBuffer(), 0);
        }, a);
    }

    static Tensor binary(Backend.Binary op, Tensor a, Tensor b) {
        Backend k = Tensor.kernels();
        if (Arrays.equals(a.shape, b.shape)) return sameShape(op, a, b, k);
        int[] shape = Shapes.broadcast(a.shape, b.shape);
        if (a.rank() > 0 && b.rank() > 0 && a.dim(-1) == b.dim(-1)) return rowBroadcast(op, a, b, shape, k);
        int n = Shapes.size(shape);
        int[] ia = Shapes.broadcastIndex(a.shape, shape), ib = Shapes.broadcastIndex(b.shape, shape);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = op.apply(a.data[a.offset + ia[i]], b.data[b.offset + ib[i]]);
        return Tensor.result(out, shape, op.name().toLowerCase(), g -> {
            float[] ga = a.requiresGrad ? a.gradBuffer() : null, gb = b.requiresGrad ? b.gradBuffer() : null;
            for (int i = 0; i < n; i++) {
                float x = a.data[a.offset + ia[i]], y = b.data[b.offset + ib[i]];
                if (ga != null) ga[ia[i]] += g[i] * da(op, y);
                if (gb != null) gb[ib[i]] += g[i] * db(op, x, y);
            }
        }, a, b);
    }

    /** Same shapes: the whole tensor is one row. */
    private static Tensor sameShape(Backend.Binary op, Tensor a, Tensor b, Backend k) {
        return rowwise(op, a, b, a.shape, a.size, new int[] {0}, new int[] {0}, k);
    }

    /**
     * Broadcasting where both operands have the output's last axis (bias rows, channel-last tensors): row by
     * row through the same-shape kernels, with one index per row instead of per element.
     */
    private static Tensor rowBroadcast(Backend.Binary op, Tensor a, Tensor b, int[] shape, Backend k) {
        int[] lead = Arrays.copyOf(shape, shape.length - 1);
        int[] ra = Shapes.broadcastIndex(Arrays.copyOf(a.shape, a.rank() - 1), lead);
        int[] rb = Shapes.broadcastIndex(Arrays.copyOf(b.shape, b.rank() - 1), lead);
        return rowwise(op, a, b, shape, shape[shape.length - 1], ra, rb, k);
    }

    /** Output row r (of length {@code inner}) is a's row ra[r] op b's row rb[r]; the kernels work on whole rows. */
    private static Tensor rowwise(Backend.Binary op, Tensor a, Tensor b, int[] shape, int inner, int[] ra, int[] rb, Backend k) {
        int rows = ra.length;
        float[] out = new float[rows * inner];
        for (int r = 0; r < rows; r++) k.binary(op, a.data, a.offset + ra[r] * inner, b.data, b.offset + rb[r] * inner, out, r * inner, inner);
        return Tensor.result(out, shape, op.name().toLowerCase(), g -> {
            float[] ga = a.requiresGrad ? a.gradBuffer() : null, gb = b.requiresGrad ? b.gradBuffer() : null;
            float[] t = op == Backend.Binary.MUL || op == Backend.Binary.DIV ? new float[inner] : null;
            for (int r = 0; r < rows; r++) {
                int go = r * inner, ao = a.offset + ra[r] * inner, bo = b.offset + rb[r] * inner;
                switch (op) {
                    case ADD, SUB -> {
                        if (ga != null) k.axpy(inner, 1f, g, go, ga, ra[r] * inner);
                        if (gb != null) k.axpy(inner, op == Backend.Binary.ADD ? 1f : -1f, g, go, gb, rb[r] * inner);
                    }
                    case MUL -> {
                        if (ga != null) { k.binary(Backend.Binary.MUL, g, go, b.data, bo, t, 0, inner); k.axpy(inner, 1f, t, 0, ga, ra[r] * inner); }
                        if (gb != null) { k.binary(Backend.Binary.MUL, g, go, a.data, ao, t, 0, inner); k.axpy(inner, 1f, t, 0, gb, rb[r] * inner); }
                    }
                    case DIV -> {
                        k.binary(Backend.Binary.DIV, g, go, b.data, bo, t, 0, inner);          // g / b
                        if (ga != null) k.axpy(inner, 1f, t, 0, ga, ra[r] * inner);
                        if (gb != null) {                                                       // −(g / b)·out
                            k.binary(Backend.Binary.MUL, t, 0, out, go, t, 0, inner);
                            k.axpy(inner, -1f, t, 0, gb, rb[r] * inner);
                        }
                    }
                }
            }
        }, a, b);
    }

    /** ∂(x op y)/∂x. */
    private static float da(Backend.Binary op, float y) {
        return switch (op) {
            case ADD, SUB -> 1f;
            case MUL -> y;
            case DIV -> 1f / y;
        };
    }

    /** ∂(x op y)/∂y. */
    private static float db(Backend.Binary op, float x, float y) {
        return switch (op) {
            case ADD -> 1f;
            case SUB -> -1f;
            case MUL -> x;
            case DIV -> -x / (y * y);
        };
    }
}
