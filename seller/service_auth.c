/* seller/service_auth.c - bearer tokens (seller/service_auth.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/file.h"
#include "common/sha256.h"
#include "seller/service_auth.h"

/* Call fn on each token line of text; stops at the first error. */
static za_status each_token(const char *text, size_t len, const char *name,
                            za_status (*fn)(void *ctx, const char *t, size_t n, za_error *err),
                            void *ctx, za_error *err)
{
    size_t i = 0, line = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && text[j] != '\n')
            j++;
        line++;
        size_t n = j - i;
        if (n && text[i + n - 1] == '\r')
            n--;
        if (n && text[i] != '#') {
            if (n < ZA_MIN_TOKEN_CHARS || n > ZA_MAX_TOKEN_CHARS)
                return za_error_set(err, ZA_ERR_MALFORMED,
                                    "%s: line %zu: a token must be %d..%d characters, not %zu",
                                    name, line, ZA_MIN_TOKEN_CHARS, ZA_MAX_TOKEN_CHARS, n);
            for (size_t k = 0; k < n; k++)
                if (text[i + k] <= ' ' || text[i + k] > '~')
                    return za_error_set(err, ZA_ERR_MALFORMED,
                                        "%s: line %zu: a token is printable ASCII without "
                                        "spaces", name, line);
            za_status st = fn(ctx, text + i, n, err);
            if (st)
                return st;
        }
        i = j + 1;
    }
    return ZA_OK;
}

static za_status add_digest(void *ctx, const char *t, size_t n, za_error *err)
{
    zs_auth *a = ctx;
    if (a->n >= ZA_MAX_TOKENS)
        return za_error_set(err, ZA_ERR_LIMIT, "more than %d tokens", ZA_MAX_TOKENS);
    za_sha256(t, n, a->digest[a->n++]);
    return ZA_OK;
}

za_status zs_auth_parse(const char *text, size_t len, const char *name, zs_auth *a,
                        za_error *err)
{
    a->n = 0;
    za_status st = each_token(text, len, name, add_digest, a, err);
    if (st == ZA_OK && a->n == 0)
        st = za_error_set(err, ZA_ERR_MALFORMED, "%s: no token", name);
    return st;
}

za_status zs_auth_load(const char *path, zs_auth *a, za_error *err)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    za_status st = za_read_file(path, ZA_MAX_TOKEN_FILE_BYTES, &buf, &len, err);
    if (st == ZA_OK)
        st = zs_auth_parse((const char *)buf, len, path, a, err);
    free(buf);
    return st;
}

int zs_auth_check(const zs_auth *a, const char *header)
{
    if (!header || strncasecmp(header, "Bearer ", 7))
        return 0;
    const char *t = header + 7;
    while (*t == ' ')
        t++;
    size_t n = strlen(t);
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
        n--;
    uint8_t d[32];
    za_sha256(t, n, d);
    unsigned ok = 0;
    for (size_t i = 0; i < a->n; i++) {
        unsigned diff = 0;
        for (int k = 0; k < 32; k++)
            diff |= (unsigned)(d[k] ^ a->digest[i][k]);
        ok |= (unsigned)(diff == 0);
    }
    return (int)ok;
}
