/* zk/blind.h - blinded prover messages: zero knowledge by commit-and-prove.
 *
 * A blinded proof sends every field value v that the plain proof would send
 * as v^ = v + D[k], where D[k] is the next unused entry of a pad vector D
 * that the prover committed, with a hiding commitment (zk/pcs.h), before the
 * proof began.  Each pad is used once, so the verifier sees one independent
 * uniform value per message, whatever the witness.  Both sides then hold
 * every prover value as a HIDDEN VALUE: an affine form
 *     h = c0 + sum_k c_k D[k]
 * with public coefficients (a message is v^ - D[k]).  Where the plain
 * verifier checks something, the blinded one records a constraint instead:
 *   - linear: a form that must be zero (a sumcheck round's g(0) + g(1) =
 *     running claim; a value against a commitment's claim);
 *   - product: c = a * b for three forms (a sumcheck's final check
 *     multiplies claimed evaluations); the product is itself a message.
 * At the end:
 *   1. zk_blind_products proves every product at once by the sumcheck of
 *      sum_j eq(tau, j) (A_j B_j - C_j) = 0 over the tables of the products'
 *      forms.  Its round messages are blinded like any other; the values
 *      A~(r), B~(r), C~(r) at its final point are sent in the clear.  They
 *      are (statistically) uniform because rows 0 and 1 of the tables are two
 *      dummy triples (a, b, a*b) of pads D[0..5] that nothing else uses.
 *      Their definitions A~(r) = sum_j eq(r, j) A_j are linear constraints,
 *      and with A~, B~, C~ public the final check is linear too.
 *   2. zk_blind_linear combines every linear constraint, and every EXTERNAL
 *      claim (a statement "a linear functional E_j of a committed table
 *      equals hidden value h_j" that the caller proves, e.g. a vector's MLE
 *      at a point), with powers of a challenge lambda into ONE linear
 *      statement
 *          sum_j mu_j E_j + sum_k K[k] D[k] = value,
 *      which the caller proves on its commitment (the pads are a vector of
 *      that commitment) with a zero-knowledge batched evaluation and one
 *      hiding opening.
 * Soundness: the commitment binds every pad before any message, so each
 * v^ fixes v; the constraints are exactly the plain verifier's checks; the
 * random combination errs with probability <= (#constraints)/|F_p2|, the
 * product sumcheck adds (3 log2 #products + 2)/|F_p2|.
 * Zero knowledge (docs/zero-knowledge.md): a simulator draws every blinded
 * message uniformly, A~, B~, C~ uniformly, and hands the final linear
 * statement to the simulators of the batched evaluation and the opening.
 *
 * Ownership: zk_blind_new copies the pads; the object owns all its forms;
 * zk_blind_linear's arrays are owned by the caller (zk_blind_linear_free).
 */
#ifndef ZK_BLIND_H
#define ZK_BLIND_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "zk/encode.h"
#include "zk/field.h"
#include "zk/sumcheck.h"
#include "zk/transcript.h"

#define ZK_BLIND_DUMMY_PADS 6 /* D[0..5]: (a, b, a*b) twice, for the product check */
#define ZK_BLIND_MAX_PADS ((size_t)1 << 26)

/* A hidden value: an index into the blind's forms. */
typedef struct {
    uint32_t id;
} zk_hv;

typedef struct zk_blind zk_blind;

/* n_pads pads: uniform (OpenSSL RAND_bytes) except D[2] = D[0] D[1] and
 * D[5] = D[3] D[4].  seed != NULL (tests): a SHA-256 stream of the 32-byte
 * seed instead, so that runs replay. */
za_status zk_blind_pads_make(size_t n_pads, const uint8_t *seed, zk_fp2 *pads, za_error *err)
    ZA_WARN_UNUSED;

/* The prover passes its pads (copied); the verifier passes NULL.  n_pads >=
 * ZK_BLIND_DUMMY_PADS + 1.  NULL on out of memory. */
zk_blind *zk_blind_new(size_t n_pads, const zk_fp2 *pads);
void zk_blind_free(zk_blind *b);
int zk_blind_is_prover(const zk_blind *b);
size_t zk_blind_pads_used(const zk_blind *b);
/* The first failure (out of memory, out of pads), sticky; the functions
 * below then return zero handles and the proof must be abandoned. */
za_status zk_blind_status(const zk_blind *b, za_error *err) ZA_WARN_UNUSED;

/* ---- hidden values ---- */

zk_hv zk_blind_public(zk_blind *b, zk_fp2 c);
/* a*x + c*y */
zk_hv zk_blind_lin(zk_blind *b, zk_fp2 a, zk_hv x, zk_fp2 c, zk_hv y);
/* a*x + c */
zk_hv zk_blind_affine(zk_blind *b, zk_fp2 a, zk_hv x, zk_fp2 c);
/* c0 + sum_i coef[i] xs[i] */
zk_hv zk_blind_dot(zk_blind *b, const zk_fp2 *coef, const zk_hv *xs, unsigned n, zk_fp2 c0);
/* The prover's value of x (0 on the verifier side). */
zk_fp2 zk_blind_value(const zk_blind *b, zk_hv x);

/* Send one value blinded (prover: v; verifier: reads it) and absorb the
 * blinded value under `label`.  w on the prover side, r on the verifier's. */
za_status zk_blind_send(zk_blind *b, zk_fp2 v, const char *label, zk_transcript *t, zk_writer *w,
                        zk_reader *r, zk_hv *out, za_error *err) ZA_WARN_UNUSED;
/* x * y, sent blinded (label "blind/product") and recorded as a product. */
za_status zk_blind_mul(zk_blind *b, zk_hv x, zk_hv y, zk_transcript *t, zk_writer *w,
                       zk_reader *r, zk_hv *out, za_error *err) ZA_WARN_UNUSED;

/* Record x = 0 / x = y. */
void zk_blind_assert_zero(zk_blind *b, zk_hv x);
void zk_blind_assert_eq(zk_blind *b, zk_hv x, zk_hv y);
/* Record an external claim "E_j = x" (E_j is the caller's functional);
 * returns j, counted from 0. */
unsigned zk_blind_external(zk_blind *b, zk_hv x);

/* sum_t c_t prod_i evals[factor] as a hidden value: the blinded version of
 * zk_sumcheck_combine (one zk_blind_mul per factor beyond the first). */
za_status zk_blind_combine(zk_blind *b, const zk_sumcheck_term *terms, unsigned n_terms,
                           const zk_hv *evals, zk_transcript *t, zk_writer *w, zk_reader *r,
                           zk_hv *out, za_error *err) ZA_WARN_UNUSED;

/* ---- blinded sumcheck ----
 * The prover runs a plain sumcheck engine (zk_sumcheck_prove, zk_eqsum_prove,
 * ...) between zk_blind_tap_begin and zk_blind_tap_end: the tap replaces
 * every round message the engine absorbs ("sumcheck/round") by its blinded
 * values and drops the engine's "sumcheck/start" absorb (the claim is a
 * hidden value).  The verifier does the same around the plain verifier
 * (zk_sumcheck_verify with the blinded messages as the proof), which then
 * draws the same challenges.  Then both call zk_blind_sumcheck_finish with
 * the plain proof (prover) or the blinded one (verifier) to send the round
 * values g_k(1) blinded and to record the rounds' constraints; it returns
 * the final claim as a hidden value. */
void zk_blind_tap_begin(zk_blind *b, zk_transcript *t);
void zk_blind_tap_end(zk_blind *b, zk_transcript *t);

/* Prover: the plain proof the engine returned; its blinded round values are
 * what the tap recorded.  Writes the blinded rounds and the g(1) values.
 * Verifier: reads the blinded rounds into *proof (before running the plain
 * verifier between the taps): zk_blind_sumcheck_read. */
za_status zk_blind_sumcheck_read(zk_blind *b, unsigned n_vars, unsigned degree, zk_reader *r,
                                 zk_sumcheck_proof *proof, za_error *err) ZA_WARN_UNUSED;
za_status zk_blind_sumcheck_finish(zk_blind *b, const zk_sumcheck_proof *proof, zk_hv claim,
                                   const zk_fp2 *point, zk_transcript *t, zk_writer *w,
                                   zk_reader *r, zk_hv *final_claim, za_error *err)
    ZA_WARN_UNUSED;

/* ---- the end of a blinded proof ---- */

/* Prove every recorded product (step 1 above).  Adds linear constraints. */
za_status zk_blind_products(zk_blind *b, zk_transcript *t, int threads, zk_writer *w,
                            zk_reader *r, za_error *err) ZA_WARN_UNUSED;

typedef struct {
    size_t n_pads;      /* pads covered by pad_kernel (= pads used) */
    zk_fp2 *pad_kernel; /* n_pads coefficients */
    unsigned n_ext;
    zk_fp2 *ext_coef;   /* mu_j per external claim */
    zk_fp2 value;
} zk_blind_linear_stmt;

/* Draw lambda ("blind/lambda") and combine (step 2 above).  The prover
 * checks the statement against its pads and the external values it
 * recorded (a self-test: ZA_ERR_MISMATCH names the first false
 * constraint). */
za_status zk_blind_linear(zk_blind *b, zk_transcript *t, zk_blind_linear_stmt *out,
                          za_error *err) ZA_WARN_UNUSED;
void zk_blind_linear_free(zk_blind_linear_stmt *s);

/* TEST ONLY: the prover's blinded value of the next message is shifted by
 * delta (a cheating prover). */
void zk_blind_cheat_next(zk_blind *b, zk_fp2 delta);
/* TEST ONLY: the next product is x*y + delta (consistently: the prover
 * believes it); fit_final: the prover then also picks C~(r) so that the
 * product check's final equation holds, leaving only the definition of C~
 * to catch it. */
void zk_blind_cheat_product(zk_blind *b, zk_fp2 delta, int fit_final);

#endif
