/* protocol/model_commit.h - the seller's commitment to a model.
 *
 * A model commitment holds
 *   - the rounding profile the proofs follow (model/engine.h);
 *   - the public descriptor: the .tflite file with the bytes of every
 *     CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED weight and bias tensor
 *     set to zero.  It keeps the architecture, the shapes and the
 *     quantization parameters (everything the verifier needs to compile the
 *     same circuit and run the public head and tail operators) and nothing
 *     of the secret weights;
 *   - the commitment (zk/commit.h) to the weight and bias vectors in the
 *     circuit's layout (protocol/circuit.h);
 *   - the model id = SHA-256("zkaudit/model-id/v1" || profile || SHA-256 of
 *     the descriptor || commitment parameters and root), which binds all of
 *     it; every proof absorbs it first.
 * Committing is deterministic: the same model and profile give the same
 * commitment, which is how a prover checks it holds the committed model.
 */
#ifndef ZP_MODEL_COMMIT_H
#define ZP_MODEL_COMMIT_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "model/engine.h"
#include "model/model.h"
#include "protocol/model_key.h"
#include "zk/pcs.h"

typedef struct {
    zm_rounding rounding;
    uint8_t *descriptor;      /* stripped .tflite bytes (owned) */
    size_t descriptor_len;
    zk_pcs_commitment weights;
    uint8_t model_id[32];
} zp_model_commitment;

/* Commit to a loaded model (threads <= 0: default). */
za_status zp_model_commit(const zm_model *m, zm_rounding r, int threads, zp_model_commitment *out,
                          za_error *err) ZA_WARN_UNUSED;
/* A PRIVATE model commitment (secret != NULL; protocol/model_key.h): the
 * weights committed with a hiding commitment for secret->budget openings,
 * its randomness expanded from secret->seed, so that the same secret gives
 * the same commitment.  Blinded proofs on it reveal nothing of the weights
 * (docs/zero-knowledge.md); plain proofs refuse it.  secret->model_id is
 * not read. */
za_status zp_model_commit_ex(const zm_model *m, zm_rounding r, int threads,
                             const zp_model_secret *secret, zp_model_commitment *out,
                             za_error *err) ZA_WARN_UNUSED;

/* Whether a commitment is private (hiding). */
int zp_model_commitment_is_private(const zp_model_commitment *mc);

void zp_model_commitment_free(zp_model_commitment *mc);

/* The descriptor with the weights removed (owned by the caller). */
za_status zp_strip_model(const zm_model *m, uint8_t **out, size_t *len, za_error *err)
    ZA_WARN_UNUSED;

/* Serialize (a "ZKAP" container of kind ZK_KIND_MODEL_COMMITMENT) and parse;
 * parsing recomputes and checks the model id and loads the descriptor to
 * check it is a model. */
za_status zp_model_commitment_encode(const zp_model_commitment *mc, uint8_t **out, size_t *len,
                                     za_error *err) ZA_WARN_UNUSED;
za_status zp_model_commitment_decode(const uint8_t *buf, size_t len, const char *name,
                                     zp_model_commitment *out, za_error *err) ZA_WARN_UNUSED;

/* Load the descriptor as a model (for the verifier). */
za_status zp_model_commitment_load(const zp_model_commitment *mc, zm_model **out, za_error *err)
    ZA_WARN_UNUSED;

#endif
