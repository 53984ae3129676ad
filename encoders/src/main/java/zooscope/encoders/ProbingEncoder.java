package zooscope.encoders;

import zooscope.engine.Rng;
import zooscope.engine.Tensor;
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
        super(model);
        this.interactive = interactive;
        this.core = core;
        this.streams = streams;
        this.probeLength = model.probeLength();
        int X = model.layout().input(), O = model.layout().output();
        staticProbes = parameter("static_probes", Tensor.normal(rng, 1, probeLength + 1, core)); // only the first L are used
        bos = parameter("bos", Tensor.zeros(core));
        eos = parameter("eos", Tensor.zeros(core));
        // the reference declares a learned initial interrogator state but starts from zeros; kept for its parameter count
        parameter("unused_initial_state", Tensor.zeros(2, 2, core));
        cell0 = child("interrogator.0", new LSTMCell(core, core, rng));
        cell1 = child("interrogator.1", new LSTMCell(core, core, rng));
        projUp = child("proj_up", new Linear(core, encoding * streams, rng));
        decoder1 = child("decoder.0", new Linear(encoding, encoding, rng));
        decoder2 = child("decoder.2", new Linear(encoding, X, rng));
        reader = child("reader", new Linear(O * streams, core, rng));
        head1 = child("head.0", new Linear(core, encoding, rng));
        head2 = child("head.2", new Linear(encoding, EMBEDDING, rng));
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

    /** The M probe inputs [B, M, X] for queries q [B, core]. */
    Tensor probes(Tensor q) {
        int B = q.dim(0);
        Tensor e = projUp.forward(q).relu().reshape(B, streams, -1);
        Tensor x = decoder2.forward(decoder1.forward(e).relu());
        return model.softmaxProbes() ? x.softmax() : x.sigmoid();
    }

    @Override
    protected Tensor embed(Tensor theta) {
        int B = theta.dim(0);
        Tensor zeros = Tensor.zeros(B, core);
        Interrogator[] state = {new Interrogator(cell0.zeroState(B), cell1.zeroState(B))};
        Tensor u = interrogate(zeros.add(bos), state);
        ProbedRnns rnns = new ProbedRnns(model.layout(), theta);
        ProbedRnns.State rnn = rnns.zeroState(streams);
        for (int i = 0; i < probeLength; i++) {
            Tensor q = interactive ? u : zeros.add(staticProbes.slice(0, i, i + 1));
            ProbedRnns.State next = rnns.newState();
            Tensor logits = rnns.step(probes(q), rnn, next);
            rnn = next;
            u = interrogate(reader.forward(logits.reshape(B, -1)).sigmoid(), state);
        }
        u = interrogate(zeros.add(eos), state);
        return head2.forward(head1.forward(u).relu());
    }
}
