/* protocol/handshake.c - offer, join and secret files (see handshake.h). */
#include "protocol/handshake.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/sha256.h"

#define OFFER_FORMAT "zkaudit-offer/v1"
#define JOIN_FORMAT "zkaudit-join/v1"
#define SECRET_FORMAT "zkaudit-secret/v1"

static int set_hex(json_t *o, const char *key, const uint8_t b[32])
{
    char hex[65];
    za_hex_encode(b, 32, hex);
    return json_object_set_new(o, key, json_string(hex));
}

static za_status dump(json_t *o, char **out, za_error *err)
{
    *out = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!*out)
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory writing JSON");
    return ZA_OK;
}

za_status zp_offer_to_json(const zp_offer *o, char **out, za_error *err)
{
    json_t *j = json_object(), *d = json_object();
    json_object_set_new(j, "format", json_string(OFFER_FORMAT));
    json_object_set_new(j, "audit_params", json_string(o->params_text));
    json_object_set_new(d, "name", json_string(o->dataset_name));
    set_hex(d, "root", o->dataset_root);
    json_object_set_new(d, "count", json_integer((json_int_t)o->dataset_count));
    json_object_set_new(d, "prep", json_string(o->prep));
    json_object_set_new(j, "dataset", d);
    set_hex(j, "model_id", o->model_id);
    set_hex(j, "buyer_seed_commitment", o->buyer_commitment);
    json_object_set_new(j, "beacon_round", json_string(o->beacon_round));
    return dump(j, out, err);
}

za_status zp_join_to_json(const zp_join *jn, char **out, za_error *err)
{
    json_t *j = json_object();
    json_object_set_new(j, "format", json_string(JOIN_FORMAT));
    set_hex(j, "offer_sha256", jn->offer_sha256);
    set_hex(j, "model_id", jn->model_id);
    set_hex(j, "seller_seed", jn->seller_seed);
    return dump(j, out, err);
}

za_status zp_secret_to_json(const zp_secret *s, char **out, za_error *err)
{
    json_t *j = json_object();
    json_object_set_new(j, "format", json_string(SECRET_FORMAT));
    set_hex(j, "offer_sha256", s->offer_sha256);
    set_hex(j, "buyer_seed", s->buyer_seed);
    return dump(j, out, err);
}

/* ---- strict reading ---- */

static za_status load(const char *json, size_t len, const char *name, const char *format,
                      json_t **root, za_error *err)
{
    json_error_t je;
    *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!*root)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: not JSON (line %d: %s)", name, je.line,
                            je.text);
    json_t *f = json_object_get(*root, "format");
    if (!json_is_object(*root) || !json_is_string(f) || strcmp(json_string_value(f), format)) {
        json_decref(*root);
        *root = NULL;
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: not a %s file", name, format);
    }
    return ZA_OK;
}

static za_status get_text(json_t *o, const char *key, const char *name, char *out, size_t cap,
                          za_error *err)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || json_string_length(v) >= cap ||
        strlen(json_string_value(v)) != json_string_length(v))
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: field '%s' missing or not a string of "
                            "at most %zu bytes", name, key, cap - 1);
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return ZA_OK;
}

static za_status get_hex(json_t *o, const char *key, const char *name, uint8_t out[32],
                         za_error *err)
{
    char hex[65];
    za_error herr;
    za_status st = get_text(o, key, name, hex, sizeof hex, err);
    if (st != ZA_OK)
        return st;
    for (const char *p = hex; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return za_error_set(err, ZA_ERR_MALFORMED, "%s: field '%s' is not lowercase hex",
                                name, key);
    if (strlen(hex) != 64 || za_hex_decode(hex, out, 32, &herr) != ZA_OK)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: field '%s' is not 32 bytes of hex",
                            name, key);
    return ZA_OK;
}

za_status zp_offer_parse(const char *json, size_t len, const char *name, zp_offer *o,
                         za_error *err)
{
    json_t *j;
    memset(o, 0, sizeof *o);
    za_status st = load(json, len, name, OFFER_FORMAT, &j, err);
    if (st != ZA_OK)
        return st;
    json_t *d = json_object_get(j, "dataset"), *count = json_object_get(d, "count");
    if (!json_is_object(d) || !json_is_integer(count) || json_integer_value(count) < 1) {
        st = za_error_set(err, ZA_ERR_MALFORMED,
                          "%s: field 'dataset' missing or without a positive 'count'", name);
        goto out;
    }
    o->dataset_count = (uint64_t)json_integer_value(count);
    if ((st = get_text(j, "audit_params", name, o->params_text, sizeof o->params_text, err)) ||
        (st = get_text(d, "name", name, o->dataset_name, sizeof o->dataset_name, err)) ||
        (st = get_hex(d, "root", name, o->dataset_root, err)) ||
        (st = get_text(d, "prep", name, o->prep, sizeof o->prep, err)) ||
        (st = get_hex(j, "model_id", name, o->model_id, err)) ||
        (st = get_hex(j, "buyer_seed_commitment", name, o->buyer_commitment, err)) ||
        (st = get_text(j, "beacon_round", name, o->beacon_round, sizeof o->beacon_round, err)))
        goto out;
    if ((st = zp_audit_params_parse(o->params_text, &o->params, err)) != ZA_OK)
        za_error_prefix(err, "%s", name);
out:
    json_decref(j);
    return st;
}

za_status zp_join_parse(const char *json, size_t len, const char *name, zp_join *jn,
                        za_error *err)
{
    json_t *j;
    memset(jn, 0, sizeof *jn);
    za_status st = load(json, len, name, JOIN_FORMAT, &j, err);
    if (st != ZA_OK)
        return st;
    if (!(st = get_hex(j, "offer_sha256", name, jn->offer_sha256, err)) &&
        !(st = get_hex(j, "model_id", name, jn->model_id, err)))
        st = get_hex(j, "seller_seed", name, jn->seller_seed, err);
    json_decref(j);
    return st;
}

za_status zp_secret_parse(const char *json, size_t len, const char *name, zp_secret *s,
                          za_error *err)
{
    json_t *j;
    memset(s, 0, sizeof *s);
    za_status st = load(json, len, name, SECRET_FORMAT, &j, err);
    if (st != ZA_OK)
        return st;
    if (!(st = get_hex(j, "offer_sha256", name, s->offer_sha256, err)))
        st = get_hex(j, "buyer_seed", name, s->buyer_seed, err);
    json_decref(j);
    return st;
}

za_status zp_request_check_handshake(const zp_request *rq, const uint8_t *offer_bytes,
                                     size_t offer_len, const zp_offer *o, const zp_join *j,
                                     const uint8_t *beacon, size_t beacon_len, za_error *err)
{
    const zp_sample_transcript *t = &rq->transcript;
    uint8_t h[32];
    if (j) {
        za_sha256(offer_bytes, offer_len, h);
        if (memcmp(h, j->offer_sha256, 32) || memcmp(j->model_id, o->model_id, 32))
            return za_error_set(err, ZA_ERR_MISMATCH,
                                "the join answers another offer (or model)");
    }
    const char *what = NULL;
    if (strcmp(rq->params_text, o->params_text))
        what = "audit parameters";
    else if (strcmp(rq->dataset_name, o->dataset_name) ||
             memcmp(t->dataset_root, o->dataset_root, 32) || t->dataset_count != o->dataset_count)
        what = "dataset (name, root or size)";
    else if (strcmp(rq->prep, o->prep))
        what = "input preparation";
    else if (memcmp(t->model_id, o->model_id, 32))
        what = "model id";
    else if (memcmp(rq->buyer_commitment, o->buyer_commitment, 32))
        what = "buyer seed commitment";
    if (what)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "the request's %s is not the offer's: it is not this audit's draw",
                            what);
    if (j) {
        /* the seller answered: only its own seed decides the draw (a buyer
         * holding both the seller seed and a beacon value must not pick the
         * draw it prefers) */
        if (t->use_beacon)
            return za_error_set(err, ZA_ERR_MISMATCH,
                                "the request uses a beacon, but the seller answered the offer "
                                "with its own seed (the join)");
        if (memcmp(t->seller_seed, j->seller_seed, 32))
            return za_error_set(err, ZA_ERR_MISMATCH,
                                "the request's seller seed is not the one the join gave: it is "
                                "not this audit's draw");
        return ZA_OK;
    }
    if (!t->use_beacon)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "the request uses a seller seed, but no join was given to check it");
    if (!o->beacon_round[0])
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "the request uses a beacon, but the offer named no beacon round");
    if (!beacon)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "the request uses the beacon round '%s': give its value to check it",
                            o->beacon_round);
    za_sha256(beacon, beacon_len, h);
    if (memcmp(h, t->beacon_hash, 32))
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "the request's beacon hash is not that of the value of beacon round "
                            "'%s'", o->beacon_round);
    return ZA_OK;
}
