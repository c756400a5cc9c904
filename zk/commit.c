/* zk/commit.c - many vectors, one commitment; many claims, one opening. */
#include "zk/commit.h"

#include <stdlib.h>
#include <string.h>

#include "zk/mle.h"
#include "zk/rand.h"
#include "zk/sumcheck.h"

struct zk_multi_prover {
    zk_multi_layout L;
    zk_fp *table;          /* 2^N entries, owned */
    zk_pcs_prover *pp;
    int threads;
};

/* Offsets for items of sizes 2^lg[0..n), largest first (stable by index):
 * every offset is then a multiple of the current item's size. */
static uint64_t place(const unsigned *lg, unsigned n, uint64_t *offset)
{
    unsigned order[ZK_MULTI_MAX_VECS + 1];
    for (unsigned i = 0; i < n; i++)
        order[i] = i;
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && lg[order[j]] > lg[order[j - 1]]; j--) {
            unsigned tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    uint64_t off = 0;
    for (unsigned k = 0; k < n; k++) {
        offset[order[k]] = off;
        off += (uint64_t)1 << lg[order[k]];
    }
    return off;
}

void zk_multi_pcs_params(const zk_multi_layout *L, zk_pcs_params *p)
{
    if (L->hiding_openings)
        zk_pcs_default_params_hiding(L->log_total, L->hiding_openings, p);
    else
        zk_pcs_default_params(L->log_total, p);
}

/* mask rows for B openings: B rows with generic eq weights make B
 * combinations u_1..u_B jointly uniform; a power of two keeps it aligned */
static unsigned mask_log_rows(unsigned B)
{
    unsigned l = 0;
    while ((1u << l) < B)
        l++;
    return l;
}

za_status zk_multi_layout_make_ex(const size_t *lens, unsigned n, const zk_multi_commit_opts *opts,
                                  zk_multi_layout *L, za_error *err)
{
    unsigned B = opts ? opts->hiding_openings : 0;
    if (!B)
        return zk_multi_layout_make(lens, n, L, err);
    if (B > ZA_MAX_PCS_HIDING_OPENINGS)
        return za_error_set(err, ZA_ERR_ARG, "commit: a hiding budget of %u openings (1..%d)", B,
                            ZA_MAX_PCS_HIDING_OPENINGS);
    za_status st = zk_multi_layout_make(lens, n, L, err);
    if (st != ZA_OK)
        return st;
    uint64_t data = 0;
    for (unsigned i = 0; i < n; i++)
        data += (uint64_t)1 << L->log_len[i];
    /* the least N whose hiding parameters leave room for the mask rows: the
     * row length C depends on the parameters for N */
    unsigned ml = mask_log_rows(B);
    for (unsigned N = L->log_total; N <= ZK_MULTI_MAX_VARS; N++) {
        zk_pcs_params p;
        zk_pcs_default_params_hiding(N, B, &p);
        if (p.log_rows < ml)
            continue;
        unsigned mlog = ml + (N - p.log_rows);
        if (data + ((uint64_t)1 << mlog) > ((uint64_t)1 << N))
            continue;
        unsigned lg[ZK_MULTI_MAX_VECS + 1];
        uint64_t off[ZK_MULTI_MAX_VECS + 1];
        memcpy(lg, L->log_len, sizeof(unsigned) * n);
        lg[n] = mlog; /* the mask, after the vectors of its size */
        place(lg, n + 1, off);
        memcpy(L->offset, off, sizeof(uint64_t) * n);
        L->log_total = N;
        L->hiding_openings = B;
        L->mask_log_len = mlog;
        L->mask_offset = off[n];
        return ZA_OK;
    }
    return za_error_set(err, ZA_ERR_LIMIT, "commit: the vectors and a mask exceed 2^%d elements",
                        ZK_MULTI_MAX_VARS);
}

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
    return zk_multi_commit_ex(vecs, lens, n, NULL, threads, out, com, L, err);
}

za_status zk_multi_commit_ex(const zk_fp *const *vecs, const size_t *lens, unsigned n,
                             const zk_multi_commit_opts *opts, int threads,
                             zk_multi_prover **out, zk_pcs_commitment *com, zk_multi_layout *L,
                             za_error *err)
{
    *out = NULL;
    za_status st = zk_multi_layout_make_ex(lens, n, opts, L, err);
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
    uint8_t pcs_seed[ZK_RAND_SEED_LEN] = { 0 };
    for (unsigned i = 0; i < n; i++)
        memcpy(mp->table + L->offset[i], vecs[i], sizeof(zk_fp) * lens[i]);
    if (L->hiding_openings) {
        /* the mask rows: uniform, from a fresh seed or stream 0 of the given
         * one (whose stream 1 seeds the PCS's padding and salts) */
        uint8_t seed[ZK_RAND_SEED_LEN];
        if (opts->seed) {
            zk_rand_bytes(opts->seed, 0, seed, sizeof seed);
            zk_rand_bytes(opts->seed, 1, pcs_seed, sizeof pcs_seed);
        } else if ((st = zk_rand_seed(seed, err)) != ZA_OK) {
            zk_multi_prover_free(mp);
            return st;
        }
        zk_rand_fp(seed, 0, mp->table + L->mask_offset, (size_t)1 << L->mask_log_len);
        memset(seed, 0, sizeof seed);
    }
    zk_pcs_params p;
    zk_multi_pcs_params(L, &p);
    st = zk_pcs_commit_seeded(mp->table, &p, threads,
                              L->hiding_openings && opts->seed ? pcs_seed : NULL, &mp->pp, com, err);
    memset(pcs_seed, 0, sizeof pcs_seed);
    if (st != ZA_OK) {
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
    if (zk_pcs_openings_left(mp->pp) == 0) /* before the sumcheck is written */
        return za_error_set(err, ZA_ERR_LIMIT,
                            "commit: a hiding commitment for %u openings cannot be opened again "
                            "(commit again with fresh randomness)", mp->L.hiding_openings);
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
    if (com->params.hiding_openings != L->hiding_openings)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "commit: the commitment is hiding for %u openings, the layout for %u",
                            com->params.hiding_openings, L->hiding_openings);
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
    if (com->params.hiding_openings != L->hiding_openings)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "commit: the commitment is hiding for %u openings, the layout for %u",
                            com->params.hiding_openings, L->hiding_openings);
    return zk_pcs_verify(com, point, value, t, r, err);
}
