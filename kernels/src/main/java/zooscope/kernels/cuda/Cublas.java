package zooscope.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * FFM bindings to cuBLAS 13 ({@code libcublas.so.13}): a handle on the legacy default stream and the
 * strided-batched SGEMM, in FP32 or with TF32 tensor cores ({@code GemmEx} with
 * {@code CUBLAS_COMPUTE_32F_FAST_TF32}). Column-major, as cuBLAS is; {@link CudaDevice} maps row-major
 * calls onto it. Every status is checked ({@code cublasGetStatusString} names it).
 */
final class Cublas {
    static final int OP_N = 0, OP_T = 1, CUDA_R_32F = 0, COMPUTE_32F = 68, COMPUTE_32F_FAST_TF32 = 77, GEMM_DEFAULT = -1;

    private final MethodHandle create, sgemmStridedBatched, gemmStridedBatchedEx, statusString;
    private final MemorySegment handle;

    private Cublas(SymbolLookup lib) {
        Native n = new Native("libcublas.so.13", lib);
        create = n.status("cublasCreate_v2", ADDRESS);
        sgemmStridedBatched = n.status("cublasSgemmStridedBatched", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
        gemmStridedBatchedEx = n.status("cublasGemmStridedBatchedEx", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT,
            JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT);
        statusString = n.handle("cublasGetStatusString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ADDRESS);
            check("cublasCreate_v2", CudaDriver.raw(() -> (int) create.invokeExact(h)));
            handle = h.get(ADDRESS, 0);
        }
    }

    /**
     * cuBLAS from {@code -Dcublas.lib}, {@code $CUBLAS_LIB}, {@code /usr/local/cuda/lib64/libcublas.so.13}, else
     * {@code libcublas.so.13} by name; a handle is created at once (the CUDA context must be current).
     */
    static Cublas open() {
        String path = System.getProperty("cublas.lib", System.getenv("CUBLAS_LIB"));
        if (path == null && Files.exists(Path.of("/usr/local/cuda/lib64/libcublas.so.13"))) path = "/usr/local/cuda/lib64/libcublas.so.13";
        SymbolLookup lib = path != null ? SymbolLookup.libraryLookup(Path.of(path), Arena.global()) : SymbolLookup.libraryLookup("libcublas.so.13", Arena.global());
        return new Cublas(lib);
    }

    private void check(String call, int status) {
        if (status == 0) return;
        String text;
        try {
            text = ((MemorySegment) statusString.invokeExact(status)).reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable e) {
            text = "cublasStatus_t " + status;
        }
        throw new CudaException(call + ": " + text + " (status " + status + ")");
    }

    /**
     * Column-major C_i = alpha·op(A_i)·op(B_i) + beta·C_i for i < batch, device addresses and element strides;
     * {@code tf32} runs the products on TF32 tensor cores (10-bit mantissa inputs, float32 accumulation).
     */
    void gemmStridedBatched(boolean tf32, boolean transA, boolean transB, int m, int n, int k, float alpha,
                            long a, int lda, long strideA, long b, int ldb, long strideB, float beta, long c, int ldc, long strideC, int batch) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment al = arena.allocateFrom(JAVA_FLOAT, alpha), be = arena.allocateFrom(JAVA_FLOAT, beta);
            int ta = transA ? OP_T : OP_N, tb = transB ? OP_T : OP_N;
            if (tf32) {
                check("cublasGemmStridedBatchedEx(TF32, m=" + m + ", n=" + n + ", k=" + k + ", batch=" + batch + ")", CudaDriver.raw(() -> (int) gemmStridedBatchedEx.invokeExact(
                    handle, ta, tb, m, n, k, al, a, CUDA_R_32F, lda, strideA, b, CUDA_R_32F, ldb, strideB, be, c, CUDA_R_32F, ldc, strideC,
                    batch, COMPUTE_32F_FAST_TF32, GEMM_DEFAULT)));
            } else {
                check("cublasSgemmStridedBatched(m=" + m + ", n=" + n + ", k=" + k + ", batch=" + batch + ")", CudaDriver.raw(() -> (int) sgemmStridedBatched.invokeExact(
                    handle, ta, tb, m, n, k, al, a, lda, strideA, b, ldb, strideB, be, c, ldc, strideC, batch)));
            }
        }
    }
}
