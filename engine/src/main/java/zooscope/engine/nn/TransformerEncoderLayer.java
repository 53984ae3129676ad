package zooscope.engine.nn;

import zooscope.engine.Functional;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/**
 * torch.nn.TransformerEncoderLayer with its defaults (post-LN, ReLU, batch-first here):
 * x = norm1(x + dropout(self_attn(x))); x = norm2(x + dropout(linear2(dropout(relu(linear1(x)))))).
 * In a group ({@link Init#group}) x is [G, B, T, d] and model g's dropout draws from its own stream.
 */
public final class TransformerEncoderLayer extends Module {
    public final MultiheadAttention selfAttn;
    public final Linear linear1, linear2;
    public final LayerNorm norm1, norm2;
    private final double dropout;
    private final Rng[] dropoutRngs;
    private final java.util.List<Tensor> feedForwardParameters;

    /** PyTorch's defaults: feed-forward width 4·d is the caller's {@code ffn}, dropout 0.1 the caller's {@code dropout}. */
    public TransformerEncoderLayer(int dModel, int heads, int ffn, double dropout, Rng rng) { this(dModel, heads, ffn, dropout, Init.solo(rng)); }

    public TransformerEncoderLayer(int dModel, int heads, int ffn, double dropout, Init init) {
        this.dropout = dropout;
        selfAttn = child("self_attn", new MultiheadAttention(dModel, heads, dropout, init));
        linear1 = child("linear1", new Linear(dModel, ffn, init));
        linear2 = child("linear2", new Linear(ffn, dModel, init));
        norm1 = child("norm1", new LayerNorm(dModel, init));
        norm2 = child("norm2", new LayerNorm(dModel, init));
        dropoutRngs = init.newStreams();
        feedForwardParameters = java.util.List.of(linear1.weight, linear1.bias, linear2.weight, linear2.bias);
    }

    /** x [B, T, d] → [B, T, d] (a group: [G, B, T, d]). */
    public Tensor forward(Tensor x) {
        boolean tr = isTraining();
        Tensor h = norm1.forward(x.add(Functional.dropout(selfAttn.forward(x), dropout, tr, dropoutRngs)));
        // the feed-forward block checkpointed: its four [B, T, ffn] intermediates are recomputed in backward, not kept
        Tensor ff = Functional.checkpoint(this::feedForward, h, feedForwardParameters, dropoutRngs);
        return norm2.forward(h.add(Functional.dropout(ff, dropout, tr, dropoutRngs)));
    }

    private Tensor feedForward(Tensor h) {
        return linear2.forward(Functional.dropout(linear1.forward(h).relu(), dropout, isTraining(), dropoutRngs));
    }

    @Override protected void reseedOwn(long[] seeds) { reseed(dropoutRngs, seeds); }
}
