package zooscope.pretrain;

import java.util.LinkedHashMap;
import java.util.Map;
import zooscope.encoders.EmulationLoss;

/**
 * The settings of one emulation pre-training run. {@link #paper()} is the reference's configuration
 * (PAPER.md §9); {@link #small()} is zooscope's CPU preset, scaled down as §13 suggests so that a grid of
 * six encoders × three seeds fits in two hours on two cores.
 *
 * @param steps index of the last update (updates 0..steps)
 * @param evalEvery validation, OOD and clone checks after every update t with t % evalEvery == 0, and the last
 * @param smallEncoders the encoders' scaled-down sizes ({@code Encoders.create(..., small, ...)})
 * @param cloneRnns RNNs per split in the cloned-performance check; {@code cloneSamples} strings sampled
 *     from each (formal), {@code cloneImages} rotated eval images (MNIST: 1000 in the paper, 250 in the small preset)
 * @param evalAllRollouts validation and OOD losses as the mean over every stored rollout of every row ({@code
 *     --eval-rollouts all}); false: one seeded rollout per row, the same at every evaluation (the reference's way)
 */
public record PretrainConfig(String preset, int steps, int batch, int evalEvery, int emulatorHidden, int emulatorLayers,
                             double lr, double weightDecay, double clip, EmulationLoss loss, boolean smallEncoders,
                             int probeStreams, int cloneRnns, int cloneSamples, int cloneImages, boolean evalAllRollouts) {
    public PretrainConfig {
        if (steps < 0) throw new IllegalArgumentException("--steps must be >= 0, got " + steps);
        if (batch < 1) throw new IllegalArgumentException("--batch must be positive, got " + batch);
        if (evalEvery < 1) throw new IllegalArgumentException("--eval-every must be positive, got " + evalEvery);
        if (probeStreams < 1) throw new IllegalArgumentException("--probe-streams must be positive, got " + probeStreams);
        if (!(lr > 0 && Double.isFinite(lr))) throw new IllegalArgumentException("--lr must be positive and finite, got " + lr);
    }

    /** PAPER.md §9: 100,000 updates, batch 64, emulator 2×256, AdamW lr 1e-4, weight decay 0.01, clipping 0.1 per group, TV. */
    public static PretrainConfig paper() {
        return new PretrainConfig("paper", 100_000, 64, 1000, 256, 2, 1e-4, 0.01, 0.1, EmulationLoss.TV, false, 1, 20, 64, 1000, false);
    }

    /**
     * The CPU preset: 601 updates of batch 64 with lr 1e-3 (ten times the paper's, for the short
     * schedule), an emulator of 2×64, the encoders at their small sizes, evaluation every 100 updates;
     * the rest as the paper.
     */
    public static PretrainConfig small() {
        return new PretrainConfig("small", 600, 64, 100, 64, 2, 1e-3, 0.01, 0.1, EmulationLoss.TV, true, 1, 20, 64, 250, false);
    }

    public static PretrainConfig preset(String name) {
        return switch (name) {
            case "paper" -> paper();
            case "small" -> small();
            default -> throw new IllegalArgumentException("unknown --preset '" + name + "': expected paper or small");
        };
    }

    public PretrainConfig withSteps(int v) { return new PretrainConfig(preset, v, batch, evalEvery, emulatorHidden, emulatorLayers, lr, weightDecay, clip, loss, smallEncoders, probeStreams, cloneRnns, cloneSamples, cloneImages, evalAllRollouts); }
    public PretrainConfig withEvalEvery(int v) { return new PretrainConfig(preset, steps, batch, v, emulatorHidden, emulatorLayers, lr, weightDecay, clip, loss, smallEncoders, probeStreams, cloneRnns, cloneSamples, cloneImages, evalAllRollouts); }
    public PretrainConfig withLoss(EmulationLoss v) { return new PretrainConfig(preset, steps, batch, evalEvery, emulatorHidden, emulatorLayers, lr, weightDecay, clip, v, smallEncoders, probeStreams, cloneRnns, cloneSamples, cloneImages, evalAllRollouts); }
    public PretrainConfig withProbeStreams(int v) { return new PretrainConfig(preset, steps, batch, evalEvery, emulatorHidden, emulatorLayers, lr, weightDecay, clip, loss, smallEncoders, v, cloneRnns, cloneSamples, cloneImages, evalAllRollouts); }
    public PretrainConfig withLr(double v) { return new PretrainConfig(preset, steps, batch, evalEvery, emulatorHidden, emulatorLayers, v, weightDecay, clip, loss, smallEncoders, probeStreams, cloneRnns, cloneSamples, cloneImages, evalAllRollouts); }
    public PretrainConfig withEvalAllRollouts(boolean v) { return new PretrainConfig(preset, steps, batch, evalEvery, emulatorHidden, emulatorLayers, lr, weightDecay, clip, loss, smallEncoders, probeStreams, cloneRnns, cloneSamples, cloneImages, v); }

    /** As recorded in the run folder. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preset", preset);
        m.put("steps", steps);
        m.put("batch", batch);
        m.put("eval_every", evalEvery);
        m.put("emulator_hidden", emulatorHidden);
        m.put("emulator_layers", emulatorLayers);
        m.put("lr", lr);
        m.put("weight_decay", weightDecay);
        m.put("clip", clip);
        m.put("loss", loss.id);
        m.put("encoder_size", smallEncoders ? "small" : "paper");
        m.put("probe_streams", probeStreams);
        m.put("clone_rnns", cloneRnns);
        m.put("clone_samples", cloneSamples);
        m.put("clone_images", cloneImages);
        m.put("eval_rollouts", evalAllRollouts ? "all" : "one");
        return m;
    }
}
