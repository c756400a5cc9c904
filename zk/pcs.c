/* zk/pcs.c - Ligero-style multilinear commitment (see pcs.h). */
#include "zk/pcs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/parallel.h"
#include "common/sha256.h"
#include "zk/mle.h"
#include "zk/ntt.h"

#define COL_BLOCK 8 /* columns gathered per pass when hashing (one cache line of each row) */

/* Encoded matrices of at least this many elements are not kept: the
 * commitment encodes and hashes them a block of rows at a time, and an
 * opening re-encodes the rows to read the queried columns (the time of one
 * more encoding, against 8 bytes per encoded element of memory - 4 GiB for
 * 2^27 elements at rate 1/4). */
static size_t lowmem_elems = (size_t)1 << 28;

void zk_pcs_set_lowmem_elems(size_t n)
{
    lowmem_elems = n;
}
#define LOWMEM_BLOCK_BYTES ((size_t)64 << 20) /* encoded rows per pass */

struct zk_pcs_prover {
    zk_pcs_params p;
    const zk_fp *v;  /* borrowed message, R x C row-major */
    zk_fp *enc;      /* R x NC encoded rows */
    zk_merkle tree;  /* over the NC columns */
    int threads;
};

static unsigned log_cols(const zk_pcs_params *p)
{
    return p->log_n - p->log_rows;
}

static int params_valid(const zk_pcs_params *p)
{
    return p->log_n <= ZK_PCS_MAX_LOG_N && p->log_rows <= p->log_n && p->log_blowup >= 1 &&
           p->log_blowup <= 4 && p->n_queries >= 1 && p->n_queries <= ZA_MAX_MERKLE_QUERIES &&
           log_cols(p) + p->log_blowup <= ZA_MAX_MERKLE_DEPTH;
}

/* The two error terms, in bits (docs/proof-system.md). */
static void error_terms(const zk_pcs_params *p, double *query_bits, double *prox_bits)
{
    double rho = ldexp(1.0, -(int)p->log_blowup);
    /* query phase: a matrix at relative distance delta from the interleaved
     * code, delta just under the unique-decoding radius (1-rho)/2, survives
     * one uniform column query with probability at most 1 - delta =
     * (1+rho)/2 */
    *query_bits = -(double)p->n_queries * log2((1.0 + rho) / 2.0);
    /* proximity by the evaluation's own row combination eq(r_row), a tensor
     * of log_rows uniform coordinates (Diamond-Posen 2023, tensor proximity
     * gaps for Reed-Solomon codes in the unique-decoding regime): it is
     * close to the code while the rows have no correlated agreement with
     * probability at most 2 * log_rows * n / |F_p2|, n the codeword length
     * (the factor 2 is kept for safety; one row needs no combination) */
    unsigned ell = p->log_rows ? p->log_rows : 1;
    *prox_bits = 2.0 * log2((double)ZK_P) - (double)(log_cols(p) + p->log_blowup) -
                 log2(2.0 * ell);
}

double zk_pcs_security_bits(const zk_pcs_params *p)
{
    if (!params_valid(p))
        return 0;
    double q, x;
    error_terms(p, &q, &x);
    /* total error is the sum of the two terms */
    return -log2(exp2(-q) + exp2(-x));
}

size_t zk_pcs_opening_size_estimate(const zk_pcs_params *p)
{
    size_t R = (size_t)1 << p->log_rows, C = (size_t)1 << log_cols(p);
    unsigned depth = log_cols(p) + p->log_blowup;
    /* one extension vector, the columns, and roughly t*(depth - log2 t) siblings */
    double lt = log2((double)p->n_queries);
    double sib = p->n_queries * (depth > lt ? depth - lt : 1);
    return C * 16 + (size_t)p->n_queries * R * 8 + (size_t)(sib * 32);
}

void zk_pcs_default_params(unsigned log_n, zk_pcs_params *p)
{
    /* rate 1/4; for every row count, the fewest queries that reach the
     * target; keep the combination with the smallest opening */
    zk_pcs_params best = { log_n, 0, 2, 0 };
    size_t best_size = SIZE_MAX;
    for (unsigned a = 0; a <= log_n; a++) {
        zk_pcs_params c = { log_n, a, 2, 1 };
        if (!params_valid(&c))
            continue;
        while (c.n_queries < 1024 && zk_pcs_security_bits(&c) < ZK_PCS_DEFAULT_SECURITY_BITS)
            c.n_queries++;
        if (zk_pcs_security_bits(&c) < ZK_PCS_DEFAULT_SECURITY_BITS)
            continue;
        size_t sz = zk_pcs_opening_size_estimate(&c);
        if (sz < best_size) {
            best_size = sz;
            best = c;
        }
    }
    *p = best;
}

void zk_pcs_prover_free(zk_pcs_prover *pp)
{
    if (!pp)
        return;
    free(pp->enc);
    zk_merkle_free(&pp->tree);
    free(pp);
}

typedef struct {
    const zk_fp *enc;
    size_t rows, nc;
    zk_digest *leaves;
} hash_ctx;

/* Hash columns [b, e) (in units of COL_BLOCK columns): gather COL_BLOCK
 * adjacent elements of every row, then hash each gathered column. */
static void hash_columns(void *vctx, size_t b, size_t e)
{
    hash_ctx *c = vctx;
    zk_fp *buf = malloc(sizeof(zk_fp) * c->rows * COL_BLOCK);
    if (!buf)
        abort(); /* cannot fail safely mid-commit; tiny next to the matrix */
    for (size_t blk = b; blk < e; blk++) {
        size_t q0 = blk * COL_BLOCK, nq = c->nc - q0 < COL_BLOCK ? c->nc - q0 : COL_BLOCK;
        for (size_t i = 0; i < c->rows; i++)
            for (size_t k = 0; k < nq; k++)
                buf[k * c->rows + i] = c->enc[i * c->nc + q0 + k];
        for (size_t k = 0; k < nq; k++)
            zk_merkle_hash_fp_leaves(buf + k * c->rows, c->rows, 1, &c->leaves[q0 + k], 1);
    }
    free(buf);
}

/* ---- low-memory commitment: rows encoded a block at a time ---- */

typedef struct {
    const zk_fp *enc;  /* rows x nc block */
    size_t rows, nc;
    za_sha256_ctx *ctx; /* one per column */
} stream_ctx;

static void stream_hash(void *vctx, size_t b, size_t e)
{
    stream_ctx *c = vctx;
    uint8_t buf[8 * 64];
    for (size_t q = b; q < e; q++)
        for (size_t i = 0; i < c->rows;) {
            size_t m = 0;
            for (; m < 64 && i < c->rows; m++, i++)
                zk_fp_to_bytes(c->enc[i * c->nc + q], buf + 8 * m);
            za_sha256_update(&c->ctx[q], buf, 8 * m);
        }
}

static size_t block_rows(size_t R, size_t NC)
{
    size_t b = LOWMEM_BLOCK_BYTES / (sizeof(zk_fp) * NC);
    b = b < 1 ? 1 : b;
    return b < R ? b : R;
}

static za_status commit_streaming(zk_pcs_prover *pp, size_t R, size_t NC, int threads,
                                  za_error *err)
{
    const zk_pcs_params *p = &pp->p;
    size_t B = block_rows(R, NC), C = (size_t)1 << log_cols(p);
    za_sha256_ctx *ctx = malloc(sizeof *ctx * NC);
    zk_fp *buf = malloc(sizeof(zk_fp) * B * NC);
    if (!ctx || !buf) {
        free(ctx), free(buf);
        return za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
    }
    static const uint8_t tag = 0x00; /* zk/merkle.h leaf domain */
    for (size_t q = 0; q < NC; q++) {
        za_sha256_init(&ctx[q]);
        za_sha256_update(&ctx[q], &tag, 1);
    }
    for (size_t r0 = 0; r0 < R; r0 += B) {
        size_t nb = R - r0 < B ? R - r0 : B;
        zk_rs_encode_batch(pp->v + r0 * C, nb, log_cols(p), p->log_blowup, buf, threads);
        stream_ctx sc = { buf, nb, NC, ctx };
        za_parallel_for(NC, threads, stream_hash, &sc);
    }
    zk_digest *leaves = zk_merkle_leaves(&pp->tree);
    for (size_t q = 0; q < NC; q++)
        za_sha256_final(&ctx[q], leaves[q].h);
    free(ctx), free(buf);
    return ZA_OK;
}

/* Columns q[0..k) of the encoded matrix into cols (k x R), re-encoding the
 * rows when the matrix was not kept. */
static za_status read_columns(const zk_pcs_prover *pp, const uint64_t *q, size_t k, zk_fp *cols,
                              za_error *err)
{
    const zk_pcs_params *p = &pp->p;
    size_t R = (size_t)1 << p->log_rows, NC = (size_t)1 << (log_cols(p) + p->log_blowup);
    size_t C = (size_t)1 << log_cols(p);
    if (pp->enc) {
        for (size_t i = 0; i < k; i++)
            for (size_t r = 0; r < R; r++)
                cols[i * R + r] = pp->enc[r * NC + q[i]];
        return ZA_OK;
    }
    size_t B = block_rows(R, NC);
    zk_fp *buf = malloc(sizeof(zk_fp) * B * NC);
    if (!buf)
        return za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
    for (size_t r0 = 0; r0 < R; r0 += B) {
        size_t nb = R - r0 < B ? R - r0 : B;
        zk_rs_encode_batch(pp->v + r0 * C, nb, log_cols(p), p->log_blowup, buf, pp->threads);
        for (size_t i = 0; i < k; i++)
            for (size_t r = 0; r < nb; r++)
                cols[i * R + r0 + r] = buf[r * NC + q[i]];
    }
    free(buf);
    return ZA_OK;
}

za_status zk_pcs_commit(const zk_fp *v, const zk_pcs_params *p, int threads,
                        zk_pcs_prover **out, zk_pcs_commitment *com, za_error *err)
{
    *out = NULL;
    if (!params_valid(p))
        return za_error_set(err, ZA_ERR_ARG, "pcs: invalid parameters (log_n %u, log_rows %u, "
                            "log_blowup %u, queries %u)", p->log_n, p->log_rows, p->log_blowup,
                            p->n_queries);
    zk_pcs_prover *pp = calloc(1, sizeof *pp);
    if (!pp)
        return za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
    pp->p = *p;
    pp->v = v;
    pp->threads = threads;
    size_t R = (size_t)1 << p->log_rows, NC = (size_t)1 << (log_cols(p) + p->log_blowup);
    if (zk_merkle_alloc(&pp->tree, NC) != ZA_OK) {
        zk_pcs_prover_free(pp);
        return za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
    }
    if (R * NC >= lowmem_elems) {
        za_status st = commit_streaming(pp, R, NC, threads, err);
        if (st) {
            zk_pcs_prover_free(pp);
            return st;
        }
    } else {
        pp->enc = malloc(sizeof(zk_fp) * R * NC);
        if (!pp->enc) {
            zk_pcs_prover_free(pp);
            return za_error_set(err, ZA_ERR_NOMEM,
                                "pcs: out of memory for a %zu x %zu encoded matrix", R, NC);
        }
        zk_rs_encode_batch(v, R, log_cols(p), p->log_blowup, pp->enc, threads);
        hash_ctx hc = { pp->enc, R, NC, zk_merkle_leaves(&pp->tree) };
        za_parallel_for((NC + COL_BLOCK - 1) / COL_BLOCK, threads, hash_columns, &hc);
    }
    zk_merkle_compute(&pp->tree, threads);
    com->params = *p;
    com->root = zk_merkle_root(&pp->tree);
    *out = pp;
    return ZA_OK;
}

void zk_pcs_absorb_commitment(zk_transcript *t, const zk_pcs_commitment *com)
{
    uint8_t b[16 + 32];
    const zk_pcs_params *p = &com->params;
    uint32_t f[4] = { p->log_n, p->log_rows, p->log_blowup, p->n_queries };
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++)
            b[4 * i + k] = (uint8_t)(f[i] >> (8 * k));
    memcpy(b + 16, com->root.h, 32);
    zk_transcript_absorb(t, "pcs/commitment", b, sizeof b);
}

void zk_pcs_commitment_write(zk_writer *w, const zk_pcs_commitment *com)
{
    zk_write_u8(w, (uint8_t)com->params.log_n);
    zk_write_u8(w, (uint8_t)com->params.log_rows);
    zk_write_u8(w, (uint8_t)com->params.log_blowup);
    zk_write_u16(w, (uint16_t)com->params.n_queries);
    zk_write_digest(w, &com->root);
}

za_status zk_pcs_commitment_read(zk_reader *r, zk_pcs_commitment *com)
{
    uint8_t a, b, c;
    uint16_t q;
    size_t at = r->off;
    zk_read_u8(r, "log_n", &a);
    zk_read_u8(r, "log_rows", &b);
    zk_read_u8(r, "log_blowup", &c);
    zk_read_u16(r, "queries", &q);
    zk_read_digest(r, "root", &com->root);
    if (zk_reader_status(r) != ZA_OK)
        return zk_reader_status(r);
    com->params = (zk_pcs_params){ a, b, c, q };
    if (!params_valid(&com->params))
        return zk_reader_fail(r, at, ZA_ERR_MALFORMED, "commitment parameters",
                              "invalid (log_n %u, log_rows %u, log_blowup %u, queries %u)", a, b,
                              c, q);
    return ZA_OK;
}

zk_fp2 zk_pcs_eval(const zk_fp *v, unsigned log_n, const zk_fp2 *point)
{
    return zk_mle_eval(v, log_n, point);
}

/* acc[j] = sum_i coef[i] * M[i][j] over a range of columns. */
typedef struct {
    const zk_fp *m;
    size_t rows, cols;
    const zk_fp2 *coef;
    zk_fp2 *out;
} combine_ctx;

#define COMBINE_BLOCK 256 /* columns whose accumulators stay in L1 across all rows */

static void combine_rows(void *vctx, size_t b, size_t e)
{
    combine_ctx *c = vctx;
    for (size_t j0 = b; j0 < e; j0 += COMBINE_BLOCK) {
        size_t j1 = j0 + COMBINE_BLOCK < e ? j0 + COMBINE_BLOCK : e;
        zk_fp2 a[COMBINE_BLOCK];
        for (size_t j = j0; j < j1; j++)
            a[j - j0] = zk_fp2_make(0, 0);
        for (size_t i = 0; i < c->rows; i++) {
            const zk_fp *row = c->m + i * c->cols;
            zk_fp2 g = c->coef[i];
            for (size_t j = j0; j < j1; j++)
                a[j - j0] = zk_fp2_add(a[j - j0], zk_fp2_mul_fp(g, row[j]));
        }
        for (size_t j = j0; j < j1; j++)
            c->out[j] = a[j - j0];
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Draw the query columns and reduce them to a sorted distinct set. */
static size_t draw_queries(zk_transcript *t, const zk_pcs_params *p, uint64_t *q)
{
    uint64_t nc = (uint64_t)1 << (log_cols(p) + p->log_blowup);
    for (unsigned i = 0; i < p->n_queries; i++)
        q[i] = zk_transcript_challenge_index(t, "pcs/query", nc);
    qsort(q, p->n_queries, sizeof *q, cmp_u64);
    size_t k = 0;
    for (unsigned i = 0; i < p->n_queries; i++)
        if (k == 0 || q[k - 1] != q[i])
            q[k++] = q[i];
    return k;
}

static void absorb_claim(zk_transcript *t, const zk_pcs_params *p, const zk_fp2 *point,
                         zk_fp2 value)
{
    zk_transcript_absorb_fp2(t, "pcs/point", point, p->log_n);
    zk_transcript_absorb_fp2(t, "pcs/value", &value, 1);
}

static za_status open_impl(const zk_pcs_prover *pp, const zk_fp2 *point, zk_fp2 value,
                           zk_transcript *t, zk_writer *w, int cheat, za_error *err)
{
    const zk_pcs_params *p = &pp->p;
    size_t R = (size_t)1 << p->log_rows, C = (size_t)1 << log_cols(p);
    za_status st = ZA_OK;
    zk_fp2 *erow = malloc(sizeof(zk_fp2) * R), *uv = malloc(sizeof(zk_fp2) * C);
    uint64_t *q = malloc(sizeof(uint64_t) * p->n_queries);
    zk_fp *col = malloc(sizeof(zk_fp) * R * p->n_queries);
    zk_digest *sib = malloc(sizeof(zk_digest) * ((size_t)p->n_queries * (log_cols(p) + p->log_blowup) + 1));
    if (!erow || !uv || !q || !col || !sib) {
        st = za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
        goto out;
    }
    absorb_claim(t, p, point, value);
    zk_eq_table(point + log_cols(p), p->log_rows, erow);
    combine_ctx cc = { pp->v, R, C, erow, uv };
    za_parallel_for(C, (size_t)R * C >= ((size_t)1 << 16) ? pp->threads : 1, combine_rows, &cc);
    if (cheat) {
        /* u[0] += (value - <u, eq_col>) / eq_col[0] */
        zk_fp2 *ecol = malloc(sizeof(zk_fp2) * C);
        if (!ecol) {
            st = za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
            goto out;
        }
        zk_eq_table(point, log_cols(p), ecol);
        zk_fp2 acc = zk_fp2_make(0, 0);
        for (size_t j = 0; j < C; j++)
            acc = zk_fp2_add(acc, zk_fp2_mul(uv[j], ecol[j]));
        uv[0] = zk_fp2_add(uv[0], zk_fp2_mul(zk_fp2_sub(value, acc), zk_fp2_inv(ecol[0])));
        free(ecol);
    }
    zk_write_fp2_array(w, uv, C);
    zk_transcript_absorb_fp2(t, "pcs/u", uv, C);
    size_t k = draw_queries(t, p, q);
    if ((st = read_columns(pp, q, k, col, err)))
        goto out;
    for (size_t i = 0; i < k; i++)
        zk_write_fp_array(w, col + i * R, R);
    size_t n_sib = 0;
    st = zk_merkle_open(&pp->tree, q, k, sib, (size_t)p->n_queries * (log_cols(p) + p->log_blowup) + 1,
                        &n_sib, err);
    if (st == ZA_OK)
        zk_write_digest_array(w, sib, n_sib);
out:
    free(erow);
    free(uv);
    free(q);
    free(col);
    free(sib);
    return st;
}

za_status zk_pcs_open(const zk_pcs_prover *pp, const zk_fp2 *point, zk_fp2 value,
                      zk_transcript *t, zk_writer *w, za_error *err)
{
    return open_impl(pp, point, value, t, w, 0, err);
}

za_status zk_pcs_open_cheating(const zk_pcs_prover *pp, const zk_fp2 *point, zk_fp2 value,
                               zk_transcript *t, zk_writer *w, za_error *err)
{
    return open_impl(pp, point, value, t, w, 1, err);
}

/* Encode an extension vector of length C (as two base-field rows). */
static int encode_ext(const zk_fp2 *v, const zk_pcs_params *p, zk_fp *e0, zk_fp *e1)
{
    size_t C = (size_t)1 << log_cols(p);
    zk_fp *m = malloc(sizeof(zk_fp) * 2 * C);
    if (!m)
        return 0;
    for (size_t j = 0; j < C; j++) {
        m[j] = v[j].c0;
        m[C + j] = v[j].c1;
    }
    zk_rs_encode_batch(m, 1, log_cols(p), p->log_blowup, e0, 1);
    zk_rs_encode_batch(m + C, 1, log_cols(p), p->log_blowup, e1, 1);
    free(m);
    return 1;
}

za_status zk_pcs_verify(const zk_pcs_commitment *com, const zk_fp2 *point, zk_fp2 value,
                        zk_transcript *t, zk_reader *r, za_error *err)
{
    const zk_pcs_params *p = &com->params;
    if (!params_valid(p))
        return za_error_set(err, ZA_ERR_MALFORMED, "pcs: invalid commitment parameters");
    double bits = zk_pcs_security_bits(p);
    if (bits < ZK_PCS_MIN_SECURITY_BITS)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "pcs: commitment parameters give %.1f bits of security, below the "
                            "required %d (rate 2^-%u, %u queries)", bits, ZK_PCS_MIN_SECURITY_BITS,
                            p->log_blowup, p->n_queries);
    size_t R = (size_t)1 << p->log_rows, C = (size_t)1 << log_cols(p);
    size_t NC = C << p->log_blowup;
    unsigned depth = log_cols(p) + p->log_blowup;
    za_status st = ZA_OK;
    zk_fp2 *erow = malloc(sizeof(zk_fp2) * R), *ecol = malloc(sizeof(zk_fp2) * C);
    zk_fp2 *uv = malloc(sizeof(zk_fp2) * C);
    zk_fp *eu = malloc(sizeof(zk_fp) * 2 * NC);
    uint64_t *q = malloc(sizeof(uint64_t) * p->n_queries);
    zk_fp *cols = malloc(sizeof(zk_fp) * R * p->n_queries);
    zk_digest *leaves = malloc(sizeof(zk_digest) * p->n_queries);
    zk_digest *sib = NULL;
    if (!erow || !ecol || !uv || !eu || !q || !cols || !leaves) {
        st = za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
        goto out;
    }
    absorb_claim(t, p, point, value);
    zk_reader_section(r, "pcs opening");
    zk_read_fp2_array(r, "evaluation vector u", uv, C);
    if ((st = zk_reader_status(r)) != ZA_OK)
        goto out;
    /* the evaluation: <u, eq(r_col)> = value */
    zk_eq_table(point, log_cols(p), ecol);
    zk_fp2 acc = zk_fp2_make(0, 0);
    for (size_t j = 0; j < C; j++)
        acc = zk_fp2_add(acc, zk_fp2_mul(uv[j], ecol[j]));
    if (!zk_fp2_eq(acc, value)) {
        st = za_error_set(err, ZA_ERR_MISMATCH,
                          "pcs: the evaluation vector does not give the claimed value");
        goto out;
    }
    zk_transcript_absorb_fp2(t, "pcs/u", uv, C);
    size_t k = draw_queries(t, p, q);
    zk_read_fp_array(r, "queried columns", cols, R * k);
    size_t n_sib = 0;
    if (zk_reader_status(r) == ZA_OK &&
        (st = zk_merkle_opening_size(depth, q, k, &n_sib, err)) != ZA_OK)
        goto out;
    sib = malloc(sizeof(zk_digest) * (n_sib + 1));
    if (!sib) {
        st = za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
        goto out;
    }
    zk_read_digest_array(r, "Merkle siblings", sib, n_sib);
    if ((st = zk_reader_status(r)) != ZA_OK)
        goto out;
    for (size_t i = 0; i < k; i++)
        zk_merkle_hash_fp_leaves(cols + i * R, R, 1, &leaves[i], 1);
    if ((st = zk_merkle_verify(depth, &com->root, q, leaves, k, sib, n_sib, err)) != ZA_OK) {
        za_error_prefix(err, "pcs: column opening");
        goto out;
    }
    if (!encode_ext(uv, p, eu, eu + NC)) {
        st = za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
        goto out;
    }
    zk_eq_table(point + log_cols(p), p->log_rows, erow);
    for (size_t i = 0; i < k; i++) {
        const zk_fp *c = cols + i * R;
        zk_fp2 se = zk_fp2_make(0, 0);
        for (size_t rr = 0; rr < R; rr++)
            se = zk_fp2_add(se, zk_fp2_mul_fp(erow[rr], c[rr]));
        uint64_t qi = q[i];
        if (!zk_fp2_eq(se, zk_fp2_make(eu[qi], eu[NC + qi]))) {
            st = za_error_set(err, ZA_ERR_MISMATCH,
                              "pcs: column %llu is inconsistent with the evaluation vector",
                              (unsigned long long)qi);
            goto out;
        }
    }
out:
    free(erow);
    free(ecol);
    free(uv);
    free(eu);
    free(q);
    free(cols);
    free(leaves);
    free(sib);
    return st;
}
