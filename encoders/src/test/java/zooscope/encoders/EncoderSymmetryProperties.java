package zooscope.encoders;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.LstmLayout;
import zooscope.kernels.Cases;

/**
 * PAPER.md §16.9 as properties over random small LSTM layouts (1–3 layers) and weights: the DWS layers
 * are equivariant and the DWS and probing encoders invariant to hidden-unit permutations (≤ 1e-5), and
 * breaking the symmetry (one tensor's rows alone, input or output units) changes the DWS output.
 */
class EncoderSymmetryProperties {
    static LongStream seeds() { return Cases.seeds(50); }

    /** A random small zoo-like layout, random weights and a permutation per layer. */
    record Case(Cases.Gen g, LstmLayout layout, Tensor theta, Tensor permutedTheta, int[][] perms, Rng rng) {
        static Case of(long seed) {
            Cases.Gen g = Cases.gen(seed);
            LstmLayout layout = new LstmLayout(1 + g.r.nextInt(4), 2 + g.r.nextInt(5), 1 + g.r.nextInt(3), 1 + g.r.nextInt(4));
            Rng rng = new Rng(seed);
            int B = 1 + g.r.nextInt(3);
            float[] flat = new float[B * layout.size()], permuted = new float[flat.length];
            int[][] perms = new int[layout.layers()][];
            for (int l = 0; l < perms.length; l++) perms[l] = rng.permutation(layout.hidden());
            for (int b = 0; b < B; b++) {
                float[] row = layout.flatten(layout.newModel(rng));
                System.arraycopy(row, 0, flat, b * row.length, row.length);
                System.arraycopy(HiddenPermutation.apply(layout, row, perms), 0, permuted, b * row.length, row.length);
            }
            return new Case(g, layout, Tensor.of(flat, B, layout.size()), Tensor.of(permuted, B, layout.size()), perms, rng);
        }

        String why() { return layout + "; " + g.why(); }
    }

    static double maxDiff(Tensor a, Tensor b) {
        float[] x = a.toArray(), y = b.toArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
        return m;
    }

    static void assertSame(List<Tensor> a, List<Tensor> b, double tol, String why) {
        for (int i = 0; i < a.size(); i++) {
            double d = maxDiff(a.get(i), b.get(i));
            assertTrue(d <= tol, "tensor " + i + " differs by " + d + "; " + why);
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void dwsLayersAreEquivariant(long seed) {
        Case c = Case.of(seed);
        try (var off = Grad.off()) {
            DwsNet net = DwsNet.of(c.layout(), c.theta());
            // the representation of permuted weights is the permuted representation (exactly)
            assertSame(DwsNet.of(c.layout(), c.permutedTheta()).inLayoutOrder(), net.permuted(c.perms()).inLayoutOrder(), 0, "representation; " + c.why());
            int channels = 1 + c.g().r.nextInt(6);
            DwsLayer first = new DwsLayer(c.layout(), 4, channels, c.rng()), second = new DwsLayer(c.layout(), channels, 3, c.rng());
            DwsNet out = second.forward(first.forward(net).map(Tensor::relu));
            DwsNet outOfPermuted = second.forward(first.forward(net.permuted(c.perms())).map(Tensor::relu));
            assertSame(outOfPermuted.inLayoutOrder(), out.permuted(c.perms()).inLayoutOrder(), 1e-5, "two layers; " + c.why());
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void dwsEncoderIsInvariantAndSensitive(long seed) {
        Case c = Case.of(seed);
        DwsEncoder enc = new DwsEncoder(ProbedModel.of(c.layout()), 5, 2, 8, c.rng());
        try (var off = Grad.off()) {
            Tensor pooled = enc.pooled(c.theta());
            assertTrue(maxDiff(enc.pooled(c.permutedTheta()), pooled) <= 1e-5, "pooled features; " + c.why());
            assertTrue(maxDiff(enc.encode(c.permutedTheta()), enc.encode(c.theta())) <= 1e-5, "embedding; " + c.why());
            int B = c.theta().dim(0), P = c.layout().size(), H = c.layout().hidden();
            for (String broken : new String[] {"rows of one tensor", "input units", "output units"}) {
                float[] flat = c.theta().toArray();
                for (int b = 0; b < B; b++) {
                    float[] row = java.util.Arrays.copyOfRange(flat, b * P, (b + 1) * P);
                    switch (broken) {
                        case "rows of one tensor" -> HiddenPermutation.permuteGateRows(row, c.layout().entry("lstm.weight_hh_l0"), cycle(H), H);
                        case "input units" -> HiddenPermutation.permuteColumns(row, c.layout().entry("lstm.weight_ih_l0"), cycle(c.layout().input()));
                        default -> {
                            LstmLayout.Entry w = c.layout().entry("linear.weight"), bias = c.layout().entry("linear.bias");
                            int[] p = cycle(c.layout().output());
                            float[] old = row.clone();
                            for (int o = 0; o < p.length; o++) {
                                System.arraycopy(old, w.offset() + o * H, row, w.offset() + p[o] * H, H);
                                row[bias.offset() + p[o]] = old[bias.offset() + o];
                            }
                        }
                    }
                    System.arraycopy(row, 0, flat, b * P, P);
                }
                double d = maxDiff(enc.pooled(Tensor.of(flat, B, P)), pooled);
                boolean movable = !broken.equals("input units") || c.layout().input() > 1;
                if (broken.equals("output units")) movable = c.layout().output() > 1;
                if (movable) assertTrue(d > 1e-5, broken + " permuted: pooled features must change (max diff " + d + "); " + c.why());
            }
        }
    }

    /** The permutation j → j+1 mod n (moves every unit when n > 1). */
    static int[] cycle(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = (i + 1) % n;
        return p;
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void probingEncodersAreInvariant(long seed) {
        Case c = Case.of(seed);
        for (boolean interactive : new boolean[] {false, true}) {
            ProbingEncoder enc = new ProbingEncoder(ProbedModel.of(c.layout()), interactive, 12, 6, 1 + c.g().r.nextInt(2), c.rng());
            try (var off = Grad.off()) {
                double d = maxDiff(enc.encode(c.permutedTheta()), enc.encode(c.theta()));
                assertTrue(d <= 1e-5, (interactive ? "interactive" : "non-interactive") + " probing: " + d + "; " + c.why());
            }
        }
    }
}
