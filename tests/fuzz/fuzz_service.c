/* tests/fuzz/fuzz_service.c - fuzzed HTTP requests into the seller's
 * service handlers (seller/service.h), without sockets.
 *
 * Input: byte 0 picks the method, byte 1 the path (each resource, with the
 * id of a joined audit, of a done audit with a bundle, or a fuzzed path),
 * byte 2 the Authorization header (the valid token, none, or fuzzed), byte
 * 3 the Range header (none or fuzzed) and the body (as is, or spliced into
 * a valid offer, to reach deep into the offer parser); then NUL-separated
 * fuzzed path, authorization and range strings, and the rest is the body.  The service
 * runs on the demo model (models/demo/fashion_cnn.tflite, from the
 * repository root) with a state database in a temporary directory and no
 * proving workers, so a queued request just stays queued.  Every answer must
 * be a known status with a body, a JSON error for every 4xx/5xx; the fuzzer
 * must never crash, leak or hang.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file.h"
#include "model/model.h"
#include "protocol/handshake.h"
#include "protocol/model_commit.h"
#include "seller/service.h"
#include "seller/service_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char TOKEN[] = "fuzz-token-0123456789abcdef";
static zs_service *svc;
static zs_auth auth;
static zm_model *model;
static zp_model_commitment mc;
static uint8_t *commit_bytes;
static size_t commit_len;
static char dir[] = "/tmp/zkaudit-fuzz-service-XXXXXX";
static char joined[ZS_AUDIT_ID_LEN + 1], done_id[ZS_AUDIT_ID_LEN + 1];
static char *offer_text; /* a valid offer */

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb, (void)flag, (void)f;
    return remove(p);
}

static void cleanup(void)
{
    zs_service_close(svc);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void die(const char *what, const za_error *err)
{
    fprintf(stderr, "fuzz_service: %s: %s\n", what, err ? err->msg : "");
    abort();
}

/* A valid offer's JSON (malloc'd). */
static char *make_offer(void)
{
    za_error err;
    zp_offer o;
    memset(&o, 0, sizeof o);
    zp_audit_params p = { 0.95, 0.05, 8, ZP_STOP_FIXED, 0, 0 };
    if (zp_audit_params_format(&p, o.params_text, sizeof o.params_text, &err))
        die("params", &err);
    o.params = p;
    snprintf(o.dataset_name, sizeof o.dataset_name, "fuzz");
    memset(o.dataset_root, 7, 32);
    o.dataset_count = 1000;
    snprintf(o.prep, sizeof o.prep, "v1;identity");
    memcpy(o.model_id, mc.model_id, 32);
    memset(o.buyer_commitment, 9, 32);
    char *json = NULL;
    if (zp_offer_to_json(&o, &json, &err))
        die("offer", &err);
    return json;
}

/* POST a valid offer; the new audit's id into id. */
static void join_one(char id[ZS_AUDIT_ID_LEN + 1])
{
    char *json = make_offer();
    char hdr[64];
    snprintf(hdr, sizeof hdr, "Bearer %s", TOKEN);
    zs_request_in in = { "POST", "/v1/audits", hdr, NULL, (const uint8_t *)json, strlen(json), 0 };
    zs_response r;
    zs_service_handle(svc, &in, &r);
    const char *q = r.body ? strstr(r.body, "\"audit\":\"") : NULL;
    if (r.status != 201 || !q)
        die("join", NULL);
    memcpy(id, q + 9, ZS_AUDIT_ID_LEN);
    id[ZS_AUDIT_ID_LEN] = 0;
    zs_response_free(&r);
    free(json);
}

static void setup(void)
{
    za_error err;
    char path[256];
    if (!mkdtemp(dir))
        die("mkdtemp", NULL);
    if (zm_model_load_file("models/demo/fashion_cnn.tflite", &model, &err) ||
        zp_model_commit(model, ZM_ROUNDING_TFLITE, 1, &mc, &err) ||
        zp_model_commitment_encode(&mc, &commit_bytes, &commit_len, &err))
        die("the demo model (run from the repository root)", &err);
    char tokens[128];
    snprintf(tokens, sizeof tokens, "# fuzz\n%s\n", TOKEN);
    if (zs_auth_parse(tokens, strlen(tokens), "tokens", &auth, &err))
        die("tokens", &err);
    snprintf(path, sizeof path, "%s/state.db", dir);
    zs_service_config cfg = { path, model, &mc, commit_bytes, commit_len, &auth, 1, 1, 8,
                              1 << 20 };
    uint64_t requeued;
    if (zs_service_open(&cfg, &svc, &requeued, &err))
        die("service", &err);
    atexit(cleanup);
    offer_text = make_offer();
    join_one(joined);
    /* a second audit, marked done with a small "bundle", for the Range code */
    join_one(done_id);
    uint8_t rid[32], digest[32];
    int found;
    char cid[ZS_AUDIT_ID_LEN + 1], bpath[4200];
    memset(rid, 1, 32);
    memset(digest, 2, 32);
    static const char bundle[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    if (zs_state_set_request(svc->state, done_id, rid, 8, 1, &err) ||
        zs_state_claim(svc->state, cid, &found, &err) ||
        zs_state_done(svc->state, done_id, sizeof bundle - 1, digest, &err) ||
        zs_state_path(svc->state, done_id, "bundle", bpath, sizeof bpath, &err) ||
        za_write_file_atomic(bpath, bundle, sizeof bundle - 1, &err))
        die("done audit", &err);
}

/* The next NUL-terminated string of the input (copied, at most cap-1 bytes). */
static const uint8_t *take(const uint8_t *p, const uint8_t *end, char *out, size_t cap)
{
    size_t n = 0;
    while (p < end && *p) {
        if (n + 1 < cap)
            out[n++] = (char)*p;
        p++;
    }
    out[n] = 0;
    return p < end ? p + 1 : p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!svc)
        setup();
    if (size < 4)
        return 0;
    static const char *methods[] = { "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS" };
    const uint8_t *p = data + 4, *end = data + size;
    char fpath[512], fauth[600], frange[128], path[600], hdr[64];
    p = take(p, end, fpath, sizeof fpath);
    p = take(p, end, fauth, sizeof fauth);
    p = take(p, end, frange, sizeof frange);
    const char *id = data[1] & 0x10 ? done_id : joined;
    switch (data[1] % 8) {
    case 0: snprintf(path, sizeof path, "/v1/model"); break;
    case 1: snprintf(path, sizeof path, "/v1/model/commitment"); break;
    case 2: snprintf(path, sizeof path, "/v1/audits"); break;
    case 3: snprintf(path, sizeof path, "/v1/audits/%s", id); break;
    case 4: snprintf(path, sizeof path, "/v1/audits/%s/request", id); break;
    case 5: snprintf(path, sizeof path, "/v1/audits/%s/bundle", id); break;
    case 6: snprintf(path, sizeof path, "/v1/audits/%s%s", id, fpath); break;
    default: snprintf(path, sizeof path, "%s", fpath); break;
    }
    snprintf(hdr, sizeof hdr, "Bearer %s", TOKEN);
    zs_request_in in;
    memset(&in, 0, sizeof in);
    in.method = methods[data[0] % 6];
    in.path = path;
    in.authorization = data[2] % 3 == 0 ? hdr : data[2] % 3 == 1 ? NULL : fauth;
    in.range = data[3] & 1 ? frange : NULL;
    in.body = p;
    in.body_len = (size_t)(end - p);
    uint8_t *spliced = NULL;
    if (data[3] & 2) {
        /* the fuzzed bytes overwrite a valid offer from an offset on */
        size_t n = strlen(offer_text), at = (size_t)(data[3] >> 2) * n / 64;
        size_t len = at + in.body_len > n ? at + in.body_len : n;
        if (!(spliced = malloc(len)))
            return 0;
        memcpy(spliced, offer_text, n);
        memcpy(spliced + at, in.body, in.body_len);
        in.body = spliced;
        in.body_len = len;
    }
    in.body_too_large = (data[3] & 0x80) != 0;
    zs_response r;
    zs_service_handle(svc, &in, &r);
    if (r.status < 200 || r.status > 599)
        abort();
    if (r.status >= 400 && (!r.body || !strstr(r.body, "\"error\"")))
        abort();
    if (r.fd >= 0 && r.length > 36)
        abort();
    zs_response_free(&r);
    free(spliced);
    return 0;
}
