package zooscope.kernels;

import java.util.List;
import java.util.Locale;

/**
 * Chooses the backend at run time. Default: the fastest available ({@code vector}); force one with
 * {@code -Dzooscope.backend=scalar|vector} or the CLI's {@code --backend}.
 */
public final class Backends {
    /** Names accepted by {@link #byName}, fastest first. */
    public static final List<String> NAMES = List.of("vector", "scalar");

    private static volatile Backend current;

    private Backends() {}

    /** The backend in use: the one set last, else the one {@code -Dzooscope.backend} names, else the default. */
    public static Backend current() {
        Backend b = current;
        if (b == null) {
            synchronized (Backends.class) {
                if (current == null) current = byName(System.getProperty("zooscope.backend", NAMES.getFirst()));
                b = current;
            }
        }
        return b;
    }

    /** Makes {@code backend} the one in use for the whole process. */
    public static void use(Backend backend) { current = backend; }

    /** A new instance of the named backend; the message of the exception lists the valid names. */
    public static Backend byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "scalar" -> new ScalarBackend();
            case "vector" -> new VectorBackend();
            default -> throw new IllegalArgumentException(
                "unknown backend '" + name + "' (zooscope.backend): expected one of " + NAMES);
        };
    }
}
