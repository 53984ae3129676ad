package zooscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import zooscope.kernels.Backends;
import zooscope.zoo.Zoo;
import zooscope.zoo.ZooGenerator;
import zooscope.zoo.ZooKind;

/**
 * The main job on a small default, the paper's whole loop: a small formal-language zoo (the zoo generator
 * with a shortened schedule, acceptance per checkpoint reported), then emulation pre-training of the DWS
 * and the interactive probing encoder, frozen downstream prediction of each RNN's task and performance
 * from their representations, and the experiment report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"The main job on a small default: the paper's whole loop on a small formal-language zoo.",
        "",
        "1. Zoo: trains --runs 2x32 LSTMs together, each on its own language a^n b^(n+m_b) c^(n+m_c) d^(n+m_d), with the zoo recipe (AdamW, weight decay 1e-4, batch 32, LR 0.01 -> 0.003 @10k -> 0.0003 @20k) cut at --steps; at each checkpoint 1000 strings are sampled from every model and judged by the count-only and the strict rule. Writes the zoo (reference layout) to OUT/zoo and report.json and acceptance.png to OUT.",
        "2. Encoders: emulation pre-training of --encoders (small preset, --pretrain-steps updates) on the zoo's task split, then frozen downstream predictors of the task and the performance; OUT/experiment/report.md, summary.csv and plots.",
        "Same seed, same results, bit for bit. A run interrupted is resumed by the same command."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--runs", description = "Models in the zoo (default: ${DEFAULT-VALUE}).")
    int runs = 32;

    @Option(names = "--steps", description = "Index of the last update (default: ${DEFAULT-VALUE}; the full schedule is 20000).")
    int steps = 2000;

    @Option(names = "--seed", description = "Zoo seed (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--threads", description = "Worker threads (default: all cores, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--out", description = "Folder for the zoo and the report (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("runs", "demo");

    @Option(names = "--encoders", description = "Encoders pre-trained on the zoo, comma-separated; none to stop after the zoo (default: ${DEFAULT-VALUE}).")
    String encoders = "control,dws,interactive";

    @Option(names = "--pretrain-steps", paramLabel = "N", description = "Index of the last pre-training update (default: ${DEFAULT-VALUE}).")
    int pretrainSteps = 300;

    @Option(names = "--frozen-updates", paramLabel = "N", description = "Updates of each frozen downstream predictor (default: ${DEFAULT-VALUE}).")
    int frozenUpdates = 1000;

    @Mixin BackendOption backend;

    @Override
    public Integer call() throws IOException {
        // everything checked before the zoo is trained
        Args.positive("--runs", runs);
        Args.nonNegative("--steps", steps);
        Args.positive("--threads", threads);
        Args.outputFolder("--out", out);
        List<String> enc = encoders.equals("none") ? List.of() : java.util.Arrays.stream(encoders.split(",")).map(String::strip).toList();
        for (String e : enc) if (!zooscope.encoders.Encoders.NAMES.contains(e)) throw new IllegalArgumentException("unknown encoder '" + e + "' in --encoders: expected none or names from " + zooscope.encoders.Encoders.NAMES);
        Args.nonNegative("--pretrain-steps", pretrainSteps);
        var settings = new zooscope.experiment.Grid.Settings(zooscope.pretrain.PretrainConfig.small().withSteps(pretrainSteps).withEvalEvery(Math.max(1, (pretrainSteps + 2) / 3)), frozenUpdates, 0, 1);
        Path zooDir = out.resolve("zoo");
        var options = new ZooGenerator.Options(ZooKind.FORMAL, runs, seed, steps, runs, threads, 0, 1, null, ZooGenerator.LearningRate.ZOO, System.out);
        System.out.printf("zooscope demo: a formal-language zoo of %d runs, %d updates each, seed %d, backend %s%n",
            runs, steps + 1, seed, Backends.current().name());
        ZooGenerator.Summary s = ZooGenerator.generate(zooDir, options);
        Zoo zoo = Zoo.open(zooDir);
        int[] checkpoints = ZooGenerator.checkpoints(steps);

        List<Map<String, Object>> perRun = new ArrayList<>();
        for (var e : zoo.runs().entrySet()) {
            long first = e.getValue().getFirst();
            long[] task = new long[4];
            for (int k = 0; k < 4; k++) task[k] = zoo.file("tasks.npy").getLong(4 * first + k);
            List<Integer> countOnly = new ArrayList<>(), strict = new ArrayList<>();
            for (long r : e.getValue()) {
                countOnly.add((int) zoo.quality(r)[0]);
                strict.add((int) zoo.quality(r)[1]);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("run", e.getKey());
            m.put("task", task);
            m.put("accepted_count_only", countOnly);
            m.put("accepted_strict", strict);
            perRun.add(m);
        }
        System.out.println();
        System.out.print(zoo.perRunTable());
        System.out.println();
        System.out.print(zoo.summary());
        if (s.trained() > 0) {
            System.out.printf("%d runs trained in %s: %.0f model-steps/s including checkpoint evaluation%n",
                s.trained(), ZooCommand.durationText(s.seconds()), s.modelStepsPerSecond());
        } else {
            System.out.println("the zoo in " + zooDir + " was complete already (an earlier demo); delete it to train again");
        }
        writeReport(zoo, checkpoints, perRun, s);
        System.out.println("zoo report: " + out.toAbsolutePath().normalize() + "/{report.json, acceptance.png}, zoo: " + zooDir);
        if (enc.isEmpty()) return 0;
        Path experiment = out.resolve("experiment");
        System.out.printf("%nemulation pre-training of %s on the zoo (small preset, %d updates), then downstream prediction of task and performance%n", enc, pretrainSteps + 1);
        zooscope.experiment.Grid.run(zooDir, enc, 1, settings, 0, 1, experiment, System.out);
        Path md = zooscope.experiment.Report.write(List.of(experiment), experiment);
        System.out.println();
        System.out.print(Files.readString(md));
        System.out.println("experiment report: " + md.toAbsolutePath().normalize() + " (with summary.csv and plots beside it)");
        return 0;
    }

    private void writeReport(Zoo zoo, int[] checkpoints, List<Map<String, Object>> perRun, ZooGenerator.Summary s) throws IOException {
        Files.createDirectories(out);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("command", "demo");
        report.put("zoo", zoo.dir.toString());
        report.put("runs", runs);
        report.put("steps", steps);
        report.put("seed", seed);
        report.put("backend", Backends.current().name());
        report.put("checkpoints", checkpoints);
        double[] mean = new double[checkpoints.length];
        for (Map<String, Object> r : perRun) {
            @SuppressWarnings("unchecked") List<Integer> a = (List<Integer>) r.get("accepted_count_only");
            for (int i = 0; i < mean.length; i++) mean[i] += a.get(i) / (double) perRun.size();
        }
        report.put("mean_accepted_count_only", mean);
        report.put("per_run", perRun);
        report.put("runs_trained", s.trained());
        report.put("model_steps_per_second", s.modelStepsPerSecond());
        report.put("seconds", s.seconds());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("report.json").toFile(), report);

        XYChart chart = new XYChartBuilder().width(800).height(450).title("zooscope demo: " + perRun.size() + " formal-language runs")
            .xAxisTitle("update").yAxisTitle("accepted of 1000 sampled strings").build();
        double[] x = java.util.Arrays.stream(checkpoints).asDoubleStream().toArray();
        for (Map<String, Object> r : perRun) {
            @SuppressWarnings("unchecked") List<Integer> a = (List<Integer>) r.get("accepted_count_only");
            chart.addSeries("run " + r.get("run"), x, a.stream().mapToDouble(Integer::doubleValue).toArray()).setMarker(SeriesMarkers.NONE).setLineStyle(SeriesLines.SOLID).setLineColor(new java.awt.Color(150, 150, 200));
        }
        chart.addSeries("mean", x, mean).setMarker(SeriesMarkers.CIRCLE).setMarkerColor(java.awt.Color.BLACK).setLineStyle(SeriesLines.SOLID)
            .setLineWidth(3f).setLineColor(java.awt.Color.BLACK);
        chart.getStyler().setLegendVisible(false);
        BitmapEncoder.saveBitmap(chart, out.resolve("acceptance.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
