package zooscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.zoo.ZooGenerator;
import zooscope.zoo.ZooKind;

/**
 * report.html of a tiny grid, opened in headless Chromium (Debian's chromium; skipped where it is not
 * installed): every image decodes, every table of report.md is there. The page has no script; a separate
 * checking page loads it in a frame and writes what it finds into its own DOM, which Chromium dumps.
 */
class ReportHtmlBrowserTest {
    @TempDir Path tmp;

    static Path chromium() {
        for (String p : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) if (Files.isExecutable(Path.of(p))) return Path.of(p);
        return null;
    }

    @Test
    void everyImageLoadsAndEveryTableIsThere() throws Exception {
        Path browser = chromium();
        assumeTrue(browser != null, "chromium is not installed (apt-get install chromium): report.html not rendered");
        Path zoo = tmp.resolve("zoo"), out = tmp.resolve("grid");
        ZooGenerator.generate(zoo, new ZooGenerator.Options(ZooKind.FORMAL, 10, 7, 100, 10, 2, 0, 1, null, ZooGenerator.LearningRate.ZOO, null));
        StringWriter err = new StringWriter();
        assertEquals(0, DemoCommandTest.run(err, "experiment", "--zoo", zoo.toString(), "--encoders", "control,statistics", "--seeds", "2", "--out", out.toString(),
            "--steps", "3", "--eval-every", "1", "--frozen-updates", "5", "--supervised-updates", "0"), err.toString());
        assertEquals(0, DemoCommandTest.run(err, "report", out.toString()), err.toString());

        String html = Files.readString(out.resolve("report.html"));
        int images = count(html, "<img "), tables = count(html, "<table>");
        long mdTables = Files.readAllLines(out.resolve("report.md")).stream().filter(l -> l.startsWith("|---")).count();
        assertEquals(mdTables, tables, "a table of report.html per table of report.md");
        assertTrue(images >= 3, "loss curves, clone plot and a PCA plot inlined: " + images);
        assertTrue(!html.contains("src=\"http") && !html.contains("<script"), "self-contained, no script");

        Files.writeString(out.resolve("check.html"), """
            <!DOCTYPE html><html><body><iframe id="r" src="report.html" width="1200" height="900"></iframe><script>
            document.getElementById('r').onload = () => {
              const d = document.getElementById('r').contentDocument, imgs = [...d.images];
              const p = document.createElement('pre');
              p.id = 'result';
              p.textContent = 'images=' + imgs.length + ' loaded=' + imgs.filter(i => i.complete && i.naturalWidth > 100).length
                + ' tables=' + d.querySelectorAll('table').length + ' rows=' + d.querySelectorAll('tr').length;
              document.body.appendChild(p);
            };
            </script></body></html>
            """);
        Path profile = Files.createDirectories(tmp.resolve("chromium-profile"));
        Process p = new ProcessBuilder(List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--allow-file-access-from-files",
            "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom", out.resolve("check.html").toUri().toString()))
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
        Matcher m = Pattern.compile("images=(\\d+) loaded=(\\d+) tables=(\\d+) rows=(\\d+)").matcher(dom);
        assertTrue(m.find(), "the checking page reported: " + dom);
        assertEquals(images, Integer.parseInt(m.group(1)), "images in the rendered page");
        assertEquals(images, Integer.parseInt(m.group(2)), "images that decoded");
        assertEquals(tables, Integer.parseInt(m.group(3)), "tables in the rendered page");
        assertEquals(count(html, "<tr>"), Integer.parseInt(m.group(4)), "table rows in the rendered page");
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
