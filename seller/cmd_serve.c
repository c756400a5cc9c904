/* seller/cmd_serve.c - `seller serve`: the audit service (seller/service.h)
 * over HTTP(S) on libmicrohttpd. */
#include <arpa/inet.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/limits.h"
#include "common/log.h"
#include "protocol/bundle.h"
#include "seller/seller.h"
#include "seller/model_key_cli.h"
#include "seller/service.h"

static const char usage[] =
    "usage: seller serve --listen ADDR:PORT --model M.tflite --commit M.commit --db STATE.db\n"
    "                    --token-file F [--tls-cert C.pem --tls-key K.pem] [--workers N]\n"
    "                    [--threads T] [--batch-size B] [--max-request-bytes N]\n"
    "                    [--model-key K]\n"
    "\n"
    "Serve audits of the committed model over HTTP (HTTPS with --tls-cert and\n"
    "--tls-key): the model commitment, the seller's join of a buyer's offer, the\n"
    "buyer's request, the proving job's status and the bundle (docs/service.md).\n"
    "Every resource needs \"Authorization: Bearer TOKEN\" with a token of F (one\n"
    "per line, at least 16 characters; '#' starts a comment line).  All state is\n"
    "in STATE.db (SQLite) and STATE.db.files/ (requests and bundles), so a\n"
    "restart, even after kill -9, resumes every unfinished audit; SIGINT or\n"
    "SIGTERM stops after the batches in progress.\n"
    "\n"
    "  --listen ADDR:PORT     IPv4 address or [IPv6] and port (0: any free port;\n"
    "                         the port is printed)\n"
    "  --workers N            audits proven at once (1..64, default 1)\n"
    "  --threads T            prover threads per audit (default: all cores)\n"
    "  --batch-size B         samples per proof (1..4096, default 8)\n"
    "  --max-request-bytes N  the largest request body accepted (default 256 MiB,\n"
    "                         at most 2 GiB); offers are capped at 1 MiB\n"
    "  --model-key K          a private commitment's key (default: M.commit.key):\n"
    "                         every proof spends one of its proofs, and an audit\n"
    "                         that needs more than are left fails before proving\n";

typedef struct {
    uint8_t *body;
    size_t len, cap, limit;
    int too_large, answered;
} conn_t;

static void add_header(struct MHD_Response *resp, const char *k, const char *v)
{
    if (v && *v)
        MHD_add_response_header(resp, k, v);
}

static enum MHD_Result send_response(struct MHD_Connection *c, zs_response *r)
{
    struct MHD_Response *resp;
    if (r->fd >= 0) {
        resp = MHD_create_response_from_fd_at_offset64(r->length, r->fd, r->offset);
        if (resp)
            r->fd = -1; /* MHD closes it */
    } else {
        resp = MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_MUST_FREE);
        if (resp)
            r->body = NULL; /* MHD frees it */
    }
    if (!resp) {
        zs_response_free(r);
        return MHD_NO;
    }
    add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    add_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, r->content_range);
    add_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
    add_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    add_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (r->etag[0])
        add_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    if (r->www_authenticate)
        add_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"zkaudit\"");
    enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
    MHD_destroy_response(resp);
    zs_response_free(r);
    return ret;
}

static void fill_in(struct MHD_Connection *c, const char *url, const char *method,
                    zs_request_in *in)
{
    memset(in, 0, sizeof *in);
    in->method = method;
    in->path = url;
    in->authorization =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    in->range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    zs_service *s = cls;
    conn_t *k = *con_cls;
    zs_request_in in;
    zs_response r;
    (void)version;
    fill_in(c, url, method, &in);
    if (!k) {
        /* first call: headers only; refuse early what needs no body */
        if (!(k = calloc(1, sizeof *k)))
            return MHD_NO;
        *con_cls = k;
        k->limit = zs_service_body_cap(s, url);
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        char *end = NULL;
        unsigned long long n = cl ? strtoull(cl, &end, 10) : 0;
        int has_len = cl && end != cl && !*end;
        if (zs_service_precheck(s, &in, n, has_len, &r)) {
            k->answered = 1;
            za_log_info("%s %s -> %u (before the body)", method, url, r.status);
            return send_response(c, &r);
        }
        if (has_len && n > 0 && n <= k->limit) {
            k->body = malloc((size_t)n);
            k->cap = k->body ? (size_t)n : 0;
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (k->answered || k->too_large)
            return MHD_YES;
        if (n > k->limit - k->len) {
            k->too_large = 1;
            free(k->body);
            k->body = NULL;
            k->len = k->cap = 0;
            return MHD_YES;
        }
        if (k->len + n > k->cap) {
            size_t cap = k->cap ? k->cap : 65536;
            while (cap < k->len + n)
                cap = cap > k->limit / 2 ? k->limit : cap * 2;
            uint8_t *b = realloc(k->body, cap);
            if (!b)
                return MHD_NO;
            k->body = b;
            k->cap = cap;
        }
        memcpy(k->body + k->len, upload, n);
        k->len += n;
        return MHD_YES;
    }
    if (k->answered)
        return MHD_YES;
    in.body = k->body;
    in.body_len = k->len;
    in.body_too_large = k->too_large;
    zs_service_handle(s, &in, &r);
    k->answered = 1;
    if (r.status >= 300)
        za_log_info("%s %s -> %u", method, url, r.status);
    else
        za_log_debug("%s %s -> %u", method, url, r.status);
    return send_response(c, &r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    conn_t *k = *con_cls;
    if (k) {
        free(k->body);
        free(k);
    }
    *con_cls = NULL;
}

/* "A.B.C.D:PORT" or "[V6]:PORT" */
static int parse_listen(const char *s, struct sockaddr_in *v4, struct sockaddr_in6 *v6,
                        int *is6)
{
    char host[128];
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return 0;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || port > 65535)
        return 0;
    memset(v4, 0, sizeof *v4);
    memset(v6, 0, sizeof *v6);
    size_t hl = strlen(host);
    if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = 0;
        *is6 = 1;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        return inet_pton(AF_INET6, host + 1, &v6->sin6_addr) == 1;
    }
    *is6 = 0;
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &v4->sin_addr) == 1;
}

static int parse_uint(const char *s, unsigned long long lo, unsigned long long hi,
                      unsigned long long *v)
{
    char *end;
    if (!*s || *s == '-')
        return 0;
    *v = strtoull(s, &end, 10);
    return !*end && *v >= lo && *v <= hi;
}

int zs_cmd_serve(int argc, char **argv)
{
    enum { O_LISTEN = 1, O_MODEL, O_COMMIT, O_DB, O_TOKENS, O_CERT, O_KEY, O_WORKERS,
           O_THREADS, O_BATCH, O_MAXREQ, O_MODELKEY };
    static const struct option opts[] = {
        { "listen", required_argument, 0, O_LISTEN }, { "model", required_argument, 0, O_MODEL },
        { "commit", required_argument, 0, O_COMMIT }, { "db", required_argument, 0, O_DB },
        { "token-file", required_argument, 0, O_TOKENS },
        { "tls-cert", required_argument, 0, O_CERT }, { "tls-key", required_argument, 0, O_KEY },
        { "workers", required_argument, 0, O_WORKERS },
        { "threads", required_argument, 0, O_THREADS },
        { "batch-size", required_argument, 0, O_BATCH },
        { "max-request-bytes", required_argument, 0, O_MAXREQ },
        { "model-key", required_argument, 0, O_MODELKEY },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    const char *listen = NULL, *model_path = NULL, *commit_path = NULL, *db_path = NULL,
               *token_path = NULL, *cert_path = NULL, *key_path = NULL, *mkey_path = NULL;
    unsigned long long workers = 1, threads = 0, batch = 8, maxreq = ZA_DEFAULT_HTTP_BODY_BYTES;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int ok = 1;
        switch (ch) {
        case O_LISTEN: listen = optarg; break;
        case O_MODEL: model_path = optarg; break;
        case O_COMMIT: commit_path = optarg; break;
        case O_DB: db_path = optarg; break;
        case O_TOKENS: token_path = optarg; break;
        case O_CERT: cert_path = optarg; break;
        case O_KEY: key_path = optarg; break;
        case O_MODELKEY: mkey_path = optarg; break;
        case O_WORKERS: ok = parse_uint(optarg, 1, ZA_MAX_SERVICE_WORKERS, &workers); break;
        case O_THREADS: ok = parse_uint(optarg, 1, 1024, &threads); break;
        case O_BATCH: ok = parse_uint(optarg, 1, ZP_BUNDLE_MAX_BATCH, &batch); break;
        case O_MAXREQ: ok = parse_uint(optarg, 1, ZA_MAX_REQUEST_BYTES, &maxreq); break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
        if (!ok) {
            fprintf(stderr, "seller serve: bad value '%s' for --%s\n\n%s", optarg,
                    opts[ch - 1].name, usage);
            return 2;
        }
    }
    if (!listen || !model_path || !commit_path || !db_path || !token_path || optind != argc ||
        !cert_path != !key_path) {
        fprintf(stderr, "seller serve: %s\n\n%s",
                optind != argc ? "unexpected argument"
                : !cert_path != !key_path
                    ? "--tls-cert and --tls-key go together"
                    : "--listen, --model, --commit, --db and --token-file are required",
                usage);
        return 2;
    }
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    int is6 = 0;
    if (!parse_listen(listen, &v4, &v6, &is6)) {
        fprintf(stderr, "seller serve: --listen must be ADDR:PORT (e.g. 127.0.0.1:8443)\n");
        return 2;
    }
    za_error err;
    zm_model *m = NULL;
    zp_model_commitment mc;
    memset(&mc, 0, sizeof mc);
    uint8_t *cbuf = NULL, *cert = NULL, *key = NULL;
    size_t clen = 0, n = 0;
    zs_auth *auth = malloc(sizeof *auth);
    zs_service *svc = NULL;
    zp_model_key *mkey = NULL;
    struct MHD_Daemon *d = NULL;
    int rc = 1;
    if (!auth) {
        za_error_set(&err, ZA_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (zs_auth_load(token_path, auth, &err) ||
        za_read_file(commit_path, ZA_MAX_PROOF_BYTES, &cbuf, &clen, &err) ||
        zp_model_commitment_decode(cbuf, clen, commit_path, &mc, &err) ||
        zm_model_load_file(model_path, &m, &err) ||
        zs_model_key_for(&mc, commit_path, mkey_path, &mkey, &err) ||
        (cert_path && (za_read_file(cert_path, 1 << 20, &cert, &n, &err) ||
                       za_read_file(key_path, 1 << 20, &key, &n, &err))))
        goto fail;
    /* the model must be the committed one: the proofs would fail otherwise */
    zp_model_commitment check;
    memset(&check, 0, sizeof check);
    if (zp_model_commit_ex(m, mc.rounding, threads ? (int)threads : 0,
                           mkey ? zp_model_key_secret(mkey) : NULL, &check, &err))
        goto fail;
    int same = !memcmp(check.model_id, mc.model_id, 32);
    zp_model_commitment_free(&check);
    if (!same) {
        za_error_set(&err, ZA_ERR_MISMATCH, "%s is not the model %s commits to", model_path,
                     commit_path);
        goto fail;
    }
    zs_service_config cfg = { db_path, m, &mc, cbuf, clen, auth, (unsigned)workers,
                              (int)threads, (unsigned)batch, (size_t)maxreq, mkey };
    uint64_t requeued = 0;
    if (zs_service_open(&cfg, &svc, &requeued, &err))
        goto fail;
    if (requeued)
        za_log_info("resuming %llu unfinished audit%s", (unsigned long long)requeued,
                    requeued == 1 ? "" : "s");
    /* SIGINT/SIGTERM are waited for below; every thread inherits the mask */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (zs_service_start(svc, &err))
        goto fail;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | (is6 ? MHD_USE_IPv6 : 0);
    if (cert_path) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            za_error_set(&err, ZA_ERR_UNSUPPORTED, "this libmicrohttpd has no TLS");
            goto fail;
        }
        flags |= MHD_USE_TLS;
    }
    d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, svc, MHD_OPTION_SOCK_ADDR,
        is6 ? (struct sockaddr *)&v6 : (struct sockaddr *)&v4, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)4, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)ZA_HTTP_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)ZA_MAX_HTTP_CONNECTIONS,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        cert_path ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, (const char *)cert,
        MHD_OPTION_HTTPS_MEM_KEY, (const char *)key, MHD_OPTION_END);
    if (!d) {
        za_error_set(&err, ZA_ERR_IO, "cannot listen on %s", listen);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : 0;
    char host[128];
    snprintf(host, sizeof host, "%.*s", (int)(strrchr(listen, ':') - listen), listen);
    printf("seller serve: listening on %s://%s:%u (model %s, %llu worker%s)\n",
           cert_path ? "https" : "http", host, port, model_path, workers,
           workers == 1 ? "" : "s");
    fflush(stdout);
    int sig = 0;
    sigwait(&sigs, &sig);
    za_log_info("signal %d: stopping after the batches in progress", sig);
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    if (d)
        MHD_stop_daemon(d);
    zs_service_close(svc);
    free(auth), free(cbuf), free(cert), free(key);
    zp_model_key_close(mkey);
    zp_model_commitment_free(&mc);
    zm_model_free(m);
    return rc;
}
