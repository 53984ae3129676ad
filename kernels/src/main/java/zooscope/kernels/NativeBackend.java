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
import java.util.Locale;
import java.util.Optional;

/**
 * The C kernels of the {@code native} module (libzooscope.so, built by gcc during the Maven build),
 * bound through the FFM API: GEMM, the fused LSTM cell forward and backward, and axpy run in C; the
 * remaining, non-hot operations delegate to {@link VectorBackend}. Heap arrays are passed without
 * copying (critical downcalls). The library has a portable baseline and an AVX-512 path chosen at load
 * time; {@code -Dzooscope.native.isa=baseline|avx512|auto} or {@link #useIsa} force one.
 *
 * <p>{@link #load()} never throws: without the library (another OS, a build without gcc) it is empty
 * and {@link #unavailableReason()} says why.
 */
public final class NativeBackend extends HostBackend {
    /** Must equal ABI_VERSION in zooscope.c. */
    static final int ABI_VERSION = 2;
    static final String RESOURCE = "/native/linux-x86_64/libzooscope.so";
    private static final int ISA_AUTO = 0, ISA_BASELINE = 1, ISA_AVX512 = 2;

    private static volatile Optional<NativeBackend> instance;
    private static volatile String reason = "not loaded yet";

    private final HostBackend rest = new VectorBackend();
    private final MethodHandle sgemm, cellForward, cellBackward, axpy, setIsa, getIsa;

    private NativeBackend(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        Linker.Option critical = Linker.Option.critical(true);
        ValueLayout.OfInt I = ValueLayout.JAVA_INT;
        ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
        var A = ValueLayout.ADDRESS;
        sgemm = linker.downcallHandle(lib.find("zs_sgemm").orElseThrow(),
            FunctionDescriptor.ofVoid(I, I, I, I, I, F, A, I, I, A, I, I, F, A, I, I), critical);
        cellForward = linker.downcallHandle(lib.find("zs_lstm_cell_forward").orElseThrow(),
            FunctionDescriptor.ofVoid(I, I, A, I, A, I, A, I, A, I, A, I), critical);
        cellBackward = linker.downcallHandle(lib.find("zs_lstm_cell_backward").orElseThrow(),
            FunctionDescriptor.ofVoid(I, I, A, I, A, I, A, I, A, I, A, I, A, I, A, I), critical);
        axpy = linker.downcallHandle(lib.find("zs_axpy").orElseThrow(), FunctionDescriptor.ofVoid(I, F, A, I, A, I), critical);
        setIsa = linker.downcallHandle(lib.find("zs_set_isa").orElseThrow(), FunctionDescriptor.of(I, I));
        getIsa = linker.downcallHandle(lib.find("zs_isa").orElseThrow(), FunctionDescriptor.of(I));
    }

    /** The library, loaded once per process; empty where it cannot be loaded. */
    public static Optional<NativeBackend> load() {
        if (instance == null) {
            synchronized (NativeBackend.class) {
                if (instance == null) instance = tryLoad();
            }
        }
        return instance;
    }

    /** Why {@link #load()} is empty, or "loaded". */
    public static String unavailableReason() {
        load();
        return reason;
    }

    private static Optional<NativeBackend> tryLoad() {
        try {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux") || !"amd64".equals(System.getProperty("os.arch"))) {
                reason = "libzooscope.so is built for linux-x86_64 only";
                return Optional.empty();
            }
            String override = System.getProperty("zooscope.native.path");
            Path lib = override != null ? Path.of(override) : extract();
            if (lib == null) {
                reason = "resource " + RESOURCE + " missing (was the native module built without gcc?)";
                return Optional.empty();
            }
            SymbolLookup lookup;
            try {
                lookup = SymbolLookup.libraryLookup(lib, Arena.global());
            } finally {
                // the mapping outlives the file: delete the extracted copy now, so a killed JVM leaves none behind
                if (override == null) Files.deleteIfExists(lib);
            }
            MethodHandle version = Linker.nativeLinker().downcallHandle(lookup.find("zs_abi_version").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            int v = (int) version.invokeExact();
            if (v != ABI_VERSION) {
                reason = lib + " has ABI version " + v + ", expected " + ABI_VERSION + " (stale build?)";
                return Optional.empty();
            }
            NativeBackend k = new NativeBackend(lookup);
            k.useIsa(System.getProperty("zooscope.native.isa", "auto"));
            reason = "loaded";
            return Optional.of(k);
        } catch (IllegalArgumentException e) {
            reason = e.getMessage();
            return Optional.empty();
        } catch (Throwable e) { // any failure to load means: use the Java backends
            reason = "cannot load libzooscope.so: " + e;
            return Optional.empty();
        }
    }

    private static Path extract() throws IOException {
        try (InputStream in = NativeBackend.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return null;
            Path tmp = Files.createTempFile("libzooscope", ".so");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        }
    }

    /**
     * Chooses the C code path for the whole process: {@code auto} (AVX-512 where the CPU has it),
     * {@code baseline} or {@code avx512}. Returns the path now in use.
     */
    public String useIsa(String name) {
        int want = switch (name.toLowerCase(Locale.ROOT)) {
            case "auto" -> ISA_AUTO;
            case "baseline" -> ISA_BASELINE;
            case "avx512" -> ISA_AVX512;
            default -> throw new IllegalArgumentException("zooscope.native.isa must be auto, baseline or avx512, got '" + name + "'");
        };
        int got;
        try {
            got = (int) setIsa.invokeExact(want);
        } catch (Throwable e) {
            throw new IllegalStateException("zs_set_isa failed", e);
        }
        if (got < 0) throw new IllegalArgumentException("this CPU has no AVX-512 (zooscope.native.isa=avx512)");
        return got == ISA_AVX512 ? "avx512" : "baseline";
    }

    /** The C code path in use: {@code avx512} or {@code baseline}. */
    public String isa() {
        try {
            return (int) getIsa.invokeExact() == ISA_AVX512 ? "avx512" : "baseline";
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override public String name() { return "native"; }

    private static IllegalStateException failed(String what, Throwable e) {
        return new IllegalStateException("native " + what + " failed", e);
    }

    // The hot kernels in C, reached with heap segments of the arrays (no copy). Buffers keep their segment
    // (HostBuffer.segment(), made once), so a training loop allocates nothing; the array versions, used by
    // the kernel tests, wrap their arrays per call.

    private MemorySegment seg(Buffer b) { return b == null ? MemorySegment.NULL : ((HostBuffer) owned(b)).segment(); }

    private static MemorySegment seg(float[] a) { return a == null ? MemorySegment.NULL : MemorySegment.ofArray(a); }

    private void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int aOff, int lda,
                      MemorySegment b, int bOff, int ldb, float beta, MemorySegment c, int cOff, int ldc) {
        try {
            sgemm.invokeExact(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } catch (Throwable e) {
            throw failed("gemm", e);
        }
    }

    private void cellForward(int batch, int hidden, MemorySegment gates, int gOff, MemorySegment cPrev, int cpOff,
                             MemorySegment c, int cOff, MemorySegment tc, int tcOff, MemorySegment h, int hOff) {
        try {
            cellForward.invokeExact(batch, hidden, gates, gOff, cPrev, cpOff, c, cOff, tc, tcOff, h, hOff);
        } catch (Throwable e) {
            throw failed("LSTM cell forward", e);
        }
    }

    private void cellBackward(int batch, int hidden, MemorySegment acts, int aOff, MemorySegment cPrev, int cpOff,
                              MemorySegment tc, int tcOff, MemorySegment gh, int ghOff, MemorySegment gc, int gcOff,
                              MemorySegment dGates, int dgOff, MemorySegment gcPrev, int gcpOff) {
        try {
            cellBackward.invokeExact(batch, hidden, acts, aOff, cPrev, cpOff, tc, tcOff, gh, ghOff, gc, gcOff, dGates, dgOff, gcPrev, gcpOff);
        } catch (Throwable e) {
            throw failed("LSTM cell backward", e);
        }
    }

    private void axpy(int n, float alpha, MemorySegment x, int xOff, MemorySegment y, int yOff) {
        try {
            axpy.invokeExact(n, alpha, x, xOff, y, yOff);
        } catch (Throwable e) {
            throw failed("axpy", e);
        }
    }

    @Override
    public void gemmHere(boolean transA, boolean transB, int m, int n, int k, float alpha, Buffer a, int aOff, int lda,
                            Buffer b, int bOff, int ldb, float beta, Buffer c, int cOff, int ldc) {
        gemm(transA, transB, m, n, k, alpha, seg(a), aOff, lda, seg(b), bOff, ldb, beta, seg(c), cOff, ldc);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        gemm(transA, transB, m, n, k, alpha, seg(a), aOff, lda, seg(b), bOff, ldb, beta, seg(c), cOff, ldc);
    }

    @Override
    public void lstmCellForward(int batch, int hidden, Buffer gates, int gOff, Buffer cPrev, int cpOff,
                                Buffer c, int cOff, Buffer tc, int tcOff, Buffer h, int hOff) {
        cellForward(batch, hidden, seg(gates), gOff, seg(cPrev), cpOff, seg(c), cOff, seg(tc), tcOff, seg(h), hOff);
    }

    @Override
    public void lstmCellForward(int batch, int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                                float[] c, int cOff, float[] tc, int tcOff, float[] h, int hOff) {
        cellForward(batch, hidden, seg(gates), gOff, seg(cPrev), cpOff, seg(c), cOff, seg(tc), tcOff, seg(h), hOff);
    }

    @Override
    public void lstmCellBackward(int batch, int hidden, Buffer acts, int aOff, Buffer cPrev, int cpOff,
                                 Buffer tc, int tcOff, Buffer gh, int ghOff, Buffer gc, int gcOff,
                                 Buffer dGates, int dgOff, Buffer gcPrev, int gcpOff) {
        cellBackward(batch, hidden, seg(acts), aOff, seg(cPrev), cpOff, seg(tc), tcOff, seg(gh), ghOff,
            seg(gc), gcOff, seg(dGates), dgOff, seg(gcPrev), gcpOff);
    }

    @Override
    public void lstmCellBackward(int batch, int hidden, float[] acts, int aOff, float[] cPrev, int cpOff,
                                 float[] tc, int tcOff, float[] gh, int ghOff, float[] gc, int gcOff,
                                 float[] dGates, int dgOff, float[] gcPrev, int gcpOff) {
        cellBackward(batch, hidden, seg(acts), aOff, seg(cPrev), cpOff, seg(tc), tcOff, seg(gh), ghOff,
            seg(gc), gcOff, seg(dGates), dgOff, seg(gcPrev), gcpOff);
    }

    /**
     * Below this length a call into C costs more than the loop (a broadcast's backward adds runs of a few
     * channels, tens of thousands per update): such runs are added here, by the C loop's rule, a fused
     * multiply-add per element, so the bits are the same either way.
     */
    static final int SHORT_AXPY = 64;

    @Override
    public void axpy(int n, float alpha, Buffer x, int xOff, Buffer y, int yOff) {
        if (n < SHORT_AXPY) axpy(n, alpha, array(x), xOff, array(y), yOff);
        else axpy(n, alpha, seg(x), xOff, seg(y), yOff);
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        if (n >= SHORT_AXPY) { axpy(n, alpha, seg(x), xOff, seg(y), yOff); return; }
        for (int i = 0; i < n; i++) y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }

    // the Vector API's: its per-element rule (one fma) is this backend's axpy; its sums are float64 in order, as every host backend's
    @Override protected void addRepeated(int n, int m, float alpha, float[] s, int sp, float[] d, int dp) { rest.addRepeated(n, m, alpha, s, sp, d, dp); }
    @Override protected void sumRows(float[] x, int base, int reduced, int inner, double[] acc, double[] mean) { rest.sumRows(x, base, reduced, inner, acc, mean); }
    @Override protected void addRuns(int n, int m, float alpha, float[] s, int sp, float[] d, int dp) { rest.addRuns(n, m, alpha, s, sp, d, dp); }

    // ---------------------------------------------------------------- not hot: the Vector API kernels

    @Override public void unary(Unary op, float[] x, int xOff, float[] y, int yOff, int n) { rest.unary(op, x, xOff, y, yOff, n); }

    @Override
    public void unaryBackward(Unary op, float[] x, int xOff, float[] y, int yOff, float[] gy, int gyOff, float[] gx, int gxOff, int n) {
        rest.unaryBackward(op, x, xOff, y, yOff, gy, gyOff, gx, gxOff, n);
    }

    @Override
    public void binary(Binary op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        rest.binary(op, a, aOff, b, bOff, out, outOff, n);
    }

    @Override
    public void softmaxRows(boolean log, float[] x, int xOff, float[] y, int yOff, int rows, int cols) {
        rest.softmaxRows(log, x, xOff, y, yOff, rows, cols);
    }

    @Override
    public void softmaxRowsBackward(boolean log, float[] y, int yOff, float[] gy, int gyOff, float[] gx, int gxOff, int rows, int cols) {
        rest.softmaxRowsBackward(log, y, yOff, gy, gyOff, gx, gxOff, rows, cols);
    }
}
