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
     * ((a + t₀) + t₁) + … with every term broadcast to a's shape, added in place into one output buffer: the
     * same bits as the chain of {@link #binary} additions (each is a float addition in the same order, and so
     * is each term's gradient, summed back over its broadcast axes), without a buffer and a pass per term.
     */
    static Tensor addAll(Tensor a, Tensor... terms) {
        Tensor[] inputs = new Tensor[terms.length + 1];
        inputs[0] = a;
        System.arraycopy(terms, 0, inputs, 1, terms.length);
        Backend k = Tensor.backendOf("addAll", inputs);
        int[] shape = a.shape, dense = Shapes.strides(shape);
        int[][] st = new int[terms.length][];
        for (int i = 0; i < terms.length; i++) {
            if (!java.util.Arrays.equals(Shapes.broadcast(shape, terms[i].shape), shape)) {
                throw new IllegalArgumentException("addAll: term " + i + " " + java.util.Arrays.toString(terms[i].shape) + " does not broadcast to " + java.util.Arrays.toString(shape));
            }
            st[i] = Shapes.broadcastStrides(terms[i].shape, shape);
        }
        Buffer out = k.allocate(a.size);
        Strided.copy(k, shape, a.data, a.offset, dense, out, 0, dense);
        for (int i = 0; i < terms.length; i++) Strided.add(k, shape, 1f, terms[i].data, terms[i].offset, st[i], out, 0, dense);
        return Tensor.result(out, shape, "addAll", g -> {
            for (int i = terms.length - 1; i >= 0; i--) { // dt += g summed over t's broadcast axes, last term first as the chain's backward
                if (terms[i].requiresGrad) Strided.add(k, shape, 1f, g, 0, dense, terms[i].gradBuffer(), 0, st[i]);
            }
            // da += g, after every read of g: a may take g itself. (Where a is also a term, that term's share is g
            // exactly too, so the two additions into a's gradient give the same bits in either order.)
            if (a.requiresGrad) a.accumulateGrad(g);
        }, inputs);
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
