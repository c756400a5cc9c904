/* zk/pcs.h - a multilinear polynomial commitment (Ligero-style tensor code).
 *
 * The committed object is a vector v of 2^log_n base-field elements, read as
 * the multilinear polynomial v~ with v~(b) = v[b] on the hypercube (zk/mle.h
 * convention: bit j of the index is variable x_j).  It is laid out as a
 * matrix M of R = 2^log_rows rows and C = 2^log_cols columns, v[i*C + j] =
 * M[i][j], so the low log_cols variables select the column and the high
 * log_rows variables the row.  Each row is Reed-Solomon encoded at rate
 * 2^-log_blowup (zk/ntt.h), and the Merkle tree (zk/merkle.h) is built over
 * the columns of the encoded matrix E (R x C*2^log_blowup): leaf q is the
 * canonical encoding of E[0][q], ..., E[R-1][q].
 *
 * Opening v~(r) = y, for r in F_p2^log_n, after the commitment and the claim
 * have been absorbed into the transcript:
 *   1. the prover sends u = eq(r_row)^T M (C extension elements);
 *   2. the verifier checks <u, eq(r_col)> = y, absorbs u, and draws
 *      n_queries column indices (with replacement) from the transcript;
 *   3. the prover sends those columns of E (distinct, increasing) and their
 *      Merkle multi-opening; the verifier hashes the columns, checks the
 *      opening against the root, and checks Enc(u)[q] = sum_i eq(r_row)_i E[i][q]
 *      at every queried column q.
 * The row combination eq(r_row) doubles as the proximity test (there is no
 * separate random combination): a tensor of uniform coordinates tests
 * proximity to the interleaved code almost as well as a uniform vector
 * (Diamond-Posen 2023).  PRECONDITION: the row coordinates of the point must
 * be uniformly random challenges drawn after the commitment was absorbed -
 * which every caller satisfies, since it opens at the output point of a
 * sumcheck (zk/commit.c, zk/logup.c).  Opening at a point the prover chose
 * would not bind it to one polynomial.
 * Soundness (docs/proof-system.md): rate rho = 2^-log_blowup, unique-decoding
 * radius delta < (1-rho)/2; error <= ((1+rho)/2)^n_queries +
 * 2*log_rows*|E row|/|F_p2|.  The verifier refuses parameters below
 * ZK_PCS_MIN_SECURITY_BITS whatever the prover chose.
 *
 * Hiding (hiding_openings = B >= 1; docs/proof-system.md "Hiding
 * commitments").  Each row message gets k = B * n_queries uniformly random
 * coefficients after its C data entries: the row is the polynomial of
 * degree < K = C + k whose coefficients are (data, padding), evaluated on
 * the subgroup of order NC = 2^(ceil(log2 K) + log_blowup), so the code has
 * rate rho = K / NC and any <= k positions of an encoded row are uniform
 * whatever the data.  Each column leaf hashes a fresh 32-byte salt before the
 * column, H(0x00 || 0xff^8 || salt || column) (eight 0xff bytes are no
 * canonical field element, so no plain leaf has these bytes), and an
 * opening sends the salts of the opened columns (the opening is u, the
 * columns, their salts in the same order, the siblings).  u has K entries; the
 * evaluation check uses u[0..C), the column check Enc(u).  The prover
 * refuses an opening beyond the B-th.  What an opening still reveals is the
 * data part of u, eq(r_row)^T M: a caller that must hide it adds mask rows
 * (zk/commit.h).  A plain commitment (B = 0) has the format, transcript and
 * proofs of before, byte for byte.
 *
 * The interface (commit / open / verify on one vector at one point) is what
 * a Basefold or WHIR commitment would also implement; batching many vectors
 * and many claims sits above it (zk/commit.h).
 */
#ifndef ZK_PCS_H
#define ZK_PCS_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/limits.h" /* ZA_MAX_PCS_HIDING_OPENINGS */
#include "zk/encode.h"
#include "zk/field.h"
#include "zk/merkle.h"
#include "zk/transcript.h"

#define ZK_PCS_MIN_SECURITY_BITS 100     /* the verifier's floor per opening */
#define ZK_PCS_DEFAULT_SECURITY_BITS 104 /* default target: 16 openings in one proof
                                            still total >= 100 bits */
#define ZK_PCS_MAX_LOG_N 30

typedef struct {
    unsigned log_n;      /* the vector has 2^log_n elements */
    unsigned log_rows;   /* R = 2^log_rows */
    unsigned log_blowup; /* code rate 2^-log_blowup, 1..4 */
    unsigned n_queries;  /* column queries per opening */
    unsigned hiding_openings; /* 0: not hiding; B in 1..ZA_MAX_PCS_HIDING_OPENINGS: the
                                 commitment stays hiding for B openings (see above) */
} zk_pcs_params;

typedef struct {
    zk_pcs_params params;
    zk_digest root;
} zk_pcs_commitment;

/* Parameters for 2^log_n elements with at least ZK_PCS_DEFAULT_SECURITY_BITS:
 * rate 1/4, the least number of queries that reaches the target, and the
 * row count that minimises the opening size. */
void zk_pcs_default_params(unsigned log_n, zk_pcs_params *p);

/* Hiding parameters for 2^log_n elements and B openings (1 <= B <=
 * ZA_MAX_PCS_HIDING_OPENINGS) with at least ZK_PCS_DEFAULT_SECURITY_BITS:
 * the padding k = B * n_queries enters the rate, so n_queries is the least
 * fixed point t with security(t, k = B*t) >= the target; among row counts
 * and log_blowup 1..4 the smallest opening whose encoding costs no more than
 * the plain default (R * NC <= 4 * 2^log_n), else the cheapest encoding.
 * At least two rows when log_n >= 1 (with one row u would be the row). */
void zk_pcs_default_params_hiding(unsigned log_n, unsigned B, zk_pcs_params *p);

/* Row message length K = C + hiding_openings * n_queries (C when not hiding)
 * and the number of encoded columns NC (Merkle leaves). */
size_t zk_pcs_message_len(const zk_pcs_params *p);
size_t zk_pcs_codeword_len(const zk_pcs_params *p);

/* Bits of security of a parameter set (the minimum over the proof's error
 * terms, docs/proof-system.md); 0 for invalid parameters. */
double zk_pcs_security_bits(const zk_pcs_params *p);

/* Estimated opening size in bytes (for choosing parameters and benchmarks). */
size_t zk_pcs_opening_size_estimate(const zk_pcs_params *p);

/* Prover state: the borrowed vector, the encoded matrix and the tree. */
typedef struct zk_pcs_prover zk_pcs_prover;

/* Commit to v[0 .. 2^p->log_n).  v is borrowed and must stay unchanged and
 * alive until zk_pcs_prover_free.  threads <= 0: za_default_threads().
 * Hiding parameters draw a fresh seed (zk/rand.h) for the padding and the
 * salts, which the prover owns (R*k elements and NC salts) until freed. */
za_status zk_pcs_commit(const zk_fp *v, const zk_pcs_params *p, int threads,
                        zk_pcs_prover **out, zk_pcs_commitment *com, za_error *err) ZA_WARN_UNUSED;
/* The same with the hiding randomness expanded from a given secret seed
 * (ZK_RAND_SEED_LEN bytes; NULL: a fresh one), so that a commitment made
 * once can be recomputed identically later (a private model's, which every
 * proof reopens).  Ignored for plain parameters. */
za_status zk_pcs_commit_seeded(const zk_fp *v, const zk_pcs_params *p, int threads,
                               const uint8_t *seed, zk_pcs_prover **out, zk_pcs_commitment *com,
                               za_error *err) ZA_WARN_UNUSED;
void zk_pcs_prover_free(zk_pcs_prover *pp);

/* Encoded matrices of at least n elements (default 2^28: 2 GiB) are not
 * kept in memory: they are hashed a block of rows at a time and re-encoded
 * at opening time.  Proofs are identical either way.  Process-wide; for
 * tests and memory-constrained provers.  Set it before committing. */
void zk_pcs_set_lowmem_elems(size_t n);

/* Absorb a commitment (parameters and root) into a transcript; both sides
 * call this before drawing any challenge that the committed vector must not
 * depend on. */
void zk_pcs_absorb_commitment(zk_transcript *t, const zk_pcs_commitment *com);

/* Write the proof that v~(point) = value (value computed by the caller or
 * with zk_mle_eval).  point has log_n coordinates.  The caller has absorbed
 * the point and the value (zk_pcs_open and zk_pcs_verify absorb them too, so
 * a transcript that did not is still bound to them).  A hiding commitment
 * is opened at most hiding_openings times: later calls fail (ZA_ERR_LIMIT)
 * and write nothing.  Safe to call from several threads. */
za_status zk_pcs_open(const zk_pcs_prover *pp, const zk_fp2 *point, zk_fp2 value,
                      zk_transcript *t, zk_writer *w, za_error *err) ZA_WARN_UNUSED;

/* Openings a hiding commitment still allows (UINT_MAX when not hiding), so
 * that a caller can refuse before writing anything of its own. */
unsigned zk_pcs_openings_left(const zk_pcs_prover *pp);

/* TEST ONLY (soundness suites): a cheating prover claiming `value`, which
 * need not be v~(point).  It shifts u[0] so that <u, eq(r_col)> = value
 * passes, and otherwise follows the protocol honestly (same transcript,
 * real columns and Merkle paths), so only the column checks can catch it. */
za_status zk_pcs_open_cheating(const zk_pcs_prover *pp, const zk_fp2 *point, zk_fp2 value,
                               zk_transcript *t, zk_writer *w, za_error *err) ZA_WARN_UNUSED;

/* Check an opening read from r.  Rejects parameters below the security
 * floor, malformed or truncated input, and every failed check, with a
 * message naming what failed. */
za_status zk_pcs_verify(const zk_pcs_commitment *com, const zk_fp2 *point, zk_fp2 value,
                        zk_transcript *t, zk_reader *r, za_error *err) ZA_WARN_UNUSED;

/* v~(point) for a base-field vector of 2^log_n elements (O(2^log_n)). */
zk_fp2 zk_pcs_eval(const zk_fp *v, unsigned log_n, const zk_fp2 *point);

/* Parameters and root on the wire (the verifier re-checks the parameters):
 *   plain:  u8 log_n, u8 log_rows, u8 log_blowup, u16 n_queries, root
 *   hiding: u8 (log_n | 0x80), u8 log_rows, u8 log_blowup, u16 n_queries,
 *           u16 hiding_openings, root
 * (log_n <= 30, so the high bit was free and a reader of plain commitments
 * refuses a hiding one as invalid parameters.) */
void zk_pcs_commitment_write(zk_writer *w, const zk_pcs_commitment *com);
za_status zk_pcs_commitment_read(zk_reader *r, zk_pcs_commitment *com) ZA_WARN_UNUSED;

#endif
