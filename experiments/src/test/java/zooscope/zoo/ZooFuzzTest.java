package zooscope.zoo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.ReaderFuzz;

/**
 * Seeded mutation fuzzing of zoo folders (see {@link ReaderFuzz}): a small formal and a small MNIST zoo,
 * written by {@link ZooWriter}, read back as {@code zoo check} does and reopened as a resuming job does;
 * and {@code args.json} and {@code run_status.npy} on their own.
 */
class ZooFuzzTest {
    static final int RUNS = 2, CHECKPOINTS = 2;

    @TempDir Path tmp;

    /** args.json of the small zoos (the fields Zoo.merge reads). */
    static Map<String, Object> args(ZooKind kind) {
        Map<String, Object> zs = new LinkedHashMap<>();
        zs.put("runs", RUNS);
        zs.put("checkpoints", List.of(0, 100));
        zs.put("shard", "0/1");
        zs.put("shard_runs", List.of(0, RUNS));
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("kind", kind.id);
        a.put("seed", 7);
        a.put("zooscope", zs);
        return a;
    }

    /** A zoo of RUNS runs × CHECKPOINTS rows with random but valid contents, one run diverged after them. */
    static Path writeZoo(Path dir, ZooKind kind) throws Exception {
        SplittableRandom r = new SplittableRandom(kind.ordinal());
        List<ZooWriter.RunResult> results = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            List<Map<String, NdArray>> rows = new ArrayList<>();
            for (int c = 0; c < CHECKPOINTS; c++) {
                Map<String, NdArray> row = new LinkedHashMap<>();
                for (ZooKind.ZooFile f : kind.files) row.put(f.name(), rowOf(f, kind, run, 100 * c, r));
                rows.add(row);
            }
            results.add(new ZooWriter.RunResult(run, -1, rows));
        }
        results.add(new ZooWriter.RunResult(RUNS, 37, List.of()));
        try (ZooWriter w = new ZooWriter(dir, kind, CHECKPOINTS, args(kind))) {
            w.commit(results);
        }
        return dir;
    }

    /** One row of a zoo file: labels [run, step, ...] in range, finite values elsewhere. */
    static NdArray rowOf(ZooKind.ZooFile f, ZooKind kind, int run, int step, SplittableRandom r) {
        long n = 1;
        for (long d : f.rowShape()) n *= d;
        long[] shape = new long[f.rowShape().length + 1];
        shape[0] = 1;
        System.arraycopy(f.rowShape(), 0, shape, 1, f.rowShape().length);
        double[] v = new double[(int) n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble(-2, 2);
        switch (f.name()) {
            case "sequences.npy" -> { if (kind == ZooKind.FORMAL) for (int i = 0; i < n; i++) v[i] = r.nextInt(6); }
            case "tasks.npy" -> { if (kind == ZooKind.FORMAL) v = new double[] {0, run % 3, -1, 2}; else v = new double[] {run * 90.5}; }
            case "num_step_correct.npy" -> v = new double[] {run, step, 600 + step};
            case FormalZoo.STRICT_FILE -> v = new double[] {500};
            case "num_step.npy" -> v = new double[] {run, step};
            case "accuracy_losses.npy" -> v = new double[] {0.5, 1.2, 1.3, MnistZoo.WEIGHT_DECAYS[run % 4]};
            default -> { }
        }
        return switch (f.dtype()) {
            case F32 -> { float[] x = new float[v.length]; for (int i = 0; i < x.length; i++) x[i] = (float) v[i]; yield NdArray.ofFloats(x, shape); }
            case F16 -> { float[] x = new float[v.length]; for (int i = 0; i < x.length; i++) x[i] = (float) v[i]; yield NdArray.ofFloat16(x, shape); }
            case F64 -> NdArray.ofDoubles(v, shape);
            case I16 -> { short[] x = new short[v.length]; for (int i = 0; i < x.length; i++) x[i] = (short) v[i]; yield NdArray.ofShorts(x, shape); }
            case I64 -> { long[] x = new long[v.length]; for (int i = 0; i < x.length; i++) x[i] = (long) v[i]; yield NdArray.ofLongs(x, shape); }
            default -> throw new IllegalArgumentException(f.dtype().toString());
        };
    }

    /** What `zoo check --per-run` reads, then a resuming job's reopening of the folder. */
    static void checkAndResume(Path dir) throws Exception {
        Zoo z = Zoo.open(dir);
        z.check();
        z.summary();
        z.perRunTable();
        try (ZooWriter w = new ZooWriter(dir, z.kind, CHECKPOINTS, args(z.kind))) {
            w.finished();
        }
    }

    static List<String> files(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void formalZooFolder() throws Exception {
        Path dir = writeZoo(tmp.resolve("formal"), ZooKind.FORMAL);
        // IllegalArgumentException: args.json records other arguments than the resuming job's (the message names the file)
        ReaderFuzz.run("zoo formal", 3_000_000L, ReaderFuzz.cases(300), dir, files(dir), f -> checkAndResume(f.getParent()),
            List.of(IllegalArgumentException.class), ReaderFuzz.NPY_HEADER_LENGTH);
    }

    @Test
    void mnistZooFolder() throws Exception {
        Path dir = writeZoo(tmp.resolve("mnist"), ZooKind.MNIST);
        ReaderFuzz.run("zoo mnist", 4_000_000L, ReaderFuzz.cases(300), dir, files(dir), f -> checkAndResume(f.getParent()),
            List.of(IllegalArgumentException.class), ReaderFuzz.NPY_HEADER_LENGTH);
    }

    @Test
    void argsJson() throws Exception {
        Path dir = writeZoo(tmp.resolve("args"), ZooKind.FORMAL);
        ReaderFuzz.run("args.json", 5_000_000L, ReaderFuzz.cases(300), dir, List.of(ZooKind.ARGS_FILE), f -> {
            Zoo.open(f.getParent()).args();
            ArgsFile.checkOrWrite(f, args(ZooKind.FORMAL), "a zoo");
        }, List.of(IllegalArgumentException.class), ReaderFuzz.NPY_HEADER_LENGTH);
    }

    @Test
    void runStatus() throws Exception {
        Path dir = writeZoo(tmp.resolve("status"), ZooKind.FORMAL);
        ReaderFuzz.run("run_status.npy", 6_000_000L, ReaderFuzz.cases(300), dir, List.of(ZooKind.STATUS_FILE), f -> checkAndResume(f.getParent()),
            List.of(IllegalArgumentException.class), ReaderFuzz.NPY_HEADER_LENGTH);
    }
}
