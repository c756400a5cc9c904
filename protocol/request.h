/* protocol/request.h - the audit request: what the buyer asks the seller to
 * prove (docs/protocol.md).
 *
 * A request carries the whole sampling transcript (audit parameters, dataset
 * root and size, model id, the buyer's seed commitment and revealed seed,
 * the seller's seed or a beacon hash), the sampled indices, and for every
 * sample the example's stored bytes with their dataset inclusion proof and
 * the prepared model input (the stored bytes after the dataset's input
 * preparation recipe, which the request also carries).  It does not carry
 * the labels.
 *
 * Encoding: one "ZKAP" container of kind ZK_KIND_AUDIT_REQUEST (zk/encode.h):
 *   byte string  audit parameters (canonical text, protocol/sampling.h)
 *   byte string  dataset name
 *   32 bytes     dataset root;  u64 dataset count
 *   32 bytes     model id
 *   32 bytes     buyer seed commitment;  32 bytes buyer seed
 *   u8           0: seller seed follows, 1: beacon hash follows;  32 bytes
 *   byte string  input preparation recipe (datasets/prepare.h; may be empty)
 *   u8 rank, rank x u32: the shape of one stored example (uint8, HWC)
 *   u64 n; u32 stored bytes per example (the shape's product);
 *   u32 model-input bytes per sample
 *   n times:     u64 index, stored bytes, model-input bytes,
 *                byte string inclusion proof (protocol/dataset_commit.h)
 * zp_request_decode checks the container strictly and that the transcript
 * holds together: canonical parameters, the buyer's seed opens its
 * commitment, n <= max_samples and n <= count, and the indices are exactly
 * the first n of the draw the transcript determines.  What needs the
 * dataset code (inclusion proofs against the root, the preparation of each
 * input) is checked by protocol/audit_check.h.
 *
 * The request id is SHA-256 of the encoded container: bundles and reports
 * name the request by it.
 *
 * Ownership: a decoded zp_request owns its arrays (zp_request_free).
 */
#ifndef ZP_REQUEST_H
#define ZP_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "protocol/sampling.h"

#define ZP_MAX_NAME 256
#define ZP_MAX_PREP 1024
#define ZP_MAX_EXAMPLE_BYTES ((size_t)16 << 20)    /* one stored example or model input */
#define ZP_MAX_INCLUSION_BYTES 4096                 /* one inclusion proof */
#define ZP_MAX_RANK 4                               /* of a stored example */

typedef struct {
    char params_text[ZP_AUDIT_PARAMS_TEXT_MAX];
    zp_audit_params params;
    char dataset_name[ZP_MAX_NAME];
    zp_sample_transcript transcript;
    uint8_t buyer_commitment[32];
    char prep[ZP_MAX_PREP];
    unsigned stored_rank;    /* 1..ZP_MAX_RANK */
    uint32_t stored_shape[ZP_MAX_RANK];
    uint64_t n;
    size_t stored_len, input_len;
    uint64_t *indices;       /* n */
    uint8_t *stored;         /* n * stored_len */
    uint8_t *inputs;         /* n * input_len */
    uint8_t **inclusion;     /* n proofs, each inclusion_len[i] bytes */
    size_t *inclusion_len;
} zp_request;

/* An empty request for n samples of the given sizes (arrays allocated,
 * zeroed).  The caller fills the fields, the stored shape included (its
 * product must be stored_len). */
za_status zp_request_alloc(zp_request *rq, uint64_t n, size_t stored_len, size_t input_len,
                           za_error *err) ZA_WARN_UNUSED;
/* Copy an inclusion proof for sample i into the request. */
za_status zp_request_set_inclusion(zp_request *rq, uint64_t i, const uint8_t *proof, size_t len,
                                   za_error *err) ZA_WARN_UNUSED;
void zp_request_free(zp_request *rq);

za_status zp_request_encode(const zp_request *rq, uint8_t **out, size_t *len,
                            za_error *err) ZA_WARN_UNUSED;
za_status zp_request_decode(const uint8_t *buf, size_t len, const char *name, zp_request *out,
                            za_error *err) ZA_WARN_UNUSED;

/* The sample seed of the request's transcript. */
void zp_request_seed(const zp_request *rq, uint8_t seed[32]);

/* SHA-256("zkaudit/request-id/v1" || encoded bytes). */
void zp_request_id(const uint8_t *encoded, size_t len, uint8_t id[32]);

#endif
