package zooscope.zoo;

import java.util.LinkedHashMap;
import java.util.Map;
import zooscope.engine.Rng;
import zooscope.engine.io.NdArray;
import zooscope.engine.multi.LstmStepper;
import zooscope.engine.nn.LstmLayout;
import zooscope.formal.FormalLanguage;

/**
 * The formal-language zoo (PAPER.md §4): a task d = [0, m_b, m_c, m_d] per run with each m uniform in
 * −3..2, fresh teacher-forced batches, weight decay 1e-4; per checkpoint 1000 sampled strings judged by
 * the count-only and the strict rule, and 100 more stored with the model's log-softmax outputs.
 */
final class FormalZoo implements ZooRecipe {
    static final int SAMPLES = 1000, ROLLOUTS = 100, BATCH = 32;
    static final double WEIGHT_DECAY = 1e-4;
    /** zooscope's addition to the layout: strings accepted by the strict rule, (N,) int64. */
    static final String STRICT_FILE = "num_correct_strict.npy";
    private static final int V = FormalLanguage.VOCAB, LEN = FormalLanguage.LENGTH, T = LEN - 1;
    private static final LstmLayout LAYOUT = LstmLayout.FORMAL;

    private final long seed;

    FormalZoo(long seed) { this.seed = seed; }

    @Override public ZooKind kind() { return ZooKind.FORMAL; }

    /** Run {@code run}'s task: m_b, m_c, m_d uniform in −3..2 from its TASK stream. */
    static FormalLanguage task(long seed, int run) {
        Rng r = Rng.stream(seed, run, TASK);
        return new FormalLanguage(0, r.nextInt(6) - 3, r.nextInt(6) - 3, r.nextInt(6) - 3);
    }

    @Override
    public Run run(int index) {
        FormalLanguage lang = task(seed, index);
        Rng data = Rng.stream(seed, index, DATA);
        return new Run() {
            @Override public int index() { return index; }
            @Override public double weightDecay() { return WEIGHT_DECAY; }
            @Override public float[] initialParams() { return LAYOUT.flatten(LAYOUT.newModel(Rng.stream(seed, index, INIT))); }
            @Override public String describe() { return "d = " + java.util.Arrays.toString(lang.task()); }

            @Override public void fillBatch(float[] x, int[] y) { lang.fillBatch(data, BATCH, x, y); }
        };
    }

    @Override
    public Map<String, Object> referenceArgs(int runs) {
        Map<String, Object> a = ZooRecipe.builderArgs(seed);
        a.put("num_tokens", FormalLanguage.LETTERS);
        a.put("sequence_length", LEN);
        a.put("max_n", FormalLanguage.MAX_N);
        a.put("random_seq_prob", 0.0);
        a.put("num_training_runs", runs);
        a.put("one_hot_input", 1);
        a.put("rnn_hidden_size", LAYOUT.hidden());
        a.put("rnn_num_layers", LAYOUT.layers());
        return a;
    }

    @Override public Evaluator evaluator() { return new Sampler(); }

    /** Samples SAMPLES + ROLLOUTS strings at once, one time step for all of them per stepper call. */
    private final class Sampler implements Evaluator {
        private final int B = SAMPLES + ROLLOUTS;
        private final LstmStepper stepper = new LstmStepper(LAYOUT, B);
        private final float[] x = new float[B * V], logp = new float[B * V];
        private final short[] seqs = new short[B * LEN];

        @Override
        public Map<String, NdArray> evaluate(Run run, int step, float[] params) {
            FormalLanguage lang = task(seed, run.index());
            Rng rng = Rng.stream(seed, run.index(), EVAL, step);
            stepper.load(params, 0);
            float[] stored = new float[ROLLOUTS * T * V];
            for (int b = 0; b < B; b++) seqs[b * LEN] = FormalLanguage.BOS;
            for (int t = 0; t < T; t++) {
                java.util.Arrays.fill(x, 0f);
                for (int b = 0; b < B; b++) x[b * V + seqs[b * LEN + t]] = 1f;
                stepper.step(x, 0, null, logp);
                for (int b = 0; b < B; b++) seqs[b * LEN + t + 1] = FormalLanguage.sampleToken(rng, logp, b * V);
                for (int r = 0; r < ROLLOUTS; r++) System.arraycopy(logp, (SAMPLES + r) * V, stored, (r * T + t) * V, V);
            }
            int countOnly = 0, strict = 0;
            short[] s = new short[LEN];
            for (int b = 0; b < SAMPLES; b++) {
                System.arraycopy(seqs, b * LEN, s, 0, LEN);
                if (lang.acceptsCountOnly(s)) countOnly++;
                if (lang.acceptsStrict(s)) strict++;
            }
            short[] rollouts = java.util.Arrays.copyOfRange(seqs, SAMPLES * LEN, B * LEN);
            for (int r = 0; r < ROLLOUTS; r++) markNoEos(rollouts, r * LEN);

            Map<String, NdArray> row = new LinkedHashMap<>();
            row.put("parameters.npy", NdArray.ofFloats(params, 1, params.length));
            row.put("sequences.npy", NdArray.ofShorts(rollouts, 1, ROLLOUTS, LEN));
            row.put("logits.npy", NdArray.ofFloat16(stored, 1, ROLLOUTS, T, V));
            row.put("tasks.npy", NdArray.ofLongs(java.util.Arrays.stream(lang.task()).asLongStream().toArray(), 1, 4));
            row.put("num_step_correct.npy", NdArray.ofLongs(new long[] {run.index(), step, countOnly}, 1, 3));
            row.put(STRICT_FILE, NdArray.ofLongs(new long[] {strict}, 1));
            return row;
        }
    }

    /**
     * The reference's stored rollouts went through its acceptance routine, which writes EOS at the index
     * of the first EOS, and that index is 0 when there is none (PAPER.md §4.4): a rollout without EOS is
     * stored with EOS at position 0. Kept so that zoos are interchangeable; readers treat position 0 as BOS.
     */
    static void markNoEos(short[] seqs, int off) {
        for (int p = off; p < off + LEN; p++) if (seqs[p] == FormalLanguage.EOS) return;
        seqs[off] = FormalLanguage.EOS;
    }
}
