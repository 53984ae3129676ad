/*
 * zooscope's CUDA kernels: every Backend op that is not a GEMM (cuBLAS does those).
 *
 * One source, two builds (native/src/main/cuda/build.sh):
 *   nvcc -> kernels.fatbin: each KERNEL is an extern "C" __global__ function over a 1-D grid, thread i
 *           doing item i of n; CudaBackend launches it through the driver API.
 *   gcc -x c -> libzscudahost.so: each KERNEL is a host function looping i over 0..n-1, the same item
 *           code. The tests run CudaBackend on it (EmulatedDevice), so everything but the device itself
 *           (the launch, the driver, cuBLAS) is checked against the scalar reference on any machine.
 * So the item functions use only what C and CUDA C share, no shared memory, no atomics: one thread owns
 * each output it writes, and sums run in the scalar reference's order. Built without contraction into
 * fused multiply-adds (-fmad=false, -ffp-contract=off) so float32 steps round as the Java reference's do.
 * Every kernel's first parameter is n, the number of items; pointers already include their offsets.
 */
#include <math.h>
#ifdef __CUDACC__
#define ZS_FN __device__ static inline
#define FLOAT_BITS(v) __float_as_int(v)
#define KERNEL(name, params, call) \
    extern "C" __global__ void zs_##name params { \
        long item = (long) blockIdx.x * blockDim.x + threadIdx.x; /* 64-bit: the last block may pass 2^31 */ \
        if (item < n) { int i = (int) item; name call; } \
    }
#else
#define ZS_FN static inline
static inline int float_bits(float v) { union { float f; int i; } u; u.f = v; return u.i; }
#define FLOAT_BITS(v) float_bits(v)
#define KERNEL(name, params, call) \
    void zs_##name params { for (int i = 0; i < n; i++) name call; }
#endif

/* Java's Math.max: NaN if either is NaN (C's fmax would return the other). */
ZS_FN double jmax(double a, double b) { return a != a ? a : b != b ? b : a > b ? a : b; }

/* A strided index space of up to ZS_RANK axes with two operands' strides (passed by value). */
#define ZS_RANK 8
typedef struct { int rank; int shape[ZS_RANK]; int a[ZS_RANK]; int b[ZS_RANK]; } Dims;

/* The offsets in both operands of row-major index i of d's shape. */
ZS_FN void offsets(const Dims *d, int i, int *pa, int *pb) {
    int oa = 0, ob = 0;
    for (int k = d->rank - 1; k >= 0; k--) {
        int q = i % d->shape[k];
        i /= d->shape[k];
        oa += q * d->a[k];
        ob += q * d->b[k];
    }
    *pa = oa;
    *pb = ob;
}

/* ------------------------------------------------------------------ data movement */

ZS_FN void fill(int i, float *x, float v) { x[i] = v; }
KERNEL(fill, (int n, float *x, float v), (i, x, v))

/* dst[i·d.b] = src[i·d.a] */
ZS_FN void copy(int i, Dims d, const float *src, float *dst) {
    int s, t;
    offsets(&d, i, &s, &t);
    dst[t] = src[s];
}
KERNEL(copy, (int n, Dims d, const float *src, float *dst), (i, d, src, dst))

/*
 * Item i: one destination, at index i of the kept axes (kept.a: source strides, kept.b: destination
 * strides); it adds alpha·src over the summed axes (sum.a: source strides) in row-major order, each step
 * rounded to float32 as the reference's y = (float) (y + (double) alpha·x).
 */
ZS_FN void add(int i, Dims kept, Dims sum, int sumN, float alpha, const float *src, float *dst) {
    int s, t, ds, unused;
    offsets(&kept, i, &s, &t);
    float acc = dst[t];
    for (int j = 0; j < sumN; j++) {
        offsets(&sum, j, &ds, &unused);
        acc = (float) (acc + (double) alpha * src[s + ds]);
    }
    dst[t] = acc;
}
KERNEL(add, (int n, Dims kept, Dims sum, int sumN, float alpha, const float *src, float *dst), (i, kept, sum, sumN, alpha, src, dst))

/* Item i = (o, p, j) of [outer, m, inner]: dst[o, p, j] = src[o, idx[p], j]. */
ZS_FN void gather(int i, int len, int m, int inner, const int *idx, const float *src, float *dst) {
    int j = i % inner, p = (i / inner) % m, o = i / (inner * m);
    dst[i] = src[((long) o * len + idx[p]) * inner + j];
}
KERNEL(gather, (int n, int len, int m, int inner, const int *idx, const float *src, float *dst), (i, len, m, inner, idx, src, dst))

/* Item i = (o, q, j) of the destination [outer, len, inner]: adds src[o, p, j] for every p with idx[p] = q, in order of p. */
ZS_FN void scatter_add(int i, int len, int m, int inner, const int *idx, const float *src, float *dst) {
    int j = i % inner, q = (i / inner) % len, o = i / (inner * len);
    float acc = dst[i];
    for (int p = 0; p < m; p++) if (idx[p] == q) acc = (float) (acc + (double) src[((long) o * m + p) * inner + j]);
    dst[i] = acc;
}
KERNEL(scatter_add, (int n, int len, int m, int inner, const int *idx, const float *src, float *dst), (i, len, m, inner, idx, src, dst))

/* Float.compare's order as an int: −0 before +0, every NaN last. */
ZS_FN int sort_key(float v) {
    if (v != v) return 0x7fffffff;
    int bits = FLOAT_BITS(v);
    return bits ^ ((bits >> 31) & 0x7fffffff);
}

/* Item r: row r of y = row r of x sorted ascending (insertion sort: rows are short). */
ZS_FN void sort_rows(int r, int cols, const float *x, float *y) {
    const float *a = x + (long) r * cols;
    float *b = y + (long) r * cols;
    for (int j = 0; j < cols; j++) {
        float v = a[j];
        int k = sort_key(v), p = j;
        while (p > 0 && sort_key(b[p - 1]) > k) { b[p] = b[p - 1]; p--; }
        b[p] = v;
    }
}
KERNEL(sort_rows, (int n, int cols, const float *x, float *y), (i, cols, x, y))

/* ------------------------------------------------------------------ element-wise */

/* y[i] += alpha·x[i] */
ZS_FN void axpy(int i, float alpha, const float *x, float *y) { y[i] = (float) (y[i] + (double) alpha * x[i]); }
KERNEL(axpy, (int n, float alpha, const float *x, float *y), (i, alpha, x, y))

/* Backend.Unary's order: NEG, EXP, LOG, SIGMOID, TANH, RELU, SOFTPLUS; evaluated in float64. */
ZS_FN double unary_f(int op, double x) {
    switch (op) {
        case 0: return -x;
        case 1: return exp(x);
        case 2: return log(x);
        case 3: return 1 / (1 + exp(-x));
        case 4: return tanh(x);
        case 5: return x > 0 ? x : 0;
        default: return jmax(x, 0.0) + log1p(exp(-fabs(x)));
    }
}

ZS_FN double unary_d(int op, double x, double y) {
    switch (op) {
        case 0: return -1;
        case 1: return y;
        case 2: return 1 / x;
        case 3: return y * (1 - y);
        case 4: return 1 - y * y;
        case 5: return x > 0 ? 1 : 0;
        default: return 1 / (1 + exp(-x));
    }
}

ZS_FN void unary(int i, int op, const float *x, float *y) { y[i] = (float) unary_f(op, x[i]); }
KERNEL(unary, (int n, int op, const float *x, float *y), (i, op, x, y))

ZS_FN void unary_backward(int i, int op, const float *x, const float *y, const float *gy, float *gx) {
    gx[i] = (float) (gx[i] + gy[i] * unary_d(op, x[i], y[i]));
}
KERNEL(unary_backward, (int n, int op, const float *x, const float *y, const float *gy, float *gx), (i, op, x, y, gy, gx))

ZS_FN void affine(int i, float scale, float shift, const float *x, float *y) { y[i] = scale * x[i] + shift; }
KERNEL(affine, (int n, float scale, float shift, const float *x, float *y), (i, scale, shift, x, y))

/* out[i] = a[i·d.a] op b[i·d.b], Backend.Binary's order ADD, SUB, MUL, DIV, in float32. */
ZS_FN void binary(int i, int op, Dims d, const float *a, const float *b, float *out) {
    int pa, pb;
    offsets(&d, i, &pa, &pb);
    float x = a[pa], y = b[pb];
    out[i] = op == 0 ? x + y : op == 1 ? x - y : op == 2 ? x * y : x / y;
}
KERNEL(binary, (int n, int op, Dims d, const float *a, const float *b, float *out), (i, op, d, a, b, out))

/* ------------------------------------------------------------------ reductions */

/* The float64 sum of x[o, :, j] over a [reduced, inner] block (of squared deviations from mean when asked). */
ZS_FN double column_sum(const float *x, int reduced, int inner, int j, int deviations, double mean) {
    double acc = 0;
    for (int r = 0; r < reduced; r++) {
        double v = x[(long) r * inner + j];
        if (deviations) { double d = v - mean; acc += d * d; } else acc += v;
    }
    return acc;
}

/* Item i = (o, j): Backend.Reduction's order SUM, MEAN, VAR (unbiased). */
ZS_FN void reduce(int i, int kind, int reduced, int inner, const float *x, float *y) {
    int j = i % inner, o = i / inner;
    const float *block = x + (long) o * reduced * inner;
    double sum = column_sum(block, reduced, inner, j, 0, 0), mean = sum / reduced;
    y[i] = (float) (kind == 0 ? sum : kind == 1 ? mean : column_sum(block, reduced, inner, j, 1, mean) / (reduced - 1));
}
KERNEL(reduce, (int n, int kind, int reduced, int inner, const float *x, float *y), (i, kind, reduced, inner, x, y))

/*
 * Long columns with few of them (a mean over a whole tensor) would leave one thread per column doing all
 * the work: instead, item i = (column oj, chunk c) sums rows [c·len, (c+1)·len) of column oj in float64
 * (of squared deviations from sums[oj] / reduced when sums is given), then one item per column adds its
 * chunks' partials in order.
 */
ZS_FN void column_partials(int i, int reduced, int inner, int chunks, int len, const float *x, const double *sums, double *part) {
    int c = i % chunks, oj = i / chunks, j = oj % inner, o = oj / inner;
    const float *block = x + (long) o * reduced * inner;
    double mean = sums == 0 ? 0 : sums[oj] / reduced, acc = 0;
    int end = (c + 1) * len < reduced ? (c + 1) * len : reduced;
    for (int r = c * len; r < end; r++) {
        double v = block[(long) r * inner + j];
        if (sums == 0) acc += v; else { double d = v - mean; acc += d * d; }
    }
    part[i] = acc;
}
KERNEL(column_partials, (int n, int reduced, int inner, int chunks, int len, const float *x, const double *sums, double *part),
       (i, reduced, inner, chunks, len, x, sums, part))

ZS_FN void column_totals(int oj, int chunks, const double *part, double *total) {
    double s = 0;
    for (int c = 0; c < chunks; c++) s += part[(long) oj * chunks + c];
    total[oj] = s;
}
KERNEL(column_totals, (int n, int chunks, const double *part, double *total), (i, chunks, part, total))

/* Item oj: the reduction from the column's sum (and, for VAR, its sum of squared deviations). */
ZS_FN void reduce_result(int oj, int kind, int reduced, const double *sums, const double *squares, float *y) {
    y[oj] = (float) (kind == 0 ? sums[oj] : kind == 1 ? sums[oj] / reduced : squares[oj] / (reduced - 1));
}
KERNEL(reduce_result, (int n, int kind, int reduced, const double *sums, const double *squares, float *y), (i, kind, reduced, sums, squares, y))

/* Item i of x [outer, reduced, inner]: gx[i] += ∂y/∂x·gy; VAR takes its column's mean from sums / reduced. */
ZS_FN void reduce_backward(int i, int kind, int reduced, int inner, const float *x, const float *gy, const double *sums, float *gx) {
    int j = i % inner, o = i / (reduced * inner), oj = o * inner + j;
    double g = gy[oj];
    gx[i] += (float) (kind == 0 ? g : kind == 1 ? g / reduced : g * 2 * (x[i] - sums[oj] / reduced) / (reduced - 1));
}
KERNEL(reduce_backward, (int n, int kind, int reduced, int inner, const float *x, const float *gy, const double *sums, float *gx),
       (i, kind, reduced, inner, x, gy, sums, gx))

/* Item i: the float64 sum of squares of x[i·chunk, (i+1)·chunk) ∩ [0, total), into part[i]. */
ZS_FN void sum_squares(int i, int chunk, int total, const float *x, double *part) {
    double s = 0;
    int end = (i + 1) * chunk < total ? (i + 1) * chunk : total;
    for (int k = i * chunk; k < end; k++) s += (double) x[k] * x[k];
    part[i] = s;
}
KERNEL(sum_squares, (int n, int chunk, int total, const float *x, double *part), (i, chunk, total, x, part))

/* ------------------------------------------------------------------ row-wise functions and losses */

/* Item r: one row of (log-)softmax, max-shifted, in float64. */
ZS_FN void softmax_rows(int r, int log_, int cols, const float *x, float *y) {
    const float *a = x + (long) r * cols;
    float *b = y + (long) r * cols;
    double max = -INFINITY, z = 0;
    for (int j = 0; j < cols; j++) max = jmax(max, (double) a[j]);
    for (int j = 0; j < cols; j++) z += exp(a[j] - max);
    double logZ = log(z);
    for (int j = 0; j < cols; j++) {
        double s = a[j] - max;
        b[j] = (float) (log_ ? s - logZ : exp(s) / z);
    }
}
KERNEL(softmax_rows, (int n, int log_, int cols, const float *x, float *y), (i, log_, cols, x, y))

ZS_FN void softmax_rows_backward(int r, int log_, int cols, const float *y, const float *gy, float *gx) {
    long o = (long) r * cols;
    double s = 0;
    for (int j = 0; j < cols; j++) s += log_ ? gy[o + j] : (double) gy[o + j] * y[o + j];
    for (int j = 0; j < cols; j++) {
        double d = log_ ? gy[o + j] - exp((double) y[o + j]) * s : y[o + j] * (gy[o + j] - s);
        gx[o + j] = (float) (gx[o + j] + d);
    }
}
KERNEL(softmax_rows_backward, (int n, int log_, int cols, const float *y, const float *gy, float *gx), (i, log_, cols, y, gy, gx))

/* Item r: picked[r] = logp[r, targets[r]] (the host sums them in float64, in row order). */
ZS_FN void nll_pick(int r, int cols, const float *logp, const int *targets, float *picked) { picked[r] = logp[(long) r * cols + targets[r]]; }
KERNEL(nll_pick, (int n, int cols, const float *logp, const int *targets, float *picked), (i, cols, logp, targets, picked))

ZS_FN void nll_backward(int i, int cols, float scale, int accumulate, const float *logp, const int *targets, float *g) {
    int j = i % cols, r = i / cols;
    float v = ((float) exp((double) logp[i]) - (j == targets[r] ? 1.0f : 0.0f)) * scale;
    g[i] = accumulate ? g[i] + v : v;
}
KERNEL(nll_backward, (int n, int cols, float scale, int accumulate, const float *logp, const int *targets, float *g), (i, cols, scale, accumulate, logp, targets, g))

/* Item r: one row's layer norm; w and b may be null. */
ZS_FN void layer_norm(int r, int cols, double eps, const float *x, const float *w, const float *b, float *out, float *xhat, float *rstd) {
    long o = (long) r * cols;
    double mean = 0, var = 0;
    for (int j = 0; j < cols; j++) mean += x[o + j];
    mean /= cols;
    for (int j = 0; j < cols; j++) { double d = x[o + j] - mean; var += d * d; }
    var /= cols;
    rstd[r] = (float) (1 / sqrt(var + eps));
    for (int j = 0; j < cols; j++) {
        float h = (float) ((x[o + j] - mean) * rstd[r]);
        xhat[o + j] = h;
        out[o + j] = h * (w == 0 ? 1.0f : w[j]) + (b == 0 ? 0.0f : b[j]);
    }
}
KERNEL(layer_norm, (int n, int cols, double eps, const float *x, const float *w, const float *b, float *out, float *xhat, float *rstd),
       (i, cols, eps, x, w, b, out, xhat, rstd))

/* Item r: gx of one row. */
ZS_FN void layer_norm_backward_x(int r, int cols, const float *g, const float *w, const float *xhat, const float *rstd, float *gx) {
    long o = (long) r * cols;
    double sumG = 0, sumGx = 0;
    for (int j = 0; j < cols; j++) {
        double gh = g[o + j] * (w == 0 ? 1.0f : w[j]);
        sumG += gh;
        sumGx += gh * xhat[o + j];
    }
    for (int j = 0; j < cols; j++) {
        double gh = g[o + j] * (w == 0 ? 1.0f : w[j]);
        gx[o + j] += (float) (rstd[r] * (gh - sumG / cols - xhat[o + j] * sumGx / cols));
    }
}
KERNEL(layer_norm_backward_x, (int n, int cols, const float *g, const float *w, const float *xhat, const float *rstd, float *gx),
       (i, cols, g, w, xhat, rstd, gx))

/* Item j: column j of gw and gb (either may be null), over the rows in order. */
ZS_FN void layer_norm_backward_wb(int j, int rows, int cols, const float *g, const float *xhat, float *gw, float *gb) {
    for (int r = 0; r < rows; r++) {
        long k = (long) r * cols + j;
        if (gw != 0) gw[j] += g[k] * xhat[k];
        if (gb != 0) gb[j] += g[k];
    }
}
KERNEL(layer_norm_backward_wb, (int n, int rows, int cols, const float *g, const float *xhat, float *gw, float *gb), (i, rows, cols, g, xhat, gw, gb))

ZS_FN void l2_normalize(int r, int cols, double eps, const float *x, float *out, float *norms) {
    long o = (long) r * cols;
    double s = 0;
    for (int j = 0; j < cols; j++) { double v = x[o + j]; s += v * v; }
    norms[r] = (float) jmax(sqrt(s), eps);
    for (int j = 0; j < cols; j++) out[o + j] = x[o + j] / norms[r];
}
KERNEL(l2_normalize, (int n, int cols, double eps, const float *x, float *out, float *norms), (i, cols, eps, x, out, norms))

ZS_FN void l2_normalize_backward(int r, int cols, float eps, const float *g, const float *out, const float *norms, float *gx) {
    long o = (long) r * cols;
    int clamped = norms[r] == eps;
    double dot = 0;
    for (int j = 0; j < cols; j++) dot += g[o + j] * out[o + j];
    for (int j = 0; j < cols; j++) {
        gx[o + j] += (float) (clamped ? g[o + j] / norms[r] : (g[o + j] - out[o + j] * dot) / norms[r]);
    }
}
KERNEL(l2_normalize_backward, (int n, int cols, float eps, const float *g, const float *out, const float *norms, float *gx), (i, cols, eps, g, out, norms, gx))

/* ------------------------------------------------------------------ LSTM cell and optimisers */

ZS_FN double sigmoid(double x) { return 1 / (1 + exp(-x)); }

/* Item i = (b, j) of [batch, hidden]: PyTorch gate order (i, f, g, o) along each row of gates [batch, 4H]. */
ZS_FN void lstm_cell_forward(int k, int hidden, float *gates, const float *cPrev, float *c, float *tc, float *h) {
    int j = k % hidden, b = k / hidden;
    float *g0 = gates + (long) b * 4 * hidden;
    double i = sigmoid(g0[j]), f = sigmoid(g0[hidden + j]), g = tanh((double) g0[2 * hidden + j]), o = sigmoid(g0[3 * hidden + j]);
    g0[j] = (float) i;
    g0[hidden + j] = (float) f;
    g0[2 * hidden + j] = (float) g;
    g0[3 * hidden + j] = (float) o;
    double cv = f * cPrev[k] + i * g, t = tanh(cv);
    c[k] = (float) cv;
    tc[k] = (float) t;
    h[k] = (float) (o * t);
}
KERNEL(lstm_cell_forward, (int n, int hidden, float *gates, const float *cPrev, float *c, float *tc, float *h), (i, hidden, gates, cPrev, c, tc, h))

/* gc may be null (zero). */
ZS_FN void lstm_cell_backward(int k, int hidden, const float *acts, const float *cPrev, const float *tc, const float *gh,
                              const float *gc, float *dGates, float *gcPrev) {
    int j = k % hidden, b = k / hidden;
    const float *a0 = acts + (long) b * 4 * hidden;
    float *d0 = dGates + (long) b * 4 * hidden;
    double i = a0[j], f = a0[hidden + j], g = a0[2 * hidden + j], o = a0[3 * hidden + j];
    double t = tc[k], dh = gh[k];
    double dc = (gc == 0 ? 0 : gc[k]) + dh * o * (1 - t * t);
    d0[j] = (float) (dc * g * i * (1 - i));
    d0[hidden + j] = (float) (dc * cPrev[k] * f * (1 - f));
    d0[2 * hidden + j] = (float) (dc * i * (1 - g * g));
    d0[3 * hidden + j] = (float) (dh * t * o * (1 - o));
    gcPrev[k] = (float) (dc * f);
}
KERNEL(lstm_cell_backward, (int n, int hidden, const float *acts, const float *cPrev, const float *tc, const float *gh,
                            const float *gc, float *dGates, float *gcPrev), (i, hidden, acts, cPrev, tc, gh, gc, dGates, gcPrev))

/* torch.optim.AdamW's float32 order; the host computes the step's scalars in float64 as the reference does. */
ZS_FN void adamw(int i, float decay, float b1, float b2, float c1, float c2, float stepSize, float bc2s, float e,
                 float *w, const float *g, float *m, float *v) {
    float gi = g[i];
    w[i] *= decay;
    m[i] = m[i] * b1 + c1 * gi;
    v[i] = v[i] * b2 + c2 * gi * gi;
    float denom = (float) sqrt((double) v[i]) / bc2s + e;
    w[i] += -stepSize * (m[i] / denom);
}
KERNEL(adamw, (int n, float decay, float b1, float b2, float c1, float c2, float stepSize, float bc2s, float e,
               float *w, const float *g, float *m, float *v), (i, decay, b1, b2, c1, c2, stepSize, bc2s, e, w, g, m, v))

/* Item i of groups·n: adamw on group i / n with that group's decay, step size and √(1−β2^t) from scalars. */
ZS_FN void adamw_groups(int i, int n, float b1, float b2, float c1, float c2, float e, const float *scalars,
                        float *w, const float *g, float *m, float *v) {
    const float *s = scalars + 3 * (i / n);
    adamw(i, s[0], b1, b2, c1, c2, s[1], s[2], e, w, g, m, v);
}
KERNEL(adamw_groups, (int n, int per, float b1, float b2, float c1, float c2, float e, const float *scalars,
                      float *w, const float *g, float *m, float *v), (i, per, b1, b2, c1, c2, e, scalars, w, g, m, v))

/* torch.optim.SGD; buf may be null when momentum is 0. */
ZS_FN void sgd(int i, float rate, float mu, float damp, float wd, int momentum, int first, int nesterov, float *w, const float *g, float *buf) {
    float d = g[i] + wd * w[i];
    if (momentum) {
        float b = first ? d : mu * buf[i] + damp * d;
        buf[i] = b;
        d = nesterov ? d + mu * b : b;
    }
    w[i] -= rate * d;
}
KERNEL(sgd, (int n, float rate, float mu, float damp, float wd, int momentum, int first, int nesterov, float *w, const float *g, float *buf),
       (i, rate, mu, damp, wd, momentum, first, nesterov, w, g, buf))
