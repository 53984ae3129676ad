package zooscope.engine;

import zooscope.kernels.Backend;

/**
 * One LSTM layer over a whole sequence, forward and backpropagation through time, on time-major
 * buffers it owns (so that repeated use allocates nothing). PyTorch semantics: gate order i, f, g, o,
 * zero initial state. Used by the autodiff op {@link Recurrent#lstmLayer} and by the multi-model trainer.
 *
 * <p>Forward: the input projections of all steps are one GEMM (teacher forcing makes all inputs known),
 * then per step a GEMM adds W_hh·h_{t−1} and the fused cell kernel runs. The weights are transposed once
 * per pass so that every GEMM is in the kernels' fastest (non-transposed) layout.
 */
public final class LstmLayerPass {
    public final int batch, time, input, hidden;
    private final int G, BH, TB;
    /** Whether its GEMMs are spread over the cores ({@link ParallelGemm}); same bits either way. */
    private final boolean spread;
    /** Per step [B, 4H]: the gate activations after forward. */
    private final float[] acts;
    /** Steps 0..T of h and c, each [B, H]; step 0 is the zero initial state. */
    public final float[] hs, cs;
    /** tanh(c) of steps 1..T, each [B, H], kept for the backward pass. */
    private final float[] tcs;
    private final float[] wihT, whhT, dG, gWT, gWTStep, ones, gh, ghNext, gc, gcPrev;

    /** A pass whose GEMMs run on the calling thread (the multi-model trainer runs one pass per thread). */
    public LstmLayerPass(int batch, int time, int input, int hidden) { this(batch, time, input, hidden, false); }

    /** @param spread split its GEMMs over the cores, for one large layer (the autodiff op) */
    LstmLayerPass(int batch, int time, int input, int hidden, boolean spread) {
        this.spread = spread;
        this.batch = batch;
        this.time = time;
        this.input = input;
        this.hidden = hidden;
        G = 4 * hidden;
        BH = batch * hidden;
        TB = time * batch;
        acts = new float[TB * G];
        hs = new float[(time + 1) * BH];
        cs = new float[(time + 1) * BH];
        tcs = new float[TB * hidden];
        wihT = new float[input * G];
        whhT = new float[hidden * G];
        dG = new float[TB * G];
        gWT = new float[Math.max(input, hidden) * G];
        gWTStep = new float[Math.max(input, hidden) * G];
        ones = new float[TB];
        java.util.Arrays.fill(ones, 1f);
        gh = new float[BH];
        ghNext = new float[BH];
        gc = new float[BH];
        gcPrev = new float[BH];
    }

    /** Offset in {@link #hs} of h_1, the first output; the outputs h_1..h_T are contiguous [T·B, H] rows. */
    public int outputOffset() { return BH; }

    /**
     * Runs the layer on time-major input rows [T·B, input] starting at {@code inOff}. Weights: W_ih [4H, in],
     * W_hh [4H, H], biases [4H], each given as (array, offset).
     */
    public void forward(Backend k, float[] in, int inOff, float[] wih, int wihOff, float[] whh, int whhOff,
                        float[] bih, int bihOff, float[] bhh, int bhhOff) {
        transpose(wih, wihOff, G, input, wihT);
        transpose(whh, whhOff, G, hidden, whhT);
        for (int j = 0; j < G; j++) acts[j] = bih[bihOff + j] + bhh[bhhOff + j];
        for (int r = 1; r < TB; r++) System.arraycopy(acts, 0, acts, r * G, G);
        gemm(k, false, false, TB, G, input, 1f, in, inOff, input, wihT, 0, G, 1f, acts, 0, G);
        java.util.Arrays.fill(hs, 0, BH, 0f);
        java.util.Arrays.fill(cs, 0, BH, 0f);
        for (int t = 0; t < time; t++) {
            gemm(k, false, false, batch, G, hidden, 1f, hs, t * BH, hidden, whhT, 0, G, 1f, acts, t * batch * G, G);
            k.lstmCellForward(batch, hidden, acts, t * batch * G, cs, t * BH, cs, (t + 1) * BH, tcs, t * BH, hs, (t + 1) * BH);
        }
    }

    /**
     * Backpropagation through time after {@link #forward} with the same input and weights. {@code gH} is
     * ∂L/∂h_1..h_T, time-major [T·B, H]. Accumulates into the weight and bias gradients (an array may be
     * null to skip it) and writes ∂L/∂input into {@code gIn} [T·B, input] (null to skip).
     */
    public void backward(Backend k, float[] in, int inOff, float[] gH, int gHOff,
                         float[] wih, int wihOff, float[] whh, int whhOff,
                         float[] gWih, int gWihOff, float[] gWhh, int gWhhOff,
                         float[] gBih, int gBihOff, float[] gBhh, int gBhhOff, float[] gIn, int gInOff) {
        java.util.Arrays.fill(ghNext, 0f);
        java.util.Arrays.fill(gc, 0f);
        float[] cIn = gc, cOut = gcPrev;
        for (int t = time - 1; t >= 0; t--) {
            System.arraycopy(gH, gHOff + t * BH, gh, 0, BH);
            k.axpy(BH, 1f, ghNext, 0, gh, 0);
            k.lstmCellBackward(batch, hidden, acts, t * batch * G, cs, t * BH, tcs, t * BH, gh, 0, cIn, 0, dG, t * batch * G, cOut, 0);
            float[] swap = cIn; cIn = cOut; cOut = swap;
            if (t > 0) gemm(k, false, false, batch, hidden, G, 1f, dG, t * batch * G, G, whh, whhOff, hidden, 0f, ghNext, 0, hidden);
        }
        // ∂W = dGᵀ·h summed over steps, formed as (hᵀ·dG)ᵀ: transposing h [T·B, n] costs a quarter of
        // transposing dG [T·B, 4H], and the GEMM is vectorised along the 4H gate columns.
        if (gWhh != null) weightGradient(k, hs, 0, hidden, gWhh, gWhhOff);
        if (gWih != null) weightGradient(k, in, inOff, input, gWih, gWihOff);
        if (gBih != null || gBhh != null) {
            // Σ over all T·B rows of dG, as one GEMM with a row of ones
            float[] gb = gWTStep;
            gemm(k, false, false, 1, G, TB, 1f, ones, 0, TB, dG, 0, G, 0f, gb, 0, G);
            if (gBih != null) k.axpy(G, 1f, gb, 0, gBih, gBihOff);
            if (gBhh != null) k.axpy(G, 1f, gb, 0, gBhh, gBhhOff);
        }
        if (gIn != null) gemm(k, false, false, TB, input, G, 1f, dG, 0, G, wih, wihOff, input, 0f, gIn, gInOff, input);
    }

    /**
     * g[4H, n] += (vᵀ·dG)ᵀ for the per-step inputs v [T·B, n] at vOff; vᵀ·dG is vectorised along the 4H
     * gate columns (the GEMM reads vᵀ through strides, no copy). The sum over the T·B rows is blocked: one
     * partial product per time step (B terms), then the T partials added, so the rounding error grows like
     * (T + B)·ε rather than T·B·ε. This matters: where a gradient entry is a cancelling sum as small as
     * AdamW's ε, its absolute error decides the size of the first update.
     */
    private void weightGradient(Backend k, float[] v, int vOff, int n, float[] g, int gOff) {
        java.util.Arrays.fill(gWT, 0, n * G, 0f);
        for (int t = 0; t < time; t++) {
            gemm(k, true, false, n, G, batch, 1f, v, vOff + t * batch * n, n, dG, t * batch * G, G, 0f, gWTStep, 0, G);
            k.axpy(n * G, 1f, gWTStep, 0, gWT, 0);
        }
        for (int r = 0; r < G; r++) {
            for (int c = 0; c < n; c++) g[gOff + r * n + c] += gWT[c * G + r];
        }
    }

    private void gemm(Backend k, boolean transA, boolean transB, int m, int n, int kk, float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (spread) ParallelGemm.gemm(k, transA, transB, m, n, kk, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        else k.gemm(transA, transB, m, n, kk, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** dst [cols, rows] = transpose of src [rows, cols] at srcOff. */
    static void transpose(float[] src, int srcOff, int rows, int cols, float[] dst) {
        for (int r = 0; r < rows; r++) {
            int s = srcOff + r * cols;
            for (int c = 0; c < cols; c++) dst[c * rows + r] = src[s + c];
        }
    }
}
