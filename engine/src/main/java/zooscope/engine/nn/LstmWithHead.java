package zooscope.engine.nn;

import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/**
 * The zoo's model: a stacked batch-first LSTM and a linear read-out applied at every time step
 * (raw logits). Parameter names {@code lstm.weight_ih_l0}, …, {@code linear.weight}, {@code linear.bias}
 * match a PyTorch module with attributes {@code lstm} and {@code linear}; {@link #namedParameters()}
 * order is the zoo's flat parameter order.
 */
public final class LstmWithHead extends Module {
    public final LSTM lstm;
    public final Linear linear;

    public LstmWithHead(int inputSize, int hiddenSize, int layers, int outputSize, Rng rng) {
        lstm = child("lstm", new LSTM(inputSize, hiddenSize, layers, rng));
        linear = child("linear", new Linear(hiddenSize, outputSize, rng));
    }

    /** x [B, T, in] → logits [B, T, out]. */
    public Tensor forward(Tensor x) { return linear.forward(lstm.forward(x)); }
}
