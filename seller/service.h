/* seller/service.h - the seller's audit service, without sockets.
 *
 * `seller serve` (seller/cmd_serve.c) puts this behind libmicrohttpd; the
 * fuzz target (tests/fuzz/fuzz_service.c) calls zs_service_handle directly.
 * The resources (docs/service.md):
 *
 *   GET  /v1/model                 JSON: the model id, the commitment's size and SHA-256
 *   GET  /v1/model/commitment      the model commitment (M.commit) bytes
 *   POST /v1/audits                body: an offer; the seller joins -> {"audit", "join"}
 *   GET  /v1/audits/ID             the audit's status JSON
 *   POST /v1/audits/ID/request     body: the request; checked, then queued (202)
 *   GET  /v1/audits/ID/bundle      the bundle once done (Range: bytes=A-[B])
 *
 * Every resource needs "Authorization: Bearer TOKEN".  Errors are JSON
 * {"error": "..."} with 400, 401, 404, 405, 409, 413, 416 or 500.  HEAD is
 * answered as GET (the HTTP layer drops the body).
 *
 * Proving runs in a pool of cfg.workers threads (zs_service_start) that
 * takes queued audits in order; all state is in the state database
 * (seller/service_state.h), so a new service on the same database re-queues
 * and resumes every unfinished audit.
 *
 * Ownership: the service borrows cfg's model and commitment (they must
 * outlive it) and copies everything else.  A response's body is malloc'd
 * and its fd open for the caller: zs_response_free releases both.
 * zs_service_handle is thread-safe.
 */
#ifndef ZS_SERVICE_H
#define ZS_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "model/model.h"
#include "protocol/model_commit.h"
#include "protocol/model_key.h"
#include "seller/service_auth.h"

typedef struct {
    const char *db_path;
    const zm_model *model;
    const zp_model_commitment *mc;
    const uint8_t *commit_bytes;  /* the encoded commitment, served as is */
    size_t commit_len;
    const zs_auth *auth;
    unsigned workers;             /* 1..ZA_MAX_SERVICE_WORKERS */
    int threads;                  /* prover threads per job (<= 0: all cores) */
    unsigned batch_size;          /* 1..ZP_BUNDLE_MAX_BATCH */
    size_t max_body;              /* request bodies; offers are capped at ZA_MAX_HTTP_JSON_BYTES */
    zp_model_key *model_key;      /* a private commitment's key (shared by the jobs), or NULL */
} zs_service_config;

typedef struct {
    const char *method;           /* "GET", "POST", ... */
    const char *path;             /* without the query string */
    const char *authorization;    /* header values, or NULL */
    const char *range;
    const uint8_t *body;
    size_t body_len;
    int body_too_large;           /* the HTTP layer dropped a body above the cap */
} zs_request_in;

typedef struct {
    unsigned status;
    const char *content_type;     /* static */
    char *body;                   /* malloc'd, body_len bytes (or NULL) */
    size_t body_len;
    int fd;                       /* >= 0: send bytes [offset, offset + length) of this file */
    uint64_t offset, length;
    char content_range[96];       /* "" or the Content-Range value */
    char etag[72];                /* "" or the ETag value */
    const char *allow;            /* for 405: the Allow value */
    int www_authenticate;         /* for 401 */
} zs_response;

typedef struct zs_service zs_service;

/* Open the state database and re-queue unfinished audits (*requeued counts
 * them).  No worker runs yet. */
za_status zs_service_open(const zs_service_config *cfg, zs_service **out, uint64_t *requeued,
                          za_error *err) ZA_WARN_UNUSED;
/* Start the proving workers. */
za_status zs_service_start(zs_service *s, za_error *err) ZA_WARN_UNUSED;
/* Ask the workers to stop after their current batch, join them, close. */
void zs_service_close(zs_service *s);

/* The whole answer to one request (never fails: errors are responses). */
void zs_service_handle(zs_service *s, const zs_request_in *rq, zs_response *out);
/* What can be answered before the body is read (authentication, a declared
 * Content-Length above the cap): 1 and *out filled, or 0 to go on. */
int zs_service_precheck(zs_service *s, const zs_request_in *rq, uint64_t content_length,
                        int has_length, zs_response *out);
/* The cap on the body of a request to this path. */
size_t zs_service_body_cap(const zs_service *s, const char *path);
void zs_response_free(zs_response *r);

#endif
