/* zk/sumcheck.c - sumcheck prover and verifier, zero-check, batched
 * evaluation claims (see sumcheck.h). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__AVX512F__)
/* the fold and product loops are written to vectorize (zk_fp_*_v); with
 * AVX-512 let gcc use 8 lanes (it prefers 256 bits on recent Intel parts) */
#pragma GCC target("prefer-vector-width=512")
#endif
#include "zk/sumcheck.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/parallel.h"

#define MAX_PTS 5               /* evaluation points X = 0..4 of a round's products */
#define BLK 64                  /* pairs per block: phase-1 values stay in L1 */
#define SEG_LOG 10              /* pairs per weight segment (zero-check low eq table) */
#define PAR_PAIRS ((size_t)1 << 12) /* rounds with fewer pairs run on one thread */
#define MAX_CHUNKS 64

/* ------------------------------------------------------------ small helpers */

zk_sumcheck_term zk_sumcheck_term_make(zk_fp2 coeff, unsigned n_factors, unsigned f0, unsigned f1,
                                       unsigned f2, unsigned f3)
{
    zk_sumcheck_term t;
    t.coeff = coeff;
    t.n_factors = n_factors;
    t.factors[0] = f0;
    t.factors[1] = f1;
    t.factors[2] = f2;
    t.factors[3] = f3;
    return t;
}

unsigned zk_sumcheck_degree(const zk_sumcheck_term *terms, unsigned n_terms)
{
    unsigned d = 0;
    for (unsigned t = 0; t < n_terms; t++)
        if (terms[t].n_factors > d)
            d = terms[t].n_factors;
    return d;
}

static const zk_fp2 *ref_ext(const zk_mle_ref *m)
{
    return m->ext ? m->ext : m->ext_inplace;
}

za_status zk_sumcheck_instance_check(const zk_sumcheck_instance *inst, za_error *err)
{
    if (!inst)
        return za_error_set(err, ZA_ERR_ARG, "sumcheck: no instance");
    if (inst->n_vars > ZK_SUMCHECK_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG, "sumcheck: %u variables (at most %u)", inst->n_vars,
                            ZK_SUMCHECK_MAX_VARS);
    if (inst->n_tables < 1 || inst->n_tables > ZK_SUMCHECK_MAX_TABLES || !inst->tables)
        return za_error_set(err, ZA_ERR_ARG, "sumcheck: %u tables (1 to %u)", inst->n_tables,
                            ZK_SUMCHECK_MAX_TABLES);
    if (inst->n_terms < 1 || inst->n_terms > ZK_SUMCHECK_MAX_TERMS || !inst->terms)
        return za_error_set(err, ZA_ERR_ARG, "sumcheck: %u terms (1 to %u)", inst->n_terms,
                            ZK_SUMCHECK_MAX_TERMS);
    for (unsigned i = 0; i < inst->n_tables; i++) {
        const zk_mle_ref *m = &inst->tables[i];
        int set = (m->base != NULL) + (m->ext != NULL) + (m->ext_inplace != NULL);
        if (set != 1)
            return za_error_set(err, ZA_ERR_ARG,
                                "sumcheck: table %u must set exactly one of base/ext/ext_inplace", i);
    }
    for (unsigned t = 0; t < inst->n_terms; t++) {
        const zk_sumcheck_term *tm = &inst->terms[t];
        if (tm->n_factors < 1 || tm->n_factors > ZK_SUMCHECK_MAX_FACTORS)
            return za_error_set(err, ZA_ERR_ARG, "sumcheck: term %u has %u factors (1 to %u)", t,
                                tm->n_factors, ZK_SUMCHECK_MAX_FACTORS);
        for (unsigned f = 0; f < tm->n_factors; f++)
            if (tm->factors[f] >= inst->n_tables)
                return za_error_set(err, ZA_ERR_ARG,
                                    "sumcheck: term %u factor %u names table %u of %u", t, f,
                                    tm->factors[f], inst->n_tables);
    }
    return ZA_OK;
}

zk_fp2 zk_sumcheck_combine(const zk_sumcheck_term *terms, unsigned n_terms, const zk_fp2 *evals)
{
    zk_fp2 s = zk_fp2_make(0, 0);
    for (unsigned t = 0; t < n_terms; t++) {
        zk_fp2 p = terms[t].coeff;
        for (unsigned f = 0; f < terms[t].n_factors; f++)
            p = zk_fp2_mul(p, evals[terms[t].factors[f]]);
        s = zk_fp2_add(s, p);
    }
    return s;
}

za_status zk_sumcheck_check_final(const zk_sumcheck_term *terms, unsigned n_terms,
                                  const zk_fp2 *evals, zk_fp2 final_claim, za_error *err)
{
    if (!zk_fp2_eq(zk_sumcheck_combine(terms, n_terms, evals), final_claim))
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "sumcheck: final evaluation check failed (the claimed sum or an "
                            "evaluation is wrong)");
    return ZA_OK;
}

/* ------------------------------------------------------------ interpolation */

/* w[i] = 1 / prod_{j != i} (i - j) for nodes 0..d */
static void interp_weights(unsigned d, zk_fp w[MAX_PTS + 1])
{
    for (unsigned i = 0; i <= d; i++) {
        uint64_t den = 1;
        for (unsigned j = 0; j <= d; j++)
            if (j != i)
                den *= (uint64_t)(i > j ? i - j : j - i);
        zk_fp inv = zk_fp_inv(den);
        w[i] = ((d - i) & 1) ? zk_fp_neg(inv) : inv;
    }
}

static zk_fp2 interp_with(const zk_fp w[MAX_PTS + 1], const zk_fp2 *vals, unsigned d, zk_fp2 x)
{
    /* sum_i vals[i] w[i] prod_{j != i} (x - j), with prefix/suffix products
     * (no division, so x may be a node) */
    zk_fp2 diff[MAX_PTS + 1], pre[MAX_PTS + 2], suf[MAX_PTS + 2];
    for (unsigned j = 0; j <= d; j++)
        diff[j] = zk_fp2_sub(x, zk_fp2_from_fp(j));
    pre[0] = zk_fp2_make(1, 0);
    for (unsigned j = 0; j <= d; j++)
        pre[j + 1] = zk_fp2_mul(pre[j], diff[j]);
    suf[d + 1] = zk_fp2_make(1, 0);
    for (unsigned j = d + 1; j-- > 0;)
        suf[j] = zk_fp2_mul(suf[j + 1], diff[j]);
    zk_fp2 s = zk_fp2_make(0, 0);
    for (unsigned i = 0; i <= d; i++) {
        zk_fp2 l = zk_fp2_mul_fp(zk_fp2_mul(pre[i], suf[i + 1]), w[i]);
        s = zk_fp2_add(s, zk_fp2_mul(l, vals[i]));
    }
    return s;
}

zk_fp2 zk_sumcheck_interpolate(const zk_fp2 *vals, unsigned d, zk_fp2 x)
{
    zk_fp w[MAX_PTS + 1];
    if (d > ZK_SUMCHECK_MAX_DEGREE)
        abort(); /* programming error */
    interp_weights(d, w);
    return interp_with(w, vals, d, x);
}

/* ------------------------------------------------------------ transcript */

static void absorb_start(zk_transcript *t, unsigned n, unsigned d, zk_fp2 claim)
{
    uint8_t buf[32];
    for (int i = 0; i < 8; i++) {
        buf[i] = (uint8_t)((uint64_t)n >> (8 * i));
        buf[8 + i] = (uint8_t)((uint64_t)d >> (8 * i));
    }
    zk_fp2_to_bytes(claim, buf + 16);
    zk_transcript_absorb(t, "sumcheck/start", buf, sizeof buf);
}

static zk_fp2 absorb_round(zk_transcript *t, const zk_fp2 *msg, unsigned d)
{
    zk_transcript_absorb_fp2(t, "sumcheck/round", msg, d);
    return zk_transcript_challenge_fp2(t, "sumcheck/r");
}

/* the full value list g(0..d) from a round message and the running claim */
static void expand_round(const zk_fp2 *msg, unsigned d, zk_fp2 claim, zk_fp2 *full)
{
    full[0] = msg[0];
    full[1] = zk_fp2_sub(claim, msg[0]);
    for (unsigned x = 2; x <= d; x++)
        full[x] = msg[x - 1];
}

/* ------------------------------------------------------------ prover engine
 *
 * Round k (H = 2^(n-1-k) pairs): pair i < H is (T[i], T[i+H]) of every table
 * T (size 2H), i.e. the top remaining variable X = x_{n-1-k} is 0 or 1.
 * Each table's restriction to a pair is the line lo + X (hi - lo); the
 * engine computes, for every term t and X in {0, (1), 2, .., xmax},
 *     S[t][X] = sum_i w(i) prod_f T_f(i, X)
 * where w(i) = wlo[i mod 2^sl] * whi[i >> sl] in a zero-check, else 1.
 * For k >= 1 the tables are first folded by r_{k-1} in the same pass:
 * T[i] = src[i] + r (src[i + 2H] - src[i]) for i and i + H.
 *
 * Work is split into segments of 2^sl pairs, segments into chunks (one per
 * thread), segments into blocks of BLK pairs.  Phase 1 folds each table's
 * block (contiguous, vectorized loops) and writes its values at X >= 2 into
 * a small buffer; the values at 0 and 1 are read in place.  Phase 2
 * multiplies and accumulates: in the extension into BLK per-lane sums
 * (vectorized), in the base-field first round into 192-bit lazy
 * accumulators (one 64x64 product per pair and factor pair); both are
 * reduced once per segment, weighted by whi, and added to the chunk's sums. */

typedef struct {
    const zk_fp *cur_b;  /* round 0: the caller's base table */
    const zk_fp2 *cur_e; /* the extension table the next round reads */
    zk_fp2 *dst;         /* where folds write (owned copy or the caller's inplace table) */
    int owned;           /* dst was allocated here */
} tab_state;

typedef struct {
    zk_acc192 a0; /* an unweighted base-mode sum */
} lazy3;

typedef struct {
    unsigned n, n_tables, n_terms;
    zk_sumcheck_term terms[ZK_SUMCHECK_MAX_TERMS];
    tab_state tab[ZK_SUMCHECK_MAX_TABLES];
    unsigned threads; /* chunks available, >= 1 */
    zk_fp2 *vals;     /* threads * n_tables * MAX_PTS * BLK */
    zk_fp *lanes;     /* threads * n_terms * MAX_PTS * 2 * BLK: per-lane sums (extension) */
    zk_fp2 *acc;      /* threads * n_terms * MAX_PTS */
    /* the round being computed */
    unsigned round;
    int base_mode;   /* round 0 and every table base: base-field values */
    zk_fp2 r;        /* fold challenge (round >= 1) */
    zk_fp r1w;       /* 7 * r.c1 */
    size_t H;
    unsigned sl;     /* segment = 2^sl pairs */
    unsigned xmax;   /* values at 0, 2..xmax (and 1 if want_one) */
    int want_one;
    const zk_fp2 *wlo, *whi; /* weights, or NULL */
    int fold_ok; /* the caller reads a combined sum (eqsum_prove) */
    int fold;    /* this round: every term's weighted sum, coefficients applied, in term 0 */
} engine;

/* A working table: 2 MiB-aligned and, where the kernel offers it, backed by
 * transparent huge pages (first-touch page faults were ~15% of a 2^24
 * prover with 4 KiB pages).  Freed with free(). */
static void *alloc_work(size_t bytes)
{
    const size_t huge = (size_t)2 << 20;
    if (bytes < huge)
        return malloc(bytes);
    size_t rounded = (bytes + huge - 1) & ~(huge - 1);
    void *p = NULL;
    if (posix_memalign(&p, huge, rounded))
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, rounded, MADV_HUGEPAGE); /* advisory: failure only costs speed */
#endif
    return p;
}

static void engine_free(engine *e)
{
    for (unsigned i = 0; i < e->n_tables; i++)
        if (e->tab[i].owned)
            free(e->tab[i].dst);
    free(e->vals);
    free(e->lanes);
    free(e->acc);
    memset(e, 0, sizeof *e);
}

static za_status engine_init(engine *e, const zk_sumcheck_instance *inst, int threads,
                             int folding, za_error *err)
{
    memset(e, 0, sizeof *e);
    e->n = inst->n_vars;
    e->n_tables = inst->n_tables;
    e->n_terms = inst->n_terms;
    memcpy(e->terms, inst->terms, sizeof(zk_sumcheck_term) * inst->n_terms);
    if (threads <= 0)
        threads = za_default_threads();
    if (threads > MAX_CHUNKS)
        threads = MAX_CHUNKS;
    if (threads < 1 || e->n < 16)
        threads = 1;
    e->threads = (unsigned)threads;
    size_t half = e->n ? (size_t)1 << (e->n - 1) : 0;
    for (unsigned i = 0; i < e->n_tables; i++) {
        const zk_mle_ref *m = &inst->tables[i];
        tab_state *ts = &e->tab[i];
        ts->cur_b = m->base;
        ts->cur_e = ref_ext(m);
        if (m->ext_inplace) {
            ts->dst = m->ext_inplace;
        } else if (e->n >= 2 && folding) {
            ts->dst = alloc_work(sizeof(zk_fp2) * half);
            if (!ts->dst) {
                engine_free(e);
                return za_error_set(err, ZA_ERR_NOMEM,
                                    "sumcheck: cannot allocate a working table of 2^%u elements",
                                    e->n - 1);
            }
            ts->owned = 1;
        }
    }
    e->vals = malloc(sizeof(zk_fp2) * e->threads * e->n_tables * MAX_PTS * BLK);
    e->lanes = malloc(sizeof(zk_fp) * e->threads * e->n_terms * MAX_PTS * 2 * BLK);
    e->acc = malloc(sizeof(zk_fp2) * e->threads * e->n_terms * MAX_PTS);
    if (!e->vals || !e->lanes || !e->acc) {
        engine_free(e);
        return za_error_set(err, ZA_ERR_NOMEM, "sumcheck: out of memory");
    }
    return ZA_OK;
}

/* pointers to every table's values at X = 0..MAX_PTS-1 for one block */
typedef struct {
    const void *p[ZK_SUMCHECK_MAX_TABLES][MAX_PTS];
} blockptrs;

/* buf[x*BLK + j] = lo[j] + x (hi[j] - lo[j]) for x = 2..xmax */
static void extend_base(const zk_fp *restrict lo, const zk_fp *restrict hi, size_t len,
                        unsigned xmax, zk_fp *restrict buf)
{
    if (xmax == 2) {
        for (size_t j = 0; j < len; j++)
            buf[2 * BLK + j] = zk_fp_sub_v(zk_fp_add_v(hi[j], hi[j]), lo[j]);
        return;
    }
    for (size_t j = 0; j < len; j++) {
        zk_fp d = zk_fp_sub_v(hi[j], lo[j]), v = hi[j];
        for (unsigned x = 2; x <= xmax; x++) {
            v = zk_fp_add_v(v, d);
            buf[x * BLK + j] = v;
        }
    }
}

static void extend_ext(const zk_fp2 *restrict lo, const zk_fp2 *restrict hi, size_t len,
                       unsigned xmax, zk_fp2 *restrict buf)
{
    if (xmax == 2) {
        for (size_t j = 0; j < len; j++) {
            buf[2 * BLK + j].c0 = zk_fp_sub_v(zk_fp_add_v(hi[j].c0, hi[j].c0), lo[j].c0);
            buf[2 * BLK + j].c1 = zk_fp_sub_v(zk_fp_add_v(hi[j].c1, hi[j].c1), lo[j].c1);
        }
        return;
    }
    for (size_t j = 0; j < len; j++) {
        zk_fp d0 = zk_fp_sub_v(hi[j].c0, lo[j].c0), v0 = hi[j].c0;
        zk_fp d1 = zk_fp_sub_v(hi[j].c1, lo[j].c1), v1 = hi[j].c1;
        for (unsigned x = 2; x <= xmax; x++) {
            v0 = zk_fp_add_v(v0, d0);
            v1 = zk_fp_add_v(v1, d1);
            buf[x * BLK + j].c0 = v0;
            buf[x * BLK + j].c1 = v1;
        }
    }
}

/* dst[j] = s[j] + r (s[j + H2] - s[j]) for j < len, base s */
static void fold_base_block(const zk_fp *restrict s, zk_fp2 *restrict dst, size_t len, size_t H2,
                            zk_fp2 r)
{
    for (size_t j = 0; j < len; j++) {
        zk_fp lo = s[j], d = zk_fp_sub_v(s[j + H2], lo);
        dst[j].c0 = zk_fp_add_v(lo, zk_fp_mul_v(r.c0, d));
        dst[j].c1 = zk_fp_mul_v(r.c1, d);
    }
}

/* the same for an extension s (r1w = 7 r.c1) */
static void fold_ext_block(const zk_fp2 *restrict s, zk_fp2 *restrict dst, size_t len, size_t H2,
                           zk_fp2 r, zk_fp r1w)
{
    for (size_t j = 0; j < len; j++) {
        zk_fp l0 = s[j].c0, l1 = s[j].c1;
        zk_fp d0 = zk_fp_sub_v(s[j + H2].c0, l0), d1 = zk_fp_sub_v(s[j + H2].c1, l1);
        dst[j].c0 = zk_fp_add_v(l0, zk_fp_add_v(zk_fp_mul_v(r.c0, d0), zk_fp_mul_v(r1w, d1)));
        dst[j].c1 = zk_fp_add_v(l1, zk_fp_add_v(zk_fp_mul_v(r.c0, d1), zk_fp_mul_v(r.c1, d0)));
    }
}

/* in place: v[j] from v[j] and v[j + H2], H2 >= len */
static void fold_ext_block_inplace(zk_fp2 *v, size_t len, size_t H2, zk_fp2 r, zk_fp r1w)
{
    for (size_t j = 0; j < len; j++) {
        zk_fp l0 = v[j].c0, l1 = v[j].c1;
        zk_fp d0 = zk_fp_sub_v(v[j + H2].c0, l0), d1 = zk_fp_sub_v(v[j + H2].c1, l1);
        v[j].c0 = zk_fp_add_v(l0, zk_fp_add_v(zk_fp_mul_v(r.c0, d0), zk_fp_mul_v(r1w, d1)));
        v[j].c1 = zk_fp_add_v(l1, zk_fp_add_v(zk_fp_mul_v(r.c0, d1), zk_fp_mul_v(r.c1, d0)));
    }
}

/* phase 1: fold (round >= 1) and the values at X >= 2 for pairs [b, b+len) */
static void phase1(const engine *e, size_t b, size_t len, zk_fp2 *vals, blockptrs *bp)
{
    const size_t H = e->H;
    for (unsigned t = 0; t < e->n_tables; t++) {
        const tab_state *ts = &e->tab[t];
        if (e->base_mode) {
            zk_fp *buf = (zk_fp *)vals + (size_t)t * MAX_PTS * BLK;
            const zk_fp *lo = ts->cur_b + b, *hi = ts->cur_b + b + H;
            bp->p[t][0] = lo;
            bp->p[t][1] = hi;
            if (e->xmax >= 2)
                extend_base(lo, hi, len, e->xmax, buf);
            for (unsigned x = 2; x <= e->xmax; x++)
                bp->p[t][x] = buf + x * BLK;
            continue;
        }
        zk_fp2 *buf = vals + (size_t)t * MAX_PTS * BLK;
        const zk_fp2 *lo, *hi;
        if (e->round == 0) {
            if (ts->cur_b) { /* a base table in a mixed first round */
                for (size_t j = 0; j < len; j++) {
                    buf[j] = zk_fp2_from_fp(ts->cur_b[b + j]);
                    buf[BLK + j] = zk_fp2_from_fp(ts->cur_b[b + j + H]);
                }
                lo = buf;
                hi = buf + BLK;
            } else {
                lo = ts->cur_e + b;
                hi = ts->cur_e + b + H;
            }
        } else {
            if (ts->cur_b) { /* first fold of a base table */
                fold_base_block(ts->cur_b + b, ts->dst + b, len, 2 * H, e->r);
                fold_base_block(ts->cur_b + b + H, ts->dst + b + H, len, 2 * H, e->r);
            } else if (ts->cur_e == ts->dst) {
                fold_ext_block_inplace(ts->dst + b, len, 2 * H, e->r, e->r1w);
                fold_ext_block_inplace(ts->dst + b + H, len, 2 * H, e->r, e->r1w);
            } else {
                fold_ext_block(ts->cur_e + b, ts->dst + b, len, 2 * H, e->r, e->r1w);
                fold_ext_block(ts->cur_e + b + H, ts->dst + b + H, len, 2 * H, e->r, e->r1w);
            }
            lo = ts->dst + b;
            hi = ts->dst + b + H;
        }
        bp->p[t][0] = lo;
        bp->p[t][1] = hi;
        if (e->xmax >= 2)
            extend_ext(lo, hi, len, e->xmax, buf);
        for (unsigned x = 2; x <= e->xmax; x++)
            bp->p[t][x] = buf + x * BLK;
    }
}

/* phase 2 in the base field: unweighted into the lazy accumulators
 * acc[t][X] (one 64x64 product per factor pair), weighted (zero-check)
 * into the extension lanes, L += w * prod_f (vectorized) */
static void phase2_base(const engine *e, size_t len, const blockptrs *bp, const zk_fp2 *w,
                        lazy3 *acc, zk_fp *lanes)
{
    zk_fp tmp[BLK];
    for (unsigned t = 0; t < e->n_terms; t++) {
        const zk_sumcheck_term *tm = &e->terms[t];
        unsigned nf = tm->n_factors;
        for (unsigned x = 0; x <= e->xmax; x++) {
            if (x == 1 && !e->want_one)
                continue;
            const zk_fp *f[ZK_SUMCHECK_MAX_FACTORS] = { NULL };
            for (unsigned k = 0; k < nf; k++)
                f[k] = bp->p[tm->factors[k]][x];
            if (w) {
                const zk_fp *v = f[0];
                if (nf > 1) {
                    for (size_t j = 0; j < len; j++)
                        tmp[j] = zk_fp_mul_v(f[0][j], f[1][j]);
                    for (unsigned k = 2; k < nf; k++)
                        for (size_t j = 0; j < len; j++)
                            tmp[j] = zk_fp_mul_v(tmp[j], f[k][j]);
                    v = tmp;
                }
                zk_fp *restrict L0 = lanes + (size_t)(t * MAX_PTS + x) * 2 * BLK;
                zk_fp *restrict L1 = L0 + BLK;
                for (size_t j = 0; j < len; j++) {
                    L0[j] = zk_fp_add_v(L0[j], zk_fp_mul_v(w[j].c0, v[j]));
                    L1[j] = zk_fp_add_v(L1[j], zk_fp_mul_v(w[j].c1, v[j]));
                }
                continue;
            }
            /* prod of all but the last factor (reduced), the last one lazily */
            lazy3 *a = &acc[t * MAX_PTS + x];
            zk_acc192 a0 = a->a0;
            switch (nf) {
            case 1:
                for (size_t j = 0; j < len; j++)
                    zk_acc_mac(&a0, f[0][j], 1);
                break;
            case 2:
                for (size_t j = 0; j < len; j++)
                    zk_acc_mac(&a0, f[0][j], f[1][j]);
                break;
            case 3:
                for (size_t j = 0; j < len; j++)
                    zk_acc_mac(&a0, zk_fp_mul_bf(f[0][j], f[1][j]), f[2][j]);
                break;
            default:
                for (size_t j = 0; j < len; j++)
                    zk_acc_mac(&a0, zk_fp_mul_bf(zk_fp_mul_bf(f[0][j], f[1][j]), f[2][j]),
                               f[3][j]);
                break;
            }
            a->a0 = a0;
        }
    }
}

/* L0[j] + i L1[j] += x[j] * y[j] in the extension, lane by lane */
static void mac_lanes(zk_fp *restrict L0, zk_fp *restrict L1, const zk_fp2 *restrict x,
                      const zk_fp2 *restrict y, size_t len)
{
    for (size_t j = 0; j < len; j++) {
        zk_fp x0 = x[j].c0, x1 = x[j].c1, y0 = y[j].c0, y1 = y[j].c1;
        zk_fp c0 = zk_fp_add_v(zk_fp_mul_v(x0, y0), zk_fp_mul7_v(zk_fp_mul_v(x1, y1)));
        zk_fp c1 = zk_fp_add_v(zk_fp_mul_v(x0, y1), zk_fp_mul_v(x1, y0));
        L0[j] = zk_fp_add_v(L0[j], c0);
        L1[j] = zk_fp_add_v(L1[j], c1);
    }
}

/* phase 2 in the extension: per-lane sums (vectorized), lanes[(t, X)] */
/* phase 2 in the extension with weights, the terms folded: lanes[(0, X)] +=
 * w * sum_t c_t prod_f (one weighted product per pair instead of one per
 * term; the same field values as the per-term sums combined afterwards) */
static void phase2_ext_fold(const engine *e, size_t len, const blockptrs *bp, const zk_fp2 *w,
                            zk_fp *lanes)
{
    zk_fp2 tmp[BLK], sum[BLK];
    const zk_fp2 one = zk_fp2_make(1, 0);
    for (unsigned x = 0; x <= e->xmax; x++) {
        if (x == 1 && !e->want_one)
            continue;
        for (unsigned t = 0; t < e->n_terms; t++) {
            const zk_sumcheck_term *tm = &e->terms[t];
            unsigned nf = tm->n_factors;
            const zk_fp2 *f0 = bp->p[tm->factors[0]][x], *v = f0;
            if (nf > 1) {
                const zk_fp2 *f1 = bp->p[tm->factors[1]][x];
                for (size_t j = 0; j < len; j++)
                    tmp[j] = zk_fp2_mul_v(f0[j], f1[j]);
                for (unsigned k = 2; k < nf; k++) {
                    const zk_fp2 *fk = bp->p[tm->factors[k]][x];
                    for (size_t j = 0; j < len; j++)
                        tmp[j] = zk_fp2_mul_v(tmp[j], fk[j]);
                }
                v = tmp;
            }
            int unit = zk_fp2_eq(tm->coeff, one);
            if (t == 0) {
                if (unit)
                    memcpy(sum, v, sizeof(zk_fp2) * len);
                else
                    for (size_t j = 0; j < len; j++)
                        sum[j] = zk_fp2_mul_v(tm->coeff, v[j]);
            } else if (unit) {
                for (size_t j = 0; j < len; j++)
                    sum[j] = zk_fp2_add(sum[j], v[j]);
            } else {
                for (size_t j = 0; j < len; j++)
                    sum[j] = zk_fp2_add(sum[j], zk_fp2_mul_v(tm->coeff, v[j]));
            }
        }
        zk_fp *L0 = lanes + (size_t)x * 2 * BLK, *L1 = L0 + BLK;
        mac_lanes(L0, L1, sum, w, len);
    }
}

static void phase2_ext(const engine *e, size_t len, const blockptrs *bp, const zk_fp2 *w,
                       zk_fp *lanes)
{
    zk_fp2 tmp[BLK];
    if (w && e->fold) {
        phase2_ext_fold(e, len, bp, w, lanes);
        return;
    }
    for (unsigned t = 0; t < e->n_terms; t++) {
        const zk_sumcheck_term *tm = &e->terms[t];
        unsigned nf = tm->n_factors;
        for (unsigned x = 0; x <= e->xmax; x++) {
            if (x == 1 && !e->want_one)
                continue;
            const zk_fp2 *f[ZK_SUMCHECK_MAX_FACTORS] = { NULL };
            for (unsigned k = 0; k < nf; k++)
                f[k] = bp->p[tm->factors[k]][x];
            zk_fp *L0 = lanes + (size_t)(t * MAX_PTS + x) * 2 * BLK, *L1 = L0 + BLK;
            /* left = prod of all factors but the last (or of all, when weighted) */
            unsigned nprod = w ? nf : nf - 1;
            const zk_fp2 *left;
            if (nprod == 0) { /* one factor, no weight: a plain sum */
                for (size_t j = 0; j < len; j++) {
                    L0[j] = zk_fp_add_v(L0[j], f[0][j].c0);
                    L1[j] = zk_fp_add_v(L1[j], f[0][j].c1);
                }
                continue;
            } else if (nprod == 1) {
                left = f[0];
            } else {
                for (size_t j = 0; j < len; j++)
                    tmp[j] = zk_fp2_mul_v(f[0][j], f[1][j]);
                for (unsigned k = 2; k < nprod; k++)
                    for (size_t j = 0; j < len; j++)
                        tmp[j] = zk_fp2_mul_v(tmp[j], f[k][j]);
                left = tmp;
            }
            mac_lanes(L0, L1, left, w ? w : f[nf - 1], len);
        }
    }
}

/* a segment's sum: from the lazy accumulator (unweighted base mode), else
 * from the lanes */
static zk_fp2 segment_sum(const engine *e, const lazy3 *lz, const zk_fp *lanes, unsigned q)
{
    if (e->base_mode && !e->wlo)
        return zk_fp2_make(zk_acc_reduce(lz[q].a0), 0);
    const zk_fp *L0 = lanes + (size_t)q * 2 * BLK, *L1 = L0 + BLK;
    zk_fp c0 = 0, c1 = 0;
    for (size_t j = 0; j < BLK; j++) {
        c0 = zk_fp_add(c0, L0[j]);
        c1 = zk_fp_add(c1, L1[j]);
    }
    return zk_fp2_make(c0, c1);
}

static void round_chunk(void *vc, unsigned c, size_t s0, size_t s1)
{
    engine *e = vc;
    const size_t seg = (size_t)1 << e->sl;
    const unsigned nt = e->n_terms;
    zk_fp2 *vals = e->vals + (size_t)c * e->n_tables * MAX_PTS * BLK;
    zk_fp *lanes = e->lanes + (size_t)c * nt * MAX_PTS * 2 * BLK;
    zk_fp2 *out = e->acc + (size_t)c * nt * MAX_PTS;
    lazy3 lz[ZK_SUMCHECK_MAX_TERMS * MAX_PTS];
    blockptrs bp;
    for (unsigned q = 0; q < nt * MAX_PTS; q++)
        out[q] = zk_fp2_make(0, 0);
    for (size_t s = s0; s < s1; s++) {
        if (e->base_mode && !e->wlo)
            memset(lz, 0, sizeof(lazy3) * nt * MAX_PTS);
        else
            memset(lanes, 0, sizeof(zk_fp) * nt * MAX_PTS * 2 * BLK);
        size_t end = (s + 1) * seg;
        for (size_t b = s * seg; b < end; b += BLK) {
            size_t len = end - b < BLK ? end - b : BLK;
            const zk_fp2 *w = e->wlo ? e->wlo + (b - s * seg) : NULL;
            phase1(e, b, len, vals, &bp);
            if (e->base_mode)
                phase2_base(e, len, &bp, w, lz, lanes);
            else
                phase2_ext(e, len, &bp, w, lanes);
        }
        for (unsigned t = 0; t < nt; t++)
            for (unsigned x = 0; x <= e->xmax; x++) {
                if (x == 1 && !e->want_one)
                    continue;
                zk_fp2 v = segment_sum(e, lz, lanes, t * MAX_PTS + x);
                if (e->whi)
                    v = zk_fp2_mul(v, e->whi[s]);
                out[t * MAX_PTS + x] = zk_fp2_add(out[t * MAX_PTS + x], v);
            }
    }
}

typedef struct {
    engine *e;
    size_t nseg;
    unsigned nch;
} chunk_job;

static void chunk_tramp(void *vj, size_t b, size_t en)
{
    chunk_job *j = vj;
    for (size_t c = b; c < en; c++)
        round_chunk(j->e, (unsigned)c, j->nseg * c / j->nch, j->nseg * (c + 1) / j->nch);
}

/* One round: fold by r (round >= 1), then S[t*MAX_PTS + X] for X = 0,
 * (1 if want_one), 2..xmax.  wlo/whi: zero-check weights with segment 2^sl,
 * or NULL. */
static void engine_round(engine *e, unsigned round, zk_fp2 r, unsigned xmax, int want_one,
                         const zk_fp2 *wlo, const zk_fp2 *whi, unsigned sl, zk_fp2 *S)
{
    unsigned m = e->n - 1 - round; /* variables below the one being summed */
    e->round = round;
    e->H = (size_t)1 << m;
    e->r = r;
    e->r1w = zk_fp_mul(r.c1, ZK_FP2_W);
    e->xmax = xmax;
    e->want_one = want_one;
    e->base_mode = 0;
    if (round == 0) {
        e->base_mode = 1;
        for (unsigned i = 0; i < e->n_tables; i++)
            if (!e->tab[i].cur_b)
                e->base_mode = 0;
    }
    e->wlo = wlo;
    e->whi = whi;
    e->fold = e->fold_ok && wlo && !e->base_mode && e->n_terms > 1;
    e->sl = wlo ? sl : (m < SEG_LOG ? m : SEG_LOG);
    size_t nseg = e->H >> e->sl;
    unsigned nch = 1;
    if (e->H >= PAR_PAIRS && e->threads > 1)
        nch = nseg < e->threads ? (unsigned)nseg : e->threads;
    chunk_job j = { e, nseg, nch };
    if (nch <= 1)
        round_chunk(e, 0, 0, nseg);
    else
        za_parallel_for(nch, (int)nch, chunk_tramp, &j);
    for (unsigned q = 0; q < e->n_terms * MAX_PTS; q++) {
        zk_fp2 s = zk_fp2_make(0, 0);
        for (unsigned c = 0; c < nch; c++)
            s = zk_fp2_add(s, e->acc[(size_t)c * e->n_terms * MAX_PTS + q]);
        S[q] = s;
    }
    if (round >= 1)
        for (unsigned i = 0; i < e->n_tables; i++) {
            e->tab[i].cur_b = NULL;
            e->tab[i].cur_e = e->tab[i].dst;
        }
}

/* After the last round: bind x_0 = r and read off every table's value. */
static void engine_finish(engine *e, zk_fp2 r, zk_fp2 *evals)
{
    for (unsigned i = 0; i < e->n_tables; i++) {
        const tab_state *ts = &e->tab[i];
        zk_fp2 lo, hi;
        if (ts->cur_b) {
            lo = zk_fp2_from_fp(ts->cur_b[0]);
            hi = e->n ? zk_fp2_from_fp(ts->cur_b[1]) : lo;
        } else {
            lo = ts->cur_e[0];
            hi = e->n ? ts->cur_e[1] : lo;
        }
        evals[i] = e->n ? zk_fp2_add(lo, zk_fp2_mul(r, zk_fp2_sub(hi, lo))) : lo;
    }
}

/* ------------------------------------------------------------ plain sumcheck */

static za_status proof_alloc(zk_sumcheck_proof *p, unsigned n, unsigned d, za_error *err)
{
    p->n_vars = n;
    p->degree = d;
    p->evals = malloc(sizeof(zk_fp2) * ((size_t)n * d + 1));
    if (!p->evals)
        return za_error_set(err, ZA_ERR_NOMEM, "sumcheck: out of memory");
    return ZA_OK;
}

void zk_sumcheck_proof_free(zk_sumcheck_proof *p)
{
    if (!p)
        return;
    free(p->evals);
    p->evals = NULL;
    p->n_vars = p->degree = 0;
}

za_status zk_sumcheck_prove(const zk_sumcheck_instance *inst, zk_fp2 claim, zk_transcript *t,
                            int threads, zk_sumcheck_proof *proof, zk_fp2 *point, zk_fp2 *evals,
                            za_error *err)
{
    memset(proof, 0, sizeof *proof);
    za_status st = zk_sumcheck_instance_check(inst, err);
    if (st)
        return st;
    const unsigned n = inst->n_vars, d = zk_sumcheck_degree(inst->terms, inst->n_terms);
    engine e;
    if ((st = engine_init(&e, inst, threads, 1, err)))
        return st;
    if ((st = proof_alloc(proof, n, d, err))) {
        engine_free(&e);
        return st;
    }
    zk_fp w[MAX_PTS + 1];
    interp_weights(d, w);
    absorb_start(t, n, d, claim);
    zk_fp2 r = zk_fp2_make(0, 0);
    zk_fp2 S[ZK_SUMCHECK_MAX_TERMS * MAX_PTS];
    for (unsigned k = 0; k < n; k++) {
        engine_round(&e, k, r, d, 0, NULL, NULL, 0, S);
        zk_fp2 *msg = proof->evals + (size_t)k * d;
        for (unsigned x = 0; x <= d; x++) {
            if (x == 1)
                continue;
            zk_fp2 g = zk_fp2_make(0, 0);
            for (unsigned tm = 0; tm < inst->n_terms; tm++)
                g = zk_fp2_add(g, zk_fp2_mul(inst->terms[tm].coeff, S[tm * MAX_PTS + x]));
            msg[x ? x - 1 : 0] = g;
        }
        zk_fp2 full[MAX_PTS + 1];
        expand_round(msg, d, claim, full);
        r = absorb_round(t, msg, d);
        claim = interp_with(w, full, d, r);
        point[n - 1 - k] = r;
    }
    engine_finish(&e, r, evals);
    engine_free(&e);
    return ZA_OK;
}

za_status zk_sumcheck_verify(unsigned n_vars, unsigned degree, zk_fp2 claim,
                             const zk_sumcheck_proof *proof, zk_transcript *t, zk_fp2 *point,
                             zk_fp2 *final_claim, za_error *err)
{
    if (degree < 1 || degree > ZK_SUMCHECK_MAX_DEGREE || n_vars > ZK_SUMCHECK_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG, "sumcheck: unsupported statement (%u variables, "
                            "degree %u)", n_vars, degree);
    if (!proof || proof->n_vars != n_vars || proof->degree != degree ||
        (n_vars && !proof->evals))
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "sumcheck: proof has %u rounds of degree %u, expected %u of degree %u",
                            proof ? proof->n_vars : 0, proof ? proof->degree : 0, n_vars, degree);
    zk_fp w[MAX_PTS + 1];
    interp_weights(degree, w);
    absorb_start(t, n_vars, degree, claim);
    for (unsigned k = 0; k < n_vars; k++) {
        const zk_fp2 *msg = proof->evals + (size_t)k * degree;
        zk_fp2 full[MAX_PTS + 1];
        expand_round(msg, degree, claim, full);
        zk_fp2 r = absorb_round(t, msg, degree);
        claim = interp_with(w, full, degree, r);
        point[n_vars - 1 - k] = r;
    }
    *final_claim = claim;
    return ZA_OK;
}

size_t zk_sumcheck_proof_bytes(const zk_sumcheck_proof *p)
{
    return (size_t)p->n_vars * p->degree * 16;
}

void zk_sumcheck_proof_write(zk_writer *w, const zk_sumcheck_proof *p)
{
    zk_write_fp2_array(w, p->evals, (size_t)p->n_vars * p->degree);
}

za_status zk_sumcheck_proof_read(zk_reader *r, unsigned n_vars, unsigned degree,
                                 zk_sumcheck_proof *p)
{
    memset(p, 0, sizeof *p);
    if (degree < 1 || degree > ZK_SUMCHECK_MAX_DEGREE || n_vars > ZK_SUMCHECK_MAX_VARS)
        return zk_reader_fail(r, r->off, ZA_ERR_ARG, "sumcheck proof",
                              "unsupported shape (%u variables, degree %u)", n_vars, degree);
    size_t n = (size_t)n_vars * degree; /* <= 200: allocate before the extent check */
    p->evals = malloc(sizeof(zk_fp2) * (n + 1));
    if (!p->evals)
        return zk_reader_fail(r, r->off, ZA_ERR_NOMEM, "sumcheck proof", "out of memory");
    za_status st = zk_read_fp2_array(r, "sumcheck round polynomials", p->evals, n);
    if (st) {
        free(p->evals);
        p->evals = NULL;
        return st;
    }
    p->n_vars = n_vars;
    p->degree = degree;
    return ZA_OK;
}

/* ------------------------------------------------------------ hypercube sum */

zk_fp2 zk_sumcheck_sum(const zk_sumcheck_instance *inst, int threads)
{
    zk_fp2 s = zk_fp2_make(0, 0);
    if (zk_sumcheck_instance_check(inst, NULL))
        return s;
    if (inst->n_vars == 0) {
        zk_fp2 ev[ZK_SUMCHECK_MAX_TABLES];
        for (unsigned i = 0; i < inst->n_tables; i++)
            ev[i] = inst->tables[i].base ? zk_fp2_from_fp(inst->tables[i].base[0])
                                         : ref_ext(&inst->tables[i])[0];
        return zk_sumcheck_combine(inst->terms, inst->n_terms, ev);
    }
    /* the first round's kernel at X = 0 and X = 1, no folding */
    engine e;
    if (engine_init(&e, inst, threads, 0, NULL))
        abort(); /* a few KiB of scratch */
    zk_fp2 S[ZK_SUMCHECK_MAX_TERMS * MAX_PTS];
    engine_round(&e, 0, s, 1, 1, NULL, NULL, 0, S);
    for (unsigned t = 0; t < inst->n_terms; t++)
        s = zk_fp2_add(s, zk_fp2_mul(inst->terms[t].coeff,
                                     zk_fp2_add(S[t * MAX_PTS], S[t * MAX_PTS + 1])));
    engine_free(&e);
    return s;
}

/* ------------------------------------------------------------ zero-check */

static void absorb_zerocheck(zk_transcript *t, unsigned n, unsigned dc, zk_fp2 *tau)
{
    uint8_t buf[16];
    for (int i = 0; i < 8; i++) {
        buf[i] = (uint8_t)((uint64_t)n >> (8 * i));
        buf[8 + i] = (uint8_t)((uint64_t)dc >> (8 * i));
    }
    zk_transcript_absorb(t, "zerocheck/start", buf, sizeof buf);
    zk_transcript_challenge_fp2_vec(t, "zerocheck/tau", tau, n);
}

/* The sumcheck of eq(tau, x) * C(x) with sum `claim0` (a zero-check when
 * claim0 = 0 and tau is fresh), without materializing eq(tau, .). */
static za_status eqsum_prove(const zk_sumcheck_instance *inst, const zk_fp2 *tau,
                             zk_fp2 claim0, zk_transcript *t, int threads,
                             zk_sumcheck_proof *proof, zk_fp2 *point, zk_fp2 *evals,
                             int direct_h1, za_error *err)
{
    const unsigned n = inst->n_vars, dc = zk_sumcheck_degree(inst->terms, inst->n_terms);
    const unsigned d = dc + 1;
    za_status st;
    engine e;
    if ((st = engine_init(&e, inst, threads, 1, err)))
        return st;
    e.fold_ok = 1;
    /* the low-variable eq tables: wlo over x_0..x_{a-1}, whi over x_a..x_{m-1} */
    size_t lo_cap = (size_t)1 << SEG_LOG;
    size_t hi_cap = n > SEG_LOG + 1 ? (size_t)1 << (n - 1 - SEG_LOG) : 1;
    zk_fp2 *wlo = malloc(sizeof(zk_fp2) * lo_cap);
    zk_fp2 *whi = malloc(sizeof(zk_fp2) * hi_cap);
    if (!wlo || !whi || (st = proof_alloc(proof, n, d, err))) {
        free(wlo);
        free(whi);
        engine_free(&e);
        return st ? st : za_error_set(err, ZA_ERR_NOMEM, "zerocheck: out of memory");
    }
    zk_fp wg[MAX_PTS + 1], wh[MAX_PTS + 1];
    interp_weights(d, wg);
    interp_weights(dc, wh);
    absorb_start(t, n, d, claim0);
    zk_fp2 claim = claim0, pref = zk_fp2_make(1, 0), r = zk_fp2_make(0, 0);
    zk_fp2 S[ZK_SUMCHECK_MAX_TERMS * MAX_PTS];
    unsigned wa_prev = ~0u;
    for (unsigned k = 0; k < n; k++) {
        unsigned m = n - 1 - k; /* x_m is summed in this round */
        unsigned a = m < SEG_LOG ? m : SEG_LOG;
        if (a != wa_prev) {
            zk_eq_table_mt(tau, a, wlo, 1);
            wa_prev = a;
        }
        zk_eq_table_mt(tau + a, m - a, whi, threads);
        zk_fp2 tm = tau[m];
        zk_fp2 lead = zk_fp2_mul(pref, tm); /* g(1) = lead * h(1) */
        int need_one = direct_h1 || zk_fp2_is_zero(lead);
        engine_round(&e, k, r, dc, need_one, wlo, whi, a, S);
        /* h(x) = sum_t c_t S[t][x] on 0..dc (folded rounds: S[0][x] is it) */
        zk_fp2 h[MAX_PTS + 2];
        for (unsigned x = 0; x <= dc; x++) {
            if (x == 1 && !need_one)
                continue;
            zk_fp2 g = zk_fp2_make(0, 0);
            if (e.fold)
                g = S[x];
            else
                for (unsigned q = 0; q < inst->n_terms; q++)
                    g = zk_fp2_add(g, zk_fp2_mul(inst->terms[q].coeff, S[q * MAX_PTS + x]));
            h[x] = g;
        }
        zk_fp2 one_minus_t = zk_fp2_sub(zk_fp2_make(1, 0), tm);
        if (!need_one) {
            /* g(0) + g(1) = claim with g(0) = pref (1 - tau) h(0), g(1) = pref tau h(1) */
            zk_fp2 g0 = zk_fp2_mul(zk_fp2_mul(pref, one_minus_t), h[0]);
            h[1] = zk_fp2_mul(zk_fp2_sub(claim, g0), zk_fp2_inv(lead));
        }
        h[dc + 1] = interp_with(wh, h, dc, zk_fp2_from_fp(dc + 1));
        /* g(x) = pref eq1(tau, x) h(x), eq1(tau, x) = 1 - tau + x (2 tau - 1) */
        zk_fp2 full[MAX_PTS + 2];
        zk_fp2 slope = zk_fp2_sub(zk_fp2_add(tm, tm), zk_fp2_make(1, 0));
        for (unsigned x = 0; x <= d; x++) {
            zk_fp2 e1 = zk_fp2_add(one_minus_t, zk_fp2_mul_fp(slope, x));
            full[x] = zk_fp2_mul(zk_fp2_mul(pref, e1), h[x]);
        }
        zk_fp2 *msg = proof->evals + (size_t)k * d;
        msg[0] = full[0];
        for (unsigned x = 2; x <= d; x++)
            msg[x - 1] = full[x];
        /* the verifier uses claim - g(0) for g(1); so must we */
        expand_round(msg, d, claim, full);
        r = absorb_round(t, msg, d);
        claim = interp_with(wg, full, d, r);
        pref = zk_fp2_mul(pref, zk_eq1(tm, r));
        point[m] = r;
    }
    engine_finish(&e, r, evals);
    engine_free(&e);
    free(wlo);
    free(whi);
    return ZA_OK;
}

static za_status zerocheck_prove(const zk_sumcheck_instance *inst, zk_transcript *t, int threads,
                                 zk_sumcheck_proof *proof, zk_fp2 *point, zk_fp2 *evals,
                                 int direct_h1, za_error *err)
{
    memset(proof, 0, sizeof *proof);
    za_status st = zk_sumcheck_instance_check(inst, err);
    if (st)
        return st;
    const unsigned n = inst->n_vars, dc = zk_sumcheck_degree(inst->terms, inst->n_terms);
    zk_fp2 tau[ZK_SUMCHECK_MAX_VARS];
    absorb_zerocheck(t, n, dc, tau);
    return eqsum_prove(inst, tau, zk_fp2_make(0, 0), t, threads, proof, point, evals, direct_h1,
                       err);
}

za_status zk_eqsum_prove(const zk_sumcheck_instance *inst, const zk_fp2 *tau, zk_fp2 claim,
                         zk_transcript *t, int threads, zk_sumcheck_proof *proof, zk_fp2 *point,
                         zk_fp2 *evals, za_error *err)
{
    memset(proof, 0, sizeof *proof);
    za_status st = zk_sumcheck_instance_check(inst, err);
    if (st)
        return st;
    return eqsum_prove(inst, tau, claim, t, threads, proof, point, evals, 0, err);
}

za_status zk_eqsum_verify(unsigned n_vars, unsigned degree_c, const zk_fp2 *tau, zk_fp2 claim,
                          const zk_sumcheck_proof *proof, zk_transcript *t, zk_fp2 *point,
                          zk_fp2 *c_claim, za_error *err)
{
    if (degree_c < 1 || degree_c > ZK_SUMCHECK_MAX_FACTORS || n_vars > ZK_SUMCHECK_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG, "eqsum: unsupported statement (%u variables, "
                            "degree %u)", n_vars, degree_c);
    zk_fp2 fin;
    za_status st = zk_sumcheck_verify(n_vars, degree_c + 1, claim, proof, t, point, &fin, err);
    if (st)
        return st;
    zk_fp2 eqv = zk_eq_eval(tau, point, n_vars);
    if (zk_fp2_is_zero(eqv))
        return za_error_set(err, ZA_ERR_MISMATCH, "eqsum: degenerate point, eq(tau, r) = 0");
    *c_claim = zk_fp2_mul(fin, zk_fp2_inv(eqv));
    return ZA_OK;
}

za_status zk_zerocheck_prove(const zk_sumcheck_instance *inst, zk_transcript *t, int threads,
                             zk_sumcheck_proof *proof, zk_fp2 *point, zk_fp2 *evals,
                             za_error *err)
{
    return zerocheck_prove(inst, t, threads, proof, point, evals, 0, err);
}

za_status zk_zerocheck_prove_direct_h1(const zk_sumcheck_instance *inst, zk_transcript *t,
                                       int threads, zk_sumcheck_proof *proof, zk_fp2 *point,
                                       zk_fp2 *evals, za_error *err)
{
    return zerocheck_prove(inst, t, threads, proof, point, evals, 1, err);
}

za_status zk_zerocheck_verify(unsigned n_vars, unsigned degree_c, const zk_sumcheck_proof *proof,
                              zk_transcript *t, zk_fp2 *point, zk_fp2 *c_claim, za_error *err)
{
    if (degree_c < 1 || degree_c > ZK_SUMCHECK_MAX_FACTORS || n_vars > ZK_SUMCHECK_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG, "zerocheck: unsupported statement (%u variables, "
                            "degree %u)", n_vars, degree_c);
    zk_fp2 tau[ZK_SUMCHECK_MAX_VARS];
    absorb_zerocheck(t, n_vars, degree_c, tau);
    zk_fp2 fin;
    za_status st = zk_sumcheck_verify(n_vars, degree_c + 1, zk_fp2_make(0, 0), proof, t, point,
                                      &fin, err);
    if (st)
        return st;
    zk_fp2 eqv = zk_eq_eval(tau, point, n_vars);
    if (zk_fp2_is_zero(eqv))
        return za_error_set(err, ZA_ERR_MISMATCH, "zerocheck: degenerate point, eq(tau, r) = 0");
    *c_claim = zk_fp2_mul(fin, zk_fp2_inv(eqv));
    return ZA_OK;
}

/* ------------------------------------------------------------ batched evaluation claims */

static zk_fp2 absorb_batch(zk_transcript *t, unsigned n, unsigned m, const zk_fp2 *points,
                           const zk_fp2 *values)
{
    zk_transcript_absorb_u64(t, "batch_eval/n", n);
    zk_transcript_absorb_u64(t, "batch_eval/m", m);
    zk_transcript_absorb_fp2(t, "batch_eval/points", points, (size_t)m * n);
    zk_transcript_absorb_fp2(t, "batch_eval/values", values, m);
    return zk_transcript_challenge_fp2(t, "batch_eval/rho");
}

static zk_fp2 batch_claim(unsigned m, const zk_fp2 *values, zk_fp2 rho)
{
    zk_fp2 s = zk_fp2_make(0, 0), pw = zk_fp2_make(1, 0);
    for (unsigned k = 0; k < m; k++) {
        s = zk_fp2_add(s, zk_fp2_mul(pw, values[k]));
        pw = zk_fp2_mul(pw, rho);
    }
    return s;
}

za_status zk_batch_eval_prove(zk_mle_ref v, unsigned n_vars, unsigned n_claims,
                              const zk_fp2 *points, const zk_fp2 *values, zk_transcript *t,
                              int threads, zk_sumcheck_proof *proof, zk_fp2 *point,
                              zk_fp2 *v_eval, za_error *err)
{
    memset(proof, 0, sizeof *proof);
    if (n_claims < 1 || n_claims > ZK_SUMCHECK_MAX_CLAIMS || n_vars > ZK_SUMCHECK_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG, "batch_eval: %u claims over %u variables", n_claims,
                            n_vars);
    zk_fp2 rho = absorb_batch(t, n_vars, n_claims, points, values);
    size_t N = (size_t)1 << n_vars;
    zk_fp2 *W = alloc_work(sizeof(zk_fp2) * N);
    if (!W)
        return za_error_set(err, ZA_ERR_NOMEM, "batch_eval: cannot allocate 2^%u elements",
                            n_vars);
    /* A claim whose high coordinates are all 0 or 1 (a claim on one vector
     * of a zk_multi_commit table, or on a sub-block) has eq(z_k, .) zero
     * outside one block: accumulate only there, so that many claims on
     * small vectors cost their vectors' sizes, not the whole table's. */
    memset(W, 0, sizeof(zk_fp2) * N);
    zk_fp2 pw = zk_fp2_make(1, 0);
    for (unsigned k = 0; k < n_claims; k++) {
        const zk_fp2 *z = points + (size_t)k * n_vars;
        unsigned low = n_vars;
        size_t block = 0;
        while (low > 0 && z[low - 1].c1 == 0 && z[low - 1].c0 <= 1) {
            block = (block << 1) | (size_t)z[low - 1].c0;
            low--;
        }
        zk_eq_table_accumulate(z, low, pw, W + (block << low), threads);
        pw = zk_fp2_mul(pw, rho);
    }
    zk_mle_ref tabs[2] = { v, zk_mle_ref_ext_inplace(W) };
    zk_sumcheck_term term = zk_sumcheck_term_make(zk_fp2_make(1, 0), 2, 0, 1, 0, 0);
    zk_sumcheck_instance inst = { n_vars, 2, tabs, 1, &term };
    zk_fp2 ev[2];
    za_status st = zk_sumcheck_prove(&inst, batch_claim(n_claims, values, rho), t, threads, proof,
                                     point, ev, err);
    free(W);
    if (st)
        return st;
    *v_eval = ev[0];
    return ZA_OK;
}

za_status zk_batch_eval_verify(unsigned n_vars, unsigned n_claims, const zk_fp2 *points,
                               const zk_fp2 *values, const zk_sumcheck_proof *proof,
                               zk_transcript *t, zk_fp2 *point, zk_fp2 *v_claim, za_error *err)
{
    if (n_claims < 1 || n_claims > ZK_SUMCHECK_MAX_CLAIMS || n_vars > ZK_SUMCHECK_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG, "batch_eval: %u claims over %u variables", n_claims,
                            n_vars);
    zk_fp2 rho = absorb_batch(t, n_vars, n_claims, points, values);
    zk_fp2 fin;
    za_status st = zk_sumcheck_verify(n_vars, 2, batch_claim(n_claims, values, rho), proof, t,
                                      point, &fin, err);
    if (st)
        return st;
    zk_fp2 wv = zk_fp2_make(0, 0), pw = zk_fp2_make(1, 0);
    for (unsigned k = 0; k < n_claims; k++) {
        wv = zk_fp2_add(wv, zk_fp2_mul(pw, zk_eq_eval(points + (size_t)k * n_vars, point, n_vars)));
        pw = zk_fp2_mul(pw, rho);
    }
    if (zk_fp2_is_zero(wv))
        return za_error_set(err, ZA_ERR_MISMATCH, "batch_eval: degenerate point, W(r) = 0");
    *v_claim = zk_fp2_mul(fin, zk_fp2_inv(wv));
    return ZA_OK;
}
