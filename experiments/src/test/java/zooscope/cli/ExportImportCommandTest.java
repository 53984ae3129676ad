package zooscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.encoders.Emulator;
import zooscope.encoders.Encoders;
import zooscope.encoders.ProbedModel;
import zooscope.encoders.ReferenceNames;
import zooscope.encoders.WeightEncoder;
import zooscope.engine.Rng;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Safetensors;
import zooscope.pretrain.TrainedRun;

/** A reference-named encoder and emulator imported as a run folder, exported back: the same tensors; bad files refused by key. */
class ExportImportCommandTest {
    @TempDir Path dir;

    @Test
    void importThenExportGivesTheSameTensors() throws Exception {
        WeightEncoder enc = Encoders.create("noninteractive", ProbedModel.FORMAL, new Rng(3));
        Emulator emu = Emulator.of(ProbedModel.FORMAL, 256, 2, new Rng(4));
        Path encFile = dir.resolve("enc.safetensors"), emuFile = dir.resolve("emu.safetensors"), run = dir.resolve("run");
        Safetensors.write(encFile, ReferenceNames.toReference("noninteractive", enc), Map.of());
        Safetensors.write(emuFile, ReferenceNames.toReference(emu), Map.of());
        StringWriter err = new StringWriter();
        assertEquals(0, DemoCommandTest.run(err, "import", "--encoder", "noninteractive", "--zoo-kind", "formal", "--encoder-file", encFile.toString(),
            "--emulator-file", emuFile.toString(), "--out", run.toString()), err.toString());
        TrainedRun r = TrainedRun.open(run);
        for (var e : enc.stateDict().entrySet()) assertArrayEquals(e.getValue(), r.encoder().stateDict().get(e.getKey()), e.getKey());
        for (var e : emu.stateDict().entrySet()) assertArrayEquals(e.getValue(), r.emulator().stateDict().get(e.getKey()), e.getKey());

        assertEquals(0, DemoCommandTest.run(err, "export", "--run", run.toString(), "--out", dir.resolve("back").toString()), err.toString());
        Map<String, NdArray> want = Safetensors.read(encFile).tensors(), got = Safetensors.read(dir.resolve("back/encoder.safetensors")).tensors();
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) {
            assertArrayEquals(want.get(k).shape(), got.get(k).shape(), k);
            assertArrayEquals(want.get(k).toFloats(), got.get(k).toFloats(), k);
        }
        assertEquals(Safetensors.read(emuFile).tensors().keySet(), Safetensors.read(dir.resolve("back/emulator.safetensors")).tensors().keySet());
    }

    @Test
    void aMissingKeyIsRefusedByName() throws Exception {
        WeightEncoder enc = Encoders.create("dws", ProbedModel.FORMAL, new Rng(3));
        Map<String, NdArray> state = new LinkedHashMap<>(ReferenceNames.toReference("dws", enc));
        String dropped = state.keySet().iterator().next();
        state.remove(dropped);
        Path f = dir.resolve("broken.safetensors");
        Safetensors.write(f, state, Map.of());
        StringWriter err = new StringWriter();
        assertEquals(2, DemoCommandTest.run(err, "import", "--encoder", "dws", "--zoo-kind", "formal", "--encoder-file", f.toString(), "--out", dir.resolve("r").toString()));
        assertTrue(err.toString().contains(dropped) && err.toString().contains("missing"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }
}
