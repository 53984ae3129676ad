package zooscope.engine.nn;

import zooscope.engine.LinearAlgebra;
import zooscope.engine.Recurrent;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/**
 * One LSTM step (torch.nn.LSTMCell): two linear maps and the fused cell op, for models that choose each
 * input from the previous output (interrogators). Same parameters and init as one layer of {@link LSTM}.
 */
public final class LSTMCell extends Module {
    public final int inputSize, hiddenSize;
    public final Tensor weightIh, weightHh, biasIh, biasHh;

    /** The recurrent state (h, c), each [B, H]. */
    public record State(Tensor h, Tensor c) {}

    public LSTMCell(int inputSize, int hiddenSize, Rng rng) {
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        double bound = 1 / Math.sqrt(hiddenSize);
        weightIh = parameter("weight_ih", Tensor.uniform(rng, -bound, bound, 4 * hiddenSize, inputSize));
        weightHh = parameter("weight_hh", Tensor.uniform(rng, -bound, bound, 4 * hiddenSize, hiddenSize));
        biasIh = parameter("bias_ih", Tensor.uniform(rng, -bound, bound, 4 * hiddenSize));
        biasHh = parameter("bias_hh", Tensor.uniform(rng, -bound, bound, 4 * hiddenSize));
    }

    /** The zero state for a batch. */
    public State zeroState(int batch) {
        return new State(Tensor.zeros(batch, hiddenSize), Tensor.zeros(batch, hiddenSize));
    }

    /** x [B, in], state → the new state. */
    public State forward(Tensor x, State s) {
        int H = hiddenSize;
        Tensor gates = LinearAlgebra.linear(x, weightIh, biasIh).add(LinearAlgebra.linear(s.h(), weightHh, biasHh));
        Tensor hc = Recurrent.cell(gates, s.c());
        return new State(hc.slice(1, 0, H), hc.slice(1, H, 2 * H));
    }
}
