package zooscope.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import zooscope.engine.Functional;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Safetensors;
import zooscope.engine.optim.AdamW;
import zooscope.engine.optim.PiecewiseLinear;
import zooscope.kernels.Cases;

/**
 * The 2-layer, hidden-32 LSTM + Linear head against PyTorch (golden file made by
 * src/test/python/make_lstm_golden.py): logits, loss, every parameter gradient, and the parameters after
 * 3 AdamW steps with the piecewise-linear schedule. The golden results are PyTorch's float64 computation
 * from float32 inputs and weights (the exact answer; PyTorch's own float32 run is up to 6e-6 from it).
 * Error measure per tensor: max |got − want| / max |want|.
 */
class LstmGoldenTest {
    static final double TOL = 1e-5;
    static final int X = 6, H = 32, O = 6;

    static Map<String, NdArray> golden() throws Exception {
        return Safetensors.read(Path.of(LstmGoldenTest.class.getResource("/golden/lstm_2x32.safetensors").toURI())).tensors();
    }

    /** max |got − want| / max |want|. */
    static double relErr(float[] got, double[] want) {
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < want.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
            maxRef = Math.max(maxRef, Math.abs(want[i]));
        }
        return maxDiff / maxRef;
    }

    /** Worst error seen per backend, printed so the achieved tolerance is visible in the test log. */
    static final Map<String, Double> WORST = new java.util.concurrent.ConcurrentHashMap<>();

    static void assertMatches(String what, float[] got, double[] want, String backend) {
        assertEquals(want.length, got.length, what);
        double err = relErr(got, want);
        WORST.merge(backend, err, Math::max);
        assertTrue(err <= TOL, what + " on " + backend + ": relative error " + err + " > " + TOL);
    }

    static int[] ints(long[] v, int from, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = Math.toIntExact(v[from + i]);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zooscope.kernels.Backends#available")
    void matchesPyTorch(String backendName) throws Throwable {
        Cases.onBackend(backendName, () -> {
            Map<String, NdArray> g = golden();
            LstmWithHead model = new LstmWithHead(X, H, 2, O, new Rng(0));
            Map<String, float[]> init = new LinkedHashMap<>();
            model.namedParameters().keySet().forEach(k -> init.put(k, g.get("param." + k).toFloats()));
            model.loadStateDict(init);
            assertEquals(13_766, model.parameterCount());

            NdArray inputs = g.get("inputs");
            long[] targets = g.get("targets").toLongs();
            int[] s = inputs.intShape(); // [steps, B, T, X]
            int per = s[1] * s[2];
            Tensor x0 = Tensor.of(inputs.toFloats(0, per * X), s[1], s[2], X);
            Tensor logits = model.forward(x0);
            Tensor loss = Functional.crossEntropy(logits, ints(targets, 0, per));
            assertMatches("logits", logits.toArray(), g.get("logits").toDoubles(), backendName);
            assertMatches("loss", new float[] {loss.item()}, g.get("grads.loss").toDoubles(), backendName);
            loss.backward();
            model.namedParameters().forEach((k, p) -> assertMatches("grad " + k, p.grad(), g.get("grad." + k).toDoubles(), backendName));

            model.loadStateDict(init);
            model.zeroGrad();
            PiecewiseLinear schedule = new PiecewiseLinear(new double[] {0, 2, 4}, new double[] {0.01, 0.003, 0.0003});
            AdamW opt = new AdamW(model.parameters(), 0.01, 1e-4);
            float[] losses = new float[s[0]];
            for (int t = 0; t < s[0]; t++) {
                opt.setLr(schedule.at(Math.max(t - 1, 0)));
                opt.zeroGrad();
                Tensor x = Tensor.of(inputs.toFloats((long) t * per * X, per * X), s[1], s[2], X);
                Tensor l = Functional.crossEntropy(model.forward(x), ints(targets, t * per, per));
                l.backward();
                opt.step();
                losses[t] = l.item();
            }
            assertMatches("losses during AdamW", losses, g.get("adamw.losses").toDoubles(), backendName);
            model.namedParameters().forEach((k, p) -> assertMatches("after 3 AdamW steps " + k, p.toArray(), g.get("final." + k).toDoubles(), backendName));
            System.out.printf("LSTM golden (%s): worst relative error %.2e (tolerance %.0e)%n", backendName, WORST.get(backendName), TOL);
        });
    }
}
