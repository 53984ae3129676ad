package zooscope.kernels;

/**
 * The seam between the engine and the hardware: storage and compute, nothing else. The engine holds
 * {@link Buffer}s that a backend allocated and asks that backend to run every operation on them; it
 * never touches an array or a pointer. Offsets and strides count floats; matrices are row-major.
 * Host backends ({@link HostBackend}: scalar, vector, native) keep Java arrays; a device backend keeps
 * device memory, and only {@link #copyIn}, {@link #copyOut} and the few methods that return host
 * values move data between the two.
 *
 * <p>Conventions: methods whose name ends in {@code Backward} <em>accumulate</em> into their gradient
 * outputs ({@code +=}), because autodiff sums the contributions of every use of a value; the two that
 * do not say so ({@link #lstmCellBackward} writes, {@link #nllRowsBackward} has a flag). Every buffer
 * passed must belong to this backend. There is no {@code free}: a buffer's memory goes when nothing refers
 * to it any more. {@link ScalarBackend} is the float64-accumulating reference every backend is tested
 * against.
 */
public interface Backend {

    /** Short name used on the command line and in reports, e.g. {@code scalar}, {@code vector}. */
    String name();

    // ---------------------------------------------------------------- storage

    /** A new buffer of n floats, all zero. */
    Buffer allocate(int n);

    /** Copies n host floats src[srcOff..] into dst[dstOff..]. */
    void copyIn(float[] src, int srcOff, Buffer dst, int dstOff, int n);

    /** Copies n floats src[srcOff..] to the host array dst[dstOff..], after all work queued before. */
    void copyOut(Buffer src, int srcOff, float[] dst, int dstOff, int n);

    /** Waits until every operation issued so far has finished (host backends finish each call before returning). */
    void sync();

    // ---------------------------------------------------------------- data movement

    /** x[off..off+n) = value. */
    void fill(Buffer x, int off, int n, float value);

    /**
     * Strided copy: for every index i of {@code shape}, dst[dstOff + i·dstStrides] = src[srcOff + i·srcStrides].
     * A source stride of 0 repeats (broadcasts) values; destination positions must not repeat.
     */
    void copy(int[] shape, Buffer src, int srcOff, int[] srcStrides, Buffer dst, int dstOff, int[] dstStrides);

    /**
     * Strided accumulate: dst[dstOff + i·dstStrides] += alpha·src[srcOff + i·srcStrides] for every index i of
     * {@code shape}, in row-major order of i. A destination stride of 0 sums over that axis (a broadcast's
     * backward), in that order.
     */
    void add(int[] shape, float alpha, Buffer src, int srcOff, int[] srcStrides, Buffer dst, int dstOff, int[] dstStrides);

    /** Rows of a [outer, len, inner] block picked along its middle axis: dst[o, i, :] = src[o, indices[i], :]. */
    void gather(int outer, int len, int inner, int[] indices, Buffer src, int srcOff, Buffer dst, int dstOff);

    /** Backward of {@link #gather}: dst[o, indices[i], :] += src[o, i, :] (repeated indices sum, in order of i). */
    void scatterAdd(int outer, int len, int inner, int[] indices, Buffer src, int srcOff, Buffer dst, int dstOff);

    /** The permutation that sorts x[off..off+n) ascending, ties in index order (a host value: waits for the result). */
    int[] sortOrder(Buffer x, int off, int n);

    /** Each of {@code rows} rows of n values sorted ascending: y[r, :] = sort(x[r, :]) (Float.compare's order: −0 before +0, NaN last). */
    void sortRows(int rows, int n, Buffer x, int xOff, Buffer y, int yOff);

    // ---------------------------------------------------------------- dense algebra

    /**
     * C = alpha·op(A)·op(B) + beta·C where op(A) is m×k and op(B) is k×n. A stored matrix is row-major
     * with row stride {@code ld*}: A is m×k (k×m when transposed), B is k×n (n×k when transposed).
     * When beta is 0 the old content of C is ignored (NaN in C does not propagate), as in BLAS.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              Buffer a, int aOff, int lda, Buffer b, int bOff, int ldb,
              float beta, Buffer c, int cOff, int ldc);

    /** {@link #gemm} on {@code batch} independent matrix triples spaced by the given strides. */
    void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Buffer a, int aOff, int lda, int strideA, Buffer b, int bOff, int ldb, int strideB,
                     float beta, Buffer c, int cOff, int ldc, int strideC);

    /** y[i] += alpha·x[i]. */
    void axpy(int n, float alpha, Buffer x, int xOff, Buffer y, int yOff);

    // ---------------------------------------------------------------- element-wise

    /** Element-wise functions with a derivative the engine differentiates through. */
    enum Unary {
        NEG, EXP, LOG, SIGMOID, TANH, RELU, SOFTPLUS;

        /** f(x), evaluated in float64. */
        public double apply(double x) {
            return switch (this) {
                case NEG -> -x;
                case EXP -> Math.exp(x);
                case LOG -> Math.log(x);
                case SIGMOID -> 1 / (1 + Math.exp(-x));
                case TANH -> Math.tanh(x);
                case RELU -> x > 0 ? x : 0;
                case SOFTPLUS -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
            };
        }

        /** f'(x) in float64, from x and y = f(x). */
        public double derivative(double x, double y) {
            return switch (this) {
                case NEG -> -1;
                case EXP -> y;
                case LOG -> 1 / x;
                case SIGMOID -> y * (1 - y);
                case TANH -> 1 - y * y;
                case RELU -> x > 0 ? 1 : 0;
                case SOFTPLUS -> 1 / (1 + Math.exp(-x));
            };
        }
    }

    /** Element-wise binary operators on equal-length operands. */
    enum Binary {
        ADD, SUB, MUL, DIV;

        /** x op y in float32 (the correctly rounded result, the same as float64 rounded once). */
        public float apply(float x, float y) {
            return switch (this) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
            };
        }
    }

    /** y[i] = f(x[i]); x and y may be the same region. */
    void unary(Unary op, Buffer x, int xOff, Buffer y, int yOff, int n);

    /** gx[i] += gy[i]·f'(x[i]), where y = f(x) is given too (the derivative of exp, sigmoid, tanh uses it). */
    void unaryBackward(Unary op, Buffer x, int xOff, Buffer y, int yOff, Buffer gy, int gyOff, Buffer gx, int gxOff, int n);

    /** y[i] = scale·x[i] + shift. */
    void affine(int n, float scale, float shift, Buffer x, int xOff, Buffer y, int yOff);

    /**
     * out[i] = a[aOff + i·aStrides] op b[bOff + i·bStrides] for every index i of {@code shape}, out contiguous
     * row-major: NumPy broadcasting when a stride is 0.
     */
    void binary(Binary op, int[] shape, Buffer a, int aOff, int[] aStrides, Buffer b, int bOff, int[] bStrides, Buffer out, int outOff);

    // ---------------------------------------------------------------- reductions

    /** What {@link #reduce} computes over its middle axis. */
    enum Reduction { SUM, MEAN, /** unbiased (divides by n − 1), as torch.var */ VAR }

    /** y[o, j] = the reduction of x[o, :, j] over a contiguous [outer, reduced, inner] block, accumulated in float64. */
    void reduce(Reduction kind, int outer, int reduced, int inner, Buffer x, int xOff, Buffer y, int yOff);

    /** Backward of {@link #reduce}: gx[o, r, j] += ∂y[o, j]/∂x[o, r, j]·gy[o, j]. */
    void reduceBackward(Reduction kind, int outer, int reduced, int inner, Buffer x, int xOff, Buffer gy, int gyOff, Buffer gx, int gxOff);

    /** Σ x[i]² over x[off..off+n), in float64 (a host value: waits for the result). */
    double sumSquares(Buffer x, int off, int n);

    // ---------------------------------------------------------------- row-wise functions and losses

    /** Row-wise softmax (or log-softmax when {@code log}) of a rows×cols matrix, max-shifted for stability. */
    void softmaxRows(boolean log, Buffer x, int xOff, Buffer y, int yOff, int rows, int cols);

    /**
     * Backward of {@link #softmaxRows} given its output y:
     * softmax: gx += y·(gy − Σ gy·y); log-softmax: gx += gy − exp(y)·Σ gy.
     */
    void softmaxRowsBackward(boolean log, Buffer y, int yOff, Buffer gy, int gyOff, Buffer gx, int gxOff, int rows, int cols);

    /**
     * Negative log-likelihood −Σ_r logp[r, targets[r]] of log-probabilities logp [rows, cols], summed in
     * float64 (a host value: waits for the result). Targets must lie in [0, cols).
     */
    double nllRows(Buffer logp, int off, int rows, int cols, int[] targets);

    /**
     * The cross-entropy gradient from log-probabilities: g[r, j] (+)= scale·(exp(logp[r, j]) − [j = targets[r]]),
     * accumulated into g when {@code accumulate}, else written (g may then be logp itself).
     */
    void nllRowsBackward(Buffer logp, int off, int rows, int cols, int[] targets, float scale, Buffer g, int gOff, boolean accumulate);

    /**
     * Layer normalisation of rows×cols over each row (biased variance, eps inside the square root), then
     * out = x̂·w + b with w, b [cols] (either may be null). Keeps x̂ [rows, cols] and 1/σ [rows] for the backward.
     */
    void layerNormRows(int rows, int cols, double eps, Buffer x, int xOff, Buffer w, int wOff, Buffer b, int bOff,
                       Buffer out, int outOff, Buffer xhat, Buffer rstd);

    /** Backward of {@link #layerNormRows}; any of gx, gw, gb may be null to skip it. */
    void layerNormRowsBackward(int rows, int cols, Buffer g, int gOff, Buffer w, int wOff, Buffer xhat, Buffer rstd,
                               Buffer gx, int gxOff, Buffer gw, int gwOff, Buffer gb, int gbOff);

    /** out = x / max(‖x‖₂, eps) per row of rows×cols; keeps the clamped norms [rows] for the backward. */
    void l2NormalizeRows(int rows, int cols, double eps, Buffer x, int xOff, Buffer out, int outOff, Buffer norms);

    /** Backward of {@link #l2NormalizeRows} given its output: gx += (g − out·Σ g·out)/norm, or g/norm where the norm was clamped. */
    void l2NormalizeRowsBackward(int rows, int cols, double eps, Buffer g, int gOff, Buffer out, int outOff, Buffer norms, Buffer gx, int gxOff);

    // ---------------------------------------------------------------- LSTM and optimiser

    /**
     * Fused LSTM cell, PyTorch gate order (i, f, g, o) along each row of {@code gates} [batch, 4H].
     * On entry {@code gates} holds the pre-activations W_ih·x + b_ih + W_hh·h + b_hh; on exit their
     * activations σ(i), σ(f), tanh(g), σ(o) (kept for the backward pass). Writes
     * c = f⊙cPrev + i⊙g, tc = tanh(c) (kept for the backward pass) and h = o⊙tc, each [batch, H].
     */
    void lstmCellForward(int batch, int hidden, Buffer gates, int gOff, Buffer cPrev, int cpOff,
                         Buffer c, int cOff, Buffer tc, int tcOff, Buffer h, int hOff);

    /**
     * Backward of {@link #lstmCellForward}. Inputs: the activated gates, cPrev and tc = tanh(c) from the
     * forward pass, gh = ∂L/∂h and gc = ∂L/∂c (the gradient arriving from the next time step; may be null
     * for zero). Writes (not accumulates) dGates = ∂L/∂pre-activations [batch, 4H] and gcPrev = ∂L/∂cPrev.
     */
    void lstmCellBackward(int batch, int hidden, Buffer acts, int aOff, Buffer cPrev, int cpOff,
                          Buffer tc, int tcOff, Buffer gh, int ghOff, Buffer gc, int gcOff,
                          Buffer dGates, int dgOff, Buffer gcPrev, int gcpOff);

    /**
     * One AdamW update (torch.optim.AdamW's float32 operation order) of n parameters w with gradients g and
     * moments m, v, at update number {@code step} (1-based): w ← w·(1 − lr·λ); m ← β1·m + (1−β1)·g;
     * v ← β2·v + (1−β2)·g²; w ← w − (lr / (1−β1^t))·m / (√v / √(1−β2^t) + ε).
     */
    void adamW(int n, Buffer w, int wOff, Buffer g, int gOff, Buffer m, Buffer v, int mOff,
               long step, double lr, double beta1, double beta2, double eps, double weightDecay);

    /**
     * {@link #adamW} on {@code groups} models at once: group j is the n parameters at {@code j·n} from each
     * offset (of w, g, and of m and v), updated at its own step number, learning rate and weight decay,
     * with the result of {@code adamW} on that group alone.
     */
    void adamWGroups(int groups, int n, Buffer w, int wOff, Buffer g, int gOff, Buffer m, Buffer v, int mOff,
                     long[] steps, double[] lr, double beta1, double beta2, double eps, double[] weightDecay);

    /**
     * One torch.optim.SGD update of n parameters: d = g + λ·w; with momentum μ the buffer b ← d on the
     * first update, else b ← μ·b + (1 − dampening)·d, then d = b (d + μ·b with Nesterov); w ← w − lr·d.
     * {@code momentumBuf} may be null when μ = 0.
     */
    void sgd(int n, Buffer w, int wOff, Buffer g, int gOff, Buffer momentumBuf, boolean first,
             double lr, double momentum, double dampening, double weightDecay, boolean nesterov);
}
