package zooscope.engine.optim;

import java.util.List;
import zooscope.engine.Tensor;

/**
 * torch.optim.SGD: d = g + λ·θ; with momentum μ: b ← d on the first step, else b ← μ·b + (1−dampening)·d,
 * then d = b (or d + μ·b with Nesterov); θ ← θ − lr·d.
 */
public final class SGD {
    private final List<Tensor> params;
    private final float[][] buf;
    private final double momentum, dampening, weightDecay;
    private final boolean nesterov;
    private double lr;

    public SGD(List<Tensor> params, double lr) { this(params, lr, 0, 0, 0, false); }

    public SGD(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        this.params = List.copyOf(params);
        this.buf = new float[params.size()][];
        this.lr = lr;
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    public void setLr(double lr) { this.lr = lr; }

    public void step() {
        float mu = (float) momentum, damp = (float) (1 - dampening), wd = (float) weightDecay, rate = (float) lr;
        for (int p = 0; p < params.size(); p++) {
            Tensor t = params.get(p);
            float[] g = t.grad();
            if (g == null) continue;
            float[] w = t.data();
            int off = t.offset();
            boolean first = buf[p] == null;
            if (momentum != 0 && first) buf[p] = new float[t.size()];
            for (int i = 0; i < g.length; i++) {
                float d = g[i] + wd * w[off + i];
                if (momentum != 0) {
                    float b = first ? d : mu * buf[p][i] + damp * d;
                    buf[p][i] = b;
                    d = nesterov ? d + mu * b : b;
                }
                w[off + i] -= rate * d;
            }
        }
    }

    public void zeroGrad() { params.forEach(Tensor::zeroGrad); }
}
