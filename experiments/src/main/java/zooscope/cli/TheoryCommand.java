package zooscope.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import zooscope.theory.Interrogation;
import zooscope.theory.Interrogation.Oracle;

/** The interrogation demo of PAPER.md §12: interactive vs. non-interactive identification of password functions. */
@Command(name = "theory", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Interrogating a finite set of functions (PAPER.md §12, Prop. 3.3): interaction can be exponentially cheaper.",
        "",
        "D = {f_p : p in {0,1}^k}, where f_p tells, per symbol typed, whether the prefix so far matches the password p. "
            + "An interactive interrogator extends the known prefix after every answer and identifies p with at most k queries. "
            + "A non-interactive one must fix its queries in advance; passwords differing only in the last bit are told apart only by a query holding their common (k-1)-bit prefix, so it needs 2^(k-1) queries.",
        "Both interrogators are run against every member and checked against the true p (above k = 12 the fixed set only against 64 random members: all of them would need 2^(2k-1) answers); "
            + "up to k = 12 the lower bound is checked by brute force too. Prints the counts; writes them to --out as a table (theory.csv) and a log-scale plot (theory.png)."})
final class TheoryCommand implements Callable<Integer> {
    /** Up to this k the fixed set is checked exhaustively; above it, against SAMPLE random members. */
    static final int EXHAUSTIVE_K = 12, SAMPLE = 64;

    @Option(names = "--k-max", description = "Largest password length k, 2..20 (default: ${DEFAULT-VALUE}).")
    int kMax = 12;

    @Option(names = "--out", description = "Folder for theory.csv and theory.png (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("runs", "theory");

    record Row(int k, int adaptiveWorst, double adaptiveMean, int fixed, String checked) {}

    @Override
    public Integer call() throws IOException {
        if (kMax < 2 || kMax > 20) throw new IllegalArgumentException("--k-max must be between 2 and 20, got " + kMax);
        Args.outputFolder("--out", out);
        System.out.println("zooscope theory: identifying an unknown password function f_p, p in {0,1}^k (PAPER.md §12, Prop. 3.3)");
        System.out.printf("%4s | %14s | %13s | %13s | %8s | %s%n", "k", "adaptive worst", "adaptive mean", "fixed queries", "2^(k-1)", "fixed set checked");
        List<Row> rows = new ArrayList<>();
        for (int k = 2; k <= kMax; k++) {
            Row r = row(k);
            rows.add(r);
            System.out.printf(Locale.ROOT, "%4d | %14d | %13.2f | %13d | %8d | %s%n", r.k, r.adaptiveWorst, r.adaptiveMean, r.fixed, 1 << (k - 1), r.checked);
        }
        for (int k = 2; k <= Math.min(4, kMax); k++) {
            // the two optima by exhaustive search, where it is cheap
            if (Interrogation.optimalAdaptiveWorstCase(k) != k || Interrogation.existsDistinguishingSet(k, (1 << (k - 1)) - 1))
                throw new IllegalStateException("exhaustive search at k = " + k + " disagrees with the counts above");
        }
        System.out.printf("exhaustive search, k = 2..%d: no interactive interrogator beats k queries in the worst case; no fixed set of 2^(k-1) - 1 queries separates D%n", Math.min(4, kMax));
        write(rows);
        System.out.println("written: " + out.toAbsolutePath().normalize() + "/{theory.csv, theory.png}");
        return 0;
    }

    /** Runs both interrogators and checks each identification against the true password. */
    static Row row(int k) {
        int n = 1 << k;
        int worst = 0;
        long total = 0;
        for (int p = 0; p < n; p++) {
            int q = identify(k, p, Interrogation::identifyAdaptively);
            worst = Math.max(worst, q);
            total += q;
        }
        int fixed = Interrogation.fixedQueries(k).length;
        String checked;
        if (k <= EXHAUSTIVE_K) {
            if (!Interrogation.distinguishesAll(k, Interrogation.fixedQueries(k)))
                throw new IllegalStateException("the fixed set does not separate all members at k = " + k);
            if (Interrogation.pairwiseLowerBound(k) != fixed)
                throw new IllegalStateException("the pairwise lower bound fails at k = " + k);
            for (int p = 0; p < n; p++) identify(k, p, Interrogation::identifyNonInteractively);
            checked = "all " + n + " members; lower bound checked by brute force";
        } else {
            SplittableRandom rng = new SplittableRandom(k);
            for (int i = 0; i < SAMPLE; i++) identify(k, rng.nextInt(n), Interrogation::identifyNonInteractively);
            checked = SAMPLE + " random members; lower bound by the argument only";
        }
        return new Row(k, worst, total / (double) n, fixed, checked);
    }

    /** Identifies f_p with {@code interrogator}; returns the number of queries it asked. */
    private static int identify(int k, int p, ToIntFunction<Oracle> interrogator) {
        Oracle o = new Oracle(k, p);
        int got = interrogator.applyAsInt(o);
        if (got != p) throw new IllegalStateException("k = " + k + ": identified " + got + " instead of " + p);
        return o.queries();
    }

    private void write(List<Row> rows) throws IOException {
        Files.createDirectories(out);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("theory.csv")))) {
            w.println("k,adaptive_worst,adaptive_mean,fixed_queries,two_pow_k_minus_1,fixed_checked");
            for (Row r : rows) w.printf(Locale.ROOT, "%d,%d,%.4f,%d,%d,%s%n", r.k, r.adaptiveWorst, r.adaptiveMean, r.fixed, 1 << (r.k - 1), r.checked);
        }
        XYChart chart = new XYChartBuilder().width(800).height(450).title("Identifying a password function f_p, p in {0,1}^k")
            .xAxisTitle("k").yAxisTitle("queries (log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        double[] k = rows.stream().mapToDouble(Row::k).toArray();
        chart.addSeries("non-interactive (fixed set)", k, rows.stream().mapToDouble(Row::fixed).toArray()).setMarker(SeriesMarkers.CIRCLE);
        chart.addSeries("interactive, worst case", k, rows.stream().mapToDouble(Row::adaptiveWorst).toArray()).setMarker(SeriesMarkers.SQUARE);
        chart.addSeries("interactive, mean", k, rows.stream().mapToDouble(Row::adaptiveMean).toArray()).setMarker(SeriesMarkers.DIAMOND);
        BitmapEncoder.saveBitmap(chart, out.resolve("theory.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
