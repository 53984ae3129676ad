package zooscope.kernels;

/**
 * Storage for {@code length} floats, allocated by one backend and readable only through it: the engine
 * never sees an array or a pointer. Host backends keep a Java array inside; a device backend would keep
 * device memory. Values reach the host only through {@link Backend#copyOut}.
 */
public abstract class Buffer {
    private final Backend owner;
    private final int length;

    protected Buffer(Backend owner, int length) {
        if (length < 0) throw new IllegalArgumentException("buffer length " + length + " < 0");
        this.owner = owner;
        this.length = length;
    }

    /** The backend that allocated this buffer; only it may read or write it. */
    public final Backend owner() { return owner; }

    public final int length() { return length; }

    @Override public String toString() { return owner.name() + " buffer of " + length + " floats"; }
}
