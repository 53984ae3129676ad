package zooscope.encoders;

import java.util.ArrayList;
import java.util.List;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.Init;
import zooscope.engine.nn.MLP;

/**
 * DWSNet adapted to LSTMs (PAPER.md §8.4): gates as 4 input channels, a stack of equivariant
 * {@link DwsLayer}s (4 → 48 → 48 → 48 → 48, ReLU between), then each tensor's mean over all its entries
 * (invariant pooling: 10 tensors × 48 = 480) and an MLP 480 → 128 → 16. Exactly invariant to permutations
 * of each layer's hidden units.
 */
public final class DwsEncoder extends WeightEncoder {
    private final List<DwsLayer> layers = new ArrayList<>();
    private final MLP head;

    public DwsEncoder(ProbedModel model, int channels, int depth, int headHidden, Rng rng) { this(model, channels, depth, headHidden, Init.solo(rng)); }

    /** With {@link Init#group}: G encoders stacked along a leading model axis (θ [G, B, P] → [G, B, 16]). */
    public DwsEncoder(ProbedModel model, int channels, int depth, int headHidden, Init init) {
        super(model, init);
        for (int i = 0; i < depth; i++) layers.add(child("layers." + i, new DwsLayer(model.layout(), i == 0 ? 4 : channels, channels, init)));
        int tensors = model.layout().entries().size();
        head = child("head", new MLP(init, tensors * channels, headHidden, EMBEDDING));
    }

    /** The representation after every layer (ReLU applied between layers, not after the last); a group's G·B rows in one batch axis. */
    DwsNet features(Tensor theta) {
        DwsNet net = DwsNet.of(model.layout(), models == 0 ? theta : theta.reshape(-1, theta.dim(-1)));
        for (int i = 0; i < layers.size(); i++) {
            net = layers.get(i).forward(net);
            if (i < layers.size() - 1) net = net.map(Tensor::relu);
        }
        return net;
    }

    /** The invariant pooling: each tensor's mean over everything but batch and channel, in layout order → [B, 10·C]. */
    Tensor pooled(Tensor theta) {
        List<Tensor> parts = new ArrayList<>();
        for (Tensor t : features(theta).inLayoutOrder()) parts.add(t.rank() == 4 ? t.mean(false, 1, 2) : t.mean(false, 1));
        return Tensor.concat(1, parts.toArray(Tensor[]::new));
    }

    @Override protected Tensor embed(Tensor theta) {
        Tensor p = pooled(theta);
        return head.forward(models == 0 ? p : p.reshape(models, -1, p.dim(-1)));
    }
}
