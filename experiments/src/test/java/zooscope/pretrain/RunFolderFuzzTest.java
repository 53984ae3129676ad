package zooscope.pretrain;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.encoders.Emulator;
import zooscope.encoders.Encoders;
import zooscope.encoders.ProbedModel;
import zooscope.encoders.WeightEncoder;
import zooscope.engine.Rng;
import zooscope.engine.io.ReaderFuzz;
import zooscope.engine.io.Safetensors;
import zooscope.zoo.ArgsFile;

/**
 * Seeded mutation fuzzing of a pre-training run folder as {@link TrainedRun#open} reads it (see
 * {@link ReaderFuzz}): config.json and the encoder and emulator checkpoints of a small-preset run.
 */
class RunFolderFuzzTest {
    @TempDir Path dir;

    @Test
    void trainedRunFolder() throws Exception {
        PretrainConfig cfg = PretrainConfig.small();
        ProbedModel model = ProbedModel.FORMAL;
        WeightEncoder enc = Encoders.create("interactive", model, cfg.probeStreams(), true, new Rng(1));
        Emulator emu = Emulator.of(model, cfg.emulatorHidden(), cfg.emulatorLayers(), new Rng(2));
        Map<String, Object> args = new LinkedHashMap<>(); // as Pretrainer.args() records it
        args.put("zoo", "/nonexistent/zoo");
        args.put("zoo_kind", "formal");
        args.put("zoo_rows", 4);
        args.put("encoder", "interactive");
        args.put("seed", 1);
        args.put("pretrain", cfg.toMap());
        args.put("encoder_parameters", enc.parameterCount());
        args.put("emulator_parameters", emu.parameterCount());
        ArgsFile.checkOrWrite(dir.resolve(Pretrainer.CONFIG), args, "a pre-training run");
        Safetensors.write(dir.resolve(Pretrainer.ENCODER), Pretrainer.tensors(enc, ""), Map.of("format", "pt", "module", "interactive", "zoo_kind", "formal"));
        Safetensors.write(dir.resolve(Pretrainer.EMULATOR), Pretrainer.tensors(emu, ""), Map.of("format", "pt", "module", "emulator", "zoo_kind", "formal"));

        ReaderFuzz.LengthField framing = b -> b.length > 0 && b[0] == '{' ? null : ReaderFuzz.SAFETENSORS_HEADER_LENGTH.of(b);
        ReaderFuzz.run("pretrain run", 8_000_000L, ReaderFuzz.cases(300), dir, List.of(Pretrainer.CONFIG, Pretrainer.ENCODER, Pretrainer.EMULATOR),
            f -> TrainedRun.open(f.getParent()), List.of(), framing);
    }
}
