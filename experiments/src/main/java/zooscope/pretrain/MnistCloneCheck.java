package zooscope.pretrain;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.mnist.Mnist;

/**
 * The cloned-performance check of MNIST pre-training (PAPER.md §9.1.10): for RNNs evenly spaced over a
 * split, the original's performance is its stored eval accuracy (all 12,002 eval images) and the clone's
 * is the emulator's last-step accuracy, conditioned on the RNN's z, on one fixed batch of eval images
 * rotated by the RNN's angle (1,000 in the reference; {@code cloneImages} here).
 */
final class MnistCloneCheck implements PerformanceCheck {
    private final Pretrainer p;
    private final CloneRows rows;
    private final Mnist.TrainingSet mnist;
    private final int[] images;
    private final Map<Long, Double> original = new HashMap<>();

    MnistCloneCheck(Pretrainer p, Mnist.TrainingSet mnist, int count) {
        this.p = p;
        this.rows = new CloneRows(p);
        this.mnist = mnist;
        int[] eval = java.util.stream.IntStream.range(0, Mnist.TRAIN_IMAGES).filter(i -> !Mnist.isTrain(i)).toArray();
        int[] perm = Rng.stream(Pretrainer.EVAL_SEED, Pretrainer.CLONE).permutation(eval.length);
        images = new int[Math.min(count, eval.length)];
        for (int i = 0; i < images.length; i++) images[i] = eval[perm[i]];
    }

    /** The check, or null (with a note) where MNIST cannot be found or fetched. */
    static MnistCloneCheck create(Pretrainer p, int count, java.io.PrintStream out) {
        try {
            return new MnistCloneCheck(p, Mnist.load(Mnist.locate(null)), count);
        } catch (IOException e) {
            out.println("note: MNIST is not available (" + e.getMessage() + "); the cloned-performance check is skipped");
            return null;
        }
    }

    @Override
    public double meanAbsDifference(TaskSplit.Part part, int step, StringBuilder csv) {
        long[] check = rows.rows(part);
        if (check.length == 0) return Double.NaN;
        double sum = 0;
        for (long row : check) {
            double o = original.computeIfAbsent(row, r -> p.zoo.file("accuracy_losses.npy").getDouble(4 * r)), c = clone(row);
            sum += Math.abs(o - c);
            csv.append(String.format(java.util.Locale.ROOT, "%d,%s,%d,%.5f,%.5f%n", step, part.name().toLowerCase(), row, o, c));
        }
        return sum / check.length;
    }

    private double clone(long row) {
        int N = images.length, T = Mnist.STEPS, X = 16;
        int[] source = Mnist.inputSource(TaskSplit.task(p.zoo, row)[0]);
        float[] x = new float[N * T * X];
        for (int i = 0; i < N; i++) Mnist.inputs(mnist.pixels(), images[i], source, x, i * T * X);
        p.encoder.train(false);
        p.emulator.train(false);
        int correct = 0;
        try (var off = Grad.off()) {
            Tensor z = p.encoder.encode(p.data.theta(new long[] {row})).gather(0, new int[N]); // the row's z, N times
            Tensor logits = p.emulator.forward(Tensor.of(x, N, T, X), z);
            float[] last = logits.slice(1, T - 1, T).toArray();
            int O = p.emulator.outputSize;
            for (int i = 0; i < N; i++) {
                int best = 0;
                for (int c = 1; c < O; c++) if (last[i * O + c] > last[i * O + best]) best = c;
                if (best == mnist.label(images[i])) correct++;
            }
        }
        return (double) correct / N;
    }
}
