/* protocol/request.c - encoding and strict decoding of audit requests (see request.h). */
#include "protocol/request.h"

#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/sha256.h"
#include "zk/encode.h"

za_status zp_request_alloc(zp_request *rq, uint64_t n, size_t stored_len, size_t input_len,
                           za_error *err)
{
    memset(rq, 0, sizeof *rq);
    if (n > ZP_MAX_SAMPLES || stored_len > ZP_MAX_EXAMPLE_BYTES ||
        input_len > ZP_MAX_EXAMPLE_BYTES)
        return za_error_set(err, ZA_ERR_LIMIT,
                            "request: %llu samples of %zu + %zu bytes are over the limits",
                            (unsigned long long)n, stored_len, input_len);
    rq->n = n;
    rq->stored_len = stored_len;
    rq->input_len = input_len;
    size_t k = n ? (size_t)n : 1;
    rq->indices = calloc(k, sizeof *rq->indices);
    rq->stored = calloc(k, stored_len ? stored_len : 1);
    rq->inputs = calloc(k, input_len ? input_len : 1);
    rq->inclusion = calloc(k, sizeof *rq->inclusion);
    rq->inclusion_len = calloc(k, sizeof *rq->inclusion_len);
    if (!rq->indices || !rq->stored || !rq->inputs || !rq->inclusion || !rq->inclusion_len) {
        zp_request_free(rq);
        return za_error_set(err, ZA_ERR_NOMEM, "request: out of memory for %llu samples",
                            (unsigned long long)n);
    }
    return ZA_OK;
}

za_status zp_request_set_inclusion(zp_request *rq, uint64_t i, const uint8_t *proof, size_t len,
                                   za_error *err)
{
    if (i >= rq->n || len > ZP_MAX_INCLUSION_BYTES)
        return za_error_set(err, ZA_ERR_ARG, "request: inclusion proof %llu of %zu bytes",
                            (unsigned long long)i, len);
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return za_error_set(err, ZA_ERR_NOMEM, "request: out of memory");
    if (len)
        memcpy(copy, proof, len);
    free(rq->inclusion[i]);
    rq->inclusion[i] = copy;
    rq->inclusion_len[i] = len;
    return ZA_OK;
}

void zp_request_free(zp_request *rq)
{
    if (!rq)
        return;
    if (rq->inclusion)
        for (uint64_t i = 0; i < rq->n; i++)
            free(rq->inclusion[i]);
    free(rq->inclusion);
    free(rq->inclusion_len);
    free(rq->indices);
    free(rq->stored);
    free(rq->inputs);
    memset(rq, 0, sizeof *rq);
}

void zp_request_seed(const zp_request *rq, uint8_t seed[32])
{
    zp_sample_seed(&rq->transcript, seed);
}

void zp_request_id(const uint8_t *encoded, size_t len, uint8_t id[32])
{
    static const char tag[] = "zkaudit/request-id/v1";
    za_sha256_ctx c;
    za_sha256_init(&c);
    za_sha256_update(&c, tag, sizeof tag); /* with its NUL */
    za_sha256_update(&c, encoded, len);
    za_sha256_final(&c, id);
}

za_status zp_request_encode(const zp_request *rq, uint8_t **out, size_t *len, za_error *err)
{
    *out = NULL;
    *len = 0;
    const zp_sample_transcript *t = &rq->transcript;
    zk_writer w;
    zk_writer_init(&w);
    w.limit = ZA_MAX_REQUEST_BYTES;
    size_t mark = zk_writer_begin_container(&w, ZK_KIND_AUDIT_REQUEST);
    zk_write_byte_string(&w, rq->params_text, strlen(rq->params_text));
    zk_write_byte_string(&w, rq->dataset_name, strlen(rq->dataset_name));
    zk_write_bytes(&w, t->dataset_root, 32);
    zk_write_u64(&w, t->dataset_count);
    zk_write_bytes(&w, t->model_id, 32);
    zk_write_bytes(&w, rq->buyer_commitment, 32);
    zk_write_bytes(&w, t->buyer_seed, 32);
    zk_write_u8(&w, t->use_beacon ? 1 : 0);
    zk_write_bytes(&w, t->use_beacon ? t->beacon_hash : t->seller_seed, 32);
    zk_write_byte_string(&w, rq->prep, strlen(rq->prep));
    zk_write_u8(&w, (uint8_t)rq->stored_rank);
    for (unsigned k = 0; k < rq->stored_rank && k < ZP_MAX_RANK; k++)
        zk_write_u32(&w, rq->stored_shape[k]);
    zk_write_u64(&w, rq->n);
    zk_write_u32(&w, (uint32_t)rq->stored_len);
    zk_write_u32(&w, (uint32_t)rq->input_len);
    for (uint64_t i = 0; i < rq->n; i++) {
        zk_write_u64(&w, rq->indices[i]);
        zk_write_bytes(&w, rq->stored + i * rq->stored_len, rq->stored_len);
        zk_write_bytes(&w, rq->inputs + i * rq->input_len, rq->input_len);
        zk_write_byte_string(&w, rq->inclusion[i], rq->inclusion_len[i]);
    }
    zk_writer_end_container(&w, mark);
    za_status st = zk_writer_status(&w, err);
    if (st != ZA_OK) {
        zk_writer_free(&w);
        return za_error_prefix(err, "request");
    }
    *out = zk_writer_take(&w, len);
    return ZA_OK;
}

/* A byte string read as a NUL-terminated text of at most cap-1 bytes with
 * no NUL inside. */
static void read_text(zk_reader *r, const char *what, char *out, size_t cap)
{
    const uint8_t *p;
    size_t n;
    size_t at = r->off;
    if (zk_read_byte_string(r, what, cap - 1, &p, &n) != ZA_OK)
        return;
    if (memchr(p, 0, n)) {
        zk_reader_fail(r, at, ZA_ERR_MALFORMED, what, "contains a NUL byte");
        return;
    }
    memcpy(out, p, n);
    out[n] = 0;
}

za_status zp_request_decode(const uint8_t *buf, size_t len, const char *name, zp_request *out,
                            za_error *err)
{
    zk_reader r;
    zp_request rq;
    memset(&rq, 0, sizeof rq);
    memset(out, 0, sizeof *out);
    zk_reader_init(&r, buf, len, name, err);
    if (zk_reader_open_container(&r, ZK_KIND_AUDIT_REQUEST) != ZA_OK)
        return zk_reader_status(&r);
    zp_sample_transcript t;
    memset(&t, 0, sizeof t);
    uint8_t which = 0, commitment[32];
    char params_text[ZP_AUDIT_PARAMS_TEXT_MAX], dataset_name[ZP_MAX_NAME], prep[ZP_MAX_PREP];
    params_text[0] = dataset_name[0] = prep[0] = 0;
    size_t at_params = r.off;
    read_text(&r, "audit parameters", params_text, sizeof params_text);
    read_text(&r, "dataset name", dataset_name, sizeof dataset_name);
    zk_read_bytes(&r, "dataset root", t.dataset_root, 32);
    zk_read_u64(&r, "dataset count", &t.dataset_count);
    zk_read_bytes(&r, "model id", t.model_id, 32);
    zk_read_bytes(&r, "buyer seed commitment", commitment, 32);
    size_t at_seed = r.off;
    zk_read_bytes(&r, "buyer seed", t.buyer_seed, 32);
    size_t at_which = r.off;
    zk_read_u8(&r, "seller seed or beacon", &which);
    zk_read_bytes(&r, which ? "beacon hash" : "seller seed",
                  which ? t.beacon_hash : t.seller_seed, 32);
    read_text(&r, "input preparation", prep, sizeof prep);
    uint8_t rank = 0;
    uint32_t shape[ZP_MAX_RANK] = { 0 };
    size_t at_rank = r.off;
    zk_read_u8(&r, "stored rank", &rank);
    if (zk_reader_status(&r) == ZA_OK && (rank < 1 || rank > ZP_MAX_RANK))
        return zk_reader_fail(&r, at_rank, ZA_ERR_MALFORMED, "stored rank",
                              "%u (1..%d expected)", rank, ZP_MAX_RANK);
    for (unsigned k = 0; k < rank; k++)
        zk_read_u32(&r, "stored shape", &shape[k]);
    uint64_t n = 0;
    uint32_t stored_len = 0, input_len = 0;
    size_t at_n = r.off;
    zk_read_u64(&r, "sample count", &n);
    zk_read_u32(&r, "stored bytes per example", &stored_len);
    zk_read_u32(&r, "input bytes per sample", &input_len);
    if (zk_reader_status(&r) != ZA_OK)
        return zk_reader_status(&r);
    if (which > 1)
        return zk_reader_fail(&r, at_which, ZA_ERR_MALFORMED, "seller seed or beacon",
                              "flag %u (0 or 1 expected)", which);
    t.use_beacon = which;
    zp_audit_params params;
    za_error perr;
    if (zp_audit_params_parse(params_text, &params, &perr) != ZA_OK)
        return zk_reader_fail(&r, at_params, perr.code, "audit parameters", "%s", perr.msg);
    if (zp_audit_params_hash(&params, t.params_hash, &perr) != ZA_OK)
        return zk_reader_fail(&r, at_params, perr.code, "audit parameters", "%s", perr.msg);
    if (!zp_seed_commitment_check(commitment, t.buyer_seed))
        return zk_reader_fail(&r, at_seed, ZA_ERR_MISMATCH, "buyer seed",
                              "does not open the buyer's seed commitment");
    if (n > params.max_samples || n > t.dataset_count)
        return zk_reader_fail(&r, at_n, ZA_ERR_MALFORMED, "sample count",
                              "%llu samples, but at most %llu (max_samples) of %llu examples",
                              (unsigned long long)n, (unsigned long long)params.max_samples,
                              (unsigned long long)t.dataset_count);
    uint64_t prod = 1;
    for (unsigned k = 0; k < rank; k++)
        prod = shape[k] && prod <= ZP_MAX_EXAMPLE_BYTES ? prod * shape[k] : 0;
    if (prod != stored_len)
        return zk_reader_fail(&r, at_rank, ZA_ERR_MALFORMED, "stored shape",
                              "its product is not the %u stored bytes per example", stored_len);
    if (stored_len > ZP_MAX_EXAMPLE_BYTES || input_len > ZP_MAX_EXAMPLE_BYTES)
        return zk_reader_fail(&r, at_n, ZA_ERR_LIMIT, "example size",
                              "%u stored / %u input bytes per sample, the limit is %zu",
                              stored_len, input_len, ZP_MAX_EXAMPLE_BYTES);
    /* every sample needs at least its fixed part: refuse counts the bytes
     * cannot hold before allocating anything for them */
    uint64_t per = 8 + (uint64_t)stored_len + input_len + 4;
    if (n > zk_reader_remaining(&r) / per)
        return zk_reader_fail(&r, at_n, ZA_ERR_MALFORMED, "sample count",
                              "%llu samples cannot fit in the %zu bytes left",
                              (unsigned long long)n, zk_reader_remaining(&r));
    za_status st = zp_request_alloc(&rq, n, stored_len, input_len, err);
    if (st != ZA_OK)
        return st;
    memcpy(rq.params_text, params_text, sizeof params_text);
    rq.params = params;
    memcpy(rq.dataset_name, dataset_name, sizeof dataset_name);
    memcpy(rq.buyer_commitment, commitment, 32);
    memcpy(rq.prep, prep, sizeof prep);
    rq.stored_rank = rank;
    memcpy(rq.stored_shape, shape, sizeof shape);
    rq.transcript = t;
    uint64_t *want = malloc(sizeof(uint64_t) * (n ? n : 1));
    uint8_t seed[32];
    zp_sample_seed(&t, seed);
    st = want ? zp_sample_indices(seed, t.dataset_count, n, want, err)
              : za_error_set(err, ZA_ERR_NOMEM, "request: out of memory");
    if (st != ZA_OK) {
        free(want);
        zp_request_free(&rq);
        return st;
    }
    for (uint64_t i = 0; i < n && zk_reader_status(&r) == ZA_OK; i++) {
        zk_reader_section(&r, "sample %llu", (unsigned long long)i);
        size_t at = r.off;
        zk_read_u64(&r, "index", &rq.indices[i]);
        zk_read_bytes(&r, "stored bytes", rq.stored + i * stored_len, stored_len);
        zk_read_bytes(&r, "model input", rq.inputs + i * input_len, input_len);
        const uint8_t *p;
        size_t pl;
        if (zk_read_byte_string(&r, "inclusion proof", ZP_MAX_INCLUSION_BYTES, &p, &pl) != ZA_OK)
            break;
        if (rq.indices[i] != want[i]) {
            zk_reader_fail(&r, at, ZA_ERR_MISMATCH, "index",
                           "%llu, but the transcript draws %llu",
                           (unsigned long long)rq.indices[i], (unsigned long long)want[i]);
            break;
        }
        if ((st = zp_request_set_inclusion(&rq, i, p, pl, err)) != ZA_OK) {
            free(want);
            zp_request_free(&rq);
            return st;
        }
    }
    free(want);
    zk_reader_section(&r, NULL);
    if (zk_reader_finish(&r) != ZA_OK) {
        zp_request_free(&rq);
        return zk_reader_status(&r);
    }
    *out = rq;
    return ZA_OK;
}
