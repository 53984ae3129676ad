package zooscope.encoders;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.LstmLayout;
import zooscope.engine.nn.LstmWithHead;
import zooscope.kernels.Cases;

class HiddenPermutationTest {
    static LongStream seeds() { return Cases.seeds(50); }

    static float[] outputs(LstmLayout layout, float[] flat, Tensor x) {
        LstmWithHead m = layout.newModel(new Rng(0));
        layout.load(m, flat, 0);
        try (var off = Grad.off()) {
            return m.forward(x).toArray();
        }
    }

    /** A random hidden permutation of both layers leaves the outputs unchanged (PAPER.md §16.9). */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void permutingHiddenUnitsPreservesTheFunction(long seed) {
        Cases.Gen g = Cases.gen(seed);
        LstmLayout layout = g.r.nextBoolean() ? LstmLayout.FORMAL : LstmLayout.MNIST;
        Rng rng = new Rng(seed);
        float[] flat = layout.flatten(layout.newModel(rng));
        // at least 2 steps: at the first step h = 0, so W_hh cannot matter yet
        Tensor x = Tensor.uniform(rng, -1, 1, 2, 2 + g.r.nextInt(7), layout.input());
        int[][] perms = {rng.permutation(layout.hidden()), rng.permutation(layout.hidden())};
        float[] permuted = HiddenPermutation.apply(layout, flat, perms);
        assertTrue(!java.util.Arrays.equals(flat, permuted), "weights moved; " + g.why());
        Cases.assertClose(outputs(layout, permuted, x), outputs(layout, flat, x), 1e-5, 1e-6, "outputs; " + g.why());

        // breaking the coupling: permuting the rows of one tensor only changes the function
        float[] broken = flat.clone();
        HiddenPermutation.permuteGateRows(broken, layout.entry("lstm.weight_hh_l0"), perms[0], layout.hidden());
        float[] a = outputs(layout, broken, x), b = outputs(layout, flat, x);
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        assertTrue(maxDiff > 1e-4, "a non-symmetry must change the outputs (max diff " + maxDiff + "); " + g.why());
    }

    /** Augmentation permutes every row of a batch by the same permutations, preserving each row's function. */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void augmentationAppliesOnePermutationToTheWholeBatch(long seed) {
        Cases.Gen g = Cases.gen(seed);
        LstmLayout layout = new LstmLayout(1 + g.r.nextInt(4), 2 + g.r.nextInt(6), 1 + g.r.nextInt(3), 1 + g.r.nextInt(4));
        Rng rng = new Rng(seed);
        int rows = 1 + g.r.nextInt(4), P = layout.size();
        float[] batch = new float[rows * P];
        for (int r = 0; r < rows; r++) System.arraycopy(layout.flatten(layout.newModel(rng)), 0, batch, r * P, P);
        long draw = rng.nextLong();
        float[] augmented = HiddenPermutation.augment(layout, Tensor.of(batch, rows, P), new Rng(draw)).toArray();
        Rng again = new Rng(draw);
        int[][] perms = new int[layout.layers()][];
        for (int l = 0; l < perms.length; l++) perms[l] = again.permutation(layout.hidden());
        Tensor x = Tensor.uniform(rng, -1, 1, 2, 3, layout.input());
        for (int r = 0; r < rows; r++) {
            float[] row = java.util.Arrays.copyOfRange(batch, r * P, (r + 1) * P), aug = java.util.Arrays.copyOfRange(augmented, r * P, (r + 1) * P);
            org.junit.jupiter.api.Assertions.assertArrayEquals(HiddenPermutation.apply(layout, row, perms), aug, "row " + r + "; " + g.why());
            Cases.assertClose(outputs(layout, aug, x), outputs(layout, row, x), 1e-5, 1e-6, "row " + r + "; " + g.why());
        }
    }
}
