package zooscope.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import zooscope.pretrain.TaskSplit.Part;
import zooscope.zoo.ZooKind;

/** The task split of PAPER.md §7 against the test vectors of §16.6 and §16.7. */
class TaskSplitTest {
    @Test
    void numpyLegacyPermutation() {
        // PAPER.md §16.6: np.random.seed(1); np.random.permutation(10)
        assertArrayEquals(new int[] {2, 9, 6, 4, 0, 3, 1, 7, 8, 5}, NumpyLegacyRandom.permutation(1, 10));
        // np.random.seed(0); np.random.permutation(10), a widely quoted NumPy output
        assertArrayEquals(new int[] {2, 8, 4, 9, 1, 6, 7, 3, 0, 5}, NumpyLegacyRandom.permutation(0, 10));
        // MT19937 seeded by init_genrand(5489) (C++ std::mt19937's default): first output 3499211612
        assertEquals(3_499_211_612L, Integer.toUnsignedLong(new NumpyLegacyRandom(5489).nextInt32()));
        // a permutation of 0..n-1 whatever n
        for (int n : new int[] {0, 1, 2, 33, 185, 1000}) {
            int[] p = NumpyLegacyRandom.permutation(7, n);
            int[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) assertEquals(i, sorted[i], "permutation(" + n + ")");
        }
    }

    /** All 216 formal tasks [0, m_b, m_c, m_d], m in −3..2, in lexicographic order. */
    static List<double[]> allFormalTasks() {
        List<double[]> t = new ArrayList<>();
        for (int b = -3; b <= 2; b++) for (int c = -3; c <= 2; c++) for (int d = -3; d <= 2; d++) t.add(new double[] {0, b, c, d});
        return t;
    }

    static Set<List<Integer>> triples(int[][] m) {
        Set<List<Integer>> s = new HashSet<>();
        for (int[] x : m) s.add(List.of(x[0], x[1], x[2]));
        return s;
    }

    /** The tasks (as (m_b, m_c, m_d)) of a part. */
    static Set<List<Integer>> tasksOf(List<double[]> tasks, Part[] parts, Part p) {
        Set<List<Integer>> s = new HashSet<>();
        for (int i = 0; i < tasks.size(); i++) if (parts[i] == p) s.add(List.of((int) tasks.get(i)[1], (int) tasks.get(i)[2], (int) tasks.get(i)[3]));
        return s;
    }

    static int count(Part[] parts, Part p) { return (int) Arrays.stream(parts).filter(x -> x == p).count(); }

    @Test
    void allFormalTasks_sizesAndOodSet() {
        List<double[]> tasks = allFormalTasks();
        assertEquals(216, tasks.size());
        Part[] parts = TaskSplit.parts(tasks, ZooKind.FORMAL, false);
        assertEquals(151, count(parts, Part.TRAIN));
        assertEquals(32, count(parts, Part.VAL));
        assertEquals(33, count(parts, Part.OOD));

        // PAPER.md §16.7: the 31 tasks above the entropy boundary, always OOD ...
        Set<List<Integer>> want = triples(new int[][] {
            {-2, -1, -1}, {-2, 0, 0}, {-1, -2, -1}, {-1, -1, -2}, {-1, -1, -1}, {-1, -1, 0}, {-1, 0, -1}, {-1, 0, 0}, {-1, 0, 1}, {-1, 1, 0},
            {0, -2, 0}, {0, -1, -1}, {0, -1, 0}, {0, -1, 1}, {0, 0, -2}, {0, 0, -1}, {0, 0, 0}, {0, 0, 1}, {0, 1, -1}, {0, 1, 0}, {0, 1, 1},
            {1, -1, 0}, {1, 0, -1}, {1, 0, 0}, {1, 0, 1}, {1, 1, 0}, {1, 1, 1}, {1, 1, 2}, {1, 2, 1}, {2, 1, 1}, {2, 2, 2}});
        assertEquals(31, want.size());
        // ... and, of the 12 tied at the boundary, the stable sort with lexicographic tie-break picks the last two
        want.addAll(triples(new int[][] {{2, 1, 2}, {2, 2, 1}}));
        assertEquals(want, tasksOf(tasks, parts, Part.OOD));

        // the 12 tied tasks really tie, exactly, at H ≈ 1.3107796781, and everything in OOD is at least that
        int[][] tied = {{-2, -1, 0}, {-2, 0, -1}, {-1, -2, 0}, {-1, 0, -2}, {-1, 1, 1}, {0, -2, -1}, {0, -1, -2}, {1, -1, 1}, {1, 1, -1}, {1, 2, 2}, {2, 1, 2}, {2, 2, 1}};
        double h = TaskSplit.criterion(ZooKind.FORMAL, new double[] {0, tied[0][0], tied[0][1], tied[0][2]});
        assertEquals(1.3107796781, h, 1e-9);
        for (int[] t : tied) assertEquals(h, TaskSplit.criterion(ZooKind.FORMAL, new double[] {0, t[0], t[1], t[2]}), 0.0, Arrays.toString(t));
        for (int i = 0; i < tasks.size(); i++) {
            double c = TaskSplit.criterion(ZooKind.FORMAL, tasks.get(i));
            if (parts[i] == Part.OOD) assertTrue(c >= h, "OOD task below the boundary: " + Arrays.toString(tasks.get(i)));
            else assertTrue(c <= h, "non-OOD task above the boundary: " + Arrays.toString(tasks.get(i)));
        }
    }

    @Test
    void allFormalTasks_downstreamVariant() {
        List<double[]> tasks = allFormalTasks();
        Part[] plain = TaskSplit.parts(tasks, ZooKind.FORMAL, false), down = TaskSplit.parts(tasks, ZooKind.FORMAL, true);
        assertEquals(16, count(down, Part.OOD));
        assertEquals(151 + 17, count(down, Part.TRAIN));
        assertEquals(32, count(down, Part.VAL));
        int moved = 0;
        for (int i = 0; i < tasks.size(); i++) {
            String t = Arrays.toString(tasks.get(i));
            switch (plain[i]) {
                case TRAIN -> assertEquals(Part.TRAIN, down[i], t);
                case VAL -> assertEquals(Part.VAL, down[i], "validation unchanged: " + t);
                case OOD -> { if (down[i] == Part.TRAIN) moved++; else assertEquals(Part.OOD, down[i], t); }
            }
        }
        assertEquals(17, moved);
        // which half stays: NumPy seed(2) permutation of the 33 OOD tasks (in criterion order), the first 16 stay
        List<Integer> oodSorted = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) if (plain[i] == Part.OOD) oodSorted.add(i);
        oodSorted.sort((a, b) -> {
            int c = Double.compare(TaskSplit.criterion(ZooKind.FORMAL, tasks.get(a)), TaskSplit.criterion(ZooKind.FORMAL, tasks.get(b)));
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] perm = NumpyLegacyRandom.permutation(2, 33);
        for (int i = 0; i < 33; i++) assertEquals(i < 16 ? Part.OOD : Part.TRAIN, down[oodSorted.get(perm[i])], "OOD task at permutation position " + i);
    }

    @Test
    void thousandMnistAngles() {
        SplittableRandom r = new SplittableRandom(5);
        TreeSet<Double> angles = new TreeSet<>();
        while (angles.size() < 1000) angles.add(360 * r.nextDouble());
        List<double[]> tasks = new ArrayList<>();
        for (double a : angles) tasks.add(new double[] {a});
        Part[] parts = TaskSplit.parts(tasks, ZooKind.MNIST, false);
        assertEquals(700, count(parts, Part.TRAIN));
        assertEquals(150, count(parts, Part.VAL));
        assertEquals(150, count(parts, Part.OOD));
        // tasks are in ascending order: OOD = exactly the 150 largest angles
        for (int i = 0; i < 1000; i++) assertEquals(i >= 850, parts[i] == Part.OOD, "angle " + tasks.get(i)[0] + " (rank " + i + ")");

        Part[] down = TaskSplit.parts(tasks, ZooKind.MNIST, true);
        assertEquals(75, count(down, Part.OOD));
        assertEquals(700 + 75, count(down, Part.TRAIN));
        assertEquals(150, count(down, Part.VAL));
        for (int i = 0; i < 1000; i++) {
            if (parts[i] != Part.OOD) assertEquals(parts[i], down[i], "only OOD tasks move");
            if (down[i] == Part.OOD) assertTrue(i >= 850);
        }
        // the criterion is the angle itself
        assertEquals(123.5, TaskSplit.criterion(ZooKind.MNIST, new double[] {123.5}));
    }

    @Test
    void formalEntropyCriterion() {
        // d = [0,0,0,0]: t' = [1,1,1,1], p = 1/4 each, H = −Σ p ln(p + 1e-6)
        assertEquals(-Math.log(0.25 + 1e-6), TaskSplit.criterion(ZooKind.FORMAL, new double[] {0, 0, 0, 0}), 1e-15);
        // d = [0,2,-3,1]: min −3, t' = [4, 6, 1, 5], Σ = 16
        double[] p = {4 / 16.0, 6 / 16.0, 1 / 16.0, 5 / 16.0};
        double h = 0;
        for (double q : p) h -= q * Math.log(q + 1e-6);
        assertEquals(h, TaskSplit.criterion(ZooKind.FORMAL, new double[] {0, 2, -3, 1}), 1e-15);
    }
}
