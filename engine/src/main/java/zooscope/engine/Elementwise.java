package zooscope.engine;

import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;

/** Element-wise ops: unary functions, an affine map, binary operators with NumPy broadcasting. */
final class Elementwise {
    private Elementwise() {}

    static Tensor unary(Backend.Unary op, Tensor a) {
        Backend k = a.backend;
        Buffer out = k.allocate(a.size);
        k.unary(op, a.data, a.offset, out, 0, a.size);
        return Tensor.result(out, a.shape, op.name().toLowerCase(), g -> {
            if (a.requiresGrad) k.unaryBackward(op, a.data, a.offset, out, 0, g, 0, a.gradBuffer(), 0, a.size); // da += g·f'(a)
        }, a);
    }

    /** scale·a + shift. */
    static Tensor affine(Tensor a, float scale, float shift) {
        Backend k = a.backend;
        Buffer out = k.allocate(a.size);
        k.affine(a.size, scale, shift, a.data, a.offset, out, 0);
        return Tensor.result(out, a.shape, "affine", g -> {
            if (a.requiresGrad) k.axpy(a.size, scale, g, 0, a.gradBuffer(), 0); // da += scale·g
        }, a);
    }

    /**
     * a op b broadcast to a common shape. An operand is read through strides that are 0 along its
     * broadcast axes; its gradient is the output gradient summed back over those axes (the backend's
     * strided add with the same 0 strides).
     */
    static Tensor binary(Backend.Binary op, Tensor a, Tensor b) {
        Backend k = Tensor.backendOf(op.name().toLowerCase(), a, b);
        int[] shape = Shapes.broadcast(a.shape, b.shape), dense = Shapes.strides(shape);
        int[] sa = Shapes.broadcastStrides(a.shape, shape), sb = Shapes.broadcastStrides(b.shape, shape);
        int n = Shapes.size(shape);
        Buffer out = k.allocate(n);
        Strided.binary(k, op, shape, a.data, a.offset, sa, b.data, b.offset, sb, out, 0);
        return Tensor.result(out, shape, op.name().toLowerCase(), g -> {
            boolean ga = a.requiresGrad, gb = b.requiresGrad;
            switch (op) {
                case ADD, SUB -> { // da += g; db += ±g
                    if (ga) Strided.add(k, shape, 1f, g, 0, dense, a.gradBuffer(), 0, sa);
                    if (gb) Strided.add(k, shape, op == Backend.Binary.ADD ? 1f : -1f, g, 0, dense, b.gradBuffer(), 0, sb);
                }
                case MUL -> { // da += g·b; db += g·a
                    Buffer t = k.allocate(n);
                    if (ga) {
                        Strided.binary(k, Backend.Binary.MUL, shape, g, 0, dense, b.data, b.offset, sb, t, 0);
                        Strided.add(k, shape, 1f, t, 0, dense, a.gradBuffer(), 0, sa);
                    }
                    if (gb) {
                        Strided.binary(k, Backend.Binary.MUL, shape, g, 0, dense, a.data, a.offset, sa, t, 0);
                        Strided.add(k, shape, 1f, t, 0, dense, b.gradBuffer(), 0, sb);
                    }
                }
                case DIV -> { // da += g/b; db −= (g/b)·out
                    Buffer t = k.allocate(n);
                    Strided.binary(k, Backend.Binary.DIV, shape, g, 0, dense, b.data, b.offset, sb, t, 0);
                    if (ga) Strided.add(k, shape, 1f, t, 0, dense, a.gradBuffer(), 0, sa);
                    if (gb) {
                        Strided.binary(k, Backend.Binary.MUL, shape, t, 0, dense, out, 0, dense, t, 0);
                        Strided.add(k, shape, -1f, t, 0, dense, b.gradBuffer(), 0, sb);
                    }
                }
            }
        }, a, b);
    }
}
