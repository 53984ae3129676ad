package zooscope.zoo;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import zooscope.engine.Rng;
import zooscope.engine.io.NdArray;
import zooscope.engine.multi.LstmStepper;
import zooscope.engine.nn.LstmLayout;
import zooscope.mnist.Mnist;

/**
 * The rotated, tiled sequential-MNIST zoo (PAPER.md §5): one rotation angle per run, uniform in
 * [0, 360), and a weight decay from {0, 0.001, 0.01, 0.1}; batches of 32 training images, reshuffled
 * each epoch (the epochs run on as one stream, so a batch may straddle two); loss at every one of the 50
 * steps. Per checkpoint: train metrics on 13 random batches of 1000 training images, eval metrics on the
 * whole eval split in batches of 1000, and the first 100 images of the first train batch stored with the
 * model's raw logits.
 */
final class MnistZoo implements ZooRecipe {
    static final int ROLLOUTS = 100, BATCH = 32, EVAL_BATCH = 1000, TRAIN_EVAL_BATCHES = 13;
    static final double[] WEIGHT_DECAYS = {0, 0.001, 0.01, 0.1};
    private static final LstmLayout LAYOUT = LstmLayout.MNIST;
    private static final int T = Mnist.STEPS, X = LAYOUT.input(), O = LAYOUT.output(), SEQ = T * X;
    /** Image indices of the fixed hash split: 47,998 training and 12,002 eval images. */
    static final int[] TRAIN_SPLIT = IntStream.range(0, Mnist.TRAIN_IMAGES).filter(Mnist::isTrain).toArray();
    static final int[] EVAL_SPLIT = IntStream.range(0, Mnist.TRAIN_IMAGES).filter(i -> !Mnist.isTrain(i)).toArray();

    private final long seed;
    private final Mnist.TrainingSet mnist;

    MnistZoo(long seed, Mnist.TrainingSet mnist) {
        this.seed = seed;
        this.mnist = mnist;
    }

    @Override public ZooKind kind() { return ZooKind.MNIST; }

    static final ZooContents CONTENTS = new Contents();

    /** Reading an MNIST zoo: an angle per run, accuracy and losses per checkpoint, stored pixel inputs. */
    private static final class Contents implements ZooContents {
        @Override
        public void check(Zoo zoo, Map<Integer, List<Long>> runs, List<String> problems) {
            NdArray tasks = zoo.file("tasks.npy"), acc = zoo.file("accuracy_losses.npy");
            for (long r = 0; r < zoo.rows; r++) {
                double angle = tasks.getDouble(r);
                if (!(angle >= 0 && angle < 360)) { problems.add("tasks.npy: row " + r + ": angle " + angle + ", expected [0, 360)"); break; }
                double a = acc.getDouble(4 * r), trainLoss = acc.getDouble(4 * r + 1), evalLoss = acc.getDouble(4 * r + 2), wd = acc.getDouble(4 * r + 3);
                if (!(a >= 0 && a <= 1)) { problems.add("accuracy_losses.npy: row " + r + ": accuracy " + a + ", expected [0, 1]"); break; }
                if (!(trainLoss >= 0 && evalLoss >= 0 && Double.isFinite(trainLoss) && Double.isFinite(evalLoss))) { problems.add("accuracy_losses.npy: row " + r + ": losses " + trainLoss + ", " + evalLoss + ", expected finite and >= 0"); break; }
                if (Arrays.stream(WEIGHT_DECAYS).noneMatch(w -> w == wd)) { problems.add("accuracy_losses.npy: row " + r + ": weight decay " + wd + ", expected one of " + Arrays.toString(WEIGHT_DECAYS)); break; }
            }
            Zoo.firstNonFinite(zoo, "sequences.npy", problems);
        }

        @Override
        public double[] quality(Zoo zoo, long row) {
            NdArray a = zoo.file("accuracy_losses.npy");
            return new double[] {a.getDouble(4 * row), a.getDouble(4 * row + 1), a.getDouble(4 * row + 2)};
        }

        @Override public double performance(Zoo zoo, long row) { return quality(zoo, row)[0]; }

        @Override public String summaryHeader() { return String.format("%-32s  %s", "eval accuracy mean [min, max]", "train / eval loss"); }

        @Override
        public String summaryLine(int step, int runs, double[] mean, double lo, double hi) {
            return String.format("%8d %5d  %6.2f %% [%.2f, %.2f]%12s  %.4f / %.4f%n", step, runs, 100 * mean[0], 100 * lo, 100 * hi, "", mean[1], mean[2]);
        }

        @Override public String taskHeader() { return "angle, weight decay"; }
        @Override public String task(Zoo zoo, long row) { return String.format("%6.1f°, %s", zoo.file("tasks.npy").getDouble(row), zoo.file("accuracy_losses.npy").getDouble(4 * row + 3)); }
        @Override public String qualityCell(double[] quality) { return String.format("%7.1f", 100 * quality[0]); }
        @Override public String tableNote() { return "   (eval accuracy %, after update N)"; }

        @Override
        public void rolloutInputs(Zoo zoo, long item, int time, int inputs, float[] x, int off) {
            System.arraycopy(zoo.file("sequences.npy").toFloats(item * time * inputs, time * inputs), 0, x, off, time * inputs);
        }

        /** The angle. */
        @Override public double splitCriterion(double[] task) { return task[0]; }

        @Override public String taskColouring() { return "coloured by the rotation angle"; }
        @Override public String performanceColouring() { return "coloured by eval accuracy"; }
    }

    /** A run's task: the rotation angle in degrees, and its weight decay. */
    record Task(double angle, double weightDecay) {}

    static Task task(long seed, int run) {
        Rng r = Rng.stream(seed, run, TASK);
        double angle = 360 * r.nextDouble();
        return new Task(angle, WEIGHT_DECAYS[r.nextInt(WEIGHT_DECAYS.length)]);
    }

    @Override
    public Run run(int index) {
        Task task = task(seed, index);
        int[] source = Mnist.inputSource(task.angle());
        Rng data = Rng.stream(seed, index, DATA);
        return new Run() {
            private int[] order = new int[0];
            private int next;

            @Override public int index() { return index; }
            @Override public double weightDecay() { return task.weightDecay(); }
            @Override public float[] initialParams() { return LAYOUT.flatten(LAYOUT.newModel(Rng.stream(seed, index, INIT))); }
            @Override public String describe() { return String.format("angle %.1f°, weight decay %s", task.angle(), task.weightDecay()); }

            @Override
            public void fillBatch(float[] x, int[] y) {
                for (int b = 0; b < BATCH; b++) {
                    if (next == order.length) { order = data.permutation(TRAIN_SPLIT.length); next = 0; } // a new epoch
                    int image = TRAIN_SPLIT[order[next++]];
                    Mnist.inputs(mnist.pixels(), image, source, x, b * SEQ);
                    Arrays.fill(y, b * T, (b + 1) * T, mnist.label(image));
                }
            }
        };
    }

    @Override
    public Map<String, Object> referenceArgs(int runs) {
        Map<String, Object> a = ZooRecipe.builderArgs(seed);
        a.put("tile_size", Mnist.TILE);
        a.put("num_training_runs", runs);
        a.put("rnn_hidden_size", LAYOUT.hidden());
        a.put("rnn_num_layers", LAYOUT.layers());
        return a;
    }

    @Override public Evaluator evaluator() { return new Metrics(); }

    /** Loss and accuracy over batches of up to 1000 images, stepping all of a batch's sequences together. */
    private final class Metrics implements Evaluator {
        private final LstmStepper stepper = new LstmStepper(LAYOUT, EVAL_BATCH);
        private final float[] inputs = new float[EVAL_BATCH * SEQ], x = new float[EVAL_BATCH * X];
        private final float[] logits = new float[EVAL_BATCH * O], logp = new float[EVAL_BATCH * O];
        private final int[] labels = new int[EVAL_BATCH];

        @Override
        public Map<String, NdArray> evaluate(Run run, int step, float[] params) {
            Task task = task(seed, run.index());
            int[] source = Mnist.inputSource(task.angle());
            stepper.load(params, 0);
            float[] storedInputs = new float[ROLLOUTS * SEQ], storedLogits = new float[ROLLOUTS * T * O];

            int[] order = Rng.stream(seed, run.index(), EVAL, step).permutation(TRAIN_SPLIT.length);
            double trainLoss = 0;
            for (int i = 0; i < TRAIN_EVAL_BATCHES; i++) {
                int[] images = new int[EVAL_BATCH];
                for (int b = 0; b < EVAL_BATCH; b++) images[b] = TRAIN_SPLIT[order[i * EVAL_BATCH + b]];
                trainLoss += batch(images, source, i == 0 ? storedLogits : null)[0] / TRAIN_EVAL_BATCHES;
                if (i == 0) System.arraycopy(inputs, 0, storedInputs, 0, ROLLOUTS * SEQ);
            }
            double evalLoss = 0, correct = 0;
            int batches = (EVAL_SPLIT.length + EVAL_BATCH - 1) / EVAL_BATCH;
            for (int i = 0; i < batches; i++) {
                int[] images = Arrays.copyOfRange(EVAL_SPLIT, i * EVAL_BATCH, Math.min(EVAL_SPLIT.length, (i + 1) * EVAL_BATCH));
                double[] lossCorrect = batch(images, source, null);
                evalLoss += lossCorrect[0] / batches; // the mean of per-batch means, as the reference
                correct += lossCorrect[1];
            }
            Map<String, NdArray> row = new LinkedHashMap<>();
            row.put("parameters.npy", NdArray.ofFloats(params, 1, params.length));
            row.put("sequences.npy", NdArray.ofFloat16(storedInputs, 1, ROLLOUTS, T, X));
            row.put("logits.npy", NdArray.ofFloat16(storedLogits, 1, ROLLOUTS, T, O));
            row.put("tasks.npy", NdArray.ofDoubles(new double[] {task.angle()}, 1, 1));
            row.put("num_step.npy", NdArray.ofLongs(new long[] {run.index(), step}, 1, 2));
            row.put("accuracy_losses.npy", NdArray.ofDoubles(new double[] {correct / EVAL_SPLIT.length, trainLoss, evalLoss, task.weightDecay()}, 1, 4));
            return row;
        }

        /**
         * Runs the model on the given images; returns {mean cross-entropy over all 50 steps, correct
         * last-step predictions}. Keeps the raw logits of the first ROLLOUTS images in {@code keep}.
         */
        private double[] batch(int[] images, int[] source, float[] keep) {
            int n = images.length;
            Arrays.fill(inputs, n * SEQ, inputs.length, 0f); // padding rows of a short last batch: computed, ignored
            for (int b = 0; b < n; b++) {
                Mnist.inputs(mnist.pixels(), images[b], source, inputs, b * SEQ);
                labels[b] = mnist.label(images[b]);
            }
            stepper.reset();
            double loss = 0;
            int correct = 0;
            for (int t = 0; t < T; t++) {
                for (int b = 0; b < EVAL_BATCH; b++) System.arraycopy(inputs, b * SEQ + t * X, x, b * X, X);
                stepper.step(x, 0, logits, logp);
                if (keep != null) for (int r = 0; r < ROLLOUTS; r++) System.arraycopy(logits, r * O, keep, (r * T + t) * O, O);
                for (int b = 0; b < n; b++) loss -= logp[b * O + labels[b]];
                if (t == T - 1) {
                    for (int b = 0; b < n; b++) {
                        int best = 0;
                        for (int j = 1; j < O; j++) if (logits[b * O + j] > logits[b * O + best]) best = j;
                        if (best == labels[b]) correct++;
                    }
                }
            }
            return new double[] {loss / ((double) n * T), correct};
        }
    }
}
