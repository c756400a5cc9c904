/* seller/service.c - the service's life cycle and its proving workers
 * (seller/service.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/log.h"
#include "common/sha256.h"
#include "seller/prove_batch.h"
#include "seller/service_int.h"

za_status zs_service_open(const zs_service_config *cfg, zs_service **out, uint64_t *requeued,
                          za_error *err)
{
    *out = NULL;
    *requeued = 0;
    if (cfg->workers < 1 || cfg->workers > ZA_MAX_SERVICE_WORKERS || cfg->batch_size < 1 ||
        cfg->batch_size > ZP_BUNDLE_MAX_BATCH || !cfg->model || !cfg->mc || !cfg->auth)
        return za_error_set(err, ZA_ERR_ARG, "service: bad configuration");
    zs_service *s = calloc(1, sizeof *s);
    if (!s)
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    s->cfg = *cfg;
    for (int k = 0; k < cfg->model->n_inputs; k++)
        s->input_bytes += (size_t)cfg->model->tensors[cfg->model->inputs[k]].n_bytes;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->intake, NULL);
    pthread_cond_init(&s->wake, NULL);
    atomic_init(&s->stop, 0);
    za_status st = zs_state_open(cfg->db_path, &s->state, err);
    if (st == ZA_OK)
        st = zs_state_requeue(s->state, requeued, err);
    if (st) {
        zs_service_close(s);
        return st;
    }
    *out = s;
    return ZA_OK;
}

void zs_service_kick(zs_service *s)
{
    pthread_mutex_lock(&s->mu);
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->mu);
}

typedef struct {
    zs_service *s;
    const char *id;
} job_ctx;

static void on_progress(void *ctx, uint64_t present, uint64_t total)
{
    job_ctx *j = ctx;
    za_error err;
    if (zs_state_progress(j->s->state, j->id, present, total, &err))
        za_log_report(&err);
}

/* Prove audit id; the bundle file is complete (no WAL beside it) once
 * zs_prove_request has closed it. */
static void run_job(zs_service *s, const char *id)
{
    char req[4200], bundle[4200];
    za_error err;
    zs_prove_result r;
    job_ctx ctx = { s, id };
    zs_prove_opts o = { s->cfg.batch_size, s->cfg.threads, 0, 1, 0, on_progress, &ctx, &s->stop,
                        "the service's commitment", "the service's model", 0,
                        s->cfg.model_key };
    za_log_info("audit %s: proving", id);
    za_status st = zs_state_path(s->state, id, "request", req, sizeof req, &err);
    if (st == ZA_OK)
        st = zs_state_path(s->state, id, "bundle", bundle, sizeof bundle, &err);
    if (st == ZA_OK)
        st = zs_prove_request(req, s->cfg.model, s->cfg.mc, bundle, &o, &r, &err);
    if (st == ZA_OK && r.info.batches_present != r.info.n_batches)
        st = za_error_set(&err, ZA_ERR_MISMATCH, "the bundle lacks batches after proving");
    if (atomic_load(&s->stop) && st) {
        /* stopped between batches: the next start resumes it */
        if (zs_state_fail(s->state, id, NULL, &err))
            za_log_report(&err);
        return;
    }
    uint8_t digest[32];
    struct stat sb;
    if (st == ZA_OK && (st = za_sha256_file(bundle, digest, &err)) == ZA_OK &&
        stat(bundle, &sb) != 0)
        st = za_error_set(&err, ZA_ERR_IO, "%s: cannot stat", bundle);
    if (st == ZA_OK) {
        st = zs_state_done(s->state, id, (uint64_t)sb.st_size, digest, &err);
        if (st == ZA_OK)
            za_log_info("audit %s: done (%llu samples proven now, %llu batches skipped)", id,
                        (unsigned long long)r.samples_proven,
                        (unsigned long long)r.batches_skipped);
    }
    if (st) {
        za_log_error("audit %s: failed: %s", id, err.msg);
        za_error e2;
        if (zs_state_fail(s->state, id, err.msg, &e2))
            za_log_report(&e2);
    }
}

static void *worker(void *arg)
{
    zs_service *s = arg;
    for (;;) {
        char id[ZS_AUDIT_ID_LEN + 1];
        int found = 0;
        za_error err;
        pthread_mutex_lock(&s->mu);
        while (!atomic_load(&s->stop)) {
            if (zs_state_claim(s->state, id, &found, &err)) {
                za_log_report(&err);
                found = 0;
            }
            if (found)
                break;
            /* a bounded wait, so a database hiccup is retried */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 5;
            pthread_cond_timedwait(&s->wake, &s->mu, &ts);
        }
        pthread_mutex_unlock(&s->mu);
        if (!found)
            return NULL;
        run_job(s, id);
    }
}

za_status zs_service_start(zs_service *s, za_error *err)
{
    while (s->n_started < s->cfg.workers) {
        if (pthread_create(&s->workers[s->n_started], NULL, worker, s))
            return za_error_set(err, ZA_ERR_NOMEM, "cannot start a proving worker");
        s->n_started++;
    }
    return ZA_OK;
}

void zs_service_close(zs_service *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    atomic_store(&s->stop, 1);
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->mu);
    for (unsigned i = 0; i < s->n_started; i++)
        pthread_join(s->workers[i], NULL);
    zs_state_close(s->state);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->intake);
    free(s);
}
