/* tests/unit/test_audit_verify.c - per-sample verdicts of a bundle
 * (protocol/audit_verify.h) on a small synthetic model: honest proofs are
 * valid with the engine's predictions; a missing batch, a proof of other
 * inputs, a proof under another model, a changed proof byte and a bundle
 * for another request are each caught with their reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "model/engine.h"
#include "model/model.h"
#include "model/testinput.h"
#include "protocol/audit_verify.h"
#include "protocol/bundle.h"
#include "protocol/infer_proof.h"
#include "protocol/model_commit.h"
#include "protocol/request.h"
#include "protocol/sampling.h"
#include "tests/support/zp_testmodels.h"

#define N_SAMPLES 6
#define BATCH 4
#define DATASET_N 50

typedef struct {
    zm_model *m, *other;
    zp_model_commitment mc, other_mc;
    zm_engine *e;
    size_t in_bytes;
    zp_request rq;
    uint8_t request_id[32];
    int64_t want_argmax[N_SAMPLES];
    uint8_t *want_out; /* N_SAMPLES * out_bytes */
    size_t out_bytes;
    char dir[64];
    int n_files;
} fixture;

static fixture F;

static zm_model *build(uint64_t seed)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    zm_model *m = NULL;
    za_error err;
    assert_int_equal(zt_model_build(ZT_MODEL_CONV, seed, &buf, &len), 0);
    assert_int_equal(zm_model_load_buffer(buf, len, "conv", &m, &err), ZA_OK);
    free(buf);
    return m;
}

static int setup(void **state)
{
    (void)state;
    za_error err;
    memset(&F, 0, sizeof F);
    F.m = build(1);
    F.other = build(2);
    assert_int_equal(zp_model_commit(F.m, ZM_ROUNDING_TFLITE, 2, &F.mc, &err), ZA_OK);
    assert_int_equal(zp_model_commit(F.other, ZM_ROUNDING_TFLITE, 2, &F.other_mc, &err), ZA_OK);
    assert_memory_not_equal(F.mc.model_id, F.other_mc.model_id, 32);
    assert_int_equal(zm_engine_create(F.m, ZM_ROUNDING_TFLITE, &F.e, &err), ZA_OK);
    F.in_bytes = (size_t)F.m->tensors[F.m->inputs[0]].n_bytes;
    F.out_bytes = (size_t)F.m->tensors[F.m->outputs[0]].n_bytes;

    /* the request, built in-process (audit_verify does not look at the
     * inclusion proofs: those are the buyer's own) */
    zp_request *rq = &F.rq;
    assert_int_equal(zp_request_alloc(rq, N_SAMPLES, F.in_bytes, F.in_bytes, &err), ZA_OK);
    zp_audit_params p = { 0.95, 0.05, N_SAMPLES, ZP_STOP_FIXED, 0, 0 };
    assert_int_equal(zp_audit_params_format(&p, rq->params_text, sizeof rq->params_text, &err),
                     ZA_OK);
    rq->params = p;
    snprintf(rq->dataset_name, sizeof rq->dataset_name, "synthetic");
    rq->stored_rank = 1;
    rq->stored_shape[0] = (uint32_t)F.in_bytes;
    zp_sample_transcript *t = &rq->transcript;
    memset(t->dataset_root, 0x3c, 32);
    t->dataset_count = DATASET_N;
    memcpy(t->model_id, F.mc.model_id, 32);
    assert_int_equal(zp_audit_params_hash(&p, t->params_hash, &err), ZA_OK);
    memset(t->buyer_seed, 0x42, 32);
    zp_seed_commitment(t->buyer_seed, rq->buyer_commitment);
    memset(t->seller_seed, 0x17, 32);
    uint8_t seed[32];
    zp_request_seed(rq, seed);
    assert_int_equal(zp_sample_indices(seed, DATASET_N, N_SAMPLES, rq->indices, &err), ZA_OK);
    F.want_out = malloc(N_SAMPLES * F.out_bytes);
    assert_non_null(F.want_out);
    static const uint8_t fake_inclusion[8] = { 0 };
    for (unsigned i = 0; i < N_SAMPLES; i++) {
        char rule[32];
        snprintf(rule, sizeof rule, "random:%llu", (unsigned long long)rq->indices[i] + 1);
        uint8_t *in = rq->inputs + i * F.in_bytes;
        assert_int_equal(zm_make_input(rule, in, F.in_bytes, &err), ZA_OK);
        memcpy(rq->stored + i * F.in_bytes, in, F.in_bytes);
        assert_int_equal(zp_request_set_inclusion(rq, i, fake_inclusion, sizeof fake_inclusion,
                                                  &err), ZA_OK);
        assert_int_equal(zm_engine_set_input(F.e, 0, in, F.in_bytes, &err), ZA_OK);
        assert_int_equal(zm_engine_run(F.e, &err), ZA_OK);
        const zm_tensor *ot = &F.m->tensors[F.m->outputs[0]];
        memcpy(F.want_out + i * F.out_bytes, zm_engine_output(F.e, 0), F.out_bytes);
        F.want_argmax[i] = zm_argmax(ot, F.want_out + i * F.out_bytes);
    }
    uint8_t *enc = NULL;
    size_t elen = 0;
    assert_int_equal(zp_request_encode(rq, &enc, &elen, &err), ZA_OK);
    zp_request_id(enc, elen, F.request_id);
    free(enc);
    snprintf(F.dir, sizeof F.dir, "/tmp/zk_audit_verify_XXXXXX");
    assert_non_null(mkdtemp(F.dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int k = 0; k < F.n_files; k++) {
        char path[128];
        static const char *const suffix[] = { "", "-wal", "-shm" };
        for (int s = 0; s < 3; s++) {
            snprintf(path, sizeof path, "%s/b%d.bundle%s", F.dir, k, suffix[s]);
            unlink(path);
        }
    }
    rmdir(F.dir);
    zp_request_free(&F.rq);
    zm_engine_free(F.e);
    zp_model_commitment_free(&F.mc);
    zp_model_commitment_free(&F.other_mc);
    zm_model_free(F.m);
    zm_model_free(F.other);
    free(F.want_out);
    return 0;
}

/* A proof of `count` inputs (back to back) under model m / commitment mc. */
static void prove(const zm_model *m, const zp_model_commitment *mc, const uint8_t *inputs,
                  unsigned count, uint8_t **proof, size_t *len)
{
    za_error err;
    za_status st = zp_prove(m, mc, count, inputs, F.in_bytes * count, 2, NULL, proof, len, NULL,
                            &err);
    if (st)
        fail_msg("prove: %s", err.msg);
}

static void put(zp_bundle *b, uint64_t k, uint8_t *proof, size_t len)
{
    za_error err;
    uint64_t first = k * BATCH;
    unsigned count = (unsigned)(N_SAMPLES - first < BATCH ? N_SAMPLES - first : BATCH);
    zp_bundle_batch bt = { k, first, count, proof, len, 0.5, 0.5, 2 };
    assert_int_equal(zp_bundle_put_batch(b, &bt, &err), ZA_OK);
}

/* The honest proof of batch k. */
static void honest(uint64_t k, uint8_t **proof, size_t *len)
{
    uint64_t first = k * BATCH;
    unsigned count = (unsigned)(N_SAMPLES - first < BATCH ? N_SAMPLES - first : BATCH);
    prove(F.m, &F.mc, F.rq.inputs + first * F.in_bytes, count, proof, len);
}

static uint8_t *proof0, *proof1;
static size_t len0, len1;

/* A fresh bundle: batch 0 gets proof p0 (NULL: absent), batch 1 p1; then
 * verify it read-only against the request as id `rid`. */
static void run(const uint8_t *p0, size_t l0, const uint8_t *p1, size_t l1,
                const uint8_t rid_used[32], zp_audit_result *res)
{
    za_error err;
    char path[128];
    snprintf(path, sizeof path, "%s/b%d.bundle", F.dir, F.n_files++);
    zp_bundle *b = NULL;
    assert_int_equal(zp_bundle_open_write(path, rid_used, F.mc.model_id, N_SAMPLES, BATCH, &b,
                                          &err), ZA_OK);
    if (p0)
        put(b, 0, (uint8_t *)p0, l0);
    if (p1)
        put(b, 1, (uint8_t *)p1, l1);
    zp_bundle_close(b);
    assert_int_equal(zp_bundle_open_readonly(path, &b, &err), ZA_OK);
    za_status st = zp_audit_verify(&F.rq, F.request_id, &F.mc, b, 2, res, &err);
    if (st)
        fail_msg("verify: %s", err.msg);
    zp_bundle_close(b);
    assert_int_equal(res->n, N_SAMPLES);
    assert_int_equal(res->valid + res->invalid + res->missing, N_SAMPLES);
}

static void test_honest(void **state)
{
    (void)state;
    honest(0, &proof0, &len0);
    honest(1, &proof1, &len1);
    zp_audit_result res;
    run(proof0, len0, proof1, len1, F.request_id, &res);
    assert_int_equal(res.valid, N_SAMPLES);
    assert_int_equal(res.batches, 2);
    assert_int_equal(res.batches_present, 2);
    assert_int_equal(res.proven_samples, N_SAMPLES);
    assert_int_equal(res.proof_bytes, len0 + len1);
    assert_string_equal(res.bundle_problem, "");
    assert_int_equal(res.out_bytes, F.out_bytes);
    for (unsigned i = 0; i < N_SAMPLES; i++) {
        assert_int_equal(res.samples[i].status, ZP_SAMPLE_VALID);
        assert_int_equal(res.samples[i].predicted, F.want_argmax[i]);
        assert_string_equal(res.samples[i].reason, "");
        assert_memory_equal(res.outputs + i * F.out_bytes, F.want_out + i * F.out_bytes,
                            F.out_bytes);
    }
    zp_audit_result_free(&res);
}

static void test_missing_batch(void **state)
{
    (void)state;
    zp_audit_result res;
    run(proof0, len0, NULL, 0, F.request_id, &res);
    assert_int_equal(res.valid, 4);
    assert_int_equal(res.missing, 2);
    assert_int_equal(res.batches_present, 1);
    for (unsigned i = 4; i < N_SAMPLES; i++) {
        assert_int_equal(res.samples[i].status, ZP_SAMPLE_MISSING);
        assert_int_equal(res.samples[i].predicted, -1);
    }
    zp_audit_result_free(&res);
}

static void test_other_inputs(void **state)
{
    (void)state;
    /* batch 1 answered with a genuine proof of samples 0 and 1 */
    uint8_t *p = NULL;
    size_t l = 0;
    prove(F.m, &F.mc, F.rq.inputs, 2, &p, &l);
    zp_audit_result res;
    run(proof0, len0, p, l, F.request_id, &res);
    assert_int_equal(res.valid, 4);
    assert_int_equal(res.invalid, 2);
    for (unsigned i = 4; i < N_SAMPLES; i++) {
        assert_int_equal(res.samples[i].status, ZP_SAMPLE_INVALID);
        assert_int_equal(res.samples[i].predicted, -1);
        assert_non_null(strstr(res.samples[i].reason, "different input"));
    }
    zp_audit_result_free(&res);
    free(p);
}

static void test_other_model(void **state)
{
    (void)state;
    /* the requested inputs of batch 1, proven under another model's commitment */
    uint8_t *p = NULL;
    size_t l = 0;
    prove(F.other, &F.other_mc, F.rq.inputs + 4 * F.in_bytes, 2, &p, &l);
    zp_audit_result res;
    run(proof0, len0, p, l, F.request_id, &res);
    assert_int_equal(res.valid, 4);
    assert_int_equal(res.invalid, 2);
    for (unsigned i = 4; i < N_SAMPLES; i++) {
        assert_int_equal(res.samples[i].status, ZP_SAMPLE_INVALID);
        assert_int_equal(res.samples[i].predicted, -1);
        assert_non_null(strstr(res.samples[i].reason, "proof rejected"));
    }
    zp_audit_result_free(&res);
    free(p);
}

static void test_flipped_byte(void **state)
{
    (void)state;
    uint8_t *p = malloc(len0);
    assert_non_null(p);
    size_t at[] = { 20, len0 / 2, len0 - 1 };
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        memcpy(p, proof0, len0);
        p[at[k]] ^= 0x01;
        zp_audit_result res;
        run(p, len0, proof1, len1, F.request_id, &res);
        assert_int_equal(res.valid, 2);
        assert_int_equal(res.invalid, 4);
        for (unsigned i = 0; i < 4; i++) {
            assert_int_equal(res.samples[i].status, ZP_SAMPLE_INVALID);
            assert_int_equal(res.samples[i].predicted, -1);
            assert_non_null(strstr(res.samples[i].reason, "proof rejected"));
        }
        zp_audit_result_free(&res);
    }
    free(p);
}

static void test_other_request(void **state)
{
    (void)state;
    uint8_t rid[32];
    memcpy(rid, F.request_id, 32);
    rid[0] ^= 1;
    zp_audit_result res;
    run(proof0, len0, proof1, len1, rid, &res);
    assert_int_equal(res.invalid, N_SAMPLES);
    assert_non_null(strstr(res.bundle_problem, "another request"));
    for (unsigned i = 0; i < N_SAMPLES; i++) {
        assert_int_equal(res.samples[i].status, ZP_SAMPLE_INVALID);
        assert_int_equal(res.samples[i].predicted, -1);
    }
    zp_audit_result_free(&res);
    free(proof0);
    free(proof1);
}

/* More batches than one verification window (64): batches of one sample,
 * 70 of them, with a byte flipped in batch 65, batch 66 missing and the
 * last row malformed (its proof a text, not a blob): every other sample is
 * valid with the engine's prediction, whatever window it falls in. */
static void test_many_windows(void **state)
{
    (void)state;
    enum { N = 70 };
    za_error err;
    zp_request rq;
    assert_int_equal(zp_request_alloc(&rq, N, F.in_bytes, F.in_bytes, &err), ZA_OK);
    zp_audit_params p = { 0.95, 0.05, N, ZP_STOP_FIXED, 0, 0 };
    assert_int_equal(zp_audit_params_format(&p, rq.params_text, sizeof rq.params_text, &err),
                     ZA_OK);
    rq.params = p;
    rq.transcript = F.rq.transcript;
    rq.transcript.dataset_count = 100;
    assert_int_equal(zp_audit_params_hash(&p, rq.transcript.params_hash, &err), ZA_OK);
    uint8_t seed[32], rid[32];
    zp_request_seed(&rq, seed);
    assert_int_equal(zp_sample_indices(seed, 100, N, rq.indices, &err), ZA_OK);
    int64_t want[N];
    for (unsigned i = 0; i < N; i++) {
        char rule[32];
        snprintf(rule, sizeof rule, "random:%llu", (unsigned long long)rq.indices[i] + 1000);
        uint8_t *in = rq.inputs + i * F.in_bytes;
        assert_int_equal(zm_make_input(rule, in, F.in_bytes, &err), ZA_OK);
        assert_int_equal(zm_engine_set_input(F.e, 0, in, F.in_bytes, &err), ZA_OK);
        assert_int_equal(zm_engine_run(F.e, &err), ZA_OK);
        want[i] = zm_argmax(&F.m->tensors[F.m->outputs[0]], zm_engine_output(F.e, 0));
    }
    memset(rid, 0x99, 32);
    char path[128];
    snprintf(path, sizeof path, "%s/b%d.bundle", F.dir, F.n_files++);
    zp_bundle *b = NULL;
    assert_int_equal(zp_bundle_open_write(path, rid, F.mc.model_id, N, 1, &b, &err), ZA_OK);
    for (unsigned k = 0; k < N; k++) {
        if (k == 66)
            continue;
        uint8_t *pr = NULL;
        size_t len = 0;
        prove(F.m, &F.mc, rq.inputs + k * F.in_bytes, 1, &pr, &len);
        if (k == 65)
            pr[len / 2] ^= 0x04;
        zp_bundle_batch bt = { k, k, 1, pr, len, 0.1, 0.1, 1 };
        assert_int_equal(zp_bundle_put_batch(b, &bt, &err), ZA_OK);
        free(pr);
    }
    zp_bundle_close(b);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE batches SET proof = 'x' WHERE batch = 69", NULL,
                                  NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(zp_bundle_open_readonly(path, &b, &err), ZA_OK);
    zp_audit_result res;
    assert_int_equal(zp_audit_verify(&rq, rid, &F.mc, b, 2, &res, &err), ZA_OK);
    zp_bundle_close(b);
    assert_int_equal(res.valid, N - 3);
    assert_int_equal(res.invalid, 2);
    assert_int_equal(res.missing, 1);
    for (unsigned i = 0; i < N; i++) {
        zp_sample_status st = i == 66 ? ZP_SAMPLE_MISSING
                            : i == 65 || i == 69 ? ZP_SAMPLE_INVALID : ZP_SAMPLE_VALID;
        if (res.samples[i].status != st)
            fail_msg("sample %u: %s (%s)", i, zp_sample_status_name(res.samples[i].status),
                     res.samples[i].reason);
        assert_int_equal(res.samples[i].predicted, st == ZP_SAMPLE_VALID ? want[i] : -1);
    }
    assert_non_null(strstr(res.samples[65].reason, "proof rejected"));
    assert_non_null(strstr(res.samples[69].reason, "not a blob"));
    zp_audit_result_free(&res);
    zp_request_free(&rq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_honest),        cmocka_unit_test(test_missing_batch),
        cmocka_unit_test(test_other_inputs),  cmocka_unit_test(test_other_model),
        cmocka_unit_test(test_flipped_byte),  cmocka_unit_test(test_other_request),
        cmocka_unit_test(test_many_windows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
