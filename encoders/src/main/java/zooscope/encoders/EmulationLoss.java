package zooscope.encoders;

import zooscope.engine.Tensor;

/**
 * How far the emulator's output distributions are from the original RNN's (PAPER.md §9, §9.1.6), per
 * position over the O classes, averaged over the positions of an item (no masking: every position
 * counts). The target is given as logits (or log-probabilities), and softmax makes it a distribution.
 */
public enum EmulationLoss {
    /** Total variation ½·Σ_k |p_k − q_k| (the reference's default). */
    TV("tv"),
    /** Reverse KL(q_emu ‖ p_orig) as the reference computes it: a mean over the O classes, i.e. KL/O. */
    REVERSE_KL("reverse-kl"),
    /** Reverse KL summed over the classes (the textbook KL). */
    REVERSE_KL_SUM("reverse-kl-sum");

    public final String id;

    EmulationLoss(String id) { this.id = id; }

    public static EmulationLoss byId(String id) {
        for (EmulationLoss l : values()) if (l.id.equals(id)) return l;
        throw new IllegalArgumentException("unknown emulation loss '" + id + "': expected tv, reverse-kl or reverse-kl-sum");
    }

    /**
     * The loss of each item, [B]: emulator logits [B, T, O] against the original's stored outputs
     * [B, T, O] (log-softmax or raw logits: only their softmax matters; constants, no gradient).
     */
    public Tensor perItem(Tensor logits, Tensor target) {
        if (!java.util.Arrays.equals(logits.shape(), target.shape()) || logits.rank() != 3) {
            throw new IllegalArgumentException("emulation loss: logits " + java.util.Arrays.toString(logits.shape()) + " and targets "
                + java.util.Arrays.toString(target.shape()) + " must both be [B, T, O]");
        }
        Tensor perPosition = switch (this) {
            case TV -> {
                Tensor d = logits.softmax().sub(target.softmax());
                yield d.relu().add(d.neg().relu()).sum(false, 2).mul(0.5f);   // |d| = relu(d) + relu(−d)
            }
            case REVERSE_KL, REVERSE_KL_SUM -> {
                Tensor logq = logits.logSoftmax();
                Tensor kl = logq.exp().mul(logq.sub(target.logSoftmax()));
                yield this == REVERSE_KL ? kl.mean(false, 2) : kl.sum(false, 2);
            }
        };
        return perPosition.mean(false, 1);
    }

    /** The batch loss: the mean of {@link #perItem}. */
    public Tensor mean(Tensor logits, Tensor target) { return perItem(logits, target).mean(); }
}
