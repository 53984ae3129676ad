package zooscope.cli;

import picocli.CommandLine.Option;
import zooscope.kernels.Backends;

/** {@code --backend NAME}, shared by the commands that compute. */
final class BackendOption {
    @Option(names = "--backend", paramLabel = "NAME",
        description = "Compute backend: ${COMPLETION-CANDIDATES} (default: native where its AVX-512 code runs, else vector; or -Dzooscope.backend). cuda: the GPU (device 0; needs the CUDA driver, cuBLAS 13 and a build with nvcc).",
        completionCandidates = Names.class)
    void set(String name) {
        try {
            Backends.use(Backends.byName(name));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--backend: " + e.getMessage(), e);
        }
    }

    static final class Names extends java.util.ArrayList<String> {
        Names() { super(Backends.NAMES); }
    }
}
