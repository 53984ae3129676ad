package zooscope.engine.nn;

import zooscope.engine.Functional;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/**
 * torch.nn.TransformerEncoderLayer with its defaults (post-LN, ReLU, batch-first here):
 * x = norm1(x + dropout(self_attn(x))); x = norm2(x + dropout(linear2(dropout(relu(linear1(x)))))).
 */
public final class TransformerEncoderLayer extends Module {
    public final MultiheadAttention selfAttn;
    public final Linear linear1, linear2;
    public final LayerNorm norm1, norm2;
    private final double dropout;
    private final Rng dropoutRng;
    private final java.util.List<Tensor> feedForwardParameters;

    /** PyTorch's defaults: feed-forward width 4·d is the caller's {@code ffn}, dropout 0.1 the caller's {@code dropout}. */
    public TransformerEncoderLayer(int dModel, int heads, int ffn, double dropout, Rng rng) {
        this.dropout = dropout;
        selfAttn = child("self_attn", new MultiheadAttention(dModel, heads, dropout, rng));
        linear1 = child("linear1", new Linear(dModel, ffn, rng));
        linear2 = child("linear2", new Linear(ffn, dModel, rng));
        norm1 = child("norm1", new LayerNorm(dModel));
        norm2 = child("norm2", new LayerNorm(dModel));
        dropoutRng = new Rng(rng.nextLong());
        feedForwardParameters = java.util.List.of(linear1.weight, linear1.bias, linear2.weight, linear2.bias);
    }

    /** x [B, T, d] → [B, T, d]. */
    public Tensor forward(Tensor x) {
        boolean tr = isTraining();
        Tensor h = norm1.forward(x.add(Functional.dropout(selfAttn.forward(x), dropout, tr, dropoutRng)));
        // the feed-forward block checkpointed: its four [B, T, ffn] intermediates are recomputed in backward, not kept
        Tensor ff = Functional.checkpoint(this::feedForward, h, feedForwardParameters, dropoutRng);
        return norm2.forward(h.add(Functional.dropout(ff, dropout, tr, dropoutRng)));
    }

    private Tensor feedForward(Tensor h) {
        return linear2.forward(Functional.dropout(linear1.forward(h).relu(), dropout, isTraining(), dropoutRng));
    }

    @Override protected void reseedOwn(long seed) { dropoutRng.reseed(seed); }
}
