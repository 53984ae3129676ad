package zooscope.encoders;

import zooscope.engine.Tensor;
import zooscope.engine.nn.Init;
import zooscope.engine.nn.Module;

/**
 * A weight encoder E(θ) (PAPER.md §8): a batch of zoo rows, flat parameters in PyTorch order [B, P], to
 * 16-dimensional L2-normalised representations [B, 16]. The rows are data, never trained: θ must not
 * require grad. A group of G encoders of one architecture ({@link Init#group}, for runs trained together)
 * maps [G, B, P] to [G, B, 16], model g encoding rows [g].
 */
public abstract class WeightEncoder extends Module {
    public static final int EMBEDDING = 16;

    protected final ProbedModel model;
    /** Models in a group, or 0 for a solo encoder (no model axis). */
    protected final int models;

    protected WeightEncoder(ProbedModel model) { this(model, 0); }

    protected WeightEncoder(ProbedModel model, Init init) { this(model, init.grouped() ? init.models() : 0); }

    private WeightEncoder(ProbedModel model, int models) {
        this.model = model;
        this.models = models;
    }

    /** Models in the group, or 0 for a solo encoder. */
    public final int models() { return models; }

    public ProbedModel model() { return model; }

    /** The representation before normalisation, [B, 16]. */
    protected abstract Tensor embed(Tensor theta);

    /** E(θ) = embed(θ)/‖embed(θ)‖, [B, 16]. */
    public final Tensor encode(Tensor theta) {
        int P = model.layout().size();
        boolean fits = models == 0 ? theta.rank() == 2 : theta.rank() == 3 && theta.dim(0) == models;
        if (!fits || theta.dim(-1) != P) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": input " + java.util.Arrays.toString(theta.shape())
                + ", expected [" + (models == 0 ? "" : models + ", ") + "B, " + P + "] flat parameter rows of " + model.layout());
        }
        if (theta.requiresGradient()) throw new IllegalArgumentException("the encoded weights are data: theta must not require grad");
        return embed(theta).l2Normalize();
    }

    /** Whether training should apply random hidden-unit permutations to θ (PAPER.md §8.7). */
    public boolean wantsPermutationAugmentation() { return false; }
}
