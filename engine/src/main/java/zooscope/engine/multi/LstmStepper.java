package zooscope.engine.multi;

import zooscope.engine.LstmLayerPass;
import zooscope.engine.nn.LstmLayout;
import zooscope.kernels.Backend;
import zooscope.kernels.Backends;
import zooscope.kernels.Buffer;

/**
 * A zoo LSTM ({@link LstmLayout}) run one time step at a time on a batch of sequences, keeping its
 * state: what autoregressive sampling needs (the next input depends on the last output) and what
 * evaluation uses when the inputs are known. No gradients; its buffers belong to the backend current at
 * construction, and a step allocates nothing. Inputs come from the host and outputs go back to it,
 * because the caller samples or scores on the host.
 */
public final class LstmStepper {
    public final LstmLayout layout;
    public final int batch;
    private final Backend k;
    private final int L, X, H, O, G;
    private final Buffer flat, x, out, logp, woutT, bout, gates, tc;
    private final Buffer[] wihT, whhT, bias, h, c;
    private Buffer spare;

    public LstmStepper(LstmLayout layout, int batch) {
        this.layout = layout;
        this.batch = batch;
        k = Backends.current();
        L = layout.layers();
        X = layout.input();
        H = layout.hidden();
        O = layout.output();
        G = 4 * H;
        flat = k.allocate(layout.size());
        wihT = new Buffer[L];
        whhT = new Buffer[L];
        bias = new Buffer[L];
        h = new Buffer[L];
        c = new Buffer[L];
        for (int l = 0; l < L; l++) {
            wihT[l] = k.allocate((l == 0 ? X : H) * G);
            whhT[l] = k.allocate(H * G);
            bias[l] = k.allocate(G);
            h[l] = k.allocate(batch * H);
            c[l] = k.allocate(batch * H);
        }
        x = k.allocate(batch * X);
        out = k.allocate(batch * O);
        logp = k.allocate(batch * O);
        woutT = k.allocate(H * O);
        bout = k.allocate(O);
        gates = k.allocate(batch * G);
        tc = k.allocate(batch * H);
        spare = k.allocate(batch * H);
    }

    /** Takes the weights of the model whose flat vector (PyTorch order) starts at {@code params[off]} and resets the state. */
    public void load(float[] params, int off) {
        k.copyIn(params, off, flat, 0, layout.size());
        int[] unit = {1};
        for (int l = 0; l < L; l++) {
            LstmLayerPass.transpose(k, flat, layout.weightIh(l), G, l == 0 ? X : H, wihT[l]);
            LstmLayerPass.transpose(k, flat, layout.weightHh(l), G, H, whhT[l]);
            k.binary(Backend.Binary.ADD, new int[] {G}, flat, layout.biasIh(l), unit, flat, layout.biasHh(l), unit, bias[l], 0);
        }
        LstmLayerPass.transpose(k, flat, layout.headWeight(), O, H, woutT);
        k.copy(new int[] {O}, flat, layout.headBias(), unit, bout, 0, unit);
        reset();
    }

    /** Zero initial state, as PyTorch's LSTM starts every sequence. */
    public void reset() {
        for (int l = 0; l < L; l++) { k.fill(h[l], 0, batch * H, 0f); k.fill(c[l], 0, batch * H, 0f); }
    }

    /**
     * One time step: inputs [batch, X] from {@code input[inOff..]} → the head's outputs for every row,
     * written to {@code logits} [batch, O] and their row-wise log-softmax to {@code logProbs} (either may be null).
     */
    public void step(float[] input, int inOff, float[] logits, float[] logProbs) {
        k.copyIn(input, inOff, x, 0, batch * X);
        Buffer in = x;
        int[] rowsG = {batch, G}, rowsO = {batch, O};
        for (int l = 0; l < L; l++) {
            int inSize = l == 0 ? X : H;
            k.copy(rowsG, bias[l], 0, new int[] {0, 1}, gates, 0, new int[] {G, 1});                   // gates = b_ih + b_hh
            k.gemm(false, false, batch, G, inSize, 1f, in, 0, inSize, wihT[l], 0, G, 1f, gates, 0, G); //   + x·W_ihᵀ
            k.gemm(false, false, batch, G, H, 1f, h[l], 0, H, whhT[l], 0, G, 1f, gates, 0, G);         //   + h·W_hhᵀ
            k.lstmCellForward(batch, H, gates, 0, c[l], 0, spare, 0, tc, 0, h[l], 0);
            Buffer swap = c[l]; c[l] = spare; spare = swap; // the kernels do not allow c to alias cPrev
            in = h[l];
        }
        k.copy(rowsO, bout, 0, new int[] {0, 1}, out, 0, new int[] {O, 1});
        k.gemm(false, false, batch, O, H, 1f, in, 0, H, woutT, 0, O, 1f, out, 0, O);
        if (logits != null) k.copyOut(out, 0, logits, 0, batch * O);
        if (logProbs != null) {
            k.softmaxRows(true, out, 0, logp, 0, batch, O);
            k.copyOut(logp, 0, logProbs, 0, batch * O);
        }
    }
}
