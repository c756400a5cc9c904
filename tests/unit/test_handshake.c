/* tests/unit/test_handshake.c - offer, join and secret files
 * (protocol/handshake.h): round trips and strict parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/sha256.h"
#include "protocol/handshake.h"

static zp_offer make_offer(void)
{
    zp_offer o;
    za_error err;
    memset(&o, 0, sizeof o);
    zp_audit_params p = { 0.95, 0.05, 389, ZP_STOP_FIXED, 0, 0 };
    assert_int_equal(zp_audit_params_format(&p, o.params_text, sizeof o.params_text, &err),
                     ZA_OK);
    o.params = p;
    snprintf(o.dataset_name, sizeof o.dataset_name, "fashion-test");
    memset(o.dataset_root, 0x3c, 32);
    o.dataset_count = 10000;
    snprintf(o.prep, sizeof o.prep, "v1;whatever");
    memset(o.model_id, 0xa5, 32);
    memset(o.buyer_commitment, 0x01, 32);
    return o;
}

static void test_round_trips(void **state)
{
    (void)state;
    za_error err;
    zp_offer o = make_offer(), o2;
    char *json;
    assert_int_equal(zp_offer_to_json(&o, &json, &err), ZA_OK);
    assert_int_equal(zp_offer_parse(json, strlen(json), "offer", &o2, &err), ZA_OK);
    assert_string_equal(o2.params_text, o.params_text);
    assert_string_equal(o2.dataset_name, "fashion-test");
    assert_int_equal(o2.dataset_count, 10000);
    assert_memory_equal(o2.dataset_root, o.dataset_root, 32);
    assert_memory_equal(o2.model_id, o.model_id, 32);
    assert_memory_equal(o2.buyer_commitment, o.buyer_commitment, 32);
    assert_int_equal(o2.params.max_samples, 389);
    free(json);

    zp_join j = { { 1 }, { 2 }, { 3 } }, j2;
    assert_int_equal(zp_join_to_json(&j, &json, &err), ZA_OK);
    assert_int_equal(zp_join_parse(json, strlen(json), "join", &j2, &err), ZA_OK);
    assert_memory_equal(&j, &j2, sizeof j);
    free(json);

    zp_secret s = { { 4 }, { 5 } }, s2;
    assert_int_equal(zp_secret_to_json(&s, &json, &err), ZA_OK);
    assert_int_equal(zp_secret_parse(json, strlen(json), "secret", &s2, &err), ZA_OK);
    assert_memory_equal(&s, &s2, sizeof s);
    /* a secret is not a join */
    assert_int_equal(zp_join_parse(json, strlen(json), "x.json", &j2, &err), ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "x.json: not a zkaudit-join/v1 file"));
    free(json);
}

/* Replace the first occurrence of `from` in json by `to` and parse. */
static za_status parse_edited(const char *json, const char *from, const char *to, za_error *err)
{
    const char *at = strstr(json, from);
    assert_non_null(at);
    size_t n = strlen(json) + strlen(to) + 1;
    char *e = malloc(n);
    assert_non_null(e);
    size_t pre = (size_t)(at - json);
    memcpy(e, json, pre);
    strcpy(e + pre, to);
    strcat(e, at + strlen(from));
    zp_offer o;
    za_status st = zp_offer_parse(e, strlen(e), "offer", &o, err);
    free(e);
    return st;
}

static void test_strict(void **state)
{
    (void)state;
    za_error err;
    zp_offer o = make_offer();
    char *json;
    assert_int_equal(zp_offer_to_json(&o, &json, &err), ZA_OK);
    static const struct {
        const char *from, *to, *msg;
    } edits[] = {
        { "\"format\": \"zkaudit-offer/v1\"", "\"format\": \"zkaudit-offer/v2\"", "not a" },
        { "\"count\": 10000", "\"count\": -3", "positive 'count'" },
        { "\"count\": 10000", "\"count\": \"10000\"", "positive 'count'" },
        { "3c3c3c3c", "3C3C3C3C", "lowercase hex" },
        { "a5a5a5a5", "a5a5a5", "32 bytes of hex" },
        { "\"model_id\"", "\"model\"", "'model_id' missing" },
        { "confidence=0.95", "confidence=0.950", "canonical" },
        { "\"beacon_round\": \"\"", "\"beacon_round\": 7", "'beacon_round'" },
        { "{", "{\"format\": \"zkaudit-offer/v1\",", "" }, /* duplicate key */
        { "\"prep\"", "\"prep\": \"a\\u0000b\", \"x\"", "not JSON" }, /* embedded NUL: jansson refuses it */
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        za_status st = parse_edited(json, edits[i].from, edits[i].to, &err);
        if (st == ZA_OK || !strstr(err.msg, edits[i].msg))
            fail_msg("edit %zu: status %d, message \"%s\"", i, st, err.msg);
    }
    zp_offer tmp;
    assert_int_equal(zp_offer_parse("not json", 8, "offer", &tmp, &err), ZA_ERR_MALFORMED);
    assert_int_equal(zp_offer_parse("[1,2]", 5, "offer", &tmp, &err), ZA_ERR_MALFORMED);
    free(json);
}

/* The request the offer and join make, as `buyer sample draw` writes it
 * (no samples: only the transcript matters here). */
static void request_of(const zp_offer *o, const zp_join *j, zp_request *rq)
{
    za_error err;
    assert_int_equal(zp_request_alloc(rq, 0, 4, 4, &err), ZA_OK);
    memcpy(rq->params_text, o->params_text, sizeof rq->params_text);
    rq->params = o->params;
    memcpy(rq->dataset_name, o->dataset_name, sizeof rq->dataset_name);
    memcpy(rq->buyer_commitment, o->buyer_commitment, 32);
    memcpy(rq->prep, o->prep, sizeof rq->prep);
    memcpy(rq->transcript.dataset_root, o->dataset_root, 32);
    rq->transcript.dataset_count = o->dataset_count;
    memcpy(rq->transcript.model_id, o->model_id, 32);
    memset(rq->transcript.buyer_seed, 0x77, 32);
    assert_int_equal(zp_audit_params_hash(&o->params, rq->transcript.params_hash, &err), ZA_OK);
    memcpy(rq->transcript.seller_seed, j->seller_seed, 32);
}

/* The seller proves a request only if it is the draw of the offer it
 * joined with its own seed: a buyer that puts another seller seed, a
 * beacon the offer did not name, another commitment, parameters or
 * dataset into the request would otherwise choose the sample itself. */
static void test_request_matches_handshake(void **state)
{
    (void)state;
    za_error err;
    zp_offer o = make_offer();
    char *json;
    assert_int_equal(zp_offer_to_json(&o, &json, &err), ZA_OK);
    const uint8_t *ob = (const uint8_t *)json;
    size_t ol = strlen(json);
    zp_join j;
    memset(&j, 0, sizeof j);
    za_sha256(json, ol, j.offer_sha256);
    memcpy(j.model_id, o.model_id, 32);
    memset(j.seller_seed, 0x5e, 32);
    zp_request rq;
    request_of(&o, &j, &rq);
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, &j, NULL, 0, &err), ZA_OK);

    /* the seller seed is not the seller's */
    rq.transcript.seller_seed[3] ^= 1;
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, &j, NULL, 0, &err),
                     ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "seller seed"));
    rq.transcript.seller_seed[3] ^= 1;
    /* another buyer seed commitment (the buyer picked its seed afterwards) */
    rq.buyer_commitment[0] ^= 1;
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, &j, NULL, 0, &err),
                     ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "commitment"));
    rq.buyer_commitment[0] ^= 1;
    /* other parameters, dataset, preparation, model */
    zp_audit_params p2 = o.params;
    p2.max_samples = 388;
    zp_request r2;
    request_of(&o, &j, &r2);
    assert_int_equal(zp_audit_params_format(&p2, r2.params_text, sizeof r2.params_text, &err),
                     ZA_OK);
    assert_int_equal(zp_request_check_handshake(&r2, ob, ol, &o, &j, NULL, 0, &err),
                     ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "parameters"));
    zp_request_free(&r2);
    rq.transcript.dataset_root[5] ^= 1;
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, &j, NULL, 0, &err),
                     ZA_ERR_MISMATCH);
    rq.transcript.dataset_root[5] ^= 1;
    rq.transcript.dataset_count++;
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, &j, NULL, 0, &err),
                     ZA_ERR_MISMATCH);
    rq.transcript.dataset_count--;
    rq.prep[0] = 'x';
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, &j, NULL, 0, &err),
                     ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "preparation"));
    rq.prep[0] = 'v';
    rq.transcript.model_id[0] ^= 1;
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, &j, NULL, 0, &err),
                     ZA_ERR_MISMATCH);
    rq.transcript.model_id[0] ^= 1;
    /* a join for another offer */
    j.offer_sha256[0] ^= 1;
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, &j, NULL, 0, &err),
                     ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "offer"));
    j.offer_sha256[0] ^= 1;
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, &j, NULL, 0, &err), ZA_OK);

    /* a beacon replaces the seller seed only when the seller never
     * answered (no join), only if the offer named a round, and only with
     * the beacon value the seller was given */
    static const uint8_t beacon[5] = { 1, 2, 3, 4, 5 };
    rq.transcript.use_beacon = 1;
    za_sha256(beacon, sizeof beacon, rq.transcript.beacon_hash);
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, NULL, beacon, sizeof beacon,
                                                &err), ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "named no beacon round"));
    free(json);
    snprintf(o.beacon_round, sizeof o.beacon_round, "drand-quicknet-123");
    assert_int_equal(zp_offer_to_json(&o, &json, &err), ZA_OK);
    ob = (const uint8_t *)json;
    ol = strlen(json);
    za_sha256(json, ol, j.offer_sha256);
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, NULL, beacon, sizeof beacon,
                                                &err), ZA_OK);
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, NULL, NULL, 0, &err),
                     ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "give its value"));
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, NULL, beacon, 4, &err),
                     ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "beacon hash"));
    /* a seller that answered insists on its own seed: the buyer must not
     * choose between the seller's draw and the beacon's */
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, &j, beacon, sizeof beacon,
                                                &err), ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "answered the offer"));
    /* and a seller-seed request needs the join to check it */
    rq.transcript.use_beacon = 0;
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, NULL, beacon, sizeof beacon,
                                                &err), ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "no join"));
    assert_int_equal(zp_request_check_handshake(&rq, ob, ol, &o, &j, NULL, 0, &err), ZA_OK);
    free(json);
    zp_request_free(&rq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_strict),
        cmocka_unit_test(test_request_matches_handshake),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
