package zooscope.encoders;

import java.util.ArrayList;
import java.util.List;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.Init;
import zooscope.engine.nn.Linear;
import zooscope.engine.nn.LstmLayout;
import zooscope.engine.nn.Module;

/**
 * One DWS / NFN layer for LSTMs (PAPER.md §8.4), C_in → C_out channels, equivariant to a permutation of
 * each layer's hidden units (acting on all gate blocks at once). Every output tensor is an affine channel
 * mix of the tensor itself (P), of a global summary g (A), of summaries indexed like its columns (R, the
 * "row set", broadcast over rows) and like its rows (K, the "column set", broadcast over columns); a bias
 * from the column set and g (Kb, Ab). Summaries are means over rows (rm), over columns (cm) and overall.
 * Learned input/output embeddings mark the non-permutable input columns and output rows.
 */
final class DwsLayer extends Module {
    private final int L, cout;
    /** Models in a group, or 0 (solo). A group's net tensors hold its G·B rows in one batch axis (model-major); only the channel maps and the embeddings are per model. */
    private final int models;
    private final Tensor inEmbed, outEmbed, outBiasEmbed;
    /** Per i2h tensor 0..L then per h2h tensor 0..L−1: the maps P, A, R, K, Kb, Ab. */
    private final List<Linear[]> maps = new ArrayList<>();

    DwsLayer(LstmLayout layout, int cin, int cout, Rng rng) { this(layout, cin, cout, Init.solo(rng)); }

    DwsLayer(LstmLayout layout, int cin, int cout, Init init) {
        this.L = layout.layers();
        this.cout = cout;
        this.models = init.grouped() ? init.models() : 0;
        inEmbed = parameter("in_embed", init.normal(1, 1, 1, layout.input(), cin));
        outEmbed = parameter("out_embed", init.normal(1, 1, layout.output(), 1, cin));
        outBiasEmbed = parameter("out_bias_embed", init.normal(1, 1, layout.output(), cin));
        int globals = 2 * (2 * L + 1);
        for (int l = 0; l <= L; l++) maps.add(maps("i2h." + l, cin, globals, l > 0 ? 6 : 1, l < L ? 6 : 2, init));
        for (int l = 0; l < L; l++) maps.add(maps("h2h." + l, cin, globals, 5, l < L - 1 ? 4 : 3, init));
    }

    /** P, A, R, K (initialised together: ±sqrt(1/Σ fan-in)), then Kb, Ab (likewise, separately). */
    private Linear[] maps(String name, int cin, int globals, int rowSet, int colSet, Init init) {
        double wBound = Math.sqrt(1.0 / (cin * (1 + globals + rowSet + colSet))), bBound = Math.sqrt(1.0 / (cin * (colSet + globals)));
        int[] ins = {1, globals, rowSet, colSet, colSet, globals};
        String[] names = {"P", "A", "R", "K", "Kb", "Ab"};
        Linear[] m = new Linear[6];
        for (int i = 0; i < 6; i++) {
            m[i] = child(name + "." + names[i], new Linear(cin * ins[i], cout, init));
            double bound = i < 4 ? wBound : bBound;
            m[i].weight.copyFrom(init.uniform(-bound, bound, cout, cin * ins[i]).toArray());
            m[i].bias.copyFrom(init.uniform(-bound, bound, cout).toArray());
        }
        return m;
    }

    private static Tensor rm(Tensor w) { return w.mean(false, 1); }
    private static Tensor cm(Tensor w) { return w.mean(false, 2); }
    private static Tensor cat(Tensor... ts) { return Tensor.concat(-1, ts); }

    /** A channel map: on [B, ..., in] alone; in a group on [G·B, ..., in], model g's rows through model g's map. */
    private Tensor lin(Linear m, Tensor x) {
        if (models == 0) return m.forward(x);
        int[] shape = x.shape();
        shape[shape.length - 1] = cout;
        return m.forward(x.reshape(models, -1, x.dim(-1))).reshape(shape);
    }

    /** x plus a learned embedding [1, ..., C] ([G, 1, ..., C] in a group), broadcast over the batch (and where it has size 1). */
    private Tensor plus(Tensor x, Tensor embed) {
        if (models == 0) return x.add(embed);
        int[] shape = x.shape(), split = new int[shape.length + 1];
        split[0] = models;
        split[1] = shape[0] / models;
        System.arraycopy(shape, 1, split, 2, shape.length - 1);
        return x.reshape(split).add(embed).reshape(shape);
    }

    DwsNet forward(DwsNet in) {
        Tensor[] wih = in.wih().clone(), bih = in.bih().clone(), whh = in.whh(), bhh = in.bhh();
        wih[0] = plus(wih[0], inEmbed);
        wih[L] = plus(wih[L], outEmbed);
        bih[L] = plus(bih[L], outBiasEmbed);
        List<Tensor> means = new ArrayList<>();
        for (int l = 0; l < L; l++) { means.add(wih[l].mean(false, 1, 2)); means.add(whh[l].mean(false, 1, 2)); }
        means.add(wih[L].mean(false, 1, 2));
        for (int l = 0; l < L; l++) { means.add(bih[l].mean(false, 1)); means.add(bhh[l].mean(false, 1)); }
        means.add(bih[L].mean(false, 1));
        Tensor g = cat(means.toArray(Tensor[]::new));

        Tensor[] rmIh = new Tensor[L + 1], cmIh = new Tensor[L + 1], rmHh = new Tensor[L], cmHh = new Tensor[L]; // each summary once
        for (int l = 0; l <= L; l++) { rmIh[l] = rm(wih[l]); cmIh[l] = cm(wih[l]); }
        for (int l = 0; l < L; l++) { rmHh[l] = rm(whh[l]); cmHh[l] = cm(whh[l]); }
        Tensor[] wihOut = new Tensor[L + 1], bihOut = new Tensor[L + 1], whhOut = new Tensor[L], bhhOut = new Tensor[L];
        for (int l = 0; l <= L; l++) {
            Tensor rowSet = l == 0 ? rmIh[0] : cat(rmIh[l], cmIh[l - 1], bih[l - 1], cmHh[l - 1], bhh[l - 1], rmHh[l - 1]);
            Tensor colSet = l == L ? cat(cmIh[L], bih[L]) : cat(cmIh[l], bih[l], cmHh[l], bhh[l], rmHh[l], rmIh[l + 1]);
            Tensor[] wb = mix(maps.get(l), wih[l], g, rowSet, colSet);
            wihOut[l] = wb[0];
            bihOut[l] = wb[1];
        }
        for (int l = 0; l < L; l++) {
            Tensor rowSet = cat(rmHh[l], cmHh[l], bhh[l], cmIh[l], bih[l]);
            Tensor colSet = l < L - 1 ? cat(cmHh[l], bhh[l], rmHh[l], rmIh[l + 1]) : cat(cmHh[l], bhh[l], rmHh[l]);
            Tensor[] wb = mix(maps.get(L + 1 + l), whh[l], g, rowSet, colSet);
            whhOut[l] = wb[0];
            bhhOut[l] = wb[1];
        }
        return new DwsNet(wihOut, bihOut, whhOut, bhhOut);
    }

    /** W' = P·W + A·g + R·rowSet + K·colSet and b' = Kb·colSet + Ab·g, each broadcast where it has no axis. */
    private Tensor[] mix(Linear[] m, Tensor w, Tensor g, Tensor rowSet, Tensor colSet) {
        int B = w.dim(0), rows = w.dim(1), cols = w.dim(2);
        Tensor gw = lin(m[1], g).reshape(B, 1, 1, cout);
        Tensor r = lin(m[2], rowSet).reshape(B, 1, cols, cout);
        Tensor k = lin(m[3], colSet).reshape(B, rows, 1, cout);
        Tensor wOut = lin(m[0], w).addAll(gw, r, k);
        Tensor bOut = lin(m[4], colSet).add(lin(m[5], g).reshape(B, 1, cout));
        return new Tensor[] {wOut, bOut};
    }
}
