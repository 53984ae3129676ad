package zooscope.formal;

import zooscope.engine.Rng;

/**
 * The formal-language tasks of PAPER.md §4: languages a^n b^(n+m_b) c^(n+m_c) d^(n+m_d) given by an
 * occurrence-difference vector d = [0, m_b, m_c, m_d], token ids a..d = 0..3, BOS = 4, EOS = 5.
 */
public final class FormalLanguage {
    public static final int LETTERS = 4, BOS = 4, EOS = 5, VOCAB = 6;
    /** Sequence length including BOS; the model sees 41 inputs and predicts 41 targets. */
    public static final int LENGTH = 42;
    /** n is drawn from {min_n, …, MAX_N − 1}. */
    public static final int MAX_N = 10;

    private final int[] d;

    public FormalLanguage(int... d) {
        if (d.length != LETTERS || d[0] != 0) {
            throw new IllegalArgumentException("task must be [0, m_b, m_c, m_d], got " + java.util.Arrays.toString(d));
        }
        this.d = d.clone();
    }

    public int[] task() { return d.clone(); }

    /** The smallest n for which every count n + d_k is non-negative. */
    public int minN() {
        int min = 0;
        for (int v : d) min = Math.min(min, v);
        return -min;
    }

    /**
     * BOS, then n+d_0 a's, n+d_1 b's, n+d_2 c's, n+d_3 d's, then EOS up to {@link #LENGTH} tokens
     * (truncated, without EOS, when the letters do not fit).
     */
    public short[] sequence(int n) {
        if (n < minN()) throw new IllegalArgumentException("n = " + n + " gives negative counts for task " + java.util.Arrays.toString(d));
        short[] s = new short[LENGTH];
        for (int i = 0; i < LENGTH; i++) s[i] = (short) token(n, i);
        return s;
    }

    /**
     * Token {@code i} of {@link #sequence}(n): BOS at 0; then letter k while the position (counted from 1)
     * is within the first c_0 + … + c_k letters, where c_k = n + d_k; EOS after the letters.
     */
    public int token(int n, int i) {
        if (i == 0) return BOS;
        int end = 0;
        for (int k = 0; k < LETTERS; k++) {
            end += n + d[k];
            if (i - 1 < end) return k;
        }
        return EOS;
    }

    /** n of a training sequence: uniform in {min_n, …, 9}. */
    public int sampleN(Rng rng) { return minN() + rng.nextInt(MAX_N - minN()); }

    /**
     * A teacher-forcing batch of {@code batch} fresh sequences (PAPER.md §4.3): inputs x [batch, 41, 6], the
     * one-hot tokens 0..40, and targets y [batch·41], the tokens 1..41.
     */
    public void fillBatch(Rng rng, int batch, float[] x, int[] y) {
        int T = LENGTH - 1;
        java.util.Arrays.fill(x, 0, batch * T * VOCAB, 0f);
        for (int b = 0; b < batch; b++) {
            int n = sampleN(rng);
            for (int t = 0; t < T; t++) {
                x[(b * T + t) * VOCAB + token(n, t)] = 1f;
                y[b * T + t] = token(n, t + 1);
            }
        }
    }

    /** A training sequence with n uniform in {min_n, …, 9}. */
    public short[] sample(Rng rng) { return sequence(sampleN(rng)); }

    /**
     * The reference's count-only rule: the sequence has an EOS and, counting letters up to the first
     * EOS, count_k − d_k is the same for every letter. Order and BOS tokens inside are ignored.
     */
    public boolean acceptsCountOnly(short[] seq) {
        int[] counts = new int[LETTERS];
        for (short t : seq) {
            if (t == EOS) return sameOffset(counts);
            if (t < LETTERS) counts[t]++;
        }
        return false;
    }

    /**
     * The stricter rule (PAPER.md §15.4): after the leading BOS and up to the first EOS, no BOS, letters in
     * non-decreasing order, and count_k − d_k equal for all k.
     */
    public boolean acceptsStrict(short[] seq) {
        int[] counts = new int[LETTERS];
        int last = 0;
        for (int p = 1; p < seq.length; p++) {
            int t = seq[p];
            if (t == EOS) return sameOffset(counts);
            if (t == BOS || t < last) return false;
            counts[t]++;
            last = t;
        }
        return false;
    }

    private boolean sameOffset(int[] counts) {
        int n = counts[0] - d[0];
        for (int k = 1; k < LETTERS; k++) if (counts[k] - d[k] != n) return false;
        return n >= 0;
    }

    /** A token drawn from log-probabilities {@code logp[off..off+VOCAB)} by inverting the cumulative sum with one uniform. */
    public static short sampleToken(zooscope.engine.Rng rng, float[] logp, int off) {
        double u = rng.nextDouble(), acc = 0;
        for (int v = 0; v < VOCAB; v++) {
            acc += Math.exp(logp[off + v]);
            if (u < acc) return (short) v;
        }
        return VOCAB - 1;
    }
}
