package zooscope.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * FFM bindings to the CUDA driver API, {@code libcuda.so.1}: the exported symbol names of cuda.h 13.0
 * (e.g. {@code cuMemAlloc_v2}, not the macro {@code cuMemAlloc}). Every call's CUresult is checked; an
 * error becomes a {@link CudaException} naming the call and the driver's error name and text.
 * Prototypes: {@code native/src/main/cuda/bindings.h}.
 */
final class CudaDriver {
    /** CUresult values the callers act on. */
    static final int CUDA_SUCCESS = 0, CUDA_ERROR_OUT_OF_MEMORY = 2, CUDA_ERROR_NO_DEVICE = 100;
    /** CUdevice_attribute values. */
    static final int ATTR_CC_MAJOR = 75, ATTR_CC_MINOR = 76, ATTR_SM_COUNT = 16;

    private final MethodHandle init, driverGetVersion, deviceGetCount, deviceGet, deviceGetName, deviceTotalMem, deviceGetAttribute,
        primaryCtxRetain, ctxSetCurrent, ctxSynchronize, memAlloc, memFree, memcpyHtoD, memcpyDtoH, memGetInfo,
        moduleLoadData, moduleGetFunction, launchKernel, getErrorName, getErrorString;

    private CudaDriver(SymbolLookup lib) {
        Native n = new Native("libcuda.so.1", lib);
        Linker.Option critical = Linker.Option.critical(true); // host arrays straight from the heap, no staging copy
        init = n.status("cuInit", JAVA_INT);
        driverGetVersion = n.status("cuDriverGetVersion", ADDRESS);
        deviceGetCount = n.status("cuDeviceGetCount", ADDRESS);
        deviceGet = n.status("cuDeviceGet", ADDRESS, JAVA_INT);
        deviceGetName = n.status("cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        deviceTotalMem = n.status("cuDeviceTotalMem_v2", ADDRESS, JAVA_INT);
        deviceGetAttribute = n.status("cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        primaryCtxRetain = n.status("cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        ctxSetCurrent = n.status("cuCtxSetCurrent", ADDRESS);
        ctxSynchronize = n.status("cuCtxSynchronize");
        memAlloc = n.status("cuMemAlloc_v2", ADDRESS, JAVA_LONG);
        memFree = n.status("cuMemFree_v2", JAVA_LONG);
        memcpyHtoD = n.handle("cuMemcpyHtoD_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG), critical);
        memcpyDtoH = n.handle("cuMemcpyDtoH_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), critical);
        memGetInfo = n.status("cuMemGetInfo_v2", ADDRESS, ADDRESS);
        moduleLoadData = n.status("cuModuleLoadData", ADDRESS, ADDRESS);
        moduleGetFunction = n.status("cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        launchKernel = n.status("cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        getErrorName = n.status("cuGetErrorName", JAVA_INT, ADDRESS);
        getErrorString = n.status("cuGetErrorString", JAVA_INT, ADDRESS);
    }

    /** libcuda.so.1 by name (the loader's search path), or the file {@code -Dcuda.lib} names; throws IllegalArgumentException where there is none. */
    static CudaDriver open() {
        String path = System.getProperty("cuda.lib");
        SymbolLookup lib = path != null ? SymbolLookup.libraryLookup(java.nio.file.Path.of(path), Arena.global())
                                        : SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
        return new CudaDriver(lib);
    }

    /** "call: CUDA_ERROR_X (text)" for a failed status. */
    String describe(String call, int status) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(ADDRESS), text = a.allocate(ADDRESS);
            int r1 = (int) getErrorName.invokeExact(status, name), r2 = (int) getErrorString.invokeExact(status, text);
            String n = r1 == 0 ? string(name) : "CUresult " + status, t = r2 == 0 ? string(text) : "unknown error";
            return call + ": " + n + " (" + t + ")";
        } catch (Throwable e) {
            return call + ": CUresult " + status;
        }
    }

    private static String string(MemorySegment pointerToChars) {
        return pointerToChars.get(ADDRESS, 0).reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** Throws unless the status is CUDA_SUCCESS. */
    void check(String call, int status) {
        if (status != CUDA_SUCCESS) throw new CudaException(describe(call, status));
    }

    /** A status-returning downcall (invokeExact declares Throwable). */
    @FunctionalInterface interface Call { int run() throws Throwable; }

    /** The status of a downcall; a checked Throwable from the invocation itself (never expected) becomes an IllegalStateException. */
    static int raw(Call c) {
        try {
            return c.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    void call(String name, Call c) { check(name, raw(c)); }

    // ---------------------------------------------------------------- the calls, checked

    int init() { return raw(() -> (int) init.invokeExact(0)); }

    int driverVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            call("cuDriverGetVersion", () -> (int) driverGetVersion.invokeExact(v));
            return v.get(JAVA_INT, 0);
        }
    }

    int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            call("cuDeviceGetCount", () -> (int) deviceGetCount.invokeExact(v));
            return v.get(JAVA_INT, 0);
        }
    }

    int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            call("cuDeviceGet", () -> (int) deviceGet.invokeExact(v, ordinal));
            return v.get(JAVA_INT, 0);
        }
    }

    String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(256);
            call("cuDeviceGetName", () -> (int) deviceGetName.invokeExact(v, 256, device));
            return v.getString(0);
        }
    }

    long totalMemory(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            call("cuDeviceTotalMem_v2", () -> (int) deviceTotalMem.invokeExact(v, device));
            return v.get(JAVA_LONG, 0);
        }
    }

    int attribute(int device, int attribute) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            call("cuDeviceGetAttribute", () -> (int) deviceGetAttribute.invokeExact(v, attribute, device));
            return v.get(JAVA_INT, 0);
        }
    }

    /** The device's primary context (the one cuBLAS uses too). */
    MemorySegment primaryContext(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            call("cuDevicePrimaryCtxRetain", () -> (int) primaryCtxRetain.invokeExact(v, device));
            return v.get(ADDRESS, 0);
        }
    }

    void setCurrent(MemorySegment context) { call("cuCtxSetCurrent", () -> (int) ctxSetCurrent.invokeExact(context)); }

    void synchronize() { call("cuCtxSynchronize", () -> (int) ctxSynchronize.invokeExact()); }

    /** A device allocation, or 0 when the device is out of memory (any other error throws). */
    long tryAllocate(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            int status = raw(() -> (int) memAlloc.invokeExact(v, bytes));
            if (status == CUDA_ERROR_OUT_OF_MEMORY) return 0;
            check("cuMemAlloc_v2(" + bytes + " bytes)", status);
            return v.get(JAVA_LONG, 0);
        }
    }

    void free(long address) { call("cuMemFree_v2", () -> (int) memFree.invokeExact(address)); }

    void copyIn(MemorySegment host, long dst, long bytes) { call("cuMemcpyHtoD_v2", () -> (int) memcpyHtoD.invokeExact(dst, host, bytes)); }

    void copyOut(long src, MemorySegment host, long bytes) { call("cuMemcpyDtoH_v2", () -> (int) memcpyDtoH.invokeExact(host, src, bytes)); }

    /** {free, total} bytes of the current context's device. */
    long[] memoryInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(JAVA_LONG), t = a.allocate(JAVA_LONG);
            call("cuMemGetInfo_v2", () -> (int) memGetInfo.invokeExact(f, t));
            return new long[] {f.get(JAVA_LONG, 0), t.get(JAVA_LONG, 0)};
        }
    }

    /** Loads a fatbin (or cubin, PTX) image held in native memory. */
    MemorySegment loadModule(MemorySegment image) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            call("cuModuleLoadData", () -> (int) moduleLoadData.invokeExact(v, image));
            return v.get(ADDRESS, 0);
        }
    }

    MemorySegment function(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS), n = a.allocateFrom(name);
            call("cuModuleGetFunction(" + name + ")", () -> (int) moduleGetFunction.invokeExact(v, module, n));
            return v.get(ADDRESS, 0);
        }
    }

    /** A 1-D launch on the legacy default stream; {@code params} is the void** array of pointers to each argument. */
    void launch(String name, MemorySegment function, int grid, int block, MemorySegment params) {
        call("cuLaunchKernel(" + name + ", grid " + grid + ", block " + block + ")",
            () -> (int) launchKernel.invokeExact(function, grid, 1, 1, block, 1, 1, 0, MemorySegment.NULL, params, MemorySegment.NULL));
    }
}
