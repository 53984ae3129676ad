package zooscope.pretrain;

/**
 * NaN or infinity in pre-training: in the loss, in a gradient (found before the optimizer step, so the
 * parameters are still the previous update's) or in a parameter after the step. Names the update, the
 * parameter group (encoder or emulator) and the parameter. The command line prints the message as one line and
 * exits with 3; the run folder keeps its last checkpoint, written before the fault.
 */
public final class NumericalFault extends ArithmeticException {
    /** The update (-1 where not known yet), "encoder" or "emulator", and the parameter's name (null for the loss). */
    public final long update;
    public final String group, parameter;
    private final String what;

    NumericalFault(long update, String group, String parameter, String what) {
        super((update >= 0 ? "update " + update + ": " : "") + what);
        this.update = update;
        this.group = group;
        this.parameter = parameter;
        this.what = what;
    }

    /** The same fault at update {@code t}, with {@code after} appended to the message (e.g. where the run can resume). */
    NumericalFault at(long t, String after) {
        NumericalFault f = new NumericalFault(t, group, parameter, what + after);
        f.setStackTrace(getStackTrace());
        return f;
    }
}
