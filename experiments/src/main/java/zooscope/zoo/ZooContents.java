package zooscope.zoo;

import java.util.List;
import java.util.Map;

/**
 * What differs between the formal-language and the MNIST zoo once their rows are written: the content
 * checks, the quality measure and how the tables show it, and how a stored rollout becomes RNN inputs.
 * Each recipe class holds its one instance ({@code FormalZoo.CONTENTS}, {@code MnistZoo.CONTENTS});
 * {@link ZooKind#contents()} picks it, so readers never branch on the kind.
 */
public interface ZooContents {
    /** Adds the problems of the kind's own files (tasks, labels, metrics); shapes were checked on opening. */
    void check(Zoo zoo, Map<Integer, List<Long>> runs, List<String> problems);

    /** Formal: {accepted (count-only), accepted (strict, NaN if absent), 0}; MNIST: {eval accuracy, train loss, eval loss}. */
    double[] quality(Zoo zoo, long row);

    /** {@code quality(row)[0]} scaled to [0, 1] (accepted / 1000, or the accuracy). */
    double performance(Zoo zoo, long row);

    /** The summary's column headers after "step runs". */
    String summaryHeader();

    /** A summary line: the quality means over the step's runs and the min and max of the first. */
    String summaryLine(int step, int runs, double[] mean, double lo, double hi);

    /** The per-run table's task column header, a run's task, one quality cell, and the note after the step header. */
    String taskHeader();
    String task(Zoo zoo, long row);
    String qualityCell(double[] quality);
    String tableNote();

    /** Fills x[off ..] with the RNN inputs [time, inputs] of stored rollout {@code item} (row · rollouts + rollout). */
    void rolloutInputs(Zoo zoo, long item, int time, int inputs, float[] x, int off);

    /** The key by which PAPER.md §7 sorts a zoo's unique tasks before cutting off the out-of-distribution 15 %. */
    double splitCriterion(double[] task);

    /** Titles of the PCA panels coloured by task and by performance. */
    String taskColouring();
    String performanceColouring();
}
