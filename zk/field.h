/* zk/field.h - the Goldilocks field F_p, p = 2^64 - 2^32 + 1, and its
 * quadratic extension F_p[X]/(X^2 - 7).
 *
 * Elements are uint64_t in canonical form [0, p) everywhere: every function
 * returns a canonical value given canonical inputs, so equality is ==, and
 * serialized elements are rejected unless canonical (zk_fp_from_bytes).
 * Reduction uses 2^64 = 2^32 - 1 (mod p) and 2^96 = -1 (mod p), so a
 * 128-bit product reduces with two 64-bit subtractions/additions and no
 * division.  Arithmetic selects with masks rather than branches, so it is
 * constant-time in the values (inversion by exponentiation is too; batch
 * inversion branches on zero entries, which are public in its uses).
 *
 * Every verifier challenge is drawn from the extension (~128 bits), whose
 * elements are (c0 + c1*X) with X^2 = 7; 7 is a quadratic non-residue mod p
 * (tests/unit/test_field.c checks it with GMP), so the extension is a field.
 */
#ifndef ZK_FIELD_H
#define ZK_FIELD_H

#include <stddef.h>
#include <stdint.h>

#define ZK_P 0xFFFFFFFF00000001ull
#define ZK_EPSILON 0xFFFFFFFFull /* 2^64 mod p = 2^32 - 1 */

typedef uint64_t zk_fp;

typedef struct {
    zk_fp c0, c1; /* c0 + c1*X, X^2 = 7 */
} zk_fp2;

/* ---- base field ---- */

static inline zk_fp zk_fp_add(zk_fp a, zk_fp b)
{
    /* a + b < 2p < 2^65: a carry out of 64 bits means + 2^64 = + EPSILON
     * (mod p), and then s + EPSILON < p; masks, not branches */
    uint64_t s = a + b;
    s += (0 - (uint64_t)(s < a)) & ZK_EPSILON;
    return s - ((0 - (uint64_t)(s >= ZK_P)) & ZK_P);
}

static inline zk_fp zk_fp_sub(zk_fp a, zk_fp b)
{
    uint64_t d = a - b;
    return d + ((0 - (uint64_t)(a < b)) & ZK_P);
}

static inline zk_fp zk_fp_neg(zk_fp a)
{
    return a ? ZK_P - a : 0;
}

/* Reduce a 128-bit value to [0, p). */
static inline zk_fp zk_fp_reduce128(unsigned __int128 x)
{
    uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
    uint64_t hi_hi = hi >> 32, hi_lo = hi & ZK_EPSILON;
    /* x = lo + hi_lo*2^64 + hi_hi*2^96 = lo + hi_lo*EPSILON - hi_hi (mod p) */
    uint64_t t0 = lo - hi_hi;
    t0 -= (0 - (uint64_t)(lo < hi_hi)) & ZK_EPSILON; /* borrowed 2^64: subtract 2^64 mod p */
    uint64_t t1 = hi_lo * ZK_EPSILON;                /* < 2^64 */
    uint64_t t2 = t0 + t1;
    t2 += (0 - (uint64_t)(t2 < t0)) & ZK_EPSILON;    /* carried 2^64: cannot carry again */
    return t2 - ((0 - (uint64_t)(t2 >= ZK_P)) & ZK_P);
}

static inline zk_fp zk_fp_mul(zk_fp a, zk_fp b)
{
    return zk_fp_reduce128((unsigned __int128)a * b);
}

static inline zk_fp zk_fp_sqr(zk_fp a)
{
    return zk_fp_mul(a, a);
}

/* A signed 64-bit integer as a field element (|v| <= 2^63 < p). */
static inline zk_fp zk_fp_from_i64(int64_t v)
{
    if (v >= 0)
        return (zk_fp)v;
    return ZK_P - 1 - (zk_fp)(-(v + 1)); /* p - |v|, without overflowing -v */
}

/* The representative of a in (-p/2, p/2) as a signed integer. */
static inline int64_t zk_fp_to_i64(zk_fp a)
{
    return a > ZK_P / 2 ? -(int64_t)(ZK_P - a) : (int64_t)a;
}

zk_fp zk_fp_pow(zk_fp a, uint64_t e);
zk_fp zk_fp_inv(zk_fp a); /* 0 -> 0 */

/* Invert n elements in place with one inversion (Montgomery's trick);
 * zeros stay zero.  scratch must hold n elements. */
void zk_fp_batch_inv(zk_fp *v, size_t n, zk_fp *scratch);

/* A primitive 2^log_n-th root of unity, log_n in [0, 32]. */
zk_fp zk_fp_root_of_unity(unsigned log_n);

/* Generator of the multiplicative group (used for cosets). */
#define ZK_FP_GENERATOR 7ull

/* Little-endian 8 bytes; from_bytes fails (returns 0) on a non-canonical
 * value >= p, so every element has exactly one encoding. */
void zk_fp_to_bytes(zk_fp a, uint8_t out[8]);
int zk_fp_from_bytes(const uint8_t in[8], zk_fp *out);

/* ---- extension field ---- */

#define ZK_FP2_W 7ull

static inline zk_fp2 zk_fp2_make(zk_fp c0, zk_fp c1)
{
    zk_fp2 r = { c0, c1 };
    return r;
}
static inline zk_fp2 zk_fp2_from_fp(zk_fp a)
{
    return zk_fp2_make(a, 0);
}
static inline int zk_fp2_eq(zk_fp2 a, zk_fp2 b)
{
    return a.c0 == b.c0 && a.c1 == b.c1;
}
static inline int zk_fp2_is_zero(zk_fp2 a)
{
    return a.c0 == 0 && a.c1 == 0;
}
static inline zk_fp2 zk_fp2_add(zk_fp2 a, zk_fp2 b)
{
    return zk_fp2_make(zk_fp_add(a.c0, b.c0), zk_fp_add(a.c1, b.c1));
}
static inline zk_fp2 zk_fp2_sub(zk_fp2 a, zk_fp2 b)
{
    return zk_fp2_make(zk_fp_sub(a.c0, b.c0), zk_fp_sub(a.c1, b.c1));
}
static inline zk_fp2 zk_fp2_neg(zk_fp2 a)
{
    return zk_fp2_make(zk_fp_neg(a.c0), zk_fp_neg(a.c1));
}
static inline zk_fp2 zk_fp2_mul(zk_fp2 a, zk_fp2 b)
{
    /* (a0 + a1 X)(b0 + b1 X) = a0 b0 + 7 a1 b1 + (a0 b1 + a1 b0) X */
    zk_fp t = zk_fp_mul(a.c1, b.c1);
    return zk_fp2_make(zk_fp_add(zk_fp_mul(a.c0, b.c0), zk_fp_mul(t, ZK_FP2_W)),
                       zk_fp_add(zk_fp_mul(a.c0, b.c1), zk_fp_mul(a.c1, b.c0)));
}
/* extension times base-field element */
static inline zk_fp2 zk_fp2_mul_fp(zk_fp2 a, zk_fp b)
{
    return zk_fp2_make(zk_fp_mul(a.c0, b), zk_fp_mul(a.c1, b));
}
static inline zk_fp2 zk_fp2_sqr(zk_fp2 a)
{
    return zk_fp2_mul(a, a);
}
zk_fp2 zk_fp2_inv(zk_fp2 a); /* 0 -> 0 */
zk_fp2 zk_fp2_pow(zk_fp2 a, uint64_t e);
void zk_fp2_batch_inv(zk_fp2 *v, size_t n, zk_fp2 *scratch);

void zk_fp2_to_bytes(zk_fp2 a, uint8_t out[16]);
int zk_fp2_from_bytes(const uint8_t in[16], zk_fp2 *out);

#endif
