package zooscope.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * How a host backend spreads one large GEMM over the cores: the product is cut into blocks of {@link #ROWS}
 * rows of C (the last block takes the remainder), or, where C has too few rows for two blocks (an LSTM
 * step's [batch, 4H]), into blocks of a multiple of {@link #COLS} columns; a batched product into its batch
 * entries; the pieces run on a {@link Team} with one thread per core. Each element of C is computed by the same
 * kernel code path, with the same alignment and the same order over k as in one call, so the result has
 * the same bits for any number of threads (checked by a test). Small products, calls from inside the
 * team and calls from {@link #modelWorkers} threads (which already run one model per core) run on the
 * calling thread.
 */
final class ParallelGemm {
    /** Rows per block: a multiple of every row blocking and vector width in the kernels, and above the widths (16) where they change path. */
    static final int ROWS = 64;
    /** Columns per block unit: a multiple of every column tile in the kernels (4 vectors of 16 lanes). */
    static final int COLS = 64;
    /** Below this many multiply-adds a product is not worth splitting. */
    static final long MIN_WORK = 1 << 20;
    private static final Team TEAM = new Team(Integer.getInteger("zooscope.threads", Runtime.getRuntime().availableProcessors()));

    private ParallelGemm() {}

    /** Threads a split product (or forRows) runs on. */
    static int threads() { return TEAM.threads(); }

    static boolean serial(long work) {
        return TEAM.threads() < 2 || work < MIN_WORK || Team.onWorker() || Thread.currentThread() instanceof ModelWorker;
    }

    /** A thread that runs whole models side by side with others: its GEMMs are not split. */
    private static final class ModelWorker extends Thread {
        ModelWorker(Runnable r, String name) {
            super(r, name);
            setDaemon(true);
        }
    }

    /** Daemon threads for running one model each (see {@link Backends#modelWorkers}). */
    static ThreadFactory modelWorkers(String name) { return r -> new ModelWorker(r, name); }

    /** As {@link Backend#gemm}, in blocks of rows (or columns) of C, each by {@link HostBackend#gemmHere}. */
    static void gemm(HostBackend k, boolean transA, boolean transB, int m, int n, int kk, float alpha, Buffer a, int aOff, int lda,
                     Buffer b, int bOff, int ldb, float beta, Buffer c, int cOff, int ldc) {
        int blocks = m / ROWS;
        if (serial((long) m * n * kk) || (blocks < 2 && n < 2 * COLS)) {
            k.gemmHere(transA, transB, m, n, kk, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        List<Runnable> parts = new ArrayList<>();
        if (blocks >= 2) {
            // op(B) = Bᵀ (a linear map's x·Wᵀ) transposed once here, not by the kernel in every block (the kernels
            // transpose op(B) into scratch themselves): the same values reach the same kernel, so the same bits
            Buffer bt = transB ? k.allocate(kk * n) : b;
            if (transB) k.copy(new int[] {kk, n}, b, bOff, new int[] {1, ldb}, bt, 0, new int[] {n, 1});
            int btOff = transB ? 0 : bOff, ldbt = transB ? n : ldb;
            for (int i = 0; i < blocks; i++) {
                int r0 = i * ROWS, rows = i == blocks - 1 ? m - r0 : ROWS;
                int aAt = aOff + (transA ? r0 : r0 * lda);
                parts.add(() -> k.gemmHere(transA, false, rows, n, kk, alpha, a, aAt, lda, bt, btOff, ldbt, beta, c, cOff + r0 * ldc, ldc));
            }
        } else {
            // a few pieces per thread, each a whole number of COLS wide; the last takes the remainder
            int units = n / COLS, width = COLS * Math.max(1, units / (2 * TEAM.threads()));
            for (int j0 = 0; j0 < units * COLS; j0 += width) {
                int cols = j0 + width >= units * COLS ? n - j0 : width;
                int bAt = bOff + (transB ? j0 * ldb : j0), cAt = cOff + j0;
                parts.add(() -> k.gemmHere(transA, transB, m, cols, kk, alpha, a, aOff, lda, b, bAt, ldb, beta, c, cAt, ldc));
            }
        }
        TEAM.run(parts.size(), i -> parts.get(i).run());
    }

    /** As {@link Backend#gemmBatched}, one batch entry per task. */
    static void gemmBatched(HostBackend k, int batch, boolean transA, boolean transB, int m, int n, int kk, float alpha,
                            Buffer a, int aOff, int lda, int strideA, Buffer b, int bOff, int ldb, int strideB,
                            float beta, Buffer c, int cOff, int ldc, int strideC) {
        if (batch < 2 || serial((long) batch * m * n * kk)) {
            for (int p = 0; p < batch; p++) {
                k.gemmHere(transA, transB, m, n, kk, alpha, a, aOff + p * strideA, lda, b, bOff + p * strideB, ldb, beta, c, cOff + p * strideC, ldc);
            }
            return;
        }
        TEAM.run(batch, p -> k.gemmHere(transA, transB, m, n, kk, alpha, a, aOff + p * strideA, lda, b, bOff + p * strideB, ldb,
            beta, c, cOff + p * strideC, ldc));
    }

    /**
     * body(r) for r in [0, rows), in contiguous blocks over the same team where the work (element count) is
     * large: for row-independent host kernels other than GEMM (the quantiles' row sort, softmax rows, chunks of
     * element-wise work). Each row is done
     * whole by one thread, so the result does not depend on the split.
     */
    static void forRows(int rows, long work, java.util.function.IntConsumer body) {
        int blocks = Math.min(rows, 2 * TEAM.threads());
        if (blocks < 2 || serial(work)) {
            for (int r = 0; r < rows; r++) body.accept(r);
            return;
        }
        TEAM.run(blocks, i -> {
            int from = (int) ((long) rows * i / blocks), to = (int) ((long) rows * (i + 1) / blocks);
            for (int r = from; r < to; r++) body.accept(r);
        });
    }
}
