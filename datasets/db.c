/* datasets/db.c - the SQLite dataset index (see db.h, docs/datasets.md).
 *
 * Values read back from the file are treated as hostile (the file is the
 * thing `verify` checks for tampering): every blob length, shape and count
 * is checked before use.
 */
#include "datasets/db.h"

#include <inttypes.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/limits.h"
#include "common/sha256.h"

struct zd_db {
    sqlite3 *h;
    char *path;
};

static const char schema_sql[] =
    "CREATE TABLE datasets ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " format TEXT NOT NULL,"
    " count INTEGER NOT NULL,"
    " shape TEXT NOT NULL,"         /* JSON array, e.g. [28,28] */
    " dtype TEXT NOT NULL,"
    " n_labels INTEGER NOT NULL,"
    " label_names TEXT NOT NULL,"   /* JSON array of names, or null */
    " root TEXT NOT NULL,"          /* 64 lowercase hex digits */
    " source TEXT NOT NULL,"
    " source_sha256 TEXT NOT NULL,"
    " prep TEXT NOT NULL DEFAULT '',"
    " created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
    ");"
    "CREATE TABLE examples ("
    " dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL,"
    " label INTEGER NOT NULL,"
    " input BLOB NOT NULL,"
    " input_sha256 BLOB NOT NULL,"
    " leaf BLOB NOT NULL,"
    " PRIMARY KEY (dataset_id, idx)"
    ");";

static za_status db_fail(zd_db *db, za_error *err, const char *what)
{
    int code = sqlite3_errcode(db->h);
    za_status st = code == SQLITE_NOMEM ? ZA_ERR_NOMEM
                   : code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? ZA_ERR_MALFORMED
                   : code == SQLITE_CONSTRAINT ? ZA_ERR_ARG
                                               : ZA_ERR_IO;
    return za_error_set(err, st, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->h));
}

static za_status exec(zd_db *db, const char *sql, za_error *err)
{
    if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, err, sql);
    return ZA_OK;
}

static za_status prepare(zd_db *db, const char *sql, sqlite3_stmt **st, za_error *err)
{
    if (sqlite3_prepare_v2(db->h, sql, -1, st, NULL) != SQLITE_OK)
        return db_fail(db, err, "prepare");
    return ZA_OK;
}

/* A one-integer PRAGMA or query; -1 on failure (err set). */
static int64_t query_int(zd_db *db, const char *sql, za_error *err)
{
    sqlite3_stmt *st;
    if (prepare(db, sql, &st, err))
        return -1;
    int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        db_fail(db, err, sql);
    sqlite3_finalize(st);
    return v;
}

static za_status check_schema(zd_db *db, int create, za_error *err)
{
    /* the first read of a non-SQLite file fails here with SQLITE_NOTADB */
    int64_t tables = query_int(db, "SELECT count(*) FROM sqlite_master", err);
    if (tables < 0) {
        if (sqlite3_errcode(db->h) == SQLITE_NOTADB)
            return za_error_set(err, ZA_ERR_MALFORMED,
                                "%s is not a zkaudit dataset index (not an SQLite database)",
                                db->path);
        return err->code;
    }
    int64_t app = query_int(db, "PRAGMA application_id", err);
    int64_t ver = query_int(db, "PRAGMA user_version", err);
    if (app < 0 || ver < 0)
        return err->code;
    if (tables == 0 && app == 0 && ver == 0) {
        if (!create)
            return za_error_set(err, ZA_ERR_ARG,
                                "%s is an empty file, not a zkaudit dataset index "
                                "(`buyer dataset import` creates one)",
                                db->path);
        char sql[64];
        za_status st = exec(db, "BEGIN IMMEDIATE", err);
        if (!st)
            st = exec(db, schema_sql, err);
        snprintf(sql, sizeof sql, "PRAGMA application_id = %d", ZD_DB_APPLICATION_ID);
        if (!st)
            st = exec(db, sql, err);
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", ZD_DB_SCHEMA_VERSION);
        if (!st)
            st = exec(db, sql, err);
        if (!st)
            st = exec(db, "COMMIT", err);
        if (st)
            sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
        return st;
    }
    if (app != ZD_DB_APPLICATION_ID)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "%s is an SQLite database but not a zkaudit dataset index "
                            "(application_id 0x%08" PRIx64 ", expected 0x%08x)",
                            db->path, (uint64_t)app, ZD_DB_APPLICATION_ID);
    if (ver > ZD_DB_SCHEMA_VERSION)
        return za_error_set(err, ZA_ERR_UNSUPPORTED,
                            "%s has schema version %" PRId64 ", newer than this build's (%d): "
                            "use a newer zkaudit",
                            db->path, ver, ZD_DB_SCHEMA_VERSION);
    if (ver != ZD_DB_SCHEMA_VERSION)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: unknown schema version %" PRId64,
                            db->path, ver);
    return ZA_OK;
}

za_status zd_db_open(const char *path, int create, zd_db **out, za_error *err)
{
    *out = NULL;
    zd_db *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        free(db);
        return za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", path);
    }
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    za_status st = ZA_OK;
    if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
        st = za_error_set(err, ZA_ERR_IO, "%s: cannot open: %s", path,
                          db->h ? sqlite3_errmsg(db->h) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(db->h, 0);
    sqlite3_busy_timeout(db->h, 5000);
    if ((st = check_schema(db, create, err)))
        goto fail;
    /* WAL: readers never block the importer; NORMAL sync is durable at
     * checkpoints and never corrupts in WAL mode */
    if ((st = exec(db, "PRAGMA journal_mode = WAL", err)) ||
        (st = exec(db, "PRAGMA foreign_keys = ON", err)) ||
        (st = exec(db, "PRAGMA synchronous = NORMAL", err)))
        goto fail;
    *out = db;
    return ZA_OK;
fail:
    zd_db_close(db);
    return st;
}

void zd_db_close(zd_db *db)
{
    if (!db)
        return;
    sqlite3_close(db->h);
    free(db->path);
    free(db);
}

void zd_dataset_free(zd_dataset *d)
{
    if (!d)
        return;
    free(d->name), free(d->format), free(d->dtype), free(d->label_names);
    free(d->source), free(d->source_sha256), free(d->prep), free(d->created_at);
    free(d->label_counts);
    memset(d, 0, sizeof *d);
}

void zd_dataset_list_free(zd_dataset *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        zd_dataset_free(&list[i]);
    free(list);
}

/* ---- import ---- */

static char *shape_json(const zd_source_info *info)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < info->rank; i++)
        json_array_append_new(a, json_integer(info->shape[i]));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

static char *labels_json(const zd_source_info *info)
{
    json_t *a = info->label_names ? json_array() : json_null();
    for (uint32_t i = 0; info->label_names && i < info->n_labels; i++)
        json_array_append_new(a, json_string(info->label_names[i] ? info->label_names[i] : ""));
    char *s = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(a);
    return s;
}

static za_status check_info(const zd_source_info *info, uint64_t *elems, za_error *err)
{
    if (info->rank < 1 || info->rank > ZD_MAX_RANK)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s source: rank %u", info->format,
                            info->rank);
    uint64_t n = 1;
    for (unsigned i = 0; i < info->rank; i++) {
        if (info->shape[i] == 0 || n * info->shape[i] > ((uint64_t)1 << 40))
            return za_error_set(err, ZA_ERR_MALFORMED, "%s source: bad shape", info->format);
        n *= info->shape[i];
    }
    if (strcmp(info->dtype, "uint8") != 0 && strcmp(info->dtype, "int8") != 0)
        return za_error_set(err, ZA_ERR_UNSUPPORTED, "%s source: dtype %s", info->format,
                            info->dtype);
    if (info->n_labels == 0 || info->n_labels > ZD_MAX_LABELS)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s source: %u labels", info->format,
                            info->n_labels);
    *elems = n;
    return ZA_OK;
}

static za_status insert_examples(zd_db *db, zd_source *src, int64_t id, uint64_t elems,
                                 const zd_import_opts *o, uint64_t *counts, uint64_t *n_out,
                                 zp_ds_digest *root, za_error *err)
{
    const zd_source_info *info = zd_source_info_of(src);
    sqlite3_stmt *ins;
    za_status st = prepare(db,
                           "INSERT INTO examples (dataset_id, idx, label, input, input_sha256,"
                           " leaf) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           &ins, err);
    if (st)
        return st;
    zp_ds_builder b;
    zp_ds_builder_init(&b);
    for (;;) {
        zd_example ex;
        int end = 0;
        if ((st = zd_source_next(src, &ex, &end, err)))
            break;
        if (end)
            break;
        if (ex.len != elems) {
            st = za_error_set(err, ZA_ERR_MALFORMED,
                              "%s example %" PRIu64 ": %zu bytes, the shape says %" PRIu64,
                              info->format, ex.index, ex.len, elems);
            break;
        }
        uint8_t h[32];
        zp_ds_digest leaf;
        za_sha256(ex.data, ex.len, h);
        zp_ds_leaf(ex.index, ex.label, h, &leaf);
        if ((st = zp_ds_builder_add(&b, &leaf, err)))
            break;
        counts[ex.label]++;
        sqlite3_bind_int64(ins, 1, id);
        sqlite3_bind_int64(ins, 2, (sqlite3_int64)ex.index);
        sqlite3_bind_int64(ins, 3, ex.label);
        /* SQLITE_STATIC: the bytes stay valid until the step below is done */
        sqlite3_bind_blob64(ins, 4, ex.data, ex.len, SQLITE_STATIC);
        sqlite3_bind_blob(ins, 5, h, 32, SQLITE_STATIC);
        sqlite3_bind_blob(ins, 6, leaf.h, 32, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            st = db_fail(db, err, "insert example");
            break;
        }
        sqlite3_reset(ins);
        if (o->progress)
            o->progress(o->progress_ctx, b.count, info->count);
    }
    sqlite3_finalize(ins);
    if (st)
        return st;
    *n_out = b.count;
    if (b.count == 0)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s source has no examples", info->format);
    return zp_ds_builder_root(&b, root, err);
}

za_status zd_db_import(zd_db *db, zd_source *src, const zd_import_opts *o, zd_dataset *out,
                       za_error *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    const zd_source_info *info = zd_source_info_of(src);
    uint64_t elems = 0;
    za_status st = check_info(info, &elems, err);
    if (st)
        return st;
    size_t nlen = o->name ? strlen(o->name) : 0;
    if (nlen == 0 || nlen > ZA_MAX_DATASET_NAME_BYTES)
        return za_error_set(err, ZA_ERR_ARG, "dataset name: 1..%d bytes", ZA_MAX_DATASET_NAME_BYTES);
    uint64_t *counts = calloc(info->n_labels, sizeof *counts);
    char *shape = shape_json(info), *labels = labels_json(info);
    sqlite3_stmt *ins = NULL, *upd = NULL;
    if (!counts || !shape || !labels) {
        st = za_error_set(err, ZA_ERR_NOMEM, "import: out of memory");
        goto done;
    }
    /* IMMEDIATE: take the write lock now, not half-way through */
    if ((st = exec(db, "BEGIN IMMEDIATE", err)))
        goto done;
    if ((st = prepare(db,
                      "INSERT INTO datasets (name, format, count, shape, dtype, n_labels,"
                      " label_names, root, source, source_sha256, prep)"
                      " VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6, '', ?7, ?8, ?9)",
                      &ins, err)))
        goto rollback;
    sqlite3_bind_text(ins, 1, o->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, info->format, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, shape, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, info->dtype, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 5, info->n_labels);
    sqlite3_bind_text(ins, 6, labels, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 7, o->source ? o->source : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 8, o->source_sha256 ? o->source_sha256 : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 9, o->prep ? o->prep : "", -1, SQLITE_STATIC);
    if (sqlite3_step(ins) != SQLITE_DONE) {
        if (sqlite3_errcode(db->h) == SQLITE_CONSTRAINT)
            st = za_error_set(err, ZA_ERR_ARG, "%s: a dataset named '%s' already exists",
                              db->path, o->name);
        else
            st = db_fail(db, err, "insert dataset");
        goto rollback;
    }
    int64_t id = sqlite3_last_insert_rowid(db->h);
    uint64_t n = 0;
    zp_ds_digest root;
    if ((st = insert_examples(db, src, id, elems, o, counts, &n, &root, err)))
        goto rollback;
    char hex[65];
    za_hex_encode(root.h, 32, hex);
    if ((st = prepare(db, "UPDATE datasets SET count = ?1, root = ?2 WHERE id = ?3", &upd, err)))
        goto rollback;
    sqlite3_bind_int64(upd, 1, (sqlite3_int64)n);
    sqlite3_bind_text(upd, 2, hex, -1, SQLITE_STATIC);
    sqlite3_bind_int64(upd, 3, id);
    if (sqlite3_step(upd) != SQLITE_DONE) {
        st = db_fail(db, err, "update dataset");
        goto rollback;
    }
    if ((st = exec(db, "COMMIT", err)))
        goto rollback;
    if (out) {
        st = zd_db_show(db, o->name, out, err);
    }
    goto done;
rollback:
    sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
done:
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    free(counts);
    free(shape);
    free(labels);
    return st;
}

/* ---- reading datasets back ---- */

static char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return strdup(t ? (const char *)t : "");
}

#define DATASET_COLS                                                                       \
    "id, name, format, count, shape, dtype, n_labels, label_names, root, source,"          \
    " source_sha256, prep, created_at"

static za_status read_dataset(zd_db *db, sqlite3_stmt *st, zd_dataset *d, za_error *err)
{
    memset(d, 0, sizeof *d);
    d->id = sqlite3_column_int64(st, 0);
    d->name = col_text(st, 1);
    d->format = col_text(st, 2);
    int64_t count = sqlite3_column_int64(st, 3);
    char *shape = col_text(st, 4);
    d->dtype = col_text(st, 5);
    int64_t n_labels = sqlite3_column_int64(st, 6);
    d->label_names = col_text(st, 7);
    char *root = col_text(st, 8);
    d->source = col_text(st, 9);
    d->source_sha256 = col_text(st, 10);
    d->prep = col_text(st, 11);
    d->created_at = col_text(st, 12);
    za_status s = ZA_OK;
    if (!d->name || !d->format || !shape || !d->dtype || !d->label_names || !root ||
        !d->source || !d->source_sha256 || !d->prep || !d->created_at) {
        s = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (count < 1 || (uint64_t)count > ZA_MAX_DATASET_EXAMPLES || n_labels < 1 ||
        n_labels > ZD_MAX_LABELS) {
        s = za_error_set(err, ZA_ERR_MALFORMED, "%s: dataset '%s': count %" PRId64
                         " or label count %" PRId64 " out of range",
                         db->path, d->name, count, n_labels);
        goto done;
    }
    d->count = (uint64_t)count;
    d->n_labels = (uint32_t)n_labels;
    json_error_t je;
    json_t *a = json_loads(shape, 0, &je);
    size_t rank = json_is_array(a) ? json_array_size(a) : 0;
    if (rank < 1 || rank > ZD_MAX_RANK)
        s = za_error_set(err, ZA_ERR_MALFORMED, "%s: dataset '%s': bad shape %s", db->path,
                         d->name, shape);
    for (size_t i = 0; !s && i < rank; i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > UINT32_MAX)
            s = za_error_set(err, ZA_ERR_MALFORMED, "%s: dataset '%s': bad shape %s", db->path,
                             d->name, shape);
        else
            d->shape[i] = (uint32_t)json_integer_value(v);
    }
    json_decref(a);
    d->rank = (unsigned)rank;
    if (!s && za_hex_decode(root, d->root, 32, err))
        s = za_error_prefix(err, "%s: dataset '%s': stored root", db->path, d->name);
done:
    free(shape);
    free(root);
    if (s)
        zd_dataset_free(d);
    return s;
}

za_status zd_db_list(zd_db *db, zd_dataset **out, size_t *n, za_error *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    za_status s = prepare(db, "SELECT " DATASET_COLS " FROM datasets ORDER BY name", &st, err);
    if (s)
        return s;
    zd_dataset *list = NULL;
    size_t len = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        zd_dataset *grown = realloc(list, (len + 1) * sizeof *list);
        if (!grown) {
            s = za_error_set(err, ZA_ERR_NOMEM, "list: out of memory");
            break;
        }
        list = grown;
        if ((s = read_dataset(db, st, &list[len], err)))
            break;
        len++;
    }
    if (!s && rc != SQLITE_DONE)
        s = db_fail(db, err, "list");
    sqlite3_finalize(st);
    if (s) {
        zd_dataset_list_free(list, len);
        return s;
    }
    *out = list;
    *n = len;
    return ZA_OK;
}

static za_status find(zd_db *db, const char *name, zd_dataset *d, za_error *err)
{
    sqlite3_stmt *st;
    za_status s = prepare(db, "SELECT " DATASET_COLS " FROM datasets WHERE name = ?1", &st, err);
    if (s)
        return s;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s = read_dataset(db, st, d, err);
    else if (rc == SQLITE_DONE)
        s = za_error_set(err, ZA_ERR_ARG, "%s: no dataset named '%s'", db->path, name);
    else
        s = db_fail(db, err, "find dataset");
    sqlite3_finalize(st);
    if (s)
        memset(d, 0, sizeof *d);
    return s;
}

za_status zd_db_show(zd_db *db, const char *name, zd_dataset *out, za_error *err)
{
    za_status s = find(db, name, out, err);
    if (s)
        return s;
    sqlite3_stmt *st = NULL;
    if (!(out->label_counts = calloc(out->n_labels, sizeof *out->label_counts))) {
        s = za_error_set(err, ZA_ERR_NOMEM, "show: out of memory");
        goto done;
    }
    if ((s = prepare(db,
                     "SELECT label, count(*) FROM examples WHERE dataset_id = ?1 GROUP BY label",
                     &st, err)))
        goto done;
    sqlite3_bind_int64(st, 1, out->id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t l = sqlite3_column_int64(st, 0);
        /* a label out of range is verify's to report; show what is sound */
        if (l >= 0 && l < out->n_labels)
            out->label_counts[l] = (uint64_t)sqlite3_column_int64(st, 1);
    }
    if (rc != SQLITE_DONE)
        s = db_fail(db, err, "label counts");
done:
    sqlite3_finalize(st);
    if (s)
        zd_dataset_free(out);
    return s;
}

za_status zd_db_example(zd_db *db, const char *name, uint64_t index, uint32_t *label,
                        uint8_t **data, size_t *len, uint8_t input_sha256[32], za_error *err)
{
    *data = NULL;
    *len = 0;
    zd_dataset d;
    za_status s = find(db, name, &d, err);
    if (s)
        return s;
    sqlite3_stmt *st = NULL;
    if (index >= d.count) {
        s = za_error_set(err, ZA_ERR_ARG, "dataset '%s' has %" PRIu64 " examples: no index %"
                         PRIu64, name, d.count, index);
        goto done;
    }
    if ((s = prepare(db,
                     "SELECT label, input, input_sha256 FROM examples"
                     " WHERE dataset_id = ?1 AND idx = ?2",
                     &st, err)))
        goto done;
    sqlite3_bind_int64(st, 1, d.id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        s = rc == SQLITE_DONE ? za_error_set(err, ZA_ERR_MALFORMED,
                                             "%s: dataset '%s': example %" PRIu64 " is missing",
                                             db->path, name, index)
                              : db_fail(db, err, "example");
        goto done;
    }
    int64_t l = sqlite3_column_int64(st, 0);
    const void *blob = sqlite3_column_blob(st, 1);
    int n = sqlite3_column_bytes(st, 1);
    const void *h = sqlite3_column_blob(st, 2);
    if (l < 0 || l >= d.n_labels || sqlite3_column_bytes(st, 2) != 32 || !h) {
        s = za_error_set(err, ZA_ERR_MALFORMED, "%s: dataset '%s': example %" PRIu64
                         " has a bad label or input hash (run verify)",
                         db->path, name, index);
        goto done;
    }
    *data = malloc(n > 0 ? (size_t)n : 1);
    if (!*data) {
        s = za_error_set(err, ZA_ERR_NOMEM, "example: out of memory");
        goto done;
    }
    if (n > 0)
        memcpy(*data, blob, (size_t)n);
    *len = (size_t)n;
    *label = (uint32_t)l;
    memcpy(input_sha256, h, 32);
done:
    sqlite3_finalize(st);
    zd_dataset_free(&d);
    return s;
}

/* ---- verify and leaves ---- */

static void problem(zd_verify_report *rep, uint64_t index, zd_problem_kind kind,
                    const char *fmt, ...) ZA_PRINTF(4, 5);

static void problem(zd_verify_report *rep, uint64_t index, zd_problem_kind kind,
                    const char *fmt, ...)
{
    size_t k = rep->n_problems++;
    if (k >= ZD_MAX_REPORTED)
        return;
    if (!rep->problems && !(rep->problems = calloc(ZD_MAX_REPORTED, sizeof *rep->problems)))
        return; /* counted, not described: the count still says "not clean" */
    zd_problem *p = &rep->problems[k];
    p->index = index;
    p->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->what, sizeof p->what, fmt, ap);
    va_end(ap);
}

void zd_verify_report_free(zd_verify_report *rep)
{
    if (!rep)
        return;
    free(rep->problems);
    memset(rep, 0, sizeof *rep);
}

/* Walk every row of d in index order; leaves (if not NULL) receives the
 * recomputed leaf of each index < d->count. */
static za_status scan(zd_db *db, const zd_dataset *d, zd_verify_report *rep, zp_ds_digest *leaves,
                      za_error *err)
{
    uint64_t elems = 1;
    for (unsigned i = 0; i < d->rank; i++)
        elems = elems * d->shape[i] > ((uint64_t)1 << 40) ? (uint64_t)1 << 40
                                                          : elems * d->shape[i];
    sqlite3_stmt *st;
    za_status s = prepare(db,
                          "SELECT idx, label, input, input_sha256, leaf FROM examples"
                          " WHERE dataset_id = ?1 ORDER BY idx",
                          &st, err);
    if (s)
        return s;
    sqlite3_bind_int64(st, 1, d->id);
    zp_ds_builder b;
    zp_ds_builder_init(&b);
    uint64_t expect = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t idx = sqlite3_column_int64(st, 0), label = sqlite3_column_int64(st, 1);
        const void *in = sqlite3_column_blob(st, 2);
        size_t in_len = (size_t)sqlite3_column_bytes(st, 2);
        const void *hash = sqlite3_column_blob(st, 3);
        int hash_len = sqlite3_column_bytes(st, 3);
        const void *leaf = sqlite3_column_blob(st, 4);
        int leaf_len = sqlite3_column_bytes(st, 4);
        rep->rows++;
        if (idx < 0 || (uint64_t)idx >= d->count) {
            problem(rep, (uint64_t)idx, ZD_PROBLEM_ROW,
                    "extra row: index %" PRId64 " outside 0..%" PRIu64, idx, d->count - 1);
            continue;
        }
        if ((uint64_t)idx != expect) {
            problem(rep, expect, ZD_PROBLEM_ROW, "rows %" PRIu64 "..%" PRId64 " are missing",
                    expect, idx - 1);
            /* the root below is over the rows present: it will differ */
        }
        expect = (uint64_t)idx + 1;
        uint8_t h[32];
        za_sha256(in ? in : "", in_len, h);
        if (in_len != elems)
            problem(rep, (uint64_t)idx, ZD_PROBLEM_ROW, "input is %zu bytes, the shape says %" PRIu64,
                    in_len, elems);
        if (label < 0 || label >= d->n_labels)
            problem(rep, (uint64_t)idx, ZD_PROBLEM_ROW, "label %" PRId64 " outside 0..%u", label,
                    d->n_labels - 1);
        if (hash_len != 32 || !hash)
            problem(rep, (uint64_t)idx, ZD_PROBLEM_ROW, "stored input hash is %d bytes, not 32",
                    hash_len);
        else if (memcmp(h, hash, 32) != 0)
            problem(rep, (uint64_t)idx, ZD_PROBLEM_INPUT,
                    "input bytes changed: their SHA-256 differs from the stored input hash");
        zp_ds_digest lf;
        if (hash_len == 32 && hash) {
            zp_ds_leaf((uint64_t)idx, (uint32_t)label, hash, &lf);
            if (leaf_len != 32 || !leaf || memcmp(lf.h, leaf, 32) != 0)
                problem(rep, (uint64_t)idx, ZD_PROBLEM_LEAF,
                        "label or input hash changed since import: the leaf of (index, label "
                        "%" PRId64 ", stored input hash) differs from the stored leaf",
                        label);
        }
        /* the true leaf: of the bytes actually stored */
        zp_ds_leaf((uint64_t)idx, (uint32_t)label, h, &lf);
        if (leaves)
            leaves[idx] = lf;
        if ((s = zp_ds_builder_add(&b, &lf, err)))
            break;
    }
    if (!s && rc != SQLITE_DONE)
        s = db_fail(db, err, "reading examples");
    sqlite3_finalize(st);
    if (s)
        return s;
    if (expect != d->count)
        problem(rep, expect, ZD_PROBLEM_ROW,
                "rows %" PRIu64 "..%" PRIu64 " are missing (the dataset says %" PRIu64
                " examples)",
                expect, d->count - 1, d->count);
    memcpy(rep->stored_root, d->root, 32);
    zp_ds_digest root;
    if (b.count > 0 && zp_ds_builder_root(&b, &root, err) == ZA_OK) {
        memcpy(rep->recomputed_root, root.h, 32);
        rep->root_ok = memcmp(root.h, d->root, 32) == 0;
    }
    return ZA_OK;
}

za_status zd_db_verify(zd_db *db, const char *name, zd_verify_report *rep, za_error *err)
{
    memset(rep, 0, sizeof *rep);
    zd_dataset d;
    za_status s = find(db, name, &d, err);
    if (s)
        return s;
    /* a read transaction: one consistent snapshot of every row */
    if (!(s = exec(db, "BEGIN", err))) {
        s = scan(db, &d, rep, NULL, err);
        sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
    }
    zd_dataset_free(&d);
    if (s)
        zd_verify_report_free(rep);
    return s;
}

za_status zd_db_leaves(zd_db *db, const char *name, zp_ds_digest **leaves, uint64_t *n,
                       za_error *err)
{
    *leaves = NULL;
    *n = 0;
    zd_dataset d;
    za_status s = find(db, name, &d, err);
    if (s)
        return s;
    zd_verify_report rep;
    memset(&rep, 0, sizeof rep);
    zp_ds_digest *lv = calloc(d.count, sizeof *lv);
    if (!lv) {
        s = za_error_set(err, ZA_ERR_NOMEM, "leaves: %" PRIu64 " digests", d.count);
        goto done;
    }
    if ((s = exec(db, "BEGIN", err)))
        goto done;
    s = scan(db, &d, &rep, lv, err);
    sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
    if (!s && (rep.n_problems || !rep.root_ok))
        s = za_error_set(err, ZA_ERR_MISMATCH,
                         "%s: dataset '%s' no longer matches its stored root (%zu problem row%s%s):"
                         " run `buyer dataset verify`",
                         db->path, name, rep.n_problems, rep.n_problems == 1 ? "" : "s",
                         rep.root_ok ? "" : ", root differs");
    if (!s) {
        *leaves = lv;
        *n = d.count;
        lv = NULL;
    }
done:
    free(lv);
    zd_verify_report_free(&rep);
    zd_dataset_free(&d);
    return s;
}

za_status zd_db_each_example(zd_db *db, const char *name, zd_example_fn fn, void *ctx,
                             za_error *err)
{
    zd_dataset d;
    za_status s = find(db, name, &d, err);
    if (s)
        return s;
    sqlite3_stmt *st = NULL;
    if ((s = exec(db, "BEGIN", err)))
        goto done;
    if ((s = prepare(db,
                     "SELECT idx, label, input FROM examples WHERE dataset_id = ?1 ORDER BY idx",
                     &st, err)))
        goto end;
    sqlite3_bind_int64(st, 1, d.id);
    uint64_t next = 0;
    int rc = SQLITE_DONE;
    while (s == ZA_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t idx = sqlite3_column_int64(st, 0), l = sqlite3_column_int64(st, 1);
        const void *blob = sqlite3_column_blob(st, 2);
        int n = sqlite3_column_bytes(st, 2);
        if (idx < 0 || (uint64_t)idx != next || l < 0 || l >= d.n_labels) {
            s = za_error_set(err, ZA_ERR_MALFORMED, "%s: dataset '%s': row %" PRIu64
                             " has index %" PRId64 " or label %" PRId64 " (run verify)",
                             db->path, name, next, idx, l);
            break;
        }
        s = fn(ctx, next, (uint32_t)l, n > 0 ? blob : (const void *)"", (size_t)(n > 0 ? n : 0),
               err);
        next++;
    }
    if (s == ZA_OK && rc != SQLITE_DONE)
        s = db_fail(db, err, "examples");
    if (s == ZA_OK && next != d.count)
        s = za_error_set(err, ZA_ERR_MALFORMED, "%s: dataset '%s': %" PRIu64 " rows for %"
                         PRIu64 " examples (run verify)", db->path, name, next, d.count);
end:
    sqlite3_finalize(st);
    sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
done:
    zd_dataset_free(&d);
    return s;
}
