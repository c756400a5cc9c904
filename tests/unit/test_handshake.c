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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
