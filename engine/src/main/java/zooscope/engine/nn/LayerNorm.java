package zooscope.engine.nn;

import zooscope.engine.Functional;
import zooscope.engine.Tensor;

/** torch.nn.LayerNorm over the last axis: weight 1, bias 0, eps 1e-5. In a group ({@link Init#group}): weight and bias [G, C], x [G, ..., C]. */
public final class LayerNorm extends Module {
    public final Tensor weight, bias;
    private final double eps;

    public LayerNorm(int features) { this(features, Init.solo(null)); } // draws nothing: no generator needed

    public LayerNorm(int features, Init init) {
        this.eps = 1e-5;
        weight = parameter("weight", Tensor.full(1f, init.stacked(features)));
        bias = parameter("bias", init.zeros(features));
    }

    public Tensor forward(Tensor x) { return Functional.layerNorm(x, weight, bias, eps); }
}
