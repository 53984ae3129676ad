package zooscope.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The vector kernels give the same bits on their first (interpreted) call and after the JIT has
 * compiled them: the property that makes a seed reproduce a zoo bit for bit.
 */
class DeterminismTest {
    @Test
    void sameBitsBeforeAndAfterJitCompilation() {
        HostBackend k = new VectorBackend();
        Cases.Gen g = Cases.gen(Cases.BASE_SEED + 500);
        int n = 3 * VectorBackend.lanes() + 5;
        float[] x = g.floats(n, -12, 12), gy = g.floats(n, -1, 1), cPrev = g.floats(n, -3, 3);
        float[] first = run(k, x, gy, cPrev), later = null;
        for (int i = 0; i < 20_000; i++) later = run(k, x, gy, cPrev); // enough calls for C2 to compile the kernels
        assertArrayEquals(first, later, "vector kernels changed their result once compiled");
    }

    /** Runs every kernel with a transcendental function or a lane reduction and concatenates the outputs. */
    private static float[] run(HostBackend k, float[] x, float[] gy, float[] cPrev) {
        int n = x.length;
        float[] out = new float[12 * n];
        int at = 0;
        for (Backend.Unary op : new Backend.Unary[] {Backend.Unary.EXP, Backend.Unary.SIGMOID, Backend.Unary.TANH}) {
            k.unary(op, x, 0, out, at, n);
            at += n;
        }
        k.softmaxRows(false, x, 0, out, at, 1, n);
        float[] sm = java.util.Arrays.copyOfRange(out, at, at + n);
        at += n;
        k.softmaxRows(true, x, 0, out, at, 1, n);
        float[] lsm = java.util.Arrays.copyOfRange(out, at, at + n);
        at += n;
        k.softmaxRowsBackward(false, sm, 0, gy, 0, out, at, 1, n);
        at += n;
        k.softmaxRowsBackward(true, lsm, 0, gy, 0, out, at, 1, n);
        at += n;
        int hidden = n / 4, batch = 1;
        float[] gates = java.util.Arrays.copyOf(x, 4 * hidden);
        float[] c = new float[hidden], tc = new float[hidden], h = new float[hidden];
        k.lstmCellForward(batch, hidden, gates, 0, cPrev, 0, c, 0, tc, 0, h, 0);
        System.arraycopy(h, 0, out, at, hidden);
        at += n;
        float[] dG = new float[4 * hidden], gcp = new float[hidden];
        k.lstmCellBackward(batch, hidden, gates, 0, cPrev, 0, tc, 0, gy, 0, gy, 0, dG, 0, gcp, 0);
        System.arraycopy(dG, 0, out, at, 4 * hidden);
        at += n;
        assertEquals(true, at <= 12 * n);
        return out;
    }
}
