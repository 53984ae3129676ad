package zooscope.encoders;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zooscope.engine.Grad;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.io.FormatException;
import zooscope.engine.io.NdArray;
import zooscope.engine.io.Safetensors;
import zooscope.engine.nn.Module;

class ReferenceNamesTest {
    static final ProbedModel[] MODELS = {ProbedModel.FORMAL, ProbedModel.MNIST};
    /** The reference's buffers: in its state dict, not counted as parameters. */
    static final List<String> BUFFERS = List.of("quantiles");
    /** PAPER.md §16.8, formal languages and MNIST. */
    static final Map<String, long[]> PARAMETERS = Map.of(
        "statistics", new long[] {11_152, 11_152},
        "flat", new long[] {1_797_264, 1_978_000},
        "transformer", new long[] {1_276_688, 1_278_480},
        "dws", new long[] {1_279_736, 1_282_400},
        "noninteractive", new long[] {1_147_030, 1_156_512},
        "interactive", new long[] {1_147_030, 1_156_512},
        "emulator", new long[] {1_060_358, 1_063_946});

    /** One row of the doc's tables. */
    record Row(String key, long[] formal, long[] mnist) {
        long[] shape(ProbedModel m) { return m == ProbedModel.MNIST ? mnist : formal; }
    }

    /** spec/reference_state_dicts.md's tables, per section in the doc's order (from the test resource). */
    static Map<String, List<Row>> doc() throws IOException {
        Map<String, List<Row>> out = new LinkedHashMap<>();
        try (var in = new BufferedReader(new InputStreamReader(ReferenceNamesTest.class.getResourceAsStream("/reference_state_dicts.tsv"), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) continue;
                String[] f = line.split("\t");
                out.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new Row(f[1], shape(f[2]), shape(f[3])));
            }
        }
        return out;
    }

    static long[] shape(String s) {
        return Arrays.stream(s.replaceAll("[\\[\\] ]", "").split(",")).mapToLong(Long::parseLong).toArray();
    }

    static Module module(String section, ProbedModel m, long seed) {
        return section.equals("emulator") ? Emulator.of(m, 256, 2, new Rng(seed)) : Encoders.create(section, m, new Rng(seed));
    }

    static Map<String, NdArray> toReference(String section, Module mod) {
        return mod instanceof Emulator e ? ReferenceNames.toReference(e) : ReferenceNames.toReference(section, (WeightEncoder) mod);
    }

    static void fromReference(String section, Module mod, Map<String, NdArray> state, Path file) throws FormatException {
        if (mod instanceof Emulator e) ReferenceNames.fromReference(e, state, file);
        else ReferenceNames.fromReference(section, (WeightEncoder) mod, state, file);
    }

    @Test
    void keysAndShapesAreTheDocs() throws IOException {
        Map<String, List<Row>> doc = doc();
        assertEquals(List.of("interactive", "noninteractive", "dws", "flat", "transformer", "statistics", "emulator"), List.copyOf(doc.keySet()));
        for (var section : doc.entrySet()) {
            for (ProbedModel m : MODELS) {
                Map<String, NdArray> ref = toReference(section.getKey(), module(section.getKey(), m, 1));
                String where = section.getKey() + ", " + m.name();
                assertEquals(section.getValue().stream().map(Row::key).toList(), List.copyOf(ref.keySet()), where + ": keys and their order");
                for (Row r : section.getValue()) assertArrayEquals(r.shape(m), ref.get(r.key()).shape(), where + ": " + r.key());
            }
        }
    }

    /**
     * The small preset's transformer (d 32, 1 head, 1 layer) has the reference's keys and shapes at those
     * sizes: the doc's transformer table with layers 1–5 dropped and the widths scaled (d 128 → 32, the
     * attention's 3·d 384 → 96, the feed-forward 4·d 512 → 128, the reference's fixed ratio).
     */
    @Test
    void theSmallTransformerHasTheReferenceShapesAtD32() throws IOException {
        Map<Long, Long> scaled = Map.of(128L, 32L, 384L, 96L, 512L, 128L);
        for (ProbedModel m : MODELS) {
            Map<String, NdArray> ref = ReferenceNames.toReference("transformer", Encoders.create("transformer", m, 1, true, new Rng(1)));
            List<Row> rows = doc().get("transformer").stream().filter(r -> !r.key().matches("transformer\\.layers\\.[1-9].*")).toList();
            assertEquals(rows.stream().map(Row::key).toList(), List.copyOf(ref.keySet()), m.name() + ": keys and their order");
            for (Row r : rows) {
                long[] expected = Arrays.stream(r.shape(m)).map(n -> scaled.getOrDefault(n, n)).toArray();
                assertArrayEquals(expected, ref.get(r.key()).shape(), m.name() + ": " + r.key());
            }
        }
    }

    @Test
    void parameterCountsMatchThePaper() throws IOException {
        for (var section : doc().entrySet()) {
            for (int k = 0; k < 2; k++) {
                ProbedModel m = MODELS[k];
                long docCount = section.getValue().stream().filter(r -> !BUFFERS.contains(r.key())).mapToLong(r -> NdArray.elements(r.shape(m))).sum();
                String where = section.getKey() + ", " + m.name();
                assertEquals(PARAMETERS.get(section.getKey())[k], docCount, where + ": the doc's tables");
                assertEquals(docCount, module(section.getKey(), m, 1).parameterCount(), where + ": zooscope's module");
            }
        }
    }

    /** A (seed 1) → reference state dict → safetensors file → B (seed 2): same parameters, same function. */
    @Test
    void roundTripsAreExact(@TempDir Path dir) throws IOException {
        List<String> sections = new ArrayList<>(doc().keySet());
        sections.add("statistics-768"); // not in the doc, same naming rule
        for (String section : sections) {
            for (ProbedModel m : MODELS) {
                String where = section + ", " + m.name();
                Module a = module(section, m, 1), b = module(section, m, 2);
                Path file = dir.resolve(section + "-" + m.name() + ".safetensors");
                Safetensors.write(file, toReference(section, a), Map.of());
                fromReference(section, b, Safetensors.read(file).tensors(), file);
                Map<String, float[]> sa = a.stateDict(), sb = b.stateDict();
                assertEquals(sa.keySet(), sb.keySet(), where);
                sa.forEach((k, v) -> assertArrayEquals(v, sb.get(k), where + ": " + k));
                assertArrayEquals(outputs(a, m), outputs(b, m), where + ": outputs");
            }
        }
    }

    /** The module's outputs on a few random inputs, in eval mode. */
    static float[] outputs(Module mod, ProbedModel m) {
        mod.train(false);
        Rng rng = new Rng(7);
        try (var off = Grad.off()) {
            if (mod instanceof Emulator e) {
                return e.forward(Tensor.uniform(rng, 0, 1, 2, 5, m.layout().input()), Tensor.normal(rng, 1, 2, WeightEncoder.EMBEDDING)).toArray();
            }
            return ((WeightEncoder) mod).encode(Tensor.normal(rng, 0.2, 3, m.layout().size())).toArray();
        }
    }

    @Test
    void badStateDictsAreRefusedNamingTheKey() throws IOException {
        Path file = Path.of("trained.safetensors");
        for (String section : doc().keySet()) {
            for (ProbedModel m : MODELS) {
                String where = section + ", " + m.name();
                Module a = module(section, m, 1), b = module(section, m, 2);
                Map<String, NdArray> good = toReference(section, a);
                Map<String, float[]> before = b.stateDict();
                String first = good.keySet().iterator().next(), last = List.copyOf(good.keySet()).getLast();

                Map<String, NdArray> missing = new LinkedHashMap<>(good);
                missing.remove(last);
                assertRefused(section, b, missing, file, last, Arrays.toString(good.get(last).shape()), where + ", missing");

                Map<String, NdArray> extra = new LinkedHashMap<>(good);
                extra.put("extra.weight", NdArray.ofFloats(new float[1], 1));
                assertRefused(section, b, extra, file, "extra.weight", "expected", where + ", extra");

                Map<String, NdArray> wrong = new LinkedHashMap<>(good);
                long[] s = good.get(first).shape();
                s[0]++;
                wrong.put(first, NdArray.ofFloats(new float[Math.toIntExact(NdArray.elements(s))], s));
                assertRefused(section, b, wrong, file, first, "expected " + Arrays.toString(good.get(first).shape()), where + ", wrong shape");

                // nothing was loaded by the refused calls
                b.stateDict().forEach((k, v) -> assertArrayEquals(before.get(k), v, where + ": " + k + " changed by a refused load"));
            }
        }
        // a buffer must hold its fixed values
        WeightEncoder stats = Encoders.create("statistics", ProbedModel.FORMAL, new Rng(1));
        Map<String, NdArray> state = new LinkedHashMap<>(ReferenceNames.toReference("statistics", stats));
        state.put("quantiles", NdArray.ofFloats(new float[] {0, 0.1f, 0.5f, 0.9f, 1}, 5));
        assertRefused("statistics", stats, state, file, "quantiles", "expected [0.0, 0.25, 0.5, 0.75, 1.0]", "statistics quantiles");
    }

    static void assertRefused(String section, Module mod, Map<String, NdArray> state, Path file, String key, String expected, String where) {
        FormatException e = assertThrows(FormatException.class, () -> fromReference(section, mod, state, file), where);
        assertTrue(e.getMessage().startsWith(file + ": " + key + ": "), where + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(expected), where + ": " + e.getMessage());
    }

    /** The mappings that are more than a renaming, element by element. */
    @Test
    void reshapedEntriesHoldTheRightValues() {
        Map<String, NdArray> q = ReferenceNames.toReference("statistics", Encoders.create("statistics", ProbedModel.FORMAL, new Rng(1)));
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1}, q.get("quantiles").toFloats());

        WeightEncoder dws = Encoders.create("dws", ProbedModel.MNIST, new Rng(1));
        Map<String, float[]> zs = dws.stateDict();
        Map<String, NdArray> ref = ReferenceNames.toReference("dws", dws);
        int X = 16, O = 10, C = 48;
        float[] in = ref.get("np_model.2.in_embed").toFloats(), out = ref.get("np_model.2.out_embed").toFloats(), ob = ref.get("np_model.2.out_bias_embed").toFloats();
        for (int c = 0; c < C; c++) {
            for (int x = 0; x < X; x++) assertEquals(zs.get("layers.1.in_embed")[x * C + c], in[c * X + x]);       // [1, 1, X, C] → [1, C, 1, X]
            for (int o = 0; o < O; o++) assertEquals(zs.get("layers.1.out_embed")[o * C + c], out[c * O + o]);     // [1, O, 1, C] → [1, C, O, 1]
            for (int o = 0; o < O; o++) assertEquals(zs.get("layers.1.out_bias_embed")[o * C + c], ob[c * O + o]); // [1, O, C] → [1, C, O]
        }
        assertArrayEquals(zs.get("layers.0.i2h.1.R.weight"), ref.get("np_model.0.i2h_layer_1_r.weight").toFloats());
        assertArrayEquals(zs.get("layers.3.h2h.1.Ab.bias"), ref.get("np_model.6.h2h_bias_1_rc.bias").toFloats());

        WeightEncoder probing = Encoders.create("interactive", ProbedModel.FORMAL, new Rng(1));
        float[] init = probing.stateDict().get("unused_initial_state");
        ref = ReferenceNames.toReference("interactive", probing);
        assertArrayEquals(Arrays.copyOfRange(init, 0, 512), ref.get("h0").toFloats());
        assertArrayEquals(Arrays.copyOfRange(init, 512, 1024), ref.get("c0").toFloats());
        assertArrayEquals(probing.stateDict().get("static_probes"), ref.get("probing_encodings").toFloats());
    }

    @Test
    void aMismatchedEncoderIsRefused() {
        WeightEncoder stats768 = Encoders.create("statistics-768", ProbedModel.FORMAL, new Rng(1));
        var e = assertThrows(IllegalArgumentException.class, () -> ReferenceNames.toReference("statistics", stats768));
        assertTrue(e.getMessage().contains("mlp.4.weight"), e.getMessage());
        WeightEncoder interactive = Encoders.create("interactive", ProbedModel.FORMAL, new Rng(1));
        assertThrows(IllegalArgumentException.class, () -> ReferenceNames.toReference("noninteractive", interactive));
        assertThrows(IllegalArgumentException.class, () -> ReferenceNames.toReference("dws", interactive));
    }
}
