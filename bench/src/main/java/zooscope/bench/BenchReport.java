package zooscope.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH benchmarks (or those matching the arguments, as JMH's own command line) and prints each
 * result as GFLOP/s next to the measured single-core FMA peak of the same run. The development machines
 * are shared, so throughput drops when a neighbour is busy: next to the mean ± 99.9% error the table
 * shows the best measurement iteration, and the share of peak compares best with best.
 */
public final class BenchReport {
    private BenchReport() {}

    public static void main(String[] args) throws RunnerException, org.openjdk.jmh.runner.options.CommandLineOptionException {
        Options opts = args.length > 0 ? new CommandLineOptions(args)
            : new OptionsBuilder().include(PeakBench.class.getSimpleName()).include(GemmBench.class.getSimpleName())
                .include(LstmLayerBench.class.getSimpleName()).include(LstmCellBench.class.getSimpleName()).build();
        Collection<RunResult> results = new Runner(opts).run();
        double peak = 0;
        List<String[]> rows = new ArrayList<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            double opsPerSecond = r.getPrimaryResult().getScore(), err = r.getPrimaryResult().getScoreError();
            double best = r.getBenchmarkResults().stream().flatMap(b -> b.getIterationResults().stream())
                .mapToDouble(it -> it.getPrimaryResult().getScore()).max().orElse(opsPerSecond);
            String shape = r.getParams().getParam("shape"), backend = r.getParams().getParam("backend");
            double flops = name.startsWith("PeakBench") ? PeakBench.flops()
                : name.startsWith("GemmBench") ? GemmBench.flops(shape)
                : name.startsWith("LstmLayerBench") ? LstmLayerBench.flops() : Double.NaN; // the cell: element-wise, no GEMM FLOPs
            double gflops = opsPerSecond * flops / 1e9, bestGflops = best * flops / 1e9;
            if (name.startsWith("PeakBench")) peak = bestGflops;
            rows.add(new String[] {name + (shape == null ? "" : " " + shape), backend == null ? "-" : backend,
                String.format("%.1f ± %.1f", opsPerSecond, err), String.format("%.2f", gflops), String.format("%.2f", bestGflops),
                String.valueOf(bestGflops)});
        }
        System.out.printf("%n%-31s %-7s %22s %12s %12s %8s%n", "benchmark", "backend", "ops/s (mean)", "GFLOP/s mean", "GFLOP/s best", "of peak");
        for (String[] r : rows) {
            double pct = peak > 0 ? 100 * Double.parseDouble(r[5]) / peak : Double.NaN;
            System.out.printf("%-31s %-7s %22s %12s %12s %7.1f%%%n", r[0], r[1], r[2], r[3], r[4], pct);
        }
        System.out.printf("peak = best iteration of the single-core FMA loop (%d-lane vectors, 12 chains); all benchmarks single-threaded%n",
            PeakBench.S.length());
    }
}
