/* seller/service_auth.h - bearer tokens of `seller serve`.
 *
 * A token file holds one token per line (ZA_MIN_TOKEN_CHARS..
 * ZA_MAX_TOKEN_CHARS printable ASCII characters, no spaces); blank lines and
 * lines starting with '#' are skipped, as is a trailing "\r".  Only the
 * SHA-256 of each token is kept.  A presented "Authorization: Bearer T" is
 * hashed and compared with every kept digest in constant time (no early
 * exit, whatever the token's length or which token matches).
 *
 * Ownership: zs_auth is a plain caller-owned struct with no pointers.
 */
#ifndef ZS_SERVICE_AUTH_H
#define ZS_SERVICE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/limits.h"

typedef struct {
    size_t n;
    uint8_t digest[ZA_MAX_TOKENS][32];
} zs_auth;

/* Parse a token file's text (len bytes; name labels messages).  At least
 * one token is required. */
za_status zs_auth_parse(const char *text, size_t len, const char *name, zs_auth *a,
                        za_error *err) ZA_WARN_UNUSED;
za_status zs_auth_load(const char *path, zs_auth *a, za_error *err) ZA_WARN_UNUSED;

/* 1 if header (the Authorization header's value, or NULL) carries a known
 * bearer token, else 0. */
int zs_auth_check(const zs_auth *a, const char *header);

#endif
