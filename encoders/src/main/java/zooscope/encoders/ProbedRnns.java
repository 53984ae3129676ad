package zooscope.encoders;

import zooscope.engine.LinearAlgebra;
import zooscope.engine.Recurrent;
import zooscope.engine.Tensor;
import zooscope.engine.nn.LstmLayout;

/**
 * B zoo LSTMs with frozen weights (rows of θ [B, P]) stepped together, one input at a time, M probe
 * streams each: per layer two batched GEMMs (one weight set per RNN) and the fused cell kernel. Gradients
 * flow to the inputs and through the recurrent state, never to θ: how probes are learned through the RNNs.
 */
final class ProbedRnns {
    /** Per layer h and c, each [B, M, H]. */
    record State(Tensor[] h, Tensor[] c) {}

    private final LstmLayout layout;
    private final Tensor theta;

    ProbedRnns(LstmLayout layout, Tensor theta) {
        this.layout = layout;
        this.theta = theta;
    }

    /** A state to be filled by {@link #step}. */
    State newState() { return new State(new Tensor[layout.layers()], new Tensor[layout.layers()]); }

    /** The zero state, as every probe sequence starts. */
    State zeroState(int streams) {
        int L = layout.layers(), B = theta.dim(0), H = layout.hidden();
        Tensor[] h = new Tensor[L], c = new Tensor[L];
        for (int l = 0; l < L; l++) { h[l] = Tensor.zeros(B, streams, H); c[l] = Tensor.zeros(B, streams, H); }
        return new State(h, c);
    }

    /** One step: inputs x [B, M, X] and state → raw logits [B, M, O]; writes the new state into {@code next}. */
    Tensor step(Tensor x, State s, State next) {
        int H = layout.hidden(), G = 4 * H;
        Tensor in = x;
        for (int l = 0; l < layout.layers(); l++) {
            Tensor gates = LinearAlgebra.batchedLinear(in, theta, layout.weightIh(l), G, layout.biasIh(l), layout.biasHh(l))
                .add(LinearAlgebra.batchedLinear(s.h()[l], theta, layout.weightHh(l), G));
            Tensor hc = Recurrent.cell(gates, s.c()[l]);
            next.h()[l] = hc.slice(2, 0, H);
            next.c()[l] = hc.slice(2, H, 2 * H);
            in = next.h()[l];
        }
        return LinearAlgebra.batchedLinear(in, theta, layout.headWeight(), layout.output(), layout.headBias());
    }
}
