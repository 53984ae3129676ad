package zooscope.kernels;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/**
 * The C kernels against the reference, on both code paths: the AVX-512 one (skipped on CPUs without it)
 * and the portable baseline, forced so it is tested on AVX-512 machines too. Skipped where the library
 * cannot be loaded.
 */
class NativeBackendProperties {
    static NativeBackend loaded() {
        assumeTrue(NativeBackend.load().isPresent(), NativeBackend.unavailableReason());
        return NativeBackend.load().get();
    }

    @Nested
    class Baseline extends FastBackendContract {
        @Override HostBackend fast() {
            NativeBackend k = loaded();
            k.useIsa("baseline");
            return k;
        }

        @AfterEach void restore() { NativeBackend.load().ifPresent(k -> k.useIsa("auto")); }
    }

    @Nested
    class Avx512 extends FastBackendContract {
        @Override HostBackend fast() {
            NativeBackend k = loaded();
            try {
                k.useIsa("avx512");
            } catch (IllegalArgumentException noAvx512) {
                assumeTrue(false, noAvx512.getMessage());
            }
            return k;
        }

        @AfterEach void restore() { NativeBackend.load().ifPresent(k -> k.useIsa("auto")); }
    }
}
