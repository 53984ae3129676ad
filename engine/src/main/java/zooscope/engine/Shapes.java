package zooscope.engine;

import java.util.Arrays;

/** Shape arithmetic shared by the ops: sizes, strides, broadcasting and index maps. */
final class Shapes {
    private Shapes() {}

    static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: shape " + Arrays.toString(shape));
        return (int) n;
    }

    /** Row-major strides of a contiguous tensor. */
    static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
        return s;
    }

    /** An axis in [0, rank), accepting negative axes counted from the end. */
    static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        return a;
    }

    /** NumPy broadcasting: align trailing dimensions; a dimension of 1 stretches. */
    static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides that read a contiguous tensor of {@code inShape} as {@code outShape} under broadcasting (0 along broadcast axes). */
    static int[] broadcastStrides(int[] inShape, int[] outShape) {
        int[] inStrides = strides(inShape);
        int[] st = new int[outShape.length];
        int shift = outShape.length - inShape.length;
        for (int d = shift; d < outShape.length; d++) st[d] = inShape[d - shift] == 1 ? 0 : inStrides[d - shift];
        return st;
    }

    /**
     * The same strided index space with adjacent axes merged wherever every operand walks them as one
     * (stride of the outer = stride of the inner × its length) and axes of length 1 dropped, so that a
     * backend loops over runs as long as possible. Returns {shape, strides of operand 0, operand 1, ...}.
     */
    static int[][] collapse(int[] shape, int[]... strides) {
        int ops = strides.length;
        int[] outShape = new int[Math.max(shape.length, 1)];
        int[][] outStrides = new int[ops][outShape.length];
        int r = outShape.length; // filled from the back
        boolean open = false;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            boolean merge = open;
            for (int o = 0; o < ops && merge; o++) merge = strides[o][d] == outStrides[o][r] * outShape[r];
            if (merge) {
                outShape[r] *= shape[d];
            } else {
                r--;
                outShape[r] = shape[d];
                for (int o = 0; o < ops; o++) outStrides[o][r] = strides[o][d];
                open = true;
            }
        }
        if (!open) { r--; outShape[r] = 1; } // every axis had length 1 (or a scalar): one element, strides 0
        int[][] out = new int[ops + 1][];
        out[0] = Arrays.copyOfRange(outShape, r, outShape.length);
        for (int o = 0; o < ops; o++) out[o + 1] = Arrays.copyOfRange(outStrides[o], r, outShape.length);
        return out;
    }

    /** The shape with the given axes set to 1 (keep-dims reduction shape). */
    static int[] reducedKeep(int[] shape, boolean[] reduce) {
        int[] out = shape.clone();
        for (int d = 0; d < shape.length; d++) if (reduce[d]) out[d] = 1;
        return out;
    }

    static boolean[] axesMask(int[] axes, int rank) {
        boolean[] m = new boolean[rank];
        if (axes.length == 0) Arrays.fill(m, true);
        for (int a : axes) m[axis(a, rank)] = true;
        return m;
    }

    static int[] dropReduced(int[] shape, boolean[] reduce) {
        return java.util.stream.IntStream.range(0, shape.length).filter(d -> !reduce[d]).map(d -> shape[d]).toArray();
    }

    static String str(int[] shape) { return Arrays.toString(shape); }
}
