package zooscope.engine;

/**
 * The LSTM layer as an autodiff op (PyTorch semantics, gate order i, f, g, o, zero initial state):
 * forward and backpropagation through time are {@link LstmLayerPass}; this class only converts between
 * the batch-first tensors of the graph and the pass's time-major buffers.
 */
public final class Recurrent {
    private Recurrent() {}

    /** x [B, T, X], W_ih [4H, X], W_hh [4H, H], b_ih and b_hh [4H] → the hidden states h_1..h_T as [B, T, H]. */
    public static Tensor lstmLayer(Tensor x, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        if (x.rank() != 3) throw new IllegalArgumentException("LSTM input must be [batch, time, features], got " + Shapes.str(x.shape));
        int B = x.shape[0], T = x.shape[1], X = x.shape[2], H = wHh.dim(1), G = 4 * H;
        if (wIh.rank() != 2 || wIh.shape[0] != G || wIh.shape[1] != X || wHh.shape[0] != G
            || bIh.size != G || bHh.size != G) {
            throw new IllegalArgumentException("LSTM layer: input " + Shapes.str(x.shape) + " with weight_ih " + Shapes.str(wIh.shape)
                + ", weight_hh " + Shapes.str(wHh.shape) + ": expected weight_ih [4H, " + X + "], weight_hh [4H, H], biases [4H]");
        }
        var k = Tensor.kernels();
        LstmLayerPass pass = new LstmLayerPass(B, T, X, H, true);
        float[] xt = toTimeMajor(x.data, x.offset, B, T, X);
        pass.forward(k, xt, 0, wIh.data, wIh.offset, wHh.data, wHh.offset, bIh.data, bIh.offset, bHh.data, bHh.offset);
        float[] out = fromTimeMajor(pass.hs, pass.outputOffset(), B, T, H);
        return Tensor.result(out, new int[] {B, T, H}, "lstm_layer", g -> {
            float[] gxt = x.requiresGrad ? new float[T * B * X] : null;
            pass.backward(k, xt, 0, toTimeMajor(g, 0, B, T, H), 0, wIh.data, wIh.offset, wHh.data, wHh.offset,
                wIh.requiresGrad ? wIh.gradBuffer() : null, 0, wHh.requiresGrad ? wHh.gradBuffer() : null, 0,
                bIh.requiresGrad ? bIh.gradBuffer() : null, 0, bHh.requiresGrad ? bHh.gradBuffer() : null, 0, gxt, 0);
            if (gxt != null) {
                float[] gx = fromTimeMajor(gxt, 0, B, T, X);
                k.axpy(gx.length, 1f, gx, 0, x.gradBuffer(), 0);
            }
        }, x, wIh, wHh, bIh, bHh);
    }

    /**
     * The fused LSTM cell as an op (PyTorch gate order i, f, g, o): pre-activation gates [..., 4H] and the
     * cell state c [..., H] → [..., 2H] holding the new h (first H) and the new c (last H) of each row.
     * For step-by-step models (LSTMCell, probed RNNs); forward and backward are the backend's cell kernels.
     */
    public static Tensor cell(Tensor gates, Tensor c) {
        int H = c.dim(-1), rows = c.size / H;
        if (gates.dim(-1) != 4 * H || gates.size != 4 * c.size) {
            throw new IllegalArgumentException("LSTM cell: gates " + Shapes.str(gates.shape) + " for state " + Shapes.str(c.shape) + ": expected [..., 4H] with the same leading shape");
        }
        var k = Tensor.kernels();
        float[] acts = java.util.Arrays.copyOfRange(gates.data, gates.offset, gates.offset + gates.size);
        float[] cNew = new float[rows * H], tc = new float[rows * H], h = new float[rows * H];
        k.lstmCellForward(rows, H, acts, 0, c.data, c.offset, cNew, 0, tc, 0, h, 0);
        float[] out = new float[rows * 2 * H];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(h, r * H, out, r * 2 * H, H);
            System.arraycopy(cNew, r * H, out, r * 2 * H + H, H);
        }
        int[] shape = c.shape();
        shape[shape.length - 1] = 2 * H;
        return Tensor.result(out, shape, "lstm_cell", g -> {
            float[] gh = new float[rows * H], gc = new float[rows * H], dGates = new float[rows * 4 * H], gcPrev = new float[rows * H];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(g, r * 2 * H, gh, r * H, H);
                System.arraycopy(g, r * 2 * H + H, gc, r * H, H);
            }
            k.lstmCellBackward(rows, H, acts, 0, c.data, c.offset, tc, 0, gh, 0, gc, 0, dGates, 0, gcPrev, 0);
            if (gates.requiresGrad) k.axpy(dGates.length, 1f, dGates, 0, gates.gradBuffer(), 0);
            if (c.requiresGrad) k.axpy(gcPrev.length, 1f, gcPrev, 0, c.gradBuffer(), 0);
        }, gates, c);
    }

    /** [B, T, F] (at off) → [T, B, F]. */
    public static float[] toTimeMajor(float[] src, int off, int B, int T, int F) {
        float[] dst = new float[B * T * F];
        toTimeMajor(src, off, B, T, F, dst);
        return dst;
    }

    /** [B, T, F] (at off) → [T, B, F] into dst. */
    public static void toTimeMajor(float[] src, int off, int B, int T, int F, float[] dst) {
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) System.arraycopy(src, off + (b * T + t) * F, dst, (t * B + b) * F, F);
        }
    }

    /** [T, B, F] (at off) → [B, T, F]. */
    static float[] fromTimeMajor(float[] src, int off, int B, int T, int F) {
        float[] dst = new float[B * T * F];
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < B; b++) System.arraycopy(src, off + (t * B + b) * F, dst, (b * T + t) * F, F);
        }
        return dst;
    }
}
