package zooscope.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import zooscope.engine.nn.LstmLayout;
import zooscope.kernels.Backend;
import zooscope.kernels.Backends;
import zooscope.kernels.Cases;
import zooscope.kernels.cuda.CudaBackend;
import zooscope.kernels.cuda.EmulatedDevice;

/**
 * The engine's training paths on the CUDA backend: on the emulated device (kernels.cu built for the host)
 * against the scalar reference, and on the GPU (skipped without one) against this machine's CPU backend
 * for 50 steps of 64 formal-zoo models, the acceptance check.
 */
class CudaTrainingTest {
    static final Backend EMULATED = EmulatedDevice.backend(1L << 32, 1L << 31).orElse(null);

    @Test
    void emulatedMultiModelTrainingMatchesTheScalarBackend() {
        assumeTrue(EMULATED != null, EmulatedDevice.unavailableReason());
        for (boolean stacked : new boolean[] {true, false}) {
            float[][] cuda = RemoteBackendTest.on(EMULATED, () -> RemoteBackendTest.multiModelTraining(stacked));
            float[][] scalar = RemoteBackendTest.on(Backends.byName("scalar"), () -> RemoteBackendTest.multiModelTraining(stacked));
            for (int m = 0; m < cuda.length; m++) Cases.assertClose(cuda[m], scalar[m], 1e-6, 1e-7, "stacked=" + stacked + ", model " + m + " (last row: losses)");
        }
    }

    @Test
    void emulatedModuleTrainingAndSteppingMatchTheScalarBackend() {
        assumeTrue(EMULATED != null, EmulatedDevice.unavailableReason());
        float[][] cuda = RemoteBackendTest.on(EMULATED, RemoteBackendTest::moduleTrainingAndStepping);
        float[][] scalar = RemoteBackendTest.on(Backends.byName("scalar"), RemoteBackendTest::moduleTrainingAndStepping);
        Cases.assertClose(cuda[0], scalar[0], 1e-6, 1e-7, "parameters after 5 updates");
        Cases.assertClose(cuda[1], scalar[1], 1e-6, 1e-7, "a stepper's log-probabilities");
    }

    /** GPU against CPU: float32 sums in other orders, so parameters agree to float32 rounding grown over 50 updates (1e-4 absolute). */
    @Test
    void gpuFormalZooTrainingAgreesWithTheCpu() {
        assumeTrue(CudaBackend.load().isPresent(), "no GPU: " + CudaBackend.unavailableReason());
        // 50 updates of 64 formal-zoo models (batch 32, 41 steps): the GPU's stacked pass, the CPU's per-model one
        float[][] gpu = RemoteBackendTest.on(CudaBackend.load().get(), () -> RemoteBackendTest.multiModelTraining(LstmLayout.FORMAL, 64, 32, 41, 50, true));
        float[][] cpu = RemoteBackendTest.on(Backends.byName(Backends.defaultName()), () -> RemoteBackendTest.multiModelTraining(LstmLayout.FORMAL, 64, 32, 41, 50, false));
        for (int m = 0; m < gpu.length; m++) Cases.assertClose(gpu[m], cpu[m], 1e-3, 1e-4, "model " + m + " (last row: losses)");
    }
}
