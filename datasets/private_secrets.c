/* datasets/private_secrets.c - the holder's salts (see private_secrets.h). */
#include "datasets/private_secrets.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/limits.h"

static const char schema_sql[] =
    "PRAGMA application_id = 2053862193;" /* 0x7a6b7331 */
    "PRAGMA user_version = 1;"
    "CREATE TABLE commitment (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " variant INTEGER NOT NULL, root BLOB NOT NULL, count INTEGER NOT NULL,"
    " dataset TEXT NOT NULL, dataset_root BLOB NOT NULL,"
    " created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"
    "CREATE TABLE salts (idx INTEGER PRIMARY KEY, salt BLOB NOT NULL,"
    " input_salt BLOB NOT NULL);";

_Static_assert(ZD_SECRETS_APPLICATION_ID == 2053862193, "application id in schema_sql");

static za_status fail(sqlite3 *h, const char *path, const char *what, za_error *err)
{
    return za_error_set(err, ZA_ERR_IO, "%s: %s: %s", path, what,
                        h ? sqlite3_errmsg(h) : "cannot open");
}

za_status zd_secrets_write(const char *path, const zd_secrets_meta *m, const uint8_t *salts,
                           za_error *err)
{
    struct stat sb;
    if (stat(path, &sb) == 0)
        return za_error_set(err, ZA_ERR_ARG, "%s exists: a secrets file is never overwritten "
                            "(remove it only if its commitment is no longer needed)", path);
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    za_status s = ZA_OK;
    mode_t old = umask(077);
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    umask(old);
    if (rc != SQLITE_OK) {
        s = fail(h, path, "create", err);
        goto out;
    }
    if (chmod(path, 0600) != 0) {
        s = za_error_set(err, ZA_ERR_IO, "%s: cannot make it private (chmod 0600)", path);
        goto out;
    }
    if (sqlite3_exec(h, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL", NULL, NULL,
                     NULL) != SQLITE_OK ||
        sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(h, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
        s = fail(h, path, "schema", err);
        goto out;
    }
    if (sqlite3_prepare_v2(h, "INSERT INTO commitment (id, variant, root, count, dataset, "
                           "dataset_root) VALUES (1, ?1, ?2, ?3, ?4, ?5)", -1, &st,
                           NULL) != SQLITE_OK) {
        s = fail(h, path, "prepare", err);
        goto out;
    }
    sqlite3_bind_int(st, 1, (int)m->variant);
    sqlite3_bind_blob(st, 2, m->root, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)m->count);
    sqlite3_bind_text(st, 4, m->dataset, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, m->dataset_root, 32, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        s = fail(h, path, "commitment row", err);
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(h, "INSERT INTO salts (idx, salt, input_salt) VALUES (?1, ?2, ?3)",
                           -1, &st, NULL) != SQLITE_OK) {
        s = fail(h, path, "prepare", err);
        goto out;
    }
    for (uint64_t i = 0; i < m->count; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
        sqlite3_bind_blob(st, 2, salts + 64 * i, 32, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, salts + 64 * i + 32, 32, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            s = fail(h, path, "salt row", err);
            goto out;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        s = fail(h, path, "commit", err);
out:
    sqlite3_finalize(st);
    if (h && sqlite3_close(h) != SQLITE_OK && s == ZA_OK)
        s = za_error_set(err, ZA_ERR_IO, "%s: close failed", path);
    if (s != ZA_OK && rc == SQLITE_OK)
        unlink(path);
    return s;
}

static int64_t one_int(sqlite3 *h, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

za_status zd_secrets_read(const char *path, zd_secrets_meta *m, uint8_t **salts, za_error *err)
{
    memset(m, 0, sizeof *m);
    *salts = NULL;
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    za_status s = ZA_OK;
    uint8_t *buf = NULL;
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        s = fail(h, path, "open", err);
        goto out;
    }
    sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_exec(h, "PRAGMA trusted_schema = OFF", NULL, NULL, NULL);
    int64_t app = one_int(h, "PRAGMA application_id"), ver = one_int(h, "PRAGMA user_version");
    if (app != ZD_SECRETS_APPLICATION_ID) {
        s = za_error_set(err, ZA_ERR_MALFORMED, "%s is not a zkaudit secrets file (application "
                         "id %lld)", path, (long long)app);
        goto out;
    }
    if (ver != ZD_SECRETS_SCHEMA_VERSION) {
        s = za_error_set(err, ZA_ERR_UNSUPPORTED, "%s: secrets schema version %lld (this build "
                         "reads %d)", path, (long long)ver, ZD_SECRETS_SCHEMA_VERSION);
        goto out;
    }
    if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(h, "SELECT variant, root, count, dataset, dataset_root FROM "
                           "commitment WHERE id = 1", -1, &st, NULL) != SQLITE_OK) {
        s = fail(h, path, "commitment", err);
        goto out;
    }
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_bytes(st, 1) != 32 ||
        sqlite3_column_bytes(st, 4) != 32 || sqlite3_column_int64(st, 2) < 1 ||
        (uint64_t)sqlite3_column_int64(st, 2) > ZA_MAX_DATASET_EXAMPLES ||
        sqlite3_column_int(st, 0) < 0 || sqlite3_column_int(st, 0) > 1 ||
        sqlite3_column_bytes(st, 3) >= (int)sizeof m->dataset) {
        s = za_error_set(err, ZA_ERR_MALFORMED, "%s: no well-formed commitment row", path);
        goto out;
    }
    m->variant = (zp_pd_variant)sqlite3_column_int(st, 0);
    memcpy(m->root, sqlite3_column_blob(st, 1), 32);
    m->count = (uint64_t)sqlite3_column_int64(st, 2);
    if (sqlite3_column_bytes(st, 3) > 0)
        memcpy(m->dataset, sqlite3_column_text(st, 3), (size_t)sqlite3_column_bytes(st, 3));
    memcpy(m->dataset_root, sqlite3_column_blob(st, 4), 32);
    sqlite3_finalize(st);
    st = NULL;
    if (!(buf = malloc((size_t)m->count * 64))) {
        s = za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory for %llu salts", path,
                         (unsigned long long)m->count);
        goto out;
    }
    if (sqlite3_prepare_v2(h, "SELECT idx, salt, input_salt FROM salts ORDER BY idx", -1, &st,
                           NULL) != SQLITE_OK) {
        s = fail(h, path, "salts", err);
        goto out;
    }
    uint64_t next = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (next >= m->count || sqlite3_column_int64(st, 0) != (sqlite3_int64)next ||
            sqlite3_column_bytes(st, 1) != 32 || sqlite3_column_bytes(st, 2) != 32) {
            s = za_error_set(err, ZA_ERR_MALFORMED, "%s: salt row %llu is missing or malformed",
                             path, (unsigned long long)next);
            goto out;
        }
        memcpy(buf + 64 * next, sqlite3_column_blob(st, 1), 32);
        memcpy(buf + 64 * next + 32, sqlite3_column_blob(st, 2), 32);
        next++;
    }
    if (rc != SQLITE_DONE || next != m->count) {
        s = za_error_set(err, ZA_ERR_MALFORMED, "%s: %llu salt rows for %llu examples", path,
                         (unsigned long long)next, (unsigned long long)m->count);
        goto out;
    }
    *salts = buf;
    buf = NULL;
out:
    sqlite3_finalize(st);
    if (h)
        sqlite3_close(h);
    free(buf);
    if (s)
        memset(m, 0, sizeof *m);
    return s;
}
