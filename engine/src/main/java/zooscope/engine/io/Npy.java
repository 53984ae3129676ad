package zooscope.engine.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files: versions 1.0, 2.0 (and 3.0 headers) read, C order, little-endian, the
 * dtypes of {@link DType}. Files above {@link #MAP_THRESHOLD} bytes are memory-mapped, smaller ones read.
 * The writer emits version 1.0 with the header padded to a multiple of 64 bytes and spare room, so a
 * growing first dimension can be rewritten in place.
 */
public final class Npy {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Headers longer than this are rejected as corrupt (NumPy's own limit is far below). */
    static final long MAX_HEADER = 1 << 20;
    public static final long MAP_THRESHOLD = 1 << 20;
    /** Spaces left in a written header so the shape can grow without moving the data. */
    static final int SPARE_HEADER_ROOM = 32;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** A parsed header: element type, shape, where the data starts and how many bytes it needs. */
    record Header(DType dtype, long[] shape, long dataStart, long dataBytes) {}

    /** Reads (or maps) a file; every defect is a {@link FormatException} naming file and field. */
    public static NdArray read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(file, ch);
            long have = ch.size() - h.dataStart();
            if (have < h.dataBytes()) {
                throw new FormatException(file, "data", "truncated: shape " + java.util.Arrays.toString(h.shape()) + " of " + h.dtype().npy
                    + " needs " + h.dataBytes() + " bytes, file has " + have);
            }
            if (have > h.dataBytes()) {
                throw new FormatException(file, "shape", "shape " + java.util.Arrays.toString(h.shape()) + " of " + h.dtype().npy + " needs "
                    + h.dataBytes() + " bytes, but the file has " + (have - h.dataBytes()) + " more");
            }
            MemorySegment data;
            if (h.dataBytes() > MAP_THRESHOLD) {
                data = ch.map(FileChannel.MapMode.READ_ONLY, h.dataStart(), h.dataBytes(), Arena.ofAuto());
            } else {
                ByteBuffer buf = ByteBuffer.allocate((int) h.dataBytes());
                ch.position(h.dataStart());
                while (buf.hasRemaining() && ch.read(buf) > 0) { /* fill */ }
                data = MemorySegment.ofArray(buf.array());
            }
            return new NdArray(h.dtype(), h.shape(), data);
        }
    }

    /** Parses and checks the preamble and header dictionary (not the data size). */
    static Header readHeader(Path file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        ch.position(0);
        while (pre.hasRemaining() && ch.read(pre) > 0) { /* fill */ }
        pre.flip();
        if (pre.remaining() < 10) throw new FormatException(file, "magic", "file has " + fileSize + " bytes, too short for an NPY preamble");
        for (byte b : MAGIC) {
            if (pre.get() != b) throw new FormatException(file, "magic", "not an NPY file (expected \\x93NUMPY at offset 0)");
        }
        int major = pre.get(), minor = pre.get();
        long headerLen;
        int preamble;
        if (major == 1) { headerLen = Short.toUnsignedInt(pre.getShort()); preamble = 10; }
        else if (major == 2 || major == 3) {
            if (pre.remaining() < 4) throw new FormatException(file, "header length", "file ends inside the preamble");
            headerLen = Integer.toUnsignedLong(pre.getInt()); preamble = 12;
        } else throw new FormatException(file, "version", major + "." + minor + " is not supported (expected 1.0, 2.0 or 3.0)");
        if (headerLen > MAX_HEADER || preamble + headerLen > fileSize) {
            throw new FormatException(file, "header length", headerLen + " bytes is absurd for a file of " + fileSize
                + " bytes (header must fit in the file and be at most " + MAX_HEADER + " bytes)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        ch.position(preamble);
        while (hb.hasRemaining() && ch.read(hb) > 0) { /* fill */ }
        String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        DType dtype = parseDtype(file, header);
        long[] shape = parseShape(file, header);
        Matcher fo = FORTRAN.matcher(header);
        if (!fo.find()) throw new FormatException(file, "fortran_order", "missing from header " + header.strip());
        if (fo.group(1).equals("True")) throw new FormatException(file, "fortran_order", "True is not supported (expected C order, False)");
        try {
            return new Header(dtype, shape, preamble + headerLen, Math.multiplyExact(NdArray.elements(shape), (long) dtype.bytes));
        } catch (ArithmeticException e) {
            throw new FormatException(file, "shape", "size of shape " + java.util.Arrays.toString(shape) + " overflows");
        }
    }

    private static DType parseDtype(Path file, String header) throws FormatException {
        Matcher m = DESCR.matcher(header);
        if (!m.find()) throw new FormatException(file, "descr", "missing from header " + header.strip());
        DType t = DType.fromNpy(m.group(1));
        if (t == null) throw new FormatException(file, "descr", "'" + m.group(1) + "' is not supported (expected one of " + DType.list(true) + ")");
        return t;
    }

    private static long[] parseShape(Path file, String header) throws FormatException {
        Matcher m = SHAPE.matcher(header);
        if (!m.find()) throw new FormatException(file, "shape", "missing from header " + header.strip());
        List<Long> dims = new ArrayList<>();
        for (String part : m.group(1).split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            try {
                long d = Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
                if (d < 0) throw new NumberFormatException();
                dims.add(d);
            } catch (NumberFormatException e) {
                throw new FormatException(file, "shape", "'" + m.group(1) + "' is not a tuple of non-negative integers");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** The header dictionary text for a dtype and shape (NumPy's spelling). */
    static String headerDict(DType dtype, long[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) s.append(shape[i]).append(shape.length == 1 ? "," : i + 1 < shape.length ? ", " : "");
        s.append(')');
        return "{'descr': '" + dtype.npy + "', 'fortran_order': False, 'shape': " + s + ", }";
    }

    /** The full preamble + padded header: a multiple of 64 bytes with spare room, ending in a newline. */
    static byte[] header(DType dtype, long[] shape) {
        int unpadded = 10 + headerDict(dtype, shape).length() + SPARE_HEADER_ROOM + 1;
        return header(dtype, shape, (unpadded + 63) / 64 * 64);
    }

    /** The preamble + header padded to exactly {@code total} bytes (to rewrite a header in place). */
    static byte[] header(DType dtype, long[] shape, int total) {
        String dict = headerDict(dtype, shape);
        if (10 + dict.length() + 1 > total) throw new IllegalArgumentException("NPY header for shape " + java.util.Arrays.toString(shape) + " does not fit in " + total + " bytes");
        if (total - 10 > 0xFFFF) throw new IllegalArgumentException("NPY header too long for version 1.0");
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) (total - 10));
        b.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        while (b.position() < total - 1) b.put((byte) ' ');
        b.put((byte) '\n');
        return b.array();
    }

    /** Writes an array as an NPY 1.0 file (through a temporary file, so readers never see half a file). */
    public static void write(Path file, NdArray a) throws IOException {
        WholeFile.write(file, ByteBuffer.wrap(header(a.dtype(), a.shape())), ByteBuffer.wrap(a.data().toArray(ValueLayout.JAVA_BYTE)));
    }
}
