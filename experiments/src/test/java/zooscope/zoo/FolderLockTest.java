package zooscope.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per folder: held → refused naming the holder; released → taken; a killed holder's lock → taken over. */
class FolderLockTest {
    @TempDir Path tmp;

    /** A job in its own JVM that locks a folder: prints "locked" (then holds until killed) or "busy MESSAGE" and exits. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try {
                FolderLock.acquire(Path.of(args[0]), "test holder", System.out);
                System.out.println("locked");
                System.out.flush();
                Thread.sleep(600_000);
            } catch (FolderLock.BusyException e) {
                System.out.println("busy " + e.getMessage());
            }
        }
    }

    static Process holder(Path folder) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) if (!a.startsWith("-agentlib")) cmd.add(a);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Holder.class.getName(), folder.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** The holder's first line of output that says what became of it ("locked" or "busy ..."). */
    static String outcome(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) if (line.equals("locked") || line.startsWith("busy ")) return line;
        return "exited without a word";
    }

    @Test
    void aHeldFolderIsRefusedAReleasedOneIsTaken() throws IOException {
        Path dir = tmp.resolve("zoo");
        FolderLock first = FolderLock.acquire(dir, "zoo formal", null);
        assertNull(first.previousHolder(), "a free folder");
        String record = Files.readString(dir.resolve(FolderLock.FILE));
        assertTrue(record.contains("pid=" + ProcessHandle.current().pid()) && record.contains("host=" + FolderLock.host()), record);
        var e = assertThrows(FolderLock.BusyException.class, () -> FolderLock.acquire(dir, "zoo formal", null));
        assertThrows(FolderLock.BusyException.class, () -> FolderLock.checkFree(dir));
        assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid() + " on host " + FolderLock.host()), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve(FolderLock.FILE).toString()), e.getMessage());
        first.close();
        assertTrue(Files.notExists(dir.resolve(FolderLock.FILE)), "released: the lock file is gone");
        try (FolderLock again = FolderLock.acquire(dir, "zoo formal", null)) {
            assertNull(again.previousHolder(), "a released lock is not stale");
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "the folder holds nothing of the lock");
        }
        FolderLock.checkFree(dir);
    }

    @Test
    void anotherProcessIsRefusedAtOnceAndAKilledHoldersLockIsTakenOver() throws Exception {
        Path dir = tmp.resolve("run");
        Process p = holder(dir);
        try {
            assertEquals("locked", outcome(p));
            long t0 = System.nanoTime();
            var e = assertThrows(FolderLock.BusyException.class, () -> FolderLock.acquire(dir, "pretrain", null));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds < 0.5, "refused after " + seconds + " s");
            assertTrue(e.getMessage().contains("test holder, pid " + p.pid() + " on host " + FolderLock.host() + ", started "), e.getMessage());
            assertTrue(e.getMessage().contains("lock file " + dir.resolve(FolderLock.FILE)), e.getMessage());
            var c = assertThrows(FolderLock.BusyException.class, () -> FolderLock.checkFree(dir), "the quick check before a command's start-up");
            assertEquals(e.getMessage(), c.getMessage());
        } finally {
            p.destroyForcibly(); // SIGKILL: the lock file stays, with the holder's record
            p.waitFor();
        }
        assertTrue(Files.readString(dir.resolve(FolderLock.FILE)).contains("pid=" + p.pid()), "a killed job leaves its record");
        FolderLock.checkFree(dir); // stale: free
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (FolderLock l = FolderLock.acquire(dir, "pretrain", new PrintStream(log, true, StandardCharsets.UTF_8))) {
            assertNotNull(l.previousHolder());
            assertTrue(l.previousHolder().contains("pid=" + p.pid()), l.previousHolder());
            assertTrue(log.toString(StandardCharsets.UTF_8).startsWith("took over the lock of " + dir), log.toString(StandardCharsets.UTF_8));
            assertTrue(Files.readString(dir.resolve(FolderLock.FILE)).contains("pid=" + ProcessHandle.current().pid()));
        }
    }

    /** Three jobs find the same stale lock at once: exactly one takes it over, the others are refused naming it. */
    @Test
    void ofJobsThatFindAStaleLockAtOnceExactlyOneTakesIt() throws Exception {
        Path dir = tmp.resolve("stale");
        Files.createDirectories(dir);
        Process dead = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version").start();
        dead.waitFor();
        Files.writeString(dir.resolve(FolderLock.FILE), "pid=" + dead.pid() + "\nhost=" + FolderLock.host() + "\nstarted=2000-01-01T00:00Z\njob=killed\n");
        List<Process> jobs = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) jobs.add(holder(dir));
            List<String> outcomes = new ArrayList<>();
            for (Process p : jobs) outcomes.add(outcome(p));
            List<Process> winners = new ArrayList<>();
            for (int i = 0; i < 3; i++) if (outcomes.get(i).equals("locked")) winners.add(jobs.get(i));
            assertEquals(1, winners.size(), "exactly one holder: " + outcomes);
            for (String o : outcomes) {
                if (o.equals("locked")) continue;
                assertTrue(o.contains("pid " + winners.getFirst().pid() + " on host"), "the refused name the winner, not the dead job: " + o);
            }
        } finally {
            for (Process p : jobs) p.destroyForcibly();
            for (Process p : jobs) p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
