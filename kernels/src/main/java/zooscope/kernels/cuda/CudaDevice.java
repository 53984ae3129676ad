package zooscope.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A GPU through the driver API: device 0's primary context (made current on every calling thread), the
 * kernels of {@code kernels.fatbin} (built by nvcc into the native module's resources), cuBLAS, and the
 * legacy default stream for everything, so calls run in issue order.
 */
final class CudaDevice implements Device {
    static final String FATBIN = "/native/cuda/kernels.fatbin";
    private static final int BLOCK = 256;

    private final CudaDriver driver;
    private final MemorySegment context;
    private final MemorySegment module;
    private final Cublas cublas;
    private final boolean tf32;
    private final String description;
    private final Map<String, MemorySegment> functions = new ConcurrentHashMap<>();
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);

    private CudaDevice(CudaDriver driver, int device, byte[] fatbin, boolean tf32) {
        this.driver = driver;
        context = driver.primaryContext(device);
        enter();
        MemorySegment image = Arena.global().allocate(fatbin.length + 1L); // kept: the driver may read it lazily
        image.copyFrom(MemorySegment.ofArray(fatbin));
        module = driver.loadModule(image);
        cublas = Cublas.open();
        this.tf32 = tf32;
        description = String.format("%s (compute capability %d.%d, %d SMs, %.1f GiB), CUDA driver %d.%d%s", driver.deviceName(device),
            driver.attribute(device, CudaDriver.ATTR_CC_MAJOR), driver.attribute(device, CudaDriver.ATTR_CC_MINOR),
            driver.attribute(device, CudaDriver.ATTR_SM_COUNT), driver.totalMemory(device) / (double) (1L << 30),
            driver.driverVersion() / 1000, driver.driverVersion() % 1000 / 10, tf32 ? ", GEMMs in TF32" : "");
    }

    /**
     * Device 0, or a reason it cannot be used (no driver, no device, no fatbin in the jar) as the message of
     * an {@link IllegalStateException}; {@code tf32} chooses TF32 tensor-core GEMMs.
     */
    static CudaDevice open(boolean tf32) {
        CudaDriver driver;
        try {
            driver = CudaDriver.open();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("no CUDA driver (libcuda.so.1 not found: " + e.getMessage() + ")");
        }
        int init = driver.init();
        if (init == CudaDriver.CUDA_ERROR_NO_DEVICE) throw new IllegalStateException("the CUDA driver finds no GPU");
        driver.check("cuInit", init);
        if (driver.deviceCount() == 0) throw new IllegalStateException("the CUDA driver finds no GPU");
        byte[] fatbin;
        try (InputStream in = CudaDevice.class.getResourceAsStream(FATBIN)) {
            if (in == null) throw new IllegalStateException("resource " + FATBIN + " missing: the native module was built without nvcc (install the CUDA toolkit and rebuild)");
            fatbin = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + FATBIN + ": " + e.getMessage());
        }
        try {
            return new CudaDevice(driver, driver.device(0), fatbin, tf32);
        } catch (IllegalArgumentException e) { // cuBLAS not found
            throw new IllegalStateException("cuBLAS 13 not found (" + e.getMessage() + "); point -Dcublas.lib or $CUBLAS_LIB at libcublas.so.13");
        }
    }

    /** Makes the context current on this thread (once per thread). */
    private void enter() {
        if (!current.get()) {
            driver.setCurrent(context);
            current.set(true);
        }
    }

    @Override public String describe() { return description; }

    /** {free, total} bytes of device memory. */
    long[] memoryInfo() { enter(); return driver.memoryInfo(); }

    @Override public long tryAllocate(long bytes) { enter(); return driver.tryAllocate(bytes); }

    @Override public void free(long address) { enter(); driver.free(address); }

    @Override public void copyIn(MemorySegment host, long dst, long bytes) { enter(); driver.copyIn(host, dst, bytes); }

    @Override public void copyOut(long src, MemorySegment host, long bytes) { enter(); driver.copyOut(src, host, bytes); }

    @Override public void sync() { enter(); driver.synchronize(); }

    @Override
    public void launch(String name, int n, Object... args) {
        enter();
        MemorySegment f = functions.computeIfAbsent(name, k -> driver.function(module, "zs_" + k));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(ADDRESS, args.length + 1L);
            params.setAtIndex(ADDRESS, 0, arena.allocateFrom(JAVA_INT, n));
            for (int i = 0; i < args.length; i++) params.setAtIndex(ADDRESS, i + 1, argument(arena, args[i]));
            driver.launch(name, f, (int) ((n + (long) BLOCK - 1) / BLOCK), BLOCK, params);
        }
    }

    /** One argument's bytes (cuLaunchKernel copies them at the launch). */
    private static MemorySegment argument(Arena arena, Object a) {
        return switch (a) {
            case Ptr p -> arena.allocateFrom(JAVA_LONG, p.address());
            case Integer i -> arena.allocateFrom(JAVA_INT, i);
            case Float x -> arena.allocateFrom(JAVA_FLOAT, x);
            case Double x -> arena.allocateFrom(JAVA_DOUBLE, x);
            case Dims d -> d.struct(arena);
            default -> throw new IllegalArgumentException("kernel argument of type " + a.getClass().getSimpleName());
        };
    }

    @Override
    public void gemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long strideA,
                                   long b, int ldb, long strideB, float beta, long c, int ldc, long strideC, int batch) {
        enter();
        cublas.gemmStridedBatched(tf32, transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch);
    }
}
