package zooscope.engine.nn;

import zooscope.engine.Functional;
import zooscope.engine.LinearAlgebra;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/**
 * Multi-head self-attention as torch.nn.MultiheadAttention (batch-first): packed {@code in_proj_weight}
 * [3d, d] (Xavier-uniform) and {@code in_proj_bias} (zero), {@code out_proj} with zero bias; scores
 * q·kᵀ/√(d/heads), softmax, dropout on the attention weights in training. In a group ({@link Init#group})
 * every parameter has a leading model axis and x is [G, B, T, d]; model g's dropout draws from its own stream.
 */
public final class MultiheadAttention extends Module {
    public final int dModel, heads;
    public final Tensor inProjWeight, inProjBias;
    public final Linear outProj;
    private final double dropout;
    private final Rng[] dropoutRngs;

    public MultiheadAttention(int dModel, int heads, double dropout, Rng rng) { this(dModel, heads, dropout, Init.solo(rng)); }

    public MultiheadAttention(int dModel, int heads, double dropout, Init init) {
        if (dModel % heads != 0) throw new IllegalArgumentException("d_model " + dModel + " is not divisible by " + heads + " heads");
        this.dModel = dModel;
        this.heads = heads;
        this.dropout = dropout;
        double xavier = Math.sqrt(6.0 / (dModel + 3 * dModel));
        inProjWeight = parameter("in_proj_weight", init.uniform(-xavier, xavier, 3 * dModel, dModel));
        inProjBias = parameter("in_proj_bias", init.zeros(3 * dModel));
        outProj = child("out_proj", new Linear(dModel, dModel, init));
        outProj.bias.copyFrom(new float[outProj.bias.size()]);
        dropoutRngs = init.newStreams();
    }

    /** x [B, T, d] → [B, T, d] (a group: [G, B, T, d]). */
    public Tensor forward(Tensor x) {
        int T = x.dim(-2), d = dModel, hd = d / heads, N = x.size() / (T * d); // N: batch items, all models' together
        Tensor qkv = LinearAlgebra.linear(x, inProjWeight, inProjBias);               // [..., T, 3d]
        Tensor q = splitHeads(qkv.slice(-1, 0, d), N, T, hd).mul((float) (1 / Math.sqrt(hd)));
        Tensor k = splitHeads(qkv.slice(-1, d, 2 * d), N, T, hd);
        Tensor v = splitHeads(qkv.slice(-1, 2 * d, 3 * d), N, T, hd);
        // softmax(q·kᵀ) [N·h, T, T], dropout, times v → [N·h, T, hd]; the weights are recomputed in backward, not kept
        Tensor ctx = Functional.attention(q, k, v, dropout, isTraining(), dropoutRngs)
            .reshape(N, heads, T, hd).permute(0, 2, 1, 3).reshape(x.shape());
        return outProj.forward(ctx);
    }

    /** [..., T, d] → [N·heads, T, hd]. */
    private Tensor splitHeads(Tensor t, int N, int T, int hd) {
        return t.reshape(N, T, heads, hd).permute(0, 2, 1, 3).reshape(N * heads, T, hd);
    }

    @Override protected void reseedOwn(long[] seeds) { reseed(dropoutRngs, seeds); }
}
