package zooscope.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The reference itself, on small cases worked out by hand. */
class ScalarBackendTest {
    final HostBackend ref = new ScalarBackend();

    @Test
    void gemmByHand() {
        float[] a = {1, 2, 3, 4, 5, 6};            // 2×3
        float[] b = {7, 8, 9, 10, 11, 12};         // 3×2
        float[] c = {1, 1, 1, 1};
        ref.gemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 2f, c, 0, 2);
        assertArrayEquals(new float[] {58 + 2, 64 + 2, 139 + 2, 154 + 2}, c);
        float[] at = {1, 4, 2, 5, 3, 6};           // Aᵀ stored 3×2
        float[] bt = {7, 9, 11, 8, 10, 12};        // Bᵀ stored 2×3
        float[] d = new float[4];
        ref.gemm(true, true, 2, 2, 3, 1f, at, 0, 2, bt, 0, 3, 0f, d, 0, 2);
        assertArrayEquals(new float[] {58, 64, 139, 154}, d);
    }

    @Test
    void lstmCellByHand() {
        // hidden 1, pre-activations (i, f, g, o) = (0, 0, 0, 0): i = f = o = 0.5, g = 0
        float[] gates = {0, 0, 0, 0};
        float[] c = new float[1], tc = new float[1], h = new float[1];
        ref.lstmCellForward(1, 1, gates, 0, new float[] {2f}, 0, c, 0, tc, 0, h, 0);
        assertEquals((float) Math.tanh(1.0), tc[0], 0f);
        assertArrayEquals(new float[] {0.5f, 0.5f, 0f, 0.5f}, gates);
        assertEquals(1.0f, c[0], 0f);                       // 0.5·2 + 0.5·0
        assertEquals((float) (0.5 * Math.tanh(1.0)), h[0], 0f);
    }

    @Test
    void softmaxSumsToOne() {
        float[] x = {1000f, 1001f, 1002f};             // would overflow without the max shift
        float[] y = new float[3];
        ref.softmaxRows(false, x, 0, y, 0, 1, 3);
        assertEquals(1.0, y[0] + y[1] + y[2], 1e-6);
        ref.softmaxRows(true, x, 0, y, 0, 1, 3);
        assertEquals(-0.40760596, y[2], 1e-6);
    }

    @Test
    void unknownBackendNamesTheChoices() {
        var e = assertThrows(IllegalArgumentException.class, () -> Backends.byName("gpu9000"));
        assertEquals("unknown backend 'gpu9000' (zooscope.backend): expected one of [native, vector, scalar, cuda]", e.getMessage());
    }
}
