package zooscope.encoders;

import java.util.ArrayList;
import java.util.List;
import zooscope.engine.Tensor;
import zooscope.engine.nn.LstmLayout;

/**
 * An LSTM's weights as the DWS layers see them (PAPER.md §8.4), channels last: gates become channels, so
 * a weight (4H, n) is [B, H, n, C] with C = 4 and a bias (4H) is [B, H, C]; the head's weight [B, O, H, C]
 * and bias [B, O, C] are repeated over the 4 channels. "i2h" tensors are W_ih_0 … W_ih_{L−1} and the head
 * (index L) with their biases; "h2h" tensors are W_hh_l with b_hh_l. Rows of layer l's tensors and columns
 * of W_hh_l and of the i2h tensor l+1 are layer l's hidden units.
 */
record DwsNet(Tensor[] wih, Tensor[] bih, Tensor[] whh, Tensor[] bhh) {
    int layers() { return whh.length; }

    /** The 10 tensors in the layout's order: per layer W_ih, W_hh, b_ih, b_hh, then head weight and bias. */
    List<Tensor> inLayoutOrder() {
        List<Tensor> out = new ArrayList<>();
        for (int l = 0; l < layers(); l++) {
            out.add(wih[l]);
            out.add(whh[l]);
            out.add(bih[l]);
            out.add(bhh[l]);
        }
        out.add(wih[layers()]);
        out.add(bih[layers()]);
        return out;
    }

    /** The representation of flat parameter rows theta [B, P] (constants: no gradient flows to θ). */
    static DwsNet of(LstmLayout layout, Tensor theta) {
        int L = layout.layers();
        Tensor[] wih = new Tensor[L + 1], bih = new Tensor[L + 1], whh = new Tensor[L], bhh = new Tensor[L];
        for (int l = 0; l < L; l++) {
            wih[l] = gateChannels(layout.entry("lstm.weight_ih_l" + l), theta, layout);
            whh[l] = gateChannels(layout.entry("lstm.weight_hh_l" + l), theta, layout);
            bih[l] = gateChannels(layout.entry("lstm.bias_ih_l" + l), theta, layout);
            bhh[l] = gateChannels(layout.entry("lstm.bias_hh_l" + l), theta, layout);
        }
        wih[L] = repeated(layout.entry("linear.weight"), theta, layout);
        bih[L] = repeated(layout.entry("linear.bias"), theta, layout);
        return new DwsNet(wih, bih, whh, bhh);
    }

    /** (4H, n) → [B, H, n, 4] (or (4H) → [B, H, 4]): element [j, p, gate] = W[gate·H + j, p]. */
    private static Tensor gateChannels(LstmLayout.Entry e, Tensor theta, LstmLayout layout) {
        int B = theta.dim(0), H = e.shape()[0] / 4, n = e.shape().length == 2 ? e.shape()[1] : 1;
        Tensor w = theta.slice(1, e.offset(), e.offset() + e.size()).reshape(B, 4, H, n).permute(0, 2, 3, 1);
        return e.shape().length == 2 ? w : w.reshape(B, H, 4);
    }

    /** The head's (O, H) or (O) repeated over 4 channels: [B, O, H, 4] or [B, O, 4]. */
    private static Tensor repeated(LstmLayout.Entry e, Tensor theta, LstmLayout layout) {
        int B = theta.dim(0), r = e.shape().length;
        int[] shape = new int[r + 2];
        shape[0] = B;
        System.arraycopy(e.shape(), 0, shape, 1, r);
        shape[r + 1] = 1;
        Tensor w = theta.slice(1, e.offset(), e.offset() + e.size()).reshape(shape);
        return Tensor.concat(r + 1, w, w, w, w);
    }

    /** Applies a function to every tensor (e.g. ReLU between layers). */
    DwsNet map(java.util.function.UnaryOperator<Tensor> f) {
        return new DwsNet(apply(wih, f), apply(bih, f), apply(whh, f), apply(bhh, f));
    }

    private static Tensor[] apply(Tensor[] ts, java.util.function.UnaryOperator<Tensor> f) {
        Tensor[] out = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) out[i] = f.apply(ts[i]);
        return out;
    }

    /**
     * The net with layer l's hidden units permuted by perms[l] (unit j moves to π(j)): rows of layer l's
     * tensors, columns of W_hh_l and of i2h tensor l+1. For equivariance tests.
     */
    DwsNet permuted(int[][] perms) {
        int L = layers();
        Tensor[] wih = this.wih.clone(), bih = this.bih.clone(), whh = this.whh.clone(), bhh = this.bhh.clone();
        for (int l = 0; l < L; l++) {
            int[] src = inverse(perms[l]); // new[π(j)] = old[j], i.e. new[i] = old[π⁻¹(i)]
            wih[l] = wih[l].gather(1, src);
            bih[l] = bih[l].gather(1, src);
            whh[l] = whh[l].gather(1, src).gather(2, src);
            bhh[l] = bhh[l].gather(1, src);
            wih[l + 1] = wih[l + 1].gather(2, src);
        }
        return new DwsNet(wih, bih, whh, bhh);
    }

    static int[] inverse(int[] p) {
        int[] inv = new int[p.length];
        for (int i = 0; i < p.length; i++) inv[p[i]] = i;
        return inv;
    }
}
