package zooscope.zoo;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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

    static final ZooContents CONTENTS = new Contents();

    /** Reading a formal zoo: tasks [0, m_b, m_c, m_d], strings accepted of 1000, one-hot token inputs. */
    private static final class Contents implements ZooContents {
        @Override
        public void check(Zoo zoo, Map<Integer, List<Long>> runs, List<String> problems) {
            NdArray tasks = zoo.file("tasks.npy"), labels = zoo.file("num_step_correct.npy"), seqs = zoo.file("sequences.npy");
            NdArray strict = zoo.file(STRICT_FILE);
            for (long r = 0; r < zoo.rows; r++) {
                long[] d = task(tasks, r);
                if (d[0] != 0 || Arrays.stream(d).anyMatch(v -> v < -3 || v > 2)) { problems.add("tasks.npy: row " + r + ": " + Arrays.toString(d) + ", expected [0, m_b, m_c, m_d] with m in -3..2"); break; }
                if (!Arrays.equals(task(tasks, runs.get(zoo.run(r)).getFirst()), d)) { problems.add("tasks.npy: run " + zoo.run(r) + " changes its task at row " + r); break; }
                long correct = labels.getLong(3 * r + 2);
                if (correct < 0 || correct > SAMPLES) { problems.add("num_step_correct.npy: row " + r + ": " + correct + " accepted, expected 0..1000"); break; }
                if (strict != null && (strict.getLong(r) < 0 || strict.getLong(r) > correct)) {
                    problems.add(STRICT_FILE + ": row " + r + ": " + strict.getLong(r) + " strictly accepted, expected 0.." + correct + " (count-only)");
                    break;
                }
            }
            long n = seqs.size();
            for (long i = 0; i < n; i++) {
                long t = seqs.getLong(i);
                if (t < 0 || t >= V) { problems.add("sequences.npy: value " + i + " is token " + t + ", expected 0..5"); break; }
            }
        }

        private static long[] task(NdArray tasks, long r) {
            return new long[] {tasks.getLong(4 * r), tasks.getLong(4 * r + 1), tasks.getLong(4 * r + 2), tasks.getLong(4 * r + 3)};
        }

        @Override
        public double[] quality(Zoo zoo, long row) {
            NdArray strict = zoo.file(STRICT_FILE);
            return new double[] {zoo.file("num_step_correct.npy").getLong(3 * row + 2), strict == null ? Double.NaN : strict.getLong(row), 0};
        }

        @Override public double performance(Zoo zoo, long row) { return quality(zoo, row)[0] / SAMPLES; }

        @Override public String summaryHeader() { return String.format("%-32s  %s", "accepted of 1000 (count-only) mean [min, max]", "strict mean"); }

        @Override
        public String summaryLine(int step, int runs, double[] mean, double lo, double hi) {
            return String.format("%8d %5d  %7.1f [%4.0f, %4.0f]%13s  %s%n", step, runs, mean[0], lo, hi, "", Double.isNaN(mean[1]) ? "-" : String.format("%.1f", mean[1]));
        }

        @Override public String taskHeader() { return "task [0,m_b,m_c,m_d]"; }
        @Override public String task(Zoo zoo, long row) { return Arrays.toString(task(zoo.file("tasks.npy"), row)); }
        @Override public String qualityCell(double[] quality) { return String.format("%7.0f", quality[0]); }
        @Override public String tableNote() { return "   (accepted of 1000, count-only rule, after update N)"; }

        /** One-hot tokens; position 0 is BOS (a stored rollout may hold EOS there, see markNoEos). */
        @Override
        public void rolloutInputs(Zoo zoo, long item, int time, int inputs, float[] x, int off) {
            NdArray sequences = zoo.file("sequences.npy");
            long seqLen = sequences.shape()[2];
            for (int t = 0; t < time; t++) {
                int tok = t == 0 ? FormalLanguage.BOS : (int) sequences.getLong(item * seqLen + t);
                x[off + t * inputs + tok] = 1f;
            }
        }

        /** The entropy of t' = 1 + d − min(d) read as a distribution. */
        @Override
        public double splitCriterion(double[] task) {
            double min = Arrays.stream(task).min().orElseThrow(), sum = 0, h = 0;
            for (double v : task) sum += 1 + v - min;
            for (double v : task) {
                double p = (1 + v - min) / sum;
                h -= p * Math.log(p + 1e-6);
            }
            return h;
        }

        @Override public String taskColouring() { return "coloured by the task's m_d (its last coordinate)"; }
        @Override public String performanceColouring() { return "coloured by performance (accepted / 1000)"; }
    }

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
