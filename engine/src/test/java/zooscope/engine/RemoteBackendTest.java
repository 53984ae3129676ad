package zooscope.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import zooscope.engine.multi.LstmStepper;
import zooscope.engine.multi.MultiModelLstm;
import zooscope.engine.nn.LstmLayout;
import zooscope.engine.nn.LstmWithHead;
import zooscope.engine.optim.AdamW;
import zooscope.engine.optim.GradClip;
import zooscope.kernels.Backend;
import zooscope.kernels.Backends;

/**
 * Nothing reaches around the seam: the engine's training paths run on {@link RemoteBackend} (scalar
 * kernels behind copies into a separate memory space) and give the scalar backend's bits. (The
 * op-property suite runs on it too: it is one of {@link OpCheck#BACKENDS}.)
 */
class RemoteBackendTest {
    static final Backend REMOTE = RemoteBackend.create();

    static <T> T on(Backend k, Supplier<T> body) {
        Backend before = Backends.current();
        Backends.use(k);
        try {
            return body.get();
        } finally {
            Backends.use(before);
        }
    }

    /** 20 AdamW steps of 3 small zoo LSTMs trained together, by the stacked pass or one model at a time. */
    static float[][] multiModelTraining(boolean stacked) { return multiModelTraining(new LstmLayout(3, 5, 2, 4), 3, 2, 4, 20, stacked); }

    /**
     * {@code steps} AdamW updates of {@code models} zoo LSTMs trained together on random one-hot data from
     * per-model streams (learning rate 1e-2·(1 + m mod 3), weight decay 0.01·(m mod 3)); returns each
     * model's parameters and, last, the losses of the last step.
     */
    static float[][] multiModelTraining(LstmLayout layout, int models, int batch, int time, int steps, boolean stacked) {
        try (MultiModelLstm group = new MultiModelLstm(layout, models, batch, time, 2, stacked)) {
            Rng[] data = new Rng[models];
            double[] lr = new double[models];
            for (int m = 0; m < models; m++) {
                group.setParams(m, layout.flatten(layout.newModel(Rng.stream(7, m))));
                group.setWeightDecay(m, 0.01 * (m % 3));
                data[m] = Rng.stream(8, m);
                lr[m] = 1e-2 * (1 + m % 3);
            }
            float[] losses = new float[models];
            for (int step = 0; step < steps; step++) {
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

    @Test
    void multiModelTrainingGivesTheScalarBits() {
        for (boolean stacked : new boolean[] {true, false}) {
            long before = RemoteBackend.of(REMOTE).ops;
            float[][] remote = on(REMOTE, () -> multiModelTraining(stacked));
            assertTrue(RemoteBackend.of(REMOTE).ops - before > 100, "the training ran on the remote backend");
            float[][] scalar = on(Backends.byName("scalar"), () -> multiModelTraining(stacked));
            for (int m = 0; m < remote.length; m++) assertArrayEquals(scalar[m], remote[m], "stacked=" + stacked + ", model " + m + " (last row: losses)");
        }
    }

    /** Autodiff training of a module (LSTM layer op, linear, cross-entropy, clipping, AdamW) and stepwise sampling. */
    static float[][] moduleTrainingAndStepping() {
        LstmLayout layout = new LstmLayout(3, 4, 2, 3);
        LstmWithHead model = layout.newModel(new Rng(3));
        AdamW opt = new AdamW(model.parameters(), 1e-2, 0.01);
        Rng rng = new Rng(4);
        for (int step = 0; step < 5; step++) {
            Tensor x = Tensor.uniform(rng, -1, 1, 2, 5, 3);
            int[] y = new int[10];
            for (int i = 0; i < y.length; i++) y[i] = rng.nextInt(3);
            Tensor loss = Functional.crossEntropy(model.forward(x), y);
            loss.backward();
            GradClip.clipNorm(model.parameters(), 0.5);
            opt.step();
            opt.zeroGrad();
        }
        LstmStepper stepper = new LstmStepper(layout, 2);
        stepper.load(layout.flatten(model), 0);
        float[] logp = new float[2 * 3];
        stepper.step(new float[] {1, 0, 0, 0, 1, 0}, 0, null, logp);
        return new float[][] {layout.flatten(model), logp};
    }

    @Test
    void moduleTrainingAndSteppingGiveTheScalarBits() {
        float[][] remote = on(REMOTE, RemoteBackendTest::moduleTrainingAndStepping);
        float[][] scalar = on(Backends.byName("scalar"), RemoteBackendTest::moduleTrainingAndStepping);
        assertArrayEquals(scalar[0], remote[0], "parameters after 5 updates");
        assertArrayEquals(scalar[1], remote[1], "a stepper's log-probabilities");
    }

    @Test
    void tensorsOfTwoBackendsDoNotMix() {
        Tensor here = on(Backends.byName("scalar"), () -> Tensor.of(new float[] {1, 2}, 2));
        Tensor there = on(REMOTE, () -> Tensor.of(new float[] {3, 4}, 2));
        var e = assertThrows(IllegalArgumentException.class, () -> here.add(there));
        assertEquals("add: inputs live on backends 'scalar' and 'remote'; move one with Tensor.to(backend)", e.getMessage());
        assertArrayEquals(new float[] {4, 6}, here.add(there.to(here.backend())).toArray());
        var direct = assertThrows(IllegalArgumentException.class, () -> REMOTE.fill(here.storage(), 0, 2, 0f));
        assertTrue(direct.getMessage().contains("passed to backend 'remote'"), direct.getMessage());
    }

    @Test
    void aFreshBufferIsZero() {
        assertArrayEquals(new float[5], on(REMOTE, () -> Tensor.zeros(5)).toArray());
    }
}
