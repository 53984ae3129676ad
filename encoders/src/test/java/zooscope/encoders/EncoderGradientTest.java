package zooscope.encoders;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.LstmLayout;
import zooscope.kernels.Cases;

/**
 * Gradients of every encoder's parameters against central finite differences of the encoder itself
 * (small configs, scalar backend, dropout off), and the probes' gradient through the frozen probed RNNs
 * against finite differences of a float64 LSTM written here.
 */
class EncoderGradientTest {
    static final LstmLayout SMALL = new LstmLayout(3, 4, 2, 3);

    static Tensor theta(LstmLayout layout, int rows, Rng rng) {
        float[] flat = new float[rows * layout.size()];
        for (int r = 0; r < rows; r++) System.arraycopy(layout.flatten(layout.newModel(rng)), 0, flat, r * layout.size(), layout.size());
        return Tensor.of(flat, rows, layout.size());
    }

    static double loss(WeightEncoder enc, Tensor theta, float[] w) {
        try (var off = Grad.off()) {
            float[] z = enc.encode(theta).toArray();
            double s = 0;
            for (int i = 0; i < z.length; i++) s += (double) w[i] * z[i];
            return s;
        }
    }

    /** Backward of w·E(θ) against central differences, on 5 random entries of every parameter tensor. */
    static void check(String name, java.util.function.Supplier<WeightEncoder> make, Rng rng) throws Throwable {
        Cases.onBackend("scalar", () -> {
            WeightEncoder enc = make.get(); // its parameters on the scalar backend
            enc.train(false);
            Tensor theta = theta(SMALL, 2, rng);
            float[] w = Tensor.uniform(rng, -1, 1, 2 * 16).toArray();
            enc.zeroGrad();
            enc.encode(theta).backward(w);
            int checked = 0;
            for (Map.Entry<String, Tensor> e : enc.namedParameters().entrySet()) {
                Tensor p = e.getValue();
                float[] grad = p.grad() == null ? new float[p.size()] : p.grad().clone();
                for (int k = 0; k < Math.min(5, p.size()); k++) {
                    int i = rng.nextInt(p.size());
                    float h = 1e-3f * Math.max(1f, Math.abs(p.toArray()[i]));
                    double fd = centralDifference(enc, theta, w, p, i, h);
                    // a step across a ReLU kink gives a wrong difference: then the check is repeated with a smaller one
                    if (!(Math.abs(grad[i] - fd) <= 3e-2 * Math.abs(fd) + 5e-4)) fd = centralDifference(enc, theta, w, p, i, h / 4);
                    assertTrue(Math.abs(grad[i] - fd) <= 3e-2 * Math.abs(fd) + 5e-4,
                        name + ": d/d " + e.getKey() + "[" + i + "] = " + grad[i] + ", finite differences " + fd);
                    checked++;
                }
            }
            System.out.printf("%s: %d parameter entries of %d tensors match finite differences%n", name, checked, enc.namedParameters().size());
        });
    }

    static double centralDifference(WeightEncoder enc, Tensor theta, float[] w, Tensor p, int i, float h) {
        float[] v = p.toArray();
        float keep = v[i];
        v[i] = keep + h;
        p.copyFrom(v);
        double up = loss(enc, theta, w);
        v[i] = keep - h;
        p.copyFrom(v);
        double down = loss(enc, theta, w);
        v[i] = keep;
        p.copyFrom(v);
        return (up - down) / (2 * h);
    }

    @Test void statistics() throws Throwable { check("statistics", () -> new StatisticsEncoder(ProbedModel.of(SMALL), new int[] {8, 8}, new Rng(1)), new Rng(11)); }
    @Test void flat() throws Throwable { check("flat", () -> new FlatEncoder(ProbedModel.of(SMALL), 8, 2, new Rng(2)), new Rng(12)); }
    @Test void transformer() throws Throwable { check("transformer", () -> new ParameterTransformer(ProbedModel.of(SMALL), 8, 2, 16, 2, 0.1, new Rng(3)), new Rng(13)); }
    @Test void dws() throws Throwable { check("dws", () -> new DwsEncoder(ProbedModel.of(SMALL), 4, 2, 8, new Rng(4)), new Rng(14)); }
    @Test void noninteractive() throws Throwable { check("noninteractive", () -> new ProbingEncoder(ProbedModel.of(SMALL), false, 8, 6, 2, new Rng(5)), new Rng(15)); }
    @Test void interactive() throws Throwable { check("interactive", () -> new ProbingEncoder(ProbedModel.of(SMALL), true, 8, 6, 2, new Rng(6)), new Rng(16)); }
    @Test void control() throws Throwable { check("control", () -> new ControlEncoder(ProbedModel.of(SMALL), new Rng(7)), new Rng(17)); }

    /**
     * Probes → frozen RNNs → outputs: d(Σ w·logits over 4 steps)/d(probe inputs) of B = 3 RNNs with M = 2
     * streams each, on every backend, against central differences of a float64 LSTM.
     */
    @Test
    void probeGradientsThroughTheFrozenRnns() throws Throwable {
        LstmLayout layout = SMALL;
        int B = 3, M = 2, T = 4, X = layout.input(), O = layout.output();
        Rng rng = new Rng(7);
        Tensor theta = theta(layout, B, rng);
        double[] th = new double[theta.size()];
        float[] thetaValues = theta.toArray();
        for (int i = 0; i < th.length; i++) th[i] = thetaValues[i];
        float[] x0 = Tensor.uniform(rng, 0, 1, T * B * M * X).toArray();
        float[] w = Tensor.uniform(rng, -1, 1, T * B * M * O).toArray();
        for (String backend : zooscope.kernels.Backends.available()) {
            Cases.onBackend(backend, () -> {
                Tensor[] xs = new Tensor[T];
                ProbedRnns rnns = new ProbedRnns(layout, theta.to(zooscope.kernels.Backends.current()));
                ProbedRnns.State s = rnns.zeroState(M);
                Tensor[] outs = new Tensor[T];
                for (int t = 0; t < T; t++) {
                    xs[t] = Tensor.of(java.util.Arrays.copyOfRange(x0, t * B * M * X, (t + 1) * B * M * X), B, M, X).requiresGrad();
                    ProbedRnns.State next = rnns.newState();
                    outs[t] = rnns.step(xs[t], s, next);
                    s = next;
                }
                Tensor all = Tensor.concat(0, outs);
                all.backward(w);
                double[] x = new double[x0.length];
                for (int i = 0; i < x.length; i++) x[i] = x0[i];
                double[] want = reference(layout, th, x, B, M, T);
                float[] got = all.toArray();
                for (int i = 0; i < got.length; i++) assertTrue(Cases.close(got[i], want[i], 1e-5, 1e-5), backend + ": output " + i + " " + got[i] + " vs " + want[i]);
                for (int i = 0; i < x.length; i++) {
                    double keep = x[i], h = 1e-6;
                    x[i] = keep + h;
                    double up = dot(w, reference(layout, th, x, B, M, T));
                    x[i] = keep - h;
                    double down = dot(w, reference(layout, th, x, B, M, T));
                    x[i] = keep;
                    double fd = (up - down) / (2 * h);
                    float an = xs[i / (B * M * X)].grad()[i % (B * M * X)];
                    assertTrue(Cases.close(an, fd, 2e-3, 2e-4), backend + ": d/d probe[" + i + "] = " + an + ", finite differences " + fd);
                }
            });
        }
    }

    static double dot(float[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < b.length; i++) s += a[i] * b[i];
        return s;
    }

    /** float64 zoo LSTMs stepped over x [T, B, M, X] → logits [T, B, M, O]. */
    static double[] reference(LstmLayout layout, double[] th, double[] x, int B, int M, int T) {
        int L = layout.layers(), H = layout.hidden(), X = layout.input(), O = layout.output(), P = layout.size();
        double[] out = new double[T * B * M * O];
        for (int b = 0; b < B; b++) {
            for (int m = 0; m < M; m++) {
                double[][] h = new double[L][H], c = new double[L][H];
                for (int t = 0; t < T; t++) {
                    double[] in = new double[X];
                    System.arraycopy(x, ((t * B + b) * M + m) * X, in, 0, X);
                    for (int l = 0; l < L; l++) {
                        int n = in.length, wih = b * P + layout.entry("lstm.weight_ih_l" + l).offset(), whh = b * P + layout.entry("lstm.weight_hh_l" + l).offset();
                        int bih = b * P + layout.entry("lstm.bias_ih_l" + l).offset(), bhh = b * P + layout.entry("lstm.bias_hh_l" + l).offset();
                        double[] gates = new double[4 * H];
                        for (int r = 0; r < 4 * H; r++) {
                            double s = th[bih + r] + th[bhh + r];
                            for (int p = 0; p < n; p++) s += th[wih + r * n + p] * in[p];
                            for (int p = 0; p < H; p++) s += th[whh + r * H + p] * h[l][p];
                            gates[r] = s;
                        }
                        double[] hn = new double[H];
                        for (int j = 0; j < H; j++) {
                            double i = 1 / (1 + Math.exp(-gates[j])), f = 1 / (1 + Math.exp(-gates[H + j]));
                            double g = Math.tanh(gates[2 * H + j]), o = 1 / (1 + Math.exp(-gates[3 * H + j]));
                            c[l][j] = f * c[l][j] + i * g;
                            hn[j] = o * Math.tanh(c[l][j]);
                        }
                        h[l] = hn;
                        in = hn;
                    }
                    int wo = b * P + layout.entry("linear.weight").offset(), bo = b * P + layout.entry("linear.bias").offset();
                    for (int o = 0; o < O; o++) {
                        double s = th[bo + o];
                        for (int p = 0; p < H; p++) s += th[wo + o * H + p] * in[p];
                        out[((t * B + b) * M + m) * O + o] = s;
                    }
                }
            }
        }
        return out;
    }
}
