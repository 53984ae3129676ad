package zooscope.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.engine.Tensor;
import zooscope.zoo.ZooGenerator;
import zooscope.zoo.ZooKind;

/** NaN and infinity in pre-training: reported with the update, the group and the parameter; the run folder keeps its last good state. */
class NumericalFaultTest {
    @TempDir static Path tmp;
    static Path zoo;

    @BeforeAll
    static void generateZoo() throws IOException {
        zoo = tmp.resolve("zoo");
        ZooGenerator.generate(zoo, new ZooGenerator.Options(ZooKind.FORMAL, 10, 7, 100));
    }

    @Test
    void aNaNGradientStopsTheRunAtItsUpdateAndTheRunResumesFromTheLastCheckpoint() throws IOException {
        Path a = tmp.resolve("a"), b = tmp.resolve("b"), c = tmp.resolve("c");
        Pretrainer.Result ra = new Pretrainer(zoo, "statistics", 2, PretrainTest.tiny(25), a).run(PretrainTest.QUIET);
        Pretrainer killed = new Pretrainer(zoo, "statistics", 2, PretrainTest.tiny(25), c); // the folder right after the checkpoint of update 10
        killed.stopAfter = 10;
        assertNull(killed.run(PretrainTest.QUIET));

        Pretrainer faulty = new Pretrainer(zoo, "statistics", 2, PretrainTest.tiny(25), b);
        String name = List.copyOf(faulty.emulator.namedParameters().keySet()).get(1);
        int[] updates = {0};
        faulty.stepper.afterBackward = () -> { // update 15: one NaN in the gradient of one emulator parameter
            if (updates[0]++ == 15) { // element 3 of the gradient becomes NaN
                Tensor p = faulty.emulator.namedParameters().get(name);
                p.backend().copyIn(new float[] {Float.NaN}, 0, p.gradStorage(), 3, 1);
            }
        };
        NumericalFault f = assertThrows(NumericalFault.class, () -> faulty.run(PretrainTest.QUIET));
        assertEquals(15, f.update);
        assertEquals("emulator", f.group);
        assertEquals(name, f.parameter);
        String want = "update 15: the gradient of emulator parameter '" + name + "' (element 3 of ";
        assertTrue(f.getMessage().startsWith(want), f.getMessage());
        assertTrue(f.getMessage().endsWith(") is NaN; no step taken; pre-training stopped, " + b.resolve(Pretrainer.CHECKPOINT)
            + " holds the state after update 10 (the same command resumes from there)"), f.getMessage());

        // nothing was written after the fault: the folder is that of a run stopped right after its checkpoint of update 10
        for (String file : new String[] {Pretrainer.CONFIG, Pretrainer.SPLIT, Pretrainer.ENCODER, Pretrainer.EMULATOR, Pretrainer.CHECKPOINT, Pretrainer.CLONES}) {
            assertArrayEquals(Files.readAllBytes(c.resolve(file)), Files.readAllBytes(b.resolve(file)), file);
        }
        assertEquals(PretrainTest.withoutElapsed(c.resolve(Pretrainer.LOG)), PretrainTest.withoutElapsed(b.resolve(Pretrainer.LOG)));
        assertFalse(Files.exists(b.resolve(Pretrainer.RESULT)));

        // resumed (the fault gone): the same bits as a run never stopped
        Pretrainer.Result rb = new Pretrainer(zoo, "statistics", 2, PretrainTest.tiny(25), b).run(PretrainTest.QUIET);
        assertEquals(ra.bestStep(), rb.bestStep());
        assertEquals(ra.valLoss(), rb.valLoss());
        for (String file : new String[] {Pretrainer.ENCODER, Pretrainer.EMULATOR, Pretrainer.CHECKPOINT, Pretrainer.CLONES}) {
            assertArrayEquals(Files.readAllBytes(a.resolve(file)), Files.readAllBytes(b.resolve(file)), file + " after resuming");
        }
        assertEquals(PretrainTest.withoutElapsed(a.resolve(Pretrainer.LOG)), PretrainTest.withoutElapsed(b.resolve(Pretrainer.LOG)));
    }

    @Test
    void aParameterOverflowingInTheStepIsNamedAndNothingIsSaved() throws IOException {
        Path d = tmp.resolve("huge-lr");
        Pretrainer p = new Pretrainer(zoo, "statistics", 2, PretrainTest.tiny(5, 1e39), d);
        String first = p.encoder.namedParameters().keySet().iterator().next();
        NumericalFault f = assertThrows(NumericalFault.class, () -> p.run(PretrainTest.QUIET));
        assertEquals(0, f.update);
        assertEquals("encoder", f.group);
        assertEquals(first, f.parameter);
        assertTrue(f.getMessage().startsWith("update 0: encoder parameter '" + first + "' (element "), f.getMessage());
        assertTrue(f.getMessage().contains(" in the AdamW step (learning rate 1.0E39); pre-training stopped, nothing saved yet"), f.getMessage());
        assertFalse(Files.exists(d.resolve(Pretrainer.CHECKPOINT)));
        assertFalse(Files.exists(d.resolve(Pretrainer.ENCODER)));
        assertEquals(List.of(Pretrainer.LOG_HEADER), Files.readAllLines(d.resolve(Pretrainer.LOG)));
    }
}
