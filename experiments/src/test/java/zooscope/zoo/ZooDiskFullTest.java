package zooscope.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.cli.Main;

/**
 * A full disk in the middle of zoo generation: the N-th write of the job fails (after writing part of its bytes,
 * as a full disk does), the job stops with one line naming the zoo, the file and the cause, and the same
 * command run again (with space) ends with the bytes of an uninterrupted job.
 */
class ZooDiskFullTest {
    @TempDir Path tmp;

    /** 4 runs in groups of 2 (two commits), 31 updates, checkpoints after updates 0 and 30. */
    static ZooGenerator.Options options() { return ZooTest.formal(4, 30, 2, 2); }

    /** Fails the {@code failAt}-th write (1-based) with "No space left on device", leaving junk bytes of a partial write behind. */
    static final class FullDisk implements ZooWriter.WriteHook {
        final int failAt;
        int writes;
        final List<Path> files = new ArrayList<>();

        FullDisk(int failAt) { this.failAt = failAt; }

        @Override public void before(Path file) throws IOException {
            files.add(file);
            if (++writes != failAt) return;
            if (Files.isRegularFile(file)) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(new byte[37 + failAt % 50]), ch.size()); // part of a row, or of a header
                }
            } else if (file.getFileName().toString().contains(".")) {
                // a file being created (through a temporary file, renamed when whole), cut short
                Files.write(file.resolveSibling(file.getFileName() + ".tmp"), new byte[failAt % 60 + 1]);
            }
            throw new IOException("No space left on device");
        }
    }

    static ZooGenerator.Summary generate(Path dir, ZooWriter.WriteHook hook) throws IOException {
        ZooWriter.hook = hook;
        try {
            return ZooGenerator.generate(dir, options());
        } finally {
            ZooWriter.hook = null;
        }
    }

    @Test
    void aWriteFailingAnywhereStopsTheJobCleanlyAndTheNextRunEndsWithTheSameBytes() throws IOException {
        Path full = tmp.resolve("full");
        FullDisk counter = new FullDisk(-1);
        generate(full, counter);
        int writes = counter.writes;
        assertTrue(writes > 30, writes + " writes");
        // every write of setting up the zoo and the first ones of the first group, then every 3rd one, and the last
        TreeSet<Integer> points = new TreeSet<>();
        for (int n = 1; n <= writes; n++) if (n <= 12 || n % 3 == 0 || n == writes) points.add(n);
        List<String> seen = new ArrayList<>();
        for (int n : points) {
            Path cut = tmp.resolve("cut" + n);
            FullDisk disk = new FullDisk(n);
            var e = assertThrows(FolderLock.WriteFailedException.class, () -> generate(cut, disk), "write " + n);
            Path file = disk.files.get(n - 1);
            assertEquals("cannot write " + file + " (No space left on device); the job stopped; " + cut
                + " keeps everything finished before: free space (or fix the cause) and run the same command again to continue", e.getMessage());
            assertTrue(Files.notExists(cut.resolve(FolderLock.FILE)), "the lock is released");
            ZooGenerator.Summary s = generate(cut, null);
            assertEquals(4, s.alreadyDone() + s.trained());
            ZooTest.assertSameBytes(full, cut);
            seen.add(n + ":" + file.getFileName());
        }
        System.out.println("zoo writes failed, then resumed to the same bytes: " + String.join(" ", seen));
    }

    /** The command line prints the failure as one line (exit 2), and a second job on a held zoo is refused. */
    @Test
    void theCommandLineSaysWhatFailedInOneLine() throws IOException {
        Path dir = tmp.resolve("cli");
        String[] cmd = {"zoo", "formal", "--runs", "2", "--steps", "10", "--models-at-once", "1", "--threads", "1", "--out", dir.toString()};
        StringWriter err = new StringWriter();
        ZooWriter.hook = new FullDisk(12);
        int rc;
        try {
            rc = Main.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter())).execute(cmd);
        } finally {
            ZooWriter.hook = null;
        }
        assertEquals(2, rc);
        String line = err.toString().strip();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains(": cannot write " + dir) && line.contains("(No space left on device); the job stopped; " + dir), line);

        try (FolderLock held = FolderLock.acquire(dir, "another zoo job", null)) {
            StringWriter err2 = new StringWriter();
            assertEquals(2, Main.commandLine().setErr(new PrintWriter(err2, true)).setOut(new PrintWriter(new StringWriter())).execute(cmd));
            assertTrue(err2.toString().contains("is being written by another job (this process: another zoo job, pid " + ProcessHandle.current().pid()), err2.toString());
        }
        assertEquals(0, Main.commandLine().setOut(new PrintWriter(new StringWriter())).execute(cmd), "resumed with space");
    }
}
