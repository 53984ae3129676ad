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
import zooscope.engine.io.Npy;
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

    /** Checks every stored output of every row against the model's; returns {worst, mean} |difference|. */
    static double[] check(LstmLayout layout, NdArray params, NdArray outputs, int rows, int samples, int time,
                          java.util.function.IntFunction<Tensor> inputs, boolean logSoftmax, Tolerance tol) {
        double worst = 0, sum = 0;
        long count = 0;
        LstmWithHead model = layout.newModel(new Rng(0));
        for (int r = 0; r < rows; r++) {
            layout.load(model, params.toFloats((long) r * layout.size(), layout.size()), 0);
            float[] got;
            try (var off = Grad.off()) {
                Tensor out = model.forward(inputs.apply(r));
                got = (logSoftmax ? out.logSoftmax() : out).toArray();
            }
            float[] want = outputs.toFloats((long) r * samples * time * layout.output(), samples * time * layout.output());
            for (int i = 0; i < got.length; i++) {
                double d = Math.abs(got[i] - want[i]);
                worst = Math.max(worst, d);
                sum += d;
                count++;
                assertTrue(d <= tol.atol() + tol.rtol() * Math.abs(want[i]), "row " + r + ", output " + i + ": " + got[i] + " vs stored " + want[i]);
            }
        }
        assertTrue(sum / count <= tol.mean(), "mean |difference| " + sum / count + " above " + tol.mean());
        return new double[] {worst, sum / count};
    }

    @Test
    void formalLanguageRowsReproduceTheStoredLogProbabilities() throws IOException {
        Path dir = zoo("reference-formal-small");
        NdArray params = Npy.read(dir.resolve("parameters.npy")), seqs = Npy.read(dir.resolve("sequences.npy"));
        NdArray logits = Npy.read(dir.resolve("logits.npy"));
        assertEquals(DType.F16, logits.dtype());
        int rows = (int) params.shape()[0], samples = (int) seqs.shape()[1], len = (int) seqs.shape()[2], time = len - 1;
        assertArrayEquals(new long[] {rows, samples, time, 6}, logits.shape());
        double[] err = check(LstmLayout.FORMAL, params, logits, rows, samples, time, r -> {
            int[] tokens = new int[samples * time];
            for (int s = 0; s < samples; s++) {
                for (int t = 0; t < time; t++) {
                    long at = ((long) r * samples + s) * len + t;
                    // position 0 is BOS whatever is stored there (the reference may write EOS over it)
                    tokens[s * time + t] = t == 0 ? FormalLanguage.BOS : (int) seqs.getLong(at);
                }
            }
            return Tensor.oneHot(FormalLanguage.VOCAB, tokens, samples, time);
        }, true, FORMAL);
        System.out.printf("reference formal zoo: %d rows x %d rollouts reproduced, |diff| worst %.2e, mean %.2e%n", rows, samples, err[0], err[1]);
    }

    @Test
    void mnistRowsReproduceTheStoredLogits() throws IOException {
        Path dir = zoo("reference-mnist-small");
        NdArray params = Npy.read(dir.resolve("parameters.npy")), seqs = Npy.read(dir.resolve("sequences.npy"));
        NdArray logits = Npy.read(dir.resolve("logits.npy"));
        int rows = (int) params.shape()[0], samples = (int) seqs.shape()[1], time = (int) seqs.shape()[2];
        assertArrayEquals(new long[] {rows, samples, time, 16}, seqs.shape());
        assertArrayEquals(new long[] {rows, samples, time, 10}, logits.shape());
        double[] err = check(LstmLayout.MNIST, params, logits, rows, samples, time,
            r -> Tensor.of(seqs.toFloats((long) r * samples * time * 16, samples * time * 16), samples, time, 16), false, MNIST);
        System.out.printf("reference MNIST zoo: %d rows x %d rollouts reproduced, |diff| worst %.2e, mean %.2e%n", rows, samples, err[0], err[1]);
    }
}
