package zooscope.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import zooscope.encoders.Emulator;
import zooscope.encoders.Encoders;
import zooscope.encoders.ProbedModel;
import zooscope.encoders.WeightEncoder;
import zooscope.engine.Rng;
import zooscope.engine.io.FormatException;
import zooscope.engine.io.Safetensors;
import zooscope.engine.nn.LstmLayout;

/** A pre-training run folder read back: its configuration and its best encoder and emulator (eval mode; the emulator null where the folder has none). */
public record TrainedRun(Path dir, String encoderName, ProbedModel model, JsonNode config, WeightEncoder encoder, Emulator emulator) {
    public static TrainedRun open(Path dir) throws IOException {
        Path cfgFile = dir.resolve(Pretrainer.CONFIG);
        if (!Files.exists(cfgFile)) throw new IOException(dir + ": not a pre-training run folder (no " + Pretrainer.CONFIG + ")");
        JsonNode cfg;
        try {
            cfg = new ObjectMapper().readTree(cfgFile.toFile());
        } catch (IOException e) {
            throw new FormatException(cfgFile, "json", "unreadable (" + e.getMessage() + ")");
        }
        for (String f : new String[] {"encoder", "zoo_kind", "pretrain"}) if (!cfg.has(f)) throw new FormatException(cfgFile, f, "missing");
        String name = cfg.get("encoder").asText();
        ProbedModel model = ProbedModel.byName(cfg.get("zoo_kind").asText());
        if (model == null) throw new FormatException(cfgFile, "zoo_kind", "'" + cfg.get("zoo_kind").asText() + "', expected formal or mnist");
        JsonNode p = cfg.get("pretrain");
        boolean small = p.path("encoder_size").asText("paper").equals("small");
        WeightEncoder enc = Encoders.create(name, model, p.path("probe_streams").asInt(1), small, new Rng(0));
        Emulator emu = Emulator.of(model, p.path("emulator_hidden").asInt(256), p.path("emulator_layers").asInt(2), new Rng(0));
        Path encFile = dir.resolve(Pretrainer.ENCODER), emuFile = dir.resolve(Pretrainer.EMULATOR);
        if (!Files.exists(encFile)) throw new IOException(encFile + ": no such file; the run has not reached its first evaluation");
        Pretrainer.load(enc, Safetensors.read(encFile).tensors(), "", encFile);
        if (Files.exists(emuFile)) {
            Pretrainer.load(emu, Safetensors.read(emuFile).tensors(), "", emuFile);
            emu.train(false);
        } else {
            emu = null; // an imported encoder without its emulator
        }
        enc.train(false);
        return new TrainedRun(dir, name, model, cfg, enc, emu);
    }

    public LstmLayout layout() { return model.layout(); }
}
