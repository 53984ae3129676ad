package zooscope.encoders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/** The emulator (PAPER.md §9): sampling step by step gives what the whole-sequence forward gives. */
class EmulatorTest {
    @Test
    void stepperEqualsForward() {
        int B = 3, T = 5, X = 6, O = 6;
        Rng rng = new Rng(21);
        Emulator em = new Emulator(X, O, 8, 2, rng);
        Tensor x = Tensor.uniform(rng, -1, 1, B, T, X), z = Tensor.uniform(rng, -1, 1, B, 16);
        try (var off = Grad.off()) {
            float[] whole = em.forward(x, z).toArray();
            Emulator.Stepper s = em.stepper(z);
            for (int t = 0; t < T; t++) {
                float[] step = s.step(x.slice(1, t, t + 1).reshape(B, X)).toArray();
                for (int b = 0; b < B; b++) for (int o = 0; o < O; o++) {
                    assertEquals(whole[(b * T + t) * O + o], step[b * O + o], 1e-5, "b " + b + " t " + t + " o " + o);
                }
            }
            // z matters, from the first position on
            float[] other = em.forward(x, Tensor.uniform(rng, -1, 1, B, 16)).toArray();
            double diff = 0;
            for (int o = 0; o < O; o++) diff += Math.abs(other[o] - whole[o]);
            assertTrue(diff > 1e-4, "z changes the first output");
        }
        assertThrows(IllegalArgumentException.class, () -> em.forward(Tensor.zeros(B, T, X + 1), Tensor.zeros(B, 16)));
        assertThrows(IllegalArgumentException.class, () -> em.forward(Tensor.zeros(B, T, X), Tensor.zeros(B, 15)));
    }
}
