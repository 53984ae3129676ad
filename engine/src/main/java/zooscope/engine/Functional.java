package zooscope.engine;

import zooscope.kernels.Backend;

/**
 * Activations, losses and normalisations, each with its own backward. Softmax-type ops act on the last
 * axis; losses return a scalar (mean reduction, as PyTorch's default).
 */
public final class Functional {
    private Functional() {}

    static Tensor softmax(Tensor a, boolean log) {
        int cols = a.dim(-1), rows = a.size / Math.max(cols, 1);
        Backend K = Tensor.kernels();
        float[] out = new float[a.size];
        K.softmaxRows(log, a.data, a.offset, out, 0, rows, cols);
        return Tensor.result(out, a.shape, log ? "log_softmax" : "softmax", g -> {
            if (a.requiresGrad) K.softmaxRowsBackward(log, out, 0, g, 0, a.gradBuffer(), 0, rows, cols);
        }, a);
    }

    /**
     * Mean cross-entropy of logits [..., C] against class indices (one per row of the flattened leading
     * axes), as torch.nn.functional.cross_entropy.
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        int classes = logits.dim(-1), rows = logits.size / classes;
        if (targets.length != rows) {
            throw new IllegalArgumentException("cross-entropy: " + targets.length + " targets for " + rows + " rows of logits " + Shapes.str(logits.shape));
        }
        Backend K = Tensor.kernels();
        float[] logp = new float[logits.size];
        K.softmaxRows(true, logits.data, logits.offset, logp, 0, rows, classes);
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t < 0 || t >= classes) throw new IllegalArgumentException("cross-entropy: target " + t + " at row " + r + " outside [0, " + classes + ")");
            loss -= logp[r * classes + t];
        }
        float[] out = {(float) (loss / rows)};
        return Tensor.result(out, new int[0], "cross_entropy", g -> {
            if (!logits.requiresGrad) return;
            float[] gl = logits.gradBuffer();
            float s = g[0] / rows;
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < classes; j++) {
                    int i = r * classes + j;
                    gl[i] += s * ((float) Math.exp(logp[i]) - (j == targets[r] ? 1f : 0f));
                }
            }
        }, logits);
    }

    /** Mean binary cross-entropy with logits (numerically stable form), targets in [0, 1] of the same shape. */
    public static Tensor bceWithLogits(Tensor logits, Tensor targets) {
        requireSameShape("bce_with_logits", logits, targets);
        int n = logits.size;
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double x = logits.data[logits.offset + i], t = targets.data[targets.offset + i];
            loss += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
        }
        return Tensor.result(new float[] {(float) (loss / n)}, new int[0], "bce_with_logits", g -> {
            float s = g[0] / n;
            for (int i = 0; i < n; i++) {
                double x = logits.data[logits.offset + i];
                if (logits.requiresGrad) logits.gradBuffer()[i] += (float) (s * (1 / (1 + Math.exp(-x)) - targets.data[targets.offset + i]));
                if (targets.requiresGrad) targets.gradBuffer()[i] += (float) (-s * x);
            }
        }, logits, targets);
    }

    /** Mean squared error. */
    public static Tensor mse(Tensor a, Tensor b) {
        requireSameShape("mse", a, b);
        int n = a.size;
        double loss = 0;
        for (int i = 0; i < n; i++) { double d = a.data[a.offset + i] - b.data[b.offset + i]; loss += d * d; }
        return Tensor.result(new float[] {(float) (loss / n)}, new int[0], "mse", g -> {
            float s = 2 * g[0] / n;
            for (int i = 0; i < n; i++) {
                float d = s * (a.data[a.offset + i] - b.data[b.offset + i]);
                if (a.requiresGrad) a.gradBuffer()[i] += d;
                if (b.requiresGrad) b.gradBuffer()[i] -= d;
            }
        }, a, b);
    }

    /**
     * Layer normalisation over the last axis with biased variance and eps inside the square root, then
     * an element-wise affine map (weight and bias [C], either may be null), as torch.nn.LayerNorm.
     */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        int c = x.dim(-1), rows = x.size / c;
        float[] out = new float[x.size], xhat = new float[x.size], rstd = new float[rows];
        for (int r = 0; r < rows; r++) {
            int o = x.offset + r * c;
            double mean = 0, var = 0;
            for (int j = 0; j < c; j++) mean += x.data[o + j];
            mean /= c;
            for (int j = 0; j < c; j++) { double d = x.data[o + j] - mean; var += d * d; }
            var /= c;
            rstd[r] = (float) (1 / Math.sqrt(var + eps));
            for (int j = 0; j < c; j++) {
                float h = (float) ((x.data[o + j] - mean) * rstd[r]);
                xhat[r * c + j] = h;
                out[r * c + j] = h * (weight == null ? 1f : weight.data[weight.offset + j]) + (bias == null ? 0f : bias.data[bias.offset + j]);
            }
        }
        return Tensor.result(out, x.shape, "layer_norm", g -> {
            for (int r = 0; r < rows; r++) {
                double sumG = 0, sumGx = 0;
                for (int j = 0; j < c; j++) {
                    int i = r * c + j;
                    double gh = g[i] * (weight == null ? 1f : weight.data[weight.offset + j]);
                    sumG += gh;
                    sumGx += gh * xhat[i];
                    if (weight != null && weight.requiresGrad) weight.gradBuffer()[j] += g[i] * xhat[i];
                    if (bias != null && bias.requiresGrad) bias.gradBuffer()[j] += g[i];
                }
                if (!x.requiresGrad) continue;
                float[] gx = x.gradBuffer();
                for (int j = 0; j < c; j++) {
                    int i = r * c + j;
                    double gh = g[i] * (weight == null ? 1f : weight.data[weight.offset + j]);
                    gx[i] += (float) (rstd[r] * (gh - sumG / c - xhat[i] * sumGx / c));
                }
            }
        }, x, weight, bias);
    }

    /**
     * Inverted dropout: in training, each element is zeroed with probability p and the rest scaled by
     * 1/(1−p); otherwise (or p = 0) the input itself is returned.
     */
    public static Tensor dropout(Tensor x, double p, boolean training, Rng rng) {
        if (!training || p == 0) return x;
        if (!(p > 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        float scale = (float) (1 / (1 - p));
        float[] mask = new float[x.size], out = new float[x.size];
        for (int i = 0; i < x.size; i++) {
            mask[i] = rng.nextDouble() < p ? 0f : scale;
            out[i] = x.data[x.offset + i] * mask[i];
        }
        return Tensor.result(out, x.shape, "dropout", g -> {
            if (!x.requiresGrad) return;
            float[] gx = x.gradBuffer();
            for (int i = 0; i < x.size; i++) gx[i] += g[i] * mask[i];
        }, x);
    }

    static Tensor l2Normalize(Tensor x, double eps) {
        int c = x.dim(-1), rows = x.size / c;
        float[] out = new float[x.size], norms = new float[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < c; j++) { double v = x.data[x.offset + r * c + j]; s += v * v; }
            norms[r] = (float) Math.max(Math.sqrt(s), eps);
            for (int j = 0; j < c; j++) out[r * c + j] = x.data[x.offset + r * c + j] / norms[r];
        }
        return Tensor.result(out, x.shape, "l2_normalize", g -> {
            if (!x.requiresGrad) return;
            float[] gx = x.gradBuffer();
            for (int r = 0; r < rows; r++) {
                boolean clamped = norms[r] == (float) eps;
                double dot = 0;
                for (int j = 0; j < c; j++) dot += g[r * c + j] * out[r * c + j];
                for (int j = 0; j < c; j++) {
                    int i = r * c + j;
                    gx[i] += (float) (clamped ? g[i] / norms[r] : (g[i] - out[i] * dot) / norms[r]);
                }
            }
        }, x);
    }

    private static void requireSameShape(String op, Tensor a, Tensor b) {
        if (!java.util.Arrays.equals(a.shape, b.shape)) {
            throw new IllegalArgumentException(op + ": shapes " + Shapes.str(a.shape) + " and " + Shapes.str(b.shape) + " differ");
        }
    }
}
