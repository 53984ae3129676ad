package zooscope.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.engine.io.DType;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Npy;
import zooscope.engine.io.NpyAppender;
import zooscope.engine.io.Safetensors;
import zooscope.engine.nn.LstmLayout;
import zooscope.formal.FormalLanguage;
import zooscope.mnist.Mnist;

public class ZooTest {
    @TempDir Path tmp;

    static ZooGenerator.Options formal(int runs, int steps, int atOnce, int threads, int shard, int shards, ZooGenerator.LearningRate lr) {
        return new ZooGenerator.Options(ZooKind.FORMAL, runs, 7, steps, atOnce, threads, shard, shards, null, lr, null);
    }

    static ZooGenerator.Options formal(int runs, int steps, int atOnce, int threads) {
        return formal(runs, steps, atOnce, threads, 0, 1, ZooGenerator.LearningRate.ZOO);
    }

    /** Every file of a folder, name → bytes. */
    static Map<String, byte[]> bytes(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) m.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return m;
    }

    public static void assertSameBytes(Path want, Path got) throws IOException {
        Map<String, byte[]> a = bytes(want), b = bytes(got);
        assertEquals(a.keySet(), b.keySet(), "same files");
        for (String f : a.keySet()) assertArrayEquals(a.get(f), b.get(f), f + " differs between " + want + " and " + got);
    }

    // ------------------------------------------------------------------ PAPER.md §16 test vectors

    @Test
    void checkpointsAndLearningRateSchedule() {
        assertArrayEquals(new int[] {0, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000}, ZooGenerator.checkpoints(20_000));
        assertArrayEquals(new int[] {0, 100, 200, 300}, ZooGenerator.checkpoints(300));
        assertArrayEquals(new int[] {0, 100, 200}, ZooGenerator.checkpoints(200));
        assertArrayEquals(new int[] {0}, ZooGenerator.checkpoints(0));
        var lr = ZooGenerator.LearningRate.ZOO;
        // update t uses lr(max(t − 1, 0)); lr(0) = 0.01, lr(100) = 0.00993, lr(5000) = 0.0065, lr(10⁴) = 0.003, lr(15000) = 0.00165, lr(2·10⁴) = 0.0003
        double[][] cases = {{0, 0.01}, {1, 0.01}, {101, 0.00993}, {5001, 0.0065}, {10_001, 0.003}, {15_001, 0.00165}, {20_001, 0.0003}, {40_000, 0.0003}};
        for (double[] c : cases) assertEquals(c[1], lr.at(3, (int) c[0]), 1e-12, "update " + (int) c[0]);
    }

    @Test
    void taskSpaceSplitAndSizes() {
        assertEquals(13_766, ZooKind.FORMAL.layout.size());
        assertEquals(15_178, ZooKind.MNIST.layout.size());
        assertEquals(47_998, MnistZoo.TRAIN_SPLIT.length);
        assertEquals(12_002, MnistZoo.EVAL_SPLIT.length);
        Set<List<Integer>> tasks = new HashSet<>();
        for (int run = 0; run < 20_000; run++) {
            int[] d = FormalZoo.task(1, run).task();
            assertEquals(0, d[0]);
            for (int k = 1; k < 4; k++) assertTrue(d[k] >= -3 && d[k] <= 2, "m in -3..2: " + java.util.Arrays.toString(d));
            tasks.add(List.of(d[1], d[2], d[3]));
        }
        assertEquals(216, tasks.size(), "6^3 tasks, each drawn");
        Set<Double> decays = new HashSet<>();
        for (int run = 0; run < 1000; run++) {
            MnistZoo.Task t = MnistZoo.task(1, run);
            assertTrue(t.angle() >= 0 && t.angle() < 360, "angle " + t.angle());
            decays.add(t.weightDecay());
        }
        assertEquals(Set.of(0.0, 0.001, 0.01, 0.1), decays);
    }

    // ------------------------------------------------------------------ contents

    @Test
    void formalZooRowsReproduceTheirStoredOutputsAndLabels() throws IOException {
        Path dir = tmp.resolve("zoo");
        ZooGenerator.generate(dir, formal(3, 100, 2, 2));
        Zoo zoo = Zoo.open(dir);
        assertEquals(List.of(), zoo.check());
        assertEquals(6, zoo.rows);
        for (long r = 0; r < zoo.rows; r++) {
            assertEquals(r / 2, zoo.run(r));
            assertEquals(r % 2 == 0 ? 0 : 100, zoo.step(r));
            int[] d = FormalZoo.task(7, zoo.run(r)).task();
            for (int k = 0; k < 4; k++) assertEquals(d[k], zoo.file("tasks.npy").getLong(4 * r + k));
        }
        double[] err = ReferenceZooTest.reproduceStoredOutputs(dir);
        assertTrue(err[0] < 2e-2, "worst " + err[0]);
        // learning happened: on average over the runs, more strings are accepted after 100 updates than after 1
        double[] accepted = new double[2];
        for (long r = 0; r < zoo.rows; r++) accepted[(int) (r % 2)] += zoo.quality(r)[0] / 3;
        assertTrue(accepted[1] > accepted[0] + 50, "mean accepted " + accepted[0] + " -> " + accepted[1]);
        // rollouts: BOS first, or EOS there when the rollout has no EOS (the reference's quirk)
        NdArray seqs = zoo.file("sequences.npy");
        for (long s = 0; s < seqs.size() / 42; s++) {
            long first = seqs.getLong(42 * s);
            boolean hasEos = false;
            for (int p = 1; p < 42; p++) hasEos |= seqs.getLong(42 * s + p) == FormalLanguage.EOS;
            assertEquals(hasEos ? FormalLanguage.BOS : FormalLanguage.EOS, first, "rollout " + s);
        }
    }

    @Test
    void mnistZooRowsReproduceTheirStoredOutputs() throws IOException {
        try {
            Mnist.locate(null);
        } catch (IOException unavailable) {
            assumeTrue(false, unavailable.getMessage());
        }
        Path dir = tmp.resolve("mnist");
        ZooGenerator.generate(dir, new ZooGenerator.Options(ZooKind.MNIST, 2, 3, 20, 2, 2, 0, 1, null, ZooGenerator.LearningRate.ZOO, null));
        Zoo zoo = Zoo.open(dir);
        assertEquals(List.of(), zoo.check());
        assertEquals(4, zoo.rows);
        for (long r = 0; r < zoo.rows; r++) {
            MnistZoo.Task t = MnistZoo.task(3, zoo.run(r));
            assertEquals(t.angle(), zoo.file("tasks.npy").getDouble(r));
            assertEquals(t.weightDecay(), zoo.file("accuracy_losses.npy").getDouble(4 * r + 3));
        }
        ReferenceZooTest.reproduceStoredOutputs(dir);
    }

    // ------------------------------------------------------------------ determinism, sharding, resuming

    @Test
    void sameBytesWhateverTheGroupingThreadsOrShards() throws IOException {
        Path together = tmp.resolve("together"), alone = tmp.resolve("alone"), merged = tmp.resolve("merged");
        ZooGenerator.generate(together, formal(3, 30, 3, 2));
        ZooGenerator.generate(alone, formal(3, 30, 1, 1));
        assertSameBytes(together, alone);
        ZooGenerator.generate(tmp.resolve("s1"), formal(3, 30, 2, 2, 1, 2, ZooGenerator.LearningRate.ZOO));
        ZooGenerator.generate(tmp.resolve("s0"), formal(3, 30, 2, 2, 0, 2, ZooGenerator.LearningRate.ZOO));
        assertEquals(1, Zoo.open(tmp.resolve("s0")).runs().size());
        assertEquals(2, Zoo.open(tmp.resolve("s1")).runs().size());
        Zoo.merge(List.of(tmp.resolve("s1"), tmp.resolve("s0")), merged);
        assertSameBytes(together, merged);

        var e = assertThrows(IllegalArgumentException.class, () -> Zoo.merge(List.of(tmp.resolve("s1")), tmp.resolve("m2")));
        assertTrue(e.getMessage().contains("do not cover runs 0..0 of 3"), e.getMessage());
    }

    @Test
    void resumingDropsUncommittedRowsAndEndsWithTheSameBytes() throws IOException {
        Path full = tmp.resolve("full"), cut = tmp.resolve("cut");
        ZooGenerator.generate(full, formal(3, 30, 1, 1));
        ZooGenerator.generate(cut, formal(3, 30, 1, 1));
        // as if killed after the data files of run 2 were flushed but before run_status.npy recorded it,
        // and while appending to parameters.npy after that
        try (NpyAppender status = NpyAppender.open(cut.resolve(ZooKind.STATUS_FILE), DType.I64, 3)) { status.truncate(2); }
        try (FileChannel ch = FileChannel.open(cut.resolve("parameters.npy"), StandardOpenOption.APPEND)) { ch.write(ByteBuffer.wrap(new byte[1234])); }
        Map<Integer, long[]> finished;
        try (ZooWriter w = new ZooWriter(cut, ZooKind.FORMAL, 2, ZooGenerator.args(new FormalZoo(7), formal(3, 30, 1, 1)))) {
            finished = w.finished();
        }
        assertEquals(Set.of(0, 1), finished.keySet());
        assertEquals(4, Npy.read(cut.resolve("parameters.npy")).shape()[0], "rows of the uncommitted run are cut off");
        var summary = ZooGenerator.generate(cut, formal(3, 30, 2, 2));
        assertEquals(2, summary.alreadyDone());
        assertEquals(1, summary.trained());
        assertSameBytes(full, cut);
    }

    @Test
    void aZooIsResumedOnlyWithItsOwnArguments() throws IOException {
        Path dir = tmp.resolve("zoo");
        ZooGenerator.generate(dir, formal(2, 10, 2, 2));
        var e = assertThrows(IllegalArgumentException.class, () -> ZooGenerator.generate(dir, formal(2, 20, 2, 2)));
        assertTrue(e.getMessage().contains("field 'zooscope.steps' is 10, this command gives 20"), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("args.json").toString()), e.getMessage());
    }

    @Test
    void aDivergingRunIsRecordedNotStoredAndTheOthersGoOn() throws IOException {
        Path normal = tmp.resolve("normal"), blown = tmp.resolve("blown");
        ZooGenerator.generate(normal, formal(3, 30, 3, 2));
        ZooGenerator.LearningRate lr = (run, t) -> run == 1 ? 1e30 : ZooGenerator.LearningRate.ZOO.at(run, t);
        var summary = ZooGenerator.generate(blown, formal(3, 30, 3, 2, 0, 1, lr));
        assertEquals(1, summary.diverged());
        long[] status = Npy.read(blown.resolve(ZooKind.STATUS_FILE)).toLongs();
        assertEquals(1, status[3 + 1], "run 1 diverged");
        assertTrue(status[3 + 2] >= 0 && status[3 + 2] <= 30, "at update " + status[3 + 2]);
        assertEquals(0, status[1]);
        assertEquals(0, status[6 + 1]);
        Zoo a = Zoo.open(normal), b = Zoo.open(blown);
        assertEquals(Set.of(0, 2), b.runs().keySet());
        assertEquals(List.of(), b.check());
        for (long r = 0; r < b.rows; r++) {
            long ra = a.row(b.run(r), b.step(r));
            assertArrayEquals(a.parameters(ra), b.parameters(r), "the other runs are untouched");
        }
    }

    // ------------------------------------------------------------------ check and export

    @Test
    void checkReportsLabelsOutOfRange() throws IOException {
        Path dir = tmp.resolve("zoo");
        ZooGenerator.generate(dir, formal(2, 10, 2, 2));
        long[] labels = Npy.read(dir.resolve("num_step_correct.npy")).toLongs();
        labels[3 * 2 + 2] = 1001;
        Npy.write(dir.resolve("num_step_correct.npy"), NdArray.ofLongs(labels, 4, 3));
        List<String> problems = Zoo.open(dir).check();
        assertEquals(List.of("num_step_correct.npy: row 2: 1001 accepted, expected 0..1000"), problems);

        Npy.write(dir.resolve("tasks.npy"), NdArray.ofLongs(new long[12], 3, 4));
        var e = assertThrows(IOException.class, () -> Zoo.open(dir));
        assertTrue(e.getMessage().contains("tasks.npy: shape: 3 rows, but"), e.getMessage());
    }

    @Test
    void exportWritesTheCheckpointAsAPyTorchStateDict() throws IOException {
        Path dir = tmp.resolve("zoo"), out = tmp.resolve("ckpt.safetensors");
        ZooGenerator.generate(dir, formal(2, 10, 2, 2));
        Zoo zoo = Zoo.open(dir);
        zoo.export(1, 10, out);
        var contents = Safetensors.read(out);
        float[] flat = zoo.parameters(zoo.row(1, 10));
        assertEquals(10, contents.tensors().size());
        for (LstmLayout.Entry e : LstmLayout.FORMAL.entries()) {
            NdArray t = contents.tensors().get(e.name());
            assertArrayEquals(java.util.Arrays.stream(e.shape()).asLongStream().toArray(), t.shape(), e.name());
            assertArrayEquals(java.util.Arrays.copyOfRange(flat, e.offset(), e.offset() + e.size()), t.toFloats(), e.name());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> zoo.export(1, 20, out));
        assertTrue(e.getMessage().endsWith("run 1 has no checkpoint at step 20 (steps [0, 10])"), e.getMessage());
    }

    /** The export script of the README, in PyTorch (skipped where python3 with torch is missing). */
    @Test
    void pytorchReproducesTheZooFromTheExport() throws Exception {
        Path script = Path.of("src", "test", "python", "check_export.py").toAbsolutePath();
        String python = torchPython();
        assumeTrue(python != null, "python3 with torch not available (Debian: apt-get install python3-torch)");
        Path dir = tmp.resolve("zoo"), out = tmp.resolve("ckpt.safetensors");
        ZooGenerator.generate(dir, formal(2, 100, 2, 2));
        Zoo.open(dir).export(1, 100, out);
        Process p = new ProcessBuilder(python, script.toString(), dir.toString(), out.toString(), "--run", "1", "--step", "100")
            .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        System.out.print(log);
        assertTrue(log.contains("ok"), log);
    }

    /** A python3 that has torch and numpy (the one on PATH, else Debian's), or null. */
    static String torchPython() {
        for (String python : new String[] {"python3", "/usr/bin/python3"}) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import torch, numpy").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() == 0) return python;
            } catch (IOException | InterruptedException e) {
                // not this one
            }
        }
        return null;
    }
}
