package zooscope.engine.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import zooscope.engine.Tensor;

/**
 * Base of the nn modules: named parameters and sub-modules in registration order, so that
 * {@link #namedParameters()} yields PyTorch's names and order (own parameters first, then each child's
 * with a {@code child.} prefix), a training flag, and state-dict load.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a parameter (marks it as requiring grad). */
    protected final Tensor parameter(String name, Tensor value) {
        params.put(name, value.requiresGrad());
        return value;
    }

    /** Registers a sub-module. */
    protected final <M extends Module> M child(String name, M module) {
        children.put(name, module);
        return module;
    }

    /** Every parameter under its dotted PyTorch name, in PyTorch's order. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>(params);
        children.forEach((name, m) -> m.namedParameters().forEach((k, v) -> out.put(name + "." + k, v)));
        return out;
    }

    public final List<Tensor> parameters() { return new ArrayList<>(namedParameters().values()); }

    /** Number of trainable scalars. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) n += t.size();
        return n;
    }

    public final void zeroGrad() { namedParameters().values().forEach(Tensor::zeroGrad); }

    /** Training mode (dropout active) or evaluation mode, for this module and all below it. */
    public final Module train(boolean on) {
        training = on;
        children.values().forEach(m -> m.train(on));
        return this;
    }

    public final boolean isTraining() { return training; }

    /**
     * Copies values into the parameters by name. Every parameter must be present with its exact size,
     * and no unknown name may appear; the message names the offending entry.
     */
    public final void loadStateDict(Map<String, float[]> state) {
        Map<String, Tensor> own = namedParameters();
        for (String name : state.keySet()) {
            if (!own.containsKey(name)) throw new IllegalArgumentException("state dict has unknown parameter '" + name + "'; expected " + own.keySet());
        }
        own.forEach((name, t) -> {
            float[] v = state.get(name);
            if (v == null) throw new IllegalArgumentException("state dict lacks parameter '" + name + "'");
            if (v.length != t.size()) {
                throw new IllegalArgumentException("parameter '" + name + "': " + v.length + " values, expected " + t.size()
                    + " for shape " + java.util.Arrays.toString(t.shape()));
            }
            t.copyFrom(v);
        });
    }

    /**
     * Restarts every random stream this module and its children own (dropout masks) from {@code seed},
     * so that a training step's randomness depends only on (seed, step), also after a resume. A group of G
     * models ({@link Init#group}) takes one seed per model: model g's streams restart as a solo module's would
     * from seeds[g].
     */
    public final void reseedRandomness(long... seeds) {
        reseedOwn(seeds);
        int i = 0;
        for (Module m : children.values()) {
            long[] child = new long[seeds.length];
            ++i;
            for (int g = 0; g < seeds.length; g++) child[g] = zooscope.engine.Rng.stream(seeds[g], i).nextLong();
            m.reseedRandomness(child);
        }
    }

    /** Modules owning random streams (one per model) restart them here. */
    protected void reseedOwn(long[] seeds) {}

    /** Restarts generators, one per model, from their seeds; refuses a seed count that is not the model count. */
    protected static void reseed(zooscope.engine.Rng[] rngs, long[] seeds) {
        if (seeds.length != rngs.length) throw new IllegalArgumentException(seeds.length + " seeds for a module of " + rngs.length + " model(s)");
        for (int g = 0; g < rngs.length; g++) rngs[g].reseed(seeds[g]);
    }

    /** Copies of all parameter values by name. */
    public final Map<String, float[]> stateDict() {
        Map<String, float[]> out = new LinkedHashMap<>();
        namedParameters().forEach((k, v) -> out.put(k, v.toArray()));
        return out;
    }
}
