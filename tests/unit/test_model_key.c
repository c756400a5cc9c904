/* tests/unit/test_model_key.c - the private commitment's key file
 * (protocol/model_key.h):
 *   - a key round-trips (seed, budget, model id), is created mode 0600 and
 *     is never overwritten;
 *   - the ledger spends each slot once: B reservations succeed, the next
 *     fails with ZA_ERR_LIMIT, and the count survives reopening;
 *   - shard K of N takes only slots = K (mod N), so two copies of one key
 *     used by shards 0/2 and 1/2 spend disjoint slots and at most B in all;
 *   - two handles on one file (two processes) never spend a slot twice;
 *   - a file that is not a key, or a key with a malformed row, is refused.
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

#include "common/file.h"
#include "protocol/model_key.h"

static char dir[64];

static void path_in(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static zp_model_secret secret(unsigned budget)
{
    zp_model_secret s;
    for (int i = 0; i < ZP_MODEL_SEED_LEN; i++)
        s.seed[i] = (uint8_t)(3 * i + 1);
    for (int i = 0; i < 32; i++)
        s.model_id[i] = (uint8_t)(255 - i);
    s.budget = budget;
    return s;
}

static void test_roundtrip(void **state)
{
    (void)state;
    char p[128];
    path_in(p, sizeof p, "a.key");
    za_error err;
    zp_model_secret s = secret(5);
    assert_int_equal(zp_model_key_create(p, &s, &err), ZA_OK);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* never overwritten */
    zp_model_secret other = secret(7);
    assert_int_equal(zp_model_key_create(p, &other, &err), ZA_ERR_ARG);
    zp_model_key *k = NULL;
    assert_int_equal(zp_model_key_open(p, &k, &err), ZA_OK);
    const zp_model_secret *r = zp_model_key_secret(k);
    assert_memory_equal(r->seed, s.seed, ZP_MODEL_SEED_LEN);
    assert_memory_equal(r->model_id, s.model_id, 32);
    assert_int_equal(r->budget, 5);
    zp_model_key_close(k);
    /* budgets outside 1..64 are refused */
    path_in(p, sizeof p, "b.key");
    zp_model_secret z = secret(0);
    assert_int_equal(zp_model_key_create(p, &z, &err), ZA_ERR_ARG);
    z.budget = 65;
    assert_int_equal(zp_model_key_create(p, &z, &err), ZA_ERR_ARG);
    assert_int_not_equal(access(p, F_OK), 0);
}

static void test_budget(void **state)
{
    (void)state;
    char p[128];
    path_in(p, sizeof p, "budget.key");
    za_error err;
    zp_model_secret s = secret(4);
    assert_int_equal(zp_model_key_create(p, &s, &err), ZA_OK);
    zp_model_key *k = NULL, *k2 = NULL;
    assert_int_equal(zp_model_key_open(p, &k, &err), ZA_OK);
    assert_int_equal(zp_model_key_open(p, &k2, &err), ZA_OK); /* another process's handle */
    unsigned slot = 99, used = 99, seen = 0;
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(zp_model_key_reserve(i % 2 ? k2 : k, 0, 1, "t", &slot, &err), ZA_OK);
        assert_true(slot < 4);
        assert_false(seen & (1u << slot)); /* each slot once */
        seen |= 1u << slot;
    }
    assert_int_equal(seen, 0xf);
    assert_int_equal(zp_model_key_reserve(k, 0, 1, "t", &slot, &err), ZA_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "budget"));
    assert_int_equal(zp_model_key_reserve(k2, 0, 1, NULL, &slot, &err), ZA_ERR_LIMIT);
    assert_int_equal(zp_model_key_used(k, &used, &err), ZA_OK);
    assert_int_equal(used, 4);
    zp_model_key_close(k);
    zp_model_key_close(k2);
    /* the count survives reopening */
    assert_int_equal(zp_model_key_open(p, &k, &err), ZA_OK);
    assert_int_equal(zp_model_key_used(k, &used, &err), ZA_OK);
    assert_int_equal(used, 4);
    assert_int_equal(zp_model_key_reserve(k, 0, 1, "t", &slot, &err), ZA_ERR_LIMIT);
    /* bad shard arguments */
    assert_int_equal(zp_model_key_reserve(k, 2, 2, "t", &slot, &err), ZA_ERR_ARG);
    zp_model_key_close(k);
}

static void test_shards_on_copies(void **state)
{
    (void)state;
    char p[128], q[128];
    path_in(p, sizeof p, "shard.key");
    path_in(q, sizeof q, "shard-copy.key");
    za_error err;
    zp_model_secret s = secret(7);
    assert_int_equal(zp_model_key_create(p, &s, &err), ZA_OK);
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(za_read_file(p, 1 << 20, &buf, &len, &err), ZA_OK);
    assert_int_equal(za_write_file_atomic(q, buf, len, &err), ZA_OK);
    free(buf);
    zp_model_key *a = NULL, *b = NULL;
    assert_int_equal(zp_model_key_open(p, &a, &err), ZA_OK);
    assert_int_equal(zp_model_key_open(q, &b, &err), ZA_OK);
    unsigned seen = 0, slot = 0, na = 0, nb = 0;
    while (zp_model_key_reserve(a, 0, 2, "a", &slot, &err) == ZA_OK) {
        assert_int_equal(slot % 2, 0);
        assert_false(seen & (1u << slot));
        seen |= 1u << slot, na++;
    }
    assert_int_equal(err.code, ZA_ERR_LIMIT);
    while (zp_model_key_reserve(b, 1, 2, "b", &slot, &err) == ZA_OK) {
        assert_int_equal(slot % 2, 1);
        assert_false(seen & (1u << slot));
        seen |= 1u << slot, nb++;
    }
    /* slots 0, 2, 4, 6 and 1, 3, 5: the budget of 7 in all, none twice */
    assert_int_equal(na, 4);
    assert_int_equal(nb, 3);
    assert_int_equal(seen, 0x7f);
    zp_model_key_close(a);
    zp_model_key_close(b);
}

static void test_refusals(void **state)
{
    (void)state;
    char p[128];
    za_error err;
    zp_model_key *k = NULL;
    path_in(p, sizeof p, "missing.key");
    assert_int_not_equal(zp_model_key_open(p, &k, &err), ZA_OK);
    assert_null(k);
    /* a SQLite file that is not a key */
    path_in(p, sizeof p, "other.db");
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(p, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(zp_model_key_open(p, &k, &err), ZA_ERR_MALFORMED);
    /* not SQLite at all */
    path_in(p, sizeof p, "text.key");
    assert_int_equal(za_write_file_atomic(p, (const uint8_t *)"hello", 5, &err), ZA_OK);
    assert_int_not_equal(zp_model_key_open(p, &k, &err), ZA_OK);
    /* a key whose seed was cut short */
    path_in(p, sizeof p, "short.key");
    zp_model_secret s = secret(3);
    assert_int_equal(zp_model_key_create(p, &s, &err), ZA_OK);
    assert_int_equal(sqlite3_open(p, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "UPDATE key SET seed = x'0102'", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(zp_model_key_open(p, &k, &err), ZA_ERR_MALFORMED);
    assert_null(k);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/za_test_mk_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_shards_on_copies),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests_name("model key", tests, setup, teardown);
}
