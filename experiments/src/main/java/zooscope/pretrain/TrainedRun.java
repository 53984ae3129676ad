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
import zooscope.engine.io.NdArray;
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
        if (!Encoders.NAMES.contains(name)) throw new FormatException(cfgFile, "encoder", "'" + name + "', expected one of " + Encoders.NAMES);
        ProbedModel model = ProbedModel.byName(cfg.get("zoo_kind").asText());
        if (model == null) throw new FormatException(cfgFile, "zoo_kind", "'" + cfg.get("zoo_kind").asText() + "', expected formal or mnist");
        JsonNode p = cfg.get("pretrain");
        boolean small = p.path("encoder_size").asText("paper").equals("small");
        // sizes are checked before anything of that size is allocated
        int streams = positiveInt(cfgFile, p, "probe_streams", 1, 1024);
        int hidden = positiveInt(cfgFile, p, "emulator_hidden", 256, 1 << 20), layers = positiveInt(cfgFile, p, "emulator_layers", 2, 1024);
        Path encFile = dir.resolve(Pretrainer.ENCODER), emuFile = dir.resolve(Pretrainer.EMULATOR);
        if (!Files.exists(encFile)) throw new IOException(encFile + ": no such file; the run has not reached its first evaluation");
        var encTensors = Safetensors.read(encFile).tensors();
        var emuTensors = Files.exists(emuFile) ? Safetensors.read(emuFile).tensors() : null; // absent for an imported encoder
        WeightEncoder enc = Encoders.create(name, model, streams, small, new Rng(0));
        Pretrainer.load(enc, encTensors, "", encFile);
        Emulator emu = null;
        if (emuTensors != null) {
            long want = Emulator.parameterCount(model, hidden, layers), have = emuTensors.values().stream().mapToLong(NdArray::size).sum();
            if (want > have) {
                throw new FormatException(cfgFile, "pretrain.emulator_hidden", hidden + " with " + layers + " layers makes an emulator of " + want
                    + " parameters, but " + emuFile.getFileName() + " holds " + have + " values");
            }
            emu = Emulator.of(model, hidden, layers, new Rng(0));
            Pretrainer.load(emu, emuTensors, "", emuFile);
            emu.train(false);
        }
        enc.train(false);
        return new TrainedRun(dir, name, model, cfg, enc, emu);
    }

    public LstmLayout layout() { return model.layout(); }

    /** {@code p.key} as an int in 1..max ({@code absent} when missing). */
    private static int positiveInt(Path cfgFile, JsonNode p, String key, int absent, int max) throws FormatException {
        JsonNode v = p.path(key);
        if (v.isMissingNode()) return absent;
        if (!v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() < 1 || v.asLong() > max) {
            throw new FormatException(cfgFile, "pretrain." + key, v + ", expected an integer in 1.." + max);
        }
        return v.asInt();
    }
}
