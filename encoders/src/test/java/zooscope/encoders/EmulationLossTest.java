package zooscope.encoders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import zooscope.engine.Tensor;
import zooscope.kernels.Backends;
import zooscope.kernels.Cases;

/**
 * The emulation losses (PAPER.md §9, §9.1.6) against float64 formulas written here, and their gradients
 * w.r.t. the emulator's logits against central finite differences of those formulas, on every backend.
 */
class EmulationLossTest {
    static final int B = 2, T = 3, O = 4;

    static double[] softmax(double[] x, int from) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int k = 0; k < O; k++) max = Math.max(max, x[from + k]);
        double[] p = new double[O];
        for (int k = 0; k < O; k++) { p[k] = Math.exp(x[from + k] - max); sum += p[k]; }
        for (int k = 0; k < O; k++) p[k] /= sum;
        return p;
    }

    /**
     * The loss of each item in float64: per position, TV = ½ Σ_k |p_k − q_k| or reverse KL = Σ_k q_k (ln q_k − ln p_k)
     * (divided by O for the reference's REVERSE_KL), with q = softmax(emulator logits), p = softmax(target); then
     * the mean over the T positions.
     */
    static double[] reference(EmulationLoss loss, double[] logits, double[] target) {
        double[] out = new double[B];
        for (int b = 0; b < B; b++) {
            double item = 0;
            for (int t = 0; t < T; t++) {
                int at = (b * T + t) * O;
                double[] q = softmax(logits, at), p = softmax(target, at);
                double s = 0;
                for (int k = 0; k < O; k++) {
                    s += switch (loss) {
                        case TV -> 0.5 * Math.abs(p[k] - q[k]);
                        case REVERSE_KL, REVERSE_KL_SUM -> q[k] * (Math.log(q[k]) - Math.log(p[k]));
                    };
                }
                item += loss == EmulationLoss.REVERSE_KL ? s / O : s;
            }
            out[b] = item / T;
        }
        return out;
    }

    static float[] draw(SplittableRandom r, double scale) {
        float[] x = new float[B * T * O];
        for (int i = 0; i < x.length; i++) x[i] = (float) (scale * (2 * r.nextDouble() - 1));
        return x;
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    /** Stored outputs as the zoo keeps them: log-softmax of some logits. */
    static float[] logSoftmax(float[] raw) {
        double[] d = toDouble(raw);
        float[] out = new float[raw.length];
        for (int at = 0; at < raw.length; at += O) {
            double[] p = softmax(d, at);
            for (int k = 0; k < O; k++) out[at + k] = (float) Math.log(p[k]);
        }
        return out;
    }

    @Test
    void valuesMatchTheFormulas() throws Throwable {
        SplittableRandom r = new SplittableRandom(3);
        float[] logits = draw(r, 2), target = logSoftmax(draw(r, 3));
        // a hand-checkable position: item 0, t = 0, q uniform, p = (0.7, 0.1, 0.1, 0.1)
        for (int k = 0; k < O; k++) { logits[k] = 0.5f; target[k] = (float) Math.log(k == 0 ? 0.7 : 0.1); }
        for (String backend : Backends.available()) {
            Cases.onBackend(backend, () -> {
                for (EmulationLoss loss : EmulationLoss.values()) {
                    double[] want = reference(loss, toDouble(logits), toDouble(target));
                    float[] got = loss.perItem(Tensor.of(logits.clone(), B, T, O), Tensor.of(target.clone(), B, T, O)).toArray();
                    assertEquals(B, got.length);
                    for (int b = 0; b < B; b++) assertEquals(want[b], got[b], 1e-6, loss + " item " + b + " on " + backend);
                    float mean = loss.mean(Tensor.of(logits.clone(), B, T, O), Tensor.of(target.clone(), B, T, O)).item();
                    assertEquals((want[0] + want[1]) / 2, mean, 1e-6, loss + " batch mean on " + backend);
                }
            });
        }
        // the hand-checkable position alone: TV = ½(0.45 + 3·0.15) = 0.45; KL(q‖p) = ¼ ln(0.25/0.7) + ¾ ln(0.25/0.1)
        double[] one = new double[B * T * O], oneTarget = new double[B * T * O];
        for (int k = 0; k < O; k++) oneTarget[k] = Math.log(k == 0 ? 0.7 : 0.1);
        // positions other than (0, 0) have equal logits and targets (all zero): loss 0 there
        assertEquals(0.45 / T, reference(EmulationLoss.TV, one, oneTarget)[0], 1e-12);
        double kl = 0.25 * Math.log(0.25 / 0.7) + 0.75 * Math.log(0.25 / 0.1);
        assertEquals(kl / T, reference(EmulationLoss.REVERSE_KL_SUM, one, oneTarget)[0], 1e-12);
        assertEquals(kl / O / T, reference(EmulationLoss.REVERSE_KL, one, oneTarget)[0], 1e-12);
        float[] got = EmulationLoss.TV.perItem(Tensor.of(new float[B * T * O], B, T, O), Tensor.of(toFloat(oneTarget), B, T, O)).toArray();
        assertEquals(0.15, got[0], 1e-6);
        assertEquals(0, got[1], 1e-7);
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }

    @Test
    void onlyTheSoftmaxOfTheTargetMatters() {
        // raw logits or their log-softmax, or shifted by a constant per position: the same loss; identical distributions: 0
        SplittableRandom r = new SplittableRandom(4);
        float[] logits = draw(r, 2), raw = draw(r, 3), shifted = raw.clone();
        for (int at = 0; at < shifted.length; at += O) for (int k = 0; k < O; k++) shifted[at + k] += 0.37f * (at / O) - 1;
        for (EmulationLoss loss : EmulationLoss.values()) {
            float[] a = loss.perItem(Tensor.of(logits.clone(), B, T, O), Tensor.of(raw.clone(), B, T, O)).toArray();
            float[] b = loss.perItem(Tensor.of(logits.clone(), B, T, O), Tensor.of(logSoftmax(raw), B, T, O)).toArray();
            float[] c = loss.perItem(Tensor.of(logits.clone(), B, T, O), Tensor.of(shifted, B, T, O)).toArray();
            float[] zero = loss.perItem(Tensor.of(raw.clone(), B, T, O), Tensor.of(logSoftmax(raw), B, T, O)).toArray();
            for (int i = 0; i < B; i++) {
                assertEquals(a[i], b[i], 1e-6, loss.id);
                assertEquals(a[i], c[i], 1e-6, loss.id);
                assertTrue(a[i] > 1e-3, loss.id + " positive for different distributions");
                assertEquals(0, zero[i], 1e-6, loss.id + " zero for equal distributions");
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() throws Throwable {
        SplittableRandom r = new SplittableRandom(5);
        float[] logits = draw(r, 2), target = logSoftmax(draw(r, 3));
        float[] w = draw(r, 1);                       // upstream gradient of perItem, [B]; only the first B used
        double[] wd = {w[0], w[1]};
        for (String backend : Backends.available()) {
            Cases.onBackend(backend, () -> {
                for (EmulationLoss loss : EmulationLoss.values()) {
                    // d(Σ_b w_b · loss_b)/d logits
                    Tensor x = Tensor.of(logits.clone(), B, T, O).requiresGrad();
                    loss.perItem(x, Tensor.of(target.clone(), B, T, O)).backward(new float[] {w[0], w[1]});
                    double[] fd = finiteDifference(loss, toDouble(logits), toDouble(target), wd);
                    for (int i = 0; i < fd.length; i++) {
                        assertTrue(Cases.close(x.grad()[i], fd[i], 2e-3, 2e-5), loss + " on " + backend + ": d/d logit[" + i + "] = " + x.grad()[i] + ", finite differences " + fd[i]);
                    }
                    // the batch mean: d(mean_b loss_b)/d logits
                    Tensor y = Tensor.of(logits.clone(), B, T, O).requiresGrad();
                    loss.mean(y, Tensor.of(target.clone(), B, T, O)).backward();
                    double[] fdMean = finiteDifference(loss, toDouble(logits), toDouble(target), new double[] {1.0 / B, 1.0 / B});
                    for (int i = 0; i < fdMean.length; i++) {
                        assertTrue(Cases.close(y.grad()[i], fdMean[i], 2e-3, 2e-5), loss + " mean on " + backend + ": d/d logit[" + i + "] = " + y.grad()[i] + ", finite differences " + fdMean[i]);
                    }
                }
            });
        }
    }

    /** ∂(w · loss(x))/∂x by central differences of the float64 formulas. */
    static double[] finiteDifference(EmulationLoss loss, double[] x, double[] target, double[] w) {
        double[] g = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            double keep = x[j], h = 1e-6;
            x[j] = keep + h;
            double[] up = reference(loss, x, target);
            x[j] = keep - h;
            double[] down = reference(loss, x, target);
            x[j] = keep;
            for (int b = 0; b < B; b++) g[j] += w[b] * (up[b] - down[b]) / (2 * h);
        }
        return g;
    }

    @Test
    void idsAndShapeErrors() {
        for (EmulationLoss l : EmulationLoss.values()) assertEquals(l, EmulationLoss.byId(l.id));
        assertEquals("tv", EmulationLoss.TV.id);
        assertEquals("reverse-kl", EmulationLoss.REVERSE_KL.id);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EmulationLoss.byId("kl"));
        assertTrue(e.getMessage().contains("'kl'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EmulationLoss.TV.perItem(Tensor.zeros(2, 3, 4), Tensor.zeros(2, 3, 5)));
        assertThrows(IllegalArgumentException.class, () -> EmulationLoss.TV.perItem(Tensor.zeros(6, 4), Tensor.zeros(6, 4)));
    }
}
