package zooscope.encoders;

import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.LSTM;
import zooscope.engine.nn.LSTMCell;
import zooscope.engine.nn.Linear;
import zooscope.engine.nn.Module;

/**
 * The emulator A(x, z) of emulation pre-training (PAPER.md §9): it reproduces a zoo RNN's output
 * distributions from that RNN's representation z. The input is projected to the hidden width, the
 * projected z is added at t = 0 only (the BOS step), a stacked LSTM runs over the sequence and a linear
 * map gives logits. Parameter names and order are the reference's: {@code embedding_projection},
 * {@code input_projection}, {@code lstm}, {@code output_projection}; 2 × 256 in the paper.
 */
public final class Emulator extends Module {
    public final int inputSize, outputSize, hidden;
    private final Linear embeddingProjection, inputProjection, outputProjection;
    private final LSTM lstm;

    public Emulator(int inputSize, int outputSize, int hidden, int layers, Rng rng) {
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.hidden = hidden;
        embeddingProjection = child("embedding_projection", new Linear(WeightEncoder.EMBEDDING, hidden, rng));
        inputProjection = child("input_projection", new Linear(inputSize, hidden, rng));
        lstm = child("lstm", new LSTM(hidden, hidden, layers, rng));
        outputProjection = child("output_projection", new Linear(hidden, outputSize, rng));
    }

    /** The parameters {@link #of} allocates for this size, computed without allocating (to check a file against first). */
    public static long parameterCount(ProbedModel model, int hidden, int layers) {
        long h = hidden, x = model.layout().input(), o = model.layout().output();
        long lstm = layers * (8 * h * h + 8 * h); // weight_ih and weight_hh (4h × h each), two biases (4h each)
        return (WeightEncoder.EMBEDDING + 1) * h + (x + 1) * h + lstm + (h + 1) * o;
    }

    /** An emulator for RNNs of the given kind. */
    public static Emulator of(ProbedModel model, int hidden, int layers, Rng rng) {
        return new Emulator(model.layout().input(), model.layout().output(), hidden, layers, rng);
    }

    /** x [B, T, X] (the stored rollout's inputs, BOS first) and z [B, 16] → logits [B, T, O]. */
    public Tensor forward(Tensor x, Tensor z) {
        int B = x.dim(0), T = x.dim(1);
        if (x.rank() != 3 || x.dim(2) != inputSize || z.rank() != 2 || z.dim(0) != B || z.dim(1) != WeightEncoder.EMBEDDING) {
            throw new IllegalArgumentException("emulator: x " + java.util.Arrays.toString(x.shape()) + ", z " + java.util.Arrays.toString(z.shape())
                + ": expected x [B, T, " + inputSize + "] and z [B, " + WeightEncoder.EMBEDDING + "]");
        }
        Tensor xp = inputProjection.forward(x);
        Tensor first = xp.slice(1, 0, 1).add(embeddingProjection.forward(z).reshape(B, 1, hidden));
        Tensor h = lstm.forward(T == 1 ? first : Tensor.concat(1, first, xp.slice(1, 1, T)));
        return outputProjection.forward(h);
    }

    /** Step-by-step sampling: the recurrent state is carried between calls, z enters on the first. */
    public final class Stepper {
        private final LSTMCell.State[] state;
        private Tensor z;

        private Stepper(Tensor z) {
            this.z = z;
            this.state = lstm.zeroState(z.dim(0));
        }

        /** One input per RNN, x [B, X] → logits [B, O]. */
        public Tensor step(Tensor x) {
            Tensor xp = inputProjection.forward(x);
            if (z != null) { xp = xp.add(embeddingProjection.forward(z)); z = null; }
            return outputProjection.forward(lstm.step(xp, state));
        }
    }

    /** A stepper conditioned on z [B, 16]. */
    public Stepper stepper(Tensor z) { return new Stepper(z); }
}
