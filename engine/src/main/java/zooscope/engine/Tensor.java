package zooscope.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import zooscope.kernels.Backend;
import zooscope.kernels.Backends;
import zooscope.kernels.Buffer;

/**
 * A float32 tensor: a shape and contiguous row-major storage in a {@link Buffer} of its backend (from
 * {@code offset}). Reshapes and slices along the first axis are views that share the storage; every
 * other op writes a new buffer. Every op runs on the backend of its inputs (all inputs must share one)
 * and its backward on that same backend; the values reach the host only through an explicit copy
 * ({@link #toArray()}, {@link #item()}, {@link #get}). New tensors are made on {@link Backends#current()}.
 *
 * <p><b>Autodiff.</b> An op whose input requires a gradient records a {@link Node} on its output: the
 * inputs and a closure that, given ∂L/∂output, adds ∂L/∂input into each input's gradient buffer.
 * {@link #backward()} sorts the recorded graph topologically (the "tape") and replays the closures
 * from the loss back to the leaves. Gradients of leaves (parameters) accumulate until {@link #zeroGrad()};
 * gradients of intermediate results are dropped once used.
 */
public final class Tensor {
    final Backend backend;
    final Buffer data;
    final int offset;
    final int[] shape;
    final int size;
    boolean requiresGrad;
    /** ∂L/∂this, [size] at offset 0 of a buffer of the same backend; null until a gradient arrives. */
    Buffer grad;
    Node node;

    /** The recorded producer of a tensor: its inputs and how to send a gradient back to them. */
    record Node(String op, Tensor[] inputs, Backward backward) {}

    /** Adds ∂L/∂input into the inputs' gradient buffers, given ∂L/∂output ([size] at offset 0). */
    @FunctionalInterface
    interface Backward { void apply(Buffer gradOut); }

    Tensor(Buffer data, int offset, int[] shape) {
        this.shape = shape.clone();
        this.size = Shapes.size(shape);
        if (offset < 0 || offset + size > data.length()) {
            throw new IllegalArgumentException("storage of " + data.length() + " floats cannot hold shape "
                + Shapes.str(shape) + " at offset " + offset);
        }
        this.backend = data.owner();
        this.data = data;
        this.offset = offset;
    }

    /** A new zero tensor on backend k. */
    static Tensor empty(Backend k, int[] shape) { return new Tensor(k.allocate(Shapes.size(shape)), 0, shape); }

    /**
     * The one backend the inputs share (null inputs are skipped); inputs on two backends are an error
     * naming both, since an op cannot read one backend's buffers on the other.
     */
    static Backend backendOf(String op, Tensor... inputs) {
        Backend k = null;
        for (Tensor t : inputs) {
            if (t == null) continue;
            if (k == null) k = t.backend;
            else if (t.backend != k) {
                throw new IllegalArgumentException(op + ": inputs live on backends '" + k.name() + "' and '" + t.backend.name()
                    + "'; move one with Tensor.to(backend)");
            }
        }
        return k;
    }

    // ---------------------------------------------------------------- creation

    /** A tensor of the given shape on the current backend, holding a copy of {@code values}. */
    public static Tensor of(float[] values, int... shape) { return of(Backends.current(), values, shape); }

    /** A tensor of the given shape on backend k, holding a copy of {@code values}. */
    public static Tensor of(Backend k, float[] values, int... shape) {
        if (values.length != Shapes.size(shape)) {
            throw new IllegalArgumentException(values.length + " values for shape " + Shapes.str(shape) + " (" + Shapes.size(shape) + " elements)");
        }
        Tensor t = empty(k, shape);
        k.copyIn(values, 0, t.data, 0, values.length);
        return t;
    }

    public static Tensor zeros(int... shape) { return empty(Backends.current(), shape); }

    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        t.backend.fill(t.data, 0, t.size, value);
        return t;
    }

    public static Tensor scalar(float value) { return of(new float[] {value}); }

    /** Entries uniform in [lo, hi), drawn on the host in index order. */
    public static Tensor uniform(Rng rng, double lo, double hi, int... shape) {
        float[] d = new float[Shapes.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = rng.uniform(lo, hi);
        return of(d, shape);
    }

    /** Entries normal with mean 0 and the given standard deviation, drawn on the host in index order. */
    public static Tensor normal(Rng rng, double std, int... shape) {
        float[] d = new float[Shapes.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (std * rng.normal());
        return of(d, shape);
    }

    /** One-hot rows: shape {@code indexShape} + [classes]; indices must lie in [0, classes). */
    public static Tensor oneHot(int classes, int[] indices, int... indexShape) {
        int[] is = indexShape.length == 0 ? new int[] {indices.length} : indexShape;
        if (Shapes.size(is) != indices.length) {
            throw new IllegalArgumentException(indices.length + " indices do not fill shape " + Shapes.str(is));
        }
        float[] d = new float[indices.length * classes];
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= classes) {
                throw new IllegalArgumentException("one-hot index " + indices[i] + " at " + i + " outside [0, " + classes + ")");
            }
            d[i * classes + indices[i]] = 1f;
        }
        int[] shape = Arrays.copyOf(is, is.length + 1);
        shape[is.length] = classes;
        return of(d, shape);
    }

    /** The same values on backend k (a copy through the host), cut off from the graph; this tensor if already there. */
    public Tensor to(Backend k) { return k == backend ? this : of(k, toArray(), shape); }

    // ---------------------------------------------------------------- inspection

    public int[] shape() { return shape.clone(); }
    public int rank() { return shape.length; }
    public int size() { return size; }
    /** Length of an axis; negative axes count from the end. */
    public int dim(int axis) { return shape[Shapes.axis(axis, shape.length)]; }

    /** The backend that holds the values and runs this tensor's ops. */
    public Backend backend() { return backend; }

    /** The buffer holding the values (shared, not a copy) and where this tensor starts in it: for optimisers and the trainer. */
    public Buffer storage() { return data; }
    public int offset() { return offset; }

    /** A copy of the values in row-major order, on the host. */
    public float[] toArray() {
        float[] out = new float[size];
        backend.copyOut(data, offset, out, 0, size);
        return out;
    }

    /** The only value of a one-element tensor. */
    public float item() {
        if (size != 1) throw new IllegalStateException("item() needs one element, shape is " + Shapes.str(shape));
        return get();
    }

    /** The value at a multi-index (a copy to the host). */
    public float get(int... index) {
        if (index.length != shape.length) throw new IllegalArgumentException("index rank " + index.length + " != tensor rank " + shape.length);
        int[] st = Shapes.strides(shape);
        int p = offset;
        for (int d = 0; d < index.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside " + Shapes.str(shape));
            p += index[d] * st[d];
        }
        float[] one = new float[1];
        backend.copyOut(data, p, one, 0, 1);
        return one[0];
    }

    /** Overwrites the values from the host (for leaves: parameters, data); the graph is not told. */
    public Tensor copyFrom(float[] values) {
        if (values.length != size) throw new IllegalArgumentException("copyFrom: " + values.length + " values for shape " + Shapes.str(shape));
        backend.copyIn(values, 0, data, offset, size);
        return this;
    }

    @Override public String toString() {
        return "Tensor" + Shapes.str(shape) + (size <= 8 ? Arrays.toString(toArray()) : "");
    }

    // ---------------------------------------------------------------- autodiff

    /** Marks a leaf as a parameter (its gradient will be computed). Returns this. */
    public Tensor requiresGrad() {
        if (node != null) throw new IllegalStateException("requiresGrad() is for leaves; this tensor was computed by " + node.op());
        requiresGrad = true;
        return this;
    }

    public boolean requiresGradient() { return requiresGrad; }

    /** A host copy of the accumulated gradient (same layout as {@link #toArray()}), or null if none was computed yet. */
    public float[] grad() {
        if (grad == null) return null;
        float[] out = new float[size];
        backend.copyOut(grad, 0, out, 0, size);
        return out;
    }

    /** The gradient's buffer ([size] at offset 0; null if none yet), for optimisers: no copy. */
    public Buffer gradStorage() { return grad; }

    public void zeroGrad() { if (grad != null) backend.fill(grad, 0, size, 0f); }

    /** The same values, cut off from the graph (shares storage). */
    public Tensor detach() { return new Tensor(data, offset, shape); }

    Buffer gradBuffer() {
        if (grad == null) grad = backend.allocate(size);
        return grad;
    }

    /**
     * Adds a whole gradient g ([size] at offset 0) into this tensor's. An intermediate tensor with no gradient
     * yet takes g's buffer itself instead of a zeroed copy: backward hands g over with its tensor's node, and
     * nothing else holds it (a reshape passes its gradient on this way: no copy of a large tensor's gradient).
     */
    void accumulateGrad(Buffer g) {
        if (grad == null && node != null) grad = g;
        else backend.axpy(size, 1f, g, 0, gradBuffer(), 0);
    }

    /** Builds an op's output and, when recording and some input requires grad, its graph node. */
    static Tensor result(Buffer out, int[] shape, String op, Backward backward, Tensor... inputs) {
        return attach(new Tensor(out, 0, shape), op, backward, inputs);
    }

    static Tensor attach(Tensor t, String op, Backward backward, Tensor... inputs) {
        if (!Grad.enabled()) return t;
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad) {
                t.requiresGrad = true;
                t.node = new Node(op, inputs, backward);
                break;
            }
        }
        return t;
    }

    /** Backward from a scalar loss (∂L/∂L = 1). */
    public void backward() {
        if (size != 1) throw new IllegalStateException("backward() needs a scalar; shape is " + Shapes.str(shape) + " (use backward(gradOut))");
        backward(new float[] {1f});
    }

    /** Backward with an explicit ∂L/∂this (same layout as {@link #toArray()}). */
    public void backward(float[] gradOut) {
        if (!requiresGrad) throw new IllegalStateException("backward(): this tensor does not depend on any tensor that requires grad");
        if (gradOut.length != size) throw new IllegalArgumentException("gradOut has " + gradOut.length + " values, tensor " + size);
        Buffer seed = backend.allocate(size);
        backend.copyIn(gradOut, 0, seed, 0, size);
        backward(seed);
    }

    /** Backward with ∂L/∂this in a buffer of this tensor's backend ([size] at offset 0). */
    void backward(Buffer gradOut) {
        List<Tensor> order = topologicalOrder();
        backend.axpy(size, 1f, gradOut, 0, gradBuffer(), 0);
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            if (t.node == null || t.grad == null) continue;
            t.node.backward().apply(t.grad);
            t.grad = null; // intermediate gradients are not kept
        }
    }

    /** Every tensor this one depends on through recorded ops, inputs before outputs. */
    private List<Tensor> topologicalOrder() {
        List<Tensor> order = new ArrayList<>();
        IdentityHashMap<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {tensor, next input index}
        stack.push(new Object[] {this, 0});
        seen.put(this, true);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Tensor[] ins = t.node == null ? new Tensor[0] : t.node.inputs();
            if (next < ins.length) {
                top[1] = next + 1;
                Tensor in = ins[next];
                if (in != null && in.requiresGrad && seen.put(in, true) == null) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    // ---------------------------------------------------------------- element-wise

    public Tensor add(Tensor o) { return Elementwise.binary(Backend.Binary.ADD, this, o); }
    /** this + terms[0] + terms[1] + …, each term broadcast to this shape: the chain of adds' bits, one buffer. */
    public Tensor addAll(Tensor... terms) { return Elementwise.addAll(this, terms); }
    public Tensor sub(Tensor o) { return Elementwise.binary(Backend.Binary.SUB, this, o); }
    public Tensor mul(Tensor o) { return Elementwise.binary(Backend.Binary.MUL, this, o); }
    public Tensor div(Tensor o) { return Elementwise.binary(Backend.Binary.DIV, this, o); }
    public Tensor add(float s) { return Elementwise.affine(this, 1f, s); }
    public Tensor mul(float s) { return Elementwise.affine(this, s, 0f); }
    public Tensor neg() { return Elementwise.unary(Backend.Unary.NEG, this); }
    public Tensor exp() { return Elementwise.unary(Backend.Unary.EXP, this); }
    public Tensor log() { return Elementwise.unary(Backend.Unary.LOG, this); }
    public Tensor sigmoid() { return Elementwise.unary(Backend.Unary.SIGMOID, this); }
    public Tensor tanh() { return Elementwise.unary(Backend.Unary.TANH, this); }
    public Tensor relu() { return Elementwise.unary(Backend.Unary.RELU, this); }
    /** log(1 + eˣ), computed stably; its derivative is σ(x). */
    public Tensor softplus() { return Elementwise.unary(Backend.Unary.SOFTPLUS, this); }

    // ---------------------------------------------------------------- reductions

    /** Sum over all elements (a scalar). */
    public Tensor sum() { return Reductions.reduce(this, new int[0], false, Backend.Reduction.SUM); }
    public Tensor sum(boolean keepDim, int... axes) { return Reductions.reduce(this, axes, keepDim, Backend.Reduction.SUM); }
    public Tensor mean() { return Reductions.reduce(this, new int[0], false, Backend.Reduction.MEAN); }
    public Tensor mean(boolean keepDim, int... axes) { return Reductions.reduce(this, axes, keepDim, Backend.Reduction.MEAN); }
    /** Unbiased variance (divides by n − 1, as torch.var) over the axes (all if none). */
    public Tensor var(boolean keepDim, int... axes) { return Reductions.reduce(this, axes, keepDim, Backend.Reduction.VAR); }
    /** Quantiles along the last axis ([..., n] → [..., qs.length]), linear interpolation between order statistics (torch.quantile). */
    public Tensor quantile(double... qs) { return Reductions.quantile(this, qs); }

    // ---------------------------------------------------------------- linear algebra

    /** [m, k] × [k, n] → [m, n]. */
    public Tensor matmul(Tensor o) { return LinearAlgebra.matmul(this, o); }
    /** Batched [b, m, k] × [b, k, n] → [b, m, n]. */
    public Tensor bmm(Tensor o) { return LinearAlgebra.bmm(this, o); }

    // ---------------------------------------------------------------- shape

    /** A view with another shape of the same size; one dimension may be −1 (inferred). */
    public Tensor reshape(int... newShape) { return ShapeOps.reshape(this, newShape); }
    public Tensor permute(int... perm) { return ShapeOps.permute(this, perm); }
    public Tensor transpose(int a, int b) { return ShapeOps.transpose(this, a, b); }
    /** Elements [start, end) along an axis (a view when the axis is 0). */
    public Tensor slice(int axis, int start, int end) { return ShapeOps.slice(this, axis, start, end); }
    /** Picks the given indices along an axis, in order (torch.index_select); repeats allowed. */
    public Tensor gather(int axis, int... indices) { return ShapeOps.gather(this, axis, indices); }
    public static Tensor concat(int axis, Tensor... parts) { return ShapeOps.concat(axis, parts); }

    // ---------------------------------------------------------------- functions

    public Tensor softmax() { return Functional.softmax(this, false); }
    public Tensor logSoftmax() { return Functional.softmax(this, true); }
    /** Divides the last axis by its L2 norm (at least 1e-12), as torch.nn.functional.normalize. */
    public Tensor l2Normalize() { return Functional.l2Normalize(this, 1e-12); }
}
