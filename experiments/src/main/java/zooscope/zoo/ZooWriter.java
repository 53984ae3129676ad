package zooscope.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import zooscope.engine.io.DType;
import zooscope.engine.io.FormatException;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Npy;
import zooscope.engine.io.NpyAppender;

/**
 * Appends finished runs to a zoo folder so that a job killed at any moment can be restarted with the same
 * command and end with the same bytes. Protocol: a batch of runs is appended to every data file and each
 * is flushed (rows first, then the row count in its header); only then are the runs recorded in
 * {@link ZooKind#STATUS_FILE}, which is flushed last and so commits them. On reopening, rows beyond what
 * the status file commits (a kill between the two) are cut off; args.json must match the command.
 */
final class ZooWriter implements Closeable {
    /** How a run ended. */
    record RunResult(int run, int divergedAt, List<Map<String, NdArray>> rows) {
        boolean stored() { return divergedAt < 0; }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Test hook: runs before every write of a zoo file (creating, appending, flushing, truncating) and may throw,
     * as a full disk would; null in normal use.
     */
    interface WriteHook { void before(Path file) throws IOException; }
    static volatile WriteHook hook;

    private interface Write<T> { T run() throws IOException; }
    private interface VoidWrite { void run() throws IOException; }

    private final Path dir;
    private final int rowsPerRun;
    private final Map<String, NpyAppender> data = new LinkedHashMap<>();
    private final NpyAppender status;
    private final Map<Integer, long[]> finished = new LinkedHashMap<>();

    /**
     * Opens (creating if needed) the zoo in {@code dir} for runs of {@code rowsPerRun} checkpoints, written
     * with arguments {@code args}. An existing zoo must have been started with the same arguments.
     */
    ZooWriter(Path dir, ZooKind kind, int rowsPerRun, Map<String, Object> args) throws IOException {
        this.dir = dir;
        this.rowsPerRun = rowsPerRun;
        write(dir, () -> Files.createDirectories(dir));
        write(dir.resolve(ZooKind.ARGS_FILE), () -> ArgsFile.checkOrWrite(dir.resolve(ZooKind.ARGS_FILE), args, "a zoo"));
        NpyAppender st = write(dir.resolve(ZooKind.STATUS_FILE), () -> NpyAppender.open(dir.resolve(ZooKind.STATUS_FILE), DType.I64, 3));
        try {
            long stored = 0;
            if (st.rows() > 0) {
                long[] s = Npy.read(st.file()).rows(0, st.rows()).toLongs();
                for (int r = 0; r < st.rows(); r++) {
                    finished.put((int) s[3 * r], new long[] {s[3 * r + 1], s[3 * r + 2]});
                    if (s[3 * r + 1] == 0) stored++;
                }
            }
            for (ZooKind.ZooFile f : kind.files) {
                NpyAppender a = write(dir.resolve(f.name()), () -> NpyAppender.open(dir.resolve(f.name()), f.dtype(), f.rowShape()));
                data.put(f.name(), a);
                long want = stored * rowsPerRun;
                if (a.rows() < want) {
                    throw new FormatException(a.file(), "shape", a.rows() + " rows, but " + ZooKind.STATUS_FILE + " records "
                        + stored + " stored runs of " + rowsPerRun + " checkpoints (" + want + " rows): the zoo is damaged");
                }
                if (a.rows() > want) write(a.file(), () -> a.truncate(want)); // written, but not committed before the job stopped
            }
        } catch (IOException | RuntimeException e) {
            try { closeAll(st); } catch (IOException suppressed) { e.addSuppressed(suppressed); }
            throw e;
        }
        status = st;
    }

    private void closeAll(NpyAppender st) throws IOException {
        IOException first = null;
        List<NpyAppender> all = new ArrayList<>(data.values());
        all.add(st);
        for (NpyAppender a : all) {
            try { a.close(); } catch (IOException e) { if (first == null) first = e; }
        }
        if (first != null) throw first;
    }

    /** Runs already finished (stored or diverged), with [status, step]. */
    Map<Integer, long[]> finished() { return finished; }


    /**
     * Appends the runs (in the given order) and commits them. A write that fails (a full disk) stops with a
     * {@link FolderLock.WriteFailedException} naming the zoo, the file and the cause; what this call wrote is not
     * committed and is cut off when the zoo is opened again.
     */
    void commit(List<RunResult> runs) throws IOException {
        long[] statusRows = new long[3 * runs.size()];
        int k = 0;
        for (RunResult r : runs) {
            if (r.stored()) {
                if (r.rows().size() != rowsPerRun) throw new IllegalStateException("run " + r.run() + " has " + r.rows().size() + " checkpoints, expected " + rowsPerRun);
                for (Map<String, NdArray> row : r.rows()) for (var e : data.entrySet()) write(e.getValue().file(), () -> e.getValue().append(row.get(e.getKey())));
            }
            statusRows[k++] = r.run();
            statusRows[k++] = r.stored() ? 0 : 1;
            statusRows[k++] = r.stored() ? -1 : r.divergedAt();
        }
        for (NpyAppender a : data.values()) write(a.file(), a::flush);
        write(status.file(), () -> status.append(NdArray.ofLongs(statusRows, runs.size(), 3)));
        write(status.file(), status::flush);
        for (int i = 0; i < runs.size(); i++) finished.put((int) statusRows[3 * i], new long[] {statusRows[3 * i + 1], statusRows[3 * i + 2]});
    }

    /** Runs a write of {@code file}; an I/O error becomes one that names the zoo, the file and the cause. */
    private <T> T write(Path file, Write<T> w) throws IOException {
        try {
            WriteHook h = hook;
            if (h != null) h.before(file);
            return w.run();
        } catch (zooscope.engine.io.FormatException e) {
            throw e; // a damaged file, not a failed write
        } catch (IOException e) {
            throw FolderLock.writeFailed(dir, file, e);
        }
    }

    private void write(Path file, VoidWrite w) throws IOException {
        write(file, () -> { w.run(); return null; });
    }

    @Override public void close() throws IOException {
        try {
            closeAll(status);
        } catch (IOException e) {
            throw FolderLock.writeFailed(dir, dir, e);
        }
    }
}
