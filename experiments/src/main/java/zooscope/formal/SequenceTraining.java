package zooscope.formal;

import zooscope.engine.Functional;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.LstmWithHead;

/**
 * Teacher-forced next-token training of an {@link LstmWithHead} on a formal language (PAPER.md §4.3)
 * and autoregressive sampling from it (§4.4).
 */
public final class SequenceTraining {
    private SequenceTraining() {}

    /** One-hot inputs of tokens 0..40 of each sequence: [batch, 41, 6]. */
    public static Tensor inputs(short[][] seqs) {
        int T = FormalLanguage.LENGTH - 1;
        int[] idx = new int[seqs.length * T];
        for (int b = 0; b < seqs.length; b++) for (int t = 0; t < T; t++) idx[b * T + t] = seqs[b][t];
        return Tensor.oneHot(FormalLanguage.VOCAB, idx, seqs.length, T);
    }

    /** Targets: tokens 1..41 of each sequence, flattened. */
    public static int[] targets(short[][] seqs) {
        int T = FormalLanguage.LENGTH - 1;
        int[] y = new int[seqs.length * T];
        for (int b = 0; b < seqs.length; b++) for (int t = 0; t < T; t++) y[b * T + t] = seqs[b][t + 1];
        return y;
    }

    /** Mean cross-entropy over all 41 positions of a fresh batch (EOS padding included, as the reference). */
    public static Tensor loss(LstmWithHead model, FormalLanguage lang, int batch, Rng rng) {
        short[][] seqs = new short[batch][];
        for (int b = 0; b < batch; b++) seqs[b] = lang.sample(rng);
        return Functional.crossEntropy(model.forward(inputs(seqs)), targets(seqs));
    }

    /**
     * Samples {@code count} sequences: BOS, then 41 tokens, each drawn from the softmax of the model's
     * output at the previous position (temperature 1).
     */
    public static short[][] sample(LstmWithHead model, int count, Rng rng) {
        int L = FormalLanguage.LENGTH, V = FormalLanguage.VOCAB;
        short[][] seqs = new short[count][L];
        for (short[] s : seqs) s[0] = FormalLanguage.BOS;
        try (var off = Grad.off()) {
            for (int t = 0; t < L - 1; t++) {
                int len = t + 1;
                int[] idx = new int[count * len];
                for (int b = 0; b < count; b++) for (int p = 0; p < len; p++) idx[b * len + p] = seqs[b][p];
                Tensor probs = model.forward(Tensor.oneHot(V, idx, count, len)).softmax();
                float[] pr = probs.data();
                for (int b = 0; b < count; b++) {
                    int base = probs.offset() + (b * len + t) * V;
                    double u = rng.nextDouble(), acc = 0;
                    int tok = V - 1;
                    for (int k = 0; k < V; k++) {
                        acc += pr[base + k];
                        if (u < acc) { tok = k; break; }
                    }
                    seqs[b][t + 1] = (short) tok;
                }
            }
        }
        return seqs;
    }
}
