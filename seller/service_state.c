/* seller/service_state.c - the state database of `seller serve`
 * (seller/service_state.h). */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "seller/service_state.h"

struct zs_state {
    sqlite3 *db;
    pthread_mutex_t mu;
    char dir[4096];
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS audits ("
    " id TEXT PRIMARY KEY, created INTEGER NOT NULL, state INTEGER NOT NULL,"
    " seller_seed BLOB NOT NULL, offer TEXT NOT NULL, join_json TEXT NOT NULL,"
    " request_id BLOB, samples INTEGER NOT NULL DEFAULT 0,"
    " batches_done INTEGER NOT NULL DEFAULT 0, batches_total INTEGER NOT NULL DEFAULT 0,"
    " bundle_bytes INTEGER NOT NULL DEFAULT 0, bundle_sha256 BLOB, error TEXT);"
    "CREATE INDEX IF NOT EXISTS audits_state ON audits(state);";

static za_status db_err(zs_state *s, za_error *err, const char *what)
{
    return za_error_set(err, ZA_ERR_IO, "state database: %s: %s", what, sqlite3_errmsg(s->db));
}

za_status zs_state_open(const char *path, zs_state **out, za_error *err)
{
    *out = NULL;
    zs_state *s = calloc(1, sizeof *s);
    if (!s)
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&s->mu, NULL);
    za_status st;
    if ((size_t)snprintf(s->dir, sizeof s->dir, "%s.files", path) >= sizeof s->dir - 64) {
        st = za_error_set(err, ZA_ERR_LIMIT, "%s: path too long", path);
        goto fail;
    }
    if ((st = za_mkdir_p(s->dir, err)))
        goto fail;
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        st = za_error_set(err, ZA_ERR_IO, "%s: cannot open: %s", path,
                          s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 30000);
    if (sqlite3_exec(s->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL", NULL, NULL,
                     NULL) != SQLITE_OK ||
        sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        st = db_err(s, err, path);
        goto fail;
    }
    *out = s;
    return ZA_OK;
fail:
    zs_state_close(s);
    return st;
}

void zs_state_close(zs_state *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

za_status zs_state_path(const zs_state *s, const char *id, const char *ext, char *out,
                        size_t out_len, za_error *err)
{
    if ((size_t)snprintf(out, out_len, "%s/%s.%s", s->dir, id, ext) >= out_len)
        return za_error_set(err, ZA_ERR_LIMIT, "%s: path too long", s->dir);
    return ZA_OK;
}

/* Run one statement with bound arguments: fmt letters t (text), b (32-byte
 * blob), i (int64), n (null).  Caller holds the mutex. */
static za_status run(zs_state *s, const char *sql, const char *fmt, const void **args,
                     int *changes, za_error *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_err(s, err, "prepare");
    for (int i = 0; fmt[i]; i++) {
        switch (fmt[i]) {
        case 't': sqlite3_bind_text(q, i + 1, args[i], -1, SQLITE_STATIC); break;
        case 'b': sqlite3_bind_blob(q, i + 1, args[i], 32, SQLITE_STATIC); break;
        case 'i': sqlite3_bind_int64(q, i + 1, *(const sqlite3_int64 *)args[i]); break;
        default: sqlite3_bind_null(q, i + 1); break;
        }
    }
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return db_err(s, err, "write");
    if (changes)
        *changes = sqlite3_changes(s->db);
    return ZA_OK;
}

za_status zs_state_add(zs_state *s, const zs_audit *a, za_error *err)
{
    sqlite3_int64 st = ZS_AUDIT_JOINED;
    const void *args[] = { a->id, &st, a->seller_seed, a->offer_json, a->join_json };
    pthread_mutex_lock(&s->mu);
    za_status r = run(s,
                      "INSERT INTO audits(id, created, state, seller_seed, offer, join_json) "
                      "VALUES (?1, strftime('%s','now'), "
                      "?2, ?3, ?4, ?5)",
                      "tibtt", args, NULL, err);
    pthread_mutex_unlock(&s->mu);
    return r;
}

static char *dup_col(sqlite3_stmt *q, int c)
{
    const unsigned char *t = sqlite3_column_text(q, c);
    return strdup(t ? (const char *)t : "");
}

static void blob32(sqlite3_stmt *q, int c, uint8_t out[32])
{
    memset(out, 0, 32);
    if (sqlite3_column_bytes(q, c) == 32)
        memcpy(out, sqlite3_column_blob(q, c), 32);
}

int zs_state_get(zs_state *s, const char *id, zs_audit *a, za_error *err)
{
    memset(a, 0, sizeof *a);
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *q;
    int found = -1;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT state, seller_seed, offer, join_json, request_id, samples, "
                           "batches_done, batches_total, bundle_bytes, bundle_sha256, error "
                           "FROM audits WHERE id = ?1",
                           -1, &q, NULL) != SQLITE_OK) {
        db_err(s, err, "prepare");
        goto out;
    }
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        snprintf(a->id, sizeof a->id, "%s", id);
        a->state = (zs_audit_state)sqlite3_column_int(q, 0);
        blob32(q, 1, a->seller_seed);
        a->offer_json = dup_col(q, 2);
        a->join_json = dup_col(q, 3);
        a->has_request = sqlite3_column_type(q, 4) != SQLITE_NULL;
        blob32(q, 4, a->request_id);
        a->samples = (uint64_t)sqlite3_column_int64(q, 5);
        a->batches_done = (uint64_t)sqlite3_column_int64(q, 6);
        a->batches_total = (uint64_t)sqlite3_column_int64(q, 7);
        a->bundle_bytes = (uint64_t)sqlite3_column_int64(q, 8);
        blob32(q, 9, a->bundle_sha256);
        const unsigned char *e = sqlite3_column_text(q, 10);
        snprintf(a->error, sizeof a->error, "%s", e ? (const char *)e : "");
        found = 1;
        if (!a->offer_json || !a->join_json) {
            zs_audit_free(a);
            za_error_set(err, ZA_ERR_NOMEM, "out of memory");
            found = -1;
        }
    } else if (rc == SQLITE_DONE) {
        found = 0;
    } else {
        db_err(s, err, "read");
    }
    sqlite3_finalize(q);
out:
    pthread_mutex_unlock(&s->mu);
    return found;
}

void zs_audit_free(zs_audit *a)
{
    free(a->offer_json);
    free(a->join_json);
    a->offer_json = a->join_json = NULL;
}

za_status zs_state_set_request(zs_state *s, const char *id, const uint8_t request_id[32],
                               uint64_t samples, uint64_t batches_total, za_error *err)
{
    sqlite3_int64 n = (sqlite3_int64)samples, t = (sqlite3_int64)batches_total,
                  q = ZS_AUDIT_QUEUED, j = ZS_AUDIT_JOINED;
    const void *args[] = { id, request_id, &n, &t, &q, &j };
    int changes = 0;
    pthread_mutex_lock(&s->mu);
    za_status r = run(s,
                      "UPDATE audits SET request_id = ?2, samples = ?3, batches_total = ?4, "
                      "batches_done = 0, state = ?5 WHERE id = ?1 AND state = ?6",
                      "tbiiii", args, &changes, err);
    pthread_mutex_unlock(&s->mu);
    if (r == ZA_OK && changes != 1)
        r = za_error_set(err, ZA_ERR_MISMATCH, "audit %s already has a request", id);
    return r;
}

za_status zs_state_claim(zs_state *s, char id[ZS_AUDIT_ID_LEN + 1], int *found, za_error *err)
{
    *found = 0;
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *q;
    za_status r = ZA_OK;
    /* one statement, so two processes on one database never claim the same audit */
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE audits SET state = 2 WHERE id = (SELECT id FROM audits "
                           "WHERE state = 1 ORDER BY rowid LIMIT 1) AND state = 1 RETURNING id",
                           -1, &q, NULL) != SQLITE_OK) {
        r = db_err(s, err, "prepare");
        goto out;
    }
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        snprintf(id, ZS_AUDIT_ID_LEN + 1, "%s", (const char *)sqlite3_column_text(q, 0));
        *found = 1;
        rc = sqlite3_step(q);
    }
    if (rc != SQLITE_DONE)
        r = db_err(s, err, "claim");
    sqlite3_finalize(q);
out:
    pthread_mutex_unlock(&s->mu);
    return r;
}

za_status zs_state_progress(zs_state *s, const char *id, uint64_t done, uint64_t total,
                            za_error *err)
{
    sqlite3_int64 d = (sqlite3_int64)done, t = (sqlite3_int64)total;
    const void *args[] = { id, &d, &t };
    pthread_mutex_lock(&s->mu);
    za_status r = run(s, "UPDATE audits SET batches_done = ?2, batches_total = ?3 WHERE id = ?1",
                      "tii", args, NULL, err);
    pthread_mutex_unlock(&s->mu);
    return r;
}

za_status zs_state_done(zs_state *s, const char *id, uint64_t bundle_bytes,
                        const uint8_t sha256[32], za_error *err)
{
    sqlite3_int64 b = (sqlite3_int64)bundle_bytes, d = ZS_AUDIT_DONE;
    const void *args[] = { id, &b, sha256, &d };
    pthread_mutex_lock(&s->mu);
    za_status r = run(s,
                      "UPDATE audits SET bundle_bytes = ?2, bundle_sha256 = ?3, state = ?4, "
                      "error = NULL WHERE id = ?1",
                      "tibi", args, NULL, err);
    pthread_mutex_unlock(&s->mu);
    return r;
}

za_status zs_state_fail(zs_state *s, const char *id, const char *message, za_error *err)
{
    sqlite3_int64 st = message ? ZS_AUDIT_FAILED : ZS_AUDIT_QUEUED;
    const void *args[] = { id, &st, message };
    pthread_mutex_lock(&s->mu);
    za_status r = run(s, "UPDATE audits SET state = ?2, error = ?3 WHERE id = ?1",
                      message ? "tit" : "tin", args, NULL, err);
    pthread_mutex_unlock(&s->mu);
    return r;
}

za_status zs_state_requeue(zs_state *s, uint64_t *n, za_error *err)
{
    sqlite3_int64 q = ZS_AUDIT_QUEUED, p = ZS_AUDIT_PROVING;
    const void *args[] = { &q, &p };
    int changes = 0;
    pthread_mutex_lock(&s->mu);
    za_status r = run(s, "UPDATE audits SET state = ?1 WHERE state = ?2", "ii", args, &changes,
                      err);
    pthread_mutex_unlock(&s->mu);
    *n = (uint64_t)changes;
    return r;
}

const char *zs_audit_state_name(zs_audit_state st)
{
    switch (st) {
    case ZS_AUDIT_JOINED: return "joined";
    case ZS_AUDIT_QUEUED: return "queued";
    case ZS_AUDIT_PROVING: return "proving";
    case ZS_AUDIT_DONE: return "done";
    case ZS_AUDIT_FAILED: return "failed";
    }
    return "unknown";
}
