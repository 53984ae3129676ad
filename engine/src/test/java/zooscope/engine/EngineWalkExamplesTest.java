package zooscope.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import zooscope.kernels.Backend;
import zooscope.kernels.Backends;
import zooscope.kernels.Buffer;

/**
 * The examples quoted in docs/engine.md ("Reading the engine"). Each test reads top to bottom; the
 * walk copies parts of them word for word, so change the two together.
 */
class EngineWalkExamplesTest {
    /** The data of examples (a), (b) and (e): x [2, 3], W [3, 2], b [2], row-major. */
    static final float[] X = {0.5f, -1.0f, 2.0f, 1.5f, 0.25f, -0.75f};
    static final float[] W = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f};
    static final float[] B = {0.05f, -0.1f};

    /** (a) y = Σ tanh(x·W + b): build the graph, call backward, compare with the gradient derived by hand. */
    @Test
    void aTinyGraphAndItsGradient() {
        Tensor x = Tensor.of(X, 2, 3);                   // data: no gradient wanted
        Tensor w = Tensor.of(W, 3, 2).requiresGrad();    // parameters: leaves of the graph
        Tensor b = Tensor.of(B, 2).requiresGrad();
        Tensor z = x.matmul(w).add(b);                   // [2, 2]; b is broadcast over the rows
        Tensor y = z.tanh().sum();                       // a scalar: the loss
        y.backward();                                    // replays the tape from y back to w and b
        // by hand: ∂y/∂W[i][j] = Σ_r x[r][i]·(1 − tanh²(z[r][j])), ∂y/∂b[j] = Σ_r (1 − tanh²(z[r][j]))
        float[] zv = z.toArray();
        double[] wantW = new double[6], wantB = new double[2];
        for (int r = 0; r < 2; r++) {
            for (int j = 0; j < 2; j++) {
                double d = 1 - Math.pow(Math.tanh(zv[r * 2 + j]), 2);
                wantB[j] += d;
                for (int i = 0; i < 3; i++) wantW[i * 2 + j] += X[r * 3 + i] * d;
            }
        }
        System.out.println("on " + w.backend().name() + ": dy/dW = " + Arrays.toString(w.grad()) + ", dy/db = " + Arrays.toString(b.grad()));
        assertClose(wantW, w.grad(), 1e-5);
        assertClose(wantB, b.grad(), 1e-5);
        assertNull(x.grad(), "x does not require a gradient");
        assertNull(z.grad(), "an intermediate gradient is dropped once it has been passed on");
    }

    /** (b) The same ∂y/∂W by central differences of a float64 version of the loss, in a few lines. */
    @Test
    void theSameGradientByFiniteDifferences() {
        Tensor w = Tensor.of(W, 3, 2).requiresGrad();
        Tensor.of(X, 2, 3).matmul(w).add(Tensor.of(B, 2)).tanh().sum().backward();
        float[] engine = w.grad();
        double[] wd = new double[6];
        for (int i = 0; i < 6; i++) wd[i] = W[i];
        double h = 1e-6;                                 // truncation error ~h², rounding error ~1e-16/h
        for (int i = 0; i < 6; i++) {
            double keep = wd[i];
            wd[i] = keep + h;
            double up = lossInDouble(wd);
            wd[i] = keep - h;
            double down = lossInDouble(wd);
            wd[i] = keep;
            double fd = (up - down) / (2 * h);
            System.out.printf("dy/dW[%d]: engine %.7f, central difference %.7f%n", i, engine[i], fd);
            assertEquals(fd, engine[i], 1e-5);
        }
    }

    /** y = Σ tanh(x·w + b) in float64, with X and B fixed and w [3, 2] row-major. */
    static double lossInDouble(double[] w) {
        double y = 0;
        for (int r = 0; r < 2; r++) {
            for (int j = 0; j < 2; j++) {
                double z = B[j];
                for (int i = 0; i < 3; i++) z += X[r * 3 + i] * w[i * 2 + j];
                y += Math.tanh(z);
            }
        }
        return y;
    }

    /** (c) tanh and its backward as the engine asks for them: backend calls on buffers, host values only by copies. */
    @Test
    void tanhBackwardSeenFromTheBackend() {
        Backend k = Backends.byName("scalar");
        float[] host = {-1f, 0f, 0.5f, 2f};
        Buffer x = k.allocate(4), y = k.allocate(4), gy = k.allocate(4), gx = k.allocate(4); // all zero
        k.copyIn(host, 0, x, 0, 4);                                          // host → backend
        k.unary(Backend.Unary.TANH, x, 0, y, 0, 4);                          // y = tanh(x)
        k.fill(gy, 0, 4, 1f);                                                // ∂L/∂y = 1
        k.unaryBackward(Backend.Unary.TANH, x, 0, y, 0, gy, 0, gx, 0, 4);    // gx += gy·(1 − y²)
        k.unaryBackward(Backend.Unary.TANH, x, 0, y, 0, gy, 0, gx, 0, 4);    // again: *Backward accumulates
        float[] ys = new float[4], gs = new float[4];
        k.copyOut(y, 0, ys, 0, 4);                                           // backend → host
        k.copyOut(gx, 0, gs, 0, 4);
        for (int i = 0; i < 4; i++) {
            assertEquals((float) Math.tanh(host[i]), ys[i]);                 // the reference: float64, rounded once
            assertEquals(2 * (1 - (double) ys[i] * ys[i]), gs[i], 1e-6);
        }
        Buffer foreign = Backends.byName("vector").allocate(4);
        assertThrows(IllegalArgumentException.class, () -> k.unary(Backend.Unary.TANH, foreign, 0, y, 0, 4));
    }

    /** (d) A broadcasting add: the row is read with stride 0, and its gradient is summed over that axis. */
    @Test
    void broadcastingAddSumsTheGradientBack() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad();
        Tensor row = Tensor.of(new float[] {10, 20, 30}, 3).requiresGrad();
        assertArrayEquals(new int[] {0, 1}, Shapes.broadcastStrides(row.shape(), new int[] {2, 3}));
        Tensor c = a.add(row);                                               // [2, 3]
        assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, c.toArray());
        float[] g = {1, 2, 3, 4, 5, 6};                                      // an upstream ∂L/∂c
        c.backward(g);
        System.out.println("d row = " + Arrays.toString(row.grad()));
        assertArrayEquals(g, a.grad());                                      // ∂L/∂a = g
        assertArrayEquals(new float[] {1 + 4, 2 + 5, 3 + 6}, row.grad());    // ∂L/∂row = g summed over the rows
    }

    /** (e) The computation of (a) on "scalar" and on "vector": the same values up to float32 rounding. */
    @Test
    void scalarAndVectorAgree() {
        String[] names = {"scalar", "vector"};
        float[] loss = new float[2];
        float[][] grad = new float[2][];
        Backend before = Backends.current();
        try {
            for (int n = 0; n < 2; n++) {
                Backends.use(Backends.byName(names[n]));                    // new tensors are made on this one
                Tensor w = Tensor.of(W, 3, 2).requiresGrad();
                Tensor y = Tensor.of(X, 2, 3).matmul(w).add(Tensor.of(B, 2)).tanh().sum();
                y.backward();
                assertEquals(names[n], y.backend().name());
                loss[n] = y.item();
                grad[n] = w.grad();
            }
        } finally {
            Backends.use(before);                                            // the choice is process-wide: restore it
        }
        System.out.println("loss: scalar " + loss[0] + ", vector " + loss[1]);
        assertEquals(loss[0], loss[1], 1e-6);
        for (int i = 0; i < 6; i++) assertEquals(grad[0][i], grad[1][i], 1e-6, "dy/dW[" + i + "]");
    }

    /** (e) Tensors of two backends do not mix: the op names both; Tensor.to moves one explicitly. */
    @Test
    void tensorsOfTwoBackendsRefuseToMix() {
        Tensor s = Tensor.of(Backends.byName("scalar"), new float[] {1, 2}, 2);
        Tensor v = Tensor.of(Backends.byName("vector"), new float[] {3, 4}, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> s.add(v));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("'scalar'") && e.getMessage().contains("'vector'"), e.getMessage());
        Tensor moved = v.to(s.backend());                                    // a copy through the host
        assertEquals("scalar", moved.backend().name());
        assertArrayEquals(new float[] {4, 6}, s.add(moved).toArray());
    }

    static void assertClose(double[] want, float[] got, double tol) {
        assertEquals(want.length, got.length, "length");
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], tol, "entry " + i);
    }
}
