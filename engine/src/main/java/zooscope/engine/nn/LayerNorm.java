package zooscope.engine.nn;

import zooscope.engine.Functional;
import zooscope.engine.Tensor;

/** torch.nn.LayerNorm over the last axis: weight 1, bias 0, eps 1e-5. In a group ({@link Init#group}): weight and bias [G, C], x [G, ..., C]. */
public final class LayerNorm extends Module {
    public final Tensor weight, bias;
    private static final double EPS = 1e-5;

    /** {@code init} gives the shapes (with the model axis in a group); the values are fixed, nothing is drawn. */
    public LayerNorm(int features, Init init) {
        weight = parameter("weight", Tensor.full(1f, init.stacked(features)));
        bias = parameter("bias", init.zeros(features));
    }

    public Tensor forward(Tensor x) { return Functional.layerNorm(x, weight, bias, EPS); }
}
