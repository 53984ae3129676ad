package zooscope.encoders;

import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.Init;
import zooscope.engine.nn.LSTMCell;
import zooscope.engine.nn.Linear;

/**
 * Probing encoders (PAPER.md §8.5, §8.6): an interrogator LSTM (2 stacked cells, residual) asks the
 * probed RNNs L questions and reads their answers. A probe generator turns a query into M probe inputs
 * (soft one-hot tokens for formal languages, tiles in (0, 1) for MNIST), the B probed RNNs take one step
 * on them (their weights frozen, their state carried, one continuous probe sequence per stream), an
 * output reader embeds their raw logits, and the interrogator steps on that. Interactive: the query is
 * the interrogator's state, so each probe depends on the previous answers. Non-interactive: the query
 * is a learned static embedding S_i, so the probes never depend on θ. Gradients reach the probes
 * through the RNNs. Invariant to hidden-unit permutations by construction: it sees only outputs.
 */
public final class ProbingEncoder extends WeightEncoder {
    private final boolean interactive;
    private final int core, streams, probeLength;
    private final Tensor staticProbes, bos, eos;
    private final LSTMCell cell0, cell1;
    private final Linear projUp, decoder1, decoder2, reader, head1, head2;

    /** {@code core} 256 and {@code encoding} 128 in the paper; {@code streams} M = 1 by default. */
    public ProbingEncoder(ProbedModel model, boolean interactive, int core, int encoding, int streams, Rng rng) {
        this(model, interactive, core, encoding, streams, Init.solo(rng));
    }

    /** With {@link Init#group}: G encoders stacked along a leading model axis (θ [G, B, P] → [G, B, 16]). */
    public ProbingEncoder(ProbedModel model, boolean interactive, int core, int encoding, int streams, Init init) {
        super(model, init);
        this.interactive = interactive;
        this.core = core;
        this.streams = streams;
        this.probeLength = model.probeLength();
        int X = model.layout().input(), O = model.layout().output();
        staticProbes = parameter("static_probes", init.normal(1, probeLength + 1, core)); // only the first L are used
        bos = parameter("bos", Tensor.zeros(init.stacked(core)));
        eos = parameter("eos", Tensor.zeros(init.stacked(core)));
        // the reference declares a learned initial interrogator state but starts from zeros; kept for its parameter count
        parameter("unused_initial_state", Tensor.zeros(init.stacked(2, 2, core)));
        cell0 = child("interrogator.0", new LSTMCell(core, core, init));
        cell1 = child("interrogator.1", new LSTMCell(core, core, init));
        projUp = child("proj_up", new Linear(core, encoding * streams, init));
        decoder1 = child("decoder.0", new Linear(encoding, encoding, init));
        decoder2 = child("decoder.2", new Linear(encoding, X, init));
        reader = child("reader", new Linear(O * streams, core, init));
        head1 = child("head.0", new Linear(core, encoding, init));
        head2 = child("head.2", new Linear(encoding, EMBEDDING, init));
    }

    public boolean interactive() { return interactive; }

    /** Interrogator state: both cells' (h, c). */
    private record Interrogator(LSTMCell.State s0, LSTMCell.State s1) {}

    /** One interrogator step on x [B, core]; each cell's output is its h plus its input (residual). */
    private Tensor interrogate(Tensor x, Interrogator[] state) {
        LSTMCell.State s0 = cell0.forward(x, state[0].s0());
        Tensor u0 = s0.h().add(x);
        LSTMCell.State s1 = cell1.forward(u0, state[0].s1());
        state[0] = new Interrogator(s0, s1);
        return s1.h().add(u0);
    }

    /** The M probe inputs [B, M, X] for queries q [B, core] (a group: [G, B, M, X] for [G, B, core]). */
    Tensor probes(Tensor q) {
        Tensor e = projUp.forward(q).relu();
        Tensor x = decoder2.forward(decoder1.forward(e.reshape(withLast(e.shape(), streams, -1))).relu());
        return model.softmaxProbes() ? x.softmax() : x.sigmoid();
    }

    /** The shape with its last axis replaced by the given ones. */
    private static int[] withLast(int[] shape, int... last) {
        int[] s = java.util.Arrays.copyOf(shape, shape.length - 1 + last.length);
        System.arraycopy(last, 0, s, shape.length - 1, last.length);
        return s;
    }

    /** A learned [core] vector ([G, core] in a group) as a row that broadcasts over the batch. */
    private Tensor row(Tensor v) { return models == 0 ? v : v.reshape(models, 1, core); }

    @Override
    protected Tensor embed(Tensor theta) {
        int B = theta.dim(-2), rows = models == 0 ? B : models * B;
        Tensor zeros = Tensor.zeros(models == 0 ? new int[] {B, core} : new int[] {models, B, core});
        Interrogator[] state = {new Interrogator(cell0.zeroState(B), cell1.zeroState(B))};
        Tensor u = interrogate(zeros.add(row(bos)), state);
        // a group's RNNs are one batch of G·B RNNs to the probed-RNN step: each has its own weights anyway
        ProbedRnns rnns = new ProbedRnns(model.layout(), models == 0 ? theta : theta.reshape(rows, theta.dim(-1)));
        ProbedRnns.State rnn = rnns.zeroState(streams);
        for (int i = 0; i < probeLength; i++) {
            Tensor q = interactive ? u : zeros.add(staticProbes.slice(-2, i, i + 1));
            ProbedRnns.State next = rnns.newState();
            Tensor x = probes(q);
            Tensor logits = rnns.step(models == 0 ? x : x.reshape(rows, streams, x.dim(-1)), rnn, next);
            rnn = next;
            Tensor answers = models == 0 ? logits.reshape(B, -1) : logits.reshape(models, B, -1);
            u = interrogate(reader.forward(answers).sigmoid(), state);
        }
        u = interrogate(zeros.add(row(eos)), state);
        return head2.forward(head1.forward(u).relu());
    }
}
