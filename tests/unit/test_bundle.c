/* tests/unit/test_bundle.c - bundles of batch proofs (protocol/bundle.h):
 * resume, refusals, shape checks, hostile files, merge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "protocol/bundle.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/zkbundleXXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static const char *path_of(const char *name)
{
    static char p[4][128];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static uint8_t rid[32], mid[32];

static zp_bundle_batch batch_for(uint64_t k, uint8_t *proof, size_t len)
{
    /* 10 samples in batches of 4: 4, 4, 2 */
    zp_bundle_batch b = { k, k * 4, k == 2 ? 2u : 4u, proof, len, 1.5, 0.8, 2 };
    return b;
}

static void test_write_resume_read(void **state)
{
    (void)state;
    memset(rid, 1, 32);
    memset(mid, 2, 32);
    za_error err;
    zp_bundle *b;
    const char *p = path_of("a.bundle");
    assert_int_equal(zp_bundle_open_write(p, rid, mid, 10, 4, &b, &err), ZA_OK);
    zp_bundle_info info;
    assert_int_equal(zp_bundle_get_info(b, &info, &err), ZA_OK);
    assert_int_equal(info.n_batches, 3);
    assert_int_equal(info.batches_present, 0);
    uint8_t proof[100];
    memset(proof, 0x5a, sizeof proof);
    zp_bundle_batch bt = batch_for(0, proof, sizeof proof);
    assert_int_equal(zp_bundle_put_batch(b, &bt, &err), ZA_OK);
    /* proven once only */
    assert_int_equal(zp_bundle_put_batch(b, &bt, &err), ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "already proven"));
    /* a batch whose range is not the batching's */
    zp_bundle_batch wrong = batch_for(1, proof, sizeof proof);
    wrong.first = 3;
    assert_int_equal(zp_bundle_put_batch(b, &wrong, &err), ZA_ERR_MALFORMED);
    wrong = batch_for(2, proof, sizeof proof);
    wrong.count = 4; /* the last batch has 2 */
    assert_int_equal(zp_bundle_put_batch(b, &wrong, &err), ZA_ERR_MALFORMED);
    wrong = batch_for(3, proof, sizeof proof);
    assert_int_equal(zp_bundle_put_batch(b, &wrong, &err), ZA_ERR_MALFORMED);
    zp_bundle_close(b);

    /* resume: the same audit reopens; batch 0 is there, 1 is not */
    assert_int_equal(zp_bundle_open_write(p, rid, mid, 10, 4, &b, &err), ZA_OK);
    assert_int_equal(zp_bundle_has_batch(b, 0, &err), 1);
    assert_int_equal(zp_bundle_has_batch(b, 1, &err), 0);
    bt = batch_for(2, proof, 50);
    assert_int_equal(zp_bundle_put_batch(b, &bt, &err), ZA_OK);
    zp_bundle_close(b);

    /* another request, model or batching is refused */
    uint8_t other[32];
    memset(other, 9, 32);
    assert_int_equal(zp_bundle_open_write(p, other, mid, 10, 4, &b, &err), ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "another request"));
    assert_int_equal(zp_bundle_open_write(p, rid, other, 10, 4, &b, &err), ZA_ERR_MISMATCH);
    assert_int_equal(zp_bundle_open_write(p, rid, mid, 10, 5, &b, &err), ZA_ERR_MISMATCH);
    assert_int_equal(zp_bundle_open_write(p, rid, mid, 10, 0, &b, &err), ZA_ERR_ARG);

    /* the buyer's side */
    assert_int_equal(zp_bundle_open_readonly(p, &b, &err), ZA_OK);
    assert_int_equal(zp_bundle_get_info(b, &info, &err), ZA_OK);
    assert_int_equal(info.batches_present, 2);
    assert_memory_equal(info.request_id, rid, 32);
    zp_bundle_batch got;
    int found;
    assert_int_equal(zp_bundle_get_batch(b, 2, &got, &found, &err), ZA_OK);
    assert_int_equal(found, 1);
    assert_int_equal(got.proof_len, 50);
    assert_int_equal(got.first, 8);
    assert_int_equal(got.count, 2);
    assert_true(got.cpu_s == 1.5 && got.wall_s == 0.8 && got.threads == 2);
    zp_bundle_batch_free(&got);
    assert_int_equal(zp_bundle_get_batch(b, 1, &got, &found, &err), ZA_OK);
    assert_int_equal(found, 0);
    zp_bundle_close(b);
}

static void exec_sql(const char *p, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

static void copy_file(const char *from, const char *to)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", from, to, to, to);
    assert_int_equal(system(cmd), 0);
}

/* Files from the other party that are not exactly a bundle are refused. */
static void test_hostile_files(void **state)
{
    (void)state;
    za_error err;
    zp_bundle *b;
    memset(rid, 1, 32);
    memset(mid, 2, 32);
    char good[128];
    snprintf(good, sizeof good, "%s", path_of("good.bundle"));
    assert_int_equal(zp_bundle_open_write(good, rid, mid, 10, 4, &b, &err), ZA_OK);
    uint8_t proof[8] = { 1 };
    zp_bundle_batch bt = batch_for(0, proof, sizeof proof);
    assert_int_equal(zp_bundle_put_batch(b, &bt, &err), ZA_OK);
    zp_bundle_close(b); /* checkpoints the WAL into the file */

    static const char *attacks[] = {
        "CREATE TRIGGER t AFTER INSERT ON batches BEGIN DELETE FROM meta; END",
        "CREATE TABLE extra(x)",
        "CREATE VIEW v AS SELECT * FROM meta",
        "PRAGMA application_id = 1",
        "PRAGMA user_version = 99",
        "UPDATE meta SET value = 'zkaudit-bundle/v9' WHERE key = 'format'",
        "UPDATE meta SET value = 'xyz' WHERE key = 'request_id'",
        "UPDATE meta SET value = '0' WHERE key = 'batch_size'",
        "DELETE FROM meta WHERE key = 'n_samples'",
    };
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
        const char *p = path_of("bad.bundle");
        copy_file(good, p);
        exec_sql(p, attacks[i]);
        if (zp_bundle_open_readonly(p, &b, &err) == ZA_OK) {
            zp_bundle_close(b);
            fail_msg("accepted a bundle altered by: %s", attacks[i]);
        }
    }
    /* a proof that is not a blob, and a batch with another range */
    const char *p = path_of("bad2.bundle");
    copy_file(good, p);
    exec_sql(p, "UPDATE batches SET proof = 'text' WHERE batch = 0");
    assert_int_equal(zp_bundle_open_readonly(p, &b, &err), ZA_OK);
    zp_bundle_batch got;
    int found;
    assert_int_equal(zp_bundle_get_batch(b, 0, &got, &found, &err), ZA_ERR_MALFORMED);
    zp_bundle_close(b);
    copy_file(good, p);
    exec_sql(p, "UPDATE batches SET first = 1 WHERE batch = 0");
    assert_int_equal(zp_bundle_open_readonly(p, &b, &err), ZA_OK);
    assert_int_equal(zp_bundle_get_batch(b, 0, &got, &found, &err), ZA_ERR_MALFORMED);
    zp_bundle_close(b);
    /* not a database at all */
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs("this is not a database, just text that is long enough to look like one", f);
    fclose(f);
    assert_int_not_equal(zp_bundle_open_readonly(p, &b, &err), ZA_OK);
    assert_int_not_equal(zp_bundle_open_readonly(path_of("missing.bundle"), &b, &err), ZA_OK);
}

static void test_merge(void **state)
{
    (void)state;
    za_error err;
    zp_bundle *x, *y;
    memset(rid, 3, 32);
    memset(mid, 4, 32);
    assert_int_equal(zp_bundle_open_write(path_of("s0.bundle"), rid, mid, 10, 4, &x, &err), ZA_OK);
    assert_int_equal(zp_bundle_open_write(path_of("s1.bundle"), rid, mid, 10, 4, &y, &err), ZA_OK);
    uint8_t proof[16] = { 7 };
    zp_bundle_batch b0 = batch_for(0, proof, 16), b1 = batch_for(1, proof, 12),
                    b2 = batch_for(2, proof, 9);
    assert_int_equal(zp_bundle_put_batch(x, &b0, &err), ZA_OK);
    assert_int_equal(zp_bundle_put_batch(x, &b2, &err), ZA_OK);
    assert_int_equal(zp_bundle_put_batch(y, &b1, &err), ZA_OK);
    assert_int_equal(zp_bundle_put_batch(y, &b2, &err), ZA_OK);
    uint64_t copied;
    assert_int_equal(zp_bundle_merge(x, y, &copied, &err), ZA_OK);
    assert_int_equal(copied, 1);
    zp_bundle_info info;
    assert_int_equal(zp_bundle_get_info(x, &info, &err), ZA_OK);
    assert_int_equal(info.batches_present, 3);
    zp_bundle *z;
    uint8_t other[32] = { 5 };
    assert_int_equal(zp_bundle_open_write(path_of("s2.bundle"), other, mid, 10, 4, &z, &err),
                     ZA_OK);
    assert_int_equal(zp_bundle_merge(x, z, &copied, &err), ZA_ERR_MISMATCH);
    zp_bundle_close(x);
    zp_bundle_close(y);
    zp_bundle_close(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_resume_read),
        cmocka_unit_test(test_hostile_files),
        cmocka_unit_test(test_merge),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
