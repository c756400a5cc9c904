/* zk/logup.c - the logUp lookup argument (see logup.h). */
#include "zk/logup.h"

#include <stdlib.h>
#include <string.h>

#include "zk/mle.h"
#include "zk/pcs.h"
#include "zk/sumcheck.h"

zk_lookup_table zk_lookup_range(unsigned bits)
{
    zk_lookup_table t;
    memset(&t, 0, sizeof t);
    t.log_rows = bits;
    t.n_cols = 1;
    return t;
}

static zk_fp table_value(const zk_lookup_table *T, unsigned k, size_t j)
{
    return T->cols[k] ? T->cols[k][j] : (zk_fp)j;
}

static int table_valid(const zk_lookup_table *T, unsigned n_vars)
{
    if (T->n_cols < 1 || T->n_cols > ZK_LOGUP_MAX_COLS || T->log_rows > 30 || n_vars > 30)
        return 0;
    for (unsigned k = 0; k < T->n_cols; k++)
        if (!T->cols[k] && (T->n_cols != 1))
            return 0;
    return 1;
}

/* X * e in F_p2 (X^2 = 7). */
static zk_fp2 times_x(zk_fp2 e)
{
    return zk_fp2_make(zk_fp_mul(ZK_FP2_W, e.c1), e.c0);
}

/* MLE of table column k at r (m coordinates); the range table's is
 * sum_k 2^k r_k. */
static zk_fp2 table_column_eval(const zk_lookup_table *T, unsigned k, const zk_fp2 *r)
{
    if (T->cols[k])
        return zk_mle_eval(T->cols[k], T->log_rows, r);
    zk_fp2 acc = zk_fp2_make(0, 0);
    for (unsigned j = 0; j < T->log_rows; j++)
        acc = zk_fp2_add(acc, zk_fp2_mul_fp(r[j], (zk_fp)1 << j));
    return acc;
}

/* ---- multiplicities: index of a witness row in the table ---- */

typedef struct {
    size_t cap;
    int64_t *slot; /* table row index, -1 empty */
} row_index;

static uint64_t row_hash(const zk_fp *v, unsigned c)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (unsigned k = 0; k < c; k++) {
        h ^= v[k] + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
        h *= 0xbf58476d1ce4e5b9ull;
    }
    return h ^ (h >> 31);
}

static int index_build(row_index *ix, const zk_lookup_table *T)
{
    size_t rows = (size_t)1 << T->log_rows;
    ix->cap = 1;
    while (ix->cap < 2 * rows)
        ix->cap <<= 1;
    ix->slot = malloc(sizeof(int64_t) * ix->cap);
    if (!ix->slot)
        return 0;
    memset(ix->slot, 0xff, sizeof(int64_t) * ix->cap);
    zk_fp row[ZK_LOGUP_MAX_COLS];
    for (size_t j = 0; j < rows; j++) {
        for (unsigned k = 0; k < T->n_cols; k++)
            row[k] = table_value(T, k, j);
        size_t s = row_hash(row, T->n_cols) & (ix->cap - 1);
        for (;; s = (s + 1) & (ix->cap - 1)) {
            if (ix->slot[s] < 0) {
                ix->slot[s] = (int64_t)j;
                break;
            }
            int same = 1;
            for (unsigned k = 0; k < T->n_cols; k++)
                same &= table_value(T, k, (size_t)ix->slot[s]) == row[k];
            if (same)
                break; /* duplicate table row: the first one counts */
        }
    }
    return 1;
}

static int64_t index_find(const row_index *ix, const zk_lookup_table *T, const zk_fp *row)
{
    size_t s = row_hash(row, T->n_cols) & (ix->cap - 1);
    for (;; s = (s + 1) & (ix->cap - 1)) {
        int64_t j = ix->slot[s];
        if (j < 0)
            return -1;
        int same = 1;
        for (unsigned k = 0; k < T->n_cols; k++)
            same &= table_value(T, k, (size_t)j) == row[k];
        if (same)
            return j;
    }
}

static za_status multiplicities(const zk_fp *const *a, unsigned n, const zk_lookup_table *T,
                                zk_fp *mu, za_error *err)
{
    size_t rows = (size_t)1 << T->log_rows, N = (size_t)1 << n;
    memset(mu, 0, sizeof(zk_fp) * rows);
    if (!T->cols[0]) {
        for (size_t i = 0; i < N; i++) {
            if (a[0][i] >= rows)
                return za_error_set(err, ZA_ERR_ARG,
                                    "logup: witness row %zu holds %llu, outside the range [0, 2^%u)",
                                    i, (unsigned long long)a[0][i], T->log_rows);
            mu[a[0][i]]++;
        }
        return ZA_OK;
    }
    row_index ix;
    if (!index_build(&ix, T))
        return za_error_set(err, ZA_ERR_NOMEM, "logup: out of memory");
    za_status st = ZA_OK;
    zk_fp row[ZK_LOGUP_MAX_COLS];
    for (size_t i = 0; i < N && st == ZA_OK; i++) {
        for (unsigned k = 0; k < T->n_cols; k++)
            row[k] = a[k][i];
        int64_t j = index_find(&ix, T, row);
        if (j < 0)
            st = za_error_set(err, ZA_ERR_ARG, "logup: witness row %zu is not a table row", i);
        else
            mu[j] = zk_fp_add(mu[j], 1);
    }
    free(ix.slot);
    return st;
}



struct zk_lookup_index {
    const zk_lookup_table *T;
    row_index ix;
};

za_status zk_lookup_index_new(const zk_lookup_table *T, zk_lookup_index **out, za_error *err)
{
    zk_lookup_index *x = malloc(sizeof *x);
    if (!x || (x->T = T, !index_build(&x->ix, T))) {
        free(x);
        return za_error_set(err, ZA_ERR_NOMEM, "logup: out of memory (table index)");
    }
    *out = x;
    return ZA_OK;
}

void zk_lookup_index_count(const zk_lookup_index *x, const zk_fp *const *cols, size_t n_rows,
                           zk_fp *mu, size_t *missing)
{
    zk_fp row[ZK_LOGUP_MAX_COLS];
    for (size_t i = 0; i < n_rows; i++) {
        for (unsigned k = 0; k < x->T->n_cols; k++)
            row[k] = cols[k][i];
        int64_t j = index_find(&x->ix, x->T, row);
        if (j >= 0)
            mu[j] = zk_fp_add(mu[j], 1);
        else
            (*missing)++;
    }
}

void zk_lookup_index_free(zk_lookup_index *x)
{
    if (x)
        free(x->ix.slot);
    free(x);
}

/* ---- shared pieces of prover and verifier ---- */

typedef struct {
    zk_fp2 alpha, beta_pow[ZK_LOGUP_MAX_COLS];
} challenges;

static void draw_challenges(zk_transcript *t, unsigned c, challenges *ch)
{
    ch->beta_pow[0] = zk_fp2_make(1, 0);
    if (c > 1) {
        zk_fp2 beta = zk_transcript_challenge_fp2(t, "logup/beta");
        for (unsigned k = 1; k < c; k++)
            ch->beta_pow[k] = zk_fp2_mul(ch->beta_pow[k - 1], beta);
    }
    ch->alpha = zk_transcript_challenge_fp2(t, "logup/alpha");
}

/* Terms of C = alpha*inv - sum_k beta^k inv*col_k - rhs, for tables
 * [inv, col_0..col_{c-1}, rhs]. */
static unsigned make_terms(const challenges *ch, unsigned c, zk_sumcheck_term *terms)
{
    unsigned n = 0;
    terms[n++] = zk_sumcheck_term_make(ch->alpha, 1, 0, 0, 0, 0);
    for (unsigned k = 0; k < c; k++)
        terms[n++] = zk_sumcheck_term_make(zk_fp2_neg(ch->beta_pow[k]), 2, 0, 1 + k, 0, 0);
    terms[n++] = zk_sumcheck_term_make(zk_fp2_make(ZK_P - 1, 0), 1, 1 + c, 0, 0, 0);
    return n;
}

static const zk_fp HALF = 0x7FFFFFFF80000001ull; /* 1/2 = (p+1)/2 */

/* The four claims on the committed halves [re || im] of an extension vector
 * of 2^n entries: at (r, 0), (r, 1), (1/2.., 0), (1/2.., 1). */
static void half_claim_points(const zk_fp2 *r, unsigned n, zk_fp2 *pts)
{
    for (int q = 0; q < 4; q++) {
        zk_fp2 *p = pts + (size_t)q * (n + 1);
        for (unsigned j = 0; j < n; j++)
            p[j] = q < 2 ? r[j] : zk_fp2_from_fp(HALF);
        p[n] = zk_fp2_from_fp((zk_fp)(q & 1));
    }
}

/* ---- prover ---- */

typedef struct {
    zk_fp *vec;             /* [re || im], 2^(n+1) */
    zk_pcs_prover *pp;
    zk_pcs_commitment com;
    unsigned n;             /* variables of the extension vector */
} ext_commit;

static za_status commit_ext(const zk_fp2 *v, unsigned n, int threads, ext_commit *ec, za_error *err)
{
    size_t N = (size_t)1 << n;
    ec->n = n;
    ec->vec = malloc(sizeof(zk_fp) * 2 * N);
    if (!ec->vec)
        return za_error_set(err, ZA_ERR_NOMEM, "logup: out of memory");
    for (size_t i = 0; i < N; i++) {
        ec->vec[i] = v[i].c0;
        ec->vec[N + i] = v[i].c1;
    }
    zk_pcs_params p;
    zk_pcs_default_params(n + 1, &p);
    return zk_pcs_commit(ec->vec, &p, threads, &ec->pp, &ec->com, err);
}

static void free_ext(ext_commit *ec)
{
    zk_pcs_prover_free(ec->pp);
    free(ec->vec);
}

/* Prove the claims v~(r) (from the zero-check) and sum v = S for a
 * committed extension vector: send the four half values, reduce them to one
 * point and open there. */
static za_status open_ext(const ext_commit *ec, const zk_fp2 *r, zk_transcript *t, int threads,
                          zk_writer *w, za_error *err)
{
    unsigned n = ec->n;
    zk_fp2 pts[4 * 65], vals[4], point[65], v_eval;
    half_claim_points(r, n, pts);
    for (int q = 0; q < 4; q++)
        vals[q] = zk_mle_eval_mt(ec->vec, n + 1, pts + (size_t)q * (n + 1), threads);
    zk_write_fp2_array(w, vals, 4);
    zk_transcript_absorb_fp2(t, "logup/half_values", vals, 4);
    zk_sumcheck_proof bp;
    za_status st = zk_batch_eval_prove(zk_mle_ref_base(ec->vec), n + 1, 4, pts, vals, t, threads,
                                       &bp, point, &v_eval, err);
    if (st != ZA_OK)
        return st;
    zk_sumcheck_proof_write(w, &bp);
    zk_sumcheck_proof_free(&bp);
    zk_write_fp2(w, v_eval);
    zk_transcript_absorb_fp2(t, "logup/batch_value", &v_eval, 1);
    return zk_pcs_open(ec->pp, point, v_eval, t, w, err);
}

static za_status prove_impl(const zk_fp *const *a, unsigned n, const zk_lookup_table *T,
                            const zk_fp *given_mu, zk_transcript *t, int threads, zk_writer *w,
                            zk_logup_claims *out, za_error *err)
{
    if (!table_valid(T, n))
        return za_error_set(err, ZA_ERR_ARG, "logup: invalid table or witness size");
    const unsigned c = T->n_cols, m = T->log_rows;
    const size_t N = (size_t)1 << n, M = (size_t)1 << m;
    za_status st = ZA_OK;
    zk_fp *mu = malloc(sizeof(zk_fp) * M), *ones = malloc(sizeof(zk_fp) * (N > M ? N : M));
    zk_fp *range = NULL;
    zk_fp2 *h = malloc(sizeof(zk_fp2) * N), *g = malloc(sizeof(zk_fp2) * M);
    zk_fp2 *scratch = malloc(sizeof(zk_fp2) * (N > M ? N : M));
    zk_pcs_prover *mu_pp = NULL;
    ext_commit hc = { 0 }, gc = { 0 };
    zk_sumcheck_proof zp = { 0 };
    if (!mu || !ones || !h || !g || !scratch) {
        st = za_error_set(err, ZA_ERR_NOMEM, "logup: out of memory");
        goto out;
    }
    if (given_mu)
        memcpy(mu, given_mu, sizeof(zk_fp) * M);
    else if ((st = multiplicities(a, n, T, mu, err)) != ZA_OK)
        goto out;
    /* 1. multiplicities */
    zk_pcs_params mp;
    zk_pcs_default_params(m, &mp);
    zk_pcs_commitment mu_com;
    if ((st = zk_pcs_commit(mu, &mp, threads, &mu_pp, &mu_com, err)) != ZA_OK)
        goto out;
    zk_pcs_commitment_write(w, &mu_com);
    zk_pcs_absorb_commitment(t, &mu_com);
    challenges ch;
    draw_challenges(t, c, &ch);
    /* 2. inverses */
    for (size_t i = 0; i < N; i++) {
        zk_fp2 v = zk_fp2_make(0, 0);
        for (unsigned k = 0; k < c; k++)
            v = zk_fp2_add(v, zk_fp2_mul_fp(ch.beta_pow[k], a[k][i]));
        h[i] = zk_fp2_sub(ch.alpha, v);
    }
    zk_fp2_batch_inv(h, N, scratch);
    for (size_t j = 0; j < M; j++) {
        zk_fp2 v = zk_fp2_make(0, 0);
        for (unsigned k = 0; k < c; k++)
            v = zk_fp2_add(v, zk_fp2_mul_fp(ch.beta_pow[k], table_value(T, k, j)));
        g[j] = zk_fp2_sub(ch.alpha, v);
    }
    zk_fp2_batch_inv(g, M, scratch);
    for (size_t j = 0; j < M; j++)
        g[j] = zk_fp2_mul_fp(g[j], mu[j]);
    if ((st = commit_ext(h, n, threads, &hc, err)) != ZA_OK ||
        (st = commit_ext(g, m, threads, &gc, err)) != ZA_OK)
        goto out;
    zk_pcs_commitment_write(w, &hc.com);
    zk_pcs_commitment_write(w, &gc.com);
    zk_pcs_absorb_commitment(t, &hc.com);
    zk_pcs_absorb_commitment(t, &gc.com);
    zk_fp2 S = zk_fp2_make(0, 0);
    for (size_t i = 0; i < N; i++)
        S = zk_fp2_add(S, h[i]);
    zk_write_fp2(w, S);
    zk_transcript_absorb_fp2(t, "logup/sum", &S, 1);
    for (size_t i = 0; i < (N > M ? N : M); i++)
        ones[i] = 1;

    /* 3a. witness side: h*(alpha - a) - 1 = 0 */
    zk_mle_ref tabs[2 + ZK_LOGUP_MAX_COLS];
    zk_sumcheck_term terms[2 + ZK_LOGUP_MAX_COLS];
    zk_fp2 evals[2 + ZK_LOGUP_MAX_COLS], point_a[64], point_t[64];
    tabs[0] = zk_mle_ref_ext(h);
    for (unsigned k = 0; k < c; k++)
        tabs[1 + k] = zk_mle_ref_base(a[k]);
    tabs[1 + c] = zk_mle_ref_base(ones);
    unsigned nt = make_terms(&ch, c, terms);
    zk_sumcheck_instance inst = { n, 2 + c, tabs, nt, terms };
    if ((st = zk_zerocheck_prove(&inst, t, threads, &zp, point_a, evals, err)) != ZA_OK)
        goto out;
    zk_sumcheck_proof_write(w, &zp);
    zk_sumcheck_proof_free(&zp);
    zk_write_fp2_array(w, evals, 1 + c); /* h, a_0..a_{c-1} at the point */
    zk_transcript_absorb_fp2(t, "logup/witness_evals", evals, 1 + c);
    out->n_vars = n;
    memcpy(out->point, point_a, sizeof(zk_fp2) * n);
    memcpy(out->values, evals + 1, sizeof(zk_fp2) * c);

    /* 3b. table side: g*(alpha - T) - mu = 0 */
    if (!T->cols[0]) {
        range = malloc(sizeof(zk_fp) * M);
        if (!range) {
            st = za_error_set(err, ZA_ERR_NOMEM, "logup: out of memory");
            goto out;
        }
        for (size_t j = 0; j < M; j++)
            range[j] = (zk_fp)j;
    }
    tabs[0] = zk_mle_ref_ext(g);
    for (unsigned k = 0; k < c; k++)
        tabs[1 + k] = zk_mle_ref_base(T->cols[k] ? T->cols[k] : range);
    tabs[1 + c] = zk_mle_ref_base(mu);
    inst.n_vars = m;
    if ((st = zk_zerocheck_prove(&inst, t, threads, &zp, point_t, evals, err)) != ZA_OK)
        goto out;
    zk_sumcheck_proof_write(w, &zp);
    zk_sumcheck_proof_free(&zp);
    zk_fp2 gm[2] = { evals[0], evals[1 + c] }; /* g and mu at the point */
    zk_write_fp2_array(w, gm, 2);
    zk_transcript_absorb_fp2(t, "logup/table_evals", gm, 2);

    /* 4. openings */
    if ((st = open_ext(&hc, point_a, t, threads, w, err)) != ZA_OK ||
        (st = open_ext(&gc, point_t, t, threads, w, err)) != ZA_OK ||
        (st = zk_pcs_open(mu_pp, point_t, gm[1], t, w, err)) != ZA_OK)
        goto out;
out:
    zk_sumcheck_proof_free(&zp);
    zk_pcs_prover_free(mu_pp);
    free_ext(&hc);
    free_ext(&gc);
    free(mu);
    free(ones);
    free(range);
    free(h);
    free(g);
    free(scratch);
    return st;
}

za_status zk_logup_prove(const zk_fp *const *witness_cols, unsigned n_vars,
                         const zk_lookup_table *table, zk_transcript *t, int threads,
                         zk_writer *w, zk_logup_claims *out, za_error *err)
{
    return prove_impl(witness_cols, n_vars, table, NULL, t, threads, w, out, err);
}

za_status zk_logup_prove_with_multiplicities(const zk_fp *const *witness_cols, unsigned n_vars,
                                             const zk_lookup_table *table, const zk_fp *mu,
                                             zk_transcript *t, int threads, zk_writer *w,
                                             zk_logup_claims *out, za_error *err)
{
    return prove_impl(witness_cols, n_vars, table, mu, t, threads, w, out, err);
}

/* ---- verifier ---- */

static za_status read_commitment(zk_reader *r, unsigned want_log_n, zk_pcs_commitment *com,
                                 const char *what)
{
    size_t at = r->off;
    zk_reader_section(r, "logup %s commitment", what);
    if (zk_pcs_commitment_read(r, com) != ZA_OK)
        return zk_reader_status(r);
    if (com->params.log_n != want_log_n)
        return zk_reader_fail(r, at, ZA_ERR_MALFORMED, "size",
                              "commits 2^%u elements, expected 2^%u", com->params.log_n,
                              want_log_n);
    return ZA_OK;
}

/* Check the claims v~(r) = v_r and sum v = S for a committed extension
 * vector of 2^n entries. */
static za_status verify_ext(const zk_pcs_commitment *com, unsigned n, const zk_fp2 *r, zk_fp2 v_r,
                            zk_fp2 S, zk_transcript *t, zk_reader *rd, const char *what,
                            za_error *err)
{
    zk_fp2 pts[4 * 65], vals[4], point[65], v_claim, v_eval;
    zk_reader_section(rd, "logup %s openings", what);
    zk_read_fp2_array(rd, "half values", vals, 4);
    if (zk_reader_status(rd) != ZA_OK)
        return zk_reader_status(rd);
    /* v = re + X im, so v~(r) = re~(r) + X im~(r), and sum v = 2^n v~(1/2..) */
    zk_fp2 at_r = zk_fp2_add(vals[0], times_x(vals[1]));
    zk_fp2 at_half = zk_fp2_add(vals[2], times_x(vals[3]));
    if (!zk_fp2_eq(at_r, v_r))
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "logup: the %s halves do not give the zero-check's value", what);
    if (!zk_fp2_eq(zk_fp2_mul_fp(at_half, zk_fp_pow(2, n)), S))
        return za_error_set(err, ZA_ERR_MISMATCH, "logup: the %s entries do not sum to S", what);
    zk_transcript_absorb_fp2(t, "logup/half_values", vals, 4);
    half_claim_points(r, n, pts);
    zk_sumcheck_proof bp = { 0 };
    za_status st;
    if ((st = zk_sumcheck_proof_read(rd, n + 1, 2, &bp)) != ZA_OK)
        return st;
    st = zk_batch_eval_verify(n + 1, 4, pts, vals, &bp, t, point, &v_claim, err);
    zk_sumcheck_proof_free(&bp);
    if (st != ZA_OK)
        return st;
    zk_read_fp2(rd, "batched value", &v_eval);
    if (zk_reader_status(rd) != ZA_OK)
        return zk_reader_status(rd);
    if (!zk_fp2_eq(v_eval, v_claim))
        return za_error_set(err, ZA_ERR_MISMATCH, "logup: %s batched value mismatch", what);
    zk_transcript_absorb_fp2(t, "logup/batch_value", &v_eval, 1);
    if ((st = zk_pcs_verify(com, point, v_eval, t, rd, err)) != ZA_OK)
        za_error_prefix(err, "logup %s", what);
    return st;
}

za_status zk_logup_verify(unsigned n, const zk_lookup_table *T, zk_transcript *t, zk_reader *r,
                          zk_logup_claims *out, za_error *err)
{
    if (!table_valid(T, n))
        return za_error_set(err, ZA_ERR_ARG, "logup: invalid table or witness size");
    const unsigned c = T->n_cols, m = T->log_rows;
    zk_pcs_commitment mu_com, h_com, g_com;
    za_status st;
    if ((st = read_commitment(r, m, &mu_com, "multiplicity")) != ZA_OK)
        return st;
    zk_pcs_absorb_commitment(t, &mu_com);
    challenges ch;
    draw_challenges(t, c, &ch);
    if ((st = read_commitment(r, n + 1, &h_com, "witness inverse")) != ZA_OK ||
        (st = read_commitment(r, m + 1, &g_com, "table inverse")) != ZA_OK)
        return st;
    zk_pcs_absorb_commitment(t, &h_com);
    zk_pcs_absorb_commitment(t, &g_com);
    zk_fp2 S;
    zk_reader_section(r, "logup");
    if (zk_read_fp2(r, "sum", &S) != ZA_OK)
        return zk_reader_status(r);
    zk_transcript_absorb_fp2(t, "logup/sum", &S, 1);

    zk_sumcheck_term terms[2 + ZK_LOGUP_MAX_COLS];
    unsigned nt = make_terms(&ch, c, terms);
    zk_fp2 evals[2 + ZK_LOGUP_MAX_COLS], point_a[64], point_t[64], c_claim;
    zk_sumcheck_proof zp = { 0 };
    /* witness side */
    zk_reader_section(r, "logup witness zero-check");
    if ((st = zk_sumcheck_proof_read(r, n, 3, &zp)) != ZA_OK)
        return st;
    st = zk_zerocheck_verify(n, 2, &zp, t, point_a, &c_claim, err);
    zk_sumcheck_proof_free(&zp);
    if (st != ZA_OK)
        return st;
    zk_read_fp2_array(r, "witness evaluations", evals, 1 + c);
    if (zk_reader_status(r) != ZA_OK)
        return zk_reader_status(r);
    evals[1 + c] = zk_fp2_make(1, 0); /* the all-ones table */
    if ((st = zk_sumcheck_check_final(terms, nt, evals, c_claim, err)) != ZA_OK) {
        za_error_prefix(err, "logup witness side");
        return st;
    }
    zk_transcript_absorb_fp2(t, "logup/witness_evals", evals, 1 + c);
    zk_fp2 h_at = evals[0];
    out->n_vars = n;
    memcpy(out->point, point_a, sizeof(zk_fp2) * n);
    memcpy(out->values, evals + 1, sizeof(zk_fp2) * c);
    /* table side */
    zk_reader_section(r, "logup table zero-check");
    if ((st = zk_sumcheck_proof_read(r, m, 3, &zp)) != ZA_OK)
        return st;
    st = zk_zerocheck_verify(m, 2, &zp, t, point_t, &c_claim, err);
    zk_sumcheck_proof_free(&zp);
    if (st != ZA_OK)
        return st;
    zk_fp2 gm[2];
    zk_read_fp2_array(r, "table evaluations", gm, 2);
    if (zk_reader_status(r) != ZA_OK)
        return zk_reader_status(r);
    evals[0] = gm[0];
    for (unsigned k = 0; k < c; k++)
        evals[1 + k] = table_column_eval(T, k, point_t);
    evals[1 + c] = gm[1];
    if ((st = zk_sumcheck_check_final(terms, nt, evals, c_claim, err)) != ZA_OK) {
        za_error_prefix(err, "logup table side");
        return st;
    }
    zk_transcript_absorb_fp2(t, "logup/table_evals", gm, 2);
    /* openings */
    if ((st = verify_ext(&h_com, n, point_a, h_at, S, t, r, "witness inverse", err)) != ZA_OK ||
        (st = verify_ext(&g_com, m, point_t, gm[0], S, t, r, "table inverse", err)) != ZA_OK)
        return st;
    zk_reader_section(r, "logup multiplicity opening");
    if ((st = zk_pcs_verify(&mu_com, point_t, gm[1], t, r, err)) != ZA_OK)
        za_error_prefix(err, "logup multiplicities");
    return st;
}
