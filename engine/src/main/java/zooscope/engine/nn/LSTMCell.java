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
    /** Models in a group ({@link Init#group}: every tensor with the model axis in front), or 0 for a solo cell. */
    private final int models;

    /** The recurrent state (h, c), each [B, H] ([G, B, H] in a group). */
    public record State(Tensor h, Tensor c) {}

    public LSTMCell(int inputSize, int hiddenSize, Rng rng) { this(inputSize, hiddenSize, Init.solo(rng)); }

    public LSTMCell(int inputSize, int hiddenSize, Init init) {
        this.models = init.grouped() ? init.models() : 0;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        double bound = 1 / Math.sqrt(hiddenSize);
        weightIh = parameter("weight_ih", init.uniform(-bound, bound, 4 * hiddenSize, inputSize));
        weightHh = parameter("weight_hh", init.uniform(-bound, bound, 4 * hiddenSize, hiddenSize));
        biasIh = parameter("bias_ih", init.uniform(-bound, bound, 4 * hiddenSize));
        biasHh = parameter("bias_hh", init.uniform(-bound, bound, 4 * hiddenSize));
    }

    /** The zero state for a batch (of every model of a group). */
    public State zeroState(int batch) {
        int[] shape = models == 0 ? new int[] {batch, hiddenSize} : new int[] {models, batch, hiddenSize};
        return new State(Tensor.zeros(shape), Tensor.zeros(shape));
    }

    /** x [B, in] ([G, B, in] in a group), state → the new state. */
    public State forward(Tensor x, State s) {
        int H = hiddenSize;
        Tensor gates = LinearAlgebra.linear(x, weightIh, biasIh).add(LinearAlgebra.linear(s.h(), weightHh, biasHh));
        Tensor hc = Recurrent.cell(gates, s.c());
        return new State(hc.slice(-1, 0, H), hc.slice(-1, H, 2 * H));
    }
}
