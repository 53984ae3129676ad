package zooscope.engine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: 8-byte little-endian header length, a JSON header mapping each tensor name to
 * {dtype, shape, data_offsets} (plus optional string {@code __metadata__}), then the tensors' bytes,
 * contiguous and non-overlapping. State dicts written here load in PyTorch with safetensors.torch.load_file.
 */
public final class Safetensors {
    /** Headers longer than this are rejected as corrupt. */
    static final long MAX_HEADER = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    /** Tensors in file order, and the metadata strings. */
    public record Contents(Map<String, NdArray> tensors, Map<String, String> metadata) {}

    public static Contents read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 8) throw new FormatException(file, "header length", "file has " + bytes.length + " bytes, fewer than the 8-byte header length");
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > MAX_HEADER || n > bytes.length - 8) {
            throw new FormatException(file, "header length", Long.toUnsignedString(n) + " is absurd for a file of " + bytes.length
                + " bytes (expected 2.." + Math.min(MAX_HEADER, bytes.length - 8) + ")");
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new FormatException(file, "header", "not valid JSON (is this a safetensors file?): " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new FormatException(file, "header", "expected a JSON object");
        long dataStart = 8 + n, dataLen = bytes.length - dataStart;
        MemorySegment all = MemorySegment.ofArray(bytes);
        Map<String, NdArray> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                v.properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String where = "tensor '" + name + "'";
            DType dtype = DType.fromSafetensors(v.path("dtype").asText(""));
            if (dtype == null) throw new FormatException(file, where + " dtype", "'" + v.path("dtype").asText() + "' is not supported (expected one of " + DType.list(false) + ")");
            JsonNode sh = v.path("shape"), off = v.path("data_offsets");
            if (!sh.isArray()) throw new FormatException(file, where + " shape", "missing or not a list");
            long[] shape = new long[sh.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!sh.get(i).canConvertToLong() || sh.get(i).asLong() < 0) throw new FormatException(file, where + " shape", sh + " is not a list of non-negative integers");
                shape[i] = sh.get(i).asLong();
            }
            if (!off.isArray() || off.size() != 2) throw new FormatException(file, where + " data_offsets", "expected [begin, end], got " + off);
            long begin = off.get(0).asLong(-1), end = off.get(1).asLong(-1);
            if (begin < 0 || end < begin) throw new FormatException(file, where + " data_offsets", off + " is not a valid [begin, end] range");
            if (end > dataLen) throw new FormatException(file, where + " data_offsets", "truncated: data ends at byte " + dataLen + " but the tensor needs " + off);
            long expected;
            try {
                expected = Math.multiplyExact(NdArray.elements(shape), (long) dtype.bytes);
            } catch (ArithmeticException overflow) {
                throw new FormatException(file, where + " shape", sh + " of " + dtype.safetensors + " has more bytes than a file can hold");
            }
            if (end - begin != expected) {
                throw new FormatException(file, where + " shape", "shape " + sh + " of " + dtype.safetensors + " needs " + expected
                    + " bytes, data_offsets " + off + " hold " + (end - begin));
            }
            ranges.add(new long[] {begin, end});
            MemorySegment copy = MemorySegment.ofArray(new byte[(int) expected]);
            MemorySegment.copy(all, dataStart + begin, copy, 0, expected);
            tensors.put(name, new NdArray(dtype, shape, copy));
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        long at = 0;
        for (long[] r : ranges) {
            if (r[0] != at) throw new FormatException(file, "data_offsets", "tensor data must be contiguous without overlaps; a range starts at " + r[0] + ", expected " + at);
            at = r[1];
        }
        if (at != dataLen) throw new FormatException(file, "data", (dataLen - at) + " bytes after the last tensor are not described by the header");
        return new Contents(tensors, metadata);
    }

    /** Writes tensors in the given order, metadata sorted by key (header padded with spaces to a multiple of 8 bytes); whole or not at all. */
    public static void write(Path file, Map<String, NdArray> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode md = header.putObject("__metadata__");
            new java.util.TreeMap<>(metadata).forEach(md::put); // sorted: the same bytes whatever the map's order (Map.of's varies by run)
        }
        long at = 0;
        for (Map.Entry<String, NdArray> e : tensors.entrySet()) {
            NdArray a = e.getValue();
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", a.dtype().safetensors);
            var sh = t.putArray("shape");
            for (long d : a.shape()) sh.add(d);
            long len = a.data().byteSize();
            t.putArray("data_offsets").add(at).add(at + len);
            at += len;
        }
        byte[] h = JSON.writeValueAsBytes(header);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + at)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(h);
        while (out.position() < 8 + padded) out.put((byte) ' ');
        for (NdArray a : tensors.values()) out.put(a.data().toArray(ValueLayout.JAVA_BYTE));
        WholeFile.write(file, out.array());
    }
}
