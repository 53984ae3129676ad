package zooscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import zooscope.downstream.Downstream;
import zooscope.downstream.Target;
import zooscope.encoders.Encoders;
import zooscope.pretrain.TrainedRun;
import zooscope.zoo.Zoo;

/** {@code zooscope downstream}: predict what an RNN does from its representation. */
@Command(name = "downstream", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Downstream prediction (PAPER.md section 10) on the downstream split (section 7: half of the OOD tasks moved into training; metrics on validation and on the other OOD half).",
        "With --run: an MLP 16 -> 64 -> 64 -> outputs on the frozen, L2-normalised z of a pre-trained encoder. With --supervised ENCODER: a fresh encoder and the same MLP trained end to end.",
        "Targets: formal languages task (18 logits = 3 groups of 6, BCE; exact-task accuracy = all three right), performance (accepted / 1000, MSE);",
        "MNIST angle (/360, MSE), accuracy (MSE), gap (eval loss - train loss, MSE), step (checkpoint class, cross-entropy).",
        "AdamW lr 1e-3, weight decay 0.01, batch 64. Prints the metrics and writes them as JSON (--out)."})
final class DownstreamCommand implements Callable<Integer> {
    @Option(names = "--zoo", required = true, paramLabel = "DIR", description = "Zoo folder.")
    Path zoo;

    @Option(names = "--run", paramLabel = "RUN_DIR", description = "A pre-training run: its best encoder gives the frozen z.")
    Path run;

    @Option(names = "--supervised", paramLabel = "ENCODER", description = "Train this encoder (fresh) and the predictor end to end instead.")
    String supervised;

    @Option(names = "--target", required = true, paramLabel = "NAME", description = "task | performance (formal); angle | accuracy | gap | step (MNIST).")
    String target;

    @Option(names = "--seed", description = "Seed of the predictor (and supervised encoder) and of the batch order (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--updates", description = "Predictor updates (default: 2000 frozen, 300 supervised, as in the experiment grid).")
    Integer updates;

    @Option(names = "--encoder-size", description = "Supervised encoder size: small or paper (default: ${DEFAULT-VALUE}).")
    String size = "small";

    @Option(names = "--out", paramLabel = "FILE.json", description = "Write the result here (default: RUN_DIR/downstream-TARGET.json with --run, else printed only).")
    Path out;

    @Mixin BackendOption backend;

    @Override
    public Integer call() throws Exception {
        if ((run == null) == (supervised == null)) throw new IllegalArgumentException("give exactly one of --run RUN_DIR (frozen z) and --supervised ENCODER");
        if (supervised != null && !Encoders.NAMES.contains(supervised)) throw new IllegalArgumentException("unknown --supervised encoder '" + supervised + "': expected one of " + Encoders.NAMES);
        if (!size.equals("small") && !size.equals("paper")) throw new IllegalArgumentException("--encoder-size must be small or paper, got '" + size + "'");
        if (updates != null) Args.positive("--updates", updates);
        if (out != null) Args.outputFile("--out", out);
        Zoo z = Args.zoo("--zoo", zoo);
        Target t = Target.byId(target, z.kind);
        Downstream d = new Downstream(z, t);
        Downstream.Result r;
        if (run != null) {
            TrainedRun tr = Args.run("--run", run);
            if (tr.layout().size() != z.kind.layout.size()) throw new IllegalArgumentException("--run " + run + " was trained on a " + tr.model().name() + " zoo; --zoo " + zoo + " is a " + z.kind.id + " zoo");
            r = d.frozen(Downstream.embedAll(tr.encoder(), z), tr.encoderName(), seed, updates == null ? 2000 : updates, System.out);
            if (out == null) out = run.resolve("downstream-" + t.id + ".json");
        } else {
            r = d.supervised(supervised, size.equals("small"), seed, updates == null ? 300 : updates, System.out);
        }
        System.out.printf("%s %s -> %s: validation %s, OOD %s (train %d / val %d / OOD %d rows)%n", r.mode(), r.encoder(), r.target(), r.val(), r.ood(), r.trainRows(), r.valRows(), r.oodRows());
        if (out != null) {
            if (out.getParent() != null) Files.createDirectories(out.getParent());
            Files.writeString(out, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
            System.out.println("wrote " + out);
        }
        return 0;
    }
}
