package zooscope.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import zooscope.kernels.Backend;
import zooscope.kernels.Backends;

/** Graph semantics: accumulation, shared sub-expressions, views, no-grad mode, errors. */
class AutodiffTest {
    @Test
    void gradientsAccumulateOverUsesAndCalls() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad();
        Tensor y = x.mul(x).add(x).sum();           // Σ x² + x → ∂/∂x = 2x + 1
        y.backward();
        assertArrayEquals(new float[] {3, 5, 7}, x.grad());
        x.mul(3f).sum().backward();                  // accumulates until zeroGrad
        assertArrayEquals(new float[] {6, 8, 10}, x.grad());
        x.zeroGrad();
        assertArrayEquals(new float[] {0, 0, 0}, x.grad());
    }

    @Test
    void diamondGraphVisitsEachNodeOnce() {
        Tensor x = Tensor.of(new float[] {2}, 1).requiresGrad();
        Tensor a = x.mul(3f);                        // used by two branches
        Tensor y = a.mul(a).add(a).sum();            // y = 9x² + 3x → 18x + 3 = 39
        y.backward();
        assertEquals(39f, x.grad()[0]);
    }

    @Test
    void viewsShareStorageAndRouteGradients() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad();
        Tensor flat = x.reshape(-1);
        assertSame(x.storage(), flat.storage(), "reshape is a view");
        Tensor row = x.slice(0, 1, 2);
        assertSame(x.storage(), row.storage(), "slice along axis 0 is a view");
        assertEquals(3, row.offset());
        row.mul(2f).sum().add(flat.sum()).backward();
        assertArrayEquals(new float[] {1, 1, 1, 3, 3, 3}, x.grad());
    }

    /**
     * A reshape (and addAll's first operand) hands its gradient buffer on to an intermediate input that has none
     * yet: further uses of that input then add into the handed-on buffer, before or after; a tensor that is also a
     * term of its own addAll gets g twice, and the other terms g once (not a buffer already added into).
     */
    @Test
    void handedOnGradientsStillAccumulate() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 4).requiresGrad();
        Tensor h = x.mul(2f);                                   // intermediate, consumed three times
        Tensor y = h.reshape(2, 2).mul(3f).sum()               // 3·Σh (whichever of h's uses runs its backward first)
            .add(h.mul(h).sum())                                // Σh²
            .add(h.addAll(x, h).sum())                          // 2·Σh + Σx, h both the first operand and the last term
            .add(h.reshape(2, 2).addAll(Tensor.of(new float[] {1, 1}, 1, 2)).sum()); // Σh
        y.backward();                                           // ∂y/∂h = 3 + 2h + 2 + 1 = 6 + 2h; ∂y/∂x = 2·(6 + 4x) + 1
        assertArrayEquals(new float[] {21, 29, 37, 45}, x.grad());
        assertNull(h.gradStorage());

        x.zeroGrad();
        Tensor twice = x.mul(2f);
        twice.addAll(x, twice).sum().backward();               // the addAll the only use: 2·Σ(2x) + Σx → 5
        assertArrayEquals(new float[] {5, 5, 5, 5}, x.grad());
    }

    @Test
    void noGradModeRecordsNothing() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad();
        Tensor y;
        try (var off = Grad.off()) {
            y = x.mul(x).sum();
            assertFalse(Grad.enabled());
        }
        assertTrue(Grad.enabled());
        assertFalse(y.requiresGradient());
        assertThrows(IllegalStateException.class, y::backward);
    }

    @Test
    void intermediateGradientsAreReleasedAfterUse() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad();
        Tensor h = x.tanh();
        h.sum().backward();
        assertNull(h.grad(), "non-leaf gradient dropped once propagated");
        assertTrue(x.grad() != null);
    }

    @Test
    void clearErrors() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4, 5);
        assertEquals("shapes [2, 3] and [4, 5] do not broadcast",
            assertThrows(IllegalArgumentException.class, () -> a.add(b)).getMessage());
        assertEquals("matmul needs [m,k]×[k,n], got [2, 3]×[4, 5]",
            assertThrows(IllegalArgumentException.class, () -> a.matmul(b)).getMessage());
        assertEquals("reshape: cannot view shape [2, 3] as [4, -1]",
            assertThrows(IllegalArgumentException.class, () -> a.reshape(4, -1)).getMessage());
        assertEquals("cross-entropy: target 7 at row 0 outside [0, 3)",
            assertThrows(IllegalArgumentException.class, () -> Functional.crossEntropy(a, new int[] {7, 0})).getMessage());
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(3).requiresGrad().mul(2f).backward(), "non-scalar backward");
    }

    @Test
    void oneHotRowsAndChecks() {
        Tensor t = Tensor.oneHot(4, new int[] {2, 0, 3, 1}, 2, 2);
        assertArrayEquals(new int[] {2, 2, 4}, t.shape());
        assertEquals(1f, t.get(0, 0, 2));
        assertEquals(1f, t.get(1, 1, 1));
        assertEquals(4f, t.sum().item());
        assertThrows(IllegalArgumentException.class, () -> Tensor.oneHot(4, new int[] {4}));
    }

    @Test
    void dropoutIsIdentityInEvaluation() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        assertSame(x, Functional.dropout(x, 0.5, false, new Rng(1)));
    }

    /** A graph built on one backend runs its backward on that backend, whatever the global one is by then. */
    @Test
    void backwardRunsOnTheForwardsBackend() {
        Backend before = Backends.current();
        Backend refusing = (Backend) java.lang.reflect.Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
            (proxy, method, args) -> { throw new AssertionError("backward called " + method.getName() + " on the global backend"); });
        try {
            Backends.use(Backends.byName("scalar"));
            Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad();
            Tensor w = Tensor.of(new float[] {1, -1, 2, 0, 1, 1}, 3, 2).requiresGrad();
            Tensor y = Tensor.concat(0, x.reshape(3, 2).slice(0, 0, 2), x.gather(1, 2, 0).reshape(2, 2))
                .mul(2f).add(1f).matmul(w.slice(0, 0, 2)).softmax().mul(Tensor.concat(0, x.slice(1, 0, 2), x.slice(1, 1, 3))).sum(); // [4, 2] throughout
            Backends.use(refusing);
            y.backward();
            assertTrue(x.grad() != null && w.grad() != null);
        } finally {
            Backends.use(before);
        }
    }
}
