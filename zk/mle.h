/* zk/mle.h - multilinear polynomials as evaluation tables on the hypercube.
 *
 * Convention (shared by every zk/ module: pcs, sumcheck, ...).  A table v of
 * 2^n elements is the multilinear polynomial in x_0, ..., x_{n-1} whose
 * value at the hypercube point b in {0,1}^n is v[i], where bit j of the
 * index is coordinate j:
 *     b_j = (i >> j) & 1,          x_0 = least significant bit.
 * Its multilinear extension (MLE) at r in F^n is
 *     MLE(v)(r) = sum_i v[i] * prod_j eq1(r_j, b_j),
 *     eq1(r, 1) = r,  eq1(r, 0) = 1 - r,
 * and eq(r, x) = prod_j eq1(r_j, x_j) is the table built by zk_eq_table.  A
 * point is an array r[0..n) with r[j] the value of x_j.  n = 0 is allowed: a
 * table of one element, a constant polynomial.
 *
 * Folding binds the HIGHEST variable first: folding v (2^n elements) with r
 * fixes x_{n-1} = r and gives the 2^(n-1) table
 *     out[i] = v[i] + r * (v[i + h] - v[i]),   h = 2^(n-1),  i < h,
 * a contiguous loop over two streams (no strides, in place allowed).  After
 * folding with r_{n-1}, then r_{n-2}, ..., then r_0, the single element left
 * is MLE(v)(r).  The sumcheck (zk/sumcheck.h) binds variables in the same
 * order.  The first fold of a base-field table gives an extension table.
 *
 * Zero-padding a vector of len <= 2^n elements to 2^n puts the zeros at the
 * high indices (padded[i] = v[i] for i < len, 0 above), so padded entries
 * add nothing to any weighted sum; for len = 2^k,
 *     MLE(padded)(r) = MLE(v)(r_0, .., r_{k-1}) * prod_{j >= k} (1 - r_j).
 *
 * Threads: the O(2^n) loops run on za_parallel_for once the table holds at
 * least ZK_MLE_PAR_MIN elements; threads <= 0 means za_default_threads().
 * Functions without a threads argument use the default.  Results never
 * depend on the thread count.  Scratch allocations here are small (at most
 * ~2^(n-10) elements); an allocation failure aborts (as zk_pcs_eval does).
 */
#ifndef ZK_MLE_H
#define ZK_MLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "zk/field.h"

#define ZK_MLE_PAR_MIN ((size_t)1 << 16) /* elements: below this, one thread */
#define ZK_MLE_MAX_VARS 40

/* A borrowed table of 2^n elements: exactly one pointer is non-NULL.
 * ext_inplace is an extension table its consumer may overwrite (the
 * sumcheck prover then folds it in place instead of copying it). */
typedef struct {
    const zk_fp *base;
    const zk_fp2 *ext;
    zk_fp2 *ext_inplace;
} zk_mle_ref;

static inline zk_mle_ref zk_mle_ref_base(const zk_fp *v)
{
    zk_mle_ref m = { v, NULL, NULL };
    return m;
}
static inline zk_mle_ref zk_mle_ref_ext(const zk_fp2 *v)
{
    zk_mle_ref m = { NULL, v, NULL };
    return m;
}
static inline zk_mle_ref zk_mle_ref_ext_inplace(zk_fp2 *v)
{
    zk_mle_ref m = { NULL, NULL, v };
    return m;
}

/* ---- fast arithmetic for the O(2^n) loops (shared by mle.c, sumcheck.c) ----
 * Same results as zk/field.h.  zk_fp_reduce128_bf is a branch-free twin of
 * zk_fp_reduce128: gcc compiles the latter's carry fix-up to a
 * data-dependent branch, which mispredicts often enough in streaming loops
 * to cost ~3x (measured 10.5 vs 3.9 ns per product); tests/unit/test_mle.c
 * checks the two agree.  Sums of 64x64-bit products are kept as 192-bit
 * integers and reduced once. */

static inline zk_fp zk_fp_reduce128_bf(unsigned __int128 x)
{
    uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
    uint64_t hi_hi = hi >> 32, hi_lo = hi & ZK_EPSILON;
    uint64_t t0;
    uint64_t borrow = __builtin_sub_overflow(lo, hi_hi, &t0);
    t0 -= ZK_EPSILON & (0 - borrow); /* borrowed 2^64: subtract 2^64 mod p */
    uint64_t t2;
    uint64_t carry = __builtin_add_overflow(t0, hi_lo * ZK_EPSILON, &t2);
    t2 += ZK_EPSILON & (0 - carry); /* carried 2^64: cannot carry again */
    return t2 >= ZK_P ? t2 - ZK_P : t2;
}

static inline zk_fp zk_fp_mul_bf(zk_fp a, zk_fp b)
{
    return zk_fp_reduce128_bf((unsigned __int128)a * b);
}

/* Vectorizable forms: 32-bit limbs for the 64x64-bit product, selects for
 * every conditional, no __int128, so gcc turns loops of them into AVX2 /
 * AVX-512 code (as zk/ntt.c does; measured 3x on the base-table fold).
 * Same canonical results as zk/field.h.  Where no vector unit is enabled
 * (e.g. the sanitizer builds, compiled without -march) zk_fp_mul_v is the
 * scalar zk_fp_mul_bf, which is then faster; zk_fp_mul_limbs is the limb
 * form in every build (tests/unit/test_mle.c checks both). */
static inline zk_fp zk_fp_add_v(zk_fp a, zk_fp b)
{
    zk_fp s = a + b;
    s = s < a ? s + ZK_EPSILON : s; /* carry: 2^64 = EPSILON (mod p), no second carry */
    return s >= ZK_P ? s - ZK_P : s;
}

static inline zk_fp zk_fp_sub_v(zk_fp a, zk_fp b)
{
    zk_fp d = a - b;
    return a < b ? d + ZK_P : d;
}

static inline zk_fp zk_fp_mul_limbs(zk_fp a, zk_fp b)
{
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t ll = a0 * b0, lh = a0 * b1, hl = a1 * b0, hh = a1 * b1;
    /* a*b = hi*2^64 + lo; m1, m2 <= (2^32-1)^2 + 2^32-1 fit in 64 bits */
    uint64_t m1 = lh + (ll >> 32);
    uint64_t m2 = hl + (m1 & 0xffffffffu);
    uint64_t lo = (m2 << 32) | (ll & 0xffffffffu);
    uint64_t hi = hh + (m1 >> 32) + (m2 >> 32);
    /* = lo + hi_lo*EPSILON - hi_hi (mod p) */
    uint64_t hi_hi = hi >> 32, hi_lo = hi & ZK_EPSILON;
    uint64_t t0 = lo - hi_hi;
    t0 = lo < hi_hi ? t0 - ZK_EPSILON : t0;
    uint64_t t1 = (hi_lo << 32) - hi_lo;
    uint64_t t2 = t0 + t1;
    t2 = t2 < t0 ? t2 + ZK_EPSILON : t2;
    return t2 >= ZK_P ? t2 - ZK_P : t2;
}

static inline zk_fp zk_fp_mul_v(zk_fp a, zk_fp b)
{
#if defined(__AVX2__) || defined(__AVX512F__) || defined(__ARM_NEON)
    return zk_fp_mul_limbs(a, b);
#else
    return zk_fp_mul_bf(a, b);
#endif
}

/* 7*t mod p (the extension's non-residue) without a full product */
static inline zk_fp zk_fp_mul7_v(zk_fp t)
{
    uint64_t t8 = t << 3;
    uint64_t lo = t8 - t;                        /* 7t = hi*2^64 + lo */
    uint64_t hi = (t >> 61) - (uint64_t)(t8 < t); /* <= 6 */
    uint64_t s = lo + hi * ZK_EPSILON;
    s = s < lo ? s + ZK_EPSILON : s;
    return s >= ZK_P ? s - ZK_P : s;
}

static inline zk_fp2 zk_fp2_mul_v(zk_fp2 a, zk_fp2 b)
{
    zk_fp c0 = zk_fp_add_v(zk_fp_mul_v(a.c0, b.c0), zk_fp_mul7_v(zk_fp_mul_v(a.c1, b.c1)));
    zk_fp c1 = zk_fp_add_v(zk_fp_mul_v(a.c0, b.c1), zk_fp_mul_v(a.c1, b.c0));
    return zk_fp2_make(c0, c1);
}

typedef struct {
    unsigned __int128 lo;
    uint64_t hi; /* carries out of lo: up to 2^64 additions never overflow */
} zk_acc192;

static inline void zk_acc_mac(zk_acc192 *a, uint64_t x, uint64_t y)
{
    unsigned __int128 p = (unsigned __int128)x * y;
    a->lo += p;
    a->hi += a->lo < p;
}

static inline zk_fp zk_acc_reduce(zk_acc192 a)
{
    /* 2^128 = 2^96 * 2^32 = -2^32 (mod p) */
    zk_fp l = zk_fp_reduce128_bf(a.lo);
    zk_fp h = zk_fp_reduce128_bf((unsigned __int128)a.hi << 32);
    return zk_fp_sub(l, h);
}

/* (x + y) mod p for two 128-bit values, with one reduction */
static inline zk_fp zk_fp_reduce_sum128(unsigned __int128 x, unsigned __int128 y)
{
    unsigned __int128 s = x + y;
    uint64_t carry = s < x; /* 2^128 = -2^32 (mod p) */
    return zk_fp_sub(zk_fp_reduce128_bf(s), carry << 32);
}

/* a*b + c*d mod p */
static inline zk_fp zk_fp_dot2(zk_fp a, zk_fp b, zk_fp c, zk_fp d)
{
    return zk_fp_reduce_sum128((unsigned __int128)a * b, (unsigned __int128)c * d);
}

/* a*b in F_p2 with three reductions instead of five (same result as
 * zk_fp2_mul; all results canonical). */
static inline zk_fp2 zk_fp2_mul_lazy(zk_fp2 a, zk_fp2 b)
{
    zk_fp t = zk_fp_mul_bf(a.c1, b.c1);
    zk_fp c0 = zk_fp_reduce_sum128((unsigned __int128)a.c0 * b.c0,
                                   (unsigned __int128)t * ZK_FP2_W);
    return zk_fp2_make(c0, zk_fp_dot2(a.c0, b.c1, a.c1, b.c0));
}

/* r*d for a fixed r, with r1w = 7*r.c1 mod p precomputed: four products,
 * two reductions. */
static inline zk_fp2 zk_fp2_mul_by_const(zk_fp2 r, zk_fp r1w, zk_fp2 d)
{
    return zk_fp2_make(zk_fp_dot2(r.c0, d.c0, r1w, d.c1), zk_fp_dot2(r.c0, d.c1, r.c1, d.c0));
}

/* ---- eq ---- */

/* out[i] = eq(r, bits(i)) for all i < 2^n (out holds 2^n elements).
 * O(2^n) extension multiplications: the doubling construction for small n;
 * for large n the outer product of the eq tables of the low and the high
 * halves of r (one pass over out, parallel). */
void zk_eq_table(const zk_fp2 *r, unsigned n, zk_fp2 *out);
void zk_eq_table_mt(const zk_fp2 *r, unsigned n, zk_fp2 *out, int threads);
/* out[i] = scale * eq(r, bits(i)), and out[i] += scale * eq(r, bits(i)) */
void zk_eq_table_scaled(const zk_fp2 *r, unsigned n, zk_fp2 scale, zk_fp2 *out, int threads);
void zk_eq_table_accumulate(const zk_fp2 *r, unsigned n, zk_fp2 scale, zk_fp2 *out, int threads);

/* eq(a, b) = prod_j (a_j b_j + (1 - a_j)(1 - b_j)), O(n). */
zk_fp2 zk_eq_eval(const zk_fp2 *a, const zk_fp2 *b, unsigned n);
/* eq1(t, x) = 1 - t - x + 2 t x */
static inline zk_fp2 zk_eq1(zk_fp2 t, zk_fp2 x)
{
    zk_fp2 tx = zk_fp2_mul(t, x);
    zk_fp2 s = zk_fp2_sub(zk_fp2_add(tx, tx), zk_fp2_add(t, x));
    return zk_fp2_add(s, zk_fp2_make(1, 0));
}

/* ---- evaluation at an extension point ---- */

/* MLE(v)(r), r holding n coordinates.  Base tables cost about two base
 * multiplications per element (lazy 192-bit accumulation against a small
 * eq table of the low variables), extension tables about four. */
zk_fp2 zk_mle_eval(const zk_fp *v, unsigned n, const zk_fp2 *r);
zk_fp2 zk_mle_eval_ext(const zk_fp2 *v, unsigned n, const zk_fp2 *r);
zk_fp2 zk_mle_eval_mt(const zk_fp *v, unsigned n, const zk_fp2 *r, int threads);
zk_fp2 zk_mle_eval_ext_mt(const zk_fp2 *v, unsigned n, const zk_fp2 *r, int threads);
zk_fp2 zk_mle_eval_ref(zk_mle_ref v, unsigned n, const zk_fp2 *r, int threads);

/* sum_i a[i] * b[i] over 2^n elements (inner products with an eq table). */
zk_fp2 zk_mle_dot_base(const zk_fp2 *a, const zk_fp *b, size_t len, int threads);
zk_fp2 zk_mle_dot_ext(const zk_fp2 *a, const zk_fp2 *b, size_t len, int threads);

/* ---- folding (binds x_{n-1} = r; n >= 1; out holds 2^(n-1)) ---- */

void zk_mle_fold_base(const zk_fp *v, unsigned n, zk_fp2 r, zk_fp2 *out, int threads);
/* out may equal v (in place); otherwise the two must not overlap. */
void zk_mle_fold_ext(const zk_fp2 *v, unsigned n, zk_fp2 r, zk_fp2 *out, int threads);

/* ---- padding ---- */

/* The least k with 2^k >= len (0 for len <= 1). */
unsigned zk_mle_log2_ceil(size_t len);
/* out[0..len) = v, out[len..2^n) = 0; needs len <= 2^n (else ZA_ERR_ARG).
 * out may equal v when v already has room for 2^n elements. */
za_status zk_mle_pad(const zk_fp *v, size_t len, unsigned n, zk_fp *out, za_error *err)
    ZA_WARN_UNUSED;
za_status zk_mle_pad_ext(const zk_fp2 *v, size_t len, unsigned n, zk_fp2 *out, za_error *err)
    ZA_WARN_UNUSED;
/* A new malloc'd table of 2^log2_ceil(len) elements (at least 1) holding v
 * and zeros; *n receives the variable count.  The caller frees it. */
za_status zk_mle_pad_alloc(const zk_fp *v, size_t len, zk_fp **out, unsigned *n, za_error *err)
    ZA_WARN_UNUSED;

#endif
