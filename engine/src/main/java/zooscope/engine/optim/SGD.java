package zooscope.engine.optim;

import java.util.List;
import zooscope.engine.Tensor;
import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;

/**
 * torch.optim.SGD: d = g + λ·θ; with momentum μ: b ← d on the first step, else b ← μ·b + (1−dampening)·d,
 * then d = b (or d + μ·b with Nesterov); θ ← θ − lr·d.
 */
public final class SGD {
    private final List<Tensor> params;
    private final Buffer[] buf;
    private final double momentum, dampening, weightDecay;
    private final boolean nesterov;
    private double lr;

    public SGD(List<Tensor> params, double lr) { this(params, lr, 0, 0, 0, false); }

    public SGD(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        this.params = List.copyOf(params);
        this.buf = new Buffer[params.size()];
        this.lr = lr;
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    public void setLr(double lr) { this.lr = lr; }

    public void step() {
        for (int p = 0; p < params.size(); p++) {
            Tensor t = params.get(p);
            Buffer g = t.gradStorage();
            if (g == null) continue;
            Backend k = t.backend();
            boolean first = buf[p] == null;
            if (momentum != 0 && first) buf[p] = k.allocate(t.size());
            k.sgd(t.size(), t.storage(), t.offset(), g, 0, buf[p], first, lr, momentum, dampening, weightDecay, nesterov);
        }
    }

    public void zeroGrad() { params.forEach(Tensor::zeroGrad); }
}
