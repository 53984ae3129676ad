package zooscope.engine.optim;

import java.util.List;
import zooscope.engine.Tensor;
import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;

/**
 * AdamW with torch.optim.AdamW's semantics and float32 operation order: decoupled weight decay
 * θ ← θ·(1 − lr·λ), then m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², and
 * θ ← θ − (lr / (1−β1^t))·m / (√v / √(1−β2^t) + ε) ({@link Backend#adamW}). Parameters without a
 * gradient are skipped. The moments live in buffers of each parameter's backend.
 */
public final class AdamW {
    /** PyTorch's defaults. */
    public static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    private final List<Tensor> params;
    private final Buffer[] m, v;
    private final double beta1, beta2, eps, weightDecay;
    private double lr;
    private long step;

    public AdamW(List<Tensor> params, double lr, double weightDecay) { this(params, lr, BETA1, BETA2, EPS, weightDecay); }

    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this.params = List.copyOf(params);
        this.m = new Buffer[params.size()];
        this.v = new Buffer[params.size()];
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
            Buffer g = t.gradStorage();
            if (g == null) continue;
            Backend k = t.backend();
            if (m[p] == null) { m[p] = k.allocate(t.size()); v[p] = k.allocate(t.size()); }
            k.adamW(t.size(), t.storage(), t.offset(), g, 0, m[p], v[p], 0, step, lr, beta1, beta2, eps, weightDecay);
        }
    }

    /** Host copies of the moments m and v of parameter p (null before its first update), for checkpoints. */
    public float[][] moments(int p) { return new float[][] {host(p, m[p]), host(p, v[p])}; }

    private float[] host(int p, Buffer b) {
        if (b == null) return null;
        float[] out = new float[b.length()];
        params.get(p).backend().copyOut(b, 0, out, 0, out.length);
        return out;
    }

    /** Restores a checkpoint: the update count and each parameter's moments (copied; null = none yet). */
    public void restore(long steps, float[][] ms, float[][] vs) {
        if (ms.length != params.size() || vs.length != params.size()) throw new IllegalArgumentException("moments for " + ms.length + " parameters, optimiser has " + params.size());
        for (int p = 0; p < params.size(); p++) {
            if ((ms[p] == null) != (vs[p] == null) || (ms[p] != null && (ms[p].length != params.get(p).size() || vs[p].length != params.get(p).size()))) {
                throw new IllegalArgumentException("moments of parameter " + p + " do not match its size " + params.get(p).size());
            }
            m[p] = ms[p] == null ? null : device(p, ms[p]);
            v[p] = vs[p] == null ? null : device(p, vs[p]);
        }
        this.step = steps;
    }

    private Buffer device(int p, float[] values) {
        Backend k = params.get(p).backend();
        Buffer b = k.allocate(values.length);
        k.copyIn(values, 0, b, 0, values.length);
        return b;
    }

    public int parameterCount() { return params.size(); }

    public void zeroGrad() { params.forEach(Tensor::zeroGrad); }
}
