package zooscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import zooscope.engine.io.Safetensors;

class DemoCommandTest {
    @TempDir Path dir;

    static int run(StringWriter err, String... args) {
        var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void smallDemoWritesReportAndIsDeterministic() throws Exception {
        String[] args = {"demo", "--steps", "30", "--samples", "20", "--eval-every", "15", "--backend", "scalar", "--out"};
        assertEquals(0, run(new StringWriter(), concat(args, dir.resolve("a").toString())));
        assertEquals(0, run(new StringWriter(), concat(args, dir.resolve("b").toString())));
        for (String f : new String[] {"report.json", "loss.csv", "loss.png", "model.safetensors"}) {
            assertTrue(Files.size(dir.resolve("a").resolve(f)) > 0, f);
        }
        JsonNode a = new ObjectMapper().readTree(dir.resolve("a/report.json").toFile());
        JsonNode b = new ObjectMapper().readTree(dir.resolve("b/report.json").toFile());
        assertEquals(a.get("loss"), b.get("loss"), "same seed, same loss curve");
        assertEquals(2, a.get("evaluations").size());
        assertTrue(a.get("loss").get(29).asDouble() < a.get("loss").get(0).asDouble(), "loss falls");
        var wa = Safetensors.read(dir.resolve("a/model.safetensors")).tensors();
        var wb = Safetensors.read(dir.resolve("b/model.safetensors")).tensors();
        assertEquals(10, wa.size());
        wa.forEach((k, v) -> assertArrayEquals(v.toFloats(), wb.get(k).toFloats(), "bit-identical weights: " + k));
    }

    @Test
    void badInputIsOneClearLine() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "demo", "--task", "1,9,0", "--out", dir.toString()));
        assertEquals("zooscope demo: --task offsets must lie in -3..2, got [1, 9, 0]", err.toString().strip());
        err = new StringWriter();
        assertEquals(2, run(err, "demo", "--backend", "tpu"));
        assertTrue(err.toString().contains("unknown backend 'tpu' (zooscope.backend): expected one of [native, vector, scalar]"), err.toString());
    }

    static String[] concat(String[] a, String b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = b;
        return r;
    }
}
