package zooscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TheoryCommandTest {
    @TempDir Path dir;

    /** Main's command line (its exception handler included), with `theory` added if Main does not list it yet. */
    static int run(StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        if (!cl.getSubcommands().containsKey("theory")) cl.addSubcommand(new TheoryCommand());
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void writesCsvAndPlot() throws Exception {
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, "theory", "--k-max", "8", "--out", dir.toString()), err.toString());
        List<String> csv = Files.readAllLines(dir.resolve("theory.csv"));
        assertEquals("k,adaptive_worst,adaptive_mean,fixed_queries,two_pow_k_minus_1,fixed_checked", csv.get(0));
        assertEquals(8, csv.size()); // k = 2..8
        assertTrue(csv.get(7).startsWith("8,8,4.5000,128,128,"), csv.get(7));
        assertTrue(Files.size(dir.resolve("theory.png")) > 0);
    }

    @Test
    void badKMaxIsOneClearLine() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "theory", "--k-max", "1", "--out", dir.toString()));
        assertEquals("zooscope theory: --k-max must be between 2 and 20, got 1", err.toString().strip());
    }
}
