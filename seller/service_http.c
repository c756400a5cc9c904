/* seller/service_http.c - the service's resources (seller/service.h): one
 * function per resource, a router, and JSON answers. */
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/sha256.h"
#include "datasets/request_check.h"
#include "protocol/handshake.h"
#include "protocol/request.h"
#include "seller/service_int.h"

static const char JSON_TYPE[] = "application/json";

static void set_json(zs_response *r, unsigned status, json_t *j)
{
    r->status = status;
    r->content_type = JSON_TYPE;
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!text) {
        r->status = 500;
        text = strdup("{\"error\":\"out of memory\"}");
    }
    r->body = text;
    r->body_len = text ? strlen(text) : 0;
}

static void set_error(zs_response *r, unsigned status, const char *msg)
{
    json_t *j = json_object();
    json_object_set_new(j, "error", json_string(msg));
    set_json(r, status, j);
}

static void set_error_f(zs_response *r, unsigned status, const char *fmt, ...) ZA_PRINTF(3, 4);
static void set_error_f(zs_response *r, unsigned status, const char *fmt, ...)
{
    char msg[ZA_ERROR_MSG_MAX + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    set_error(r, status, msg);
}

static void hex_field(json_t *j, const char *key, const uint8_t b[32])
{
    char h[65];
    za_hex_encode(b, 32, h);
    json_object_set_new(j, key, json_string(h));
}

static json_t *status_json(const zs_audit *a)
{
    json_t *j = json_object();
    json_object_set_new(j, "audit", json_string(a->id));
    json_object_set_new(j, "state", json_string(zs_audit_state_name(a->state)));
    json_object_set_new(j, "samples", json_integer((json_int_t)a->samples));
    json_object_set_new(j, "batches_done", json_integer((json_int_t)a->batches_done));
    json_object_set_new(j, "batches_total", json_integer((json_int_t)a->batches_total));
    if (a->has_request)
        hex_field(j, "request_id", a->request_id);
    if (a->state == ZS_AUDIT_DONE) {
        json_object_set_new(j, "bundle_bytes", json_integer((json_int_t)a->bundle_bytes));
        hex_field(j, "bundle_sha256", a->bundle_sha256);
    }
    if (a->state == ZS_AUDIT_FAILED)
        json_object_set_new(j, "error", json_string(a->error));
    return j;
}

/* ---- the resources ---- */

static void get_model(zs_service *s, zs_response *r)
{
    uint8_t d[32];
    za_sha256(s->cfg.commit_bytes, s->cfg.commit_len, d);
    json_t *j = json_object();
    hex_field(j, "model_id", s->cfg.mc->model_id);
    json_object_set_new(j, "commitment_bytes", json_integer((json_int_t)s->cfg.commit_len));
    hex_field(j, "commitment_sha256", d);
    json_object_set_new(j, "batch_size", json_integer((json_int_t)s->cfg.batch_size));
    set_json(r, 200, j);
}

static void get_commitment(zs_service *s, zs_response *r)
{
    r->status = 200;
    r->content_type = "application/octet-stream";
    r->body = malloc(s->cfg.commit_len ? s->cfg.commit_len : 1);
    if (!r->body) {
        set_error(r, 500, "out of memory");
        return;
    }
    memcpy(r->body, s->cfg.commit_bytes, s->cfg.commit_len);
    r->body_len = s->cfg.commit_len;
}

/* POST /v1/audits: the seller's join of `seller sample join`. */
static void post_audit(zs_service *s, const zs_request_in *in, zs_response *r)
{
    za_error err;
    zp_offer offer;
    if (!in->body_len) {
        set_error(r, 400, "expected an offer (JSON, from `buyer sample init`) as the body");
        return;
    }
    if (zp_offer_parse((const char *)in->body, in->body_len, "the offer", &offer, &err)) {
        set_error(r, 400, err.msg);
        return;
    }
    if (memcmp(offer.model_id, s->cfg.mc->model_id, 32)) {
        char a[65], b[65];
        za_hex_encode(offer.model_id, 32, a);
        za_hex_encode(s->cfg.mc->model_id, 32, b);
        set_error_f(r, 400, "the offer is for model %s, but this service proves model %s", a, b);
        return;
    }
    zs_audit a;
    memset(&a, 0, sizeof a);
    zp_join jn;
    uint8_t raw[32];
    char *join_text = NULL;
    za_sha256(in->body, in->body_len, jn.offer_sha256);
    memcpy(jn.model_id, s->cfg.mc->model_id, 32);
    if (zp_seed_random(jn.seller_seed, &err) || zp_seed_random(raw, &err) ||
        zp_join_to_json(&jn, &join_text, &err)) {
        set_error(r, 500, err.msg);
        free(join_text);
        return;
    }
    za_hex_encode(raw, ZS_AUDIT_ID_LEN / 2, a.id); /* a second fresh seed's first half */
    memcpy(a.seller_seed, jn.seller_seed, 32);
    char *offer_text = malloc(in->body_len + 1);
    if (!offer_text) {
        free(join_text);
        set_error(r, 500, "out of memory");
        return;
    }
    memcpy(offer_text, in->body, in->body_len);
    offer_text[in->body_len] = 0;
    a.offer_json = offer_text;
    a.join_json = join_text;
    if (zs_state_add(s->state, &a, &err)) {
        set_error(r, 500, err.msg);
    } else {
        json_error_t je;
        json_t *j = json_object();
        json_object_set_new(j, "audit", json_string(a.id));
        json_object_set_new(j, "join", json_loads(join_text, 0, &je));
        set_json(r, 201, j);
        za_log_info("audit %s: joined (dataset '%s', %s)", a.id, offer.dataset_name,
                    offer.params_text);
    }
    zs_audit_free(&a);
}

/* The request must be the one this audit's offer and join draw. */
static int request_answers(zs_service *s, const zs_audit *a, const zp_request *rq,
                           zs_response *r)
{
    za_error err;
    zp_offer o;
    if (zp_offer_parse(a->offer_json, strlen(a->offer_json), "the stored offer", &o, &err)) {
        set_error(r, 500, err.msg);
        return 0;
    }
    const zp_sample_transcript *t = &rq->transcript;
    const char *bad = NULL;
    if (t->use_beacon)
        bad = "it was drawn with a beacon; this service proves requests drawn with its join";
    else if (memcmp(t->seller_seed, a->seller_seed, 32))
        bad = "it was not drawn with the seller seed this service issued for the audit";
    else if (memcmp(rq->buyer_commitment, o.buyer_commitment, 32))
        bad = "its buyer seed commitment is not the offer's";
    else if (memcmp(t->dataset_root, o.dataset_root, 32) || t->dataset_count != o.dataset_count ||
             strcmp(rq->dataset_name, o.dataset_name))
        bad = "its dataset is not the offer's";
    else if (strcmp(rq->params_text, o.params_text))
        bad = "its audit parameters are not the offer's";
    else if (strcmp(rq->prep, o.prep))
        bad = "its input preparation is not the offer's";
    else if (memcmp(t->model_id, s->cfg.mc->model_id, 32))
        bad = "it is for another model";
    else if (rq->input_len != s->input_bytes)
        bad = "its model inputs do not have the model's input size";
    if (bad) {
        set_error_f(r, 400, "the request does not answer audit %s: %s", a->id, bad);
        return 0;
    }
    return 1;
}

static void post_request_locked(zs_service *s, const char *id, const zs_request_in *in,
                                zs_response *r)
{
    za_error err;
    zs_audit a;
    int found = zs_state_get(s->state, id, &a, &err);
    if (found <= 0) {
        if (found < 0)
            set_error(r, 500, err.msg);
        else
            set_error_f(r, 404, "no audit %s", id);
        return;
    }
    uint8_t rid[32];
    zp_request_id(in->body, in->body_len, rid);
    if (a.has_request) {
        if (!memcmp(rid, a.request_id, 32))
            set_json(r, 202, status_json(&a)); /* the same request again: nothing to do */
        else
            set_error_f(r, 409, "audit %s already has another request", id);
        zs_audit_free(&a);
        return;
    }
    zp_request rq;
    memset(&rq, 0, sizeof rq);
    char path[4200];
    if (!in->body_len) {
        set_error(r, 400, "expected a request (from `buyer sample draw`) as the body");
    } else if (zp_request_decode(in->body, in->body_len, "the request", &rq, &err)) {
        set_error(r, 400, err.msg);
    } else if (!request_answers(s, &a, &rq, r)) {
        /* r is set */
    } else if (zd_check_request(&rq, &err)) {
        set_error_f(r, 400, "the request: %s", err.msg);
    } else if (zs_state_path(s->state, id, "request", path, sizeof path, &err) ||
               za_write_file_atomic(path, in->body, in->body_len, &err)) {
        set_error(r, 500, err.msg);
    } else {
        uint64_t B = s->cfg.batch_size, total = (rq.n + B - 1) / B;
        if (zs_state_set_request(s->state, id, rid, rq.n, total, &err)) {
            set_error(r, 500, err.msg);
        } else {
            zs_audit_free(&a);
            if (zs_state_get(s->state, id, &a, &err) != 1) {
                set_error(r, 500, err.msg);
                zp_request_free(&rq);
                return;
            }
            set_json(r, 202, status_json(&a));
            zs_service_kick(s);
            za_log_info("audit %s: request of %llu samples queued", id,
                        (unsigned long long)rq.n);
        }
    }
    zp_request_free(&rq);
    zs_audit_free(&a);
}

static void post_request(zs_service *s, const char *id, const zs_request_in *in, zs_response *r)
{
    pthread_mutex_lock(&s->intake);
    post_request_locked(s, id, in, r);
    pthread_mutex_unlock(&s->intake);
}

static void get_status(zs_service *s, const char *id, zs_response *r)
{
    za_error err;
    zs_audit a;
    int found = zs_state_get(s->state, id, &a, &err);
    if (found < 0)
        set_error(r, 500, err.msg);
    else if (!found)
        set_error_f(r, 404, "no audit %s", id);
    else
        set_json(r, 200, status_json(&a));
    if (found > 0)
        zs_audit_free(&a);
}

/* One "bytes=A-B", "bytes=A-" or "bytes=-N" range of a file of size n:
 * 1 and [*a, *b] if satisfiable, 0 if unsatisfiable, -1 to ignore the
 * header (malformed or several ranges: the whole file is sent). */
static int parse_range(const char *h, uint64_t n, uint64_t *a, uint64_t *b)
{
    if (strncmp(h, "bytes=", 6) || strchr(h, ','))
        return -1;
    const char *p = h + 6;
    char *end;
    if (*p == '-') {
        if (p[1] < '0' || p[1] > '9')
            return -1;
        unsigned long long k = strtoull(p + 1, &end, 10);
        if (*end)
            return -1;
        if (k == 0 || n == 0)
            return 0;
        *a = k >= n ? 0 : n - k;
        *b = n - 1;
        return 1;
    }
    if (*p < '0' || *p > '9')
        return -1;
    unsigned long long x = strtoull(p, &end, 10), y = UINT64_MAX;
    if (*end != '-')
        return -1;
    p = end + 1;
    if (*p) {
        if (*p < '0' || *p > '9')
            return -1;
        y = strtoull(p, &end, 10);
        if (*end || y < x)
            return -1;
    }
    if (x >= n)
        return 0;
    *a = x;
    *b = y >= n ? n - 1 : y;
    return 1;
}

static void get_bundle(zs_service *s, const char *id, const zs_request_in *in, zs_response *r)
{
    za_error err;
    zs_audit a;
    int found = zs_state_get(s->state, id, &a, &err);
    if (found <= 0) {
        if (found < 0)
            set_error(r, 500, err.msg);
        else
            set_error_f(r, 404, "no audit %s", id);
        return;
    }
    zs_audit_state st = a.state;
    uint64_t done = a.batches_done, total = a.batches_total;
    char tag[65];
    za_hex_encode(a.bundle_sha256, 32, tag);
    zs_audit_free(&a);
    if (st != ZS_AUDIT_DONE) {
        set_error_f(r, 409, "the bundle of audit %s is not ready: %s, %llu of %llu batches", id,
                    zs_audit_state_name(st), (unsigned long long)done,
                    (unsigned long long)total);
        return;
    }
    char path[4200];
    struct stat sb;
    int fd = -1;
    if (zs_state_path(s->state, id, "bundle", path, sizeof path, &err) ||
        (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        set_error_f(r, 500, "the bundle of audit %s cannot be read", id);
        return;
    }
    uint64_t n = (uint64_t)sb.st_size, x = 0, y = n ? n - 1 : 0;
    int rg = in->range ? parse_range(in->range, n, &x, &y) : -1;
    snprintf(r->etag, sizeof r->etag, "\"%s\"", tag);
    if (rg == 0) {
        close(fd);
        set_error_f(r, 416, "the bundle has %llu bytes", (unsigned long long)n);
        snprintf(r->content_range, sizeof r->content_range, "bytes */%llu",
                 (unsigned long long)n);
        return;
    }
    r->status = rg == 1 ? 206 : 200;
    r->content_type = "application/vnd.sqlite3";
    r->fd = fd;
    r->offset = x;
    r->length = n ? y - x + 1 : 0;
    if (rg == 1)
        snprintf(r->content_range, sizeof r->content_range, "bytes %llu-%llu/%llu",
                 (unsigned long long)x, (unsigned long long)y, (unsigned long long)n);
}

/* ---- routing ---- */

static int is_get(const char *m)
{
    return !strcmp(m, "GET") || !strcmp(m, "HEAD");
}

static void not_allowed(zs_response *r, const char *allow)
{
    set_error(r, 405, "method not allowed");
    r->allow = allow;
}

/* "/v1/audits/<32 hex>" followed by rest: copies the id. */
static int audit_path(const char *path, char id[ZS_AUDIT_ID_LEN + 1], const char **rest)
{
    static const char pre[] = "/v1/audits/";
    if (strncmp(path, pre, sizeof pre - 1))
        return 0;
    const char *p = path + sizeof pre - 1;
    for (int i = 0; i < ZS_AUDIT_ID_LEN; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return 0;
    memcpy(id, p, ZS_AUDIT_ID_LEN);
    id[ZS_AUDIT_ID_LEN] = 0;
    *rest = p + ZS_AUDIT_ID_LEN;
    return 1;
}

size_t zs_service_body_cap(const zs_service *s, const char *path)
{
    size_t n = strlen(path);
    if (n > 8 && !strcmp(path + n - 8, "/request"))
        return s->cfg.max_body;
    return ZA_MAX_HTTP_JSON_BYTES;
}

static void init_response(zs_response *r)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
}

int zs_service_precheck(zs_service *s, const zs_request_in *in, uint64_t content_length,
                        int has_length, zs_response *r)
{
    init_response(r);
    if (!zs_auth_check(s->cfg.auth, in->authorization)) {
        set_error(r, 401, "a valid bearer token is needed (Authorization: Bearer TOKEN)");
        r->www_authenticate = 1;
        return 1;
    }
    size_t cap = zs_service_body_cap(s, in->path);
    if (has_length && content_length > cap) {
        set_error_f(r, 413, "the body is %llu bytes; at most %zu are accepted here",
                    (unsigned long long)content_length, cap);
        return 1;
    }
    return 0;
}

void zs_service_handle(zs_service *s, const zs_request_in *in, zs_response *r)
{
    if (zs_service_precheck(s, in, in->body_len, 1, r))
        return;
    if (in->body_too_large) {
        set_error_f(r, 413, "the body is too large; at most %zu bytes are accepted here",
                    zs_service_body_cap(s, in->path));
        return;
    }
    const char *p = in->path, *m = in->method, *rest;
    char id[ZS_AUDIT_ID_LEN + 1];
    if (strlen(p) > ZA_MAX_HTTP_PATH_BYTES) {
        set_error(r, 404, "no such resource");
    } else if (!strcmp(p, "/v1/model")) {
        if (is_get(m))
            get_model(s, r);
        else
            not_allowed(r, "GET, HEAD");
    } else if (!strcmp(p, "/v1/model/commitment")) {
        if (is_get(m))
            get_commitment(s, r);
        else
            not_allowed(r, "GET, HEAD");
    } else if (!strcmp(p, "/v1/audits")) {
        if (!strcmp(m, "POST"))
            post_audit(s, in, r);
        else
            not_allowed(r, "POST");
    } else if (audit_path(p, id, &rest) && !*rest) {
        if (is_get(m))
            get_status(s, id, r);
        else
            not_allowed(r, "GET, HEAD");
    } else if (audit_path(p, id, &rest) && !strcmp(rest, "/request")) {
        if (!strcmp(m, "POST"))
            post_request(s, id, in, r);
        else
            not_allowed(r, "POST");
    } else if (audit_path(p, id, &rest) && !strcmp(rest, "/bundle")) {
        if (is_get(m))
            get_bundle(s, id, in, r);
        else
            not_allowed(r, "GET, HEAD");
    } else {
        set_error(r, 404, "no such resource");
    }
}

void zs_response_free(zs_response *r)
{
    free(r->body);
    r->body = NULL;
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
}
