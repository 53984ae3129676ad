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
    /** The RNNs' weights, and the same with every weight matrix transposed (read by the forward products, made once for all steps). */
    private final Tensor theta, thetaT;

    ProbedRnns(LstmLayout layout, Tensor theta) {
        this.layout = layout;
        this.theta = theta;
        int L = layout.layers(), G = 4 * layout.hidden();
        int[] offsets = new int[2 * L + 1], rows = new int[2 * L + 1], cols = new int[2 * L + 1];
        for (int l = 0; l < L; l++) {
            offsets[2 * l] = layout.weightIh(l);
            rows[2 * l] = G;
            cols[2 * l] = l == 0 ? layout.input() : layout.hidden();
            offsets[2 * l + 1] = layout.weightHh(l);
            rows[2 * l + 1] = G;
            cols[2 * l + 1] = layout.hidden();
        }
        offsets[2 * L] = layout.headWeight();
        rows[2 * L] = layout.output();
        cols[2 * L] = layout.hidden();
        thetaT = LinearAlgebra.transposedBlocks(theta, offsets, rows, cols);
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
            Tensor gates = LinearAlgebra.batchedLinear(in, theta, thetaT, layout.weightIh(l), G, layout.biasIh(l), layout.biasHh(l))
                .add(LinearAlgebra.batchedLinear(s.h()[l], theta, thetaT, layout.weightHh(l), G));
            Tensor hc = Recurrent.cell(gates, s.c()[l]);
            next.h()[l] = hc.slice(2, 0, H);
            next.c()[l] = hc.slice(2, H, 2 * H);
            in = next.h()[l];
        }
        return LinearAlgebra.batchedLinear(in, theta, thetaT, layout.headWeight(), layout.output(), layout.headBias());
    }
}
