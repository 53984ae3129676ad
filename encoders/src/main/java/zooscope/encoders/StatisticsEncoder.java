package zooscope.encoders;

import java.util.ArrayList;
import java.util.List;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.LstmLayout;
import zooscope.engine.nn.Init;
import zooscope.engine.nn.MLP;

/**
 * Layer-wise statistics + MLP (PAPER.md §8.1): for each of the layout's tensors the mean, the unbiased
 * variance and the 0, .25, .5, .75, 1 quantiles (linear interpolation) → 7 features per tensor (70 for the
 * zoo LSTM) → MLP. The reference builds 70 → 128 → 16; the paper's likely 70 → 768 → 768 → 768 → 16 is
 * the other choice. Invariant to hidden-unit permutations (and to much more).
 */
public final class StatisticsEncoder extends WeightEncoder {
    static final double[] QUANTILES = {0, 0.25, 0.5, 0.75, 1};
    public static final int FEATURES_PER_TENSOR = 2 + QUANTILES.length;
    private final MLP mlp;

    /** {@code hidden} are the MLP's hidden widths: {128} as built by the reference, {768, 768, 768} as in the paper. */
    public StatisticsEncoder(ProbedModel model, int[] hidden, Rng rng) { this(model, hidden, Init.solo(rng)); }

    public StatisticsEncoder(ProbedModel model, int[] hidden, Init init) {
        super(model, init);
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = model.layout().entries().size() * FEATURES_PER_TENSOR;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = EMBEDDING;
        mlp = child("mlp", new MLP(init, sizes));
    }

    @Override
    protected Tensor embed(Tensor theta) { return mlp.forward(features(model.layout(), theta)); }

    /** The statistics of every row, [..., B, tensors·7]: per tensor its mean, unbiased variance and quantiles (along the last axis). */
    public static Tensor features(LstmLayout layout, Tensor theta) {
        List<Tensor> columns = new ArrayList<>();
        for (LstmLayout.Entry e : layout.entries()) {
            Tensor x = theta.slice(-1, e.offset(), e.offset() + e.size()); // [..., B, n]
            columns.add(x.mean(true, -1));
            columns.add(x.var(true, -1));
            columns.add(x.quantile(QUANTILES));
        }
        return Tensor.concat(-1, columns.toArray(Tensor[]::new));
    }
}
