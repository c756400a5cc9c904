/* seller/prove_batch_mpi.h - `seller prove-batch` under mpirun: the batches
 * of a request spread over the MPI ranks, the bundle written by rank 0
 * (docs/scale-out.md).
 *
 * Only rank 0 reads the request, the model and its commitment: it sends
 * the model and the commitment to the other ranks (MPI_Bcast), hands out the
 * missing batches one at a time with their inputs, receives every proof
 * (MPI point-to-point) and writes the bundle, so no rank but 0 needs the
 * files or a shared filesystem, and only rank 0 holds the whole request.  Rank 0
 * also proves, in a second thread, while its main thread serves the others.
 * Batches already in the bundle are skipped by every rank (resuming works
 * as without MPI); --shard K/N restricts the batches as without MPI.
 *
 * MPI is optional: bin/seller is built with it when `pkg-config ompi-c`
 * finds OpenMPI (ZKAUDIT_MPI defined), else zs_prove_batch_mpi only
 * explains that this build has no MPI.
 */
#ifndef ZS_PROVE_BATCH_MPI_H
#define ZS_PROVE_BATCH_MPI_H

typedef struct {
    const char *req_path, *model_path, *commit_path, *out_path;
    unsigned batch_size, shard_k, shard_n;
    int threads; /* 0 = the node's cores divided among its ranks */
    const char *key_path; /* a private commitment's key (NULL: COMMIT.key), read by rank 0 */
} zs_prove_batch_opts;

/* 1 if this process was started by an MPI launcher (mpirun/mpiexec: the
 * OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_RANK environment variables), unless
 * ZKAUDIT_MPI=0 is set.  Without a launcher prove-batch never touches MPI. */
int zs_mpi_launched(void);

/* Run prove-batch as one rank of the MPI job; returns the process exit code
 * (0 done, 1 failed, 2 usage: e.g. this build has no MPI support). */
int zs_prove_batch_mpi(const zs_prove_batch_opts *o);

#endif
