package zooscope.engine.nn;

import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/** Linear layers with ReLU between them and none after the last: sizes[0] → … → sizes[n−1]. */
public final class MLP extends Module {
    private final Linear[] layers;

    public MLP(Rng rng, int... sizes) { this(Init.solo(rng), sizes); }

    public MLP(Init init, int... sizes) {
        if (sizes.length < 2) throw new IllegalArgumentException("an MLP needs at least input and output sizes");
        layers = new Linear[sizes.length - 1];
        // PyTorch nn.Sequential names its layers by position; Linear sits at 0, 2, 4, ... between ReLUs
        for (int i = 0; i < layers.length; i++) layers[i] = child(String.valueOf(2 * i), new Linear(sizes[i], sizes[i + 1], init));
    }

    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (int i = 0; i < layers.length; i++) {
            h = layers[i].forward(h);
            if (i < layers.length - 1) h = h.relu();
        }
        return h;
    }
}
