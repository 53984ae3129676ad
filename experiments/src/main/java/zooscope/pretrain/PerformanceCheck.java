package zooscope.pretrain;

/** A cloned-performance check (PAPER.md §9.1.10): original RNN vs the emulator conditioned on its z. */
interface PerformanceCheck {
    String HEADER = "step,split,row,original,clone";

    /** Mean |original − clone| over a part's check rows; appends "step,split,row,original,clone" lines to {@code csv}. */
    double meanAbsDifference(TaskSplit.Part part, int step, StringBuilder csv);
}
