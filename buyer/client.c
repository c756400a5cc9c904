/* buyer/client.c - the buyer's client of `seller serve` (buyer/client.h). */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buyer/client.h"
#include "common/file.h"
#include "common/log.h"
#include "common/sha256.h"

#define CONNECT_TIMEOUT_S 15L
#define LOW_SPEED_S 60L

void zb_sleep(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* The first token line of a token file. */
static za_status read_token(const char *path, char *out, size_t cap, za_error *err)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    za_status st = za_read_file(path, ZA_MAX_TOKEN_FILE_BYTES, &buf, &len, err);
    if (st)
        return st;
    const char *t = (const char *)buf;
    out[0] = 0;
    for (size_t i = 0; i < len && !out[0];) {
        size_t j = i;
        while (j < len && t[j] != '\n')
            j++;
        size_t n = j - i;
        if (n && t[i + n - 1] == '\r')
            n--;
        if (n && t[i] != '#') {
            if (n < ZA_MIN_TOKEN_CHARS || n >= cap) {
                free(buf);
                return za_error_set(err, ZA_ERR_MALFORMED, "%s: a token must be %d..%d "
                                    "characters", path, ZA_MIN_TOKEN_CHARS, ZA_MAX_TOKEN_CHARS);
            }
            memcpy(out, t + i, n);
            out[n] = 0;
        }
        i = j + 1;
    }
    free(buf);
    if (!out[0])
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: no token", path);
    return ZA_OK;
}

za_status zb_client_init(zb_client *c, const char *url, const char *token_file,
                         const char *cacert, za_error *err)
{
    memset(c, 0, sizeof *c);
    size_t n = strlen(url);
    while (n && url[n - 1] == '/')
        n--;
    if ((strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) || n >= sizeof c->base)
        return za_error_set(err, ZA_ERR_ARG, "--seller must be an http:// or https:// URL");
    memcpy(c->base, url, n);
    c->base[n] = 0;
    char token[ZA_MAX_TOKEN_CHARS + 1];
    za_status st = read_token(token_file, token, sizeof token, err);
    if (st)
        return st;
    snprintf(c->auth, sizeof c->auth, "Authorization: Bearer %s", token);
    memset(token, 0, sizeof token);
    c->cacert = cacert;
    c->tries = ZB_CLIENT_TRIES;
    return ZA_OK;
}

typedef struct {
    char *buf;          /* memory sink (JSON, error bodies) */
    size_t len, cap;
    FILE *f;            /* file sink for 200/206 answers (downloads), or NULL */
    CURL *h;
    uint64_t limit, written, written0; /* written0: bytes the part file had */
    int over, restarted;
} sink;

static size_t to_memory(sink *k, const char *p, size_t n)
{
    if (k->len + n > ZA_MAX_HTTP_JSON_BYTES) {
        k->over = 1;
        return 0;
    }
    if (k->len + n + 1 > k->cap) {
        size_t cap = (k->len + n + 1) * 2;
        char *b = realloc(k->buf, cap);
        if (!b)
            return 0;
        k->buf = b;
        k->cap = cap;
    }
    memcpy(k->buf + k->len, p, n);
    k->len += n;
    k->buf[k->len] = 0;
    return n;
}

static size_t on_data(char *p, size_t sz, size_t nm, void *ud)
{
    sink *k = ud;
    size_t n = sz * nm;
    long code = 0;
    if (k->f)
        curl_easy_getinfo(k->h, CURLINFO_RESPONSE_CODE, &code);
    if (!k->f || (code != 200 && code != 206))
        return to_memory(k, p, n);
    if (code == 200 && !k->restarted) {
        /* the whole file (a Range was ignored): start the part file again */
        k->restarted = 1;
        if (fflush(k->f) || ftruncate(fileno(k->f), 0) || fseek(k->f, 0, SEEK_SET))
            return 0;
        k->limit += k->written0;
    }
    if (n > k->limit - k->written) {
        k->over = 1;
        return 0;
    }
    k->written += n;
    return fwrite(p, 1, n, k->f) == n ? n : 0;
}

static int transient(CURLcode cc, long status)
{
    if (cc == CURLE_OK)
        return status >= 500 || status == 429;
    return cc == CURLE_COULDNT_CONNECT || cc == CURLE_OPERATION_TIMEDOUT ||
           cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR || cc == CURLE_GOT_NOTHING ||
           cc == CURLE_PARTIAL_FILE || cc == CURLE_COULDNT_RESOLVE_HOST;
}

/* One attempt. */
static CURLcode perform(const zb_client *c, const char *method, const char *path,
                        const void *body, size_t len, const char *ctype, const char *range,
                        sink *k, long *status, char *errbuf)
{
    CURL *h = curl_easy_init();
    if (!h)
        return CURLE_OUT_OF_MEMORY;
    char url[4096], ct[128], rg[96];
    snprintf(url, sizeof url, "%s%s", c->base, path);
    struct curl_slist *hd = curl_slist_append(NULL, c->auth);
    if (ctype) {
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        hd = curl_slist_append(hd, ct);
    }
    if (range) {
        snprintf(rg, sizeof rg, "Range: %s", range);
        hd = curl_slist_append(hd, rg);
    }
    hd = curl_slist_append(hd, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_S);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, k);
    k->h = h;
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (c->cacert)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
    if (!strcmp(method, "POST")) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    errbuf[0] = 0;
    CURLcode cc = curl_easy_perform(h);
    *status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
    return cc;
}

static double backoff(unsigned attempt)
{
    double s = 0.5;
    for (unsigned i = 0; i < attempt && s < 30; i++)
        s *= 2;
    return s < 30 ? s : 30;
}

/* The "error" of a JSON error body, or the body itself. */
static void server_error(const sink *k, char *out, size_t cap)
{
    json_error_t je;
    json_t *j = k->buf ? json_loadb(k->buf, k->len, 0, &je) : NULL;
    const char *e = j ? json_string_value(json_object_get(j, "error")) : NULL;
    snprintf(out, cap, "%s", e ? e : k->buf ? k->buf : "(no answer)");
    json_decref(j);
}

za_status zb_client_json(const zb_client *c, const char *method, const char *path,
                         const void *body, size_t len, const char *content_type, long *status,
                         json_t **out, za_error *err)
{
    *out = NULL;
    for (unsigned attempt = 0;; attempt++) {
        sink k;
        memset(&k, 0, sizeof k);
        char eb[CURL_ERROR_SIZE];
        long code = 0;
        CURLcode cc = perform(c, method, path, body, len, content_type, NULL, &k, &code, eb);
        if (status)
            *status = code;
        if (cc == CURLE_OK && code >= 200 && code < 300) {
            json_error_t je;
            *out = k.buf ? json_loadb(k.buf, k.len, 0, &je) : NULL;
            free(k.buf);
            if (!*out)
                return za_error_set(err, ZA_ERR_MALFORMED, "%s %s%s: the answer is not JSON",
                                    method, c->base, path);
            return ZA_OK;
        }
        char msg[512];
        if (cc != CURLE_OK)
            snprintf(msg, sizeof msg, "%s", k.over ? "answer too large" : eb[0] ? eb
                                                                    : curl_easy_strerror(cc));
        else
            server_error(&k, msg, sizeof msg);
        free(k.buf);
        if (!transient(cc, code) || attempt + 1 >= c->tries) {
            if (cc != CURLE_OK)
                return za_error_set(err, ZA_ERR_IO, "%s %s%s: %s", method, c->base, path, msg);
            return za_error_set(err, code == 404 || code == 409 ? ZA_ERR_MISMATCH : ZA_ERR_IO,
                                "%s %s%s: HTTP %ld: %s", method, c->base, path, code, msg);
        }
        double w = backoff(attempt);
        za_log_warn("%s %s%s: %s (HTTP %ld); retrying in %.1f s", method, c->base, path, msg,
                    code, w);
        zb_sleep(w);
    }
}

static uint64_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

za_status zb_client_download(const zb_client *c, const char *path, const char *out_path,
                             uint64_t size, const uint8_t sha256[32], za_error *err)
{
    char part[4200];
    if ((size_t)snprintf(part, sizeof part, "%s.part", out_path) >= sizeof part)
        return za_error_set(err, ZA_ERR_ARG, "%s: path too long", out_path);
    unsigned fails = 0;
    for (;;) {
        uint64_t have = file_size(part);
        if (have > size) {
            remove(part);
            have = 0;
        }
        if (have == size)
            break;
        FILE *f = fopen(part, have ? "ab" : "wb");
        if (!f)
            return za_error_set(err, ZA_ERR_IO, "%s: cannot write: %s", part, strerror(errno));
        sink k;
        memset(&k, 0, sizeof k);
        k.f = f;
        k.limit = size - have;
        k.written0 = have;
        char range[64], eb[CURL_ERROR_SIZE], msg[512];
        snprintf(range, sizeof range, "bytes=%llu-", (unsigned long long)have);
        long code = 0;
        CURLcode cc = perform(c, "GET", path, NULL, 0, NULL, have ? range : NULL, &k, &code, eb);
        int closed = fclose(f);
        uint64_t now = file_size(part);
        if (k.over) {
            free(k.buf);
            remove(part);
            return za_error_set(err, ZA_ERR_MALFORMED, "GET %s%s: more than the %llu bytes "
                                "announced", c->base, path, (unsigned long long)size);
        }
        if (closed != 0) {
            free(k.buf);
            return za_error_set(err, ZA_ERR_IO, "%s: write failed", part);
        }
        if (cc == CURLE_OK && (code == 200 || code == 206) && now == size) {
            free(k.buf);
            break;
        }
        if (cc == CURLE_OK && code == 416) {
            remove(part); /* our part file is not a prefix of the bundle */
        }
        if (cc != CURLE_OK)
            snprintf(msg, sizeof msg, "%s", eb[0] ? eb : curl_easy_strerror(cc));
        else if (code == 200 || code == 206)
            snprintf(msg, sizeof msg, "short transfer");
        else
            server_error(&k, msg, sizeof msg);
        free(k.buf);
        if (cc == CURLE_OK && code >= 400 && code != 416 && !transient(cc, code))
            return za_error_set(err, code == 404 || code == 409 ? ZA_ERR_MISMATCH : ZA_ERR_IO,
                                "GET %s%s: HTTP %ld: %s", c->base, path, code, msg);
        /* progress resets the count of failures in a row */
        if (now > have)
            fails = 0;
        if (++fails >= c->tries)
            return za_error_set(err, ZA_ERR_IO, "GET %s%s: %s (gave up after %u tries)",
                                c->base, path, msg, fails);
        double w = backoff(fails - 1);
        za_log_warn("GET %s%s: %s; resuming at byte %llu in %.1f s", c->base, path, msg,
                    (unsigned long long)file_size(part), w);
        zb_sleep(w);
    }
    uint8_t d[32];
    za_status st = za_sha256_file(part, d, err);
    if (st)
        return st;
    if (memcmp(d, sha256, 32)) {
        remove(part);
        return za_error_set(err, ZA_ERR_MISMATCH, "GET %s%s: the download's SHA-256 is not "
                            "the one the seller announced (removed it; run again)", c->base,
                            path);
    }
    if (rename(part, out_path) != 0)
        return za_error_set(err, ZA_ERR_IO, "%s: cannot rename to %s: %s", part, out_path,
                            strerror(errno));
    return ZA_OK;
}
