package zooscope.engine.io;

/** Element types of NPY and safetensors files (little-endian), with both formats' names. */
public enum DType {
    F32("<f4", "F32", 4),
    F16("<f2", "F16", 2),
    F64("<f8", "F64", 8),
    I16("<i2", "I16", 2),
    I32("<i4", "I32", 4),
    I64("<i8", "I64", 8),
    U8("|u1", "U8", 1);

    /** NumPy's descr string, e.g. {@code <f4}. */
    public final String npy;
    /** The safetensors dtype name, e.g. {@code F32}. */
    public final String safetensors;
    public final int bytes;

    DType(String npy, String safetensors, int bytes) {
        this.npy = npy;
        this.safetensors = safetensors;
        this.bytes = bytes;
    }

    /** The dtype for a NumPy descr, or null. {@code <u1} is accepted as a synonym of {@code |u1}. */
    public static DType fromNpy(String descr) {
        for (DType d : values()) if (d.npy.equals(descr)) return d;
        return "<u1".equals(descr) ? U8 : null;
    }

    public static DType fromSafetensors(String name) {
        for (DType d : values()) if (d.safetensors.equals(name)) return d;
        return null;
    }

    /** The accepted names of one format, for error messages. */
    static String list(boolean npy) {
        StringBuilder sb = new StringBuilder();
        for (DType d : values()) sb.append(sb.isEmpty() ? "" : ", ").append(npy ? d.npy : d.safetensors);
        return sb.toString();
    }
}
