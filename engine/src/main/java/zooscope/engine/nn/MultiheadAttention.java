package zooscope.engine.nn;

import zooscope.engine.Functional;
import zooscope.engine.LinearAlgebra;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/**
 * Multi-head self-attention as torch.nn.MultiheadAttention (batch-first): packed {@code in_proj_weight}
 * [3d, d] (Xavier-uniform) and {@code in_proj_bias} (zero), {@code out_proj} with zero bias; scores
 * q·kᵀ/√(d/heads), softmax, dropout on the attention weights in training.
 */
public final class MultiheadAttention extends Module {
    public final int dModel, heads;
    public final Tensor inProjWeight, inProjBias;
    public final Linear outProj;
    private final double dropout;
    private final Rng dropoutRng;

    public MultiheadAttention(int dModel, int heads, double dropout, Rng rng) {
        if (dModel % heads != 0) throw new IllegalArgumentException("d_model " + dModel + " is not divisible by " + heads + " heads");
        this.dModel = dModel;
        this.heads = heads;
        this.dropout = dropout;
        double xavier = Math.sqrt(6.0 / (dModel + 3 * dModel));
        inProjWeight = parameter("in_proj_weight", Tensor.uniform(rng, -xavier, xavier, 3 * dModel, dModel));
        inProjBias = parameter("in_proj_bias", Tensor.zeros(3 * dModel));
        outProj = child("out_proj", new Linear(dModel, dModel, rng));
        outProj.bias.copyFrom(new float[dModel]);
        dropoutRng = new Rng(rng.nextLong());
    }

    /** x [B, T, d] → [B, T, d]. */
    public Tensor forward(Tensor x) {
        int B = x.dim(0), T = x.dim(1), d = dModel, hd = d / heads;
        Tensor qkv = LinearAlgebra.linear(x, inProjWeight, inProjBias);               // [B, T, 3d]
        Tensor q = splitHeads(qkv.slice(2, 0, d), B, T, hd).mul((float) (1 / Math.sqrt(hd)));
        Tensor k = splitHeads(qkv.slice(2, d, 2 * d), B, T, hd);
        Tensor v = splitHeads(qkv.slice(2, 2 * d, 3 * d), B, T, hd);
        // softmax(q·kᵀ) [B·h, T, T], dropout, times v → [B·h, T, hd]; the weights are recomputed in backward, not kept
        Tensor ctx = Functional.attention(q, k, v, dropout, isTraining(), dropoutRng)
            .reshape(B, heads, T, hd).permute(0, 2, 1, 3).reshape(B, T, d);
        return outProj.forward(ctx);
    }

    /** [B, T, d] → [B·heads, T, hd]. */
    private Tensor splitHeads(Tensor t, int B, int T, int hd) {
        return t.reshape(B, T, heads, hd).permute(0, 2, 1, 3).reshape(B * heads, T, hd);
    }

    @Override protected void reseedOwn(long seed) { dropoutRng.reseed(seed); }
}
