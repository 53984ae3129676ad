package zooscope.engine.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seeded mutation fuzzing of the NPY (versions 1–3, every dtype, read and append-open) and safetensors readers; see {@link ReaderFuzz}. */
class IoFuzzTest {
    @TempDir Path dir;

    /** An array of every dtype, shape (3, 4), values including negatives and fractions. */
    static Map<DType, NdArray> samples() {
        Map<DType, NdArray> m = new LinkedHashMap<>();
        float[] f = new float[12];
        double[] d = new double[12];
        short[] s = new short[12];
        int[] i = new int[12];
        long[] l = new long[12];
        byte[] b = new byte[12];
        for (int k = 0; k < 12; k++) { f[k] = k * 0.75f - 3; d[k] = f[k]; s[k] = (short) (k - 5); i[k] = k * 1000 - 5; l[k] = k - 6; b[k] = (byte) (k * 20); }
        m.put(DType.F32, NdArray.ofFloats(f, 3, 4));
        m.put(DType.F16, NdArray.ofFloat16(f, 3, 4));
        m.put(DType.F64, NdArray.ofDoubles(d, 3, 4));
        m.put(DType.I16, NdArray.ofShorts(s, 3, 4));
        m.put(DType.I32, NdArray.ofInts(i, 3, 4));
        m.put(DType.I64, NdArray.ofLongs(l, 3, 4));
        m.put(DType.U8, NdArray.ofBytes(b, 3, 4));
        return m;
    }

    /** A version-1 file as Npy writes it, re-framed as version 2 or 3 (4-byte header length). */
    static byte[] asVersion(byte[] v1, int major) {
        int headerLen = ByteBuffer.wrap(v1, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
        ByteBuffer out = ByteBuffer.allocate(v1.length + 2).order(ByteOrder.LITTLE_ENDIAN);
        out.put(Npy.MAGIC).put((byte) major).put((byte) 0).putInt(headerLen).put(v1, 10, v1.length - 10);
        return out.array();
    }

    @Test
    void npy() throws Exception {
        Map<String, NdArray> written = new LinkedHashMap<>();
        for (var e : samples().entrySet()) {
            Path v1 = dir.resolve(e.getKey() + "_v1.npy");
            Npy.write(v1, e.getValue());
            for (int major : new int[] {2, 3}) Files.write(dir.resolve(e.getKey() + "_v" + major + ".npy"), asVersion(Files.readAllBytes(v1), major));
            for (int major = 1; major <= 3; major++) written.put(e.getKey() + "_v" + major + ".npy", e.getValue());
        }
        // one file above the mapping threshold, so the memory-mapped path is fuzzed too
        float[] big = new float[(int) (Npy.MAP_THRESHOLD / 4) + 16];
        for (int k = 0; k < big.length; k++) big[k] = k;
        NdArray mapped = NdArray.ofFloats(big, big.length / 16, 16);
        Npy.write(dir.resolve("mapped.npy"), mapped);
        written.put("mapped.npy", mapped);

        ReaderFuzz.run("npy", 1_000_000L, ReaderFuzz.cases(600), dir, new ArrayList<>(written.keySet()), file -> {
            NdArray a = Npy.read(file);
            for (long k = 0; k < a.size(); k++) a.getDouble(k); // touch every element (mapped pages too)
            // resuming an append opens the existing file against the dtype and row shape it should have
            NdArray want = written.get(file.getFileName().toString());
            long[] s = want.shape();
            NpyAppender.open(file, want.dtype(), Arrays.copyOfRange(s, 1, s.length)).close();
        }, List.of(), ReaderFuzz.NPY_HEADER_LENGTH);
    }

    @Test
    void safetensors() throws Exception {
        Map<String, NdArray> tensors = new LinkedHashMap<>();
        samples().forEach((t, a) -> tensors.put("layer." + t.safetensors.toLowerCase(), a));
        tensors.put("scalar", NdArray.ofFloats(new float[] {2.5f}));
        tensors.put("empty", NdArray.ofFloats(new float[0], 0, 3));
        Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt", "step", "12"));
        Safetensors.write(dir.resolve("plain.safetensors"), Map.of("w", NdArray.ofFloats(new float[] {1, 2, 3, 4}, 2, 2)), null);

        ReaderFuzz.run("safetensors", 2_000_000L, ReaderFuzz.cases(600), dir, List.of("model.safetensors", "plain.safetensors"), file -> {
            for (NdArray a : Safetensors.read(file).tensors().values()) for (long k = 0; k < a.size(); k++) a.getDouble(k);
        }, List.of(), ReaderFuzz.SAFETENSORS_HEADER_LENGTH);
    }
}
