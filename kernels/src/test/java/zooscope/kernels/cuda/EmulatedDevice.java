package zooscope.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Device} on the host, for testing {@link CudaBackend} without a GPU: "device memory" is native
 * memory outside the Java heap, each kernel is kernels.cu compiled by gcc (libzscudahost.so: the same item
 * code in a loop over the items), and the GEMM is cuBLAS's column-major contract evaluated like the scalar
 * reference (float64 sums). What it cannot check: the launch configuration, the driver and cuBLAS calls,
 * and anything the GPU compiler does differently; the GPU suite (CudaGpuTest) does.
 */
public final class EmulatedDevice implements Device {
    static final String LIBRARY = "/native/linux-x86_64/libzscudahost.so";
    private static volatile Optional<SymbolLookup> kernels;
    private static volatile String reason = "not loaded";

    private final SymbolLookup lib;
    private final long capacity;
    private final Map<Long, Arena> allocations = new ConcurrentHashMap<>();
    private final Map<Long, Long> sizes = new ConcurrentHashMap<>();
    private final Map<String, MethodHandle> handles = new ConcurrentHashMap<>();
    private long used, made;

    private EmulatedDevice(SymbolLookup lib, long capacity) {
        this.lib = lib;
        this.capacity = capacity;
    }

    /** An emulated device of {@code capacity} bytes, or empty (with {@link #unavailableReason()}) where the library is missing. */
    public static Optional<EmulatedDevice> create(long capacity) {
        return library().map(l -> new EmulatedDevice(l, capacity));
    }

    /** A CudaBackend on a fresh emulated device (named {@code cuda-emulated}), or empty. */
    public static Optional<CudaBackend> backend(long capacity, long softLimit) {
        return create(capacity).map(d -> new CudaBackend(d, "cuda-emulated", softLimit));
    }

    public static String unavailableReason() { library(); return reason; }

    private static synchronized Optional<SymbolLookup> library() {
        if (kernels == null) {
            try (InputStream in = EmulatedDevice.class.getResourceAsStream(LIBRARY)) {
                if (in == null) {
                    reason = "resource " + LIBRARY + " missing (native module built without gcc?)";
                    kernels = Optional.empty();
                } else {
                    Path tmp = Files.createTempFile("libzscudahost", ".so");
                    Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    kernels = Optional.of(SymbolLookup.libraryLookup(tmp, Arena.global()));
                    Files.deleteIfExists(tmp);
                    reason = "loaded";
                }
            } catch (IOException | IllegalArgumentException e) {
                reason = "cannot load " + LIBRARY + ": " + e.getMessage();
                kernels = Optional.empty();
            }
        }
        return kernels;
    }

    @Override public String describe() { return "emulated CUDA device (host memory, kernels.cu built by gcc), " + capacity + " bytes"; }

    @Override
    public synchronized long tryAllocate(long bytes) {
        if (used + bytes > capacity) return 0;
        Arena a = Arena.ofShared();
        long address = a.allocate(bytes, 16).address();
        allocations.put(address, a);
        made++;
        sizes.put(address, bytes);
        used += bytes;
        return address;
    }

    @Override
    public synchronized void free(long address) {
        Arena a = allocations.remove(address);
        if (a == null) throw new IllegalStateException("free of an address not allocated here: " + address);
        a.close();
        used -= sizes.remove(address);
    }

    /** Allocations made so far. */
    public synchronized long made() { return made; }

    /** Bytes allocated and not yet freed. */
    public synchronized long used() { return used; }

    private static MemorySegment at(long address, long bytes) { return MemorySegment.ofAddress(address).reinterpret(bytes); }

    @Override public void copyIn(MemorySegment host, long dst, long bytes) { MemorySegment.copy(host, 0, at(dst, bytes), 0, bytes); }

    @Override public void copyOut(long src, MemorySegment host, long bytes) { MemorySegment.copy(at(src, bytes), 0, host, 0, bytes); }

    @Override public void sync() {}

    @Override
    public void launch(String name, int n, Object... args) {
        MethodHandle h = handles.computeIfAbsent(name, k -> {
            List<MemoryLayout> layouts = new ArrayList<>(List.of(JAVA_INT));
            for (Object a : args) {
                layouts.add(switch (a) {
                    case Device.Ptr p -> ADDRESS;
                    case Integer i -> JAVA_INT;
                    case Float f -> JAVA_FLOAT;
                    case Double d -> JAVA_DOUBLE;
                    case Dims d -> Dims.LAYOUT;
                    default -> throw new IllegalArgumentException("kernel argument of type " + a.getClass().getSimpleName());
                });
            }
            MemorySegment f = lib.find("zs_" + k).orElseThrow(() -> new IllegalArgumentException("libzscudahost.so has no kernel zs_" + k));
            return Linker.nativeLinker().downcallHandle(f, FunctionDescriptor.ofVoid(layouts.toArray(MemoryLayout[]::new)));
        });
        try (Arena arena = Arena.ofConfined()) {
            List<Object> values = new ArrayList<>(List.of(n));
            for (Object a : args) {
                values.add(switch (a) {
                    case Device.Ptr p -> MemorySegment.ofAddress(p.address());
                    case Dims d -> d.struct(arena);
                    default -> a;
                });
            }
            h.invokeWithArguments(values);
        } catch (Throwable e) {
            throw new IllegalStateException("emulated kernel " + name + ": " + e, e);
        }
    }

    /** cuBLAS's column-major strided-batched SGEMM, summed in float64 in the scalar reference's order (on heap copies, for speed). */
    @Override
    public void gemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long strideA,
                                   long b, int ldb, long strideB, float beta, long c, int ldc, long strideC, int batch) {
        if (m == 0 || n == 0) return;
        float[] x = new float[k == 0 ? 0 : lda * ((transA ? m : k) - 1) + (transA ? k : m)];
        float[] y = new float[k == 0 ? 0 : ldb * ((transB ? k : n) - 1) + (transB ? n : k)];
        float[] z = new float[ldc * (n - 1) + m];
        for (int q = 0; q < batch; q++) {
            long ab = a + 4 * q * strideA, bb = b + 4 * q * strideB, cb = c + 4 * q * strideC;
            MemorySegment.copy(at(ab, 4L * x.length), JAVA_FLOAT, 0, x, 0, x.length);
            MemorySegment.copy(at(bb, 4L * y.length), JAVA_FLOAT, 0, y, 0, y.length);
            MemorySegment.copy(at(cb, 4L * z.length), JAVA_FLOAT, 0, z, 0, z.length);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        double u = x[transA ? p + i * lda : i + p * lda], v = y[transB ? j + p * ldb : p + j * ldb];
                        acc += v * u;
                    }
                    int ci = i + j * ldc;
                    double old = beta == 0 ? 0 : (double) beta * z[ci];
                    z[ci] = (float) (alpha * acc + old);
                }
            }
            MemorySegment.copy(z, 0, at(cb, 4L * z.length), JAVA_FLOAT, 0, z.length);
        }
    }
}
