/* zk/fracsum.h - GKR for a sum of fractions (the core of logUp-GKR).
 *
 * Statement.  Leaves (p_i, q_i), i < 2^n, extension elements (p_i = 1 for
 * all i when p is NULL).  The prover sends the root (P, Q) of the binary
 * tree whose nodes are (p0 q1 + p1 q0, q0 q1) - so P/Q = sum p_i/q_i when
 * no q_i is zero - and reduces the root to one claim on the leaves' MLEs:
 * p~(r) and q~(r) at a random point r, which the caller checks against
 * evaluations it trusts (its commitments, or values it computes).
 *
 * Layout.  Layer k has 2^k nodes; node x of layer k has children x and
 * x + 2^k of layer k+1 (the highest variable is the child bit), so that a
 * layer's halves are contiguous.  Reduction from layer k (claims at r_k) to
 * layer k+1: with lambda from the transcript, the degree-3 sumcheck of
 *     sum_x eq(r_k, x) (p0 q1 + p1 q0 + lambda q0 q1)(x) = p_k(r_k) + lambda q_k(r_k)
 * over k variables, then the prover sends p0, p1, q0, q1 at the sumcheck's
 * point s, the verifier checks them against the final claim, draws mu and
 * continues at r_{k+1} = (s, mu).  Layer 0 -> 1 needs no sumcheck.
 * Soundness error: sum over layers of (3k + 1 + k)/|F_p2| (sumcheck rounds,
 * the line through the two children, the eq factor), below n^2 * 2^-126.
 * Proof size: about 1.5 n^2 extension elements.  Prover: O(2^n).
 */
#ifndef ZK_FRACSUM_H
#define ZK_FRACSUM_H

#include "common/error.h"
#include "zk/encode.h"
#include "zk/field.h"
#include "zk/transcript.h"

#define ZK_FRACSUM_MAX_VARS 28

/* p may be NULL (all ones).  Writes the proof to w; returns the root and
 * the leaf point (n coordinates) with p~ and q~ there.  p and q are used as
 * working memory (folded in place): their contents are lost. */
za_status zk_fracsum_prove(zk_fp2 *p, zk_fp2 *q, unsigned n, zk_transcript *t,
                           int threads, zk_writer *w, zk_fp2 *P, zk_fp2 *Q, zk_fp2 *point,
                           zk_fp2 *p_eval, zk_fp2 *q_eval, za_error *err) ZA_WARN_UNUSED;

/* Reads the root and the reduction; returns the root, the leaf point and
 * the values p~ and q~ must have there. */
za_status zk_fracsum_verify(unsigned n, zk_transcript *t, zk_reader *r, zk_fp2 *P, zk_fp2 *Q,
                            zk_fp2 *point, zk_fp2 *p_claim, zk_fp2 *q_claim,
                            za_error *err) ZA_WARN_UNUSED;

#endif
