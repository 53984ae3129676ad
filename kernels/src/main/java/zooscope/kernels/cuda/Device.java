package zooscope.kernels.cuda;

import java.lang.foreign.MemorySegment;

/**
 * What {@link CudaBackend} needs from a device: memory, copies, kernel launches, a batched GEMM and a
 * synchronisation point, all in one stream (calls run in the order they are made). Two implementations:
 * {@link CudaDevice} (the GPU: driver API, cuBLAS, the kernels' fatbin) and, in the tests, an emulated
 * device that runs the same kernel source compiled for the host.
 */
public interface Device {
    /** The device in words (name, memory, driver), for logs and {@code info}. */
    String describe();

    /** An allocation of {@code bytes} (a device address; contents undefined), or 0 when the device has no room. */
    long tryAllocate(long bytes);

    void free(long address);

    /** Copies {@code bytes} from a host segment (heap or native) to a device address, after the work queued before. */
    void copyIn(MemorySegment host, long dst, long bytes);

    /** Copies {@code bytes} from a device address to a host segment, after the work queued before; returns when done. */
    void copyOut(long src, MemorySegment host, long bytes);

    /**
     * Runs kernel {@code zs_<name>} for items 0..n-1 ({@code n > 0}). Arguments, after n: {@link Ptr} (a device
     * address), Integer, Float, Double, or {@link Dims} (a struct passed by value), in the kernel's order.
     */
    void launch(String name, int n, Object... args);

    /** cuBLAS's column-major strided-batched SGEMM on device addresses (element strides); see {@link Cublas}. */
    void gemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long strideA,
                            long b, int ldb, long strideB, float beta, long c, int ldc, long strideC, int batch);

    /** Waits until everything issued so far has finished. */
    void sync();

    /** A device address as a kernel argument (0 for a null pointer). */
    record Ptr(long address) {}
}
