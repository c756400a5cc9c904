/* zk/zksumcheck.h - zero-knowledge sumcheck building blocks (issue 8):
 * the Libra / Chiesa-Forbes-Spooner masked sumcheck, its zero-check and
 * eq-sum variants, a simulator (the zero-knowledge argument, exercised by
 * the tests), and the batched evaluation of a table with kernel claims
 * (plain and masked).  zk/sumcheck.h is unchanged; this module only uses
 * its public face.  docs/proof-system.md, "Zero-knowledge sumcheck".
 *
 * Mask.  For n variables and degree d the mask polynomial is
 *     g(x) = a_0 + sum_{i<n} g_i(x_i),   g_i(X) = sum_{l=1..d} c_{i,l} X^l
 * (no constant term in g_i: a_0 carries it), given by the caller as
 * zk_zksc_mask_len(n, d) = 1 + n*d extension coefficients
 *     coeffs[0] = a_0,   coeffs[1 + i*d + (l-1)] = c_{i,l}.
 * They must be uniform in F_p2 and fresh for every proof, and the caller
 * commits them (hiding) BEFORE the proof starts: the soundness of the masked
 * sumcheck rests on g being fixed before rho is drawn.  Both values the
 * protocol reveals about g are linear functionals of the coefficients:
 *     G    = sum_{x in {0,1}^n} g(x) = 2^n a_0 + 2^(n-1) sum_{i,l} c_{i,l}
 *     g(r) = a_0 + sum_i sum_l c_{i,l} r_i^l
 * and zk_zksc_mask_sum_kernel / zk_zksc_mask_kernel write the vectors K with
 * value = <K, coeffs>, so that the caller proves them against its
 * commitment (e.g. by kernel claims below on the committed table; an F_p2
 * coefficient vector committed as its two base-field halves c = c' + i c''
 * gives <K, c> = <K, c'> + i <K, c''>, i^2 = 7).
 *
 * Masked sumcheck (zk_zksc_prove / zk_zksc_verify).  Statement: sum_x F(x) =
 * H, F a zk_sumcheck_instance of degree d (zk/sumcheck.h).  Transcript:
 *   absorb G ("zksumcheck/mask_sum"), draw rho ("zksumcheck/rho"),
 *   then exactly the transcript of zk_sumcheck_prove for F + rho g with the
 *   claim H + rho G ("sumcheck/start", "sumcheck/round", "sumcheck/r": the
 *   verifier is zk_sumcheck_verify), then absorb g(r) ("zksumcheck/mask_eval").
 * The prover never materializes g: g is a sum of univariates, so its part of
 * round k (binding x_i, i = n-1-k, m = i free variables below) is
 *     2^m (a_0 + sum_{j>i} g_j(r_j) + g_i(X)) + 2^(m-1) sum_{j<i} g_j(1).
 * The verifier returns the point r and f_claim = final - rho g(r), the value
 * F must have at r: the caller checks it from F's table evaluations
 * (zk_sumcheck_check_final) and proves g(r) = <K, coeffs>.  Soundness error:
 * 1/|F_p2| (rho: if G or the sum is wrong, H + rho G is the true sum of
 * F + rho g for at most one rho) plus n*d/|F_p2| (the sumcheck), plus the
 * binding of the mask commitment.  Zero knowledge: see zk_zksc_simulate.
 *
 * What stays revealed: G, the masked round polynomials and g(r) are
 * simulatable from H alone; F's table evaluations at r are NOT hidden by this
 * layer (they are the committed tables' values at r unless the tables are
 * masked too, the next layer), so the simulator receives them from a leakage
 * callback.
 *
 * Prover cost: O(2^n * (tables*d + factors*d)) extension operations for F
 * (a straightforward engine, base-field first round, then zk_mle_fold_*;
 * not the fused one of zk/sumcheck.c: 1.2-4x slower than zk_sumcheck_prove
 * at 2^22, degree 2, on a shared 2-vCPU machine), O(n d) for the mask;
 * memory one working copy of 2^(n-1) extension elements per table that is
 * not ext_inplace
 * (plus 2^n for eq in the zero-check).  Rounds with at least 2^14 pairs run
 * on za_parallel_for; proofs never depend on the thread count.
 */
#ifndef ZK_ZKSUMCHECK_H
#define ZK_ZKSUMCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "zk/encode.h"
#include "zk/field.h"
#include "zk/mle.h"
#include "zk/sumcheck.h"
#include "zk/transcript.h"

#define ZK_KERNEL_MAX_LEN ((size_t)1 << 16)     /* entries of one kernel claim */
#define ZK_KERNEL_MAX_CLAIMS 4096               /* kernel claims in one batch */
#define ZK_KERNEL_MAX_TOTAL ((size_t)1 << 24)   /* kernel entries in one batch */

typedef struct {
    unsigned n_vars, degree;  /* degree = the round polynomials' degree, 1..5 */
    const zk_fp2 *coeffs;     /* zk_zksc_mask_len(n_vars, degree), borrowed */
} zk_zksc_mask;

typedef struct {
    zk_fp2 mask_sum;          /* G */
    zk_sumcheck_proof rounds; /* the sumcheck of F + rho g, n_vars * degree values */
    zk_fp2 mask_eval;         /* g(r) */
} zk_zksc_proof;

/* 1 + n*d */
size_t zk_zksc_mask_len(unsigned n_vars, unsigned degree);
/* G and g(point) straight from the coefficients (O(n d)). */
zk_fp2 zk_zksc_mask_sum(const zk_zksc_mask *m);
zk_fp2 zk_zksc_mask_eval(const zk_zksc_mask *m, const zk_fp2 *point);
/* K (zk_zksc_mask_len entries) with g(point) = <K, coeffs>: K[0] = 1,
 * K[1 + i*d + l-1] = point[i]^l. */
void zk_zksc_mask_kernel(unsigned n_vars, unsigned degree, const zk_fp2 *point, zk_fp2 *K);
/* K with G = <K, coeffs>: K[0] = 2^n, every other entry 2^(n-1) (0 if n = 0). */
void zk_zksc_mask_sum_kernel(unsigned n_vars, unsigned degree, zk_fp2 *K);

/* Prove sum F = claim with the mask (mask->n_vars = inst->n_vars,
 * mask->degree = the instance's degree, else ZA_ERR_ARG).  On success
 * proof->rounds.evals is a new allocation (zk_zksc_proof_free), point
 * receives n_vars coordinates and evals one value per table (MLE of table i
 * at point: what the caller proves by openings).  The prover does not check
 * the claim.  ext_inplace tables are overwritten.  Fails only on bad
 * arguments or out of memory. */
za_status zk_zksc_prove(const zk_sumcheck_instance *inst, zk_fp2 claim, const zk_zksc_mask *mask,
                        zk_transcript *t, int threads, zk_zksc_proof *proof, zk_fp2 *point,
                        zk_fp2 *evals, za_error *err) ZA_WARN_UNUSED;
/* Replay; fills point (n_vars) and *f_claim = final - rho g(r).  Fails
 * (ZA_ERR_MALFORMED) on a proof of another shape.  Accepting means only that
 * the rounds are consistent: the caller must still check f_claim against F's
 * evaluations and g(r) (proof->mask_eval) against the mask commitment. */
za_status zk_zksc_verify(unsigned n_vars, unsigned degree, zk_fp2 claim,
                         const zk_zksc_proof *proof, zk_transcript *t, zk_fp2 *point,
                         zk_fp2 *f_claim, za_error *err) ZA_WARN_UNUSED;

/* ---- masked zero-check: C(x) = 0 on the cube ----
 * Both sides absorb n and dC ("zkzerocheck/start"), draw tau
 * ("zkzerocheck/tau"), then run the masked sumcheck of eq(tau, x) C(x) with
 * claim 0 and degree dC + 1 (the mask has degree dC + 1).  The verifier
 * returns c_claim = f_claim / eq(tau, point), the value C must have at the
 * point (zk_sumcheck_check_final); it rejects eq(tau, point) = 0.
 * Soundness: (n (dC+1) + n + 1) / |F_p2|. */
za_status zk_zksc_zerocheck_prove(const zk_sumcheck_instance *inst, const zk_zksc_mask *mask,
                                  zk_transcript *t, int threads, zk_zksc_proof *proof,
                                  zk_fp2 *point, zk_fp2 *evals, za_error *err) ZA_WARN_UNUSED;
za_status zk_zksc_zerocheck_verify(unsigned n_vars, unsigned degree_c,
                                   const zk_zksc_proof *proof, zk_transcript *t, zk_fp2 *point,
                                   zk_fp2 *c_claim, za_error *err) ZA_WARN_UNUSED;
/* The same for a caller-chosen tau and claim: sum_x eq(tau, x) C(x) = claim
 * (nothing absorbed before the masked sumcheck, like zk_eqsum_prove). */
za_status zk_zksc_eqsum_prove(const zk_sumcheck_instance *inst, const zk_fp2 *tau, zk_fp2 claim,
                              const zk_zksc_mask *mask, zk_transcript *t, int threads,
                              zk_zksc_proof *proof, zk_fp2 *point, zk_fp2 *evals,
                              za_error *err) ZA_WARN_UNUSED;
za_status zk_zksc_eqsum_verify(unsigned n_vars, unsigned degree_c, const zk_fp2 *tau,
                               zk_fp2 claim, const zk_zksc_proof *proof, zk_transcript *t,
                               zk_fp2 *point, zk_fp2 *c_claim, za_error *err) ZA_WARN_UNUSED;

void zk_zksc_proof_free(zk_zksc_proof *p);
size_t zk_zksc_proof_bytes(const zk_zksc_proof *p); /* encoded size: 16 (n d + 2) */
/* Encoding: G, the n_vars * degree round values, g(r); no prefix. */
void zk_zksc_proof_write(zk_writer *w, const zk_zksc_proof *p);
za_status zk_zksc_proof_read(zk_reader *r, unsigned n_vars, unsigned degree, zk_zksc_proof *p)
    ZA_WARN_UNUSED;

/* ---- the simulator (the zero-knowledge argument; for tests) ----
 * Produces, from the claim H alone, a masked-sumcheck transcript that
 * zk_zksc_verify accepts on the same transcript state: G uniform, then for
 * every round uniform values at 0, 2, .., d (the masked round polynomial's
 * values given the running claim are uniform: its non-constant coefficients
 * carry rho 2^m c_{i,l} with fresh c_{i,l}), the challenges from the
 * transcript as the verifier draws them, then F's evaluations at the final
 * point from leak() (the leakage this layer does not hide; NULL: uniform
 * values), and g(r) = (final - F(r)) / rho, the only value that passes.
 * rnd() supplies uniform F_p2 elements.  Fills proof (allocated, as
 * zk_zksc_prove), point and evals (n_tables values).  Fails with ZA_ERR_ARG
 * on a bad shape, and with ZA_ERR_MISMATCH if rho = 0 (probability
 * 1/|F_p2|). */
typedef zk_fp2 (*zk_zksc_rand_fn)(void *ctx);
typedef void (*zk_zksc_leak_fn)(void *ctx, const zk_fp2 *point, zk_fp2 *evals);
za_status zk_zksc_simulate(unsigned n_vars, unsigned degree, zk_fp2 claim,
                           const zk_sumcheck_term *terms, unsigned n_terms, unsigned n_tables,
                           zk_zksc_rand_fn rnd, void *rnd_ctx, zk_zksc_leak_fn leak,
                           void *leak_ctx, zk_transcript *t, zk_zksc_proof *proof, zk_fp2 *point,
                           zk_fp2 *evals, za_error *err) ZA_WARN_UNUSED;
/* The same for the masked zero-check of C = terms (degree dC + 1, claim 0):
 * absorbs n, dC and draws tau as zk_zksc_zerocheck_verify does, and sets
 * g(r) = (final - eq(tau, r) C(r)) / rho; zk_zksc_zerocheck_verify accepts
 * and its c_claim is C at the point from the leaked evaluations. */
za_status zk_zksc_simulate_zerocheck(unsigned n_vars, const zk_sumcheck_term *terms,
                                     unsigned n_terms, unsigned n_tables, zk_zksc_rand_fn rnd,
                                     void *rnd_ctx, zk_zksc_leak_fn leak, void *leak_ctx,
                                     zk_transcript *t, zk_zksc_proof *proof, zk_fp2 *point,
                                     zk_fp2 *evals, za_error *err) ZA_WARN_UNUSED;

/* ---- batched evaluation with kernel claims ----
 * A kernel claim on the table V (2^n entries) states
 *     sum_{j < len} V[off + j] * kernel[j] = value,   off + len <= 2^n,
 * 1 <= len <= ZK_KERNEL_MAX_LEN: a linear functional of a window of V (the
 * mask value g(r) against a committed mask, linear constraints on committed
 * pad vectors).  Together with eq-point claims V(z_k) = v_k (as
 * zk_batch_eval: m claims, points m * n coordinates) both sides absorb n, m,
 * the points and values ("batch_eval_k/n", "/m", "/points", "/values"), the
 * number of kernel claims ("batch_eval_k/kernels") and each one's off, len,
 * kernel and value ("batch_eval_k/off", "/len", "/kernel", "/value"), draw
 * rho ("batch_eval_k/rho") and run the degree-2 sumcheck of
 *     sum_x V(x) W(x) = sum_k rho^k v_k + sum_l rho^(m+l) y_l,
 *     W = sum_k rho^k eq(z_k, .) + sum_l rho^(m+l) K_l placed at [off_l, off_l + len_l).
 * The verifier computes W(r) itself, O(sum_l len_l + (m + n_k) n)
 * (zk_kernel_claim_mle), and returns v_claim = final / W(r), the value V must
 * have at r (one opening); it rejects W(r) = 0.  m = 0 or no kernel claims
 * are allowed, not both.  Soundness error: (m + n_k + 2n) / |F_p2|. */
typedef struct {
    uint64_t off;         /* first index of the window in V */
    size_t len;           /* entries of the window and of kernel */
    const zk_fp2 *kernel; /* borrowed */
    zk_fp2 value;
} zk_kernel_claim;

/* sum_j kernel[j] eq(bits(off + j), point): the MLE at point of the table
 * that holds kernel at [off, off + len) and zeros elsewhere.  O(len + n)
 * (one eq table of 2^ceil(log2 len) entries; an allocation failure aborts,
 * as in zk/mle.h).  The claim must have passed zk_kernel_claims_check. */
zk_fp2 zk_kernel_claim_mle(const zk_kernel_claim *c, unsigned n_vars, const zk_fp2 *point);
/* Shape checks (counts, caps, windows inside 2^n, kernels present):
 * ZA_ERR_ARG naming the claim. */
za_status zk_kernel_claims_check(unsigned n_vars, unsigned n_claims, unsigned n_kclaims,
                                 const zk_kernel_claim *kclaims, za_error *err) ZA_WARN_UNUSED;

za_status zk_batch_eval_kernel_prove(zk_mle_ref v, unsigned n_vars, unsigned n_claims,
                                     const zk_fp2 *points, const zk_fp2 *values,
                                     unsigned n_kclaims, const zk_kernel_claim *kclaims,
                                     zk_transcript *t, int threads, zk_sumcheck_proof *proof,
                                     zk_fp2 *point, zk_fp2 *v_eval, za_error *err) ZA_WARN_UNUSED;
za_status zk_batch_eval_kernel_verify(unsigned n_vars, unsigned n_claims, const zk_fp2 *points,
                                      const zk_fp2 *values, unsigned n_kclaims,
                                      const zk_kernel_claim *kclaims,
                                      const zk_sumcheck_proof *proof, zk_transcript *t,
                                      zk_fp2 *point, zk_fp2 *v_claim, za_error *err)
    ZA_WARN_UNUSED;

/* The same statement with the degree-2 sumcheck masked (mask n_vars = n,
 * degree 2): the same absorption of the claims and rho, then the masked
 * sumcheck of V W with claim sum_k rho^k v_k + ...  The verifier returns
 * v_claim = f_claim / W(r); the caller checks v_claim against V's opening and
 * proves proof->mask_eval against the mask commitment.  V(r) itself is
 * revealed by the opening (see above).  Soundness: (m + n_k + 2n + 1)/|F_p2|. */
za_status zk_batch_eval_kernel_zk_prove(zk_mle_ref v, unsigned n_vars, unsigned n_claims,
                                        const zk_fp2 *points, const zk_fp2 *values,
                                        unsigned n_kclaims, const zk_kernel_claim *kclaims,
                                        const zk_zksc_mask *mask, zk_transcript *t, int threads,
                                        zk_zksc_proof *proof, zk_fp2 *point, zk_fp2 *v_eval,
                                        za_error *err) ZA_WARN_UNUSED;
za_status zk_batch_eval_kernel_zk_verify(unsigned n_vars, unsigned n_claims,
                                         const zk_fp2 *points, const zk_fp2 *values,
                                         unsigned n_kclaims, const zk_kernel_claim *kclaims,
                                         const zk_zksc_proof *proof, zk_transcript *t,
                                         zk_fp2 *point, zk_fp2 *v_claim, za_error *err)
    ZA_WARN_UNUSED;

#endif
