package zooscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import zooscope.encoders.Encoders;
import zooscope.encoders.ProbedModel;
import zooscope.encoders.ReferenceNames;
import zooscope.engine.Rng;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Npy;
import zooscope.engine.io.Safetensors;
import zooscope.zoo.ZooGenerator;
import zooscope.zoo.ZooKind;

/**
 * Every command and subcommand with bad input: exit code 2, one line on stderr that names the option (or the
 * path) and what is expected, no stack trace, nothing on stdout and nothing created (refused before any work).
 * One row per case; a command without a row fails {@link #everyCommandHasARow}.
 */
class BadArgumentsTest {
    @TempDir static Path tmp;
    /** $Z a formal zoo, $M a run folder of a statistics encoder for MNIST RNNs, $N a missing path, $F a file, $O a fresh output path. */
    static Path zoo, mnistRun, none, file;

    /** 10 runs x 100 updates (enough tasks for pre-training); a run folder imported for the other zoo kind. */
    @BeforeAll
    static void setUp() throws IOException {
        zoo = tmp.resolve("zoo");
        ZooGenerator.generate(zoo, new ZooGenerator.Options(ZooKind.FORMAL, 10, 7, 100, 10, 2, 0, 1, null, ZooGenerator.LearningRate.ZOO, null));
        Path enc = tmp.resolve("mnist-statistics.safetensors");
        Safetensors.write(enc, ReferenceNames.toReference("statistics", Encoders.create("statistics", ProbedModel.MNIST, new Rng(1))), Map.of());
        mnistRun = tmp.resolve("mnist-run");
        assertEquals(0, DemoCommandTest.run(new StringWriter(), "import", "--encoder", "statistics", "--zoo-kind", "mnist", "--encoder-file", enc.toString(), "--out", mnistRun.toString()));
        none = tmp.resolve("no-such-thing");
        file = Files.writeString(tmp.resolve("a-file"), "");
    }

    /** One case: the arguments ($Z, $M, $N, $F, $O replaced) and a part of the one line expected on stderr. */
    record Row(String want, String... args) {}

    static Row row(String want, String... args) { return new Row(want, args); }

    static final List<Row> ROWS = List.of(
        row("Unmatched argument at index 0: 'foo'; did you mean", "foo"),
        row("Unknown subcommand 'foo'", "help", "foo"),
        row("Unmatched argument at index 1: 'extra'", "test", "extra"),
        row("--backend: unknown backend 'tpu'", "info", "--backend", "tpu"),

        row("--runs must be positive, got 0", "demo", "--runs", "0", "--out", "$O"),
        row("--runs must be positive, got -3", "demo", "--runs", "-3", "--out", "$O"),
        row("Invalid value for option '--runs': 'x' is not an int", "demo", "--runs", "x", "--out", "$O"),
        row("--steps must be >= 0, got -1", "demo", "--steps", "-1", "--out", "$O"),
        row("--threads must be positive, got 0", "demo", "--threads", "0", "--out", "$O"),
        row("unknown encoder 'bogus' in --encoders", "demo", "--encoders", "dws,bogus", "--out", "$O"),
        row("--pretrain-steps must be >= 0, got -1", "demo", "--pretrain-steps", "-1", "--out", "$O"),
        row("--frozen-updates must be positive, got 0", "demo", "--frozen-updates", "0", "--out", "$O"),
        row("--out $F: a file, expected a folder", "demo", "--out", "$F"),
        row("--backend: unknown backend 'tpu' (zooscope.backend): expected one of", "demo", "--backend", "tpu", "--out", "$O"),

        row("Unmatched argument at index 1: 'bogus'", "zoo", "bogus"),
        row("Missing required option: '--runs=<runs>'", "zoo", "formal", "--out", "$O"),
        row("--runs must be positive, got 0", "zoo", "formal", "--runs", "0", "--out", "$O"),
        row("--steps must be >= 0, got -1", "zoo", "formal", "--runs", "2", "--steps", "-1", "--out", "$O"),
        row("Invalid value for option '--steps': '99999999999' is not an int", "zoo", "formal", "--runs", "2", "--steps", "99999999999", "--out", "$O"),
        row("--models-at-once must be positive, got 0", "zoo", "formal", "--runs", "2", "--models-at-once", "0", "--out", "$O"),
        row("--threads must be positive, got -2", "zoo", "formal", "--runs", "2", "--threads=-2", "--out", "$O"),
        row("--shard must be i/n with 0 <= i < n, got 2/2", "zoo", "formal", "--runs", "2", "--shard", "2/2", "--out", "$O"),
        row("--shard must be I/N (e.g. 0/4), got 'x'", "zoo", "formal", "--runs", "2", "--shard", "x", "--out", "$O"),
        row("--shard 3/4: more shards than runs (2)", "zoo", "formal", "--runs", "2", "--shard", "3/4", "--out", "$O"),
        row("Invalid value for option '--seed': '1.5' is not a long", "zoo", "formal", "--runs", "2", "--seed", "1.5", "--out", "$O"),
        row("--out $F: a file, expected a folder", "zoo", "formal", "--runs", "2", "--out", "$F"),
        row("--mnist-dir $N: no such folder", "zoo", "mnist", "--runs", "2", "--mnist-dir", "$N", "--out", "$O"),
        row("--runs must be positive, got 0", "zoo", "mnist", "--runs", "0", "--out", "$O"),
        row("$N: no such zoo folder", "zoo", "check", "$N"),
        row("$F: no such zoo folder", "zoo", "check", "$F"),
        row("Missing required parameter: 'DIR'", "zoo", "check"),
        row("$N: no such zoo folder", "zoo", "merge", "$N", "--out", "$O"),
        row("$Z: already holds 10 runs; merge into an empty folder", "zoo", "merge", "$Z", "--out", "$Z"),
        row("--out $F: a file, expected a folder", "zoo", "merge", "$Z", "--out", "$F"),
        row("no run 99 (runs [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])", "zoo", "export", "$Z", "--run", "99", "--step", "100", "--out", "$O"),
        row("no run -1", "zoo", "export", "$Z", "--run", "-1", "--step", "100", "--out", "$O"),
        row("run 0 has no checkpoint at step 7 (steps [0, 100])", "zoo", "export", "$Z", "--run", "0", "--step", "7", "--out", "$O"),
        row("--out $Z: a folder, expected a file name", "zoo", "export", "$Z", "--run", "0", "--step", "100", "--out", "$Z"),

        row("--zoo $N: no such zoo folder", "encode", "--zoo", "$N", "--encoder", "dws", "--out", "$O"),
        row("unknown --encoder 'foo': expected one of control, statistics,", "encode", "--zoo", "$Z", "--encoder", "foo", "--out", "$O"),
        row("--batch must be positive, got 0", "encode", "--zoo", "$Z", "--encoder", "dws", "--batch", "0", "--out", "$O"),
        row("--probe-streams must be positive, got 0", "encode", "--zoo", "$Z", "--encoder", "interactive", "--probe-streams", "0", "--out", "$O"),
        row("--run $N: no such folder", "encode", "--zoo", "$Z", "--encoder", "dws", "--run", "$N", "--out", "$O"),
        row("--run $M holds a trained 'statistics' encoder, not --encoder 'dws'", "encode", "--zoo", "$Z", "--encoder", "dws", "--run", "$M", "--out", "$O"),
        row("--run $M was trained on a mnist zoo; --zoo $Z is a formal zoo", "encode", "--zoo", "$Z", "--encoder", "statistics", "--run", "$M", "--out", "$O"),
        row("--out $F/x.npy: $F is a file, not a folder", "encode", "--zoo", "$Z", "--encoder", "dws", "--out", "$F/x.npy"),
        row("Missing required option: '--out=FILE.npy'", "encode", "--zoo", "$Z", "--encoder", "dws"),

        row("--zoo $N: no such zoo folder", "pretrain", "--zoo", "$N", "--encoder", "dws", "--out", "$O"),
        row("unknown encoder 'lstm'", "pretrain", "--zoo", "$Z", "--encoder", "lstm", "--out", "$O"),
        row("unknown --preset 'huge': expected paper or small", "pretrain", "--zoo", "$Z", "--encoder", "dws", "--preset", "huge", "--out", "$O"),
        row("--steps must be >= 0, got -1", "pretrain", "--zoo", "$Z", "--encoder", "dws", "--steps", "-1", "--out", "$O"),
        row("'--steps': 'ten' is not an int", "pretrain", "--zoo", "$Z", "--encoder", "dws", "--steps", "ten", "--out", "$O"),
        row("--eval-every must be positive, got 0", "pretrain", "--zoo", "$Z", "--encoder", "dws", "--eval-every", "0", "--out", "$O"),
        row("unknown emulation loss 'kl'", "pretrain", "--zoo", "$Z", "--encoder", "dws", "--loss", "kl", "--out", "$O"),
        row("--probe-streams must be positive, got 0", "pretrain", "--zoo", "$Z", "--encoder", "interactive", "--probe-streams", "0", "--out", "$O"),
        row("--names must be zooscope or reference, got 'torch'", "pretrain", "--zoo", "$Z", "--encoder", "dws", "--names", "torch", "--out", "$O"),
        row("--out $F: a file, expected a folder", "pretrain", "--zoo", "$Z", "--encoder", "dws", "--out", "$F"),

        row("--zoo $N: no such zoo folder", "downstream", "--zoo", "$N", "--supervised", "dws", "--target", "task"),
        row("give exactly one of --run RUN_DIR (frozen z) and --supervised ENCODER", "downstream", "--zoo", "$Z", "--run", "$M", "--supervised", "dws", "--target", "task"),
        row("give exactly one of", "downstream", "--zoo", "$Z", "--target", "task"),
        row("unknown --supervised encoder 'foo'", "downstream", "--zoo", "$Z", "--supervised", "foo", "--target", "task"),
        row("unknown --target 'angle' for a formal zoo: expected one of task, performance", "downstream", "--zoo", "$Z", "--supervised", "dws", "--target", "angle"),
        row("--updates must be positive, got 0", "downstream", "--zoo", "$Z", "--supervised", "dws", "--target", "task", "--updates", "0"),
        row("--encoder-size must be small or paper, got 'big'", "downstream", "--zoo", "$Z", "--supervised", "dws", "--target", "task", "--encoder-size", "big"),
        row("--run $N: not a pre-training run folder", "downstream", "--zoo", "$Z", "--run", "$N", "--target", "task"),
        row("--run $M was trained on a mnist zoo; --zoo $Z is a formal zoo", "downstream", "--zoo", "$Z", "--run", "$M", "--target", "task"),
        row("--out $F/r.json: $F is a file, not a folder", "downstream", "--zoo", "$Z", "--supervised", "dws", "--target", "task", "--out", "$F/r.json"),

        row("--zoo $N: no such zoo folder", "experiment", "--zoo", "$N", "--out", "$O"),
        row("--seeds must be positive, got 0", "experiment", "--zoo", "$Z", "--seeds", "0", "--out", "$O"),
        row("unknown encoder 'lstm' in --encoders", "experiment", "--zoo", "$Z", "--encoders", "statistics,lstm", "--out", "$O"),
        row("--shard must be i/n with 0 <= i < n, got 3/2", "experiment", "--zoo", "$Z", "--shard", "3/2", "--out", "$O"),
        row("--shard must be i/n with 0 <= i < n, got 0/0", "experiment", "--zoo", "$Z", "--shard", "0/0", "--out", "$O"),
        row("unknown --preset 'fast'", "experiment", "--zoo", "$Z", "--preset", "fast", "--out", "$O"),
        row("--steps must be >= 0, got -1", "experiment", "--zoo", "$Z", "--steps", "-1", "--out", "$O"),
        row("--frozen-updates must be positive, got 0", "experiment", "--zoo", "$Z", "--frozen-updates", "0", "--out", "$O"),
        row("--supervised-updates must be >= 0, got -1", "experiment", "--zoo", "$Z", "--supervised-updates", "-1", "--out", "$O"),
        row("--out $F: a file, expected a folder", "experiment", "--zoo", "$Z", "--out", "$F"),

        row("$N: not an experiment folder (no grid.json)", "report", "$N"),
        row("--out $F: a file, expected a folder", "report", "$Z", "--out", "$F"),
        row("Missing required parameter: 'RESULTS_DIR'", "report"),

        row("--run $N: not a pre-training run folder (no config.json)", "export", "--run", "$N"),
        row("--run $Z: not a pre-training run folder", "export", "--run", "$Z", "--out", "$O"),
        row("--out $F: a file, expected a folder", "export", "--run", "$M", "--out", "$F"),

        row("--zoo-kind must be formal or mnist, got 'cifar'", "import", "--encoder", "dws", "--zoo-kind", "cifar", "--encoder-file", "$F", "--out", "$O"),
        row("unknown --encoder 'foo'", "import", "--encoder", "foo", "--zoo-kind", "formal", "--encoder-file", "$F", "--out", "$O"),
        row("--encoder-file $N: no such file", "import", "--encoder", "dws", "--zoo-kind", "formal", "--encoder-file", "$N", "--out", "$O"),
        row("--emulator-file $Z: a folder, expected a file", "import", "--encoder", "dws", "--zoo-kind", "formal", "--encoder-file", "$F", "--emulator-file", "$Z", "--out", "$O"),
        row("$F: header length: file has 0 bytes", "import", "--encoder", "dws", "--zoo-kind", "formal", "--encoder-file", "$F", "--out", "$O"),

        row("--k-max must be between 2 and 20, got 1", "theory", "--k-max", "1", "--out", "$O"),
        row("--k-max must be between 2 and 20, got 21", "theory", "--k-max", "21", "--out", "$O"),
        row("Invalid value for option '--k-max': 'x' is not an int", "theory", "--k-max", "x", "--out", "$O"),
        row("--out $F: a file, expected a folder", "theory", "--k-max", "3", "--out", "$F"),

        row("Unmatched argument at index 1: 'bogus'", "bench", "bogus"),
        row("--config must be formal or mnist, got 'cifar'", "bench", "train", "--config", "cifar"),
        row("--models must be positive, got 0", "bench", "train", "--models", "0"),
        row("--steps must be positive, got 0", "bench", "train", "--steps", "0"),
        row("--repeats must be positive, got -1", "bench", "train", "--repeats", "-1"),
        row("--warmup must be >= 0, got -1", "bench", "train", "--warmup", "-1"),
        row("--threads must be positive, got 0", "bench", "train", "--threads", "0"),
        row("--batch must be positive, got 0", "bench", "train", "--batch", "0"),
        row("--zoo $N: no such zoo folder", "bench", "encode", "--zoo", "$N"),
        row("unknown --encoders 'foo'", "bench", "encode", "--zoo", "$Z", "--encoders", "dws,foo"),
        row("--batch must be positive, got 0", "bench", "encode", "--zoo", "$Z", "--batch", "0"),
        row("--repeats must be positive, got 0", "bench", "encode", "--zoo", "$Z", "--repeats", "0"),
        row("unknown --encoder 'foo'", "bench", "pretrain", "--encoder", "foo"),
        row("unknown --preset 'tiny'", "bench", "pretrain", "--preset", "tiny"),
        row("--zoo-kind must be formal or mnist, got 'cifar'", "bench", "pretrain", "--zoo-kind", "cifar"),
        row("--steps must be positive, got 0", "bench", "pretrain", "--steps", "0"),
        row("--repeats must be positive, got 0", "bench", "pretrain", "--repeats", "0"),
        row("--warmup must be >= 0, got -1", "bench", "pretrain", "--warmup", "-1"));

    @Test
    void everyRowIsRefusedWithOneLineAndExitCode2() {
        List<String> failures = new ArrayList<>();
        int n = 0;
        for (Row r : ROWS) {
            Path out = tmp.resolve("out-" + n++);
            String[] args = Arrays.stream(r.args()).map(a -> subst(a, out)).toArray(String[]::new);
            String want = subst(r.want(), out);
            StringWriter err = new StringWriter();
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            PrintStream old = System.out;
            int code;
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            try {
                code = DemoCommandTest.run(err, args);
            } finally {
                System.setOut(old);
            }
            String msg = err.toString().strip(), cmd = String.join(" ", args);
            if (code != 2) failures.add(cmd + ": exit " + code + ", expected 2: " + msg);
            else if (msg.lines().count() != 1) failures.add(cmd + ": " + msg.lines().count() + " lines on stderr, expected one: " + msg);
            else if (!msg.startsWith("zooscope")) failures.add(cmd + ": '" + msg + "' does not start with 'zooscope'");
            else if (!msg.contains(want)) failures.add(cmd + ": '" + msg + "' should contain '" + want + "'");
            else if (msg.contains("Exception") || msg.contains("at zooscope.") || msg.contains("picocli")) failures.add(cmd + ": looks like a stack trace or an internal name: " + msg);
            else if (stdout.size() > 0) failures.add(cmd + ": refused after work started; stdout: " + stdout.toString(StandardCharsets.UTF_8).strip());
            else if (Files.exists(out)) failures.add(cmd + ": a refused command created " + out);
        }
        assertEquals(List.of(), failures, failures.size() + " of " + ROWS.size() + " cases fail:\n" + String.join("\n", failures));
        assertFalse(Files.exists(zoo.resolve("tasks.npy.tmp")));
    }

    static String subst(String s, Path out) {
        return s.replace("$Z", zoo.toString()).replace("$M", mnistRun.toString()).replace("$N", none.toString()).replace("$F", file.toString()).replace("$O", out.toString());
    }

    /** The walk covers the whole command tree: every (sub)command of Main has at least one row. */
    @Test
    void everyCommandHasARow() {
        Set<String> commands = new TreeSet<>(), covered = new TreeSet<>();
        collect(Main.commandLine(), commands);
        for (Row r : ROWS) {
            CommandLine cl = Main.commandLine();
            StringBuilder path = new StringBuilder(cl.getCommandName());
            for (String a : r.args()) {
                CommandLine sub = cl.getSubcommands().get(a);
                if (sub == null) break;
                cl = sub;
                path.append(' ').append(a);
            }
            covered.add(path.toString());
        }
        commands.removeAll(covered);
        assertEquals(Set.of(), commands, "commands without a bad-argument row");
    }

    private static void collect(CommandLine cl, Set<String> out) {
        out.add(cl.getCommandSpec().qualifiedName());
        for (CommandLine sub : cl.getSubcommands().values()) collect(sub, out);
    }

    /**
     * A numerical fault through the command line: pre-training on a zoo whose parameters are NaN stops at update 0
     * with one line naming the update and the encoder, exit code 3, and writes no checkpoint.
     */
    @Test
    void aNumericalFaultInPretrainingIsOneLineAndExitCode3() throws IOException {
        Path poisoned = tmp.resolve("poisoned-zoo");
        Files.createDirectories(poisoned);
        try (var files = Files.list(zoo)) {
            for (Path f : files.toList()) Files.copy(f, poisoned.resolve(f.getFileName()));
        }
        NdArray p = Npy.read(poisoned.resolve("parameters.npy"));
        float[] v = p.toFloats();
        Arrays.fill(v, Float.NaN);
        Npy.write(poisoned.resolve("parameters.npy"), NdArray.ofFloats(v, p.shape()));
        Path run = tmp.resolve("poisoned-run");
        StringWriter err = new StringWriter();
        int code = DemoCommandTest.run(err, "pretrain", "--zoo", poisoned.toString(), "--encoder", "statistics", "--steps", "3", "--eval-every", "1", "--out", run.toString());
        String msg = err.toString().strip();
        assertEquals(3, code, msg);
        assertEquals(1, msg.lines().count(), msg);
        assertEquals("zooscope pretrain: update 0: the training loss is NaN (the encoder's output z is not finite); pre-training stopped, nothing saved yet (the same command resumes from there)", msg);
        assertFalse(Files.exists(run.resolve("checkpoint.safetensors")));
    }
}
