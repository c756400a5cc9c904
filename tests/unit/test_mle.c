/* tests/unit/test_mle.c - multilinear tables (zk/mle.h).
 *
 * The eq table and the evaluation of base and extension tables against the
 * definition MLE(v)(r) = sum_i v[i] prod_j eq1(r_j, bit_j(i)) for n = 0..12;
 * folding (highest variable first, in place or not) against evaluation;
 * the large-n code paths (outer-product eq table, blocked evaluation,
 * threads) against the small-n ones; zero-padding. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"
#include "zk/mle.h"

static uint64_t seed;

static zk_fp rnd_fp(uint64_t *s)
{
    uint64_t v;
    do
        v = zt_next(s);
    while (v >= ZK_P);
    return v;
}

static zk_fp2 rnd_fp2(uint64_t *s)
{
    zk_fp a = rnd_fp(s);
    return zk_fp2_make(a, rnd_fp(s));
}

static void assert_fp2_eq(zk_fp2 a, zk_fp2 b)
{
    assert_true(a.c0 == b.c0 && a.c1 == b.c1);
}

static const zk_fp2 ONE = { 1, 0 };

/* prod_j eq1(r_j, bit_j(i)) straight from the definition */
static zk_fp2 eq_direct(const zk_fp2 *r, unsigned n, size_t i)
{
    zk_fp2 p = ONE;
    for (unsigned j = 0; j < n; j++) {
        zk_fp2 f = ((i >> j) & 1) ? r[j] : zk_fp2_sub(ONE, r[j]);
        p = zk_fp2_mul(p, f);
    }
    return p;
}

static zk_fp2 eval_direct_base(const zk_fp *v, unsigned n, const zk_fp2 *r)
{
    zk_fp2 s = { 0, 0 };
    for (size_t i = 0; i < ((size_t)1 << n); i++)
        s = zk_fp2_add(s, zk_fp2_mul_fp(eq_direct(r, n, i), v[i]));
    return s;
}

static zk_fp2 eval_direct_ext(const zk_fp2 *v, unsigned n, const zk_fp2 *r)
{
    zk_fp2 s = { 0, 0 };
    for (size_t i = 0; i < ((size_t)1 << n); i++)
        s = zk_fp2_add(s, zk_fp2_mul(eq_direct(r, n, i), v[i]));
    return s;
}

static void test_lazy_arithmetic(void **state)
{
    (void)state;
    uint64_t s = seed;
    const zk_fp edge[] = { 0, 1, 2, ZK_P - 1, ZK_P - 2, ZK_EPSILON, (zk_fp)1 << 32,
                           ((zk_fp)1 << 63), ZK_P - ZK_EPSILON };
    for (int it = 0; it < 6561 + 20000; it++) {
        zk_fp2 a, b;
        if (it < 6561) { /* every combination of edge values */
            a = zk_fp2_make(edge[it % 9], edge[(it / 9) % 9]);
            b = zk_fp2_make(edge[(it / 81) % 9], edge[(it / 729) % 9]);
        } else {
            a = rnd_fp2(&s);
            b = rnd_fp2(&s);
        }
        assert_fp2_eq(zk_fp2_mul_lazy(a, b), zk_fp2_mul(a, b));
        assert_fp2_eq(zk_fp2_mul_v(a, b), zk_fp2_mul(a, b));
        assert_true(zk_fp_mul_v(a.c0, b.c1) == zk_fp_mul(a.c0, b.c1));
        assert_true(zk_fp_mul_limbs(a.c0, b.c1) == zk_fp_mul(a.c0, b.c1));
        assert_true(zk_fp_mul_limbs(a.c1, b.c0) == zk_fp_mul(a.c1, b.c0));
        assert_true(zk_fp_add_v(a.c0, b.c1) == zk_fp_add(a.c0, b.c1));
        assert_true(zk_fp_sub_v(a.c0, b.c1) == zk_fp_sub(a.c0, b.c1));
        assert_true(zk_fp_mul7_v(a.c1) == zk_fp_mul(a.c1, 7));
        assert_fp2_eq(zk_fp2_mul_by_const(a, zk_fp_mul(a.c1, ZK_FP2_W), b), zk_fp2_mul(a, b));
        assert_true(zk_fp_dot2(a.c0, b.c0, a.c1, b.c1) ==
                    zk_fp_add(zk_fp_mul(a.c0, b.c0), zk_fp_mul(a.c1, b.c1)));
    }
    /* the branch-free reduction against field.h on edge and random 128-bit values */
    const uint64_t w[] = { 0, 1, ZK_EPSILON, (uint64_t)1 << 32, ZK_P - 1, ZK_P, ZK_P + 1,
                           ~(uint64_t)0, ~(uint64_t)0 - ZK_EPSILON, (uint64_t)1 << 63 };
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++) {
            unsigned __int128 x = ((unsigned __int128)w[i] << 64) | w[j];
            assert_true(zk_fp_reduce128_bf(x) == zk_fp_reduce128(x));
        }
    for (int it = 0; it < 100000; it++) {
        unsigned __int128 x = ((unsigned __int128)zt_next(&s) << 64) | zt_next(&s);
        assert_true(zk_fp_reduce128_bf(x) == zk_fp_reduce128(x));
        zk_fp a = rnd_fp(&s), b = rnd_fp(&s);
        assert_true(zk_fp_mul_bf(a, b) == zk_fp_mul(a, b));
    }
    /* a 192-bit accumulator over many maximal products */
    zk_acc192 acc = { 0, 0 };
    zk_fp ref = 0;
    for (int i = 0; i < 100000; i++) {
        zk_fp x = i & 1 ? ZK_P - 1 : rnd_fp(&s), y = ZK_P - 1 - (zk_fp)(i & 3);
        zk_acc_mac(&acc, x, y);
        ref = zk_fp_add(ref, zk_fp_mul(x, y));
    }
    assert_true(zk_acc_reduce(acc) == ref);
}

static void test_eq_table(void **state)
{
    (void)state;
    uint64_t s = seed + 1;
    zk_fp2 r[20];
    zk_fp2 *t = malloc(sizeof(zk_fp2) << 12);
    for (unsigned n = 0; n <= 12; n++) {
        for (unsigned j = 0; j < n; j++)
            r[j] = rnd_fp2(&s);
        zk_eq_table(r, n, t);
        for (size_t i = 0; i < ((size_t)1 << n); i++)
            assert_fp2_eq(t[i], eq_direct(r, n, i));
        /* eq(r, b) for a Boolean b is the table entry */
        zk_fp2 b[20];
        size_t idx = n ? zt_next(&s) & (((size_t)1 << n) - 1) : 0;
        for (unsigned j = 0; j < n; j++)
            b[j] = zk_fp2_make((idx >> j) & 1, 0);
        assert_fp2_eq(zk_eq_eval(r, b, n), t[idx]);
        assert_fp2_eq(zk_eq_eval(b, r, n), t[idx]);
        /* and the table sums to 1 */
        zk_fp2 sum = { 0, 0 };
        for (size_t i = 0; i < ((size_t)1 << n); i++)
            sum = zk_fp2_add(sum, t[i]);
        assert_fp2_eq(sum, ONE);
    }
    free(t);
}

static void test_eq_table_large(void **state)
{
    (void)state;
    uint64_t s = seed + 2;
    const unsigned n = 18; /* the outer-product path, on two threads */
    size_t N = (size_t)1 << n;
    zk_fp2 r[18];
    for (unsigned j = 0; j < n; j++)
        r[j] = rnd_fp2(&s);
    zk_fp2 *a = malloc(sizeof(zk_fp2) * N), *b = malloc(sizeof(zk_fp2) * N);
    zk_eq_table_mt(r, n, a, 2);
    zk_eq_table_mt(r, n, b, 1);
    assert_memory_equal(a, b, sizeof(zk_fp2) * N);
    for (int k = 0; k < 200; k++) {
        size_t i = zt_next(&s) & (N - 1);
        assert_fp2_eq(a[i], eq_direct(r, n, i));
    }
    /* scaled and accumulated */
    zk_fp2 sc = rnd_fp2(&s), sc2 = rnd_fp2(&s);
    zk_fp2 r2[18];
    for (unsigned j = 0; j < n; j++)
        r2[j] = rnd_fp2(&s);
    zk_eq_table_scaled(r, n, sc, b, 2);
    zk_eq_table_accumulate(r2, n, sc2, b, 2);
    for (int k = 0; k < 200; k++) {
        size_t i = zt_next(&s) & (N - 1);
        zk_fp2 want = zk_fp2_add(zk_fp2_mul(sc, eq_direct(r, n, i)),
                                 zk_fp2_mul(sc2, eq_direct(r2, n, i)));
        assert_fp2_eq(b[i], want);
    }
    /* small accumulate path */
    zk_fp2 c[16];
    zk_eq_table_scaled(r, 4, sc, c, 1);
    zk_eq_table_accumulate(r2, 4, sc2, c, 1);
    for (size_t i = 0; i < 16; i++)
        assert_fp2_eq(c[i], zk_fp2_add(zk_fp2_mul(sc, eq_direct(r, 4, i)),
                                       zk_fp2_mul(sc2, eq_direct(r2, 4, i))));
    free(a);
    free(b);
}

static void test_eval_definition(void **state)
{
    (void)state;
    uint64_t s = seed + 3;
    zk_fp *v = malloc(sizeof(zk_fp) << 12);
    zk_fp2 *ve = malloc(sizeof(zk_fp2) << 12);
    zk_fp2 r[12];
    for (unsigned n = 0; n <= 12; n++) {
        size_t N = (size_t)1 << n;
        for (size_t i = 0; i < N; i++) {
            v[i] = rnd_fp(&s);
            ve[i] = rnd_fp2(&s);
        }
        for (unsigned j = 0; j < n; j++)
            r[j] = rnd_fp2(&s);
        zk_fp2 want = eval_direct_base(v, n, r);
        assert_fp2_eq(zk_mle_eval(v, n, r), want);
        assert_fp2_eq(zk_mle_eval_mt(v, n, r, 2), want);
        assert_fp2_eq(zk_mle_eval_ref(zk_mle_ref_base(v), n, r, 1), want);
        zk_fp2 wante = eval_direct_ext(ve, n, r);
        assert_fp2_eq(zk_mle_eval_ext(ve, n, r), wante);
        assert_fp2_eq(zk_mle_eval_ref(zk_mle_ref_ext(ve), n, r, 1), wante);
        /* on the hypercube the MLE is the table */
        size_t idx = zt_next(&s) & (N - 1);
        zk_fp2 b[12];
        for (unsigned j = 0; j < n; j++)
            b[j] = zk_fp2_make((idx >> j) & 1, 0);
        assert_fp2_eq(zk_mle_eval(v, n, b), zk_fp2_from_fp(v[idx]));
        assert_fp2_eq(zk_mle_eval_ext(ve, n, b), ve[idx]);
        /* extreme values */
        for (size_t i = 0; i < N; i++) {
            v[i] = ZK_P - 1;
            ve[i] = zk_fp2_make(ZK_P - 1, ZK_P - 1);
        }
        for (unsigned j = 0; j < n; j++)
            r[j] = zk_fp2_make(ZK_P - 1 - j, ZK_P - 2);
        assert_fp2_eq(zk_mle_eval(v, n, r), eval_direct_base(v, n, r));
        assert_fp2_eq(zk_mle_eval_ext(ve, n, r), eval_direct_ext(ve, n, r));
    }
    free(v);
    free(ve);
}

/* fold highest-first down to one element: the MLE at r */
static void test_fold_against_eval(void **state)
{
    (void)state;
    uint64_t s = seed + 4;
    zk_fp *v = malloc(sizeof(zk_fp) << 12);
    zk_fp2 *a = malloc(sizeof(zk_fp2) << 12), *b = malloc(sizeof(zk_fp2) << 12);
    zk_fp2 r[12];
    for (unsigned n = 1; n <= 12; n++) {
        size_t N = (size_t)1 << n;
        for (size_t i = 0; i < N; i++)
            v[i] = rnd_fp(&s);
        for (unsigned j = 0; j < n; j++)
            r[j] = rnd_fp2(&s);
        zk_fp2 want = zk_mle_eval(v, n, r);
        zk_mle_fold_base(v, n, r[n - 1], a, 1);
        /* after binding x_{n-1}, the table is the MLE in the remaining variables */
        assert_fp2_eq(zk_mle_eval_ext(a, n - 1, r), want);
        for (unsigned k = n - 1; k > 0; k--) {
            zk_mle_fold_ext(a, k, r[k - 1], b, 1); /* out of place */
            zk_mle_fold_ext(a, k, r[k - 1], a, 1); /* in place */
            assert_memory_equal(a, b, sizeof(zk_fp2) << (k - 1));
            assert_fp2_eq(zk_mle_eval_ext(a, k - 1, r), want);
        }
        assert_fp2_eq(a[0], want);
    }
    free(v);
    free(a);
    free(b);
}

static void test_large_paths(void **state)
{
    (void)state;
    uint64_t s = seed + 5;
    const unsigned n = 17;
    size_t N = (size_t)1 << n;
    zk_fp *v = malloc(sizeof(zk_fp) * N);
    zk_fp2 *ve = malloc(sizeof(zk_fp2) * N), *f = malloc(sizeof(zk_fp2) * N);
    zk_fp2 r[17];
    for (size_t i = 0; i < N; i++) {
        v[i] = rnd_fp(&s);
        ve[i] = rnd_fp2(&s);
    }
    for (unsigned j = 0; j < n; j++)
        r[j] = rnd_fp2(&s);
    /* evaluation = folding, at every thread count */
    zk_mle_fold_base(v, n, r[n - 1], f, 2);
    for (unsigned k = n - 1; k > 0; k--)
        zk_mle_fold_ext(f, k, r[k - 1], f, 2);
    zk_fp2 want = f[0];
    assert_fp2_eq(zk_mle_eval_mt(v, n, r, 1), want);
    assert_fp2_eq(zk_mle_eval_mt(v, n, r, 2), want);
    assert_fp2_eq(zk_mle_eval_mt(v, n, r, 3), want);
    zk_mle_fold_ext(ve, n, r[n - 1], f, 1);
    for (unsigned k = n - 1; k > 0; k--)
        zk_mle_fold_ext(f, k, r[k - 1], f, 1);
    assert_fp2_eq(zk_mle_eval_ext_mt(ve, n, r, 1), f[0]);
    assert_fp2_eq(zk_mle_eval_ext_mt(ve, n, r, 2), f[0]);
    /* evaluation = <eq table, v> */
    zk_eq_table(r, n, f);
    assert_fp2_eq(zk_mle_dot_base(f, v, N, 2), want);
    assert_fp2_eq(zk_mle_dot_base(f, v, N, 1), want);
    assert_fp2_eq(zk_mle_dot_ext(f, ve, N, 2), zk_mle_eval_ext(ve, n, r));
    free(v);
    free(ve);
    free(f);
}

static void test_padding(void **state)
{
    (void)state;
    uint64_t s = seed + 6;
    assert_int_equal(zk_mle_log2_ceil(0), 0);
    assert_int_equal(zk_mle_log2_ceil(1), 0);
    assert_int_equal(zk_mle_log2_ceil(2), 1);
    assert_int_equal(zk_mle_log2_ceil(3), 2);
    assert_int_equal(zk_mle_log2_ceil(4), 2);
    assert_int_equal(zk_mle_log2_ceil(5), 3);
    assert_int_equal(zk_mle_log2_ceil(((size_t)1 << 20) + 1), 21);
    za_error err;
    zk_fp v[100], out[128];
    for (int i = 0; i < 100; i++)
        v[i] = rnd_fp(&s);
    assert_int_equal(zk_mle_pad(v, 100, 6, out, &err), ZA_ERR_ARG);
    assert_int_equal(zk_mle_pad(v, 100, 7, out, &err), ZA_OK);
    assert_memory_equal(out, v, sizeof v);
    for (int i = 100; i < 128; i++)
        assert_true(out[i] == 0);
    /* a 2^k vector padded to 2^n: MLE(pad)(r) = MLE(v)(r_low) prod_{j>=k} (1 - r_j) */
    zk_fp2 r[7];
    for (int j = 0; j < 7; j++)
        r[j] = rnd_fp2(&s);
    assert_int_equal(zk_mle_pad(v, 32, 7, out, &err), ZA_OK);
    zk_fp2 want = zk_mle_eval(v, 5, r);
    want = zk_fp2_mul(want, zk_fp2_mul(zk_fp2_sub(ONE, r[5]), zk_fp2_sub(ONE, r[6])));
    assert_fp2_eq(zk_mle_eval(out, 7, r), want);
    zk_fp *p = NULL;
    unsigned n = 99;
    assert_int_equal(zk_mle_pad_alloc(v, 100, &p, &n, &err), ZA_OK);
    assert_int_equal(n, 7);
    assert_memory_equal(p, v, sizeof v);
    for (int i = 100; i < 128; i++)
        assert_true(p[i] == 0);
    free(p);
    assert_int_equal(zk_mle_pad_alloc(v, 0, &p, &n, &err), ZA_OK);
    assert_int_equal(n, 0);
    assert_true(p[0] == 0);
    free(p);
    /* extension padding, in place */
    zk_fp2 e[8];
    for (int i = 0; i < 8; i++)
        e[i] = rnd_fp2(&s);
    zk_fp2 e3[3] = { e[0], e[1], e[2] };
    assert_int_equal(zk_mle_pad_ext(e, 3, 3, e, &err), ZA_OK);
    assert_memory_equal(e, e3, sizeof e3);
    for (int i = 3; i < 8; i++)
        assert_true(zk_fp2_is_zero(e[i]));
    assert_int_equal(zk_mle_pad_ext(e, 9, 3, e, &err), ZA_ERR_ARG);
}

int main(void)
{
    seed = zt_seed("mle");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lazy_arithmetic),
        cmocka_unit_test(test_eq_table),
        cmocka_unit_test(test_eq_table_large),
        cmocka_unit_test(test_eval_definition),
        cmocka_unit_test(test_fold_against_eval),
        cmocka_unit_test(test_large_paths),
        cmocka_unit_test(test_padding),
    };
    return cmocka_run_group_tests_name("mle", tests, NULL, NULL);
}
