package zooscope.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir Path dir;

    @Test
    void metadataIsWrittenInKeyOrderWhateverTheMapsOrder() throws IOException {
        Map<String, NdArray> t = Map.of("w", NdArray.ofFloats(new float[] {1, 2}, 2));
        Map<String, String> ab = new LinkedHashMap<>(), ba = new LinkedHashMap<>();
        ab.put("a", "1"); ab.put("b", "2");
        ba.put("b", "2"); ba.put("a", "1");
        Safetensors.write(dir.resolve("ab.safetensors"), t, ab);
        Safetensors.write(dir.resolve("ba.safetensors"), t, ba);
        assertArrayEquals(Files.readAllBytes(dir.resolve("ab.safetensors")), Files.readAllBytes(dir.resolve("ba.safetensors")));
    }

    @Test
    void roundTripsEveryDtypeWithMetadata() throws IOException {
        Map<String, NdArray> in = new LinkedHashMap<>();
        int i = 0;
        for (DType t : DType.values()) in.put("t." + t, NpyTest.random(t, new long[] {2, 1 + i, 3}, i++));
        in.put("scalar", NdArray.ofFloats(new float[] {4f}));
        Path f = dir.resolve("all.safetensors");
        Safetensors.write(f, in, Map.of("format", "pt"));
        Safetensors.Contents back = Safetensors.read(f);
        assertEquals(in.keySet(), back.tensors().keySet());
        assertEquals(Map.of("format", "pt"), back.metadata());
        in.forEach((k, a) -> {
            NdArray b = back.tensors().get(k);
            assertEquals(a.dtype(), b.dtype(), k);
            assertArrayEquals(a.shape(), b.shape(), k);
            assertArrayEquals(NpyTest.bytes(a), NpyTest.bytes(b), k);
        });
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header padded to 8 bytes");
    }

    /** A valid two-tensor file whose JSON header is {@code header} (data: 6 floats then 2 longs). */
    Path file(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = dir.resolve("x.safetensors");
        Files.write(f, b.array());
        return f;
    }

    static final String GOOD = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
        + "\"n\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[24,40]}}";

    String reject(Path f) {
        FormatException e = assertThrows(FormatException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void acceptsTheHandMadeFile() throws IOException {
        assertEquals(2, Safetensors.read(file(GOOD, 40)).tensors().size());
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        assertTrue(reject(file(GOOD, 30)).contains("tensor 'n' data_offsets: truncated"));
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[5]);
        assertTrue(reject(tiny).contains("header length: file has 5 bytes"));
    }

    @Test
    void rejectsBadMagicThatIsNotJson() throws IOException {
        Path f = dir.resolve("npy.safetensors");
        byte[] b = Files.readAllBytes(file(GOOD, 40));
        b[8] = 'X';
        Files.write(f, b);
        assertTrue(reject(f).contains("header: not valid JSON"));
    }

    @Test
    void rejectsAbsurdHeaderLength() throws IOException {
        Path f = file(GOOD, 40);
        byte[] b = Files.readAllBytes(f);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
        Files.write(f, b);
        assertTrue(reject(f).contains("header length: 9223372036854775807 is absurd"));
    }

    @Test
    void rejectsWrongDtype() throws IOException {
        assertTrue(reject(file(GOOD.replace("\"F32\"", "\"C64\""), 40))
            .contains("tensor 'w' dtype: 'C64' is not supported (expected one of F32, F16, F64, I16, I32, I64, U8)"));
    }

    @Test
    void rejectsShapeSizeMismatch() throws IOException {
        assertTrue(reject(file(GOOD.replace("[2,3]", "[2,2]"), 40))
            .contains("tensor 'w' shape: shape [2,2] of F32 needs 16 bytes, data_offsets [0,24] hold 24"));
    }

    @Test
    void rejectsOverlapsAndUndescribedBytes() throws IOException {
        String overlap = GOOD.replace("[24,40]", "[16,32]").replace("\"shape\":[2],", "\"shape\":[2],");
        assertTrue(reject(file(overlap, 40)).contains("data_offsets: tensor data must be contiguous"));
        assertTrue(reject(file(GOOD, 48)).contains("data: 8 bytes after the last tensor"));
        assertTrue(reject(file(GOOD.replace("[0,24]", "[24,0]"), 40)).contains("is not a valid [begin, end] range"));
        assertEquals(2, Arrays.asList(GOOD.split("dtype")).size() - 1);
    }
}
