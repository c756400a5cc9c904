/* tests/unit/test_request.c - audit requests (protocol/request.h): round
 * trip, the transcript checks of the decoder, every truncation and byte
 * flips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "datasets/prepare.h"
#include "datasets/request_check.h"
#include "model/model.h"
#include "protocol/request.h"
#include "tests/support/tflite_builder.h"
#include "tests/unit/testutil.h"

enum { N_SAMPLES = 7, STORED = 12, INPUT = 12 };

/* A consistent request of N_SAMPLES drawn from 1000 examples. */
static void make_request(zp_request *rq, uint64_t n)
{
    za_error err;
    assert_int_equal(zp_request_alloc(rq, n, STORED, INPUT, &err), ZA_OK);
    zp_audit_params p = { 0.95, 0.05, 10, ZP_STOP_FIXED, 0, 0 };
    assert_int_equal(zp_audit_params_format(&p, rq->params_text, sizeof rq->params_text, &err),
                     ZA_OK);
    rq->params = p;
    snprintf(rq->dataset_name, sizeof rq->dataset_name, "digits");
    snprintf(rq->prep, sizeof rq->prep, "v1;identity");
    rq->stored_rank = 2;
    rq->stored_shape[0] = 3;
    rq->stored_shape[1] = 4; /* 3 x 4 = STORED */
    zp_sample_transcript *t = &rq->transcript;
    memset(t->dataset_root, 0xab, 32);
    t->dataset_count = 1000;
    memset(t->model_id, 0xcd, 32);
    assert_int_equal(zp_audit_params_hash(&p, t->params_hash, &err), ZA_OK);
    memset(t->buyer_seed, 0x11, 32);
    memset(t->seller_seed, 0x22, 32);
    zp_seed_commitment(t->buyer_seed, rq->buyer_commitment);
    uint8_t seed[32];
    zp_request_seed(rq, seed);
    assert_int_equal(zp_sample_indices(seed, t->dataset_count, n, rq->indices, &err), ZA_OK);
    for (uint64_t i = 0; i < n; i++) {
        for (int k = 0; k < STORED; k++)
            rq->stored[i * STORED + k] = (uint8_t)(rq->indices[i] + k);
        memcpy(rq->inputs + i * INPUT, rq->stored + i * STORED, INPUT);
        uint8_t proof[40];
        memset(proof, (int)i, sizeof proof);
        assert_int_equal(zp_request_set_inclusion(rq, i, proof, 10 + i, &err), ZA_OK);
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    zp_request rq, back;
    za_error err;
    make_request(&rq, N_SAMPLES);
    uint8_t *buf, *buf2;
    size_t len, len2;
    assert_int_equal(zp_request_encode(&rq, &buf, &len, &err), ZA_OK);
    if (zp_request_decode(buf, len, "request", &back, &err) != ZA_OK)
        fail_msg("decode: %s", err.msg);
    assert_int_equal(back.n, N_SAMPLES);
    assert_string_equal(back.dataset_name, "digits");
    assert_string_equal(back.prep, "v1;identity");
    assert_int_equal(back.stored_rank, 2);
    assert_int_equal(back.stored_shape[1], 4);
    assert_memory_equal(back.indices, rq.indices, sizeof(uint64_t) * N_SAMPLES);
    assert_memory_equal(back.stored, rq.stored, STORED * N_SAMPLES);
    assert_memory_equal(back.inputs, rq.inputs, INPUT * N_SAMPLES);
    for (int i = 0; i < N_SAMPLES; i++) {
        assert_int_equal(back.inclusion_len[i], 10 + i);
        assert_memory_equal(back.inclusion[i], rq.inclusion[i], 10 + (size_t)i);
    }
    /* canonical: encoding the decoded request gives the same bytes */
    assert_int_equal(zp_request_encode(&back, &buf2, &len2, &err), ZA_OK);
    assert_int_equal(len, len2);
    assert_memory_equal(buf, buf2, len);
    uint8_t id1[32], id2[32];
    zp_request_id(buf, len, id1);
    buf2[len2 - 1] ^= 1;
    zp_request_id(buf2, len2, id2);
    assert_memory_not_equal(id1, id2, 32);
    free(buf2);
    /* every truncation is refused */
    for (size_t cut = 0; cut < len; cut++) {
        zp_request tmp;
        assert_int_not_equal(zp_request_decode(buf, cut, "request", &tmp, &err), ZA_OK);
    }
    free(buf);
    zp_request_free(&rq);
    zp_request_free(&back);
}

static za_status encode_decode(zp_request *rq, za_error *err)
{
    uint8_t *buf;
    size_t len;
    zp_request back;
    za_status st = zp_request_encode(rq, &buf, &len, err);
    assert_int_equal(st, ZA_OK);
    st = zp_request_decode(buf, len, "request", &back, err);
    free(buf);
    if (st == ZA_OK)
        zp_request_free(&back);
    return st;
}

/* The decoder's transcript checks: each inconsistency is refused with a
 * message saying what. */
static void test_inconsistent(void **state)
{
    (void)state;
    zp_request rq;
    za_error err;

    make_request(&rq, N_SAMPLES);
    rq.indices[3] ^= 1; /* an index the transcript does not draw */
    assert_int_equal(encode_decode(&rq, &err), ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "the transcript draws"));
    zp_request_free(&rq);

    make_request(&rq, N_SAMPLES);
    rq.transcript.buyer_seed[0] ^= 1; /* a seed that does not open the commitment */
    assert_int_equal(encode_decode(&rq, &err), ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "does not open"));
    zp_request_free(&rq);

    make_request(&rq, N_SAMPLES);
    rq.transcript.seller_seed[5] ^= 1; /* another seller seed draws other indices */
    assert_int_equal(encode_decode(&rq, &err), ZA_ERR_MISMATCH);
    zp_request_free(&rq);

    make_request(&rq, N_SAMPLES);
    rq.transcript.model_id[0] ^= 1; /* the model id is part of the seed */
    assert_int_equal(encode_decode(&rq, &err), ZA_ERR_MISMATCH);
    zp_request_free(&rq);

    make_request(&rq, N_SAMPLES);
    snprintf(rq.params_text, sizeof rq.params_text, "zkaudit-audit/v1;confidence=0.950;");
    assert_int_not_equal(encode_decode(&rq, &err), ZA_OK);
    assert_non_null(strstr(err.msg, "audit parameters"));
    zp_request_free(&rq);

    make_request(&rq, N_SAMPLES);
    /* parameters say 10 samples at most: a request for 11 is refused */
    zp_request big;
    make_request(&big, 11);
    assert_int_equal(encode_decode(&big, &err), ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "max_samples"));
    zp_request_free(&big);
    zp_request_free(&rq);
}

/* Flipping any byte of the encoding is refused or changes what decodes
 * (and so the request id) - never accepted silently as the same request. */
static void test_byte_flips(void **state)
{
    (void)state;
    zp_request rq;
    za_error err;
    make_request(&rq, 3);
    uint8_t *buf;
    size_t len;
    assert_int_equal(zp_request_encode(&rq, &buf, &len, &err), ZA_OK);
    int refused = 0, accepted = 0;
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 0x40;
        zp_request back;
        if (zp_request_decode(buf, len, "request", &back, &err) == ZA_OK) {
            /* only the parts the transcript does not bind may change: the
             * stored bytes, inputs, inclusion proofs and names (checked by
             * audit_check and the proofs), never the indices */
            accepted++;
            assert_memory_equal(back.indices, rq.indices, sizeof(uint64_t) * 3);
            zp_request_free(&back);
        } else {
            refused++;
        }
        buf[i] ^= 0x40;
    }
    assert_true(refused > 0 && accepted > 0);
    free(buf);
    zp_request_free(&rq);
}

/* A model taking int8 [1, 3, 4, 5] (NCHW: C = 3, H = 4, W = 5), reshaped
 * to [1, 60]. */
static zm_model *nchw_model(void)
{
    tb_model *tb = tb_new();
    float s = 1.0f;
    int64_t zp = -128;
    int32_t ish[4] = { 1, 3, 4, 5 }, osh[2] = { 1, 60 }, nsh[1] = { 2 }, newshape[2] = { 1, 60 };
    int x = tb_tensor(tb, "x", TB_INT8, 4, ish, 0, 1, &s, &zp, 0);
    int ns = tb_tensor(tb, "shape", TB_INT32, 1, nsh, tb_buffer(tb, newshape, sizeof newshape), 0,
                       NULL, NULL, 0);
    int y = tb_tensor(tb, "y", TB_INT8, 2, osh, 0, 1, &s, &zp, 0);
    tb_options o = tb_opt_reshape(2, newshape);
    int32_t ri[2] = { x, ns };
    tb_op(tb, TB_OP_RESHAPE, 2, ri, 1, &y, &o);
    tb_io(tb, 1, &x, 1, &y);
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(tb_finish(tb, &buf, &len), 0);
    tb_free(tb);
    zm_model *m = NULL;
    za_error err;
    assert_int_equal(zm_model_load_buffer(buf, len, "nchw", &m, &err), ZA_OK);
    free(buf);
    return m;
}

/* With layout nchw the stored shape the request states decides how each
 * example is transposed, and nothing commits to it: a buyer stating
 * [5, 4, 3] for 4x5x3 examples would have the seller prove scrambled inputs
 * (the same bytes, so the inclusion and preparation checks pass).  The
 * seller checks the shape against its model's input. */
static void test_nchw_shape_is_the_models(void **state)
{
    (void)state;
    za_error err;
    zm_model *m = nchw_model();
    zp_request rq;
    assert_int_equal(zp_request_alloc(&rq, 0, 60, 60, &err), ZA_OK);
    snprintf(rq.prep, sizeof rq.prep, "v1;dtype=int8;scale=0x3f800000;zp=-128;real=x;layout=nchw");
    zd_prep prep;
    assert_int_equal(zd_prep_parse(rq.prep, &prep, &err), ZA_OK);
    rq.stored_rank = 3;
    uint32_t good[3] = { 4, 5, 3 }, bad[3] = { 5, 4, 3 }, bad2[3] = { 3, 4, 5 };
    memcpy(rq.stored_shape, good, sizeof good);
    assert_int_equal(zd_check_request_model(&rq, m, &err), ZA_OK);
    memcpy(rq.stored_shape, bad, sizeof bad);
    assert_int_equal(zd_check_request_model(&rq, m, &err), ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "shape"));
    memcpy(rq.stored_shape, bad2, sizeof bad2);
    assert_int_equal(zd_check_request_model(&rq, m, &err), ZA_ERR_MISMATCH);
    rq.stored_rank = 2;
    rq.stored_shape[0] = 20, rq.stored_shape[1] = 3;
    assert_int_equal(zd_check_request_model(&rq, m, &err), ZA_ERR_MISMATCH);
    /* byte by byte recipes do not depend on the shape */
    snprintf(rq.prep, sizeof rq.prep, "v1;identity");
    assert_int_equal(zd_check_request_model(&rq, m, &err), ZA_OK);
    snprintf(rq.prep, sizeof rq.prep, "v1;dtype=int8;scale=0x3f800000;zp=-128;real=x;layout=nhwc");
    assert_int_equal(zd_check_request_model(&rq, m, &err), ZA_OK);
    zp_request_free(&rq);
    zm_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_inconsistent),
        cmocka_unit_test(test_byte_flips),
        cmocka_unit_test(test_nchw_shape_is_the_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
