package zooscope.downstream;

import zooscope.engine.Functional;
import zooscope.engine.Tensor;
import zooscope.engine.io.NdArray;
import zooscope.zoo.Zoo;
import zooscope.zoo.ZooKind;

/**
 * What a downstream predictor predicts from an RNN's representation (PAPER.md §10). Formal languages:
 * the task as 3 one-hot groups of 6 (m_b, m_c, m_d ∈ −3..2; 18 logits, binary cross-entropy; exact-task
 * accuracy = all three groups right) and the performance {@code returns} = accepted / 1000 (MSE). MNIST:
 * the angle (/360, MSE), the eval accuracy (MSE), the generalisation gap eval loss − train loss (MSE) and
 * the training step as a class among the zoo's checkpoints (cross-entropy). Regression targets are
 * standardised with the training rows' mean and standard deviation; losses are reported in the target's
 * own units.
 */
public enum Target {
    TASK("task", ZooKind.FORMAL, 18),
    PERFORMANCE("performance", ZooKind.FORMAL, 1),
    ANGLE("angle", ZooKind.MNIST, 1),
    ACCURACY("accuracy", ZooKind.MNIST, 1),
    GAP("gap", ZooKind.MNIST, 1),
    STEP("step", ZooKind.MNIST, -1);

    public final String id;
    public final ZooKind kind;
    private final int outputs;

    Target(String id, ZooKind kind, int outputs) {
        this.id = id;
        this.kind = kind;
        this.outputs = outputs;
    }

    public static Target byId(String id, ZooKind kind) {
        for (Target t : values()) if (t.id.equals(id) && t.kind == kind) return t;
        StringBuilder ok = new StringBuilder();
        for (Target t : values()) if (t.kind == kind) ok.append(ok.isEmpty() ? "" : ", ").append(t.id);
        throw new IllegalArgumentException("unknown --target '" + id + "' for a " + kind.id + " zoo: expected one of " + ok);
    }

    public boolean classification() { return this == TASK || this == STEP; }

    /** Predictor outputs (the step target has one per checkpoint step of the zoo). */
    public int outputs(int[] steps) { return this == STEP ? steps.length : outputs; }

    /**
     * The target of a row: TASK {index of m_b, m_c, m_d}; STEP {index of the row's step among the zoo's
     * steps}; regressions {value}.
     */
    public double[] value(Zoo zoo, long row, int[] steps) {
        NdArray tasks = zoo.file("tasks.npy");
        return switch (this) {
            case TASK -> new double[] {tasks.getLong(4 * row + 1) + 3, tasks.getLong(4 * row + 2) + 3, tasks.getLong(4 * row + 3) + 3};
            case PERFORMANCE -> new double[] {zoo.file("num_step_correct.npy").getLong(3 * row + 2) / 1000.0};
            case ANGLE -> new double[] {tasks.getDouble(row) / 360.0};
            case ACCURACY -> new double[] {zoo.file("accuracy_losses.npy").getDouble(4 * row)};
            case GAP -> new double[] {zoo.file("accuracy_losses.npy").getDouble(4 * row + 2) - zoo.file("accuracy_losses.npy").getDouble(4 * row + 1)};
            case STEP -> new double[] {java.util.Arrays.binarySearch(steps, zoo.step(row))};
        };
    }

    /** The training loss of predictions [B, outputs] against the rows' targets (regressions standardised). */
    Tensor loss(Tensor pred, double[][] y, double mean, double std) {
        int B = y.length;
        switch (this) {
            case TASK -> {
                float[] t = new float[B * 18];
                for (int b = 0; b < B; b++) for (int g = 0; g < 3; g++) t[b * 18 + g * 6 + (int) y[b][g]] = 1f;
                return Functional.bceWithLogits(pred, Tensor.of(t, B, 18));
            }
            case STEP -> {
                int[] cls = new int[B];
                for (int b = 0; b < B; b++) cls[b] = (int) y[b][0];
                return Functional.crossEntropy(pred, cls);
            }
            default -> {
                float[] t = new float[B];
                for (int b = 0; b < B; b++) t[b] = (float) ((y[b][0] - mean) / std);
                return Functional.mse(pred, Tensor.of(t, B, 1));
            }
        }
    }

    /**
     * Metrics of predictions [n, outputs] on rows with targets y: "loss" (BCE, cross-entropy, or MSE in the
     * target's units) and, for classifications, "accuracy" (TASK: all three groups right; also per group).
     */
    java.util.Map<String, Double> metrics(float[] pred, double[][] y, double mean, double std, int outs) {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        int n = y.length;
        double loss = 0, correct = 0, groups = 0;
        for (int i = 0; i < n; i++) {
            int o = i * outs;
            switch (this) {
                case TASK -> {
                    boolean all = true;
                    for (int g = 0; g < 3; g++) {
                        int best = 0;
                        for (int c = 0; c < 6; c++) {
                            double x = pred[o + g * 6 + c], t = c == (int) y[i][g] ? 1 : 0;
                            loss += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
                            if (pred[o + g * 6 + c] > pred[o + g * 6 + best]) best = c;
                        }
                        if (best == (int) y[i][g]) groups++; else all = false;
                    }
                    if (all) correct++;
                }
                case STEP -> {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    int best = 0;
                    for (int c = 0; c < outs; c++) { max = Math.max(max, pred[o + c]); if (pred[o + c] > pred[o + best]) best = c; }
                    for (int c = 0; c < outs; c++) sum += Math.exp(pred[o + c] - max);
                    loss += max + Math.log(sum) - pred[o + (int) y[i][0]];
                    if (best == (int) y[i][0]) correct++;
                }
                default -> {
                    double d = pred[o] * std + mean - y[i][0];
                    loss += d * d;
                }
            }
        }
        m.put("loss", this == TASK ? loss / (n * 18.0) : loss / n);
        if (classification()) m.put("accuracy", correct / n);
        if (this == TASK) m.put("group_accuracy", groups / (3.0 * n));
        return m;
    }
}
