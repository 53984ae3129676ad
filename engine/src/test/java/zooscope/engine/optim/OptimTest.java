package zooscope.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import zooscope.engine.Tensor;

class OptimTest {
    /** PAPER.md §16.4: the zoo's schedule. */
    @Test
    void zooLearningRateSchedule() {
        PiecewiseLinear lr = PiecewiseLinear.ZOO;
        assertEquals(0.01, lr.at(0), 1e-15);
        assertEquals(0.00993, lr.at(100), 1e-15);
        assertEquals(0.0065, lr.at(5000), 1e-15);
        assertEquals(0.003, lr.at(10_000), 1e-15);
        assertEquals(0.00165, lr.at(15_000), 1e-15);
        assertEquals(0.0003, lr.at(20_000), 1e-15);
        assertEquals(0.0003, lr.at(50_000), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new PiecewiseLinear(new double[] {0, 0}, new double[] {1, 2}));
    }

    static Tensor paramWithGrad(float[] value, float[] grad) {
        Tensor p = Tensor.of(value.clone(), value.length).requiresGrad();
        p.mul(Tensor.of(grad.clone(), grad.length)).sum().backward(); // ∂/∂p = grad
        return p;
    }

    @Test
    void adamWFirstStepByHand() {
        // step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + ε) after decay θ·(1 − lr·λ)
        Tensor p = paramWithGrad(new float[] {1f, -2f}, new float[] {0.5f, -4f});
        AdamW opt = new AdamW(List.of(p), 0.1, 0.01);
        opt.step();
        float[] v = p.toArray();
        assertEquals(1f * (1 - 0.001f) - 0.1f * 0.5f / (0.5f + 1e-8f), v[0], 1e-7);
        assertEquals(-2f * (1 - 0.001f) + 0.1f * 4f / (4f + 1e-8f), v[1], 1e-6);
    }

    @Test
    void sgdWithMomentumAndNesterov() {
        Tensor p = paramWithGrad(new float[] {1f}, new float[] {2f});
        SGD opt = new SGD(List.of(p), 0.1, 0.9, 0, 0, false);
        opt.step();                                 // b = g = 2 → θ = 1 − 0.2
        assertEquals(0.8f, p.toArray()[0], 1e-7);
        opt.step();                                 // b = 0.9·2 + 2 = 3.8 → θ = 0.8 − 0.38
        assertEquals(0.42f, p.toArray()[0], 1e-6);
        Tensor q = paramWithGrad(new float[] {1f}, new float[] {2f});
        new SGD(List.of(q), 0.1, 0.9, 0, 0.5, true).step(); // d = 2 + 0.5 = 2.5, b = 2.5, d = 2.5 + 2.25
        assertEquals(1f - 0.475f, q.toArray()[0], 1e-6);
    }

    @Test
    void gradClipScalesTheGroupTogether() {
        Tensor a = paramWithGrad(new float[] {0, 0}, new float[] {3, 0});
        Tensor b = paramWithGrad(new float[] {0}, new float[] {4});
        double norm = GradClip.clipNorm(List.of(a, b), 1.0);
        assertEquals(5.0, norm, 1e-9);
        float c = (float) (1.0 / (5.0 + 1e-6));
        assertArrayEquals(new float[] {3 * c, 0}, a.grad(), 1e-7f);
        assertArrayEquals(new float[] {4 * c}, b.grad(), 1e-7f);
        assertEquals(1.0, GradClip.clipNorm(List.of(a, b), 10.0), 1e-6, "below the bound: unchanged");
    }
}
