package zooscope.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.kernels.Backend;
import zooscope.kernels.Backends;
import zooscope.kernels.cuda.CudaBackend;
import zooscope.kernels.cuda.EmulatedDevice;

/**
 * A formal zoo made on the CUDA backend against the same zoo made on this machine's CPU backend: the
 * emulated device (a tiny zoo, every machine) and the GPU (the first 8 runs at 300 updates, skipped
 * without one). Parameters agree to float32 rounding grown over the updates; acceptance counts come
 * from the same random streams, so they differ only where a rounding difference flips a sampled token.
 */
class CudaZooTest {
    @TempDir Path tmp;

    static Zoo make(Backend backend, Path dir, int runs, int steps) throws IOException {
        Backend before = Backends.current();
        try {
            Backends.use(backend);
            ZooGenerator.generate(dir, new ZooGenerator.Options(ZooKind.FORMAL, runs, 1, steps));
        } finally {
            Backends.use(before);
        }
        return Zoo.open(dir);
    }

    /** Compares every row: the largest parameter difference relative to the largest parameter, and the acceptance counts. */
    static void compare(Zoo device, Zoo cpu, double paramTolerance, int countTolerance) {
        assertEquals(cpu.rows, device.rows, "rows");
        for (long r = 0; r < cpu.rows; r++) {
            float[] a = device.parameters(r), b = cpu.parameters(r);
            double diff = 0, max = 0;
            for (int i = 0; i < a.length; i++) { diff = Math.max(diff, Math.abs(a[i] - b[i])); max = Math.max(max, Math.abs(b[i])); }
            double q = device.quality(r)[0], want = cpu.quality(r)[0];
            System.out.printf("run %d, step %d: parameters differ by %.2e of the largest; accepted %.0f vs %.0f%n", cpu.run(r), cpu.step(r), diff / max, q, want);
            assertTrue(diff / max <= paramTolerance, "row " + r + ": parameters differ by " + diff / max + " of the largest");
            assertTrue(Math.abs(q - want) <= countTolerance, "row " + r + ": accepted " + q + " on the device, " + want + " on the CPU");
        }
    }

    @Test
    void emulatedDeviceMakesTheCpuZoo() throws IOException {
        var emulated = EmulatedDevice.backend(4L << 30, 2L << 30);
        assumeTrue(emulated.isPresent(), EmulatedDevice.unavailableReason());
        Zoo cpu = make(Backends.byName(Backends.defaultName()), tmp.resolve("cpu"), 2, 20);
        Zoo device = make(emulated.get(), tmp.resolve("emulated"), 2, 20);
        compare(device, cpu, 1e-5, 10);
    }

    @Test
    void gpuMakesTheCpuZoo() throws IOException {
        assumeTrue(CudaBackend.load().isPresent(), "no GPU: " + CudaBackend.unavailableReason());
        Zoo cpu = make(Backends.byName(Backends.defaultName()), tmp.resolve("cpu"), 8, 300);
        Zoo gpu = make(CudaBackend.load().get(), tmp.resolve("gpu"), 8, 300);
        compare(gpu, cpu, 1e-3, 30);
    }
}
