package zooscope.encoders;

import zooscope.engine.nn.LstmLayout;

/**
 * The kind of RNN an encoder reads: its flat layout, and for the probing encoders the probe length and
 * how a probe is made a valid input (PAPER.md §8.6): a softmax over the tokens for formal languages (a
 * soft one-hot, L = 22), a sigmoid for MNIST tiles (values in (0, 1), L = 50).
 */
public record ProbedModel(String name, LstmLayout layout, int probeLength, boolean softmaxProbes) {
    public static final ProbedModel FORMAL = new ProbedModel("formal", LstmLayout.FORMAL, 22, true);
    public static final ProbedModel MNIST = new ProbedModel("mnist", LstmLayout.MNIST, 50, false);

    /** The model of a zoo kind by its name ("formal" or "mnist"), or null for any other name. */
    public static ProbedModel byName(String kind) {
        return switch (kind) {
            case "formal" -> FORMAL;
            case "mnist" -> MNIST;
            default -> null;
        };
    }

    /** The model of a zoo LSTM layout: FORMAL or MNIST by their layouts, else a formal-style one (for tests). */
    public static ProbedModel of(LstmLayout layout) {
        if (layout.equals(FORMAL.layout)) return FORMAL;
        if (layout.equals(MNIST.layout)) return MNIST;
        return new ProbedModel("custom", layout, 5, true);
    }
}
