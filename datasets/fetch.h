/* datasets/fetch.h - get a data file from a path or a URL, checking its SHA-256.
 *
 * A URL (http://, https://, file://; no other scheme is ever followed, not
 * even by a redirect) is downloaded with libcurl into a temporary file
 * beside the destination ("<dest>.part.XXXXXX"), its SHA-256 computed as it
 * arrives, and renamed to the destination only when the transfer completed
 * and the checksum (if one was expected) matched.  On any failure the
 * temporary file is removed and the destination is untouched.
 *
 * Transient failures (connection refused, timeouts, a dropped connection,
 * HTTP 5xx and 429) are retried ZD_FETCH_TRIES times in all, waiting 0.5 s,
 * 1 s, 2 s ... in between.  Other HTTP errors (404, 403, ...) fail at once
 * naming the status.  Timeouts: ZD_FETCH_CONNECT_S to connect, and a
 * transfer slower than 1 byte/s for ZD_FETCH_LOW_SPEED_S is abandoned.  At
 * most ZA_MAX_DOWNLOAD_BYTES are accepted.  A progress bar (bytes and rate)
 * is drawn on a terminal.
 *
 * A plain path is not copied: zd_fetch_resolve hands it back as is (its
 * SHA-256 still computed and, if expected, checked).
 */
#ifndef ZD_FETCH_H
#define ZD_FETCH_H

#include <stdint.h>

#include "common/error.h"

#define ZD_FETCH_TRIES 4
#define ZD_FETCH_CONNECT_S 15
#define ZD_FETCH_LOW_SPEED_S 30

/* 1 if s looks like a URL (has "scheme://"), whatever the scheme. */
int zd_is_url(const char *s);

/* Download url to dest.  expect_sha256: 64 hex digits or NULL.  sha256 (if
 * not NULL) receives the SHA-256 of what arrived.  A mismatch is
 * ZA_ERR_MISMATCH naming the expected and actual digests. */
za_status zd_fetch_url(const char *url, const char *dest, const char *expect_sha256,
                       uint8_t sha256[32], za_error *err) ZA_WARN_UNUSED;

/* Make src available as a local file.  A path: *local = a copy of src,
 * *is_temp = 0.  A URL: downloaded to "<tmp_prefix>.<n>" (n counts calls),
 * *local = that path, *is_temp = 1: the caller removes it when done.
 * *local is malloc'd (free()); NULL on failure. */
za_status zd_fetch_resolve(const char *src, const char *tmp_prefix, const char *expect_sha256,
                           char **local, int *is_temp, uint8_t sha256[32],
                           za_error *err) ZA_WARN_UNUSED;

#endif
