package zooscope.encoders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Npy;

class EncoderTest {
    /** PAPER.md §16.8, formal languages and MNIST. */
    static final Map<String, long[]> PARAMETERS = Map.of(
        "statistics", new long[] {11_152, 11_152},
        "statistics-768", new long[] {1_248_016, 1_248_016},
        "flat", new long[] {1_797_264, 1_978_000},
        "transformer", new long[] {1_276_688, 1_278_480},
        "dws", new long[] {1_279_736, 1_282_400},
        "noninteractive", new long[] {1_147_030, 1_156_512},
        "interactive", new long[] {1_147_030, 1_156_512});

    @Test
    void parameterCountsMatchThePaper() {
        assertEquals(16, Encoders.create("control", ProbedModel.FORMAL, new Rng(1)).parameterCount(), "the control (not in the paper): one z");
        for (String name : Encoders.NAMES) {
            if (name.equals("control")) continue;
            assertEquals(PARAMETERS.get(name)[0], Encoders.create(name, ProbedModel.FORMAL, new Rng(1)).parameterCount(), name + ", formal languages");
            assertEquals(PARAMETERS.get(name)[1], Encoders.create(name, ProbedModel.MNIST, new Rng(1)).parameterCount(), name + ", MNIST");
        }
        assertEquals(519, new ParameterTransformer(ProbedModel.FORMAL, 128, 2, 512, 6, 0.1, new Rng(1)).tokens());
        assertEquals(523, new ParameterTransformer(ProbedModel.MNIST, 128, 2, 512, 6, 0.1, new Rng(1)).tokens());
    }

    @Test
    void statisticsAreMeanVarianceAndQuantilesPerTensor() {
        var layout = new zooscope.engine.nn.LstmLayout(1, 1, 1, 1); // 10 tensors of 4, 4, 4, 4, 1, 1 values
        float[] theta = new float[layout.size()];
        for (int i = 0; i < theta.length; i++) theta[i] = i * i;
        float[] f = StatisticsEncoder.features(layout, Tensor.of(theta, 1, theta.length)).toArray();
        // first tensor: weight_ih_l0 = [0, 1, 4, 9]: mean 3.5, unbiased variance 49/3, quantiles 0, 0.75, 2.5, 5.25, 9
        float[] want = {3.5f, 49f / 3, 0f, 0.75f, 2.5f, 5.25f, 9f};
        for (int i = 0; i < 7; i++) assertEquals(want[i], f[i], 1e-6, "feature " + i);
    }

    @Test
    void badInputIsRefusedClearly() {
        WeightEncoder enc = Encoders.create("statistics", ProbedModel.FORMAL, new Rng(1));
        var e = assertThrows(IllegalArgumentException.class, () -> enc.encode(Tensor.zeros(2, 100)));
        assertEquals("StatisticsEncoder: input [2, 100], expected [B, 13766] flat parameter rows of LstmLayout[input=6, hidden=32, layers=2, output=6]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Encoders.create("cnn", ProbedModel.FORMAL, new Rng(1)));
        assertTrue(e.getMessage().startsWith("unknown encoder 'cnn': expected one of [control, statistics"), e.getMessage());
    }

    static Path referenceZoo(String name) {
        for (Path p : new Path[] {Path.of("..", "..", "shared", "data", name), Path.of("..", "shared", "data", name)}) {
            if (Files.isDirectory(p)) return p;
        }
        assumeTrue(false, "reference zoo " + name + " not present (../shared/data)");
        return null;
    }

    /** Every encoder, at the paper's size, encodes every row of the reference's zoos into unit vectors. */
    @Test
    void everyEncoderEncodesTheReferenceZoos() throws IOException {
        for (ProbedModel model : new ProbedModel[] {ProbedModel.FORMAL, ProbedModel.MNIST}) {
            NdArray params = Npy.read(referenceZoo("reference-" + model.name() + "-small").resolve("parameters.npy"));
            int rows = (int) params.shape()[0], P = model.layout().size();
            Tensor theta = Tensor.of(params.toFloats(), rows, P);
            for (String name : Encoders.NAMES) {
                WeightEncoder enc = Encoders.create(name, model, new Rng(3));
                enc.train(false);
                float[] z;
                try (var off = Grad.off()) { z = enc.encode(theta).toArray(); }
                assertEquals(rows * 16, z.length);
                for (int r = 0; r < rows; r++) {
                    double norm = 0;
                    for (int j = 0; j < 16; j++) { assertTrue(Float.isFinite(z[r * 16 + j]), name); norm += z[r * 16 + j] * z[r * 16 + j]; }
                    assertEquals(1, Math.sqrt(norm), 1e-5, name + " row " + r);
                }
                // different checkpoints get different representations, except from the control (one z for all)
                double d = 0;
                for (int j = 0; j < 16; j++) d += Math.abs(z[j] - z[(rows - 1) * 16 + j]);
                if (name.equals("control")) assertEquals(0, d, "control: the same z for every row");
                else assertTrue(d > 1e-4, name + ": first and last rows encode alike");
            }
        }
    }
}
