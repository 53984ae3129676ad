package zooscope.engine.multi;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.LstmLayout;
import zooscope.engine.nn.LstmWithHead;
import zooscope.kernels.Backends;
import zooscope.kernels.Cases;

class LstmStepperTest {
    /** Stepping through a sequence gives the outputs of the whole-sequence LSTM (the autodiff model). */
    @ParameterizedTest
    @MethodSource("zooscope.kernels.Backends#available")
    void stepsEqualTheWholeSequenceForward(String backend) throws Throwable {
        Cases.onBackend(backend, () -> {
            for (long seed : Cases.seeds(5).toArray()) {
                Cases.Gen g = Cases.gen(seed);
                LstmLayout layout = new LstmLayout(1 + g.r.nextInt(7), 1 + g.r.nextInt(40), 1 + g.r.nextInt(3), 1 + g.r.nextInt(11));
                int batch = 1 + g.r.nextInt(9), time = 1 + g.r.nextInt(12);
                LstmWithHead model = layout.newModel(new Rng(seed));
                float[] x = new float[batch * time * layout.input()];
                for (int i = 0; i < x.length; i++) x[i] = g.uniform(-2, 2);
                Tensor want;
                try (var off = Grad.off()) { want = model.forward(Tensor.of(x, batch, time, layout.input())); }

                LstmStepper stepper = new LstmStepper(layout, batch);
                float[] flat = new float[3 + layout.size()];
                System.arraycopy(layout.flatten(model), 0, flat, 3, layout.size());
                stepper.load(flat, 3);
                float[] xt = new float[batch * layout.input()], out = new float[batch * layout.output()];
                float[] got = new float[batch * time * layout.output()], ref = want.toArray();
                for (int t = 0; t < time; t++) {
                    for (int b = 0; b < batch; b++) System.arraycopy(x, (b * time + t) * layout.input(), xt, b * layout.input(), layout.input());
                    stepper.step(xt, 0, out, null);
                    for (int b = 0; b < batch; b++) System.arraycopy(out, b * layout.output(), got, (b * time + t) * layout.output(), layout.output());
                }
                Cases.assertClose(got, ref, 1e-5, 1e-5, layout + " batch " + batch + " time " + time + "; " + g.why());
            }
        });
    }
}
