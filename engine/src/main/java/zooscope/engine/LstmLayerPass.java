package zooscope.engine;

import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;

/**
 * One LSTM layer over a whole sequence, forward and backpropagation through time, on time-major
 * buffers of one backend that it allocates once (so that repeated use allocates nothing); every step is
 * a call to that backend. PyTorch semantics: gate order i, f, g, o,
 * zero initial state. Used by the autodiff op {@link Recurrent#lstmLayer} and by the multi-model trainer.
 *
 * <p>Forward: the input projections of all steps are one GEMM (teacher forcing makes all inputs known),
 * then per step a GEMM adds W_hh·h_{t−1} and the fused cell kernel runs. The weights are transposed once
 * per pass so that every GEMM is in the kernels' fastest (non-transposed) layout.
 */
public final class LstmLayerPass {
    public final int batch, time, input, hidden;
    private final int G, BH, TB;
    private final Backend k;
    /** Per step [B, 4H]: the gate activations after forward. */
    private final Buffer acts;
    /** Steps 0..T of h and c, each [B, H]; step 0 is the zero initial state. */
    public final Buffer hs, cs;
    /** tanh(c) of steps 1..T, each [B, H], kept for the backward pass. */
    private final Buffer tcs;
    private final Buffer wihT, whhT, dG, gWT, gWTStep, ones, gh, ghNext, gc, gcPrev;

    /** A pass whose buffers and calls are on backend k. */
    public LstmLayerPass(Backend k, int batch, int time, int input, int hidden) {
        this.k = k;
        this.batch = batch;
        this.time = time;
        this.input = input;
        this.hidden = hidden;
        G = 4 * hidden;
        BH = batch * hidden;
        TB = time * batch;
        acts = k.allocate(TB * G);
        hs = k.allocate((time + 1) * BH);
        cs = k.allocate((time + 1) * BH);
        tcs = k.allocate(TB * hidden);
        wihT = k.allocate(input * G);
        whhT = k.allocate(hidden * G);
        dG = k.allocate(TB * G);
        gWT = k.allocate(Math.max(input, hidden) * G);
        gWTStep = k.allocate(Math.max(input, hidden) * G);
        ones = k.allocate(TB);
        k.fill(ones, 0, TB, 1f);
        gh = k.allocate(BH);
        ghNext = k.allocate(BH);
        gc = k.allocate(BH);
        gcPrev = k.allocate(BH);
    }

    /** Offset in {@link #hs} of h_1, the first output; the outputs h_1..h_T are contiguous [T·B, H] rows. */
    public int outputOffset() { return BH; }

    /**
     * Runs the layer on time-major input rows [T·B, input] starting at {@code inOff}. Weights: W_ih [4H, in],
     * W_hh [4H, H], biases [4H], each given as (array, offset).
     */
    public void forward(Buffer in, int inOff, Buffer wih, int wihOff, Buffer whh, int whhOff,
                        Buffer bih, int bihOff, Buffer bhh, int bhhOff) {
        transpose(k, wih, wihOff, G, input, wihT);
        transpose(k, whh, whhOff, G, hidden, whhT);
        k.binary(Backend.Binary.ADD, new int[] {G}, bih, bihOff, Strided.UNIT, bhh, bhhOff, Strided.UNIT, acts, 0);
        Strided.copy(k, new int[] {TB - 1, G}, acts, 0, new int[] {0, 1}, acts, G, new int[] {G, 1}); // every row: b_ih + b_hh
        gemm(false, false, TB, G, input, 1f, in, inOff, input, wihT, 0, G, 1f, acts, 0, G);  // + x·W_ihᵀ, all steps at once
        k.fill(hs, 0, BH, 0f);
        k.fill(cs, 0, BH, 0f);
        for (int t = 0; t < time; t++) {
            gemm(false, false, batch, G, hidden, 1f, hs, t * BH, hidden, whhT, 0, G, 1f, acts, t * batch * G, G); // + h_{t−1}·W_hhᵀ
            k.lstmCellForward(batch, hidden, acts, t * batch * G, cs, t * BH, cs, (t + 1) * BH, tcs, t * BH, hs, (t + 1) * BH);
        }
    }

    /**
     * Backpropagation through time after {@link #forward} with the same input and weights. {@code gH} is
     * ∂L/∂h_1..h_T, time-major [T·B, H]. Accumulates into the weight and bias gradients (an array may be
     * null to skip it) and writes ∂L/∂input into {@code gIn} [T·B, input] (null to skip).
     */
    public void backward(Buffer in, int inOff, Buffer gH, int gHOff,
                         Buffer wih, int wihOff, Buffer whh, int whhOff,
                         Buffer gWih, int gWihOff, Buffer gWhh, int gWhhOff,
                         Buffer gBih, int gBihOff, Buffer gBhh, int gBhhOff, Buffer gIn, int gInOff) {
        k.fill(ghNext, 0, BH, 0f);
        k.fill(gc, 0, BH, 0f);
        Buffer cIn = gc, cOut = gcPrev;
        for (int t = time - 1; t >= 0; t--) {
            Strided.copy(k, BH, gH, gHOff + t * BH, gh, 0);
            k.axpy(BH, 1f, ghNext, 0, gh, 0); // dh_t = ∂L/∂h_t from above + from step t+1
            k.lstmCellBackward(batch, hidden, acts, t * batch * G, cs, t * BH, tcs, t * BH, gh, 0, cIn, 0, dG, t * batch * G, cOut, 0);
            Buffer swap = cIn; cIn = cOut; cOut = swap;
            if (t > 0) gemm(false, false, batch, hidden, G, 1f, dG, t * batch * G, G, whh, whhOff, hidden, 0f, ghNext, 0, hidden); // dh_{t−1} = dG_t·W_hh
        }
        // ∂W = dGᵀ·h summed over steps, formed as (hᵀ·dG)ᵀ: transposing h [T·B, n] costs a quarter of
        // transposing dG [T·B, 4H], and the GEMM is vectorised along the 4H gate columns.
        if (gWhh != null) weightGradient(hs, 0, hidden, gWhh, gWhhOff);
        if (gWih != null) weightGradient(in, inOff, input, gWih, gWihOff);
        if (gBih != null || gBhh != null) {
            // Σ over all T·B rows of dG, as one GEMM with a row of ones
            Buffer gb = gWTStep;
            gemm(false, false, 1, G, TB, 1f, ones, 0, TB, dG, 0, G, 0f, gb, 0, G);
            if (gBih != null) k.axpy(G, 1f, gb, 0, gBih, gBihOff);
            if (gBhh != null) k.axpy(G, 1f, gb, 0, gBhh, gBhhOff);
        }
        if (gIn != null) gemm(false, false, TB, input, G, 1f, dG, 0, G, wih, wihOff, input, 0f, gIn, gInOff, input); // dx = dG·W_ih
    }

    /**
     * g[4H, n] += (vᵀ·dG)ᵀ for the per-step inputs v [T·B, n] at vOff; vᵀ·dG is vectorised along the 4H
     * gate columns (the GEMM reads vᵀ through strides, no copy). The sum over the T·B rows is blocked: one
     * partial product per time step (B terms), then the T partials added, so the rounding error grows like
     * (T + B)·ε rather than T·B·ε. This matters: where a gradient entry is a cancelling sum as small as
     * AdamW's ε, its absolute error decides the size of the first update.
     */
    private void weightGradient(Buffer v, int vOff, int n, Buffer g, int gOff) {
        k.fill(gWT, 0, n * G, 0f);
        for (int t = 0; t < time; t++) {
            gemm(true, false, n, G, batch, 1f, v, vOff + t * batch * n, n, dG, t * batch * G, G, 0f, gWTStep, 0, G); // v_tᵀ·dG_t
            k.axpy(n * G, 1f, gWTStep, 0, gWT, 0);
        }
        k.add(new int[] {G, n}, 1f, gWT, 0, new int[] {1, G}, g, gOff, new int[] {n, 1}); // g += gWTᵀ
    }

    private void gemm(boolean transA, boolean transB, int m, int n, int kk, float alpha, Buffer a, int aOff, int lda,
                      Buffer b, int bOff, int ldb, float beta, Buffer c, int cOff, int ldc) {
        k.gemm(transA, transB, m, n, kk, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** dst [cols, rows] = transpose of src [rows, cols] at srcOff. */
    public static void transpose(Backend k, Buffer src, int srcOff, int rows, int cols, Buffer dst) {
        k.copy(new int[] {cols, rows}, src, srcOff, new int[] {1, cols}, dst, 0, new int[] {rows, 1});
    }
}
