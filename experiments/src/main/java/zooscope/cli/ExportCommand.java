package zooscope.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import zooscope.encoders.ReferenceNames;
import zooscope.engine.io.Safetensors;
import zooscope.pretrain.TrainedRun;

/** {@code zooscope export}: a run's best encoder and emulator under the reference's state-dict keys. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Write a pre-training run's best encoder and emulator as state dicts under the reference implementation's keys and shapes",
        "(../shared/spec/reference_state_dicts.md), so that they load into the reference's PyTorch modules with strict loading:",
        "OUT/encoder.safetensors and OUT/emulator.safetensors (torch: safetensors.torch.load_file, then module.load_state_dict(..., strict=True))."})
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "RUN_DIR", description = "A pre-training run folder.")
    Path run;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: RUN_DIR/reference).")
    Path out;

    @Override
    public Integer call() throws IOException {
        Args.run("--run", run);
        if (out != null) Args.outputFolder("--out", out);
        Path dir = exportReference(run, out);
        System.out.println("wrote " + dir.resolve("encoder.safetensors") + " and " + dir.resolve("emulator.safetensors") + " (reference names)");
        return 0;
    }

    /** Writes the run's encoder and emulator under reference names into {@code out} (null: RUN_DIR/reference). */
    static Path exportReference(Path runDir, Path out) throws IOException {
        TrainedRun r = TrainedRun.open(runDir);
        Path dir = out == null ? runDir.resolve("reference") : out;
        Files.createDirectories(dir);
        Map<String, String> meta = Map.of("format", "pt", "names", "reference", "encoder", r.encoderName());
        Safetensors.write(dir.resolve("encoder.safetensors"), ReferenceNames.toReference(r.encoderName(), r.encoder()), meta);
        if (r.emulator() != null) Safetensors.write(dir.resolve("emulator.safetensors"), ReferenceNames.toReference(r.emulator()), Map.of("format", "pt", "names", "reference"));
        return dir;
    }
}
