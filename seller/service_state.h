/* seller/service_state.h - the state of `seller serve` in one SQLite file
 * (WAL, synchronous=FULL): one row per audit, with the offer it joined, the
 * seller seed it issued, the request's id once one came in, and the proving
 * job's state and progress.  The request and the bundle of audit ID are
 * files beside the database: "<db>.files/ID.request" and ".../ID.bundle".
 *
 * An audit goes joined -> queued (a request came in) -> proving -> done or
 * failed.  A restart (even after kill -9) turns every "proving" audit back
 * into "queued" (zs_state_requeue), and the bundle journal skips the
 * batches already proven.
 *
 * Thread-safe: every call takes the state's mutex.  Ownership: zs_state is
 * opaque (zs_state_close); a zs_audit's offer_json and join_json are
 * malloc'd for the caller (zs_audit_free).
 */
#ifndef ZS_SERVICE_STATE_H
#define ZS_SERVICE_STATE_H

#include <stdint.h>

#include "common/error.h"

#define ZS_AUDIT_ID_LEN 32 /* hex digits of a 16-byte random id */

typedef enum {
    ZS_AUDIT_JOINED = 0, /* offer answered, no request yet */
    ZS_AUDIT_QUEUED = 1,
    ZS_AUDIT_PROVING = 2,
    ZS_AUDIT_DONE = 3,
    ZS_AUDIT_FAILED = 4
} zs_audit_state;

typedef struct {
    char id[ZS_AUDIT_ID_LEN + 1];
    zs_audit_state state;
    uint8_t seller_seed[32];
    char *offer_json, *join_json;  /* malloc'd, NUL-terminated */
    int has_request;
    uint8_t request_id[32];
    uint64_t samples, batches_done, batches_total;
    uint64_t bundle_bytes;         /* when done */
    uint8_t bundle_sha256[32];     /* when done */
    char error[512];               /* when failed */
} zs_audit;

typedef struct zs_state zs_state;

/* Open or create the database and the files directory. */
za_status zs_state_open(const char *path, zs_state **out, za_error *err) ZA_WARN_UNUSED;
void zs_state_close(zs_state *s);

/* "<db>.files/ID.<ext>" into out (ZA_ERR_LIMIT if it does not fit). */
za_status zs_state_path(const zs_state *s, const char *id, const char *ext, char *out,
                        size_t out_len, za_error *err) ZA_WARN_UNUSED;

/* A new audit in state joined (a->id, seller_seed, offer_json, join_json). */
za_status zs_state_add(zs_state *s, const zs_audit *a, za_error *err) ZA_WARN_UNUSED;

/* 1 and *a filled if the audit exists, 0 if not, -1 on a database error. */
int zs_state_get(zs_state *s, const char *id, zs_audit *a, za_error *err);
void zs_audit_free(zs_audit *a);

/* joined -> queued with the request's id and size.  ZA_ERR_MISMATCH if the
 * audit is no longer in state joined. */
za_status zs_state_set_request(zs_state *s, const char *id, const uint8_t request_id[32],
                               uint64_t samples, uint64_t batches_total,
                               za_error *err) ZA_WARN_UNUSED;

/* The oldest queued audit becomes proving: *found = 1 and its id in id. */
za_status zs_state_claim(zs_state *s, char id[ZS_AUDIT_ID_LEN + 1], int *found,
                         za_error *err) ZA_WARN_UNUSED;
za_status zs_state_progress(zs_state *s, const char *id, uint64_t done, uint64_t total,
                            za_error *err) ZA_WARN_UNUSED;
/* proving -> done (bundle size and digest) */
za_status zs_state_done(zs_state *s, const char *id, uint64_t bundle_bytes,
                        const uint8_t sha256[32], za_error *err) ZA_WARN_UNUSED;
/* -> failed with a message, or back to queued (message NULL) */
za_status zs_state_fail(zs_state *s, const char *id, const char *message,
                        za_error *err) ZA_WARN_UNUSED;
/* every proving audit back to queued; *n counts them */
za_status zs_state_requeue(zs_state *s, uint64_t *n, za_error *err) ZA_WARN_UNUSED;

const char *zs_audit_state_name(zs_audit_state st);

#endif
