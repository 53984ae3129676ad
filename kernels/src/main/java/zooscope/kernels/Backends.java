package zooscope.kernels;

import java.util.List;
import java.util.Locale;

/**
 * Chooses the backend at run time. Default: {@code native} where its library loads and runs its AVX-512
 * path (measured fastest, bench/README.md), else {@code vector}; force one with
 * {@code -Dzooscope.backend=native|vector|scalar} or the CLI's {@code --backend}.
 */
public final class Backends {
    /** Names accepted by {@link #byName}, fastest first. */
    public static final List<String> NAMES = List.of("native", "vector", "scalar");

    private static volatile Backend current;

    private Backends() {}

    /** The backend in use: the one set last, else the one {@code -Dzooscope.backend} names, else the default. */
    public static Backend current() {
        Backend b = current;
        if (b == null) {
            synchronized (Backends.class) {
                if (current == null) current = byName(System.getProperty("zooscope.backend", defaultName()));
                b = current;
            }
        }
        return b;
    }

    /** {@code native} where it loads with its AVX-512 path, else {@code vector}. */
    public static String defaultName() {
        return NativeBackend.load().filter(k -> k.isa().equals("avx512")).isPresent() ? "native" : "vector";
    }

    /** The names of the backends that can run here, fastest first. */
    public static List<String> available() {
        return NAMES.stream().filter(n -> !n.equals("native") || NativeBackend.load().isPresent()).toList();
    }

    /** Makes {@code backend} the one in use for the whole process. */
    public static void use(Backend backend) { current = backend; }

    /** A new instance of the named backend; the message of the exception lists the valid names. */
    public static Backend byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "scalar" -> new ScalarBackend();
            case "vector" -> new VectorBackend();
            case "native" -> NativeBackend.load().orElseThrow(() -> new IllegalArgumentException(
                "backend 'native' is not available here: " + NativeBackend.unavailableReason()));
            default -> throw new IllegalArgumentException(
                "unknown backend '" + name + "' (zooscope.backend): expected one of " + NAMES);
        };
    }
}
