package zooscope.engine.io;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * An NPY file whose first axis grows, as the zoo files are written (PAPER.md §6, §15.2): rows are
 * appended after the data, then {@link #flush()} rewrites the row count in the header, in place (the
 * header is padded to a fixed length when the file is created, with room for the count to grow), and
 * forces both to disk. The file is a valid NPY file after every flush, readable by NumPy and {@link Npy}.
 *
 * <p>Reopening a file continues after the rows its header records; bytes beyond them (rows appended by a
 * run that was killed before its flush) are cut off, so a resumed job never sees half-written rows.
 */
public final class NpyAppender implements Closeable {
    private final Path file;
    private final FileChannel ch;
    private final DType dtype;
    private final long[] rowShape;
    private final long rowBytes;
    private final int headerLength;
    private long rows;

    private NpyAppender(Path file, FileChannel ch, DType dtype, long[] rowShape, int headerLength, long rows) {
        this.file = file;
        this.ch = ch;
        this.dtype = dtype;
        this.rowShape = rowShape.clone();
        this.rowBytes = NdArray.elements(rowShape) * dtype.bytes;
        this.headerLength = headerLength;
        this.rows = rows;
    }

    /**
     * Opens {@code file} for appending rows of {@code rowShape} and {@code dtype}, creating it with zero
     * rows if absent. An existing file must have that dtype and row shape (else a {@link FormatException}
     * names what differs).
     */
    public static NpyAppender open(Path file, DType dtype, long... rowShape) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) createEmpty(file, dtype, rowShape);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            Npy.Header h = Npy.readHeader(file, ch);
            if (h.dtype() != dtype) throw new FormatException(file, "descr", "'" + h.dtype().npy + "', expected '" + dtype.npy + "' to append to it");
            long[] s = h.shape();
            if (s.length != rowShape.length + 1 || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), rowShape)) {
                throw new FormatException(file, "shape", Arrays.toString(s) + " does not take rows of shape " + Arrays.toString(rowShape));
            }
            // each flush rewrites the header as version 1.0 in the space the file has for it
            if (10 + Npy.headerDict(dtype, s).length() + 1 > h.dataStart() || h.dataStart() - 10 > 0xFFFF) {
                throw new FormatException(file, "header length", (h.dataStart() - 10) + " bytes, expected room for a version 1.0 header of shape "
                    + Arrays.toString(s) + " (" + (Npy.headerDict(dtype, s).length() + 1) + " to 65535 bytes) to append to it");
            }
            NpyAppender a = new NpyAppender(file, ch, dtype, rowShape, (int) h.dataStart(), s[0]);
            if (ch.size() < h.dataStart() + h.dataBytes()) {
                throw new FormatException(file, "data", "truncated: the header records " + s[0] + " rows, the file holds fewer");
            }
            ch.truncate(h.dataStart() + h.dataBytes()); // drop rows written after the last flush
            return a;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Creates {@code file} with zero rows, whole or not at all: the header is written to a temporary file that
     * then replaces it, so a write that fails (a full disk) leaves no half header for the next open to trip on.
     */
    private static void createEmpty(Path file, DType dtype, long[] rowShape) throws IOException {
        WholeFile.write(file, Npy.header(dtype, shapeOf(0, rowShape)));
    }

    private static long[] shapeOf(long rows, long[] rowShape) {
        long[] s = new long[rowShape.length + 1];
        s[0] = rows;
        System.arraycopy(rowShape, 0, s, 1, rowShape.length);
        return s;
    }

    /** Rows recorded so far (including appended rows not yet flushed). */
    public long rows() { return rows; }

    public Path file() { return file; }

    /** Appends rows: an array of shape [k, rowShape...] and this file's dtype. */
    public void append(NdArray block) throws IOException {
        long[] s = block.shape();
        if (block.dtype() != dtype || s.length != rowShape.length + 1 || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), rowShape)) {
            throw new IllegalArgumentException(file + ": cannot append " + block.dtype() + Arrays.toString(s) + " to rows of "
                + dtype + Arrays.toString(rowShape));
        }
        ByteBuffer b = ByteBuffer.wrap(block.data().toArray(ValueLayout.JAVA_BYTE));
        long at = headerLength + rows * rowBytes;
        while (b.hasRemaining()) at += ch.write(b, at);
        rows += s[0];
    }

    /** Drops every row after the first {@code keep} (on disk at the next {@link #flush()}). */
    public void truncate(long keep) throws IOException {
        if (keep < 0 || keep > rows) throw new IllegalArgumentException(file + ": cannot keep " + keep + " of " + rows + " rows");
        rows = keep;
        ch.truncate(headerLength + rows * rowBytes);
    }

    /** Writes the current row count into the header and forces data and header to disk. */
    public void flush() throws IOException {
        ch.force(false); // rows first: the header never records rows that are not on disk
        ch.write(ByteBuffer.wrap(Npy.header(dtype, shapeOf(rows, rowShape), headerLength)), 0);
        ch.force(true);
    }

    @Override public void close() throws IOException {
        try {
            flush();
        } finally {
            ch.close();
        }
    }
}
