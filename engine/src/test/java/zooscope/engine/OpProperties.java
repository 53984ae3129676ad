package zooscope.engine;

import static zooscope.engine.OpCheck.broadcastAt;
import static zooscope.engine.OpCheck.ravel;
import static zooscope.engine.OpCheck.size;
import static zooscope.engine.OpCheck.unravel;

import java.util.Arrays;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import zooscope.kernels.Cases;

/**
 * Every op family: forward against a float64 reference written independently here, backward against
 * central finite differences of that reference, on random shapes and values (≥ 100 seeded cases per
 * family; a failure names its seed).
 */
class OpProperties {
    static LongStream seeds() { return Cases.seeds(100); }

    static boolean[] all(int n) { boolean[] b = new boolean[n]; Arrays.fill(b, true); return b; }

    // ------------------------------------------------------------------ element-wise

    /** A shape that broadcasts to {@code out}: some dims set to 1, some leading dims dropped. */
    static int[] broadcastable(Cases.Gen g, int[] out) {
        int drop = g.r.nextInt(out.length + 1);
        int[] s = Arrays.copyOfRange(out, drop, out.length);
        for (int d = 0; d < s.length; d++) if (g.r.nextInt(3) == 0) s[d] = 1;
        return s;
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void binaryWithBroadcasting(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int[] out = g.shape(1 + g.r.nextInt(3), 4);
        int[] sa = g.r.nextBoolean() ? out : broadcastable(g, out), sb = g.r.nextBoolean() ? out : broadcastable(g, out);
        int[] full = Shapes.broadcast(sa, sb);
        int op = g.r.nextInt(4);
        float[] a = g.floats(size(sa), -2, 2), b = g.floats(size(sb), 0.5, 2);
        if (g.r.nextBoolean()) for (int i = 0; i < b.length; i++) b[i] = -b[i];
        String[] names = {"add", "sub", "mul", "div"};
        OpCheck.check(new OpCheck.Case(names[op] + " " + Arrays.toString(sa) + "," + Arrays.toString(sb),
            new float[][] {a, b}, new int[][] {sa, sb}, all(2),
            t -> switch (op) { case 0 -> t[0].add(t[1]); case 1 -> t[0].sub(t[1]); case 2 -> t[0].mul(t[1]); default -> t[0].div(t[1]); },
            x -> {
                double[] y = new double[size(full)];
                for (int k = 0; k < y.length; k++) {
                    double p = broadcastAt(x[0], sa, full, k), q = broadcastAt(x[1], sb, full, k);
                    y[k] = switch (op) { case 0 -> p + q; case 1 -> p - q; case 2 -> p * q; default -> p / q; };
                }
                return y;
            }), g);
    }

    /** a + t₀ + t₁ + … with broadcast terms in one op: against the float64 sum, and bit for bit against the chain of adds. */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void addAllWithBroadcasting(long seed) throws Throwable {
        Cases.Gen g = Cases.gen(seed);
        int[] out = g.shape(1 + g.r.nextInt(4), 5);
        int terms = 1 + g.r.nextInt(3);
        float[][] x = new float[terms + 1][];
        int[][] shapes = new int[terms + 1][];
        shapes[0] = out;
        for (int i = 1; i <= terms; i++) shapes[i] = broadcastable(g, out);
        for (int i = 0; i <= terms; i++) x[i] = g.floats(size(shapes[i]), -2, 2);
        String name = "addAll " + Arrays.deepToString(shapes);
        OpCheck.check(new OpCheck.Case(name, x, shapes, all(terms + 1), t -> t[0].addAll(Arrays.copyOfRange(t, 1, t.length)),
            v -> {
                double[] y = new double[size(out)];
                for (int k = 0; k < y.length; k++) for (int i = 0; i <= terms; i++) y[k] += broadcastAt(v[i], shapes[i], out, k);
                return y;
            }), g);
        for (String backend : zooscope.kernels.Backends.available()) {
            Cases.onBackend(backend, () -> {
                float[] w = g.floats(size(out), -1, 1);
                Tensor[] a = new Tensor[terms + 1], b = new Tensor[terms + 1];
                for (int i = 0; i <= terms; i++) { a[i] = Tensor.of(x[i], shapes[i]).requiresGrad(); b[i] = Tensor.of(x[i], shapes[i]).requiresGrad(); }
                Tensor fused = a[0].addAll(Arrays.copyOfRange(a, 1, a.length)), chain = b[0];
                for (int i = 1; i <= terms; i++) chain = chain.add(b[i]);
                org.junit.jupiter.api.Assertions.assertArrayEquals(chain.toArray(), fused.toArray(), backend + ", " + name + ": values" + g.why());
                fused.backward(w);
                chain.backward(w);
                for (int i = 0; i <= terms; i++) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(b[i].grad(), a[i].grad(), backend + ", " + name + ": gradient of input " + i + g.why());
                }
            });
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void unaryFunctions(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int[] s = g.shape(1 + g.r.nextInt(3), 5);
        int op = g.r.nextInt(8);
        float[] a = op == 4 ? g.floats(size(s), 0.1, 4) : g.floats(size(s), -4, 4);
        String[] names = {"sigmoid", "tanh", "relu", "exp", "log", "neg", "add-scalar", "mul-scalar"};
        float c = g.uniform(-2, 2);
        OpCheck.check(new OpCheck.Case(names[op], new float[][] {a}, new int[][] {s}, all(1),
            t -> switch (op) {
                case 0 -> t[0].sigmoid(); case 1 -> t[0].tanh(); case 2 -> t[0].relu(); case 3 -> t[0].exp();
                case 4 -> t[0].log(); case 5 -> t[0].neg(); case 6 -> t[0].add(c); default -> t[0].mul(c);
            },
            x -> Arrays.stream(x[0]).map(v -> switch (op) {
                case 0 -> 1 / (1 + Math.exp(-v)); case 1 -> Math.tanh(v); case 2 -> Math.max(v, 0); case 3 -> Math.exp(v);
                case 4 -> Math.log(v); case 5 -> -v; case 6 -> v + c; default -> v * c;
            }).toArray()), g);
    }

    // ------------------------------------------------------------------ linear algebra

    static double[] matmulRef(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) c[i * n + j] += a[i * k + p] * b[p * n + j];
        return c;
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void matmulBmmLinear(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int m = g.dim(6), k = g.dim(20), n = g.dim(20), bs = g.dim(3);
        switch (g.r.nextInt(3)) {
            case 0 -> OpCheck.check(new OpCheck.Case("matmul", new float[][] {g.floats(m * k, -1, 1), g.floats(k * n, -1, 1)},
                new int[][] {{m, k}, {k, n}}, all(2), t -> t[0].matmul(t[1]), x -> matmulRef(x[0], x[1], m, k, n)), g);
            case 1 -> OpCheck.check(new OpCheck.Case("bmm", new float[][] {g.floats(bs * m * k, -1, 1), g.floats(bs * k * n, -1, 1)},
                new int[][] {{bs, m, k}, {bs, k, n}}, all(2), t -> t[0].bmm(t[1]), x -> {
                    double[] out = new double[bs * m * n];
                    for (int p = 0; p < bs; p++) {
                        double[] c = matmulRef(Arrays.copyOfRange(x[0], p * m * k, (p + 1) * m * k), Arrays.copyOfRange(x[1], p * k * n, (p + 1) * k * n), m, k, n);
                        System.arraycopy(c, 0, out, p * m * n, m * n);
                    }
                    return out;
                }), g);
            default -> OpCheck.check(new OpCheck.Case("linear", new float[][] {g.floats(bs * m * k, -1, 1), g.floats(n * k, -1, 1), g.floats(n, -1, 1)},
                new int[][] {{bs, m, k}, {n, k}, {n}}, all(3), t -> LinearAlgebra.linear(t[0], t[1], t[2]), x -> {
                    double[] y = new double[bs * m * n];
                    for (int r = 0; r < bs * m; r++) for (int o = 0; o < n; o++) {
                        double s = x[2][o];
                        for (int p = 0; p < k; p++) s += x[0][r * k + p] * x[1][o * k + p];
                        y[r * n + o] = s;
                    }
                    return y;
                }), g);
        }
    }

    // ------------------------------------------------------------------ reductions

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void sumMeanVarOverAxes(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int rank = 1 + g.r.nextInt(3);
        int[] s = g.shape(rank, 5);
        int kind = g.r.nextInt(3);
        if (kind == 2) s[0] = Math.max(s[0], 2);
        int[] axes = g.r.nextInt(4) == 0 ? new int[0] : new int[] {g.r.nextInt(rank) - (g.r.nextBoolean() ? rank : 0)};
        if (kind == 2 && axes.length == 1) s[Shapes.axis(axes[0], rank)] = Math.max(2, s[Shapes.axis(axes[0], rank)]);
        boolean keep = g.r.nextBoolean();
        boolean[] red = new boolean[rank];
        if (axes.length == 0) Arrays.fill(red, true); else red[Shapes.axis(axes[0], rank)] = true;
        int[] keepShape = s.clone();
        for (int d = 0; d < rank; d++) if (red[d]) keepShape[d] = 1;
        String[] names = {"sum", "mean", "var"};
        OpCheck.check(new OpCheck.Case(names[kind] + " axes=" + Arrays.toString(axes) + " of " + Arrays.toString(s),
            new float[][] {g.floats(size(s), -2, 2)}, new int[][] {s}, all(1),
            t -> switch (kind) { case 0 -> t[0].sum(keep, axes); case 1 -> t[0].mean(keep, axes); default -> t[0].var(keep, axes); },
            x -> {
                int outN = size(keepShape), cnt = size(s) / outN;
                double[] sum = new double[outN], sq = new double[outN];
                for (int k = 0; k < x[0].length; k++) {
                    int[] idx = unravel(k, s);
                    for (int d = 0; d < rank; d++) if (red[d]) idx[d] = 0;
                    sum[ravel(idx, keepShape)] += x[0][k];
                }
                for (int k = 0; k < x[0].length; k++) {
                    int[] idx = unravel(k, s);
                    for (int d = 0; d < rank; d++) if (red[d]) idx[d] = 0;
                    int o = ravel(idx, keepShape);
                    double dv = x[0][k] - sum[o] / cnt;
                    sq[o] += dv * dv;
                }
                double[] y = new double[outN];
                for (int o = 0; o < outN; o++) y[o] = switch (kind) { case 0 -> sum[o]; case 1 -> sum[o] / cnt; default -> sq[o] / (cnt - 1); };
                return y;
            }), g);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void quantiles(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int rows = g.dim(4), n = g.dim(30);
        double[] qs = {0, 0.25, 0.5, 0.75, 1, g.r.nextDouble()};
        float[] values = g.floats(rows * n, -3, 3);
        float[] withGradient = Tensor.of(values, rows, n).requiresGrad().quantile(qs).toArray(), without; // sort order vs sorted rows
        try (var off = Grad.off()) { without = Tensor.of(values, rows, n).quantile(qs).toArray(); }
        org.junit.jupiter.api.Assertions.assertArrayEquals(withGradient, without, "quantile without a gradient; " + g.why());
        OpCheck.check(new OpCheck.Case("quantile rows=" + rows + " n=" + n, new float[][] {values}, new int[][] {{rows, n}}, all(1),
            t -> t[0].quantile(qs),
            x -> {
                double[] y = new double[rows * qs.length];
                for (int r = 0; r < rows; r++) {
                    double[] sorted = Arrays.copyOfRange(x[0], r * n, (r + 1) * n);
                    Arrays.sort(sorted);
                    for (int j = 0; j < qs.length; j++) {
                        double pos = qs[j] * (n - 1);
                        int lo = (int) Math.floor(pos), hi = Math.min(lo + 1, n - 1);
                        y[r * qs.length + j] = sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
                    }
                }
                return y;
            }), g);
    }

    // ------------------------------------------------------------------ softmax, losses, normalisation

    static double[] softmaxRef(double[] x, int cols, boolean log) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / cols; r++) {
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int j = 0; j < cols; j++) max = Math.max(max, x[r * cols + j]);
            for (int j = 0; j < cols; j++) z += Math.exp(x[r * cols + j] - max);
            for (int j = 0; j < cols; j++) y[r * cols + j] = log ? x[r * cols + j] - max - Math.log(z) : Math.exp(x[r * cols + j] - max) / z;
        }
        return y;
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void softmaxAndLogSoftmax(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int[] s = g.shape(1 + g.r.nextInt(3), 7);
        boolean log = g.r.nextBoolean();
        OpCheck.check(new OpCheck.Case(log ? "log_softmax" : "softmax", new float[][] {g.floats(size(s), -5, 5)}, new int[][] {s}, all(1),
            t -> log ? t[0].logSoftmax() : t[0].softmax(), x -> softmaxRef(x[0], s[s.length - 1], log)), g);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void losses(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int rows = g.dim(8), cols = 1 + g.dim(7);
        switch (g.r.nextInt(3)) {
            case 0 -> {
                int[] targets = g.r.ints(rows, 0, cols).toArray();
                OpCheck.check(new OpCheck.Case("cross_entropy", new float[][] {g.floats(rows * cols, -4, 4)}, new int[][] {{rows, cols}}, all(1),
                    t -> Functional.crossEntropy(t[0], targets), x -> {
                        double[] lp = softmaxRef(x[0], cols, true);
                        double l = 0;
                        for (int r = 0; r < rows; r++) l -= lp[r * cols + targets[r]];
                        return new double[] {l / rows};
                    }), g);
            }
            case 1 -> OpCheck.check(new OpCheck.Case("bce_with_logits", new float[][] {g.floats(rows * cols, -5, 5), g.floats(rows * cols, 0, 1)},
                new int[][] {{rows, cols}, {rows, cols}}, all(2), t -> Functional.bceWithLogits(t[0], t[1]), x -> {
                    double l = 0;
                    for (int i = 0; i < x[0].length; i++) {
                        double p = 1 / (1 + Math.exp(-x[0][i]));
                        l -= x[1][i] * Math.log(p) + (1 - x[1][i]) * Math.log(1 - p);
                    }
                    return new double[] {l / x[0].length};
                }), g);
            default -> OpCheck.check(new OpCheck.Case("mse", new float[][] {g.floats(rows * cols, -3, 3), g.floats(rows * cols, -3, 3)},
                new int[][] {{rows, cols}, {rows, cols}}, all(2), t -> Functional.mse(t[0], t[1]), x -> {
                    double l = 0;
                    for (int i = 0; i < x[0].length; i++) l += (x[0][i] - x[1][i]) * (x[0][i] - x[1][i]);
                    return new double[] {l / x[0].length};
                }), g);
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void layerNormAndL2Normalize(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int rows = g.dim(5), c = 1 + g.dim(9);
        if (g.r.nextBoolean()) {
            OpCheck.check(new OpCheck.Case("layer_norm", new float[][] {g.floats(rows * c, -3, 3), g.floats(c, 0.5, 1.5), g.floats(c, -1, 1)},
                new int[][] {{rows, c}, {c}, {c}}, all(3), t -> Functional.layerNorm(t[0], t[1], t[2], 1e-5), x -> {
                    double[] y = new double[rows * c];
                    for (int r = 0; r < rows; r++) {
                        double mu = 0, var = 0;
                        for (int j = 0; j < c; j++) mu += x[0][r * c + j] / c;
                        for (int j = 0; j < c; j++) var += Math.pow(x[0][r * c + j] - mu, 2) / c;
                        for (int j = 0; j < c; j++) y[r * c + j] = (x[0][r * c + j] - mu) / Math.sqrt(var + 1e-5) * x[1][j] + x[2][j];
                    }
                    return y;
                }), g, 1e-4, 1e-5);
        } else {
            OpCheck.check(new OpCheck.Case("l2_normalize", new float[][] {g.floats(rows * c, -2, 2)}, new int[][] {{rows, c}}, all(1),
                t -> t[0].l2Normalize(), x -> {
                    double[] y = new double[rows * c];
                    for (int r = 0; r < rows; r++) {
                        double s = 0;
                        for (int j = 0; j < c; j++) s += x[0][r * c + j] * x[0][r * c + j];
                        for (int j = 0; j < c; j++) y[r * c + j] = x[0][r * c + j] / Math.max(Math.sqrt(s), 1e-12);
                    }
                    return y;
                }), g);
        }
    }

    /** A group's layer norm: x [G, rows, C] with weight and bias [G, C], model m's rows normalised with model m's affine map. */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void groupedLayerNorm(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int models = 1 + g.r.nextInt(3), rows = g.dim(4), c = 1 + g.dim(7);
        OpCheck.check(new OpCheck.Case("layer_norm, " + models + " models", new float[][] {g.floats(models * rows * c, -3, 3), g.floats(models * c, 0.5, 1.5), g.floats(models * c, -1, 1)},
            new int[][] {{models, rows, c}, {models, c}, {models, c}}, all(3), t -> Functional.layerNorm(t[0], t[1], t[2], 1e-5), x -> {
                double[] y = new double[models * rows * c];
                for (int r = 0; r < models * rows; r++) {
                    int m = r / rows;
                    double mu = 0, var = 0;
                    for (int j = 0; j < c; j++) mu += x[0][r * c + j] / c;
                    for (int j = 0; j < c; j++) var += Math.pow(x[0][r * c + j] - mu, 2) / c;
                    for (int j = 0; j < c; j++) y[r * c + j] = (x[0][r * c + j] - mu) / Math.sqrt(var + 1e-5) * x[1][m * c + j] + x[2][m * c + j];
                }
                return y;
            }), g, 1e-4, 1e-5);
    }

    /** Dropout with one generator per model: block m of the input masked by generator m's draws, in order. */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void groupedDropout(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int models = 1 + g.r.nextInt(3), n = g.dim(40);
        double p = 0.05 + 0.8 * g.r.nextDouble();
        long maskSeed = g.r.nextLong();
        OpCheck.check(new OpCheck.Case("dropout p=" + p + ", " + models + " models", new float[][] {g.floats(models * n, -2, 2)}, new int[][] {{models, n}}, all(1),
            t -> {
                Rng[] rngs = new Rng[models];
                for (int m = 0; m < models; m++) rngs[m] = new Rng(maskSeed + m);
                return Functional.dropout(t[0], p, true, rngs);
            }, x -> {
                double[] y = new double[models * n];
                for (int m = 0; m < models; m++) {
                    Rng r = new Rng(maskSeed + m);
                    for (int i = 0; i < n; i++) y[m * n + i] = r.nextDouble() < p ? 0 : (double) (float) (1 / (1 - p)) * x[0][m * n + i];
                }
                return y;
            }), g);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void dropout(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int n = g.dim(40);
        double p = 0.05 + 0.8 * g.r.nextDouble();
        long maskSeed = g.r.nextLong();
        OpCheck.check(new OpCheck.Case("dropout p=" + p, new float[][] {g.floats(n, -2, 2)}, new int[][] {{n}}, all(1),
            t -> Functional.dropout(t[0], p, true, new Rng(maskSeed)), x -> {
                Rng r = new Rng(maskSeed);
                return Arrays.stream(x[0]).map(v -> r.nextDouble() < p ? 0 : (double) (float) (1 / (1 - p)) * v).toArray();
            }), g);
    }

    // ------------------------------------------------------------------ shape ops

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shapeOps(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int rank = 1 + g.r.nextInt(3);
        int[] s = g.shape(rank, 5);
        float[] a = g.floats(size(s), -2, 2);
        int axis = g.r.nextInt(rank);
        switch (g.r.nextInt(5)) {
            case 0 -> // reshape then multiply (so the view's gradient flows back through another op)
                OpCheck.check(new OpCheck.Case("reshape", new float[][] {a}, new int[][] {s}, all(1),
                    t -> t[0].reshape(-1).mul(2f), x -> Arrays.stream(x[0]).map(v -> 2 * v).toArray()), g);
            case 1 -> {
                int[] perm = new Rng(seed).permutation(rank);
                int[] os = new int[rank];
                for (int d = 0; d < rank; d++) os[d] = s[perm[d]];
                OpCheck.check(new OpCheck.Case("permute " + Arrays.toString(perm), new float[][] {a}, new int[][] {s}, all(1),
                    t -> t[0].permute(perm), x -> {
                        double[] y = new double[x[0].length];
                        for (int k = 0; k < y.length; k++) {
                            int[] oi = unravel(k, os), ii = new int[rank];
                            for (int d = 0; d < rank; d++) ii[perm[d]] = oi[d];
                            y[k] = x[0][ravel(ii, s)];
                        }
                        return y;
                    }), g);
            }
            case 2 -> {
                int start = g.r.nextInt(s[axis]), end = start + 1 + g.r.nextInt(s[axis] - start);
                int[] os = s.clone();
                os[axis] = end - start;
                OpCheck.check(new OpCheck.Case("slice axis " + axis + " [" + start + "," + end + ")", new float[][] {a}, new int[][] {s}, all(1),
                    t -> t[0].slice(axis, start, end).mul(1.5f), x -> {
                        double[] y = new double[size(os)];
                        for (int k = 0; k < y.length; k++) { int[] i = unravel(k, os); i[axis] += start; y[k] = 1.5 * x[0][ravel(i, s)]; }
                        return y;
                    }), g);
            }
            case 3 -> {
                int[] idx = g.r.ints(1 + g.r.nextInt(6), 0, s[axis]).toArray();
                int[] os = s.clone();
                os[axis] = idx.length;
                OpCheck.check(new OpCheck.Case("gather axis " + axis + " " + Arrays.toString(idx), new float[][] {a}, new int[][] {s}, all(1),
                    t -> t[0].gather(axis, idx), x -> {
                        double[] y = new double[size(os)];
                        for (int k = 0; k < y.length; k++) { int[] i = unravel(k, os); i[axis] = idx[i[axis]]; y[k] = x[0][ravel(i, s)]; }
                        return y;
                    }), g);
            }
            default -> {
                int[] s2 = s.clone();
                s2[axis] = g.dim(4);
                int[] os = s.clone();
                os[axis] = s[axis] + s2[axis];
                OpCheck.check(new OpCheck.Case("concat axis " + axis, new float[][] {a, g.floats(size(s2), -2, 2)}, new int[][] {s, s2}, all(2),
                    t -> Tensor.concat(axis, t[0], t[1]), x -> {
                        double[] y = new double[size(os)];
                        for (int k = 0; k < y.length; k++) {
                            int[] i = unravel(k, os);
                            if (i[axis] < s[axis]) y[k] = x[0][ravel(i, s)];
                            else { i[axis] -= s[axis]; y[k] = x[1][ravel(i, s2)]; }
                        }
                        return y;
                    }), g);
            }
        }
    }

    // ------------------------------------------------------------------ recurrent

    /** Float64 reference LSTM layer (PyTorch equations), returning h_1..h_T as [B, T, H]. */
    static double[] lstmRef(double[] x, double[] wih, double[] whh, double[] bih, double[] bhh, int B, int T, int X, int H) {
        double[] out = new double[B * T * H];
        for (int b = 0; b < B; b++) {
            double[] h = new double[H], c = new double[H];
            for (int t = 0; t < T; t++) {
                double[] gates = new double[4 * H];
                for (int r = 0; r < 4 * H; r++) {
                    double s = bih[r] + bhh[r];
                    for (int p = 0; p < X; p++) s += wih[r * X + p] * x[(b * T + t) * X + p];
                    for (int p = 0; p < H; p++) s += whh[r * H + p] * h[p];
                    gates[r] = s;
                }
                for (int j = 0; j < H; j++) {
                    double i = 1 / (1 + Math.exp(-gates[j])), f = 1 / (1 + Math.exp(-gates[H + j]));
                    double gg = Math.tanh(gates[2 * H + j]), o = 1 / (1 + Math.exp(-gates[3 * H + j]));
                    c[j] = f * c[j] + i * gg;
                    h[j] = o * Math.tanh(c[j]);
                    out[(b * T + t) * H + j] = h[j];
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void lstmLayer(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int B = g.dim(3), T = g.dim(5), X = g.dim(4), H = g.dim(4), G = 4 * H;
        OpCheck.check(new OpCheck.Case("lstm_layer B=" + B + " T=" + T + " X=" + X + " H=" + H,
            new float[][] {g.floats(B * T * X, -1, 1), g.floats(G * X, -0.8, 0.8), g.floats(G * H, -0.8, 0.8), g.floats(G, -0.5, 0.5), g.floats(G, -0.5, 0.5)},
            new int[][] {{B, T, X}, {G, X}, {G, H}, {G}, {G}}, all(5),
            t -> Recurrent.lstmLayer(t[0], t[1], t[2], t[3], t[4]),
            x -> lstmRef(x[0], x[1], x[2], x[3], x[4], B, T, X, H)), g);
    }

    /** The model-axis forms (a group of M models): linear with weight [M, n, k] and the LSTM layer with weights [M, 4H, ·], each model against its float64 reference. */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void groupedLinearAndLstmLayer(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int M = g.dim(3), B = g.dim(3), T = g.dim(4), X = g.dim(4), H = g.dim(3), G = 4 * H;
        OpCheck.check(new OpCheck.Case("grouped linear M=" + M + " rows=" + B * T + " in=" + X + " out=" + H,
            new float[][] {g.floats(M * B * T * X, -1, 1), g.floats(M * H * X, -1, 1), g.floats(M * H, -1, 1)},
            new int[][] {{M, B, T, X}, {M, H, X}, {M, H}}, all(3), t -> LinearAlgebra.linear(t[0], t[1], t[2]), x -> {
                double[] y = new double[M * B * T * H];
                for (int m = 0; m < M; m++) for (int r = 0; r < B * T; r++) for (int o = 0; o < H; o++) {
                    double s = x[2][m * H + o];
                    for (int p = 0; p < X; p++) s += x[0][(m * B * T + r) * X + p] * x[1][(m * H + o) * X + p];
                    y[(m * B * T + r) * H + o] = s;
                }
                return y;
            }), g);
        OpCheck.check(new OpCheck.Case("grouped lstm_layer M=" + M + " B=" + B + " T=" + T + " X=" + X + " H=" + H,
            new float[][] {g.floats(M * B * T * X, -1, 1), g.floats(M * G * X, -0.8, 0.8), g.floats(M * G * H, -0.8, 0.8), g.floats(M * G, -0.5, 0.5), g.floats(M * G, -0.5, 0.5)},
            new int[][] {{M, B, T, X}, {M, G, X}, {M, G, H}, {M, G}, {M, G}}, all(5),
            t -> Recurrent.lstmLayer(t[0], t[1], t[2], t[3], t[4]), x -> {
                double[] out = new double[M * B * T * H];
                for (int m = 0; m < M; m++) {
                    double[] y = lstmRef(Arrays.copyOfRange(x[0], m * B * T * X, (m + 1) * B * T * X), Arrays.copyOfRange(x[1], m * G * X, (m + 1) * G * X),
                        Arrays.copyOfRange(x[2], m * G * H, (m + 1) * G * H), Arrays.copyOfRange(x[3], m * G, (m + 1) * G), Arrays.copyOfRange(x[4], m * G, (m + 1) * G), B, T, X, H);
                    System.arraycopy(y, 0, out, m * B * T * H, y.length);
                }
                return out;
            }), g);
    }

    /**
     * A group's model m computes exactly what model m alone computes, forward and gradients, on every backend:
     * the grouped linear map and LSTM layer run the solo kernels per model (what makes a run trained in a group
     * equal the run trained alone).
     */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void aGroupsModelHasTheSoloBits(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int M = g.dim(3), B = g.dim(3), T = g.dim(4), X = g.dim(4), H = g.dim(3), G = 4 * H;
        float[] x = g.floats(M * B * T * X, -1, 1), w = g.floats(M * H * X, -1, 1), b = g.floats(M * H, -1, 1);
        float[] wih = g.floats(M * G * H, -0.8, 0.8), whh = g.floats(M * G * H, -0.8, 0.8), bih = g.floats(M * G, -0.5, 0.5), bhh = g.floats(M * G, -0.5, 0.5);
        float[] up = g.floats(M * B * T * H, -1, 1);
        zooscope.kernels.Backend before = zooscope.kernels.Backends.current();
        try {
            for (zooscope.kernels.Backend be : OpCheck.BACKENDS) {
                zooscope.kernels.Backends.use(be);
                Tensor[] group = {Tensor.of(x, M, B, T, X).requiresGrad(), Tensor.of(w, M, H, X).requiresGrad(), Tensor.of(b, M, H).requiresGrad(),
                    Tensor.of(wih, M, G, H).requiresGrad(), Tensor.of(whh, M, G, H).requiresGrad(), Tensor.of(bih, M, G).requiresGrad(), Tensor.of(bhh, M, G).requiresGrad()};
                Tensor yg = Recurrent.lstmLayer(LinearAlgebra.linear(group[0], group[1], group[2]), group[3], group[4], group[5], group[6]);
                yg.backward(up);
                for (int m = 0; m < M; m++) {
                    int[] sizes = {B * T * X, H * X, H, G * H, G * H, G, G};
                    int[][] shapes = {{B, T, X}, {H, X}, {H}, {G, H}, {G, H}, {G}, {G}};
                    float[][] all = {x, w, b, wih, whh, bih, bhh};
                    Tensor[] solo = new Tensor[7];
                    for (int i = 0; i < 7; i++) solo[i] = Tensor.of(Arrays.copyOfRange(all[i], m * sizes[i], (m + 1) * sizes[i]), shapes[i]).requiresGrad();
                    Tensor ys = Recurrent.lstmLayer(LinearAlgebra.linear(solo[0], solo[1], solo[2]), solo[3], solo[4], solo[5], solo[6]);
                    ys.backward(Arrays.copyOfRange(up, m * B * T * H, (m + 1) * B * T * H));
                    String why = be.name() + ", model " + m + " of " + M + "; " + g.why();
                    org.junit.jupiter.api.Assertions.assertArrayEquals(ys.toArray(), Arrays.copyOfRange(yg.toArray(), m * B * T * H, (m + 1) * B * T * H), "output, " + why);
                    for (int i = 0; i < 7; i++) {
                        org.junit.jupiter.api.Assertions.assertArrayEquals(solo[i].grad(), Arrays.copyOfRange(group[i].grad(), m * sizes[i], (m + 1) * sizes[i]), "gradient of input " + i + ", " + why);
                    }
                }
            }
        } finally {
            zooscope.kernels.Backends.use(before);
        }
    }

    /** Checkpointed attention without dropout against its float64 reference (softmax over the keys), with finite differences. */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void attention(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int N = g.dim(3), T = g.dim(5), S = g.dim(5), e = g.dim(4), f = g.dim(4);
        OpCheck.check(new OpCheck.Case("attention N=" + N + " T=" + T + " S=" + S + " e=" + e + " f=" + f,
            new float[][] {g.floats(N * T * e, -1, 1), g.floats(N * S * e, -1, 1), g.floats(N * S * f, -1, 1)},
            new int[][] {{N, T, e}, {N, S, e}, {N, S, f}}, all(3), t -> Functional.attention(t[0], t[1], t[2], 0.1, false, new Rng(0)), x -> {
                double[] out = new double[N * T * f];
                for (int n = 0; n < N; n++) for (int i = 0; i < T; i++) {
                    double[] w = new double[S];
                    double max = Double.NEGATIVE_INFINITY, z = 0;
                    for (int j = 0; j < S; j++) {
                        for (int c = 0; c < e; c++) w[j] += x[0][(n * T + i) * e + c] * x[1][(n * S + j) * e + c];
                        max = Math.max(max, w[j]);
                    }
                    for (int j = 0; j < S; j++) { w[j] = Math.exp(w[j] - max); z += w[j]; }
                    for (int j = 0; j < S; j++) for (int c = 0; c < f; c++) out[(n * T + i) * f + c] += w[j] / z * x[2][(n * S + j) * f + c];
                }
                return out;
            }), g);
    }

    /**
     * With dropout in training, checkpointed attention gives the unfused chain's values and gradients bit for bit
     * (the same draws from the same stream, the same ops recomputed in backward), on every backend.
     */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void attentionEqualsTheUnfusedChain(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int N = g.dim(3), T = g.dim(6), S = g.dim(6), e = g.dim(4), f = g.dim(4);
        float[] q = g.floats(N * T * e, -2, 2), k = g.floats(N * S * e, -2, 2), v = g.floats(N * S * f, -1, 1), up = g.floats(N * T * f, -1, 1);
        long rngSeed = g.r.nextLong();
        zooscope.kernels.Backend before = zooscope.kernels.Backends.current();
        try {
            for (zooscope.kernels.Backend be : OpCheck.BACKENDS) {
                zooscope.kernels.Backends.use(be);
                Tensor[] a = {Tensor.of(q, N, T, e).requiresGrad(), Tensor.of(k, N, S, e).requiresGrad(), Tensor.of(v, N, S, f).requiresGrad()};
                Tensor[] b = {Tensor.of(q, N, T, e).requiresGrad(), Tensor.of(k, N, S, e).requiresGrad(), Tensor.of(v, N, S, f).requiresGrad()};
                Tensor fused = Functional.attention(a[0], a[1], a[2], 0.3, true, new Rng(rngSeed));
                Tensor chain = Functional.dropout(b[0].bmm(b[1].transpose(1, 2)).softmax(), 0.3, true, new Rng(rngSeed)).bmm(b[2]);
                String why = be.name() + "; " + g.why();
                org.junit.jupiter.api.Assertions.assertArrayEquals(chain.toArray(), fused.toArray(), "values, " + why);
                fused.backward(up);
                chain.backward(up);
                for (int i = 0; i < 3; i++) org.junit.jupiter.api.Assertions.assertArrayEquals(b[i].grad(), a[i].grad(), "gradient of input " + i + ", " + why);
            }
        } finally {
            zooscope.kernels.Backends.use(before);
        }
    }

    /** A checkpointed function (x·w, tanh, times x; w as a parameter of f) against its float64 reference, with finite differences. */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void checkpoint(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int R = g.dim(5), C = g.dim(5);
        OpCheck.check(new OpCheck.Case("checkpoint R=" + R + " C=" + C,
            new float[][] {g.floats(R * C, -2, 2), g.floats(C, -2, 2)}, new int[][] {{R, C}, {C}}, all(2),
            t -> Functional.checkpoint(x -> x.mul(t[1]).tanh().mul(x), t[0], java.util.List.of(t[1])), x -> {
                double[] out = new double[R * C];
                for (int i = 0; i < R * C; i++) out[i] = Math.tanh(x[0][i] * x[1][i % C]) * x[0][i];
                return out;
            }), g);
    }

    /**
     * A checkpointed block with dropout inside (a transformer layer's feed-forward shape: linear, ReLU, dropout,
     * linear, with draws from the same stream before and after it and a residual around it) gives the unfused
     * chain's values and gradients, of the input and of every parameter, bit for bit, on every backend.
     */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void checkpointEqualsTheUnfusedChain(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int B = g.dim(3), T = g.dim(5), d = g.dim(6), ffn = g.dim(8);
        float[] x = g.floats(B * T * d, -2, 2), up = g.floats(B * T * d, -1, 1);
        long rngSeed = g.r.nextLong(), initSeed = g.r.nextLong();
        zooscope.kernels.Backend before = zooscope.kernels.Backends.current();
        try {
            for (zooscope.kernels.Backend be : OpCheck.BACKENDS) {
                zooscope.kernels.Backends.use(be);
                Tensor[] out = new Tensor[2], in = new Tensor[2];
                long[] next = new long[2];
                java.util.List<java.util.List<Tensor>> params = new java.util.ArrayList<>();
                for (int fused = 0; fused < 2; fused++) {
                    Rng rng = new Rng(rngSeed), init = new Rng(initSeed);
                    zooscope.engine.nn.Linear l1 = new zooscope.engine.nn.Linear(d, ffn, init), l2 = new zooscope.engine.nn.Linear(ffn, d, init);
                    java.util.function.UnaryOperator<Tensor> block = h -> l2.forward(Functional.dropout(l1.forward(h).relu(), 0.3, true, rng));
                    in[fused] = Tensor.of(x, B, T, d).requiresGrad();
                    Tensor h = Functional.dropout(in[fused].tanh(), 0.2, true, rng);
                    Tensor ff = fused == 1 ? Functional.checkpoint(block, h, java.util.List.of(l1.weight, l1.bias, l2.weight, l2.bias), rng) : block.apply(h);
                    out[fused] = h.add(Functional.dropout(ff, 0.4, true, rng));
                    out[fused].backward(up);
                    next[fused] = rng.nextLong(); // the recompute in backward leaves the stream where forward left it
                    params.add(java.util.List.of(l1.weight, l1.bias, l2.weight, l2.bias));
                }
                String why = be.name() + "; " + g.why();
                org.junit.jupiter.api.Assertions.assertArrayEquals(out[0].toArray(), out[1].toArray(), "values, " + why);
                org.junit.jupiter.api.Assertions.assertArrayEquals(in[0].grad(), in[1].grad(), "gradient of the input, " + why);
                org.junit.jupiter.api.Assertions.assertEquals(next[0], next[1], "the dropout stream after backward, " + why);
                for (int i = 0; i < 4; i++) org.junit.jupiter.api.Assertions.assertArrayEquals(params.get(0).get(i).grad(), params.get(1).get(i).grad(), "gradient of parameter " + i + ", " + why);
            }
        } finally {
            zooscope.kernels.Backends.use(before);
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void lstmCell(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int R = g.dim(6), H = g.dim(5);
        OpCheck.check(new OpCheck.Case("lstm_cell rows=" + R + " H=" + H,
            new float[][] {g.floats(R * 4 * H, -3, 3), g.floats(R * H, -2, 2)}, new int[][] {{R, 4 * H}, {R, H}}, all(2),
            t -> Recurrent.cell(t[0], t[1]),
            x -> {
                double[] out = new double[R * 2 * H];
                for (int r = 0; r < R; r++) {
                    for (int j = 0; j < H; j++) {
                        double[] a = x[0];
                        int o = r * 4 * H;
                        double i = 1 / (1 + Math.exp(-a[o + j])), f = 1 / (1 + Math.exp(-a[o + H + j]));
                        double gg = Math.tanh(a[o + 2 * H + j]), og = 1 / (1 + Math.exp(-a[o + 3 * H + j]));
                        double c = f * x[1][r * H + j] + i * gg;
                        out[r * 2 * H + j] = og * Math.tanh(c);
                        out[r * 2 * H + H + j] = c;
                    }
                }
                return out;
            }), g);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void batchedLinearWithFrozenWeights(long seed) {
        Cases.Gen g = Cases.gen(seed);
        int B = g.dim(4), M = g.dim(4), in = g.dim(6), out = g.dim(5), pad = g.dim(3);
        int wOff = pad, b1 = pad + out * in, b2 = b1 + out, P = b2 + out + g.dim(3);
        float[] theta = g.floats(B * P, -1, 1);
        OpCheck.check(new OpCheck.Case("batched_linear B=" + B + " M=" + M + " in=" + in + " out=" + out,
            new float[][] {g.floats(B * M * in, -1, 1)}, new int[][] {{B, M, in}}, all(1),
            t -> {
                Tensor th = Tensor.of(theta, B, P), thT = LinearAlgebra.transposedBlocks(th, new int[] {wOff}, new int[] {out}, new int[] {in});
                float[] tt = thT.toArray(); // the block transposed, the rest copied
                for (int b = 0; b < B; b++) for (int p = 0; p < P; p++) {
                    int q = p - wOff;
                    float want = q >= 0 && q < out * in ? theta[b * P + wOff + (q % out) * in + q / out] : theta[b * P + p];
                    if (tt[b * P + p] != want) throw new AssertionError("transposedBlocks at row " + b + ", entry " + p + "; " + g.why());
                }
                return LinearAlgebra.batchedLinear(t[0], th, thT, wOff, out, b1, b2);
            },
            x -> {
                double[] y = new double[B * M * out];
                for (int b = 0; b < B; b++) {
                    for (int m = 0; m < M; m++) {
                        for (int o = 0; o < out; o++) {
                            double s = (double) theta[b * P + b1 + o] + theta[b * P + b2 + o];
                            for (int p = 0; p < in; p++) s += (double) theta[b * P + wOff + o * in + p] * x[0][(b * M + m) * in + p];
                            y[(b * M + m) * out + o] = s;
                        }
                    }
                }
                return y;
            }), g);
    }
}
