package zooscope.kernels;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import zooscope.kernels.cuda.CudaBackend;

/**
 * Chooses the backend at run time. Default: {@code native} where its library loads and runs its AVX-512
 * path (measured fastest, bench/README.md), else {@code vector}; force one with
 * {@code -Dzooscope.backend=native|vector|scalar|cuda} or the CLI's {@code --backend}. {@code cuda} (the GPU,
 * {@link zooscope.kernels.cuda.CudaBackend}) is never the default: it is chosen by name.
 */
public final class Backends {
    /** Names accepted by {@link #byName}: the CPU backends fastest first, then the GPU. */
    public static final List<String> NAMES = List.of("native", "vector", "scalar", "cuda");

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

    /** The names of the backends that can run here, in {@link #NAMES}' order. */
    public static List<String> available() {
        return NAMES.stream().filter(n -> switch (n) {
            case "native" -> NativeBackend.load().isPresent();
            case "cuda" -> CudaBackend.load().isPresent();
            default -> true;
        }).toList();
    }

    /** Makes {@code backend} the one in use for the whole process. */
    public static void use(Backend backend) { current = backend; }

    private static final Backend SCALAR = new ScalarBackend(), VECTOR = new VectorBackend();

    /**
     * The named backend (one instance per name: tensors made under it stay usable after switching back);
     * the message of the exception lists the valid names.
     */
    public static Backend byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "scalar" -> SCALAR;
            case "vector" -> VECTOR;
            case "native" -> NativeBackend.load().orElseThrow(() -> new IllegalArgumentException(
                "backend 'native' is not available here: " + NativeBackend.unavailableReason()));
            case "cuda" -> CudaBackend.load().orElseThrow(() -> new IllegalArgumentException(
                "backend 'cuda' is not available here: " + CudaBackend.unavailableReason()));
            default -> throw new IllegalArgumentException(
                "unknown backend '" + name + "' (zooscope.backend): expected one of " + NAMES);
        };
    }

    /**
     * Threads for running whole models side by side, one per core (the multi-model trainer, the zoo's
     * evaluation): the host backends do not split a GEMM called on them (they split large GEMMs called
     * elsewhere over the cores), since the models already keep every core busy.
     */
    public static ThreadFactory modelWorkers(String name) { return ParallelGemm.modelWorkers(name); }

    /**
     * body(m) for m in [0, models): on a host backend spread over the cores, each m whole on one thread (its GEMMs
     * then run unsplit, which gives the same bits), so the result does not depend on the split; on other
     * backends in order on the calling thread. For the per-model parts of a group of models trained together.
     */
    public static void forEachModel(Backend k, int models, java.util.function.IntConsumer body) {
        if (k instanceof HostBackend) ParallelGemm.forRows(models, Long.MAX_VALUE, body);
        else for (int m = 0; m < models; m++) body.accept(m);
    }
}
