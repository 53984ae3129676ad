package zooscope.experiment;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Pre-training curves of a grid read from the runs' {@code log.csv} (finished or still running): per
 * encoder the mean over seeds with the min–max band of the seeds, for the validation, OOD and training
 * loss, the control (where the grid has it) as a dashed black reference; and the table of the losses at
 * fixed updates. Update 0 is left out of the plots (the log axis) and of the y-range (its loss is the
 * untrained one), so the differences between trained encoders are visible.
 */
public final class Curves {
    /** Columns of log.csv that are drawn: index and title. */
    private static final int[] COLUMNS = {2, 3, 1};
    private static final String[] TITLES = {"validation emulation loss", "OOD emulation loss", "training loss (mean since the last evaluation)"};
    /** Updates at which the table reports the losses (those that every seed of an encoder has reached). */
    static final int[] MILESTONES = {1000, 3000, 10000, 30000, 100000};

    private Curves() {}

    /** One encoder's logs: for every seed, step → the log row. */
    record Runs(String encoder, List<TreeMap<Integer, double[]>> seeds) {
        /** Steps that every seed has logged. */
        List<Integer> commonSteps() {
            List<Integer> out = new ArrayList<>(seeds.getFirst().keySet());
            for (TreeMap<Integer, double[]> s : seeds) out.retainAll(s.keySet());
            return out;
        }

        /** {mean, min, max} over the seeds of column c at a step. */
        double[] stats(int step, int c) {
            double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (TreeMap<Integer, double[]> s : seeds) {
                double v = s.get(step)[c];
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            return new double[] {sum / seeds.size(), min, max};
        }
    }

    /** Reads {@code pretrain/log.csv} of each run folder; runs without a logged evaluation are skipped. */
    static Map<String, Runs> read(Map<String, List<Path>> unitDirsByEncoder) throws IOException {
        Map<String, Runs> out = new LinkedHashMap<>();
        for (var e : unitDirsByEncoder.entrySet()) {
            List<TreeMap<Integer, double[]>> seeds = new ArrayList<>();
            for (Path unit : e.getValue()) {
                Path log = unit.resolve("pretrain").resolve("log.csv");
                if (!Files.exists(log)) continue;
                TreeMap<Integer, double[]> rows = new TreeMap<>();
                for (double[] row : zooscope.pretrain.Log.read(log)) rows.put((int) row[0], row);
                if (!rows.isEmpty()) seeds.add(rows);
            }
            if (!seeds.isEmpty()) out.put(e.getKey(), new Runs(e.getKey(), seeds));
        }
        return out;
    }

    /** The three panels side by side, as one PNG. */
    static void plot(Map<String, Runs> runs, String subtitle, Path file) throws IOException {
        BufferedImage[] panels = new BufferedImage[COLUMNS.length];
        for (int p = 0; p < COLUMNS.length; p++) panels[p] = BitmapEncoder.getBufferedImage(chart(runs, COLUMNS[p], TITLES[p], subtitle));
        int w = panels[0].getWidth(), h = panels[0].getHeight();
        BufferedImage img = new BufferedImage(w * panels.length, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        for (int p = 0; p < panels.length; p++) g.drawImage(panels[p], p * w, 0, null);
        g.dispose();
        javax.imageio.ImageIO.write(img, "png", file.toFile());
    }

    private static XYChart chart(Map<String, Runs> runs, int column, String title, String subtitle) {
        XYChart c = new XYChartBuilder().width(620).height(480).title(title).xAxisTitle("update (log scale)").yAxisTitle("loss; band: min–max over seeds").build();
        var st = c.getStyler();
        st.setXAxisLogarithmic(true);
        st.setXAxisDecimalPattern("#,###");
        st.setYAxisDecimalPattern("0.000");
        st.setMarkerSize(0);
        st.setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        st.setChartTitleFont(st.getChartTitleFont().deriveFont(13f));
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        Color[] palette = st.getTheme().getSeriesColors();
        int colour = 0;
        for (Runs r : runs.values()) {
            List<Integer> steps = r.commonSteps().stream().filter(s -> s > 0).toList();
            if (steps.isEmpty()) continue;
            double[] x = new double[steps.size()], mean = new double[x.length];
            double[] bandX = new double[2 * x.length], bandY = new double[2 * x.length];
            for (int i = 0; i < x.length; i++) {
                double[] s = r.stats(steps.get(i), column);
                x[i] = steps.get(i);
                mean[i] = s[0];
                bandX[i] = x[i];
                bandY[i] = s[2];
                bandX[2 * x.length - 1 - i] = x[i];
                bandY[2 * x.length - 1 - i] = s[1];
                lo = Math.min(lo, s[1]);
                hi = Math.max(hi, s[2]);
            }
            boolean control = r.encoder().equals("control");
            Color col = control ? Color.BLACK : palette[colour++ % palette.length];
            if (r.seeds().size() > 1) {
                XYSeries band = c.addSeries(r.encoder() + " band", bandX, bandY);
                band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
                band.setFillColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 50));
                band.setLineColor(new Color(0, 0, 0, 0));
                band.setMarker(SeriesMarkers.NONE);
                band.setShowInLegend(false);
            }
            XYSeries line = c.addSeries(r.encoder() + " (" + r.seeds().size() + " seed" + (r.seeds().size() > 1 ? "s" : "") + ")", x, mean);
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setLineColor(col);
            line.setMarker(SeriesMarkers.NONE);
            if (control) line.setLineStyle(SeriesLines.DASH_DASH);
        }
        if (Double.isFinite(lo)) {
            double pad = 0.05 * Math.max(hi - lo, 1e-4);
            st.setYAxisMin(lo - pad);
            st.setYAxisMax(hi + pad);
        }
        if (subtitle != null) c.setTitle(title + " — " + subtitle);
        return c;
    }

    /**
     * A markdown table: per encoder and milestone update (those every seed of some encoder has reached, and
     * the last common one), the validation and OOD loss as mean (min–max over seeds) and the seeds counted.
     */
    static String table(Map<String, Runs> runs) {
        java.util.TreeSet<Integer> steps = new java.util.TreeSet<>();
        for (Runs r : runs.values()) {
            List<Integer> common = r.commonSteps();
            for (int m : MILESTONES) if (common.contains(m)) steps.add(m);
        }
        if (steps.isEmpty()) return "";
        StringBuilder md = new StringBuilder("| encoder | seeds | last update (all seeds) |");
        for (int s : steps) md.append(String.format(Locale.ROOT, " val @ %,d | OOD @ %,d |", s, s));
        md.append("\n|---|---:|---:|").append("---:|---:|".repeat(steps.size())).append('\n');
        for (Runs r : runs.values()) {
            List<Integer> common = r.commonSteps();
            md.append("| ").append(r.encoder()).append(" | ").append(r.seeds().size()).append(" | ").append(String.format(Locale.ROOT, "%,d", common.getLast())).append(" |");
            for (int s : steps) {
                for (int c : new int[] {2, 3}) {
                    if (!common.contains(s)) { md.append(" – |"); continue; }
                    double[] v = r.stats(s, c);
                    md.append(String.format(Locale.ROOT, " %.4f (%.4f–%.4f) |", v[0], v[1], v[2]));
                }
            }
            md.append('\n');
        }
        return md.toString();
    }
}
