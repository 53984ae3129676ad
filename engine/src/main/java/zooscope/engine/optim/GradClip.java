package zooscope.engine.optim;

import java.util.List;
import zooscope.engine.Tensor;

/** torch.nn.utils.clip_grad_norm_ for one parameter group. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales all gradients of the group by min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the L2 norm of
     * all their entries together. Returns ‖g‖ before clipping.
     */
    public static double clipNorm(List<Tensor> group, double maxNorm) {
        double sq = 0;
        for (Tensor t : group) if (t.gradStorage() != null) sq += t.backend().sumSquares(t.gradStorage(), 0, t.size());
        double norm = Math.sqrt(sq);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            float c = (float) coef;
            for (Tensor t : group) if (t.gradStorage() != null) t.backend().affine(t.size(), c, 0f, t.gradStorage(), 0, t.gradStorage(), 0);
        }
        return norm;
    }

    /**
     * {@link #clipNorm} for each model of a group whose parameters are stacked along a leading model axis of
     * length {@code models}: model g's norm is over its slices only, and only its slices are scaled; the same
     * arithmetic as clipping model g alone. Returns the models' norms before clipping.
     */
    public static double[] clipNormPerModel(List<Tensor> group, int models, double maxNorm) {
        double[] sq = new double[models];
        for (Tensor t : group) {
            if (t.gradStorage() == null) continue;
            if (t.rank() == 0 || t.dim(0) != models) throw new IllegalArgumentException("clipping a group of " + models + " models: a parameter of shape "
                + java.util.Arrays.toString(t.shape()) + " has no model axis of that length in front");
            int n = t.size() / models;
            for (int g = 0; g < models; g++) sq[g] += t.backend().sumSquares(t.gradStorage(), g * n, n);
        }
        double[] norms = new double[models];
        for (int g = 0; g < models; g++) {
            norms[g] = Math.sqrt(sq[g]);
            double coef = maxNorm / (norms[g] + 1e-6);
            if (coef >= 1) continue;
            float c = (float) coef;
            for (Tensor t : group) {
                if (t.gradStorage() == null) continue;
                int n = t.size() / models;
                t.backend().affine(n, c, 0f, t.gradStorage(), g * n, t.gradStorage(), g * n);
            }
        }
        return norms;
    }
}
