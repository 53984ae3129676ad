package zooscope.kernels.cuda;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

/**
 * A strided index space for a kernel, the C struct {@code Dims} of kernels.cu passed by value: a shape of
 * up to {@link #RANK} axes and two operands' strides along them.
 */
public record Dims(int[] shape, int[] a, int[] b) {
    public static final int RANK = 8;
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("rank"),
        MemoryLayout.sequenceLayout(RANK, JAVA_INT).withName("shape"), MemoryLayout.sequenceLayout(RANK, JAVA_INT).withName("a"),
        MemoryLayout.sequenceLayout(RANK, JAVA_INT).withName("b"));

    public Dims {
        if (shape.length > RANK) throw new IllegalArgumentException("the CUDA backend handles at most " + RANK + " axes, got shape " + Arrays.toString(shape));
        if (a.length != shape.length || b.length != shape.length) throw new IllegalArgumentException("strides " + Arrays.toString(a) + ", " + Arrays.toString(b) + " do not match shape " + Arrays.toString(shape));
    }

    /** The number of indices. */
    public int size() {
        long n = 1;
        for (int d : shape) n *= d;
        return Math.toIntExact(n);
    }

    /** The struct's bytes. */
    public MemorySegment struct(SegmentAllocator arena) {
        MemorySegment s = arena.allocate(LAYOUT);
        s.set(JAVA_INT, 0, shape.length);
        for (int k = 0; k < shape.length; k++) {
            s.setAtIndex(JAVA_INT, 1 + k, shape[k]);
            s.setAtIndex(JAVA_INT, 1 + RANK + k, a[k]);
            s.setAtIndex(JAVA_INT, 1 + 2 * RANK + k, b[k]);
        }
        return s;
    }
}
