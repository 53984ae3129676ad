package zooscope.engine.optim;

import java.util.List;
import zooscope.engine.Tensor;

/**
 * AdamW with torch.optim.AdamW's semantics and float32 operation order: decoupled weight decay
 * θ ← θ·(1 − lr·λ), then m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², and
 * θ ← θ − (lr / (1−β1^t))·m / (√v / √(1−β2^t) + ε). Parameters without a gradient are skipped.
 */
public final class AdamW {
    /** PyTorch's defaults. */
    public static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    private final List<Tensor> params;
    private final float[][] m, v;
    private final double beta1, beta2, eps, weightDecay;
    private double lr;
    private long step;

    public AdamW(List<Tensor> params, double lr, double weightDecay) { this(params, lr, BETA1, BETA2, EPS, weightDecay); }

    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this.params = List.copyOf(params);
        this.m = new float[params.size()][];
        this.v = new float[params.size()][];
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    public void setLr(double lr) { this.lr = lr; }
    public double lr() { return lr; }
    /** Number of updates done. */
    public long steps() { return step; }

    public void step() {
        step++;
        for (int p = 0; p < params.size(); p++) {
            Tensor t = params.get(p);
            float[] g = t.grad();
            if (g == null) continue;
            if (m[p] == null) { m[p] = new float[t.size()]; v[p] = new float[t.size()]; }
            update(t.data(), t.offset(), g, 0, m[p], v[p], 0, t.size(), step, lr, beta1, beta2, eps, weightDecay);
        }
    }

    /**
     * The AdamW update of n consecutive parameters w[wOff..] with gradients g[gOff..] and moments
     * m, v [mOff..], at update number {@code step} (1-based). The single implementation of the rule:
     * {@link #step()} and the multi-model trainer both call it.
     */
    public static void update(float[] w, int wOff, float[] g, int gOff, float[] m, float[] v, int mOff, int n,
                              long step, double lr, double beta1, double beta2, double eps, double weightDecay) {
        float decay = (float) (1 - lr * weightDecay), b1 = (float) beta1, b2 = (float) beta2;
        float c1 = (float) (1 - beta1), c2 = (float) (1 - beta2);
        double bc1 = 1 - Math.pow(beta1, step), bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = (float) (lr / bc1), bc2s = (float) bc2Sqrt, e = (float) eps;
        for (int i = 0; i < n; i++) {
            float gi = g[gOff + i];
            w[wOff + i] *= decay;
            m[mOff + i] = m[mOff + i] * b1 + c1 * gi;
            v[mOff + i] = v[mOff + i] * b2 + c2 * gi * gi;
            float denom = (float) Math.sqrt(v[mOff + i]) / bc2s + e;
            w[wOff + i] += -stepSize * (m[mOff + i] / denom);
        }
    }

    /** The moments m and v of parameter p (null before its first update), for checkpoints. */
    public float[][] moments(int p) { return new float[][] {m[p], v[p]}; }

    /** Restores a checkpoint: the update count and each parameter's moments (copied; null = none yet). */
    public void restore(long steps, float[][] ms, float[][] vs) {
        if (ms.length != params.size() || vs.length != params.size()) throw new IllegalArgumentException("moments for " + ms.length + " parameters, optimiser has " + params.size());
        for (int p = 0; p < params.size(); p++) {
            if ((ms[p] == null) != (vs[p] == null) || (ms[p] != null && (ms[p].length != params.get(p).size() || vs[p].length != params.get(p).size()))) {
                throw new IllegalArgumentException("moments of parameter " + p + " do not match its size " + params.get(p).size());
            }
            m[p] = ms[p] == null ? null : ms[p].clone();
            v[p] = vs[p] == null ? null : vs[p].clone();
        }
        this.step = steps;
    }

    public int parameterCount() { return params.size(); }

    public void zeroGrad() { params.forEach(Tensor::zeroGrad); }
}
