package zooscope.encoders;

import java.util.ArrayList;
import java.util.List;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.Init;
import zooscope.engine.nn.Linear;
import zooscope.engine.nn.LstmLayout;
import zooscope.engine.nn.TransformerEncoderLayer;

/**
 * Parameter transformer (PAPER.md §8.3): one token per neuron, i.e. per row of each weight matrix
 * (l0 ih, l0 hh, l1 ih, l1 hh, …, head) concatenated with its bias entry, embedded by a linear map of its
 * own per matrix; a learned compression token (zero-initialised) appended last and a learned positional
 * embedding; post-LN transformer layers; the output read from the compression token. Not invariant;
 * trained with permutation augmentation. A group ({@link Init#group}) maps θ [G, B, P] to [G, B, 16].
 */
public final class ParameterTransformer extends WeightEncoder {
    /** One weight matrix and the bias its rows take. */
    record Matrix(LstmLayout.Entry weight, LstmLayout.Entry bias) {
        int rows() { return weight.shape()[0]; }
        int in() { return weight.shape()[1]; }
    }

    private final List<Matrix> matrices = new ArrayList<>();
    private final List<Linear> embeddings = new ArrayList<>();
    private final Tensor compressionToken, positionalEmbedding;
    private final List<TransformerEncoderLayer> layers = new ArrayList<>();
    private final Linear output;
    private final int d, tokens;

    public ParameterTransformer(ProbedModel model, int d, int heads, int ffn, int depth, double dropout, Rng rng) {
        this(model, d, heads, ffn, depth, dropout, Init.solo(rng));
    }

    public ParameterTransformer(ProbedModel model, int d, int heads, int ffn, int depth, double dropout, Init init) {
        super(model, init);
        this.d = d;
        LstmLayout layout = model.layout();
        for (int l = 0; l < layout.layers(); l++) {
            matrices.add(new Matrix(layout.entry("lstm.weight_ih_l" + l), layout.entry("lstm.bias_ih_l" + l)));
            matrices.add(new Matrix(layout.entry("lstm.weight_hh_l" + l), layout.entry("lstm.bias_hh_l" + l)));
        }
        matrices.add(new Matrix(layout.entry("linear.weight"), layout.entry("linear.bias")));
        int t = 1; // the compression token
        for (int i = 0; i < matrices.size(); i++) {
            embeddings.add(child("embeddings." + i, new Linear(matrices.get(i).in() + 1, d, init)));
            t += matrices.get(i).rows();
        }
        tokens = t;
        compressionToken = parameter("compression_token", init.zeros(1, 1, d));
        positionalEmbedding = parameter("positional_embedding", init.normal(1, 1, tokens, d));
        TransformerEncoderLayer first = new TransformerEncoderLayer(d, heads, ffn, dropout, init);
        for (int i = 0; i < depth; i++) {
            // PyTorch's TransformerEncoder deep-copies one layer: all start identical (dropout streams aside)
            TransformerEncoderLayer layer = i == 0 ? first : new TransformerEncoderLayer(d, heads, ffn, dropout, init);
            if (i > 0) layer.loadStateDict(first.stateDict());
            layers.add(child("layers." + i, layer));
        }
        output = child("output", new Linear(d, EMBEDDING, init));
    }

    /** Tokens per RNN, compression token included (519 for the formal-language zoo LSTM). */
    public int tokens() { return tokens; }

    @Override
    protected Tensor embed(Tensor theta) {
        int[] lead = java.util.Arrays.copyOf(theta.shape(), theta.rank() - 1); // [B], or [G, B] in a group
        Tensor[] parts = new Tensor[matrices.size() + 1];
        for (int i = 0; i < matrices.size(); i++) { // each row of a matrix, with its bias appended, is one token
            Matrix m = matrices.get(i);
            int rows = m.rows(), in = m.in();
            Tensor w = theta.slice(-1, m.weight().offset(), m.weight().offset() + rows * in).reshape(shape(lead, rows, in));
            Tensor bias = theta.slice(-1, m.bias().offset(), m.bias().offset() + rows).reshape(shape(lead, rows, 1));
            parts[i] = embeddings.get(i).forward(Tensor.concat(-1, w, bias));
        }
        parts[matrices.size()] = Tensor.zeros(shape(lead, 1, d)).add(compressionToken);
        Tensor h = Tensor.concat(-2, parts).add(positionalEmbedding);
        for (TransformerEncoderLayer layer : layers) h = layer.forward(h);
        return output.forward(h.slice(-2, tokens - 1, tokens).reshape(shape(lead, d)));
    }

    /** lead followed by more axes. */
    private static int[] shape(int[] lead, int... more) {
        int[] s = java.util.Arrays.copyOf(lead, lead.length + more.length);
        System.arraycopy(more, 0, s, lead.length, more.length);
        return s;
    }

    @Override public boolean wantsPermutationAugmentation() { return true; }
}
