/* protocol/model_key.h - the seller's secret for a private model commitment.
 *
 * A private model commitment (protocol/model_commit.h) is a hiding
 * commitment (zk/commit.h) to the weights, made for a budget of B openings:
 * every blinded proof opens it once, and the padding that keeps the opened
 * columns uniform covers B * n_queries columns, no more (docs/zero-
 * knowledge.md, "Private model").  Its randomness comes from one 32-byte
 * secret seed, so that each proof can recompute the same commitment.
 *
 * The key file keeps that seed, the budget and the model id, and a ledger
 * of the openings spent: it is a SQLite database (mode 0600) so that
 * several provers on one machine (prove-batch threads, shards, the seller
 * service) share one count under SQLite's locking.  A proof reserves its
 * opening (a slot 0..B-1) before anything is written; a proof that then
 * fails leaves its slot spent, which costs budget and never privacy.  Shard
 * K of N takes only slots s = K (mod N), so copies of the key on N machines
 * still spend each slot at most once between them.
 *
 * One handle may be shared by threads (the service's workers).
 *
 * Whoever holds the key file can rebuild the commitment's randomness: it is
 * as secret as the weights.
 */
#ifndef ZP_MODEL_KEY_H
#define ZP_MODEL_KEY_H

#include <stdint.h>

#include "common/error.h"

#define ZP_MODEL_SEED_LEN 32

typedef struct {
    uint8_t seed[ZP_MODEL_SEED_LEN];
    unsigned budget;       /* B: openings (proofs) the commitment allows */
    uint8_t model_id[32];  /* the commitment's model id */
} zp_model_secret;

typedef struct zp_model_key zp_model_key;

/* Create a key file at path (which must not exist) holding s and an empty
 * ledger. */
za_status zp_model_key_create(const char *path, const zp_model_secret *s, za_error *err)
    ZA_WARN_UNUSED;

/* Open an existing key file (read-write: proofs spend its budget). */
za_status zp_model_key_open(const char *path, zp_model_key **out, za_error *err) ZA_WARN_UNUSED;
void zp_model_key_close(zp_model_key *k);

const zp_model_secret *zp_model_key_secret(const zp_model_key *k);

/* Openings spent so far (all shards). */
za_status zp_model_key_used(zp_model_key *k, unsigned *used, za_error *err) ZA_WARN_UNUSED;

/* ZA_OK if `needed` more proofs fit in what is left of the budget (all
 * shards), else ZA_ERR_LIMIT saying so: a run checks this before it proves
 * anything. */
za_status zp_model_key_check_room(zp_model_key *k, uint64_t needed, za_error *err) ZA_WARN_UNUSED;

/* Reserve one opening for a proof described by `what` (shown by `seller
 * inspect`; NULL: none): the least free slot s with s % shard_n == shard_k.
 * ZA_ERR_LIMIT when this shard's slots are all spent. */
za_status zp_model_key_reserve(zp_model_key *k, unsigned shard_k, unsigned shard_n,
                               const char *what, unsigned *slot, za_error *err) ZA_WARN_UNUSED;

#endif
