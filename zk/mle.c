/* zk/mle.c - multilinear tables: eq, evaluation, folding, padding (see mle.h). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__AVX512F__)
/* the eq and fold loops are written to vectorize (zk_fp_*_v); with AVX-512
 * let gcc use 8 lanes (it prefers 256 bits on recent Intel parts) */
#pragma GCC target("prefer-vector-width=512")
#endif
#include "zk/mle.h"

#include <stdlib.h>
#include <string.h>

#include "common/parallel.h"

/* ------------------------------------------------------------ helpers */

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort(); /* scratch of at most a few MiB; no caller can recover */
    return p;
}

/* Threads to use for a loop over `elems` elements. */
static int threads_for(size_t elems, int threads)
{
    if (elems < ZK_MLE_PAR_MIN)
        return 1;
    if (threads <= 0)
        threads = za_default_threads();
    return threads < 1 ? 1 : threads;
}

/* Run fn(ctx, c, begin, end) for chunks c < nch covering [0, n), one chunk
 * per thread, so that each chunk can own an output slot. */
typedef void (*chunk_fn)(void *ctx, unsigned chunk, size_t begin, size_t end);
typedef struct {
    chunk_fn fn;
    void *ctx;
    size_t n;
    unsigned nch;
} chunk_job;

static void chunk_tramp(void *vj, size_t b, size_t e)
{
    chunk_job *j = vj;
    for (size_t c = b; c < e; c++)
        j->fn(j->ctx, (unsigned)c, j->n * c / j->nch, j->n * (c + 1) / j->nch);
}

static void run_chunks(size_t n, unsigned nch, chunk_fn fn, void *ctx)
{
    if (nch > n)
        nch = n ? (unsigned)n : 1;
    chunk_job j = { fn, ctx, n, nch };
    if (nch <= 1) {
        fn(ctx, 0, 0, n);
        return;
    }
    za_parallel_for(nch, (int)nch, chunk_tramp, &j);
}

#define MAX_CHUNKS 256

/* ------------------------------------------------------------ eq */

/* Doubling: out[0] = scale, then level j splits every entry by x_j. */
static void eq_double(const zk_fp2 *r, unsigned n, zk_fp2 scale, zk_fp2 *out)
{
    out[0] = scale;
    for (unsigned j = 0; j < n; j++) {
        size_t h = (size_t)1 << j;
        zk_fp2 rj = r[j];
        for (size_t i = 0; i < h; i++) {
            zk_fp2 hi = zk_fp2_mul(out[i], rj);
            out[i + h] = hi;
            out[i] = zk_fp2_sub(out[i], hi);
        }
    }
}

typedef struct {
    const zk_fp2 *lo, *hi; /* eq tables of the low a and the high n-a variables */
    unsigned a;
    zk_fp2 *out;
    int accumulate;
} outer_ctx;

/* o[i] (+)= lo[i] * h for a fixed h (h1w = 7 h.c1), vectorizable */
static void scale_block(const zk_fp2 *restrict lo, zk_fp2 h, zk_fp h1w, zk_fp2 *restrict o,
                        size_t L)
{
    for (size_t i = 0; i < L; i++) {
        o[i].c0 = zk_fp_add_v(zk_fp_mul_v(h.c0, lo[i].c0), zk_fp_mul_v(h1w, lo[i].c1));
        o[i].c1 = zk_fp_add_v(zk_fp_mul_v(h.c0, lo[i].c1), zk_fp_mul_v(h.c1, lo[i].c0));
    }
}

static void scale_add_block(const zk_fp2 *restrict lo, zk_fp2 h, zk_fp h1w, zk_fp2 *restrict o,
                            size_t L)
{
    for (size_t i = 0; i < L; i++) {
        zk_fp c0 = zk_fp_add_v(zk_fp_mul_v(h.c0, lo[i].c0), zk_fp_mul_v(h1w, lo[i].c1));
        zk_fp c1 = zk_fp_add_v(zk_fp_mul_v(h.c0, lo[i].c1), zk_fp_mul_v(h.c1, lo[i].c0));
        o[i].c0 = zk_fp_add_v(o[i].c0, c0);
        o[i].c1 = zk_fp_add_v(o[i].c1, c1);
    }
}

static void outer_range(void *vc, size_t b, size_t e)
{
    outer_ctx *c = vc;
    size_t L = (size_t)1 << c->a;
    for (size_t k = b; k < e; k++) {
        zk_fp2 h = c->hi[k];
        zk_fp h1w = zk_fp_mul(h.c1, ZK_FP2_W);
        zk_fp2 *o = c->out + (k << c->a);
        if (c->accumulate)
            scale_add_block(c->lo, h, h1w, o, L);
        else
            scale_block(c->lo, h, h1w, o, L);
    }
}

static void eq_fill(const zk_fp2 *r, unsigned n, zk_fp2 scale, zk_fp2 *out, int threads,
                    int accumulate)
{
    size_t N = (size_t)1 << n;
    if (!accumulate && N < ZK_MLE_PAR_MIN) {
        eq_double(r, n, scale, out);
        return;
    }
    /* outer product of the low (a) and high (n - a) halves: one pass over out */
    unsigned a = (n + 1) / 2;
    zk_fp2 *lo = xmalloc(sizeof(zk_fp2) * ((size_t)1 << a));
    zk_fp2 *hi = xmalloc(sizeof(zk_fp2) * ((size_t)1 << (n - a)));
    eq_double(r, a, zk_fp2_make(1, 0), lo);
    eq_double(r + a, n - a, scale, hi);
    outer_ctx c = { lo, hi, a, out, accumulate };
    size_t nh = (size_t)1 << (n - a);
    int th = threads_for(N, threads);
    if (th > 1)
        za_parallel_for(nh, th, outer_range, &c);
    else
        outer_range(&c, 0, nh);
    free(lo);
    free(hi);
}

void zk_eq_table_mt(const zk_fp2 *r, unsigned n, zk_fp2 *out, int threads)
{
    eq_fill(r, n, zk_fp2_make(1, 0), out, threads, 0);
}

void zk_eq_table(const zk_fp2 *r, unsigned n, zk_fp2 *out)
{
    eq_fill(r, n, zk_fp2_make(1, 0), out, 0, 0);
}

void zk_eq_table_scaled(const zk_fp2 *r, unsigned n, zk_fp2 scale, zk_fp2 *out, int threads)
{
    eq_fill(r, n, scale, out, threads, 0);
}

void zk_eq_table_accumulate(const zk_fp2 *r, unsigned n, zk_fp2 scale, zk_fp2 *out, int threads)
{
    eq_fill(r, n, scale, out, threads, 1);
}

zk_fp2 zk_eq_eval(const zk_fp2 *a, const zk_fp2 *b, unsigned n)
{
    zk_fp2 acc = zk_fp2_make(1, 0);
    for (unsigned j = 0; j < n; j++)
        acc = zk_fp2_mul(acc, zk_eq1(a[j], b[j]));
    return acc;
}

/* ------------------------------------------------------------ dot products */

static zk_fp2 dot_base_seq(const zk_fp2 *a, const zk_fp *b, size_t len)
{
    zk_acc192 s0 = { 0, 0 }, s1 = { 0, 0 };
    for (size_t i = 0; i < len; i++) {
        zk_acc_mac(&s0, a[i].c0, b[i]);
        zk_acc_mac(&s1, a[i].c1, b[i]);
    }
    return zk_fp2_make(zk_acc_reduce(s0), zk_acc_reduce(s1));
}

static zk_fp2 dot_ext_seq(const zk_fp2 *a, const zk_fp2 *b, size_t len)
{
    zk_acc192 s00 = { 0, 0 }, s11 = { 0, 0 }, s01 = { 0, 0 };
    for (size_t i = 0; i < len; i++) {
        zk_acc_mac(&s00, a[i].c0, b[i].c0);
        zk_acc_mac(&s11, a[i].c1, b[i].c1);
        zk_acc_mac(&s01, a[i].c0, b[i].c1);
        zk_acc_mac(&s01, a[i].c1, b[i].c0);
    }
    zk_fp c0 = zk_fp_add(zk_acc_reduce(s00), zk_fp_mul(zk_acc_reduce(s11), ZK_FP2_W));
    return zk_fp2_make(c0, zk_acc_reduce(s01));
}

typedef struct {
    const zk_fp2 *a;
    const zk_fp *bb;
    const zk_fp2 *be;
    zk_fp2 part[MAX_CHUNKS];
} dot_ctx;

static void dot_chunk(void *vc, unsigned c, size_t b, size_t e)
{
    dot_ctx *d = vc;
    d->part[c] = d->bb ? dot_base_seq(d->a + b, d->bb + b, e - b)
                       : dot_ext_seq(d->a + b, d->be + b, e - b);
}

static zk_fp2 dot_par(const zk_fp2 *a, const zk_fp *bb, const zk_fp2 *be, size_t len, int threads)
{
    int th = threads_for(len, threads);
    if (th > MAX_CHUNKS)
        th = MAX_CHUNKS;
    if (th <= 1)
        return bb ? dot_base_seq(a, bb, len) : dot_ext_seq(a, be, len);
    dot_ctx d;
    d.a = a;
    d.bb = bb;
    d.be = be;
    run_chunks(len, (unsigned)th, dot_chunk, &d);
    zk_fp2 s = zk_fp2_make(0, 0);
    unsigned nch = (unsigned)th > len ? (unsigned)len : (unsigned)th;
    for (unsigned c = 0; c < nch; c++)
        s = zk_fp2_add(s, d.part[c]);
    return s;
}

zk_fp2 zk_mle_dot_base(const zk_fp2 *a, const zk_fp *b, size_t len, int threads)
{
    return dot_par(a, b, NULL, len, threads);
}

zk_fp2 zk_mle_dot_ext(const zk_fp2 *a, const zk_fp2 *b, size_t len, int threads)
{
    return dot_par(a, NULL, b, len, threads);
}

/* ------------------------------------------------------------ evaluation */

#define EVAL_LOW 10 /* variables of the inner eq table (16 KiB, stays in L1) */

typedef struct {
    const zk_fp *vb;
    const zk_fp2 *ve;
    const zk_fp2 *lo, *hi;
    zk_fp2 part[MAX_CHUNKS];
} eval_ctx;

static void eval_chunk(void *vc, unsigned c, size_t b, size_t e)
{
    eval_ctx *x = vc;
    const size_t L = (size_t)1 << EVAL_LOW;
    zk_fp2 s = zk_fp2_make(0, 0);
    for (size_t k = b; k < e; k++) {
        zk_fp2 in = x->vb ? dot_base_seq(x->lo, x->vb + k * L, L)
                          : dot_ext_seq(x->lo, x->ve + k * L, L);
        s = zk_fp2_add(s, zk_fp2_mul(in, x->hi[k]));
    }
    x->part[c] = s;
}

static zk_fp2 eval_any(const zk_fp *vb, const zk_fp2 *ve, unsigned n, const zk_fp2 *r,
                       int threads)
{
    if (n <= EVAL_LOW) {
        zk_fp2 eq[(size_t)1 << EVAL_LOW];
        eq_double(r, n, zk_fp2_make(1, 0), eq);
        size_t N = (size_t)1 << n;
        return vb ? dot_base_seq(eq, vb, N) : dot_ext_seq(eq, ve, N);
    }
    /* sum_k eq_hi[k] * <eq_lo, v[k*L .. (k+1)*L)> */
    size_t nh = (size_t)1 << (n - EVAL_LOW);
    zk_fp2 lo[(size_t)1 << EVAL_LOW];
    eq_double(r, EVAL_LOW, zk_fp2_make(1, 0), lo);
    zk_fp2 *hi = xmalloc(sizeof(zk_fp2) * nh);
    eq_fill(r + EVAL_LOW, n - EVAL_LOW, zk_fp2_make(1, 0), hi, threads, 0);
    eval_ctx x;
    x.vb = vb;
    x.ve = ve;
    x.lo = lo;
    x.hi = hi;
    int th = threads_for((size_t)1 << n, threads);
    if (th > MAX_CHUNKS)
        th = MAX_CHUNKS;
    unsigned nch = (unsigned)th > nh ? (unsigned)nh : (unsigned)th;
    run_chunks(nh, nch, eval_chunk, &x);
    zk_fp2 s = zk_fp2_make(0, 0);
    for (unsigned c = 0; c < nch; c++)
        s = zk_fp2_add(s, x.part[c]);
    free(hi);
    return s;
}

zk_fp2 zk_mle_eval_mt(const zk_fp *v, unsigned n, const zk_fp2 *r, int threads)
{
    return eval_any(v, NULL, n, r, threads);
}

zk_fp2 zk_mle_eval_ext_mt(const zk_fp2 *v, unsigned n, const zk_fp2 *r, int threads)
{
    return eval_any(NULL, v, n, r, threads);
}

zk_fp2 zk_mle_eval(const zk_fp *v, unsigned n, const zk_fp2 *r)
{
    return eval_any(v, NULL, n, r, 0);
}

zk_fp2 zk_mle_eval_ext(const zk_fp2 *v, unsigned n, const zk_fp2 *r)
{
    return eval_any(NULL, v, n, r, 0);
}

zk_fp2 zk_mle_eval_ref(zk_mle_ref v, unsigned n, const zk_fp2 *r, int threads)
{
    if (v.base)
        return eval_any(v.base, NULL, n, r, threads);
    return eval_any(NULL, v.ext ? v.ext : v.ext_inplace, n, r, threads);
}

/* ------------------------------------------------------------ folding */

typedef struct {
    const zk_fp *vb;
    const zk_fp2 *ve;
    size_t h;
    zk_fp2 r;
    zk_fp2 *out;
} fold_ctx;

static void fold_base_range(const zk_fp *restrict v, zk_fp2 *restrict out, size_t b, size_t e,
                            size_t h, zk_fp2 r)
{
    for (size_t i = b; i < e; i++) {
        zk_fp d = zk_fp_sub_v(v[i + h], v[i]);
        out[i].c0 = zk_fp_add_v(v[i], zk_fp_mul_v(r.c0, d));
        out[i].c1 = zk_fp_mul_v(r.c1, d);
    }
}

static void fold_ext_range(const zk_fp2 *restrict v, zk_fp2 *restrict out, size_t b, size_t e,
                           size_t h, zk_fp2 r, zk_fp r1w)
{
    for (size_t i = b; i < e; i++) {
        zk_fp l0 = v[i].c0, l1 = v[i].c1;
        zk_fp d0 = zk_fp_sub_v(v[i + h].c0, l0), d1 = zk_fp_sub_v(v[i + h].c1, l1);
        out[i].c0 = zk_fp_add_v(l0, zk_fp_add_v(zk_fp_mul_v(r.c0, d0), zk_fp_mul_v(r1w, d1)));
        out[i].c1 = zk_fp_add_v(l1, zk_fp_add_v(zk_fp_mul_v(r.c0, d1), zk_fp_mul_v(r.c1, d0)));
    }
}

/* in place: v[i] from v[i] and v[i + h] (never written in this pass) */
static void fold_ext_range_inplace(zk_fp2 *v, size_t b, size_t e, size_t h, zk_fp2 r, zk_fp r1w)
{
    for (size_t i = b; i < e; i++) {
        zk_fp l0 = v[i].c0, l1 = v[i].c1;
        zk_fp d0 = zk_fp_sub_v(v[i + h].c0, l0), d1 = zk_fp_sub_v(v[i + h].c1, l1);
        v[i].c0 = zk_fp_add_v(l0, zk_fp_add_v(zk_fp_mul_v(r.c0, d0), zk_fp_mul_v(r1w, d1)));
        v[i].c1 = zk_fp_add_v(l1, zk_fp_add_v(zk_fp_mul_v(r.c0, d1), zk_fp_mul_v(r.c1, d0)));
    }
}

static void fold_range(void *vc, size_t b, size_t e)
{
    const fold_ctx *f = vc;
    const zk_fp r1w = zk_fp_mul(f->r.c1, ZK_FP2_W);
    if (f->vb)
        fold_base_range(f->vb, f->out, b, e, f->h, f->r);
    else if (f->ve == f->out)
        fold_ext_range_inplace(f->out, b, e, f->h, f->r, r1w);
    else
        fold_ext_range(f->ve, f->out, b, e, f->h, f->r, r1w);
}

static void fold_any(const zk_fp *vb, const zk_fp2 *ve, unsigned n, zk_fp2 r, zk_fp2 *out,
                     int threads)
{
    if (n == 0)
        return; /* nothing to bind */
    size_t h = (size_t)1 << (n - 1);
    fold_ctx f = { vb, ve, h, r, out };
    int th = threads_for(h, threads);
    if (th > 1)
        za_parallel_for(h, th, fold_range, &f);
    else
        fold_range(&f, 0, h);
}

void zk_mle_fold_base(const zk_fp *v, unsigned n, zk_fp2 r, zk_fp2 *out, int threads)
{
    fold_any(v, NULL, n, r, out, threads);
}

void zk_mle_fold_ext(const zk_fp2 *v, unsigned n, zk_fp2 r, zk_fp2 *out, int threads)
{
    fold_any(NULL, v, n, r, out, threads);
}

/* ------------------------------------------------------------ padding */

unsigned zk_mle_log2_ceil(size_t len)
{
    unsigned k = 0;
    while (k < 63 && ((size_t)1 << k) < len)
        k++;
    return k;
}

za_status zk_mle_pad(const zk_fp *v, size_t len, unsigned n, zk_fp *out, za_error *err)
{
    if (n > ZK_MLE_MAX_VARS || len > ((size_t)1 << n))
        return za_error_set(err, ZA_ERR_ARG, "mle pad: %zu elements do not fit 2^%u", len, n);
    if (out != v && len)
        memmove(out, v, sizeof(zk_fp) * len);
    memset(out + len, 0, sizeof(zk_fp) * (((size_t)1 << n) - len));
    return ZA_OK;
}

za_status zk_mle_pad_ext(const zk_fp2 *v, size_t len, unsigned n, zk_fp2 *out, za_error *err)
{
    if (n > ZK_MLE_MAX_VARS || len > ((size_t)1 << n))
        return za_error_set(err, ZA_ERR_ARG, "mle pad: %zu elements do not fit 2^%u", len, n);
    if (out != v && len)
        memmove(out, v, sizeof(zk_fp2) * len);
    memset(out + len, 0, sizeof(zk_fp2) * (((size_t)1 << n) - len));
    return ZA_OK;
}

za_status zk_mle_pad_alloc(const zk_fp *v, size_t len, zk_fp **out, unsigned *n, za_error *err)
{
    *out = NULL;
    unsigned k = zk_mle_log2_ceil(len);
    if (k > ZK_MLE_MAX_VARS)
        return za_error_set(err, ZA_ERR_LIMIT, "mle pad: %zu elements exceed 2^%u", len,
                            ZK_MLE_MAX_VARS);
    zk_fp *t = malloc(sizeof(zk_fp) << k);
    if (!t)
        return za_error_set(err, ZA_ERR_NOMEM, "mle pad: cannot allocate 2^%u elements", k);
    za_status st = zk_mle_pad(v, len, k, t, err);
    if (st) {
        free(t);
        return st;
    }
    *out = t;
    *n = k;
    return ZA_OK;
}
