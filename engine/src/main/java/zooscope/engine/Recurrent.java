package zooscope.engine;

import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;

/**
 * The LSTM layer as an autodiff op (PyTorch semantics, gate order i, f, g, o, zero initial state):
 * forward and backpropagation through time are {@link LstmLayerPass}; this class only converts between
 * the batch-first tensors of the graph and the pass's time-major buffers.
 */
public final class Recurrent {
    private Recurrent() {}

    /** x [B, T, X], W_ih [4H, X], W_hh [4H, H], b_ih and b_hh [4H] → the hidden states h_1..h_T as [B, T, H]. */
    public static Tensor lstmLayer(Tensor x, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        if (wIh.rank() == 3) return groupedLstmLayer(x, wIh, wHh, bIh, bHh);
        if (x.rank() != 3) throw new IllegalArgumentException("LSTM input must be [batch, time, features], got " + Shapes.str(x.shape));
        int B = x.shape[0], T = x.shape[1], X = x.shape[2], H = wHh.dim(1), G = 4 * H;
        if (wIh.rank() != 2 || wIh.shape[0] != G || wIh.shape[1] != X || wHh.shape[0] != G
            || bIh.size != G || bHh.size != G) {
            throw new IllegalArgumentException("LSTM layer: input " + Shapes.str(x.shape) + " with weight_ih " + Shapes.str(wIh.shape)
                + ", weight_hh " + Shapes.str(wHh.shape) + ": expected weight_ih [4H, " + X + "], weight_hh [4H, H], biases [4H]");
        }
        Backend k = Tensor.backendOf("lstm_layer", x, wIh, wHh, bIh, bHh);
        LstmLayerPass pass = new LstmLayerPass(k, B, T, X, H);
        Buffer xt = k.allocate(T * B * X);
        toTimeMajor(k, x.data, x.offset, B, T, X, xt, 0);
        pass.forward(xt, 0, wIh.data, wIh.offset, wHh.data, wHh.offset, bIh.data, bIh.offset, bHh.data, bHh.offset);
        Buffer out = k.allocate(B * T * H);
        fromTimeMajor(k, pass.hs, pass.outputOffset(), B, T, H, out, 0);
        return Tensor.result(out, new int[] {B, T, H}, "lstm_layer", g -> {
            Buffer gt = k.allocate(T * B * H), gxt = x.requiresGrad ? k.allocate(T * B * X) : null;
            toTimeMajor(k, g, 0, B, T, H, gt, 0);
            pass.backward(xt, 0, gt, 0, wIh.data, wIh.offset, wHh.data, wHh.offset,
                wIh.requiresGrad ? wIh.gradBuffer() : null, 0, wHh.requiresGrad ? wHh.gradBuffer() : null, 0,
                bIh.requiresGrad ? bIh.gradBuffer() : null, 0, bHh.requiresGrad ? bHh.gradBuffer() : null, 0, gxt, 0);
            if (gxt != null) { // dx += gxt read back in batch-first order
                k.add(new int[] {B, T, X}, 1f, gxt, 0, new int[] {X, B * X, 1}, x.gradBuffer(), 0, new int[] {T * X, X, 1});
            }
        }, x, wIh, wHh, bIh, bHh);
    }

    /**
     * The model-axis form (a group of G LSTMs trained together): x [G, B, T, X], W_ih [G, 4H, X], W_hh [G, 4H, H],
     * biases [G, 4H] → [G, B, T, H]. Model g's layer is the solo pass on its slices (same bits); the models run
     * side by side on the cores, forward and backward.
     */
    static Tensor groupedLstmLayer(Tensor x, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        int M = wIh.shape[0];
        if (x.rank() != 4 || x.shape[0] != M || wHh.rank() != 3 || wHh.shape[0] != M || bIh.rank() != 2 || bIh.shape[0] != M
            || bHh.rank() != 2 || bHh.shape[0] != M) {
            throw new IllegalArgumentException("LSTM layer of a group: input " + Shapes.str(x.shape) + ", weight_ih " + Shapes.str(wIh.shape)
                + ", weight_hh " + Shapes.str(wHh.shape) + ": expected input [" + M + ", batch, time, features] and every weight with the model axis " + M + " in front");
        }
        int B = x.shape[1], T = x.shape[2], X = x.shape[3], H = wHh.shape[2], G = 4 * H;
        if (wIh.shape[1] != G || wIh.shape[2] != X || wHh.shape[1] != G || bIh.shape[1] != G || bHh.shape[1] != G) {
            throw new IllegalArgumentException("LSTM layer of a group: input " + Shapes.str(x.shape) + " with weight_ih " + Shapes.str(wIh.shape)
                + ", weight_hh " + Shapes.str(wHh.shape) + ": expected weight_ih [" + M + ", 4H, " + X + "], weight_hh [" + M + ", 4H, H], biases [" + M + ", 4H]");
        }
        Backend k = Tensor.backendOf("lstm_layer", x, wIh, wHh, bIh, bHh);
        int xs = B * T * X, hs = B * T * H;
        LstmLayerPass[] passes = new LstmLayerPass[M];
        Buffer xt = k.allocate(M * xs), out = k.allocate(M * hs);
        zooscope.kernels.Backends.forEachModel(k, M, m -> {
            LstmLayerPass pass = passes[m] = new LstmLayerPass(k, B, T, X, H);
            toTimeMajor(k, x.data, x.offset + m * xs, B, T, X, xt, m * xs);
            pass.forward(xt, m * xs, wIh.data, wIh.offset + m * G * X, wHh.data, wHh.offset + m * G * H,
                bIh.data, bIh.offset + m * G, bHh.data, bHh.offset + m * G);
            fromTimeMajor(k, pass.hs, pass.outputOffset(), B, T, H, out, m * hs);
        });
        return Tensor.result(out, new int[] {M, B, T, H}, "lstm_layer", g -> {
            // gradient buffers made here, before the models' threads write into them
            Buffer gWih = wIh.requiresGrad ? wIh.gradBuffer() : null, gWhh = wHh.requiresGrad ? wHh.gradBuffer() : null,
                gBih = bIh.requiresGrad ? bIh.gradBuffer() : null, gBhh = bHh.requiresGrad ? bHh.gradBuffer() : null,
                gX = x.requiresGrad ? x.gradBuffer() : null;
            zooscope.kernels.Backends.forEachModel(k, M, m -> {
                Buffer gt = k.allocate(hs), gxt = gX != null ? k.allocate(xs) : null;
                toTimeMajor(k, g, m * hs, B, T, H, gt, 0);
                passes[m].backward(xt, m * xs, gt, 0, wIh.data, wIh.offset + m * G * X, wHh.data, wHh.offset + m * G * H,
                    gWih, m * G * X, gWhh, m * G * H, gBih, m * G, gBhh, m * G, gxt, 0);
                if (gxt != null) k.add(new int[] {B, T, X}, 1f, gxt, 0, new int[] {X, B * X, 1}, gX, m * xs, new int[] {T * X, X, 1});
            });
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
        Backend k = Tensor.backendOf("lstm_cell", gates, c);
        Buffer acts = k.allocate(gates.size), cNew = k.allocate(rows * H), tc = k.allocate(rows * H), h = k.allocate(rows * H);
        Strided.copy(k, gates.size, gates.data, gates.offset, acts, 0); // the kernel activates the gates in place
        k.lstmCellForward(rows, H, acts, 0, c.data, c.offset, cNew, 0, tc, 0, h, 0);
        Buffer out = k.allocate(rows * 2 * H);
        int[] half = {rows, H}, dense = {H, 1}, inOut = {2 * H, 1};
        Strided.copy(k, half, h, 0, dense, out, 0, inOut);
        Strided.copy(k, half, cNew, 0, dense, out, H, inOut);
        int[] shape = c.shape();
        shape[shape.length - 1] = 2 * H;
        return Tensor.result(out, shape, "lstm_cell", g -> {
            Buffer gh = k.allocate(rows * H), gc = k.allocate(rows * H), dGates = k.allocate(rows * 4 * H), gcPrev = k.allocate(rows * H);
            Strided.copy(k, half, g, 0, inOut, gh, 0, dense);
            Strided.copy(k, half, g, H, inOut, gc, 0, dense);
            k.lstmCellBackward(rows, H, acts, 0, c.data, c.offset, tc, 0, gh, 0, gc, 0, dGates, 0, gcPrev, 0);
            if (gates.requiresGrad) k.axpy(rows * 4 * H, 1f, dGates, 0, gates.gradBuffer(), 0);
            if (c.requiresGrad) k.axpy(rows * H, 1f, gcPrev, 0, c.gradBuffer(), 0);
        }, gates, c);
    }

    /** [B, T, F] at src[off] → [T, B, F] at dst[dstOff]. */
    public static void toTimeMajor(Backend k, Buffer src, int off, int B, int T, int F, Buffer dst, int dstOff) {
        Strided.copy(k, new int[] {T, B, F}, src, off, new int[] {F, T * F, 1}, dst, dstOff, new int[] {B * F, F, 1});
    }

    /** [T, B, F] at src[off] → [B, T, F] at dst[dstOff]. */
    static void fromTimeMajor(Backend k, Buffer src, int off, int B, int T, int F, Buffer dst, int dstOff) {
        Strided.copy(k, new int[] {B, T, F}, src, off, new int[] {F, B * F, 1}, dst, dstOff, new int[] {T * F, F, 1});
    }
}
