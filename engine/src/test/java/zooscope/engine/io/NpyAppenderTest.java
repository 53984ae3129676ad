package zooscope.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyAppenderTest {
    @TempDir Path dir;

    static float[] range(int from, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = from + i;
        return v;
    }

    @Test
    void appendingInChunksEqualsOneWrite() throws IOException {
        Path grown = dir.resolve("grown.npy"), whole = dir.resolve("whole.npy");
        try (NpyAppender a = NpyAppender.open(grown, DType.F32, 2, 3)) {
            a.append(NdArray.ofFloats(range(0, 6), 1, 2, 3));
            a.flush();
            assertEquals(1, Npy.read(grown).shape()[0], "a valid NPY file after each flush");
            a.append(NdArray.ofFloats(range(6, 12), 2, 2, 3));
        }
        Npy.write(whole, NdArray.ofFloats(range(0, 18), 3, 2, 3));
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(grown), "same bytes as a one-shot write");
    }

    @Test
    void headerKeepsItsLengthAsTheCountGrows() throws IOException {
        Path f = dir.resolve("big.npy");
        try (NpyAppender a = NpyAppender.open(f, DType.U8, 1)) {
            for (int i = 0; i < 12_345; i++) a.append(NdArray.ofBytes(new byte[] {(byte) i}, 1, 1));
        }
        NdArray r = Npy.read(f);
        assertArrayEquals(new long[] {12_345, 1}, r.shape());
        assertEquals(12_344 % 256, r.getLong(12_344));
        assertEquals(0, (Files.size(f) - 12_345) % 64, "header still a multiple of 64 bytes");
    }

    @Test
    void reopeningContinuesAndDropsUnflushedRows() throws IOException {
        Path f = dir.resolve("resume.npy");
        try (NpyAppender a = NpyAppender.open(f, DType.I64, 3)) {
            a.append(NdArray.ofLongs(new long[] {1, 2, 3}, 1, 3));
        }
        // a killed run: a row's bytes written, the header never updated
        Files.write(f, new byte[] {9, 9, 9, 9, 9}, StandardOpenOption.APPEND);
        try (NpyAppender a = NpyAppender.open(f, DType.I64, 3)) {
            assertEquals(1, a.rows());
            a.append(NdArray.ofLongs(new long[] {4, 5, 6}, 1, 3));
        }
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6}, Npy.read(f).toLongs());
    }

    @Test
    void refusesAFileOfAnotherKind() throws IOException {
        Path f = dir.resolve("other.npy");
        Npy.write(f, NdArray.ofFloats(range(0, 6), 2, 3));
        FormatException e = assertThrows(FormatException.class, () -> NpyAppender.open(f, DType.F32, 4));
        assertTrue(e.getMessage().contains("shape: [2, 3] does not take rows of shape [4]"), e.getMessage());
        e = assertThrows(FormatException.class, () -> NpyAppender.open(f, DType.F16, 3));
        assertTrue(e.getMessage().contains("descr: '<f4', expected '<f2' to append to it"), e.getMessage());
        try (NpyAppender a = NpyAppender.open(f, DType.F32, 3)) {
            assertThrows(IllegalArgumentException.class, () -> a.append(NdArray.ofFloats(range(0, 4), 1, 4)));
        }
    }
}
