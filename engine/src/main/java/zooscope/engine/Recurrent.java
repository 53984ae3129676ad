package zooscope.engine;

import zooscope.kernels.Backend;

/**
 * The fused LSTM layer op (PyTorch semantics, gate order i, f, g, o, zero initial state). The input
 * projections of all time steps are one GEMM; each step then adds W_hh·h_{t−1} and runs the fused
 * cell kernel. Backward is backpropagation through time with the same kernels: per step the cell
 * backward and one GEMM for ∂L/∂h_{t−1}; the weight gradients are one GEMM each over all steps.
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
        Backend K = Tensor.kernels();
        int TB = T * B;
        float[] xt = toTimeMajor(x.data, x.offset, B, T, X);
        float[] acts = new float[TB * G];           // pre-activations, then activations, per step [B, 4H]
        for (int r = 0; r < TB; r++) {
            for (int j = 0; j < G; j++) acts[r * G + j] = bIh.data[bIh.offset + j] + bHh.data[bHh.offset + j];
        }
        K.gemm(false, true, TB, G, X, 1f, xt, 0, X, wIh.data, wIh.offset, X, 1f, acts, 0, G);
        float[] hs = new float[(T + 1) * B * H], cs = new float[(T + 1) * B * H]; // step 0 = zero state
        for (int t = 0; t < T; t++) {
            K.gemm(false, true, B, G, H, 1f, hs, t * B * H, H, wHh.data, wHh.offset, H, 1f, acts, t * B * G, G);
            K.lstmCellForward(B, H, acts, t * B * G, cs, t * B * H, cs, (t + 1) * B * H, hs, (t + 1) * B * H);
        }
        float[] out = fromTimeMajor(hs, B * H, B, T, H);
        return Tensor.result(out, new int[] {B, T, H}, "lstm_layer", g -> {
            float[] gH = toTimeMajor(g, 0, B, T, H);
            float[] dG = new float[TB * G];
            float[] gh = new float[B * H], ghNext = new float[B * H], gc = new float[B * H], gcPrev = new float[B * H];
            for (int t = T - 1; t >= 0; t--) {
                System.arraycopy(gH, t * B * H, gh, 0, B * H);
                K.axpy(B * H, 1f, ghNext, 0, gh, 0);
                K.lstmCellBackward(B, H, acts, t * B * G, cs, t * B * H, cs, (t + 1) * B * H, gh, 0, gc, 0, dG, t * B * G, gcPrev, 0);
                float[] swap = gc; gc = gcPrev; gcPrev = swap;
                if (t > 0) K.gemm(false, false, B, H, G, 1f, dG, t * B * G, G, wHh.data, wHh.offset, H, 0f, ghNext, 0, H);
            }
            if (wHh.requiresGrad) K.gemm(true, false, G, H, TB, 1f, dG, 0, G, hs, 0, H, 1f, wHh.gradBuffer(), 0, H);
            if (wIh.requiresGrad) K.gemm(true, false, G, X, TB, 1f, dG, 0, G, xt, 0, X, 1f, wIh.gradBuffer(), 0, X);
            if (bIh.requiresGrad || bHh.requiresGrad) {
                float[] gb = new float[G];
                for (int r = 0; r < TB; r++) K.axpy(G, 1f, dG, r * G, gb, 0);
                if (bIh.requiresGrad) K.axpy(G, 1f, gb, 0, bIh.gradBuffer(), 0);
                if (bHh.requiresGrad) K.axpy(G, 1f, gb, 0, bHh.gradBuffer(), 0);
            }
            if (x.requiresGrad) {
                float[] gxt = new float[TB * X];
                K.gemm(false, false, TB, X, G, 1f, dG, 0, G, wIh.data, wIh.offset, X, 0f, gxt, 0, X);
                float[] gx = fromTimeMajor(gxt, 0, B, T, X);
                K.axpy(gx.length, 1f, gx, 0, x.gradBuffer(), 0);
            }
        }, x, wIh, wHh, bIh, bHh);
    }

    /** [B, T, F] (at off) → [T, B, F]. */
    private static float[] toTimeMajor(float[] src, int off, int B, int T, int F) {
        float[] dst = new float[B * T * F];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) System.arraycopy(src, off + (b * T + t) * F, dst, (t * B + b) * F, F);
        }
        return dst;
    }

    /** [T, B, F] (at off) → [B, T, F]. */
    private static float[] fromTimeMajor(float[] src, int off, int B, int T, int F) {
        float[] dst = new float[B * T * F];
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < B; b++) System.arraycopy(src, off + (t * B + b) * F, dst, (b * T + t) * F, F);
        }
        return dst;
    }
}
