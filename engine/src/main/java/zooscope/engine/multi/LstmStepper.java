package zooscope.engine.multi;

import java.util.Arrays;
import zooscope.engine.nn.LstmLayout;
import zooscope.kernels.Backend;

/**
 * A zoo LSTM ({@link LstmLayout}) run one time step at a time on a batch of sequences, keeping its
 * state: what autoregressive sampling needs (the next input depends on the last output) and what
 * evaluation uses when the inputs are known. No gradients; the step allocates nothing.
 */
public final class LstmStepper {
    public final LstmLayout layout;
    public final int batch;
    private final int L, X, H, O, G;
    private final float[][] wihT, whhT, bias, h, c;
    private final float[] woutT, bout, gates, tc;
    private float[] spare;

    public LstmStepper(LstmLayout layout, int batch) {
        this.layout = layout;
        this.batch = batch;
        L = layout.layers();
        X = layout.input();
        H = layout.hidden();
        O = layout.output();
        G = 4 * H;
        wihT = new float[L][];
        whhT = new float[L][];
        bias = new float[L][G];
        h = new float[L][batch * H];
        c = new float[L][batch * H];
        for (int l = 0; l < L; l++) {
            wihT[l] = new float[(l == 0 ? X : H) * G];
            whhT[l] = new float[H * G];
        }
        woutT = new float[H * O];
        bout = new float[O];
        gates = new float[batch * G];
        tc = new float[batch * H];
        spare = new float[batch * H];
    }

    /** Takes the weights of the model whose flat vector starts at {@code flat[off]} and resets the state. */
    public void load(float[] flat, int off) {
        for (int l = 0; l < L; l++) {
            transpose(flat, off + layout.entry("lstm.weight_ih_l" + l).offset(), G, l == 0 ? X : H, wihT[l]);
            transpose(flat, off + layout.entry("lstm.weight_hh_l" + l).offset(), G, H, whhT[l]);
            int bih = off + layout.entry("lstm.bias_ih_l" + l).offset(), bhh = off + layout.entry("lstm.bias_hh_l" + l).offset();
            for (int j = 0; j < G; j++) bias[l][j] = flat[bih + j] + flat[bhh + j];
        }
        transpose(flat, off + layout.entry("linear.weight").offset(), O, H, woutT);
        System.arraycopy(flat, off + layout.entry("linear.bias").offset(), bout, 0, O);
        reset();
    }

    /** Zero initial state, as PyTorch's LSTM starts every sequence. */
    public void reset() {
        for (int l = 0; l < L; l++) { Arrays.fill(h[l], 0f); Arrays.fill(c[l], 0f); }
    }

    /** One time step: inputs x [batch, X] at {@code xOff} → head outputs (logits) [batch, O] at {@code outOff}. */
    public void step(Backend k, float[] x, int xOff, float[] out, int outOff) {
        float[] in = x;
        int inOff = xOff;
        for (int l = 0; l < L; l++) {
            int inSize = l == 0 ? X : H;
            for (int b = 0; b < batch; b++) System.arraycopy(bias[l], 0, gates, b * G, G);
            k.gemm(false, false, batch, G, inSize, 1f, in, inOff, inSize, wihT[l], 0, G, 1f, gates, 0, G);
            k.gemm(false, false, batch, G, H, 1f, h[l], 0, H, whhT[l], 0, G, 1f, gates, 0, G);
            k.lstmCellForward(batch, H, gates, 0, c[l], 0, spare, 0, tc, 0, h[l], 0);
            float[] swap = c[l]; c[l] = spare; spare = swap; // the kernels do not allow c to alias cPrev
            in = h[l];
            inOff = 0;
        }
        for (int b = 0; b < batch; b++) System.arraycopy(bout, 0, out, outOff + b * O, O);
        k.gemm(false, false, batch, O, H, 1f, in, 0, H, woutT, 0, O, 1f, out, outOff, O);
    }

    private static void transpose(float[] a, int off, int rows, int cols, float[] out) {
        for (int r = 0; r < rows; r++) for (int q = 0; q < cols; q++) out[q * rows + r] = a[off + r * cols + q];
    }
}
