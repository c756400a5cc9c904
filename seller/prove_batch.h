/* seller/prove_batch.h - prove every sample of an audit request, batch by
 * batch, into a resumable bundle (docs/protocol.md): the loop shared by
 * `seller prove-batch` and the proving workers of `seller serve`.
 *
 * zs_prove_request reads and checks the request (its transcript, the model
 * id of the commitment, every sample's inclusion in the committed dataset
 * and its input preparation, the model's input size), opens or creates the
 * bundle, and proves the batches k = shard_k, shard_k + shard_n, ... that the
 * bundle lacks, committing each on its own.  A run that is killed loses only
 * the batch in progress; running it again proves only what is missing.
 *
 * Ownership: the caller owns m, mc and every path; the function keeps
 * nothing after it returns.  It may run in several threads at once (on
 * different bundles) as long as opts->show_progress is 0 in all of them.
 */
#ifndef ZS_PROVE_BATCH_H
#define ZS_PROVE_BATCH_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/error.h"
#include "model/model.h"
#include "protocol/bundle.h"
#include "protocol/model_commit.h"
#include "protocol/model_key.h"

typedef struct {
    unsigned batch_size;        /* 1..ZP_BUNDLE_MAX_BATCH */
    int threads;                /* prover threads, <= 0: all cores */
    unsigned shard_k, shard_n;  /* 0 <= shard_k < shard_n; 0/1 proves everything */
    int show_progress;          /* draw the progress bar and quiet the prover's log lines
                                 * (changes the process's log level meanwhile) */
    /* called (if not NULL) once before proving and after each batch with the
     * batches present in the bundle and the batches the request needs */
    void (*progress)(void *ctx, uint64_t present, uint64_t total);
    void *ctx;
    /* if not NULL and set non-zero (by another thread), stop between batches
     * with ZA_ERR_ARG "stopped" */
    const atomic_int *stop;
    /* names for error messages (NULL: "the commitment", "the model") */
    const char *commit_name, *model_name;
    int blinded;                /* blinded proofs (zp_prove_ex, docs/zero-knowledge.md) */
    /* a private commitment's key (protocol/model_key.h; required for one):
     * every batch spends one of its openings, reserved before it is proven,
     * and a run that needs more than are left refuses before proving */
    zp_model_key *model_key;
} zs_prove_opts;

typedef struct {
    uint64_t samples_proven;    /* by this run */
    uint64_t batches_proven;    /* by this run */
    uint64_t batches_skipped;   /* already in the bundle when the run started */
    double cpu_s, wall_s;       /* summed over this run's batches */
    zp_bundle_info info;        /* of the bundle at the end */
} zs_prove_result;

za_status zs_prove_request(const char *request_path, const zm_model *m,
                           const zp_model_commitment *mc, const char *bundle_path,
                           const zs_prove_opts *opts, zs_prove_result *out,
                           za_error *err) ZA_WARN_UNUSED;

#endif
