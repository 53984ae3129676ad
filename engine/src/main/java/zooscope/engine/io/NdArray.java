package zooscope.engine.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An n-dimensional array as stored in a file: dtype, shape and little-endian bytes in C order. The
 * bytes may be a memory-mapped region of a large file; conversions decode on demand (float16 included).
 */
public record NdArray(DType dtype, long[] shape, MemorySegment data) {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public NdArray {
        shape = shape.clone();
        if (data.byteSize() != elements(shape) * dtype.bytes) {
            throw new IllegalArgumentException("array of shape " + Arrays.toString(shape) + " and dtype " + dtype
                + " needs " + elements(shape) * dtype.bytes + " bytes, got " + data.byteSize());
        }
    }

    public static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public long size() { return elements(shape); }

    @Override public long[] shape() { return shape.clone(); }

    /** Rows [from, from + count) along the first axis, sharing this array's bytes. */
    public NdArray rows(long from, long count) {
        if (shape.length == 0 || from < 0 || count < 0 || from + count > shape[0]) {
            throw new IndexOutOfBoundsException("rows [" + from + ", " + (from + count) + ") of an array of shape " + Arrays.toString(shape));
        }
        long rowBytes = elements(Arrays.copyOfRange(shape, 1, shape.length)) * dtype.bytes;
        long[] s = shape.clone();
        s[0] = count;
        return new NdArray(dtype, s, data.asSlice(from * rowBytes, count * rowBytes));
    }

    /** The shape as ints (every dimension must fit). */
    public int[] intShape() { return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray(); }

    // ------------------------------------------------------------------ construction from Java arrays

    public static NdArray ofFloats(float[] v, long... shape) {
        MemorySegment m = alloc(v.length, DType.F32, shape);
        for (int i = 0; i < v.length; i++) m.setAtIndex(F, i, v[i]);
        return new NdArray(DType.F32, shape, m);
    }

    /** Encodes to IEEE binary16 (round to nearest even). */
    public static NdArray ofFloat16(float[] v, long... shape) {
        MemorySegment m = alloc(v.length, DType.F16, shape);
        for (int i = 0; i < v.length; i++) m.setAtIndex(S, i, Float.floatToFloat16(v[i]));
        return new NdArray(DType.F16, shape, m);
    }

    public static NdArray ofDoubles(double[] v, long... shape) {
        MemorySegment m = alloc(v.length, DType.F64, shape);
        for (int i = 0; i < v.length; i++) m.setAtIndex(D, i, v[i]);
        return new NdArray(DType.F64, shape, m);
    }

    public static NdArray ofShorts(short[] v, long... shape) {
        MemorySegment m = alloc(v.length, DType.I16, shape);
        for (int i = 0; i < v.length; i++) m.setAtIndex(S, i, v[i]);
        return new NdArray(DType.I16, shape, m);
    }

    public static NdArray ofInts(int[] v, long... shape) {
        MemorySegment m = alloc(v.length, DType.I32, shape);
        for (int i = 0; i < v.length; i++) m.setAtIndex(I, i, v[i]);
        return new NdArray(DType.I32, shape, m);
    }

    public static NdArray ofLongs(long[] v, long... shape) {
        MemorySegment m = alloc(v.length, DType.I64, shape);
        for (int i = 0; i < v.length; i++) m.setAtIndex(L, i, v[i]);
        return new NdArray(DType.I64, shape, m);
    }

    public static NdArray ofBytes(byte[] v, long... shape) {
        MemorySegment m = alloc(v.length, DType.U8, shape);
        MemorySegment.copy(v, 0, m, ValueLayout.JAVA_BYTE, 0, v.length);
        return new NdArray(DType.U8, shape, m);
    }

    private static MemorySegment alloc(int n, DType t, long[] shape) {
        if (elements(shape) != n) throw new IllegalArgumentException(n + " values do not fill shape " + Arrays.toString(shape));
        return MemorySegment.ofArray(new byte[n * t.bytes]);
    }

    // ------------------------------------------------------------------ element access

    /** Element i as a double, whatever the dtype. */
    public double getDouble(long i) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(F, i);
            case F16 -> Float.float16ToFloat(data.getAtIndex(S, i));
            case F64 -> data.getAtIndex(D, i);
            case I16 -> data.getAtIndex(S, i);
            case I32 -> data.getAtIndex(I, i);
            case I64 -> data.getAtIndex(L, i);
            case U8 -> Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, i));
        };
    }

    /** Element i as a long; only for integer dtypes. */
    public long getLong(long i) {
        return switch (dtype) {
            case I16 -> data.getAtIndex(S, i);
            case I32 -> data.getAtIndex(I, i);
            case I64 -> data.getAtIndex(L, i);
            case U8 -> Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, i));
            default -> throw new IllegalStateException("getLong on a " + dtype + " array");
        };
    }

    /** Elements [from, from + count) as floats (float16 decoded; float64 and integers converted). */
    public float[] toFloats(long from, int count) {
        float[] out = new float[count];
        if (dtype == DType.F32) MemorySegment.copy(data, F, from * 4, out, 0, count);
        else for (int i = 0; i < count; i++) out[i] = (float) getDouble(from + i);
        return out;
    }

    public float[] toFloats() { return toFloats(0, Math.toIntExact(size())); }

    public double[] toDoubles() {
        double[] out = new double[Math.toIntExact(size())];
        for (int i = 0; i < out.length; i++) out[i] = getDouble(i);
        return out;
    }

    public long[] toLongs() {
        long[] out = new long[Math.toIntExact(size())];
        for (int i = 0; i < out.length; i++) out[i] = getLong(i);
        return out;
    }
}
