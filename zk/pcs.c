/* zk/pcs.c - Ligero-style multilinear commitment (see pcs.h). */
#include "zk/pcs.h"

#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/parallel.h"
#include "common/sha256.h"
#include "zk/mle.h"
#include "zk/ntt.h"
#include "zk/rand.h"

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

#define SALT_LEN 32
/* the prefix of a salted leaf after the 0x00 leaf tag: eight 0xff bytes are
 * no canonical field element, so no plain column has these leaf bytes */
static const uint8_t SALTED_TAG[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
/* seed streams (zk/rand.h): row i's padding is stream i, the salts (32
 * bytes per column, in column order) stream SALT_STREAM */
#define SALT_STREAM ((uint64_t)1 << 63)

struct zk_pcs_prover {
    zk_pcs_params p;
    const zk_fp *v;  /* borrowed message, R x C row-major */
    zk_fp *enc;      /* R x NC encoded rows */
    zk_merkle tree;  /* over the NC columns */
    int threads;
    /* hiding only (NULL otherwise): */
    zk_fp *pad;      /* R x k random coefficients, owned */
    uint8_t *salt;   /* NC x SALT_LEN, owned */
    atomic_uint *opened; /* openings so far (a pointer: zk_pcs_open takes a const prover) */
};

static unsigned log_cols(const zk_pcs_params *p)
{
    return p->log_n - p->log_rows;
}

static unsigned ceil_log2(uint64_t x)
{
    unsigned l = 0;
    while (((uint64_t)1 << l) < x)
        l++;
    return l;
}

/* k, the random coefficients per row */
static size_t pad_len(const zk_pcs_params *p)
{
    return (size_t)p->hiding_openings * p->n_queries;
}

size_t zk_pcs_message_len(const zk_pcs_params *p)
{
    return ((size_t)1 << log_cols(p)) + pad_len(p);
}

/* log2 of the encoder's message size: C, or K rounded up to a power of two */
static unsigned log_msg(const zk_pcs_params *p)
{
    return p->hiding_openings ? ceil_log2(zk_pcs_message_len(p)) : log_cols(p);
}

static unsigned log_domain(const zk_pcs_params *p)
{
    return log_msg(p) + p->log_blowup;
}

size_t zk_pcs_codeword_len(const zk_pcs_params *p)
{
    return (size_t)1 << log_domain(p);
}

static int params_valid(const zk_pcs_params *p)
{
    if (!(p->log_n <= ZK_PCS_MAX_LOG_N && p->log_rows <= p->log_n && p->log_blowup >= 1 &&
          p->log_blowup <= 4 && p->n_queries >= 1 && p->n_queries <= ZA_MAX_MERKLE_QUERIES &&
          log_cols(p) + p->log_blowup <= ZA_MAX_MERKLE_DEPTH))
        return 0;
    /* hiding: a bounded budget, and a domain the NTT reaches */
    return p->hiding_openings <= ZA_MAX_PCS_HIDING_OPENINGS &&
           (!p->hiding_openings || log_domain(p) <= ZK_NTT_MAX_LOG);
}

/* The two error terms, in bits (docs/proof-system.md). */
static void error_terms(const zk_pcs_params *p, double *query_bits, double *prox_bits)
{
    /* hiding: the padding is part of the message, so the rate is K / NC */
    double rho = p->hiding_openings
                     ? (double)zk_pcs_message_len(p) / ldexp(1.0, (int)log_domain(p))
                     : ldexp(1.0, -(int)p->log_blowup);
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
    *prox_bits = 2.0 * log2((double)ZK_P) - (double)log_domain(p) - log2(2.0 * ell);
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
    size_t R = (size_t)1 << p->log_rows, K = zk_pcs_message_len(p);
    unsigned depth = log_domain(p);
    /* one extension vector, the columns (and their salts), and roughly
     * t*(depth - log2 t) siblings */
    double lt = log2((double)p->n_queries);
    double sib = p->n_queries * (depth > lt ? depth - lt : 1);
    size_t salts = p->hiding_openings ? (size_t)p->n_queries * SALT_LEN : 0;
    return K * 16 + (size_t)p->n_queries * R * 8 + salts + (size_t)(sib * 32);
}

void zk_pcs_default_params(unsigned log_n, zk_pcs_params *p)
{
    /* rate 1/4; for every row count, the fewest queries that reach the
     * target; keep the combination with the smallest opening */
    zk_pcs_params best = { log_n, 0, 2, 0, 0 };
    size_t best_size = SIZE_MAX;
    for (unsigned a = 0; a <= log_n; a++) {
        zk_pcs_params c = { log_n, a, 2, 1, 0 };
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

void zk_pcs_default_params_hiding(unsigned log_n, unsigned B, zk_pcs_params *p)
{
    if (B < 1)
        B = 1;
    if (B > ZA_MAX_PCS_HIDING_OPENINGS)
        B = ZA_MAX_PCS_HIDING_OPENINGS;
    /* the plain default's encoding work, R * NC = 4 * 2^log_n: hiding costs
     * no more when the padding fits in the doubled message (K <= 2C) at
     * log_blowup 1 */
    double budget = ldexp(4.0, (int)log_n);
    zk_pcs_params best = { log_n, 0, 1, 0, B };
    size_t best_size = SIZE_MAX;
    double best_work = INFINITY;
    int best_in = 0;
    for (unsigned lb = 1; lb <= 4; lb++)
        for (unsigned a = log_n >= 1 ? 1 : 0; a <= log_n; a++) {
            /* the least t whose padding B*t still leaves t queries enough:
             * security is not monotone in t (K crossing a power of two halves
             * the rate), so scan upward from 1 */
            zk_pcs_params c = { log_n, a, lb, 1, B };
            int ok = 0;
            for (; c.n_queries <= 1024 && params_valid(&c); c.n_queries++) {
                double q, x;
                error_terms(&c, &q, &x);
                if (x < ZK_PCS_DEFAULT_SECURITY_BITS)
                    break; /* the domain only grows with t: never reached */
                if (zk_pcs_security_bits(&c) >= ZK_PCS_DEFAULT_SECURITY_BITS) {
                    ok = 1;
                    break;
                }
            }
            if (!ok)
                continue;
            double work = ldexp(1.0, (int)(a + log_domain(&c)));
            int in = work <= budget;
            size_t sz = zk_pcs_opening_size_estimate(&c);
            /* within the budget: the smallest opening; otherwise the
             * cheapest encoding, then the smallest opening */
            int better = in ? (!best_in || sz < best_size)
                            : (!best_in && (work < best_work ||
                                            (work == best_work && sz < best_size)));
            if (better) {
                best = c, best_size = sz, best_work = work, best_in = in;
            }
        }
    *p = best;
}

void zk_pcs_prover_free(zk_pcs_prover *pp)
{
    if (!pp)
        return;
    free(pp->pad);
    free(pp->salt);
    free(pp->opened);
    free(pp->enc);
    zk_merkle_free(&pp->tree);
    free(pp);
}

/* H(0x00 || 0xff^8 || salt || column): a hiding commitment's leaf */
static void salted_leaf(const uint8_t *salt, const zk_fp *col, size_t rows, zk_digest *out)
{
    static const uint8_t tag = 0x00; /* zk/merkle.h leaf domain */
    za_sha256_ctx c;
    za_sha256_init(&c);
    za_sha256_update(&c, &tag, 1);
    za_sha256_update(&c, SALTED_TAG, sizeof SALTED_TAG);
    za_sha256_update(&c, salt, SALT_LEN);
    uint8_t buf[8 * 64];
    for (size_t i = 0; i < rows;) {
        size_t m = 0;
        for (; m < 64 && i < rows; m++, i++)
            zk_fp_to_bytes(col[i], buf + 8 * m);
        za_sha256_update(&c, buf, 8 * m);
    }
    za_sha256_final(&c, out->h);
}

typedef struct {
    const zk_fp *enc;
    size_t rows, nc;
    zk_digest *leaves;
    const uint8_t *salt; /* NC salts when hiding, else NULL */
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
        for (size_t k = 0; k < nq; k++) {
            if (c->salt)
                salted_leaf(c->salt + (q0 + k) * SALT_LEN, buf + k * c->rows, c->rows,
                            &c->leaves[q0 + k]);
            else
                zk_merkle_hash_fp_leaves(buf + k * c->rows, c->rows, 1, &c->leaves[q0 + k], 1);
        }
    }
    free(buf);
}

/* Row messages r0 .. r0+nb of a hiding commitment into msg (nb x 2^log_msg):
 * data, padding, zeros. */
static void fill_messages(const zk_pcs_prover *pp, size_t r0, size_t nb, zk_fp *msg)
{
    const zk_pcs_params *p = &pp->p;
    size_t C = (size_t)1 << log_cols(p), k = pad_len(p), Kp = (size_t)1 << log_msg(p);
    for (size_t r = 0; r < nb; r++) {
        zk_fp *m = msg + r * Kp;
        memcpy(m, pp->v + (r0 + r) * C, sizeof(zk_fp) * C);
        memcpy(m + C, pp->pad + (r0 + r) * k, sizeof(zk_fp) * k);
        memset(m + C + k, 0, sizeof(zk_fp) * (Kp - C - k));
    }
}

/* Encode rows r0 .. r0+nb into out (nb x NC).  msg: nb x 2^log_msg scratch,
 * used (and needed) only when hiding; a plain row is encoded in place. */
static void encode_rows(const zk_pcs_prover *pp, size_t r0, size_t nb, zk_fp *msg, zk_fp *out,
                        int threads)
{
    const zk_pcs_params *p = &pp->p;
    if (!p->hiding_openings) {
        size_t C = (size_t)1 << log_cols(p);
        zk_rs_encode_batch(pp->v + r0 * C, nb, log_cols(p), p->log_blowup, out, threads);
        return;
    }
    fill_messages(pp, r0, nb, msg);
    zk_rs_encode_batch(msg, nb, log_msg(p), p->log_blowup, out, threads);
}

/* scratch for encode_rows: NULL (nothing needed) or nb x 2^log_msg */
static int msg_scratch(const zk_pcs_params *p, size_t nb, zk_fp **msg)
{
    *msg = NULL;
    if (!p->hiding_openings)
        return 1;
    *msg = malloc(sizeof(zk_fp) * nb << log_msg(p));
    return *msg != NULL;
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
    size_t B = block_rows(R, NC);
    za_sha256_ctx *ctx = malloc(sizeof *ctx * NC);
    zk_fp *buf = malloc(sizeof(zk_fp) * B * NC), *msg = NULL;
    if (!ctx || !buf || !msg_scratch(p, B, &msg)) {
        free(ctx), free(buf);
        return za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
    }
    static const uint8_t tag = 0x00; /* zk/merkle.h leaf domain */
    for (size_t q = 0; q < NC; q++) {
        za_sha256_init(&ctx[q]);
        za_sha256_update(&ctx[q], &tag, 1);
        if (pp->salt) { /* the same bytes as salted_leaf */
            za_sha256_update(&ctx[q], SALTED_TAG, sizeof SALTED_TAG);
            za_sha256_update(&ctx[q], pp->salt + q * SALT_LEN, SALT_LEN);
        }
    }
    for (size_t r0 = 0; r0 < R; r0 += B) {
        size_t nb = R - r0 < B ? R - r0 : B;
        encode_rows(pp, r0, nb, msg, buf, threads);
        stream_ctx sc = { buf, nb, NC, ctx };
        za_parallel_for(NC, threads, stream_hash, &sc);
    }
    zk_digest *leaves = zk_merkle_leaves(&pp->tree);
    for (size_t q = 0; q < NC; q++)
        za_sha256_final(&ctx[q], leaves[q].h);
    free(ctx), free(buf), free(msg);
    return ZA_OK;
}

/* Columns q[0..k) of the encoded matrix into cols (k x R), re-encoding the
 * rows when the matrix was not kept. */
static za_status read_columns(const zk_pcs_prover *pp, const uint64_t *q, size_t k, zk_fp *cols,
                              za_error *err)
{
    const zk_pcs_params *p = &pp->p;
    size_t R = (size_t)1 << p->log_rows, NC = zk_pcs_codeword_len(p);
    if (pp->enc) {
        for (size_t i = 0; i < k; i++)
            for (size_t r = 0; r < R; r++)
                cols[i * R + r] = pp->enc[r * NC + q[i]];
        return ZA_OK;
    }
    size_t B = block_rows(R, NC);
    zk_fp *buf = malloc(sizeof(zk_fp) * B * NC), *msg = NULL;
    if (!buf || !msg_scratch(p, B, &msg)) {
        free(buf);
        return za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
    }
    for (size_t r0 = 0; r0 < R; r0 += B) {
        size_t nb = R - r0 < B ? R - r0 : B;
        encode_rows(pp, r0, nb, msg, buf, pp->threads);
        for (size_t i = 0; i < k; i++)
            for (size_t r = 0; r < nb; r++)
                cols[i * R + r0 + r] = buf[r * NC + q[i]];
    }
    free(buf), free(msg);
    return ZA_OK;
}

typedef struct {
    const uint8_t *seed;
    zk_fp *pad;
    size_t k;
} rand_ctx;

static void expand_pad(void *vctx, size_t b, size_t e)
{
    rand_ctx *c = vctx;
    for (size_t i = b; i < e; i++)
        zk_rand_fp(c->seed, i, c->pad + i * c->k, c->k);
}

/* The padding and the salts of a hiding commitment, from a fresh seed (or
 * the caller's, for a commitment that must be recomputed bit for bit). */
static za_status draw_hiding(zk_pcs_prover *pp, size_t R, size_t NC, int threads,
                             const uint8_t *given_seed, za_error *err)
{
    size_t k = pad_len(&pp->p);
    pp->pad = malloc(sizeof(zk_fp) * R * k);
    pp->salt = malloc(SALT_LEN * NC);
    pp->opened = malloc(sizeof *pp->opened);
    if (!pp->pad || !pp->salt || !pp->opened)
        return za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory for the padding of %zu rows",
                            R);
    atomic_init(pp->opened, 0);
    uint8_t seed[ZK_RAND_SEED_LEN];
    if (given_seed) {
        memcpy(seed, given_seed, sizeof seed);
    } else {
        za_status st = zk_rand_seed(seed, err);
        if (st != ZA_OK)
            return st;
    }
    rand_ctx rc = { seed, pp->pad, k };
    za_parallel_for(R, R * k >= 4096 ? threads : 1, expand_pad, &rc);
    zk_rand_bytes(seed, SALT_STREAM, pp->salt, SALT_LEN * NC); /* ~1 GB/s: one thread */
    memset(seed, 0, sizeof seed); /* the padding is kept; the seed is not needed again */
    return ZA_OK;
}

za_status zk_pcs_commit(const zk_fp *v, const zk_pcs_params *p, int threads,
                        zk_pcs_prover **out, zk_pcs_commitment *com, za_error *err)
{
    return zk_pcs_commit_seeded(v, p, threads, NULL, out, com, err);
}

za_status zk_pcs_commit_seeded(const zk_fp *v, const zk_pcs_params *p, int threads,
                               const uint8_t *seed, zk_pcs_prover **out, zk_pcs_commitment *com,
                               za_error *err)
{
    *out = NULL;
    if (!params_valid(p))
        return za_error_set(err, ZA_ERR_ARG, "pcs: invalid parameters (log_n %u, log_rows %u, "
                            "log_blowup %u, queries %u, hiding openings %u)", p->log_n,
                            p->log_rows, p->log_blowup, p->n_queries, p->hiding_openings);
    zk_pcs_prover *pp = calloc(1, sizeof *pp);
    if (!pp)
        return za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
    pp->p = *p;
    pp->v = v;
    pp->threads = threads;
    size_t R = (size_t)1 << p->log_rows, NC = zk_pcs_codeword_len(p);
    if (zk_merkle_alloc(&pp->tree, NC) != ZA_OK) {
        zk_pcs_prover_free(pp);
        return za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
    }
    if (p->hiding_openings) {
        za_status st = draw_hiding(pp, R, NC, threads, seed, err);
        if (st) {
            zk_pcs_prover_free(pp);
            return st;
        }
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
        /* hiding: the padded messages are built a block of rows at a time,
         * so the scratch stays small next to the encoded matrix */
        size_t B = p->hiding_openings ? block_rows(R, NC) : R;
        zk_fp *msg;
        if (!msg_scratch(p, B, &msg)) {
            zk_pcs_prover_free(pp);
            return za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory for %zu row messages",
                                B);
        }
        for (size_t r0 = 0; r0 < R; r0 += B)
            encode_rows(pp, r0, R - r0 < B ? R - r0 : B, msg, pp->enc + r0 * NC, threads);
        free(msg);
        hash_ctx hc = { pp->enc, R, NC, zk_merkle_leaves(&pp->tree), pp->salt };
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
    uint8_t b[20 + 32];
    const zk_pcs_params *p = &com->params;
    if (p->hiding_openings) {
        /* its own label, so a plain commitment's transcript is as before */
        uint32_t f[5] = { p->log_n, p->log_rows, p->log_blowup, p->n_queries,
                          p->hiding_openings };
        for (int i = 0; i < 5; i++)
            for (int k = 0; k < 4; k++)
                b[4 * i + k] = (uint8_t)(f[i] >> (8 * k));
        memcpy(b + 20, com->root.h, 32);
        zk_transcript_absorb(t, "pcs/commitment-hiding", b, sizeof b);
        return;
    }
    uint32_t f[4] = { p->log_n, p->log_rows, p->log_blowup, p->n_queries };
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++)
            b[4 * i + k] = (uint8_t)(f[i] >> (8 * k));
    memcpy(b + 16, com->root.h, 32);
    zk_transcript_absorb(t, "pcs/commitment", b, 16 + 32);
}

#define HIDING_FLAG 0x80 /* on the log_n byte (pcs.h) */

void zk_pcs_commitment_write(zk_writer *w, const zk_pcs_commitment *com)
{
    unsigned B = com->params.hiding_openings;
    zk_write_u8(w, (uint8_t)(com->params.log_n | (B ? HIDING_FLAG : 0)));
    zk_write_u8(w, (uint8_t)com->params.log_rows);
    zk_write_u8(w, (uint8_t)com->params.log_blowup);
    zk_write_u16(w, (uint16_t)com->params.n_queries);
    if (B)
        zk_write_u16(w, (uint16_t)B);
    zk_write_digest(w, &com->root);
}

za_status zk_pcs_commitment_read(zk_reader *r, zk_pcs_commitment *com)
{
    uint8_t a, b, c;
    uint16_t q, h = 0;
    size_t at = r->off;
    zk_read_u8(r, "log_n", &a);
    zk_read_u8(r, "log_rows", &b);
    zk_read_u8(r, "log_blowup", &c);
    zk_read_u16(r, "queries", &q);
    int hiding = zk_reader_status(r) == ZA_OK && (a & HIDING_FLAG);
    if (hiding)
        zk_read_u16(r, "hiding openings", &h);
    zk_read_digest(r, "root", &com->root);
    if (zk_reader_status(r) != ZA_OK)
        return zk_reader_status(r);
    a &= (uint8_t)~HIDING_FLAG;
    com->params = (zk_pcs_params){ a, b, c, q, h };
    if (hiding && (h < 1 || h > ZA_MAX_PCS_HIDING_OPENINGS))
        return zk_reader_fail(r, at, ZA_ERR_MALFORMED, "commitment parameters",
                              "a hiding commitment for %u openings (1..%d allowed)", h,
                              ZA_MAX_PCS_HIDING_OPENINGS);
    if (!params_valid(&com->params))
        return zk_reader_fail(r, at, ZA_ERR_MALFORMED, "commitment parameters",
                              "invalid (log_n %u, log_rows %u, log_blowup %u, queries %u, "
                              "hiding openings %u)", a, b, c, q, h);
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
    uint64_t nc = zk_pcs_codeword_len(p);
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
    size_t K = zk_pcs_message_len(p), k_pad = pad_len(p);
    unsigned depth = log_domain(p);
    if (p->hiding_openings && atomic_fetch_add(pp->opened, 1) >= p->hiding_openings)
        return za_error_set(err, ZA_ERR_LIMIT,
                            "pcs: a hiding commitment for %u openings cannot be opened again "
                            "(commit again with fresh randomness)", p->hiding_openings);
    za_status st = ZA_OK;
    zk_fp2 *erow = malloc(sizeof(zk_fp2) * R), *uv = malloc(sizeof(zk_fp2) * K);
    uint64_t *q = malloc(sizeof(uint64_t) * p->n_queries);
    zk_fp *col = malloc(sizeof(zk_fp) * R * p->n_queries);
    zk_digest *sib = malloc(sizeof(zk_digest) * ((size_t)p->n_queries * depth + 1));
    if (!erow || !uv || !q || !col || !sib) {
        st = za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
        goto out;
    }
    absorb_claim(t, p, point, value);
    zk_eq_table(point + log_cols(p), p->log_rows, erow);
    combine_ctx cc = { pp->v, R, C, erow, uv };
    za_parallel_for(C, (size_t)R * C >= ((size_t)1 << 16) ? pp->threads : 1, combine_rows, &cc);
    if (k_pad) {
        /* u's padding part: the same combination of the rows' random coefficients */
        combine_ctx pc = { pp->pad, R, k_pad, erow, uv + C };
        za_parallel_for(k_pad, (size_t)R * k_pad >= ((size_t)1 << 16) ? pp->threads : 1,
                        combine_rows, &pc);
    }
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
    zk_write_fp2_array(w, uv, K);
    zk_transcript_absorb_fp2(t, "pcs/u", uv, K);
    size_t k = draw_queries(t, p, q);
    if ((st = read_columns(pp, q, k, col, err)))
        goto out;
    for (size_t i = 0; i < k; i++)
        zk_write_fp_array(w, col + i * R, R);
    if (pp->salt) /* hiding: the opened columns' salts, in the same order */
        for (size_t i = 0; i < k; i++)
            zk_write_bytes(w, pp->salt + q[i] * SALT_LEN, SALT_LEN);
    size_t n_sib = 0;
    st = zk_merkle_open(&pp->tree, q, k, sib, (size_t)p->n_queries * depth + 1, &n_sib, err);
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

unsigned zk_pcs_openings_left(const zk_pcs_prover *pp)
{
    if (!pp->p.hiding_openings)
        return UINT_MAX;
    unsigned used = atomic_load(pp->opened);
    return used >= pp->p.hiding_openings ? 0 : pp->p.hiding_openings - used;
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

/* Encode an extension vector of length K (as two base-field rows, each
 * zero-padded to the encoder's message size). */
static int encode_ext(const zk_fp2 *v, const zk_pcs_params *p, zk_fp *e0, zk_fp *e1)
{
    size_t K = zk_pcs_message_len(p), M = (size_t)1 << log_msg(p);
    zk_fp *m = calloc(2 * M, sizeof(zk_fp));
    if (!m)
        return 0;
    for (size_t j = 0; j < K; j++) {
        m[j] = v[j].c0;
        m[M + j] = v[j].c1;
    }
    zk_rs_encode_batch(m, 1, log_msg(p), p->log_blowup, e0, 1);
    zk_rs_encode_batch(m + M, 1, log_msg(p), p->log_blowup, e1, 1);
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
    if (bits < ZK_PCS_MIN_SECURITY_BITS && p->hiding_openings)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "pcs: hiding commitment parameters give %.1f bits of security, below "
                            "the required %d (rate %zu/%zu with the padding, %u queries)", bits,
                            ZK_PCS_MIN_SECURITY_BITS, zk_pcs_message_len(p),
                            zk_pcs_codeword_len(p), p->n_queries);
    if (bits < ZK_PCS_MIN_SECURITY_BITS)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "pcs: commitment parameters give %.1f bits of security, below the "
                            "required %d (rate 2^-%u, %u queries)", bits, ZK_PCS_MIN_SECURITY_BITS,
                            p->log_blowup, p->n_queries);
    size_t R = (size_t)1 << p->log_rows, C = (size_t)1 << log_cols(p);
    size_t K = zk_pcs_message_len(p), NC = zk_pcs_codeword_len(p);
    unsigned depth = log_domain(p);
    int hiding = p->hiding_openings != 0;
    za_status st = ZA_OK;
    zk_fp2 *erow = malloc(sizeof(zk_fp2) * R), *ecol = malloc(sizeof(zk_fp2) * C);
    zk_fp2 *uv = malloc(sizeof(zk_fp2) * K);
    zk_fp *eu = malloc(sizeof(zk_fp) * 2 * NC);
    uint64_t *q = malloc(sizeof(uint64_t) * p->n_queries);
    zk_fp *cols = malloc(sizeof(zk_fp) * R * p->n_queries);
    zk_digest *leaves = malloc(sizeof(zk_digest) * p->n_queries);
    uint8_t *salts = hiding ? malloc((size_t)SALT_LEN * p->n_queries) : NULL;
    zk_digest *sib = NULL;
    if (!erow || !ecol || !uv || !eu || !q || !cols || !leaves || (hiding && !salts)) {
        st = za_error_set(err, ZA_ERR_NOMEM, "pcs: out of memory");
        goto out;
    }
    absorb_claim(t, p, point, value);
    zk_reader_section(r, "pcs opening");
    /* hiding: u[C..K) is the padding's combination; only u[0..C) carries v */
    zk_read_fp2_array(r, "evaluation vector u", uv, K);
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
    zk_transcript_absorb_fp2(t, "pcs/u", uv, K);
    size_t k = draw_queries(t, p, q);
    zk_read_fp_array(r, "queried columns", cols, R * k);
    if (hiding)
        zk_read_bytes(r, "column salts", salts, SALT_LEN * k);
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
    for (size_t i = 0; i < k; i++) {
        if (hiding)
            salted_leaf(salts + i * SALT_LEN, cols + i * R, R, &leaves[i]);
        else
            zk_merkle_hash_fp_leaves(cols + i * R, R, 1, &leaves[i], 1);
    }
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
    free(salts);
    free(sib);
    return st;
}
