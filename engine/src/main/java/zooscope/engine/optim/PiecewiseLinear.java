package zooscope.engine.optim;

import java.util.Arrays;

/**
 * A learning-rate schedule linear between knots (step_i, value_i), constant before the first and after
 * the last knot.
 */
public final class PiecewiseLinear {
    /** The zoo schedule (PAPER.md §4.3): 0.01 at step 0, 0.003 at 10,000, 0.0003 at 20,000 and after. */
    public static final PiecewiseLinear ZOO = new PiecewiseLinear(new double[] {0, 10_000, 20_000}, new double[] {0.01, 0.003, 0.0003});

    private final double[] steps, values;

    public PiecewiseLinear(double[] steps, double[] values) {
        if (steps.length == 0 || steps.length != values.length) {
            throw new IllegalArgumentException("schedule needs as many values as steps (and at least one), got " + steps.length + " and " + values.length);
        }
        for (int i = 1; i < steps.length; i++) {
            if (!(steps[i] > steps[i - 1])) throw new IllegalArgumentException("schedule steps must increase: " + Arrays.toString(steps));
        }
        this.steps = steps.clone();
        this.values = values.clone();
    }

    public double at(double step) {
        if (step <= steps[0]) return values[0];
        for (int i = 1; i < steps.length; i++) {
            if (step < steps[i]) return values[i - 1] + (values[i] - values[i - 1]) * (step - steps[i - 1]) / (steps[i] - steps[i - 1]);
        }
        return values[values.length - 1];
    }
}
