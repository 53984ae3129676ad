/* libzooscope: C kernels loaded through FFM by zooscope.kernels.NativeBackend.
 *
 * Each kernel exists twice: a portable baseline (plain C, libm; runs on any x86-64) and an AVX-512 path
 * (intrinsics in functions compiled for avx512f/dq only). zs_set_isa chooses; the default is AVX-512
 * where the CPU has it. Every kernel is tested against the float64 reference (ScalarBackend) on both
 * paths. Offsets are passed separately so Java can hand over whole heap arrays without slicing. */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ABI_VERSION 2
enum { ISA_AUTO = 0, ISA_BASELINE = 1, ISA_AVX512 = 2 };

static int isa = ISA_AUTO;

int32_t zs_abi_version(void) { return ABI_VERSION; }

static int cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

/* Chooses the code path: 0 auto, 1 baseline, 2 AVX-512. Returns the path now in use (1 or 2), or -1 when
 * AVX-512 was asked for on a CPU without it. */
int32_t zs_set_isa(int32_t want) {
    if (want == ISA_AVX512 && !cpu_has_avx512()) return -1;
    isa = want == ISA_AUTO ? (cpu_has_avx512() ? ISA_AVX512 : ISA_BASELINE) : want;
    return isa;
}

int32_t zs_isa(void) {
    if (isa == ISA_AUTO) zs_set_isa(ISA_AUTO);
    return isa;
}

/* ------------------------------------------------------------------ scratch (per thread, grown on demand) */

static _Thread_local float *scratch[4];
static _Thread_local size_t scratch_len[4];

static float *scratch_buf(int which, size_t n) {
    if (scratch_len[which] < n) {
        free(scratch[which]);
        scratch[which] = malloc(n * sizeof(float));
        scratch_len[which] = scratch[which] ? n : 0;
    }
    return scratch[which];
}

/* dst [cols, rows] = transpose of src [rows, cols] (row stride ld), a tile of 32×32 at a time: element by element
 * over a large matrix, every write (or read) touched a new cache line */
static void transpose(const float *src, int ld, int rows, int cols, float *dst) {
    enum { TILE = 32 };
    for (int r0 = 0; r0 < rows; r0 += TILE) {
        int r1 = r0 + TILE < rows ? r0 + TILE : rows;
        for (int q0 = 0; q0 < cols; q0 += TILE) {
            int q1 = q0 + TILE < cols ? q0 + TILE : cols;
            for (int q = q0; q < q1; q++)
                for (int r = r0; r < r1; r++) dst[(size_t) q * rows + r] = src[(size_t) r * ld + q];
        }
    }
}

/* ------------------------------------------------------------------ baseline */

/* In the GEMM kernels A's element (i, p) is a[i·sai + p·sap]: A is only ever read one element at a time
 * (broadcast), so a transposed A needs no packed copy, just the other pair of strides. */
static void gemm_nn_baseline(int m, int n, int k, float alpha, const float *a, int sai, int sap, const float *b, int ldb,
                             float *c, int ldc) {
    for (int i = 0; i < m; i++) {
        float *ci = c + (size_t) i * ldc;
        for (int p = 0; p < k; p++) {
            float av = alpha * a[(size_t) i * sai + (size_t) p * sap];
            const float *bp = b + (size_t) p * ldb;
            for (int j = 0; j < n; j++) ci[j] += av * bp[j];
        }
    }
}

static inline float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

static void cell_forward_baseline(int batch, int hidden, float *gates, const float *cprev, float *c, float *tc, float *h) {
    for (int b = 0; b < batch; b++) {
        float *g = gates + (size_t) b * 4 * hidden;
        for (int j = 0; j < hidden; j++) {
            float i = sigmoidf(g[j]), f = sigmoidf(g[hidden + j]), gg = tanhf(g[2 * hidden + j]), o = sigmoidf(g[3 * hidden + j]);
            g[j] = i; g[hidden + j] = f; g[2 * hidden + j] = gg; g[3 * hidden + j] = o;
            size_t at = (size_t) b * hidden + j;
            float cv = f * cprev[at] + i * gg, t = tanhf(cv);
            c[at] = cv; tc[at] = t; h[at] = o * t;
        }
    }
}

static void cell_backward_baseline(int batch, int hidden, const float *acts, const float *cprev, const float *tc,
                                   const float *gh, const float *gc, float *dg, float *gcprev) {
    for (int b = 0; b < batch; b++) {
        const float *a = acts + (size_t) b * 4 * hidden;
        float *d = dg + (size_t) b * 4 * hidden;
        for (int j = 0; j < hidden; j++) {
            size_t at = (size_t) b * hidden + j;
            float i = a[j], f = a[hidden + j], g = a[2 * hidden + j], o = a[3 * hidden + j], t = tc[at], dh = gh[at];
            float dc = dh * o * (1 - t * t) + (gc ? gc[at] : 0.0f);
            d[j] = dc * g * (i * (1 - i));
            d[hidden + j] = dc * cprev[at] * (f * (1 - f));
            d[2 * hidden + j] = dc * i * (1 - g * g);
            d[3 * hidden + j] = dh * t * (o * (1 - o));
            gcprev[at] = dc * f;
        }
    }
}

/* ------------------------------------------------------------------ AVX-512 */

#define AVX512 __attribute__((target("avx512f,avx512dq")))

/* C[rows, 16·nv] += A·B for rows ≤ 4 and nv ≤ 4 vectors, masked on the last vector */
AVX512 static inline void gemm_block(int rows, int nv, __mmask16 last, int k, float alpha, const float *a, int sai, int sap,
                                     const float *b, int ldb, float *c, int ldc) {
    __m512 acc[4][4];
    for (int r = 0; r < 4; r++)
        for (int v = 0; v < 4; v++) acc[r][v] = _mm512_setzero_ps();
    for (int p = 0; p < k; p++) {
        const float *bp = b + (size_t) p * ldb;
        __m512 bv[4];
        for (int v = 0; v < nv; v++) bv[v] = v == nv - 1 ? _mm512_maskz_loadu_ps(last, bp + 16 * v) : _mm512_loadu_ps(bp + 16 * v);
        for (int r = 0; r < rows; r++) {
            __m512 x = _mm512_set1_ps(a[(size_t) r * sai + (size_t) p * sap]);
            for (int v = 0; v < nv; v++) acc[r][v] = _mm512_fmadd_ps(bv[v], x, acc[r][v]);
        }
    }
    __m512 al = _mm512_set1_ps(alpha);
    for (int r = 0; r < rows; r++) {
        float *cr = c + (size_t) r * ldc;
        for (int v = 0; v < nv; v++) {
            __mmask16 m = v == nv - 1 ? last : 0xFFFF;
            __m512 old = _mm512_maskz_loadu_ps(m, cr + 16 * v);
            _mm512_mask_storeu_ps(cr + 16 * v, m, _mm512_fmadd_ps(acc[r][v], al, old));
        }
    }
}

/* Full 4×4 block with compile-time sizes, so that the 16 accumulators stay in registers (the generic
 * gemm_block above, with its accumulator array, is left to remainders: gcc keeps it in memory) */
AVX512 static inline void gemm_block_4x4(int k, float alpha, const float *a, int sai, int sap, const float *b, int ldb, float *c, int ldc) {
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    __m512 c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    const float *a0 = a, *a1 = a + sai, *a2 = a + 2 * (size_t) sai, *a3 = a + 3 * (size_t) sai;
    for (int p = 0; p < k; p++) {
        const float *bp = b + (size_t) p * ldb;
        size_t ap = (size_t) p * sap;
        __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16), b2 = _mm512_loadu_ps(bp + 32), b3 = _mm512_loadu_ps(bp + 48);
        __m512 x = _mm512_set1_ps(a0[ap]);
        c00 = _mm512_fmadd_ps(b0, x, c00); c01 = _mm512_fmadd_ps(b1, x, c01); c02 = _mm512_fmadd_ps(b2, x, c02); c03 = _mm512_fmadd_ps(b3, x, c03);
        x = _mm512_set1_ps(a1[ap]);
        c10 = _mm512_fmadd_ps(b0, x, c10); c11 = _mm512_fmadd_ps(b1, x, c11); c12 = _mm512_fmadd_ps(b2, x, c12); c13 = _mm512_fmadd_ps(b3, x, c13);
        x = _mm512_set1_ps(a2[ap]);
        c20 = _mm512_fmadd_ps(b0, x, c20); c21 = _mm512_fmadd_ps(b1, x, c21); c22 = _mm512_fmadd_ps(b2, x, c22); c23 = _mm512_fmadd_ps(b3, x, c23);
        x = _mm512_set1_ps(a3[ap]);
        c30 = _mm512_fmadd_ps(b0, x, c30); c31 = _mm512_fmadd_ps(b1, x, c31); c32 = _mm512_fmadd_ps(b2, x, c32); c33 = _mm512_fmadd_ps(b3, x, c33);
    }
    __m512 al = _mm512_set1_ps(alpha);
#define ST(row, v, acc) { float *p_ = c + (size_t) (row) * ldc + 16 * (v); _mm512_storeu_ps(p_, _mm512_fmadd_ps(acc, al, _mm512_loadu_ps(p_))); }
    ST(0, 0, c00) ST(0, 1, c01) ST(0, 2, c02) ST(0, 3, c03)
    ST(1, 0, c10) ST(1, 1, c11) ST(1, 2, c12) ST(1, 3, c13)
    ST(2, 0, c20) ST(2, 1, c21) ST(2, 2, c22) ST(2, 3, c23)
    ST(3, 0, c30) ST(3, 1, c31) ST(3, 2, c32) ST(3, 3, c33)
#undef ST
}

/* Full 4×3 block (n = 48: DWS's channel maps at the paper preset, which would otherwise take a 4×2 block and a
 * 4×1 block with only 4 accumulator chains): 12 accumulators in registers; per element the fused multiply-adds of
 * gemm_block */
AVX512 static inline void gemm_block_4x3(int k, float alpha, const float *a, int sai, int sap, const float *b, int ldb, float *c, int ldc) {
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
    __m512 c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
    const float *a0 = a, *a1 = a + sai, *a2 = a + 2 * (size_t) sai, *a3 = a + 3 * (size_t) sai;
    for (int p = 0; p < k; p++) {
        const float *bp = b + (size_t) p * ldb;
        size_t ap = (size_t) p * sap;
        __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16), b2 = _mm512_loadu_ps(bp + 32);
        __m512 x = _mm512_set1_ps(a0[ap]);
        c00 = _mm512_fmadd_ps(b0, x, c00); c01 = _mm512_fmadd_ps(b1, x, c01); c02 = _mm512_fmadd_ps(b2, x, c02);
        x = _mm512_set1_ps(a1[ap]);
        c10 = _mm512_fmadd_ps(b0, x, c10); c11 = _mm512_fmadd_ps(b1, x, c11); c12 = _mm512_fmadd_ps(b2, x, c12);
        x = _mm512_set1_ps(a2[ap]);
        c20 = _mm512_fmadd_ps(b0, x, c20); c21 = _mm512_fmadd_ps(b1, x, c21); c22 = _mm512_fmadd_ps(b2, x, c22);
        x = _mm512_set1_ps(a3[ap]);
        c30 = _mm512_fmadd_ps(b0, x, c30); c31 = _mm512_fmadd_ps(b1, x, c31); c32 = _mm512_fmadd_ps(b2, x, c32);
    }
    __m512 al = _mm512_set1_ps(alpha);
#define ST(row, v, acc) { float *p_ = c + (size_t) (row) * ldc + 16 * (v); _mm512_storeu_ps(p_, _mm512_fmadd_ps(acc, al, _mm512_loadu_ps(p_))); }
    ST(0, 0, c00) ST(0, 1, c01) ST(0, 2, c02) ST(1, 0, c10) ST(1, 1, c11) ST(1, 2, c12)
    ST(2, 0, c20) ST(2, 1, c21) ST(2, 2, c22) ST(3, 0, c30) ST(3, 1, c31) ST(3, 2, c32)
#undef ST
}

/* Full 4×2 block (n = 32 is the LSTM's hidden size): 8 accumulators in registers */
AVX512 static inline void gemm_block_4x2(int k, float alpha, const float *a, int sai, int sap, const float *b, int ldb, float *c, int ldc) {
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    const float *a0 = a, *a1 = a + sai, *a2 = a + 2 * (size_t) sai, *a3 = a + 3 * (size_t) sai;
    for (int p = 0; p < k; p++) {
        const float *bp = b + (size_t) p * ldb;
        size_t ap = (size_t) p * sap;
        __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16);
        __m512 x = _mm512_set1_ps(a0[ap]);
        c00 = _mm512_fmadd_ps(b0, x, c00); c01 = _mm512_fmadd_ps(b1, x, c01);
        x = _mm512_set1_ps(a1[ap]);
        c10 = _mm512_fmadd_ps(b0, x, c10); c11 = _mm512_fmadd_ps(b1, x, c11);
        x = _mm512_set1_ps(a2[ap]);
        c20 = _mm512_fmadd_ps(b0, x, c20); c21 = _mm512_fmadd_ps(b1, x, c21);
        x = _mm512_set1_ps(a3[ap]);
        c30 = _mm512_fmadd_ps(b0, x, c30); c31 = _mm512_fmadd_ps(b1, x, c31);
    }
    __m512 al = _mm512_set1_ps(alpha);
#define ST(row, v, acc) { float *p_ = c + (size_t) (row) * ldc + 16 * (v); _mm512_storeu_ps(p_, _mm512_fmadd_ps(acc, al, _mm512_loadu_ps(p_))); }
    ST(0, 0, c00) ST(0, 1, c01) ST(1, 0, c10) ST(1, 1, c11) ST(2, 0, c20) ST(2, 1, c21) ST(3, 0, c30) ST(3, 1, c31)
#undef ST
}

/* 4 rows × one vector, masked (a width of at most 16: DWS's channel maps, whose weight gradients have k in the
 * tens of thousands): 4 accumulators in registers; per element the fused multiply-adds of gemm_block */
AVX512 static inline void gemm_block_4x1(__mmask16 mask, int k, float alpha, const float *a, int sai, int sap, const float *b, int ldb,
                                         float *c, int ldc) {
    __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    const float *a0 = a, *a1 = a + sai, *a2 = a + 2 * (size_t) sai, *a3 = a + 3 * (size_t) sai;
    for (int p = 0; p < k; p++) {
        __m512 bv = _mm512_maskz_loadu_ps(mask, b + (size_t) p * ldb);
        size_t ap = (size_t) p * sap;
        c0 = _mm512_fmadd_ps(bv, _mm512_set1_ps(a0[ap]), c0);
        c1 = _mm512_fmadd_ps(bv, _mm512_set1_ps(a1[ap]), c1);
        c2 = _mm512_fmadd_ps(bv, _mm512_set1_ps(a2[ap]), c2);
        c3 = _mm512_fmadd_ps(bv, _mm512_set1_ps(a3[ap]), c3);
    }
    __m512 al = _mm512_set1_ps(alpha);
#define ST(row, acc) { float *p_ = c + (size_t) (row) * ldc; _mm512_mask_storeu_ps(p_, mask, _mm512_fmadd_ps(acc, al, _mm512_maskz_loadu_ps(mask, p_))); }
    ST(0, c0) ST(1, c1) ST(2, c2) ST(3, c3)
#undef ST
}

/* One row of C, up to 4 vectors wide (the last masked), with the accumulators in registers (one-row products:
 * the probed RNNs' steps, 512 of them per step in a group); per element the fused multiply-adds of gemm_block */
AVX512 static inline void gemm_row(int nv, __mmask16 last, int k, float alpha, const float *a, int sap, const float *b, int ldb, float *c) {
    __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    __mmask16 m0 = nv == 1 ? last : 0xFFFF, m1 = nv == 2 ? last : 0xFFFF, m2 = nv == 3 ? last : 0xFFFF, m3 = last;
    for (int p = 0; p < k; p++) {
        const float *bp = b + (size_t) p * ldb;
        __m512 x = _mm512_set1_ps(a[(size_t) p * sap]);
        c0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m0, bp), x, c0);
        if (nv > 1) c1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m1, bp + 16), x, c1);
        if (nv > 2) c2 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m2, bp + 32), x, c2);
        if (nv > 3) c3 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m3, bp + 48), x, c3);
    }
    __m512 al = _mm512_set1_ps(alpha);
#define ST(v, m, acc) { float *p_ = c + 16 * (v); _mm512_mask_storeu_ps(p_, m, _mm512_fmadd_ps(acc, al, _mm512_maskz_loadu_ps(m, p_))); }
    ST(0, m0, c0)
    if (nv > 1) ST(1, m1, c1)
    if (nv > 2) ST(2, m2, c2)
    if (nv > 3) ST(3, m3, c3)
#undef ST
}

/* Rows 0..3 of acc (row stride ldacc), nv ≤ 4 vectors wide (the last masked), carried on over kc more terms:
 * acc[r, j] = fma(b[p, j], a[r, p], acc[r, j]) for p in order, the accumulators in registers meanwhile. The
 * chain of every block above, cut at kc and resumed from memory, so the same bits. */
AVX512 static inline void gemm_carry_4(int nv, __mmask16 last, int kc, const float *a, int sai, int sap, const float *b, int ldb,
                                       float *acc, int ldacc) {
    __mmask16 m0 = nv == 1 ? last : 0xFFFF, m1 = nv == 2 ? last : 0xFFFF, m2 = nv == 3 ? last : 0xFFFF, m3 = last;
    float *r0 = acc, *r1 = acc + ldacc, *r2 = acc + 2 * (size_t) ldacc, *r3 = acc + 3 * (size_t) ldacc;
    __m512 z = _mm512_setzero_ps(), c01 = z, c02 = z, c03 = z, c11 = z, c12 = z, c13 = z, c21 = z, c22 = z, c23 = z, c31 = z, c32 = z, c33 = z;
    __m512 c00 = _mm512_maskz_loadu_ps(m0, r0), c10 = _mm512_maskz_loadu_ps(m0, r1), c20 = _mm512_maskz_loadu_ps(m0, r2), c30 = _mm512_maskz_loadu_ps(m0, r3);
    if (nv > 1) { c01 = _mm512_maskz_loadu_ps(m1, r0 + 16); c11 = _mm512_maskz_loadu_ps(m1, r1 + 16); c21 = _mm512_maskz_loadu_ps(m1, r2 + 16); c31 = _mm512_maskz_loadu_ps(m1, r3 + 16); }
    if (nv > 2) { c02 = _mm512_maskz_loadu_ps(m2, r0 + 32); c12 = _mm512_maskz_loadu_ps(m2, r1 + 32); c22 = _mm512_maskz_loadu_ps(m2, r2 + 32); c32 = _mm512_maskz_loadu_ps(m2, r3 + 32); }
    if (nv > 3) { c03 = _mm512_maskz_loadu_ps(m3, r0 + 48); c13 = _mm512_maskz_loadu_ps(m3, r1 + 48); c23 = _mm512_maskz_loadu_ps(m3, r2 + 48); c33 = _mm512_maskz_loadu_ps(m3, r3 + 48); }
    const float *a0 = a, *a1 = a + sai, *a2 = a + 2 * (size_t) sai, *a3 = a + 3 * (size_t) sai;
    for (int p = 0; p < kc; p++) {
        const float *bp = b + (size_t) p * ldb;
        size_t ap = (size_t) p * sap;
        __m512 x0 = _mm512_set1_ps(a0[ap]), x1 = _mm512_set1_ps(a1[ap]), x2 = _mm512_set1_ps(a2[ap]), x3 = _mm512_set1_ps(a3[ap]);
        __m512 bv = _mm512_maskz_loadu_ps(m0, bp);
        c00 = _mm512_fmadd_ps(bv, x0, c00); c10 = _mm512_fmadd_ps(bv, x1, c10); c20 = _mm512_fmadd_ps(bv, x2, c20); c30 = _mm512_fmadd_ps(bv, x3, c30);
        if (nv > 1) { bv = _mm512_maskz_loadu_ps(m1, bp + 16);
            c01 = _mm512_fmadd_ps(bv, x0, c01); c11 = _mm512_fmadd_ps(bv, x1, c11); c21 = _mm512_fmadd_ps(bv, x2, c21); c31 = _mm512_fmadd_ps(bv, x3, c31); }
        if (nv > 2) { bv = _mm512_maskz_loadu_ps(m2, bp + 32);
            c02 = _mm512_fmadd_ps(bv, x0, c02); c12 = _mm512_fmadd_ps(bv, x1, c12); c22 = _mm512_fmadd_ps(bv, x2, c22); c32 = _mm512_fmadd_ps(bv, x3, c32); }
        if (nv > 3) { bv = _mm512_maskz_loadu_ps(m3, bp + 48);
            c03 = _mm512_fmadd_ps(bv, x0, c03); c13 = _mm512_fmadd_ps(bv, x1, c13); c23 = _mm512_fmadd_ps(bv, x2, c23); c33 = _mm512_fmadd_ps(bv, x3, c33); }
    }
    _mm512_mask_storeu_ps(r0, m0, c00); _mm512_mask_storeu_ps(r1, m0, c10); _mm512_mask_storeu_ps(r2, m0, c20); _mm512_mask_storeu_ps(r3, m0, c30);
    if (nv > 1) { _mm512_mask_storeu_ps(r0 + 16, m1, c01); _mm512_mask_storeu_ps(r1 + 16, m1, c11); _mm512_mask_storeu_ps(r2 + 16, m1, c21); _mm512_mask_storeu_ps(r3 + 16, m1, c31); }
    if (nv > 2) { _mm512_mask_storeu_ps(r0 + 32, m2, c02); _mm512_mask_storeu_ps(r1 + 32, m2, c12); _mm512_mask_storeu_ps(r2 + 32, m2, c22); _mm512_mask_storeu_ps(r3 + 32, m2, c32); }
    if (nv > 3) { _mm512_mask_storeu_ps(r0 + 48, m3, c03); _mm512_mask_storeu_ps(r1 + 48, m3, c13); _mm512_mask_storeu_ps(r2 + 48, m3, c23); _mm512_mask_storeu_ps(r3 + 48, m3, c33); }
}

/* One row of acc carried on over kc more terms, as gemm_carry_4 (rows left over after blocks of 4) */
AVX512 static inline void gemm_carry_1(int nv, __mmask16 last, int kc, const float *a, int sap, const float *b, int ldb, float *acc) {
    for (int v = 0; v < nv; v++) {
        __mmask16 m = v == nv - 1 ? last : 0xFFFF;
        __m512 c0 = _mm512_maskz_loadu_ps(m, acc + 16 * v);
        for (int p = 0; p < kc; p++) c0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, b + (size_t) p * ldb + 16 * v), _mm512_set1_ps(a[(size_t) p * sap]), c0);
        _mm512_mask_storeu_ps(acc + 16 * v, m, c0);
    }
}

/* A long k and three or more blocks of rows (a weight gradient: dYᵀ·X over every position of a batch): the blocks
 * above keep each element's sum in a register over all of k, so every block of 4 rows streamed all of B from
 * memory again (DWS's channel maps: 12 passes over 12.6 MB). Here k goes in chunks of KC whose slice of B stays
 * in the caches for all the rows; the running sums wait in scratch between chunks. Per element the same chain of
 * fused multiply-adds from zero and the same final fma(acc, alpha, c), so the same bits as the blocks above. */
enum { KC = 256 };
AVX512 static void gemm_kblocked_avx512(int m, int n, int k, float alpha, const float *a, int sai, int sap, const float *b, int ldb,
                                        float *c, int ldc) {
    float *acc = scratch_buf(3, (size_t) m * n);
    memset(acc, 0, sizeof(float) * (size_t) m * n);
    for (int p0 = 0; p0 < k; p0 += KC) {
        int kc = k - p0 < KC ? k - p0 : KC;
        const float *ap = a + (size_t) p0 * sap, *bp = b + (size_t) p0 * ldb;
        for (int j = 0; j < n; j += 64) {
            int width = n - j < 64 ? n - j : 64, nv = (width + 15) / 16, rem = width - 16 * (nv - 1);
            __mmask16 last = (__mmask16) ((1u << rem) - 1);
            int i = 0;
            for (; i + 4 <= m; i += 4) gemm_carry_4(nv, last, kc, ap + (size_t) i * sai, sai, sap, bp + j, ldb, acc + (size_t) i * n + j, n);
            for (; i < m; i++) gemm_carry_1(nv, last, kc, ap + (size_t) i * sai, sap, bp + j, ldb, acc + (size_t) i * n + j);
        }
    }
    __m512 al = _mm512_set1_ps(alpha);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j += 16) {
            __mmask16 msk = n - j >= 16 ? 0xFFFF : (__mmask16) ((1u << (n - j)) - 1);
            float *cp = c + (size_t) i * ldc + j;
            _mm512_mask_storeu_ps(cp, msk, _mm512_fmadd_ps(_mm512_maskz_loadu_ps(msk, acc + (size_t) i * n + j), al, _mm512_maskz_loadu_ps(msk, cp)));
        }
}

AVX512 static void gemm_nn_avx512(int m, int n, int k, float alpha, const float *a, int sai, int sap, const float *b, int ldb,
                                  float *c, int ldc) {
    if (k >= 2 * KC && m > 8) { gemm_kblocked_avx512(m, n, k, alpha, a, sai, sap, b, ldb, c, ldc); return; }
    int nfull = n / 64 * 64;
    for (int i = 0; i < m; i += 4) {
        int rows = m - i < 4 ? m - i : 4;
        const float *ai = a + (size_t) i * sai;
        float *ci = c + (size_t) i * ldc;
        int j = 0;
        if (rows == 4) {
            for (; j < nfull; j += 64) gemm_block_4x4(k, alpha, ai, sai, sap, b + j, ldb, ci + j, ldc);
            if (j + 48 <= n) { gemm_block_4x3(k, alpha, ai, sai, sap, b + j, ldb, ci + j, ldc); j += 48; }
            for (; j + 32 <= n; j += 32) gemm_block_4x2(k, alpha, ai, sai, sap, b + j, ldb, ci + j, ldc);
        }
        if (rows == 1) for (; j < n; j += 64) {
            int width = n - j < 64 ? n - j : 64, nv = (width + 15) / 16, rem = width - 16 * (nv - 1);
            gemm_row(nv, (__mmask16) ((1u << rem) - 1), k, alpha, ai, sap, b + j, ldb, ci + j);
        }
        if (rows == 4) for (; j + 16 < n; j += 16) gemm_block_4x1(0xFFFF, k, alpha, ai, sai, sap, b + j, ldb, ci + j, ldc);
        if (rows == 4 && j < n) { gemm_block_4x1((__mmask16) ((1u << (n - j)) - 1), k, alpha, ai, sai, sap, b + j, ldb, ci + j, ldc); j = n; }
        for (; j < n; j += 64) {
            int width = n - j < 64 ? n - j : 64, nv = (width + 15) / 16, rem = width - 16 * (nv - 1);
            gemm_block(rows, nv, (__mmask16) ((1u << rem) - 1), k, alpha, ai, sai, sap, b + j, ldb, ci + j, ldc);
        }
    }
}

/* e^x: n = round(x·log2 e), r = x − n·ln 2 (two parts), Cephes' degree-6 polynomial for e^r (≈1 ulp),
 * scaled by 2^n with scalef (which overflows to +inf and underflows to 0 by itself; NaN stays NaN). */
AVX512 static inline __m512 exp512(__m512 x) {
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_fmadd_ps(r, _mm512_set1_ps(1.9875691500e-4f), _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    /* keep n in scalef's useful range so huge |x| still gives inf / 0 */
    n = _mm512_max_ps(_mm512_min_ps(n, _mm512_set1_ps(300.0f)), _mm512_set1_ps(-300.0f));
    return _mm512_scalef_ps(y, n);
}

AVX512 static inline __m512 sigmoid512(__m512 x) {
    __m512 one = _mm512_set1_ps(1.0f);
    return _mm512_div_ps(one, _mm512_add_ps(one, exp512(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

/* tanh as Cephes' tanhf: odd polynomial for |x| < 0.625, else sign(x)·(1 − 2/(e^{2|x|} + 1)) */
AVX512 static inline __m512 tanh512(__m512 x) {
    __m512 sign = _mm512_and_ps(x, _mm512_set1_ps(-0.0f));
    __m512 z = _mm512_andnot_ps(_mm512_set1_ps(-0.0f), x);
    __m512 big = _mm512_sub_ps(_mm512_set1_ps(1.0f),
        _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(exp512(_mm512_add_ps(z, z)), _mm512_set1_ps(1.0f))));
    big = _mm512_or_ps(big, sign);
    __m512 x2 = _mm512_mul_ps(x, x);
    __m512 p = _mm512_fmadd_ps(x2, _mm512_set1_ps(-5.70498872745e-3f), _mm512_set1_ps(2.06390887954e-2f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-5.37397155531e-2f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(1.33314422036e-1f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-3.33332819422e-1f));
    __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, x2), x, x);
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(z, _mm512_set1_ps(0.625f), _CMP_GE_OQ), small, big);
}

AVX512 static void cell_forward_avx512(int batch, int hidden, float *gates, const float *cprev, float *c, float *tc, float *h) {
    for (int b = 0; b < batch; b++) {
        float *g = gates + (size_t) b * 4 * hidden;
        size_t base = (size_t) b * hidden;
        for (int j = 0; j < hidden; j += 16) {
            __mmask16 m = hidden - j >= 16 ? 0xFFFF : (__mmask16) ((1u << (hidden - j)) - 1);
            __m512 i = sigmoid512(_mm512_maskz_loadu_ps(m, g + j));
            __m512 f = sigmoid512(_mm512_maskz_loadu_ps(m, g + hidden + j));
            __m512 gg = tanh512(_mm512_maskz_loadu_ps(m, g + 2 * hidden + j));
            __m512 o = sigmoid512(_mm512_maskz_loadu_ps(m, g + 3 * hidden + j));
            _mm512_mask_storeu_ps(g + j, m, i);
            _mm512_mask_storeu_ps(g + hidden + j, m, f);
            _mm512_mask_storeu_ps(g + 2 * hidden + j, m, gg);
            _mm512_mask_storeu_ps(g + 3 * hidden + j, m, o);
            __m512 cv = _mm512_fmadd_ps(f, _mm512_maskz_loadu_ps(m, cprev + base + j), _mm512_mul_ps(i, gg));
            __m512 t = tanh512(cv);
            _mm512_mask_storeu_ps(c + base + j, m, cv);
            _mm512_mask_storeu_ps(tc + base + j, m, t);
            _mm512_mask_storeu_ps(h + base + j, m, _mm512_mul_ps(o, t));
        }
    }
}

AVX512 static void cell_backward_avx512(int batch, int hidden, const float *acts, const float *cprev, const float *tc,
                                        const float *gh, const float *gc, float *dg, float *gcprev) {
    __m512 one = _mm512_set1_ps(1.0f);
    for (int b = 0; b < batch; b++) {
        const float *a = acts + (size_t) b * 4 * hidden;
        float *d = dg + (size_t) b * 4 * hidden;
        size_t base = (size_t) b * hidden;
        for (int j = 0; j < hidden; j += 16) {
            __mmask16 m = hidden - j >= 16 ? 0xFFFF : (__mmask16) ((1u << (hidden - j)) - 1);
            __m512 i = _mm512_maskz_loadu_ps(m, a + j), f = _mm512_maskz_loadu_ps(m, a + hidden + j);
            __m512 g = _mm512_maskz_loadu_ps(m, a + 2 * hidden + j), o = _mm512_maskz_loadu_ps(m, a + 3 * hidden + j);
            __m512 t = _mm512_maskz_loadu_ps(m, tc + base + j), dh = _mm512_maskz_loadu_ps(m, gh + base + j);
            __m512 dc = _mm512_mul_ps(_mm512_mul_ps(dh, o), _mm512_fnmadd_ps(t, t, one));
            if (gc) dc = _mm512_add_ps(dc, _mm512_maskz_loadu_ps(m, gc + base + j));
            _mm512_mask_storeu_ps(d + j, m, _mm512_mul_ps(_mm512_mul_ps(dc, g), _mm512_mul_ps(i, _mm512_sub_ps(one, i))));
            _mm512_mask_storeu_ps(d + hidden + j, m, _mm512_mul_ps(_mm512_mul_ps(dc, _mm512_maskz_loadu_ps(m, cprev + base + j)), _mm512_mul_ps(f, _mm512_sub_ps(one, f))));
            _mm512_mask_storeu_ps(d + 2 * hidden + j, m, _mm512_mul_ps(_mm512_mul_ps(dc, i), _mm512_fnmadd_ps(g, g, one)));
            _mm512_mask_storeu_ps(d + 3 * hidden + j, m, _mm512_mul_ps(_mm512_mul_ps(dh, t), _mm512_mul_ps(o, _mm512_sub_ps(one, o))));
            _mm512_mask_storeu_ps(gcprev + base + j, m, _mm512_mul_ps(dc, f));
        }
    }
}

/* ------------------------------------------------------------------ exported kernels */

/* y[yOff..] += alpha * x[xOff..], one fused multiply-add per element on every target (NativeBackend adds
   short runs in Java by the same rule); gcc vectorises the loop for the target in use. */
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void zs_axpy(int32_t n, float alpha, const float *restrict x, int32_t xoff, float *restrict y, int32_t yoff) {
    x += xoff;
    y += yoff;
    for (int32_t i = 0; i < n; i++) y[i] = fmaf(alpha, x[i], y[i]);
}

/* C[m, n] += alpha·A·B for n < 16 (one masked vector per row of C: DWS channel maps, LSTM heads), rows in
 * blocks of 4 with the accumulators in registers. Per element the same fused multiply-adds in the same order
 * as the transposed route in zs_sgemm below (which it replaces where alpha is 1), so the same bits. */
AVX512 static void gemm_narrow_avx512(int m, int n, int k, float alpha, const float *a, int sai, int sap, const float *b, int ldb,
                                      float *c, int ldc) {
    __mmask16 mask = (__mmask16) ((1u << n) - 1);
    int i = 0;
    for (; i + 4 <= m; i += 4) gemm_block_4x1(mask, k, alpha, a + (size_t) i * sai, sai, sap, b, ldb, c + (size_t) i * ldc, ldc);
    for (; i < m; i++) gemm_row(1, mask, k, alpha, a + (size_t) i * sai, sap, b, ldb, c + (size_t) i * ldc);
}

static void gemm_nn(int m, int n, int k, float alpha, const float *a, int sai, int sap, const float *b, int ldb, float *c, int ldc) {
    if (zs_isa() == ISA_AVX512) gemm_nn_avx512(m, n, k, alpha, a, sai, sap, b, ldb, c, ldc);
    else gemm_nn_baseline(m, n, k, alpha, a, sai, sap, b, ldb, c, ldc);
}

/* C = alpha·op(A)·op(B) + beta·C, row-major, as Backend.gemm. */
void zs_sgemm(int32_t transa, int32_t transb, int32_t m, int32_t n, int32_t k, float alpha,
              const float *a, int32_t aoff, int32_t lda, const float *b, int32_t boff, int32_t ldb,
              float beta, float *c, int32_t coff, int32_t ldc) {
    a += aoff;
    b += boff;
    c += coff;
    if (beta != 1.0f)
        for (int i = 0; i < m; i++) {
            float *ci = c + (size_t) i * ldc;
            if (beta == 0.0f) memset(ci, 0, sizeof(float) * (size_t) n);
            else for (int j = 0; j < n; j++) ci[j] *= beta;
        }
    if (alpha == 0.0f || k == 0 || m == 0 || n == 0) return;
    if (n < 16 && m > n && alpha == 1.0f && zs_isa() == ISA_AVX512) { /* narrow: one masked vector per row of C */
        if (transb) { float *s = scratch_buf(1, (size_t) k * n); transpose(b, ldb, n, k, s); b = s; ldb = n; }
        gemm_narrow_avx512(m, n, k, alpha, a, transa ? 1 : lda, transa ? lda : 1, b, ldb, c, ldc);
        return;
    }
    if (n < 16 && m > n) { /* too narrow for a vector along n: Cᵀ = op(B)ᵀ·op(A)ᵀ, then add it in */
        float *ct = scratch_buf(2, (size_t) m * n);
        memset(ct, 0, sizeof(float) * (size_t) m * n);
        const float *at = a;
        int ldat = lda;
        /* op(A)ᵀ as a row-major k×m matrix; op(B)ᵀ is read through strides */
        if (!transa) { float *s = scratch_buf(0, (size_t) k * m); transpose(a, lda, m, k, s); at = s; ldat = m; }
        gemm_nn(n, m, k, 1.0f, b, transb ? ldb : 1, transb ? 1 : ldb, at, ldat, ct, m);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) c[(size_t) i * ldc + j] += alpha * ct[(size_t) j * m + i];
        return;
    }
    if (transb) { float *s = scratch_buf(1, (size_t) k * n); transpose(b, ldb, n, k, s); b = s; ldb = n; }
    gemm_nn(m, n, k, alpha, a, transa ? 1 : lda, transa ? lda : 1, b, ldb, c, ldc);
}

void zs_lstm_cell_forward(int32_t batch, int32_t hidden, float *gates, int32_t goff, const float *cprev, int32_t cpoff,
                          float *c, int32_t coff, float *tc, int32_t tcoff, float *h, int32_t hoff) {
    if (zs_isa() == ISA_AVX512) cell_forward_avx512(batch, hidden, gates + goff, cprev + cpoff, c + coff, tc + tcoff, h + hoff);
    else cell_forward_baseline(batch, hidden, gates + goff, cprev + cpoff, c + coff, tc + tcoff, h + hoff);
}

void zs_lstm_cell_backward(int32_t batch, int32_t hidden, const float *acts, int32_t aoff, const float *cprev, int32_t cpoff,
                           const float *tc, int32_t tcoff, const float *gh, int32_t ghoff, const float *gc, int32_t gcoff,
                           float *dg, int32_t dgoff, float *gcprev, int32_t gcpoff) {
    const float *gcp = gc ? gc + gcoff : NULL;
    if (zs_isa() == ISA_AVX512)
        cell_backward_avx512(batch, hidden, acts + aoff, cprev + cpoff, tc + tcoff, gh + ghoff, gcp, dg + dgoff, gcprev + gcpoff);
    else cell_backward_baseline(batch, hidden, acts + aoff, cprev + cpoff, tc + tcoff, gh + ghoff, gcp, dg + dgoff, gcprev + gcpoff);
}
