package zooscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.encoders.Encoders;
import zooscope.encoders.ProbedModel;
import zooscope.engine.Rng;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Npy;
import zooscope.engine.io.Safetensors;

class EncodeCommandTest {
    @TempDir Path dir;

    /** A real (small) zoo of 64 rows, encoded by every encoder; a saved state dict loads back. */
    @Test
    void encodesEveryRowOfAZooWithEveryEncoder() throws Exception {
        Path zoo = dir.resolve("zoo");
        assertEquals(0, DemoCommandTest.run(new StringWriter(), "zoo", "formal", "--runs", "16", "--steps", "300", "--out", zoo.toString()));
        for (String name : Encoders.NAMES) {
            Path out = dir.resolve(name + ".npy");
            StringWriter err = new StringWriter();
            assertEquals(0, DemoCommandTest.run(err, "encode", "--zoo", zoo.toString(), "--encoder", name, "--seed", "5", "--out", out.toString()), err.toString());
            NdArray z = Npy.read(out);
            assertArrayEquals(new long[] {64, 16}, z.shape(), name);
            for (int r = 0; r < 64; r++) {
                double norm = 0;
                for (int j = 0; j < 16; j++) norm += z.getDouble(r * 16L + j) * z.getDouble(r * 16L + j);
                assertEquals(1, norm, 1e-4, name + " row " + r);
            }
        }
        // --run loads the encoder's state dict: a fresh encoder of seed 5, saved, reproduces --seed 5
        var enc = Encoders.create("dws", ProbedModel.FORMAL, Rng.stream(5, 0));
        Map<String, NdArray> state = new LinkedHashMap<>();
        enc.namedParameters().forEach((k, v) -> state.put(k, NdArray.ofFloats(v.toArray(), java.util.Arrays.stream(v.shape()).asLongStream().toArray())));
        Path run = dir.resolve("run");
        java.nio.file.Files.createDirectories(run);
        Safetensors.write(run.resolve(EncodeCommand.ENCODER_FILE), state, Map.of());
        Path loaded = dir.resolve("loaded.npy");
        assertEquals(0, DemoCommandTest.run(new StringWriter(), "encode", "--zoo", zoo.toString(), "--encoder", "dws", "--run", run.toString(), "--seed", "9", "--out", loaded.toString()));
        assertArrayEquals(Npy.read(dir.resolve("dws.npy")).toFloats(), Npy.read(loaded).toFloats());

        StringWriter err = new StringWriter();
        assertEquals(2, DemoCommandTest.run(err, "encode", "--zoo", zoo.toString(), "--encoder", "flat", "--run", run.toString(), "--out", loaded.toString()));
        assertTrue(err.toString().contains("encoder.safetensors: mlp.0.weight: missing; is this a FlatEncoder state dict?"), err.toString());
    }
}
