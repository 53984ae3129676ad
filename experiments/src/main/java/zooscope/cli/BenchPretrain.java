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
import zooscope.engine.nn.LstmLayout;
import zooscope.pretrain.EmulationData;
import zooscope.pretrain.EmulationStep;
import zooscope.pretrain.PretrainConfig;

/** Seconds per emulation pre-training update, per encoder, beside the reference's PyTorch on this machine. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Seconds per pre-training update (encoder + emulator forward, backward, clipping, AdamW) at a preset's batch and sizes,",
        "on synthetic data of the zoo's shapes (freshly initialised zoo LSTMs, random rollouts and targets: the arithmetic does not depend on the values).",
        "Median of --repeats timings of --steps updates after --warmup untimed ones. Printed beside the reference implementation's PyTorch figures",
        "measured on this 2-core machine (formal-language zoo, paper preset): interactive 0.42 s, non-interactive 0.48, DWS 0.76, flat 0.22, statistics 0.25, transformer 10.9."})
final class BenchPretrain implements Callable<Integer> {
    /** The reference's seconds per update on the 2-core machine, formal zoo, paper preset (from the issue that asked for this bench). */
    static final Map<String, Double> REFERENCE = Map.of("interactive", 0.42, "noninteractive", 0.48, "dws", 0.76, "flat", 0.22, "statistics", 0.25, "transformer", 10.9);

    @Option(names = "--encoder", paramLabel = "NAME", description = "Encoders to time (repeatable; default: the six of the paper).")
    List<String> encoders;

    @Option(names = "--preset", description = "paper or small (default: ${DEFAULT-VALUE}).")
    String preset = "paper";

    @Option(names = "--zoo-kind", description = "formal or mnist (default: ${DEFAULT-VALUE}).")
    String kind = "formal";

    @Option(names = "--steps", description = "Updates per timing (default: ${DEFAULT-VALUE}).")
    int steps = 3;

    @Option(names = "--repeats", description = "Timings; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeats = 3;

    @Option(names = "--warmup", description = "Untimed updates first, for the JIT (default: ${DEFAULT-VALUE}).")
    int warmup = 2;

    @Mixin BackendOption backend;

    @Override
    public Integer call() {
        Args.positive("--steps", steps);
        Args.positive("--repeats", repeats);
        Args.nonNegative("--warmup", warmup);
        ProbedModel model = ProbedModel.byName(kind);
        if (model == null) throw new IllegalArgumentException("--zoo-kind must be formal or mnist, got '" + kind + "'");
        PretrainConfig cfg = PretrainConfig.preset(preset);
        List<String> names = encoders == null ? ExperimentCommand.ALL : encoders;
        for (String n : names) if (!Encoders.NAMES.contains(n)) throw new IllegalArgumentException("unknown --encoder '" + n + "': expected one of " + Encoders.NAMES);
        EmulationData.Batch batch = syntheticBatch(model, cfg.batch(), model == ProbedModel.FORMAL ? 41 : 50);
        System.out.printf("bench pretrain: %s zoo shapes, preset %s (batch %d, emulator %dx%d, %s encoders), backend %s, %d threads%n", kind, cfg.preset(), cfg.batch(),
            cfg.emulatorLayers(), cfg.emulatorHidden(), cfg.smallEncoders() ? "small" : "paper-size", zooscope.kernels.Backends.current().name(), Runtime.getRuntime().availableProcessors());
        System.out.printf("%-16s %12s %14s %14s %10s%n", "encoder", "parameters", "zooscope s/upd", "reference s/upd", "ratio");
        for (String n : names) {
            var enc = Encoders.create(n, model, 1, cfg.smallEncoders(), Rng.stream(1, 0));
            var step = new EmulationStep(enc, Emulator.of(model, cfg.emulatorHidden(), cfg.emulatorLayers(), Rng.stream(1, 1)), cfg);
            int t = 0;
            for (int i = 0; i < warmup; i++, t++) step.update(batch, Rng.stream(2, t), t);
            double[] s = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < steps; i++, t++) step.update(batch, Rng.stream(2, t), t);
                s[r] = (System.nanoTime() - t0) / 1e9 / steps;
            }
            Arrays.sort(s);
            double med = s[repeats / 2];
            Double ref = cfg.preset().equals("paper") && kind.equals("formal") ? REFERENCE.get(n) : null;
            System.out.printf("%-16s %,12d %14.4f %14s %10s%n", n, enc.parameterCount(), med, ref == null ? "-" : String.format("%.2f", ref),
                ref == null ? "-" : String.format("%.2fx", ref / med));
        }
        return 0;
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
