/* datasets/fetch.c - libcurl downloads with checksum, retries and progress
 * (see fetch.h). */
#include "datasets/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/hex.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/sha256.h"

int zd_is_url(const char *s)
{
    const char *p = strstr(s, "://");
    if (!p || p == s)
        return 0;
    for (const char *q = s; q < p; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
              (q > s && ((*q >= '0' && *q <= '9') || *q == '+' || *q == '-' || *q == '.'))))
            return 0;
    return 1;
}

typedef struct {
    FILE *f;
    za_sha256_ctx sha;
    uint64_t bytes;
    int too_big, write_failed;
    za_progress bar;
} sink;

static size_t on_data(char *data, size_t size, size_t n, void *ctx)
{
    sink *s = ctx;
    size_t len = size * n;
    if (s->bytes + len > ZA_MAX_DOWNLOAD_BYTES) {
        s->too_big = 1;
        return 0; /* makes curl fail with CURLE_WRITE_ERROR */
    }
    if (fwrite(data, 1, len, s->f) != len) {
        s->write_failed = errno ? errno : EIO;
        return 0;
    }
    za_sha256_update(&s->sha, data, len);
    s->bytes += len;
    return len;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)ultotal, (void)ulnow;
    sink *s = ctx;
    if (dltotal > 0)
        s->bar.total = (uint64_t)dltotal;
    za_progress_update(&s->bar, (uint64_t)dlnow);
    return 0;
}

static int transient(CURLcode rc, long http)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
        return 1;
    case CURLE_HTTP_RETURNED_ERROR:
        return http >= 500 || http == 429;
    default:
        return 0;
    }
}

static void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

/* One attempt into the open file f (rewound by the caller). */
static CURLcode attempt(CURL *c, const char *url, sink *s, long *http, char *ebuf)
{
    curl_easy_reset(c);
    ebuf[0] = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)ZD_FETCH_CONNECT_S);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)ZD_FETCH_LOW_SPEED_S);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)ZA_MAX_DOWNLOAD_BYTES);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "zkaudit");
    CURLcode rc = curl_easy_perform(c);
    *http = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, http);
    return rc;
}

za_status zd_fetch_url(const char *url, const char *dest, const char *expect_sha256,
                       uint8_t sha256[32], za_error *err)
{
    uint8_t want[32];
    if (expect_sha256 && za_hex_decode(expect_sha256, want, 32, err))
        return za_error_prefix(err, "--sha256 for %s", url);
    static int curl_ready;
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return za_error_set(err, ZA_ERR_IO, "libcurl could not be initialised");
        curl_ready = 1;
    }
    size_t tlen = strlen(dest) + 16;
    char *tmp = malloc(tlen);
    CURL *c = curl_easy_init();
    sink s;
    memset(&s, 0, sizeof s);
    za_status st = ZA_OK;
    int fd = -1;
    if (!tmp || !c) {
        st = za_error_set(err, ZA_ERR_NOMEM, "fetch %s: out of memory", url);
        goto done;
    }
    snprintf(tmp, tlen, "%s.part.XXXXXX", dest);
    if ((fd = mkstemp(tmp)) < 0 || !(s.f = fdopen(fd, "wb"))) {
        st = za_error_set(err, ZA_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        fd = -1;
        goto done;
    }
    char ebuf[CURL_ERROR_SIZE];
    double wait = 0.5;
    for (int t = 1;; t++) {
        za_sha256_init(&s.sha);
        s.bytes = 0;
        rewind(s.f);
        if (ftruncate(fileno(s.f), 0) != 0) {
            st = za_error_set(err, ZA_ERR_IO, "%s: truncate: %s", tmp, strerror(errno));
            break;
        }
        za_progress_start(&s.bar, "download", 0, "B");
        long http;
        CURLcode rc = attempt(c, url, &s, &http, ebuf);
        za_progress_finish(&s.bar);
        if (rc == CURLE_OK)
            break;
        const char *why = ebuf[0] ? ebuf : curl_easy_strerror(rc);
        if (s.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
            st = za_error_set(err, ZA_ERR_LIMIT, "%s: larger than %llu bytes", url,
                              (unsigned long long)ZA_MAX_DOWNLOAD_BYTES);
            break;
        }
        if (s.write_failed) {
            st = za_error_set(err, ZA_ERR_IO, "%s: write: %s", tmp, strerror(s.write_failed));
            break;
        }
        if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
            st = za_error_set(err, ZA_ERR_ARG, "%s: only http, https and file URLs are fetched (%s)",
                              url, why);
            break;
        }
        if (!transient(rc, http) || t == ZD_FETCH_TRIES) {
            if (rc == CURLE_HTTP_RETURNED_ERROR)
                st = za_error_set(err, ZA_ERR_IO, "%s: HTTP error %ld%s", url, http,
                                  t > 1 ? " (after retries)" : "");
            else
                st = za_error_set(err, ZA_ERR_IO, "%s: %s%s", url, why,
                                  t > 1 ? " (after retries)" : "");
            break;
        }
        za_log_warn("%s: %s; retrying in %.1f s (attempt %d of %d)", url,
                    rc == CURLE_HTTP_RETURNED_ERROR ? "server error" : why, wait, t + 1,
                    ZD_FETCH_TRIES);
        sleep_s(wait);
        wait *= 2;
    }
    if (fflush(s.f) != 0 || fsync(fileno(s.f)) != 0) {
        if (!st)
            st = za_error_set(err, ZA_ERR_IO, "%s: write: %s", tmp, strerror(errno));
    }
    uint8_t got[32];
    za_sha256_final(&s.sha, got);
    if (!st && expect_sha256 && memcmp(got, want, 32) != 0) {
        char ghex[65];
        za_hex_encode(got, 32, ghex);
        st = za_error_set(err, ZA_ERR_MISMATCH,
                          "%s: SHA-256 mismatch: expected %s, got %s (%llu bytes); nothing kept",
                          url, expect_sha256, ghex, (unsigned long long)s.bytes);
    }
    if (!st && rename(tmp, dest) != 0)
        st = za_error_set(err, ZA_ERR_IO, "rename %s to %s: %s", tmp, dest, strerror(errno));
    if (!st && sha256)
        memcpy(sha256, got, 32);
done:
    if (s.f)
        fclose(s.f);
    if (st && tmp && (s.f || fd >= 0))
        unlink(tmp);
    if (c)
        curl_easy_cleanup(c);
    free(tmp);
    return st;
}

za_status zd_fetch_resolve(const char *src, const char *tmp_prefix, const char *expect_sha256,
                           char **local, int *is_temp, uint8_t sha256[32], za_error *err)
{
    *local = NULL;
    *is_temp = 0;
    uint8_t got[32];
    za_status st;
    if (!zd_is_url(src)) {
        uint8_t want[32];
        if (expect_sha256 && za_hex_decode(expect_sha256, want, 32, err))
            return za_error_prefix(err, "expected SHA-256 of %s", src);
        if ((st = za_sha256_file(src, got, err)))
            return st;
        if (expect_sha256 && memcmp(got, want, 32) != 0) {
            char ghex[65];
            za_hex_encode(got, 32, ghex);
            return za_error_set(err, ZA_ERR_MISMATCH,
                                "%s: SHA-256 mismatch: expected %s, got %s", src, expect_sha256,
                                ghex);
        }
        if (!(*local = strdup(src)))
            return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
        memcpy(sha256, got, 32);
        return ZA_OK;
    }
    static unsigned calls;
    size_t len = strlen(tmp_prefix) + 16;
    char *path = malloc(len);
    if (!path)
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    snprintf(path, len, "%s.%u", tmp_prefix, calls++);
    if ((st = zd_fetch_url(src, path, expect_sha256, got, err))) {
        free(path);
        return st;
    }
    memcpy(sha256, got, 32);
    *local = path;
    *is_temp = 1;
    return ZA_OK;
}
