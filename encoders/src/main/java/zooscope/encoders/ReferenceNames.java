package zooscope.encoders;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import zooscope.engine.Tensor;
import zooscope.engine.io.DType;
import zooscope.engine.io.FormatException;
import zooscope.engine.io.NdArray;
import zooscope.engine.nn.Module;

/**
 * Trained encoders and emulators as state dicts of the reference PyTorch implementation: its keys, in its
 * modules' order, with its shapes (spec/reference_state_dicts.md), so that they load with strict loading
 * into the reference's modules, and back. Every zooscope parameter element is one reference element and
 * vice versa (a bijection, checked), so round trips are exact; buffers (the statistics encoder's
 * {@code quantiles}) are written with their values and checked on loading.
 *
 * <p>Readings that the key and shape table alone cannot confirm (each the order PAPER.md gives, which
 * zooscope follows; a different order in the reference would permute inputs of the first layer of a map):
 * <ul>
 * <li>statistics: features tensor-major in §3 order, per tensor mean, variance, then the 5 quantiles;</li>
 * <li>transformer: a token is a weight row followed by its bias entry; tokens l0 ih, l0 hh, l1 ih, l1 hh,
 *     head, compression token last (one input transformation per matrix, named as in the table);</li>
 * <li>DWS: gate g of a (4H, n) LSTM tensor is channel g; a concatenated set input (`_r`, `_c`, `bias`,
 *     `_rc`) is set-major, channel-minor (index = set·C_in + c, as torch.cat along the channel axis of
 *     [B, C, n] summaries gives), with the sets in §8.4's order and g = means of W_ih0, W_hh0, W_ih1, W_hh1,
 *     W_out, then b_ih0, b_hh0, b_ih1, b_hh1, b_out; {@code _r} is R (row means, indexed by columns),
 *     {@code _c} is K (column means, indexed by rows), {@code _rc} is A, {@code bias_l} Kb, {@code bias_l_rc}
 *     Ab; the pooled 480 are tensor-major (§3 order), channel-minor;</li>
 * <li>probing: zooscope's unused initial state [2, 2, 256] is (h, c) × layer: [0] ↔ h0, [1] ↔ c0 (the
 *     reference starts from zeros, so these values never change the function).</li>
 * </ul>
 */
public final class ReferenceNames {
    private ReferenceNames() {}

    /** Every key of the reference's state dict for encoder {@code encoderName}, in its order, values from {@code enc}. */
    public static Map<String, NdArray> toReference(String encoderName, WeightEncoder enc) { return mapping(encoderName, enc).export(); }

    /** The emulator's reference state dict (its names are already the reference's). */
    public static Map<String, NdArray> toReference(Emulator emulator) { return emulatorMapping(emulator).export(); }

    /**
     * Loads a reference state dict into {@code enc}, strictly: every key present with its exact shape, no
     * other key, floating-point values, buffers with their fixed values; else nothing is changed and a
     * {@link FormatException} names {@code file} (for the message), the key and what was expected.
     */
    public static void fromReference(String encoderName, WeightEncoder enc, Map<String, NdArray> state, Path file) throws FormatException {
        mapping(encoderName, enc).load(state, file);
    }

    /** As {@link #fromReference(String, WeightEncoder, Map, Path)} for the emulator. */
    public static void fromReference(Emulator emulator, Map<String, NdArray> state, Path file) throws FormatException {
        emulatorMapping(emulator).load(state, file);
    }

    // ------------------------------------------------------------------ the mappings

    private static Mapping mapping(String name, WeightEncoder enc) {
        Mapping m = new Mapping("'" + name + "' encoder", enc);
        int L = enc.model().layout().layers();
        switch (name) {
            case "statistics", "statistics-768" -> {
                m.require(enc instanceof StatisticsEncoder);
                float[] q = new float[StatisticsEncoder.QUANTILES.length];
                for (int i = 0; i < q.length; i++) q[i] = (float) StatisticsEncoder.QUANTILES[i];
                m.buffer("quantiles", q);
                m.mlp("mlp_model", "mlp", name.equals("statistics") ? 2 : 4); // statistics-768: not in the table, same naming rule
            }
            case "flat" -> {
                m.require(enc instanceof FlatEncoder);
                m.mlp("mlp_model", "mlp", 4);
            }
            case "transformer" -> {
                m.require(enc instanceof ParameterTransformer);
                m.same("compression_token", "compression_token");
                m.same("positional_encoding", "positional_embedding");
                for (int i = 0; i <= 2 * L; i++) {
                    String matrix = i == 2 * L ? "linear" : "lstm_cells_" + i / 2 + (i % 2 == 0 ? "_i2h" : "_h2h");
                    m.linear("input_transformations." + matrix, "embeddings." + i);
                }
                m.renamed("layers.", "transformer.layers.");
                m.linear("output_projection", "output");
            }
            case "dws" -> {
                m.require(enc instanceof DwsEncoder);
                int X = enc.model().layout().input(), O = enc.model().layout().output();
                for (int i = 0; m.params.containsKey("layers." + i + ".in_embed"); i++) {
                    String r = "np_model." + 2 * i + ".", z = "layers." + i + ".";
                    int cin = m.shape(z + "in_embed")[3];
                    // zooscope keeps channels last ([1, rows, cols, C]); the reference channels first ([1, C, rows, cols])
                    m.transposed(r + "in_embed", z + "in_embed", X, cin, 1, cin, 1, X);
                    m.transposed(r + "out_embed", z + "out_embed", O, cin, 1, cin, O, 1);
                    m.transposed(r + "out_bias_embed", z + "out_bias_embed", O, cin, 1, cin, O);
                    for (String kind : new String[] {"i2h", "h2h"}) {
                        for (int l = 0; l < (kind.equals("i2h") ? L + 1 : L); l++) {
                            String[] ref = {"_layer_" + l, "_layer_" + l + "_rc", "_layer_" + l + "_r", "_layer_" + l + "_c", "_bias_" + l, "_bias_" + l + "_rc"};
                            String[] zs = {"P", "A", "R", "K", "Kb", "Ab"};
                            int[] kernelDims = {2, 0, 1, 1, 1, 0}; // Conv2d 1×1, Linear, Conv1d k = 1, …
                            for (int j = 0; j < 6; j++) {
                                String from = z + kind + "." + l + "." + zs[j];
                                int[] w = m.shape(from + ".weight");
                                long[] shape = kernelDims[j] == 2 ? new long[] {w[0], w[1], 1, 1} : kernelDims[j] == 1 ? new long[] {w[0], w[1], 1} : new long[] {w[0], w[1]};
                                m.same(r + kind + ref[j] + ".weight", from + ".weight", shape);
                                m.same(r + kind + ref[j] + ".bias", from + ".bias");
                            }
                        }
                    }
                }
                m.mlp("mlp_model", "head", 2);
            }
            case "noninteractive", "interactive" -> {
                m.require(enc instanceof ProbingEncoder p && p.interactive() == name.equals("interactive"));
                int core = m.shape("bos")[0];
                m.same("bos", "bos", 1, core);
                m.same("eos", "eos", 1, core);
                m.part("h0", "unused_initial_state", 0, 2, 1, core);
                m.part("c0", "unused_initial_state", 2 * core, 2, 1, core);
                m.same("probing_encodings", "static_probes");
                for (int c = 0; c < 2; c++) m.renamed("interrogator." + c + ".", "rnn_cells." + c + ".cell.");
                m.linear("probing_output_transform.0", "reader");
                m.linear("proj_up.0", "proj_up");
                m.linear("probing_input_decoder.0", "decoder.0");
                m.linear("probing_input_decoder.2", "decoder.2");
                m.linear("output_transform.0", "head.0");
                m.linear("output_transform.2", "head.2");
            }
            case "control" -> throw new IllegalArgumentException("the control encoder has no counterpart in the reference implementation (only the six encoders of the paper do)");
            default -> throw new IllegalArgumentException("unknown encoder '" + name + "': expected one of " + Encoders.NAMES);
        }
        return m.checked();
    }

    private static Mapping emulatorMapping(Emulator emulator) {
        Mapping m = new Mapping("emulator", emulator);
        m.renamed("", "");
        return m.checked();
    }

    /**
     * One reference entry: key, shape, and where its elements live: element i is element
     * {@code offset + i} (or {@code perm[i]}) of zooscope parameter {@code zsKey}, or a constant buffer.
     */
    private record Entry(String key, long[] shape, String zsKey, int offset, int[] perm, float[] constant) {
        int size() { return Math.toIntExact(NdArray.elements(shape)); }
        int source(int i) { return perm == null ? offset + i : perm[i]; }
    }

    /** The entries of one module's reference state dict, built in the reference's order. */
    private static final class Mapping {
        final String what;
        final Module module;
        final Map<String, Tensor> params;
        final List<Entry> entries = new ArrayList<>();

        Mapping(String what, Module module) {
            this.what = what;
            this.module = module;
            this.params = module.namedParameters();
        }

        IllegalArgumentException mismatch(String detail) {
            return new IllegalArgumentException("a reference state dict of the " + what + " cannot be made from this "
                + module.getClass().getSimpleName() + ": " + detail);
        }

        void require(boolean ok) { if (!ok) throw mismatch("wrong kind of encoder"); }

        int[] shape(String zs) {
            Tensor t = params.get(zs);
            if (t == null) throw mismatch("it has no parameter '" + zs + "'");
            return t.shape();
        }

        /** The whole parameter, elements in the same order; shape its own unless given. */
        void same(String key, String zs, long... shape) {
            int[] own = shape(zs);
            entries.add(new Entry(key, shape.length > 0 ? shape : Arrays.stream(own).asLongStream().toArray(), zs, 0, null, null));
        }

        /** A contiguous part of a parameter, from {@code offset}. */
        void part(String key, String zs, int offset, long... shape) {
            shape(zs);
            entries.add(new Entry(key, shape, zs, offset, null, null));
        }

        /** A parameter viewed as [rows, cols] whose reference tensor is its transpose [cols, rows] (of the given shape). */
        void transposed(String key, String zs, int rows, int cols, long... shape) {
            shape(zs);
            int[] perm = new int[rows * cols];
            for (int c = 0; c < cols; c++) for (int r = 0; r < rows; r++) perm[c * rows + r] = r * cols + c;
            entries.add(new Entry(key, shape, zs, 0, perm, null));
        }

        void buffer(String key, float[] values) { entries.add(new Entry(key, new long[] {values.length}, null, 0, null, values)); }

        void linear(String ref, String zs) {
            same(ref + ".weight", zs + ".weight");
            same(ref + ".bias", zs + ".bias");
        }

        /** nn.Sequential of Linear and ReLU: the {@code linears} Linear layers sit at 0, 2, 4, … */
        void mlp(String ref, String zs, int linears) {
            for (int i = 0; i < linears; i++) linear(ref + "." + 2 * i, zs + "." + 2 * i);
        }

        /** Every parameter under {@code zsPrefix}, in zooscope's order (which is the reference's), renamed. */
        void renamed(String zsPrefix, String refPrefix) {
            params.keySet().stream().filter(k -> k.startsWith(zsPrefix)).toList()
                .forEach(k -> same(refPrefix + k.substring(zsPrefix.length()), k));
        }

        /** Checks that the entries cover every parameter element exactly once. */
        Mapping checked() {
            Map<String, int[]> hits = new HashMap<>();
            for (Entry e : entries) {
                if (e.zsKey() == null) continue;
                int[] h = hits.computeIfAbsent(e.zsKey(), k -> new int[params.get(k).size()]);
                for (int i = 0; i < e.size(); i++) {
                    int s = e.source(i);
                    if (s < 0 || s >= h.length || h[s]++ > 0) throw mismatch("'" + e.key() + "' " + Arrays.toString(e.shape()) + " does not fit '" + e.zsKey() + "' " + Arrays.toString(params.get(e.zsKey()).shape()));
                }
            }
            params.forEach((k, t) -> {
                int[] h = hits.get(k);
                if (h == null || Arrays.stream(h).anyMatch(n -> n != 1)) throw mismatch("its parameter '" + k + "' " + Arrays.toString(t.shape()) + " has no place in the reference's state dict");
            });
            return this;
        }

        Map<String, NdArray> export() {
            Map<String, NdArray> out = new LinkedHashMap<>();
            for (Entry e : entries) {
                float[] v = e.constant() != null ? e.constant().clone() : new float[e.size()];
                if (e.constant() == null) {
                    Tensor t = params.get(e.zsKey());
                    float[] d = t.toArray(); // export: a host copy
                    for (int i = 0; i < v.length; i++) v[i] = d[e.source(i)];
                }
                out.put(e.key(), NdArray.ofFloats(v, e.shape()));
            }
            return out;
        }

        void load(Map<String, NdArray> state, Path file) throws FormatException {
            Set<String> keys = new LinkedHashSet<>();
            for (Entry e : entries) {
                keys.add(e.key());
                NdArray a = state.get(e.key());
                if (a == null) throw new FormatException(file, e.key(), "missing; expected a tensor of shape " + Arrays.toString(e.shape()));
                if (!Arrays.equals(a.shape(), e.shape())) throw new FormatException(file, e.key(), "shape " + Arrays.toString(a.shape()) + ", expected " + Arrays.toString(e.shape()));
                if (a.dtype() != DType.F32 && a.dtype() != DType.F16 && a.dtype() != DType.F64) {
                    throw new FormatException(file, e.key(), "dtype " + a.dtype() + ", expected a floating-point tensor (F32, F16 or F64)");
                }
                if (e.constant() != null && !Arrays.equals(a.toFloats(), e.constant())) {
                    throw new FormatException(file, e.key(), "buffer values " + Arrays.toString(a.toFloats()) + ", expected " + Arrays.toString(e.constant()));
                }
            }
            for (String k : state.keySet()) {
                if (!keys.contains(k)) throw new FormatException(file, k, "unknown key; expected exactly the " + keys.size() + " keys of the reference's " + what + " state dict");
            }
            Map<String, float[]> values = new LinkedHashMap<>();
            params.forEach((k, t) -> values.put(k, new float[t.size()]));
            for (Entry e : entries) {
                if (e.constant() != null) continue;
                float[] v = state.get(e.key()).toFloats(), to = values.get(e.zsKey());
                for (int i = 0; i < v.length; i++) to[e.source(i)] = v[i];
            }
            module.loadStateDict(values);
        }
    }
}
