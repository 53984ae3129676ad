package zooscope.pretrain;

import java.util.ArrayList;
import java.util.List;
import zooscope.encoders.Emulator;
import zooscope.encoders.HiddenPermutation;
import zooscope.encoders.WeightEncoder;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.optim.AdamW;
import zooscope.engine.optim.GradClip;

/**
 * One update of emulation pre-training (PAPER.md §9): z = E(θ) (hidden units randomly permuted first for
 * the encoders that want augmentation), the emulator's logits on the stored rollout, the loss against the
 * stored outputs, backward, the emulator's and the encoder's gradients clipped separately, one AdamW step
 * over both. What {@link Pretrainer} runs and what {@code bench pretrain} times.
 */
public final class EmulationStep {
    final WeightEncoder encoder;
    final Emulator emulator;
    final PretrainConfig cfg;
    final List<Tensor> encoderParams, emulatorParams;
    final AdamW opt;

    public EmulationStep(WeightEncoder encoder, Emulator emulator, PretrainConfig cfg) {
        this.encoder = encoder;
        this.emulator = emulator;
        this.cfg = cfg;
        encoderParams = encoder.parameters();
        emulatorParams = emulator.parameters();
        List<Tensor> all = new ArrayList<>(encoderParams);
        all.addAll(emulatorParams);
        opt = new AdamW(all, cfg.lr(), cfg.weightDecay());
    }

    /** z of a batch; the flat and transformer encoders see randomly permuted hidden units (PAPER.md §8.7). */
    public Tensor encode(Tensor theta, Rng augment) {
        if (!encoder.wantsPermutationAugmentation()) return encoder.encode(theta);
        return encoder.encode(HiddenPermutation.augment(encoder.model().layout(), theta, augment));
    }

    /** One update on a batch; dropout masks from {@code dropoutSeed}. Returns the batch loss. */
    public double update(EmulationData.Batch b, Rng augment, long dropoutSeed) {
        encoder.train(true);
        emulator.train(true);
        encoder.reseedRandomness(dropoutSeed);
        Tensor z = encode(b.theta(), augment);
        Tensor loss = cfg.loss().mean(emulator.forward(b.x(), z), b.target());
        double l = loss.item();
        if (!Double.isFinite(l)) { // the parameters are finite (checked after the previous step): the data or an overflow
            String group = finite(z) ? "emulator" : "encoder";
            throw new NumericalFault(-1, group, null, "the training loss is " + l + " (the " + (group.equals("encoder") ? "encoder's output z is" : "encoder's output z is finite, the emulator's output is")
                + " not finite)");
        }
        loss.backward();
        if (afterBackward != null) afterBackward.run();
        // a non-finite gradient gives a non-finite norm and is found before the step, so the parameters stay as they were
        if (!Double.isFinite(GradClip.clipNorm(emulatorParams, cfg.clip()))) throw fault("emulator", true);
        if (!Double.isFinite(GradClip.clipNorm(encoderParams, cfg.clip()))) throw fault("encoder", true);
        opt.step();
        opt.zeroGrad();
        for (String group : new String[] {"encoder", "emulator"}) {
            for (Tensor p : (group.equals("encoder") ? encoderParams : emulatorParams)) {
                if (!finite(p)) throw fault(group, false);
            }
        }
        return l;
    }

    /** Test hook: runs between backward and clipping (e.g. to poison a gradient). */
    Runnable afterBackward;

    /** The fault of a group's first parameter with a non-finite gradient or value. */
    private NumericalFault fault(String group, boolean gradient) {
        for (var e : (group.equals("encoder") ? encoder.namedParameters() : emulator.namedParameters()).entrySet()) {
            Tensor p = e.getValue();
            float[] a = gradient ? p.grad() : p.toArray(); // host copies, on the failure path only
            int i = a == null ? -1 : firstNonFinite(a);
            if (i < 0) continue;
            String where = group + " parameter '" + e.getKey() + "' (element " + i + " of " + p.size() + ")";
            return new NumericalFault(-1, group, e.getKey(), gradient ? "the gradient of " + where + " is " + a[i] + "; no step taken"
                : where + " became " + a[i] + " in the AdamW step (learning rate " + cfg.lr() + ")");
        }
        return new NumericalFault(-1, group, null, "a non-finite " + (gradient ? "gradient" : "value") + " in the " + group);
    }

    /** Whether every value of t is finite: Σx² in float64 is finite exactly then (no float can overflow it). */
    static boolean finite(Tensor t) { return Double.isFinite(t.backend().sumSquares(t.storage(), t.offset(), t.size())); }

    /** Index of the first NaN or infinity in a, or -1. */
    static int firstNonFinite(float[] a) {
        for (int i = 0; i < a.length; i++) if (!Float.isFinite(a[i])) return i;
        return -1;
    }
}
