package zooscope.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.zoo.FolderLock;
import zooscope.zoo.ZooGenerator;
import zooscope.zoo.ZooKind;

/**
 * A full disk in the middle of pre-training: the N-th write of the run fails (leaving part of its bytes behind,
 * as a full disk does), the run stops with one line naming the folder, the file and the cause, and the same run
 * started again ends with the same files as an uninterrupted run (the log's elapsed time aside).
 */
class PretrainDiskFullTest {
    @TempDir static Path tmp;
    static Path zoo;

    @BeforeAll
    static void generateZoo() throws IOException {
        zoo = tmp.resolve("zoo");
        ZooGenerator.generate(zoo, new ZooGenerator.Options(ZooKind.FORMAL, 12, 7, 100));
    }

    /** Evaluations (and checkpoints) after updates 0, 10, 20. */
    static final PretrainConfig CFG = PretrainTest.tiny(20);

    /** Counts writes; fails the {@code failAt}-th with "No space left on device" after writing part of it. */
    static void fullDiskAt(Pretrainer p, int failAt, List<Path> files) {
        int[] writes = {0};
        p.beforeWrite = () -> {
            files.add(p.writing);
            if (++writes[0] != failAt) return;
            String name = p.writing.getFileName().toString();
            if (name.endsWith(".csv")) { // logs are appended to (their header written in place)
                Files.writeString(p.writing, "2", StandardOpenOption.CREATE, StandardOpenOption.APPEND); // a line cut short
            } else {
                Files.write(p.writing.resolveSibling(name + ".tmp"), new byte[failAt * 7 % 90 + 1]); // a replacement, cut short
            }
            throw new IOException("No space left on device");
        };
    }

    static Set<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return new TreeSet<>(s.map(f -> f.getFileName().toString()).toList());
        }
    }

    @Test
    void aWriteFailingAnywhereStopsTheRunCleanlyAndTheNextRunEndsTheSame() throws IOException {
        Path a = tmp.resolve("a");
        Pretrainer pa = new Pretrainer(zoo, "statistics", 5, CFG, a);
        List<Path> all = new ArrayList<>();
        fullDiskAt(pa, -1, all);
        Pretrainer.Result ra = pa.run(PretrainTest.QUIET);
        assertNotNull(ra);
        assertTrue(all.size() >= 15, all.size() + " writes: " + all);
        List<String> seen = new ArrayList<>();
        for (int n = 1; n <= all.size(); n++) {
            Path b = tmp.resolve("b" + n);
            Pretrainer pb = new Pretrainer(zoo, "statistics", 5, CFG, b);
            List<Path> files = new ArrayList<>();
            fullDiskAt(pb, n, files);
            var e = assertThrows(FolderLock.WriteFailedException.class, () -> pb.run(PretrainTest.QUIET), "write " + n);
            assertEquals("cannot write " + files.get(n - 1) + " (No space left on device); the job stopped; " + b
                + " keeps everything finished before: free space (or fix the cause) and run the same command again to continue", e.getMessage());
            Pretrainer.Result rb = new Pretrainer(zoo, "statistics", 5, CFG, b).run(PretrainTest.QUIET);
            assertNotNull(rb);
            assertEquals(names(a), names(b), "write " + n + ": the same files (no temporary or lock file left)");
            for (String f : new String[] {Pretrainer.ENCODER, Pretrainer.EMULATOR, Pretrainer.CHECKPOINT, Pretrainer.CLONES, Pretrainer.SPLIT, Pretrainer.CONFIG}) {
                assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), "write " + n + ": " + f + " differs after resuming");
            }
            assertEquals(PretrainTest.withoutElapsed(a.resolve(Pretrainer.LOG)), PretrainTest.withoutElapsed(b.resolve(Pretrainer.LOG)), "write " + n + ": log.csv");
            assertEquals(List.of(ra.bestStep(), ra.valLoss(), ra.oodLoss(), ra.cloneValMae(), ra.cloneOodMae()),
                List.of(rb.bestStep(), rb.valLoss(), rb.oodLoss(), rb.cloneValMae(), rb.cloneOodMae()), "write " + n + ": result");
            seen.add(n + ":" + files.get(n - 1).getFileName());
        }
        System.out.println("pre-training writes failed, then resumed to the same files: " + String.join(" ", seen));
    }
}
