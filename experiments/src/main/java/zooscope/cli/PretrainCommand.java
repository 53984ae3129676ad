package zooscope.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import zooscope.encoders.EmulationLoss;
import zooscope.pretrain.PretrainConfig;
import zooscope.pretrain.Pretrainer;

/** {@code zooscope pretrain}: emulation pre-training of one encoder on one zoo. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Emulation pre-training (PAPER.md section 9): train a weight encoder together with an emulator LSTM that, given the encoder's z of an RNN, reproduces the RNN's stored output distributions.",
        "Split by task (section 7): train / validation / OOD. After every --eval-every updates: validation and OOD loss, the cloned-performance check (formal languages), a row in RUN_DIR/log.csv; the best validation state is kept as RUN_DIR/encoder.safetensors and emulator.safetensors.",
        "Presets: paper = the reference's configuration (100,000 updates, batch 64, emulator 2x256, lr 1e-4, weight decay 0.01, clipping 0.1 per group, TV loss); small = zooscope's CPU preset (updates 0..600, evaluation every 100, emulator 2x64, scaled-down encoders, lr 1e-3).",
        "Kill it at any time and run the same command again: it resumes from the last evaluation and ends with the same bits as an uninterrupted run."})
final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--zoo", required = true, paramLabel = "DIR", description = "Zoo folder (zooscope's or the reference's layout).")
    Path zoo;

    @Option(names = "--encoder", required = true, paramLabel = "NAME", description = "One of: ${COMPLETION-CANDIDATES}.", completionCandidates = EncodeCommand.Names.class)
    String encoder;

    @Option(names = "--seed", description = "Seed of the encoder's and emulator's initialisation and of every random choice (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--out", required = true, paramLabel = "RUN_DIR", description = "Run folder (created; an unfinished run there is resumed).")
    Path out;

    @Option(names = "--group", paramLabel = "N", description = "Train N runs together, seeds SEED..SEED+N-1, each in its own folder RUN_DIR/seed<k> with the files of a run trained alone (the same numbers); "
        + "one batched pass and one AdamW step per update for all; every encoder can be grouped (default: ${DEFAULT-VALUE}: one run in RUN_DIR).")
    int group = 1;

    @Option(names = "--preset", description = "paper or small (default: ${DEFAULT-VALUE}).")
    String preset = "small";

    @Option(names = "--steps", paramLabel = "N", description = "Index of the last update, overriding the preset's (updates 0..N).")
    Integer steps;

    @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate after every N-th update, overriding the preset's.")
    Integer evalEvery;

    @Option(names = "--lr", paramLabel = "X", description = "AdamW learning rate (constant), overriding the preset's (paper 1e-4, small 1e-3).")
    Double lr;

    @Option(names = "--eval-rollouts", paramLabel = "one|all", description = "Validation and OOD loss on one seeded stored rollout per RNN (one, the reference's way) or as the mean over all stored rollouts of every RNN (all; batched, steadier) (default: ${DEFAULT-VALUE}).")
    String evalRollouts = "one";

    @Option(names = "--loss", description = "Emulation loss: tv, reverse-kl (the reference's: a mean over classes) or reverse-kl-sum (default: tv).")
    String loss = "tv";

    @Option(names = "--probe-streams", paramLabel = "M", description = "Parallel probe streams of the probing encoders (default: ${DEFAULT-VALUE}).")
    int probeStreams = 1;

    @Option(names = "--names", description = "Also write the best encoder and emulator under the reference's state-dict keys and shapes (reference), into RUN_DIR/reference/ (default: zooscope only).")
    String names = "zooscope";

    @Mixin BackendOption backend;

    static PretrainConfig config(String preset, Integer steps, Integer evalEvery, Double lr, String evalRollouts, String loss, int probeStreams) {
        Args.oneOf("--eval-rollouts", evalRollouts, java.util.List.of("one", "all"));
        PretrainConfig c = PretrainConfig.preset(preset).withLoss(EmulationLoss.byId(loss)).withProbeStreams(probeStreams).withEvalAllRollouts(evalRollouts.equals("all"));
        if (steps != null) c = c.withSteps(steps);
        if (evalEvery != null) c = c.withEvalEvery(evalEvery);
        if (lr != null) c = c.withLr(lr);
        return c;
    }

    @Override
    public Integer call() throws Exception {
        if (!names.equals("zooscope") && !names.equals("reference")) throw new IllegalArgumentException("--names must be zooscope or reference, got '" + names + "'");
        PretrainConfig c = config(preset, steps, evalEvery, lr, evalRollouts, loss, probeStreams);
        if (names.equals("reference") && encoder.equals("control")) throw new IllegalArgumentException("--names reference: the control encoder has no counterpart in the reference implementation (only the six encoders of the paper do)");
        Args.zoo("--zoo", zoo);
        Args.outputFolder("--out", out);
        Args.positive("--group", group);
        java.util.List<Path> dirs = new java.util.ArrayList<>();
        java.util.List<Pretrainer> runs = new java.util.ArrayList<>();
        for (int g = 0; g < group; g++) {
            Path dir = group == 1 ? out : out.resolve("seed" + (seed + g));
            dirs.add(dir);
            runs.add(new Pretrainer(zoo, encoder, seed + g, c, dir));
        }
        System.out.println("preset " + c.preset() + ": " + c.toMap());
        java.util.List<Pretrainer.Result> results = group == 1 ? java.util.List.of(runs.get(0).run(System.out)) : new zooscope.pretrain.PretrainGroup(runs).run(System.out);
        for (int g = 0; g < group; g++) {
            Pretrainer.Result r = results.get(g);
            System.out.printf("best validation loss %.5f after update %d (OOD %.5f); %s in %s%n", r.valLoss(), r.bestStep(), r.oodLoss(),
                Double.isNaN(r.cloneValMae()) ? "" : String.format("clone |Δperformance| validation %.3f, OOD %.3f;", r.cloneValMae(), r.cloneOodMae()), dirs.get(g));
            if (names.equals("reference")) System.out.println("reference-named state dicts: " + ExportCommand.exportReference(dirs.get(g), null));
        }
        return 0;
    }
}
