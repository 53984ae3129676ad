package zooscope.pretrain;

import java.util.ArrayList;
import java.util.List;
import zooscope.encoders.Emulator;
import zooscope.encoders.WeightEncoder;
import zooscope.engine.Tensor;
import zooscope.engine.optim.AdamW;
import zooscope.engine.optim.GradClip;

/**
 * {@link EmulationStep} for a group of G runs trained together: an encoder and an emulator whose parameters
 * carry a leading model axis (built with {@code Init.group}), one forward and backward for all runs on their
 * stacked batches, each run's gradients clipped on their own (per parameter group, as alone), one AdamW step.
 * The loss is the sum of the runs' mean losses, so each run's parameters get its own mean loss's gradient.
 * What {@link PretrainGroup} runs and what {@code bench pretrain --group} times.
 */
public final class GroupedEmulationStep {
    final WeightEncoder encoder;
    final Emulator emulator;
    final PretrainConfig cfg;
    final int G;
    final List<Tensor> encoderParams, emulatorParams, all;
    final AdamW opt;

    public GroupedEmulationStep(WeightEncoder encoder, Emulator emulator, PretrainConfig cfg) {
        if (encoder.models() == 0 || encoder.models() != emulator.models) {
            throw new IllegalArgumentException("a grouped step needs an encoder and an emulator of one group, got " + encoder.models() + " and " + emulator.models + " models");
        }
        this.encoder = encoder;
        this.emulator = emulator;
        this.cfg = cfg;
        G = encoder.models();
        encoderParams = encoder.parameters();
        emulatorParams = emulator.parameters();
        all = new ArrayList<>(encoderParams);
        all.addAll(emulatorParams);
        opt = new AdamW(all, cfg.lr(), cfg.weightDecay());
    }

    /**
     * One update of every run: θ [G, B, P] (augmented where the encoder wants it), x [G, B, T, X], targets [G, B, T, O];
     * run g's dropout masks from {@code dropoutSeeds[g]}. Returns the runs' batch losses.
     */
    public double[] update(Tensor theta, Tensor x, Tensor target, long[] dropoutSeeds) {
        encoder.train(true);
        emulator.train(true);
        encoder.reseedRandomness(dropoutSeeds);
        Tensor logits = emulator.forward(x, encoder.encode(theta));
        int B = target.dim(1), T = target.dim(2), O = target.dim(3);
        Tensor perRun = cfg.loss().perItem(logits.reshape(G * B, T, O), target.reshape(G * B, T, O)).reshape(G, B).mean(false, 1);
        double[] losses = new double[G];
        float[] l = perRun.toArray();
        for (int g = 0; g < G; g++) {
            losses[g] = l[g];
            if (!Double.isFinite(losses[g])) throw fault(g, "emulator", "the training loss is " + losses[g]);
        }
        perRun.sum().backward();
        // a non-finite gradient gives a non-finite norm and is found before the step, so the parameters stay as they were
        double[] emulatorNorms = GradClip.clipNormPerModel(emulatorParams, G, cfg.clip());
        double[] encoderNorms = GradClip.clipNormPerModel(encoderParams, G, cfg.clip());
        for (int g = 0; g < G; g++) {
            if (!Double.isFinite(emulatorNorms[g])) throw fault(g, "emulator", "a gradient of the emulator is not finite; no step taken");
            if (!Double.isFinite(encoderNorms[g])) throw fault(g, "encoder", "a gradient of the encoder is not finite; no step taken");
        }
        opt.step();
        opt.zeroGrad();
        for (Tensor p : all) {
            if (!EmulationStep.finite(p)) throw fault(-1, "encoder or emulator", "a parameter became non-finite in the AdamW step (learning rate " + cfg.lr() + ")");
        }
        return losses;
    }

    /** G tensors of one shape stacked along a new leading model axis. */
    public static Tensor stack(Tensor... parts) {
        Tensor[] withAxis = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            int[] s = parts[i].shape(), s1 = new int[s.length + 1];
            s1[0] = 1;
            System.arraycopy(s, 0, s1, 1, s.length);
            withAxis[i] = parts[i].reshape(s1);
        }
        return Tensor.concat(0, withAxis);
    }

    /** A numerical fault of one run of the group (its index, or −1 when it cannot be told). */
    static final class ModelFault extends RuntimeException {
        final int model;
        final NumericalFault fault;

        ModelFault(int model, NumericalFault fault) {
            super(fault.getMessage());
            this.model = model;
            this.fault = fault;
        }
    }

    private static ModelFault fault(int g, String group, String message) {
        return new ModelFault(g, new NumericalFault(-1, group, null, message));
    }
}
