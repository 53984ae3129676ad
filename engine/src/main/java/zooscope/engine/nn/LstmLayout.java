package zooscope.engine.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;

/**
 * The flat parameter vector of a zoo LSTM (PAPER.md §3): PyTorch's parameter order (per layer
 * weight_ih, weight_hh, bias_ih, bias_hh), then the head's weight and bias; matrices row-major.
 */
public record LstmLayout(int input, int hidden, int layers, int output) {
    /** Formal-language zoo: 6 tokens in, 6 out, 2×32 (13,766 parameters). */
    public static final LstmLayout FORMAL = new LstmLayout(6, 32, 2, 6);
    /** Sequential-MNIST zoo: a 4×4 tile in, 10 classes out, 2×32 (15,178 parameters). */
    public static final LstmLayout MNIST = new LstmLayout(16, 32, 2, 10);

    /** One tensor of the flat vector. */
    public record Entry(String name, int[] shape, int offset) {
        public int size() { int n = 1; for (int d : shape) n *= d; return n; }
    }

    private static final Map<LstmLayout, List<Entry>> ENTRIES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The tensors in flat order, named as {@link LstmWithHead#namedParameters()} (computed once per layout). */
    public List<Entry> entries() { return ENTRIES.computeIfAbsent(this, LstmLayout::computeEntries); }

    private List<Entry> computeEntries() {
        List<Entry> out = new ArrayList<>();
        int at = 0, g = 4 * hidden;
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? input : hidden;
            for (Object[] t : new Object[][] {{"weight_ih", new int[] {g, in}}, {"weight_hh", new int[] {g, hidden}}, {"bias_ih", new int[] {g}}, {"bias_hh", new int[] {g}}}) {
                Entry e = new Entry("lstm." + t[0] + "_l" + l, (int[]) t[1], at);
                out.add(e);
                at += e.size();
            }
        }
        Entry w = new Entry("linear.weight", new int[] {output, hidden}, at);
        out.add(w);
        out.add(new Entry("linear.bias", new int[] {output}, at + w.size()));
        return List.copyOf(out);
    }

    /** Length of the flat vector. */
    public int size() {
        Entry last = entries().getLast();
        return last.offset() + last.size();
    }

    public Entry entry(String name) {
        return entries().stream().filter(e -> e.name().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no tensor '" + name + "' in " + this));
    }

    // Offsets in the flat vector, by arithmetic on the layout (the one place that knows the order above).

    /** Where layer l's tensors start: each earlier layer holds W_ih [4H, in], W_hh [4H, H] and two biases [4H]. */
    private int layerStart(int l) {
        int g = 4 * hidden, at = 0;
        for (int e = 0; e < l; e++) at += g * ((e == 0 ? input : hidden) + hidden + 2);
        return at;
    }

    public int weightIh(int l) { return layerStart(l); }
    public int weightHh(int l) { return layerStart(l) + 4 * hidden * (l == 0 ? input : hidden); }
    public int biasIh(int l) { return weightHh(l) + 4 * hidden * hidden; }
    public int biasHh(int l) { return biasIh(l) + 4 * hidden; }
    public int headWeight() { return layerStart(layers); }
    public int headBias() { return headWeight() + output * hidden; }

    /** A freshly initialised model of this shape. */
    public LstmWithHead newModel(Rng rng) { return new LstmWithHead(input, hidden, layers, output, rng); }

    /** The model's parameters as one flat vector. */
    public float[] flatten(LstmWithHead model) {
        Map<String, Tensor> named = model.namedParameters();
        float[] flat = new float[size()];
        for (Entry e : entries()) {
            Tensor t = named.get(e.name());
            if (t == null || t.size() != e.size()) throw new IllegalArgumentException("model does not have the layout " + this + " (tensor " + e.name() + ")");
            System.arraycopy(t.toArray(), 0, flat, e.offset(), e.size());
        }
        return flat;
    }

    /** Copies a flat vector (from {@code offset}) into the model's parameters. */
    public void load(LstmWithHead model, float[] flat, int offset) {
        if (flat.length - offset < size()) throw new IllegalArgumentException("flat vector has " + (flat.length - offset) + " values, layout " + this + " needs " + size());
        Map<String, Tensor> named = model.namedParameters();
        for (Entry e : entries()) {
            Tensor t = named.get(e.name());
            if (t == null || t.size() != e.size()) throw new IllegalArgumentException("model does not have the layout " + this + " (tensor " + e.name() + ")");
            t.copyFrom(java.util.Arrays.copyOfRange(flat, offset + e.offset(), offset + e.offset() + e.size()));
        }
    }
}
