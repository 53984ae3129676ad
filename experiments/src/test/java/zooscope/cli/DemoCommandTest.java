package zooscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.zoo.Zoo;
import zooscope.zoo.ZooTest;

class DemoCommandTest {
    @TempDir Path dir;

    static int run(StringWriter err, String... args) {
        var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void smallDemoWritesZooAndReportAndIsDeterministic() throws Exception {
        String[] args = {"demo", "--runs", "10", "--steps", "100", "--encoders", "statistics,interactive", "--pretrain-steps", "10", "--frozen-updates", "40", "--out"};
        assertEquals(0, run(new StringWriter(), concat(args, dir.resolve("a").toString())));
        assertEquals(0, run(new StringWriter(), concat(args, dir.resolve("b").toString())));
        for (String f : new String[] {"report.json", "acceptance.png", "experiment/report.md", "experiment/summary.csv", "experiment/loss_curves.png",
            "experiment/pca_interactive.png", "experiment/interactive/seed1/frozen-task.json"}) {
            assertTrue(Files.size(dir.resolve("a").resolve(f)) > 0, f);
        }
        ZooTest.assertSameBytes(dir.resolve("a/zoo"), dir.resolve("b/zoo"));
        for (String e : new String[] {"statistics", "interactive"}) {
            for (String f : new String[] {"encoder.safetensors", "emulator.safetensors", "log.csv", "clone.csv"}) {
                Path fa = dir.resolve("a/experiment").resolve(e).resolve("seed1/pretrain").resolve(f), fb = dir.resolve("b/experiment").resolve(e).resolve("seed1/pretrain").resolve(f);
                if (f.equals("log.csv")) assertEquals(withoutLastColumn(fa), withoutLastColumn(fb), e + " " + f); // the last column is wall time
                else assertEquals(-1L, Files.mismatch(fa, fb), e + " " + f + " differs between two runs of the same demo");
            }
        }
        assertEquals(java.util.List.of(), Zoo.open(dir.resolve("a/zoo")).check());
        JsonNode report = new ObjectMapper().readTree(dir.resolve("a/report.json").toFile());
        assertEquals(10, report.get("per_run").size());
        assertEquals(2, report.get("mean_accepted_count_only").size());
        assertTrue(report.get("mean_accepted_count_only").get(1).asDouble() > report.get("mean_accepted_count_only").get(0).asDouble(), "learning raises acceptance");
    }

    @Test
    void badInputIsOneClearLine() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "demo", "--runs", "0", "--out", dir.toString()));
        assertEquals("zooscope demo: --runs must be positive, got 0", err.toString().strip());
        err = new StringWriter();
        assertEquals(2, run(err, "demo", "--backend", "tpu"));
        assertTrue(err.toString().contains("unknown backend 'tpu' (zooscope.backend): expected one of [native, vector, scalar, cuda]"), err.toString());
        err = new StringWriter();
        assertEquals(2, run(err, "zoo", "formal", "--runs", "2", "--shard", "2/2", "--out", dir.toString()));
        assertEquals("zooscope formal: --shard must be i/n with 0 <= i < n, got 2/2", err.toString().strip());
        err = new StringWriter();
        assertEquals(2, run(err, "zoo", "check", dir.toString()));
        assertTrue(err.toString().contains("not a zoo (neither num_step_correct.npy"), err.toString());
    }

    static java.util.List<String> withoutLastColumn(Path csv) throws java.io.IOException {
        return Files.readAllLines(csv).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    static String[] concat(String[] a, String b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = b;
        return r;
    }
}
