package zooscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Safetensors;
import zooscope.engine.nn.LstmWithHead;
import zooscope.engine.optim.AdamW;
import zooscope.engine.optim.PiecewiseLinear;
import zooscope.formal.FormalLanguage;
import zooscope.formal.SequenceTraining;
import zooscope.kernels.Backends;

/**
 * The main job on a small default: trains one zoo LSTM (2×32, PyTorch parameterisation) on one formal
 * language with the zoo's recipe, prints the loss curve and the acceptance rate of sampled strings, and
 * saves a report (JSON, CSV, PNG plot) and the trained weights (safetensors).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "The main job on a small default: train one zoo LSTM on a formal language and report.",
        "",
        "Trains a 2x32 LSTM on a^n b^(n+m_b) c^(n+m_c) d^(n+m_d) with the zoo's recipe (AdamW, weight decay",
        "1e-4, batch 32, LR 0.01 -> 0.003 @10k -> 0.0003 @20k), prints the loss curve and",
        "the share of sampled strings in the language, and save report.json, loss.csv, loss.png and",
        "model.safetensors under --out. Same seed, same result, bit for bit."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--task", paramLabel = "M_B,M_C,M_D", split = ",", description = "Occurrence offsets of b, c, d relative to a, each in -3..2 (default: ${DEFAULT-VALUE}).")
    int[] task = {1, -1, 2};

    @Option(names = "--steps", description = "AdamW updates (default: ${DEFAULT-VALUE}).")
    int steps = 1000;

    @Option(names = "--batch", description = "Sequences per update (default: ${DEFAULT-VALUE}).")
    int batch = 32;

    @Option(names = "--seed", description = "Seed for initialisation, data and sampling (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--samples", description = "Strings sampled to measure acceptance at each evaluation (default: ${DEFAULT-VALUE}).")
    int samples = 200;

    @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate acceptance every N steps and at the end (default: ${DEFAULT-VALUE}).")
    int evalEvery = 250;

    @Option(names = "--out", description = "Folder for the report (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("runs", "demo");

    @Mixin BackendOption backend;

    @Override
    public Integer call() throws IOException {
        if (task.length != 3) throw new IllegalArgumentException("--task needs three offsets m_b,m_c,m_d, got " + task.length);
        for (int m : task) if (m < -3 || m > 2) throw new IllegalArgumentException("--task offsets must lie in -3..2, got " + Arrays.toString(task));
        if (steps < 1 || batch < 1 || samples < 1 || evalEvery < 1) throw new IllegalArgumentException("--steps, --batch, --samples and --eval-every must be positive");
        FormalLanguage lang = new FormalLanguage(0, task[0], task[1], task[2]);
        Files.createDirectories(out);

        LstmWithHead model = new LstmWithHead(FormalLanguage.VOCAB, 32, 2, FormalLanguage.VOCAB, Rng.stream(seed, 0));
        Rng data = Rng.stream(seed, 1), sampling = Rng.stream(seed, 2);
        PiecewiseLinear schedule = PiecewiseLinear.ZOO;
        AdamW opt = new AdamW(model.parameters(), schedule.at(0), 1e-4);
        System.out.printf("zooscope demo: task d = %s, %d steps, batch %d, seed %d, backend %s, %d parameters%n",
            Arrays.toString(lang.task()), steps, batch, seed, Backends.current().name(), model.parameterCount());

        float[] losses = new float[steps];
        List<Map<String, Object>> evals = new ArrayList<>();
        long start = System.nanoTime();
        double trainSeconds = 0;
        try (ProgressBar bar = progressBar(steps)) {
            for (int t = 0; t < steps; t++) {
                long t0 = System.nanoTime();
                opt.setLr(schedule.at(Math.max(t - 1, 0))); // update t uses lr(max(t − 1, 0)), as the reference
                opt.zeroGrad();
                Tensor loss = SequenceTraining.loss(model, lang, batch, data);
                loss.backward();
                opt.step();
                trainSeconds += (System.nanoTime() - t0) / 1e9;
                losses[t] = loss.item();
                if (!Float.isFinite(losses[t])) throw new IllegalStateException("training diverged at step " + t + ": loss " + losses[t]);
                if (bar != null) { bar.step(); bar.setExtraMessage(String.format("loss %.4f", losses[t])); }
                if ((t + 1) % evalEvery == 0 || t == steps - 1) evals.add(evaluate(model, lang, t, sampling, bar));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        printCurve(losses);
        Map<String, Object> last = evals.getLast();
        System.out.printf("final loss %.4f; accepted %s of %d sampled strings (count-only rule), %s (strict rule)%n",
            losses[steps - 1], last.get("accepted_count_only"), samples, last.get("accepted_strict"));
        System.out.printf("training: %.1f steps/s (%.1f s in all, with evaluation)%n", steps / trainSeconds, seconds);
        writeReport(lang, losses, evals, steps / trainSeconds, seconds, model);
        System.out.println("report: " + out.toAbsolutePath().normalize() + "/{report.json, loss.csv, loss.png, model.safetensors}");
        return 0;
    }

    private Map<String, Object> evaluate(LstmWithHead model, FormalLanguage lang, int step, Rng rng, ProgressBar bar) {
        short[][] s = SequenceTraining.sample(model, samples, rng);
        int count = 0, strict = 0;
        for (short[] q : s) { if (lang.acceptsCountOnly(q)) count++; if (lang.acceptsStrict(q)) strict++; }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("step", step);
        e.put("accepted_count_only", count);
        e.put("accepted_strict", strict);
        e.put("samples", samples);
        String line = String.format("step %5d: %3d/%d sampled strings accepted (count-only), %3d (strict)", step, count, samples, strict);
        if (bar == null) System.out.println(line); else bar.setExtraMessage(line);
        return e;
    }

    /** A progress bar on a terminal; plain lines (from evaluate) in logs. */
    private static ProgressBar progressBar(int steps) {
        if (System.console() == null) return null;
        return new ProgressBarBuilder().setTaskName("train").setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(200).showSpeed().build();
    }

    /** The loss curve as a text chart: 12 rows, one column per bucket of steps (mean loss). */
    private static void printCurve(float[] losses) {
        int cols = Math.min(60, losses.length), rows = 12;
        double[] m = new double[cols];
        for (int c = 0; c < cols; c++) {
            int a = c * losses.length / cols, b = (c + 1) * losses.length / cols;
            for (int i = a; i < b; i++) m[c] += losses[i] / (double) (b - a);
        }
        double lo = Arrays.stream(m).min().orElse(0), hi = Arrays.stream(m).max().orElse(1);
        System.out.println("loss curve (mean per bucket of " + Math.max(1, losses.length / cols) + " steps):");
        for (int r = rows - 1; r >= 0; r--) {
            double level = lo + (hi - lo) * r / (rows - 1);
            StringBuilder sb = new StringBuilder(String.format("%8.4f |", level));
            for (double v : m) sb.append(v >= level - (hi - lo) / (2 * (rows - 1)) ? '#' : ' ');
            System.out.println(sb);
        }
        System.out.println("         +" + "-".repeat(cols) + " step " + losses.length);
    }

    private void writeReport(FormalLanguage lang, float[] losses, List<Map<String, Object>> evals,
                             double stepsPerSecond, double seconds, LstmWithHead model) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("command", "demo");
        report.put("task", lang.task());
        report.put("steps", steps);
        report.put("batch", batch);
        report.put("seed", seed);
        report.put("backend", Backends.current().name());
        report.put("parameters", model.parameterCount());
        report.put("final_loss", losses[losses.length - 1]);
        report.put("evaluations", evals);
        report.put("train_steps_per_second", stepsPerSecond);
        report.put("wall_seconds", seconds);
        report.put("loss", losses);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("report.json").toFile(), report);

        StringBuilder csv = new StringBuilder("step,loss\n");
        for (int i = 0; i < losses.length; i++) csv.append(i).append(',').append(losses[i]).append('\n');
        Files.writeString(out.resolve("loss.csv"), csv);

        XYChart chart = new XYChartBuilder().width(800).height(450).title("zooscope demo: task " + Arrays.toString(lang.task()))
            .xAxisTitle("update").yAxisTitle("cross-entropy").build();
        double[] x = new double[losses.length], y = new double[losses.length];
        for (int i = 0; i < losses.length; i++) { x[i] = i; y[i] = losses[i]; }
        chart.addSeries("training loss", x, y).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        chart.getStyler().setLegendVisible(false);
        BitmapEncoder.saveBitmap(chart, out.resolve("loss.png").toString(), BitmapEncoder.BitmapFormat.PNG);

        Map<String, NdArray> state = new LinkedHashMap<>();
        model.namedParameters().forEach((k, v) -> state.put(k, NdArray.ofFloats(v.toArray(), Arrays.stream(v.shape()).asLongStream().toArray())));
        Safetensors.write(out.resolve("model.safetensors"), state, Map.of("format", "pt", "task", Arrays.toString(lang.task())));
    }
}
