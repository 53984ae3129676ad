package zooscope.encoders;

import java.util.Arrays;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.LstmLayout;
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
    public StatisticsEncoder(ProbedModel model, int[] hidden, Rng rng) {
        super(model);
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = model.layout().entries().size() * FEATURES_PER_TENSOR;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = EMBEDDING;
        mlp = child("mlp", new MLP(rng, sizes));
    }

    @Override
    protected Tensor embed(Tensor theta) { return mlp.forward(features(model.layout(), theta)); }

    /** The statistics of every row, [B, tensors·7], computed in float64. */
    public static Tensor features(LstmLayout layout, Tensor theta) {
        int B = theta.dim(0), P = layout.size(), T = layout.entries().size();
        float[] f = new float[B * T * FEATURES_PER_TENSOR];
        float[] data = theta.data();
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                LstmLayout.Entry e = layout.entries().get(t);
                int n = e.size(), from = theta.offset() + b * P + e.offset();
                double[] v = new double[n];
                double mean = 0;
                for (int i = 0; i < n; i++) { v[i] = data[from + i]; mean += v[i]; }
                mean /= n;
                double var = 0;
                for (double x : v) var += (x - mean) * (x - mean);
                var = n > 1 ? var / (n - 1) : Double.NaN; // unbiased, as torch.var
                Arrays.sort(v);
                int o = (b * T + t) * FEATURES_PER_TENSOR;
                f[o] = (float) mean;
                f[o + 1] = (float) var;
                for (int q = 0; q < QUANTILES.length; q++) {
                    double pos = QUANTILES[q] * (n - 1);
                    int lo = (int) Math.floor(pos), hi = Math.min(lo + 1, n - 1);
                    f[o + 2 + q] = (float) (v[lo] + (pos - lo) * (v[hi] - v[lo]));
                }
            }
        }
        return Tensor.of(f, B, T * FEATURES_PER_TENSOR);
    }
}
