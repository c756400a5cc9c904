/* zk/ntt.c - NTTs over Goldilocks and Reed-Solomon encoding; see zk/ntt.h
 * and docs/ntt.md.
 *
 * Every transform is: bit-reversal permutation, then radix-2
 * decimation-in-time (Cooley-Tukey) butterflies, stage s pairing x[j] and
 * x[j + 2^s] with twiddle w_{2^(s+1)}^(j mod 2^s).  Natural order in and
 * out; the inverse runs the same code on the inverse twiddles.
 *
 *  - n <= 2^TW_LOG ("direct"): stage twiddles come from a static table.
 *    Phase A takes each block of 2^12 points (32 KiB, L1) through the
 *    stages inside it; phase B runs the remaining stages, which pair
 *    points 2^12 or more apart: the index classes mod 2^12 never mix
 *    there, so threads take disjoint column ranges and need no barrier.
 *  - n > 2^TW_LOG ("four-step", Bailey): after the bit reversal, row a of
 *    the n1 x n2 matrix (n = n1*n2, rows contiguous) holds the inputs
 *    j = j2*n1 + rev(a); a direct DIT of each row, the twiddle
 *    w_n^(rev(a)*k2) and a DIT of each column (its rows are bit-reversed
 *    too) leave X[k1*n2 + k2] in place.  The column butterflies run on
 *    tiles of COL_TILE contiguous columns with one twiddle per row pair.
 *    The twiddle costs two products per point, which the bigger table
 *    would save, but the table stays bounded for any n <= 2^32.
 *  - Reed-Solomon: the bit-reversed zero-padded message has msg[rev_k(m)]
 *    at position m*B (B = blowup) and zeros elsewhere, and the first log B
 *    DIT stages just copy it over its block of B; so the encoder computes
 *    the state after stage log B (and for B = 2 after stage 2) straight
 *    from the message (rs_first_stages) and runs the remaining stages: no
 *    padding, no output permutation, (n/2) log k butterflies.
 *
 * Threads: every parallel phase goes through par_for (chunks from an atomic
 * counter); chunks are independent, so results do not depend on threads.
 *
 * Arithmetic.  The inner loops use their own copy of the field operations,
 * written so that gcc vectorizes them: the 64x64-bit product is assembled
 * from four 32x32-bit products and every conditional is a select (no
 * __int128, no branches); results are canonical, identical to zk/field.h.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__AVX512F__)
/* with AVX-512 available, let the vectorizer use 8 lanes (gcc prefers 256
 * bits on recent Intel parts); measured 1.45x on whole transforms */
#pragma GCC target("prefer-vector-width=512")
#endif

#include "zk/ntt.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/parallel.h"

#define P ZK_P
#define EPS ZK_EPSILON

/* ------------------------------------------------------------ arithmetic */

static inline zk_fp f_add(zk_fp a, zk_fp b)
{
    zk_fp s = a + b;
    s = s < a ? s + EPS : s; /* carry: 2^64 = EPS (mod p); no second carry */
    return s >= P ? s - P : s;
}

static inline zk_fp f_sub(zk_fp a, zk_fp b)
{
    zk_fp d = a - b;
    return a < b ? d + P : d;
}

/* Vectorizable product: 32-bit limbs, 64-bit lanes. */
static inline zk_fp f_mul(zk_fp a, zk_fp b)
{
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t ll = a0 * b0, lh = a0 * b1, hl = a1 * b0, hh = a1 * b1;
    /* a*b = hi*2^64 + lo, summed without carries: m1 <= (2^32-1)^2 + 2^32-1
     * and m2 <= (2^32-1)^2 + 2^32-1 both fit in 64 bits */
    uint64_t m1 = lh + (ll >> 32);
    uint64_t m2 = hl + (m1 & 0xffffffffu);
    uint64_t lo = (m2 << 32) | (ll & 0xffffffffu);
    uint64_t hi = hh + (m1 >> 32) + (m2 >> 32);
    /* = lo + hi_lo*2^64 + hi_hi*2^96 = lo + hi_lo*EPS - hi_hi (mod p) */
    uint64_t hi_hi = hi >> 32, hi_lo = hi & EPS;
    uint64_t t0 = lo - hi_hi;
    t0 = lo < hi_hi ? t0 - EPS : t0; /* borrow of 2^64: cannot underflow again */
    uint64_t t1 = (hi_lo << 32) - hi_lo; /* hi_lo * EPS < 2^64 */
    uint64_t t2 = t0 + t1;
    t2 = t2 < t0 ? t2 + EPS : t2; /* carry: cannot carry again */
    return t2 >= P ? t2 - P : t2;
}

/* Scalar product for sequential code (one 64x64 multiply, branch-free). */
static inline zk_fp s_mul(zk_fp a, zk_fp b)
{
    unsigned __int128 x = (unsigned __int128)a * b;
    uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
    uint64_t hi_hi = hi >> 32, hi_lo = hi & EPS;
    uint64_t t0 = lo - hi_hi;
    t0 -= EPS & (0 - (uint64_t)(lo < hi_hi));
    uint64_t t1 = (hi_lo << 32) - hi_lo;
    uint64_t t2 = t0 + t1;
    t2 += EPS & (0 - (uint64_t)(t2 < t0));
    return t2 - (P & (0 - (uint64_t)(t2 >= P)));
}

static zk_fp s_pow(zk_fp a, uint64_t e)
{
    zk_fp r = 1;
    while (e) {
        if (e & 1)
            r = s_mul(r, a);
        a = s_mul(a, a);
        e >>= 1;
    }
    return r;
}

/* 1/2^L = p - (p-1)/2^L, since 2^L * (p-1)/2^L = p-1 = -1 */
static zk_fp inv_pow2(unsigned L)
{
    return L ? P - ((P - 1) >> L) : 1;
}

static uint64_t rev_bits(uint64_t x, unsigned bits)
{
    if (bits == 0)
        return 0;
    x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
    x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
    x = ((x >> 4) & 0x0f0f0f0f0f0f0f0full) | ((x & 0x0f0f0f0f0f0f0f0full) << 4);
    x = __builtin_bswap64(x);
    return x >> (64 - bits);
}

/* ------------------------------------------------------------ threads */

/* fn over [0, n) on `threads` threads, handed out in chunks of about
 * n / (8 * threads) from a shared counter rather than one fixed range per
 * thread, so that a thread slowed down (another process on its core) does
 * not hold up the others.  Chunks are independent, so the result does not
 * depend on who runs which. */
typedef struct {
    atomic_size_t next;
    size_t n, chunk;
    za_range_fn fn;
    void *ctx;
} dyn_ctx;

static void dyn_worker(void *vctx, size_t begin, size_t end)
{
    dyn_ctx *d = vctx;
    (void)begin;
    (void)end;
    for (;;) {
        size_t b = atomic_fetch_add(&d->next, d->chunk);
        if (b >= d->n)
            return;
        d->fn(d->ctx, b, d->n - b < d->chunk ? d->n : b + d->chunk);
    }
}

static void par_for(size_t n, int threads, za_range_fn fn, void *ctx)
{
    if (threads <= 1 || n < 2) {
        if (n)
            fn(ctx, 0, n);
        return;
    }
    if ((size_t)threads > n)
        threads = (int)n;
    size_t chunk = n / (8 * (size_t)threads);
    dyn_ctx d;
    atomic_init(&d.next, 0);
    d.n = n;
    d.chunk = chunk ? chunk : 1;
    d.fn = fn;
    d.ctx = ctx;
    za_parallel_for((size_t)threads, threads, dyn_worker, &d);
}

/* ------------------------------------------------------------ tables */

#define TW_LOG 18 /* direct transforms up to 2^18 points (2 MiB per table) */
#define TW_SIZE ((size_t)1 << TW_LOG)

enum { FWD = 0, INV = 1 };

/* TW[d][h + j] = w_{2h}^(+-j) for h = 2^s < TW_SIZE, j < h: stage s's
 * twiddles, contiguous (TW[d][0] unused).  ROOT[d][L] = w_{2^L}^(+-1).
 * REV16[i] = the 16-bit reversal of i.  Each table is written once, under
 * its pthread_once, and only read afterwards; a direction's table is built
 * when first used (zk_ntt_init builds both). */
static zk_fp TW[2][TW_SIZE];
static zk_fp ROOT[2][ZK_NTT_MAX_LOG + 1];
static uint16_t REV16[1 << 16];
static pthread_once_t base_once = PTHREAD_ONCE_INIT;
static pthread_once_t tw_once[2] = { PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT };

static void init_base(void)
{
    for (unsigned L = 0; L <= ZK_NTT_MAX_LOG; L++) {
        ROOT[FWD][L] = zk_fp_root_of_unity(L);
        ROOT[INV][L] = zk_fp_inv(ROOT[FWD][L]);
    }
    for (size_t i = 0; i < (1 << 16); i++)
        REV16[i] = (uint16_t)rev_bits(i, 16);
}

static void build_tw(int d)
{
    zk_fp *t = TW[d];
    size_t h = TW_SIZE / 2;
    /* top stage by eight interleaved chains, then w_{2h}^j = w_{4h}^(2j) */
    zk_fp w = ROOT[d][TW_LOG], w8 = s_pow(w, 8);
    t[h] = 1;
    for (size_t j = 1; j < 8 && j < h; j++)
        t[h + j] = s_mul(t[h + j - 1], w);
    for (size_t j = 8; j < h; j++)
        t[h + j] = s_mul(t[h + j - 8], w8);
    for (h /= 2; h >= 1; h /= 2)
        for (size_t j = 0; j < h; j++)
            t[h + j] = t[2 * h + 2 * j];
    t[0] = 1;
}

static void init_fwd(void)
{
    build_tw(FWD);
}

static void init_inv(void)
{
    build_tw(INV);
}

/* the stage twiddles of direction d, built on first use */
static const zk_fp *twiddles(int d)
{
    pthread_once(&base_once, init_base);
    pthread_once(&tw_once[d], d == FWD ? init_fwd : init_inv);
    return TW[d];
}

void zk_ntt_init(void)
{
    twiddles(FWD);
    twiddles(INV);
}

static inline uint64_t rev_small(uint64_t x, unsigned bits) /* bits <= 16 */
{
    return bits ? (uint64_t)REV16[x] >> (16 - bits) : 0;
}

static inline size_t rev_any(size_t m, unsigned bits)
{
    return bits <= 16 ? rev_small(m, bits) : rev_bits(m, bits);
}

static void check_log(unsigned log_n, const char *fn)
{
    if (log_n > ZK_NTT_MAX_LOG) {
        fprintf(stderr, "%s: log_n %u > %d\n", fn, log_n, ZK_NTT_MAX_LOG);
        abort();
    }
}

/* ------------------------------------------------------------ kernels */

/* DIT butterflies, twiddles from an array: (x, y) <- (x + w y, x - w y) */
static void bfly_tw(zk_fp *restrict x, zk_fp *restrict y, const zk_fp *restrict w, size_t h)
{
    for (size_t j = 0; j < h; j++) {
        zk_fp u = x[j], v = f_mul(y[j], w[j]);
        x[j] = f_add(u, v);
        y[j] = f_sub(u, v);
    }
}

/* one twiddle for all */
static void bfly_bc(zk_fp *restrict x, zk_fp *restrict y, zk_fp w, size_t cnt)
{
    for (size_t j = 0; j < cnt; j++) {
        zk_fp u = x[j], v = f_mul(y[j], w);
        x[j] = f_add(u, v);
        y[j] = f_sub(u, v);
    }
}

/* twiddle 1 */
static void bfly_one(zk_fp *restrict x, zk_fp *restrict y, size_t cnt)
{
    for (size_t j = 0; j < cnt; j++) {
        zk_fp u = x[j], v = y[j];
        x[j] = f_add(u, v);
        y[j] = f_sub(u, v);
    }
}

static void scale_array(zk_fp *restrict x, size_t n, zk_fp c)
{
    for (size_t j = 0; j < n; j++)
        x[j] = f_mul(x[j], c);
}

/* stages 0 and 1 together: radix-4 on every group of 4 (w4 = w_4^(+-1)) */
static void stages01(zk_fp *restrict x, size_t n, zk_fp w4)
{
    for (size_t b = 0; b < n; b += 4) {
        zk_fp x0 = x[b], x1 = x[b + 1], x2 = x[b + 2], x3 = x[b + 3];
        zk_fp a = f_add(x0, x1), c = f_sub(x0, x1);
        zk_fp e = f_add(x2, x3), d = f_mul(f_sub(x2, x3), w4);
        x[b] = f_add(a, e);
        x[b + 2] = f_sub(a, e);
        x[b + 1] = f_add(c, d);
        x[b + 3] = f_sub(c, d);
    }
}

/* stage 2 (pairs 4 apart, twiddles w_8^j, j < 4) */
static void stage2(zk_fp *restrict x, size_t n, const zk_fp *restrict w)
{
    zk_fp w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
    for (size_t b = 0; b < n; b += 8) {
        zk_fp *y = x + b;
        zk_fp v0 = f_mul(y[4], w0), v1 = f_mul(y[5], w1), v2 = f_mul(y[6], w2),
              v3 = f_mul(y[7], w3);
        zk_fp u0 = y[0], u1 = y[1], u2 = y[2], u3 = y[3];
        y[0] = f_add(u0, v0);
        y[1] = f_add(u1, v1);
        y[2] = f_add(u2, v2);
        y[3] = f_add(u3, v3);
        y[4] = f_sub(u0, v0);
        y[5] = f_sub(u1, v1);
        y[6] = f_sub(u2, v2);
        y[7] = f_sub(u3, v3);
    }
}

/* stages 0, 1 and 2 together: radix-8 on every group of 8 (w = TW + 4,
 * i.e. w_8^j for j < 4; w[2] = w_4) */
static void stages012(zk_fp *restrict x, size_t n, const zk_fp *restrict w)
{
    zk_fp w1 = w[1], w2 = w[2], w3 = w[3];
    for (size_t b = 0; b < n; b += 8) {
        zk_fp *y = x + b;
        zk_fp a0 = f_add(y[0], y[1]), a1 = f_sub(y[0], y[1]);
        zk_fp a2 = f_add(y[2], y[3]), a3 = f_mul(f_sub(y[2], y[3]), w2);
        zk_fp a4 = f_add(y[4], y[5]), a5 = f_sub(y[4], y[5]);
        zk_fp a6 = f_add(y[6], y[7]), a7 = f_mul(f_sub(y[6], y[7]), w2);
        zk_fp b0 = f_add(a0, a2), b2 = f_sub(a0, a2), b1 = f_add(a1, a3), b3 = f_sub(a1, a3);
        zk_fp b4 = f_add(a4, a6), b6 = f_sub(a4, a6), b5 = f_add(a5, a7), b7 = f_sub(a5, a7);
        zk_fp v5 = f_mul(b5, w1), v6 = f_mul(b6, w2), v7 = f_mul(b7, w3);
        y[0] = f_add(b0, b4);
        y[4] = f_sub(b0, b4);
        y[1] = f_add(b1, v5);
        y[5] = f_sub(b1, v5);
        y[2] = f_add(b2, v6);
        y[6] = f_sub(b2, v6);
        y[3] = f_add(b3, v7);
        y[7] = f_sub(b3, v7);
    }
}

/* DIT stages [s_from, s_to) on x[0..len), len a multiple of 2^s_to. */
static void dit_stages(zk_fp *x, size_t len, unsigned s_from, unsigned s_to, const zk_fp *tw)
{
    unsigned s = s_from;
    if (s == 0 && s_to >= 3) {
        stages012(x, len, tw + 4);
        s = 3;
    } else if (s == 0 && s_to == 2) {
        stages01(x, len, tw[3]);
        s = 2;
    }
    for (; s < s_to; s++) {
        size_t h = (size_t)1 << s;
        if (h == 1) {
            for (size_t b = 0; b < len; b += 2)
                bfly_one(x + b, x + b + 1, 1);
        } else if (h == 2) {
            for (size_t b = 0; b < len; b += 4)
                bfly_tw(x + b, x + b + 2, tw + 2, 2);
        } else if (h == 4) {
            stage2(x, len, tw + 4);
        } else {
            for (size_t b = 0; b < len; b += 2 * h)
                bfly_tw(x + b, x + b + h, tw + h, h);
        }
    }
}

#define BLOCK_LOG 12 /* 2^12 points = 32 KiB, fits L1 */
#define BLOCK ((size_t)1 << BLOCK_LOG)

#define PAR_MIN_LOG 16 /* below 2^16 points, threads cost more than they save */

typedef struct {
    zk_fp *x;
    unsigned L, s0;
    const zk_fp *tw;
} direct_ctx;

/* phase A on blocks [begin, end) */
static void direct_blocks(void *vctx, size_t begin, size_t end)
{
    const direct_ctx *c = vctx;
    unsigned lb = c->L < BLOCK_LOG ? c->L : BLOCK_LOG;
    for (size_t b = begin; b < end; b++)
        dit_stages(c->x + (b << lb), (size_t)1 << lb, c->s0, lb, c->tw);
}

/* phase B (stages >= BLOCK_LOG) on the columns [begin, end) * 64 of each
 * 2^12-point block */
static void direct_cols(void *vctx, size_t begin, size_t end)
{
    const direct_ctx *c = vctx;
    size_t n = (size_t)1 << c->L, c0 = begin * 64, cnt = (end - begin) * 64;
    unsigned s = c->s0 > BLOCK_LOG ? c->s0 : BLOCK_LOG;
    for (; s < c->L; s++) {
        size_t h = (size_t)1 << s;
        for (size_t b = 0; b < n; b += 2 * h)
            for (size_t j = c0; j < h; j += BLOCK)
                bfly_tw(c->x + b + j, c->x + b + j + h, c->tw + h + j, cnt);
    }
}

/* DIT stages [s0, L) of a transform of 2^L <= TW_SIZE points */
static void dit_direct(zk_fp *x, unsigned L, unsigned s0, const zk_fp *tw, int threads)
{
    direct_ctx c = { x, L, s0, tw };
    if (L < PAR_MIN_LOG)
        threads = 1;
    if (L <= BLOCK_LOG) {
        direct_blocks(&c, 0, 1);
        return;
    }
    if (s0 < BLOCK_LOG)
        par_for((size_t)1 << (L - BLOCK_LOG), threads, direct_blocks, &c);
    par_for(BLOCK / 64, threads, direct_cols, &c);
}

/* ------------------------------------------------------------ bit reversal */

/* In place x[i] <-> x[rev(i)], each element also multiplied by scale (if
 * not 1).  For L >= 2Q the index is (a: Q bits, m: L-2Q bits, c: Q bits)
 * and rev(a,m,c) = (rev c, rev m, rev a): the T x T tiles (T = 2^Q) of m
 * and rev(m), whose rows are T contiguous points, are swapped with a
 * transposition, so every cache line is read and written whole.  Tiles m
 * in [m_begin, m_end) with m <= rev(m) are done. */
#define BR_Q 5 /* 32 x 32 tiles: 2 x 8 KiB of scratch, measured best of 3..6 */
#define BR_T (1 << BR_Q)

static void bitrev_tiles(zk_fp *x, unsigned L, size_t m_begin, size_t m_end, zk_fp scale)
{
    unsigned M = L - 2 * BR_Q;
    size_t S = (size_t)1 << (L - BR_Q); /* stride between the rows of a tile */
    zk_fp ta[BR_T * BR_T], tb[BR_T * BR_T];
    unsigned char R[BR_T];
    for (int i = 0; i < BR_T; i++)
        R[i] = (unsigned char)rev_small((uint64_t)i, BR_Q);
    for (size_t m = m_begin; m < m_end; m++) {
        size_t rm = rev_any(m, M);
        if (rm < m)
            continue;
        zk_fp *A = x + (m << BR_Q), *B = x + (rm << BR_Q);
        for (int a = 0; a < BR_T; a++)
            memcpy(ta + BR_T * a, A + a * S, BR_T * sizeof(zk_fp));
        if (scale != 1)
            scale_array(ta, BR_T * BR_T, scale);
        if (rm != m) {
            for (int a = 0; a < BR_T; a++)
                memcpy(tb + BR_T * a, B + a * S, BR_T * sizeof(zk_fp));
            if (scale != 1)
                scale_array(tb, BR_T * BR_T, scale);
            for (int a = 0; a < BR_T; a++)
                for (int c = 0; c < BR_T; c++) {
                    A[a * S + c] = tb[BR_T * R[c] + R[a]];
                    B[a * S + c] = ta[BR_T * R[c] + R[a]];
                }
        } else {
            for (int a = 0; a < BR_T; a++)
                for (int c = 0; c < BR_T; c++)
                    A[a * S + c] = ta[BR_T * R[c] + R[a]];
        }
    }
}

typedef struct {
    zk_fp *x;
    unsigned L;
    zk_fp scale;
} bitrev_ctx;

static void bitrev_range(void *vctx, size_t begin, size_t end)
{
    bitrev_ctx *c = vctx;
    bitrev_tiles(c->x, c->L, begin, end, c->scale);
}

static void bitrev(zk_fp *x, unsigned L, zk_fp scale, int threads)
{
    if (L < 2 * BR_Q) {
        size_t n = (size_t)1 << L;
        for (size_t i = 0; i < n; i++) {
            size_t r = rev_small(i, L);
            if (r > i) {
                zk_fp t = x[i];
                x[i] = x[r];
                x[r] = t;
            }
        }
        if (scale != 1)
            scale_array(x, n, scale);
        return;
    }
    bitrev_ctx c = { x, L, scale };
    size_t tiles = (size_t)1 << (L - 2 * BR_Q);
    if (L < PAR_MIN_LOG)
        threads = 1;
    par_for(tiles, threads, bitrev_range, &c);
}

/* ------------------------------------------------------------ four-step */

#define COL_TILE 32   /* columns per tile: 256 bytes of each row */
#define COL_L1_LOG 15 /* a column sub-tile of at most 2^15 bytes stays in L1 */

/* DIT over `rows` = 2^rl rows (stride apart) of cnt columns; the rows hold
 * their transform's inputs in bit-reversed order.  Depth-first so that the
 * low stages run on L1-sized sub-tiles. */
static void col_dit(zk_fp *x, size_t stride, unsigned rl, size_t cnt, const zk_fp *tw)
{
    if (rl == 0)
        return;
    size_t half = (size_t)1 << (rl - 1);
    if ((cnt * sizeof(zk_fp) << rl) > ((size_t)1 << COL_L1_LOG) && rl > 1) {
        col_dit(x, stride, rl - 1, cnt, tw);
        col_dit(x + half * stride, stride, rl - 1, cnt, tw);
        bfly_one(x, x + half * stride, cnt);
        for (size_t j = 1; j < half; j++)
            bfly_bc(x + j * stride, x + (j + half) * stride, tw[half + j], cnt);
        return;
    }
    for (unsigned s = 0; s < rl; s++) {
        size_t h = (size_t)1 << s;
        for (size_t b = 0; b < ((size_t)1 << rl); b += 2 * h) {
            bfly_one(x + b * stride, x + (b + h) * stride, cnt);
            for (size_t j = 1; j < h; j++)
                bfly_bc(x + (b + j) * stride, x + (b + j + h) * stride, tw[h + j], cnt);
        }
    }
}

typedef struct {
    zk_fp *x;
    unsigned L, L1, L2, s0;
    int dir;
    zk_fp scale;
} fourstep_ctx;

/* rows [begin, end): DIT stages [s0, L2) of each row, then the twiddle
 * scale * w_n^(rev(a) * k2) */
static void fourstep_rows(void *vctx, size_t begin, size_t end)
{
    const fourstep_ctx *c = vctx;
    size_t n2 = (size_t)1 << c->L2;
    zk_fp wn = ROOT[c->dir][c->L];
    zk_fp pw[64];
    for (size_t a = begin; a < end; a++) {
        zk_fp *row = c->x + a * n2;
        dit_direct(row, c->L2, c->s0, TW[c->dir], 1);
        zk_fp g = s_pow(wn, rev_small(a, c->L1));
        if (g == 1 && c->scale == 1)
            continue;
        /* pw[i] = scale * g^i for i < 64 (eight chains), then advanced by g^64 */
        zk_fp g8 = s_pow(g, 8), g64 = s_pow(g8, 8);
        pw[0] = c->scale;
        for (int i = 1; i < 8; i++)
            pw[i] = s_mul(pw[i - 1], g);
        for (int i = 8; i < 64; i++)
            pw[i] = s_mul(pw[i - 8], g8);
        for (size_t k = 0; k < n2; k += 64) { /* n2 >= 2^BLOCK_LOG */
            zk_fp *r = row + k;
            for (int i = 0; i < 64; i++) {
                r[i] = f_mul(r[i], pw[i]);
                pw[i] = f_mul(pw[i], g64);
            }
        }
    }
}

static void fourstep_cols(void *vctx, size_t begin, size_t end)
{
    const fourstep_ctx *c = vctx;
    size_t n2 = (size_t)1 << c->L2;
    for (size_t t = begin; t < end; t++)
        col_dit(c->x + t * COL_TILE, n2, c->L1, COL_TILE, TW[c->dir]);
}

/* Four-step split of 2^L > TW_SIZE points: 2^L1 rows of 2^L2, rows of 2^16
 * points (512 KiB, L2-resident) and columns of 2^(L-16) <= 2^16. */
#define ROW_LOG 16

_Static_assert(BLOCK_LOG <= ROW_LOG && ROW_LOG <= TW_LOG && 2 * BR_Q <= BLOCK_LOG &&
                   ZK_NTT_MAX_LOG - ROW_LOG <= TW_LOG && COL_TILE <= ((size_t)1 << ROW_LOG),
               "zk/ntt.c: inconsistent block sizes");

/* The highest s0 dit_core accepts for 2^L points. */
static unsigned max_skip(unsigned L)
{
    return L <= TW_LOG ? L : ROW_LOG;
}

/* DIT stages [s0, L) of 2^L points in bit-reversed order, result (natural
 * order) multiplied by scale.  s0 <= max_skip(L); threads >= 1. */
static void dit_core(zk_fp *x, unsigned L, unsigned s0, int dir, zk_fp scale, int threads)
{
    const zk_fp *tw = twiddles(dir);
    if (L <= TW_LOG) {
        dit_direct(x, L, s0, tw, threads);
        if (scale != 1)
            scale_array(x, (size_t)1 << L, scale);
        return;
    }
    fourstep_ctx c = { x, L, L - ROW_LOG, ROW_LOG, s0, dir, scale };
    par_for((size_t)1 << c.L1, threads, fourstep_rows, &c);
    par_for(((size_t)1 << c.L2) / COL_TILE, threads, fourstep_cols, &c);
}

/* ------------------------------------------------------------ transforms */

static void transform(zk_fp *v, unsigned L, int dir, zk_fp scale, int threads)
{
    const zk_fp *tw = twiddles(dir);
    if (threads <= 0)
        threads = za_default_threads();
    if (L <= TW_LOG) { /* the scale rides on the permutation */
        bitrev(v, L, scale, threads);
        dit_direct(v, L, 0, tw, threads);
    } else { /* and here on the four-step twiddle */
        bitrev(v, L, 1, threads);
        dit_core(v, L, 0, dir, scale, threads);
    }
}

void zk_ntt(zk_fp *v, unsigned log_n, int threads)
{
    check_log(log_n, "zk_ntt");
    transform(v, log_n, FWD, 1, threads);
}

void zk_intt(zk_fp *v, unsigned log_n, int threads)
{
    check_log(log_n, "zk_intt");
    transform(v, log_n, INV, inv_pow2(log_n), threads);
}

/* v[j] *= c * base^j for j in [begin, end) */
typedef struct {
    zk_fp *v;
    zk_fp base, c;
} powers_ctx;

static void powers_range(void *vctx, size_t begin, size_t end)
{
    const powers_ctx *ctx = vctx;
    zk_fp b = ctx->base, b8 = s_pow(b, 8), b64 = s_pow(b8, 8);
    zk_fp pw[64];
    pw[0] = s_mul(ctx->c, s_pow(b, begin));
    for (int i = 1; i < 8; i++)
        pw[i] = s_mul(pw[i - 1], b);
    for (int i = 8; i < 64; i++)
        pw[i] = s_mul(pw[i - 8], b8);
    zk_fp *v = ctx->v;
    size_t j = begin;
    for (; j + 64 <= end; j += 64) {
        zk_fp *r = v + j;
        for (int i = 0; i < 64; i++) {
            r[i] = f_mul(r[i], pw[i]);
            pw[i] = f_mul(pw[i], b64);
        }
    }
    for (size_t i = 0; i < 64 && j + i < end; i++)
        v[j + i] = f_mul(v[j + i], pw[i]);
}

static void scale_powers(zk_fp *v, unsigned L, zk_fp base, zk_fp c, int threads)
{
    powers_ctx ctx = { v, base, c };
    if (L < PAR_MIN_LOG)
        threads = 1;
    par_for((size_t)1 << L, threads, powers_range, &ctx);
}

void zk_coset_ntt(zk_fp *v, unsigned log_n, zk_fp shift, int threads)
{
    check_log(log_n, "zk_coset_ntt");
    if (threads <= 0)
        threads = za_default_threads();
    scale_powers(v, log_n, shift, 1, threads);
    transform(v, log_n, FWD, 1, threads);
}

void zk_coset_intt(zk_fp *v, unsigned log_n, zk_fp shift, int threads)
{
    check_log(log_n, "zk_coset_intt");
    if (shift == 0) {
        fprintf(stderr, "zk_coset_intt: zero shift\n");
        abort();
    }
    if (threads <= 0)
        threads = za_default_threads();
    transform(v, log_n, INV, 1, threads);
    scale_powers(v, log_n, zk_fp_inv(shift), inv_pow2(log_n), threads);
}

void zk_ntt_pointwise_mul(zk_fp *out, const zk_fp *a, const zk_fp *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = f_mul(a[i], b[i]);
}

/* ------------------------------------------------------------ Reed-Solomon */

/* The first DIT stages of the codeword, straight from the message.  In the
 * bit-reversed zero-padded vector, block m (of B = 2^log_b points) is
 * [msg[rev_k(m)], 0, ..., 0]; the first log_b stages turn it into B copies,
 * and the next one makes, from blocks m and m+1 (m even, holding a and b),
 * the 2B values a + w_{2B}^t b, t < 2B (w_{2B}^(B+t) = -w_{2B}^t), and the
 * one after that, from four blocks a, b, c, d:
 * (a + w_{2B}^t b) + w_{4B}^t (c + w_{2B}^t d), t < 4B.  Here
 * rev_k(2i) = rev_{k/2}(i) and rev_k(2i+1) = rev_k(2i) + k/2, etc.
 * Returns the number of stages done (<= max_skip(L)). */
static unsigned rs_first_stages(const zk_fp *restrict msg, unsigned log_k, unsigned log_b,
                                zk_fp *restrict out, const zk_fp *tw)
{
    unsigned L = log_k + log_b;
    size_t k = (size_t)1 << log_k, n = (size_t)1 << L, B = (size_t)1 << log_b;
#if defined(__GNUC__)
    /* the message is read in bit-reversed order, which defeats the hardware
     * prefetcher: ask for its cache lines in order first (a row comes
     * straight from memory in a batch) */
    for (size_t j = 0; j < k; j += 8)
        __builtin_prefetch(msg + j);
#endif
    if (log_k == 0) { /* a constant */
        for (size_t i = 0; i < n; i++)
            out[i] = msg[0];
        return L;
    }
    if (log_b == 0) { /* plain bit reversal */
        for (size_t m = 0; m < k; m++)
            out[m] = msg[rev_any(m, log_k)];
        return 0;
    }
    if (log_b == 1 && log_k >= 2 && 3 <= max_skip(L)) {
        /* 8 outputs from 4 messages: stages 0, 1, 2 */
        const zk_fp w4p[4] = { 1, tw[3], P - 1, f_sub(0, tw[3]) }; /* w_4^t */
        zk_fp w4[8], w8[8];
        for (int t = 0; t < 4; t++) {
            w4[t] = w4[t + 4] = w4p[t];
            w8[t] = tw[4 + t];
            w8[t + 4] = f_sub(0, tw[4 + t]);
        }
        size_t q = k / 4;
        for (size_t i = 0; i < q; i++) {
            size_t r = rev_any(i, log_k - 2);
            zk_fp a = msg[r], b = msg[r + 2 * q], c = msg[r + q], d = msg[r + 3 * q];
            zk_fp *o = out + 8 * i;
            for (int t = 0; t < 8; t++)
                o[t] = f_add(f_add(a, f_mul(w4[t], b)), f_mul(w8[t], f_add(c, f_mul(w4[t], d))));
        }
        return 3;
    }
    if (log_b + 1 > max_skip(L)) { /* B copies, or the first 2^s0 of them */
        unsigned s0 = max_skip(L);
        size_t rep = (size_t)1 << s0;
        for (size_t m = 0; m < k; m++) {
            zk_fp a = msg[rev_any(m, log_k)], *o = out + m * B;
            for (size_t t = 0; t < B; t++)
                o[t] = t < rep ? a : 0;
        }
        return s0;
    }
    size_t half = k / 2;
    if (B <= 4) { /* 2B outputs a + w_{2B}^t b: one 8-lane vector for B = 4 */
        zk_fp w[8];
        for (size_t t = 0; t < B; t++) {
            w[t] = tw[B + t];
            w[t + B] = f_sub(0, tw[B + t]);
        }
        for (size_t i = 0; i < half; i++) {
            size_t r = rev_any(i, log_k - 1);
            zk_fp a = msg[r], b = msg[r + half], *o = out + 2 * B * i;
            if (B == 4)
                for (int t = 0; t < 8; t++)
                    o[t] = f_add(a, f_mul(w[t], b));
            else
                for (size_t t = 0; t < 2 * B; t++)
                    o[t] = f_add(a, f_mul(w[t], b));
        }
    } else { /* butterflies over t < B */
        for (size_t i = 0; i < half; i++) {
            size_t r = rev_any(i, log_k - 1);
            zk_fp a = msg[r], b = msg[r + half], *o = out + 2 * B * i;
            const zk_fp *w = tw + B;
            for (size_t t = 0; t < B; t++) {
                zk_fp v = f_mul(w[t], b);
                o[t] = f_add(a, v);
                o[B + t] = f_sub(a, v);
            }
        }
    }
    return log_b + 1;
}

static void rs_encode_row(const zk_fp *restrict msg, unsigned log_k, unsigned log_b,
                          zk_fp *restrict out, int threads)
{
    unsigned L = log_k + log_b;
    unsigned s = rs_first_stages(msg, log_k, log_b, out, TW[FWD]);
    if (s < L)
        dit_core(out, L, s, FWD, 1, threads);
}

void zk_rs_encode(const zk_fp *msg, unsigned log_k, unsigned log_blowup, zk_fp *out,
                  int threads)
{
    check_log(log_k + log_blowup, "zk_rs_encode");
    twiddles(FWD);
    if (threads <= 0)
        threads = za_default_threads();
    rs_encode_row(msg, log_k, log_blowup, out, threads);
}

typedef struct {
    const zk_fp *msg;
    zk_fp *out;
    unsigned log_k, log_b;
} rs_batch_ctx;

static void rs_batch_range(void *vctx, size_t begin, size_t end)
{
    const rs_batch_ctx *c = vctx;
    size_t k = (size_t)1 << c->log_k, n = k << c->log_b;
    for (size_t r = begin; r < end; r++)
        rs_encode_row(c->msg + r * k, c->log_k, c->log_b, c->out + r * n, 1);
}

void zk_rs_encode_batch(const zk_fp *msg, size_t rows, unsigned log_k, unsigned log_blowup,
                        zk_fp *out, int threads)
{
    check_log(log_k + log_blowup, "zk_rs_encode_batch");
    twiddles(FWD);
    if (threads <= 0)
        threads = za_default_threads();
    size_t k = (size_t)1 << log_k, n = k << log_blowup;
    if (rows < (size_t)threads) { /* few long rows: parallelise inside each */
        for (size_t r = 0; r < rows; r++)
            rs_encode_row(msg + r * k, log_k, log_blowup, out + r * n, threads);
        return;
    }
    rs_batch_ctx c = { msg, out, log_k, log_blowup };
    par_for(rows, threads, rs_batch_range, &c);
}
