package zooscope.engine;

import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;

/**
 * Matrix products through the backend's GEMM (a CPU backend spreads large ones over the cores); backward
 * passes are GEMMs that accumulate (beta = 1).
 */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    static Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() != 2 || b.rank() != 2 || a.shape[1] != b.shape[0]) {
            throw new IllegalArgumentException("matmul needs [m,k]×[k,n], got " + Shapes.str(a.shape) + "×" + Shapes.str(b.shape));
        }
        int m = a.shape[0], k = a.shape[1], n = b.shape[1];
        Backend K = Tensor.backendOf("matmul", a, b);
        Buffer out = K.allocate(m * n);
        K.gemm(false, false, m, n, k, 1f, a.data, a.offset, k, b.data, b.offset, n, 0f, out, 0, n);
        return Tensor.result(out, new int[] {m, n}, "matmul", g -> {
            if (a.requiresGrad) K.gemm(false, true, m, k, n, 1f, g, 0, n, b.data, b.offset, n, 1f, a.gradBuffer(), 0, k); // dA += dC·Bᵀ
            if (b.requiresGrad) K.gemm(true, false, k, n, m, 1f, a.data, a.offset, k, g, 0, n, 1f, b.gradBuffer(), 0, n); // dB += Aᵀ·dC
        }, a, b);
    }

    static Tensor bmm(Tensor a, Tensor b) {
        if (a.rank() != 3 || b.rank() != 3 || a.shape[0] != b.shape[0] || a.shape[2] != b.shape[1]) {
            throw new IllegalArgumentException("bmm needs [b,m,k]×[b,k,n], got " + Shapes.str(a.shape) + "×" + Shapes.str(b.shape));
        }
        int bs = a.shape[0], m = a.shape[1], k = a.shape[2], n = b.shape[2];
        Backend K = Tensor.backendOf("bmm", a, b);
        Buffer out = K.allocate(bs * m * n);
        K.gemmBatched(bs, false, false, m, n, k, 1f, a.data, a.offset, k, m * k, b.data, b.offset, n, k * n, 0f, out, 0, n, m * n);
        return Tensor.result(out, new int[] {bs, m, n}, "bmm", g -> {
            if (a.requiresGrad) K.gemmBatched(bs, false, true, m, k, n, 1f, g, 0, n, m * n, b.data, b.offset, n, k * n, 1f, a.gradBuffer(), 0, k, m * k); // dA_i += dC_i·B_iᵀ
            if (b.requiresGrad) K.gemmBatched(bs, true, false, k, n, m, 1f, a.data, a.offset, k, m * k, g, 0, n, m * n, 1f, b.gradBuffer(), 0, n, k * n); // dB_i += A_iᵀ·dC_i
        }, a, b);
    }

    /**
     * y = x·Wᵀ + b over the last axis of x (torch.nn.functional.linear): x [..., in], W [out, in],
     * b [out] or null → y [..., out].
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        if (w.rank() == 3) return groupedLinear(x, w, b);
        int in = x.dim(-1);
        if (w.rank() != 2 || w.shape[1] != in || (b != null && (b.rank() != 1 || b.shape[0] != w.shape[0]))) {
            throw new IllegalArgumentException("linear: x " + Shapes.str(x.shape) + ", weight " + Shapes.str(w.shape)
                + (b == null ? "" : ", bias " + Shapes.str(b.shape)) + ": expected weight [out, " + in + "] and bias [out]");
        }
        int outF = w.shape[0], rows = x.size / in;
        Backend K = Tensor.backendOf("linear", x, w, b);
        Buffer out = K.allocate(rows * outF);
        int[] block = {rows, outF}, dense = {outF, 1}, row = {0, 1};
        if (b != null) Strided.copy(K, block, b.data, b.offset, row, out, 0, dense); // every row starts as the bias
        K.gemm(false, true, rows, outF, in, 1f, x.data, x.offset, in, w.data, w.offset, in, b == null ? 0f : 1f, out, 0, outF);
        int[] shape = x.shape();
        shape[shape.length - 1] = outF;
        return Tensor.result(out, shape, "linear", g -> {
            if (x.requiresGrad) K.gemm(false, false, rows, in, outF, 1f, g, 0, outF, w.data, w.offset, in, 1f, x.gradBuffer(), 0, in); // dx += dy·W
            if (w.requiresGrad) K.gemm(true, false, outF, in, rows, 1f, g, 0, outF, x.data, x.offset, in, 1f, w.gradBuffer(), 0, in); // dW += dyᵀ·x
            if (b != null && b.requiresGrad) Strided.add(K, block, 1f, g, 0, dense, b.gradBuffer(), 0, row); // db += Σ_rows g
        }, x, w, b);
    }

    /**
     * The model-axis form of {@link #linear} (a group of G modules trained together): W [G, out, in], b [G, out]
     * or null, x [G, ..., in] → y [G, ..., out], model g's rows through model g's weights. Each model's products
     * are those of the solo form, batched over the models (same bits).
     */
    static Tensor groupedLinear(Tensor x, Tensor w, Tensor b) {
        int G = w.shape[0], outF = w.shape[1], in = w.shape[2];
        if (x.rank() < 2 || x.shape[0] != G || x.dim(-1) != in || (b != null && (b.rank() != 2 || b.shape[0] != G || b.shape[1] != outF))) {
            throw new IllegalArgumentException("linear of a group: x " + Shapes.str(x.shape) + ", weight " + Shapes.str(w.shape)
                + (b == null ? "" : ", bias " + Shapes.str(b.shape)) + ": expected x [" + G + ", ..., " + in + "] and bias [" + G + ", " + outF + "]");
        }
        int rows = x.size / (G * in);
        Backend K = Tensor.backendOf("linear", x, w, b);
        Buffer out = K.allocate(G * rows * outF);
        int[] block = {G, rows, outF}, dense = {rows * outF, outF, 1}, row = {outF, 0, 1};
        if (b != null) Strided.copy(K, block, b.data, b.offset, row, out, 0, dense); // every row starts as its model's bias
        K.gemmBatched(G, false, true, rows, outF, in, 1f, x.data, x.offset, in, rows * in, w.data, w.offset, in, outF * in,
            b == null ? 0f : 1f, out, 0, outF, rows * outF);
        int[] shape = x.shape();
        shape[shape.length - 1] = outF;
        return Tensor.result(out, shape, "linear", g -> {
            if (x.requiresGrad) K.gemmBatched(G, false, false, rows, in, outF, 1f, g, 0, outF, rows * outF, w.data, w.offset, in, outF * in,
                1f, x.gradBuffer(), 0, in, rows * in); // dx_g += dy_g·W_g
            if (w.requiresGrad) K.gemmBatched(G, true, false, outF, in, rows, 1f, g, 0, outF, rows * outF, x.data, x.offset, in, rows * in,
                1f, w.gradBuffer(), 0, in, outF * in); // dW_g += dy_gᵀ·x_g
            if (b != null && b.requiresGrad) Strided.add(K, block, 1f, g, 0, dense, b.gradBuffer(), 0, row); // db_g += Σ_rows g
        }, x, w, b);
    }

    /**
     * One linear map per batch entry, with frozen weights read from a constant tensor: for each b,
     * y[b] = x[b]·W[b]ᵀ + Σ bias_k[b], where W[b] is the [out, in] matrix at {@code wOffset} of row b of
     * {@code theta} [B, P] and each bias the [out] vector at an offset in {@code biasOffsets}. x is [B, M, in];
     * y is [B, M, out]. Gradients flow to x only (B networks probed through their inputs). {@code thetaT} is
     * {@link #transposedBlocks} of theta holding W[b]ᵀ [in, out] at the same offset: the forward product reads
     * it, so a network stepped many times has its weights transposed once rather than in every product (the
     * same bits: the GEMM transposes op(B) itself otherwise).
     */
    public static Tensor batchedLinear(Tensor x, Tensor theta, Tensor thetaT, int wOffset, int out, int... biasOffsets) {
        if (theta.requiresGrad || thetaT.requiresGrad) throw new IllegalArgumentException("batchedLinear: the weights are frozen; theta must not require grad");
        if (x.rank() != 3 || theta.rank() != 2 || theta.shape[0] != x.shape[0] || !java.util.Arrays.equals(theta.shape, thetaT.shape)) {
            throw new IllegalArgumentException("batchedLinear: x " + Shapes.str(x.shape) + ", theta " + Shapes.str(theta.shape) + ", its transposed blocks "
                + Shapes.str(thetaT.shape) + ": expected x [B, M, in] and theta [B, P] twice");
        }
        int B = x.shape[0], M = x.shape[1], in = x.shape[2], P = theta.shape[1];
        if (wOffset < 0 || wOffset + out * in > P) throw new IllegalArgumentException("batchedLinear: a [" + out + ", " + in + "] matrix at " + wOffset + " does not fit rows of " + P);
        Backend K = Tensor.backendOf("batchedLinear", x, theta, thetaT);
        Buffer y = K.allocate(B * M * out);
        for (int bo : biasOffsets) { // y[b, m, :] += bias of network b
            Strided.add(K, new int[] {B, M, out}, 1f, theta.data, theta.offset + bo, new int[] {P, 0, 1}, y, 0, new int[] {M * out, out, 1});
        }
        K.gemmBatched(B, false, false, M, out, in, 1f, x.data, x.offset, in, M * in, thetaT.data, thetaT.offset + wOffset, out, P,
            1f, y, 0, out, M * out);
        return Tensor.result(y, new int[] {B, M, out}, "batched_linear", g -> // dx_b += dy_b·W_b
            K.gemmBatched(B, false, false, M, in, out, 1f, g, 0, out, M * out, theta.data, theta.offset + wOffset, in, P,
                1f, x.gradBuffer(), 0, in, M * in), x);
    }

    /**
     * theta [B, P] with the [rows[i], cols[i]] matrix at offsets[i] of every row replaced by its transpose
     * [cols[i], rows[i]] (at the same offset); the other entries are copied. A constant, for {@link #batchedLinear}.
     */
    public static Tensor transposedBlocks(Tensor theta, int[] offsets, int[] rows, int[] cols) {
        if (theta.requiresGrad || theta.rank() != 2) throw new IllegalArgumentException("transposedBlocks: theta must be a constant [B, P], got " + Shapes.str(theta.shape));
        int B = theta.shape[0], P = theta.shape[1];
        Backend K = theta.backend;
        Buffer out = K.allocate(B * P);
        Strided.copy(K, B * P, theta.data, theta.offset, out, 0);
        for (int i = 0; i < offsets.length; i++) {
            if (offsets[i] < 0 || offsets[i] + rows[i] * cols[i] > P) throw new IllegalArgumentException("transposedBlocks: a [" + rows[i] + ", " + cols[i] + "] matrix at " + offsets[i] + " does not fit rows of " + P);
            K.copy(new int[] {B, cols[i], rows[i]}, theta.data, theta.offset + offsets[i], new int[] {P, 1, cols[i]}, out, offsets[i], new int[] {P, rows[i], 1});
        }
        return new Tensor(out, 0, theta.shape);
    }
}
