package zooscope.pretrain;

import zooscope.engine.Tensor;
import zooscope.engine.io.NdArray;
import zooscope.zoo.Zoo;

/**
 * Items for emulation (PAPER.md §9): a zoo row's flat parameters and one of its stored rollouts, the
 * rollout's inputs (formal languages: one-hot of the first 41 tokens; MNIST: the 50 stored tiles) and the
 * original RNN's stored outputs at every position (log-softmax or raw logits; the loss takes their softmax).
 * A formal-language rollout stored with EOS at position 0 (no EOS in it, PAPER.md §4.4) is fed BOS there,
 * the input the RNN really had; the reference feeds the EOS (§9.1.5).
 */
public final class EmulationData {
    public final Zoo zoo;
    public final int params, time, inputs, outputs, rollouts;
    private final NdArray parameters, logits;

    public EmulationData(Zoo zoo) {
        this.zoo = zoo;
        parameters = zoo.file("parameters.npy");
        logits = zoo.file("logits.npy");
        params = zoo.kind.layout.size();
        rollouts = (int) logits.shape()[1];
        time = (int) logits.shape()[2];
        outputs = (int) logits.shape()[3];
        inputs = zoo.kind.layout.input();
    }

    /** A batch: θ [B, P], inputs [B, T, X], stored outputs [B, T, O]. */
    public record Batch(Tensor theta, Tensor x, Tensor target) {
        public int size() { return theta.dim(0); }
    }

    /** The flat parameters of the rows, [B, P]. */
    public Tensor theta(long[] rows) {
        int B = rows.length;
        float[] th = new float[B * params];
        for (int b = 0; b < B; b++) System.arraycopy(parameters.toFloats(rows[b] * params, params), 0, th, b * params, params);
        return Tensor.of(th, B, params);
    }

    /** The rows with the given rollout of each. */
    public Batch batch(long[] rows, int[] rollout) {
        Rollouts r = rollouts(rows, rollout);
        return new Batch(theta(rows), r.x(), r.target());
    }

    /** Stored rollouts without the parameters: inputs [N, T, X] and stored outputs [N, T, O]. */
    public record Rollouts(Tensor x, Tensor target) {}

    /** Rollout {@code rollout[i]} of row {@code rows[i]}, for every i. */
    public Rollouts rollouts(long[] rows, int[] rollout) {
        int B = rows.length, T = time, X = inputs, O = outputs;
        float[] x = new float[B * T * X], y = new float[B * T * O];
        for (int b = 0; b < B; b++) {
            long item = rows[b] * rollouts + rollout[b];
            System.arraycopy(logits.toFloats(item * T * O, T * O), 0, y, b * T * O, T * O);
            zoo.kind.contents().rolloutInputs(zoo, item, T, X, x, b * T * X);
        }
        return new Rollouts(Tensor.of(x, B, T, X), Tensor.of(y, B, T, O));
    }
}
