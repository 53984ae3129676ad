package zooscope.kernels;

/**
 * The compute the engine needs, on float arrays with offsets (row-major, contiguous unless a leading
 * dimension says otherwise). One interface, several implementations: {@link ScalarBackend} is the
 * float64-accumulating reference every fast backend is tested against.
 *
 * <p>Conventions: methods whose name ends in {@code Backward} <em>accumulate</em> into their gradient
 * outputs ({@code +=}), because autodiff sums the contributions of every use of a value.
 */
public interface Backend {

    /** Short name used on the command line and in reports, e.g. {@code scalar}, {@code vector}. */
    String name();

    /**
     * C = alpha·op(A)·op(B) + beta·C where op(A) is m×k and op(B) is k×n. A stored matrix is row-major
     * with row stride {@code ld*}: A is m×k (k×m when transposed), B is k×n (n×k when transposed).
     * When beta is 0 the old content of C is ignored (NaN in C does not propagate), as in BLAS.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              float beta, float[] c, int cOff, int ldc);

    /** {@link #gemm} on {@code batch} independent matrix triples spaced by the given strides. */
    default void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, int strideA,
                             float[] b, int bOff, int ldb, int strideB,
                             float beta, float[] c, int cOff, int ldc, int strideC) {
        for (int p = 0; p < batch; p++) {
            gemm(transA, transB, m, n, k, alpha, a, aOff + p * strideA, lda, b, bOff + p * strideB, ldb,
                 beta, c, cOff + p * strideC, ldc);
        }
    }

    /** Element-wise functions with a derivative the engine differentiates through. */
    enum Unary {
        NEG, EXP, LOG, SIGMOID, TANH, RELU;

        /** f(x), evaluated in float64. */
        public double apply(double x) {
            return switch (this) {
                case NEG -> -x;
                case EXP -> Math.exp(x);
                case LOG -> Math.log(x);
                case SIGMOID -> 1 / (1 + Math.exp(-x));
                case TANH -> Math.tanh(x);
                case RELU -> x > 0 ? x : 0;
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
            };
        }
    }

    /** y[i] = f(x[i]); x and y may be the same array region. */
    void unary(Unary op, float[] x, int xOff, float[] y, int yOff, int n);

    /** gx[i] += gy[i]·f'(x[i]), where y = f(x) is given too (the derivative of exp, sigmoid, tanh uses it). */
    void unaryBackward(Unary op, float[] x, int xOff, float[] y, int yOff,
                       float[] gy, int gyOff, float[] gx, int gxOff, int n);

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

    /** out[i] = a[i] op b[i]. */
    void binary(Binary op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n);

    /** y[i] += alpha·x[i]. */
    void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    /** Row-wise softmax (or log-softmax when {@code log}) of a rows×cols matrix, max-shifted for stability. */
    void softmaxRows(boolean log, float[] x, int xOff, float[] y, int yOff, int rows, int cols);

    /**
     * Backward of {@link #softmaxRows} given its output y:
     * softmax: gx += y·(gy − Σ gy·y); log-softmax: gx += gy − exp(y)·Σ gy.
     */
    void softmaxRowsBackward(boolean log, float[] y, int yOff, float[] gy, int gyOff,
                             float[] gx, int gxOff, int rows, int cols);

    /**
     * Fused LSTM cell, PyTorch gate order (i, f, g, o) along each row of {@code gates} [batch, 4H].
     * On entry {@code gates} holds the pre-activations W_ih·x + b_ih + W_hh·h + b_hh; on exit their
     * activations σ(i), σ(f), tanh(g), σ(o) (kept for the backward pass). Writes
     * c = f⊙cPrev + i⊙g, tc = tanh(c) (kept for the backward pass) and h = o⊙tc, each [batch, H].
     */
    void lstmCellForward(int batch, int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                         float[] c, int cOff, float[] tc, int tcOff, float[] h, int hOff);

    /**
     * Backward of {@link #lstmCellForward}. Inputs: the activated gates, cPrev and tc = tanh(c) from the
     * forward pass, gh = ∂L/∂h and gc = ∂L/∂c (the gradient arriving from the next time step; may be null
     * for zero). Writes (not accumulates) dGates = ∂L/∂pre-activations [batch, 4H] and gcPrev = ∂L/∂cPrev.
     */
    void lstmCellBackward(int batch, int hidden, float[] acts, int aOff, float[] cPrev, int cpOff,
                          float[] tc, int tcOff, float[] gh, int ghOff, float[] gc, int gcOff,
                          float[] dGates, int dgOff, float[] gcPrev, int gcpOff);
}
