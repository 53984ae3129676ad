package zooscope.zoo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One writer per folder: every job that writes a zoo, pre-training run or experiment folder holds this lock
 * while it writes. A second job on the same folder is refused at once with a {@link BusyException} naming the
 * holder (pid, host, start) and the lock file.
 *
 * <p>The lock is an operating-system lock ({@link FileChannel#tryLock()}) on {@value #FILE} in the folder; the
 * file records who holds it, for the message. The OS drops the lock when its process ends in any way (also
 * {@code kill -9}), so a killed job's lock is stale exactly when the OS lock is free: the next job takes it over,
 * and of two jobs that find it stale at once, the OS lets exactly one in. The holder deletes the file when it
 * releases the lock, before unlocking; a job that locked a file just deleted so (its path no longer names that
 * file) tries again.
 *
 * <p>POSIX locks belong to the process and are dropped when <em>any</em> descriptor of the file in the process
 * is closed, so this JVM never opens a folder's lock file while it holds that folder (a second acquisition of
 * a held folder in the same JVM is refused without touching the file).
 */
public final class FolderLock implements AutoCloseable {
    /** The lock file in a locked folder. */
    public static final String FILE = ".zooscope.lock";

    /** Folders (real paths) this JVM holds, with their records. */
    private static final Map<Path, String> HELD = new ConcurrentHashMap<>();
    /** How long a job refused on a lock whose record is being rewritten (a takeover in progress) waits for the new record. */
    private static final long SETTLE_MS = 300;

    /** A folder held by another job. */
    public static final class BusyException extends IOException {
        private static final long serialVersionUID = 1L;
        BusyException(String message) { super(message); }
    }

    /** A write in a job's folder failed; the message names the folder, the file and the cause, and how to go on. */
    public static final class WriteFailedException extends IOException {
        private static final long serialVersionUID = 1L;
        WriteFailedException(String message, IOException cause) { super(message, cause); }
    }

    private final Path folder, file, key;
    private final Object fileKey;
    private final FileChannel channel;
    private final FileLock lock;
    private final String previous;

    private FolderLock(Path folder, Path file, Path key, Object fileKey, FileChannel channel, FileLock lock, String previous) {
        this.folder = folder;
        this.file = file;
        this.key = key;
        this.fileKey = fileKey;
        this.channel = channel;
        this.lock = lock;
        this.previous = previous;
    }

    /**
     * Locks {@code folder} (created if needed) for a job described by {@code job} (e.g. "zoo formal"), or throws
     * a {@link BusyException} naming the job that holds it. A stale lock (its job has stopped) is taken over; if
     * {@code log} is not null, a line says so.
     */
    public static FolderLock acquire(Path folder, String job, PrintStream log) throws IOException {
        Files.createDirectories(folder);
        Path key = folder.toRealPath(), file = folder.resolve(FILE);
        String mine = describe(job), held = HELD.putIfAbsent(key, mine);
        if (held != null) throw busy(folder, file, parse(held), "this process");
        try {
            FolderLock l = take(folder, file, key, mine);
            if (l.previous != null && log != null) {
                log.println("took over the lock of " + folder + " from a job that stopped without releasing it (" + holderText(parse(l.previous)) + ")");
            }
            return l;
        } catch (BusyException | RuntimeException e) {
            HELD.remove(key);
            throw e;
        } catch (IOException e) { // e.g. no space left for the record
            HELD.remove(key);
            throw writeFailed(folder, file, e);
        }
    }

    /**
     * Refuses at once (a {@link BusyException}) if another job holds {@code folder}, without locking it: for a
     * command to say so before its slow start-up. The job must still {@link #acquire} the folder.
     */
    public static void checkFree(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        if (!Files.exists(file)) return;
        String held = HELD.get(folder.toRealPath());
        if (held != null) throw busy(folder, file, parse(held), "this process");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) throw busy(folder, file, parse(read(ch)), null);
            lock.release();
        } catch (NoSuchFileException | OverlappingFileLockException e) {
            // released meanwhile, or held through another channel of this JVM: acquire decides
        }
    }

    private static FolderLock take(Path folder, Path file, Path key, String record) throws IOException {
        long deadline = System.nanoTime() + SETTLE_MS * 1_000_000;
        while (true) {
            Object before = fileKey(file);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = null;
            try {
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // held through another channel of this JVM (not through acquire)
                }
                if (lock == null) {
                    Map<String, String> holder = parse(read(ch));
                    if (System.nanoTime() < deadline && !settled(holder)) { ch.close(); Thread.sleep(10); continue; }
                    throw busy(folder, file, holder, null);
                }
                Object after = fileKey(file);
                if (before == null || !before.equals(after)) { ch.close(); continue; } // created just now, or the path was released and reused: look again
                String previous = read(ch);
                byte[] me = record.getBytes(StandardCharsets.UTF_8);
                ch.truncate(0);
                ByteBuffer b = ByteBuffer.wrap(me);
                while (b.hasRemaining()) ch.write(b, b.position());
                ch.force(true);
                return new FolderLock(folder, file, key, after, ch, lock, previous.isBlank() ? null : previous);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ch.close();
                throw new IOException("interrupted while locking " + folder, e);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
    }

    /** The (device, inode) of a file without opening it; null if absent or the platform has none. */
    private static Object fileKey(Path file) throws IOException {
        try {
            Object k = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            return k == null ? "no keys" : k;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Whether a holder's record names a live job (else it is being rewritten by a job taking over a stale lock). */
    private static boolean settled(Map<String, String> holder) {
        String pid = holder.get("pid");
        if (pid == null || holder.get("host") == null) return false;
        if (!holder.get("host").equals(host())) return true;
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static String read(FileChannel ch) throws IOException {
        long size = Math.min(ch.size(), 4096);
        ByteBuffer b = ByteBuffer.allocate((int) size);
        while (b.hasRemaining() && ch.read(b, b.position()) >= 0) { /* fill */ }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    private static String describe(String job) {
        return "pid=" + ProcessHandle.current().pid() + "\nhost=" + host() + "\nstarted=" + OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS)
            + "\njob=" + job.replace('\n', ' ') + "\n";
    }

    private static Map<String, String> parse(String record) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : record.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1).strip());
        }
        return m;
    }

    private static String holderText(Map<String, String> h) {
        if (h.get("pid") == null) return "a job that has not recorded itself yet";
        return h.getOrDefault("job", "a job") + ", pid " + h.get("pid") + " on host " + h.getOrDefault("host", "?") + ", started " + h.getOrDefault("started", "?");
    }

    private static BusyException busy(Path folder, Path file, Map<String, String> holder, String who) {
        return new BusyException(folder + " is being written by another job (" + (who != null ? who + ": " : "") + holderText(holder)
            + "; lock file " + file + "): one job writes a folder at a time; wait for that job to end or stop it (a stopped job's lock is taken over)");
    }

    private static volatile String host;

    /** This machine's host name (without a DNS lookup where the kernel tells it). */
    static String host() {
        String h = host;
        if (h != null) return h;
        for (String f : new String[] {"/proc/sys/kernel/hostname", "/etc/hostname"}) {
            try {
                h = Files.readString(Path.of(f)).strip();
                if (!h.isEmpty()) return host = h;
            } catch (IOException | RuntimeException e) {
                // next source
            }
        }
        h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try { h = java.net.InetAddress.getLocalHost().getHostName(); } catch (IOException e) { h = "unknown"; }
        }
        return host = h;
    }

    /** The record of the job whose stale lock this one took over, or null if the lock was free. */
    public String previousHolder() { return previous; }

    public Path folder() { return folder; }

    /** Releases the lock and deletes the lock file (deleted first, while still held). */
    @Override
    public void close() throws IOException {
        if (!HELD.containsKey(key)) return;
        try {
            if (Objects.equals(fileKey(file), fileKey)) Files.deleteIfExists(file); // not a file that replaced it by hand
        } finally {
            try {
                lock.release();
            } finally {
                channel.close();
                HELD.remove(key);
            }
        }
    }

    /**
     * A write in {@code folder} failed: an exception whose one-line message names the folder, the file and the
     * cause (e.g. "No space left on device"), and says how to go on: the job's folder keeps what it had
     * committed, so the same command, run again with space, continues.
     */
    public static IOException writeFailed(Path folder, Path file, IOException cause) {
        if (cause instanceof BusyException || cause instanceof WriteFailedException) return cause;
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (cause instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) why = fse.getReason();
        return new WriteFailedException("cannot write " + file + " (" + why + "); the job stopped; " + folder
            + " keeps everything finished before: free space (or fix the cause) and run the same command again to continue", cause);
    }
}
