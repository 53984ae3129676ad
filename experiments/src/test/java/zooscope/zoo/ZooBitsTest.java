package zooscope.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import zooscope.kernels.Backend;
import zooscope.kernels.Backends;
import zooscope.kernels.NativeBackend;
import zooscope.kernels.VectorBackend;
import zooscope.mnist.Mnist;

/**
 * The exact bits of two small zoos on every backend, recorded in {@code zoo_bits.tsv} (SHA-256 of every file)
 * before the engine's seam was redesigned: a refactoring of the engine must leave them unchanged. The bits
 * depend on the kernels' code path, so a record is keyed by backend and instruction set (native: its ISA;
 * vector: its lane count); a machine whose path has no record reports the test as skipped and prints the
 * lines to add. The scalar backend's cases take minutes and run only with {@code -Dzooscope.bits=all} (as
 * {@code .ci/run} does).
 */
class ZooBitsTest {
    @TempDir Path tmp;

    static Stream<Arguments> cases() {
        boolean all = "all".equals(System.getProperty("zooscope.bits"));
        return Backends.available().stream().filter(b -> all || !b.equals("scalar")).flatMap(b -> Stream.of(Arguments.of("formal", b), Arguments.of("mnist", b)));
    }

    @ParameterizedTest(name = "{0} zoo, {1}")
    @MethodSource("cases")
    void aSmallZooHasTheRecordedBits(String kind, String backendName) throws IOException {
        if (kind.equals("mnist")) {
            try {
                Mnist.locate(null);
            } catch (IOException unavailable) {
                abort(unavailable.getMessage());
            }
        }
        Backend backend = Backends.byName(backendName);
        String key = kind + "\t" + backendName + "/" + codePath(backend);
        Backend before = Backends.current();
        Path dir = tmp.resolve(kind);
        try {
            Backends.use(backend);
            // formal: 16 runs, updates 0..300; MNIST: 4 runs, updates 0..200; seed 1
            ZooGenerator.generate(dir, kind.equals("formal") ? new ZooGenerator.Options(ZooKind.FORMAL, 16, 1, 300)
                                                              : new ZooGenerator.Options(ZooKind.MNIST, 4, 1, 200));
        } finally {
            Backends.use(before);
        }
        Map<String, String> actual = hashes(dir);
        Map<String, String> recorded = recorded().getOrDefault(key, Map.of());
        if (recorded.isEmpty()) {
            StringBuilder lines = new StringBuilder();
            actual.forEach((f, h) -> lines.append(key).append('\t').append(f).append('\t').append(h).append('\n'));
            abort("no bits recorded for " + key.replace('\t', ' ') + "; lines for zoo_bits.tsv:\n" + lines);
        }
        assertEquals(recorded, actual, key.replace('\t', ' ') + ": the zoo's files changed");
    }

    static String codePath(Backend b) {
        return switch (b) {
            case NativeBackend n -> n.isa();
            case VectorBackend v -> VectorBackend.lanes() + "-lanes";
            default -> "any";
        };
    }

    /** SHA-256 of every file of the zoo folder, by name. */
    static Map<String, String> hashes(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) out.put(f.getFileName().toString(), Mnist.sha256(f));
        }
        return out;
    }

    /** zoo_bits.tsv: kind, backend/code path, file, SHA-256. */
    static Map<String, Map<String, String>> recorded() throws IOException {
        Map<String, Map<String, String>> out = new TreeMap<>();
        try (InputStream in = ZooBitsTest.class.getResourceAsStream("/zoo_bits.tsv")) {
            if (in == null) return out;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t");
                out.computeIfAbsent(f[0] + "\t" + f[1], k -> new TreeMap<>()).put(f[2], f[3]);
            }
        }
        return out;
    }
}
