package zooscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import zooscope.encoders.Emulator;
import zooscope.encoders.Encoders;
import zooscope.encoders.ProbedModel;
import zooscope.encoders.ReferenceNames;
import zooscope.encoders.WeightEncoder;
import zooscope.engine.Rng;
import zooscope.engine.io.Safetensors;
import zooscope.pretrain.PretrainConfig;
import zooscope.pretrain.Pretrainer;

/** {@code zooscope import}: an encoder (and emulator) trained by the reference implementation, as a zooscope run folder. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Read an encoder (and optionally its emulator) saved by the reference implementation's PyTorch modules (a state dict in safetensors,",
        "the reference's keys and shapes at the paper's sizes) and write a zooscope run folder: RUN_DIR/config.json, encoder.safetensors, emulator.safetensors.",
        "Loading is strict: a missing, unknown or misshapen key is refused, naming it. The folder then works with encode --run and downstream --run."})
final class ImportCommand implements Callable<Integer> {
    @Option(names = "--encoder", required = true, paramLabel = "NAME", description = "One of: ${COMPLETION-CANDIDATES}.", completionCandidates = EncodeCommand.Names.class)
    String encoder;

    @Option(names = "--zoo-kind", required = true, paramLabel = "KIND", description = "formal or mnist: the RNNs the encoder reads.")
    String kind;

    @Option(names = "--encoder-file", required = true, paramLabel = "FILE", description = "The encoder's state dict under the reference's keys (safetensors).")
    Path encoderFile;

    @Option(names = "--emulator-file", paramLabel = "FILE", description = "The emulator's state dict under the reference's keys (safetensors).")
    Path emulatorFile;

    @Option(names = "--out", required = true, paramLabel = "RUN_DIR", description = "Run folder to write.")
    Path out;

    @Override
    public Integer call() throws IOException {
        ProbedModel model = ProbedModel.byName(kind);
        if (model == null) throw new IllegalArgumentException("--zoo-kind must be formal or mnist, got '" + kind + "'");
        if (!Encoders.NAMES.contains(encoder)) throw new IllegalArgumentException("unknown --encoder '" + encoder + "': expected one of " + Encoders.NAMES);
        Args.inputFile("--encoder-file", encoderFile);
        if (emulatorFile != null) Args.inputFile("--emulator-file", emulatorFile);
        Args.outputFolder("--out", out);
        PretrainConfig paper = PretrainConfig.paper();
        WeightEncoder enc = Encoders.create(encoder, model, 1, false, new Rng(0));
        ReferenceNames.fromReference(encoder, enc, Safetensors.read(encoderFile).tensors(), encoderFile);
        Files.createDirectories(out);
        Map<String, String> meta = Map.of("format", "pt", "module", encoder, "zoo_kind", model.name());
        Safetensors.write(out.resolve(Pretrainer.ENCODER), Pretrainer.tensors(enc, ""), meta);
        if (emulatorFile != null) {
            Emulator emu = Emulator.of(model, paper.emulatorHidden(), paper.emulatorLayers(), new Rng(0));
            ReferenceNames.fromReference(emu, Safetensors.read(emulatorFile).tensors(), emulatorFile);
            Safetensors.write(out.resolve(Pretrainer.EMULATOR), Pretrainer.tensors(emu, ""), Map.of("format", "pt", "module", "emulator", "zoo_kind", model.name()));
        }
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("imported_from", encoderFile.toAbsolutePath().normalize().toString());
        cfg.put("encoder", encoder);
        cfg.put("zoo_kind", model.name());
        cfg.put("pretrain", paper.toMap());
        Files.writeString(out.resolve(Pretrainer.CONFIG), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
        System.out.println("imported " + encoder + " (" + enc.parameterCount() + " parameters) into " + out);
        return 0;
    }
}
