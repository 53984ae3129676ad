package zooscope.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import zooscope.engine.io.DType;
import zooscope.engine.io.FormatException;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Npy;
import zooscope.engine.io.Safetensors;
import zooscope.engine.nn.LstmLayout;

/**
 * A zoo folder as written by zooscope or by the reference (PAPER.md §6), memory-mapped: file shapes and
 * dtypes are checked when it is opened, and the file and field are named when they are wrong.
 */
public final class Zoo {
    public final Path dir;
    public final ZooKind kind;
    /** Checkpoint rows (the first axis of every file). */
    public final long rows;
    private final Map<String, NdArray> files = new LinkedHashMap<>();
    private final long[] runStep;

    private Zoo(Path dir) throws IOException {
        this.dir = dir;
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": no such zoo folder");
        kind = ZooKind.of(dir);
        long n = -1;
        String first = null;
        for (ZooKind.ZooFile f : kind.files) {
            Path p = dir.resolve(f.name());
            if (!Files.exists(p)) {
                if (kind.inReferenceLayout(f)) throw new FormatException(p, "file", "missing; a " + kind.id + " zoo has " + names(kind));
                continue;
            }
            NdArray a = Npy.read(p);
            long[] s = a.shape();
            if (a.dtype() != f.dtype()) throw new FormatException(p, "descr", "'" + a.dtype().npy + "', expected '" + f.dtype().npy + "'");
            if (s.length != f.rowShape().length + 1 || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), f.rowShape())) {
                long[] want = new long[f.rowShape().length + 1];
                System.arraycopy(f.rowShape(), 0, want, 1, f.rowShape().length);
                throw new FormatException(p, "shape", Arrays.toString(s) + ", expected (N" + Arrays.toString(f.rowShape()).replace("[", ", ").replace("]", ")"));
            }
            if (n >= 0 && s[0] != n) throw new FormatException(p, "shape", s[0] + " rows, but " + first + " has " + n);
            n = s[0];
            first = f.name();
            files.put(f.name(), a);
        }
        rows = n;
        runStep = new long[(int) (2 * rows)];
        NdArray labels = files.get(kind.labelFile);
        int cols = (int) labels.shape()[1];
        for (int r = 0; r < rows; r++) {
            runStep[2 * r] = labels.getLong((long) r * cols);
            runStep[2 * r + 1] = labels.getLong((long) r * cols + 1);
        }
    }

    private static String names(ZooKind k) {
        return String.join(", ", k.files.stream().filter(k::inReferenceLayout).map(ZooKind.ZooFile::name).toList());
    }

    public static Zoo open(Path dir) throws IOException { return new Zoo(dir); }

    /** A file's array (null for an optional file the zoo lacks). */
    public NdArray file(String name) { return files.get(name); }

    public int run(long row) { return (int) runStep[(int) (2 * row)]; }
    public int step(long row) { return (int) runStep[(int) (2 * row + 1)]; }

    /** The row of run {@code run} after update {@code step}; the error lists what the zoo has. */
    public long row(int run, int step) {
        List<Integer> steps = new ArrayList<>();
        for (long r = 0; r < rows; r++) {
            if (run(r) != run) continue;
            if (step(r) == step) return r;
            steps.add(step(r));
        }
        if (steps.isEmpty()) throw new IllegalArgumentException(dir + ": no run " + run + " (runs " + runs().keySet() + ")");
        throw new IllegalArgumentException(dir + ": run " + run + " has no checkpoint at step " + step + " (steps " + steps + ")");
    }

    /** Run index → its rows, in file order. */
    public Map<Integer, List<Long>> runs() {
        Map<Integer, List<Long>> m = new TreeMap<>();
        for (long r = 0; r < rows; r++) m.computeIfAbsent(run(r), k -> new ArrayList<>()).add(r);
        return m;
    }

    /** The flat parameters (PyTorch order) of a row. */
    public float[] parameters(long row) {
        int p = kind.layout.size();
        return files.get("parameters.npy").toFloats(row * p, p);
    }

    /** args.json, or null. */
    public JsonNode args() throws IOException {
        Path p = dir.resolve(ZooKind.ARGS_FILE);
        if (!Files.exists(p)) return null;
        try {
            return new ObjectMapper().readTree(p.toFile());
        } catch (IOException e) {
            throw new FormatException(p, "json", "unreadable (" + e.getMessage() + ")");
        }
    }

    // ------------------------------------------------------------------ check

    /** run_status.npy's rows [run, status, step], flat; its dtype and shape (R, 3) are checked. */
    private static long[] status(Path dir) throws IOException {
        Path p = dir.resolve(ZooKind.STATUS_FILE);
        NdArray a = Npy.read(p);
        if (a.dtype() != DType.I64) throw new FormatException(p, "descr", "'" + a.dtype().npy + "', expected '" + DType.I64.npy + "'");
        if (a.shape().length != 2 || a.shape()[1] != 3) throw new FormatException(p, "shape", Arrays.toString(a.shape()) + ", expected (R, 3)");
        return a.toLongs();
    }

    /** Problems found in the zoo's contents (empty when it is valid); shapes and dtypes were checked on opening. */
    public List<String> check() throws IOException {
        List<String> problems = new ArrayList<>();
        if (args() == null) problems.add(ZooKind.ARGS_FILE + ": missing");
        Map<Integer, List<Long>> runs = runs();
        List<Integer> stepsOfFirst = null;
        int last = Integer.MIN_VALUE;
        for (long r = 0; r < rows; r++) {
            if (run(r) < last) { problems.add(kind.labelFile + ": row " + r + ": run " + run(r) + " after run " + last + " (rows must be ordered by run)"); break; }
            last = run(r);
        }
        for (var e : runs.entrySet()) {
            List<Integer> steps = e.getValue().stream().map(this::step).toList();
            for (int i = 1; i < steps.size(); i++) {
                if (steps.get(i) <= steps.get(i - 1)) { problems.add(kind.labelFile + ": run " + e.getKey() + ": steps " + steps + " not increasing"); break; }
            }
            if (stepsOfFirst == null) stepsOfFirst = steps;
            else if (!steps.equals(stepsOfFirst)) problems.add(kind.labelFile + ": run " + e.getKey() + " has steps " + steps + ", run " + runs.keySet().iterator().next() + " has " + stepsOfFirst);
            if (e.getValue().getLast() - e.getValue().getFirst() != e.getValue().size() - 1) problems.add(kind.labelFile + ": run " + e.getKey() + ": rows not consecutive");
        }
        firstNonFinite(this, "parameters.npy", problems);
        firstNonFinite(this, "logits.npy", problems);
        kind.contents().check(this, runs, problems);
        if (Files.exists(dir.resolve(ZooKind.STATUS_FILE))) {
            long[] s = status(dir);
            int stored = 0;
            for (int i = 0; i < s.length / 3; i++) if (s[3 * i + 1] == 0) stored++;
            if (stored != runs.size()) problems.add(ZooKind.STATUS_FILE + ": records " + stored + " stored runs, the files hold " + runs.size());
        }
        return problems;
    }

    /** Adds the first NaN or infinity of a file, if any, to the problems. */
    static void firstNonFinite(Zoo zoo, String name, List<String> problems) {
        NdArray a = zoo.files.get(name);
        long n = a.size();
        for (long i = 0; i < n; i++) {
            if (!Double.isFinite(a.getDouble(i))) {
                problems.add(name + ": value " + i + " (row " + i / (n / zoo.rows) + ") is " + a.getDouble(i));
                return;
            }
        }
    }

    // ------------------------------------------------------------------ summary

    /** Per checkpoint step: runs, and the mean, min and max of the quality measure (acceptance or eval accuracy). */
    public String summary() {
        Map<Integer, List<double[]>> byStep = new TreeMap<>();
        for (long r = 0; r < rows; r++) byStep.computeIfAbsent(step(r), k -> new ArrayList<>()).add(quality(r));
        ZooContents c = kind.contents();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%s zoo %s: %d rows, %d runs%n", kind.id, dir, rows, runs().size()));
        sb.append(String.format("%8s %5s  %s%n", "step", "runs", c.summaryHeader()));
        for (var e : byStep.entrySet()) {
            double[] mean = new double[3];
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (double[] q : e.getValue()) {
                for (int i = 0; i < 3; i++) mean[i] += q[i] / e.getValue().size();
                lo = Math.min(lo, q[0]);
                hi = Math.max(hi, q[0]);
            }
            sb.append(c.summaryLine(e.getKey(), e.getValue().size(), mean, lo, hi));
        }
        return sb.toString();
    }

    /**
     * One line per run: its task, then per checkpoint the accepted strings of 1000 (formal, count-only
     * rule) or the eval accuracy in % (MNIST).
     */
    public String perRunTable() {
        ZooContents c = kind.contents();
        Map<Integer, List<Long>> runs = runs();
        if (runs.isEmpty()) return "no runs stored yet\n";
        StringBuilder sb = new StringBuilder(String.format("%4s  %-22s", "run", c.taskHeader()));
        for (long r : runs.values().iterator().next()) sb.append(String.format("%7d", step(r)));
        sb.append(c.tableNote()).append('\n');
        for (var e : runs.entrySet()) {
            sb.append(String.format("%4d  %-22s", e.getKey(), c.task(this, e.getValue().getFirst())));
            for (long r : e.getValue()) sb.append(c.qualityCell(quality(r)));
            sb.append('\n');
        }
        return sb.toString();
    }

    /** See {@link ZooContents#quality}. */
    public double[] quality(long r) { return kind.contents().quality(this, r); }

    // ------------------------------------------------------------------ export and merge

    /** Writes one checkpoint as a PyTorch state dict (nn.LSTM "lstm.*" + nn.Linear "linear.*") in safetensors. */
    public void export(int run, int step, Path out) throws IOException {
        long row = row(run, step);
        float[] flat = parameters(row);
        LstmLayout layout = kind.layout;
        Map<String, NdArray> state = new LinkedHashMap<>();
        for (LstmLayout.Entry e : layout.entries()) {
            state.put(e.name(), NdArray.ofFloats(Arrays.copyOfRange(flat, e.offset(), e.offset() + e.size()), Arrays.stream(e.shape()).asLongStream().toArray()));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("zoo", kind.id);
        meta.put("run", Integer.toString(run));
        meta.put("step", Integer.toString(step));
        meta.put("layout", layout.toString());
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        Safetensors.write(out, state, meta);
    }

    /** One shard to merge: its zoo, its runs [first, end) and its run_status.npy rows, flat. */
    private record Shard(Zoo zoo, int first, int end, long[] status) {}

    /**
     * Merges complete shards of one zoo (same arguments but the shard) into {@code out}: rows by run, then
     * checkpoint, and args.json as an unsharded job writes it, so the result equals that job's zoo byte for
     * byte. The shards together must cover every run.
     */
    public static void merge(List<Path> shardDirs, Path out) throws IOException {
        if (shardDirs.isEmpty()) throw new IllegalArgumentException("zoo merge needs at least one shard folder");
        JsonNode common = null;
        int runs = -1;
        TreeMap<Integer, Shard> byFirstRun = new TreeMap<>();
        for (Path d : shardDirs) {
            Zoo z = open(d);
            JsonNode a = z.args();
            if (a == null || !a.has("zooscope")) throw new IllegalArgumentException(d + ": not a zooscope shard (no zooscope arguments in args.json)");
            ObjectNode rest = a.deepCopy();
            JsonNode zs = a.get("zooscope");
            int first = zs.get("shard_runs").get(0).asInt(), end = zs.get("shard_runs").get(1).asInt();
            ((ObjectNode) rest.get("zooscope")).remove(List.of("shard", "shard_runs"));
            if (common == null) { common = rest; runs = zs.get("runs").asInt(); }
            else if (!common.equals(rest)) {
                throw new IllegalArgumentException(d + ": made with other arguments than " + shardDirs.getFirst() + " (" + ArgsFile.firstDifference("", rest, common) + ")");
            }
            long[] status = Files.exists(d.resolve(ZooKind.STATUS_FILE)) ? status(d) : new long[0];
            long finished = status.length / 3;
            if (finished != end - first) {
                throw new IllegalArgumentException(d + ": shard " + zs.get("shard").asText() + " is not complete (" + finished + " of " + (end - first) + " runs finished); run its command again to finish it");
            }
            if (byFirstRun.put(first, new Shard(z, first, end, status)) != null) throw new IllegalArgumentException(d + ": shard " + zs.get("shard").asText() + " given twice");
        }
        int expect = 0;
        for (Shard sh : byFirstRun.values()) {
            if (sh.first() != expect) throw new IllegalArgumentException("shards do not cover runs " + expect + ".." + (sh.first() - 1) + " of " + runs + " (or overlap)");
            expect = sh.end();
        }
        if (expect != runs) throw new IllegalArgumentException("shards do not cover runs " + expect + ".." + (runs - 1) + " of " + runs);

        ObjectNode merged = common.deepCopy();
        ObjectNode zs = (ObjectNode) merged.get("zooscope");
        zs.put("shard", "0/1");
        zs.putArray("shard_runs").add(0).add(runs);
        @SuppressWarnings("unchecked")
        Map<String, Object> args = new ObjectMapper().convertValue(merged, LinkedHashMap.class);
        ZooKind kind = byFirstRun.firstEntry().getValue().zoo().kind;
        int perRun = zs.get("checkpoints").size();
        try (FolderLock lock = FolderLock.acquire(out, "zoo merge", null); ZooWriter w = new ZooWriter(out, kind, perRun, args)) {
            if (!w.finished().isEmpty()) throw new IllegalArgumentException(out + ": already holds " + w.finished().size() + " runs; merge into an empty folder");
            for (Shard sh : byFirstRun.values()) {
                Zoo z = sh.zoo();
                long[] s = sh.status();
                Map<Integer, List<Long>> rowsOf = z.runs();
                List<ZooWriter.RunResult> results = new ArrayList<>();
                for (int i = 0; i < s.length / 3; i++) {
                    int run = (int) s[3 * i];
                    List<Map<String, NdArray>> rows = new ArrayList<>();
                    if (s[3 * i + 1] == 0) {
                        for (long r : rowsOf.get(run)) {
                            Map<String, NdArray> row = new LinkedHashMap<>();
                            for (ZooKind.ZooFile f : kind.files) row.put(f.name(), z.file(f.name()).rows(r, 1));
                            rows.add(row);
                        }
                    }
                    results.add(new ZooWriter.RunResult(run, s[3 * i + 1] == 0 ? -1 : (int) s[3 * i + 2], rows));
                }
                w.commit(results);
            }
        }
    }
}
