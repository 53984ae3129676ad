package zooscope.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The C kernels of the {@code native} module (libzooscope.so, built by gcc during the Maven build),
 * bound through the FFM API. Heap float arrays are passed without copying (critical downcalls).
 * {@link #load()} never throws: without the library (another OS, a build without gcc) it is empty and
 * {@link #unavailableReason()} says why, so callers fall back to the Java backends.
 */
public final class NativeKernels {
    /** Must equal {@code zs_abi_version()} in zooscope.c. */
    static final int ABI_VERSION = 1;
    static final String RESOURCE = "/native/linux-x86_64/libzooscope.so";

    private static volatile Optional<NativeKernels> instance;
    private static volatile String reason = "not loaded yet";

    private final MethodHandle axpy;

    private NativeKernels(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        Linker.Option critical = Linker.Option.critical(true);
        axpy = linker.downcallHandle(lib.find("zs_axpy").orElseThrow(),
            FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, ValueLayout.ADDRESS), critical);
    }

    /** The library, loaded once per process; empty where it cannot be loaded. */
    public static Optional<NativeKernels> load() {
        if (instance == null) {
            synchronized (NativeKernels.class) {
                if (instance == null) instance = tryLoad();
            }
        }
        return instance;
    }

    /** Why {@link #load()} is empty (or "loaded"). */
    public static String unavailableReason() {
        load();
        return reason;
    }

    private static Optional<NativeKernels> tryLoad() {
        try {
            if (!System.getProperty("os.name", "").toLowerCase().contains("linux") || !"amd64".equals(System.getProperty("os.arch"))) {
                reason = "libzooscope.so is built for linux-x86_64 only";
                return Optional.empty();
            }
            String override = System.getProperty("zooscope.native.path");
            Path lib = override != null ? Path.of(override) : extract();
            if (lib == null) {
                reason = "resource " + RESOURCE + " missing (the native module was built without gcc?)";
                return Optional.empty();
            }
            SymbolLookup lookup = SymbolLookup.libraryLookup(lib, Arena.global());
            MethodHandle version = Linker.nativeLinker().downcallHandle(lookup.find("zs_abi_version").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
            int v = (int) version.invokeExact();
            if (v != ABI_VERSION) {
                reason = lib + " has ABI version " + v + ", expected " + ABI_VERSION + " (stale build?)";
                return Optional.empty();
            }
            NativeKernels k = new NativeKernels(lookup);
            reason = "loaded";
            return Optional.of(k);
        } catch (Throwable e) { // any failure to load means: use the Java backends
            reason = "cannot load libzooscope.so: " + e;
            return Optional.empty();
        }
    }

    private static Path extract() throws IOException {
        try (InputStream in = NativeKernels.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return null;
            Path tmp = Files.createTempFile("libzooscope", ".so");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        }
    }

    /** y[yOff..] += alpha·x[xOff..], n elements (C, vectorised by gcc with run-time ISA dispatch). */
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        if (xOff < 0 || yOff < 0 || n < 0 || xOff + n > x.length || yOff + n > y.length) {
            throw new IndexOutOfBoundsException("axpy of " + n + " at offsets " + xOff + ", " + yOff);
        }
        try {
            axpy.invokeExact(n, alpha, MemorySegment.ofArray(x).asSlice(4L * xOff), MemorySegment.ofArray(y).asSlice(4L * yOff));
        } catch (Throwable e) {
            throw new IllegalStateException("native axpy failed", e);
        }
    }
}
