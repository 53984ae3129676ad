package zooscope.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import zooscope.encoders.Encoders;
import zooscope.encoders.ProbedModel;
import zooscope.encoders.WeightEncoder;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.io.FormatException;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Npy;
import zooscope.engine.io.Safetensors;
import zooscope.pretrain.TrainedRun;
import zooscope.zoo.Zoo;

/** Encodes every row of a zoo with one weight encoder and writes the [N, 16] representations. */
@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Encode every checkpoint of a zoo with a weight encoder (PAPER.md section 8) and write the L2-normalised 16-dimensional representations, [N, 16] float32, as NPY (row i is zoo row i).",
        "Without --run the encoder is freshly initialised from --seed."})
final class EncodeCommand implements Callable<Integer> {
    /** The file a trained run keeps its encoder in: the encoder's state dict. */
    static final String ENCODER_FILE = "encoder.safetensors";

    @Option(names = "--zoo", required = true, paramLabel = "DIR", description = "Zoo folder (zooscope's or the reference's).")
    Path zoo;

    @Option(names = "--encoder", required = true, paramLabel = "NAME", description = "One of: ${COMPLETION-CANDIDATES}.", completionCandidates = Names.class)
    String encoder;

    @Option(names = "--run", paramLabel = "RUN_DIR", description = "A pre-training run (or one made by 'import'): its best encoder, " + ENCODER_FILE + ", is loaded at the run's sizes (a folder without config.json: a paper-size encoder's state dict).")
    Path run;

    @Option(names = "--seed", description = "Seed of a freshly initialised encoder (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--probe-streams", paramLabel = "M", description = "Parallel probe streams of the probing encoders (default: ${DEFAULT-VALUE}).")
    int probeStreams = 1;

    @Option(names = "--batch", description = "Zoo rows encoded together (default: ${DEFAULT-VALUE}).")
    int batch = 64;

    @Option(names = "--out", required = true, paramLabel = "FILE.npy", description = "Output file.")
    Path out;

    @Mixin BackendOption backend;

    static final class Names extends java.util.ArrayList<String> {
        Names() { super(Encoders.NAMES); }
    }

    @Override
    public Integer call() throws IOException {
        Args.positive("--batch", batch);
        Args.positive("--probe-streams", probeStreams);
        Args.oneOf("--encoder", encoder, Encoders.NAMES);
        Args.outputFile("--out", out);
        if (run != null) Args.inputFolder("--run", run);
        Zoo z = Args.zoo("--zoo", zoo);
        ProbedModel model = ProbedModel.of(z.kind.layout);
        WeightEncoder enc;
        if (run != null && Files.exists(run.resolve(zooscope.pretrain.Pretrainer.CONFIG))) {
            TrainedRun r = Args.run("--run", run); // the run's own sizes (paper or small preset)
            if (!r.encoderName().equals(encoder)) throw new IllegalArgumentException("--run " + run + " holds a trained '" + r.encoderName() + "' encoder, not --encoder '" + encoder + "'");
            if (r.layout().size() != model.layout().size()) throw new IllegalArgumentException("--run " + run + " was trained on a " + r.model().name() + " zoo; --zoo " + zoo + " is a " + z.kind.id + " zoo");
            enc = r.encoder();
        } else { // a fresh encoder, or a bare folder holding only a paper-size encoder's state dict
            enc = Encoders.create(encoder, model, probeStreams, Rng.stream(seed, 0));
            if (run != null) load(enc, run.resolve(ENCODER_FILE));
        }
        enc.train(false);
        int n = Math.toIntExact(z.rows), P = model.layout().size();
        float[] all = new float[n * WeightEncoder.EMBEDDING];
        long t0 = System.nanoTime();
        try (var off = Grad.off()) {
            for (int from = 0; from < n; from += batch) {
                int rows = Math.min(batch, n - from);
                Tensor theta = Tensor.of(z.file("parameters.npy").toFloats((long) from * P, rows * P), rows, P);
                System.arraycopy(enc.encode(theta).toArray(), 0, all, from * WeightEncoder.EMBEDDING, rows * WeightEncoder.EMBEDDING);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        Npy.write(out, NdArray.ofFloats(all, n, WeightEncoder.EMBEDDING));
        System.out.printf("encoded %d rows of %s with %s (%,d parameters, %s) in %.1f s (%.0f RNNs/s): %s%n", n, zoo, encoder,
            enc.parameterCount(), run == null ? "initialised from seed " + seed : "from " + run, seconds, n / seconds, out);
        return 0;
    }

    /** Loads a state dict; names and sizes must be the encoder's. */
    static void load(WeightEncoder enc, Path file) throws IOException {
        if (!Files.exists(file)) throw new IOException(file + ": no such file (--run must be a run folder holding " + ENCODER_FILE + ")");
        Map<String, NdArray> tensors = Safetensors.read(file).tensors();
        Map<String, float[]> state = new LinkedHashMap<>();
        for (var e : enc.namedParameters().entrySet()) {
            NdArray a = tensors.get(e.getKey());
            if (a == null) throw new FormatException(file, e.getKey(), "missing; is this a " + enc.getClass().getSimpleName() + " state dict?");
            if (a.size() != e.getValue().size()) throw new FormatException(file, e.getKey(), a.size() + " values, expected " + e.getValue().size());
            state.put(e.getKey(), a.toFloats());
        }
        enc.loadStateDict(state);
    }
}
