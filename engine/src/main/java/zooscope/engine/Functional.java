package zooscope.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

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
     * an element-wise affine map (weight and bias [C], either may be null), as torch.nn.LayerNorm. In a group
     * (weight and bias [G, C], x [G, ..., C]) model g's rows take model g's weight and bias: the solo op on
     * each model's block of rows, one after the other.
     */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        Backend k = Tensor.backendOf("layer_norm", x, weight, bias);
        int c = x.dim(-1), models = weight != null && weight.rank() == 2 ? weight.dim(0) : 1, rows = x.size / c / models;
        if ((weight != null && weight.size != models * c) || (bias != null && bias.size != models * c) || (models > 1 && x.dim(0) != models)) {
            throw new IllegalArgumentException("layer_norm: x " + Shapes.str(x.shape) + ", weight " + (weight == null ? "none" : Shapes.str(weight.shape))
                + ", bias " + (bias == null ? "none" : Shapes.str(bias.shape)) + ": expected weight and bias [C] or, in a group, [G, C] with x [G, ..., C]");
        }
        Buffer out = k.allocate(x.size);
        Buffer[] xhat = new Buffer[models], rstd = new Buffer[models];
        for (int m = 0; m < models; m++) {
            xhat[m] = k.allocate(rows * c);
            rstd[m] = k.allocate(rows);
            k.layerNormRows(rows, c, eps, x.data, x.offset + m * rows * c, weight == null ? null : weight.data, weight == null ? 0 : weight.offset + m * c,
                bias == null ? null : bias.data, bias == null ? 0 : bias.offset + m * c, out, m * rows * c, xhat[m], rstd[m]);
        }
        return Tensor.result(out, x.shape, "layer_norm", g -> {
            for (int m = 0; m < models; m++) {
                k.layerNormRowsBackward(rows, c, g, m * rows * c,
                    weight == null ? null : weight.data, weight == null ? 0 : weight.offset + m * c, xhat[m], rstd[m],
                    x.requiresGrad ? x.gradBuffer() : null, m * rows * c,
                    weight != null && weight.requiresGrad ? weight.gradBuffer() : null, m * c,
                    bias != null && bias.requiresGrad ? bias.gradBuffer() : null, m * c);
            }
        }, x, weight, bias);
    }

    /**
     * Inverted dropout: in training, each element is zeroed with probability p and the rest scaled by
     * 1/(1−p) (the mask drawn from {@code rng} on the host, in index order); otherwise (or p = 0) the
     * input itself is returned. With G generators (a group's G models), x's G equal blocks along its leading
     * axis each take their mask from their own generator, as G solo calls would.
     */
    public static Tensor dropout(Tensor x, double p, boolean training, Rng... rngs) {
        if (!training || p == 0) return x;
        if (!(p > 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        float scale = (float) (1 / (1 - p));
        float[] mask = maskFloats(keepMasks(x.size, p, rngs), x.size, scale); // the draws of rng.nextDouble() < p, element by element
        return x.mul(Tensor.of(x.backend, mask, x.shape));
    }

    /** The keep bits of n elements split into rngs.length equal blocks, block g drawn from rngs[g]. */
    private static long[][] keepMasks(long n, double p, Rng[] rngs) {
        if (rngs == null || rngs.length == 0 || n % rngs.length != 0) {
            throw new IllegalArgumentException("dropout: " + n + " elements cannot be split among " + (rngs == null ? 0 : rngs.length) + " generators");
        }
        long[][] keep = new long[rngs.length][];
        for (int g = 0; g < rngs.length; g++) keep[g] = rngs[g].keepMask(n / rngs.length, p);
        return keep;
    }

    /** The float mask of {@link #keepMasks}'s blocks laid end to end: n elements in all. */
    static float[] maskFloats(long[][] keep, int n, float scale) {
        float[] m = new float[n];
        int part = n / keep.length;
        for (int g = 0; g < keep.length; g++) maskFloats(keep[g], part, scale, m, g * part);
        return m;
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** m[off + i] = scale where bit i of keep is set, else 0, for i < n: a vector of bits at a time. */
    static void maskFloats(long[] keep, int n, float scale, float[] m, int off) {
        FloatVector kept = FloatVector.broadcast(F, scale), zero = FloatVector.zero(F);
        int V = F.length(), i = 0;
        for (int bound = n - n % 64; i < bound; i += V) zero.blend(kept, VectorMask.fromLong(F, keep[i >>> 6] >>> (i & 63))).intoArray(m, off + i);
        for (; i < n; i++) m[off + i] = (keep[i >>> 6] >>> i & 1) != 0 ? scale : 0f;
    }

    /**
     * Attention with dropout on its weights, checkpointed: softmax(q·kᵀ) (rows over the keys), dropped out as
     * {@link #dropout} would with the same draws from {@code rng}, times v; q [N, T, e] (already scaled),
     * k [N, S, e], v [N, S, f] → [N, T, f]. Between forward and backward it keeps only its inputs and the dropout
     * mask as bits; backward recomputes the [N, T, S] weights and runs the same ops' backward, so the values and
     * gradients are the unfused chain's bit for bit, without its four [N, T, S] tensors held per layer until
     * backward (the transformer's 519 tokens: 138 MB each per layer at the paper preset). With G generators
     * (a group's G models), the N items split into G equal blocks, each masked from its own generator.
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, double p, boolean training, Rng... rngs) {
        if (q.rank() != 3 || k.rank() != 3 || v.rank() != 3 || k.dim(0) != q.dim(0) || v.dim(0) != q.dim(0) || k.dim(2) != q.dim(2) || v.dim(1) != k.dim(1)) {
            throw new IllegalArgumentException("attention: q " + Shapes.str(q.shape) + ", k " + Shapes.str(k.shape) + ", v " + Shapes.str(v.shape)
                + ": expected q [N, T, e], k [N, S, e], v [N, S, f]");
        }
        long[][] keep = null;
        float scale = 1f;
        if (training && p != 0) {
            if (!(p > 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
            scale = (float) (1 / (1 - p));
            keep = keepMasks((long) q.dim(0) * q.dim(1) * k.dim(1), p, rngs); // the draws of dropout(), in order
        }
        Tensor out;
        try (var off = Grad.off()) {
            out = attentionChain(q, k, v, keep, scale);
        }
        long[][] mask = keep;
        float s = scale;
        return Tensor.attach(out, "attention", g -> {
            Tensor qd = leaf(q), kd = leaf(k), vd = leaf(v);
            try (var on = Grad.on()) {
                attentionChain(qd, kd, vd, mask, s).backward(g);
            }
            for (Tensor[] pair : new Tensor[][] {{q, qd}, {k, kd}, {v, vd}}) {
                if (pair[0].requiresGrad && pair[1].grad != null) pair[0].backend.axpy(pair[0].size, 1f, pair[1].grad, 0, pair[0].gradBuffer(), 0);
            }
        }, q, k, v);
    }

    /**
     * f(x), checkpointed: between forward and backward it keeps only x (and the states of {@code rngs}, the
     * generators f draws from, e.g. for dropout); backward restores those states, runs f again recording the
     * graph, and runs that graph's backward, so values and gradients are those of f unfused, bit for bit, for
     * the memory of f's intermediate tensors (the transformer's feed-forward block: four [B·519, 512] tensors per
     * layer at the paper preset) and the cost of one more forward of f. {@code parameters}: the tensors f uses
     * besides x that may need gradients (their gradients accumulate in the recompute, as f's own ops would).
     * The generators are left in their present state after the recompute.
     */
    public static Tensor checkpoint(java.util.function.UnaryOperator<Tensor> f, Tensor x, java.util.List<Tensor> parameters, Rng... rngs) {
        if (!Grad.enabled()) return f.apply(x);
        Rng[] before = new Rng[rngs.length];
        for (int i = 0; i < rngs.length; i++) before[i] = rngs[i].copy();
        Tensor out;
        try (var off = Grad.off()) {
            out = f.apply(x);
        }
        Tensor[] inputs = new Tensor[parameters.size() + 1];
        inputs[0] = x;
        for (int i = 0; i < parameters.size(); i++) inputs[i + 1] = parameters.get(i);
        return Tensor.attach(out, "checkpoint", g -> {
            Rng[] now = new Rng[rngs.length];
            for (int i = 0; i < rngs.length; i++) { now[i] = rngs[i].copy(); rngs[i].setTo(before[i]); }
            Tensor xd = leaf(x);
            if (x.requiresGrad) xd.grad = x.gradBuffer(); // f's first op accumulates into x's gradient as it would unfused (same order, same bits)
            try (var on = Grad.on()) {
                Tensor again = f.apply(xd);
                if (again.requiresGrad) again.backward(g);
            } finally {
                for (int i = 0; i < rngs.length; i++) rngs[i].setTo(now[i]);
            }
        }, inputs);
    }

    /** The unfused ops: bmm, softmax, dropout's multiplication by the mask (null: none), bmm. */
    private static Tensor attentionChain(Tensor q, Tensor k, Tensor v, long[][] keep, float scale) {
        Tensor w = q.bmm(k.transpose(1, 2)).softmax();
        if (keep != null) {
            w = w.mul(Tensor.of(w.backend, maskFloats(keep, w.size, scale), w.shape));
        }
        return w.bmm(v);
    }

    /** The values of t as a new leaf, requiring a gradient where t does. */
    private static Tensor leaf(Tensor t) { return t.requiresGrad ? t.detach().requiresGrad() : t.detach(); }

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
