package zooscope.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import zooscope.encoders.EmulationLoss;
import zooscope.zoo.ZooGenerator;
import zooscope.zoo.ZooKind;

/**
 * Runs trained together ({@link PretrainGroup}) against the same runs trained alone, and a killed group
 * resumed, on a tiny formal-language zoo.
 */
class PretrainGroupTest {
    @TempDir static Path tmp;
    static Path zoo;

    @BeforeAll
    static void generateZoo() throws IOException {
        zoo = tmp.resolve("zoo");
        ZooGenerator.generate(zoo, new ZooGenerator.Options(ZooKind.FORMAL, 12, 7, 200, 12, 2, 0, 1, null, ZooGenerator.LearningRate.ZOO, null));
    }

    static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());
    static final long[] SEEDS = {3, 4, 5};
    /** Files of a finished run that must not depend on how it was trained. */
    static final String[] FILES = {Pretrainer.ENCODER, Pretrainer.EMULATOR, Pretrainer.CLONES, Pretrainer.SPLIT, Pretrainer.CONFIG};

    /** 29 updates, batch 16 (several batches per epoch, the last short), evaluations every 10. */
    static PretrainConfig cfg() {
        return new PretrainConfig("test", 29, 16, 10, 16, 2, 1e-3, 0.01, 0.1, EmulationLoss.TV, true, 1, 3, 16, 0, false);
    }

    static List<Pretrainer> runs(Path dir, String encoder) throws IOException {
        List<Pretrainer> runs = new ArrayList<>();
        for (long s : SEEDS) runs.add(new Pretrainer(zoo, encoder, s, cfg(), dir.resolve("seed" + s)));
        return runs;
    }

    /**
     * Each run of a group of three ends with the same files as the run trained alone, byte for byte: every op
     * of the group is the solo op batched over the model axis (the same kernel per model), so here the float32
     * tolerance is zero.
     */
    @ParameterizedTest
    @ValueSource(strings = {"control", "statistics", "flat", "dws", "interactive", "noninteractive", "transformer"})
    void aRunTrainedInAGroupEqualsTheRunTrainedAlone(String encoder) throws IOException {
        Path solo = tmp.resolve("solo-" + encoder), grouped = tmp.resolve("group-" + encoder);
        List<Pretrainer.Result> alone = new ArrayList<>();
        for (Pretrainer p : runs(solo, encoder)) alone.add(p.run(QUIET));
        List<Pretrainer.Result> together = new PretrainGroup(runs(grouped, encoder)).run(QUIET);
        assertEquals(SEEDS.length, together.size());
        for (int i = 0; i < SEEDS.length; i++) {
            Path a = solo.resolve("seed" + SEEDS[i]), b = grouped.resolve("seed" + SEEDS[i]);
            for (String f : FILES) assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), encoder + " seed " + SEEDS[i] + ": " + f);
            assertEquals(PretrainTest.withoutElapsed(a.resolve(Pretrainer.LOG)), PretrainTest.withoutElapsed(b.resolve(Pretrainer.LOG)), encoder + " seed " + SEEDS[i] + ": log.csv");
            Pretrainer.Result x = alone.get(i), y = together.get(i);
            assertEquals(List.of(x.bestStep(), x.valLoss(), x.oodLoss(), x.cloneValMae(), x.cloneOodMae()),
                List.of(y.bestStep(), y.valLoss(), y.oodLoss(), y.cloneValMae(), y.cloneOodMae()), encoder + " seed " + SEEDS[i]);
        }
    }

    /**
     * A group killed mid-way, then one run pushed ahead of the others by a group of one (as when a kill lands
     * between the runs' checkpoints), then resumed: the runs behind train as a smaller group until they catch
     * up, and every run ends with the same bits as in an uninterrupted group.
     */
    @Test
    void aKilledGroupResumesToTheSameBits() throws IOException {
        Path a = tmp.resolve("whole"), b = tmp.resolve("killed");
        assertNotNull(new PretrainGroup(runs(a, "statistics")).run(QUIET));

        PretrainGroup b1 = new PretrainGroup(runs(b, "statistics"));
        b1.stopAfter = 15; // the checkpoints hold update 10
        assertNull(b1.run(QUIET));
        PretrainGroup ahead = new PretrainGroup(List.of(new Pretrainer(zoo, "statistics", SEEDS[0], cfg(), b.resolve("seed" + SEEDS[0]))));
        ahead.stopAfter = 20; // this run's checkpoint holds update 20, the others' update 10
        assertNull(ahead.run(QUIET));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertNotNull(new PretrainGroup(runs(b, "statistics")).run(new PrintStream(out, true, StandardCharsets.UTF_8)));
        String log = out.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("resuming after update 20 ") && log.contains("resuming after update 10 "), log);
        for (long s : SEEDS) {
            for (String f : FILES) assertArrayEquals(Files.readAllBytes(a.resolve("seed" + s).resolve(f)), Files.readAllBytes(b.resolve("seed" + s).resolve(f)), "seed " + s + ": " + f);
            assertArrayEquals(Files.readAllBytes(a.resolve("seed" + s).resolve(Pretrainer.CHECKPOINT)), Files.readAllBytes(b.resolve("seed" + s).resolve(Pretrainer.CHECKPOINT)), "seed " + s + ": checkpoint");
            assertEquals(PretrainTest.withoutElapsed(a.resolve("seed" + s).resolve(Pretrainer.LOG)), PretrainTest.withoutElapsed(b.resolve("seed" + s).resolve(Pretrainer.LOG)), "seed " + s);
        }
    }

    @Test
    void aGroupOfDifferentEncodersIsRefused() throws IOException {
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class, () -> new PretrainGroup(List.of(
            new Pretrainer(zoo, "control", 1, cfg(), tmp.resolve("mixed/a")), new Pretrainer(zoo, "statistics", 2, cfg(), tmp.resolve("mixed/b")))));
        assertTrue(mixed.getMessage().contains("one encoder"), mixed.getMessage());
    }
}
