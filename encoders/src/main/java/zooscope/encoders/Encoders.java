package zooscope.encoders;

import java.util.List;
import zooscope.engine.Rng;
import zooscope.engine.nn.Init;

/** The six weight encoders by name, at the sizes of PAPER.md §8, and the no-information control. */
public final class Encoders {
    /** statistics-768 is the statistics encoder with the paper's 3×768 MLP instead of the reference's 128;
     * control is {@link ControlEncoder}, a learned z the same for every RNN. */
    public static final List<String> NAMES = List.of("control", "statistics", "statistics-768", "flat", "transformer", "dws", "noninteractive", "interactive");

    private Encoders() {}

    /** A freshly initialised encoder for RNNs of the given kind (probing encoders with one probe stream). */
    public static WeightEncoder create(String name, ProbedModel model, Rng rng) { return create(name, model, 1, rng); }

    /** As {@link #create(String, ProbedModel, Rng)}, the probing encoders with M parallel probe streams. */
    public static WeightEncoder create(String name, ProbedModel model, int probeStreams, Rng rng) { return create(name, model, probeStreams, false, rng); }

    /**
     * An encoder at the paper's size, or with {@code small} at the scaled-down size of the CPU preset
     * (PAPER.md §13): transformer d 32, 1 head, FFN 128 (4·d, as the reference fixes it), 1 layer (its cost is attention over 519 tokens);
     * DWS 8 channels, 3 layers, head 64; probing core 64, encoding 32. The statistics and flat encoders are
     * cheap and keep their size.
     */
    public static WeightEncoder create(String name, ProbedModel model, int probeStreams, boolean small, Rng rng) {
        return build(name, model, probeStreams, small, Init.solo(rng));
    }

    /**
     * G encoders of one kind stacked along a leading model axis ({@link Init#group}): model g is initialised as
     * {@code create(name, model, probeStreams, small, rngs[g])} would be.
     */
    public static WeightEncoder createGroup(String name, ProbedModel model, int probeStreams, boolean small, Rng... rngs) {
        return build(name, model, probeStreams, small, Init.group(rngs));
    }

    private static WeightEncoder build(String name, ProbedModel model, int probeStreams, boolean small, Init init) {
        if (probeStreams < 1) throw new IllegalArgumentException("probe streams must be positive, got " + probeStreams);
        return switch (name) {
            case "control" -> new ControlEncoder(model, init);
            case "statistics" -> new StatisticsEncoder(model, new int[] {128}, init);
            case "statistics-768" -> new StatisticsEncoder(model, new int[] {768, 768, 768}, init);
            case "flat" -> new FlatEncoder(model, 128, 3, init);
            case "transformer" -> small ? new ParameterTransformer(model, 32, 1, 128, 1, 0.1, init) : new ParameterTransformer(model, 128, 2, 512, 6, 0.1, init);
            case "dws" -> small ? new DwsEncoder(model, 8, 3, 64, init) : new DwsEncoder(model, 48, 4, 128, init);
            case "noninteractive", "interactive" -> new ProbingEncoder(model, name.equals("interactive"), small ? 64 : 256, small ? 32 : 128, probeStreams, init);
            default -> throw new IllegalArgumentException("unknown encoder '" + name + "': expected one of " + NAMES);
        };
    }
}
