/* tests/unit/test_ntt.c - zk/ntt.h against definitions: a naive O(n^2) DFT
 * for every size up to 2^10 (forward, inverse, coset), Horner evaluation at
 * random points for the large sizes (four-step path) and for Reed-Solomon
 * codewords, round trips up to 2^20, batch vs per-row encoding, 1 vs 2
 * threads, linearity, edge values (p-1 everywhere, deltas), and the
 * pointwise product (a polynomial product through the NTT). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"
#include "zk/field.h"
#include "zk/ntt.h"

static uint64_t rng;

static zk_fp rand_fp(void)
{
    for (;;) {
        uint64_t v = zt_next(&rng);
        if (v < ZK_P)
            return v;
    }
}

/* random, with a bias towards the edges 0, 1, p-1, p-2^32 */
static void fill(zk_fp *v, size_t n)
{
    static const zk_fp edge[] = { 0, 1, ZK_P - 1, ZK_P - 2, 0xFFFFFFFF00000000ull, 0xFFFFFFFFull };
    for (size_t i = 0; i < n; i++) {
        uint64_t r = zt_next(&rng);
        v[i] = (r & 7) == 0 ? edge[(r >> 3) % 6] : rand_fp();
    }
}

static zk_fp *alloc_fp(size_t n)
{
    zk_fp *p = malloc(n * sizeof(zk_fp) + 8);
    assert_non_null(p);
    return p;
}

/* sum_j a[j] x^j */
static zk_fp horner(const zk_fp *a, size_t n, zk_fp x)
{
    zk_fp r = 0;
    for (size_t j = n; j-- > 0;)
        r = zk_fp_add(zk_fp_mul(r, x), a[j]);
    return r;
}

/* out[i] = scale * sum_j a[j] (shift * w^i)^j, w of order n (or its inverse) */
static void naive_dft(const zk_fp *a, zk_fp *out, unsigned L, zk_fp w, zk_fp shift, zk_fp scale)
{
    size_t n = (size_t)1 << L;
    zk_fp x = shift;
    for (size_t i = 0; i < n; i++) {
        out[i] = zk_fp_mul(scale, horner(a, n, x));
        x = zk_fp_mul(x, w);
    }
}

static zk_fp inv_n(unsigned L)
{
    return zk_fp_inv(zk_fp_pow(2, L));
}

static void test_ntt_naive(void **state)
{
    (void)state;
    size_t N = 1024;
    zk_fp *a = alloc_fp(N), *v = alloc_fp(N), *ref = alloc_fp(N);
    for (unsigned L = 0; L <= 10; L++) {
        size_t n = (size_t)1 << L;
        zk_fp w = zk_fp_root_of_unity(L);
        fill(a, n);
        naive_dft(a, ref, L, w, 1, 1);
        for (int threads = 1; threads <= 2; threads++) {
            memcpy(v, a, n * sizeof *v);
            zk_ntt(v, L, threads);
            for (size_t i = 0; i < n; i++)
                if (v[i] != ref[i])
                    fail_msg("ntt log_n %u threads %d: X[%zu] = %llu, want %llu", L, threads, i,
                             (unsigned long long)v[i], (unsigned long long)ref[i]);
        }
        /* inverse against the naive inverse DFT */
        naive_dft(a, ref, L, zk_fp_inv(w), 1, inv_n(L));
        memcpy(v, a, n * sizeof *v);
        zk_intt(v, L, 1);
        assert_memory_equal(v, ref, n * sizeof *v);
    }
    free(a);
    free(v);
    free(ref);
}

static void test_edges(void **state)
{
    (void)state;
    size_t n = 256;
    zk_fp *v = alloc_fp(n), *ref = alloc_fp(n), *a = alloc_fp(n);
    /* all p-1: X[0] = n*(p-1) = -n, the rest 0 */
    for (size_t i = 0; i < n; i++)
        a[i] = ZK_P - 1;
    memcpy(v, a, n * sizeof *v);
    zk_ntt(v, 8, 1);
    assert_int_equal(v[0], ZK_P - n);
    for (size_t i = 1; i < n; i++)
        assert_int_equal(v[i], 0);
    zk_intt(v, 8, 1);
    assert_memory_equal(v, a, n * sizeof *v);
    /* delta at position 1: X[i] = w^i */
    memset(v, 0, n * sizeof *v);
    v[1] = 1;
    zk_ntt(v, 8, 1);
    zk_fp w = zk_fp_root_of_unity(8), x = 1;
    for (size_t i = 0; i < n; i++, x = zk_fp_mul(x, w))
        assert_int_equal(v[i], x);
    /* zero stays zero, at a four-step size too */
    size_t big = (size_t)1 << 17;
    zk_fp *z = calloc(big, sizeof *z);
    assert_non_null(z);
    zk_ntt(z, 17, 2);
    zk_coset_intt(z, 17, ZK_FP_GENERATOR, 2);
    for (size_t i = 0; i < big; i++)
        assert_int_equal(z[i], 0);
    free(z);
    free(v);
    free(ref);
    free(a);
}

/* forward then inverse, and spot checks of the forward result by Horner */
static void test_roundtrip(void **state)
{
    (void)state;
    unsigned max_log = 20;
    size_t N = (size_t)1 << max_log;
    zk_fp *a = alloc_fp(N), *v = alloc_fp(N);
    for (unsigned L = 0; L <= max_log; L += L < 18 ? 1 : 2) { /* ..., 17, 18, 20 */
        size_t n = (size_t)1 << L;
        int threads = L >= 14 ? 2 : 1;
        fill(a, n);
        memcpy(v, a, n * sizeof *v);
        zk_ntt(v, L, threads);
        zk_fp w = zk_fp_root_of_unity(L);
        for (int t = 0; t < 3; t++) {
            size_t i = t == 0 ? n - 1 : zt_next(&rng) & (n - 1);
            zk_fp want = horner(a, n, zk_fp_pow(w, i));
            if (v[i] != want)
                fail_msg("ntt log_n %u: X[%zu] = %llu, Horner gives %llu", L, i,
                         (unsigned long long)v[i], (unsigned long long)want);
        }
        zk_intt(v, L, threads);
        if (memcmp(v, a, n * sizeof *v) != 0)
            fail_msg("intt(ntt(v)) != v at log_n %u", L);
    }
    free(a);
    free(v);
}

static void test_coset(void **state)
{
    (void)state;
    size_t N = 256;
    zk_fp *a = alloc_fp(N), *v = alloc_fp(N), *ref = alloc_fp(N);
    zk_fp shifts[2] = { ZK_FP_GENERATOR, 0 };
    for (unsigned L = 0; L <= 8; L++) {
        size_t n = (size_t)1 << L;
        shifts[1] = rand_fp() | 1;
        for (int s = 0; s < 2; s++) {
            fill(a, n);
            naive_dft(a, ref, L, zk_fp_root_of_unity(L), shifts[s], 1);
            memcpy(v, a, n * sizeof *v);
            zk_coset_ntt(v, L, shifts[s], 1);
            assert_memory_equal(v, ref, n * sizeof *v);
            zk_coset_intt(v, L, shifts[s], 1);
            assert_memory_equal(v, a, n * sizeof *v);
        }
    }
    /* large sizes (parallel scaling, four-step): Horner at a few points */
    size_t big = (size_t)1 << 18;
    zk_fp *b = alloc_fp(big), *c = alloc_fp(big);
    for (unsigned L = 15; L <= 18; L += 3) {
        size_t n = (size_t)1 << L;
        fill(b, n);
        memcpy(c, b, n * sizeof *c);
        zk_fp shift = rand_fp() | 1;
        zk_coset_ntt(c, L, shift, 2);
        zk_fp w = zk_fp_root_of_unity(L);
        for (int t = 0; t < 3; t++) {
            size_t i = t == 0 ? n - 1 : zt_next(&rng) & (n - 1);
            assert_int_equal(c[i], horner(b, n, zk_fp_mul(shift, zk_fp_pow(w, i))));
        }
        zk_coset_intt(c, L, shift, 2);
        assert_memory_equal(c, b, n * sizeof *c);
    }
    free(b);
    free(c);
    free(a);
    free(v);
    free(ref);
}

static void check_codeword(const zk_fp *msg, unsigned lk, unsigned lb, const zk_fp *out,
                           int all)
{
    size_t k = (size_t)1 << lk, n = k << lb;
    zk_fp w = zk_fp_root_of_unity(lk + lb);
    size_t checks = all ? n : 8;
    for (size_t c = 0; c < checks; c++) {
        size_t i = all ? c : (c == 0 ? n - 1 : zt_next(&rng) & (n - 1));
        zk_fp want = horner(msg, k, zk_fp_pow(w, i));
        if (out[i] != want)
            fail_msg("rs log_k %u log_blowup %u: out[%zu] = %llu, Horner gives %llu", lk, lb, i,
                     (unsigned long long)out[i], (unsigned long long)want);
    }
}

static void test_rs_encode(void **state)
{
    (void)state;
    static const unsigned cases[][2] = {
        { 0, 0 }, { 0, 1 }, { 0, 3 }, { 1, 0 }, { 1, 1 }, { 2, 2 }, { 3, 1 }, { 3, 4 },
        { 4, 2 }, { 5, 3 }, { 6, 0 }, { 7, 2 }, { 8, 1 }, { 10, 2 }, { 11, 3 }, { 12, 2 },
        { 13, 1 }, { 14, 3 }, { 15, 2 }, { 16, 1 }, { 9, 8 }, { 2, 12 }, { 1, 17 },
        /* above 2^18 points (four-step), with all or part of the blowup skipped */
        { 16, 3 }, { 2, 17 },
    };
    size_t maxn = (size_t)1 << 19;
    zk_fp *msg = alloc_fp(maxn), *out = alloc_fp(maxn), *out2 = alloc_fp(maxn),
          *ref = alloc_fp(maxn);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unsigned lk = cases[c][0], lb = cases[c][1];
        size_t k = (size_t)1 << lk, n = k << lb;
        fill(msg, k);
        zk_rs_encode(msg, lk, lb, out, 1);
        check_codeword(msg, lk, lb, out, n <= 64);
        /* every B-th point is the message's own NTT */
        memcpy(ref, msg, k * sizeof *ref);
        zk_ntt(ref, lk, 1);
        for (size_t i = 0; i < k; i++)
            assert_int_equal(out[i << lb], ref[i]);
        zk_rs_encode(msg, lk, lb, out2, 2);
        assert_memory_equal(out, out2, n * sizeof *out);
        /* and the codeword is the NTT of the zero-padded message */
        if (n > ((size_t)1 << 18))
            continue;
        memcpy(ref, msg, k * sizeof *ref);
        memset(ref + k, 0, (n - k) * sizeof *ref);
        zk_ntt(ref, lk + lb, 1);
        assert_memory_equal(out, ref, n * sizeof *out);
    }
    free(msg);
    free(out);
    free(out2);
    free(ref);
}

static void test_rs_batch(void **state)
{
    (void)state;
    static const unsigned cases[][3] = {
        /* log_k, log_blowup, rows */
        { 3, 2, 7 }, { 10, 1, 5 }, { 10, 2, 9 }, { 6, 3, 1 }, { 12, 2, 3 }, { 8, 0, 4 },
        { 14, 2, 2 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unsigned lk = cases[c][0], lb = cases[c][1];
        size_t rows = cases[c][2], k = (size_t)1 << lk, n = k << lb;
        zk_fp *msg = alloc_fp(rows * k), *out = alloc_fp(rows * n), *row = alloc_fp(n);
        fill(msg, rows * k);
        for (int threads = 1; threads <= 3; threads++) {
            for (size_t i = 0; i < rows * n; i++)
                out[i] = 12345; /* must all be overwritten */
            zk_rs_encode_batch(msg, rows, lk, lb, out, threads);
            for (size_t r = 0; r < rows; r++) {
                zk_rs_encode(msg + r * k, lk, lb, row, 1);
                if (memcmp(row, out + r * n, n * sizeof *row) != 0)
                    fail_msg("batch log_k %u log_blowup %u rows %zu threads %d: row %zu differs",
                             lk, lb, rows, threads, r);
            }
        }
        check_codeword(msg + (rows - 1) * k, lk, lb, out + (rows - 1) * n, 0);
        free(msg);
        free(out);
        free(row);
    }
    /* zero rows: nothing written, nothing read */
    zk_rs_encode_batch(NULL, 0, 4, 2, NULL, 2);
}

static void test_threads_identical(void **state)
{
    (void)state;
    static const unsigned Ls[] = { 12, 16, 19 };
    size_t N = (size_t)1 << 19;
    zk_fp *a = alloc_fp(N), *v1 = alloc_fp(N), *v2 = alloc_fp(N);
    for (size_t t = 0; t < sizeof Ls / sizeof Ls[0]; t++) {
        unsigned L = Ls[t];
        size_t n = (size_t)1 << L;
        fill(a, n);
        memcpy(v1, a, n * sizeof *v1);
        memcpy(v2, a, n * sizeof *v2);
        zk_ntt(v1, L, 1);
        zk_ntt(v2, L, 2);
        if (memcmp(v1, v2, n * sizeof *v1) != 0)
            fail_msg("ntt log_n %u: 1 and 2 threads differ", L);
        if (L > 18)
            continue;
        zk_coset_intt(v1, L, ZK_FP_GENERATOR, 1);
        zk_coset_intt(v2, L, ZK_FP_GENERATOR, 2);
        if (memcmp(v1, v2, n * sizeof *v1) != 0)
            fail_msg("coset intt log_n %u: 1 and 2 threads differ", L);
    }
    free(a);
    free(v1);
    free(v2);
}

static void test_linearity(void **state)
{
    (void)state;
    unsigned Ls[] = { 5, 11, 17 };
    for (size_t t = 0; t < sizeof Ls / sizeof Ls[0]; t++) {
        unsigned L = Ls[t];
        size_t n = (size_t)1 << L;
        zk_fp *x = alloc_fp(n), *y = alloc_fp(n), *z = alloc_fp(n);
        fill(x, n);
        fill(y, n);
        zk_fp c = rand_fp();
        for (size_t i = 0; i < n; i++)
            z[i] = zk_fp_add(zk_fp_mul(c, x[i]), y[i]);
        zk_ntt(x, L, 2);
        zk_ntt(y, L, 2);
        zk_ntt(z, L, 2);
        for (size_t i = 0; i < n; i++)
            if (z[i] != zk_fp_add(zk_fp_mul(c, x[i]), y[i]))
                fail_msg("ntt(c x + y) != c ntt(x) + ntt(y) at log_n %u, i %zu", L, i);
        free(x);
        free(y);
        free(z);
    }
}

/* pointwise product against zk_fp_mul (edges included), in place too, and
 * a polynomial product through it: intt(ntt(a) * ntt(b)) = a*b when
 * deg a + deg b < n */
static void test_pointwise(void **state)
{
    (void)state;
    size_t n = 1000;
    zk_fp *a = alloc_fp(n), *b = alloc_fp(n), *c = alloc_fp(n);
    fill(a, n);
    fill(b, n);
    zk_ntt_pointwise_mul(c, a, b, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(c[i], zk_fp_mul(a[i], b[i]));
    zk_ntt_pointwise_mul(a, a, b, n);
    assert_memory_equal(a, c, n * sizeof *c);
    free(a);
    free(b);
    free(c);

    unsigned L = 9;
    size_t N = (size_t)1 << L, da = 200, db = 311;
    zk_fp *p = calloc(N, sizeof *p), *q = calloc(N, sizeof *q), *r = calloc(N, sizeof *r);
    assert_true(p && q && r);
    fill(p, da);
    fill(q, db);
    for (size_t i = 0; i < da; i++)
        for (size_t j = 0; j < db; j++)
            r[i + j] = zk_fp_add(r[i + j], zk_fp_mul(p[i], q[j]));
    zk_ntt(p, L, 1);
    zk_ntt(q, L, 1);
    zk_ntt_pointwise_mul(p, p, q, N);
    zk_intt(p, L, 1);
    assert_memory_equal(p, r, N * sizeof *r);
    free(p);
    free(q);
    free(r);
}

int main(void)
{
    rng = zt_seed("test_ntt");
    zk_ntt_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ntt_naive),      cmocka_unit_test(test_edges),
        cmocka_unit_test(test_roundtrip),      cmocka_unit_test(test_coset),
        cmocka_unit_test(test_rs_encode),      cmocka_unit_test(test_rs_batch),
        cmocka_unit_test(test_threads_identical), cmocka_unit_test(test_linearity),
        cmocka_unit_test(test_pointwise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
