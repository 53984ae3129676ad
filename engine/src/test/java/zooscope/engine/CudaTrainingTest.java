package zooscope.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import zooscope.engine.multi.MultiModelLstm;
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

    /** 50 AdamW steps of 64 formal-zoo LSTMs (batch 32, 41 steps) on random one-hot data; parameters and last losses. */
    static float[][] formalTraining() {
        LstmLayout layout = LstmLayout.FORMAL;
        int models = 64, batch = 32, time = 41;
        try (MultiModelLstm group = new MultiModelLstm(layout, models, batch, time, Runtime.getRuntime().availableProcessors())) {
            double[] lr = new double[models];
            Rng[] data = new Rng[models];
            for (int m = 0; m < models; m++) {
                group.setParams(m, layout.flatten(layout.newModel(Rng.stream(11, m))));
                group.setWeightDecay(m, 1e-4);
                lr[m] = 1e-3;
                data[m] = Rng.stream(12, m);
            }
            float[] losses = new float[models];
            for (int step = 0; step < 50; step++) {
                group.step((m, x, y) -> {
                    java.util.Arrays.fill(x, 0f);
                    for (int i = 0; i < batch * time; i++) {
                        x[i * layout.input() + data[m].nextInt(layout.input())] = 1f;
                        y[i] = data[m].nextInt(layout.output());
                    }
                }, lr, losses);
            }
            float[][] out = new float[models + 1][];
            for (int m = 0; m < models; m++) out[m] = group.params(m);
            out[models] = losses.clone();
            return out;
        }
    }

    /** GPU against CPU: float32 sums in other orders, so parameters agree to 1e-4 absolute after 50 updates of lr 1e-3. */
    @Test
    void gpuFormalZooTrainingAgreesWithTheCpu() {
        assumeTrue(CudaBackend.load().isPresent(), "no GPU: " + CudaBackend.unavailableReason());
        float[][] gpu = RemoteBackendTest.on(CudaBackend.load().get(), CudaTrainingTest::formalTraining);
        float[][] cpu = RemoteBackendTest.on(Backends.byName(Backends.defaultName()), CudaTrainingTest::formalTraining);
        for (int m = 0; m < gpu.length; m++) Cases.assertClose(gpu[m], cpu[m], 1e-3, 1e-4, "model " + m + " (last row: losses)");
    }
}
