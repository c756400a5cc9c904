/* tests/unit/test_stats_seq.c - cmocka suite for protocol/stats_seq.c: the
 * betting confidence sequence and Wald's SPRT.
 *
 * Coverage of the confidence sequence is "at every batch at once": a run
 * counts as covered only when every interval along the way holds the true
 * accuracy (that is what anytime-valid promises).  Tolerances as in
 * test_stats_cover.c: 4 binomial standard errors of the simulated rate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "protocol/stats_seq.h"
#include "tests/unit/testutil.h"

static double uniform(uint64_t *s)
{
    return (double)(zt_next(s) >> 11) * 0x1.0p-53;
}

/* runs audits of `batches` batches of m; with N > 0 without replacement
 * from N items of which K are correct.  Returns the share of runs covered
 * at every batch; *width gets the mean final width. */
static double cs_coverage(double p, uint64_t K, uint64_t N, long runs, int batches, uint64_t m,
                          uint64_t *rng, double *width)
{
    long covered = 0;
    double wsum = 0, truth = N ? (double)K / (double)N : p;
    za_error err;
    for (long r = 0; r < runs; r++) {
        zp_cs *cs = NULL;
        assert_int_equal(zp_cs_new(0.95, N, zt_next(rng), &cs, &err), ZA_OK);
        uint64_t drawn = 0, ones = 0;
        int ok = 1;
        for (int b = 0; b < batches; b++) {
            uint64_t k = 0;
            for (uint64_t i = 0; i < m; i++, drawn++) {
                double q = N ? (double)(K - ones) / (double)(N - drawn) : p;
                int x = uniform(rng) < q;
                k += (uint64_t)x;
                ones += (uint64_t)x;
            }
            assert_int_equal(zp_cs_update(cs, k, m, &err), ZA_OK);
            zp_interval iv;
            zp_cs_interval(cs, &iv);
            if (!(iv.lo <= truth && truth <= iv.hi))
                ok = 0;
            if (b == batches - 1)
                wsum += iv.hi - iv.lo;
        }
        covered += ok;
        zp_cs_free(cs);
    }
    *width = wsum / (double)runs;
    return (double)covered / (double)runs;
}

static void test_cs_coverage(void **state)
{
    (void)state;
    uint64_t rng = zt_seed("confidence sequence");
    long runs = zt_iters(10000);
    double se = sqrt(0.95 * 0.05 / (double)runs), w;
    static const double ps[] = { 0.5, 0.9, 0.99 };
    for (size_t i = 0; i < 3; i++) {
        /* with replacement: 5 batches of 40 */
        double c = cs_coverage(ps[i], 0, 0, runs, 5, 40, &rng, &w);
        printf("# CS with replacement, accuracy %.2f: covered at every batch in %.4f, final "
               "width %.3f\n",
               ps[i], c, w);
        assert_true(c >= 0.95 - 4 * se);
        assert_true(w < 0.45); /* it does learn: [0, 1] would pass coverage */
        /* without replacement from 300 items: 6 batches of 40 (240 of 300) */
        uint64_t K = (uint64_t)llround(ps[i] * 300);
        double c2 = cs_coverage(0, K, 300, runs / 2, 6, 40, &rng, &w);
        printf("# CS without replacement (N = 300), accuracy %.3f: covered %.4f, final width "
               "%.3f\n",
               (double)K / 300, c2, w);
        assert_true(c2 >= 0.95 - 4 * sqrt(0.95 * 0.05 / (double)(runs / 2)));
        assert_true(w < 0.3);
    }
}

static void test_cs_behaviour(void **state)
{
    (void)state;
    za_error err;
    zp_cs *cs = NULL;
    zp_interval iv, prev;
    assert_int_equal(zp_cs_new(0.95, 0, 1, &cs, &err), ZA_OK);
    zp_cs_interval(cs, &iv);
    assert_true(iv.lo == 0 && iv.hi == 1);
    prev = iv;
    for (int b = 0; b < 40; b++) { /* 90% correct, batch after batch */
        assert_int_equal(zp_cs_update(cs, 45, 50, &err), ZA_OK);
        zp_cs_interval(cs, &iv);
        assert_true(iv.lo >= prev.lo && iv.hi <= prev.hi); /* running intersection */
        assert_true(iv.lo <= 0.9 && 0.9 <= iv.hi);
        prev = iv;
    }
    assert_int_equal(zp_cs_samples(cs), 2000);
    assert_true(iv.hi - iv.lo < 0.06 && iv.lo > 0.86);
    /* bad batches change nothing */
    assert_int_equal(zp_cs_update(cs, 6, 5, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "6 correct of a batch of 5"));
    assert_int_equal(zp_cs_samples(cs), 2000);
    zp_cs_free(cs);

    /* without replacement: the whole test set seen gives the exact value */
    assert_int_equal(zp_cs_new(0.95, 100, 7, &cs, &err), ZA_OK);
    for (int b = 0; b < 4; b++)
        assert_int_equal(zp_cs_update(cs, 20, 25, &err), ZA_OK);
    zp_cs_interval(cs, &iv);
    assert_true(iv.lo == 0.8 && iv.hi == 0.8);
    assert_int_equal(zp_cs_update(cs, 1, 1, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "exceed the test set of N = 100"));
    zp_cs_free(cs);

    /* without replacement, what was drawn rules values out: 3 of 3 correct
     * from 10 items leaves K >= 3 */
    assert_int_equal(zp_cs_new(0.95, 10, 3, &cs, &err), ZA_OK);
    assert_int_equal(zp_cs_update(cs, 3, 3, &err), ZA_OK);
    zp_cs_interval(cs, &iv);
    assert_true(iv.lo >= 0.3 && iv.hi == 1);
    assert_int_equal(zp_cs_update(cs, 0, 4, &err), ZA_OK); /* and 4 wrong: K <= 6 */
    zp_cs_interval(cs, &iv);
    assert_true(iv.lo >= 0.3 && iv.hi <= 0.6);
    zp_cs_free(cs);

    assert_int_equal(zp_cs_new(1.0, 0, 1, &cs, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "strictly between 0 and 1"));
    zp_cs_free(NULL);
}

/* share of runs that end in `decision` (undecided after cap samples: not) */
static double sprt_rate(double p, zp_sprt_decision decision, long runs, uint64_t *rng,
                        double *mean_n)
{
    long hits = 0;
    double nsum = 0;
    za_error err;
    for (long r = 0; r < runs; r++) {
        zp_sprt s;
        assert_int_equal(zp_sprt_init(&s, 0.85, 0.9, 0.05, 0.05, &err), ZA_OK);
        while (s.decision == ZP_SPRT_CONTINUE && s.n < 20000) {
            uint64_t k = 0;
            for (int i = 0; i < 10; i++)
                k += uniform(rng) < p;
            assert_int_equal(zp_sprt_update(&s, k, 10, &err), ZA_OK);
        }
        hits += s.decision == decision;
        nsum += (double)s.n;
    }
    *mean_n = nsum / (double)runs;
    return (double)hits / (double)runs;
}

/* a test set above ZP_CS_EXACT_GRID_MAX uses the coarse grid j/1000 */
static void test_cs_coarse_grid(void **state)
{
    (void)state;
    uint64_t rng = zt_seed("confidence sequence, coarse grid");
    long runs = zt_iters(10000) / 10;
    double w, c = cs_coverage(0, 45123, 50000, runs, 4, 50, &rng, &w);
    printf("# CS without replacement (N = 50000, coarse grid), accuracy 0.90246: covered %.4f, "
           "final width %.3f\n",
           c, w);
    assert_true(c >= 0.95 - 4 * sqrt(0.95 * 0.05 / (double)runs));
    assert_true(w < 0.2);
}

static void test_sprt(void **state)
{
    (void)state;
    uint64_t rng = zt_seed("sprt");
    long runs = zt_iters(10000);
    double se = sqrt(0.05 * 0.95 / (double)runs), n0, n1;
    /* H0 true at its boundary (accuracy 0.85): accepting H1 is the a-error */
    double err_a = sprt_rate(0.85, ZP_SPRT_ACCEPT, runs, &rng, &n0);
    /* H1 true at its boundary (accuracy 0.90): rejecting is the b-error */
    double err_b = sprt_rate(0.90, ZP_SPRT_REJECT, runs, &rng, &n1);
    printf("# SPRT 0.85 vs 0.90, a = b = 0.05: errors %.4f and %.4f, mean samples %.0f / %.0f\n",
           err_a, err_b, n0, n1);
    assert_true(err_a <= 0.05 + 4 * se);
    assert_true(err_b <= 0.05 + 4 * se);
    /* far from the thresholds it is right almost always, and quickly */
    double nfar, right = sprt_rate(0.97, ZP_SPRT_ACCEPT, runs / 10, &rng, &nfar);
    assert_true(right > 0.999 && nfar < n1);

    zp_sprt s;
    za_error err;
    assert_int_equal(zp_sprt_init(&s, 0.85, 0.9, 0.05, 0.05, &err), ZA_OK);
    assert_int_equal(zp_sprt_update(&s, 400, 400, &err), ZA_OK);
    assert_int_equal(s.decision, ZP_SPRT_ACCEPT);
    assert_int_equal(zp_sprt_update(&s, 0, 400, &err), ZA_OK); /* sticky */
    assert_int_equal(s.decision, ZP_SPRT_ACCEPT);
    assert_int_equal(s.n, 400);
    assert_string_equal(zp_sprt_decision_name(s.decision), "accept");
    assert_int_equal(zp_sprt_init(&s, 0.85, 0.9, 0.05, 0.05, &err), ZA_OK);
    assert_int_equal(zp_sprt_update(&s, 300, 400, &err), ZA_OK);
    assert_int_equal(s.decision, ZP_SPRT_REJECT);
    assert_int_equal(zp_sprt_update(&s, 5, 4, &err), ZA_ERR_ARG);
    assert_int_equal(zp_sprt_init(&s, 0.9, 0.85, 0.05, 0.05, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "0 < t0 < t < 1"));
    assert_int_equal(zp_sprt_init(&s, 0.8, 0.85, 0.6, 0.5, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "a + b < 1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cs_coverage),
        cmocka_unit_test(test_cs_behaviour),
        cmocka_unit_test(test_cs_coarse_grid),
        cmocka_unit_test(test_sprt),
    };
    return cmocka_run_group_tests_name("stats-seq", tests, NULL, NULL);
}
