package zooscope.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.kernels.Cases;

class ModulesTest {
    @Test
    void lstmNamesOrderAndCountsMatchPyTorch() {
        LstmWithHead m = new LstmWithHead(6, 32, 2, 6, new Rng(1));
        assertEquals(List.of("lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
            "lstm.weight_ih_l1", "lstm.weight_hh_l1", "lstm.bias_ih_l1", "lstm.bias_hh_l1", "linear.weight", "linear.bias"),
            List.copyOf(m.namedParameters().keySet()));
        assertEquals(13_766, m.parameterCount());                          // PAPER.md §3, formal languages
        assertEquals(15_178, new LstmWithHead(16, 32, 2, 10, new Rng(1)).parameterCount()); // MNIST
        for (Tensor p : m.lstm.parameters()) {
            for (float v : p.toArray()) assertTrue(Math.abs(v) <= 1 / Math.sqrt(32), "PyTorch init bound ±1/√H");
        }
    }

    @Test
    void sameSeedSameModelBitForBit() {
        Map<String, float[]> a = new LstmWithHead(6, 32, 2, 6, new Rng(7)).stateDict();
        Map<String, float[]> b = new LstmWithHead(6, 32, 2, 6, new Rng(7)).stateDict();
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
    }

    /** The fused multi-step LSTM equals LSTMCell applied step by step (forward and parameter gradients). */
    @Test
    void fusedLstmEqualsCellSteps() {
        Cases.seeds(20).forEach(seed -> {
            Cases.Gen g = Cases.gen(seed);
            int B = g.dim(4), T = g.dim(6), X = g.dim(5), H = g.dim(7);
            Rng rng = new Rng(seed);
            LSTM lstm = new LSTM(X, H, 1, rng);
            LSTMCell cell = new LSTMCell(X, H, rng);
            cell.loadStateDict(Map.of("weight_ih", lstm.namedParameters().get("weight_ih_l0").toArray(),
                "weight_hh", lstm.namedParameters().get("weight_hh_l0").toArray(),
                "bias_ih", lstm.namedParameters().get("bias_ih_l0").toArray(),
                "bias_hh", lstm.namedParameters().get("bias_hh_l0").toArray()));
            Tensor x = Tensor.uniform(rng, -1, 1, B, T, X);
            Tensor fused = lstm.forward(x);
            LSTMCell.State s = cell.zeroState(B);
            Tensor loss = Tensor.scalar(0);
            Tensor w = Tensor.uniform(rng, -1, 1, B, T, H);
            for (int t = 0; t < T; t++) {
                s = cell.forward(x.slice(1, t, t + 1).reshape(B, X), s);
                loss = loss.add(s.h().mul(w.slice(1, t, t + 1).reshape(B, H)).sum());
                Cases.assertClose(s.h().toArray(), fused.slice(1, t, t + 1).toArray(), 1e-5, 1e-6, "h at t=" + t + "; " + g.why());
            }
            loss.backward();
            fused.mul(w).sum().backward();
            Cases.assertClose(cell.weightHh.grad(), lstm.namedParameters().get("weight_hh_l0").grad(), 1e-4, 1e-5, "grad W_hh; " + g.why());
            Cases.assertClose(cell.weightIh.grad(), lstm.namedParameters().get("weight_ih_l0").grad(), 1e-4, 1e-5, "grad W_ih; " + g.why());
        });
    }

    /** Attention against a float64 reference of the same weights (evaluation mode: no dropout). */
    @Test
    void multiheadAttentionMatchesReference() {
        Cases.seeds(20).forEach(seed -> {
            Cases.Gen g = Cases.gen(seed);
            int heads = 1 + g.r.nextInt(3), hd = g.dim(4), d = heads * hd, B = g.dim(3), T = g.dim(5);
            MultiheadAttention mha = new MultiheadAttention(d, heads, 0.1, new Rng(seed));
            mha.train(false);
            mha.outProj.bias.copyFrom(g.floats(d, -1, 1)); // make the (zero-initialised) biases matter
            mha.inProjBias.copyFrom(g.floats(3 * d, -1, 1));
            float[] x = g.floats(B * T * d, -1, 1);
            float[] got = mha.forward(Tensor.of(x.clone(), B, T, d)).toArray();
            float[] w = mha.inProjWeight.toArray(), bi = mha.inProjBias.toArray(), wo = mha.outProj.weight.toArray(), bo = mha.outProj.bias.toArray();
            double[] want = new double[B * T * d];
            for (int b = 0; b < B; b++) {
                double[][] q = new double[T][d], k = new double[T][d], v = new double[T][d];
                for (int t = 0; t < T; t++) {
                    for (int o = 0; o < 3 * d; o++) {
                        double s = bi[o];
                        for (int p = 0; p < d; p++) s += w[o * d + p] * x[(b * T + t) * d + p];
                        if (o < d) q[t][o] = s; else if (o < 2 * d) k[t][o - d] = s; else v[t][o - 2 * d] = s;
                    }
                }
                double[][] ctx = new double[T][d];
                for (int h = 0; h < heads; h++) {
                    for (int t = 0; t < T; t++) {
                        double[] sc = new double[T];
                        double max = Double.NEGATIVE_INFINITY, z = 0;
                        for (int u = 0; u < T; u++) {
                            for (int j = 0; j < hd; j++) sc[u] += q[t][h * hd + j] * k[u][h * hd + j] / Math.sqrt(hd);
                            max = Math.max(max, sc[u]);
                        }
                        for (int u = 0; u < T; u++) z += Math.exp(sc[u] - max);
                        for (int u = 0; u < T; u++) for (int j = 0; j < hd; j++) ctx[t][h * hd + j] += Math.exp(sc[u] - max) / z * v[u][h * hd + j];
                    }
                }
                for (int t = 0; t < T; t++) {
                    for (int o = 0; o < d; o++) {
                        double s = bo[o];
                        for (int p = 0; p < d; p++) s += wo[o * d + p] * ctx[t][p];
                        want[(b * T + t) * d + o] = s;
                    }
                }
            }
            float[] wf = new float[want.length];
            for (int i = 0; i < want.length; i++) wf[i] = (float) want[i];
            Cases.assertClose(got, wf, 1e-4, 1e-5, "heads=" + heads + " d=" + d + "; " + g.why());
        });
    }

    @Test
    void transformerLayerNamesCountsAndModes() {
        TransformerEncoderLayer layer = new TransformerEncoderLayer(128, 2, 512, 0.1, new Rng(3));
        assertEquals(List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
            "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"),
            List.copyOf(layer.namedParameters().keySet()));
        assertEquals(198_272, layer.parameterCount()); // nn.TransformerEncoderLayer(128, 2, 512)
        Tensor x = Tensor.uniform(new Rng(4), -1, 1, 2, 5, 128);
        layer.train(false);
        assertArrayEquals(layer.forward(x).toArray(), layer.forward(x).toArray(), "evaluation is deterministic");
        layer.train(true);
        Tensor y = layer.forward(x);
        assertTrue(!java.util.Arrays.equals(y.toArray(), layer.forward(x).toArray()), "dropout active in training");
        y.sum().backward();
        for (Tensor p : layer.parameters()) assertTrue(p.grad() != null, "every parameter receives a gradient");
        // post-LN: each output row is normalised (norm2 weight 1, bias 0 at init)
        float[] row = java.util.Arrays.copyOf(y.toArray(), 128);
        double mean = 0;
        for (float v : row) mean += v / 128;
        assertEquals(0, mean, 1e-5);
    }

    @Test
    void mlpShapesAndStateDictErrors() {
        MLP mlp = new MLP(new Rng(2), 70, 128, 16);
        assertEquals(70 * 128 + 128 + 128 * 16 + 16, mlp.parameterCount()); // 11,152: PAPER.md §8.1
        assertArrayEquals(new int[] {5, 16}, mlp.forward(Tensor.zeros(5, 70)).shape());
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(mlp.namedParameters().keySet()));
        var e = assertThrows(IllegalArgumentException.class, () -> mlp.loadStateDict(Map.of("0.weight", new float[3])));
        assertTrue(e.getMessage().contains("parameter '0.weight': 3 values, expected 8960"), e.getMessage());
    }

    /** A group's model g is initialised as the solo module from rngs[g]: parameter by parameter, the slice of the stack. */
    @Test
    void aGroupStacksTheSoloModulesInitialisations() {
        long[] seeds = {5, 6, 7};
        Rng[] rngs = new Rng[seeds.length];
        for (int g = 0; g < seeds.length; g++) rngs[g] = Rng.stream(seeds[g]);
        List<Module> group = List.of(new Linear(5, 3, Init.group(rngs)), new MLP(Init.group(rngs), 4, 6, 2), new LSTM(3, 4, 2, Init.group(rngs)));
        for (int g = 0; g < seeds.length; g++) {
            Rng r = Rng.stream(seeds[g]);
            List<Module> solo = List.of(new Linear(5, 3, r), new MLP(r, 4, 6, 2), new LSTM(3, 4, 2, r)); // one stream through all, as the group's
            for (int i = 0; i < solo.size(); i++) {
                Map<String, Tensor> gp = group.get(i).namedParameters(), sp = solo.get(i).namedParameters();
                assertEquals(sp.keySet(), gp.keySet());
                for (String k : sp.keySet()) {
                    Tensor a = sp.get(k), b = gp.get(k);
                    assertEquals(seeds.length, b.dim(0), k);
                    assertArrayEquals(a.toArray(), java.util.Arrays.copyOfRange(b.toArray(), g * a.size(), (g + 1) * a.size()), k + " of model " + g);
                }
            }
        }
    }
}
