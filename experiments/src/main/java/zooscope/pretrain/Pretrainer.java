package zooscope.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import zooscope.encoders.Emulator;
import zooscope.encoders.Encoders;
import zooscope.encoders.ProbedModel;
import zooscope.encoders.WeightEncoder;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.io.FormatException;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Safetensors;
import zooscope.engine.io.WholeFile;
import zooscope.engine.nn.Module;
import zooscope.engine.optim.AdamW;
import zooscope.zoo.Zoo;
import zooscope.zoo.ZooGenerator;
import zooscope.zoo.ZooKind;
import zooscope.zoo.ArgsFile;

/**
 * Emulation pre-training (PAPER.md §9): an encoder and an emulator trained together by one AdamW so that
 * the emulator, conditioned on the encoder's z of an RNN, reproduces that RNN's stored output
 * distributions. Each update sees a batch of training-split RNNs with one stored rollout each; the
 * emulator's and the encoder's gradients are clipped separately. After every {@code evalEvery}-th update
 * (and the last) the validation and OOD losses and the cloned-performance check are logged, the state with
 * the lowest validation loss is kept, and a checkpoint is written.
 *
 * <p><b>Run folder.</b> {@code config.json} (arguments; a restart must give the same), {@code split.json},
 * {@code log.csv} (one row per evaluation), {@code clone.csv}, {@code encoder.safetensors} and
 * {@code emulator.safetensors} (the best validation state), {@code checkpoint.safetensors} (the latest
 * state, for resuming), {@code result.json} once finished.
 *
 * <p><b>Determinism and resuming.</b> Every random choice of update t (batch order of its epoch, rollouts,
 * permutation augmentation, dropout) comes from a stream of (seed, purpose, t or epoch), never from a
 * generator carried along, so a run resumed from its last checkpoint ends with the same bits as one never
 * stopped. A killed run loses at most the updates since its last evaluation.
 */
public final class Pretrainer {
    static final long INIT = 1, EPOCH = 2, ROLLOUT = 3, AUGMENT = 4, DROPOUT = 5, EVAL_SEED = 1234, CLONE = 7;
    public static final String CONFIG = "config.json", SPLIT = "split.json", LOG = "log.csv", CLONES = "clone.csv",
        ENCODER = "encoder.safetensors", EMULATOR = "emulator.safetensors", CHECKPOINT = "checkpoint.safetensors", RESULT = "result.json";
    static final String LOG_HEADER = "step,train_loss,val_loss,ood_loss,clone_val_mae,clone_ood_mae,elapsed_s";

    public final PretrainConfig cfg;
    public final String encoderName;
    public final long seed;
    public final Path dir;
    final Zoo zoo;
    final EmulationData data;
    final TaskSplit split;
    final WeightEncoder encoder;
    final Emulator emulator;
    final EmulationStep stepper;
    final AdamW opt;
    private final long[] train;
    private PerformanceCheck clones;
    /** Test hook: stop (as if killed) after this update. */
    long stopAfter = Long.MAX_VALUE;

    public Pretrainer(Path zooDir, String encoderName, long seed, PretrainConfig cfg, Path dir) throws IOException {
        this.cfg = cfg;
        this.encoderName = encoderName;
        this.seed = seed;
        this.dir = dir;
        zoo = Zoo.open(zooDir);
        data = new EmulationData(zoo);
        split = TaskSplit.of(zoo, false);
        ProbedModel model = ProbedModel.of(zoo.kind.layout);
        encoder = Encoders.create(encoderName, model, cfg.probeStreams(), cfg.smallEncoders(), Rng.stream(seed, INIT, 0));
        emulator = Emulator.of(model, cfg.emulatorHidden(), cfg.emulatorLayers(), Rng.stream(seed, INIT, 1));
        stepper = new EmulationStep(encoder, emulator, cfg);
        opt = stepper.opt;
        train = split.rows(TaskSplit.Part.TRAIN);
        if (train.length == 0 || split.rows(TaskSplit.Part.VAL).length == 0) {
            throw new IllegalArgumentException(zooDir + ": " + split.taskCount() + " distinct tasks give no " + (train.length == 0 ? "training" : "validation")
                + " tasks (70 / 15 / 15 % of the tasks); pre-training needs a zoo with at least 7 distinct tasks");
        }
        clones = zoo.kind == ZooKind.FORMAL ? new CloneCheck(this) : null; // MNIST's needs the images: made in run()
    }

    /** The arguments recorded in config.json. */
    Map<String, Object> args() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("zoo", zoo.dir.toAbsolutePath().normalize().toString());
        a.put("zoo_kind", zoo.kind.id);
        a.put("zoo_rows", zoo.rows);
        a.put("encoder", encoderName);
        a.put("seed", seed);
        a.put("pretrain", cfg.toMap());
        a.put("encoder_parameters", encoder.parameterCount());
        a.put("emulator_parameters", emulator.parameterCount());
        return a;
    }

    /** What a finished run reports (result.json). */
    public record Result(int bestStep, double valLoss, double oodLoss, double cloneValMae, double cloneOodMae, double seconds) {}

    /** Trains to the end (or resumes there); returns the best validation state's figures. */
    public Result run(PrintStream out) throws IOException {
        try (zooscope.zoo.FolderLock lock = zooscope.zoo.FolderLock.acquire(dir, "pretrain " + encoderName + " seed " + seed, out)) {
            return runLocked(out);
        }
    }

    private Result runLocked(PrintStream out) throws IOException {
        State s = open(out);
        if (s.finished != null) return s.finished;
        try (Progress progress = new Progress(out, cfg.steps() + 1, s.start)) {
            for (int t = s.start; t <= cfg.steps(); t++) {
                double loss;
                try {
                    loss = update(t);
                } catch (NumericalFault f) {
                    throw s.stopped(f, t);
                }
                progress.step(loss);
                afterUpdate(s, t, loss, progress::log);
                if (t >= stopAfter) return null;
            }
        }
        return finish(s);
    }

    /** Where a run stands between updates: the next update, the best evaluation so far, the training loss since the last one. */
    final class State {
        Result finished;
        /** start: the next update to train (a group moves it along); first: the first update this process trains (for the ETA). */
        int start, first, bestStep = -1, saved, lossCount;
        double best = Double.POSITIVE_INFINITY, lossSum;
        double[] bestRow;
        long t0;

        /** A numerical fault in update t, stopped before anything of the update is written: the folder keeps its last good state. */
        NumericalFault stopped(NumericalFault f, int t) {
            return f.at(t, "; pre-training stopped, " + (saved < 0 ? "nothing saved yet" : dir.resolve(CHECKPOINT) + " holds the state after update " + saved)
                + " (the same command resumes from there)");
        }
    }

    /**
     * Opens the run folder (the caller holds its lock): checks or writes config.json; a finished run's result,
     * or the state to continue from (restored from the checkpoint, the logs cut back to it), or a fresh start.
     */
    State open(PrintStream out) throws IOException {
        State s = new State();
        Files.createDirectories(dir);
        write(dir.resolve(CONFIG), () -> ArgsFile.checkOrWrite(dir.resolve(CONFIG), args(), "a pre-training run"));
        Path resultFile = dir.resolve(RESULT);
        if (Files.exists(resultFile)) {
            out.println(dir + ": already finished (" + RESULT + ")");
            s.finished = new ObjectMapper().readValue(resultFile.toFile(), Result.class);
            return s;
        }
        write(dir.resolve(SPLIT), () -> split.write(dir.resolve(SPLIT))); // not before: a finished run's folder is left untouched
        Path ckpt = dir.resolve(CHECKPOINT);
        if (Files.exists(ckpt)) {
            Map<String, String> meta = restore(ckpt);
            s.start = (int) number(ckpt, meta, "step", 0, cfg.steps()) + 1;
            s.best = Double.parseDouble(meta.get("best_val")); // checked by number() in restore
            s.bestStep = (int) number(ckpt, meta, "best_step", -1, s.start - 1);
            s.bestRow = Log.truncate(dir.resolve(LOG), s.start - 1, s.bestStep);
            // the log rounds its figures; the checkpoint keeps the best row exactly, so result.json is the same as unstopped
            if (meta.containsKey("best_row")) s.bestRow = bestRow(ckpt, meta.get("best_row"));
            Log.truncate(dir.resolve(CLONES), s.start - 1, -1);
            out.printf("%s: resuming after update %d (best validation loss %.5f after update %d)%n", dir, s.start - 1, s.best, s.bestStep);
        } else {
            write(dir.resolve(LOG), () -> Files.writeString(dir.resolve(LOG), LOG_HEADER + "\n"));
            write(dir.resolve(CLONES), () -> Files.writeString(dir.resolve(CLONES), PerformanceCheck.HEADER + "\n"));
        }
        s.saved = s.start - 1; // the update of the last checkpoint (-1: none yet)
        out.printf("pre-training %s (%,d parameters) + emulator %dx%d (%,d) on %s (%s zoo: %d train / %d val / %d OOD rows of %d tasks), preset %s, seed %d, updates %d..%d, %s loss%n",
            encoderName, encoder.parameterCount(), cfg.emulatorLayers(), cfg.emulatorHidden(), emulator.parameterCount(), zoo.dir,
            zoo.kind.id, train.length, split.rows(TaskSplit.Part.VAL).length, split.rows(TaskSplit.Part.OOD).length, split.taskCount(),
            cfg.preset(), seed, s.start, cfg.steps(), cfg.loss().id);
        if (clones == null && cfg.cloneImages() > 0) clones = MnistCloneCheck.create(this, cfg.cloneImages(), out);
        s.first = s.start;
        s.t0 = System.nanoTime();
        return s;
    }

    /**
     * After update t with its batch loss: at an evaluation update, evaluates (the encoder and emulator must hold
     * the state after update t), keeps the best state, writes the checkpoint and logs one line.
     */
    void afterUpdate(State s, int t, double loss, java.util.function.Consumer<String> log) throws IOException {
        s.lossSum += loss;
        s.lossCount++;
        if (!evaluates(t)) return;
        double[] row = evaluate(t, s.lossSum / s.lossCount, (System.nanoTime() - s.t0) / 1e9);
        s.lossSum = 0;
        s.lossCount = 0;
        if (row[2] < s.best) {
            s.best = row[2];
            s.bestStep = t;
            s.bestRow = row;
            saveAtomically(dir.resolve(ENCODER), encoder, "encoder");
            saveAtomically(dir.resolve(EMULATOR), emulator, "emulator");
        }
        checkpoint(t, s.best, s.bestStep, s.bestRow);
        s.saved = t;
        double secs = (System.nanoTime() - s.t0) / 1e9, eta = secs / (t - s.first + 1) * (cfg.steps() - t);
        log.accept(String.format("update %d: train %.5f, validation %.5f, OOD %.5f%s (best %.5f after %d); %s elapsed, ETA %s", t, row[1], row[2], row[3],
            Double.isNaN(row[4]) ? "" : String.format(", clone |Δperf| val %.3f OOD %.3f", row[4], row[5]), s.best, s.bestStep,
            ZooGenerator.duration(secs), ZooGenerator.duration(eta)));
    }

    /** Whether update t is followed by an evaluation. */
    boolean evaluates(int t) { return t % cfg.evalEvery() == 0 || t == cfg.steps(); }

    /** Writes result.json of a run trained to its last update. */
    Result finish(State s) throws IOException {
        Result r = new Result(s.bestStep, s.bestRow[2], s.bestRow[3], s.bestRow[4], s.bestRow[5], (System.nanoTime() - s.t0) / 1e9);
        Path resultFile = dir.resolve(RESULT);
        // whole or not at all: a half-written result.json would pass for a finished run
        write(resultFile, () -> WholeFile.write(resultFile, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(r)));
        return r;
    }

    /** One update; returns the batch loss. */
    double update(int t) {
        return stepper.update(batch(t), Rng.stream(seed, AUGMENT, t), Rng.stream(seed, DROPOUT, t).nextLong());
    }

    /** The batch of update t: the t-th slice of its epoch's order of the training rows, one drawn rollout each. */
    EmulationData.Batch batch(int t) {
        int B = cfg.batch(), n = train.length, perEpoch = (n + B - 1) / B, epoch = t / perEpoch, k = t % perEpoch;
        int[] order = Rng.stream(seed, EPOCH, epoch).permutation(n);
        Rng rollouts = Rng.stream(seed, ROLLOUT, epoch);
        int[] rollout = new int[n];
        for (int i = 0; i < n; i++) rollout[i] = rollouts.nextInt(data.rollouts);
        int from = k * B, size = Math.min(B, n - from);
        long[] rows = new long[size];
        int[] ro = new int[size];
        for (int i = 0; i < size; i++) { rows[i] = train[order[from + i]]; ro[i] = rollout[order[from + i]]; }
        return data.batch(rows, ro);
    }

    /**
     * Mean loss per item over a part: with one seeded rollout per RNN (the same at every evaluation), or
     * with {@code evalAllRollouts} over every stored rollout of every RNN. z is computed once per batch of
     * RNNs either way (the same z for both), then the emulator runs on the rollouts in chunks of
     * {@link #EVAL_CHUNK} sequences.
     */
    double partLoss(TaskSplit.Part part) {
        long[] rows = split.rows(part);
        if (rows.length == 0) return Double.NaN;
        Rng pick = Rng.stream(EVAL_SEED, ROLLOUT, part.ordinal());
        int[] rollout = new int[rows.length];
        for (int i = 0; i < rows.length; i++) rollout[i] = pick.nextInt(data.rollouts);
        int perRow = cfg.evalAllRollouts() ? data.rollouts : 1;
        encoder.train(false);
        emulator.train(false);
        double sum = 0;
        try (var off = Grad.off()) {
            for (int from = 0, k = 0; from < rows.length; from += cfg.batch(), k++) {
                int to = Math.min(rows.length, from + cfg.batch());
                Tensor z = stepper.encode(data.theta(java.util.Arrays.copyOfRange(rows, from, to)), Rng.stream(EVAL_SEED, AUGMENT, part.ordinal(), k));
                // items (row i, its rollout r), row-major; one seeded rollout when perRow is 1
                int items = (to - from) * perRow;
                for (int c0 = 0; c0 < items; c0 += EVAL_CHUNK) {
                    int n = Math.min(EVAL_CHUNK, items - c0);
                    long[] itemRows = new long[n];
                    int[] itemRollouts = new int[n], zRow = new int[n];
                    for (int j = 0; j < n; j++) {
                        int item = c0 + j, i = from + item / perRow;
                        itemRows[j] = rows[i];
                        itemRollouts[j] = perRow == 1 ? rollout[i] : item % perRow;
                        zRow[j] = i - from;
                    }
                    EmulationData.Rollouts r = data.rollouts(itemRows, itemRollouts);
                    sum += cfg.loss().perItem(emulator.forward(r.x(), perRow == 1 ? z : z.gather(0, zRow)), r.target()).sum().item();
                }
            }
        }
        return sum / ((double) rows.length * perRow);
    }

    /** Sequences per emulator call in an evaluation over all rollouts: large GEMMs, bounded memory. */
    static final int EVAL_CHUNK = 1024;

    /** Logs one evaluation; returns {step, train, val, ood, clone val MAE, clone OOD MAE}. */
    private double[] evaluate(int t, double trainLoss, double elapsed) throws IOException {
        double val = partLoss(TaskSplit.Part.VAL), ood = partLoss(TaskSplit.Part.OOD);
        double cloneVal = Double.NaN, cloneOod = Double.NaN;
        if (clones != null) {
            StringBuilder sb = new StringBuilder();
            cloneVal = clones.meanAbsDifference(TaskSplit.Part.VAL, t, sb);
            cloneOod = clones.meanAbsDifference(TaskSplit.Part.OOD, t, sb);
            write(dir.resolve(CLONES), () -> Files.writeString(dir.resolve(CLONES), sb.toString(), java.nio.file.StandardOpenOption.APPEND));
        }
        double[] row = {t, trainLoss, val, ood, cloneVal, cloneOod};
        String line = String.format(java.util.Locale.ROOT, "%d,%.7f,%.7f,%.7f,%.5f,%.5f,%.1f%n", t, trainLoss, val, ood, cloneVal, cloneOod, elapsed);
        write(dir.resolve(LOG), () -> Files.writeString(dir.resolve(LOG), line, java.nio.file.StandardOpenOption.APPEND));
        return row;
    }

    // ------------------------------------------------------------------ state files

    public static Map<String, NdArray> tensors(Module m, String prefix) {
        Map<String, NdArray> out = new LinkedHashMap<>();
        m.namedParameters().forEach((k, v) -> out.put(prefix + k, NdArray.ofFloats(v.toArray(), java.util.Arrays.stream(v.shape()).asLongStream().toArray())));
        return out;
    }

    private void writeAtomically(Path file, Map<String, NdArray> tensors, Map<String, String> meta) throws IOException {
        write(file, () -> Safetensors.write(file, tensors, meta)); // whole or not at all
    }

    /** A write of a run file. */
    interface Write { void run() throws IOException; }

    /** Test hook: runs before every write of a run file and may throw, as a full disk would; null in normal use. */
    Write beforeWrite;
    /** The file the test hook is about to see written. */
    Path writing;

    /**
     * Writes {@code file} of the run folder; an I/O error (a full disk) stops the run with one line naming the
     * folder, the file and the cause. The folder stays resumable: files are replaced whole (temporary file and
     * rename) or appended to (logs, cut back to the last checkpoint on resuming).
     */
    private void write(Path file, Write w) throws IOException {
        try {
            if (beforeWrite != null) { writing = file; beforeWrite.run(); }
            w.run();
        } catch (FormatException e) {
            throw e;
        } catch (IOException e) {
            throw zooscope.zoo.FolderLock.writeFailed(dir, file, e);
        }
    }

    void saveAtomically(Path file, Module m, String what) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("module", what.equals("encoder") ? encoderName : "emulator");
        meta.put("zoo_kind", zoo.kind.id);
        writeAtomically(file, tensors(m, ""), meta);
    }

    private void checkpoint(int step, double best, int bestStep, double[] bestRow) throws IOException {
        Map<String, NdArray> t = tensors(encoder, "encoder.");
        t.putAll(tensors(emulator, "emulator."));
        for (int p = 0; p < opt.parameterCount(); p++) {
            float[][] mv = opt.moments(p);
            if (mv[0] == null) continue;
            t.put("adam.m." + p, NdArray.ofFloats(mv[0], mv[0].length));
            t.put("adam.v." + p, NdArray.ofFloats(mv[1], mv[1].length));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("step", Integer.toString(step));
        meta.put("adam_steps", Long.toString(opt.steps()));
        meta.put("best_val", Double.toString(best));
        meta.put("best_step", Integer.toString(bestStep));
        if (bestRow != null) meta.put("best_row", String.join(",", java.util.Arrays.stream(bestRow).mapToObj(Double::toString).toList()));
        writeAtomically(dir.resolve(CHECKPOINT), t, meta);
    }

    private Map<String, String> restore(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        load(encoder, c.tensors(), "encoder.", file);
        load(emulator, c.tensors(), "emulator.", file);
        int n = opt.parameterCount();
        float[][] m = new float[n][], v = new float[n][];
        for (int p = 0; p < n; p++) {
            NdArray a = c.tensors().get("adam.m." + p), b = c.tensors().get("adam.v." + p);
            if (a != null && b != null) { m[p] = a.toFloats(); v[p] = b.toFloats(); }
        }
        for (String key : new String[] {"step", "adam_steps", "best_val", "best_step"}) {
            if (!c.metadata().containsKey(key)) throw new FormatException(file, "__metadata__." + key, "missing; not a zooscope pre-training checkpoint");
        }
        number(file, c.metadata(), "best_val", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        long adamSteps = (long) number(file, c.metadata(), "adam_steps", 0, cfg.steps() + 1L);
        try {
            opt.restore(adamSteps, m, v);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "adam.m / adam.v", e.getMessage());
        }
        return c.metadata();
    }

    /** A checkpoint's metadata number in [min, max]; whole numbers are expected where both bounds are finite. */
    private static double number(Path file, Map<String, String> meta, String key, double min, double max) throws FormatException {
        String text = meta.get(key);
        double x;
        try {
            x = Double.parseDouble(text);
        } catch (NumberFormatException | NullPointerException e) {
            throw new FormatException(file, "__metadata__." + key, "'" + text + "' is not a number");
        }
        boolean whole = Double.isFinite(min) && Double.isFinite(max);
        if (Double.isNaN(x) || x < min || x > max || (whole && x != Math.rint(x))) {
            throw new FormatException(file, "__metadata__." + key, "'" + text + "', expected " + (whole ? "a whole number" : "a number") + " in [" + min + ", " + max + "]");
        }
        return x;
    }

    /** The best evaluation row kept exactly in the checkpoint: as many numbers as a log row. */
    private double[] bestRow(Path file, String text) throws FormatException {
        String[] parts = text.split(",", -1);
        if (parts.length != 6) throw new FormatException(file, "__metadata__.best_row", parts.length + " values, expected 6");
        double[] row = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                row[i] = Double.parseDouble(parts[i]);
            } catch (NumberFormatException e) {
                throw new FormatException(file, "__metadata__.best_row", "value " + i + " '" + parts[i] + "' is not a number");
            }
        }
        return row;
    }

    /** Loads a module's parameters from tensors under {@code prefix}; names and sizes must match exactly. */
    static void load(Module m, Map<String, NdArray> tensors, String prefix, Path file) throws IOException {
        Map<String, float[]> state = new LinkedHashMap<>();
        for (var e : m.namedParameters().entrySet()) {
            NdArray a = tensors.get(prefix + e.getKey());
            if (a == null) throw new FormatException(file, prefix + e.getKey(), "missing; expected shape " + java.util.Arrays.toString(e.getValue().shape()));
            if (a.size() != e.getValue().size()) throw new FormatException(file, prefix + e.getKey(), a.size() + " values, expected " + e.getValue().size());
            state.put(e.getKey(), a.toFloats());
        }
        m.loadStateDict(state);
    }

    /** Loads a run's best encoder (its encoder.safetensors) into a fresh encoder of the run's configuration. */
    public WeightEncoder bestEncoder() throws IOException {
        Path f = dir.resolve(ENCODER);
        if (!Files.exists(f)) throw new IOException(f + ": no such file; is " + dir + " a finished pre-training run?");
        load(encoder, Safetensors.read(f).tensors(), "", f);
        encoder.train(false);
        return encoder;
    }

    public Emulator emulator() { return emulator; }
    public WeightEncoder encoder() { return encoder; }
    public TaskSplit split() { return split; }
    public Zoo zoo() { return zoo; }

    // ------------------------------------------------------------------ progress

    /** A bar (updates, rate, ETA, loss) on a terminal; in a log only the evaluation lines. */
    private static final class Progress implements AutoCloseable {
        private final PrintStream out;
        private final ProgressBar bar;

        Progress(PrintStream out, long total, long start) {
            this.out = out;
            bar = out != System.out || System.console() == null ? null
                : new ProgressBarBuilder().setTaskName("pretrain").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(500).showSpeed().setUnit(" updates", 1).startsFrom(start, java.time.Duration.ZERO).build();
        }

        void step(double loss) {
            if (bar == null) return;
            bar.step();
            bar.setExtraMessage(String.format("loss %.4f", loss));
        }

        void log(String line) {
            if (bar != null) bar.pause();
            out.println(line);
            if (bar != null) bar.resume();
        }

        @Override public void close() { if (bar != null) bar.close(); }
    }
}
