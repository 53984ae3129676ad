package zooscope.kernels;

/**
 * The reference: plain loops, every sum and every transcendental function evaluated in float64, the
 * result rounded once to float32. Slow and obviously right; fast backends are tested against it.
 */
public final class ScalarBackend extends HostBackend {

    @Override public String name() { return "scalar"; }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc += av * bv;
                }
                int ci = cOff + i * ldc + j;
                double old = beta == 0 ? 0 : (double) beta * c[ci];
                c[ci] = (float) (alpha * acc + old);
            }
        }
    }

    @Override
    public void unary(Unary op, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = (float) op.apply(x[xOff + i]);
    }

    @Override
    public void unaryBackward(Unary op, float[] x, int xOff, float[] y, int yOff,
                              float[] gy, int gyOff, float[] gx, int gxOff, int n) {
        for (int i = 0; i < n; i++) {
            double d = op.derivative(x[xOff + i], y[yOff + i]);
            gx[gxOff + i] = (float) (gx[gxOff + i] + gy[gyOff + i] * d);
        }
    }

    @Override
    public void binary(Binary op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) out[outOff + i] = op.apply(a[aOff + i], b[bOff + i]);
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) y[yOff + i] = (float) (y[yOff + i] + (double) alpha * x[xOff + i]);
    }

    @Override
    public void softmaxRows(boolean log, float[] x, int xOff, float[] y, int yOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int xo = xOff + r * cols, yo = yOff + r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) max = Math.max(max, x[xo + j]);
            double z = 0;
            for (int j = 0; j < cols; j++) z += Math.exp(x[xo + j] - max);
            double logZ = Math.log(z);
            for (int j = 0; j < cols; j++) {
                double s = x[xo + j] - max;
                y[yo + j] = (float) (log ? s - logZ : Math.exp(s) / z);
            }
        }
    }

    @Override
    public void softmaxRowsBackward(boolean log, float[] y, int yOff, float[] gy, int gyOff,
                                    float[] gx, int gxOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int yo = yOff + r * cols, go = gyOff + r * cols, xo = gxOff + r * cols;
            double s = 0;
            for (int j = 0; j < cols; j++) s += log ? gy[go + j] : (double) gy[go + j] * y[yo + j];
            for (int j = 0; j < cols; j++) {
                double d = log ? gy[go + j] - Math.exp(y[yo + j]) * s : y[yo + j] * (gy[go + j] - s);
                gx[xo + j] = (float) (gx[xo + j] + d);
            }
        }
    }

    @Override
    public void lstmCellForward(int batch, int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                                float[] c, int cOff, float[] tc, int tcOff, float[] h, int hOff) {
        for (int b = 0; b < batch; b++) {
            int g0 = gOff + b * 4 * hidden;
            for (int j = 0; j < hidden; j++) {
                double i = sigmoid(gates[g0 + j]);
                double f = sigmoid(gates[g0 + hidden + j]);
                double g = Math.tanh(gates[g0 + 2 * hidden + j]);
                double o = sigmoid(gates[g0 + 3 * hidden + j]);
                gates[g0 + j] = (float) i;
                gates[g0 + hidden + j] = (float) f;
                gates[g0 + 2 * hidden + j] = (float) g;
                gates[g0 + 3 * hidden + j] = (float) o;
                double cv = f * cPrev[cpOff + b * hidden + j] + i * g;
                double t = Math.tanh(cv);
                c[cOff + b * hidden + j] = (float) cv;
                tc[tcOff + b * hidden + j] = (float) t;
                h[hOff + b * hidden + j] = (float) (o * t);
            }
        }
    }

    @Override
    public void lstmCellBackward(int batch, int hidden, float[] acts, int aOff, float[] cPrev, int cpOff,
                                 float[] tc, int tcOff, float[] gh, int ghOff, float[] gc, int gcOff,
                                 float[] dGates, int dgOff, float[] gcPrev, int gcpOff) {
        for (int b = 0; b < batch; b++) {
            int a0 = aOff + b * 4 * hidden, d0 = dgOff + b * 4 * hidden;
            for (int j = 0; j < hidden; j++) {
                double i = acts[a0 + j], f = acts[a0 + hidden + j];
                double g = acts[a0 + 2 * hidden + j], o = acts[a0 + 3 * hidden + j];
                double t = tc[tcOff + b * hidden + j];
                double dh = gh[ghOff + b * hidden + j];
                double dc = (gc == null ? 0 : gc[gcOff + b * hidden + j]) + dh * o * (1 - t * t);
                dGates[d0 + j] = (float) (dc * g * i * (1 - i));
                dGates[d0 + hidden + j] = (float) (dc * cPrev[cpOff + b * hidden + j] * f * (1 - f));
                dGates[d0 + 2 * hidden + j] = (float) (dc * i * (1 - g * g));
                dGates[d0 + 3 * hidden + j] = (float) (dh * t * o * (1 - o));
                gcPrev[gcpOff + b * hidden + j] = (float) (dc * f);
            }
        }
    }

    private static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }
}
