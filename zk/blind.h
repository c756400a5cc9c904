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

/* n_pads pads: uniform (zk/rand.h from a fresh zk_rand_seed) except
 * D[2] = D[0] D[1] and D[5] = D[3] D[4].  seed != NULL (tests): that
 * 32-byte seed instead, so that runs replay. */
za_status zk_blind_pads_make(size_t n_pads, const uint8_t *seed, zk_fp2 *pads, za_error *err)
    ZA_WARN_UNUSED;

/* n uniform base-field elements from a fresh zk_rand_seed (zk/rand.h):
 * masking vectors. */
za_status zk_blind_random_fp(size_t n, zk_fp *out, za_error *err) ZA_WARN_UNUSED;

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
/* x * y: a new hidden value, recorded as a product.  Nothing is sent yet:
 * the blinded products go out together in zk_blind_products (a product is
 * fixed by its factors, so sending it late gives the prover no choice). */
zk_hv zk_blind_mul(zk_blind *b, zk_hv x, zk_hv y);

/* Record x = 0 / x = y. */
void zk_blind_assert_zero(zk_blind *b, zk_hv x);
void zk_blind_assert_eq(zk_blind *b, zk_hv x, zk_hv y);
/* Record an external claim "E_j = x" (E_j is the caller's functional);
 * returns j, counted from 0. */
unsigned zk_blind_external(zk_blind *b, zk_hv x);

/* sum_t c_t prod_i evals[factor] as a hidden value: the blinded version of
 * zk_sumcheck_combine. */
zk_hv zk_blind_combine(zk_blind *b, const zk_sumcheck_term *terms, unsigned n_terms,
                       const zk_hv *evals);

/* ---- plain engines, blinded ----
 * The prover runs a plain engine (zk_sumcheck_prove, zk_eqsum_prove,
 * zk_zerocheck_prove, zk_fracsum_prove) between zk_blind_engine_begin and
 * zk_blind_engine_end, with a scratch writer of its own (what the engine
 * writes is discarded).  The tap installed on the transcript replaces every
 * message the engine absorbs by its blinded values, written to w in the
 * order the engine produces them: a sumcheck round (g(0), g(2..d)) goes out
 * as g(0), g(1), .., g(d), g(1) derived from the running claim, so that every
 * round can be checked on its own; the root and the children of a fraction-
 * sum layer go out as they are.  The engine's "sumcheck/start" absorb (its
 * claim is hidden) is dropped.  The tap also records the challenges.
 * Then both sides call the replay of the same engine (zk_blind_sumcheck,
 * ...): the verifier reads the blinded messages and draws the challenges,
 * the prover takes them from the record; both build the hidden values and
 * the constraints the plain verifier's checks become.
 * The verifier side passes begin/end too (they are no-ops there) so that
 * both run the same code. */
void zk_blind_engine_begin(zk_blind *b, zk_transcript *t, zk_writer *w, zk_reader *r);
void zk_blind_engine_end(zk_blind *b, zk_transcript *t);

/* The replay of zk_sumcheck_prove / zk_sumcheck_verify for a statement with
 * n_vars variables and degree `degree` claiming `claim`: the point (n_vars
 * coordinates, the engine's order) and the final claim. */
za_status zk_blind_sumcheck(zk_blind *b, unsigned n_vars, unsigned degree, zk_hv claim,
                            zk_fp2 *point, zk_hv *final_claim, za_error *err) ZA_WARN_UNUSED;
/* zk_eqsum_prove: c_claim is the value C must have at the point. */
za_status zk_blind_eqsum(zk_blind *b, unsigned n_vars, unsigned degree_c, const zk_fp2 *tau,
                         zk_hv claim, zk_fp2 *point, zk_hv *c_claim, za_error *err) ZA_WARN_UNUSED;
/* zk_zerocheck_prove (claim 0, tau drawn inside). */
za_status zk_blind_zerocheck(zk_blind *b, unsigned n_vars, unsigned degree_c, zk_fp2 *point,
                             zk_hv *c_claim, za_error *err) ZA_WARN_UNUSED;
/* zk_fracsum_prove: the root and the leaf claims p~(point), q~(point). */
za_status zk_blind_fracsum(zk_blind *b, unsigned n, zk_hv *P, zk_hv *Q, zk_fp2 *point,
                           zk_hv *p_claim, zk_hv *q_claim, za_error *err) ZA_WARN_UNUSED;

/* ---- the end of a blinded proof ---- */

/* Send the blinded products and prove every product recorded since the
 * last call (step 1 above).  Adds linear constraints. */
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

/* TEST ONLY: a cheating prover writes its proof although a constraint
 * fails (zk_blind_linear skips its self-test), so that the verifier is
 * what catches it. */
void zk_blind_skip_selftest(zk_blind *b);
/* TEST ONLY: a cheating prover: the blinded value of the message after the
 * next `skip` ones is shifted by delta (what the prover believes is not). */
void zk_blind_cheat_next(zk_blind *b, unsigned skip, zk_fp2 delta);
/* TEST ONLY: the next product is x*y + delta (consistently: the prover
 * believes it); fit_final: the prover then also picks C~(r) so that the
 * product check's final equation holds, leaving only the definition of C~
 * to catch it. */
void zk_blind_cheat_product(zk_blind *b, zk_fp2 delta, int fit_final);

#endif
