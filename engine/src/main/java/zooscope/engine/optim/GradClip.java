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
}
