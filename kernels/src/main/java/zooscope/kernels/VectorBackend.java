package zooscope.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels with the Vector API at the platform's preferred width (512-bit on AVX-512), each loop
 * with a scalar tail. Results differ from {@link ScalarBackend} only by float32 rounding (FMA, lane-wise
 * summation order, the vector exp/tanh); tests bound the difference.
 *
 * <p><b>Determinism.</b> Only operations with one correctly rounded result are used on vectors (add,
 * mul, div, fma, min/max, compares, integer shifts), so a kernel gives the same bits whether the JIT
 * has compiled it or not. The Vector API's own transcendental ops ({@code lanewise(EXP)}, {@code TANH},
 * {@code LOG}) and float {@code reduceLanes(ADD)} do not have that property (the intrinsic and the
 * Java fallback round differently or sum in another order): exp and tanh are computed here from
 * polynomials (Cephes' expf/tanhf), log element by element with {@link Math#log}, and lane sums in
 * lane order.
 */
public final class VectorBackend extends HostBackend {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int V = S.length();

    /** Per-thread scratch (transposed B, transposed C), grown on demand: no allocation once warm. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    @Override public String name() { return "vector"; }

    /** Lane count of the species in use, for reports. */
    public static int lanes() { return V; }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        if (beta != 1f) {
            for (int i = 0; i < m; i++) {
                int r = cOff + i * ldc;
                if (beta == 0f) java.util.Arrays.fill(c, r, r + n, 0f);
                else for (int j = 0; j < n; j++) c[r + j] *= beta;
            }
        }
        if (alpha == 0f || k == 0 || m == 0 || n == 0) return;
        float[][] scratch = SCRATCH.get();
        if (n < V && m > n) {
            // Too narrow for a vector along n: compute Cᵀ = op(B)ᵀ·op(A)ᵀ, vectorised along m, then add it in.
            if (scratch[1].length < m * n) scratch[1] = new float[m * n];
            float[] ct = scratch[1];
            java.util.Arrays.fill(ct, 0, m * n, 0f);
            gemm(!transB, !transA, n, m, k, 1f, b, bOff, ldb, a, aOff, lda, 1f, ct, 0, m);
            for (int i = 0; i < m; i++) {
                int r = cOff + i * ldc;
                for (int j = 0; j < n; j++) c[r + j] = Math.fma(alpha, ct[j * m + i], c[r + j]);
            }
            return;
        }
        if (transB) { // B stored n×k: make a row-major k×n copy (B is loaded as vectors along n)
            scratch[0] = transpose(b, bOff, ldb, n, k, scratch[0]);
            b = scratch[0]; bOff = 0; ldb = n;
        }
        // A is only read element by element (broadcast): a transposed A is just other strides
        gemmNN(m, n, k, alpha, a, aOff, transA ? 1 : lda, transA ? lda : 1, b, bOff, ldb, c, cOff, ldc);
    }

    /** dst (cols×rows) = transpose of src (rows×cols, row stride ld). */
    private static float[] transpose(float[] src, int off, int ld, int rows, int cols, float[] dst) {
        if (dst.length < rows * cols) dst = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            int s = off + r * ld;
            for (int q = 0; q < cols; q++) dst[q * rows + r] = src[s + q];
        }
        return dst;
    }

    /**
     * C += alpha·A·B, B k×n and C row-major, A's element (i, p) at a[aOff + i·sai + p·sap]. Blocks of 4
     * rows × 4 vectors of C (16 independent FMA chains, 4 loads and 4 broadcasts per 16 FMAs) stay in
     * registers while k streams; column remainders take 4×2 and 4×1 blocks, row remainders one row at a time.
     */
    private static void gemmNN(int m, int n, int k, float alpha, float[] a, int aOff, int sai, int sap,
                               float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int nv = S.loopBound(n);
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int a0 = aOff + i * sai, a1 = a0 + sai, a2 = a1 + sai, a3 = a2 + sai;
            int j = 0;
            for (; j + 4 * V <= nv; j += 4 * V) {
                FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00,
                            c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
                for (int p = 0; p < k; p++) {
                    int bp = bOff + p * ldb + j;
                    FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + V),
                                b2 = FloatVector.fromArray(S, b, bp + 2 * V), b3 = FloatVector.fromArray(S, b, bp + 3 * V);
                    FloatVector x = FloatVector.broadcast(S, a[a0 + p * sap]);
                    c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02); c03 = b3.fma(x, c03);
                    x = FloatVector.broadcast(S, a[a1 + p * sap]);
                    c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12); c13 = b3.fma(x, c13);
                    x = FloatVector.broadcast(S, a[a2 + p * sap]);
                    c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22); c23 = b3.fma(x, c23);
                    x = FloatVector.broadcast(S, a[a3 + p * sap]);
                    c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32); c33 = b3.fma(x, c33);
                }
                int r = cOff + i * ldc + j;
                store(c, r, c00, alpha); store(c, r + V, c01, alpha); store(c, r + 2 * V, c02, alpha); store(c, r + 3 * V, c03, alpha); r += ldc;
                store(c, r, c10, alpha); store(c, r + V, c11, alpha); store(c, r + 2 * V, c12, alpha); store(c, r + 3 * V, c13, alpha); r += ldc;
                store(c, r, c20, alpha); store(c, r + V, c21, alpha); store(c, r + 2 * V, c22, alpha); store(c, r + 3 * V, c23, alpha); r += ldc;
                store(c, r, c30, alpha); store(c, r + V, c31, alpha); store(c, r + 2 * V, c32, alpha); store(c, r + 3 * V, c33, alpha);
            }
            for (; j + 2 * V <= nv; j += 2 * V) {
                FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00,
                            c20 = c00, c21 = c00, c30 = c00, c31 = c00;
                for (int p = 0; p < k; p++) {
                    int bp = bOff + p * ldb + j;
                    FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + V);
                    FloatVector x0 = FloatVector.broadcast(S, a[a0 + p * sap]);
                    c00 = b0.fma(x0, c00); c01 = b1.fma(x0, c01);
                    FloatVector x1 = FloatVector.broadcast(S, a[a1 + p * sap]);
                    c10 = b0.fma(x1, c10); c11 = b1.fma(x1, c11);
                    FloatVector x2 = FloatVector.broadcast(S, a[a2 + p * sap]);
                    c20 = b0.fma(x2, c20); c21 = b1.fma(x2, c21);
                    FloatVector x3 = FloatVector.broadcast(S, a[a3 + p * sap]);
                    c30 = b0.fma(x3, c30); c31 = b1.fma(x3, c31);
                }
                int r = cOff + i * ldc + j;
                store(c, r, c00, alpha); store(c, r + V, c01, alpha); r += ldc;
                store(c, r, c10, alpha); store(c, r + V, c11, alpha); r += ldc;
                store(c, r, c20, alpha); store(c, r + V, c21, alpha); r += ldc;
                store(c, r, c30, alpha); store(c, r + V, c31, alpha);
            }
            for (; j < nv; j += V) {
                FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
                for (int p = 0; p < k; p++) {
                    FloatVector bv = FloatVector.fromArray(S, b, bOff + p * ldb + j);
                    c0 = bv.fma(FloatVector.broadcast(S, a[a0 + p * sap]), c0);
                    c1 = bv.fma(FloatVector.broadcast(S, a[a1 + p * sap]), c1);
                    c2 = bv.fma(FloatVector.broadcast(S, a[a2 + p * sap]), c2);
                    c3 = bv.fma(FloatVector.broadcast(S, a[a3 + p * sap]), c3);
                }
                int r = cOff + i * ldc + j;
                store(c, r, c0, alpha); store(c, r + ldc, c1, alpha);
                store(c, r + 2 * ldc, c2, alpha); store(c, r + 3 * ldc, c3, alpha);
            }
            for (int row = i; row < i + 4; row++) scalarTail(row, nv, n, k, alpha, a, aOff, sai, sap, b, bOff, ldb, c, cOff, ldc);
        }
        for (; i < m; i++) {
            int a0 = aOff + i * sai;
            for (int j = 0; j < nv; j += V) {
                FloatVector c0 = FloatVector.zero(S);
                for (int p = 0; p < k; p++) {
                    c0 = FloatVector.fromArray(S, b, bOff + p * ldb + j).fma(FloatVector.broadcast(S, a[a0 + p * sap]), c0);
                }
                store(c, cOff + i * ldc + j, c0, alpha);
            }
            scalarTail(i, nv, n, k, alpha, a, aOff, sai, sap, b, bOff, ldb, c, cOff, ldc);
        }
    }

    private static void store(float[] c, int at, FloatVector acc, float alpha) {
        FloatVector old = FloatVector.fromArray(S, c, at);
        (alpha == 1f ? acc.add(old) : acc.fma(FloatVector.broadcast(S, alpha), old)).intoArray(c, at);
    }

    private static void scalarTail(int i, int from, int n, int k, float alpha, float[] a, int aOff, int sai, int sap,
                                   float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        for (int j = from; j < n; j++) {
            float acc = 0;
            for (int p = 0; p < k; p++) acc = Math.fma(a[aOff + i * sai + p * sap], b[bOff + p * ldb + j], acc);
            c[cOff + i * ldc + j] = Math.fma(alpha, acc, c[cOff + i * ldc + j]);
        }
    }

    @Override
    public void unary(Unary op, float[] x, int xOff, float[] y, int yOff, int n) {
        if (op == Unary.LOG || op == Unary.SOFTPLUS) { // not hot paths; Math.log is the same in every JIT tier
            for (int i = 0; i < n; i++) y[yOff + i] = (float) op.apply(x[xOff + i]);
            return;
        }
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += V) {
            apply(op, FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = (float) op.apply(x[xOff + i]);
    }

    private static FloatVector apply(Unary op, FloatVector v) {
        return switch (op) {
            case NEG -> v.neg();
            case EXP -> exp(v);
            case LOG, SOFTPLUS -> throw new AssertionError(op + " is computed element-wise");
            case SIGMOID -> sigmoid(v);
            case TANH -> tanh(v);
            case RELU -> v.max(0f);
        };
    }

    private static FloatVector sigmoid(FloatVector v) {
        return FloatVector.broadcast(S, 1f).div(expSaturating(v.neg()).add(1f));
    }

    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** 1.5·2²³: adding and subtracting it rounds a float of magnitude below 2²² to the nearest integer. */
    private static final float ROUND = 12582912f;
    private static final float EXP_MAX = 88.7228391f, EXP_MIN = -87.3365448f;

    /**
     * e^x: x = n·ln2 + r with |r| ≤ ln2/2, e^r by Cephes' degree-6 polynomial (≈1 ulp), times 2ⁿ built in
     * the exponent bits. Above 88.72 gives +∞, below −87.34 gives 0 (no subnormal results), NaN stays NaN.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector y = expSaturating(x);
        y = y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_MAX));
        y = y.blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
        return y.blend(x, x.test(VectorOperators.IS_NAN));
    }

    /**
     * e^x for x clamped to [−87.34, 88.72]: saturates at about 1.2e−38 and 3.4e38 instead of 0 and +∞,
     * which is all sigmoid and tanh need (1/(1 + 3.4e38) and 2/(3.4e38 + 1) are 0 to float precision).
     */
    private static FloatVector expSaturating(FloatVector x) {
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector n = xc.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        FloatVector scale = ((jdk.incubator.vector.IntVector) n.convert(VectorOperators.F2I, 0))
            .add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(scale);
    }

    /**
     * tanh(x) as Cephes' tanhf: an odd polynomial for |x| < 0.625, else sign(x)·(1 − 2/(e^{2|x|} + 1)).
     */
    static FloatVector tanh(FloatVector x) {
        FloatVector z = x.abs();
        FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(expSaturating(z.add(z)).add(1f)));
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma(-5.70498872745e-3f, 2.06390887954e-2f);
        p = p.fma(x2, FloatVector.broadcast(S, -5.37397155531e-2f));
        p = p.fma(x2, FloatVector.broadcast(S, 1.33314422036e-1f));
        p = p.fma(x2, FloatVector.broadcast(S, -3.33332819422e-1f));
        FloatVector small = p.mul(x2).fma(x, x);
        return small.blend(big, z.compare(VectorOperators.GE, 0.625f));
    }

    /** Σ of the lanes in lane order (float reduceLanes(ADD) may sum in another order once compiled). */
    static float sumLanes(FloatVector v) {
        float s = 0;
        for (int i = 0; i < V; i++) s += v.lane(i);
        return s;
    }

    @Override
    public void unaryBackward(Unary op, float[] x, int xOff, float[] y, int yOff,
                              float[] gy, int gyOff, float[] gx, int gxOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += V) {
            FloatVector g = FloatVector.fromArray(S, gy, gyOff + i);
            FloatVector d = switch (op) {
                case NEG -> g.neg();
                case EXP -> g.mul(FloatVector.fromArray(S, y, yOff + i));
                case LOG -> g.div(FloatVector.fromArray(S, x, xOff + i));
                case SIGMOID -> { FloatVector yv = FloatVector.fromArray(S, y, yOff + i); yield g.mul(yv.mul(yv.neg().add(1f))); }
                case TANH -> { FloatVector yv = FloatVector.fromArray(S, y, yOff + i); yield g.mul(oneMinusSquare(yv)); }
                case SOFTPLUS -> g.mul(sigmoid(FloatVector.fromArray(S, x, xOff + i)));
                case RELU -> {
                    VectorMask<Float> pos = FloatVector.fromArray(S, x, xOff + i).compare(VectorOperators.GT, 0f);
                    yield FloatVector.zero(S).blend(g, pos);
                }
            };
            d.add(FloatVector.fromArray(S, gx, gxOff + i)).intoArray(gx, gxOff + i);
        }
        for (; i < n; i++) {
            gx[gxOff + i] += (float) (gy[gyOff + i] * op.derivative(x[xOff + i], y[yOff + i]));
        }
    }

    @Override
    public void binary(Binary op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += V) {
            FloatVector x = FloatVector.fromArray(S, a, aOff + i), y = FloatVector.fromArray(S, b, bOff + i);
            FloatVector r = switch (op) {
                case ADD -> x.add(y);
                case SUB -> x.sub(y);
                case MUL -> x.mul(y);
                case DIV -> x.div(y);
            };
            r.intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] = op.apply(a[aOff + i], b[bOff + i]);
    }

    /** Float64 lanes per vector, and the float species of as many lanes that widen to them. */
    private static final VectorSpecies<Double> SD = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> SF = VectorSpecies.of(float.class, VectorShape.forBitSize(SD.vectorBitSize() / 2));

    /** The plain sums SD.length() columns at a time (the last chunk masked), each column in float64 over r in order: the same bits as one at a time. */
    @Override
    protected void sumRows(float[] x, int base, int reduced, int inner, double[] acc, double[] mean) {
        if (mean != null || inner == 1) { super.sumRows(x, base, reduced, inner, acc, mean); return; }
        int D = SD.length();
        for (int j = 0; j < inner; j += D) {
            DoubleVector a = DoubleVector.zero(SD);
            if (j + D <= inner) {
                for (int r = 0, at = base + j; r < reduced; r++, at += inner) a = a.add(FloatVector.fromArray(SF, x, at).convertShape(VectorOperators.F2D, SD, 0));
                a.intoArray(acc, j);
            } else { // the columns left over: masked lanes read 0 and are not stored
                VectorMask<Float> fm = SF.indexInRange(j, inner);
                for (int r = 0, at = base + j; r < reduced; r++, at += inner) a = a.add(FloatVector.fromArray(SF, x, at, fm).convertShape(VectorOperators.F2D, SD, 0));
                a.intoArray(acc, j, SD.indexInRange(j, inner));
            }
        }
    }

    /**
     * A vector holding V / n copies of the run where n divides V; else each run a vector at a time, the last
     * masked. Each element by one fma, as {@link #axpy}.
     */
    @Override
    protected void addRepeated(int n, int m, float alpha, float[] s, int sp, float[] d, int dp) {
        FloatVector a = FloatVector.broadcast(S, alpha);
        if (V % n == 0) {
            float[] rep = new float[V];
            for (int j = 0; j < V; j++) rep[j] = s[sp + j % n];
            FloatVector x = FloatVector.fromArray(S, rep, 0);
            int total = m * n, i = 0;
            for (int bound = S.loopBound(total); i < bound; i += V) x.fma(a, FloatVector.fromArray(S, d, dp + i)).intoArray(d, dp + i);
            for (; i < total; i++) d[dp + i] = Math.fma(alpha, s[sp + i % n], d[dp + i]);
            return;
        }
        int full = S.loopBound(n);
        VectorMask<Float> last = S.indexInRange(full, n);
        for (int i = 0, at = dp; i < m; i++, at += n) {
            for (int j = 0; j < full; j += V) FloatVector.fromArray(S, s, sp + j).fma(a, FloatVector.fromArray(S, d, at + j)).intoArray(d, at + j);
            if (full < n) FloatVector.fromArray(S, s, sp + full, last).fma(a, FloatVector.fromArray(S, d, at + full, last)).intoArray(d, at + full, last);
        }
    }

    /** A vector of the sum at a time (the last masked) accumulates the runs in order. Each element by one fma per run, as {@link #axpy}. */
    @Override
    protected void addRuns(int n, int m, float alpha, float[] s, int sp, float[] d, int dp) {
        FloatVector a = FloatVector.broadcast(S, alpha);
        for (int j = 0; j < n; j += V) {
            VectorMask<Float> k = S.indexInRange(j, n);
            FloatVector acc = FloatVector.fromArray(S, d, dp + j, k);
            for (int i = 0, at = sp + j; i < m; i++, at += n) acc = FloatVector.fromArray(S, s, at, k).fma(a, acc);
            acc.intoArray(d, dp + j, k);
        }
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        FloatVector a = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += V) {
            FloatVector.fromArray(S, x, xOff + i).fma(a, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }

    /** Σ x[i] (for the softmax backward). */
    private static double sum(float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += V) acc = acc.add(FloatVector.fromArray(S, x, xOff + i));
        double s = sumLanes(acc);
        for (; i < n; i++) s += x[xOff + i];
        return s;
    }

    /** Σ a[i]·b[i] (for the softmax backward). */
    private static double dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += V) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        double s = sumLanes(acc);
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    @Override
    public void softmaxRows(boolean log, float[] x, int xOff, float[] y, int yOff, int rows, int cols) {
        int bound = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int xo = xOff + r * cols, yo = yOff + r * cols;
            float max = Float.NEGATIVE_INFINITY;
            int j = 0;
            if (bound > 0) {
                FloatVector mv = FloatVector.fromArray(S, x, xo);
                for (j = V; j < bound; j += V) mv = mv.max(FloatVector.fromArray(S, x, xo + j));
                max = mv.reduceLanes(VectorOperators.MAX);
            }
            for (; j < cols; j++) max = Math.max(max, x[xo + j]);
            // y = exp(x - max), z = Σ y
            FloatVector zv = FloatVector.zero(S);
            for (j = 0; j < bound; j += V) {
                FloatVector e = exp(FloatVector.fromArray(S, x, xo + j).sub(max));
                e.intoArray(y, yo + j);
                zv = zv.add(e);
            }
            float z = bound > 0 ? sumLanes(zv) : 0f;
            for (; j < cols; j++) { float e = (float) Math.exp(x[xo + j] - max); y[yo + j] = e; z += e; }
            if (log) {
                float shift = max + (float) Math.log(z);
                for (j = 0; j < bound; j += V) FloatVector.fromArray(S, x, xo + j).sub(shift).intoArray(y, yo + j);
                for (; j < cols; j++) y[yo + j] = x[xo + j] - shift;
            } else {
                float inv = 1f / z;
                for (j = 0; j < bound; j += V) FloatVector.fromArray(S, y, yo + j).mul(inv).intoArray(y, yo + j);
                for (; j < cols; j++) y[yo + j] *= inv;
            }
        }
    }

    @Override
    public void softmaxRowsBackward(boolean log, float[] y, int yOff, float[] gy, int gyOff,
                                    float[] gx, int gxOff, int rows, int cols) {
        int bound = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int yo = yOff + r * cols, go = gyOff + r * cols, xo = gxOff + r * cols;
            float s = (float) (log ? sum(gy, go, cols) : dot(gy, go, y, yo, cols));
            int j = 0;
            for (; j < bound; j += V) {
                FloatVector yv = FloatVector.fromArray(S, y, yo + j), g = FloatVector.fromArray(S, gy, go + j);
                FloatVector d = log ? g.sub(exp(yv).mul(s)) : yv.mul(g.sub(s));
                d.add(FloatVector.fromArray(S, gx, xo + j)).intoArray(gx, xo + j);
            }
            for (; j < cols; j++) {
                gx[xo + j] += log ? gy[go + j] - (float) Math.exp(y[yo + j]) * s : y[yo + j] * (gy[go + j] - s);
            }
        }
    }

    @Override
    public void lstmCellForward(int batch, int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                                float[] c, int cOff, float[] tc, int tcOff, float[] h, int hOff) {
        int bound = S.loopBound(hidden);
        for (int b = 0; b < batch; b++) {
            int gi = gOff + b * 4 * hidden, gf = gi + hidden, gg = gf + hidden, go = gg + hidden;
            int cp = cpOff + b * hidden, co = cOff + b * hidden, to = tcOff + b * hidden, ho = hOff + b * hidden;
            int j = 0;
            for (; j < bound; j += V) {
                FloatVector i = sigmoid(FloatVector.fromArray(S, gates, gi + j));
                FloatVector f = sigmoid(FloatVector.fromArray(S, gates, gf + j));
                FloatVector g = tanh(FloatVector.fromArray(S, gates, gg + j));
                FloatVector o = sigmoid(FloatVector.fromArray(S, gates, go + j));
                i.intoArray(gates, gi + j); f.intoArray(gates, gf + j);
                g.intoArray(gates, gg + j); o.intoArray(gates, go + j);
                FloatVector cv = f.fma(FloatVector.fromArray(S, cPrev, cp + j), i.mul(g));
                cv.intoArray(c, co + j);
                FloatVector t = tanh(cv);
                t.intoArray(tc, to + j);
                o.mul(t).intoArray(h, ho + j);
            }
            for (; j < hidden; j++) {
                float i = sigmoid(gates[gi + j]), f = sigmoid(gates[gf + j]);
                float g = (float) Math.tanh(gates[gg + j]), o = sigmoid(gates[go + j]);
                gates[gi + j] = i; gates[gf + j] = f; gates[gg + j] = g; gates[go + j] = o;
                float cv = Math.fma(f, cPrev[cp + j], i * g);
                float t = (float) Math.tanh(cv);
                c[co + j] = cv;
                tc[to + j] = t;
                h[ho + j] = o * t;
            }
        }
    }

    /** 1 − v², the derivative of tanh expressed through its output. */
    private static FloatVector oneMinusSquare(FloatVector v) { return v.mul(v).neg().add(1f); }

    private static float sigmoid(float x) { return (float) (1 / (1 + Math.exp(-x))); }

    @Override
    public void lstmCellBackward(int batch, int hidden, float[] acts, int aOff, float[] cPrev, int cpOff,
                                 float[] tc, int tcOff, float[] gh, int ghOff, float[] gc, int gcOff,
                                 float[] dGates, int dgOff, float[] gcPrev, int gcpOff) {
        int bound = S.loopBound(hidden);
        for (int b = 0; b < batch; b++) {
            int ai = aOff + b * 4 * hidden, di = dgOff + b * 4 * hidden;
            int hb = b * hidden;
            int j = 0;
            for (; j < bound; j += V) {
                FloatVector i = FloatVector.fromArray(S, acts, ai + j);
                FloatVector f = FloatVector.fromArray(S, acts, ai + hidden + j);
                FloatVector g = FloatVector.fromArray(S, acts, ai + 2 * hidden + j);
                FloatVector o = FloatVector.fromArray(S, acts, ai + 3 * hidden + j);
                FloatVector t = FloatVector.fromArray(S, tc, tcOff + hb + j);
                FloatVector dh = FloatVector.fromArray(S, gh, ghOff + hb + j);
                FloatVector dc = dh.mul(o).mul(oneMinusSquare(t));
                if (gc != null) dc = dc.add(FloatVector.fromArray(S, gc, gcOff + hb + j));
                dc.mul(g).mul(i.mul(i.neg().add(1f))).intoArray(dGates, di + j);
                dc.mul(FloatVector.fromArray(S, cPrev, cpOff + hb + j)).mul(f.mul(f.neg().add(1f))).intoArray(dGates, di + hidden + j);
                dc.mul(i).mul(oneMinusSquare(g)).intoArray(dGates, di + 2 * hidden + j);
                dh.mul(t).mul(o.mul(o.neg().add(1f))).intoArray(dGates, di + 3 * hidden + j);
                dc.mul(f).intoArray(gcPrev, gcpOff + hb + j);
            }
            for (; j < hidden; j++) {
                float i = acts[ai + j], f = acts[ai + hidden + j], g = acts[ai + 2 * hidden + j], o = acts[ai + 3 * hidden + j];
                float t = tc[tcOff + hb + j];
                float dh = gh[ghOff + hb + j];
                float dc = dh * o * (1 - t * t) + (gc == null ? 0f : gc[gcOff + hb + j]);
                dGates[di + j] = dc * g * (i * (1 - i));
                dGates[di + hidden + j] = dc * cPrev[cpOff + hb + j] * (f * (1 - f));
                dGates[di + 2 * hidden + j] = dc * i * (1 - g * g);
                dGates[di + 3 * hidden + j] = dh * t * (o * (1 - o));
                gcPrev[gcpOff + hb + j] = dc * f;
            }
        }
    }
}
