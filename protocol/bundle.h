/* protocol/bundle.h - the seller's answer to a request: a bundle of batch
 * proofs in one SQLite file (docs/protocol.md).
 *
 * The bundle is also `seller prove-batch`'s journal.  Each finished batch is
 * inserted in its own transaction (WAL mode, synchronous=FULL), so a run
 * killed at any moment loses at most the batch it was proving, and the same
 * command run again proves only the batches that are missing.  Several
 * processes may fill one bundle at once (shards on one machine: SQLite's
 * locks, a busy timeout); bundles filled on different machines are merged
 * with zp_bundle_merge.
 *
 * Batch k covers samples [k*B, min(n, (k+1)*B)) of the request, B the
 * bundle's batch size.  A batch row records the proof, the prover's CPU
 * seconds (process CPU time, all threads) and wall seconds, for the cost
 * model.
 *
 * The buyer opens bundles from the other party: zp_bundle_open_readonly
 * turns on SQLite's defensive mode, refuses files whose application id,
 * schema version or table definitions are not exactly ours, and caps every
 * blob it reads.  A bundle never holds anything the verifier must trust:
 * every proof is checked against the request and the model commitment.
 *
 * Ownership: zp_bundle is opaque (zp_bundle_close); a zp_bundle_batch's
 * proof is malloc'd for the caller (zp_bundle_batch_free).
 */
#ifndef ZP_BUNDLE_H
#define ZP_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define ZP_BUNDLE_MAX_BATCH 4096

typedef struct zp_bundle zp_bundle;

typedef struct {
    uint8_t request_id[32];
    uint8_t model_id[32];
    uint64_t n_samples;
    unsigned batch_size;
    uint64_t n_batches;      /* batches the request needs: ceil(n / B) */
    uint64_t batches_present;
} zp_bundle_info;

typedef struct {
    uint64_t batch, first;
    unsigned count;
    uint8_t *proof;
    size_t proof_len;
    double cpu_s, wall_s;
    int threads;
} zp_bundle_batch;

/* Create path, or open it if it exists.  An existing bundle must have been
 * made for the same request, model and batch size (else ZA_ERR_MISMATCH,
 * naming what differs): resuming never mixes two audits. */
za_status zp_bundle_open_write(const char *path, const uint8_t request_id[32],
                               const uint8_t model_id[32], uint64_t n_samples,
                               unsigned batch_size, zp_bundle **out, za_error *err) ZA_WARN_UNUSED;

/* Open a bundle from the other party, read-only and defensively. */
za_status zp_bundle_open_readonly(const char *path, zp_bundle **out, za_error *err) ZA_WARN_UNUSED;

void zp_bundle_close(zp_bundle *b);

za_status zp_bundle_get_info(zp_bundle *b, zp_bundle_info *info, za_error *err) ZA_WARN_UNUSED;

/* 1 if batch k is present, 0 if not, -1 on a database error (err set). */
int zp_bundle_has_batch(zp_bundle *b, uint64_t k, za_error *err);

/* Record batch k (one transaction).  A batch already present is an error
 * (ZA_ERR_MISMATCH): a batch is proven once. */
za_status zp_bundle_put_batch(zp_bundle *b, const zp_bundle_batch *batch,
                              za_error *err) ZA_WARN_UNUSED;

/* Read batch k; *found = 0 (and out zeroed) when it is missing. */
za_status zp_bundle_get_batch(zp_bundle *b, uint64_t k, zp_bundle_batch *out, int *found,
                              za_error *err) ZA_WARN_UNUSED;
void zp_bundle_batch_free(zp_bundle_batch *batch);

/* Copy every batch of src that dst lacks into dst (same request, model and
 * batch size, else ZA_ERR_MISMATCH).  *copied counts them. */
za_status zp_bundle_merge(zp_bundle *dst, zp_bundle *src, uint64_t *copied,
                          za_error *err) ZA_WARN_UNUSED;

#endif
