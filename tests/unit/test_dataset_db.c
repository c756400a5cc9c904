/* tests/unit/test_dataset_db.c - the SQLite dataset index (datasets/db.h)
 * and the IDX importer (datasets/idx.c).
 *
 *  - import from an in-memory fake source: count, label counts, stored root
 *    equal to the root of protocol/dataset_commit.h over the same examples,
 *    the same root for a second import, example read-back;
 *  - failures leave nothing: a source failing at example 9,999, a name
 *    already taken;
 *  - tamper detection, editing the file with the sqlite3 API: input bytes
 *    (named as an input problem), a label (named as a leaf problem), input +
 *    hash + leaf rewritten consistently (caught by the root only), a deleted
 *    row; zd_db_leaves refuses a tampered dataset;
 *  - files that are not zkaudit indexes: garbage, another application's
 *    SQLite file, a newer schema version;
 *  - IDX files written to a mkdtemp folder: raw and gzip'd import the same
 *    examples and root; bad magic, truncation (with the offset), a count
 *    mismatch, trailing bytes and an out-of-range label are clear errors and
 *    leave the index as it was;
 *  - fetch (datasets/fetch.h) of file:// URLs: the right checksum renames
 *    the download into place, a wrong one is refused naming both digests
 *    and leaves no file; other schemes are refused; a path is used in place.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/sha256.h"
#include "datasets/db.h"
#include "datasets/fetch.h"
#include "datasets/importers.h"
#include "protocol/dataset_commit.h"

#define EX_BYTES 16

/* ---- an in-memory source: example i is bytes (i*31 + k) % 251, label i % 3 ---- */

typedef struct {
    uint64_t n, next, fail_at;
    uint8_t buf[EX_BYTES];
} fake_state;

static void fake_example(uint64_t i, uint8_t *b, uint32_t *label)
{
    for (int k = 0; k < EX_BYTES; k++)
        b[k] = (uint8_t)((i * 31 + (uint64_t)k) % 251);
    *label = (uint32_t)(i % 3);
}

static za_status fake_next(void *state, zd_example *ex, int *end, za_error *err)
{
    fake_state *s = state;
    if (s->next == s->n) {
        *end = 1;
        return ZA_OK;
    }
    if (s->next == s->fail_at)
        return za_error_set(err, ZA_ERR_MALFORMED, "fake: example %llu is malformed",
                            (unsigned long long)s->next);
    fake_example(s->next, s->buf, &ex->label);
    ex->data = s->buf;
    ex->len = EX_BYTES;
    s->next++;
    return ZA_OK;
}

static void fake_close(void *state)
{
    free(state);
}

static const zd_source_ops fake_ops = { fake_next, fake_close };

static zd_source *fake_source(uint64_t n, uint64_t fail_at)
{
    zd_source *src = calloc(1, sizeof *src);
    fake_state *s = calloc(1, sizeof *s);
    assert_non_null(src);
    assert_non_null(s);
    s->n = n;
    s->fail_at = fail_at;
    src->ops = &fake_ops;
    src->state = s;
    strcpy(src->info.format, "fake");
    strcpy(src->info.dtype, "uint8");
    src->info.count = n;
    src->info.rank = 2;
    src->info.shape[0] = 4;
    src->info.shape[1] = 4;
    src->info.n_labels = 3;
    return src;
}

static void fake_root(uint64_t n, zp_ds_digest *root)
{
    zp_ds_digest *lv = malloc(n * sizeof *lv);
    assert_non_null(lv);
    for (uint64_t i = 0; i < n; i++) {
        uint8_t b[EX_BYTES], h[32];
        uint32_t label;
        fake_example(i, b, &label);
        za_sha256(b, sizeof b, h);
        zp_ds_leaf(i, label, h, &lv[i]);
    }
    za_error err;
    assert_int_equal(zp_ds_root(lv, n, root, &err), ZA_OK);
    free(lv);
}

/* ---- helpers ---- */

static char dir[64];

static const char *path_in(const char *name)
{
    static char p[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static zd_db *fresh_db(const char *name)
{
    const char *p = path_in(name);
    unlink(p);
    zd_db *db;
    za_error err;
    assert_int_equal(zd_db_open(p, 1, &db, &err), ZA_OK);
    return db;
}

static za_status import(zd_db *db, zd_source *src, const char *name, za_error *err)
{
    zd_import_opts o = { name, "test", "", "", NULL, NULL };
    za_status st = zd_db_import(db, src, &o, NULL, err);
    zd_source_close(src);
    return st;
}

static size_t n_datasets(zd_db *db)
{
    zd_dataset *list;
    size_t n;
    za_error err;
    assert_int_equal(zd_db_list(db, &list, &n, &err), ZA_OK);
    zd_dataset_list_free(list, n);
    return n;
}

static void sql(const char *db_path, const char *stmt)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db_path, &h), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(h, stmt, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", stmt, msg);
    sqlite3_close(h);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/za_test_dsdb_XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* ---- tests ---- */

static void test_import_fake(void **state)
{
    (void)state;
    zd_db *db = fresh_db("a.db");
    za_error err;
    zd_import_opts o = { "fake", "mem", "", "", NULL, NULL };
    zd_dataset d;
    zd_source *src = fake_source(1000, UINT64_MAX);
    assert_int_equal(zd_db_import(db, src, &o, &d, &err), ZA_OK);
    zd_source_close(src);
    assert_int_equal(d.count, 1000);
    assert_int_equal(d.n_labels, 3);
    assert_int_equal(d.rank, 2);
    assert_int_equal(d.label_counts[0], 334);
    assert_int_equal(d.label_counts[1], 333);
    assert_int_equal(d.label_counts[2], 333);
    zp_ds_digest want;
    fake_root(1000, &want);
    assert_memory_equal(d.root, want.h, 32);
    zd_dataset_free(&d);
    /* same examples, another name: the same root */
    assert_int_equal(import(db, fake_source(1000, UINT64_MAX), "fake2", &err), ZA_OK);
    assert_int_equal(zd_db_show(db, "fake2", &d, &err), ZA_OK);
    assert_memory_equal(d.root, want.h, 32);
    zd_dataset_free(&d);
    /* read back one example */
    uint8_t *data, h[32], b[EX_BYTES];
    size_t len;
    uint32_t label, l2;
    assert_int_equal(zd_db_example(db, "fake", 777, &label, &data, &len, h, &err), ZA_OK);
    fake_example(777, b, &l2);
    assert_int_equal(len, EX_BYTES);
    assert_memory_equal(data, b, EX_BYTES);
    assert_int_equal(label, l2);
    free(data);
    assert_int_equal(zd_db_example(db, "fake", 1000, &label, &data, &len, h, &err), ZA_ERR_ARG);
    assert_int_equal(zd_db_show(db, "nope", &d, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "nope"));
    /* leaves give the root */
    zp_ds_digest *lv, root;
    uint64_t n;
    assert_int_equal(zd_db_leaves(db, "fake", &lv, &n, &err), ZA_OK);
    assert_int_equal(n, 1000);
    assert_int_equal(zp_ds_root(lv, n, &root, &err), ZA_OK);
    assert_memory_equal(root.h, want.h, 32);
    free(lv);
    zd_db_close(db);
}

static void test_failed_import_leaves_nothing(void **state)
{
    (void)state;
    zd_db *db = fresh_db("b.db");
    za_error err;
    assert_int_equal(import(db, fake_source(10000, 9999), "bad", &err), ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "9999"));
    assert_int_equal(n_datasets(db), 0);
    assert_int_equal(import(db, fake_source(10, UINT64_MAX), "x", &err), ZA_OK);
    assert_int_equal(import(db, fake_source(20, UINT64_MAX), "x", &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "already exists"));
    assert_int_equal(n_datasets(db), 1);
    zd_dataset d;
    assert_int_equal(zd_db_show(db, "x", &d, &err), ZA_OK);
    assert_int_equal(d.count, 10);
    zd_dataset_free(&d);
    /* no rows of the failed imports remain */
    zd_db_close(db);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path_in("b.db"), &h), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM examples", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 10);
    sqlite3_finalize(st);
    sqlite3_close(h);
}

static int has_problem(const zd_verify_report *r, uint64_t index, zd_problem_kind kind)
{
    for (size_t i = 0; i < r->n_problems && i < ZD_MAX_REPORTED; i++)
        if (r->problems[i].index == index && r->problems[i].kind == kind)
            return 1;
    return 0;
}

static void test_tamper(void **state)
{
    (void)state;
    const char *p = path_in("c.db");
    zd_db *db = fresh_db("c.db");
    za_error err;
    assert_int_equal(import(db, fake_source(100, UINT64_MAX), "t", &err), ZA_OK);
    zd_verify_report r;
    assert_int_equal(zd_db_verify(db, "t", &r, &err), ZA_OK);
    assert_int_equal(r.n_problems, 0);
    assert_true(r.root_ok);
    assert_int_equal(r.rows, 100);
    zd_verify_report_free(&r);
    zd_db_close(db);

    /* one input's bytes, another's label */
    sql(p, "UPDATE examples SET input = zeroblob(16) WHERE idx = 3;"
           "UPDATE examples SET label = (label + 1) % 3 WHERE idx = 57;");
    assert_int_equal(zd_db_open(p, 0, &db, &err), ZA_OK);
    assert_int_equal(zd_db_verify(db, "t", &r, &err), ZA_OK);
    assert_int_equal(r.n_problems, 2);
    assert_true(has_problem(&r, 3, ZD_PROBLEM_INPUT));
    assert_true(has_problem(&r, 57, ZD_PROBLEM_LEAF));
    assert_false(r.root_ok);
    assert_memory_not_equal(r.recomputed_root, r.stored_root, 32);
    zd_verify_report_free(&r);
    zp_ds_digest *lv;
    uint64_t n;
    assert_int_equal(zd_db_leaves(db, "t", &lv, &n, &err), ZA_ERR_MISMATCH);
    assert_null(lv);
    zd_db_close(db);

    /* a consistent rewrite of input, hash and leaf: only the root shows it */
    db = fresh_db("d.db");
    p = path_in("d.db");
    assert_int_equal(import(db, fake_source(100, UINT64_MAX), "t", &err), ZA_OK);
    zd_db_close(db);
    uint8_t zero[16] = { 0 }, h[32];
    zp_ds_digest leaf;
    za_sha256(zero, sizeof zero, h);
    zp_ds_leaf(10, 1, h, &leaf); /* example 10 has label 1 */
    char stmt[512], hh[65], lh[65];
    for (int i = 0; i < 32; i++) {
        snprintf(hh + 2 * i, 3, "%02x", h[i]);
        snprintf(lh + 2 * i, 3, "%02x", leaf.h[i]);
    }
    snprintf(stmt, sizeof stmt,
             "UPDATE examples SET input = zeroblob(16), input_sha256 = x'%s', leaf = x'%s'"
             " WHERE idx = 10",
             hh, lh);
    sql(p, stmt);
    assert_int_equal(zd_db_open(p, 0, &db, &err), ZA_OK);
    assert_int_equal(zd_db_verify(db, "t", &r, &err), ZA_OK);
    assert_int_equal(r.n_problems, 0);
    assert_false(r.root_ok);
    zd_verify_report_free(&r);
    zd_db_close(db);

    /* a deleted row */
    sql(p, "DELETE FROM examples WHERE idx = 42");
    assert_int_equal(zd_db_open(p, 0, &db, &err), ZA_OK);
    assert_int_equal(zd_db_verify(db, "t", &r, &err), ZA_OK);
    assert_true(has_problem(&r, 42, ZD_PROBLEM_ROW));
    assert_false(r.root_ok);
    zd_verify_report_free(&r);
    zd_db_close(db);
}

static void test_not_an_index(void **state)
{
    (void)state;
    zd_db *db;
    za_error err;
    const char *p = path_in("garbage.db");
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    for (int i = 0; i < 4096; i++)
        fputc(i * 7, f);
    fclose(f);
    assert_int_equal(zd_db_open(p, 1, &db, &err), ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "not an SQLite database"));

    p = path_in("other.db");
    unlink(p);
    sql(p, "CREATE TABLE t (x INTEGER)");
    assert_int_equal(zd_db_open(p, 1, &db, &err), ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "not a zkaudit dataset index"));

    db = fresh_db("newer.db");
    zd_db_close(db);
    sql(path_in("newer.db"), "PRAGMA user_version = 99");
    assert_int_equal(zd_db_open(path_in("newer.db"), 0, &db, &err), ZA_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "newer"));

    assert_int_equal(zd_db_open(path_in("missing.db"), 0, &db, &err), ZA_ERR_IO);
}

/* ---- IDX ---- */

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* n images of 3x5 and their labels; cut: bytes dropped from the image file's
 * end; extra: bytes added; label_n: the label file's count */
static void write_idx(const char *img, const char *lab, int gz, uint32_t magic, uint32_t n,
                      uint32_t label_n, size_t cut, size_t extra, int bad_label)
{
    size_t ilen = 16 + (size_t)n * 15 + extra, llen = 8 + label_n;
    uint8_t *ib = calloc(1, ilen), *lb = calloc(1, llen);
    assert_non_null(ib);
    assert_non_null(lb);
    be32(ib, magic), be32(ib + 4, n), be32(ib + 8, 3), be32(ib + 12, 5);
    for (size_t i = 16; i < ilen; i++)
        ib[i] = (uint8_t)(i * 13);
    be32(lb, 0x801), be32(lb + 4, label_n);
    for (uint32_t i = 0; i < label_n; i++)
        lb[8 + i] = (uint8_t)(i % 10);
    if (bad_label)
        lb[8 + label_n / 2] = 10;
    ilen -= cut;
    const char *paths[2] = { img, lab };
    const uint8_t *bufs[2] = { ib, lb };
    size_t lens[2] = { ilen, llen };
    for (int k = 0; k < 2; k++) {
        if (gz) {
            gzFile g = gzopen(paths[k], "wb");
            assert_non_null(g);
            assert_int_equal(gzwrite(g, bufs[k], (unsigned)lens[k]), (int)lens[k]);
            gzclose(g);
        } else {
            FILE *f = fopen(paths[k], "wb");
            assert_non_null(f);
            assert_int_equal(fwrite(bufs[k], 1, lens[k], f), lens[k]);
            fclose(f);
        }
    }
    free(ib);
    free(lb);
}

/* Open and import the two files; returns the status, leaves err set. */
static za_status import_idx(zd_db *db, const char *img, const char *lab, const char *name,
                            za_error *err)
{
    zd_source *src;
    za_status st = zd_source_open_idx(img, lab, &src, err);
    if (st) {
        assert_null(src);
        return st;
    }
    return import(db, src, name, err);
}

static void test_idx(void **state)
{
    (void)state;
    zd_db *db = fresh_db("idx.db");
    za_error err;
    const char *img = path_in("img"), *lab = path_in("lab");
    char img_gz[256], lab_gz[256];
    snprintf(img_gz, sizeof img_gz, "%s.gz", img);
    snprintf(lab_gz, sizeof lab_gz, "%s.gz", lab);
    write_idx(img, lab, 0, 0x803, 100, 100, 0, 0, 0);
    write_idx(img_gz, lab_gz, 1, 0x803, 100, 100, 0, 0, 0);
    assert_int_equal(import_idx(db, img, lab, "raw", &err), ZA_OK);
    assert_int_equal(import_idx(db, img_gz, lab_gz, "gz", &err), ZA_OK);
    zd_dataset a, b;
    assert_int_equal(zd_db_show(db, "raw", &a, &err), ZA_OK);
    assert_int_equal(zd_db_show(db, "gz", &b, &err), ZA_OK);
    assert_int_equal(a.count, 100);
    assert_int_equal(a.shape[0], 3);
    assert_int_equal(a.shape[1], 5);
    assert_int_equal(a.label_counts[7], 10);
    assert_memory_equal(a.root, b.root, 32);
    zd_dataset_free(&a);
    zd_dataset_free(&b);

    for (int gz = 0; gz < 2; gz++) {
        const char *i = gz ? img_gz : img, *l = gz ? lab_gz : lab;
        /* wrong magic */
        write_idx(i, l, gz, 0x801, 100, 100, 0, 0, 0);
        assert_int_equal(import_idx(db, i, l, "bad", &err), ZA_ERR_MALFORMED);
        assert_non_null(strstr(err.msg, "bad magic"));
        /* truncated: the last image lacks 7 bytes */
        write_idx(i, l, gz, 0x803, 100, 100, 7, 0, 0);
        assert_int_equal(import_idx(db, i, l, "bad", &err), ZA_ERR_MALFORMED);
        assert_non_null(strstr(err.msg, "truncated at byte 1509"));
        assert_non_null(strstr(err.msg, "image 99"));
        /* count mismatch */
        write_idx(i, l, gz, 0x803, 100, 99, 0, 0, 0);
        assert_int_equal(import_idx(db, i, l, "bad", &err), ZA_ERR_MALFORMED);
        assert_non_null(strstr(err.msg, "99 labels"));
        assert_non_null(strstr(err.msg, "100 images"));
        /* trailing bytes */
        write_idx(i, l, gz, 0x803, 100, 100, 0, 3, 0);
        assert_int_equal(import_idx(db, i, l, "bad", &err), ZA_ERR_MALFORMED);
        assert_non_null(strstr(err.msg, "trailing"));
        /* a label of 10 */
        write_idx(i, l, gz, 0x803, 100, 100, 0, 0, 1);
        assert_int_equal(import_idx(db, i, l, "bad", &err), ZA_ERR_MALFORMED);
        assert_non_null(strstr(err.msg, "label 10"));
        assert_non_null(strstr(err.msg, "byte 58"));
    }
    /* a missing file */
    assert_int_equal(import_idx(db, path_in("nope"), lab, "bad", &err), ZA_ERR_IO);
    /* the index is as it was */
    assert_int_equal(n_datasets(db), 2);
    zd_db_close(db);
}

static int n_files_in(const char *d)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", d);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int n = -1;
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

static void test_fetch(void **state)
{
    (void)state;
    char sub[128], src[160], dst[160], url[200];
    snprintf(sub, sizeof sub, "%s/fetch", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(src, sizeof src, "%s/src.bin", dir);
    snprintf(dst, sizeof dst, "%s/got.bin", sub);
    snprintf(url, sizeof url, "file://%s", src);
    FILE *f = fopen(src, "wb");
    assert_non_null(f);
    fputs("some dataset bytes", f);
    fclose(f);
    uint8_t h[32], got[32];
    char hex[65];
    za_sha256("some dataset bytes", 18, h);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    za_error err;
    const char *wrong = "00000000000000000000000000000000000000000000000000000000000000ff";
    assert_int_equal(zd_fetch_url(url, dst, wrong, got, &err), ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, wrong));
    assert_non_null(strstr(err.msg, hex));
    assert_int_equal(n_files_in(sub), 0);
    assert_int_equal(zd_fetch_url(url, dst, hex, got, &err), ZA_OK);
    assert_memory_equal(got, h, 32);
    assert_int_equal(n_files_in(sub), 1);
    assert_int_equal(zd_fetch_url("ftp://127.0.0.1/x", dst, NULL, got, &err), ZA_ERR_ARG);
    assert_int_equal(zd_fetch_url("file:///nonexistent/x", dst, NULL, got, &err), ZA_ERR_IO);
    assert_int_equal(n_files_in(sub), 1);
    char *local;
    int tmp;
    assert_int_equal(zd_fetch_resolve(src, dst, hex, &local, &tmp, got, &err), ZA_OK);
    assert_string_equal(local, src);
    assert_int_equal(tmp, 0);
    free(local);
    assert_int_equal(zd_fetch_resolve(src, dst, wrong, &local, &tmp, got, &err), ZA_ERR_MISMATCH);
    assert_null(local);
    assert_true(zd_is_url("http://x") && zd_is_url("file:///x") && !zd_is_url("/a/b") &&
                !zd_is_url("a/b://c") && !zd_is_url("://x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_fake),
        cmocka_unit_test(test_failed_import_leaves_nothing),
        cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_not_an_index),
        cmocka_unit_test(test_idx),
        cmocka_unit_test(test_fetch),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
