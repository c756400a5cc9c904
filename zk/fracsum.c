/* zk/fracsum.c - GKR for a sum of fractions (see fracsum.h). */
#include "zk/fracsum.h"

#include <stdlib.h>
#include <string.h>

#include "common/parallel.h"
#include "zk/mle.h"
#include "zk/sumcheck.h"

static const zk_fp2 ONE = { 1, 0 };

typedef struct {
    const zk_fp2 *p1, *q1;
    size_t half;
    zk_fp2 *p, *q;
} combine_ctx;

static void combine_range(void *vc, size_t b, size_t e)
{
    const combine_ctx *c = vc;
    const zk_fp2 *p1 = c->p1, *q1 = c->q1;
    size_t half = c->half;
    for (size_t x = b; x < e; x++) {
        zk_fp2 a0 = p1 ? p1[x] : ONE, a1 = p1 ? p1[x + half] : ONE;
        zk_fp2 b0 = q1[x], b1 = q1[x + half];
        c->p[x] = zk_fp2_add(zk_fp2_mul(a0, b1), zk_fp2_mul(a1, b0));
        c->q[x] = zk_fp2_mul(b0, b1);
    }
}

/* Layer k (2^k nodes) from layer k+1 (p may be NULL: all ones). */
static void combine(const zk_fp2 *p1, const zk_fp2 *q1, size_t half, zk_fp2 *p, zk_fp2 *q,
                    int threads)
{
    combine_ctx c = { p1, q1, half, p, q };
    if (half >= ((size_t)1 << 12) && threads != 1)
        za_parallel_for(half, threads, combine_range, &c);
    else
        combine_range(&c, 0, half);
}

static void absorb_layer_values(zk_transcript *t, const zk_fp2 v[4])
{
    zk_transcript_absorb_fp2(t, "fracsum/children", v, 4);
}

static zk_fp2 line(zk_fp2 a, zk_fp2 b, zk_fp2 mu)
{
    return zk_fp2_add(a, zk_fp2_mul(mu, zk_fp2_sub(b, a)));
}

za_status zk_fracsum_prove(zk_fp2 *p, zk_fp2 *q, unsigned n, zk_transcript *t,
                           int threads, zk_writer *w, zk_fp2 *P, zk_fp2 *Q, zk_fp2 *point,
                           zk_fp2 *p_eval, zk_fp2 *q_eval, za_error *err)
{
    if (n < 1 || n > ZK_FRACSUM_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG, "fracsum: 2^%u leaves", n);
    /* layers[k] for k < n: 2^k nodes each (p and q); layer n = the leaves */
    zk_fp2 *lp[ZK_FRACSUM_MAX_VARS + 1] = { 0 }, *lq[ZK_FRACSUM_MAX_VARS + 1] = { 0 };
    za_status st = ZA_OK;
    for (unsigned k = 0; k < n && !st; k++) {
        lp[k] = malloc(sizeof(zk_fp2) << k);
        lq[k] = malloc(sizeof(zk_fp2) << k);
        if (!lp[k] || !lq[k])
            st = za_error_set(err, ZA_ERR_NOMEM, "fracsum: out of memory");
    }
    if (st)
        goto out;
    lp[n] = p;
    lq[n] = q;
    for (int k = (int)n - 1; k >= 0; k--)
        combine(lp[k + 1], lq[k + 1], (size_t)1 << k, lp[k], lq[k], threads);
    *P = lp[0][0], *Q = lq[0][0];
    zk_write_fp2(w, *P);
    zk_write_fp2(w, *Q);
    zk_transcript_absorb_u64(t, "fracsum/n", n);
    zk_fp2 root[2] = { *P, *Q };
    zk_transcript_absorb_fp2(t, "fracsum/root", root, 2);

    zk_fp2 r[ZK_FRACSUM_MAX_VARS], pc = *P, qc = *Q;
    for (unsigned k = 0; k < n && !st; k++) {
        /* layer k (claims pc, qc at r[0..k)) -> layer k+1 */
        size_t half = (size_t)1 << k;
        zk_fp2 *cp = lp[k + 1], *cq = lq[k + 1]; /* folded in place below */
        zk_fp2 v[4], s[ZK_FRACSUM_MAX_VARS];
        if (k == 0) {
            v[0] = cp ? cp[0] : ONE, v[1] = cp ? cp[1] : ONE, v[2] = cq[0], v[3] = cq[1];
        } else {
            zk_fp2 lambda = zk_transcript_challenge_fp2(t, "fracsum/lambda");
            /* sum_x eq(r, x) (p0 q1 + p1 q0 + lambda q0 q1), eq never built */
            zk_mle_ref tabs[4] = { zk_mle_ref_ext_inplace(cq), zk_mle_ref_ext_inplace(cq + half),
                                   zk_mle_ref_ext_inplace(cp), zk_mle_ref_ext_inplace(cp ? cp + half : NULL) };
            zk_sumcheck_term terms[3];
            if (cp) {
                terms[0] = zk_sumcheck_term_make(ONE, 2, 2, 1, 0, 0);  /* p0 q1 */
                terms[1] = zk_sumcheck_term_make(ONE, 2, 3, 0, 0, 0);  /* p1 q0 */
            } else {
                terms[0] = zk_sumcheck_term_make(ONE, 1, 1, 0, 0, 0);  /* q1 */
                terms[1] = zk_sumcheck_term_make(ONE, 1, 0, 0, 0, 0);  /* q0 */
            }
            terms[2] = zk_sumcheck_term_make(lambda, 2, 0, 1, 0, 0);
            zk_sumcheck_instance inst = { k, cp ? 4 : 2, tabs, 3, terms };
            zk_sumcheck_proof sp = { 0 };
            zk_fp2 ev[4];
            st = zk_eqsum_prove(&inst, r, zk_fp2_add(pc, zk_fp2_mul(lambda, qc)), t, threads, &sp,
                                s, ev, err);
            if (!st)
                zk_sumcheck_proof_write(w, &sp);
            zk_sumcheck_proof_free(&sp);
            if (st)
                break;
            v[2] = ev[0], v[3] = ev[1];
            v[0] = cp ? ev[2] : ONE, v[1] = cp ? ev[3] : ONE;
        }
        zk_write_fp2_array(w, v, 4);
        absorb_layer_values(t, v);
        zk_fp2 mu = zk_transcript_challenge_fp2(t, "fracsum/mu");
        for (unsigned j = 0; j < k; j++)
            r[j] = s[j];
        r[k] = mu;
        pc = line(v[0], v[1], mu);
        qc = line(v[2], v[3], mu);
    }
    if (!st) {
        memcpy(point, r, sizeof(zk_fp2) * n);
        *p_eval = pc;
        *q_eval = qc;
    }
out:
    for (unsigned k = 0; k < n; k++)
        free(lp[k]), free(lq[k]);
    return st;
}

za_status zk_fracsum_verify(unsigned n, zk_transcript *t, zk_reader *rd, zk_fp2 *P, zk_fp2 *Q,
                            zk_fp2 *point, zk_fp2 *p_claim, zk_fp2 *q_claim, za_error *err)
{
    if (n < 1 || n > ZK_FRACSUM_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG, "fracsum: 2^%u leaves", n);
    if (zk_read_fp2(rd, "fraction sum numerator", P) || zk_read_fp2(rd, "denominator", Q))
        return zk_reader_status(rd);
    zk_transcript_absorb_u64(t, "fracsum/n", n);
    zk_fp2 root[2] = { *P, *Q };
    zk_transcript_absorb_fp2(t, "fracsum/root", root, 2);
    zk_fp2 r[ZK_FRACSUM_MAX_VARS], pc = *P, qc = *Q;
    for (unsigned k = 0; k < n; k++) {
        zk_fp2 v[4], s[ZK_FRACSUM_MAX_VARS], lambda = { 0, 0 }, fin = { 0, 0 };
        if (k > 0) {
            lambda = zk_transcript_challenge_fp2(t, "fracsum/lambda");
            zk_sumcheck_proof sp = { 0 };
            za_status st = zk_sumcheck_proof_read(rd, k, 3, &sp);
            if (st)
                return zk_reader_status(rd);
            st = zk_eqsum_verify(k, 2, r, zk_fp2_add(pc, zk_fp2_mul(lambda, qc)), &sp, t, s,
                                 &fin, err);
            zk_sumcheck_proof_free(&sp);
            if (st)
                return st;
        }
        if (zk_read_fp2_array(rd, "children", v, 4))
            return zk_reader_status(rd);
        zk_fp2 pp = zk_fp2_add(zk_fp2_mul(v[0], v[3]), zk_fp2_mul(v[1], v[2]));
        zk_fp2 qq = zk_fp2_mul(v[2], v[3]);
        if (k == 0) {
            if (!zk_fp2_eq(pp, pc) || !zk_fp2_eq(qq, qc))
                return za_error_set(err, ZA_ERR_MISMATCH, "fracsum: the root does not match "
                                                          "its children");
        } else if (!zk_fp2_eq(fin, zk_fp2_add(pp, zk_fp2_mul(lambda, qq)))) {
            return za_error_set(err, ZA_ERR_MISMATCH,
                                "fracsum: layer %u does not match its children", k);
        }
        absorb_layer_values(t, v);
        zk_fp2 mu = zk_transcript_challenge_fp2(t, "fracsum/mu");
        for (unsigned j = 0; j < k; j++)
            r[j] = s[j];
        r[k] = mu;
        pc = line(v[0], v[1], mu);
        qc = line(v[2], v[3], mu);
    }
    memcpy(point, r, sizeof(zk_fp2) * n);
    *p_claim = pc;
    *q_claim = qc;
    return ZA_OK;
}
