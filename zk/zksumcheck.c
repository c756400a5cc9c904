/* zk/zksumcheck.c - masked (zero-knowledge) sumcheck, its zero-check and
 * eq-sum variants, the simulator, and batched evaluation with kernel
 * claims (see zksumcheck.h). */
#include "zk/zksumcheck.h"

#include <stdlib.h>
#include <string.h>

#include "common/parallel.h"

#define MAXD ZK_SUMCHECK_MAX_DEGREE
#define MAXT (ZK_SUMCHECK_MAX_TABLES + 1) /* + the eq weight of the zero-check */
#define PAR_PAIRS ((size_t)1 << 14)      /* rounds with fewer pairs run on one thread */
#define MAX_CHUNKS 64

/* ------------------------------------------------------------ mask */

size_t zk_zksc_mask_len(unsigned n_vars, unsigned degree)
{
    return 1 + (size_t)n_vars * degree;
}

/* g_i(x) = sum_{l=1..d} c_{i,l} x^l (Horner) */
static zk_fp2 mask_uni(const zk_fp2 *c, unsigned d, zk_fp2 x)
{
    zk_fp2 acc = zk_fp2_make(0, 0);
    for (unsigned l = d; l >= 1; l--)
        acc = zk_fp2_mul(zk_fp2_add(acc, c[l - 1]), x);
    return acc;
}

/* g_i(1) */
static zk_fp2 mask_uni_one(const zk_fp2 *c, unsigned d)
{
    zk_fp2 s = zk_fp2_make(0, 0);
    for (unsigned l = 0; l < d; l++)
        s = zk_fp2_add(s, c[l]);
    return s;
}

static zk_fp pow2(unsigned e)
{
    return zk_fp_pow(2, e);
}

zk_fp2 zk_zksc_mask_sum(const zk_zksc_mask *m)
{
    const unsigned n = m->n_vars, d = m->degree;
    zk_fp2 s = zk_fp2_mul_fp(m->coeffs[0], pow2(n));
    if (n == 0)
        return s;
    zk_fp2 c = zk_fp2_make(0, 0);
    for (unsigned i = 0; i < n; i++)
        c = zk_fp2_add(c, mask_uni_one(m->coeffs + 1 + (size_t)i * d, d));
    return zk_fp2_add(s, zk_fp2_mul_fp(c, pow2(n - 1)));
}

zk_fp2 zk_zksc_mask_eval(const zk_zksc_mask *m, const zk_fp2 *point)
{
    zk_fp2 s = m->coeffs[0];
    for (unsigned i = 0; i < m->n_vars; i++)
        s = zk_fp2_add(s, mask_uni(m->coeffs + 1 + (size_t)i * m->degree, m->degree, point[i]));
    return s;
}

void zk_zksc_mask_kernel(unsigned n_vars, unsigned degree, const zk_fp2 *point, zk_fp2 *K)
{
    K[0] = zk_fp2_make(1, 0);
    for (unsigned i = 0; i < n_vars; i++) {
        zk_fp2 p = point[i];
        for (unsigned l = 1; l <= degree; l++) {
            K[1 + (size_t)i * degree + l - 1] = p;
            p = zk_fp2_mul(p, point[i]);
        }
    }
}

void zk_zksc_mask_sum_kernel(unsigned n_vars, unsigned degree, zk_fp2 *K)
{
    K[0] = zk_fp2_from_fp(pow2(n_vars));
    zk_fp2 h = n_vars ? zk_fp2_from_fp(pow2(n_vars - 1)) : zk_fp2_make(0, 0);
    for (size_t j = 1; j < zk_zksc_mask_len(n_vars, degree); j++)
        K[j] = h;
}

static za_status mask_check(const zk_zksc_mask *m, unsigned n, unsigned d, za_error *err)
{
    if (!m || !m->coeffs)
        return za_error_set(err, ZA_ERR_ARG, "zksumcheck: no mask");
    if (m->n_vars != n || m->degree != d)
        return za_error_set(err, ZA_ERR_ARG,
                            "zksumcheck: mask of %u variables and degree %u, the statement has "
                            "%u variables and degree %u",
                            m->n_vars, m->degree, n, d);
    return ZA_OK;
}

/* ------------------------------------------------------------ transcript
 * The rounds are those of zk_sumcheck_prove (zk/sumcheck.h states its
 * labels and encoding), so that zk_sumcheck_verify replays them. */

static void absorb_sc_start(zk_transcript *t, unsigned n, unsigned d, zk_fp2 claim)
{
    uint8_t buf[32];
    for (int i = 0; i < 8; i++) {
        buf[i] = (uint8_t)((uint64_t)n >> (8 * i));
        buf[8 + i] = (uint8_t)((uint64_t)d >> (8 * i));
    }
    zk_fp2_to_bytes(claim, buf + 16);
    zk_transcript_absorb(t, "sumcheck/start", buf, sizeof buf);
}

static zk_fp2 absorb_sc_round(zk_transcript *t, const zk_fp2 *msg, unsigned d)
{
    zk_transcript_absorb_fp2(t, "sumcheck/round", msg, d);
    return zk_transcript_challenge_fp2(t, "sumcheck/r");
}

/* g(0..d) from a message and the running claim; returns g(r) */
static zk_fp2 next_claim(const zk_fp2 *msg, unsigned d, zk_fp2 claim, zk_fp2 r)
{
    zk_fp2 full[MAXD + 1];
    full[0] = msg[0];
    full[1] = zk_fp2_sub(claim, msg[0]);
    for (unsigned x = 2; x <= d; x++)
        full[x] = msg[x - 1];
    return zk_sumcheck_interpolate(full, d, r);
}

static zk_fp2 absorb_mask_sum(zk_transcript *t, zk_fp2 G)
{
    zk_transcript_absorb_fp2(t, "zksumcheck/mask_sum", &G, 1);
    return zk_transcript_challenge_fp2(t, "zksumcheck/rho");
}

/* ------------------------------------------------------------ prover engine
 * A plain engine: round k pairs T[i], T[i + H] of every table, evaluates
 * each table's line at X = 0..d, and sums sum_t c_t prod_f T_f(i, X)
 * (times the weight table's line when there is one) over i.  Tables are
 * then folded by the round's challenge with zk_mle_fold_*. */

typedef struct {
    unsigned n, n_all, n_terms, d;
    int weighted; /* table n_all - 1 multiplies every term */
    int threads;
    zk_sumcheck_term terms[ZK_SUMCHECK_MAX_TERMS];
    const zk_fp *base[MAXT];  /* round 0: a base table, else NULL */
    const zk_fp2 *cur[MAXT];  /* the current extension table */
    zk_fp2 *dst[MAXT];        /* where folds go */
    int owned[MAXT];
    /* the round being computed */
    size_t H;
    unsigned nch;
    zk_fp2 acc[MAX_CHUNKS][MAXD + 1];
} zeng;

static void zeng_free(zeng *e)
{
    for (unsigned i = 0; i < e->n_all; i++)
        if (e->owned[i])
            free(e->dst[i]);
    memset(e, 0, sizeof *e);
}

/* weight: an owned table of 2^n extension elements (folded in place), or NULL */
static za_status zeng_init(zeng *e, const zk_sumcheck_instance *inst, zk_fp2 *weight, int threads,
                           za_error *err)
{
    memset(e, 0, sizeof *e);
    e->n = inst->n_vars;
    e->n_terms = inst->n_terms;
    e->d = zk_sumcheck_degree(inst->terms, inst->n_terms) + (weight ? 1 : 0);
    memcpy(e->terms, inst->terms, sizeof(zk_sumcheck_term) * inst->n_terms);
    if (threads <= 0)
        threads = za_default_threads();
    e->threads = threads < 1 ? 1 : threads > MAX_CHUNKS ? MAX_CHUNKS : threads;
    size_t half = e->n ? (size_t)1 << (e->n - 1) : 0;
    for (unsigned i = 0; i < inst->n_tables; i++) {
        const zk_mle_ref *m = &inst->tables[i];
        e->n_all = i + 1;
        e->base[i] = m->base;
        e->cur[i] = m->ext ? m->ext : m->ext_inplace;
        if (m->ext_inplace) {
            e->dst[i] = m->ext_inplace;
        } else if (e->n >= 1) {
            e->dst[i] = malloc(sizeof(zk_fp2) * half);
            if (!e->dst[i]) {
                zeng_free(e);
                return za_error_set(err, ZA_ERR_NOMEM,
                                    "zksumcheck: cannot allocate a working table of 2^%u elements",
                                    e->n - 1);
            }
            e->owned[i] = 1;
        }
    }
    if (weight) {
        unsigned w = e->n_all++;
        e->cur[w] = e->dst[w] = weight;
        e->owned[w] = 1;
        e->weighted = 1;
    }
    return ZA_OK;
}

/* the first round when every table is a base table: per-term sums in the
 * base field, the coefficients applied once per chunk */
static void zeng_chunk_base(zeng *e, size_t c)
{
    const unsigned d = e->d, nt = e->n_all;
    const size_t H = e->H;
    size_t i0 = H * c / e->nch, i1 = H * (c + 1) / e->nch;
    zk_fp acc[ZK_SUMCHECK_MAX_TERMS][MAXD + 1];
    memset(acc, 0, sizeof acc);
    for (size_t i = i0; i < i1; i++) {
        zk_fp v[MAXT][MAXD + 1];
        for (unsigned t = 0; t < nt; t++) {
            zk_fp lo = e->base[t][i], hi = e->base[t][i + H], df = zk_fp_sub(hi, lo);
            v[t][0] = lo;
            v[t][1] = hi;
            for (unsigned x = 2; x <= d; x++)
                v[t][x] = zk_fp_add(v[t][x - 1], df);
        }
        for (unsigned q = 0; q < e->n_terms; q++) {
            const zk_sumcheck_term *tm = &e->terms[q];
            for (unsigned x = 0; x <= d; x++) {
                if (x == 1)
                    continue;
                zk_fp p = v[tm->factors[0]][x];
                for (unsigned f = 1; f < tm->n_factors; f++)
                    p = zk_fp_mul_bf(p, v[tm->factors[f]][x]);
                acc[q][x] = zk_fp_add(acc[q][x], p);
            }
        }
    }
    for (unsigned x = 0; x <= d; x++) {
        zk_fp2 s = zk_fp2_make(0, 0);
        for (unsigned q = 0; q < e->n_terms; q++)
            s = zk_fp2_add(s, zk_fp2_mul_fp(e->terms[q].coeff, acc[q][x]));
        e->acc[c][x] = s;
    }
}

static void zeng_chunk(void *vctx, size_t c0, size_t c1)
{
    zeng *e = vctx;
    const unsigned d = e->d, nt = e->n_all;
    const size_t H = e->H;
    int all_base = 1;
    for (unsigned t = 0; t < nt; t++)
        all_base &= e->base[t] != NULL;
    for (size_t c = c0; c < c1; c++) {
        if (all_base) {
            zeng_chunk_base(e, c);
            continue;
        }
        size_t i0 = H * c / e->nch, i1 = H * (c + 1) / e->nch;
        zk_fp2 acc[MAXD + 1];
        for (unsigned x = 0; x <= d; x++)
            acc[x] = zk_fp2_make(0, 0);
        for (size_t i = i0; i < i1; i++) {
            zk_fp2 v[MAXT][MAXD + 1];
            for (unsigned t = 0; t < nt; t++) {
                zk_fp2 lo, hi;
                if (e->base[t]) {
                    lo = zk_fp2_from_fp(e->base[t][i]);
                    hi = zk_fp2_from_fp(e->base[t][i + H]);
                } else {
                    lo = e->cur[t][i];
                    hi = e->cur[t][i + H];
                }
                zk_fp2 df = zk_fp2_sub(hi, lo);
                v[t][0] = lo;
                v[t][1] = hi;
                for (unsigned x = 2; x <= d; x++)
                    v[t][x] = zk_fp2_add(v[t][x - 1], df);
            }
            for (unsigned x = 0; x <= d; x++) {
                if (x == 1)
                    continue; /* the verifier derives g(1) */
                zk_fp2 s = zk_fp2_make(0, 0);
                for (unsigned q = 0; q < e->n_terms; q++) {
                    const zk_sumcheck_term *tm = &e->terms[q];
                    zk_fp2 p = v[tm->factors[0]][x];
                    for (unsigned f = 1; f < tm->n_factors; f++)
                        p = zk_fp2_mul_lazy(p, v[tm->factors[f]][x]);
                    s = zk_fp2_add(s, zk_fp2_mul_lazy(tm->coeff, p));
                }
                if (e->weighted)
                    s = zk_fp2_mul_lazy(s, v[nt - 1][x]);
                acc[x] = zk_fp2_add(acc[x], s);
            }
        }
        memcpy(e->acc[c], acc, sizeof acc);
    }
}

/* round k's values of F at X = 0, 2..d into S[0..d] (S[1] unset) */
static void zeng_round(zeng *e, unsigned k, zk_fp2 *S)
{
    e->H = (size_t)1 << (e->n - 1 - k);
    e->nch = 1;
    if (e->H >= PAR_PAIRS && e->threads > 1)
        e->nch = (unsigned)e->threads;
    if (e->nch == 1)
        zeng_chunk(e, 0, 1);
    else
        za_parallel_for(e->nch, (int)e->nch, zeng_chunk, e);
    for (unsigned x = 0; x <= e->d; x++) {
        zk_fp2 s = zk_fp2_make(0, 0);
        for (unsigned c = 0; c < e->nch; c++)
            s = zk_fp2_add(s, e->acc[c][x]);
        S[x] = s;
    }
}

/* bind x_{n-1-k} = r: tables of 2^(n-k) entries become 2^(n-k-1) */
static void zeng_fold(zeng *e, unsigned k, zk_fp2 r)
{
    unsigned vars = e->n - k;
    for (unsigned t = 0; t < e->n_all; t++) {
        if (e->base[t])
            zk_mle_fold_base(e->base[t], vars, r, e->dst[t], e->threads);
        else
            zk_mle_fold_ext(e->cur[t], vars, r, e->dst[t], e->threads);
        e->base[t] = NULL;
        e->cur[t] = e->dst[t];
    }
}

static void zeng_evals(const zeng *e, zk_fp2 *evals)
{
    for (unsigned t = 0; t < e->n_all; t++)
        evals[t] = e->base[t] ? zk_fp2_from_fp(e->base[t][0]) : e->cur[t][0];
}

static za_status proof_alloc(zk_zksc_proof *p, unsigned n, unsigned d, za_error *err)
{
    memset(p, 0, sizeof *p);
    p->rounds.n_vars = n;
    p->rounds.degree = d;
    p->rounds.evals = malloc(sizeof(zk_fp2) * ((size_t)n * d + 1));
    if (!p->rounds.evals)
        return za_error_set(err, ZA_ERR_NOMEM, "zksumcheck: out of memory");
    return ZA_OK;
}

/* The masked sumcheck of the engine's F with claim H; evals_all gets every
 * engine table's value (weight last). */
static za_status masked_run(zeng *e, zk_fp2 claim, const zk_zksc_mask *mask, zk_transcript *t,
                            zk_zksc_proof *proof, zk_fp2 *point, zk_fp2 *evals_all,
                            za_error *err)
{
    const unsigned n = e->n, d = e->d;
    za_status st;
    if ((st = mask_check(mask, n, d, err)) || (st = proof_alloc(proof, n, d, err)))
        return st;
    const zk_fp2 *c = mask->coeffs;
    zk_fp2 G = zk_zksc_mask_sum(mask);
    proof->mask_sum = G;
    zk_fp2 rho = absorb_mask_sum(t, G);
    claim = zk_fp2_add(claim, zk_fp2_mul(rho, G));
    absorb_sc_start(t, n, d, claim);
    /* lower = sum_{j < i} g_j(1) for the variable i being bound; bound =
     * a_0 + sum_{j > i} g_j(r_j) */
    zk_fp2 lower = zk_fp2_make(0, 0), bound = c[0];
    for (unsigned j = 0; j < n; j++)
        lower = zk_fp2_add(lower, mask_uni_one(c + 1 + (size_t)j * d, d));
    for (unsigned k = 0; k < n; k++) {
        unsigned i = n - 1 - k;
        const zk_fp2 *ci = c + 1 + (size_t)i * d;
        lower = zk_fp2_sub(lower, mask_uni_one(ci, d));
        zk_fp2 S[MAXD + 1];
        zeng_round(e, k, S);
        zk_fp p2m = pow2(i);
        zk_fp2 rest = i ? zk_fp2_mul_fp(lower, pow2(i - 1)) : zk_fp2_make(0, 0);
        zk_fp2 *msg = proof->rounds.evals + (size_t)k * d;
        for (unsigned x = 0; x <= d; x++) {
            if (x == 1)
                continue;
            zk_fp2 gi = mask_uni(ci, d, zk_fp2_from_fp(x));
            zk_fp2 gk = zk_fp2_add(zk_fp2_mul_fp(zk_fp2_add(bound, gi), p2m), rest);
            msg[x ? x - 1 : 0] = zk_fp2_add(S[x], zk_fp2_mul(rho, gk));
        }
        zk_fp2 r = absorb_sc_round(t, msg, d);
        claim = next_claim(msg, d, claim, r);
        point[i] = r;
        bound = zk_fp2_add(bound, mask_uni(ci, d, r));
        zeng_fold(e, k, r);
    }
    proof->mask_eval = bound; /* g(r) */
    zk_transcript_absorb_fp2(t, "zksumcheck/mask_eval", &bound, 1);
    zeng_evals(e, evals_all);
    return ZA_OK;
}

za_status zk_zksc_prove(const zk_sumcheck_instance *inst, zk_fp2 claim, const zk_zksc_mask *mask,
                        zk_transcript *t, int threads, zk_zksc_proof *proof, zk_fp2 *point,
                        zk_fp2 *evals, za_error *err)
{
    memset(proof, 0, sizeof *proof);
    za_status st = zk_sumcheck_instance_check(inst, err);
    if (st)
        return st;
    zeng e;
    if ((st = zeng_init(&e, inst, NULL, threads, err)))
        return st;
    st = masked_run(&e, claim, mask, t, proof, point, evals, err);
    zeng_free(&e);
    return st;
}

za_status zk_zksc_verify(unsigned n_vars, unsigned degree, zk_fp2 claim,
                         const zk_zksc_proof *proof, zk_transcript *t, zk_fp2 *point,
                         zk_fp2 *f_claim, za_error *err)
{
    if (degree < 1 || degree > ZK_SUMCHECK_MAX_DEGREE || n_vars > ZK_SUMCHECK_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG,
                            "zksumcheck: unsupported statement (%u variables, degree %u)", n_vars,
                            degree);
    if (!proof)
        return za_error_set(err, ZA_ERR_MALFORMED, "zksumcheck: no proof");
    zk_fp2 rho = absorb_mask_sum(t, proof->mask_sum);
    claim = zk_fp2_add(claim, zk_fp2_mul(rho, proof->mask_sum));
    zk_fp2 fin;
    za_status st = zk_sumcheck_verify(n_vars, degree, claim, &proof->rounds, t, point, &fin, err);
    if (st)
        return st;
    zk_transcript_absorb_fp2(t, "zksumcheck/mask_eval", &proof->mask_eval, 1);
    *f_claim = zk_fp2_sub(fin, zk_fp2_mul(rho, proof->mask_eval));
    return ZA_OK;
}

/* ------------------------------------------------------------ zero-check, eq-sum */

static void absorb_zerocheck(zk_transcript *t, unsigned n, unsigned dc, zk_fp2 *tau)
{
    uint8_t buf[16];
    for (int i = 0; i < 8; i++) {
        buf[i] = (uint8_t)((uint64_t)n >> (8 * i));
        buf[8 + i] = (uint8_t)((uint64_t)dc >> (8 * i));
    }
    zk_transcript_absorb(t, "zkzerocheck/start", buf, sizeof buf);
    zk_transcript_challenge_fp2_vec(t, "zkzerocheck/tau", tau, n);
}

static za_status eqsum_prove(const zk_sumcheck_instance *inst, const zk_fp2 *tau, zk_fp2 claim,
                             const zk_zksc_mask *mask, zk_transcript *t, int threads,
                             zk_zksc_proof *proof, zk_fp2 *point, zk_fp2 *evals, za_error *err)
{
    const unsigned n = inst->n_vars;
    zk_fp2 *W = malloc(sizeof(zk_fp2) << n);
    if (!W)
        return za_error_set(err, ZA_ERR_NOMEM, "zkzerocheck: cannot allocate 2^%u elements", n);
    zk_eq_table_mt(tau, n, W, threads);
    zeng e;
    za_status st = zeng_init(&e, inst, W, threads, err); /* owns W from here */
    if (st) {
        free(W);
        return st;
    }
    zk_fp2 ev[MAXT];
    st = masked_run(&e, claim, mask, t, proof, point, ev, err);
    zeng_free(&e);
    if (!st)
        memcpy(evals, ev, sizeof(zk_fp2) * inst->n_tables);
    return st;
}

static za_status eqsum_finish(unsigned n, const zk_fp2 *tau, const zk_fp2 *point, zk_fp2 f_claim,
                              zk_fp2 *c_claim, za_error *err)
{
    zk_fp2 eqv = zk_eq_eval(tau, point, n);
    if (zk_fp2_is_zero(eqv))
        return za_error_set(err, ZA_ERR_MISMATCH, "zkzerocheck: degenerate point, eq(tau, r) = 0");
    *c_claim = zk_fp2_mul(f_claim, zk_fp2_inv(eqv));
    return ZA_OK;
}

za_status zk_zksc_zerocheck_prove(const zk_sumcheck_instance *inst, const zk_zksc_mask *mask,
                                  zk_transcript *t, int threads, zk_zksc_proof *proof,
                                  zk_fp2 *point, zk_fp2 *evals, za_error *err)
{
    memset(proof, 0, sizeof *proof);
    za_status st = zk_sumcheck_instance_check(inst, err);
    if (st)
        return st;
    zk_fp2 tau[ZK_SUMCHECK_MAX_VARS];
    absorb_zerocheck(t, inst->n_vars, zk_sumcheck_degree(inst->terms, inst->n_terms), tau);
    return eqsum_prove(inst, tau, zk_fp2_make(0, 0), mask, t, threads, proof, point, evals, err);
}

za_status zk_zksc_zerocheck_verify(unsigned n_vars, unsigned degree_c,
                                   const zk_zksc_proof *proof, zk_transcript *t, zk_fp2 *point,
                                   zk_fp2 *c_claim, za_error *err)
{
    if (degree_c < 1 || degree_c > ZK_SUMCHECK_MAX_FACTORS || n_vars > ZK_SUMCHECK_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG,
                            "zkzerocheck: unsupported statement (%u variables, degree %u)",
                            n_vars, degree_c);
    zk_fp2 tau[ZK_SUMCHECK_MAX_VARS], f_claim;
    absorb_zerocheck(t, n_vars, degree_c, tau);
    za_status st =
        zk_zksc_verify(n_vars, degree_c + 1, zk_fp2_make(0, 0), proof, t, point, &f_claim, err);
    if (st)
        return st;
    return eqsum_finish(n_vars, tau, point, f_claim, c_claim, err);
}

za_status zk_zksc_eqsum_prove(const zk_sumcheck_instance *inst, const zk_fp2 *tau, zk_fp2 claim,
                              const zk_zksc_mask *mask, zk_transcript *t, int threads,
                              zk_zksc_proof *proof, zk_fp2 *point, zk_fp2 *evals,
                              za_error *err)
{
    memset(proof, 0, sizeof *proof);
    za_status st = zk_sumcheck_instance_check(inst, err);
    if (st)
        return st;
    return eqsum_prove(inst, tau, claim, mask, t, threads, proof, point, evals, err);
}

za_status zk_zksc_eqsum_verify(unsigned n_vars, unsigned degree_c, const zk_fp2 *tau,
                               zk_fp2 claim, const zk_zksc_proof *proof, zk_transcript *t,
                               zk_fp2 *point, zk_fp2 *c_claim, za_error *err)
{
    if (degree_c < 1 || degree_c > ZK_SUMCHECK_MAX_FACTORS || n_vars > ZK_SUMCHECK_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG,
                            "zkeqsum: unsupported statement (%u variables, degree %u)", n_vars,
                            degree_c);
    zk_fp2 f_claim;
    za_status st = zk_zksc_verify(n_vars, degree_c + 1, claim, proof, t, point, &f_claim, err);
    if (st)
        return st;
    return eqsum_finish(n_vars, tau, point, f_claim, c_claim, err);
}

/* ------------------------------------------------------------ encoding */

void zk_zksc_proof_free(zk_zksc_proof *p)
{
    if (!p)
        return;
    zk_sumcheck_proof_free(&p->rounds);
}

size_t zk_zksc_proof_bytes(const zk_zksc_proof *p)
{
    return 32 + zk_sumcheck_proof_bytes(&p->rounds);
}

void zk_zksc_proof_write(zk_writer *w, const zk_zksc_proof *p)
{
    zk_write_fp2(w, p->mask_sum);
    zk_sumcheck_proof_write(w, &p->rounds);
    zk_write_fp2(w, p->mask_eval);
}

za_status zk_zksc_proof_read(zk_reader *r, unsigned n_vars, unsigned degree, zk_zksc_proof *p)
{
    memset(p, 0, sizeof *p);
    za_status st = zk_read_fp2(r, "zksumcheck mask sum", &p->mask_sum);
    if (st)
        return st;
    if ((st = zk_sumcheck_proof_read(r, n_vars, degree, &p->rounds)))
        return st;
    if ((st = zk_read_fp2(r, "zksumcheck mask evaluation", &p->mask_eval))) {
        zk_zksc_proof_free(p);
        return st;
    }
    return ZA_OK;
}

/* ------------------------------------------------------------ simulator */

static za_status simulate(unsigned n_vars, unsigned degree, zk_fp2 claim, const zk_fp2 *tau,
                          const zk_sumcheck_term *terms, unsigned n_terms, unsigned n_tables,
                          zk_zksc_rand_fn rnd, void *rnd_ctx, zk_zksc_leak_fn leak,
                          void *leak_ctx, zk_transcript *t, zk_zksc_proof *proof, zk_fp2 *point,
                          zk_fp2 *evals, za_error *err)
{
    za_status st = proof_alloc(proof, n_vars, degree, err);
    if (st)
        return st;
    proof->mask_sum = rnd(rnd_ctx);
    zk_fp2 rho = absorb_mask_sum(t, proof->mask_sum);
    if (zk_fp2_is_zero(rho)) {
        zk_zksc_proof_free(proof);
        return za_error_set(err, ZA_ERR_MISMATCH, "zksumcheck simulator: rho = 0");
    }
    claim = zk_fp2_add(claim, zk_fp2_mul(rho, proof->mask_sum));
    absorb_sc_start(t, n_vars, degree, claim);
    for (unsigned k = 0; k < n_vars; k++) {
        zk_fp2 *msg = proof->rounds.evals + (size_t)k * degree;
        for (unsigned j = 0; j < degree; j++)
            msg[j] = rnd(rnd_ctx);
        zk_fp2 r = absorb_sc_round(t, msg, degree);
        claim = next_claim(msg, degree, claim, r);
        point[n_vars - 1 - k] = r;
    }
    if (leak)
        leak(leak_ctx, point, evals);
    else
        for (unsigned i = 0; i < n_tables; i++)
            evals[i] = rnd(rnd_ctx);
    zk_fp2 fv = zk_sumcheck_combine(terms, n_terms, evals);
    if (tau)
        fv = zk_fp2_mul(fv, zk_eq_eval(tau, point, n_vars));
    proof->mask_eval = zk_fp2_mul(zk_fp2_sub(claim, fv), zk_fp2_inv(rho));
    zk_transcript_absorb_fp2(t, "zksumcheck/mask_eval", &proof->mask_eval, 1);
    return ZA_OK;
}

static za_status sim_check(unsigned n_vars, unsigned degree, const zk_sumcheck_term *terms,
                           unsigned n_terms, unsigned n_tables, zk_zksc_rand_fn rnd, za_error *err)
{
    if (degree < 1 || degree > ZK_SUMCHECK_MAX_DEGREE || n_vars > ZK_SUMCHECK_MAX_VARS ||
        n_tables < 1 || n_tables > ZK_SUMCHECK_MAX_TABLES || n_terms < 1 ||
        n_terms > ZK_SUMCHECK_MAX_TERMS || !terms || !rnd)
        return za_error_set(err, ZA_ERR_ARG, "zksumcheck simulator: unsupported statement");
    for (unsigned q = 0; q < n_terms; q++) {
        if (terms[q].n_factors < 1 || terms[q].n_factors > ZK_SUMCHECK_MAX_FACTORS)
            return za_error_set(err, ZA_ERR_ARG, "zksumcheck simulator: term %u", q);
        for (unsigned f = 0; f < terms[q].n_factors; f++)
            if (terms[q].factors[f] >= n_tables)
                return za_error_set(err, ZA_ERR_ARG, "zksumcheck simulator: term %u", q);
    }
    return ZA_OK;
}

za_status zk_zksc_simulate(unsigned n_vars, unsigned degree, zk_fp2 claim,
                           const zk_sumcheck_term *terms, unsigned n_terms, unsigned n_tables,
                           zk_zksc_rand_fn rnd, void *rnd_ctx, zk_zksc_leak_fn leak,
                           void *leak_ctx, zk_transcript *t, zk_zksc_proof *proof, zk_fp2 *point,
                           zk_fp2 *evals, za_error *err)
{
    memset(proof, 0, sizeof *proof);
    za_status st = sim_check(n_vars, degree, terms, n_terms, n_tables, rnd, err);
    if (st)
        return st;
    return simulate(n_vars, degree, claim, NULL, terms, n_terms, n_tables, rnd, rnd_ctx, leak,
                    leak_ctx, t, proof, point, evals, err);
}

za_status zk_zksc_simulate_zerocheck(unsigned n_vars, const zk_sumcheck_term *terms,
                                     unsigned n_terms, unsigned n_tables, zk_zksc_rand_fn rnd,
                                     void *rnd_ctx, zk_zksc_leak_fn leak, void *leak_ctx,
                                     zk_transcript *t, zk_zksc_proof *proof, zk_fp2 *point,
                                     zk_fp2 *evals, za_error *err)
{
    memset(proof, 0, sizeof *proof);
    unsigned dc = terms ? zk_sumcheck_degree(terms, n_terms) : 0;
    za_status st = sim_check(n_vars, dc + 1, terms, n_terms, n_tables, rnd, err);
    if (st)
        return st;
    zk_fp2 tau[ZK_SUMCHECK_MAX_VARS];
    absorb_zerocheck(t, n_vars, dc, tau);
    return simulate(n_vars, dc + 1, zk_fp2_make(0, 0), tau, terms, n_terms, n_tables, rnd,
                    rnd_ctx, leak, leak_ctx, t, proof, point, evals, err);
}

/* ------------------------------------------------------------ kernel claims */

za_status zk_kernel_claims_check(unsigned n_vars, unsigned n_claims, unsigned n_kclaims,
                                 const zk_kernel_claim *kclaims, za_error *err)
{
    if (n_vars > ZK_SUMCHECK_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG, "batch_eval_k: %u variables (at most %u)", n_vars,
                            ZK_SUMCHECK_MAX_VARS);
    if (n_claims > ZK_SUMCHECK_MAX_CLAIMS || n_kclaims > ZK_KERNEL_MAX_CLAIMS ||
        n_claims + n_kclaims == 0)
        return za_error_set(err, ZA_ERR_ARG,
                            "batch_eval_k: %u point claims (at most %u) and %u kernel claims "
                            "(at most %u), at least one in all",
                            n_claims, ZK_SUMCHECK_MAX_CLAIMS, n_kclaims, ZK_KERNEL_MAX_CLAIMS);
    if (n_kclaims && !kclaims)
        return za_error_set(err, ZA_ERR_ARG, "batch_eval_k: no kernel claims");
    uint64_t N = (uint64_t)1 << n_vars;
    size_t total = 0;
    for (unsigned l = 0; l < n_kclaims; l++) {
        const zk_kernel_claim *c = &kclaims[l];
        if (!c->kernel || c->len < 1 || c->len > ZK_KERNEL_MAX_LEN)
            return za_error_set(err, ZA_ERR_ARG,
                                "batch_eval_k: kernel claim %u has %zu entries (1 to %zu)", l,
                                c->len, ZK_KERNEL_MAX_LEN);
        if (c->off > N || c->len > N - c->off)
            return za_error_set(err, ZA_ERR_ARG,
                                "batch_eval_k: kernel claim %u window [%llu, +%zu) outside the "
                                "table of 2^%u entries",
                                l, (unsigned long long)c->off, c->len, n_vars);
        total += c->len;
        if (total > ZK_KERNEL_MAX_TOTAL)
            return za_error_set(err, ZA_ERR_ARG,
                                "batch_eval_k: more than %zu kernel entries in one batch",
                                ZK_KERNEL_MAX_TOTAL);
    }
    return ZA_OK;
}

/* prod_{q = s..n-1} eq1(point[q], bit q-s of b) */
static zk_fp2 eq_high(const zk_fp2 *point, unsigned s, unsigned n, uint64_t b)
{
    zk_fp2 acc = zk_fp2_make(1, 0), one = zk_fp2_make(1, 0);
    for (unsigned q = s; q < n; q++)
        acc = zk_fp2_mul(acc, ((b >> (q - s)) & 1) ? point[q] : zk_fp2_sub(one, point[q]));
    return acc;
}

zk_fp2 zk_kernel_claim_mle(const zk_kernel_claim *c, unsigned n_vars, const zk_fp2 *point)
{
    /* 2^s >= len: the window meets at most two aligned blocks of 2^s */
    unsigned s = zk_mle_log2_ceil(c->len);
    size_t S = (size_t)1 << s;
    zk_fp2 *E = malloc(sizeof(zk_fp2) * S);
    if (!E)
        abort(); /* at most 2^16 elements */
    zk_eq_table(point, s, E);
    size_t lo = (size_t)(c->off & (S - 1));
    size_t first = S - lo < c->len ? S - lo : c->len;
    zk_fp2 s0 = zk_fp2_make(0, 0), s1 = zk_fp2_make(0, 0);
    for (size_t j = 0; j < first; j++)
        s0 = zk_fp2_add(s0, zk_fp2_mul(c->kernel[j], E[lo + j]));
    for (size_t j = first; j < c->len; j++)
        s1 = zk_fp2_add(s1, zk_fp2_mul(c->kernel[j], E[j - first]));
    free(E);
    uint64_t b = c->off >> s;
    zk_fp2 v = zk_fp2_mul(s0, eq_high(point, s, n_vars, b));
    if (first < c->len)
        v = zk_fp2_add(v, zk_fp2_mul(s1, eq_high(point, s, n_vars, b + 1)));
    return v;
}

static zk_fp2 absorb_kbatch(zk_transcript *t, unsigned n, unsigned m, const zk_fp2 *points,
                            const zk_fp2 *values, unsigned nk, const zk_kernel_claim *kc)
{
    zk_transcript_absorb_u64(t, "batch_eval_k/n", n);
    zk_transcript_absorb_u64(t, "batch_eval_k/m", m);
    if (m) {
        zk_transcript_absorb_fp2(t, "batch_eval_k/points", points, (size_t)m * n);
        zk_transcript_absorb_fp2(t, "batch_eval_k/values", values, m);
    }
    zk_transcript_absorb_u64(t, "batch_eval_k/kernels", nk);
    for (unsigned l = 0; l < nk; l++) {
        zk_transcript_absorb_u64(t, "batch_eval_k/off", kc[l].off);
        zk_transcript_absorb_u64(t, "batch_eval_k/len", kc[l].len);
        zk_transcript_absorb_fp2(t, "batch_eval_k/kernel", kc[l].kernel, kc[l].len);
        zk_transcript_absorb_fp2(t, "batch_eval_k/value", &kc[l].value, 1);
    }
    return zk_transcript_challenge_fp2(t, "batch_eval_k/rho");
}

static zk_fp2 kbatch_claim(unsigned m, const zk_fp2 *values, unsigned nk,
                           const zk_kernel_claim *kc, zk_fp2 rho)
{
    zk_fp2 s = zk_fp2_make(0, 0), pw = zk_fp2_make(1, 0);
    for (unsigned k = 0; k < m + nk; k++) {
        s = zk_fp2_add(s, zk_fp2_mul(pw, k < m ? values[k] : kc[k - m].value));
        pw = zk_fp2_mul(pw, rho);
    }
    return s;
}

/* W (2^n, new allocation) for the prover */
static zk_fp2 *kbatch_weights(unsigned n, unsigned m, const zk_fp2 *points, unsigned nk,
                              const zk_kernel_claim *kc, zk_fp2 rho, int threads)
{
    size_t N = (size_t)1 << n;
    zk_fp2 *W = calloc(N, sizeof(zk_fp2));
    if (!W)
        return NULL;
    zk_fp2 pw = zk_fp2_make(1, 0);
    for (unsigned k = 0; k < m; k++) {
        /* as zk_batch_eval: a claim whose high coordinates are bits touches one block */
        const zk_fp2 *z = points + (size_t)k * n;
        unsigned low = n;
        size_t block = 0;
        while (low > 0 && z[low - 1].c1 == 0 && z[low - 1].c0 <= 1) {
            block = (block << 1) | (size_t)z[low - 1].c0;
            low--;
        }
        zk_eq_table_accumulate(z, low, pw, W + (block << low), threads);
        pw = zk_fp2_mul(pw, rho);
    }
    for (unsigned l = 0; l < nk; l++) {
        zk_fp2 *dst = W + kc[l].off;
        for (size_t j = 0; j < kc[l].len; j++)
            dst[j] = zk_fp2_add(dst[j], zk_fp2_mul(pw, kc[l].kernel[j]));
        pw = zk_fp2_mul(pw, rho);
    }
    return W;
}

/* W(point) for the verifier */
static zk_fp2 kbatch_weight_at(unsigned n, unsigned m, const zk_fp2 *points, unsigned nk,
                               const zk_kernel_claim *kc, zk_fp2 rho, const zk_fp2 *point)
{
    zk_fp2 wv = zk_fp2_make(0, 0), pw = zk_fp2_make(1, 0);
    for (unsigned k = 0; k < m + nk; k++) {
        zk_fp2 e = k < m ? zk_eq_eval(points + (size_t)k * n, point, n)
                         : zk_kernel_claim_mle(&kc[k - m], n, point);
        wv = zk_fp2_add(wv, zk_fp2_mul(pw, e));
        pw = zk_fp2_mul(pw, rho);
    }
    return wv;
}

static za_status kbatch_prove(zk_mle_ref v, unsigned n, unsigned m, const zk_fp2 *points,
                              const zk_fp2 *values, unsigned nk, const zk_kernel_claim *kc,
                              const zk_zksc_mask *mask, zk_transcript *t, int threads,
                              zk_sumcheck_proof *proof, zk_zksc_proof *zproof, zk_fp2 *point,
                              zk_fp2 *v_eval, za_error *err)
{
    za_status st = zk_kernel_claims_check(n, m, nk, kc, err);
    if (st)
        return st;
    zk_fp2 rho = absorb_kbatch(t, n, m, points, values, nk, kc);
    zk_fp2 *W = kbatch_weights(n, m, points, nk, kc, rho, threads);
    if (!W)
        return za_error_set(err, ZA_ERR_NOMEM, "batch_eval_k: cannot allocate 2^%u elements", n);
    zk_mle_ref tabs[2] = { v, zk_mle_ref_ext_inplace(W) };
    zk_sumcheck_term term = zk_sumcheck_term_make(zk_fp2_make(1, 0), 2, 0, 1, 0, 0);
    zk_sumcheck_instance inst = { n, 2, tabs, 1, &term };
    zk_fp2 claim = kbatch_claim(m, values, nk, kc, rho), ev[2];
    if (zproof)
        st = zk_zksc_prove(&inst, claim, mask, t, threads, zproof, point, ev, err);
    else
        st = zk_sumcheck_prove(&inst, claim, t, threads, proof, point, ev, err);
    free(W);
    if (st)
        return st;
    *v_eval = ev[0];
    return ZA_OK;
}

static za_status kbatch_verify(unsigned n, unsigned m, const zk_fp2 *points,
                               const zk_fp2 *values, unsigned nk, const zk_kernel_claim *kc,
                               const zk_sumcheck_proof *proof, const zk_zksc_proof *zproof,
                               zk_transcript *t, zk_fp2 *point, zk_fp2 *v_claim, za_error *err)
{
    za_status st = zk_kernel_claims_check(n, m, nk, kc, err);
    if (st)
        return st;
    zk_fp2 rho = absorb_kbatch(t, n, m, points, values, nk, kc);
    zk_fp2 claim = kbatch_claim(m, values, nk, kc, rho), fin;
    if (zproof)
        st = zk_zksc_verify(n, 2, claim, zproof, t, point, &fin, err);
    else
        st = zk_sumcheck_verify(n, 2, claim, proof, t, point, &fin, err);
    if (st)
        return st;
    zk_fp2 wv = kbatch_weight_at(n, m, points, nk, kc, rho, point);
    if (zk_fp2_is_zero(wv))
        return za_error_set(err, ZA_ERR_MISMATCH, "batch_eval_k: degenerate point, W(r) = 0");
    *v_claim = zk_fp2_mul(fin, zk_fp2_inv(wv));
    return ZA_OK;
}

za_status zk_batch_eval_kernel_prove(zk_mle_ref v, unsigned n_vars, unsigned n_claims,
                                     const zk_fp2 *points, const zk_fp2 *values,
                                     unsigned n_kclaims, const zk_kernel_claim *kclaims,
                                     zk_transcript *t, int threads, zk_sumcheck_proof *proof,
                                     zk_fp2 *point, zk_fp2 *v_eval, za_error *err)
{
    memset(proof, 0, sizeof *proof);
    return kbatch_prove(v, n_vars, n_claims, points, values, n_kclaims, kclaims, NULL, t, threads,
                        proof, NULL, point, v_eval, err);
}

za_status zk_batch_eval_kernel_verify(unsigned n_vars, unsigned n_claims, const zk_fp2 *points,
                                      const zk_fp2 *values, unsigned n_kclaims,
                                      const zk_kernel_claim *kclaims,
                                      const zk_sumcheck_proof *proof, zk_transcript *t,
                                      zk_fp2 *point, zk_fp2 *v_claim, za_error *err)
{
    return kbatch_verify(n_vars, n_claims, points, values, n_kclaims, kclaims, proof, NULL, t,
                         point, v_claim, err);
}

za_status zk_batch_eval_kernel_zk_prove(zk_mle_ref v, unsigned n_vars, unsigned n_claims,
                                        const zk_fp2 *points, const zk_fp2 *values,
                                        unsigned n_kclaims, const zk_kernel_claim *kclaims,
                                        const zk_zksc_mask *mask, zk_transcript *t, int threads,
                                        zk_zksc_proof *proof, zk_fp2 *point, zk_fp2 *v_eval,
                                        za_error *err)
{
    memset(proof, 0, sizeof *proof);
    za_status st = mask_check(mask, n_vars, 2, err);
    if (st)
        return st;
    return kbatch_prove(v, n_vars, n_claims, points, values, n_kclaims, kclaims, mask, t, threads,
                        NULL, proof, point, v_eval, err);
}

za_status zk_batch_eval_kernel_zk_verify(unsigned n_vars, unsigned n_claims,
                                         const zk_fp2 *points, const zk_fp2 *values,
                                         unsigned n_kclaims, const zk_kernel_claim *kclaims,
                                         const zk_zksc_proof *proof, zk_transcript *t,
                                         zk_fp2 *point, zk_fp2 *v_claim, za_error *err)
{
    if (!proof)
        return za_error_set(err, ZA_ERR_MALFORMED, "batch_eval_k: no proof");
    return kbatch_verify(n_vars, n_claims, points, values, n_kclaims, kclaims, NULL, proof, t,
                         point, v_claim, err);
}
