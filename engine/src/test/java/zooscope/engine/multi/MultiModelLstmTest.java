package zooscope.engine.multi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import zooscope.engine.Functional;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Safetensors;
import zooscope.engine.nn.LstmLayout;
import zooscope.engine.nn.LstmWithHead;
import zooscope.engine.optim.AdamW;
import zooscope.engine.optim.PiecewiseLinear;
import zooscope.kernels.Cases;

class MultiModelLstmTest {
    static final PiecewiseLinear ZOO_LR = PiecewiseLinear.ZOO;

    /** Random one-hot inputs and targets from the model's own stream (keyed by its id, not its slot). */
    static MultiModelLstm.Batches randomBatches(LstmLayout layout, int batch, int time, Rng[] streams, int[] ids) {
        return (m, x, y) -> {
            Rng r = streams[ids[m]];
            java.util.Arrays.fill(x, 0f);
            for (int i = 0; i < batch * time; i++) {
                x[i * layout.input() + r.nextInt(layout.input())] = 1f;
                y[i] = r.nextInt(layout.output());
            }
        };
    }

    static float[] initial(LstmLayout layout, int id) { return layout.flatten(layout.newModel(Rng.stream(99, id))); }

    /** Trains the models with the given ids together (one slot each) and returns their final parameters. */
    static float[][] train(LstmLayout layout, int[] ids, int steps, int threads, float[][] lossesOut) {
        return train(layout, ids, steps, threads, lossesOut, false);
    }

    static float[][] train(LstmLayout layout, int[] ids, int steps, int threads, float[][] lossesOut, boolean stacked) {
        int batch = 4, time = 7;
        Rng[] streams = new Rng[10];
        for (int id : ids) streams[id] = Rng.stream(5, id);
        try (MultiModelLstm group = new MultiModelLstm(layout, ids.length, batch, time, threads, stacked)) {
            for (int m = 0; m < ids.length; m++) {
                group.setParams(m, initial(layout, ids[m]));
                group.setWeightDecay(m, ids[m] * 0.01);
            }
            double[] lr = new double[ids.length];
            float[] losses = new float[ids.length];
            for (int t = 0; t < steps; t++) {
                for (int m = 0; m < ids.length; m++) lr[m] = ZOO_LR.at(Math.max(t - 1, 0)) * (1 + 0.1 * ids[m]);
                group.step(randomBatches(layout, batch, time, streams, ids), lr, losses);
                for (int m = 0; m < ids.length; m++) lossesOut[ids[m]][t] = losses[m];
            }
            float[][] out = new float[ids.length][];
            for (int m = 0; m < ids.length; m++) out[m] = group.params(m);
            return out;
        }
    }

    /** M = 5 models trained together for 50 steps equal the same 5 trained one by one, bit for bit. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("zooscope.kernels.Backends#available")
    void groupEqualsOneByOne(String backend) throws Throwable {
        Cases.onBackend(backend, () -> {
            LstmLayout layout = LstmLayout.FORMAL;
            int[] ids = {0, 1, 2, 3, 4};
            float[][] groupLoss = new float[5][50], aloneLoss = new float[5][50];
            float[][] together = train(layout, ids, 50, 2, groupLoss);
            for (int id : ids) {
                float[] alone = train(layout, new int[] {id}, 50, 1, aloneLoss)[0];
                assertArrayEquals(alone, together[id], "model " + id + " alone vs in a group of 5 (" + backend + ")");
                assertArrayEquals(aloneLoss[id], groupLoss[id], "losses of model " + id);
            }
            assertTrue(groupLoss[0][49] < groupLoss[0][0], "training makes progress");
        });
    }

    /**
     * The all-models-at-once pass (the device backends' default) against the per-model pass, both on the
     * scalar reference: the same arithmetic summed in another order, so float32 rounding apart after 50
     * updates of 5 formal models, and the same losses.
     */
    @org.junit.jupiter.api.Test
    void stackedPassAgreesWithThePerModelPass() throws Throwable {
        Cases.onBackend("scalar", () -> {
            LstmLayout layout = LstmLayout.FORMAL;
            int[] ids = {0, 1, 2, 3, 4};
            float[][] stackedLoss = new float[5][50], perModelLoss = new float[5][50];
            float[][] stacked = train(layout, ids, 50, 1, stackedLoss, true), perModel = train(layout, ids, 50, 2, perModelLoss, false);
            for (int id : ids) {
                double err = maxRelErr(stacked[id], perModel[id]);
                System.out.printf("stacked vs per-model pass, model %d: max |Δθ| / max |θ| = %.2e, losses %.2e%n", id, err, maxRelErr(stackedLoss[id], perModelLoss[id]));
                assertTrue(err < 1e-4, "model " + id + ": parameters differ by " + err + " of their largest");
                assertTrue(maxRelErr(stackedLoss[id], perModelLoss[id]) < 1e-5, "model " + id + ": losses");
            }
        });
    }

    /** The fused trainer equals the engine's general autodiff path (module + loss + AdamW) step by step. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("zooscope.kernels.Backends#available")
    void matchesTheAutodiffPath(String backend) throws Throwable {
        Cases.onBackend(backend, () -> {
            LstmLayout layout = LstmLayout.MNIST;
            int batch = 3, time = 5, steps = 5;
            LstmWithHead model = layout.newModel(new Rng(11));
            float[] init = layout.flatten(model);
            AdamW opt = new AdamW(model.parameters(), 0.01, 0.1);
            float[][] xs = new float[steps][batch * time * layout.input()];
            int[][] ys = new int[steps][batch * time];
            Rng r = new Rng(12);
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < xs[t].length; i++) xs[t][i] = r.uniform(-1, 1);
                for (int i = 0; i < ys[t].length; i++) ys[t][i] = r.nextInt(layout.output());
            }
            float[] autodiffLoss = new float[steps];
            for (int t = 0; t < steps; t++) {
                opt.setLr(0.01 / (t + 1));
                opt.zeroGrad();
                Tensor loss = Functional.crossEntropy(model.forward(Tensor.of(xs[t].clone(), batch, time, layout.input())), ys[t]);
                loss.backward();
                opt.step();
                autodiffLoss[t] = loss.item();
            }
            try (MultiModelLstm group = new MultiModelLstm(layout, 1, batch, time, 1)) {
                group.setParams(0, init);
                group.setWeightDecay(0, 0.1);
                float[] loss = new float[1];
                for (int t = 0; t < steps; t++) {
                    int step = t;
                    group.step((m, x, y) -> { System.arraycopy(xs[step], 0, x, 0, x.length); System.arraycopy(ys[step], 0, y, 0, y.length); },
                        new double[] {0.01 / (t + 1)}, loss);
                    assertTrue(Math.abs(loss[0] - autodiffLoss[t]) <= 1e-5 * Math.abs(autodiffLoss[t]), "loss at step " + t + ": " + loss[0] + " vs " + autodiffLoss[t]);
                }
                assertTrue(maxRelErr(group.params(0), layout.flatten(model)) <= 1e-5, "parameters after " + steps + " steps");
            }
        });
    }

    static double maxRelErr(float[] got, float[] want) {
        double diff = 0, ref = 0;
        for (int i = 0; i < want.length; i++) { diff = Math.max(diff, Math.abs(got[i] - want[i])); ref = Math.max(ref, Math.abs(want[i])); }
        return diff / ref;
    }

    /**
     * 50 zoo-recipe steps against PyTorch (src/test/python/make_training_golden.py): model 0 of a group of
     * 5 (the others on other data) follows PyTorch's losses and final weights.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("zooscope.kernels.Backends#available")
    void followsThePyTorchTrajectory(String backend) throws Throwable {
        Cases.onBackend(backend, () -> {
            Map<String, NdArray> g = Safetensors.read(Path.of(getClass().getResource("/golden/train_2x32_50steps.safetensors").toURI())).tensors();
            NdArray tokens = g.get("tokens");
            int steps = tokens.intShape()[0], batch = tokens.intShape()[1], len = tokens.intShape()[2], time = len - 1;
            LstmLayout layout = LstmLayout.FORMAL;
            int models = 5;
            float[] losses = new float[steps], loss = new float[models];
            double[] lr = new double[models];
            try (MultiModelLstm group = new MultiModelLstm(layout, models, batch, time, 2)) {
                for (int m = 0; m < models; m++) {
                    group.setParams(m, m == 0 ? g.get("init").toFloats() : initial(layout, m));
                    group.setWeightDecay(m, 1e-4);
                }
                for (int t = 0; t < steps; t++) {
                    int step = t;
                    java.util.Arrays.fill(lr, ZOO_LR.at(Math.max(t - 1, 0)));
                    group.step((m, x, y) -> {
                        java.util.Arrays.fill(x, 0f);
                        for (int b = 0; b < batch; b++) {
                            for (int p = 0; p < time; p++) { // model m reads the golden batches shifted by m steps
                                long at = ((long) ((step + m) % steps) * batch + b) * len + p;
                                x[(b * time + p) * layout.input() + (int) tokens.getLong(at)] = 1f;
                                y[b * time + p] = (int) tokens.getLong(at + 1);
                            }
                        }
                    }, lr, loss);
                    losses[t] = loss[0];
                }
                double lossErr = maxRelErr(losses, g.get("losses").toFloats()), paramErr = maxRelErr(group.params(0), g.get("final").toFloats());
                System.out.printf("PyTorch 50-step trajectory (%s): losses %.2e, final parameters %.2e (bound 1e-4)%n", backend, lossErr, paramErr);
                assertTrue(lossErr <= 1e-4, "losses: relative error " + lossErr);
                assertTrue(paramErr <= 1e-4, "final parameters: relative error " + paramErr);
            }
        });
    }
}
