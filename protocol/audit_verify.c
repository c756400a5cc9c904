/* protocol/audit_verify.c - per-sample verdicts for a bundle (see audit_verify.h). */
#include "protocol/audit_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/parallel.h"
#include "common/progress.h"
#include "protocol/infer_proof.h"

const char *zp_sample_status_name(zp_sample_status s)
{
    switch (s) {
    case ZP_SAMPLE_VALID: return "valid";
    case ZP_SAMPLE_INVALID: return "invalid";
    case ZP_SAMPLE_MISSING: return "missing";
    }
    return "unknown";
}

void zp_audit_result_free(zp_audit_result *r)
{
    if (!r)
        return;
    free(r->samples);
    free(r->outputs);
    memset(r, 0, sizeof *r);
}

typedef struct {
    const zp_request *rq;
    const zp_model_commitment *mc;
    zp_audit_result *res;
    zp_bundle_batch *batches; /* loaded up front (SQLite handles are per thread) */
    int *found;
    unsigned batch_size;
    uint64_t base;            /* first batch of the window being verified */
} verify_ctx;

/* Proofs are read a window at a time, never all at once: a MobileNet proof
 * is about 5 MB (10,000 samples in batches of 8: 6 GB), and a hostile row
 * may hold up to ZA_MAX_PROOF_BYTES. */
#define VERIFY_WINDOW_BATCHES 64
#define VERIFY_WINDOW_BYTES ((size_t)256 << 20)

/* Samples in batch k of n samples in batches of B (the last may be short). */
static unsigned batch_count(uint64_t n, uint64_t k, unsigned B)
{
    uint64_t first = k * B;
    return (unsigned)(n - first < B ? n - first : B);
}

static void mark(zp_audit_result *res, uint64_t first, unsigned count, zp_sample_status st,
                 const char *reason)
{
    for (uint64_t i = first; i < first + count && i < res->n; i++) {
        res->samples[i].status = st;
        res->samples[i].predicted = -1;
        snprintf(res->samples[i].reason, ZP_REASON_MAX, "%.199s", reason);
    }
}

static void verify_range(void *vctx, size_t begin, size_t end)
{
    verify_ctx *c = vctx;
    const zp_request *rq = c->rq;
    zp_audit_result *res = c->res;
    for (size_t kw = begin; kw < end; kw++) {
        uint64_t k = c->base + kw;
        uint64_t first = k * c->batch_size;
        unsigned count = batch_count(rq->n, k, c->batch_size);
        if (!c->found[k]) /* marked missing or invalid while loading */
            continue;
        zp_verified v;
        za_error err;
        char reason[ZP_REASON_MAX];
        memset(&v, 0, sizeof v);
        if (zp_verify(c->mc, c->batches[k].proof, c->batches[k].proof_len, 1, &v, &err)) {
            snprintf(reason, sizeof reason, "proof rejected: %.180s", err.msg);
            mark(res, first, count, ZP_SAMPLE_INVALID, reason);
            continue;
        }
        if (memcmp(v.model_id, rq->transcript.model_id, 32)) {
            mark(res, first, count, ZP_SAMPLE_INVALID, "proof is for another model");
        } else if (v.batch != count || v.in_bytes != rq->input_len) {
            snprintf(reason, sizeof reason, "proof covers %u samples of %zu bytes, the batch "
                     "has %u of %zu", v.batch, v.in_bytes, count, rq->input_len);
            mark(res, first, count, ZP_SAMPLE_INVALID, reason);
        } else {
            for (unsigned j = 0; j < count; j++) {
                uint64_t i = first + j;
                zp_sample_result *s = &res->samples[i];
                if (memcmp(v.inputs + (size_t)j * v.in_bytes, rq->inputs + i * rq->input_len,
                           rq->input_len)) {
                    s->status = ZP_SAMPLE_INVALID;
                    s->predicted = -1;
                    snprintf(s->reason, ZP_REASON_MAX,
                             "proof is for a different input than the requested one");
                    continue;
                }
                s->status = ZP_SAMPLE_VALID;
                s->predicted = v.argmax[j];
                s->reason[0] = 0;
                if (res->out_bytes == v.out_bytes)
                    memcpy(res->outputs + i * res->out_bytes,
                           v.outputs + (size_t)j * v.out_bytes, v.out_bytes);
            }
        }
        zp_verified_free(&v);
    }
}

/* Output bytes per sample of the committed model (output 0). */
static size_t model_out_bytes(const zp_model_commitment *mc)
{
    zm_model *m = NULL;
    za_error err;
    size_t n = 0;
    if (zp_model_commitment_load(mc, &m, &err) == ZA_OK && m->n_outputs > 0)
        n = (size_t)m->tensors[m->outputs[0]].n_bytes;
    zm_model_free(m);
    return n;
}

za_status zp_audit_verify(const zp_request *rq, const uint8_t request_id[32],
                          const zp_model_commitment *mc, zp_bundle *b, int threads,
                          zp_audit_result *out, za_error *err)
{
    memset(out, 0, sizeof *out);
    double w0 = za_now_s(), c0 = za_cpu_s();
    out->n = rq->n;
    out->out_bytes = model_out_bytes(mc);
    out->samples = calloc(rq->n ? rq->n : 1, sizeof *out->samples);
    out->outputs = calloc(rq->n ? rq->n : 1, out->out_bytes ? out->out_bytes : 1);
    if (!out->samples || !out->outputs) {
        zp_audit_result_free(out);
        return za_error_set(err, ZA_ERR_NOMEM, "verify: out of memory");
    }
    /* a sample no path below reaches stays missing (= wrong), never valid */
    for (uint64_t i = 0; i < rq->n; i++)
        mark(out, i, 1, ZP_SAMPLE_MISSING, "not verified");
    zp_bundle_info info;
    za_status st = zp_bundle_get_info(b, &info, err);
    if (st != ZA_OK) {
        zp_audit_result_free(out);
        return st;
    }
    out->batch_size = info.batch_size;
    const char *problem = NULL;
    if (memcmp(info.request_id, request_id, 32))
        problem = "the bundle answers another request (a replayed or foreign bundle)";
    else if (memcmp(info.model_id, rq->transcript.model_id, 32) ||
             memcmp(mc->model_id, rq->transcript.model_id, 32))
        problem = "the bundle or the commitment is for another model than the request's";
    else if (info.n_samples != rq->n)
        problem = "the bundle's sample count differs from the request's";
    if (problem) {
        snprintf(out->bundle_problem, sizeof out->bundle_problem, "%.199s", problem);
        mark(out, 0, (unsigned)rq->n, ZP_SAMPLE_INVALID, problem);
        out->invalid = rq->n;
        out->verify_wall_s = za_now_s() - w0;
        out->verify_cpu_s = za_cpu_s() - c0;
        return ZA_OK;
    }
    out->batches = info.n_batches;
    verify_ctx ctx = { rq, mc, out, calloc(info.n_batches + 1, sizeof(zp_bundle_batch)),
                       calloc(info.n_batches + 1, sizeof(int)), info.batch_size, 0 };
    if (!ctx.batches || !ctx.found) {
        free(ctx.batches), free(ctx.found);
        zp_audit_result_free(out);
        return za_error_set(err, ZA_ERR_NOMEM, "verify: out of memory");
    }
    for (uint64_t k = 0, win0 = 0, wbytes = 0; k < info.n_batches && st == ZA_OK; k++) {
        za_error berr;
        za_status bst = zp_bundle_get_batch(b, k, &ctx.batches[k], &ctx.found[k], &berr);
        if (bst == ZA_ERR_MALFORMED) {
            /* a malformed row is the seller's fault: its samples are invalid */
            uint64_t first = k * info.batch_size;
            unsigned count = batch_count(rq->n, k, info.batch_size);
            ctx.found[k] = 0;
            mark(out, first, count, ZP_SAMPLE_INVALID, berr.msg);
        } else if (bst != ZA_OK) {
            *err = berr;
            st = bst;
            break;
        } else if (ctx.found[k]) {
            out->batches_present++;
            out->prove_cpu_s += ctx.batches[k].cpu_s;
            out->prove_wall_s += ctx.batches[k].wall_s;
            out->proven_samples += ctx.batches[k].count;
            out->proof_bytes += ctx.batches[k].proof_len;
        } else {
            uint64_t first = k * info.batch_size;
            unsigned count = batch_count(rq->n, k, info.batch_size);
            mark(out, first, count, ZP_SAMPLE_MISSING, "no proof for its batch in the bundle");
        }
        if (ctx.found[k])
            wbytes += ctx.batches[k].proof_len;
        /* the window [win0, k] is full, or this is the last batch: verify it
         * and let its proofs go */
        if (k + 1 == info.n_batches || k + 1 - win0 >= VERIFY_WINDOW_BATCHES ||
            wbytes >= VERIFY_WINDOW_BYTES) {
            ctx.base = win0;
            za_parallel_for((size_t)(k + 1 - win0), threads, verify_range, &ctx);
            for (uint64_t j = win0; j <= k; j++)
                zp_bundle_batch_free(&ctx.batches[j]);
            win0 = k + 1;
            wbytes = 0;
        }
    }
    for (uint64_t k = 0; k < info.n_batches; k++)
        zp_bundle_batch_free(&ctx.batches[k]);
    free(ctx.batches), free(ctx.found);
    if (st != ZA_OK) {
        zp_audit_result_free(out);
        return st;
    }
    for (uint64_t i = 0; i < rq->n; i++) {
        switch (out->samples[i].status) {
        case ZP_SAMPLE_VALID: out->valid++; break;
        case ZP_SAMPLE_INVALID: out->invalid++; break;
        case ZP_SAMPLE_MISSING: out->missing++; break;
        }
    }
    out->verify_wall_s = za_now_s() - w0;
    out->verify_cpu_s = za_cpu_s() - c0;
    return ZA_OK;
}
