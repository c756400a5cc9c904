/* seller/prove_batch.c - the batch-proving loop of an audit request
 * (seller/prove_batch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/hex.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/parallel.h"
#include "common/progress.h"
#include "datasets/request_check.h"
#include "protocol/infer_proof.h"
#include "protocol/request.h"
#include "seller/prove_batch.h"

static void report(const zs_prove_opts *o, const zp_bundle_info *info, uint64_t present)
{
    if (o->progress)
        o->progress(o->ctx, present, info->n_batches);
}

/* The checks before proving: the request is for this model, its samples are
 * in the committed dataset, and its inputs have the model's size. */
static za_status check(const zp_request *rq, const zm_model *m, const zp_model_commitment *mc,
                       const zs_prove_opts *o, size_t *in_bytes, za_error *err)
{
    const char *cn = o->commit_name ? o->commit_name : "the commitment";
    const char *mn = o->model_name ? o->model_name : "the model";
    if (memcmp(rq->transcript.model_id, mc->model_id, 32)) {
        char a[65], b[65];
        za_hex_encode(rq->transcript.model_id, 32, a);
        za_hex_encode(mc->model_id, 32, b);
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "the request is for model %s, but %s commits to model %s", a, cn,
                            b);
    }
    /* the seller proves only inputs that are in the committed dataset */
    za_status st = zd_check_request(rq, err);
    if (st)
        return st;
    /* an nchw recipe transposes by the shape the request states: it must be the model's */
    if ((st = zd_check_request_model(rq, m, err)))
        return st;
    size_t n = 0;
    for (int k = 0; k < m->n_inputs; k++)
        n += (size_t)m->tensors[m->inputs[k]].n_bytes;
    if (rq->input_len != n)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "the request's inputs are %zu bytes per sample, %s takes %zu",
                            rq->input_len, mn, n);
    *in_bytes = n;
    return ZA_OK;
}

za_status zs_prove_request(const char *request_path, const zm_model *m,
                           const zp_model_commitment *mc, const char *bundle_path,
                           const zs_prove_opts *o, zs_prove_result *out, za_error *err)
{
    memset(out, 0, sizeof *out);
    zp_request rq;
    memset(&rq, 0, sizeof rq);
    zp_bundle *bundle = NULL;
    zp_model_prover *model_prover = NULL;
    uint8_t *rbuf = NULL, *proof = NULL;
    size_t rlen = 0, plen = 0, in_bytes = 0;
    const unsigned B = o->batch_size, sk = o->shard_k, sn = o->shard_n ? o->shard_n : 1;
    za_status st;
    if ((st = za_read_file(request_path, ZA_MAX_REQUEST_BYTES, &rbuf, &rlen, err)) ||
        (st = zp_request_decode(rbuf, rlen, request_path, &rq, err)) ||
        (st = check(&rq, m, mc, o, &in_bytes, err)))
        goto done;
    uint8_t request_id[32];
    zp_request_id(rbuf, rlen, request_id);
    free(rbuf);
    rbuf = NULL;
    zp_bundle_info info;
    if ((st = zp_bundle_open_write(bundle_path, request_id, mc->model_id, rq.n, B, &bundle,
                                   err)) ||
        (st = zp_bundle_get_info(bundle, &info, err)))
        goto done;
    /* what this run has to do */
    uint64_t todo_samples = 0, todo_batches = 0, skipped = 0;
    for (uint64_t k = sk; k < info.n_batches; k += sn) {
        int have = zp_bundle_has_batch(bundle, k, err);
        if (have < 0) {
            st = err->code;
            goto done;
        }
        if (have) {
            skipped++;
            continue;
        }
        uint64_t first = k * B;
        todo_samples += rq.n - first < B ? rq.n - first : B;
        todo_batches++;
    }
    out->batches_skipped = skipped;
    if (zp_model_commitment_is_private(mc)) {
        if (!o->model_key) {
            st = za_error_set(err, ZA_ERR_ARG, "%s is a private model commitment: prove with "
                              "its key (--model-key)", o->commit_name ? o->commit_name
                                                                : "the commitment");
            goto done;
        }
        if ((st = zp_model_key_check_room(o->model_key, todo_batches, err)))
            goto done;
    }
    /* the weights committed once for the whole run, not once per batch */
    if (todo_batches &&
        (st = zp_model_prover_new(m, mc, o->model_key ? zp_model_key_secret(o->model_key) : NULL,
                                  o->threads, &model_prover, err)))
        goto done;
    if (skipped)
        za_log_info("resuming %s: %llu batch%s already proven, %llu to go", bundle_path,
                    (unsigned long long)skipped, skipped == 1 ? "" : "es",
                    (unsigned long long)todo_batches);
    uint64_t present = info.batches_present;
    report(o, &info, present);
    za_progress bar;
    za_log_level level = za_log_threshold();
    if (o->show_progress) {
        za_progress_start(&bar, "proving", todo_samples, NULL);
        /* the prover's per-phase lines are for one proof; here the bar tells
         * the story (and -v still shows them) */
        if (level == ZA_LOG_INFO)
            za_log_init("seller", ZA_LOG_WARN);
    }
    const int threads = o->threads;
    for (uint64_t k = sk; k < info.n_batches; k += sn) {
        if (o->stop && atomic_load(o->stop)) {
            st = za_error_set(err, ZA_ERR_ARG, "%s: stopped", bundle_path);
            break;
        }
        int have = zp_bundle_has_batch(bundle, k, err);
        if (have < 0) {
            st = err->code;
            break;
        }
        if (have) /* proven meanwhile by another shard process */
            continue;
        uint64_t first = k * B;
        unsigned count = (unsigned)(rq.n - first < B ? rq.n - first : B);
        double c0 = za_cpu_s(), w0 = za_now_s();
        zp_prove_stats S;
        zp_prove_opts po = { .blinded = o->blinded,
                             .model_secret = o->model_key ? zp_model_key_secret(o->model_key)
                                                          : NULL,
                             .model_prover = model_prover };
        if (o->model_key && zp_model_commitment_is_private(mc)) {
            char what[96];
            unsigned slot;
            snprintf(what, sizeof what, "batch %llu of a request of %llu samples",
                     (unsigned long long)k, (unsigned long long)rq.n);
            if ((st = zp_model_key_reserve(o->model_key, sk, sn, what, &slot, err)))
                break;
        }
        if ((st = zp_prove_ex(m, mc, count, rq.inputs + first * in_bytes, in_bytes * count,
                              threads, NULL, &po, &proof, &plen, &S, err)))
            break;
        zp_bundle_batch bt = { k, first, count, proof, plen, za_cpu_s() - c0, za_now_s() - w0,
                               threads > 0 ? threads : za_default_threads() };
        st = zp_bundle_put_batch(bundle, &bt, err);
        if (st == ZA_ERR_MISMATCH && zp_bundle_has_batch(bundle, k, err) == 1) {
            /* another shard process finished the same batch first: keep its proof */
            st = ZA_OK;
        } else if (st == ZA_OK) {
            out->cpu_s += bt.cpu_s;
            out->wall_s += bt.wall_s;
            out->samples_proven += count;
            out->batches_proven++;
        }
        free(proof);
        proof = NULL;
        if (st)
            break;
        present++;
        report(o, &info, present);
        if (o->show_progress)
            za_progress_update(&bar, out->samples_proven);
    }
    if (o->show_progress) {
        if (st == ZA_OK)
            za_progress_finish(&bar);
        za_log_init("seller", level);
    }
    if (st == ZA_OK)
        st = zp_bundle_get_info(bundle, &out->info, err);
done:
    zp_model_prover_free(model_prover);
    zp_bundle_close(bundle);
    free(rbuf), free(proof);
    zp_request_free(&rq);
    return st;
}
