package zooscope.downstream;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import zooscope.encoders.Encoders;
import zooscope.encoders.HiddenPermutation;
import zooscope.encoders.ProbedModel;
import zooscope.encoders.WeightEncoder;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Npy;
import zooscope.engine.nn.MLP;
import zooscope.engine.nn.Module;
import zooscope.engine.optim.AdamW;
import zooscope.engine.optim.GradClip;
import zooscope.pretrain.EmulationData;
import zooscope.pretrain.TaskSplit;
import zooscope.zoo.Zoo;

/**
 * Downstream prediction (PAPER.md §10) on the downstream split (§7: half of the OOD tasks moved into
 * training; metrics on validation and on the held-out OOD half). Frozen: an MLP 16 → 64 → 64 → outputs
 * on the pre-trained encoder's L2-normalised z, which is computed once. Supervised: a freshly initialised
 * encoder and the same MLP trained end to end on the target. Both: AdamW lr 1e-3, weight decay 0.01,
 * batch 64, epochs of reshuffled training rows (the last batch short); the supervised encoder's gradient
 * clipped at 0.1 as in pre-training and the flat / transformer encoders fed permuted weights (§8.7).
 */
public final class Downstream {
    static final int HIDDEN = 64, BATCH = 64;
    static final double LR = 1e-3, WEIGHT_DECAY = 0.01, ENCODER_CLIP = 0.1;
    static final long EPOCH = 11, AUGMENT = 12, DROPOUT = 13, INIT = 14;

    /** Metrics on validation and OOD rows, with what produced them. */
    public record Result(String mode, String encoder, long seed, String target, int updates, int trainRows, int valRows, int oodRows,
                         Map<String, Double> val, Map<String, Double> ood, double seconds) {}

    private final Zoo zoo;
    private final Target target;
    private final TaskSplit split;
    private final int[] steps;
    private final long[] train;
    private final double[][] y;
    private final double mean, std;
    private final int outputs;

    public Downstream(Zoo zoo, Target target) {
        if (target.kind != zoo.kind) throw new IllegalArgumentException("target '" + target.id + "' is for " + target.kind.id + " zoos; " + zoo.dir + " is a " + zoo.kind.id + " zoo");
        this.zoo = zoo;
        this.target = target;
        split = TaskSplit.of(zoo, true);
        steps = java.util.stream.LongStream.range(0, zoo.rows).mapToInt(r -> zoo.step(r)).distinct().sorted().toArray();
        y = new double[Math.toIntExact(zoo.rows)][];
        for (int r = 0; r < y.length; r++) y[r] = target.value(zoo, r, steps);
        train = split.rows(TaskSplit.Part.TRAIN);
        if (train.length == 0) throw new IllegalArgumentException(zoo.dir + ": the downstream split leaves no training rows");
        double s = 0, ss = 0;
        for (long r : train) { s += y[(int) r][0]; ss += y[(int) r][0] * y[(int) r][0]; }
        mean = target.classification() ? 0 : s / train.length;
        std = target.classification() ? 1 : Math.max(Math.sqrt(Math.max(ss / train.length - mean * mean, 0)), 1e-8);
        outputs = target.outputs(steps);
    }

    public TaskSplit split() { return split; }

    /** The L2-normalised z of every zoo row, [N, 16] (eval mode, no augmentation). */
    public static float[] embedAll(WeightEncoder enc, Zoo zoo) {
        EmulationData data = new EmulationData(zoo);
        int n = Math.toIntExact(zoo.rows), E = WeightEncoder.EMBEDDING;
        float[] z = new float[n * E];
        enc.train(false);
        try (var off = Grad.off()) {
            for (int from = 0; from < n; from += BATCH) {
                long[] rows = java.util.stream.LongStream.range(from, Math.min(n, from + BATCH)).toArray();
                System.arraycopy(enc.encode(data.theta(rows)).toArray(), 0, z, from * E, rows.length * E);
            }
        }
        return z;
    }

    /** Frozen: a predictor on fixed z [N, 16] (all zoo rows). */
    public Result frozen(float[] z, String encoderName, long seed, int updates, PrintStream out) {
        int E = WeightEncoder.EMBEDDING;
        MLP predictor = new MLP(Rng.stream(seed, INIT, 1), E, HIDDEN, HIDDEN, outputs);
        Features f = (rows, aug, training) -> {
            float[] x = new float[rows.length * E];
            for (int i = 0; i < rows.length; i++) System.arraycopy(z, (int) rows[i] * E, x, i * E, E);
            return Tensor.of(x, rows.length, E);
        };
        return fit("frozen", encoderName, seed, updates, predictor, null, f, out);
    }

    /** Supervised: a fresh encoder (paper or small size) and the predictor trained end to end. */
    public Result supervised(String encoderName, boolean small, long seed, int updates, PrintStream out) {
        WeightEncoder enc = Encoders.create(encoderName, ProbedModel.of(zoo.kind.layout), 1, small, Rng.stream(seed, INIT, 0));
        MLP predictor = new MLP(Rng.stream(seed, INIT, 1), WeightEncoder.EMBEDDING, HIDDEN, HIDDEN, outputs);
        EmulationData data = new EmulationData(zoo);
        Features f = (rows, aug, training) -> {
            enc.train(training);
            Tensor theta = data.theta(rows);
            if (aug != null && enc.wantsPermutationAugmentation()) theta = HiddenPermutation.augment(zoo.kind.layout, theta, aug);
            return enc.encode(theta);
        };
        return fit("supervised", encoderName, seed, updates, predictor, enc, f, out);
    }

    /**
     * The best constant predictor, fitted on the training rows and scored like a trained one: the training mean
     * for regressions, the training frequencies as logits for classes (so the most frequent class, or task group
     * value, is its prediction). The level a representation has to beat.
     */
    public Result constant() {
        float[] c = new float[outputs];
        if (target.classification()) {
            int groups = target == Target.TASK ? 3 : 1, per = outputs / groups;
            double[] count = new double[outputs];
            for (long r : train) for (int g = 0; g < groups; g++) count[g * per + (int) y[(int) r][g]]++;
            for (int j = 0; j < outputs; j++) {
                double p = (count[j] + 0.5) / (train.length + 0.5 * per); // smoothed: a class absent from training gets a finite logit
                c[j] = (float) (target == Target.TASK ? Math.log(p / (1 - p)) : Math.log(p));
            }
        } // regressions: 0 is the training mean in standardised units
        Map<String, Double> val = constantMetrics(TaskSplit.Part.VAL, c), ood = constantMetrics(TaskSplit.Part.OOD, c);
        return new Result("constant", "constant", 0, target.id, 0, train.length, split.rows(TaskSplit.Part.VAL).length, split.rows(TaskSplit.Part.OOD).length, val, ood, 0);
    }

    private Map<String, Double> constantMetrics(TaskSplit.Part part, float[] c) {
        long[] rows = split.rows(part);
        if (rows.length == 0) return Map.of();
        float[] pred = new float[rows.length * outputs];
        for (int i = 0; i < rows.length; i++) System.arraycopy(c, 0, pred, i * outputs, outputs);
        return score(rows, pred);
    }

    /** The features of rows, [B, 16]; {@code augment} null outside training. */
    private interface Features { Tensor of(long[] rows, Rng augment, boolean training); }

    private Result fit(String mode, String encoderName, long seed, int updates, MLP predictor, WeightEncoder enc, Features features, PrintStream out) {
        if (updates < 1) throw new IllegalArgumentException("--updates must be positive, got " + updates);
        long t0 = System.nanoTime();
        List<Tensor> params = new ArrayList<>(predictor.parameters());
        List<Tensor> encParams = enc == null ? List.of() : enc.parameters();
        params.addAll(encParams);
        AdamW opt = new AdamW(params, LR, WEIGHT_DECAY);
        int n = train.length, perEpoch = (n + BATCH - 1) / BATCH;
        int[] order = null;
        for (int t = 0; t < updates; t++) {
            int epoch = t / perEpoch, k = t % perEpoch;
            if (k == 0 || order == null) order = Rng.stream(seed, EPOCH, epoch).permutation(n);
            int from = k * BATCH, size = Math.min(BATCH, n - from);
            long[] rows = new long[size];
            double[][] yb = new double[size][];
            for (int i = 0; i < size; i++) { rows[i] = train[order[from + i]]; yb[i] = y[(int) rows[i]]; }
            if (enc != null) enc.reseedRandomness(Rng.stream(seed, DROPOUT, t).nextLong());
            predictor.train(true);
            Tensor loss = target.loss(predictor.forward(features.of(rows, Rng.stream(seed, AUGMENT, t), true)), yb, mean, std);
            loss.backward();
            if (!Double.isFinite(loss.item())) throw new IllegalStateException("downstream update " + t + ": the loss is " + loss.item());
            if (enc != null) GradClip.clipNorm(encParams, ENCODER_CLIP);
            opt.step();
            opt.zeroGrad();
            if (out != null && ((t + 1) % Math.max(1, updates / 5) == 0)) out.printf("  %s %s %s: update %d/%d, loss %.5f%n", mode, encoderName, target.id, t + 1, updates, loss.item());
        }
        Map<String, Double> val = evaluate(TaskSplit.Part.VAL, predictor, features), ood = evaluate(TaskSplit.Part.OOD, predictor, features);
        return new Result(mode, encoderName, seed, target.id, updates, n, split.rows(TaskSplit.Part.VAL).length, split.rows(TaskSplit.Part.OOD).length,
            val, ood, (System.nanoTime() - t0) / 1e9);
    }

    private Map<String, Double> evaluate(TaskSplit.Part part, Module predictor, Features features) {
        long[] rows = split.rows(part);
        if (rows.length == 0) return Map.of();
        float[] pred = new float[rows.length * outputs];
        predictor.train(false);
        try (var off = Grad.off()) {
            for (int from = 0; from < rows.length; from += BATCH) {
                long[] b = java.util.Arrays.copyOfRange(rows, from, Math.min(rows.length, from + BATCH));
                System.arraycopy(((MLP) predictor).forward(features.of(b, null, false)).toArray(), 0, pred, from * outputs, b.length * outputs);
            }
        }
        return score(rows, pred);
    }

    /** The target's metrics of predictions [rows, outputs] for the given rows. */
    private Map<String, Double> score(long[] rows, float[] pred) {
        double[][] yp = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) yp[i] = y[(int) rows[i]];
        return target.metrics(pred, yp, mean, std, outputs);
    }

    /** Writes z [N, 16] as NPY (for PCA plots). */
    public static void writeEmbeddings(Path file, float[] z) throws IOException {
        Npy.write(file, NdArray.ofFloats(z, z.length / WeightEncoder.EMBEDDING, WeightEncoder.EMBEDDING));
    }
}
