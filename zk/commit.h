/* zk/commit.h - several vectors in one commitment, many claims in one
 * opening.
 *
 * Layout.  Vectors v_0..v_{k-1} (base field, any lengths >= 1) are each
 * zero-padded to 2^{n_i} (n_i = log2_ceil(len_i)) and placed, largest first,
 * at offsets that are multiples of their padded size in one table V of
 * 2^N entries (N = log2_ceil of the total), which is committed with
 * zk/pcs.h.  Because offset_i is a multiple of 2^{n_i}, the low n_i
 * variables of V index inside v_i and the high N - n_i variables are the
 * fixed bits of offset_i / 2^{n_i}:
 *     v_i~(r) = V~(r_0, .., r_{n_i - 1}, bits of offset_i >> n_i).
 * (zk/mle.h convention; zero padding adds nothing to any claim.)
 *
 * Opening.  Claims (vector i, point r, value y) on any of the vectors are
 * turned into claims on V at the points above, reduced to one point by
 * zk_batch_eval (one degree-2 sumcheck), and opened once.  Soundness error:
 * that of zk_batch_eval plus one zk_pcs opening.
 *
 * Hiding (zk_multi_commit_ex with hiding_openings = B >= 1).  The table is
 * committed with hiding PCS parameters (zk_pcs_default_params_hiding(N, B))
 * and holds one more vector, the MASK: m = 2^ceil(log2 B) whole rows of the
 * PCS matrix (m * C entries, one row for B = 1) of uniform random elements,
 * placed like any vector (largest first, at a multiple of its size, hence
 * row-aligned).  The opened row combination u = eq(r_row)^T M then has the
 * mask rows' combination added, which is uniform (the mask rows' eq weights
 * are non-zero, and for B openings the B x m weight matrix has rank B, with
 * overwhelming probability over the points); so are V~(z) and u's padding
 * part, and the opened columns are uniform by the PCS's padding except the
 * mask rows', which the checks determine (docs/proof-system.md, "Hiding
 * commitments").  N is the least number of variables whose hiding layout
 * fits the padded vectors and the mask; both parties compute the layout from
 * the lengths and B.  Claims never refer to the mask.  NOT hidden: the
 * batched-evaluation sumcheck's messages (zk/sumcheck.c is not
 * zero-knowledge yet).
 */
#ifndef ZK_COMMIT_H
#define ZK_COMMIT_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "zk/encode.h"
#include "zk/field.h"
#include "zk/pcs.h"
#include "zk/transcript.h"

#define ZK_MULTI_MAX_VECS 1024
#define ZK_MULTI_MAX_VARS 30

typedef struct {
    unsigned n_vecs;
    unsigned log_total;                    /* N */
    size_t len[ZK_MULTI_MAX_VECS];         /* as given */
    unsigned log_len[ZK_MULTI_MAX_VECS];   /* n_i */
    uint64_t offset[ZK_MULTI_MAX_VECS];    /* multiple of 2^{n_i} */
    /* hiding only (all 0 otherwise): */
    unsigned hiding_openings;              /* B */
    unsigned mask_log_len;                 /* the mask has 2^mask_log_len entries */
    uint64_t mask_offset;                  /* multiple of 2^mask_log_len */
} zk_multi_layout;

typedef struct {
    unsigned hiding_openings; /* 0: plain, as zk_multi_commit; B in
                                 1..ZA_MAX_PCS_HIDING_OPENINGS: hiding for B openings */
    const uint8_t *seed;      /* hiding: NULL draws fresh randomness; else the mask, the
                                 padding and the salts are expanded from these
                                 ZK_RAND_SEED_LEN secret bytes (a commitment recomputed
                                 identically, e.g. a private model's) */
} zk_multi_commit_opts;

/* The layout of vectors of the given lengths (deterministic: both parties
 * compute it from the lengths alone). */
za_status zk_multi_layout_make(const size_t *lens, unsigned n, zk_multi_layout *L,
                               za_error *err) ZA_WARN_UNUSED;
/* The same with options (opts NULL: plain): a hiding layout also places the
 * mask, from the lengths and B alone. */
za_status zk_multi_layout_make_ex(const size_t *lens, unsigned n, const zk_multi_commit_opts *opts,
                                  zk_multi_layout *L, za_error *err) ZA_WARN_UNUSED;

/* The PCS parameters a layout's table is committed with: the plain
 * defaults, or the hiding defaults for B openings. */
void zk_multi_pcs_params(const zk_multi_layout *L, zk_pcs_params *p);

typedef struct {
    unsigned vec;                       /* which vector */
    zk_fp2 point[ZK_MULTI_MAX_VARS];    /* log_len[vec] coordinates */
    zk_fp2 value;
} zk_multi_claim;

typedef struct zk_multi_prover zk_multi_prover;

/* Lay out and commit vecs[i][0 .. lens[i]).  The vectors are copied. */
za_status zk_multi_commit(const zk_fp *const *vecs, const size_t *lens, unsigned n, int threads,
                          zk_multi_prover **out, zk_pcs_commitment *com, zk_multi_layout *L,
                          za_error *err) ZA_WARN_UNUSED;
/* The same with options (opts NULL: plain).  Hiding draws the mask with
 * zk/rand.h (seeded by RAND_bytes); the prover then allows B openings. */
za_status zk_multi_commit_ex(const zk_fp *const *vecs, const size_t *lens, unsigned n,
                             const zk_multi_commit_opts *opts, int threads,
                             zk_multi_prover **out, zk_pcs_commitment *com, zk_multi_layout *L,
                             za_error *err) ZA_WARN_UNUSED;
void zk_multi_prover_free(zk_multi_prover *mp);

/* The committed copy of vector i (2^{n_i} entries, zero-padded), valid
 * until zk_multi_prover_free: callers may drop their own copies. */
const zk_fp *zk_multi_vector(const zk_multi_prover *mp, unsigned vec);

/* v_i~(point) for a claim (for the prover, or tests). */
zk_fp2 zk_multi_eval(const zk_multi_prover *mp, unsigned vec, const zk_fp2 *point);

/* Prove all claims with one batched opening.  The caller has absorbed the
 * commitment; the claims are absorbed here.  A hiding commitment allows B
 * calls (ZA_ERR_LIMIT after).  The verifier refuses a commitment whose
 * hiding budget differs from the layout's. */
za_status zk_multi_open(const zk_multi_prover *mp, const zk_multi_claim *claims,
                        unsigned n_claims, zk_transcript *t, zk_writer *w,
                        za_error *err) ZA_WARN_UNUSED;
za_status zk_multi_verify(const zk_pcs_commitment *com, const zk_multi_layout *L,
                          const zk_multi_claim *claims, unsigned n_claims, zk_transcript *t,
                          zk_reader *r, za_error *err) ZA_WARN_UNUSED;

/* The whole table V (2^N entries), valid until zk_multi_prover_free. */
const zk_fp *zk_multi_table(const zk_multi_prover *mp);
/* One claim V~(point) = value on the whole table, opened directly (the
 * caller has reduced its claims to it, e.g. by a sumcheck whose output
 * point this is: zk/pcs.h's precondition). */
za_status zk_multi_open_point(const zk_multi_prover *mp, const zk_fp2 *point, zk_fp2 value,
                              zk_transcript *t, zk_writer *w, za_error *err) ZA_WARN_UNUSED;
za_status zk_multi_verify_point(const zk_pcs_commitment *com, const zk_multi_layout *L,
                                const zk_fp2 *point, zk_fp2 value, zk_transcript *t,
                                zk_reader *r, za_error *err) ZA_WARN_UNUSED;

#endif
