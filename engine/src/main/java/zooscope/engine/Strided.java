package zooscope.engine;

import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;

/**
 * The backend's strided copies and element-wise maps, called with their index space collapsed first
 * ({@link Shapes#collapse}), so that contiguous data moves in one long run instead of row by row.
 */
final class Strided {
    private Strided() {}

    /** Strides of a contiguous run. */
    static final int[] UNIT = {1};

    /** dst[dOff + i·ds] = src[sOff + i·ss] over shape. */
    static void copy(Backend k, int[] shape, Buffer src, int sOff, int[] ss, Buffer dst, int dOff, int[] ds) {
        int[][] c = Shapes.collapse(shape, ss, ds);
        k.copy(c[0], src, sOff, c[1], dst, dOff, c[2]);
    }

    /** n contiguous floats. */
    static void copy(Backend k, int n, Buffer src, int sOff, Buffer dst, int dOff) {
        k.copy(new int[] {n}, src, sOff, UNIT, dst, dOff, UNIT);
    }

    /** dst[dOff + i·ds] += alpha·src[sOff + i·ss] over shape, summing where dst strides are 0. */
    static void add(Backend k, int[] shape, float alpha, Buffer src, int sOff, int[] ss, Buffer dst, int dOff, int[] ds) {
        int[][] c = Shapes.collapse(shape, ss, ds);
        k.add(c[0], alpha, src, sOff, c[1], dst, dOff, c[2]);
    }

    /** out (contiguous) = a op b over shape, read through strides. */
    static void binary(Backend k, Backend.Binary op, int[] shape, Buffer a, int aOff, int[] as, Buffer b, int bOff, int[] bs, Buffer out, int outOff) {
        int[][] c = Shapes.collapse(shape, as, bs, Shapes.strides(shape));
        k.binary(op, c[0], a, aOff, c[1], b, bOff, c[2], out, outOff);
    }
}
