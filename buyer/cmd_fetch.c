/* buyer/cmd_fetch.c - `buyer fetch`: wait for the seller's service to prove
 * an audit, then download its bundle (docs/service.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer/buyer.h"
#include "buyer/client.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/progress.h"

static const char usage[] =
    "usage: buyer fetch --seller URL --audit ID --token-file F --out BUNDLE\n"
    "                   [--poll S] [--wait S] [--tries N] [--cacert CA.pem]\n"
    "\n"
    "Poll the seller's service (`seller serve`) for audit ID, showing its\n"
    "progress, until the bundle is proven, then download it to BUNDLE.  The\n"
    "download is resumable: bytes go to BUNDLE.part, and an interrupted\n"
    "transfer (or a later run of the same command) continues with a Range\n"
    "request; BUNDLE appears only once its size and SHA-256 are the ones the\n"
    "seller announced.  Connection errors and HTTP 5xx are retried with\n"
    "exponential backoff (0.5 s, 1 s, 2 s, ...); other HTTP errors stop at once\n"
    "with the seller's message.  Then run `buyer verify` on BUNDLE.\n"
    "\n"
    "  --seller URL      the service, e.g. https://seller.example:8443\n"
    "  --audit ID        the audit id `buyer sample init --seller` printed\n"
    "  --token-file F    the bearer token (first line of F that is not a '#' comment)\n"
    "  --poll S          seconds between status checks (default 2)\n"
    "  --wait S          give up after S seconds without a finished bundle\n"
    "                    (default 86400)\n"
    "  --tries N         attempts per request on transient errors (1..100, default 6)\n"
    "  --cacert CA.pem   trust this CA (or self-signed certificate) for https\n";

static int valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n != 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

int zb_cmd_fetch(int argc, char **argv)
{
    enum { O_SELLER = 1, O_AUDIT, O_TOKEN, O_OUT, O_POLL, O_WAIT, O_TRIES, O_CACERT };
    static const struct option opts[] = {
        { "seller", required_argument, 0, O_SELLER }, { "audit", required_argument, 0, O_AUDIT },
        { "token-file", required_argument, 0, O_TOKEN }, { "out", required_argument, 0, O_OUT },
        { "poll", required_argument, 0, O_POLL }, { "wait", required_argument, 0, O_WAIT },
        { "tries", required_argument, 0, O_TRIES }, { "cacert", required_argument, 0, O_CACERT },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    const char *url = NULL, *audit = NULL, *token = NULL, *out = NULL, *cacert = NULL;
    double poll = 2, wait_s = 86400;
    long tries = ZB_CLIENT_TRIES;
    int ch;
    char *end;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case O_SELLER: url = optarg; break;
        case O_AUDIT: audit = optarg; break;
        case O_TOKEN: token = optarg; break;
        case O_OUT: out = optarg; break;
        case O_CACERT: cacert = optarg; break;
        case O_POLL:
            poll = strtod(optarg, &end);
            if (*end || !(poll >= 0.05 && poll <= 3600)) {
                fprintf(stderr, "buyer fetch: --poll must be 0.05..3600 seconds\n");
                return 2;
            }
            break;
        case O_WAIT:
            wait_s = strtod(optarg, &end);
            if (*end || !(wait_s >= 0 && wait_s <= 1e7)) {
                fprintf(stderr, "buyer fetch: --wait must be 0..1e7 seconds\n");
                return 2;
            }
            break;
        case O_TRIES:
            tries = strtol(optarg, &end, 10);
            if (*end || tries < 1 || tries > 100) {
                fprintf(stderr, "buyer fetch: --tries must be 1..100\n");
                return 2;
            }
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (!url || !audit || !token || !out || optind != argc) {
        fprintf(stderr, "buyer fetch: %s\n\n%s",
                optind != argc ? "unexpected argument"
                               : "--seller, --audit, --token-file and --out are required",
                usage);
        return 2;
    }
    if (!valid_id(audit)) {
        fprintf(stderr, "buyer fetch: --audit must be the 32 hex digits of an audit id\n");
        return 2;
    }
    za_error err;
    zb_client c;
    json_t *st = NULL;
    int rc = 1;
    if (zb_client_init(&c, url, token, cacert, &err))
        goto fail;
    c.tries = (unsigned)tries;
    char path[128];
    snprintf(path, sizeof path, "/v1/audits/%s", audit);
    double t0 = za_now_s();
    long last_done = -1;
    char state[32] = "", last_state[32] = "";
    for (;;) {
        json_decref(st);
        st = NULL;
        if (zb_client_json(&c, "GET", path, NULL, 0, NULL, NULL, &st, &err))
            goto fail;
        const char *s = json_string_value(json_object_get(st, "state"));
        long done = (long)json_integer_value(json_object_get(st, "batches_done"));
        long total = (long)json_integer_value(json_object_get(st, "batches_total"));
        if (!s) {
            za_error_set(&err, ZA_ERR_MALFORMED, "%s%s: the status has no state", c.base, path);
            goto fail;
        }
        snprintf(state, sizeof state, "%s", s);
        if (done != last_done || strcmp(state, last_state)) {
            za_log_info("audit %s: %s, %ld of %ld batches proven", audit, state, done, total);
            last_done = done;
            memcpy(last_state, state, sizeof state);
        }
        if (!strcmp(state, "done"))
            break;
        if (!strcmp(state, "failed")) {
            const char *e = json_string_value(json_object_get(st, "error"));
            za_error_set(&err, ZA_ERR_IO, "audit %s failed on the seller's side: %s", audit,
                         e ? e : "(no reason given)");
            goto fail;
        }
        if (!strcmp(state, "joined")) {
            za_error_set(&err, ZA_ERR_ARG, "audit %s has no request yet: run `buyer sample "
                         "draw --seller ...` first", audit);
            goto fail;
        }
        if (za_now_s() - t0 > wait_s) {
            za_error_set(&err, ZA_ERR_IO, "audit %s: still %s after %.0f s (--wait)", audit,
                         state, wait_s);
            goto fail;
        }
        zb_sleep(poll);
    }
    json_t *jb = json_object_get(st, "bundle_bytes");
    const char *sha = json_string_value(json_object_get(st, "bundle_sha256"));
    uint8_t digest[32];
    if (!json_is_integer(jb) || json_integer_value(jb) < 0 || !sha ||
        za_hex_decode(sha, digest, 32, &err)) {
        za_error_set(&err, ZA_ERR_MALFORMED, "%s%s: a done status needs bundle_bytes and "
                     "bundle_sha256", c.base, path);
        goto fail;
    }
    uint64_t size = (uint64_t)json_integer_value(jb);
    snprintf(path, sizeof path, "/v1/audits/%s/bundle", audit);
    if (zb_client_download(&c, path, out, size, digest, &err))
        goto fail;
    char human[32];
    za_format_bytes(size, human, sizeof human);
    printf("wrote %s (%s, SHA-256 %s): run `buyer verify` on it\n", out, human, sha);
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    json_decref(st);
    return rc;
}
