package zooscope.encoders;

import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.Init;
import zooscope.engine.nn.MLP;

/**
 * Flattened weights + MLP (PAPER.md §8.2): the flat vector → 128 → 128 → 128 → 16 with ReLU between.
 * Not invariant to hidden-unit permutations; trained with permutation augmentation.
 */
public final class FlatEncoder extends WeightEncoder {
    private final MLP mlp;

    public FlatEncoder(ProbedModel model, int hidden, int layers, Rng rng) { this(model, hidden, layers, Init.solo(rng)); }

    public FlatEncoder(ProbedModel model, int hidden, int layers, Init init) {
        super(model, init);
        int[] sizes = new int[layers + 2];
        sizes[0] = model.layout().size();
        for (int i = 1; i <= layers; i++) sizes[i] = hidden;
        sizes[layers + 1] = EMBEDDING;
        mlp = child("mlp", new MLP(init, sizes));
    }

    @Override protected Tensor embed(Tensor theta) { return mlp.forward(theta); }

    @Override public boolean wantsPermutationAugmentation() { return true; }
}
