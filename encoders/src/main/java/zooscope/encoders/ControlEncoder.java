package zooscope.encoders;

import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.Init;

/**
 * The no-information control (not in the paper): one learned vector z₀, the same for every RNN, so the
 * emulator conditioned on it can only learn what all RNNs of the training split have in common. An encoder's
 * gain over this control, in emulation loss or downstream, is what its z says about the individual RNN.
 */
public final class ControlEncoder extends WeightEncoder {
    private final Tensor z0;

    public ControlEncoder(ProbedModel model, Rng rng) { this(model, Init.solo(rng)); }

    public ControlEncoder(ProbedModel model, Init init) {
        super(model, init);
        z0 = parameter("z", init.normal(1.0, 1, EMBEDDING));
    }

    /** z₀ repeated for every row; θ is not read. */
    @Override protected Tensor embed(Tensor theta) { return z0.gather(-2, new int[theta.dim(-2)]); }
}
