/* zk/sumcheck.h - the sumcheck protocol over the Boolean hypercube, with
 * Fiat-Shamir through zk_transcript, and two protocols built on it (a
 * zero-check and the reduction of many evaluation claims to one).
 *
 * Statement.  For multilinear tables P_0..P_{m-1} of 2^n entries (zk/mle.h
 * convention) and terms t = (c_t, factors k_{t,1..f_t}), f_t <= 4,
 *     sum_{x in {0,1}^n} F(x) = claim,   F = sum_t c_t prod_i P_{k_{t,i}}.
 * A table may appear in several terms and several times in one term (name
 * it once in the table list and reuse its index: an ext_inplace table must
 * not be listed twice, nor overlap another table).  The degree d of the
 * instance is max_t f_t.
 *
 * Rounds.  Variables are bound highest first, like zk_mle_fold_*: round k
 * (k = 0 .. n-1) binds x_{n-1-k}.  The prover sends the round polynomial
 *     g_k(X) = sum_{x_0..x_{n-2-k}} F(x_0, .., x_{n-2-k}, X, r_{n-k}, .., r_{n-1})
 * (degree <= d) as its d values g_k(0), g_k(2), g_k(3), .., g_k(d): the value
 * at 1 is not sent, the verifier derives it from the running claim,
 * g_k(1) = claim_k - g_k(0) (so a round cannot fail on its own: every
 * inconsistency surfaces in the final check).  Both sides absorb the d
 * values (label "sumcheck/round"), draw r in F_p2 ("sumcheck/r") and set
 * claim_{k+1} = g_k(r) by Lagrange interpolation on the nodes 0..d.  The
 * point returned has point[j] = the challenge that bound x_j, so round k's
 * challenge is point[n-1-k].  Before round 0 both sides absorb n, d and the
 * claim ("sumcheck/start").  Proof size: n * d extension elements.
 *
 * The verifier returns the point and the final claim; the caller must then
 * check final_claim == sum_t c_t prod_i P_{k_{t,i}}(point) from evaluations
 * it trusts (commitment openings, or values it computes itself), e.g. with
 * zk_sumcheck_check_final.  The prover returns the point and every table's
 * evaluation there (what the caller proves by opening commitments).
 * Soundness error: n * d / |F_p2| ~ n * d * 2^-128 (Schwartz-Zippel per
 * round), plus the Fiat-Shamir loss in the random-oracle model.
 *
 * Prover cost.  Round 0 reads the caller's tables (base-field arithmetic
 * when all of them are base-field); round k >= 1 folds every table by
 * r_{k-1} (fused with that round's evaluation, so each round streams the
 * tables once) into working copies of 2^(n-1) extension elements allocated
 * once (ext_inplace tables are folded in place, no copy); per-round work is
 * linear in the current table size and no allocation happens per round.
 * Working memory: 16 * 2^(n-1) bytes per table that is not ext_inplace
 * (2 MiB-aligned, transparent huge pages where available).  The inner
 * loops are written to vectorize (zk_fp_*_v in zk/mle.h).
 * Rounds with at least 2^15 pairs run on za_parallel_for; threads <= 0
 * means za_default_threads().  Proofs never depend on the thread count.
 *
 * Proof messages are plain structs; zk_sumcheck_proof_write/_read are the
 * one place that serializes them (zk/encode.h).
 */
#ifndef ZK_SUMCHECK_H
#define ZK_SUMCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "zk/encode.h"
#include "zk/field.h"
#include "zk/mle.h"
#include "zk/transcript.h"

#define ZK_SUMCHECK_MAX_FACTORS 4 /* tables multiplied in one term */
#define ZK_SUMCHECK_MAX_DEGREE 5  /* round polynomial degree (4, +1 in a zero-check) */
#define ZK_SUMCHECK_MAX_TABLES 32
#define ZK_SUMCHECK_MAX_TERMS 32
#define ZK_SUMCHECK_MAX_VARS 40
#define ZK_SUMCHECK_MAX_CLAIMS 4096 /* evaluation claims batched by zk_batch_eval */

typedef struct {
    zk_fp2 coeff;
    unsigned n_factors;                         /* 1 .. ZK_SUMCHECK_MAX_FACTORS */
    unsigned factors[ZK_SUMCHECK_MAX_FACTORS];  /* indices into the tables */
} zk_sumcheck_term;

typedef struct {
    unsigned n_vars;                 /* every table has 2^n_vars entries */
    unsigned n_tables;
    const zk_mle_ref *tables;
    unsigned n_terms;
    const zk_sumcheck_term *terms;
} zk_sumcheck_instance;

typedef struct {
    unsigned n_vars, degree;
    zk_fp2 *evals; /* n_vars * degree; round k at evals[k*degree ..]: g_k(0), g_k(2), .., g_k(d) */
} zk_sumcheck_proof;

/* A term with up to four factors (pass n_factors, then the indices). */
zk_sumcheck_term zk_sumcheck_term_make(zk_fp2 coeff, unsigned n_factors, unsigned f0, unsigned f1,
                                       unsigned f2, unsigned f3);

/* max_t n_factors (0 for no terms). */
unsigned zk_sumcheck_degree(const zk_sumcheck_term *terms, unsigned n_terms);

/* Checks the shape of an instance (counts, factor indices, one pointer per
 * table).  ZA_ERR_ARG with a message otherwise. */
za_status zk_sumcheck_instance_check(const zk_sumcheck_instance *inst, za_error *err)
    ZA_WARN_UNUSED;

/* sum_t c_t prod_i evals[k_{t,i}] - F at a point from its tables' values. */
zk_fp2 zk_sumcheck_combine(const zk_sumcheck_term *terms, unsigned n_terms, const zk_fp2 *evals);
/* ZA_OK if zk_sumcheck_combine(terms, evals) == final_claim, else
 * ZA_ERR_MISMATCH ("sumcheck: final evaluation check failed"). */
za_status zk_sumcheck_check_final(const zk_sumcheck_term *terms, unsigned n_terms,
                                  const zk_fp2 *evals, zk_fp2 final_claim, za_error *err)
    ZA_WARN_UNUSED;

/* The sum over the hypercube (O(2^n); for callers and tests). */
zk_fp2 zk_sumcheck_sum(const zk_sumcheck_instance *inst, int threads);

/* Prove sum F = claim.  The prover does not check the claim (a wrong one
 * gives a proof the verifier rejects).  On success proof->evals is a new
 * allocation (zk_sumcheck_proof_free), point receives n_vars coordinates and
 * evals one value per table (MLE of table i at point).  Fails only on bad
 * arguments or out of memory. */
za_status zk_sumcheck_prove(const zk_sumcheck_instance *inst, zk_fp2 claim, zk_transcript *t,
                            int threads, zk_sumcheck_proof *proof, zk_fp2 *point, zk_fp2 *evals,
                            za_error *err) ZA_WARN_UNUSED;

/* Replay the rounds for a statement of n_vars variables and degree `degree`
 * claiming `claim`; fills point (n_vars) and *final_claim.  Fails
 * (ZA_ERR_MALFORMED) if the proof does not have that shape; never reads
 * outside proof->evals[0 .. n_vars*degree). */
za_status zk_sumcheck_verify(unsigned n_vars, unsigned degree, zk_fp2 claim,
                             const zk_sumcheck_proof *proof, zk_transcript *t, zk_fp2 *point,
                             zk_fp2 *final_claim, za_error *err) ZA_WARN_UNUSED;

void zk_sumcheck_proof_free(zk_sumcheck_proof *p);
size_t zk_sumcheck_proof_bytes(const zk_sumcheck_proof *p); /* encoded size */
/* Encoding: n_vars * degree extension elements, no prefix (the verifier
 * knows both numbers from the statement). */
void zk_sumcheck_proof_write(zk_writer *w, const zk_sumcheck_proof *p);
za_status zk_sumcheck_proof_read(zk_reader *r, unsigned n_vars, unsigned degree,
                                 zk_sumcheck_proof *p) ZA_WARN_UNUSED;

/* Lagrange interpolation: the degree-d polynomial with values vals[0..d]
 * at 0, 1, .., d, evaluated at x (d <= ZK_SUMCHECK_MAX_DEGREE). */
zk_fp2 zk_sumcheck_interpolate(const zk_fp2 *vals, unsigned d, zk_fp2 x);

/* ---- zero-check ----
 * Prove C(x) = 0 on the whole hypercube, C = sum_t c_t prod P (the
 * instance, degree dC <= 4), by the sumcheck of eq(tau, x) * C(x) with sum
 * 0, tau in F_p2^n drawn from the transcript ("zerocheck/tau") after
 * absorbing n and dC ("zerocheck/start").  The proof is an ordinary sumcheck
 * proof of degree dC + 1.  The prover never builds eq(tau, .) * C: it splits
 * eq(tau, x) = eq(tau_bound, r) * eq1(tau_k, X) * eq(tau_low, x_low)
 * (Gruen's factoring), evaluates only C's degree-dC part weighted by the
 * low eq (kept as two small tables), and recovers the round polynomial.
 * The verifier returns the point and c_claim = final_claim / eq(tau, point),
 * the value C must have at the point (check it with
 * zk_sumcheck_check_final); it rejects if eq(tau, point) = 0 (probability
 * n/|F_p2|).  Soundness error: (n (dC+1) + n) / |F_p2|. */
za_status zk_zerocheck_prove(const zk_sumcheck_instance *inst, zk_transcript *t, int threads,
                             zk_sumcheck_proof *proof, zk_fp2 *point, zk_fp2 *evals,
                             za_error *err) ZA_WARN_UNUSED;
/* TEST ONLY: the same proof, computing h(1) directly in every round (the
 * path the prover takes when eq(tau_bound, r) * tau_k = 0, which random
 * challenges never hit). */
za_status zk_zerocheck_prove_direct_h1(const zk_sumcheck_instance *inst, zk_transcript *t,
                                       int threads, zk_sumcheck_proof *proof, zk_fp2 *point,
                                       zk_fp2 *evals, za_error *err) ZA_WARN_UNUSED;
za_status zk_zerocheck_verify(unsigned n_vars, unsigned degree_c, const zk_sumcheck_proof *proof,
                              zk_transcript *t, zk_fp2 *point, zk_fp2 *c_claim, za_error *err)
    ZA_WARN_UNUSED;

/* ---- sum of eq(tau, x) * C(x) for a given tau ----
 * The zero-check's machinery for a caller-chosen tau (e.g. the point of an
 * earlier claim, as in GKR) and any claimed sum: proves
 *     sum_x eq(tau, x) C(x) = claim
 * as a sumcheck of degree dC + 1 (absorbing n, the degree and the claim
 * first, like zk_sumcheck_prove), never building eq(tau, .).  The verifier
 * returns c_claim = final / eq(tau, point), the value C must have at the
 * point; it rejects eq(tau, point) = 0.  Soundness: (n (dC + 1))/|F_p2|. */
za_status zk_eqsum_prove(const zk_sumcheck_instance *inst, const zk_fp2 *tau, zk_fp2 claim,
                         zk_transcript *t, int threads, zk_sumcheck_proof *proof, zk_fp2 *point,
                         zk_fp2 *evals, za_error *err) ZA_WARN_UNUSED;
za_status zk_eqsum_verify(unsigned n_vars, unsigned degree_c, const zk_fp2 *tau, zk_fp2 claim,
                          const zk_sumcheck_proof *proof, zk_transcript *t, zk_fp2 *point,
                          zk_fp2 *c_claim, za_error *err) ZA_WARN_UNUSED;

/* ---- many evaluation claims of one polynomial -> one ----
 * Claims V(z_k) = v_k, k < m, for one table V of 2^n entries (points
 * z = m * n coordinates, z_k at z + k*n).  Both sides absorb n, m, the
 * points and the values ("batch_eval/claims"), draw rho ("batch_eval/rho")
 * and run the degree-2 sumcheck of
 *     sum_x V(x) * W(x) = sum_k rho^k v_k,   W = sum_k rho^k eq(z_k, .).
 * The prover returns the point and V(point) (*v_eval); the verifier computes
 * W(point) itself and returns *v_claim = final_claim / W(point), the value
 * V must have at the point (prove it with one commitment opening).  It
 * rejects if W(point) = 0.  Soundness error: (m + 2n) / |F_p2|. */
za_status zk_batch_eval_prove(zk_mle_ref v, unsigned n_vars, unsigned n_claims,
                              const zk_fp2 *points, const zk_fp2 *values, zk_transcript *t,
                              int threads, zk_sumcheck_proof *proof, zk_fp2 *point,
                              zk_fp2 *v_eval, za_error *err) ZA_WARN_UNUSED;
za_status zk_batch_eval_verify(unsigned n_vars, unsigned n_claims, const zk_fp2 *points,
                               const zk_fp2 *values, const zk_sumcheck_proof *proof,
                               zk_transcript *t, zk_fp2 *point, zk_fp2 *v_claim, za_error *err)
    ZA_WARN_UNUSED;

#endif
