package zooscope.engine;

import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;

/**
 * Activations, losses and normalisations, each with its own backward. Softmax-type ops act on the last
 * axis; losses return a scalar (mean reduction, as PyTorch's default).
 */
public final class Functional {
    private Functional() {}

    static Tensor softmax(Tensor a, boolean log) {
        int cols = a.dim(-1), rows = a.size / Math.max(cols, 1);
        Backend k = a.backend;
        Buffer out = k.allocate(a.size);
        k.softmaxRows(log, a.data, a.offset, out, 0, rows, cols);
        return Tensor.result(out, a.shape, log ? "log_softmax" : "softmax", g -> {
            if (a.requiresGrad) k.softmaxRowsBackward(log, out, 0, g, 0, a.gradBuffer(), 0, rows, cols);
        }, a);
    }

    /**
     * Mean cross-entropy of logits [..., C] against class indices (one per row of the flattened leading
     * axes), as torch.nn.functional.cross_entropy: −mean_r log softmax(logits_r)[target_r]; its gradient
     * is (softmax − one-hot)/rows. The multi-model trainer uses the same two backend calls.
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        int classes = logits.dim(-1), rows = logits.size / classes;
        if (targets.length != rows) {
            throw new IllegalArgumentException("cross-entropy: " + targets.length + " targets for " + rows + " rows of logits " + Shapes.str(logits.shape));
        }
        Backend k = logits.backend;
        Buffer logp = k.allocate(logits.size);
        k.softmaxRows(true, logits.data, logits.offset, logp, 0, rows, classes);
        double loss;
        try {
            loss = k.nllRows(logp, 0, rows, classes, targets);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cross-entropy: " + e.getMessage(), e);
        }
        Tensor out = Tensor.of(k, new float[] {(float) (loss / rows)});
        return Tensor.attach(out, "cross_entropy", g -> {
            if (!logits.requiresGrad) return;
            float[] g0 = new float[1];
            k.copyOut(g, 0, g0, 0, 1); // the loss gradient: one value on the host
            k.nllRowsBackward(logp, 0, rows, classes, targets, g0[0] / rows, logits.gradBuffer(), 0, true);
        }, logits);
    }

    /** Mean binary cross-entropy with logits, targets in [0, 1] of the same shape: mean(softplus(x) − x·t). */
    public static Tensor bceWithLogits(Tensor logits, Tensor targets) {
        requireSameShape("bce_with_logits", logits, targets);
        return logits.softplus().sub(logits.mul(targets)).mean();
    }

    /** Mean squared error. */
    public static Tensor mse(Tensor a, Tensor b) {
        requireSameShape("mse", a, b);
        Tensor d = a.sub(b);
        return d.mul(d).mean();
    }

    /**
     * Layer normalisation over the last axis with biased variance and eps inside the square root, then
     * an element-wise affine map (weight and bias [C], either may be null), as torch.nn.LayerNorm.
     */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        Backend k = Tensor.backendOf("layer_norm", x, weight, bias);
        int c = x.dim(-1), rows = x.size / c;
        Buffer out = k.allocate(x.size), xhat = k.allocate(x.size), rstd = k.allocate(rows);
        k.layerNormRows(rows, c, eps, x.data, x.offset, weight == null ? null : weight.data, weight == null ? 0 : weight.offset,
            bias == null ? null : bias.data, bias == null ? 0 : bias.offset, out, 0, xhat, rstd);
        return Tensor.result(out, x.shape, "layer_norm", g -> k.layerNormRowsBackward(rows, c, g, 0,
            weight == null ? null : weight.data, weight == null ? 0 : weight.offset, xhat, rstd,
            x.requiresGrad ? x.gradBuffer() : null, 0,
            weight != null && weight.requiresGrad ? weight.gradBuffer() : null, 0,
            bias != null && bias.requiresGrad ? bias.gradBuffer() : null, 0), x, weight, bias);
    }

    /**
     * Inverted dropout: in training, each element is zeroed with probability p and the rest scaled by
     * 1/(1−p) (the mask drawn from {@code rng} on the host, in index order); otherwise (or p = 0) the
     * input itself is returned.
     */
    public static Tensor dropout(Tensor x, double p, boolean training, Rng rng) {
        if (!training || p == 0) return x;
        if (!(p > 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        float scale = (float) (1 / (1 - p));
        float[] mask = new float[x.size];
        for (int i = 0; i < x.size; i++) mask[i] = rng.nextDouble() < p ? 0f : scale;
        return x.mul(Tensor.of(x.backend, mask, x.shape));
    }

    static Tensor l2Normalize(Tensor x, double eps) {
        Backend k = x.backend;
        int c = x.dim(-1), rows = x.size / c;
        Buffer out = k.allocate(x.size), norms = k.allocate(rows);
        k.l2NormalizeRows(rows, c, eps, x.data, x.offset, out, 0, norms);
        return Tensor.result(out, x.shape, "l2_normalize", g -> {
            if (x.requiresGrad) k.l2NormalizeRowsBackward(rows, c, eps, g, 0, out, 0, norms, x.gradBuffer(), 0);
        }, x);
    }

    private static void requireSameShape(String op, Tensor a, Tensor b) {
        if (!java.util.Arrays.equals(a.shape, b.shape)) {
            throw new IllegalArgumentException(op + ": shapes " + Shapes.str(a.shape) + " and " + Shapes.str(b.shape) + " differ");
        }
    }
}
