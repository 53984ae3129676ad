package zooscope.engine.multi;

import zooscope.engine.nn.LstmLayout;
import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;

/**
 * The forward and backward pass of M zoo LSTMs at once, for a device backend: every activation buffer
 * is laid out [time][model][batch][…], so one cell call covers all M·B rows of a time step, and each GEMM
 * is one batched call over the models (their weights {@code P} floats apart in the parameter buffer).
 * About 15 calls per time step and layer for the whole group, where {@link MultiModelLstm}'s per-model
 * pass makes as many per model. The sums run in another order than the per-model pass (per step into
 * the weight gradients, per model in float32 for the losses), so results agree with it to float32
 * rounding, not bit for bit.
 */
final class StackedPass {
    private static final int[] UNIT = {1};
    private final Backend k;
    private final LstmLayout layout;
    private final int M, B, T, P, L, X, H, O, G, MB, rows;
    /** Per layer: [T+1][M][B][H] hidden and cell states (step 0 zero), [T][M][B][H] tanh(c), [T][M][B][G] gate activations and their gradient. */
    private final Buffer[] hs, cs, tcs, acts;
    private final Buffer x, dG, wihT, whhT, biasSum, gWT, logits, picked, losses, dH, dHBelow, gh, ghNext, gc, gcPrev;
    private final float[] hostX;
    private final int[] yt, pick;

    StackedPass(Backend k, LstmLayout layout, int models, int batch, int time) {
        this.k = k;
        this.layout = layout;
        M = models;
        B = batch;
        T = time;
        P = layout.size();
        L = layout.layers();
        X = layout.input();
        H = layout.hidden();
        O = layout.output();
        G = 4 * H;
        MB = M * B;
        int n = Math.max(X, H);
        if ((long) T * MB * G > Integer.MAX_VALUE) { // the largest buffer must be addressable by int offsets
            throw new IllegalArgumentException(M + " models × batch " + B + " × " + T + " steps × " + G + " gates exceed one buffer (2^31 floats); train smaller groups");
        }
        rows = T * MB;
        hs = new Buffer[L];
        cs = new Buffer[L];
        tcs = new Buffer[L];
        acts = new Buffer[L];
        for (int l = 0; l < L; l++) {
            hs[l] = k.allocate((T + 1) * MB * H);
            cs[l] = k.allocate((T + 1) * MB * H);
            tcs[l] = k.allocate(rows * H);
            acts[l] = k.allocate(rows * G);
        }
        x = k.allocate(rows * X);
        dG = k.allocate(rows * G);
        wihT = k.allocate(M * n * G);
        whhT = k.allocate(M * H * G);
        biasSum = k.allocate(M * G);
        gWT = k.allocate(M * n * G);
        logits = k.allocate(rows * O);
        picked = k.allocate(rows);
        losses = k.allocate(M);
        dH = k.allocate(rows * H);
        dHBelow = k.allocate(rows * H);
        gh = k.allocate(MB * H);
        ghNext = k.allocate(MB * H);
        gc = k.allocate(MB * H);
        gcPrev = k.allocate(MB * H);
        hostX = new float[rows * X];
        yt = new int[rows];
        pick = new int[rows];
    }

    /**
     * Puts the batches of models [m0, m1) (batch-first, from {@code data}, through the caller's scratch
     * arrays of one batch) in [T][M][B] order on the host; chunks of models may load in parallel.
     */
    void loadChunk(MultiModelLstm.Batches data, int m0, int m1, float[] modelX, int[] modelY) {
        for (int m = m0; m < m1; m++) {
            data.fill(m, modelX, modelY);
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < T; t++) {
                    int r = (t * M + m) * B + b;
                    System.arraycopy(modelX, (b * T + t) * X, hostX, r * X, X);
                    yt[r] = modelY[b * T + t];
                    pick[r] = r * O + yt[r];
                }
            }
        }
    }

    /** Copies the loaded inputs to the device. */
    void upload() { k.copyIn(hostX, 0, x, 0, rows * X); }

    /** Forward and backward of every model on the loaded batches: gradients into {@code grads} (zeroed first), mean losses into {@code out}. */
    void forwardBackward(Buffer params, Buffer grads, float[] out) {
        Buffer in = x;
        int inOff = 0, n = X;
        for (int l = 0; l < L; l++) {
            forward(l, in, inOff, n, params);
            in = hs[l];
            inOff = MB * H;
            n = H;
        }
        // logits = b_out + h·W_outᵀ, per model, one batched GEMM per step
        k.copy(new int[] {T, M, B, O}, params, layout.headBias(), new int[] {0, P, 0, 1}, logits, 0, new int[] {MB * O, B * O, O, 1});
        for (int t = 0; t < T; t++) {
            k.gemmBatched(M, false, true, B, O, H, 1f, in, inOff + t * MB * H, H, B * H, params, layout.headWeight(), H, P,
                1f, logits, t * MB * O, O, B * O);
        }
        Buffer logp = logits; // log-softmax in place, then the gradient in place of that
        k.softmaxRows(true, logits, 0, logp, 0, rows, O);
        // per-model losses: the picked log-probabilities (a gather over the flat [rows·O] block), summed per model
        k.gather(1, rows * O, 1, pick, logp, 0, picked, 0);
        k.fill(losses, 0, M, 0f);
        k.add(new int[] {T, M, B}, -1f / (T * B), picked, 0, new int[] {MB, B, 1}, losses, 0, new int[] {0, 1, 0});
        k.copyOut(losses, 0, out, 0, M);
        k.nllRowsBackward(logp, 0, rows, O, yt, 1f / (T * B), logp, 0, false);      // d = (softmax − one-hot)/(T·B)

        k.fill(grads, 0, M * P, 0f);
        for (int t = 0; t < T; t++) {
            int d = t * MB * O, h = inOff + t * MB * H;
            k.gemmBatched(M, true, false, O, H, B, 1f, logp, d, O, B * O, in, h, H, B * H, 1f, grads, layout.headWeight(), H, P); // dW_out += dᵀ·h
            k.gemmBatched(M, false, false, B, H, O, 1f, logp, d, O, B * O, params, layout.headWeight(), H, P, 0f, dH, t * MB * H, H, B * H); // dh = d·W_out
        }
        k.add(new int[] {T, M, B, O}, 1f, logp, 0, new int[] {MB * O, B * O, O, 1}, grads, layout.headBias(), new int[] {0, P, 0, 1}); // db_out
        Buffer gTop = dH, gBelow = dHBelow;
        for (int l = L - 1; l >= 0; l--) {
            Buffer lin = l == 0 ? x : hs[l - 1];
            int linOff = l == 0 ? 0 : MB * H, ln = l == 0 ? X : H;
            backward(l, lin, linOff, ln, gTop, params, grads, l > 0 ? gBelow : null);
            Buffer s = gTop; gTop = gBelow; gBelow = s;
        }
    }

    private void forward(int l, Buffer in, int inOff, int n, Buffer p) {
        int wih = layout.weightIh(l), whh = layout.weightHh(l);
        // W_ihᵀ [M][n][G] and W_hhᵀ [M][H][G] from W [G, n] each, P apart
        k.copy(new int[] {M, n, G}, p, wih, new int[] {P, 1, n}, wihT, 0, new int[] {n * G, G, 1});
        k.copy(new int[] {M, H, G}, p, whh, new int[] {P, 1, H}, whhT, 0, new int[] {H * G, G, 1});
        k.binary(Backend.Binary.ADD, new int[] {M, G}, p, layout.biasIh(l), new int[] {P, 1}, p, layout.biasHh(l), new int[] {P, 1}, biasSum, 0);
        k.copy(new int[] {T, M, B, G}, biasSum, 0, new int[] {0, G, 0, 1}, acts[l], 0, new int[] {MB * G, B * G, G, 1});
        k.fill(hs[l], 0, MB * H, 0f);
        k.fill(cs[l], 0, MB * H, 0f);
        for (int t = 0; t < T; t++) {
            int a = t * MB * G, s = t * MB * H;
            k.gemmBatched(M, false, false, B, G, n, 1f, in, inOff + t * MB * n, n, B * n, wihT, 0, G, n * G, 1f, acts[l], a, G, B * G);   // + x_t·W_ihᵀ
            k.gemmBatched(M, false, false, B, G, H, 1f, hs[l], s, H, B * H, whhT, 0, G, H * G, 1f, acts[l], a, G, B * G);               // + h_{t−1}·W_hhᵀ
            k.lstmCellForward(MB, H, acts[l], a, cs[l], s, cs[l], s + MB * H, tcs[l], s, hs[l], s + MB * H);
        }
    }

    /** BPTT of layer l given ∂L/∂h_1..h_T in gTop [T][M][B][H]; ∂L/∂input into gIn (null to skip). */
    private void backward(int l, Buffer in, int inOff, int n, Buffer gTop, Buffer p, Buffer g, Buffer gIn) {
        int wih = layout.weightIh(l), whh = layout.weightHh(l);
        k.fill(ghNext, 0, MB * H, 0f);
        k.fill(gc, 0, MB * H, 0f);
        Buffer cIn = gc, cOut = gcPrev;
        for (int t = T - 1; t >= 0; t--) {
            int a = t * MB * G, s = t * MB * H;
            k.binary(Backend.Binary.ADD, new int[] {MB * H}, gTop, s, UNIT, ghNext, 0, UNIT, gh, 0); // dh_t = from above + from step t+1
            k.lstmCellBackward(MB, H, acts[l], a, cs[l], s, tcs[l], s, gh, 0, cIn, 0, dG, a, cOut, 0);
            Buffer sw = cIn; cIn = cOut; cOut = sw;
            if (t > 0) k.gemmBatched(M, false, false, B, H, G, 1f, dG, a, G, B * G, p, whh, H, P, 0f, ghNext, 0, H, B * H); // dh_{t−1} = dG_t·W_hh
        }
        weightGradient(hs[l], 0, H, g, whh);
        weightGradient(in, inOff, n, g, wih);
        for (int bias : new int[] {layout.biasIh(l), layout.biasHh(l)}) {
            k.add(new int[] {T, M, B, G}, 1f, dG, 0, new int[] {MB * G, B * G, G, 1}, g, bias, new int[] {0, P, 0, 1});
        }
        if (gIn != null) {
            for (int t = 0; t < T; t++) {
                k.gemmBatched(M, false, false, B, n, G, 1f, dG, t * MB * G, G, B * G, p, wih, n, P, 0f, gIn, t * MB * n, n, B * n); // dx = dG·W_ih
            }
        }
    }

    /** g[m] [G, n] += Σ_t (v_tᵀ·dG_t)ᵀ for inputs v [T][M][B][n] at vOff (v_t = h_{t−1} for W_hh). */
    private void weightGradient(Buffer v, int vOff, int n, Buffer g, int gOff) {
        k.fill(gWT, 0, M * n * G, 0f);
        for (int t = 0; t < T; t++) {
            k.gemmBatched(M, true, false, n, G, B, 1f, v, vOff + t * MB * n, n, B * n, dG, t * MB * G, G, B * G, 1f, gWT, 0, G, n * G);
        }
        k.add(new int[] {M, G, n}, 1f, gWT, 0, new int[] {n * G, 1, G}, g, gOff, new int[] {P, n, 1}); // g += gWTᵀ
    }
}
