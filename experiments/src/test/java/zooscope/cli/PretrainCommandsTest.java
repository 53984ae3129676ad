package zooscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.zoo.ZooGenerator;
import zooscope.zoo.ZooKind;

/** The pre-training commands through the command line: pretrain, downstream, experiment, report. */
class PretrainCommandsTest {
    @TempDir static Path tmp;
    static Path zoo;

    /** 10 runs × 100 updates (20 rows, about 10 tasks: enough for train, validation and OOD parts). */
    @BeforeAll
    static void generateZoo() throws IOException {
        zoo = tmp.resolve("zoo");
        ZooGenerator.generate(zoo, new ZooGenerator.Options(ZooKind.FORMAL, 10, 7, 100, 10, 2, 0, 1, null, ZooGenerator.LearningRate.ZOO, null));
    }

    static int run(StringWriter err, String... args) { return DemoCommandTest.run(err, args); }

    /** Every file under a folder, relative path → modification time. */
    static Map<String, FileTime> files(Path dir) throws IOException {
        Map<String, FileTime> m = new TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) m.put(dir.relativize(p).toString(), Files.getLastModifiedTime(p));
        }
        return m;
    }

    @Test
    void experimentThenReportThenNothingRedone() throws IOException {
        Path out = tmp.resolve("grid");
        String[] experiment = {"experiment", "--zoo", zoo.toString(), "--encoders", "control,statistics,noninteractive", "--seeds", "1", "--out", out.toString(),
            "--eval-rollouts", "all", "--steps", "3", "--frozen-updates", "20", "--supervised-updates", "5"};
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, experiment), err.toString());
        for (String e : new String[] {"control", "statistics", "noninteractive"}) {
            Path unit = out.resolve(e).resolve("seed1");
            for (String f : new String[] {"pretrain/result.json", "pretrain/log.csv", "pretrain/encoder.safetensors", "embeddings.npy", "frozen-task.json",
                "frozen-performance.json", "supervised-task.json"}) {
                assertTrue(Files.size(unit.resolve(f)) > 0, e + ": " + f);
            }
        }

        err = new StringWriter();
        assertEquals(0, run(err, "report", out.toString()), err.toString());
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("| control | 1 |") && report.contains("| statistics | 1 |"), report);
        assertTrue(report.contains("The control row is the emulator conditioned on a learned z"), report);
        assertTrue(report.contains("the mean over every stored rollout of every RNN"), report);
        assertFalse(Files.exists(out.resolve("pca_control.png")), "no PCA of one point");
        List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
        assertTrue(summary.getFirst().startsWith("encoder,seed,val_emulation_loss,ood_emulation_loss"), summary.getFirst());
        assertTrue(List.of(summary.getFirst().split(",")).contains("ood_task_exact_acc"), summary.getFirst());
        assertTrue(List.of(summary.getFirst().split(",")).contains("supervised_val_task_group_acc"), summary.getFirst());
        assertEquals(4, summary.size(), "header + one row per encoder x seed: " + summary);
        assertTrue(summary.get(1).startsWith("control,1,") && summary.get(2).startsWith("statistics,1,") && summary.get(3).startsWith("noninteractive,1,"), summary.toString());
        for (String png : new String[] {"loss_curves.png", "pca_statistics.png", "pca_noninteractive.png", "clone_vs_original.png"}) {
            byte[] b = Files.readAllBytes(out.resolve(png));
            assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', png);
        }

        // the same command again: everything is finished, nothing is rewritten
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Map<String, FileTime> before = files(out);
        for (String f : before.keySet()) Files.setLastModifiedTime(out.resolve(f), old);
        before = files(out);
        err = new StringWriter();
        assertEquals(0, run(err, experiment), err.toString());
        assertEquals(before, files(out), "a finished grid is not redone");

        // other arguments on the same folder are refused, naming the field
        err = new StringWriter();
        experiment[experiment.length - 5] = "4";
        assertEquals(2, run(err, experiment));
        assertTrue(err.toString().strip().startsWith("zooscope experiment: ") && err.toString().contains("pretrain.steps"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    /**
     * The grid pre-trains the seeds of an encoder together by default (--group 8), DWS one at a time (slower
     * in a group on the CPU); every unit's files equal those of the grid run with --group 1 (the log's elapsed column aside).
     */
    @Test
    void theGridGroupsSeedsAndGetsTheSameFilesAsAlone() throws IOException {
        Path grouped = tmp.resolve("grid-grouped"), alone = tmp.resolve("grid-alone");
        String[] common = {"experiment", "--zoo", zoo.toString(), "--encoders", "statistics,dws", "--seeds", "3", "--steps", "12", "--eval-every", "5",
            "--frozen-updates", "20", "--supervised-updates", "0", "--out"};
        StringWriter err = new StringWriter();
        java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(stdout, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(0, run(err, concat(common, grouped.toString())), err.toString());
        } finally {
            System.setOut(old);
        }
        String log = stdout.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(log.contains("pre-training 3 runs of statistics together (seeds [1, 2, 3])") && !log.contains("runs of dws together"), log);
        assertEquals(0, run(err, concat(common, alone.toString(), "--group", "1")), err.toString());
        for (String e : new String[] {"statistics", "dws"}) {
            for (int seed = 1; seed <= 3; seed++) {
                Path a = alone.resolve(e).resolve("seed" + seed), b = grouped.resolve(e).resolve("seed" + seed);
                for (String f : new String[] {"pretrain/encoder.safetensors", "pretrain/emulator.safetensors", "pretrain/checkpoint.safetensors", "embeddings.npy"}) {
                    assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), e + " seed " + seed + ": " + f);
                }
                var json = new com.fasterxml.jackson.databind.ObjectMapper();
                var fa = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(a.resolve("frozen-task.json").toFile());
                var fb = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(b.resolve("frozen-task.json").toFile());
                fa.remove("seconds");
                fb.remove("seconds");
                assertEquals(fa, fb, e + " seed " + seed + ": frozen-task.json (its seconds aside)");
                assertEquals(withoutElapsed(a.resolve("pretrain/log.csv")), withoutElapsed(b.resolve("pretrain/log.csv")), e + " seed " + seed + ": log.csv");
            }
        }
    }

    /** The lines of a run's log.csv without its last column (elapsed_s). */
    static List<String> withoutElapsed(Path log) throws IOException {
        return Files.readAllLines(log).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** "--encoders all" is the control and the paper's six. */
    @Test
    void allEncodersIncludeTheControl() {
        assertEquals(List.of("control", "statistics", "flat", "transformer", "dws", "noninteractive", "interactive"), ExperimentCommand.ALL);
    }

    @Test
    void pretrainThenFrozenDownstream() throws IOException {
        Path runDir = tmp.resolve("run");
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, "pretrain", "--zoo", zoo.toString(), "--encoder", "statistics", "--out", runDir.toString(), "--steps", "2", "--eval-every", "1",
            "--loss", "reverse-kl", "--lr", "3e-4"), err.toString());
        assertEquals(4, Files.readAllLines(runDir.resolve("log.csv")).size(), "header + evaluations after updates 0, 1, 2");
        JsonNode recorded = new ObjectMapper().readTree(runDir.resolve("config.json").toFile()).get("pretrain");
        assertEquals("reverse-kl", recorded.get("loss").asText());
        assertEquals(3e-4, recorded.get("lr").asDouble(), "--lr is the run's learning rate, recorded");
        err = new StringWriter();
        assertEquals(0, run(err, "downstream", "--zoo", zoo.toString(), "--run", runDir.toString(), "--target", "performance", "--updates", "10"), err.toString());
        JsonNode r = new ObjectMapper().readTree(runDir.resolve("downstream-performance.json").toFile());
        assertEquals("frozen", r.get("mode").asText());
        assertEquals(10, r.get("updates").asInt());
        assertTrue(r.get("val").get("loss").asDouble() >= 0);
    }

    /** Bad input: exit code 2 and one line naming the problem. */
    static void badInput(String want, String... args) {
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, args), String.join(" ", args) + ": " + err);
        String msg = err.toString().strip();
        assertEquals(1, msg.lines().count(), "one line: " + msg);
        assertTrue(msg.startsWith("zooscope " + args[0] + ": "), msg);
        assertTrue(msg.contains(want), "'" + msg + "' should contain '" + want + "'");
    }

    @Test
    void badInputIsOneClearLine() {
        String z = zoo.toString(), out = tmp.resolve("bad").toString();
        badInput("--seeds must be positive, got 0", "experiment", "--zoo", z, "--seeds", "0", "--out", out);
        badInput("unknown encoder 'lstm' in --encoders", "experiment", "--zoo", z, "--encoders", "statistics,lstm", "--out", out);
        badInput("--shard must be i/n with 0 <= i < n, got 3/2", "experiment", "--zoo", z, "--encoders", "statistics", "--shard", "3/2", "--out", out);
        badInput("--group must be positive, got 0", "experiment", "--zoo", z, "--encoders", "statistics", "--group", "0", "--out", out);
        badInput("unknown encoder 'lstm'", "pretrain", "--zoo", z, "--encoder", "lstm", "--group", "2", "--out", out);
        badInput("--group must be positive, got -1", "pretrain", "--zoo", z, "--encoder", "statistics", "--group", "-1", "--out", out);
        badInput("give exactly one of --run RUN_DIR (frozen z) and --supervised ENCODER", "downstream", "--zoo", z, "--run", out, "--supervised", "statistics", "--target", "task");
        badInput("give exactly one of", "downstream", "--zoo", z, "--target", "task");
        badInput("unknown --target 'angle'", "downstream", "--zoo", z, "--supervised", "statistics", "--target", "angle");
        Path missing = tmp.resolve("no-such-zoo");
        badInput(missing + ": no such zoo folder", "pretrain", "--zoo", missing.toString(), "--encoder", "statistics", "--out", out);
        badInput("unknown encoder 'lstm'", "pretrain", "--zoo", z, "--encoder", "lstm", "--out", out);
        badInput("unknown emulation loss 'kl'", "pretrain", "--zoo", z, "--encoder", "statistics", "--loss", "kl", "--out", out);
        badInput("not an experiment folder", "report", tmp.resolve("nothing").toString());
        badInput("unknown --eval-rollouts 'some': expected one of one, all", "pretrain", "--zoo", z, "--encoder", "statistics", "--eval-rollouts", "some", "--out", out);
        badInput("the control encoder has no counterpart in the reference implementation", "pretrain", "--zoo", z, "--encoder", "control", "--names", "reference", "--out", out);
        badInput("--lr must be positive and finite, got 0.0", "pretrain", "--zoo", z, "--encoder", "statistics", "--lr", "0", "--out", out);
        badInput("--lr must be positive and finite, got NaN", "experiment", "--zoo", z, "--encoders", "statistics", "--lr", "NaN", "--out", out);
        assertFalse(Files.exists(Path.of(out)), "refused commands create nothing");
    }
}
