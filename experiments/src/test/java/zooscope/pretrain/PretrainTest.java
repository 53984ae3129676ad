package zooscope.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.encoders.EmulationLoss;
import zooscope.engine.io.Safetensors;
import zooscope.zoo.ZooGenerator;
import zooscope.zoo.ZooKind;

/** Emulation pre-training (PAPER.md §9) on a tiny formal-language zoo: learning, resuming, the run folder. */
class PretrainTest {
    @TempDir static Path tmp;
    static Path zoo;

    /** 12 runs × 200 updates: checkpoints after updates 0, 100, 200 (36 rows, about 12 tasks: 8 train / 1 val / 3 OOD). */
    @BeforeAll
    static void generateZoo() throws IOException {
        zoo = tmp.resolve("zoo");
        ZooGenerator.generate(zoo, new ZooGenerator.Options(ZooKind.FORMAL, 12, 7, 200, 12, 2, 0, 1, null, ZooGenerator.LearningRate.ZOO, null));
    }

    static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());

    /**
     * A fast configuration: emulator 2 × 16, batch 16 (several batches per epoch, the last one short), 3 clone
     * RNNs × 16 samples; evaluation after updates 0, 10, 20 and the last.
     */
    static PretrainConfig tiny(int steps) { return tiny(steps, 1e-3); }

    static PretrainConfig tiny(int steps, double lr) {
        return new PretrainConfig("test", steps, 16, 10, 16, 2, lr, 0.01, 0.1, EmulationLoss.TV, true, 1, 3, 16, 0, false);
    }

    // ------------------------------------------------------------------ a: learning, d: the run folder

    @Test
    void validationLossFallsAndTheRunFolderIsComplete() throws IOException {
        Path dir = tmp.resolve("learn");
        PretrainConfig cfg = PretrainConfig.small().withSteps(59).withEvalEvery(20);
        Pretrainer p = new Pretrainer(zoo, "statistics", 1, cfg, dir);
        assertTrue(p.split.rows(TaskSplit.Part.VAL).length > 0, "the tiny zoo has validation rows");
        Pretrainer.Result r = p.run(QUIET);
        assertNotNull(r);

        List<double[]> log = Log.read(dir.resolve(Pretrainer.LOG));
        assertEquals(List.of(0.0, 20.0, 40.0, 59.0), log.stream().map(x -> x[0]).toList(), "evaluations after updates 0, 20, 40 and the last");
        double first = log.getFirst()[2], last = log.getLast()[2];
        assertTrue(last < 0.8 * first, "validation loss " + first + " -> " + last);
        assertTrue(log.getLast()[1] < log.getFirst()[1], "training loss falls");
        for (double[] row : log) {
            for (int c = 1; c <= 3; c++) assertTrue(row[c] > 0 && row[c] <= 1, "TV losses lie in (0, 1]: " + java.util.Arrays.toString(row));
            for (int c = 4; c <= 5; c++) assertTrue(row[c] >= 0 && row[c] <= 1, "clone |Δperformance| in [0, 1]");
        }

        // d: the files of the run folder
        for (String f : new String[] {Pretrainer.CONFIG, Pretrainer.SPLIT, Pretrainer.LOG, Pretrainer.CLONES, Pretrainer.ENCODER, Pretrainer.EMULATOR,
            Pretrainer.CHECKPOINT, Pretrainer.RESULT}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode config = json.readTree(dir.resolve(Pretrainer.CONFIG).toFile());
        assertEquals("statistics", config.get("encoder").asText());
        assertEquals(59, config.get("pretrain").get("steps").asInt());
        JsonNode split = json.readTree(dir.resolve(Pretrainer.SPLIT).toFile());
        int rows = 0;
        for (String part : new String[] {"train", "val", "ood"}) rows += split.get(part).get("rows").asInt();
        assertEquals(p.zoo.rows, rows, "every row in one part");
        assertEquals(p.split.tasks(TaskSplit.Part.OOD).size(), split.get("ood").get("tasks").size());

        // result.json: the best validation step of the log, with its losses
        JsonNode res = json.readTree(dir.resolve(Pretrainer.RESULT).toFile());
        int best = 0;
        for (int i = 1; i < log.size(); i++) if (log.get(i)[2] < log.get(best)[2]) best = i;
        assertEquals((int) log.get(best)[0], res.get("bestStep").asInt());
        assertEquals(r.bestStep(), res.get("bestStep").asInt());
        assertEquals(log.get(best)[2], res.get("valLoss").asDouble(), 1e-6);
        assertEquals(log.get(best)[3], res.get("oodLoss").asDouble(), 1e-6);

        // encoder.safetensors / emulator.safetensors hold that best state: loaded into a fresh pre-trainer, they give its validation loss
        Pretrainer q = new Pretrainer(zoo, "statistics", 1, cfg, tmp.resolve("unused"));
        Pretrainer.load(q.encoder, Safetensors.read(dir.resolve(Pretrainer.ENCODER)).tensors(), "", dir.resolve(Pretrainer.ENCODER));
        Pretrainer.load(q.emulator, Safetensors.read(dir.resolve(Pretrainer.EMULATOR)).tensors(), "", dir.resolve(Pretrainer.EMULATOR));
        assertEquals(r.valLoss(), q.partLoss(TaskSplit.Part.VAL), 1e-9);
        assertEquals(r.oodLoss(), q.partLoss(TaskSplit.Part.OOD), 1e-9);
        assertTrue(Files.notExists(tmp.resolve("unused")), "constructing a pre-trainer writes nothing");

        // clone.csv: a line per checked RNN and evaluation, for the validation and OOD parts
        List<String> clones = Files.readAllLines(dir.resolve(Pretrainer.CLONES));
        assertEquals(PerformanceCheck.HEADER, clones.getFirst());
        int perEval = Math.min(cfg.cloneRnns(), p.split.rows(TaskSplit.Part.VAL).length) + Math.min(cfg.cloneRnns(), p.split.rows(TaskSplit.Part.OOD).length);
        assertEquals(1 + 4 * perEval, clones.size());

        // a finished run is not redone
        byte[] logBytes = Files.readAllBytes(dir.resolve(Pretrainer.LOG));
        Pretrainer.Result again = new Pretrainer(zoo, "statistics", 1, cfg, dir).run(QUIET);
        assertEquals(r.bestStep(), again.bestStep());
        assertEquals(r.valLoss(), again.valLoss());
        assertArrayEquals(logBytes, Files.readAllBytes(dir.resolve(Pretrainer.LOG)));
    }

    // ------------------------------------------------------------------ c: other arguments on the same folder

    @Test
    void otherArgumentsOnTheSameFolderAreRefused() throws IOException {
        Path dir = tmp.resolve("args");
        new Pretrainer(zoo, "statistics", 1, tiny(1), dir).run(QUIET);
        byte[] config = Files.readAllBytes(dir.resolve(Pretrainer.CONFIG));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Pretrainer(zoo, "statistics", 2, tiny(1), dir).run(QUIET));
        assertTrue(e.getMessage().contains("field 'seed' is 1, this command gives 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Pretrainer(zoo, "statistics", 1, tiny(3), dir).run(QUIET));
        assertTrue(e.getMessage().contains("field 'pretrain.steps' is 1, this command gives 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Pretrainer(zoo, "statistics", 1, tiny(1).withLoss(EmulationLoss.REVERSE_KL), dir).run(QUIET));
        assertTrue(e.getMessage().contains("pretrain.loss"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Pretrainer(zoo, "dws", 1, tiny(1), dir).run(QUIET));
        assertTrue(e.getMessage().contains("field 'encoder'"), e.getMessage());
        assertArrayEquals(config, Files.readAllBytes(dir.resolve(Pretrainer.CONFIG)), "a refused run leaves config.json alone");
    }

    // ------------------------------------------------------------------ b: kill and resume

    @Test
    void killedAfterTheLastEvaluationOnlyWritesTheResult() throws IOException {
        Path a = tmp.resolve("last-a"), b = tmp.resolve("last-b");
        Pretrainer.Result ra = new Pretrainer(zoo, "statistics", 2, tiny(3), a).run(QUIET);
        Pretrainer b1 = new Pretrainer(zoo, "statistics", 2, tiny(3), b);
        b1.stopAfter = 3;                  // killed after the last evaluation and checkpoint, before result.json
        assertNull(b1.run(QUIET));
        assertTrue(Files.notExists(b.resolve(Pretrainer.RESULT)));
        Pretrainer.Result rb = new Pretrainer(zoo, "statistics", 2, tiny(3), b).run(QUIET);
        assertEquals(ra.bestStep(), rb.bestStep());
        assertEquals(ra.valLoss(), rb.valLoss());
        assertEquals(ra.cloneOodMae(), rb.cloneOodMae());
        assertEquals(withoutElapsed(a.resolve(Pretrainer.LOG)), withoutElapsed(b.resolve(Pretrainer.LOG)));
        assertArrayEquals(Files.readAllBytes(a.resolve(Pretrainer.CHECKPOINT)), Files.readAllBytes(b.resolve(Pretrainer.CHECKPOINT)));
    }

    /** A checkpoint whose metadata was damaged is refused naming the file and the field, before anything is loaded. */
    @Test
    void aDamagedCheckpointIsRefusedNamingTheField() throws IOException {
        Path dir = tmp.resolve("damaged");
        Pretrainer p1 = new Pretrainer(zoo, "statistics", 4, tiny(20), dir);
        p1.stopAfter = 10;
        assertNull(p1.run(QUIET));
        Path ckpt = dir.resolve(Pretrainer.CHECKPOINT);
        var good = zooscope.engine.io.Safetensors.read(ckpt);
        String[][] damage = {{"step", "1e99"}, {"step", "ten"}, {"best_step", "11"}, {"adam_steps", "-1"}, {"best_val", "NaN"},
                             {"best_row", "1,2,3"}, {"best_row", "1,2,x,4,5,6"}};
        for (String[] d : damage) {
            var meta = new java.util.LinkedHashMap<>(good.metadata());
            meta.put(d[0], d[1]);
            zooscope.engine.io.Safetensors.write(ckpt, good.tensors(), meta);
            var e = org.junit.jupiter.api.Assertions.assertThrows(zooscope.engine.io.FormatException.class,
                () -> new Pretrainer(zoo, "statistics", 4, tiny(20), dir).run(QUIET), d[0] + "=" + d[1]);
            assertTrue(e.getMessage().contains(ckpt.toString()) && e.getMessage().contains("__metadata__." + d[0]), e.getMessage());
        }
    }

    /** flat: permutation augmentation (batch 16, updates 0..29, evaluations after 0, 10, 20, 29). */
    @Test void resumeFlat() throws IOException { resumeGivesTheSameBits("flat", 16, 29, 10); }

    /** transformer: augmentation and dropout (batch 8 to keep it quick; updates 0..14, evaluations after 0, 5, 10, 14). */
    @Test void resumeTransformer() throws IOException { resumeGivesTheSameBits("transformer", 8, 14, 5); }

    /**
     * Run A uninterrupted; run B killed in the middle of an interval (after update 1.5·E), with the rows of a
     * half-written evaluation of update 2E left in its logs, resumed and killed again right after the evaluation of
     * update 2E, then resumed to the end by a fresh pre-trainer: the same bits as A.
     */
    void resumeGivesTheSameBits(String encoder, int batch, int steps, int every) throws IOException {
        PretrainConfig cfg = new PretrainConfig("test", steps, batch, every, 16, 2, 1e-3, 0.01, 0.1, EmulationLoss.TV, true, 1, 3, 16, 0, false);
        List<Double> evals = new java.util.ArrayList<>();
        for (int t = 0; t <= steps; t++) if (t % every == 0 || t == steps) evals.add((double) t);
        Path a = tmp.resolve("resume-" + encoder + "-a"), b = tmp.resolve("resume-" + encoder + "-b");
        Pretrainer.Result ra = new Pretrainer(zoo, encoder, 3, cfg, a).run(QUIET);
        assertNotNull(ra);
        assertEquals(evals, Log.read(a.resolve(Pretrainer.LOG)).stream().map(x -> x[0]).toList());

        // killed after update 1.5·E (its last checkpoint after update E) ...
        Pretrainer b1 = new Pretrainer(zoo, encoder, 3, cfg, b);
        assertTrue(b1.split.rows(TaskSplit.Part.TRAIN).length > batch, "several batches per epoch");
        b1.stopAfter = every + every / 2;
        assertNull(b1.run(QUIET));
        assertTrue(Files.notExists(b.resolve(Pretrainer.RESULT)));
        assertEquals(List.of(0.0, (double) every), Log.read(b.resolve(Pretrainer.LOG)).stream().map(x -> x[0]).toList());
        // ... while writing the evaluation of update 2E (log rows written, checkpoint not yet): those rows must go
        Files.writeString(b.resolve(Pretrainer.LOG), (2 * every) + ",0.5,0.5,0.5,0.1,0.1,9.9\n", StandardOpenOption.APPEND);
        Files.writeString(b.resolve(Pretrainer.CLONES), (2 * every) + ",val,0,0.5,0.5\n", StandardOpenOption.APPEND);

        // resumed, and killed again right after the evaluation of update 2E
        Pretrainer b2 = new Pretrainer(zoo, encoder, 3, cfg, b);
        b2.stopAfter = 2 * every;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertNull(b2.run(new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("resuming after update " + every + " "), out.toString(StandardCharsets.UTF_8));

        // resumed to the end by a fresh pre-trainer
        out.reset();
        Pretrainer.Result rb = new Pretrainer(zoo, encoder, 3, cfg, b).run(new PrintStream(out, true, StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("resuming after update " + 2 * every + " "), out.toString(StandardCharsets.UTF_8));
        assertNotNull(rb);

        for (String f : new String[] {Pretrainer.ENCODER, Pretrainer.EMULATOR, Pretrainer.CHECKPOINT, Pretrainer.CLONES, Pretrainer.SPLIT, Pretrainer.CONFIG}) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), encoder + ": " + f + " differs after resuming");
        }
        List<String> la = withoutElapsed(a.resolve(Pretrainer.LOG)), lb = withoutElapsed(b.resolve(Pretrainer.LOG));
        assertEquals(la, lb, encoder + ": log.csv (elapsed_s aside)");
        assertEquals(evals, Log.read(b.resolve(Pretrainer.LOG)).stream().map(x -> x[0]).toList(), "no evaluation lost or repeated");
        assertEquals(ra.bestStep(), rb.bestStep());
        assertEquals(ra.valLoss(), rb.valLoss());
        assertEquals(ra.oodLoss(), rb.oodLoss());
        assertEquals(ra.cloneValMae(), rb.cloneValMae());
        assertEquals(ra.cloneOodMae(), rb.cloneOodMae());
    }

    // ------------------------------------------------------------------ the control and --eval-rollouts all

    /** The control learns (its z and the emulator move, the validation loss falls) and gives every RNN the same z. */
    @Test
    void theControlTrainsAndItsZIsTheSameForEveryRnn() throws IOException {
        Path dir = tmp.resolve("control");
        Pretrainer p = new Pretrainer(zoo, "control", 1, PretrainConfig.small().withSteps(59).withEvalEvery(20), dir);
        float[] zBefore = p.encoder.parameters().getFirst().toArray();
        assertNotNull(p.run(QUIET));
        List<double[]> log = Log.read(dir.resolve(Pretrainer.LOG));
        assertTrue(log.getLast()[2] < 0.8 * log.getFirst()[2], "validation loss " + log.getFirst()[2] + " -> " + log.getLast()[2]);
        zooscope.encoders.WeightEncoder enc = TrainedRun.open(dir).encoder();
        assertEquals(zooscope.encoders.WeightEncoder.EMBEDDING, enc.parameterCount(), "one learned vector");
        assertFalse(java.util.Arrays.equals(zBefore, enc.parameters().getFirst().toArray()), "z is trained");
        long[] rows = new long[(int) p.zoo.rows];
        for (int i = 0; i < rows.length; i++) rows[i] = i;
        try (var off = zooscope.engine.Grad.off()) {
            float[] z = enc.encode(p.data.theta(rows)).toArray();
            int d = zooscope.encoders.WeightEncoder.EMBEDDING;
            for (int i = 1; i < rows.length; i++) {
                assertArrayEquals(java.util.Arrays.copyOf(z, d), java.util.Arrays.copyOfRange(z, i * d, (i + 1) * d), "row " + i + " has row 0's z");
            }
        }
    }

    /** --eval-rollouts all: the chunked, batched evaluation equals a hand loop over every rollout of every row, one item at a time. */
    @Test
    void evaluationOnAllRolloutsIsTheMeanOverEveryRollout() throws IOException {
        for (String encoder : new String[] {"statistics", "interactive"}) {
            Pretrainer p = new Pretrainer(zoo, encoder, 1, tiny(3).withEvalAllRollouts(true), tmp.resolve("all-" + encoder));
            for (TaskSplit.Part part : new TaskSplit.Part[] {TaskSplit.Part.VAL, TaskSplit.Part.OOD}) {
                long[] rows = p.split.rows(part);
                double sum = 0;
                try (var off = zooscope.engine.Grad.off()) {
                    for (long row : rows) {
                        zooscope.engine.Tensor z = p.encoder.encode(p.data.theta(new long[] {row}));
                        for (int r = 0; r < p.data.rollouts; r++) {
                            EmulationData.Batch b = p.data.batch(new long[] {row}, new int[] {r});
                            sum += p.cfg.loss().perItem(p.emulator.forward(b.x(), z), b.target()).sum().item();
                        }
                    }
                }
                double hand = sum / (rows.length * (double) p.data.rollouts), batched = p.partLoss(part);
                assertTrue(p.data.rollouts > 1 && rows.length * p.data.rollouts > Pretrainer.EVAL_CHUNK / 8, "several rollouts per row");
                assertEquals(hand, batched, 1e-5 * hand, encoder + ", " + part + ": " + rows.length + " rows x " + p.data.rollouts + " rollouts");
            }
        }
    }

    /** The lines of log.csv without the last column (elapsed_s). */
    static List<String> withoutElapsed(Path log) throws IOException {
        return Files.readAllLines(log).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }
}
