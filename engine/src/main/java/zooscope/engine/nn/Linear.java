package zooscope.engine.nn;

import zooscope.engine.LinearAlgebra;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/** y = x·Wᵀ + b. PyTorch's default init: weight and bias uniform in ±1/√in. */
public final class Linear extends Module {
    public final Tensor weight;
    public final Tensor bias;

    public Linear(int in, int out, boolean withBias, Rng rng) {
        double bound = 1 / Math.sqrt(in);
        weight = parameter("weight", Tensor.uniform(rng, -bound, bound, out, in));
        bias = withBias ? parameter("bias", Tensor.uniform(rng, -bound, bound, out)) : null;
    }

    public Linear(int in, int out, Rng rng) { this(in, out, true, rng); }

    public Tensor forward(Tensor x) { return LinearAlgebra.linear(x, weight, bias); }
}
