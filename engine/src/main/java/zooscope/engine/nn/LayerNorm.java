package zooscope.engine.nn;

import zooscope.engine.Functional;
import zooscope.engine.Tensor;

/** torch.nn.LayerNorm over the last axis: weight 1, bias 0, eps 1e-5. */
public final class LayerNorm extends Module {
    public final Tensor weight, bias;
    private final double eps;

    public LayerNorm(int features) { this(features, 1e-5); }

    public LayerNorm(int features, double eps) {
        this.eps = eps;
        weight = parameter("weight", Tensor.full(1f, features));
        bias = parameter("bias", Tensor.zeros(features));
    }

    public Tensor forward(Tensor x) { return Functional.layerNorm(x, weight, bias, eps); }
}
