package zooscope.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Seeded mutation fuzzing of a file reader, shared by every reader's fuzz test. A valid folder (written
 * by the project's own writers) is mutated one case at a time: one of its files gets 1–3 mutations (bytes
 * flipped, truncated, header pieces spliced, numbers inflated, JSON nested deeply, tokens such as dtypes
 * swapped, NaN/Inf written into the data, another file's bytes), the reader runs on the folder in a
 * worker thread, and the folder is restored. Each case must end in a valid result or a clear rejection (a
 * {@link FormatException}, or the reader's own clear-error type, whose message names the folder);
 * anything else — another exception, an error, a hang past {@link #CASE_TIMEOUT_S}, or allocating more
 * than {@link #ALLOCATION_LIMIT} bytes — is "other" and fails the test with the case's seed.
 *
 * <p>{@code -Dzooscope.fuzz=full} runs {@link #FULL_CASES} per reader (CI), the default a fast subset;
 * {@code -Dzooscope.fuzz.seed=S} replays the one case of seed S.
 */
public final class ReaderFuzz {
    public static final int FULL_CASES = 10_000;
    /** Per-case hang bound: generous, as the 2-core CI machine may be busy. */
    static final long CASE_TIMEOUT_S = 20;
    /** Per-case allocation bound: a reader must refuse an inflated header before allocating what it promises. */
    static final long ALLOCATION_LIMIT = 256L << 20;

    private ReaderFuzz() {}

    /** Reads as the reader under test does (the mutated file, or the folder it lies in); returns normally for input it accepts. */
    @FunctionalInterface
    public interface Reader {
        void read(Path mutated) throws Exception;
    }

    /** A fuzz run's outcome. */
    public record Counts(String reader, int cases, int valid, int rejected, int other) {
        @Override public String toString() {
            return String.format("fuzz %-16s cases %6d  valid %6d  rejected %6d  other %d", reader, cases, valid, rejected, other);
        }
    }

    /** {@code fast} cases, or {@link #FULL_CASES} with {@code -Dzooscope.fuzz=full}. */
    public static int cases(int fast) {
        return "full".equals(System.getProperty("zooscope.fuzz")) ? FULL_CASES : fast;
    }

    /**
     * Fuzzes {@code read} on {@code dir}, mutating the files named in {@code targets}. Asserts that the valid
     * folder reads, that no case ends in "other", and that some cases were rejected; returns the counts.
     */
    public static Counts run(String reader, long baseSeed, int cases, Path dir, List<String> targets, Reader read) throws Exception {
        return run(reader, baseSeed, cases, dir, targets, read, List.of(), null);
    }

    /**
     * Where a format keeps its header's length: {offset, width} of a little-endian unsigned count of the
     * header bytes that follow it (null if the file has none).
     */
    @FunctionalInterface
    public interface LengthField {
        int[] of(byte[] file);
    }

    /** NPY's header length: 2 bytes at 8 in version 1, 4 bytes in versions 2 and 3 (none for other files). */
    public static final LengthField NPY_HEADER_LENGTH = b -> b.length < 12 || b[0] != (byte) 0x93 ? null : b[6] == 1 ? new int[] {8, 2} : new int[] {8, 4};
    /** Safetensors' header length: 8 bytes at 0. */
    public static final LengthField SAFETENSORS_HEADER_LENGTH = b -> new int[] {0, 8};

    /**
     * As above, with {@code clear} the reader's own clear-error types besides {@link FormatException}, and
     * {@code lengthField} (or null) the header length to keep consistent in half the cases that grow or
     * shrink the header, so that the mutation reaches the checks behind the framing.
     */
    public static Counts run(String reader, long baseSeed, int cases, Path dir, List<String> targets, Reader read,
                             List<Class<? extends Exception>> clear, LengthField lengthField) throws Exception {
        Map<String, byte[]> original = new LinkedHashMap<>();
        for (String t : targets) original.put(t, Files.readAllBytes(dir.resolve(t)));
        List<String> baseFiles = listing(dir);
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> { Thread t = new Thread(r, "fuzz-" + reader); t.setDaemon(true); return t; });
        try {
            for (String t : targets) {
                Outcome base = runCase(worker, dir.resolve(t), read, clear);
                assertEquals(Kind.VALID, base.kind, reader + ": the unmutated " + t + " must read: " + base.detail);
                restore(dir, t, original, baseFiles);
            }

            String one = System.getProperty("zooscope.fuzz.seed");
            long[] seeds = one != null ? new long[] {Long.parseLong(one)} : java.util.stream.LongStream.range(0, cases).map(i -> baseSeed + i).toArray();
            int valid = 0, rejected = 0, other = 0;
            List<String> failures = new ArrayList<>();
            for (long seed : seeds) {
                SplittableRandom r = new SplittableRandom(seed);
                String target = targets.get(r.nextInt(targets.size()));
                StringBuilder what = new StringBuilder(target + ":");
                byte[] bytes = original.get(target);
                for (int m = 1 + r.nextInt(3); m > 0; m--) {
                    byte[] before = bytes;
                    bytes = mutate(before, original, r, what);
                    if (lengthField != null && bytes.length != before.length && r.nextBoolean()) bytes = reframe(before, bytes, lengthField, what);
                }
                Files.write(dir.resolve(target), bytes);
                Outcome o = runCase(worker, dir.resolve(target), read, clear);
                switch (o.kind) {
                    case VALID -> valid++;
                    case REJECTED -> rejected++;
                    case OTHER -> {
                        other++;
                        if (failures.size() < 5) failures.add("seed " + seed + " (replay: -Dzooscope.fuzz.seed=" + seed + ") " + what + "\n  " + o.detail);
                    }
                    case HUNG -> {
                        // the worker is stuck: report the case and stop, as the folder is still being read
                        failures.add("seed " + seed + " HUNG over " + CASE_TIMEOUT_S + " s " + what);
                        Counts c = new Counts(reader, valid + rejected + other + 1, valid, rejected, other + 1);
                        System.out.println(c);
                        throw new AssertionError(c + "\n" + String.join("\n", failures));
                    }
                }
                restore(dir, target, original, baseFiles);
            }
            Counts c = new Counts(reader, seeds.length, valid, rejected, other);
            System.out.println(c);
            assertTrue(failures.isEmpty(), c + ": cases ended in neither a valid result nor a clear rejection:\n" + String.join("\n", failures));
            if (one == null) assertTrue(rejected > 0, c + ": no case was rejected; the mutations do not reach the reader");
            return c;
        } finally {
            worker.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ running one case

    private enum Kind { VALID, REJECTED, OTHER, HUNG }

    private record Outcome(Kind kind, String detail) {}

    private static Outcome runCase(ExecutorService worker, Path mutated, Reader read, List<Class<? extends Exception>> clear) throws InterruptedException {
        Future<Outcome> f = worker.submit(() -> {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            Outcome o;
            try {
                read.read(mutated);
                o = new Outcome(Kind.VALID, "");
            } catch (Throwable t) {
                o = classify(t, mutated.getParent(), clear);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated > ALLOCATION_LIMIT) o = new Outcome(Kind.OTHER, "allocated " + allocated + " bytes (limit " + ALLOCATION_LIMIT + "); ended " + o.kind + " " + o.detail);
            return o;
        });
        try {
            return f.get(CASE_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Outcome(Kind.HUNG, "");
        } catch (java.util.concurrent.ExecutionException e) {
            return new Outcome(Kind.OTHER, trace(e.getCause()));
        }
    }

    private static Outcome classify(Throwable t, Path dir, List<Class<? extends Exception>> clear) {
        boolean clearType = t instanceof FormatException || clear.stream().anyMatch(c -> c.isInstance(t));
        String msg = String.valueOf(t.getMessage());
        if (clearType && msg.contains(dir.toString())) return new Outcome(Kind.REJECTED, msg);
        return new Outcome(Kind.OTHER, (clearType ? "message does not name the file: " : "") + trace(t));
    }

    private static String trace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String s = w.toString();
        return s.length() > 3000 ? s.substring(0, 3000) + "..." : s;
    }

    /**
     * Puts back the mutated file and any other target whose size changed (readers that resume, such as the
     * zoo writer, truncate or rewrite headers in place), and removes files the case created.
     */
    private static void restore(Path dir, String mutated, Map<String, byte[]> original, List<String> baseFiles) throws IOException {
        for (var e : original.entrySet()) {
            Path p = dir.resolve(e.getKey());
            if (e.getKey().equals(mutated) || !Files.exists(p) || Files.size(p) != e.getValue().length) Files.write(p, e.getValue());
        }
        for (String f : listing(dir)) if (!baseFiles.contains(f)) Files.delete(dir.resolve(f));
    }

    private static List<String> listing(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ------------------------------------------------------------------ mutations

    /** Text pieces that matter to some reader: dtype names of both formats, JSON literals, keys, odd numbers. */
    static final String[] TOKENS = {
        "<f4", "<f2", "<f8", "<i2", "<i4", "<i8", "|u1", "<u1", ">f4", "<c8", "|b1", "|O", "<U3",
        "F32", "F16", "F64", "I16", "I32", "I64", "U8", "BF16", "BOOL",
        "True", "False", "true", "false", "null", "NaN", "Infinity", "-Infinity", "1e309", "-0", "\"\"", "[]", "{}", "()", "(,)",
        "'shape'", "'descr'", "'fortran_order'", "\"shape\"", "\"dtype\"", "\"data_offsets\"", "\"__metadata__\"", "\"encoder\"", "\"zoo_kind\"",
        "\"pretrain\"", "\"zooscope\"", "\"step\"",
    };
    /** Inflated or edge-case numbers for text headers: 10^12 elements, int and long limits, negatives. */
    static final String[] NUMBERS = {"1000000000000", "4294967296", "2147483647", "2147483648", "9223372036854775807", "99999999999999999999",
        "-1", "0", "1e12", "1.5", "3"};
    /** The same for binary headers: 10^12, unsigned and signed limits. */
    static final long[] BINARY_NUMBERS = {1_000_000_000_000L, 0xFFFFFFFFL, 0x7FFFFFFFL, 0x80000000L, -1L, Long.MAX_VALUE, 0, 1, 65535};

    /** One random mutation of {@code b} (the folder's originals are the source of other files' bytes); appends what it did to {@code what}. */
    static byte[] mutate(byte[] b, Map<String, byte[]> original, SplittableRandom r, StringBuilder what) {
        int n = b.length;
        switch (r.nextInt(10)) {
            case 0 -> { // flip bytes, mostly in the header
                byte[] c = b.clone();
                int k = 1 + r.nextInt(8);
                for (int i = 0; i < k && n > 0; i++) c[pos(n, r)] = (byte) r.nextInt(256);
                what.append(" flip ").append(k);
                return c;
            }
            case 1 -> { // truncate anywhere
                int len = n == 0 ? 0 : r.nextInt(n);
                what.append(" truncate ").append(len);
                return Arrays.copyOf(b, len);
            }
            case 2 -> { // splice: duplicate or cut a piece of the header
                if (n < 2) return b;
                int a = pos(n, r), len = 1 + r.nextInt(Math.min(64, n - a)), at = pos(n, r);
                boolean dup = r.nextBoolean();
                what.append(dup ? " duplicate " : " cut ").append(a).append('+').append(len).append(dup ? " at " + at : "");
                byte[] piece = Arrays.copyOfRange(b, a, a + len);
                return dup ? concat(Arrays.copyOf(b, at), piece, Arrays.copyOfRange(b, at, n))
                           : concat(Arrays.copyOf(b, a), Arrays.copyOfRange(b, a + len, n));
            }
            case 3 -> { // inflate a number in a text header
                String text = text(b);
                List<int[]> runs = new ArrayList<>();
                for (int i = 0; i < text.length(); i++) {
                    if (!Character.isDigit(text.charAt(i))) continue;
                    int j = i;
                    while (j < text.length() && Character.isDigit(text.charAt(j))) j++;
                    runs.add(new int[] {i, j});
                    i = j;
                }
                if (runs.isEmpty()) return b;
                int[] run = runs.get(r.nextInt(runs.size()));
                String num = NUMBERS[r.nextInt(NUMBERS.length)];
                what.append(" number@").append(run[0]).append('=').append(num);
                return concat(Arrays.copyOf(b, run[0]), num.getBytes(StandardCharsets.ISO_8859_1), Arrays.copyOfRange(b, run[1], n));
            }
            case 4 -> { // inflate a binary length or count in the first 64 bytes, either byte order
                int width = new int[] {2, 4, 8}[r.nextInt(3)];
                if (n < width) return b;
                int at = r.nextInt(Math.min(64, n - width + 1));
                long v = BINARY_NUMBERS[r.nextInt(BINARY_NUMBERS.length)];
                boolean little = r.nextBoolean();
                byte[] c = b.clone();
                for (int i = 0; i < width; i++) c[at + (little ? i : width - 1 - i)] = (byte) (v >>> (8 * i));
                what.append(" int").append(8 * width).append(little ? "le@" : "be@").append(at).append('=').append(v);
                return c;
            }
            case 5 -> { // nest JSON deeply after an opening bracket (balanced, or left open)
                String text = text(b);
                List<Integer> opens = new ArrayList<>();
                for (int i = 0; i < text.length(); i++) if (text.charAt(i) == '{' || text.charAt(i) == '[') opens.add(i);
                if (opens.isEmpty()) return b;
                int at = opens.get(r.nextInt(opens.size())) + 1;
                int depth = new int[] {50, 900, 1500, 20_000}[r.nextInt(4)];
                boolean balanced = r.nextBoolean();
                String deep = "[".repeat(depth) + (balanced ? "]".repeat(depth) : "");
                String insert = text.charAt(at - 1) == '{' ? "\"deep\": " + deep + ", " : deep + ", ";
                what.append(" nest").append(depth).append(balanced ? "@" : "open@").append(at);
                return concat(Arrays.copyOf(b, at), insert.getBytes(StandardCharsets.ISO_8859_1), Arrays.copyOfRange(b, at, n));
            }
            case 6 -> { // swap a token (a dtype, a literal, a key) for another
                String text = text(b);
                List<int[]> hits = new ArrayList<>();
                for (int t = 0; t < TOKENS.length; t++) for (int i = text.indexOf(TOKENS[t]); i >= 0; i = text.indexOf(TOKENS[t], i + 1)) hits.add(new int[] {i, t});
                if (hits.isEmpty()) return b;
                int[] h = hits.get(r.nextInt(hits.size()));
                String to = TOKENS[r.nextInt(TOKENS.length)];
                what.append(" token@").append(h[0]).append(' ').append(TOKENS[h[1]]).append("->").append(to);
                return concat(Arrays.copyOf(b, h[0]), to.getBytes(StandardCharsets.ISO_8859_1), Arrays.copyOfRange(b, h[0] + TOKENS[h[1]].length(), n));
            }
            case 7 -> { // NaN or Inf (float16, float32 or float64 bits) into the data, at aligned places
                int width = new int[] {2, 4, 8}[r.nextInt(3)];
                if (n < 2 * width) return b;
                long[] bits = width == 2 ? new long[] {0x7E00, 0x7C00, 0xFC00} : width == 4 ? new long[] {0x7FC00000L, 0x7F800000L, 0xFF800000L}
                    : new long[] {0x7FF8000000000000L, 0x7FF0000000000000L, 0xFFF0000000000000L};
                byte[] c = b.clone();
                int k = 1 + r.nextInt(4);
                for (int j = 0; j < k; j++) {
                    int at = (n / 2 + r.nextInt(n - n / 2 - width + 1)) / width * width;
                    long v = bits[r.nextInt(3)];
                    for (int i = 0; i < width; i++) c[at + i] = (byte) (v >>> (8 * i));
                }
                what.append(" nan").append(8 * width).append('x').append(k);
                return c;
            }
            case 8 -> { // garbage appended
                byte[] tail = new byte[1 + r.nextInt(64)];
                for (int i = 0; i < tail.length; i++) tail[i] = (byte) r.nextInt(256);
                what.append(" append ").append(tail.length);
                return concat(b, tail);
            }
            default -> { // another file of the folder in its place (wrong dtype or shape), or nothing at all
                List<String> names = new ArrayList<>(original.keySet());
                String from = names.get(r.nextInt(names.size()));
                if (r.nextInt(4) == 0) { what.append(" empty"); return new byte[0]; }
                what.append(" bytes of ").append(from);
                return original.get(from);
            }
        }
    }

    /** Adds the change in length to the header's length field when the mutation lies inside the header. */
    private static byte[] reframe(byte[] before, byte[] after, LengthField lengthField, StringBuilder what) {
        int[] field = lengthField.of(before);
        if (field == null || before.length < field[0] + field[1]) return after;
        int off = field[0], width = field[1], at = Arrays.mismatch(before, after);
        long len = 0;
        for (int i = 0; i < width; i++) len |= (before[off + i] & 0xFFL) << (8 * i);
        long fixed = len + after.length - before.length;
        if (at < off + width || at > off + width + len || fixed < 0 || width < 8 && fixed >= 1L << (8 * width)) return after;
        byte[] c = after.clone();
        for (int i = 0; i < width; i++) c[off + i] = (byte) (fixed >>> (8 * i));
        what.append(" (header length ").append(len).append("->").append(fixed).append(')');
        return c;
    }

    /** A position, half the time within the first 128 bytes (where the headers are). */
    private static int pos(int n, SplittableRandom r) {
        return r.nextBoolean() ? r.nextInt(Math.min(n, 128)) : r.nextInt(n);
    }

    /** The first 64 KiB as Latin-1 text (byte i is char i), where text headers and JSON are. */
    private static String text(byte[] b) {
        return new String(b, 0, Math.min(b.length, 1 << 16), StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        int len = 0;
        for (byte[] p : parts) len += p.length;
        byte[] out = new byte[len];
        int at = 0;
        for (byte[] p : parts) { System.arraycopy(p, 0, out, at, p.length); at += p.length; }
        return out;
    }
}
