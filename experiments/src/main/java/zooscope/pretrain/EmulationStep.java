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
        return encoder.encode(Tensor.of(HiddenPermutation.augment(encoder.model().layout(), theta.toArray(), augment), theta.shape()));
    }

    /** One update on a batch; dropout masks from {@code dropoutSeed}. Returns the batch loss. */
    public double update(EmulationData.Batch b, Rng augment, long dropoutSeed) {
        encoder.train(true);
        emulator.train(true);
        encoder.reseedRandomness(dropoutSeed);
        Tensor loss = cfg.loss().mean(emulator.forward(b.x(), encode(b.theta(), augment)), b.target());
        loss.backward();
        GradClip.clipNorm(emulatorParams, cfg.clip());
        GradClip.clipNorm(encoderParams, cfg.clip());
        opt.step();
        opt.zeroGrad();
        return loss.item();
    }
}
