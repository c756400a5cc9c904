/* seller/mpi_work.h - internal to `seller prove-batch` under MPI: the job
 * every rank holds, the messages between ranks, and rank 0's loop.
 * Only compiled with ZKAUDIT_MPI (seller/prove_batch_mpi.h).
 *
 * Messages (MPI_COMM_WORLD; every wait polls with a short sleep, because
 * OpenMPI's blocking calls spin and would take a core from the prover):
 *   0 -> r  ZS_TAG_WORK    zs_mpi_work: the batch to prove, or ZS_NO_WORK
 *   0 -> r  ZS_TAG_INPUT   its model inputs (count x in_bytes), unless ZS_NO_WORK
 *   r -> 0  ZS_TAG_RESULT  zs_mpi_result (code != 0: failed, msg says why)
 *   r -> 0  ZS_TAG_PROOF   the proof bytes, when code == 0
 * Every result gets exactly one ZS_TAG_WORK answer.
 */
#ifndef ZS_MPI_WORK_H
#define ZS_MPI_WORK_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/log.h"
#include "model/model.h"
#include "protocol/infer_proof.h"
#include "protocol/model_commit.h"
#include "protocol/request.h"
#include "seller/prove_batch_mpi.h"

enum { ZS_TAG_WORK = 1, ZS_TAG_INPUT = 2, ZS_TAG_RESULT = 3, ZS_TAG_PROOF = 4 };
#define ZS_NO_WORK UINT64_MAX

/* What a rank holds; owns its members (freed by zs_prove_batch_mpi).  Only
 * rank 0 holds the request: the others get each batch's inputs with it. */
typedef struct {
    uint8_t *rbuf; /* rank 0: the encoded request (it names the request) */
    size_t rlen;
    zp_request rq; /* rank 0 only */
    zp_model_commitment mc;
    zm_model *m;
    size_t in_bytes; /* model-input bytes per sample */
    unsigned batch_size;
    int threads;
    /* a private commitment: its secret (rank 0 reads the key and sends it
     * to every rank, over the seller's own MPI job) and, on rank 0, the key,
     * whose ledger rank 0 spends a slot of before handing out each batch */
    int has_secret;
    zp_model_secret secret;
    zp_model_key *key;
    zp_model_prover *model_prover; /* the weights committed once per rank */
} zs_mpi_job;

typedef struct {
    uint64_t batch, count;
} zs_mpi_work;

typedef struct {
    uint64_t batch, proof_len;
    double cpu_s, wall_s;
    int32_t threads, code;
    char msg[ZA_ERROR_MSG_MAX + 32]; /* "batch K: " and the error */
} zs_mpi_result;

/* Point-to-point send / receive that sleep while they wait. */
void zs_mpi_send(const void *buf, int count, MPI_Datatype type, int to, int tag);
void zs_mpi_recv(void *buf, int count, MPI_Datatype type, int from, int tag);
void zs_mpi_nap(void);

/* Prove batch k of count samples (inputs: count x j->in_bytes) into *proof
 * (malloc'd, the caller frees) and fill *h. */
void zs_mpi_prove(const zs_mpi_job *j, uint64_t k, unsigned count, const uint8_t *inputs,
                  uint8_t **proof, zs_mpi_result *h);

/* Rank 0: check the request, open the bundle, hand out the missing batches
 * to the size-1 other ranks and to a local prover thread, write every proof.
 * setup_st/setup_err: how the shared setup went.  Returns the exit code. */
int zs_mpi_coordinate(zs_mpi_job *j, const zs_prove_batch_opts *o, int size,
                      za_status setup_st, za_error *setup_err, za_log_level level);

#endif
