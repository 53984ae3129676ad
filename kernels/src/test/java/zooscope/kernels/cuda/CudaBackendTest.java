package zooscope.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;

/**
 * {@link CudaBackendContract} on the emulated device (every machine with gcc) and on the GPU (skipped
 * without a CUDA driver, a GPU or the fatbin), and the device buffers' lifetime on both.
 */
class CudaBackendTest {
    static CudaBackend emulated(long capacity, long softLimit) {
        var b = EmulatedDevice.backend(capacity, softLimit);
        assumeTrue(b.isPresent(), EmulatedDevice.unavailableReason());
        return b.get();
    }

    static CudaBackend gpu() {
        assumeTrue(CudaBackend.load().isPresent(), "no GPU: " + CudaBackend.unavailableReason());
        return CudaBackend.load().get();
    }

    @Nested
    class Emulated extends CudaBackendContract {
        @Override Backend cuda() { return emulated(1L << 30, 1L << 29); }
        @Override double gemmTolerance() { return 1e-7; } // the emulation sums as the reference does
    }

    @Nested
    class Gpu extends CudaBackendContract {
        @Override Backend cuda() { return gpu(); }
        @Override double gemmTolerance() { return Boolean.getBoolean("zooscope.cuda.tf32") ? 2e-3 : 1e-5; }
    }

    /** Dropped buffers are freed: far more than the device holds is allocated over a run, a little at a time. */
    static void noLeak(CudaBackend k, int buffers, int floats, long bound) {
        for (int i = 0; i < buffers; i++) {
            Buffer b = k.allocate(floats);
            k.fill(b, 0, floats, i);
            assertTrue(k.liveBytes() <= bound, "after " + i + " buffers of " + floats + " floats, " + k.liveBytes() + " bytes live, bound " + bound);
        }
    }

    @Test
    void emulatedBuffersAreFreedOnceUnreachable() {
        // 64 MiB device, 2 GiB allocated in all: only works if dead buffers' memory comes back
        CudaBackend k = emulated(64L << 20, 32L << 20);
        noLeak(k, 512, 1 << 20, 64L << 20);
        EmulatedDevice d = (EmulatedDevice) k.device();
        assertTrue(d.used() <= 64L << 20, d.used() + " bytes still allocated");
    }

    @Test
    void gpuBuffersAreFreedOnceUnreachable() {
        CudaBackend gpu = gpu();
        long total = 8L << 30; // a backend of its own on the same device, asking the GC past 8 GiB live
        noLeak(new CudaBackend(gpu.device(), "cuda-leak-check", total), 256, 64 << 20, total + (256L << 20)); // 64 GiB allocated over the run
    }

    /** A dropped buffer's block serves the next buffer of its size, zeroed again. */
    @Test
    void freedBlocksAreReusedAndZeroed() throws InterruptedException {
        CudaBackend k = emulated(64L << 20, 32L << 20);
        EmulatedDevice d = (EmulatedDevice) k.device();
        Buffer first = k.allocate(1000);
        k.fill(first, 0, 1000, 7f);
        first = null;
        Buffer again = null;
        boolean reused = false;
        for (int i = 0; i < 200 && !reused; i++) { // until the GC has found a dropped buffer
            System.gc();
            Thread.sleep(10);
            long made = d.made();
            again = k.allocate(1000);
            reused = d.made() == made;
            if (!reused) k.fill(again, 0, 1000, 7f); // dropped next round, dirty
        }
        assertTrue(reused, "no block was reused in 200 rounds");
        float[] host = new float[1000];
        k.copyOut(again, 0, host, 0, 1000);
        assertTrue(java.util.Arrays.equals(host, new float[1000]), "a reused block comes back zeroed");
    }

    /**
     * Where the driver library and the fatbin are there, the GPU backend must load: a missing symbol or a
     * failing call fails here instead of silently skipping the GPU tests above.
     */
    @Test
    void gpuBackendLoadsWhereDriverAndFatbinAre() {
        boolean driver;
        try {
            java.lang.foreign.SymbolLookup.libraryLookup("libcuda.so.1", java.lang.foreign.Arena.global());
            driver = true;
        } catch (IllegalArgumentException none) {
            driver = false;
        }
        assumeTrue(driver, "no CUDA driver library (libcuda.so.1)");
        assumeTrue(CudaBackendTest.class.getResource(CudaDevice.FATBIN) != null, "built without nvcc: no " + CudaDevice.FATBIN);
        assertTrue(CudaBackend.load().isPresent(), CudaBackend.unavailableReason());
    }

    @Test
    void withoutAGpuTheNameCudaIsRefusedWithTheReason() {
        assumeTrue(CudaBackend.load().isEmpty(), "a GPU is here");
        var e = assertThrows(IllegalArgumentException.class, () -> zooscope.kernels.Backends.byName("cuda"));
        assertTrue(e.getMessage().startsWith("backend 'cuda' is not available here: ") && e.getMessage().contains(CudaBackend.unavailableReason()), e.getMessage());
        assertTrue(!zooscope.kernels.Backends.available().contains("cuda"), zooscope.kernels.Backends.available().toString());
    }

    @Test
    void outOfMemoryNamesTheSizeAndTheDevice() {
        CudaBackend k = emulated(16L << 20, 8L << 20);
        List<Buffer> held = new ArrayList<>();
        var e = assertThrows(CudaException.class, () -> { for (int i = 0; i < 100; i++) held.add(k.allocate(1 << 20)); });
        assertTrue(e.getMessage().contains("out of device memory") && e.getMessage().contains("emulated CUDA device"), e.getMessage());
        held.clear();
    }
}
