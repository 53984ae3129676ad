package zooscope.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import zooscope.encoders.Emulator;
import zooscope.encoders.Encoders;
import zooscope.encoders.ProbedModel;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.Init;
import zooscope.engine.nn.LstmLayout;
import zooscope.pretrain.EmulationData;
import zooscope.pretrain.EmulationStep;
import zooscope.pretrain.GroupedEmulationStep;
import zooscope.pretrain.PretrainConfig;

/** Seconds per emulation pre-training update, per encoder, beside the reference's PyTorch on this machine. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Seconds per pre-training update (encoder + emulator forward, backward, clipping, AdamW) at a preset's batch and sizes,",
        "on synthetic data of the zoo's shapes (freshly initialised zoo LSTMs, random rollouts and targets: the arithmetic does not depend on the values).",
        "Median of --repeats windows of --steps updates, after a warm-up that runs until the rate is steady; GFLOP/s counts the GEMMs' operations. Printed beside the reference implementation's PyTorch figures",
        "measured on this 2-core machine (formal-language zoo; paper preset: interactive 0.42 s, non-interactive 0.48, DWS 0.76, flat 0.22, statistics 0.25, transformer 10.9;",
        "small preset: 0.147, 0.137, 0.172, 0.093, 0.106, 2.23). GFLOP/s counts the host backends' GEMMs only.",
        "--group N also times N runs of each encoder trained together (pretrain --group), timed right after the solo figure: seconds per update per run and the throughput against solo."})
final class BenchPretrain implements Callable<Integer> {
    /** The reference's seconds per update on the 2-core machine, formal zoo, paper preset (from the issue that asked for this bench). */
    static final Map<String, Double> REFERENCE = Map.of("interactive", 0.42, "noninteractive", 0.48, "dws", 0.76, "flat", 0.22, "statistics", 0.25, "transformer", 10.9);
    /** The same at the small preset's sizes mapped onto the reference's arguments (issue 19; its transformer's feed-forward 4·d = 128, as zooscope's now). */
    static final Map<String, Double> REFERENCE_SMALL = Map.of("interactive", 0.147, "noninteractive", 0.137, "dws", 0.172, "flat", 0.093, "statistics", 0.106, "transformer", 2.23);

    @Option(names = "--encoder", paramLabel = "NAME", description = "Encoders to time (repeatable; default: the six of the paper).")
    List<String> encoders;

    @Option(names = "--preset", description = "paper or small (default: ${DEFAULT-VALUE}).")
    String preset = "paper";

    @Option(names = "--zoo-kind", description = "formal or mnist (default: ${DEFAULT-VALUE}).")
    String kind = "formal";

    @Option(names = "--steps", description = "Updates per timing window (default: ${DEFAULT-VALUE}).")
    int steps = 10;

    @Option(names = "--repeats", description = "Timed windows after the warm-up; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeats = 3;

    @Option(names = "--warmup", description = "Untimed updates at least, for the JIT and the heap; the warm-up goes on, a window at a time, until two windows agree within 5 %% (at most 30 windows) (default: ${DEFAULT-VALUE}).")
    int warmup = 20;

    @Option(names = "--group", paramLabel = "N", description = "Also time a group of N runs trained together (default: ${DEFAULT-VALUE}: solo only).")
    int group = 1;

    @Mixin BackendOption backend;

    @Override
    public Integer call() {
        Args.positive("--steps", steps);
        Args.positive("--repeats", repeats);
        Args.positive("--group", group);
        Args.nonNegative("--warmup", warmup);
        ProbedModel model = ProbedModel.byName(kind);
        if (model == null) throw new IllegalArgumentException("--zoo-kind must be formal or mnist, got '" + kind + "'");
        PretrainConfig cfg = PretrainConfig.preset(preset);
        List<String> names = encoders == null ? ExperimentCommand.ALL : encoders;
        for (String n : names) if (!Encoders.NAMES.contains(n)) throw new IllegalArgumentException("unknown --encoder '" + n + "': expected one of " + Encoders.NAMES);
        EmulationData.Batch batch = syntheticBatch(model, cfg.batch(), model == ProbedModel.FORMAL ? 41 : 50);
        System.out.printf("bench pretrain: %s zoo shapes, preset %s (batch %d, emulator %dx%d, %s encoders), backend %s, %d threads%n", kind, cfg.preset(), cfg.batch(),
            cfg.emulatorLayers(), cfg.emulatorHidden(), cfg.smallEncoders() ? "small" : "paper-size", zooscope.kernels.Backends.current().name(), Runtime.getRuntime().availableProcessors());
        System.out.printf("%-16s %12s %14s %10s %14s %10s %s%n", "encoder", "parameters", "zooscope s/upd", "GFLOP/s", "reference s/upd", "ratio", "spread (min-max of windows), warm-up");
        for (String n : names) {
            var enc = Encoders.create(n, model, 1, cfg.smallEncoders(), Rng.stream(1, 0));
            var step = new EmulationStep(enc, Emulator.of(model, cfg.emulatorHidden(), cfg.emulatorLayers(), Rng.stream(1, 1)), cfg);
            Timing solo = time(t -> step.update(batch, Rng.stream(2, t), t));
            Double ref = kind.equals("formal") ? (cfg.preset().equals("paper") ? REFERENCE : REFERENCE_SMALL).get(n) : null;
            System.out.printf("%-16s %,12d %14.4f %10s %14s %10s %.4f-%.4f, %d updates%n", n, enc.parameterCount(), solo.median, solo.gflops(), ref == null ? "-" : String.format("%.2f", ref),
                ref == null ? "-" : String.format("%.2fx", ref / solo.median), solo.min, solo.max, solo.warm);
            if (group < 2) continue;
            Rng[] encInit = new Rng[group], emuInit = new Rng[group];
            Tensor[] theta = new Tensor[group], x = new Tensor[group], target = new Tensor[group];
            for (int g = 0; g < group; g++) {
                encInit[g] = Rng.stream(1 + g, 0);
                emuInit[g] = Rng.stream(1 + g, 1);
                theta[g] = batch.theta();
                x[g] = batch.x();
                target[g] = batch.target();
            }
            var grouped = new GroupedEmulationStep(Encoders.createGroup(n, model, 1, cfg.smallEncoders(), encInit),
                Emulator.of(model, cfg.emulatorHidden(), cfg.emulatorLayers(), Init.group(emuInit)), cfg);
            Tensor th = GroupedEmulationStep.stack(theta), xs = GroupedEmulationStep.stack(x), ts = GroupedEmulationStep.stack(target);
            Timing g = time(t -> grouped.update(th, xs, ts, dropoutSeeds(t, group)));
            System.out.printf("  group of %d: %.4f s/update per run (%.4f per update of all), %s GFLOP/s, throughput %.2fx solo; windows %.4f-%.4f, %d updates%n",
                group, g.median / group, g.median, g.gflops(), solo.median * group / g.median, g.min / group, g.max / group, g.warm);
        }
        return 0;
    }

    /** Update t's dropout seeds of a group's runs: the solo run's seed t for run 0, distinct ones for the others. */
    private static long[] dropoutSeeds(int t, int group) {
        long[] seeds = new long[group];
        for (int g = 0; g < group; g++) seeds[g] = t + ((long) g << 32);
        return seeds;
    }

    /** Seconds per update: median, min and max of the windows, the warm-up's length, GEMM GFLOP/s over the windows. */
    record Timing(double median, double min, double max, int warm, double gflop) {
        String gflops() { return gflop > 0 ? String.format("%.1f", gflop) : "-"; }
    }

    /**
     * Times update(t) for t = 0, 1, ...: at least --warmup untimed updates, then windows of --steps until two agree
     * within 5 % (at most 30), then --repeats timed windows.
     */
    private Timing time(java.util.function.IntConsumer update) {
        int[] t = {0};
        java.util.function.DoubleSupplier window = () -> {
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) update.accept(t[0]++);
            return (System.nanoTime() - t0) / 1e9 / steps;
        };
        while (t[0] < warmup) update.accept(t[0]++);
        double last = window.getAsDouble(), now = window.getAsDouble();
        for (int w = 2; w < 30 && Math.abs(now - last) > 0.05 * Math.min(now, last); w++) { last = now; now = window.getAsDouble(); }
        int warm = t[0];
        double[] s = new double[repeats];
        long f0 = zooscope.kernels.HostBackend.gemmFlops();
        long t0 = System.nanoTime();
        for (int r = 0; r < repeats; r++) s[r] = window.getAsDouble();
        double gflops = (zooscope.kernels.HostBackend.gemmFlops() - f0) / ((System.nanoTime() - t0) / 1e9) / 1e9;
        Arrays.sort(s);
        return new Timing(s[repeats / 2], s[0], s[repeats - 1], warm, gflops);
    }

    /** B freshly initialised zoo LSTMs with random one-hot (formal) or normal (MNIST) inputs and normal targets. */
    static EmulationData.Batch syntheticBatch(ProbedModel model, int B, int T) {
        LstmLayout layout = model.layout();
        int P = layout.size(), X = layout.input(), O = layout.output();
        float[] theta = new float[B * P];
        for (int b = 0; b < B; b++) System.arraycopy(layout.flatten(layout.newModel(Rng.stream(3, b))), 0, theta, b * P, P);
        Rng r = Rng.stream(4);
        float[] x = new float[B * T * X];
        for (int i = 0; i < B * T; i++) {
            if (model.softmaxProbes()) x[i * X + r.nextInt(X)] = 1f;
            else for (int j = 0; j < X; j++) x[i * X + j] = (float) r.normal();
        }
        return new EmulationData.Batch(Tensor.of(theta, B, P), Tensor.of(x, B, T, X), Tensor.normal(r, 1, B, T, O));
    }
}
