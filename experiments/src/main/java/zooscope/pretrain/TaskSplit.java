package zooscope.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.WholeFile;
import zooscope.zoo.Zoo;
import zooscope.zoo.ZooKind;

/**
 * The task-based split of a zoo (PAPER.md §7): every checkpoint of a task goes to that task's part. The
 * unique tasks present, in lexicographic order, are sorted by a criterion (formal languages: the entropy
 * of 1 + d − min d read as a distribution; MNIST: the angle) with a stable sort, so ties keep their
 * lexicographic order; the last 15 % are out-of-distribution, the rest are permuted as NumPy's
 * {@code seed(1); permutation} does and cut into 70 % train and 15 % validation. The downstream variant
 * moves half of the OOD tasks (NumPy {@code seed(2)} permutation, all but the first ⌊n/2⌋) into training.
 */
public final class TaskSplit {
    public enum Part { TRAIN, VAL, OOD }

    static final double EVAL_RATIO = 0.15, OOD_RATIO = 0.15;

    /** Unique tasks, lexicographically sorted, and the part of each. */
    private final List<double[]> tasks;
    private final Part[] partOfTask;
    private final double[][] rowTask;
    private final int[] rowTaskIndex;
    public final boolean downstream;

    private TaskSplit(List<double[]> tasks, Part[] partOfTask, double[][] rowTask, boolean downstream) {
        this.tasks = tasks;
        this.partOfTask = partOfTask;
        this.rowTask = rowTask;
        this.downstream = downstream;
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < tasks.size(); i++) index.put(Arrays.toString(tasks.get(i)), i);
        rowTaskIndex = new int[rowTask.length];
        for (int r = 0; r < rowTask.length; r++) rowTaskIndex[r] = index.get(Arrays.toString(rowTask[r]));
    }

    /** A row's task: formal languages [0, m_b, m_c, m_d], MNIST {angle}. */
    public static double[] task(Zoo zoo, long row) {
        NdArray t = zoo.file("tasks.npy");
        int w = (int) t.shape()[1];
        double[] d = new double[w];
        for (int k = 0; k < w; k++) d[k] = t.getDouble(row * w + k);
        return d;
    }

    /** The split of a zoo's tasks; {@code downstream} moves half of the OOD tasks into training. */
    public static TaskSplit of(Zoo zoo, boolean downstream) {
        double[][] rowTask = new double[Math.toIntExact(zoo.rows)][];
        TreeMap<double[], Boolean> unique = new TreeMap<>(Arrays::compare);
        for (int r = 0; r < rowTask.length; r++) { rowTask[r] = task(zoo, r); unique.put(rowTask[r], true); }
        List<double[]> tasks = new ArrayList<>(unique.keySet());
        return new TaskSplit(tasks, parts(tasks, zoo.kind, downstream), rowTask, downstream);
    }

    /** The parts of lexicographically sorted unique tasks. */
    static Part[] parts(List<double[]> tasks, ZooKind kind, boolean downstream) {
        int U = tasks.size();
        Integer[] order = new Integer[U];
        for (int i = 0; i < U; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble(i -> criterion(kind, tasks.get(i)))); // stable: ties stay lexicographic
        int nTrain = (int) (U * (1 - EVAL_RATIO - OOD_RATIO)), nVal = (int) (U * EVAL_RATIO), nOod = U - nTrain - nVal;
        Part[] part = new Part[U];
        int[] perm = NumpyLegacyRandom.permutation(1, nTrain + nVal);
        for (int i = 0; i < nTrain + nVal; i++) part[order[perm[i]]] = i < nTrain ? Part.TRAIN : Part.VAL;
        int[] oodPerm = NumpyLegacyRandom.permutation(2, nOod);
        for (int i = 0; i < nOod; i++) {
            part[order[nTrain + nVal + oodPerm[i]]] = downstream && i >= nOod / 2 ? Part.TRAIN : Part.OOD;
        }
        return part;
    }

    /** Formal languages: the entropy of t' = 1 + d − min(d) as a distribution; MNIST: the angle ({@link zooscope.zoo.ZooContents#splitCriterion}). */
    static double criterion(ZooKind kind, double[] task) { return kind.contents().splitCriterion(task); }

    public Part part(long row) { return partOfTask[rowTaskIndex[(int) row]]; }

    /** The zoo rows of a part, in file order. */
    public long[] rows(Part p) {
        return java.util.stream.LongStream.range(0, rowTask.length).filter(r -> part(r) == p).toArray();
    }

    /** The tasks of a part, lexicographically sorted. */
    public List<double[]> tasks(Part p) {
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) if (partOfTask[i] == p) out.add(tasks.get(i));
        return out;
    }

    /** Index of a row's task among the unique tasks (lexicographic order). */
    public int taskIndex(long row) { return rowTaskIndex[(int) row]; }

    public int taskCount() { return tasks.size(); }

    /** Writes the split (tasks per part, row counts) as JSON: the record kept with a run. */
    public void write(Path file) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("rule", "PAPER.md section 7: unique tasks, stable sort by criterion, lexicographic tie-break, NumPy seed 1 permutation"
            + (downstream ? "; downstream variant: half of the OOD tasks (NumPy seed 2 permutation) moved into train" : ""));
        for (Part p : Part.values()) {
            Map<String, Object> part = new LinkedHashMap<>();
            part.put("tasks", tasks(p));
            part.put("rows", rows(p).length);
            json.put(p.name().toLowerCase(), part);
        }
        WholeFile.write(file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(json)); // a failed write leaves no half file
    }
}
