/* buyer/client.h - the buyer's HTTP(S) client of `seller serve`
 * (docs/service.md), on libcurl.
 *
 * Every call sends "Authorization: Bearer TOKEN" (the first token of a
 * token file).  Transient failures (no connection, a timeout, a dropped
 * connection, HTTP 5xx and 429) are retried up to c->tries attempts in all,
 * waiting 0.5 s, 1 s, 2 s ... (at most 30 s) in between; any other HTTP error
 * fails at once with the server's JSON "error" text and the status.
 * Responses are capped (ZA_MAX_HTTP_JSON_BYTES for JSON; downloads at the
 * size the status announced).
 *
 * Ownership: zb_client is a caller-owned struct holding no allocations;
 * JSON results are jansson references the caller releases (json_decref).
 */
#ifndef ZB_CLIENT_H
#define ZB_CLIENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/limits.h"

#define ZB_CLIENT_TRIES 6

typedef struct {
    char base[2048];                     /* the seller's URL, no trailing '/' */
    char auth[ZA_MAX_TOKEN_CHARS + 32];  /* "Authorization: Bearer ..." */
    const char *cacert;                  /* CA bundle for https (NULL: the system's) */
    unsigned tries;
} zb_client;

/* url: http:// or https://; token_file: one token per line ('#' comments). */
za_status zb_client_init(zb_client *c, const char *url, const char *token_file,
                         const char *cacert, za_error *err) ZA_WARN_UNUSED;

/* method path (e.g. "/v1/audits") with an optional body; a 2xx answer's JSON
 * into *out (and its status into *status if not NULL). */
za_status zb_client_json(const zb_client *c, const char *method, const char *path,
                         const void *body, size_t len, const char *content_type, long *status,
                         json_t **out, za_error *err) ZA_WARN_UNUSED;

/* GET path into out_path, resumably: bytes go to "<out_path>.part", a
 * retry or a later run continues it with a Range request, and the file is
 * renamed to out_path once it has exactly size bytes with this SHA-256. */
za_status zb_client_download(const zb_client *c, const char *path, const char *out_path,
                             uint64_t size, const uint8_t sha256[32],
                             za_error *err) ZA_WARN_UNUSED;

/* POST the offer (exactly the bytes the buyer's secret hashes) to
 * /v1/audits, check the seller's join (it answers this offer, for this
 * model) and write it to join_out; the new audit's id into audit_id. */
za_status zb_remote_join(const zb_client *c, const char *offer_json, size_t len,
                         const uint8_t model_id[32], const char *join_out, char audit_id[33],
                         za_error *err) ZA_WARN_UNUSED;

/* POST the request to /v1/audits/ID/request; *batches gets the job's size. */
za_status zb_remote_submit(const zb_client *c, const char *audit, const uint8_t *req,
                           size_t len, uint64_t *batches, za_error *err) ZA_WARN_UNUSED;

/* Sleep for s seconds (fractions allowed). */
void zb_sleep(double s);

#endif
