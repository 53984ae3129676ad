package zooscope.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * report.md as one self-contained HTML page: the same text and tables, every figure inlined as a data URI
 * (no network, no script needed to read it) and placed after the table it belongs to. Only the markdown
 * that {@link Report} writes is understood: headings, paragraphs, pipe tables, `code`, **bold** and *italics*.
 */
final class ReportHtml {
    /** A PNG of the report folder and its caption. */
    record Figure(String file, String caption) {}

    private ReportHtml() {}

    /**
     * @param figuresAfterTable figures to place after the n-th table (0-based); figures of no table go under
     *     key -1, at the end
     */
    static void write(String markdown, Path dir, Map<Integer, List<Figure>> figuresAfterTable, Path file) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>zooscope experiment report</title>\n<style>\n")
            .append("body{font-family:system-ui,sans-serif;max-width:1900px;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.4}p{overflow-wrap:anywhere}\n")
            .append("table{border-collapse:collapse;margin:1em 0;font-size:13px}th,td{border:1px solid #bbb;padding:3px 6px}th{background:#eee}")
            .append("td.num{text-align:right;font-variant-numeric:tabular-nums}tr:nth-child(even){background:#f7f7f7}\n")
            .append("figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}figcaption{font-size:13px;color:#555}code{background:#f2f2f2;padding:0 3px}\n")
            .append("</style></head><body>\n");
        String[] lines = markdown.split("\n", -1);
        int table = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) continue;
            if (line.startsWith("# ")) h.append("<h1>").append(inline(line.substring(2))).append("</h1>\n");
            else if (line.startsWith("## ")) h.append("<h2>").append(inline(line.substring(3))).append("</h2>\n");
            else if (line.startsWith("|")) {
                int end = i;
                while (end < lines.length && lines[end].startsWith("|")) end++;
                table(h, lines, i, end);
                i = end - 1;
                figures(h, dir, figuresAfterTable.getOrDefault(table++, List.of()));
            } else h.append("<p>").append(inline(line)).append("</p>\n");
        }
        figures(h, dir, figuresAfterTable.getOrDefault(-1, List.of()));
        h.append("</body></html>\n");
        zooscope.engine.io.WholeFile.write(file, h.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Rows [from, to) of a pipe table: a header, the alignment row (skipped), the body. */
    private static void table(StringBuilder h, String[] lines, int from, int to) {
        h.append("<table>\n");
        for (int r = from; r < to; r++) {
            if (r == from + 1 && lines[r].matches("[|:\\- ]+")) continue;
            String[] cells = lines[r].strip().replaceAll("^\\||\\|$", "").split("\\|", -1);
            h.append("<tr>");
            for (int c = 0; c < cells.length; c++) {
                String v = cells[c].strip(), tag = r == from ? "th" : "td";
                boolean num = r > from && c > 0 && v.matches("[-–0-9.,() ]+");
                h.append('<').append(tag).append(num ? " class=\"num\"" : "").append('>').append(inline(v)).append("</").append(tag).append('>');
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void figures(StringBuilder h, Path dir, List<Figure> figures) throws IOException {
        for (Figure f : figures) {
            Path png = dir.resolve(f.file());
            if (!Files.exists(png)) continue;
            h.append("<figure><img alt=\"").append(escape(f.file())).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(Files.readAllBytes(png))).append("\"><figcaption><code>").append(escape(f.file()))
                .append("</code>: ").append(inline(f.caption())).append("</figcaption></figure>\n");
        }
    }

    /** Escapes, then `code`, **bold**, *italics*. */
    static String inline(String s) {
        return escape(s).replaceAll("`([^`]*)`", "<code>$1</code>").replaceAll("\\*\\*([^*]+)\\*\\*", "<b>$1</b>").replaceAll("\\*([^* ][^*]*)\\*", "<i>$1</i>");
    }

    static String escape(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;"); }
}
