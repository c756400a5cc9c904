/* protocol/infer_proof.h - proving and verifying a batch of inferences.
 *
 * A proof shows that the committed model (protocol/model_commit.h), run by
 * the engine in the commitment's rounding profile, maps each of the batch's
 * inputs to the outputs the verifier computes from the proof.  It carries
 * the inputs and the cut tensors (protocol/circuit.h) in the clear, and
 * binds the model id, the batch size, the inputs and the cut tensors
 * through the Fiat-Shamir transcript.  The relations and their soundness
 * are in docs/proof-system.md.  The proof is NOT zero-knowledge: its
 * messages and openings are functions of the weights.
 */
#ifndef ZP_INFER_PROOF_H
#define ZP_INFER_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "model/model.h"
#include "protocol/model_commit.h"
#include "zk/field.h"

/* What a verified proof establishes. */
typedef struct {
    unsigned batch;
    uint8_t model_id[32];
    size_t in_bytes, out_bytes;  /* per sample: all model inputs / output 0 */
    uint8_t *inputs;             /* batch * in_bytes */
    uint8_t *outputs;            /* batch * out_bytes */
    int64_t *argmax;             /* batch */
    const char *out_type;        /* "int8", "uint8", ... */
    int out_is_uint8;
    size_t out_elems;
} zp_verified;

void zp_verified_free(zp_verified *v);

#define ZP_STATS_WEIGHT_EVALS 256

typedef struct {
    double witness_s, commit_s, lookup_s, relations_s, open_s, total_s;
    size_t proof_bytes;
    size_t witness_elems;
    /* a blinded proof: its bytes [blinded_begin, blinded_end) are the
     * blinded messages of the relations and the product check (uniform
     * 16-byte extension elements; 0, 0 for a plain proof) */
    size_t blinded_begin, blinded_end;
    /* a private model's proof: its bytes [weights_begin, weights_end) lie
     * inside the blinded range and are the weight table's value in the
     * clear (16 bytes), then the weight opening (zk/pcs.h: u, the columns,
     * their salts, the Merkle siblings); 0, 0 otherwise */
    size_t weights_begin, weights_end;
    /* TEST ONLY (zp_prove_opts.test_weight_evals): the unmasked weight
     * evaluations this proof rests on - every weight claim's value, then on
     * a private commitment the weight vectors' part of the table's value at
     * the opening point (the opened value less the mask rows') - which a
     * zero-knowledge proof must never contain */
    unsigned n_weight_evals;
    zk_fp2 weight_evals[ZP_STATS_WEIGHT_EVALS];
    zk_fp2 test_mask_mix; /* TEST ONLY: the challenge test_simulate chose */
} zp_prove_stats;

/* TEST ONLY: a cheating prover.  After the honest witness is computed, add
 * `delta` to element `index` of witness vector `wit_vec` (-1: none), of the
 * cut tensor values (cut_index, -1: none), or of weight vector `wts_vec`
 * (-1: none) before anything is committed; then prove as if all were well
 * (lookup multiplicities counted over the rows that are in the table). */
typedef struct {
    int wit_vec;
    int wts_vec;
    int cut_index;
    size_t index;
    int64_t delta;
    int64_t mu_row;   /* >= 0: add 1 to this lookup table row's multiplicity */
    /* >= 0: add acc_delta to accumulator acc_index of layer acc_layer
     * BEFORE its limbs are derived, so that the lookups still pass (when the
     * new value stays in its output's interval) and only the layer's
     * sumcheck can catch it */
    int acc_layer;
    size_t acc_index;
    int64_t acc_delta;
} zp_cheat;

/* Prove one batch.  m is the real model (its commitment must equal mc:
 * checked), inputs holds batch samples back to back, each sample every
 * model input in order.
 * threads <= 0: za_default_threads(). */
za_status zp_prove(const zm_model *m, const zp_model_commitment *mc, unsigned batch,
                   const uint8_t *inputs, size_t inputs_len, int threads, const zp_cheat *cheat,
                   uint8_t **proof, size_t *proof_len, zp_prove_stats *stats, za_error *err)
    ZA_WARN_UNUSED;

/* zp_prove with options (opts NULL: as zp_prove).  opts->blinded gives a
 * BLINDED proof: every prover message is sent masked by a pad committed
 * with the witness and every check becomes a constraint proven at the end
 * (zk/blind.h; docs/zero-knowledge.md); the sumcheck and GKR messages, the
 * claimed evaluations and the lookup's roots are uniformly random, and so is
 * the witness side of the final statement.  On a PRIVATE model commitment
 * (protocol/model_commit.h) every proof is blinded and the weight claims are
 * reduced and opened in zero knowledge too, spending one of the
 * commitment's openings (the caller keeps the count: protocol/model_key.h);
 * on a public one the weights' part of the final statement is stated and
 * opened in the clear.  The inputs and the cut tensors are public either
 * way.  zp_verify accepts every kind. */
/* The committed weights, ready to be opened: made once (the commitment
 * recomputed from the model, and checked against mc) and shared by every
 * proof of one run - prove-batch, the service - instead of each proof
 * recomputing it (a fifth to a third of a small model's proving time).
 * Borrows m, which must outlive it.  Read-only once made: proofs on
 * several threads may share one.  A private commitment's prover also
 * counts its openings, so one object never opens beyond the budget. */
typedef struct zp_model_prover zp_model_prover;
za_status zp_model_prover_new(const zm_model *m, const zp_model_commitment *mc,
                              const zp_model_secret *secret, int threads, zp_model_prover **out,
                              za_error *err) ZA_WARN_UNUSED;
void zp_model_prover_free(zp_model_prover *p);

typedef struct {
    int blinded;                          /* a blinded proof (implied by a private model) */
    const zp_model_secret *model_secret;  /* a private commitment's secret (protocol/
                                             model_key.h): required for one, else NULL */
    const zp_model_prover *model_prover;  /* NULL: commit the weights for this proof; else
                                             zp_model_prover_new's for m and mc (not with a
                                             cheat) */
    int test_weight_evals;                /* TEST ONLY: fill zp_prove_stats.weight_evals */
    /* TEST ONLY, the zero-knowledge simulator (tests/unit/test_prove.c):
     * test_cut_bytes states these bytes as the cut tensors (each tensor's
     * batch of samples in circuit order) instead of the computed ones, and
     * test_simulate has the prover choose the final statement's mask-mix
     * challenge so that the statement holds whatever the witness
     * (zp_prove_stats.test_mask_mix): a proof that verifies only for a
     * verifier whose challenge is programmed to that value
     * (zk_transcript_test_program).  Pass a cheat (any) with either. */
    const uint8_t *test_cut_bytes;
    int test_simulate;
} zp_prove_opts;

za_status zp_prove_ex(const zm_model *m, const zp_model_commitment *mc, unsigned batch,
                      const uint8_t *inputs, size_t inputs_len, int threads,
                      const zp_cheat *cheat, const zp_prove_opts *opts, uint8_t **proof,
                      size_t *proof_len, zp_prove_stats *stats, za_error *err) ZA_WARN_UNUSED;

/* Verify a proof against a model commitment; on success fills *out. */
za_status zp_verify(const zp_model_commitment *mc, const uint8_t *proof, size_t proof_len,
                    int threads, zp_verified *out, za_error *err) ZA_WARN_UNUSED;

#endif
