/* seller/mpi_coord.c - rank 0 of `seller prove-batch` under MPI: checks the
 * request, opens the bundle, hands out the missing batches one at a time
 * (to the other ranks and to a prover thread of its own) and writes every
 * proof it gets back (seller/mpi_work.h). */
#ifdef ZKAUDIT_MPI

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/limits.h"
#include "common/progress.h"
#include "datasets/request_check.h"
#include "protocol/bundle.h"
#include "seller/mpi_work.h"

/* rank 0's own prover: a thread, so that the main thread keeps serving */
typedef struct {
    const zs_mpi_job *j;
    uint64_t k;
    uint8_t *proof;
    zs_mpi_result h;
    atomic_int done;
    int busy;
    pthread_t tid;
} local_prover;

typedef struct {
    const zs_mpi_job *j;
    const zs_prove_batch_opts *o;
    zp_bundle *bundle;
    uint64_t n_batches;
    uint64_t *todo;
    size_t n_todo, next;
    int failed; /* stop handing out work */
    uint64_t samples, batches;
    double cpu_total;
    za_progress bar;
} coord;

static uint64_t next_batch(coord *c)
{
    if (c->failed || c->next == c->n_todo)
        return ZS_NO_WORK;
    uint64_t k = c->todo[c->next];
    if (c->j->key) { /* a private commitment: spend a slot before the batch goes out */
        char what[96];
        unsigned slot;
        za_error err;
        snprintf(what, sizeof what, "batch %llu under mpirun", (unsigned long long)k);
        if (zp_model_key_reserve(c->j->key, c->o->shard_k, c->o->shard_n ? c->o->shard_n : 1,
                                 what, &slot, &err)) {
            za_log_report(&err);
            c->failed = 1;
            return ZS_NO_WORK;
        }
    }
    c->next++;
    return k;
}

/* Samples in batch k. */
static unsigned batch_count(const zs_mpi_job *j, uint64_t k)
{
    uint64_t left = j->rq.n - k * j->batch_size;
    return (unsigned)(left < j->batch_size ? left : j->batch_size);
}

static const uint8_t *batch_inputs(const zs_mpi_job *j, uint64_t k)
{
    return j->rq.inputs + k * j->batch_size * j->in_bytes;
}

/* Hand rank w batch k (or ZS_NO_WORK) with its inputs. */
static void send_work(const coord *c, int w, uint64_t k)
{
    zs_mpi_work wk = { k, k == ZS_NO_WORK ? 0 : batch_count(c->j, k) };
    zs_mpi_send(&wk, (int)sizeof wk, MPI_BYTE, w, ZS_TAG_WORK);
    if (k != ZS_NO_WORK)
        zs_mpi_send(batch_inputs(c->j, k), (int)(wk.count * c->j->in_bytes), MPI_BYTE, w,
                    ZS_TAG_INPUT);
}

/* Write one result into the bundle (or note its failure). */
static void store(coord *c, const zs_mpi_result *h, uint8_t *proof, int from)
{
    if (h->code) {
        za_log_error("rank %d: %s", from, h->msg);
        c->failed = 1;
        return;
    }
    unsigned count = batch_count(c->j, h->batch);
    zp_bundle_batch bt = { h->batch, h->batch * c->j->batch_size, count, proof, h->proof_len,
                           h->cpu_s, h->wall_s, h->threads };
    za_error err;
    za_status st = zp_bundle_put_batch(c->bundle, &bt, &err);
    if (st == ZA_ERR_MISMATCH && zp_bundle_has_batch(c->bundle, h->batch, &err) == 1)
        st = ZA_OK; /* a --shard process on this machine proved it meanwhile */
    if (st) {
        za_log_report(&err);
        c->failed = 1;
        return;
    }
    c->samples += count;
    c->batches++;
    c->cpu_total += h->cpu_s;
    za_progress_update(&c->bar, c->samples);
}

static void *local_main(void *arg)
{
    local_prover *lp = arg;
    zs_mpi_prove(lp->j, lp->k, batch_count(lp->j, lp->k), batch_inputs(lp->j, lp->k), &lp->proof,
                 &lp->h);
    atomic_store(&lp->done, 1);
    return NULL;
}

static void local_start(coord *c, local_prover *lp)
{
    uint64_t k = next_batch(c);
    if (k == ZS_NO_WORK)
        return;
    lp->k = k;
    lp->proof = NULL;
    atomic_store(&lp->done, 0);
    if (pthread_create(&lp->tid, NULL, local_main, lp)) {
        za_log_error("rank 0: cannot start a prover thread");
        c->failed = 1;
        return;
    }
    lp->busy = 1;
}

/* A result from rank w: receive it (and its proof), store it, answer. */
static int serve(coord *c, int w, int *active)
{
    zs_mpi_result h;
    zs_mpi_recv(&h, (int)sizeof h, MPI_BYTE, w, ZS_TAG_RESULT);
    h.msg[sizeof h.msg - 1] = 0;
    uint8_t *proof = NULL;
    if (!h.code) {
        if (h.batch >= c->n_batches || h.proof_len > ZA_MAX_PROOF_BYTES ||
            !(proof = malloc(h.proof_len ? (size_t)h.proof_len : 1))) {
            za_log_error("rank %d: batch %llu with a %llu-byte proof: out of range or out of "
                         "memory", w, (unsigned long long)h.batch,
                         (unsigned long long)h.proof_len);
            return 0;
        }
        zs_mpi_recv(proof, (int)h.proof_len, MPI_BYTE, w, ZS_TAG_PROOF);
    }
    store(c, &h, proof, w);
    free(proof);
    uint64_t k = next_batch(c);
    send_work(c, w, k);
    if (k == ZS_NO_WORK)
        (*active)--;
    return 1;
}

/* Hand out every batch of c->todo and collect them; 0 on a fatal fault. */
static int run(coord *c, int size)
{
    local_prover lp;
    memset(&lp, 0, sizeof lp);
    lp.j = c->j;
    int active = 0;
    for (int w = 1; w < size; w++) {
        uint64_t k = next_batch(c);
        send_work(c, w, k);
        active += k != ZS_NO_WORK;
    }
    local_start(c, &lp);
    while (active > 0 || lp.busy) {
        int progressed = 0, flag = 0;
        MPI_Status stt;
        MPI_Iprobe(MPI_ANY_SOURCE, ZS_TAG_RESULT, MPI_COMM_WORLD, &flag, &stt);
        if (flag) {
            if (!serve(c, stt.MPI_SOURCE, &active))
                return 0;
            progressed = 1;
        }
        if (lp.busy && atomic_load(&lp.done)) {
            pthread_join(lp.tid, NULL);
            lp.busy = 0;
            store(c, &lp.h, lp.proof, 0);
            free(lp.proof);
            lp.proof = NULL;
            local_start(c, &lp);
            progressed = 1;
        }
        if (!progressed)
            zs_mpi_nap();
    }
    return 1;
}

/* The checks a single process makes before proving, then the to-do list. */
static za_status prepare(coord *c, zs_mpi_job *j, const zs_prove_batch_opts *o,
                         uint64_t *skipped, za_error *err)
{
    if (memcmp(j->rq.transcript.model_id, j->mc.model_id, 32)) {
        char a[65], b[65];
        za_hex_encode(j->rq.transcript.model_id, 32, a);
        za_hex_encode(j->mc.model_id, 32, b);
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "the request is for model %s, but %s commits to model %s", a,
                            o->commit_path, b);
    }
    if (zd_check_request(&j->rq, err) || zd_check_request_model(&j->rq, j->m, err))
        return err->code;
    uint8_t request_id[32];
    zp_request_id(j->rbuf, j->rlen, request_id);
    if (zp_bundle_open_write(o->out_path, request_id, j->mc.model_id, j->rq.n, o->batch_size,
                             &c->bundle, err))
        return err->code;
    zp_bundle_info info;
    if (zp_bundle_get_info(c->bundle, &info, err))
        return err->code;
    c->n_batches = info.n_batches;
    uint64_t mine = (info.n_batches + o->shard_n - 1 - o->shard_k) / o->shard_n;
    c->todo = malloc((size_t)(mine ? mine : 1) * sizeof *c->todo);
    if (!c->todo)
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory for %llu batch numbers",
                            (unsigned long long)mine);
    *skipped = 0;
    for (uint64_t k = o->shard_k; k < info.n_batches; k += o->shard_n) {
        int have = zp_bundle_has_batch(c->bundle, k, err);
        if (have < 0)
            return err->code;
        if (have)
            (*skipped)++;
        else
            c->todo[c->n_todo++] = k;
    }
    if (j->key && zp_model_key_check_room(j->key, c->n_todo, err)) /* before proving */
        return err->code;
    return ZA_OK;
}

static void stop_all(const coord *c, int size)
{
    for (int w = 1; w < size; w++)
        send_work(c, w, ZS_NO_WORK);
}

int zs_mpi_coordinate(zs_mpi_job *j, const zs_prove_batch_opts *o, int size,
                      za_status setup_st, za_error *setup_err, za_log_level level)
{
    coord c;
    memset(&c, 0, sizeof c);
    c.j = j;
    c.o = o;
    uint64_t skipped = 0;
    za_error err;
    za_log_init("seller", level);
    if (setup_st || prepare(&c, j, o, &skipped, &err)) {
        za_log_report(setup_st ? setup_err : &err);
        stop_all(&c, size);
        zp_bundle_close(c.bundle);
        free(c.todo);
        return 1;
    }
    uint64_t todo_samples = 0;
    for (size_t i = 0; i < c.n_todo; i++)
        todo_samples += batch_count(j, c.todo[i]);
    if (skipped)
        za_log_info("resuming %s: %llu batch%s already proven, %zu to go", o->out_path,
                    (unsigned long long)skipped, skipped == 1 ? "" : "es", c.n_todo);
    za_progress_start(&c.bar, "proving", todo_samples, NULL);
    if (level == ZA_LOG_INFO)
        za_log_init("seller", ZA_LOG_WARN);
    double w0 = za_now_s();
    int ok = run(&c, size);
    double wall = za_now_s() - w0;
    za_progress_finish(&c.bar);
    za_log_init("seller", level);
    if (!ok)
        MPI_Abort(MPI_COMM_WORLD, 1);
    zp_bundle_info info;
    int rc = c.failed ? 1 : 0;
    if (zp_bundle_get_info(c.bundle, &info, &err)) {
        za_log_report(&err);
        rc = 1;
    } else {
        printf("proved %llu sample%s in %llu batch%s (%.2f s, %.3f CPU-s per sample) on %d "
               "rank%s x %d thread%s; skipped %llu batch%s already proven\n",
               (unsigned long long)c.samples, c.samples == 1 ? "" : "s",
               (unsigned long long)c.batches, c.batches == 1 ? "" : "es", wall,
               c.samples ? c.cpu_total / (double)c.samples : 0.0, size, size == 1 ? "" : "s",
               j->threads, j->threads == 1 ? "" : "s", (unsigned long long)skipped,
               skipped == 1 ? "" : "es");
        printf("bundle %s: %llu of %llu batches present%s\n", o->out_path,
               (unsigned long long)info.batches_present, (unsigned long long)info.n_batches,
               info.batches_present == info.n_batches ? " (complete)" : "");
    }
    zp_bundle_close(c.bundle);
    free(c.todo);
    return rc;
}

#else
typedef int zs_mpi_coord_unused; /* built without MPI: nothing here */
#endif
