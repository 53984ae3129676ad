package zooscope.encoders;

import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.LstmLayout;

/**
 * The symmetry of a zoo LSTM (PAPER.md §8.4, §8.7): permuting the hidden units of layer l by π moves,
 * in every gate block, row j of W_ih_l, W_hh_l, b_ih_l, b_hh_l to row π(j), and column j of W_hh_l and of
 * the next layer's input matrix (W_ih_{l+1}, or the head weight after the last layer) to column π(j).
 * The network computes the same function. Used for augmentation and for invariance tests.
 */
public final class HiddenPermutation {
    private HiddenPermutation() {}

    /** A new flat vector with layer l's hidden units permuted by {@code perms[l]} (a permutation of 0..H−1). */
    public static float[] apply(LstmLayout layout, float[] flat, int[][] perms) {
        int H = layout.hidden();
        if (perms.length != layout.layers()) throw new IllegalArgumentException(perms.length + " permutations for " + layout.layers() + " layers");
        float[] out = flat.clone();
        for (int l = 0; l < layout.layers(); l++) {
            int[] p = perms[l];
            checkPermutation(p, H);
            String next = l + 1 < layout.layers() ? "lstm.weight_ih_l" + (l + 1) : "linear.weight";
            for (String name : new String[] {"lstm.weight_ih_l" + l, "lstm.weight_hh_l" + l, "lstm.bias_ih_l" + l, "lstm.bias_hh_l" + l}) {
                permuteGateRows(out, layout.entry(name), p, H);
            }
            permuteColumns(out, layout.entry("lstm.weight_hh_l" + l), p);
            permuteColumns(out, layout.entry(next), p);
        }
        return out;
    }

    /**
     * Permutation augmentation (PAPER.md §8.7) of a training batch: one random permutation per LSTM layer,
     * drawn from {@code rng} and shared by the whole batch, applied to each row of {@code batch} ([rows, P],
     * flat parameter vectors). One gather on the batch's backend: the index map is {@link #apply} run on
     * the positions 0..P−1 themselves (exact as floats, P < 2²⁴).
     */
    public static Tensor augment(LstmLayout layout, Tensor batch, Rng rng) {
        int P = layout.size();
        if (batch.rank() != 2 || batch.dim(1) != P) throw new IllegalArgumentException("batch " + java.util.Arrays.toString(batch.shape()) + " is not rows of " + P + " parameters");
        int[][] perms = new int[layout.layers()][];
        for (int l = 0; l < perms.length; l++) perms[l] = rng.permutation(layout.hidden());
        float[] positions = new float[P];
        for (int i = 0; i < P; i++) positions[i] = i;
        float[] moved = apply(layout, positions, perms);
        int[] source = new int[P];
        for (int i = 0; i < P; i++) source[i] = (int) moved[i];
        return batch.gather(1, source);
    }

    /** Row gate·H + j moves to gate·H + π(j), in each of the 4 gate blocks. */
    static void permuteGateRows(float[] v, LstmLayout.Entry e, int[] p, int H) {
        int cols = e.shape().length == 2 ? e.shape()[1] : 1;
        float[] old = java.util.Arrays.copyOfRange(v, e.offset(), e.offset() + e.size());
        for (int gate = 0; gate < 4; gate++) {
            for (int j = 0; j < H; j++) {
                System.arraycopy(old, (gate * H + j) * cols, v, e.offset() + (gate * H + p[j]) * cols, cols);
            }
        }
    }

    /** Column j moves to column π(j), in every row. */
    static void permuteColumns(float[] v, LstmLayout.Entry e, int[] p) {
        int rows = e.shape()[0], cols = e.shape()[1];
        float[] old = java.util.Arrays.copyOfRange(v, e.offset(), e.offset() + e.size());
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) v[e.offset() + r * cols + p[j]] = old[r * cols + j];
        }
    }

    private static void checkPermutation(int[] p, int n) {
        boolean[] seen = new boolean[n];
        if (p.length != n) throw new IllegalArgumentException("permutation of length " + p.length + ", expected " + n);
        for (int v : p) {
            if (v < 0 || v >= n || seen[v]) throw new IllegalArgumentException("not a permutation of 0.." + (n - 1) + ": " + java.util.Arrays.toString(p));
            seen[v] = true;
        }
    }
}
