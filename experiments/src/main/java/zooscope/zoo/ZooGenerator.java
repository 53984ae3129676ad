package zooscope.zoo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import zooscope.engine.io.NdArray;
import zooscope.engine.multi.MultiModelLstm;
import zooscope.engine.optim.PiecewiseLinear;
import zooscope.mnist.Mnist;
import zooscope.kernels.Backends;

/**
 * Generates a zoo: trains its runs in groups ({@link MultiModelLstm}), evaluates every run at the
 * checkpoint steps and appends finished runs to the zoo folder ({@link ZooWriter}), skipping runs a
 * previous, interrupted job already finished. Rows are ordered by run, then checkpoint.
 */
public final class ZooGenerator {
    /** The reference's checkpoints: after the updates with these indices (PAPER.md §4.3). */
    public static final int[] CHECKPOINTS = {0, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000};
    public static final int FULL_STEPS = 20_000;

    /** Learning rate of update {@code t} of a run. */
    @FunctionalInterface
    public interface LearningRate {
        double at(int run, int update);

        /** The reference: update t uses lr(max(t − 1, 0)) of the piecewise-linear schedule. */
        LearningRate ZOO = (run, t) -> PiecewiseLinear.ZOO.at(Math.max(t - 1, 0));
    }

    /**
     * What to generate. {@code steps} is the index of the last update (20,000 for the full schedule);
     * runs are split into {@code shards} contiguous blocks and this job does block {@code shard}.
     */
    public record Options(ZooKind kind, int runs, long seed, int steps, int modelsAtOnce, int threads,
                          int shard, int shards, Path mnistDir, LearningRate lr, PrintStream log) {
        public Options {
            if (runs < 1) throw new IllegalArgumentException("--runs must be positive, got " + runs);
            if (steps < 0) throw new IllegalArgumentException("--steps must not be negative, got " + steps);
            if (modelsAtOnce < 1 || threads < 1) throw new IllegalArgumentException("--models-at-once and --threads must be positive");
            if (shards < 1 || shard < 0 || shard >= shards) throw new IllegalArgumentException("--shard must be i/n with 0 <= i < n, got " + shard + "/" + shards);
            if (shards > runs) throw new IllegalArgumentException("--shard " + shard + "/" + shards + ": more shards than runs (" + runs + ")");
        }

        public Options(ZooKind kind, int runs, long seed, int steps) {
            this(kind, runs, seed, steps, 64, Runtime.getRuntime().availableProcessors(), 0, 1, null, LearningRate.ZOO, null);
        }

        /** The first run of this shard and the one after its last. */
        public int firstRun() { return (int) ((long) shard * runs / shards); }
        public int endRun() { return (int) ((long) (shard + 1) * runs / shards); }
    }

    /** The checkpoint steps of a schedule shortened to {@code steps}: those up to it, and always {@code steps} itself. */
    public static int[] checkpoints(int steps) {
        List<Integer> c = new ArrayList<>();
        for (int s : CHECKPOINTS) if (s < steps) c.add(s);
        c.add(steps);
        return c.stream().mapToInt(Integer::intValue).toArray();
    }

    /** args.json: the reference builder's arguments, and zooscope's under "zooscope". */
    static Map<String, Object> args(ZooRecipe recipe, Options o) {
        Map<String, Object> a = new LinkedHashMap<>(recipe.referenceArgs(o.runs()));
        Map<String, Object> z = new LinkedHashMap<>();
        z.put("kind", o.kind().id);
        z.put("runs", o.runs());
        z.put("steps", o.steps());
        z.put("checkpoints", checkpoints(o.steps()));
        z.put("shard", o.shard() + "/" + o.shards());
        z.put("shard_runs", new int[] {o.firstRun(), o.endRun()});
        a.put("zooscope", z);
        return a;
    }

    /** What a job did. */
    public record Summary(int runsInShard, int alreadyDone, int trained, int diverged, long modelSteps, double seconds) {
        public double modelStepsPerSecond() { return seconds > 0 ? modelSteps / seconds : 0; }
    }

    private ZooGenerator() {}

    /**
     * Generates (or resumes) the zoo in {@code out}, holding its {@link FolderLock}: a second job on the same
     * folder is refused.
     */
    public static Summary generate(Path out, Options o) throws IOException {
        String job = "zoo " + o.kind().id + " --runs " + o.runs() + (o.shards() > 1 ? " --shard " + o.shard() + "/" + o.shards() : "");
        try (FolderLock lock = FolderLock.acquire(out, job, o.log())) {
            return generateLocked(out, o);
        }
    }

    private static Summary generateLocked(Path out, Options o) throws IOException {
        ZooRecipe recipe = switch (o.kind()) {
            case FORMAL -> new FormalZoo(o.seed());
            case MNIST -> new MnistZoo(o.seed(), Mnist.load(Mnist.locate(o.mnistDir())));
        };
        int[] checkpoints = checkpoints(o.steps());
        try (ZooWriter writer = new ZooWriter(out, o.kind(), checkpoints.length, args(recipe, o))) {
            List<Integer> todo = new ArrayList<>();
            for (int r = o.firstRun(); r < o.endRun(); r++) if (!writer.finished().containsKey(r)) todo.add(r);
            int inShard = o.endRun() - o.firstRun(), done = inShard - todo.size();
            long totalSteps = (long) todo.size() * (o.steps() + 1);
            if (o.log() != null) {
                o.log().printf("zoo %s: runs %d..%d of %d (shard %d/%d), %d updates each, checkpoints %s; %d already done, %d to train%n",
                    o.kind().id, o.firstRun(), o.endRun() - 1, o.runs(), o.shard(), o.shards(), o.steps() + 1,
                    java.util.Arrays.toString(checkpoints), done, todo.size());
            }
            long start = System.nanoTime();
            int diverged = 0;
            ExecutorService pool = Executors.newFixedThreadPool(o.threads(), Backends.modelWorkers("zooscope-eval"));
            ZooRecipe.Evaluator[] evaluators = new ZooRecipe.Evaluator[o.threads()];
            for (int i = 0; i < evaluators.length; i++) evaluators[i] = recipe.evaluator();
            try (Progress progress = new Progress(o.log(), totalSteps, inShard, done)) {
                for (int g = 0; g < todo.size(); g += o.modelsAtOnce()) {
                    List<ZooRecipe.Run> group = new ArrayList<>();
                    for (int r : todo.subList(g, Math.min(todo.size(), g + o.modelsAtOnce()))) group.add(recipe.run(r));
                    List<ZooWriter.RunResult> results = train(group, o, checkpoints, pool, evaluators, progress);
                    writer.commit(results);
                    for (ZooWriter.RunResult r : results) {
                        if (r.stored()) continue;
                        diverged++;
                        progress.log(String.format("run %d diverged (non-finite loss or weights) at update %d: recorded in %s, not stored",
                            r.run(), r.divergedAt(), ZooKind.STATUS_FILE));
                    }
                    progress.runsDone(group.size());
                }
            } finally {
                pool.shutdownNow();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Summary(inShard, done, todo.size(), diverged, totalSteps, seconds);
        }
    }

    /** Trains one group of runs together; evaluates each at the checkpoints, all models in parallel. */
    private static List<ZooWriter.RunResult> train(List<ZooRecipe.Run> runs, Options o, int[] checkpoints, ExecutorService pool,
                                                   ZooRecipe.Evaluator[] evaluators, Progress progress) throws IOException {
        int m = runs.size();
        int[] divergedAt = new int[m];
        java.util.Arrays.fill(divergedAt, -1);
        List<List<Map<String, NdArray>>> rows = new ArrayList<>();
        for (int i = 0; i < m; i++) rows.add(new ArrayList<>());
        try (MultiModelLstm models = new MultiModelLstm(o.kind().layout, m, o.kind().batch, o.kind().time, o.threads())) {
            for (int i = 0; i < m; i++) {
                models.setParams(i, runs.get(i).initialParams());
                models.setWeightDecay(i, runs.get(i).weightDecay());
            }
            double[] lr = new double[m];
            float[] losses = new float[m];
            MultiModelLstm.Batches data = (i, x, y) -> runs.get(i).fillBatch(x, y);
            int next = 0;
            for (int t = 0; t <= o.steps(); t++) {
                for (int i = 0; i < m; i++) lr[i] = o.lr().at(runs.get(i).index(), t);
                models.step(data, lr, losses);
                for (int i = 0; i < m; i++) if (divergedAt[i] < 0 && !Float.isFinite(losses[i])) divergedAt[i] = t;
                progress.steps(m);
                if (t == checkpoints[next]) {
                    evaluate(runs, models, t, divergedAt, rows, pool, evaluators);
                    next++;
                    progress.checkpoint(runs.getFirst().index(), runs.getLast().index(), t, next, checkpoints.length);
                }
            }
        }
        List<ZooWriter.RunResult> out = new ArrayList<>();
        for (int i = 0; i < m; i++) out.add(new ZooWriter.RunResult(runs.get(i).index(), divergedAt[i], divergedAt[i] < 0 ? rows.get(i) : List.of()));
        return out;
    }

    private static void evaluate(List<ZooRecipe.Run> runs, MultiModelLstm models, int step, int[] divergedAt,
                                 List<List<Map<String, NdArray>>> rows, ExecutorService pool, ZooRecipe.Evaluator[] evaluators) throws IOException {
        int m = runs.size(), chunks = Math.min(evaluators.length, m);
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int c = 0; c < chunks; c++) {
            int from = c * m / chunks, to = (c + 1) * m / chunks;
            ZooRecipe.Evaluator ev = evaluators[c];
            tasks.add(() -> {
                for (int i = from; i < to; i++) {
                    if (divergedAt[i] >= 0) continue;
                    float[] p = models.params(i);
                    boolean finite = true;
                    for (float v : p) finite &= Float.isFinite(v);
                    if (!finite) { divergedAt[i] = step; continue; }
                    rows.get(i).add(ev.evaluate(runs.get(i), step, p));
                }
                return null;
            });
        }
        try {
            for (Future<Void> f : pool.invokeAll(tasks)) f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IOException("checkpoint evaluation failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Progress of a job: a bar (model-steps, rate, ETA, runs done) on a terminal; in a log (a batch job's
     * output) a line per checkpoint and per finished group.
     */
    private static final class Progress implements AutoCloseable {
        private final PrintStream log;
        private final ProgressBar bar;
        private final long total, start = System.nanoTime();
        private final int inShard;
        private int runsDone;
        private long steps;

        Progress(PrintStream log, long total, int inShard, int runsDone) {
            this.log = log;
            this.total = total;
            this.inShard = inShard;
            this.runsDone = runsDone;
            bar = log == null || log != System.out || System.console() == null ? null
                : new ProgressBarBuilder().setTaskName("zoo").setInitialMax(total).setUnit(" model-steps", 1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed().build();
            if (bar != null) bar.setExtraMessage(runsText());
        }

        private String runsText() { return "runs done " + runsDone + "/" + inShard; }

        void steps(int n) {
            steps += n;
            if (bar != null) bar.stepBy(n);
        }

        void checkpoint(int firstRun, int lastRun, int update, int k, int of) {
            if (bar != null) bar.setExtraMessage(runsText() + ", runs " + firstRun + ".." + lastRun + " at checkpoint " + k + "/" + of);
            else log(String.format("runs %d..%d: checkpoint %d/%d (update %d); %s", firstRun, lastRun, k, of, update, rate()));
        }

        void runsDone(int n) {
            runsDone += n;
            if (bar != null) bar.setExtraMessage(runsText());
            else log(runsText() + "; " + rate());
        }

        private String rate() {
            double s = (System.nanoTime() - start) / 1e9;
            return String.format("%.0f model-steps/s, ETA %s", steps / s, duration((total - steps) * s / steps));
        }

        void log(String line) {
            if (log == null) return;
            if (bar != null) bar.pause();
            log.println(line);
            if (bar != null) bar.resume();
        }

        @Override public void close() { if (bar != null) bar.close(); }
    }

    /** h:mm:ss, or "?" when not known yet. */
    public static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        return String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
