package zooscope.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NpyTest {
    @TempDir Path dir;

    /** A random array of the dtype, with values exactly representable in it. */
    static NdArray random(DType t, long[] shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = (int) NdArray.elements(shape);
        return switch (t) {
            case F32 -> NdArray.ofFloats(floats(r, n), shape);
            case F16 -> NdArray.ofFloat16(floats(r, n), shape);
            case F64 -> NdArray.ofDoubles(r.doubles(n).toArray(), shape);
            case I16 -> { short[] v = new short[n]; for (int i = 0; i < n; i++) v[i] = (short) r.nextInt(); yield NdArray.ofShorts(v, shape); }
            case I32 -> NdArray.ofInts(r.ints(n).toArray(), shape);
            case I64 -> NdArray.ofLongs(r.longs(n).toArray(), shape);
            case U8 -> { byte[] v = new byte[n]; r.nextBytes(v); yield NdArray.ofBytes(v, shape); }
        };
    }

    static float[] floats(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    static byte[] bytes(NdArray a) { return a.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE); }

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsEveryDtype(DType t) throws IOException {
        long[][] shapes = {{}, {0}, {7}, {3, 5}, {2, 3, 4}, {1, 1, 1, 9}};
        for (int i = 0; i < shapes.length; i++) {
            NdArray a = random(t, shapes[i], i);
            Path f = dir.resolve(t + "_" + i + ".npy");
            Npy.write(f, a);
            assertEquals(0, Files.size(f) - a.data().byteSize() & 63, "header padded to 64 bytes");
            NdArray b = Npy.read(f);
            assertEquals(t, b.dtype());
            assertArrayEquals(shapes[i], b.shape());
            assertArrayEquals(bytes(a), bytes(b), t + " " + Arrays.toString(shapes[i]));
        }
    }

    @Test
    void float16EncodingRoundsToNearestEven() {
        NdArray a = NdArray.ofFloat16(new float[] {1f, 65504f, 1e-8f, 0.1f, -2.5f, Float.NaN}, 6);
        float[] back = a.toFloats();
        assertEquals(1f, back[0]);
        assertEquals(65504f, back[1]);
        assertEquals(0f, back[2]);
        assertEquals(0.0999755859375f, back[3]); // nearest binary16 to 0.1
        assertEquals(-2.5f, back[4]);
        assertTrue(Float.isNaN(back[5]));
    }

    @Test
    void readsVersion2HeadersAndLargeFilesByMapping() throws IOException {
        float[] v = new float[(int) (Npy.MAP_THRESHOLD / 4) + 10];
        for (int i = 0; i < v.length; i++) v[i] = i;
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + v.length + ",), }";
        int total = (12 + dict.length() + 1 + 63) / 64 * 64;
        ByteBuffer b = ByteBuffer.allocate(total + v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Npy.MAGIC).put((byte) 2).put((byte) 0).putInt(total - 12).put(dict.getBytes(StandardCharsets.ISO_8859_1));
        while (b.position() < total - 1) b.put((byte) ' ');
        b.put((byte) '\n');
        for (float x : v) b.putFloat(x);
        Path f = dir.resolve("v2.npy");
        Files.write(f, b.array());
        NdArray a = Npy.read(f);
        assertTrue(a.data().isMapped(), "large file is memory-mapped");
        assertEquals(v.length - 1, a.getDouble(v.length - 1));
    }

    /** Writes a valid file, lets {@code edit} damage its bytes, and returns the reader's message. */
    String rejectMessage(java.util.function.UnaryOperator<byte[]> edit) throws IOException {
        Path f = dir.resolve("bad.npy");
        Npy.write(f, NdArray.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        Files.write(f, edit.apply(Files.readAllBytes(f)));
        FormatException e = assertThrows(FormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), "message names the file: " + e.getMessage());
        return e.getMessage();
    }

    static byte[] replaceHeader(byte[] b, String from, String to) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        assertTrue(s.contains(from));
        String padded = to + " ".repeat(from.length() - to.length());
        return s.replace(from, padded).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void rejectsTruncatedData() throws IOException {
        String m = rejectMessage(b -> Arrays.copyOf(b, b.length - 5));
        assertTrue(m.contains("data: truncated") && m.contains("needs 24 bytes, file has 19"), m);
    }

    @Test
    void rejectsFileTooShortForPreamble() throws IOException {
        assertTrue(rejectMessage(b -> Arrays.copyOf(b, 7)).contains("magic: file has 7 bytes"));
    }

    @Test
    void rejectsBadMagic() throws IOException {
        assertTrue(rejectMessage(b -> { b[1] = 'X'; return b; }).contains("magic: not an NPY file"));
    }

    @Test
    void rejectsUnsupportedVersion() throws IOException {
        assertTrue(rejectMessage(b -> { b[6] = 9; return b; }).contains("version: 9.0 is not supported"));
    }

    @Test
    void rejectsWrongDtype() throws IOException {
        String m = rejectMessage(b -> replaceHeader(b, "'<f4'", "'>f4'"));
        assertTrue(m.contains("descr: '>f4' is not supported (expected one of <f4, <f2, <f8, <i2, <i4, <i8, |u1)"), m);
    }

    @Test
    void rejectsShapeSizeMismatch() throws IOException {
        String m = rejectMessage(b -> replaceHeader(b, "(2, 3)", "(2, 2)"));
        assertTrue(m.contains("shape: shape [2, 2] of <f4 needs 16 bytes, but the file has 8 more"), m);
        m = rejectMessage(b -> replaceHeader(b, "(2, 3)", "(9, 3)"));
        assertTrue(m.contains("data: truncated"), m);
        m = rejectMessage(b -> replaceHeader(b, "(2, 3)", "(2, x)"));
        assertTrue(m.contains("shape: '2, x' is not a tuple"), m);
    }

    @Test
    void rejectsAbsurdHeaderLength() throws IOException {
        String m = rejectMessage(b -> { b[8] = (byte) 0xFF; b[9] = (byte) 0xFF; return b; });
        assertTrue(m.contains("header length: 65535 bytes is absurd"), m);
        m = rejectMessage(b -> { // version 2 with a 2 GiB header
            byte[] c = new byte[b.length + 2];
            System.arraycopy(b, 0, c, 0, 8);
            c[6] = 2;
            c[8] = (byte) 0xFF; c[9] = (byte) 0xFF; c[10] = (byte) 0xFF; c[11] = 0x7F;
            System.arraycopy(b, 10, c, 12, b.length - 10);
            return c;
        });
        assertTrue(m.contains("header length: 2147483647 bytes is absurd"), m);
    }

    @Test
    void rejectsFortranOrderAndMissingKeys() throws IOException {
        assertTrue(rejectMessage(b -> replaceHeader(b, "False", "True ")).contains("fortran_order: True is not supported"));
        assertTrue(rejectMessage(b -> replaceHeader(b, "'descr'", "'dtype'")).contains("descr: missing from header"));
    }

    /** Files written by NumPy itself: the reference zoo in ../shared/data (skipped where absent). */
    @Test
    void readsReferenceZooWrittenByNumpy() throws IOException {
        Path zoo = Path.of("..", "..", "shared", "data", "reference-formal-small");
        if (!Files.isDirectory(zoo)) zoo = Path.of("..", "shared", "data", "reference-formal-small");
        assumeTrue(Files.isDirectory(zoo), "reference zoo not present (../shared/data)");
        NdArray params = Npy.read(zoo.resolve("parameters.npy"));
        assertEquals(DType.F32, params.dtype());
        assertArrayEquals(new long[] {18, 13766}, params.shape());
        NdArray logits = Npy.read(zoo.resolve("logits.npy"));
        assertEquals(DType.F16, logits.dtype());
        assertArrayEquals(new long[] {18, 100, 41, 6}, logits.shape());
        // stored log-softmax rows: each exponentiates to a distribution (float16 tolerance)
        double s = 0;
        for (int j = 0; j < 6; j++) s += Math.exp(logits.getDouble(j));
        assertEquals(1.0, s, 1e-2);
        NdArray seq = Npy.read(zoo.resolve("sequences.npy"));
        assertEquals(DType.I16, seq.dtype());
        assertEquals(4, seq.getLong(0), "first token is BOS");
        assertEquals(DType.I64, Npy.read(zoo.resolve("tasks.npy")).dtype());
    }
}
