/* seller/prove_batch_mpi.c - `seller prove-batch` across MPI ranks: the
 * launcher check, the shared setup and the ranks' work loop
 * (seller/prove_batch_mpi.h; rank 0's side is seller/mpi_coord.c). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "seller/prove_batch_mpi.h"

#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int zs_mpi_launched(void)
{
    const char *off = getenv("ZKAUDIT_MPI");
    if (off && !strcmp(off, "0"))
        return 0;
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

#ifndef ZKAUDIT_MPI

int zs_prove_batch_mpi(const zs_prove_batch_opts *o)
{
    (void)o;
    fprintf(stderr,
            "seller prove-batch: started by an MPI launcher (mpirun), but this seller was "
            "built without MPI support (OpenMPI's pkg-config module ompi-c was not found at "
            "build time).\nInstall libopenmpi-dev (make deps) and rebuild, or run without "
            "mpirun: --shard K/N and `seller merge` split the work without MPI "
            "(docs/scale-out.md).  ZKAUDIT_MPI=0 runs one plain process.\n");
    return 2;
}

#else

#include "common/file.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/parallel.h"
#include "common/progress.h"
#include "protocol/bundle.h"
#include "protocol/infer_proof.h"
#include "seller/model_key_cli.h"
#include "seller/mpi_work.h"

void zs_mpi_nap(void)
{
    struct timespec ts = { 0, 1000000 }; /* 1 ms */
    nanosleep(&ts, NULL);
}

static void wait_req(MPI_Request *r)
{
    int done = 0;
    for (;;) {
        MPI_Test(r, &done, MPI_STATUS_IGNORE);
        if (done)
            return;
        zs_mpi_nap();
    }
}

void zs_mpi_send(const void *buf, int count, MPI_Datatype type, int to, int tag)
{
    MPI_Request r;
    MPI_Isend(buf, count, type, to, tag, MPI_COMM_WORLD, &r);
    wait_req(&r);
}

void zs_mpi_recv(void *buf, int count, MPI_Datatype type, int from, int tag)
{
    MPI_Request r;
    MPI_Irecv(buf, count, type, from, tag, MPI_COMM_WORLD, &r);
    wait_req(&r);
}

void zs_mpi_prove(const zs_mpi_job *j, uint64_t k, unsigned count, const uint8_t *inputs,
                  uint8_t **proof, zs_mpi_result *h)
{
    memset(h, 0, sizeof *h);
    za_error err;
    zp_prove_stats S;
    size_t plen = 0;
    double c0 = za_cpu_s(), w0 = za_now_s();
    *proof = NULL;
    za_status st = ZA_OK;
    /* the weights committed once, at this rank's first batch, for all of its
     * batches (after rank 0's checks of the request and commitment; one
     * proving thread per rank, so no race on the job's slot) */
    zs_mpi_job *mj = (zs_mpi_job *)j;
    if (!mj->model_prover)
        st = zp_model_prover_new(j->m, &j->mc, j->has_secret ? &j->secret : NULL, j->threads,
                                 &mj->model_prover, &err);
    zp_prove_opts po = { .blinded = 0, .model_secret = j->has_secret ? &j->secret : NULL,
                         .model_prover = j->model_prover };
    if (!st)
        st = zp_prove_ex(j->m, &j->mc, count, inputs, j->in_bytes * count, j->threads, NULL, &po,
                         proof, &plen, &S, &err);
    h->batch = k;
    h->cpu_s = za_cpu_s() - c0;
    h->wall_s = za_now_s() - w0;
    h->threads = j->threads;
    h->proof_len = plen;
    h->code = (int32_t)st;
    if (st) {
        snprintf(h->msg, sizeof h->msg, "batch %llu: %s", (unsigned long long)k, err.msg);
        free(*proof);
        *proof = NULL;
    }
}

/* Rank 0 reads a file and every rank gets its bytes. */
static za_status bcast_file(int rank, const char *path, size_t cap, uint8_t **buf, size_t *len,
                            za_error *err)
{
    int ok = 1;
    if (rank == 0 && za_read_file(path, cap, buf, len, err))
        ok = 0;
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!ok)
        return rank == 0 ? err->code
                         : za_error_set(err, ZA_ERR_IO, "rank 0 could not read %s", path);
    uint64_t n = *len;
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (rank != 0) {
        *buf = malloc(n ? (size_t)n : 1);
        if (!*buf) {
            fprintf(stderr, "seller prove-batch: out of memory for %s (%llu bytes)\n", path,
                    (unsigned long long)n);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        *len = (size_t)n;
    }
    const uint64_t chunk = (uint64_t)1 << 28; /* MPI counts are int */
    for (uint64_t off = 0; off < n; off += chunk)
        MPI_Bcast(*buf + off, (int)(n - off < chunk ? n - off : chunk), MPI_BYTE, 0,
                  MPI_COMM_WORLD);
    return ZA_OK;
}

/* What a rank needs: the commitment and the model from rank 0; rank 0 also
 * reads the request (the same checks as a single process makes). */
static za_status setup(zs_mpi_job *j, const zs_prove_batch_opts *o, int rank, za_error *err)
{
    uint8_t *cbuf = NULL, *mbuf = NULL;
    size_t clen = 0, mlen = 0;
    za_status st = bcast_file(rank, o->commit_path, ZA_MAX_PROOF_BYTES, &cbuf, &clen, err);
    if (!st)
        st = bcast_file(rank, o->model_path, ZA_MAX_MODEL_FILE_BYTES, &mbuf, &mlen, err);
    if (!st)
        st = zp_model_commitment_decode(cbuf, clen, o->commit_path, &j->mc, err);
    if (!st && zp_model_commitment_is_private(&j->mc)) {
        /* rank 0 opens the key; every rank gets the secret */
        int ok = 1;
        if (rank == 0 && zs_model_key_for(&j->mc, o->commit_path, o->key_path, &j->key, err))
            ok = 0;
        MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (!ok) {
            st = rank == 0 ? err->code
                           : za_error_set(err, ZA_ERR_ARG, "rank 0 could not open the model key");
        } else {
            if (rank == 0)
                j->secret = *zp_model_key_secret(j->key);
            MPI_Bcast(&j->secret, (int)sizeof j->secret, MPI_BYTE, 0, MPI_COMM_WORLD);
            j->has_secret = 1;
        }
    } else if (!st && rank == 0 && o->key_path) {
        st = za_error_set(err, ZA_ERR_ARG, "%s is a public model commitment: --model-key is only "
                          "for private ones", o->commit_path);
    }
    if (!st)
        st = zm_model_load_buffer(mbuf, mlen, o->model_path, &j->m, err);
    free(cbuf);
    free(mbuf);
    if (st)
        return st;
    for (int k = 0; k < j->m->n_inputs; k++)
        j->in_bytes += (size_t)j->m->tensors[j->m->inputs[k]].n_bytes;
    if (rank != 0)
        return ZA_OK;
    if (za_read_file(o->req_path, ZA_MAX_REQUEST_BYTES, &j->rbuf, &j->rlen, err) ||
        zp_request_decode(j->rbuf, j->rlen, o->req_path, &j->rq, err))
        return err->code;
    if (j->rq.input_len != j->in_bytes)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "the request's inputs are %zu bytes per sample, %s takes %zu",
                            j->rq.input_len, o->model_path, j->in_bytes);
    if (j->in_bytes * j->batch_size > INT_MAX)
        return za_error_set(err, ZA_ERR_LIMIT,
                            "a batch of %u inputs of %zu bytes is too large for one MPI "
                            "message: use a smaller --batch-size", j->batch_size, j->in_bytes);
    return ZA_OK;
}

/* The node's cores divided among the ranks on it, and no more than the
 * cores this rank is bound to (mpirun binds a rank to one core by default
 * when np <= 2). */
static int default_threads(void)
{
    MPI_Comm node;
    int local = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_size(node, &local);
        MPI_Comm_free(&node);
    }
    int t = za_default_threads() / (local > 0 ? local : 1);
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) < t)
        t = CPU_COUNT(&set);
    return t > 0 ? t : 1;
}

/* A rank other than 0: prove what rank 0 hands out until it says stop. */
static int worker(const zs_mpi_job *j, za_status setup_st, const za_error *setup_err)
{
    int rc = 0;
    for (;;) {
        zs_mpi_work wk;
        zs_mpi_recv(&wk, (int)sizeof wk, MPI_BYTE, 0, ZS_TAG_WORK);
        if (wk.batch == ZS_NO_WORK)
            break;
        size_t n = (size_t)wk.count * j->in_bytes;
        uint8_t *inputs = wk.count <= ZP_BUNDLE_MAX_BATCH && n <= INT_MAX ? malloc(n ? n : 1)
                                                                        : NULL;
        if (!inputs) {
            fprintf(stderr, "seller prove-batch: no memory for %llu inputs\n",
                    (unsigned long long)wk.count);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        zs_mpi_recv(inputs, (int)n, MPI_BYTE, 0, ZS_TAG_INPUT);
        zs_mpi_result h;
        uint8_t *proof = NULL;
        if (setup_st) {
            memset(&h, 0, sizeof h);
            h.batch = wk.batch;
            h.code = (int32_t)setup_st;
            snprintf(h.msg, sizeof h.msg, "%s", setup_err->msg);
        } else {
            zs_mpi_prove(j, wk.batch, (unsigned)wk.count, inputs, &proof, &h);
        }
        free(inputs);
        zs_mpi_send(&h, (int)sizeof h, MPI_BYTE, 0, ZS_TAG_RESULT);
        if (!h.code)
            zs_mpi_send(proof, (int)h.proof_len, MPI_BYTE, 0, ZS_TAG_PROOF);
        else
            rc = 1;
        free(proof);
    }
    return rc;
}

int zs_prove_batch_mpi(const zs_prove_batch_opts *o)
{
    int provided = 0, rank = 0, size = 1;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "seller prove-batch: MPI_Init_thread failed\n");
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (provided < MPI_THREAD_FUNNELED) {
        if (rank == 0)
            fprintf(stderr, "seller prove-batch: this MPI library gives no thread support "
                            "(MPI_THREAD_FUNNELED is needed)\n");
        MPI_Finalize();
        return 1;
    }
    /* the prover's per-phase lines are for one proof: keep them out */
    za_log_level level = za_log_threshold();
    if (level == ZA_LOG_INFO || rank != 0)
        za_log_init("seller", rank != 0 && level == ZA_LOG_ERROR ? level : ZA_LOG_WARN);
    zs_mpi_job j;
    memset(&j, 0, sizeof j);
    j.batch_size = o->batch_size;
    j.threads = o->threads > 0 ? o->threads : default_threads();
    za_error err;
    memset(&err, 0, sizeof err);
    za_status st = setup(&j, o, rank, &err);
    int rc = rank == 0 ? zs_mpi_coordinate(&j, o, size, st, &err, level) : worker(&j, st, &err);
    free(j.rbuf);
    zp_request_free(&j.rq);
    zp_model_commitment_free(&j.mc);
    zp_model_key_close(j.key);
    zp_model_prover_free(j.model_prover);
    memset(&j.secret, 0, sizeof j.secret);
    zm_model_free(j.m);
    MPI_Finalize();
    za_log_init("seller", level);
    return rc;
}

#endif
