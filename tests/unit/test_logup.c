/* tests/unit/test_logup.c - the logUp lookup argument.
 *
 * Completeness for range tables and tuple tables over many sizes; the
 * witness claims it returns are the true MLE values; soundness: a witness
 * value outside the table (honest prover refuses; a cheating prover with
 * doctored multiplicities is rejected), wrong multiplicities for a valid
 * witness, a witness row that is not a table tuple, and random bit flips. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"
#include "zk/logup.h"
#include "zk/mle.h"

typedef struct {
    uint8_t *proof;
    size_t len;
    zk_logup_claims pc;
} run;

static za_status prove(const zk_fp *const *cols, unsigned n, const zk_lookup_table *T,
                       const zk_fp *mu, run *out, za_error *err)
{
    zk_transcript t;
    zk_transcript_init(&t, "test/logup");
    zk_writer w;
    zk_writer_init(&w);
    za_status st = mu ? zk_logup_prove_with_multiplicities(cols, n, T, mu, &t, 2, &w, &out->pc, err)
                      : zk_logup_prove(cols, n, T, &t, 2, &w, &out->pc, err);
    out->proof = zk_writer_take(&w, &out->len);
    if (st == ZA_OK && !out->proof)
        st = ZA_ERR_NOMEM;
    return st;
}

static za_status verify(const uint8_t *p, size_t len, unsigned n, const zk_lookup_table *T,
                        zk_logup_claims *vc, za_error *err)
{
    zk_transcript t;
    zk_transcript_init(&t, "test/logup");
    zk_reader r;
    zk_reader_init(&r, p, len, "proof", err);
    za_status st = zk_logup_verify(n, T, &t, &r, vc, err);
    if (st == ZA_OK)
        st = zk_reader_finish(&r);
    return st;
}

static void check_claims(const zk_fp *const *cols, unsigned n, unsigned c, const zk_logup_claims *pc,
                         const zk_logup_claims *vc)
{
    assert_int_equal(pc->n_vars, n);
    assert_int_equal(vc->n_vars, n);
    for (unsigned j = 0; j < n; j++)
        assert_true(zk_fp2_eq(pc->point[j], vc->point[j]));
    for (unsigned k = 0; k < c; k++) {
        assert_true(zk_fp2_eq(pc->values[k], vc->values[k]));
        assert_true(zk_fp2_eq(pc->values[k], zk_mle_eval(cols[k], n, pc->point)));
    }
}

static void test_range_completeness(void **state)
{
    (void)state;
    uint64_t s = zt_seed("logup/range");
    for (unsigned bits = 1; bits <= 16; bits += 3) {
        zk_lookup_table T = zk_lookup_range(bits);
        for (unsigned n = 1; n <= 14; n += (n < 4 ? 1 : 5)) {
            size_t N = (size_t)1 << n;
            zk_fp *a = malloc(sizeof(zk_fp) * N);
            for (size_t i = 0; i < N; i++)
                a[i] = (i % 5 == 0) ? ((zk_fp)1 << bits) - 1 : zt_next(&s) % ((zk_fp)1 << bits);
            const zk_fp *cols[1] = { a };
            run pr;
            za_error err;
            zk_logup_claims vc;
            assert_int_equal(prove(cols, n, &T, NULL, &pr, &err), ZA_OK);
            if (verify(pr.proof, pr.len, n, &T, &vc, &err) != ZA_OK)
                fail_msg("range 2^%u, witness 2^%u: %s", bits, n, err.msg);
            check_claims(cols, n, 1, &pr.pc, &vc);
            free(pr.proof);
            free(a);
        }
    }
}

static void test_tuple_table(void **state)
{
    (void)state;
    uint64_t s = zt_seed("logup/tuple");
    /* (x, relu6-like clamp(x, 10, 100), x*x mod 2^16) for x in [0, 256) */
    const unsigned m = 8, n = 10;
    size_t M = (size_t)1 << m, N = (size_t)1 << n;
    zk_fp *t0 = malloc(sizeof(zk_fp) * M), *t1 = malloc(sizeof(zk_fp) * M), *t2 = malloc(sizeof(zk_fp) * M);
    for (size_t j = 0; j < M; j++) {
        t0[j] = j;
        t1[j] = j < 10 ? 10 : (j > 100 ? 100 : j);
        t2[j] = (j * j) & 0xffff;
    }
    zk_lookup_table T = { m, 3, { t0, t1, t2 } };
    zk_fp *a0 = malloc(sizeof(zk_fp) * N), *a1 = malloc(sizeof(zk_fp) * N), *a2 = malloc(sizeof(zk_fp) * N);
    for (size_t i = 0; i < N; i++) {
        size_t j = zt_next(&s) % M;
        a0[i] = t0[j];
        a1[i] = t1[j];
        a2[i] = t2[j];
    }
    const zk_fp *cols[3] = { a0, a1, a2 };
    run pr;
    za_error err;
    zk_logup_claims vc;
    assert_int_equal(prove(cols, n, &T, NULL, &pr, &err), ZA_OK);
    if (verify(pr.proof, pr.len, n, &T, &vc, &err) != ZA_OK)
        fail_msg("tuple table: %s", err.msg);
    check_claims(cols, n, 3, &pr.pc, &vc);
    free(pr.proof);
    /* a witness row whose columns are each in the table but not together */
    a1[17] = a1[17] == 10 ? 11 : 10;
    if (t1[a0[17]] == a1[17])
        a1[17] = 55 + (a0[17] == 55);
    assert_int_equal(prove(cols, n, &T, NULL, &pr, &err), ZA_ERR_ARG);
    free(pr.proof);
    /* the cheating prover with the honest multiplicities of the other rows */
    zk_fp *mu = calloc(M, sizeof(zk_fp));
    for (size_t i = 0; i < N; i++)
        if (i != 17)
            mu[a0[i]]++;
    mu[a0[17]]++; /* pretend row 17 is the tuple at its x */
    assert_int_equal(prove(cols, n, &T, mu, &pr, &err), ZA_OK);
    assert_int_not_equal(verify(pr.proof, pr.len, n, &T, &vc, &err), ZA_OK);
    free(pr.proof);
    free(mu);
    free(a0);
    free(a1);
    free(a2);
    free(t0);
    free(t1);
    free(t2);
}

static void test_soundness(void **state)
{
    (void)state;
    uint64_t s = zt_seed("logup/sound");
    const unsigned bits = 8, n = 9;
    size_t N = (size_t)1 << n, M = (size_t)1 << bits;
    zk_lookup_table T = zk_lookup_range(bits);
    zk_fp *a = malloc(sizeof(zk_fp) * N);
    for (size_t i = 0; i < N; i++)
        a[i] = zt_next(&s) % M;
    const zk_fp *cols[1] = { a };
    run pr;
    za_error err;
    zk_logup_claims vc;
    /* 1. a value outside the range: the honest prover refuses ... */
    zk_fp saved = a[100];
    a[100] = M + 3;
    assert_int_equal(prove(cols, n, &T, NULL, &pr, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "outside the range"));
    free(pr.proof);
    /* ... and a cheating prover that counts it as some in-range value is
     * rejected, whatever value it picks */
    zk_fp *mu = calloc(M, sizeof(zk_fp));
    for (zk_fp pretend = 0; pretend < 6; pretend++) {
        memset(mu, 0, sizeof(zk_fp) * M);
        for (size_t i = 0; i < N; i++)
            mu[i == 100 ? pretend : a[i]]++;
        assert_int_equal(prove(cols, n, &T, mu, &pr, &err), ZA_OK);
        assert_int_not_equal(verify(pr.proof, pr.len, n, &T, &vc, &err), ZA_OK);
        free(pr.proof);
    }
    /* a negative value (p - 1) is outside too */
    a[100] = ZK_P - 1;
    memset(mu, 0, sizeof(zk_fp) * M);
    for (size_t i = 0; i < N; i++)
        mu[i == 100 ? 255 : a[i]]++;
    assert_int_equal(prove(cols, n, &T, mu, &pr, &err), ZA_OK);
    assert_int_not_equal(verify(pr.proof, pr.len, n, &T, &vc, &err), ZA_OK);
    free(pr.proof);
    a[100] = saved;
    /* 2. wrong multiplicities for a valid witness */
    memset(mu, 0, sizeof(zk_fp) * M);
    for (size_t i = 0; i < N; i++)
        mu[a[i]]++;
    mu[a[0]] = zk_fp_add(mu[a[0]], 1);
    mu[(a[0] + 1) % M] = zk_fp_sub(mu[(a[0] + 1) % M], 1);
    assert_int_equal(prove(cols, n, &T, mu, &pr, &err), ZA_OK);
    assert_int_not_equal(verify(pr.proof, pr.len, n, &T, &vc, &err), ZA_OK);
    free(pr.proof);
    /* 3. bit flips over a whole honest proof */
    assert_int_equal(prove(cols, n, &T, NULL, &pr, &err), ZA_OK);
    assert_int_equal(verify(pr.proof, pr.len, n, &T, &vc, &err), ZA_OK);
    const char *fe = getenv("ZKAUDIT_TEST_FLIPS");
    long flips = fe ? atol(fe) : 1000;
    uint8_t *m = malloc(pr.len);
    for (long k = 0; k < flips; k++) {
        memcpy(m, pr.proof, pr.len);
        size_t pos = (size_t)(zt_next(&s) % pr.len);
        m[pos] ^= (uint8_t)(1u << (zt_next(&s) % 8));
        if (verify(m, pr.len, n, &T, &vc, &err) == ZA_OK) {
            /* the witness claims still bind the caller: a flip that only
             * changed them must change the claimed values */
            int same = 1;
            for (unsigned j = 0; j < n; j++)
                same &= zk_fp2_eq(vc.point[j], pr.pc.point[j]);
            same &= zk_fp2_eq(vc.values[0], pr.pc.values[0]);
            if (same)
                fail_msg("flip of byte %zu of %zu accepted with unchanged claims", pos, pr.len);
            assert_false(zk_fp2_eq(vc.values[0], zk_mle_eval(a, n, vc.point)));
        }
    }
    free(m);
    free(pr.proof);
    free(mu);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_completeness),
        cmocka_unit_test(test_tuple_table),
        cmocka_unit_test(test_soundness),
    };
    return cmocka_run_group_tests_name("logup", tests, NULL, NULL);
}
