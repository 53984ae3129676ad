package zooscope.engine.nn;

import zooscope.engine.LinearAlgebra;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/**
 * y = x·Wᵀ + b. PyTorch's default init: weight and bias uniform in ±1/√in. In a group ({@link Init#group})
 * the weight is [G, out, in], the bias [G, out], and x [G, ..., in] maps to [G, ..., out].
 */
public final class Linear extends Module {
    public final Tensor weight;
    public final Tensor bias;

    public Linear(int in, int out, boolean withBias, Init init) {
        double bound = 1 / Math.sqrt(in);
        weight = parameter("weight", init.uniform(-bound, bound, out, in));
        bias = withBias ? parameter("bias", init.uniform(-bound, bound, out)) : null;
    }

    public Linear(int in, int out, boolean withBias, Rng rng) { this(in, out, withBias, Init.solo(rng)); }
    public Linear(int in, int out, Init init) { this(in, out, true, init); }
    public Linear(int in, int out, Rng rng) { this(in, out, true, Init.solo(rng)); }

    public Tensor forward(Tensor x) { return LinearAlgebra.linear(x, weight, bias); }
}
