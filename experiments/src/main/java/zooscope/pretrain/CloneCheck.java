package zooscope.pretrain;

import java.util.HashMap;
import java.util.Map;
import zooscope.encoders.Emulator;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.multi.LstmStepper;
import zooscope.formal.FormalLanguage;

/**
 * The cloned-performance check of formal-language pre-training (PAPER.md §9, §9.1.10): for RNNs evenly
 * spaced over a split, the original RNN and the emulator conditioned on the RNN's z each sample strings
 * from BOS; performance = accepted (count-only rule) / finished (strings with an EOS), 0 if none finished.
 * Logged: the mean |original − clone|. The originals' figures are sampled once (their own seeded streams).
 */
final class CloneCheck implements PerformanceCheck {
    private static final int V = FormalLanguage.VOCAB, T = FormalLanguage.LENGTH - 1;
    private final Pretrainer p;
    private final CloneRows check;
    private final Map<Long, Double> original = new HashMap<>();

    CloneCheck(Pretrainer p) {
        this.p = p;
        this.check = new CloneRows(p);
    }

    @Override
    public double meanAbsDifference(TaskSplit.Part part, int step, StringBuilder csv) {
        long[] rows = check.rows(part);
        if (rows.length == 0) return Double.NaN;
        double[] clone = clonePerformance(rows, Rng.stream(p.seed, Pretrainer.CLONE, step, part.ordinal()));
        double sum = 0;
        for (int i = 0; i < rows.length; i++) {
            double o = original.computeIfAbsent(rows[i], this::originalPerformance);
            sum += Math.abs(o - clone[i]);
            csv.append(String.format(java.util.Locale.ROOT, "%d,%s,%d,%.5f,%.5f%n", step, part.name().toLowerCase(), rows[i], o, clone[i]));
        }
        return sum / rows.length;
    }

    private FormalLanguage language(long row) {
        double[] d = TaskSplit.task(p.zoo, row);
        return new FormalLanguage((int) d[0], (int) d[1], (int) d[2], (int) d[3]);
    }

    /** The zoo RNN itself, sampled with its own stream. */
    private double originalPerformance(long row) {
        int S = p.cfg.cloneSamples();
        LstmStepper rnn = new LstmStepper(p.zoo.kind.layout, S);
        rnn.load(p.zoo.parameters(row), 0);
        Rng rng = Rng.stream(Pretrainer.EVAL_SEED, Pretrainer.CLONE, row);
        short[] seqs = new short[S * FormalLanguage.LENGTH];
        float[] x = new float[S * V], logp = new float[S * V];
        for (int s = 0; s < S; s++) seqs[s * FormalLanguage.LENGTH] = FormalLanguage.BOS;
        for (int t = 0; t < T; t++) {
            java.util.Arrays.fill(x, 0f);
            for (int s = 0; s < S; s++) x[s * V + seqs[s * FormalLanguage.LENGTH + t]] = 1f;
            rnn.step(x, 0, null, logp);
            for (int s = 0; s < S; s++) seqs[s * FormalLanguage.LENGTH + t + 1] = FormalLanguage.sampleToken(rng, logp, s * V);
        }
        return performance(language(row), seqs, S);
    }

    /** The emulator conditioned on each row's z, cloneSamples strings per row, all rows at once. */
    private double[] clonePerformance(long[] rows, Rng rng) {
        int R = rows.length, S = p.cfg.cloneSamples(), N = R * S, L = FormalLanguage.LENGTH;
        p.encoder.train(false);
        p.emulator.train(false);
        short[] seqs = new short[N * L];
        try (var off = Grad.off()) {
            int[] rowOf = new int[N];
            for (int i = 0; i < N; i++) rowOf[i] = i / S;
            Emulator.Stepper em = p.emulator.stepper(p.encoder.encode(p.data.theta(rows)).gather(0, rowOf)); // each row's z, S times
            for (int i = 0; i < N; i++) seqs[i * L] = FormalLanguage.BOS;
            for (int t = 0; t < T; t++) {
                float[] x = new float[N * V];
                for (int i = 0; i < N; i++) x[i * V + seqs[i * L + t]] = 1f;
                float[] logp = em.step(Tensor.of(x, N, V)).logSoftmax().toArray();
                for (int i = 0; i < N; i++) seqs[i * L + t + 1] = FormalLanguage.sampleToken(rng, logp, i * V);
            }
        }
        double[] perf = new double[R];
        for (int r = 0; r < R; r++) perf[r] = performance(language(rows[r]), java.util.Arrays.copyOfRange(seqs, r * S * L, (r + 1) * S * L), S);
        return perf;
    }

    /** Accepted (count-only) / finished, 0 if none finished (the reference's clone score). */
    static double performance(FormalLanguage lang, short[] seqs, int count) {
        int L = FormalLanguage.LENGTH, finished = 0, accepted = 0;
        short[] s = new short[L];
        for (int i = 0; i < count; i++) {
            System.arraycopy(seqs, i * L, s, 0, L);
            boolean hasEos = false;
            for (short tok : s) if (tok == FormalLanguage.EOS) { hasEos = true; break; }
            if (!hasEos) continue;
            finished++;
            if (lang.acceptsCountOnly(s)) accepted++;
        }
        return finished == 0 ? 0 : (double) accepted / finished;
    }
}
