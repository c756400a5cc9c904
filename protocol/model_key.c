/* protocol/model_key.c - the private model commitment's key file (see
 * model_key.h). */
#include "protocol/model_key.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/limits.h"

#define KEY_APP_ID 2053862219 /* 0x7a6b734b, "zksK" */
#define KEY_SCHEMA_VERSION 1

static const char schema_sql[] =
    "PRAGMA application_id = 2053862219;"
    "PRAGMA user_version = 1;"
    "CREATE TABLE key (id INTEGER PRIMARY KEY CHECK (id = 1), seed BLOB NOT NULL,"
    " budget INTEGER NOT NULL, model_id BLOB NOT NULL,"
    " created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"
    "CREATE TABLE openings (slot INTEGER PRIMARY KEY, what TEXT,"
    " at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));";

struct zp_model_key {
    pthread_mutex_t lock; /* one connection, several prover threads (the service) */
    sqlite3 *h;
    char *path;
    zp_model_secret s;
};

static za_status fail(sqlite3 *h, const char *path, const char *what, za_error *err)
{
    return za_error_set(err, ZA_ERR_IO, "model key %s: %s: %s", path, what,
                        h ? sqlite3_errmsg(h) : "cannot open");
}

static void configure(sqlite3 *h)
{
    sqlite3_busy_timeout(h, 30000);
    sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_exec(h, "PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON", NULL, NULL, NULL);
}

za_status zp_model_key_create(const char *path, const zp_model_secret *s, za_error *err)
{
    struct stat sb;
    if (stat(path, &sb) == 0)
        return za_error_set(err, ZA_ERR_ARG, "%s exists: a model key is never overwritten "
                            "(its commitment's proofs need it)", path);
    if (s->budget == 0 || s->budget > ZA_MAX_PCS_HIDING_OPENINGS)
        return za_error_set(err, ZA_ERR_ARG, "model key: a budget of %u proofs (1..%d)",
                            s->budget, ZA_MAX_PCS_HIDING_OPENINGS);
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    za_status r = ZA_OK;
    mode_t old = umask(077);
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    umask(old);
    if (rc != SQLITE_OK) {
        r = fail(h, path, "create", err);
        goto out;
    }
    configure(h);
    if (chmod(path, 0600) != 0) {
        r = za_error_set(err, ZA_ERR_IO, "%s: cannot make it private (chmod 0600)", path);
        goto out;
    }
    if (sqlite3_exec(h, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL", NULL, NULL,
                     NULL) != SQLITE_OK ||
        sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(h, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
        r = fail(h, path, "schema", err);
        goto out;
    }
    if (sqlite3_prepare_v2(h, "INSERT INTO key (id, seed, budget, model_id) VALUES (1, ?1, ?2, ?3)",
                           -1, &st, NULL) != SQLITE_OK) {
        r = fail(h, path, "prepare", err);
        goto out;
    }
    sqlite3_bind_blob(st, 1, s->seed, ZP_MODEL_SEED_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)s->budget);
    sqlite3_bind_blob(st, 3, s->model_id, 32, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE || sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        r = fail(h, path, "write", err);
out:
    sqlite3_finalize(st);
    sqlite3_close(h);
    if (r && rc == SQLITE_OK)
        remove(path);
    return r;
}

static int64_t pragma_int(sqlite3 *h, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

za_status zp_model_key_open(const char *path, zp_model_key **out, za_error *err)
{
    *out = NULL;
    zp_model_key *k = calloc(1, sizeof *k);
    if (!k || !(k->path = strdup(path))) {
        free(k);
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    }
    pthread_mutex_init(&k->lock, NULL);
    sqlite3_stmt *st = NULL;
    za_status r = ZA_OK;
    if (sqlite3_open_v2(path, &k->h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        r = fail(k->h, path, "open", err);
        goto out;
    }
    configure(k->h);
    if (pragma_int(k->h, "PRAGMA application_id") != KEY_APP_ID ||
        pragma_int(k->h, "PRAGMA user_version") != KEY_SCHEMA_VERSION) {
        r = za_error_set(err, ZA_ERR_MALFORMED, "%s is not a zkaudit model key (version %d)", path,
                         KEY_SCHEMA_VERSION);
        goto out;
    }
    if (sqlite3_prepare_v2(k->h, "SELECT seed, budget, model_id FROM key WHERE id = 1", -1, &st,
                           NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        r = za_error_set(err, ZA_ERR_MALFORMED, "model key %s: no key row", path);
        goto out;
    }
    int64_t budget = sqlite3_column_int64(st, 1);
    if (sqlite3_column_bytes(st, 0) != ZP_MODEL_SEED_LEN || sqlite3_column_bytes(st, 2) != 32 ||
        budget < 1 || budget > ZA_MAX_PCS_HIDING_OPENINGS) {
        r = za_error_set(err, ZA_ERR_MALFORMED, "model key %s: a malformed key row", path);
        goto out;
    }
    memcpy(k->s.seed, sqlite3_column_blob(st, 0), ZP_MODEL_SEED_LEN);
    memcpy(k->s.model_id, sqlite3_column_blob(st, 2), 32);
    k->s.budget = (unsigned)budget;
out:
    sqlite3_finalize(st);
    if (r) {
        zp_model_key_close(k);
        return r;
    }
    *out = k;
    return ZA_OK;
}

void zp_model_key_close(zp_model_key *k)
{
    if (!k)
        return;
    sqlite3_close(k->h);
    pthread_mutex_destroy(&k->lock);
    memset(&k->s, 0, sizeof k->s);
    free(k->path);
    free(k);
}

const zp_model_secret *zp_model_key_secret(const zp_model_key *k)
{
    return &k->s;
}

za_status zp_model_key_used(zp_model_key *k, unsigned *used, za_error *err)
{
    pthread_mutex_lock(&k->lock);
    int64_t n = pragma_int(k->h, "SELECT count(*) FROM openings");
    pthread_mutex_unlock(&k->lock);
    if (n < 0)
        return fail(k->h, k->path, "count the openings", err);
    *used = (unsigned)n;
    return ZA_OK;
}

za_status zp_model_key_check_room(zp_model_key *k, uint64_t needed, za_error *err)
{
    unsigned used = 0, budget = k->s.budget;
    za_status st = zp_model_key_used(k, &used, err);
    if (st)
        return st;
    if (used + needed > budget)
        return za_error_set(err, ZA_ERR_LIMIT,
                            "this run needs %llu proofs of the private model commitment, which "
                            "has %u of its %u left: prove with a larger --batch-size, or commit "
                            "the model again with more --proofs (nothing was proven)",
                            (unsigned long long)needed, used < budget ? budget - used : 0, budget);
    return ZA_OK;
}

za_status zp_model_key_reserve(zp_model_key *k, unsigned shard_k, unsigned shard_n,
                               const char *what, unsigned *slot, za_error *err)
{
    if (shard_n == 0 || shard_k >= shard_n)
        return za_error_set(err, ZA_ERR_ARG, "model key: shard %u/%u", shard_k, shard_n);
    pthread_mutex_lock(&k->lock);
    if (sqlite3_exec(k->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        za_status r = fail(k->h, k->path, "lock", err);
        pthread_mutex_unlock(&k->lock);
        return r;
    }
    sqlite3_stmt *q = NULL, *ins = NULL;
    za_status r = ZA_OK;
    unsigned s = shard_k;
    if (sqlite3_prepare_v2(k->h, "SELECT 1 FROM openings WHERE slot = ?1", -1, &q, NULL) !=
        SQLITE_OK) {
        r = fail(k->h, k->path, "prepare", err);
        goto out;
    }
    for (; s < k->s.budget; s += shard_n) {
        sqlite3_reset(q);
        sqlite3_bind_int(q, 1, (int)s);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            r = fail(k->h, k->path, "read the ledger", err);
            goto out;
        }
    }
    if (s >= k->s.budget) {
        r = za_error_set(err, ZA_ERR_LIMIT,
                         "the private model commitment's budget is spent: all %u proofs%s were "
                         "made (its hiding covers no more; commit the model again with a larger "
                         "--proofs and restart the audit)",
                         k->s.budget, shard_n > 1 ? " of this shard's share" : "");
        goto out;
    }
    if (sqlite3_prepare_v2(k->h, "INSERT INTO openings (slot, what) VALUES (?1, ?2)", -1, &ins,
                           NULL) != SQLITE_OK) {
        r = fail(k->h, k->path, "prepare", err);
        goto out;
    }
    sqlite3_bind_int(ins, 1, (int)s);
    if (what)
        sqlite3_bind_text(ins, 2, what, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(ins, 2);
    if (sqlite3_step(ins) != SQLITE_DONE) {
        r = fail(k->h, k->path, "spend a slot", err);
        goto out;
    }
out:
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    if (r == ZA_OK && sqlite3_exec(k->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        r = fail(k->h, k->path, "commit", err);
    if (r)
        sqlite3_exec(k->h, "ROLLBACK", NULL, NULL, NULL);
    else
        *slot = s;
    pthread_mutex_unlock(&k->lock);
    return r;
}
