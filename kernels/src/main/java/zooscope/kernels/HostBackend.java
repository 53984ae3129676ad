package zooscope.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A backend whose buffers are Java arrays in this process: the scalar, vector and native backends. It
 * unwraps buffers to arrays and hands them to its kernels, the {@code float[]} methods below. The hot
 * kernels (GEMM, element-wise maps, softmax, the LSTM cell, axpy) are abstract: each host backend has
 * its own, tested against {@link ScalarBackend}'s. The other operations are written here once, as plain
 * loops that sum in float64 (the reference); where their inner loop is a contiguous run they call the
 * backend's own hot kernels, so a fast backend is fast there too.
 */
public abstract class HostBackend implements Backend {

    /** A buffer of a host backend: a Java array (and, made on first use, a heap segment of it for the C kernels). */
    static final class HostBuffer extends Buffer {
        final float[] array;
        private MemorySegment segment;

        HostBuffer(Backend owner, float[] array) {
            super(owner, array.length);
            this.array = array;
        }

        MemorySegment segment() {
            MemorySegment s = segment;
            if (s == null) segment = s = MemorySegment.ofArray(array); // a race makes two equal segments: harmless
            return s;
        }
    }

    /** b itself, after checking that this backend owns it. */
    final Buffer owned(Buffer b) {
        if (b.owner() != this) {
            throw new IllegalArgumentException("a " + b + " was passed to backend '" + name() + "': every operand must belong to the backend that runs the op");
        }
        return b;
    }

    /** The array behind a buffer of this backend (null for null). */
    protected final float[] array(Buffer b) { return b == null ? null : ((HostBuffer) owned(b)).array; }

    // ---------------------------------------------------------------- storage

    @Override public Buffer allocate(int n) { return new HostBuffer(this, new float[n]); }

    @Override public void copyIn(float[] src, int srcOff, Buffer dst, int dstOff, int n) { System.arraycopy(src, srcOff, array(dst), dstOff, n); }

    @Override public void copyOut(Buffer src, int srcOff, float[] dst, int dstOff, int n) { System.arraycopy(array(src), srcOff, dst, dstOff, n); }

    /** Host kernels finish before they return. */
    @Override public void sync() {}

    // ---------------------------------------------------------------- the hot kernels, on arrays

    /** {@link Backend#gemm} on arrays. */
    public abstract void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);

    /** {@link Backend#unary} on arrays. */
    public abstract void unary(Unary op, float[] x, int xOff, float[] y, int yOff, int n);

    /** {@link Backend#unaryBackward} on arrays. */
    public abstract void unaryBackward(Unary op, float[] x, int xOff, float[] y, int yOff, float[] gy, int gyOff, float[] gx, int gxOff, int n);

    /** out[i] = a[i] op b[i] on contiguous runs. */
    public abstract void binary(Binary op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n);

    /** {@link Backend#axpy} on arrays. */
    public abstract void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    /** {@link Backend#softmaxRows} on arrays. */
    public abstract void softmaxRows(boolean log, float[] x, int xOff, float[] y, int yOff, int rows, int cols);

    /** {@link Backend#softmaxRowsBackward} on arrays. */
    public abstract void softmaxRowsBackward(boolean log, float[] y, int yOff, float[] gy, int gyOff, float[] gx, int gxOff, int rows, int cols);

    /** {@link Backend#lstmCellForward} on arrays. */
    public abstract void lstmCellForward(int batch, int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                                         float[] c, int cOff, float[] tc, int tcOff, float[] h, int hOff);

    /** {@link Backend#lstmCellBackward} on arrays. */
    public abstract void lstmCellBackward(int batch, int hidden, float[] acts, int aOff, float[] cPrev, int cpOff,
                                          float[] tc, int tcOff, float[] gh, int ghOff, float[] gc, int gcOff,
                                          float[] dGates, int dgOff, float[] gcPrev, int gcpOff);

    // ---------------------------------------------------------------- the Backend methods: unwrap, call the kernel
    // (gemmHere, axpy and the LSTM cell may be overridden by a backend that reaches its buffers another way)

    /** Floating-point operations (2·m·n·k per product) of every GEMM the host backends ran: what {@code bench pretrain} reports as GFLOP/s. */
    private static final java.util.concurrent.atomic.LongAdder GEMM_FLOPS = new java.util.concurrent.atomic.LongAdder();

    /** The GEMM operations counted so far (all host backends, all threads). */
    public static long gemmFlops() { return GEMM_FLOPS.sum(); }

    /** Large products are split over the cores ({@link ParallelGemm}: same bits as one call). */
    @Override
    public final void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Buffer a, int aOff, int lda,
                           Buffer b, int bOff, int ldb, float beta, Buffer c, int cOff, int ldc) {
        GEMM_FLOPS.add(2L * m * n * k);
        ParallelGemm.gemm(this, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** One batch entry per task where the work is large. */
    @Override
    public final void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha,
                                  Buffer a, int aOff, int lda, int strideA, Buffer b, int bOff, int ldb, int strideB,
                                  float beta, Buffer c, int cOff, int ldc, int strideC) {
        GEMM_FLOPS.add(2L * batch * m * n * k);
        ParallelGemm.gemmBatched(this, batch, transA, transB, m, n, k, alpha, a, aOff, lda, strideA, b, bOff, ldb, strideB, beta, c, cOff, ldc, strideC);
    }

    /** One GEMM (or one piece of a split one) on the calling thread, never split (what the trainer's threads run; benchmarks). */
    public void gemmHere(boolean transA, boolean transB, int m, int n, int k, float alpha, Buffer a, int aOff, int lda,
                            Buffer b, int bOff, int ldb, float beta, Buffer c, int cOff, int ldc) {
        gemm(transA, transB, m, n, k, alpha, array(a), aOff, lda, array(b), bOff, ldb, beta, array(c), cOff, ldc);
    }

    @Override public void axpy(int n, float alpha, Buffer x, int xOff, Buffer y, int yOff) { axpy(n, alpha, array(x), xOff, array(y), yOff); }

    /** A range [from, from + count) of element-wise work. */
    private interface Range { void run(int from, int count); }

    /**
     * f over [0, n) in a few chunks spread over the cores where n is large (the transformer's [B·heads, 519, 519]
     * weights): each chunk a multiple of 64 elements (of every vector width) long, so that only the last one
     * ends in the scalar tail the whole range has in one call; every element takes the same path, the same bits.
     */
    private static void inChunks(int n, Range f) {
        int parts = 2 * ParallelGemm.threads(), chunk = Math.max(64, (n / parts + 63) / 64 * 64), blocks = (n + chunk - 1) / chunk;
        ParallelGemm.forRows(blocks, 4L * n, i -> f.run(i * chunk, Math.min(chunk, n - i * chunk)));
    }

    @Override
    public final void unary(Unary op, Buffer x, int xOff, Buffer y, int yOff, int n) {
        float[] a = array(x), b = array(y);
        inChunks(n, (from, count) -> unary(op, a, xOff + from, b, yOff + from, count));
    }

    @Override
    public final void unaryBackward(Unary op, Buffer x, int xOff, Buffer y, int yOff, Buffer gy, int gyOff, Buffer gx, int gxOff, int n) {
        float[] a = array(x), b = array(y), g = array(gy), ga = array(gx);
        inChunks(n, (from, count) -> unaryBackward(op, a, xOff + from, b, yOff + from, g, gyOff + from, ga, gxOff + from, count));
    }

    /** Rows over the cores where they are many (each row is computed alone: the same bits). */
    @Override
    public final void softmaxRows(boolean log, Buffer x, int xOff, Buffer y, int yOff, int rows, int cols) {
        float[] a = array(x), b = array(y);
        ParallelGemm.forRows(rows, 4L * rows * cols, r -> softmaxRows(log, a, xOff + r * cols, b, yOff + r * cols, 1, cols));
    }

    @Override
    public final void softmaxRowsBackward(boolean log, Buffer y, int yOff, Buffer gy, int gyOff, Buffer gx, int gxOff, int rows, int cols) {
        float[] a = array(y), g = array(gy), ga = array(gx);
        ParallelGemm.forRows(rows, 4L * rows * cols, r -> softmaxRowsBackward(log, a, yOff + r * cols, g, gyOff + r * cols, ga, gxOff + r * cols, 1, cols));
    }

    @Override
    public void lstmCellForward(int batch, int hidden, Buffer gates, int gOff, Buffer cPrev, int cpOff,
                                      Buffer c, int cOff, Buffer tc, int tcOff, Buffer h, int hOff) {
        lstmCellForward(batch, hidden, array(gates), gOff, array(cPrev), cpOff, array(c), cOff, array(tc), tcOff, array(h), hOff);
    }

    @Override
    public void lstmCellBackward(int batch, int hidden, Buffer acts, int aOff, Buffer cPrev, int cpOff,
                                       Buffer tc, int tcOff, Buffer gh, int ghOff, Buffer gc, int gcOff,
                                       Buffer dGates, int dgOff, Buffer gcPrev, int gcpOff) {
        lstmCellBackward(batch, hidden, array(acts), aOff, array(cPrev), cpOff, array(tc), tcOff, array(gh), ghOff,
            array(gc), gcOff, array(dGates), dgOff, array(gcPrev), gcpOff);
    }

    // ---------------------------------------------------------------- the other operations, once for every host backend

    @Override public final void fill(Buffer x, int off, int n, float value) { Arrays.fill(array(x), off, off + n, value); }

    /**
     * A row-major walk over the innermost runs (the last axis) of a strided index space, tracking where
     * each run starts in every operand: {@code for (Runs r = new Runs(...); r.more(); r.next())} reads
     * {@code r.pos[operand]}. A plain loop object rather than a callback, so the JIT keeps the per-run
     * work (often a short copy) inline.
     */
    private static final class Runs {
        final int[] pos;
        final int n;
        private final int[] shape, idx;
        private final int[][] strides;
        private boolean more;

        Runs(int[] shape, int[] offsets, int[]... strides) {
            this.shape = shape;
            this.strides = strides;
            pos = offsets;
            n = shape.length == 0 ? 1 : shape[shape.length - 1];
            idx = new int[Math.max(shape.length - 1, 0)];
            boolean empty = false;
            for (int d : shape) empty |= d == 0;
            more = !empty;
        }

        boolean more() { return more; }

        /** The start of the next run; {@link #more()} turns false after the last. */
        void next() {
            int d = idx.length - 1;
            for (; d >= 0; d--) {
                for (int o = 0; o < pos.length; o++) pos[o] += strides[o][d];
                if (++idx[d] < shape[d]) return;
                for (int o = 0; o < pos.length; o++) pos[o] -= strides[o][d] * shape[d];
                idx[d] = 0;
            }
            more = false;
        }

        /** Stride of the last axis in one operand (1 for a scalar). */
        int inner(int operand) { return strides[operand].length == 0 ? 1 : strides[operand][strides[operand].length - 1]; }
    }

    @Override
    public final void copy(int[] shape, Buffer src, int srcOff, int[] srcStrides, Buffer dst, int dstOff, int[] dstStrides) {
        float[] s = array(src), d = array(dst);
        if (shortBroadcast(shape, srcStrides, dstStrides)) {
            // a short run repeated over the axis before (a bias broadcast over rows): the filled part doubled each time
            int r2 = shape.length - 2, n = shape[r2 + 1], total = shape[r2] * n;
            for (Runs r = overLastTwoAxes(shape, srcOff, srcStrides, dstOff, dstStrides); r.more(); r.next()) {
                int dp = r.pos[1];
                System.arraycopy(s, r.pos[0], d, dp, n);
                for (int done = n; done < total; done *= 2) System.arraycopy(d, dp, d, dp + done, Math.min(done, total - done));
            }
            return;
        }
        Runs r = new Runs(shape, new int[] {srcOff, dstOff}, srcStrides, dstStrides);
        int n = r.n, ss = r.inner(0), ds = r.inner(1);
        for (; r.more(); r.next()) {
            int sp = r.pos[0], dp = r.pos[1];
            if (ss == 1 && ds == 1) System.arraycopy(s, sp, d, dp, n);
            else for (int i = 0; i < n; i++) d[dp + i * ds] = s[sp + i * ss];
        }
    }

    @Override
    public final void add(int[] shape, float alpha, Buffer src, int srcOff, int[] srcStrides, Buffer dst, int dstOff, int[] dstStrides) {
        float[] s = array(src), d = array(dst);
        if (shortBroadcast(shape, srcStrides, dstStrides) || shortBroadcast(shape, dstStrides, srcStrides)) {
            // runs of a few floats where one side repeats the same run over the next axis: the two last axes at once
            int r2 = shape.length - 2, n = shape[r2 + 1], m = shape[r2];
            boolean repeated = srcStrides[r2] == 0;
            for (Runs r = overLastTwoAxes(shape, srcOff, srcStrides, dstOff, dstStrides); r.more(); r.next()) {
                if (repeated) addRepeated(n, m, alpha, s, r.pos[0], d, r.pos[1]);
                else addRuns(n, m, alpha, s, r.pos[0], d, r.pos[1]);
            }
            return;
        }
        Runs r = new Runs(shape, new int[] {srcOff, dstOff}, srcStrides, dstStrides);
        int n = r.n, ss = r.inner(0), ds = r.inner(1);
        for (; r.more(); r.next()) {
            int sp = r.pos[0], dp = r.pos[1];
            if (ss == 1 && ds == 1) axpy(n, alpha, src, sp, dst, dp);
            else for (int i = 0; i < n; i++) d[dp + i * ds] = (float) (d[dp + i * ds] + (double) alpha * s[sp + i * ss]);
        }
    }

    /** Runs whose "run" is the last two axes of a source and a destination: each step starts a [shape[-2], shape[-1]] block. */
    private static Runs overLastTwoAxes(int[] shape, int srcOff, int[] srcStrides, int dstOff, int[] dstStrides) {
        int r = shape.length - 1;
        return new Runs(Arrays.copyOf(shape, r), new int[] {srcOff, dstOff}, Arrays.copyOf(srcStrides, r), Arrays.copyOf(dstStrides, r));
    }

    /** Below this a run is short: its per-run work costs more than its arithmetic (DWS's runs of 8 or 32 channels). */
    static final int SHORT_RUN = 64;

    /** The last axis is a short contiguous run in both operands, and {@code rep} repeats one run over the axis before, which {@code full} walks contiguously. */
    private static boolean shortBroadcast(int[] shape, int[] rep, int[] full) {
        int r = shape.length;
        return r >= 2 && shape[r - 1] > 0 && shape[r - 1] < SHORT_RUN && shape[r - 2] > 1 && rep[r - 1] == 1 && full[r - 1] == 1
            && rep[r - 2] == 0 && full[r - 2] == shape[r - 1];
    }

    /**
     * d[dp + i·n + j] += alpha·s[sp + j] for i < m, j < n, by {@link #axpy}'s rule per element (a short run
     * added to m consecutive runs: a broadcast's forward). Backends may do it in wider steps.
     */
    protected void addRepeated(int n, int m, float alpha, float[] s, int sp, float[] d, int dp) {
        for (int i = 0; i < m; i++) axpy(n, alpha, s, sp, d, dp + i * n);
    }

    /**
     * d[dp + j] += alpha·s[sp + i·n + j] for i = 0, 1, …, m − 1 in this order, j < n, by {@link #axpy}'s
     * rule per element (m consecutive short runs summed into one: a broadcast's backward).
     */
    protected void addRuns(int n, int m, float alpha, float[] s, int sp, float[] d, int dp) {
        for (int i = 0; i < m; i++) axpy(n, alpha, s, sp + i * n, d, dp);
    }

    @Override
    public final void binary(Binary op, int[] shape, Buffer a, int aOff, int[] aStrides, Buffer b, int bOff, int[] bStrides, Buffer out, int outOff) {
        float[] x = array(a), y = array(b), o = array(out);
        if (shape.length == 1 && aStrides[0] == 1 && bStrides[0] == 1) { // one contiguous run (same-shape operands)
            inChunks(shape[0], (from, count) -> binary(op, x, aOff + from, y, bOff + from, o, outOff + from, count));
            return;
        }
        Runs r = new Runs(shape, new int[] {aOff, bOff, outOff}, aStrides, bStrides, contiguousStrides(shape));
        int n = r.n, as = r.inner(0), bs = r.inner(1);
        for (; r.more(); r.next()) {
            int ap = r.pos[0], bp = r.pos[1], op0 = r.pos[2];
            if (as == 1 && bs == 1) binary(op, x, ap, y, bp, o, op0, n);
            else for (int i = 0; i < n; i++) o[op0 + i] = op.apply(x[ap + i * as], y[bp + i * bs]);
        }
    }

    private static int[] contiguousStrides(int[] shape) {
        int[] st = new int[shape.length];
        for (int d = shape.length - 1, s = 1; d >= 0; d--) { st[d] = s; s *= shape[d]; }
        return st;
    }

    @Override
    public final void gather(int outer, int len, int inner, int[] indices, Buffer src, int srcOff, Buffer dst, int dstOff) {
        float[] s = array(src), d = array(dst);
        int m = indices.length;
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < m; i++) System.arraycopy(s, srcOff + (o * len + indices[i]) * inner, d, dstOff + (o * m + i) * inner, inner);
        }
    }

    @Override
    public final void scatterAdd(int outer, int len, int inner, int[] indices, Buffer src, int srcOff, Buffer dst, int dstOff) {
        int m = indices.length;
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < m; i++) axpy(inner, 1f, src, srcOff + (o * m + i) * inner, dst, dstOff + (o * len + indices[i]) * inner);
        }
    }

    /**
     * One primitive sort of keys (value, index): the value's bits made monotone in its order (Float.compare's:
     * −0 before +0, NaN last) in the high half, the index in the low half, so that ties keep index order.
     */
    @Override
    public final int[] sortOrder(Buffer x, int off, int n) { return sortOrderOf(array(x), off, n); }

    /** {@link #sortOrder} of a host array (a device backend copies its values out and calls this). */
    public static int[] sortOrderOf(float[] a, int off, int n) {
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToIntBits(a[off + i]);
            bits ^= (bits >> 31) & 0x7fffffff; // negative floats: reverse their order
            keys[i] = (long) bits << 32 | i;
        }
        Arrays.sort(keys);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = (int) keys[i];
        return order;
    }

    @Override
    public final void sortRows(int rows, int n, Buffer x, int xOff, Buffer y, int yOff) {
        float[] a = array(x), b = array(y);
        // rows sorted side by side on the cores (a sort is ≈ n log n work: counted as 16 n per element)
        ParallelGemm.forRows(rows, 16L * rows * n, r -> {
            System.arraycopy(a, xOff + r * n, b, yOff + r * n, n);
            Arrays.sort(b, yOff + r * n, yOff + (r + 1) * n);
        });
    }

    @Override
    public final void affine(int n, float scale, float shift, Buffer x, int xOff, Buffer y, int yOff) {
        float[] s = array(x), d = array(y);
        for (int i = 0; i < n; i++) d[yOff + i] = scale * s[xOff + i] + shift;
    }

    @Override
    public final void reduce(Reduction kind, int outer, int reduced, int inner, Buffer x, int xOff, Buffer y, int yOff) {
        float[] a = array(x), out = array(y);
        double[] acc = new double[inner], mean = new double[inner];
        for (int o = 0; o < outer; o++) {
            int base = xOff + o * reduced * inner;
            sumRows(a, base, reduced, inner, acc, null);
            for (int j = 0; j < inner; j++) mean[j] = acc[j] / reduced;
            if (kind == Reduction.VAR) sumRows(a, base, reduced, inner, acc, mean);
            for (int j = 0; j < inner; j++) {
                out[yOff + o * inner + j] = (float) switch (kind) {
                    case SUM -> acc[j];
                    case MEAN -> mean[j];
                    case VAR -> acc[j] / (reduced - 1);
                };
            }
        }
    }

    /**
     * acc[j] = Σ_r x[r, j] (or Σ_r (x[r, j] − mean[j])² when mean is given) over a [reduced, inner] block, in
     * float64, summed over r in order. Backends may take several j at once, in the same order over r.
     */
    protected void sumRows(float[] x, int base, int reduced, int inner, double[] acc, double[] mean) {
        if (inner == 1) { // one contiguous run (a row's mean or variance)
            double a = 0, m = mean == null ? 0 : mean[0];
            if (mean == null) for (int r = 0; r < reduced; r++) a += x[base + r];
            else for (int r = 0; r < reduced; r++) { double d = x[base + r] - m; a += d * d; }
            acc[0] = a;
            return;
        }
        Arrays.fill(acc, 0);
        for (int r = 0; r < reduced; r++) {
            int row = base + r * inner;
            if (mean == null) for (int j = 0; j < inner; j++) acc[j] += x[row + j];
            else for (int j = 0; j < inner; j++) { double d = x[row + j] - mean[j]; acc[j] += d * d; }
        }
    }

    @Override
    public final void reduceBackward(Reduction kind, int outer, int reduced, int inner, Buffer x, int xOff, Buffer gy, int gyOff, Buffer gx, int gxOff) {
        float[] a = array(x), g = array(gy), ga = array(gx);
        double[] acc = new double[inner], mean = new double[inner];
        float[] add = new float[inner];
        for (int o = 0; o < outer; o++) {
            int base = xOff + o * reduced * inner;
            if (kind != Reduction.VAR) {
                // a sum's or mean's gradient is the same for every reduced row: formed once per column, the same bits
                for (int j = 0; j < inner; j++) {
                    double gi = g[gyOff + o * inner + j];
                    add[j] = (float) (kind == Reduction.SUM ? gi : gi / reduced);
                }
                addRepeated(inner, reduced, 1f, add, 0, ga, gxOff + o * reduced * inner); // an fma by 1: the float sum, as before
                continue;
            }
            sumRows(a, base, reduced, inner, acc, null);
            for (int j = 0; j < inner; j++) mean[j] = acc[j] / reduced;
            for (int r = 0; r < reduced; r++) {
                for (int j = 0; j < inner; j++) {
                    double gi = g[gyOff + o * inner + j];
                    int i = (o * reduced + r) * inner + j;
                    ga[gxOff + i] += (float) (gi * 2 * (a[xOff + i] - mean[j]) / (reduced - 1));
                }
            }
        }
    }

    @Override
    public final double sumSquares(Buffer x, int off, int n) {
        float[] a = array(x);
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) a[off + i] * a[off + i];
        return s;
    }

    @Override
    public final double nllRows(Buffer logp, int off, int rows, int cols, int[] targets) {
        float[] lp = array(logp);
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t < 0 || t >= cols) throw new IllegalArgumentException("target " + t + " at row " + r + " outside [0, " + cols + ")");
            loss -= lp[off + r * cols + t];
        }
        return loss;
    }

    @Override
    public final void nllRowsBackward(Buffer logp, int off, int rows, int cols, int[] targets, float scale, Buffer g, int gOff, boolean accumulate) {
        float[] lp = array(logp), ga = array(g);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int i = r * cols + j;
                float v = ((float) Math.exp(lp[off + i]) - (j == targets[r] ? 1f : 0f)) * scale;
                if (accumulate) ga[gOff + i] += v;
                else ga[gOff + i] = v;
            }
        }
    }

    @Override
    public final void layerNormRows(int rows, int cols, double eps, Buffer x, int xOff, Buffer w, int wOff, Buffer b, int bOff,
                                    Buffer out, int outOff, Buffer xhat, Buffer rstd) {
        float[] xa = array(x), wa = array(w), ba = array(b), oa = array(out), ha = array(xhat), ra = array(rstd);
        for (int r = 0; r < rows; r++) {
            int o = xOff + r * cols;
            double mean = 0, var = 0;
            for (int j = 0; j < cols; j++) mean += xa[o + j];
            mean /= cols;
            for (int j = 0; j < cols; j++) { double d = xa[o + j] - mean; var += d * d; }
            var /= cols;
            ra[r] = (float) (1 / Math.sqrt(var + eps));
            for (int j = 0; j < cols; j++) {
                float h = (float) ((xa[o + j] - mean) * ra[r]);
                ha[r * cols + j] = h;
                oa[outOff + r * cols + j] = h * (wa == null ? 1f : wa[wOff + j]) + (ba == null ? 0f : ba[bOff + j]);
            }
        }
    }

    @Override
    public final void layerNormRowsBackward(int rows, int cols, Buffer g, int gOff, Buffer w, int wOff, Buffer xhat, Buffer rstd,
                                            Buffer gx, int gxOff, Buffer gw, int gwOff, Buffer gb, int gbOff) {
        float[] ga = array(g), wa = array(w), ha = array(xhat), ra = array(rstd), gxa = array(gx), gwa = array(gw), gba = array(gb);
        for (int r = 0; r < rows; r++) {
            double sumG = 0, sumGx = 0;
            for (int j = 0; j < cols; j++) {
                int i = r * cols + j;
                float gi = ga[gOff + i];
                double gh = gi * (wa == null ? 1f : wa[wOff + j]);
                sumG += gh;
                sumGx += gh * ha[i];
                if (gwa != null) gwa[gwOff + j] += gi * ha[i];
                if (gba != null) gba[gbOff + j] += gi;
            }
            if (gxa == null) continue;
            for (int j = 0; j < cols; j++) {
                int i = r * cols + j;
                double gh = ga[gOff + i] * (wa == null ? 1f : wa[wOff + j]);
                gxa[gxOff + i] += (float) (ra[r] * (gh - sumG / cols - ha[i] * sumGx / cols));
            }
        }
    }

    @Override
    public final void l2NormalizeRows(int rows, int cols, double eps, Buffer x, int xOff, Buffer out, int outOff, Buffer norms) {
        float[] xa = array(x), oa = array(out), na = array(norms);
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < cols; j++) { double v = xa[xOff + r * cols + j]; s += v * v; }
            na[r] = (float) Math.max(Math.sqrt(s), eps);
            for (int j = 0; j < cols; j++) oa[outOff + r * cols + j] = xa[xOff + r * cols + j] / na[r];
        }
    }

    @Override
    public final void l2NormalizeRowsBackward(int rows, int cols, double eps, Buffer g, int gOff, Buffer out, int outOff, Buffer norms, Buffer gx, int gxOff) {
        float[] ga = array(g), oa = array(out), na = array(norms), gxa = array(gx);
        for (int r = 0; r < rows; r++) {
            boolean clamped = na[r] == (float) eps;
            double dot = 0;
            for (int j = 0; j < cols; j++) dot += ga[gOff + r * cols + j] * oa[outOff + r * cols + j];
            for (int j = 0; j < cols; j++) {
                int i = r * cols + j;
                gxa[gxOff + i] += (float) (clamped ? ga[gOff + i] / na[r] : (ga[gOff + i] - oa[outOff + i] * dot) / na[r]);
            }
        }
    }

    @Override
    public final void adamW(int n, Buffer w, int wOff, Buffer g, int gOff, Buffer m, Buffer v, int mOff,
                            long step, double lr, double beta1, double beta2, double eps, double weightDecay) {
        float[] wa = array(w), ga = array(g), ma = array(m), va = array(v);
        float decay = (float) (1 - lr * weightDecay), b1 = (float) beta1, b2 = (float) beta2;
        float c1 = (float) (1 - beta1), c2 = (float) (1 - beta2);
        double bc1 = 1 - Math.pow(beta1, step), bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = (float) (lr / bc1), bc2s = (float) bc2Sqrt, e = (float) eps;
        for (int i = 0; i < n; i++) {
            float gi = ga[gOff + i];
            wa[wOff + i] *= decay;
            ma[mOff + i] = ma[mOff + i] * b1 + c1 * gi;
            va[mOff + i] = va[mOff + i] * b2 + c2 * gi * gi;
            float denom = (float) Math.sqrt(va[mOff + i]) / bc2s + e;
            wa[wOff + i] += -stepSize * (ma[mOff + i] / denom);
        }
    }

    @Override
    public final void adamWGroups(int groups, int n, Buffer w, int wOff, Buffer g, int gOff, Buffer m, Buffer v, int mOff,
                                  long[] steps, double[] lr, double beta1, double beta2, double eps, double[] weightDecay) {
        for (int j = 0; j < groups; j++) {
            adamW(n, w, wOff + j * n, g, gOff + j * n, m, v, mOff + j * n, steps[j], lr[j], beta1, beta2, eps, weightDecay[j]);
        }
    }

    @Override
    public final void sgd(int n, Buffer w, int wOff, Buffer g, int gOff, Buffer momentumBuf, boolean first,
                          double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        float[] wa = array(w), ga = array(g), buf = array(momentumBuf);
        float mu = (float) momentum, damp = (float) (1 - dampening), wd = (float) weightDecay, rate = (float) lr;
        for (int i = 0; i < n; i++) {
            float d = ga[gOff + i] + wd * wa[wOff + i];
            if (momentum != 0) {
                float b = first ? d : mu * buf[i] + damp * d;
                buf[i] = b;
                d = nesterov ? d + mu * b : b;
            }
            wa[wOff + i] -= rate * d;
        }
    }
}
