package zooscope.kernels.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;
import zooscope.kernels.HostBackend;

/**
 * The {@link Backend} on a {@link Device}: buffers in device memory, GEMMs by cuBLAS, every other op one
 * kernel of {@code native/src/main/cuda/kernels.cu} (one thread per output element or row, sums in the
 * scalar reference's order and precision). Index arrays (gather indices, targets) are copied in per call;
 * the three methods that return host values copy a small result out. Calls are serialised (one stream;
 * the trainer's model threads take turns).
 *
 * <p>Lifetime: a buffer's device memory comes back after the buffer becomes unreachable (a {@link Cleaner}
 * queues its address; the next allocation, on the calling thread, keeps it in a cache of free blocks by
 * size and reuses it for the next buffer of that size). Device memory does not press on the Java heap,
 * so when live and cached bytes would pass {@link #softLimit} or the device is full, an allocation first
 * asks the GC to find dead buffers (as direct byte buffers do), gives the cache back, then retries.
 */
public final class CudaBackend implements Backend {
    private static final Cleaner CLEANER = Cleaner.create();
    private static volatile Optional<CudaBackend> gpu;
    private static volatile String reason = "not tried yet";

    private final Device device;
    private final String name;
    private final ConcurrentLinkedQueue<long[]> dead = new ConcurrentLinkedQueue<>();
    private final AtomicLong liveBytes = new AtomicLong();
    /** Free device blocks kept for reuse, by size in bytes, and their total. */
    private final Map<Long, ArrayDeque<Long>> cache = new HashMap<>();
    private long cachedBytes;
    private final long softLimit;
    /** Scratch device memory for per-call index arrays and partial results (one stream: reused call after call). */
    private long scratch;
    private long scratchBytes;

    /** A buffer in device memory. */
    static final class DeviceBuffer extends Buffer {
        final long address;

        DeviceBuffer(Backend owner, int length, long address) {
            super(owner, length);
            this.address = address;
        }
    }

    /** A backend on {@code device}, named {@code name}, asking the GC for dead buffers past {@code softLimit} live and cached bytes. */
    public CudaBackend(Device device, String name, long softLimit) {
        this.device = device;
        this.name = name;
        this.softLimit = softLimit;
    }

    /** The GPU backend (device 0), made once per process; empty where there is no usable GPU ({@link #unavailableReason()}). */
    public static Optional<CudaBackend> load() {
        if (gpu == null) {
            synchronized (CudaBackend.class) {
                if (gpu == null) {
                    try {
                        CudaDevice d = CudaDevice.open(Boolean.getBoolean("zooscope.cuda.tf32"));
                        long[] mem = d.memoryInfo();
                        gpu = Optional.of(new CudaBackend(d, "cuda", (long) (0.8 * mem[1])));
                        reason = "loaded: " + d.describe();
                    } catch (IllegalStateException | CudaException e) {
                        reason = e.getMessage();
                        gpu = Optional.empty();
                    } catch (Throwable e) { // a GPU that cannot be used means: no GPU backend, never a failed start
                        reason = "cannot use CUDA: " + e;
                        gpu = Optional.empty();
                    }
                }
            }
        }
        return gpu;
    }

    /** Why {@link #load()} is empty (or "loaded: " and the device). */
    public static String unavailableReason() {
        load();
        return reason;
    }

    @Override public String name() { return name; }

    public Device device() { return device; }

    /** Bytes held by buffers not yet found unreachable (for leak checks). */
    public long liveBytes() { return liveBytes.get(); }

    /** Bytes of free blocks kept for reuse. */
    public synchronized long cachedBytes() { return cachedBytes; }

    // ---------------------------------------------------------------- storage

    private long address(Buffer b, int off) {
        if (b == null) return 0;
        if (b.owner() != this) throw new IllegalArgumentException("a " + b + " was passed to backend '" + name + "': every operand must belong to the backend that runs the op");
        return ((DeviceBuffer) b).address + 4L * off;
    }

    private Device.Ptr ptr(Buffer b, int off) { return new Device.Ptr(address(b, off)); }

    private Device.Ptr ptr(Buffer b) { return ptr(b, 0); }

    /** Moves the memory of buffers found unreachable into the cache of free blocks. */
    private void reclaimDead() {
        for (long[] d; (d = dead.poll()) != null; ) {
            cache.computeIfAbsent(d[1], b -> new ArrayDeque<>()).push(d[0]);
            liveBytes.addAndGet(-d[1]);
            cachedBytes += d[1];
        }
    }

    /** A cached free block of exactly {@code bytes}, or 0. */
    private long takeCached(long bytes) {
        ArrayDeque<Long> blocks = cache.get(bytes);
        if (blocks == null || blocks.isEmpty()) return 0;
        cachedBytes -= bytes;
        return blocks.pop();
    }

    /** Gives every cached block back to the device. */
    private void releaseCache() {
        for (var e : cache.entrySet()) for (long a : e.getValue()) device.free(a);
        cache.clear();
        cachedBytes = 0;
    }

    /**
     * A block of {@code bytes}: from the cache (the same size freed earlier: autodiff allocates the same
     * shapes every step, and a device allocation costs far more than reuse), else from the device; when
     * past the soft limit or out of memory, after asking the GC for dead buffers and releasing the cache.
     */
    private long block(long bytes) {
        reclaimDead();
        long address = takeCached(bytes);
        if (address != 0) return address;
        if (liveBytes.get() + cachedBytes + bytes > softLimit) {
            collect(1);
            if ((address = takeCached(bytes)) != 0) return address;
            releaseCache();
        }
        address = device.tryAllocate(bytes);
        for (int attempt = 1; address == 0 && attempt <= 5; attempt++) {
            collect(attempt);
            if ((address = takeCached(bytes)) != 0) return address;
            releaseCache();
            address = device.tryAllocate(bytes);
        }
        return address;
    }

    @Override
    public synchronized Buffer allocate(int n) {
        long bytes = (4L * Math.max(n, 1) + 255) & ~255L; // 256-byte granules, so that near sizes share cached blocks
        long address = block(bytes);
        if (address == 0) throw new CudaException("out of device memory: " + bytes + " bytes wanted, " + liveBytes.get() + " held by live buffers (" + device.describe() + ")");
        liveBytes.addAndGet(bytes);
        DeviceBuffer b = new DeviceBuffer(this, n, address);
        if (n > 0) launch("fill", n, ptr(b, 0), 0f); // a new buffer is zero, a reused block too
        long[] record = {address, bytes};
        CLEANER.register(b, () -> dead.add(record));
        return b;
    }

    /** Asks the GC for unreachable buffers, gives their cleaners a moment, reclaims what they queued. */
    private void collect(int attempt) {
        System.gc();
        try {
            Thread.sleep(5L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reclaimDead();
    }

    @Override
    public synchronized void copyIn(float[] src, int srcOff, Buffer dst, int dstOff, int n) {
        if (n > 0) device.copyIn(MemorySegment.ofArray(src).asSlice(4L * srcOff, 4L * n), address(dst, dstOff), 4L * n);
    }

    @Override
    public synchronized void copyOut(Buffer src, int srcOff, float[] dst, int dstOff, int n) {
        if (n > 0) device.copyOut(address(src, srcOff), MemorySegment.ofArray(dst).asSlice(4L * dstOff, 4L * n), 4L * n);
    }

    @Override public synchronized void sync() { device.sync(); }

    /** Scratch of at least {@code bytes}, grown when needed (a growth waits for the work using the old one). */
    private long scratch(long bytes) {
        if (bytes > scratchBytes) {
            if (scratch != 0) { device.sync(); device.free(scratch); }
            scratchBytes = Math.max(bytes, 2 * scratchBytes);
            scratch = device.tryAllocate(scratchBytes);
            if (scratch == 0) throw new CudaException("out of device memory for " + scratchBytes + " bytes of scratch (" + device.describe() + ")");
        }
        return scratch;
    }

    /** The int array copied into scratch at byte offset {@code at}. */
    private Device.Ptr ints(int[] values, long at) {
        long base = scratch(at + 4L * values.length) + at;
        if (values.length > 0) device.copyIn(MemorySegment.ofArray(values), base, 4L * values.length);
        return new Device.Ptr(base);
    }

    private void launch(String kernel, int n, Object... args) { if (n > 0) device.launch(kernel, n, args); }

    // ---------------------------------------------------------------- data movement

    @Override public synchronized void fill(Buffer x, int off, int n, float value) { launch("fill", n, ptr(x, off), value); }

    @Override
    public synchronized void copy(int[] shape, Buffer src, int srcOff, int[] srcStrides, Buffer dst, int dstOff, int[] dstStrides) {
        Dims d = new Dims(shape, srcStrides, dstStrides);
        launch("copy", d.size(), d, ptr(src, srcOff), ptr(dst, dstOff));
    }

    /** One thread per destination: the axes with a destination stride of 0 are summed inside it, in row-major order. */
    @Override
    public synchronized void add(int[] shape, float alpha, Buffer src, int srcOff, int[] srcStrides, Buffer dst, int dstOff, int[] dstStrides) {
        int r = shape.length, kept = 0;
        for (int s : dstStrides) if (s != 0) kept++;
        int[] ks = new int[kept], ka = new int[kept], kb = new int[kept], ss = new int[r - kept], sa = new int[r - kept];
        for (int d = 0, k = 0, s = 0; d < r; d++) {
            if (dstStrides[d] != 0) { ks[k] = shape[d]; ka[k] = srcStrides[d]; kb[k++] = dstStrides[d]; }
            else { ss[s] = shape[d]; sa[s++] = srcStrides[d]; }
        }
        Dims keep = new Dims(ks, ka, kb), sum = new Dims(ss, sa, new int[ss.length]);
        if (sum.size() == 0) return;
        launch("add", keep.size(), keep, sum, sum.size(), alpha, ptr(src, srcOff), ptr(dst, dstOff));
    }

    @Override
    public synchronized void gather(int outer, int len, int inner, int[] indices, Buffer src, int srcOff, Buffer dst, int dstOff) {
        launch("gather", outer * indices.length * inner, len, indices.length, inner, ints(indices, 0), ptr(src, srcOff), ptr(dst, dstOff));
    }

    @Override
    public synchronized void scatterAdd(int outer, int len, int inner, int[] indices, Buffer src, int srcOff, Buffer dst, int dstOff) {
        launch("scatter_add", outer * len * inner, len, indices.length, inner, ints(indices, 0), ptr(src, srcOff), ptr(dst, dstOff));
    }

    /** On the host: the order is a host value anyway, and sorting keys there is the reference's own code. */
    @Override
    public synchronized int[] sortOrder(Buffer x, int off, int n) {
        float[] host = new float[n];
        copyOut(x, off, host, 0, n);
        return HostBackend.sortOrderOf(host, 0, n);
    }

    @Override
    public synchronized void sortRows(int rows, int n, Buffer x, int xOff, Buffer y, int yOff) {
        launch("sort_rows", rows, n, ptr(x, xOff), ptr(y, yOff));
    }

    // ---------------------------------------------------------------- dense algebra

    /** Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: the operands swap, the leading dimensions stay. */
    @Override
    public synchronized void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Buffer a, int aOff, int lda,
                                  Buffer b, int bOff, int ldb, float beta, Buffer c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        device.gemmStridedBatched(transB, transA, n, m, k, alpha, address(b, bOff), ldb, 0, address(a, aOff), lda, 0, beta, address(c, cOff), ldc, 0, 1);
    }

    @Override
    public synchronized void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha,
                                         Buffer a, int aOff, int lda, int strideA, Buffer b, int bOff, int ldb, int strideB,
                                         float beta, Buffer c, int cOff, int ldc, int strideC) {
        if (m == 0 || n == 0 || batch == 0) return;
        device.gemmStridedBatched(transB, transA, n, m, k, alpha, address(b, bOff), ldb, strideB, address(a, aOff), lda, strideA,
            beta, address(c, cOff), ldc, strideC, batch);
    }

    @Override public synchronized void axpy(int n, float alpha, Buffer x, int xOff, Buffer y, int yOff) { launch("axpy", n, alpha, ptr(x, xOff), ptr(y, yOff)); }

    // ---------------------------------------------------------------- element-wise

    @Override public synchronized void unary(Unary op, Buffer x, int xOff, Buffer y, int yOff, int n) { launch("unary", n, op.ordinal(), ptr(x, xOff), ptr(y, yOff)); }

    @Override
    public synchronized void unaryBackward(Unary op, Buffer x, int xOff, Buffer y, int yOff, Buffer gy, int gyOff, Buffer gx, int gxOff, int n) {
        launch("unary_backward", n, op.ordinal(), ptr(x, xOff), ptr(y, yOff), ptr(gy, gyOff), ptr(gx, gxOff));
    }

    @Override
    public synchronized void affine(int n, float scale, float shift, Buffer x, int xOff, Buffer y, int yOff) {
        launch("affine", n, scale, shift, ptr(x, xOff), ptr(y, yOff));
    }

    @Override
    public synchronized void binary(Binary op, int[] shape, Buffer a, int aOff, int[] aStrides, Buffer b, int bOff, int[] bStrides, Buffer out, int outOff) {
        Dims d = new Dims(shape, aStrides, bStrides);
        launch("binary", d.size(), op.ordinal(), d, ptr(a, aOff), ptr(b, bOff), ptr(out, outOff));
    }

    // ---------------------------------------------------------------- reductions

    /** Rows per chunk of a long column (see kernels.cu, column_partials). */
    private static final int COLUMN_CHUNK = 1024;

    /**
     * The float64 sums of the outer·inner columns of x [outer, reduced, inner] into {@code totals} (device
     * doubles), of squared deviations from {@code sums}/reduced when {@code sums} is not 0; chunk partials
     * go to {@code part} (outer·inner·chunks doubles).
     */
    private void columnTotals(int outer, int reduced, int inner, Buffer x, int xOff, long sums, long part, long totals) {
        int columns = outer * inner, chunks = (reduced + COLUMN_CHUNK - 1) / COLUMN_CHUNK;
        launch("column_partials", columns * chunks, reduced, inner, chunks, COLUMN_CHUNK, ptr(x, xOff), new Device.Ptr(sums), new Device.Ptr(part));
        launch("column_totals", columns, chunks, new Device.Ptr(part), new Device.Ptr(totals));
    }

    /** Scratch for columnTotals: {sums, squares, partials} addresses. */
    private long[] columnScratch(int outer, int reduced, int inner) {
        long columns = (long) outer * inner, chunks = (reduced + COLUMN_CHUNK - 1) / COLUMN_CHUNK;
        long at = scratch(8 * (2 * columns + columns * chunks));
        return new long[] {at, at + 8 * columns, at + 16 * columns};
    }

    /** One thread per column where there are many or they are short; else columns split into chunks. */
    @Override
    public synchronized void reduce(Reduction kind, int outer, int reduced, int inner, Buffer x, int xOff, Buffer y, int yOff) {
        if (reduced <= COLUMN_CHUNK || outer * inner >= 4096) {
            launch("reduce", outer * inner, kind.ordinal(), reduced, inner, ptr(x, xOff), ptr(y, yOff));
            return;
        }
        long[] s = columnScratch(outer, reduced, inner);
        columnTotals(outer, reduced, inner, x, xOff, 0, s[2], s[0]);
        if (kind == Reduction.VAR) columnTotals(outer, reduced, inner, x, xOff, s[0], s[2], s[1]);
        launch("reduce_result", outer * inner, kind.ordinal(), reduced, new Device.Ptr(s[0]), new Device.Ptr(s[1]), ptr(y, yOff));
    }

    /** One thread per element of x; VAR first takes its columns' sums (for the means). */
    @Override
    public synchronized void reduceBackward(Reduction kind, int outer, int reduced, int inner, Buffer x, int xOff, Buffer gy, int gyOff, Buffer gx, int gxOff) {
        long sums = 0;
        if (kind == Reduction.VAR) {
            long[] s = columnScratch(outer, reduced, inner);
            columnTotals(outer, reduced, inner, x, xOff, 0, s[2], s[0]);
            sums = s[0];
        }
        launch("reduce_backward", outer * reduced * inner, kind.ordinal(), reduced, inner, ptr(x, xOff), ptr(gy, gyOff), new Device.Ptr(sums), ptr(gx, gxOff));
    }

    private static final int SUM_CHUNK = 4096;

    /** Partial float64 sums of chunks on the device, their sum on the host. */
    @Override
    public synchronized double sumSquares(Buffer x, int off, int n) {
        if (n == 0) return 0;
        int parts = (n + SUM_CHUNK - 1) / SUM_CHUNK;
        long at = scratch(8L * parts);
        launch("sum_squares", parts, SUM_CHUNK, n, ptr(x, off), new Device.Ptr(at));
        double[] host = new double[parts];
        device.copyOut(at, MemorySegment.ofArray(host), 8L * parts);
        double s = 0;
        for (double p : host) s += p;
        return s;
    }

    // ---------------------------------------------------------------- row-wise functions and losses

    @Override
    public synchronized void softmaxRows(boolean log, Buffer x, int xOff, Buffer y, int yOff, int rows, int cols) {
        launch("softmax_rows", rows, log ? 1 : 0, cols, ptr(x, xOff), ptr(y, yOff));
    }

    @Override
    public synchronized void softmaxRowsBackward(boolean log, Buffer y, int yOff, Buffer gy, int gyOff, Buffer gx, int gxOff, int rows, int cols) {
        launch("softmax_rows_backward", rows, log ? 1 : 0, cols, ptr(y, yOff), ptr(gy, gyOff), ptr(gx, gxOff));
    }

    private static void checkTargets(int[] targets, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            if (targets[r] < 0 || targets[r] >= cols) throw new IllegalArgumentException("target " + targets[r] + " at row " + r + " outside [0, " + cols + ")");
        }
    }

    /** The picked log-probabilities come to the host, summed there in float64 in row order (as the reference). */
    @Override
    public synchronized double nllRows(Buffer logp, int off, int rows, int cols, int[] targets) {
        checkTargets(targets, rows, cols);
        if (rows == 0) return 0;
        long picked = scratch(8L * rows) + 4L * rows;
        launch("nll_pick", rows, cols, ptr(logp, off), ints(Arrays.copyOf(targets, rows), 0), new Device.Ptr(picked));
        float[] host = new float[rows];
        device.copyOut(picked, MemorySegment.ofArray(host), 4L * rows);
        double loss = 0;
        for (float v : host) loss -= v;
        return loss;
    }

    @Override
    public synchronized void nllRowsBackward(Buffer logp, int off, int rows, int cols, int[] targets, float scale, Buffer g, int gOff, boolean accumulate) {
        checkTargets(targets, rows, cols);
        launch("nll_backward", rows * cols, cols, scale, accumulate ? 1 : 0, ptr(logp, off), ints(Arrays.copyOf(targets, rows), 0), ptr(g, gOff));
    }

    @Override
    public synchronized void layerNormRows(int rows, int cols, double eps, Buffer x, int xOff, Buffer w, int wOff, Buffer b, int bOff,
                                           Buffer out, int outOff, Buffer xhat, Buffer rstd) {
        launch("layer_norm", rows, cols, eps, ptr(x, xOff), ptr(w, wOff), ptr(b, bOff), ptr(out, outOff), ptr(xhat), ptr(rstd));
    }

    @Override
    public synchronized void layerNormRowsBackward(int rows, int cols, Buffer g, int gOff, Buffer w, int wOff, Buffer xhat, Buffer rstd,
                                                   Buffer gx, int gxOff, Buffer gw, int gwOff, Buffer gb, int gbOff) {
        if (gx != null) launch("layer_norm_backward_x", rows, cols, ptr(g, gOff), ptr(w, wOff), ptr(xhat), ptr(rstd), ptr(gx, gxOff));
        if (gw != null || gb != null) launch("layer_norm_backward_wb", cols, rows, cols, ptr(g, gOff), ptr(xhat), ptr(gw, gwOff), ptr(gb, gbOff));
    }

    @Override
    public synchronized void l2NormalizeRows(int rows, int cols, double eps, Buffer x, int xOff, Buffer out, int outOff, Buffer norms) {
        launch("l2_normalize", rows, cols, eps, ptr(x, xOff), ptr(out, outOff), ptr(norms));
    }

    @Override
    public synchronized void l2NormalizeRowsBackward(int rows, int cols, double eps, Buffer g, int gOff, Buffer out, int outOff, Buffer norms, Buffer gx, int gxOff) {
        launch("l2_normalize_backward", rows, cols, (float) eps, ptr(g, gOff), ptr(out, outOff), ptr(norms), ptr(gx, gxOff));
    }

    // ---------------------------------------------------------------- LSTM and optimiser

    @Override
    public synchronized void lstmCellForward(int batch, int hidden, Buffer gates, int gOff, Buffer cPrev, int cpOff,
                                             Buffer c, int cOff, Buffer tc, int tcOff, Buffer h, int hOff) {
        launch("lstm_cell_forward", batch * hidden, hidden, ptr(gates, gOff), ptr(cPrev, cpOff), ptr(c, cOff), ptr(tc, tcOff), ptr(h, hOff));
    }

    @Override
    public synchronized void lstmCellBackward(int batch, int hidden, Buffer acts, int aOff, Buffer cPrev, int cpOff,
                                              Buffer tc, int tcOff, Buffer gh, int ghOff, Buffer gc, int gcOff,
                                              Buffer dGates, int dgOff, Buffer gcPrev, int gcpOff) {
        launch("lstm_cell_backward", batch * hidden, hidden, ptr(acts, aOff), ptr(cPrev, cpOff), ptr(tc, tcOff), ptr(gh, ghOff),
            ptr(gc, gcOff), ptr(dGates, dgOff), ptr(gcPrev, gcpOff));
    }

    /**
     * A step's three scalars (decay 1 − lr·λ, step size lr / (1 − β1^t), √(1 − β2^t)) into out[at..at+3),
     * computed in float64 on the host exactly as the reference computes them.
     */
    private static void stepScalars(float[] out, int at, long step, double lr, double weightDecay, double beta1, double beta2) {
        out[at] = (float) (1 - lr * weightDecay);
        out[at + 1] = (float) (lr / (1 - Math.pow(beta1, step)));
        out[at + 2] = (float) Math.sqrt(1 - Math.pow(beta2, step));
    }

    @Override
    public synchronized void adamW(int n, Buffer w, int wOff, Buffer g, int gOff, Buffer m, Buffer v, int mOff,
                                   long step, double lr, double beta1, double beta2, double eps, double weightDecay) {
        float[] s = new float[3];
        stepScalars(s, 0, step, lr, weightDecay, beta1, beta2);
        launch("adamw", n, s[0], (float) beta1, (float) beta2, (float) (1 - beta1), (float) (1 - beta2), s[1], s[2], (float) eps,
            ptr(w, wOff), ptr(g, gOff), ptr(m, mOff), ptr(v, mOff));
    }

    /** Each group's step scalars copied to the device; one launch for all groups. */
    @Override
    public synchronized void adamWGroups(int groups, int n, Buffer w, int wOff, Buffer g, int gOff, Buffer m, Buffer v, int mOff,
                                         long[] steps, double[] lr, double beta1, double beta2, double eps, double[] weightDecay) {
        float[] scalars = new float[3 * groups];
        for (int j = 0; j < groups; j++) stepScalars(scalars, 3 * j, steps[j], lr[j], weightDecay[j], beta1, beta2);
        long at = scratch(4L * scalars.length);
        if (groups > 0) device.copyIn(MemorySegment.ofArray(scalars), at, 4L * scalars.length);
        launch("adamw_groups", groups * n, n, (float) beta1, (float) beta2, (float) (1 - beta1), (float) (1 - beta2), (float) eps,
            new Device.Ptr(at), ptr(w, wOff), ptr(g, gOff), ptr(m, mOff), ptr(v, mOff));
    }

    @Override
    public synchronized void sgd(int n, Buffer w, int wOff, Buffer g, int gOff, Buffer momentumBuf, boolean first,
                                 double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        launch("sgd", n, (float) lr, (float) momentum, (float) (1 - dampening), (float) weightDecay, momentum != 0 ? 1 : 0, first ? 1 : 0,
            nesterov ? 1 : 0, ptr(w, wOff), ptr(g, gOff), ptr(momentumBuf));
    }
}
