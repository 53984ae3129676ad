/* libzooscope: C kernels loaded through FFM by zooscope.kernels.NativeKernels.
 * Each kernel has a float64 reference in ScalarBackend and a test against it. */
#include <stdint.h>

/* Bumped whenever a signature changes; the Java side refuses a library with another version. */
int32_t zs_abi_version(void) { return 1; }

/* y[i] += alpha * x[i]. Vectorised by gcc -O3; target clones pick AVX-512/AVX2 at load time. */
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void zs_axpy(int32_t n, float alpha, const float *restrict x, float *restrict y) {
    for (int32_t i = 0; i < n; i++) y[i] += alpha * x[i];
}
