/* zk/commit.c - many vectors, one commitment; many claims, one opening. */
#include "zk/commit.h"

#include <stdlib.h>
#include <string.h>

#include "zk/mle.h"
#include "zk/sumcheck.h"

struct zk_multi_prover {
    zk_multi_layout L;
    zk_fp *table;          /* 2^N entries, owned */
    zk_pcs_prover *pp;
    int threads;
};

za_status zk_multi_layout_make(const size_t *lens, unsigned n, zk_multi_layout *L, za_error *err)
{
    memset(L, 0, sizeof *L);
    if (n < 1 || n > ZK_MULTI_MAX_VECS)
        return za_error_set(err, ZA_ERR_ARG, "commit: %u vectors (1..%d allowed)", n,
                            ZK_MULTI_MAX_VECS);
    L->n_vecs = n;
    uint64_t total = 0;
    for (unsigned i = 0; i < n; i++) {
        if (lens[i] < 1 || lens[i] > ((size_t)1 << ZK_MULTI_MAX_VARS))
            return za_error_set(err, ZA_ERR_ARG, "commit: vector %u has %zu elements", i, lens[i]);
        L->len[i] = lens[i];
        L->log_len[i] = zk_mle_log2_ceil(lens[i]);
        total += (uint64_t)1 << L->log_len[i];
    }
    /* largest first (stable by index): every offset is then a multiple of
     * the current vector's padded size */
    unsigned order[ZK_MULTI_MAX_VECS];
    for (unsigned i = 0; i < n; i++)
        order[i] = i;
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && L->log_len[order[j]] > L->log_len[order[j - 1]]; j--) {
            unsigned tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    uint64_t off = 0;
    for (unsigned k = 0; k < n; k++) {
        L->offset[order[k]] = off;
        off += (uint64_t)1 << L->log_len[order[k]];
    }
    L->log_total = zk_mle_log2_ceil((size_t)total);
    if (L->log_total > ZK_MULTI_MAX_VARS)
        return za_error_set(err, ZA_ERR_LIMIT, "commit: 2^%u elements in one commitment",
                            L->log_total);
    return ZA_OK;
}

void zk_multi_prover_free(zk_multi_prover *mp)
{
    if (!mp)
        return;
    zk_pcs_prover_free(mp->pp);
    free(mp->table);
    free(mp);
}

za_status zk_multi_commit(const zk_fp *const *vecs, const size_t *lens, unsigned n, int threads,
                          zk_multi_prover **out, zk_pcs_commitment *com, zk_multi_layout *L,
                          za_error *err)
{
    *out = NULL;
    za_status st = zk_multi_layout_make(lens, n, L, err);
    if (st != ZA_OK)
        return st;
    zk_multi_prover *mp = calloc(1, sizeof *mp);
    size_t N = (size_t)1 << L->log_total;
    if (!mp || !(mp->table = calloc(N, sizeof(zk_fp)))) {
        free(mp);
        return za_error_set(err, ZA_ERR_NOMEM, "commit: out of memory for 2^%u elements",
                            L->log_total);
    }
    mp->L = *L;
    mp->threads = threads;
    for (unsigned i = 0; i < n; i++)
        memcpy(mp->table + L->offset[i], vecs[i], sizeof(zk_fp) * lens[i]);
    zk_pcs_params p;
    zk_pcs_default_params(L->log_total, &p);
    if ((st = zk_pcs_commit(mp->table, &p, threads, &mp->pp, com, err)) != ZA_OK) {
        zk_multi_prover_free(mp);
        return st;
    }
    *out = mp;
    return ZA_OK;
}

zk_fp2 zk_multi_eval(const zk_multi_prover *mp, unsigned vec, const zk_fp2 *point)
{
    return zk_mle_eval_mt(mp->table + mp->L.offset[vec], mp->L.log_len[vec], point, mp->threads);
}

const zk_fp *zk_multi_vector(const zk_multi_prover *mp, unsigned vec)
{
    return vec < mp->L.n_vecs ? mp->table + mp->L.offset[vec] : NULL;
}

/* The claims as points on V (n_claims x N coordinates) and their values. */
static za_status lift(const zk_multi_layout *L, const zk_multi_claim *claims, unsigned n_claims,
                      zk_fp2 **pts, zk_fp2 **vals, za_error *err)
{
    unsigned N = L->log_total;
    *pts = malloc(sizeof(zk_fp2) * ((size_t)n_claims * N + 1));
    *vals = malloc(sizeof(zk_fp2) * (n_claims + 1));
    if (!*pts || !*vals)
        return za_error_set(err, ZA_ERR_NOMEM, "commit: out of memory");
    for (unsigned c = 0; c < n_claims; c++) {
        unsigned v = claims[c].vec;
        if (v >= L->n_vecs)
            return za_error_set(err, ZA_ERR_ARG, "commit: claim %u names vector %u of %u", c, v,
                                L->n_vecs);
        zk_fp2 *p = *pts + (size_t)c * N;
        unsigned nv = L->log_len[v];
        uint64_t block = L->offset[v] >> nv;
        for (unsigned j = 0; j < N; j++)
            p[j] = j < nv ? claims[c].point[j] : zk_fp2_from_fp((block >> (j - nv)) & 1);
        (*vals)[c] = claims[c].value;
    }
    return ZA_OK;
}

za_status zk_multi_open(const zk_multi_prover *mp, const zk_multi_claim *claims,
                        unsigned n_claims, zk_transcript *t, zk_writer *w, za_error *err)
{
    zk_fp2 *pts = NULL, *vals = NULL, point[ZK_MULTI_MAX_VARS], v_eval;
    zk_sumcheck_proof bp = { 0 };
    za_status st = lift(&mp->L, claims, n_claims, &pts, &vals, err);
    if (st == ZA_OK)
        st = zk_batch_eval_prove(zk_mle_ref_base(mp->table), mp->L.log_total, n_claims, pts, vals,
                                 t, mp->threads, &bp, point, &v_eval, err);
    if (st == ZA_OK) {
        zk_sumcheck_proof_write(w, &bp);
        zk_write_fp2(w, v_eval);
        zk_transcript_absorb_fp2(t, "commit/value", &v_eval, 1);
        st = zk_pcs_open(mp->pp, point, v_eval, t, w, err);
    }
    zk_sumcheck_proof_free(&bp);
    free(pts);
    free(vals);
    return st;
}

za_status zk_multi_verify(const zk_pcs_commitment *com, const zk_multi_layout *L,
                          const zk_multi_claim *claims, unsigned n_claims, zk_transcript *t,
                          zk_reader *r, za_error *err)
{
    if (com->params.log_n != L->log_total)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "commit: the commitment holds 2^%u elements, the layout 2^%u",
                            com->params.log_n, L->log_total);
    zk_fp2 *pts = NULL, *vals = NULL, point[ZK_MULTI_MAX_VARS], v_claim, v_eval;
    zk_sumcheck_proof bp = { 0 };
    za_status st = lift(L, claims, n_claims, &pts, &vals, err);
    if (st == ZA_OK) {
        zk_reader_section(r, "batched opening");
        st = zk_sumcheck_proof_read(r, L->log_total, 2, &bp);
    }
    if (st == ZA_OK)
        st = zk_batch_eval_verify(L->log_total, n_claims, pts, vals, &bp, t, point, &v_claim, err);
    if (st == ZA_OK && zk_read_fp2(r, "batched value", &v_eval) != ZA_OK)
        st = zk_reader_status(r);
    if (st == ZA_OK && !zk_fp2_eq(v_eval, v_claim))
        st = za_error_set(err, ZA_ERR_MISMATCH, "commit: batched value does not match the claims");
    if (st == ZA_OK) {
        zk_transcript_absorb_fp2(t, "commit/value", &v_eval, 1);
        st = zk_pcs_verify(com, point, v_eval, t, r, err);
    }
    zk_sumcheck_proof_free(&bp);
    free(pts);
    free(vals);
    return st;
}

const zk_fp *zk_multi_table(const zk_multi_prover *mp)
{
    return mp->table;
}

za_status zk_multi_open_point(const zk_multi_prover *mp, const zk_fp2 *point, zk_fp2 value,
                              zk_transcript *t, zk_writer *w, za_error *err)
{
    return zk_pcs_open(mp->pp, point, value, t, w, err);
}

za_status zk_multi_verify_point(const zk_pcs_commitment *com, const zk_multi_layout *L,
                                const zk_fp2 *point, zk_fp2 value, zk_transcript *t,
                                zk_reader *r, za_error *err)
{
    if (com->params.log_n != L->log_total)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "commit: the commitment holds 2^%u elements, the layout 2^%u",
                            com->params.log_n, L->log_total);
    return zk_pcs_verify(com, point, value, t, r, err);
}
