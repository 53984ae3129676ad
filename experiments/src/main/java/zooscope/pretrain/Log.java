package zooscope.pretrain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import zooscope.engine.io.WholeFile;

/** The CSV logs of a run (first column: the update), cut back to a checkpoint when a run resumes. */
public final class Log {
    private Log() {}

    /**
     * Drops the rows after update {@code last} (written after the checkpoint a resumed run starts from);
     * returns the numeric row of update {@code keep} (or null).
     */
    static double[] truncate(Path file, int last, int keep) throws IOException {
        if (!Files.exists(file)) throw new IOException(file + ": missing, but the run has a checkpoint; the run folder is damaged");
        String text = Files.readString(file);
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1))), kept = new ArrayList<>();
        lines.removeLast(); // after the last newline: empty, or a line cut short by a failed write (a full disk)
        double[] found = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0) { kept.add(line); continue; }
            int step = Integer.parseInt(line.substring(0, line.indexOf(',')));
            if (step > last) continue;
            kept.add(line);
            if (step == keep) found = java.util.Arrays.stream(line.split(",")).mapToDouble(Log::number).toArray();
        }
        // replaced whole (temporary file and rename): a failed write leaves the log as it was
        StringBuilder out = new StringBuilder();
        for (String line : kept) out.append(line).append('\n');
        try {
            WholeFile.write(file, out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw zooscope.zoo.FolderLock.writeFailed(file.getParent(), file, e);
        }
        return found;
    }

    static double number(String s) {
        try { return Double.parseDouble(s); } catch (NumberFormatException e) { return Double.NaN; }
    }

    /** The numeric rows of a CSV log (header skipped; non-numeric cells NaN). */
    public static List<double[]> read(Path file) throws IOException {
        List<double[]> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 1; i < lines.size(); i++) rows.add(java.util.Arrays.stream(lines.get(i).split(",")).mapToDouble(Log::number).toArray());
        return rows;
    }
}
