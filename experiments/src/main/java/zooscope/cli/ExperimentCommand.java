package zooscope.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import zooscope.encoders.Encoders;
import zooscope.experiment.Grid;
import zooscope.pretrain.PretrainConfig;

/** {@code zooscope experiment}: the grid of pre-training and downstream runs. */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"The experiment grid: for every seed and encoder, emulation pre-training (as 'pretrain'), frozen downstream predictors on its z for every target of the zoo kind,",
        "and the supervised baseline on the first target (formal: task; MNIST: angle). Layout OUT/ENCODER/seedS/. Resumable: a finished piece is never redone.",
        "Clusters: --shard I/N runs the I-th of N contiguous blocks of units (e.g. $SLURM_ARRAY_TASK_ID/N or $JOB_COMPLETION_INDEX/N), each into its own OUT; then ./zooscope report OUT0 OUT1 ..."})
final class ExperimentCommand implements Callable<Integer> {
    /** The no-information control and the six encoders of the paper (statistics as built by the reference). */
    static final List<String> ALL = List.of("control", "statistics", "flat", "transformer", "dws", "noninteractive", "interactive");

    @Option(names = "--zoo", required = true, paramLabel = "DIR", description = "Zoo folder.")
    Path zoo;

    @Option(names = "--encoders", description = "all (the control, a learned z the same for every RNN, and the six of the paper: statistics, flat, transformer, dws, noninteractive, interactive) or a comma-separated list (default: ${DEFAULT-VALUE}).")
    String encoders = "all";

    @Option(names = "--seeds", paramLabel = "K", description = "Seeds 1..K per encoder (default: ${DEFAULT-VALUE}).")
    int seeds = 3;

    @Option(names = "--out", required = true, paramLabel = "RESULTS_DIR", description = "Results folder (created; an unfinished grid there is resumed).")
    Path out;

    @Option(names = "--preset", description = "Pre-training preset: small or paper (default: ${DEFAULT-VALUE}).")
    String preset = "small";

    @Option(names = "--steps", paramLabel = "N", description = "Index of the last pre-training update, overriding the preset's.")
    Integer steps;

    @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate after every N-th pre-training update, overriding the preset's.")
    Integer evalEvery;

    @Option(names = "--lr", paramLabel = "X", description = "Pre-training learning rate (constant), overriding the preset's (paper 1e-4, small 1e-3).")
    Double lr;

    @Option(names = "--eval-rollouts", paramLabel = "one|all", description = "Validation and OOD loss on one seeded stored rollout per RNN (one) or on all stored rollouts (all) (default: ${DEFAULT-VALUE}).")
    String evalRollouts = "one";

    @Option(names = "--frozen-updates", paramLabel = "N", description = "Updates of each frozen predictor (default: ${DEFAULT-VALUE}).")
    int frozenUpdates = 2000;

    @Option(names = "--supervised-updates", paramLabel = "N", description = "Updates of the supervised baseline, 0 to skip it (default: ${DEFAULT-VALUE}).")
    int supervisedUpdates = 300;

    @Option(names = "--group", paramLabel = "N", description = "Pre-train up to N seeds of an encoder together (one batched pass per update for all; the same numbers as alone): "
        + "control, statistics, statistics-768, flat, noninteractive, interactive; DWS and the transformer (no faster in a group on the CPU) and --group 1 train one run at a time (default: ${DEFAULT-VALUE}).")
    int group = 8;

    @Option(names = "--shard", paramLabel = "I/N", description = "Run only the I-th of N contiguous blocks of units (0-based).")
    String shard = "0/1";

    @Mixin BackendOption backend;

    @Override
    public Integer call() throws Exception {
        if (seeds < 1) throw new IllegalArgumentException("--seeds must be positive, got " + seeds);
        List<String> enc = encoders.equals("all") ? ALL : Arrays.stream(encoders.split(",")).map(String::strip).toList();
        for (String e : enc) if (!Encoders.NAMES.contains(e)) throw new IllegalArgumentException("unknown encoder '" + e + "' in --encoders: expected all or names from " + Encoders.NAMES);
        int[] sh = ZooCommand.parseShard(shard);
        PretrainConfig c = PretrainCommand.config(preset, steps, evalEvery, lr, evalRollouts, "tv", 1);
        Args.zoo("--zoo", zoo);
        Args.outputFolder("--out", out);
        Grid.run(zoo, enc, seeds, new Grid.Settings(c, frozenUpdates, supervisedUpdates, group), sh[0], sh[1], out, System.out);
        return 0;
    }
}
