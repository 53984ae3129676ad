package zooscope.mnist;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.engine.io.ReaderFuzz;

/** Seeded mutation fuzzing of the MNIST IDX reader (see {@link ReaderFuzz}), on small image and label files. */
class IdxFuzzTest {
    static final int IMAGES = 10;

    @TempDir Path dir;

    /** An IDX file of unsigned bytes (big-endian header: magic, then each dimension), as MNIST's are laid out. */
    static byte[] idx(int magic, int[] dims, int seed) {
        int n = 1;
        for (int d : dims) n *= d;
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + n).putInt(magic);
        for (int d : dims) b.putInt(d);
        for (int i = 0; i < n; i++) b.put((byte) (i * 31 + seed));
        return b.array();
    }

    @Test
    void idx() throws Exception {
        Files.write(dir.resolve("images"), idx(0x803, new int[] {IMAGES, Mnist.SIDE, Mnist.SIDE}, 1));
        Files.write(dir.resolve("labels"), idx(0x801, new int[] {IMAGES}, 2));
        ReaderFuzz.run("mnist idx", 7_000_000L, ReaderFuzz.cases(600), dir, List.of("images", "labels"), f -> {
            if (f.getFileName().toString().equals("images")) Mnist.readIdx(f, 0x803, IMAGES, Mnist.SIDE, Mnist.SIDE);
            else Mnist.readIdx(f, 0x801, IMAGES);
        });
    }
}
