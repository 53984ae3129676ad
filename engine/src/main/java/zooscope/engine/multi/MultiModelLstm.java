package zooscope.engine.multi;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import zooscope.engine.LstmLayerPass;
import zooscope.engine.Recurrent;
import zooscope.engine.nn.LstmLayout;
import zooscope.engine.optim.AdamW;
import zooscope.kernels.Backend;
import zooscope.kernels.Backends;
import zooscope.kernels.Buffer;
import zooscope.kernels.HostBackend;

/**
 * M independent zoo LSTMs ({@link LstmLayout}: stacked LSTM + linear head at every step) trained
 * together with teacher forcing, cross-entropy over all positions and AdamW. Parameters are stacked
 * along a leading model axis: model m's flat vector (PyTorch order) is {@code [m·P, (m+1)·P)} of one
 * buffer of the backend current at construction, and so are its gradients and AdamW moments; every step
 * is calls to that backend. Each model has its own batch (from {@link Batches},
 * which should draw from a per-model random stream), its own learning rate per step and weight decay.
 *
 * <p>On the CPU backends, models are split into contiguous chunks, one per worker thread of a fixed pool;
 * a worker trains its models one after another with its own preallocated workspace, so the training loop
 * allocates nothing. A model's arithmetic never depends on the others, on the chunking or on the thread
 * count: model k of a group is bit-identical to model k trained alone on the same backend. On a device
 * backend all models run together instead ({@link StackedPass}: one batched call per GEMM and one cell
 * call per time step for the whole group), which agrees with the per-model pass to float32 rounding.
 */
public final class MultiModelLstm implements AutoCloseable {
    /** Fills model m's batch: inputs x [batch, time, input] and class targets y [batch·time], batch-first. */
    @FunctionalInterface
    public interface Batches { void fill(int model, float[] x, int[] y); }

    public final LstmLayout layout;
    public final int models, batch, time, threads;
    private final int P, L, X, H, O, TB;
    private final Backend k;
    private final Buffer params, grads, adamM, adamV;
    private final long[] updates;
    private final double[] weightDecay;
    private final Workspace[] workspaces;
    private final int[] chunkStart;
    private final ExecutorService pool;
    /** The all-models-at-once pass (device backends), else null. */
    private final StackedPass stacked;

    public MultiModelLstm(LstmLayout layout, int models, int batch, int time, int threads) {
        this(layout, models, batch, time, threads, !(Backends.current() instanceof HostBackend));
    }

    /**
     * As above, choosing the pass: {@code stacked} runs all models at once (the default on device backends),
     * else one model at a time per worker thread (the default on the CPU backends).
     */
    public MultiModelLstm(LstmLayout layout, int models, int batch, int time, int threads, boolean stacked) {
        if (models < 1 || batch < 1 || time < 1 || threads < 1) {
            throw new IllegalArgumentException("models, batch, time and threads must be positive: " + models + ", " + batch + ", " + time + ", " + threads);
        }
        this.layout = layout;
        this.models = models;
        this.batch = batch;
        this.time = time;
        this.threads = Math.min(threads, models);
        P = layout.size();
        L = layout.layers();
        X = layout.input();
        H = layout.hidden();
        O = layout.output();
        TB = time * batch;
        long total = (long) models * P;
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException(models + " models of " + P + " parameters do not fit one buffer; use smaller groups");
        k = Backends.current();
        params = k.allocate((int) total);
        grads = k.allocate((int) total);
        adamM = k.allocate((int) total);
        adamV = k.allocate((int) total);
        updates = new long[models];
        weightDecay = new double[models];
        chunkStart = new int[this.threads + 1];
        for (int c = 0; c <= this.threads; c++) chunkStart[c] = (int) ((long) c * models / this.threads);
        this.stacked = stacked ? new StackedPass(k, layout, models, batch, time) : null;
        workspaces = new Workspace[this.threads];
        for (int c = 0; c < workspaces.length; c++) workspaces[c] = new Workspace(!stacked);
        pool = Executors.newFixedThreadPool(this.threads, Backends.modelWorkers("zooscope-train"));
    }

    /** Per-worker host arrays for one model's batch and, for the per-model pass, buffers for its forward and backward pass. */
    private final class Workspace {
        final float[] hostX = new float[TB * X];
        final int[] y = new int[TB], yt = new int[TB];
        Buffer x, xt, logits, logp, dH, dHBelow;
        final LstmLayerPass[] layers = new LstmLayerPass[L];

        Workspace(boolean passBuffers) {
            if (!passBuffers) return;
            x = k.allocate(TB * X);
            xt = k.allocate(TB * X);
            logits = k.allocate(TB * O);
            logp = k.allocate(TB * O);
            dH = k.allocate(TB * H);
            dHBelow = k.allocate(TB * H);
            for (int l = 0; l < L; l++) layers[l] = new LstmLayerPass(k, batch, time, l == 0 ? X : H, H);
        }
    }

    /** Sets model m's parameters (flat, PyTorch order) and resets its optimiser state. */
    public void setParams(int model, float[] flat) {
        if (flat.length != P) throw new IllegalArgumentException("model " + model + ": " + flat.length + " parameters, layout " + layout + " has " + P);
        k.copyIn(flat, 0, params, model * P, P);
        k.fill(adamM, model * P, P, 0f);
        k.fill(adamV, model * P, P, 0f);
        updates[model] = 0;
    }

    /** A copy of model m's parameters (flat, PyTorch order). */
    public float[] params(int model) {
        float[] out = new float[P];
        k.copyOut(params, model * P, out, 0, P);
        return out;
    }

    public void setWeightDecay(int model, double wd) { weightDecay[model] = wd; }

    /** AdamW updates model m has had. */
    public long updates(int model) { return updates[model]; }

    /**
     * One AdamW update of every model on its own batch, model m with learning rate lr[m]. Writes each
     * model's training loss (before the update) into {@code losses}; a model whose loss is not finite is
     * still updated (the caller decides what to do with it) and does not affect the others.
     */
    public void step(Batches data, double[] lr, float[] losses) {
        if (lr.length != models || losses.length != models) throw new IllegalArgumentException("lr and losses need one entry per model (" + models + ")");
        if (stacked != null) {
            runChunks(c -> {
                Workspace w = workspaces[c];
                stacked.loadChunk(data, chunkStart[c], chunkStart[c + 1], w.hostX, w.y);
            });
            stacked.upload();
            stacked.forwardBackward(params, grads, losses);
            for (int m = 0; m < models; m++) updates[m]++;
            k.adamWGroups(models, P, params, 0, grads, 0, adamM, adamV, 0, updates, lr, AdamW.BETA1, AdamW.BETA2, AdamW.EPS, weightDecay);
            k.sync();
            return;
        }
        runChunks(c -> trainChunk(c, data, lr, losses));
        k.sync(); // the update is complete when step returns
    }

    /** Runs the work of every chunk of models on the pool, one task per worker, and waits for all. */
    private void runChunks(java.util.function.IntConsumer chunkWork) {
        List<Callable<Void>> tasks = new ArrayList<>(threads);
        for (int c = 0; c < threads; c++) {
            int chunk = c;
            tasks.add(() -> { chunkWork.accept(chunk); return null; });
        }
        try {
            for (Future<Void> f : pool.invokeAll(tasks)) f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("training interrupted", e);
        }
    }

    private void trainChunk(int chunk, Batches data, double[] lr, float[] losses) {
        Workspace w = workspaces[chunk];
        for (int m = chunkStart[chunk]; m < chunkStart[chunk + 1]; m++) {
            data.fill(m, w.hostX, w.y);
            k.copyIn(w.hostX, 0, w.x, 0, TB * X);
            losses[m] = forwardBackward(m * P, w);
            updates[m]++;
            k.adamW(P, params, m * P, grads, m * P, adamM, adamV, m * P, updates[m], lr[m], AdamW.BETA1, AdamW.BETA2, AdamW.EPS, weightDecay[m]);
        }
    }

    /** Loss of the model at {@code base} on the workspace's batch; leaves its gradients in {@code grads}. */
    private float forwardBackward(int base, Workspace w) {
        Recurrent.toTimeMajor(k, w.x, 0, batch, time, X, w.xt, 0);
        for (int b = 0; b < batch; b++) for (int t = 0; t < time; t++) w.yt[t * batch + b] = w.y[b * time + t];
        Buffer p = params;

        Buffer in = w.xt;
        int inOff = 0;
        for (int l = 0; l < L; l++) {
            LstmLayerPass layer = w.layers[l];
            layer.forward(in, inOff, p, base + layout.weightIh(l), p, base + layout.weightHh(l), p, base + layout.biasIh(l), p, base + layout.biasHh(l));
            in = layer.hs;
            inOff = layer.outputOffset();
        }
        int[] rows = {TB, O}, dense = {O, 1}, row = {0, 1};
        k.copy(rows, p, base + layout.headBias(), row, w.logits, 0, dense);                                   // logits = b_out,
        k.gemm(false, true, TB, O, H, 1f, in, inOff, H, p, base + layout.headWeight(), H, 1f, w.logits, 0, O);   //   + h·W_outᵀ
        k.softmaxRows(true, w.logits, 0, w.logp, 0, TB, O);
        double loss = k.nllRows(w.logp, 0, TB, O, w.yt);
        Buffer d = w.logp; // ∂L/∂logits = (softmax − one-hot) / (T·B), in place of logp
        k.nllRowsBackward(w.logp, 0, TB, O, w.yt, 1f / TB, d, 0, false);

        k.fill(grads, base, P, 0f);
        k.gemm(true, false, O, H, TB, 1f, d, 0, O, in, inOff, H, 1f, grads, base + layout.headWeight(), H);      // dW_out += dᵀ·h
        k.add(rows, 1f, d, 0, dense, grads, base + layout.headBias(), row);                                   // db_out += Σ_rows d
        k.gemm(false, false, TB, H, O, 1f, d, 0, O, p, base + layout.headWeight(), H, 0f, w.dH, 0, H);          // dh = d·W_out
        for (int l = L - 1; l >= 0; l--) {
            Buffer lin = l == 0 ? w.xt : w.layers[l - 1].hs;
            int linOff = l == 0 ? 0 : w.layers[l - 1].outputOffset();
            w.layers[l].backward(lin, linOff, w.dH, 0, p, base + layout.weightIh(l), p, base + layout.weightHh(l),
                grads, base + layout.weightIh(l), grads, base + layout.weightHh(l), grads, base + layout.biasIh(l), grads, base + layout.biasHh(l),
                l > 0 ? w.dHBelow : null, 0);
            Buffer swap = w.dH; w.dH = w.dHBelow; w.dHBelow = swap;
        }
        return (float) (loss / TB);
    }

    /**
     * Floating-point operations of one model's training step in its GEMMs (multiply-add = 2):
     * forward input and recurrent projections and the head, and twice that for the backward pass.
     */
    public double flopsPerModelStep() {
        double fwd = 0;
        for (int l = 0; l < L; l++) fwd += 2.0 * TB * 4 * H * ((l == 0 ? X : H) + H);
        fwd += 2.0 * TB * H * O;
        return 3 * fwd;
    }

    @Override public void close() { pool.shutdownNow(); }
}
