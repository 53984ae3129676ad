package zooscope.encoders;

import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/**
 * The no-information control (not in the paper): one learned vector z₀, the same for every RNN, so the
 * emulator conditioned on it can only learn what all RNNs of the training split have in common. An encoder's
 * gain over this control, in emulation loss or downstream, is what its z says about the individual RNN.
 */
public final class ControlEncoder extends WeightEncoder {
    private final Tensor z0;

    public ControlEncoder(ProbedModel model, Rng rng) {
        super(model);
        z0 = parameter("z", Tensor.normal(rng, 1.0, 1, EMBEDDING));
    }

    /** z₀ repeated for every row; θ is not read. */
    @Override protected Tensor embed(Tensor theta) { return z0.gather(0, new int[theta.dim(0)]); }
}
