package zooscope.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import zooscope.downstream.Downstream;
import zooscope.downstream.Target;
import zooscope.engine.Rng;
import zooscope.engine.io.Npy;
import zooscope.pretrain.TaskSplit;
import zooscope.zoo.Zoo;

/**
 * The report of one or several experiment folders (shards of one grid): {@code summary.csv} (a row per
 * encoder × seed), {@code report.md} (Table-2-style: mean and 95 % bootstrap CI over seeds, beside the
 * paper's figures), and PNG plots: validation-loss curves, PCA of the embeddings coloured by task and by
 * performance, clone vs original performance.
 */
public final class Report {
    /** PAPER.md §11, Table 2: validation emulation loss, mean over 15 seeds (formal, MNIST). */
    static final Map<String, double[]> PAPER_TABLE2 = Map.of("statistics", new double[] {0.051, 0.039}, "flat", new double[] {0.045, 0.024},
        "transformer", new double[] {0.043, 0.067}, "dws", new double[] {0.046, 0.024}, "noninteractive", new double[] {0.023, 0.017},
        "interactive", new double[] {0.015, 0.017});

    private record Row(String encoder, long seed, Path dir, Map<String, Double> values) {}

    public static Path write(List<Path> resultDirs, Path out) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Row> rows = new ArrayList<>();
        Map<String, List<Path>> started = new LinkedHashMap<>(); // every unit with a run folder, finished or not: for the curves
        JsonNode grid = null;
        for (Path d : resultDirs) {
            Path args = d.resolve(Grid.ARGS);
            if (!Files.exists(args)) throw new IOException(d + ": not an experiment folder (no " + Grid.ARGS + ")");
            JsonNode g = json.readTree(args.toFile());
            if (grid == null) grid = g;
            else if (!grid.get("zoo_kind").equals(g.get("zoo_kind"))) throw new IllegalArgumentException(d + ": a " + g.get("zoo_kind") + " grid, " + resultDirs.getFirst() + " is " + grid.get("zoo_kind"));
            for (JsonNode e : g.get("encoders")) {
                for (int s = 1; s <= g.get("seeds").asInt(); s++) {
                    Grid.Unit u = new Grid.Unit(e.asText(), s);
                    Path ud = u.dir(d);
                    if (Files.isDirectory(ud.resolve("pretrain"))) started.computeIfAbsent(u.encoder(), k -> new ArrayList<>()).add(ud);
                    Path res = ud.resolve("pretrain").resolve("result.json");
                    if (!Files.exists(res)) continue;
                    Map<String, Double> v = new LinkedHashMap<>();
                    JsonNode r = json.readTree(res.toFile());
                    v.put("val_emulation_loss", r.get("valLoss").asDouble());
                    v.put("ood_emulation_loss", r.get("oodLoss").asDouble());
                    try (var files = Files.list(ud)) {
                        for (Path f : files.sorted().toList()) {
                            String n = f.getFileName().toString();
                            if (!n.endsWith(".json") || !(n.startsWith("frozen-") || n.startsWith("supervised-"))) continue;
                            JsonNode dr = json.readTree(f.toFile());
                            String prefix = n.startsWith("supervised-") ? "supervised_" : "", target = dr.get("target").asText();
                            for (String split : new String[] {"val", "ood"}) {
                                dr.get(split).properties().forEach(m -> v.put(column(prefix, split, target, m.getKey()), m.getValue().asDouble()));
                            }
                        }
                    }
                    v.put("clone_val_mae", r.get("cloneValMae").asDouble());
                    v.put("clone_ood_mae", r.get("cloneOodMae").asDouble());
                    v.put("best_step", r.get("bestStep").asDouble());
                    v.put("pretrain_seconds", r.get("seconds").asDouble());
                    rows.add(new Row(u.encoder(), s, ud, v));
                }
            }
        }
        if (rows.isEmpty()) throw new IllegalArgumentException("no finished pre-training runs in " + resultDirs);
        Files.createDirectories(out);
        List<String> cols = new ArrayList<>();
        for (Row r : rows) for (String k : r.values().keySet()) if (!cols.contains(k)) cols.add(k);
        StringBuilder csv = new StringBuilder("encoder,seed," + String.join(",", cols) + "\n");
        for (Row r : rows) {
            csv.append(r.encoder()).append(',').append(r.seed());
            for (String c : cols) csv.append(',').append(r.values().containsKey(c) ? fmt(r.values().get(c)) : "");
            csv.append('\n');
        }
        Files.writeString(out.resolve("summary.csv"), csv);

        boolean formal = grid.get("zoo_kind").asText().equals("formal");
        Map<String, List<Row>> byEncoder = new LinkedHashMap<>();
        for (Row r : rows) byEncoder.computeIfAbsent(r.encoder(), k -> new ArrayList<>()).add(r);
        StringBuilder md = new StringBuilder();
        md.append("# zooscope experiment report\n\n");
        md.append(String.format("Zoo: `%s` (%s), encoders %s, seeds per encoder: %s; pre-training preset **%s** %s; frozen predictor %d updates, supervised %d updates.%n%n",
            grid.get("zoo").asText(), grid.get("zoo_kind").asText(), grid.get("encoders"), grid.get("seeds"), grid.get("pretrain").get("preset").asText(),
            grid.get("pretrain"), grid.get("frozen_updates").asInt(), grid.get("supervised_updates").asInt()));
        md.append(grid.get("pretrain").path("eval_rollouts").asText("one").equals("all")
            ? "Validation and OOD emulation losses: the mean over every stored rollout of every RNN of the split (`--eval-rollouts all`).\n\n"
            : "Validation and OOD emulation losses: one seeded stored rollout per RNN, the same at every evaluation (`--eval-rollouts one`, the reference's way).\n\n");
        md.append("Each cell: mean over the seeds finished, and in brackets the 95 % bootstrap interval of the mean (10,000 resamples of the seeds; percentile). n = seeds.\n\n");
        List<String[]> shown = formal
            ? List.of(new String[] {"val_emulation_loss", "validation emulation loss"}, new String[] {"ood_emulation_loss", "OOD emulation loss"},
                new String[] {"val_task_exact_acc", "frozen: val exact task"}, new String[] {"ood_task_exact_acc", "frozen: OOD exact task"},
                new String[] {"ood_task_group_acc", "frozen: OOD task, per group"},
                new String[] {"supervised_val_task_exact_acc", "supervised: val exact task"}, new String[] {"supervised_ood_task_exact_acc", "supervised: OOD exact task"},
                new String[] {"supervised_ood_task_group_acc", "supervised: OOD task, per group"},
                new String[] {"val_performance_mse", "frozen: val performance MSE"}, new String[] {"ood_performance_mse", "frozen: OOD performance MSE"},
                new String[] {"clone_ood_mae", "clone OOD mean abs. Δperf"})
            : List.of(new String[] {"val_emulation_loss", "validation emulation loss"}, new String[] {"ood_emulation_loss", "OOD emulation loss"},
                new String[] {"ood_angle_mse", "frozen: OOD angle MSE (/360)²"}, new String[] {"ood_accuracy_mse", "frozen: OOD accuracy MSE"},
                new String[] {"ood_gap_mse", "frozen: OOD gap MSE"}, new String[] {"ood_step_acc", "frozen: OOD step accuracy"},
                new String[] {"supervised_ood_angle_mse", "supervised: OOD angle MSE"});
        md.append("| encoder | n |");
        for (String[] c : shown) md.append(' ').append(c[1]).append(" |");
        md.append(" paper Table 2 (val emulation loss) |\n|---|---:|");
        md.append("---:|".repeat(shown.size() + 1)).append('\n');
        for (var e : byEncoder.entrySet()) {
            md.append("| ").append(e.getKey()).append(" | ").append(e.getValue().size()).append(" |");
            for (String[] c : shown) md.append(' ').append(cell(e.getValue(), c[0])).append(" |");
            double[] p = PAPER_TABLE2.get(e.getKey());
            md.append(' ').append(p == null ? "–" : String.format(Locale.ROOT, "%.3f", p[formal ? 0 : 1])).append(" |\n");
        }
        Zoo zoo = Files.isDirectory(Path.of(grid.get("zoo").asText())) ? Zoo.open(Path.of(grid.get("zoo").asText())) : null;
        if (zoo != null) {
            Map<String, Double> constant = constantPredictor(zoo);
            md.append("| *constant predictor (no encoder)* | – |");
            for (String[] c : shown) {
                Double v = constant.get(c[0].replaceFirst("^supervised_", ""));
                md.append(' ').append(v == null ? "–" : String.format(Locale.ROOT, "%.4f", v)).append(" |");
            }
            md.append(" – |\n");
            if (byEncoder.containsKey("control")) {
                md.append("\nThe control row is the emulator conditioned on a learned z that is the same for every RNN (no encoder): an encoder's emulation loss below it is what its z says about the individual RNN; its downstream columns are a predictor on a constant input, near the constant predictor below.\n");
            }
            md.append("\nThe last row is the best constant predictor fitted on the downstream training rows (their mean for a regression, their most frequent class or task-group value for a classification), the same for the frozen and the supervised columns: a representation carries information about a target where it beats this row.\n");
        }
        Map<String, Curves.Runs> curves = Curves.read(started);
        String milestones = Curves.table(curves);
        if (!milestones.isEmpty()) {
            md.append("\nLosses at fixed updates, from the runs' logs (finished or still running; mean over the seeds that reached the update, min–max in brackets):\n\n").append(milestones);
        }
        md.append("\nColumns of `summary.csv`: every metric of every run (val_/ood_ = split; frozen predictors unprefixed, supervised_ the end-to-end baseline).\n");
        md.append("\nPlots: `loss_curves.png` (validation, OOD and training loss per encoder from every run's log: mean over seeds, band min–max over seeds; the control dashed), `pca_ENCODER.png` (first seed's embeddings of all zoo rows: PCA fitted on all splits together, coloured by the task's last coordinate and by performance; limits at the 1st-99th percentile), `report.html` (all of this as one page)"
            + (formal ? ", `clone_vs_original.png` (performance of the emulator conditioned on z vs the RNN itself, at each run's best validation step)" : "") + ".\n");
        Files.writeString(out.resolve("report.md"), md);

        Curves.plot(curves, null, out.resolve("loss_curves.png"));
        for (var e : byEncoder.entrySet()) {
            Path emb = e.getValue().getFirst().dir().resolve("embeddings.npy");
            // the control's z is one point: it has no principal components to draw
            if (zoo != null && Files.exists(emb) && !e.getKey().equals("control")) pca(zoo, Npy.read(emb).toFloats(), e.getKey(), out.resolve("pca_" + e.getKey() + ".png"));
        }
        if (formal) cloneScatter(byEncoder, out.resolve("clone_vs_original.png"));

        // report.html: the curves after the milestone table (else after the results table), the clone plot after the results table, the PCA plots at the end
        Map<Integer, List<ReportHtml.Figure>> figures = new LinkedHashMap<>();
        ReportHtml.Figure lossFigure = new ReportHtml.Figure("loss_curves.png", "validation, OOD and training emulation loss from every run's log: mean over seeds, band min–max over seeds; the control dashed black");
        figures.computeIfAbsent(0, k -> new ArrayList<>()).add(new ReportHtml.Figure("clone_vs_original.png", "performance of the emulator conditioned on z against the RNN itself, at each run's best validation step"));
        figures.computeIfAbsent(milestones.isEmpty() ? 0 : 1, k -> new ArrayList<>()).add(lossFigure);
        for (String e : byEncoder.keySet()) {
            figures.computeIfAbsent(-1, k -> new ArrayList<>()).add(new ReportHtml.Figure("pca_" + e + ".png", "PCA of the " + e + " encoder's z of all zoo rows (first seed)"));
        }
        ReportHtml.write(md.toString(), out, figures, out.resolve("report.html"));
        return out.resolve("report.md");
    }

    /** Metrics of the constant predictor of every downstream target of the zoo's kind, keyed as the frozen predictors' columns. */
    static Map<String, Double> constantPredictor(Zoo zoo) {
        Map<String, Double> v = new LinkedHashMap<>();
        for (Target t : Target.values()) {
            if (t.kind != zoo.kind) continue;
            Downstream.Result r = new Downstream(zoo, t).constant();
            r.val().forEach((m, x) -> v.put(column("", "val", t.id, m), x));
            r.ood().forEach((m, x) -> v.put(column("", "ood", t.id, m), x));
        }
        return v;
    }

    /** A summary.csv column: e.g. supervised_ood_task_exact_acc (prefix "" for frozen predictors). */
    static String column(String prefix, String split, String target, String metric) {
        return prefix + split + "_" + target + "_" + metricName(target, metric);
    }

    static String metricName(String target, String metric) {
        return switch (metric) {
            case "accuracy" -> target.equals("task") ? "exact_acc" : "acc";
            case "group_accuracy" -> "group_acc";
            case "loss" -> target.equals("task") ? "bce" : target.equals("step") ? "ce" : "mse";
            default -> metric;
        };
    }

    static String fmt(double v) { return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v); }

    /** "mean (lo, hi)" over the rows that have the column. */
    static String cell(List<Row> rows, String col) {
        double[] v = rows.stream().filter(r -> r.values().containsKey(col) && !Double.isNaN(r.values().get(col))).mapToDouble(r -> r.values().get(col)).toArray();
        if (v.length == 0) return "–";
        double[] ci = bootstrapCi(v, 10_000, new Rng(0));
        return String.format(Locale.ROOT, "%.4f (%.4f, %.4f)", mean(v), ci[0], ci[1]);
    }

    static double mean(double[] v) { double s = 0; for (double x : v) s += x; return s / v.length; }

    /** Percentile bootstrap 95 % interval of the mean. */
    static double[] bootstrapCi(double[] v, int resamples, Rng rng) {
        double[] means = new double[resamples];
        for (int i = 0; i < resamples; i++) {
            double s = 0;
            for (int j = 0; j < v.length; j++) s += v[rng.nextInt(v.length)];
            means[i] = s / v.length;
        }
        java.util.Arrays.sort(means);
        return new double[] {means[(int) (0.025 * (resamples - 1))], means[(int) Math.ceil(0.975 * (resamples - 1))]};
    }

    private static void cloneScatter(Map<String, List<Row>> byEncoder, Path file) throws IOException {
        XYChart c = new XYChartBuilder().width(760).height(700).title("Cloned vs original performance (at the best validation step)").xAxisTitle("original RNN: accepted / finished")
            .yAxisTitle("emulator conditioned on z").build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(5);
        for (var e : byEncoder.entrySet()) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (Row r : e.getValue()) {
                int best = r.values().get("best_step").intValue();
                Path f = r.dir().resolve("pretrain").resolve("clone.csv");
                if (!Files.exists(f)) continue;
                for (String line : Files.readAllLines(f)) {
                    String[] p = line.split(",");
                    if (p[0].equals(Integer.toString(best))) { xs.add(Double.parseDouble(p[3])); ys.add(Double.parseDouble(p[4])); }
                }
            }
            if (!xs.isEmpty()) c.addSeries(e.getKey(), xs, ys);
        }
        c.addSeries("y = x", new double[] {0, 1}, new double[] {0, 1}).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * Two panels: PCA of z coloured by the task's last coordinate (formal m_d, MNIST the angle) and by
     * performance, each with a colour bar; axes with ticks and each component's share of the variance. The
     * limits are the 1st–99th percentiles of each component (padded), so that a few outlying rows do not
     * squeeze the rest onto a line; rows outside are drawn as rings on the edge and counted.
     */
    static void pca(Zoo zoo, float[] z, String encoder, Path file) throws IOException {
        int n = z.length / 16;
        Pca.Projection proj = Pca.project(z, n, 16, 2);
        double[][] pc = proj.points();
        double[][] lim = new double[2][];
        for (int c = 0; c < 2; c++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = pc[i][c];
            java.util.Arrays.sort(v);
            double lo = v[(int) Math.floor(0.01 * (n - 1))], hi = v[(int) Math.ceil(0.99 * (n - 1))], pad = 0.05 * Math.max(hi - lo, 1e-9);
            lim[c] = new double[] {lo - pad, hi + pad};
        }
        int outside = 0;
        for (double[] p : pc) if (p[0] < lim[0][0] || p[0] > lim[0][1] || p[1] < lim[1][0] || p[1] > lim[1][1]) outside++;
        zooscope.zoo.ZooContents contents = zoo.kind.contents();
        double[] task = new double[n], perf = new double[n];
        for (int i = 0; i < n; i++) {
            double[] t = TaskSplit.task(zoo, i);
            task[i] = t[t.length - 1];
            perf[i] = contents.performance(zoo, i);
        }
        int W = 1400, H = 700, left = 80, top = 60, pw = 520, ph = 540, gap = 180;
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.drawString(String.format(Locale.ROOT, "PCA of the %s encoder's z, all %d zoo rows (first seed; PCA fitted on all splits together); axes: 1st-99th percentile, %d row%s outside drawn as rings on the edge",
            encoder, n, outside, outside == 1 ? "" : "s"), left, 24);
        String[] titles = {contents.taskColouring(), contents.performanceColouring()};
        double[][] values = {task, perf};
        for (int panel = 0; panel < 2; panel++) {
            int ox = left + panel * (pw + gap), oy = top;
            double[] v = values[panel];
            double vmin = java.util.Arrays.stream(v).min().orElse(0), vmax = java.util.Arrays.stream(v).max().orElse(1);
            g.setColor(Color.BLACK);
            g.drawString(titles[panel], ox, oy - 8);
            g.drawRect(ox, oy, pw, ph);
            for (int c = 0; c < 2; c++) { // ticks and labels: 5 per axis
                for (int k = 0; k <= 4; k++) {
                    double val = lim[c][0] + k * (lim[c][1] - lim[c][0]) / 4;
                    String label = String.format(Locale.ROOT, "%.3g", val);
                    if (c == 0) { int x = ox + k * pw / 4; g.drawLine(x, oy + ph, x, oy + ph + 5); g.drawString(label, x - 15, oy + ph + 20); }
                    else { int y = oy + ph - k * ph / 4; g.drawLine(ox - 5, y, ox, y); g.drawString(label, ox - 55, y + 5); }
                }
            }
            g.drawString(String.format(Locale.ROOT, "PC1 (%.1f %% of the variance)", 100 * proj.explained()[0]), ox + pw / 2 - 80, oy + ph + 40);
            java.awt.geom.AffineTransform keep = g.getTransform();
            g.rotate(-Math.PI / 2, ox - 62, oy + ph / 2 + 80);
            g.drawString(String.format(Locale.ROOT, "PC2 (%.1f %% of the variance)", 100 * proj.explained()[1]), ox - 62, oy + ph / 2 + 80);
            g.setTransform(keep);
            for (int i = 0; i < n; i++) {
                double fx = (pc[i][0] - lim[0][0]) / (lim[0][1] - lim[0][0]), fy = (pc[i][1] - lim[1][0]) / (lim[1][1] - lim[1][0]);
                boolean out = fx < 0 || fx > 1 || fy < 0 || fy > 1;
                int x = ox + (int) Math.round(Math.max(0, Math.min(1, fx)) * pw), y = oy + ph - (int) Math.round(Math.max(0, Math.min(1, fy)) * ph);
                g.setColor(colour((v[i] - vmin) / (vmax - vmin + 1e-12)));
                if (out) g.drawOval(x - 4, y - 4, 8, 8);
                else g.fillOval(x - 2, y - 2, 5, 5);
            }
            int bx = ox + pw + 20, bw = 18; // colour bar
            for (int y = 0; y < ph; y++) {
                g.setColor(colour(1 - (double) y / (ph - 1)));
                g.drawLine(bx, oy + y, bx + bw, oy + y);
            }
            g.setColor(Color.BLACK);
            g.drawRect(bx, oy, bw, ph);
            for (int k = 0; k <= 4; k++) {
                int y = oy + ph - k * ph / 4;
                g.drawLine(bx + bw, y, bx + bw + 4, y);
                g.drawString(String.format(Locale.ROOT, "%.3g", vmin + k * (vmax - vmin) / 4), bx + bw + 7, y + 5);
            }
        }
        g.dispose();
        javax.imageio.ImageIO.write(img, "png", file.toFile());
    }

    /** A perceptually ordered ramp for a value in [0, 1]: dark blue → teal → yellow. */
    private static Color colour(double t) {
        t = Math.max(0, Math.min(1, t));
        float hue = (float) (0.68 - 0.52 * t), sat = 0.85f, bri = (float) (0.35 + 0.6 * t);
        return Color.getHSBColor(hue, sat, bri);
    }
}
