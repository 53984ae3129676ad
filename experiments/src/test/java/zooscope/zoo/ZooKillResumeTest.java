package zooscope.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.cli.Main;
import zooscope.engine.Rng;
import zooscope.engine.io.Npy;

/**
 * The zoo job as a user runs it, in its own JVM, killed with SIGKILL at random moments (startup, training,
 * evaluation, writing) and restarted with the same command each time: the finished zoo has the same bytes
 * as an uninterrupted run's.
 */
class ZooKillResumeTest {
    static final int KILLS = 5;
    @TempDir Path tmp;

    static String[] command(Path out) {
        return new String[] {"zoo", "formal", "--runs", "16", "--steps", "100", "--models-at-once", "2", "--seed", "11", "--out", out.toString()};
    }

    /** This test JVM's java, flags and class path, running the zooscope command line. */
    static Process start(Path out, Path log) throws java.io.IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) if (!a.startsWith("-agentlib")) cmd.add(a);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(command(out)));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    static long committedRuns(Path out) throws java.io.IOException {
        Path status = out.resolve(ZooKind.STATUS_FILE);
        return Files.exists(status) ? Npy.read(status).shape()[0] : -1;
    }

    /** Waits until the job has committed at least {@code runs} runs (or has stopped). */
    static void awaitCommitted(Process p, Path out, int runs) throws Exception {
        while (p.isAlive()) {
            try {
                if (committedRuns(out) >= runs) return;
            } catch (java.io.IOException beingWritten) {
                // read again
            }
            Thread.sleep(10);
        }
    }

    /** Another job on the folder the running job {@code p} writes exits with 2 at once, naming {@code p}; the zoo is untouched. */
    static void assertRefused(Process p, Path out) throws Exception {
        while (p.isAlive() && !(Files.exists(out.resolve(FolderLock.FILE)) && Files.readString(out.resolve(FolderLock.FILE)).contains("pid=" + p.pid()))) Thread.sleep(5);
        java.io.StringWriter err = new java.io.StringWriter();
        long t0 = System.nanoTime();
        int rc = Main.commandLine().setErr(new java.io.PrintWriter(err, true)).setOut(new java.io.PrintWriter(java.io.Writer.nullWriter())).execute(command(out));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, rc, err.toString());
        assertTrue(err.toString().contains(out + " is being written by another job (zoo formal --runs 16, pid " + p.pid() + " on host "), err.toString());
        assertTrue(seconds < 1, "refused after " + seconds + " s");
    }

    @Test
    void killedAtRandomMomentsAndRestartedEndsWithTheSameBytes() throws Exception {
        Path reference = tmp.resolve("reference"), out = tmp.resolve("killed"), log = tmp.resolve("job.log");
        assertEquals(0, Main.commandLine().execute(command(reference)), "uninterrupted run");

        Rng rng = new Rng(20_261_124);
        List<String> kills = new ArrayList<>();
        while (kills.size() < KILLS) {
            Process p = start(out, log);
            // the first kill lands anywhere from JVM start-up on; each other one 0-600 ms after the job has
            // committed its next group of runs: in training, checkpoint evaluation or writing
            long delay = kills.isEmpty() ? 100 + rng.nextInt(900) : rng.nextInt(600);
            if (!kills.isEmpty()) awaitCommitted(p, out, (int) Math.max(0, committedRuns(out)) + 1);
            if (kills.size() == 1) assertRefused(p, out); // one writer per folder: a second job is refused, naming the first
            boolean exited = p.waitFor(delay, TimeUnit.MILLISECONDS);
            assertFalse(exited, "the job finished (exit " + (exited ? p.exitValue() : 0) + ") before kill " + (kills.size() + 1)
                + "; it must be long enough for " + KILLS + " kills:\n" + Files.readString(log));
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
            p.waitFor();
            kills.add((kills.isEmpty() ? "at " : "+") + delay + " ms (" + Math.max(0, committedRuns(out)) + " runs committed)");
        }
        assertTrue(Files.readString(log).contains("took over the lock of " + out + " from a job that stopped"), "a killed job's lock is taken over:\n" + Files.readString(log));
        Process last = start(out, log);
        assertTrue(last.waitFor(300, TimeUnit.SECONDS), "the resumed job did not finish");
        assertEquals(0, last.exitValue(), Files.readString(log));
        System.out.println("zoo job killed " + String.join(", ", kills) + ", then resumed to the end");
        assertEquals(16, committedRuns(out), "all runs finished");
        ZooTest.assertSameBytes(reference, out);
    }
}
