/* protocol/bundle.c - bundles of batch proofs in SQLite (see bundle.h). */
#include "protocol/bundle.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/limits.h"

#define BUNDLE_APP_ID 0x7a6b6264 /* "zkbd" */
#define BUNDLE_SCHEMA_VERSION 1
#define BUNDLE_FORMAT "zkaudit-bundle/v1"

struct zp_bundle {
    sqlite3 *db;
    char path[1024];
    zp_bundle_info info;
};

/* The exact definitions a bundle's tables must have (checked on read). */
static const char schema_meta[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)";
static const char schema_batches[] =
    "CREATE TABLE batches(batch INTEGER PRIMARY KEY, first INTEGER NOT NULL, "
    "count INTEGER NOT NULL, proof BLOB NOT NULL, cpu_s REAL NOT NULL, wall_s REAL NOT NULL, "
    "threads INTEGER NOT NULL, proven_at TEXT NOT NULL DEFAULT (datetime('now')))";

static za_status db_error(const zp_bundle *b, za_error *err, const char *what)
{
    return za_error_set(err, ZA_ERR_IO, "bundle %s: %s: %s", b->path, what,
                        b->db ? sqlite3_errmsg(b->db) : "cannot open");
}

static za_status exec(zp_bundle *b, const char *sql, za_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(b->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        za_status st = za_error_set(err, ZA_ERR_IO, "bundle %s: %s", b->path,
                                    msg ? msg : sqlite3_errmsg(b->db));
        sqlite3_free(msg);
        return st;
    }
    return ZA_OK;
}

static za_status alloc_bundle(const char *path, zp_bundle **out, za_error *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return za_error_set(err, ZA_ERR_NOMEM, "bundle: out of memory");
    snprintf((*out)->path, sizeof (*out)->path, "%s", path);
    return ZA_OK;
}

void zp_bundle_close(zp_bundle *b)
{
    if (!b)
        return;
    sqlite3_close(b->db);
    free(b);
}

static int64_t pragma_int(zp_bundle *b, const char *sql)
{
    sqlite3_stmt *s;
    int64_t v = -1;
    if (sqlite3_prepare_v2(b->db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static za_status meta_get(zp_bundle *b, const char *key, char *out, size_t cap, za_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(b->db, "SELECT value FROM meta WHERE key = ?", -1, &s, NULL) !=
        SQLITE_OK)
        return db_error(b, err, "reading meta");
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    za_status st = ZA_OK;
    if (sqlite3_step(s) != SQLITE_ROW || sqlite3_column_type(s, 0) != SQLITE_TEXT ||
        (size_t)sqlite3_column_bytes(s, 0) >= cap)
        st = za_error_set(err, ZA_ERR_MALFORMED, "bundle %s: meta '%s' missing or malformed",
                          b->path, key);
    else
        memcpy(out, sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0) + 1);
    sqlite3_finalize(s);
    return st;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!*s || *s == '-')
        return 0;
    *v = strtoull(s, &end, 10);
    return *end == 0;
}

/* Read and check the meta rows into b->info. */
static za_status load_info(zp_bundle *b, za_error *err)
{
    char v[128];
    za_status st;
    if ((st = meta_get(b, "format", v, sizeof v, err)) != ZA_OK)
        return st;
    if (strcmp(v, BUNDLE_FORMAT))
        return za_error_set(err, ZA_ERR_UNSUPPORTED, "bundle %s: format '%s', expected '%s'",
                            b->path, v, BUNDLE_FORMAT);
    zp_bundle_info *in = &b->info;
    uint64_t bs;
    if ((st = meta_get(b, "request_id", v, sizeof v, err)) ||
        za_hex_decode(v, in->request_id, 32, err) ||
        (st = meta_get(b, "model_id", v, sizeof v, err)) ||
        za_hex_decode(v, in->model_id, 32, err))
        return za_error_prefix(err, "bundle %s", b->path);
    if ((st = meta_get(b, "n_samples", v, sizeof v, err)) || !parse_u64(v, &in->n_samples) ||
        (st = meta_get(b, "batch_size", v, sizeof v, err)) || !parse_u64(v, &bs) || bs == 0 ||
        bs > ZP_BUNDLE_MAX_BATCH)
        return st ? st : za_error_set(err, ZA_ERR_MALFORMED,
                                      "bundle %s: sample count or batch size malformed", b->path);
    in->batch_size = (unsigned)bs;
    in->n_batches = (in->n_samples + bs - 1) / bs;
    return ZA_OK;
}

static void configure(zp_bundle *b)
{
    sqlite3_busy_timeout(b->db, 30000);
    sqlite3_db_config(b->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_exec(b->db, "PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON", NULL, NULL,
                 NULL);
}

za_status zp_bundle_open_write(const char *path, const uint8_t request_id[32],
                               const uint8_t model_id[32], uint64_t n_samples,
                               unsigned batch_size, zp_bundle **out, za_error *err)
{
    *out = NULL;
    if (batch_size == 0 || batch_size > ZP_BUNDLE_MAX_BATCH)
        return za_error_set(err, ZA_ERR_ARG, "bundle: batch size %u is not in 1..%d",
                            batch_size, ZP_BUNDLE_MAX_BATCH);
    zp_bundle *b;
    za_status st = alloc_bundle(path, &b, err);
    if (st != ZA_OK)
        return st;
    if (sqlite3_open_v2(path, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        st = db_error(b, err, "open");
        zp_bundle_close(b);
        return st;
    }
    configure(b);
    if ((st = exec(b, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL", err)) ||
        (st = exec(b, "BEGIN IMMEDIATE", err))) {
        zp_bundle_close(b);
        return st;
    }
    int64_t app = pragma_int(b, "PRAGMA application_id");
    int fresh = pragma_int(b, "SELECT count(*) FROM sqlite_master") == 0;
    if (fresh) {
        char sql[1024], rid[65], mid[65];
        za_hex_encode(request_id, 32, rid);
        za_hex_encode(model_id, 32, mid);
        snprintf(sql, sizeof sql,
                 "%s; %s; PRAGMA application_id = %d; PRAGMA user_version = %d;"
                 "INSERT INTO meta VALUES ('format', '%s'), ('request_id', '%s'),"
                 " ('model_id', '%s'), ('n_samples', '%llu'), ('batch_size', '%u');",
                 schema_meta, schema_batches, BUNDLE_APP_ID, BUNDLE_SCHEMA_VERSION, BUNDLE_FORMAT,
                 rid, mid, (unsigned long long)n_samples, batch_size);
        st = exec(b, sql, err);
    } else if (app != BUNDLE_APP_ID) {
        st = za_error_set(err, ZA_ERR_MALFORMED, "%s exists and is not a zkaudit bundle", path);
    }
    if (st == ZA_OK)
        st = load_info(b, err);
    if (st == ZA_OK && memcmp(b->info.request_id, request_id, 32))
        st = za_error_set(err, ZA_ERR_MISMATCH,
                          "bundle %s was made for another request (refusing to mix audits)", path);
    if (st == ZA_OK && memcmp(b->info.model_id, model_id, 32))
        st = za_error_set(err, ZA_ERR_MISMATCH, "bundle %s was made for another model", path);
    if (st == ZA_OK && (b->info.batch_size != batch_size || b->info.n_samples != n_samples))
        st = za_error_set(err, ZA_ERR_MISMATCH,
                          "bundle %s holds batches of %u of %llu samples; asked for %u of %llu",
                          path, b->info.batch_size, (unsigned long long)b->info.n_samples,
                          batch_size, (unsigned long long)n_samples);
    if (st == ZA_OK)
        st = exec(b, "COMMIT", err);
    if (st != ZA_OK) {
        sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
        zp_bundle_close(b);
        return st;
    }
    *out = b;
    return ZA_OK;
}

/* The file's tables must be exactly ours: no triggers, views or other
 * tables that a hostile file could use to run code inside our queries. */
static za_status check_schema(zp_bundle *b, za_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(b->db, "SELECT type, name, sql FROM sqlite_master", -1, &s, NULL) !=
        SQLITE_OK)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s is not a zkaudit bundle (%s)", b->path,
                            sqlite3_errmsg(b->db));
    int seen_meta = 0, seen_batches = 0, other = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(s, 0);
        const char *name = (const char *)sqlite3_column_text(s, 1);
        const char *sql = (const char *)sqlite3_column_text(s, 2);
        if (type && !strcmp(type, "table") && name && sql && !strcmp(name, "meta") &&
            !strcmp(sql, schema_meta))
            seen_meta++;
        else if (type && !strcmp(type, "table") && name && sql && !strcmp(name, "batches") &&
                 !strcmp(sql, schema_batches))
            seen_batches++;
        else if (type && !strcmp(type, "index") && name && !strncmp(name, "sqlite_autoindex_", 17))
            ; /* the PRIMARY KEY of meta */
        else
            other++;
    }
    sqlite3_finalize(s);
    if (seen_meta != 1 || seen_batches != 1 || other)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "%s: not a zkaudit bundle (unexpected tables or definitions)",
                            b->path);
    if (pragma_int(b, "PRAGMA application_id") != BUNDLE_APP_ID ||
        pragma_int(b, "PRAGMA user_version") != BUNDLE_SCHEMA_VERSION)
        return za_error_set(err, ZA_ERR_UNSUPPORTED,
                            "%s: not a zkaudit bundle of schema version %d", b->path,
                            BUNDLE_SCHEMA_VERSION);
    return ZA_OK;
}

za_status zp_bundle_open_readonly(const char *path, zp_bundle **out, za_error *err)
{
    *out = NULL;
    zp_bundle *b;
    za_status st = alloc_bundle(path, &b, err);
    if (st != ZA_OK)
        return st;
    if (sqlite3_open_v2(path, &b->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        st = db_error(b, err, "open");
        zp_bundle_close(b);
        return st;
    }
    configure(b);
    if ((st = check_schema(b, err)) == ZA_OK)
        st = load_info(b, err);
    if (st != ZA_OK) {
        zp_bundle_close(b);
        return st;
    }
    *out = b;
    return ZA_OK;
}

za_status zp_bundle_get_info(zp_bundle *b, zp_bundle_info *info, za_error *err)
{
    int64_t n = pragma_int(b, "SELECT count(*) FROM batches");
    if (n < 0)
        return db_error(b, err, "counting batches");
    b->info.batches_present = (uint64_t)n;
    *info = b->info;
    return ZA_OK;
}

int zp_bundle_has_batch(zp_bundle *b, uint64_t k, za_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(b->db, "SELECT 1 FROM batches WHERE batch = ?", -1, &s, NULL) !=
        SQLITE_OK) {
        db_error(b, err, "reading batches");
        return -1;
    }
    sqlite3_bind_int64(s, 1, (sqlite3_int64)k);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        db_error(b, err, "reading batches");
        return -1;
    }
    return rc == SQLITE_ROW;
}

static za_status check_batch_shape(const zp_bundle *b, uint64_t k, uint64_t first,
                                   uint64_t count, za_error *err)
{
    const zp_bundle_info *in = &b->info;
    uint64_t want_first = k * in->batch_size;
    uint64_t want_count = in->n_samples - want_first < in->batch_size
                              ? in->n_samples - want_first
                              : in->batch_size;
    if (k >= in->n_batches || first != want_first || count != want_count)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "bundle %s: batch %llu covers samples %llu..+%llu, expected "
                            "%llu..+%llu of %llu", b->path, (unsigned long long)k,
                            (unsigned long long)first, (unsigned long long)count,
                            (unsigned long long)want_first, (unsigned long long)want_count,
                            (unsigned long long)in->n_samples);
    return ZA_OK;
}

za_status zp_bundle_put_batch(zp_bundle *b, const zp_bundle_batch *bt, za_error *err)
{
    za_status st = check_batch_shape(b, bt->batch, bt->first, bt->count, err);
    if (st != ZA_OK)
        return st;
    if (bt->proof_len > ZA_MAX_PROOF_BYTES)
        return za_error_set(err, ZA_ERR_LIMIT, "bundle: proof of %zu bytes", bt->proof_len);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(b->db,
                           "INSERT INTO batches(batch, first, count, proof, cpu_s, wall_s, "
                           "threads) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           -1, &s, NULL) != SQLITE_OK)
        return db_error(b, err, "writing a batch");
    sqlite3_bind_int64(s, 1, (sqlite3_int64)bt->batch);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)bt->first);
    sqlite3_bind_int64(s, 3, bt->count);
    sqlite3_bind_blob64(s, 4, bt->proof, bt->proof_len, SQLITE_STATIC);
    sqlite3_bind_double(s, 5, bt->cpu_s);
    sqlite3_bind_double(s, 6, bt->wall_s);
    sqlite3_bind_int(s, 7, bt->threads);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc == SQLITE_CONSTRAINT)
        return za_error_set(err, ZA_ERR_MISMATCH, "bundle %s: batch %llu is already proven",
                            b->path, (unsigned long long)bt->batch);
    if (rc != SQLITE_DONE)
        return db_error(b, err, "writing a batch");
    return ZA_OK;
}

za_status zp_bundle_get_batch(zp_bundle *b, uint64_t k, zp_bundle_batch *out, int *found,
                              za_error *err)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(b->db,
                           "SELECT first, count, proof, cpu_s, wall_s, threads FROM batches "
                           "WHERE batch = ?",
                           -1, &s, NULL) != SQLITE_OK)
        return db_error(b, err, "reading a batch");
    sqlite3_bind_int64(s, 1, (sqlite3_int64)k);
    int rc = sqlite3_step(s);
    za_status st = ZA_OK;
    if (rc == SQLITE_ROW) {
        sqlite3_int64 first = sqlite3_column_int64(s, 0), count = sqlite3_column_int64(s, 1);
        int nbytes = sqlite3_column_bytes(s, 2);
        if (first < 0 || count < 0 ||
            (st = check_batch_shape(b, k, (uint64_t)first, (uint64_t)count, err)) != ZA_OK) {
            if (st == ZA_OK)
                st = za_error_set(err, ZA_ERR_MALFORMED, "bundle %s: batch %llu malformed",
                                  b->path, (unsigned long long)k);
        } else if (sqlite3_column_type(s, 2) != SQLITE_BLOB || nbytes <= 0 ||
                   (size_t)nbytes > ZA_MAX_PROOF_BYTES) {
            st = za_error_set(err, ZA_ERR_MALFORMED, "bundle %s: batch %llu: proof is not a "
                              "blob of 1..%zu bytes", b->path, (unsigned long long)k,
                              ZA_MAX_PROOF_BYTES);
        } else if (!(out->proof = malloc((size_t)nbytes))) {
            st = za_error_set(err, ZA_ERR_NOMEM, "bundle: out of memory");
        } else {
            memcpy(out->proof, sqlite3_column_blob(s, 2), (size_t)nbytes);
            out->proof_len = (size_t)nbytes;
            out->batch = k;
            out->first = (uint64_t)first;
            out->count = (unsigned)count;
            out->cpu_s = sqlite3_column_double(s, 3);
            out->wall_s = sqlite3_column_double(s, 4);
            out->threads = sqlite3_column_int(s, 5);
            *found = 1;
        }
    } else if (rc != SQLITE_DONE) {
        st = db_error(b, err, "reading a batch");
    }
    sqlite3_finalize(s);
    return st;
}

void zp_bundle_batch_free(zp_bundle_batch *batch)
{
    if (batch) {
        free(batch->proof);
        memset(batch, 0, sizeof *batch);
    }
}

za_status zp_bundle_merge(zp_bundle *dst, zp_bundle *src, uint64_t *copied, za_error *err)
{
    *copied = 0;
    const zp_bundle_info *a = &dst->info, *c = &src->info;
    if (memcmp(a->request_id, c->request_id, 32) || memcmp(a->model_id, c->model_id, 32) ||
        a->batch_size != c->batch_size || a->n_samples != c->n_samples)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "bundles %s and %s answer different requests or batchings",
                            dst->path, src->path);
    for (uint64_t k = 0; k < a->n_batches; k++) {
        int have = zp_bundle_has_batch(dst, k, err);
        if (have < 0)
            return err ? err->code : ZA_ERR_IO;
        if (have)
            continue;
        zp_bundle_batch bt;
        int found;
        za_status st = zp_bundle_get_batch(src, k, &bt, &found, err);
        if (st == ZA_OK && found) {
            st = zp_bundle_put_batch(dst, &bt, err);
            if (st == ZA_OK)
                (*copied)++;
        }
        zp_bundle_batch_free(&bt);
        if (st != ZA_OK)
            return st;
    }
    return ZA_OK;
}
