/* protocol/audit_verify.h - checking a seller's bundle against the request
 * (docs/protocol.md).
 *
 * Every sample of the request ends in one of three states:
 *   valid    - its batch proof verifies under the model commitment, the
 *              proof's model id is the request's, and the proof's input for
 *              this sample is exactly the requested (prepared) input; the
 *              prediction is the argmax of the proven output;
 *   invalid  - the batch proof is there but fails any of those checks (the
 *              reason is recorded: a bad proof, another model, a proof for
 *              a different input, a bundle that answers another request);
 *   missing  - no proof for its batch.
 * The audit parameters say that invalid and missing samples count as wrong
 * predictions; the statistics (protocol/stats_*.h) are fed accordingly.
 *
 * Batches are verified in parallel on `threads` threads (<= 0: all cores).
 * Ownership: zp_audit_result owns its arrays (zp_audit_result_free).
 */
#ifndef ZP_AUDIT_VERIFY_H
#define ZP_AUDIT_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "protocol/bundle.h"
#include "protocol/model_commit.h"
#include "protocol/request.h"

typedef enum {
    ZP_SAMPLE_VALID = 0,
    ZP_SAMPLE_INVALID = 1,
    ZP_SAMPLE_MISSING = 2
} zp_sample_status;

#define ZP_REASON_MAX 200

typedef struct {
    zp_sample_status status;
    int64_t predicted;        /* argmax of the proven output; -1 unless valid */
    char reason[ZP_REASON_MAX]; /* why invalid or missing; "" when valid */
} zp_sample_result;

typedef struct {
    uint64_t n;                /* samples in the request */
    zp_sample_result *samples; /* n, in request order */
    uint64_t valid, invalid, missing;
    uint64_t batches, batches_present;
    unsigned batch_size;       /* the bundle's samples per batch */
    size_t out_bytes;          /* per sample */
    uint8_t *outputs;          /* n * out_bytes proven outputs (zero unless valid) */
    /* cost inputs, from the bundle's batch records */
    double prove_cpu_s;        /* sum over present batches */
    double prove_wall_s;
    uint64_t proven_samples;   /* samples in present batches */
    size_t proof_bytes;        /* sum of the present proofs' sizes */
    /* measured here */
    double verify_wall_s, verify_cpu_s;
    char bundle_problem[ZP_REASON_MAX]; /* set when the whole bundle is refused */
} zp_audit_result;

/* Verify bundle b (opened with zp_bundle_open_readonly) against the request
 * (decoded from request_bytes) and the model commitment.  Fails only on
 * errors of our own (memory, the database); everything the seller could
 * get wrong is a per-sample state in *out. */
za_status zp_audit_verify(const zp_request *rq, const uint8_t request_id[32],
                          const zp_model_commitment *mc, zp_bundle *b, int threads,
                          zp_audit_result *out, za_error *err) ZA_WARN_UNUSED;

void zp_audit_result_free(zp_audit_result *r);

const char *zp_sample_status_name(zp_sample_status s);

#endif
