/* datasets/db.h - the SQLite dataset index (schema in docs/datasets.md).
 *
 * One SQLite file (WAL mode, foreign keys on) holds any number of named
 * datasets.  PRAGMA application_id marks the file as a zkaudit index and
 * PRAGMA user_version is the schema version (ZD_DB_SCHEMA_VERSION); a file
 * that is not SQLite, is another application's database, or has a newer
 * schema is refused with a message saying which.
 *
 * Import reads a zd_source one example at a time inside ONE transaction,
 * hashing each input, computing its leaf (protocol/dataset_commit.h) and
 * feeding the streaming root; the dataset row gets its count and root at the
 * end.  Any failure (a malformed example, a name already taken, a full disk)
 * rolls the transaction back, so the file is exactly as it was.
 *
 * Each example row also keeps the leaf computed at import.  It is redundant
 * with (index, label, input hash) and is there so that `verify` can name a
 * row whose label alone was changed; a row whose label, hash and leaf were
 * all rewritten consistently is still caught, by the root.
 *
 * Ownership.  zd_db_open allocates the handle, zd_db_close frees it.
 * zd_dataset and zd_verify_report own their strings and arrays: free them
 * with zd_dataset_free / zd_verify_report_free (both accept zeroed structs).
 * Not thread-safe: one handle per thread.
 */
#ifndef ZD_DB_H
#define ZD_DB_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "datasets/source.h"
#include "protocol/dataset_commit.h"

#define ZD_DB_SCHEMA_VERSION 1
#define ZD_DB_APPLICATION_ID 0x7a6b6431 /* "zkd1" */

typedef struct zd_db zd_db;

/* create != 0: a missing or empty file becomes a new index. */
za_status zd_db_open(const char *path, int create, zd_db **out, za_error *err) ZA_WARN_UNUSED;
void zd_db_close(zd_db *db);

typedef struct {
    int64_t id;
    char *name, *format, *dtype;
    char *label_names; /* JSON text: an array of names, or null */
    char *source;      /* where the data came from (paths or URLs) */
    char *source_sha256;
    char *prep;        /* input-preparation recipe (datasets/prepare.h), "" if none */
    char *created_at;  /* UTC, ISO 8601 */
    uint64_t count;
    unsigned rank;
    uint32_t shape[ZD_MAX_RANK];
    uint32_t n_labels;
    uint8_t root[32];        /* as stored */
    uint64_t *label_counts;  /* n_labels entries (zd_db_show and import only; else NULL) */
} zd_dataset;

void zd_dataset_free(zd_dataset *d);

typedef struct {
    const char *name;
    const char *source;        /* NULL = "" */
    const char *source_sha256; /* NULL = "" */
    const char *prep;          /* NULL = "" */
    /* called every example (cheap to call: progress bars throttle) */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
} zd_import_opts;

/* Import every example of src as dataset opts->name.  On success *out (if
 * not NULL) describes the new dataset, label counts included.  On failure
 * nothing was written and *out is zeroed. */
za_status zd_db_import(zd_db *db, zd_source *src, const zd_import_opts *opts, zd_dataset *out,
                       za_error *err) ZA_WARN_UNUSED;

/* Every dataset, by name (no label counts); *out is a new array of *n. */
za_status zd_db_list(zd_db *db, zd_dataset **out, size_t *n, za_error *err) ZA_WARN_UNUSED;
void zd_dataset_list_free(zd_dataset *list, size_t n);

/* One dataset with its label counts; ZA_ERR_ARG naming it when absent. */
za_status zd_db_show(zd_db *db, const char *name, zd_dataset *out, za_error *err) ZA_WARN_UNUSED;

/* One example as stored: *data is a new buffer (free()) of *len bytes. */
za_status zd_db_example(zd_db *db, const char *name, uint64_t index, uint32_t *label,
                        uint8_t **data, size_t *len, uint8_t input_sha256[32],
                        za_error *err) ZA_WARN_UNUSED;

typedef enum {
    ZD_PROBLEM_INPUT = 1, /* SHA-256 of the stored input differs from the stored input hash */
    ZD_PROBLEM_LEAF = 2,  /* (index, label, input hash) no longer gives the stored leaf */
    ZD_PROBLEM_ROW = 3    /* malformed row: wrong length, label out of range, bad blob */
                          /* sizes, missing or extra index */
} zd_problem_kind;

typedef struct {
    uint64_t index;
    zd_problem_kind kind;
    char what[160];
} zd_problem;

typedef struct {
    uint64_t rows;            /* example rows read */
    size_t n_problems;        /* every problem found ... */
    zd_problem *problems;     /* ... the first ZD_MAX_REPORTED of them */
    int root_ok;              /* recomputed root == stored root */
    uint8_t stored_root[32], recomputed_root[32];
} zd_verify_report;

#define ZD_MAX_REPORTED 10000

/* Recompute every input hash, every leaf (from the index, the label and
 * the SHA-256 of the stored input) and the root.  Returns ZA_OK when the
 * check ran (whatever it found: see rep; clean iff n_problems == 0 and
 * root_ok), an error when it could not run. */
za_status zd_db_verify(zd_db *db, const char *name, zd_verify_report *rep,
                       za_error *err) ZA_WARN_UNUSED;
void zd_verify_report_free(zd_verify_report *rep);

/* The leaves of a dataset in index order, recomputed from the stored inputs
 * (*leaves: a new array of *n digests, free()).  Refuses (ZA_ERR_MISMATCH)
 * when they do not give the stored root, so a proof is never made for a
 * tampered index: run verify. */
za_status zd_db_leaves(zd_db *db, const char *name, zp_ds_digest **leaves, uint64_t *n,
                       za_error *err) ZA_WARN_UNUSED;

/* Every example of a dataset in index order inside one read transaction:
 * fn(ctx, index, label, bytes, len, err) for each (bytes valid during the
 * call only).  Stops at the first status fn returns that is not ZA_OK and
 * returns it; refuses rows out of order, labels out of range, a wrong row
 * count.  Does not check the stored root: callers that need the index to
 * be intact call zd_db_leaves first. */
typedef za_status (*zd_example_fn)(void *ctx, uint64_t index, uint32_t label,
                                   const uint8_t *bytes, size_t len, za_error *err);
za_status zd_db_each_example(zd_db *db, const char *name, zd_example_fn fn, void *ctx,
                             za_error *err) ZA_WARN_UNUSED;

#endif
