package zooscope.engine.nn;

import zooscope.engine.LinearAlgebra;
import zooscope.engine.Recurrent;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/**
 * Multi-layer, batch-first LSTM with PyTorch's exact parameterisation: per layer k the parameters
 * {@code weight_ih_lk} [4H, in], {@code weight_hh_lk} [4H, H], {@code bias_ih_lk}, {@code bias_hh_lk}
 * [4H], rows in gate order i, f, g, o; all initialised uniform in ±1/√H; zero initial state. Layer k+1
 * reads layer k's new hidden state.
 */
public final class LSTM extends Module {
    public final int inputSize, hiddenSize, layers;
    private final Tensor[][] weights; // per layer: w_ih, w_hh, b_ih, b_hh

    public LSTM(int inputSize, int hiddenSize, int layers, Rng rng) { this(inputSize, hiddenSize, layers, Init.solo(rng)); }

    /** In a group the weights are stacked [G, 4H, in] etc. and {@link #forward} maps [G, B, T, in] to [G, B, T, H]. */
    public LSTM(int inputSize, int hiddenSize, int layers, Init init) {
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.layers = layers;
        this.weights = new Tensor[layers][];
        double bound = 1 / Math.sqrt(hiddenSize);
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? inputSize : hiddenSize;
            weights[l] = new Tensor[] {
                parameter("weight_ih_l" + l, init.uniform(-bound, bound, 4 * hiddenSize, in)),
                parameter("weight_hh_l" + l, init.uniform(-bound, bound, 4 * hiddenSize, hiddenSize)),
                parameter("bias_ih_l" + l, init.uniform(-bound, bound, 4 * hiddenSize)),
                parameter("bias_hh_l" + l, init.uniform(-bound, bound, 4 * hiddenSize)),
            };
        }
    }

    /** x [B, T, inputSize] → the top layer's hidden states [B, T, hiddenSize]. */
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Tensor[] w : weights) h = Recurrent.lstmLayer(h, w[0], w[1], w[2], w[3]);
        return h;
    }

    /** The zero state of every layer for a batch. */
    public LSTMCell.State[] zeroState(int batch) {
        LSTMCell.State[] s = new LSTMCell.State[layers];
        for (int l = 0; l < layers; l++) s[l] = new LSTMCell.State(Tensor.zeros(batch, hiddenSize), Tensor.zeros(batch, hiddenSize));
        return s;
    }

    /**
     * One time step of every layer (for sampling step by step): x [B, inputSize] and the layers' states →
     * the new states (overwritten in {@code states}); the top layer's h is returned. The same numbers as
     * {@link #forward} on the whole sequence, up to float rounding of the different GEMM shapes.
     */
    public Tensor step(Tensor x, LSTMCell.State[] states) {
        int H = hiddenSize;
        Tensor in = x;
        for (int l = 0; l < layers; l++) {
            Tensor[] w = weights[l];
            Tensor gates = LinearAlgebra.linear(in, w[0], w[2]).add(LinearAlgebra.linear(states[l].h(), w[1], w[3]));
            Tensor hc = Recurrent.cell(gates, states[l].c());
            states[l] = new LSTMCell.State(hc.slice(1, 0, H), hc.slice(1, H, 2 * H));
            in = states[l].h();
        }
        return in;
    }
}
