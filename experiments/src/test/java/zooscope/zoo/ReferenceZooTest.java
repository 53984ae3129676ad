package zooscope.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.io.DType;
import zooscope.engine.io.NdArray;
import zooscope.engine.nn.LstmLayout;
import zooscope.engine.nn.LstmWithHead;
import zooscope.formal.FormalLanguage;

/**
 * The zoos written by the authors' reference generator (../shared/data, skipped where absent): every
 * row's weights, loaded into zooscope's LSTM, reproduce the outputs the reference stored for its rollouts
 * (log-softmax for formal languages, raw logits for MNIST) to float16 precision.
 *
 * <p>Formal-language inputs are exact tokens, so only the stored outputs are rounded: float16 keeps 11
 * significant bits (half an ulp is 2⁻¹¹ ≈ 4.9e-4 relative), tolerance 1e-3 + 1e-3·|value|. MNIST inputs
 * are stored as float16 too, rounded copies of the float32 tiles the reference ran on, and the rounding
 * propagates: PyTorch itself, fed the stored inputs, lands up to 1.8e-2 from the stored logits (|logit| ≤
 * 5.3). There the bound is 3e-2 on every output and 1e-3 on the mean absolute difference.
 */
class ReferenceZooTest {
    /** The bound on one output: atol + rtol·|stored value|, and on the mean absolute difference. */
    record Tolerance(double atol, double rtol, double mean) {}

    /** Formal mean: float16 rounding of log-probabilities down to about −16 alone averages ~1e-3 here. */
    static final Tolerance FORMAL = new Tolerance(1e-3, 1e-3, 2e-3), MNIST = new Tolerance(3e-2, 0, 1e-3);

    static Path zoo(String name) {
        for (Path p : new Path[] {Path.of("..", "..", "shared", "data", name), Path.of("..", "shared", "data", name)}) {
            if (Files.isDirectory(p)) return p;
        }
        assumeTrue(false, "reference zoo " + name + " not present (../shared/data)");
        return null;
    }

    /**
     * Loads every row of the zoo in {@code dir} into the engine's LSTM (the autodiff model, not the zoo
     * generator's stepper), runs it on the row's stored rollout inputs and checks the stored outputs;
     * returns {worst, mean} |difference|.
     */
    static double[] reproduceStoredOutputs(Path dir) throws IOException {
        Zoo zoo = Zoo.open(dir);
        boolean formal = zoo.kind == ZooKind.FORMAL;
        LstmLayout layout = zoo.kind.layout;
        NdArray seqs = zoo.file("sequences.npy"), outputs = zoo.file("logits.npy");
        int samples = (int) seqs.shape()[1], time = zoo.kind.time, O = layout.output();
        assertEquals(DType.F16, outputs.dtype());
        assertArrayEquals(new long[] {zoo.rows, samples, time, O}, outputs.shape());
        Tolerance tol = formal ? FORMAL : MNIST;
        double worst = 0, sum = 0;
        long count = 0;
        LstmWithHead model = layout.newModel(new Rng(0));
        for (long r = 0; r < zoo.rows; r++) {
            layout.load(model, zoo.parameters(r), 0);
            float[] got;
            try (var off = Grad.off()) {
                Tensor out = model.forward(formal ? formalInputs(seqs, r) : Tensor.of(seqs.toFloats(r * samples * time * 16, samples * time * 16), samples, time, 16));
                got = (formal ? out.logSoftmax() : out).toArray();
            }
            float[] want = outputs.toFloats(r * samples * time * O, samples * time * O);
            for (int i = 0; i < got.length; i++) {
                double d = Math.abs(got[i] - want[i]);
                worst = Math.max(worst, d);
                sum += d;
                count++;
                assertTrue(d <= tol.atol() + tol.rtol() * Math.abs(want[i]), dir + ": row " + r + ", output " + i + ": " + got[i] + " vs stored " + want[i]);
            }
        }
        assertTrue(sum / count <= tol.mean(), "mean |difference| " + sum / count + " above " + tol.mean());
        System.out.printf("%s: %d rows x %d rollouts reproduced, |diff| worst %.2e, mean %.2e%n", dir, zoo.rows, samples, worst, sum / count);
        return new double[] {worst, sum / count};
    }

    /** One-hot tokens 0..40 of a row's stored sequences; position 0 is BOS whatever is stored there (§4.4). */
    private static Tensor formalInputs(NdArray seqs, long r) {
        int samples = (int) seqs.shape()[1], len = (int) seqs.shape()[2], time = len - 1;
        int[] tokens = new int[samples * time];
        for (int s = 0; s < samples; s++) {
            for (int t = 0; t < time; t++) tokens[s * time + t] = t == 0 ? FormalLanguage.BOS : (int) seqs.getLong((r * samples + s) * len + t);
        }
        return Tensor.oneHot(FormalLanguage.VOCAB, tokens, samples, time);
    }

    @Test
    void formalLanguageRowsReproduceTheStoredLogProbabilities() throws IOException {
        reproduceStoredOutputs(zoo("reference-formal-small"));
    }

    @Test
    void mnistRowsReproduceTheStoredLogits() throws IOException {
        reproduceStoredOutputs(zoo("reference-mnist-small"));
    }

    @Test
    void referenceZoosPassZooCheck() throws IOException {
        for (String name : new String[] {"reference-formal-small", "reference-mnist-small"}) {
            Zoo z = Zoo.open(zoo(name));
            assertEquals(java.util.List.of(), z.check(), name);
        }
    }
}
