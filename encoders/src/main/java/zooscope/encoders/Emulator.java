package zooscope.encoders;

import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.Init;
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
    /** Models in a group, or 0 for a solo emulator. */
    public final int models;
    private final Linear embeddingProjection, inputProjection, outputProjection;
    private final LSTM lstm;

    public Emulator(int inputSize, int outputSize, int hidden, int layers, Rng rng) { this(inputSize, outputSize, hidden, layers, Init.solo(rng)); }

    /** With {@link Init#group}: G emulators stacked along a leading model axis, x [G, B, T, X] and z [G, B, 16] → [G, B, T, O]. */
    public Emulator(int inputSize, int outputSize, int hidden, int layers, Init init) {
        this.models = init.grouped() ? init.models() : 0;
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.hidden = hidden;
        embeddingProjection = child("embedding_projection", new Linear(WeightEncoder.EMBEDDING, hidden, init));
        inputProjection = child("input_projection", new Linear(inputSize, hidden, init));
        lstm = child("lstm", new LSTM(hidden, hidden, layers, init));
        outputProjection = child("output_projection", new Linear(hidden, outputSize, init));
    }

    /** The parameters {@link #of} allocates for this size, computed without allocating (to check a file against first). */
    public static long parameterCount(ProbedModel model, int hidden, int layers) {
        long h = hidden, x = model.layout().input(), o = model.layout().output();
        long lstm = layers * (8 * h * h + 8 * h); // weight_ih and weight_hh (4h × h each), two biases (4h each)
        return (WeightEncoder.EMBEDDING + 1) * h + (x + 1) * h + lstm + (h + 1) * o;
    }

    /** An emulator for RNNs of the given kind. */
    public static Emulator of(ProbedModel model, int hidden, int layers, Rng rng) { return of(model, hidden, layers, Init.solo(rng)); }

    /** An emulator (or a group of them) for RNNs of the given kind. */
    public static Emulator of(ProbedModel model, int hidden, int layers, Init init) {
        return new Emulator(model.layout().input(), model.layout().output(), hidden, layers, init);
    }

    /** x [B, T, X] (the stored rollout's inputs, BOS first) and z [B, 16] → logits [B, T, O]; a group has the model axis in front of each. */
    public Tensor forward(Tensor x, Tensor z) {
        int lead = models == 0 ? 0 : 1;
        boolean fits = x.rank() == 3 + lead && z.rank() == 2 + lead && x.dim(-1) == inputSize && z.dim(-1) == WeightEncoder.EMBEDDING
            && z.dim(-2) == x.dim(-3) && (lead == 0 || (x.dim(0) == models && z.dim(0) == models));
        if (!fits) {
            String g = lead == 0 ? "" : models + ", ";
            throw new IllegalArgumentException("emulator: x " + java.util.Arrays.toString(x.shape()) + ", z " + java.util.Arrays.toString(z.shape())
                + ": expected x [" + g + "B, T, " + inputSize + "] and z [" + g + "B, " + WeightEncoder.EMBEDDING + "]");
        }
        int T = x.dim(-2);
        Tensor xp = inputProjection.forward(x);
        Tensor zp = embeddingProjection.forward(z); // [.., B, H] → [.., B, 1, H], added at t = 0
        int[] s = zp.shape(), s1 = java.util.Arrays.copyOf(s, s.length + 1);
        s1[s.length - 1] = 1;
        s1[s.length] = hidden;
        Tensor first = xp.slice(-2, 0, 1).add(zp.reshape(s1));
        Tensor h = lstm.forward(T == 1 ? first : Tensor.concat(-2, first, xp.slice(-2, 1, T)));
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

    /** A stepper conditioned on z [B, 16] (solo emulators only). */
    public Stepper stepper(Tensor z) {
        if (models != 0) throw new IllegalStateException("step-by-step sampling runs on a solo emulator, not a group of " + models);
        return new Stepper(z);
    }
}
