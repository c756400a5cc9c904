/* tests/unit/test_stats.c - cmocka suite for protocol/stats_beta.c,
 * stats_interval.c and stats_plan.c: special functions against exact GMP
 * rationals and mpmath values, the and R's reference intervals, the
 * planning numbers, and argument checks.
 *
 * References:
 *  - exact: I_x(a, b) for integer a, b is P(Binomial(a + b - 1, x) >= a),
 *    summed here in GMP integers for rational x = u/v; binomial and
 *    hypergeometric tails the same way;
 *  - mpmath 1.3.0 at 40 digits (betainc, ncdf) for half-integer a, b and
 *    the normal quantile, values quoted below;
 *  - R's binom.test (stats package): binom.test(7, 20) gives the 95% CI
 *    0.1539092 0.5921885; the example of ?binom.test, binom.test(c(682,
 *    243), p = 3/4), gives 0.7076683 0.7654066;
 *  - issue 6: n = 600, x = 540, 95%: CP [0.8732, 0.9228], Wilson [0.8734,
 *    0.9215], Jeffreys [0.8741, 0.9221]; x = n = 600: CP [0.9939, 1]; the
 *    sample sizes of DESIGN.md section 7.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gmp.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "protocol/stats_beta.h"
#include "protocol/stats_interval.h"
#include "protocol/stats_plan.h"

/* ---- exact references in GMP ----------------------------------------- */

/* P(Binomial(n, u/v) >= k), exactly, rounded to double */
static double exact_binom_sf(unsigned long k, unsigned long n, unsigned long u, unsigned long v)
{
    mpz_t sum, t, pu, pw;
    mpq_t q;
    mpz_inits(sum, t, pu, pw, NULL);
    mpq_init(q);
    for (unsigned long j = k; j <= n; j++) {
        mpz_bin_uiui(t, n, j);
        mpz_ui_pow_ui(pu, u, j);
        mpz_ui_pow_ui(pw, v - u, n - j);
        mpz_mul(t, t, pu);
        mpz_mul(t, t, pw);
        mpz_add(sum, sum, t);
    }
    mpz_ui_pow_ui(t, v, n);
    mpq_set_num(q, sum);
    mpq_set_den(q, t);
    mpq_canonicalize(q);
    double d = mpq_get_d(q);
    mpz_clears(sum, t, pu, pw, NULL);
    mpq_clear(q);
    return d;
}

/* P(X <= x), X hypergeometric (n draws, K of N), exactly */
static double exact_hyper_cdf(unsigned long x, unsigned long n, unsigned long K, unsigned long N)
{
    mpz_t sum, a, b;
    mpq_t q;
    mpz_inits(sum, a, b, NULL);
    mpq_init(q);
    for (unsigned long j = 0; j <= x; j++) {
        if (j > K || n - j > N - K)
            continue;
        mpz_bin_uiui(a, K, j);
        mpz_bin_uiui(b, N - K, n - j);
        mpz_addmul(sum, a, b);
    }
    mpz_bin_uiui(a, N, n);
    mpq_set_num(q, sum);
    mpq_set_den(q, a);
    mpq_canonicalize(q);
    double d = mpq_get_d(q);
    mpz_clears(sum, a, b, NULL);
    mpq_clear(q);
    return d;
}

/* ---- special functions ----------------------------------------------- */

static void test_ibeta_exact(void **state)
{
    (void)state;
    static const unsigned long ab[] = { 1, 2, 3, 7, 20, 64, 250, 600, 1500 };
    static const unsigned long xs[][2] = { { 1, 100 }, { 1, 10 }, { 1, 3 }, { 1, 2 },
                                           { 5, 7 },   { 9, 10 }, { 97, 100 }, { 999, 1000 } };
    const size_t nab = sizeof ab / sizeof ab[0], nx = sizeof xs / sizeof xs[0];
    double worst = 0;
    for (size_t i = 0; i < nab; i++)
        for (size_t j = 0; j < nab; j++)
            for (size_t k = 0; k < nx; k++) {
                unsigned long a = ab[i], b = ab[j], u = xs[k][0], v = xs[k][1];
                if (a + b > 1800)
                    continue; /* keeps the exact sums quick */
                double want = exact_binom_sf(a, a + b - 1, u, v);
                double got = zp_ibeta((double)u / (double)v, (double)a, (double)b);
                double d = fabs(got - want);
                if (d > worst)
                    worst = d;
                if (d > 1e-12)
                    fail_msg("I_%lu/%lu(%lu, %lu) = %.17g, exact %.17g", u, v, a, b, got, want);
            }
    /* a few large ones, the size of the +-1% planning searches */
    static const unsigned long big[][4] = { { 4852, 4853, 49, 100 }, { 9000, 1000, 9, 10 },
                                            { 2000, 2000, 1, 2 },    { 3000, 300, 91, 100 } };
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        unsigned long a = big[i][0], b = big[i][1], u = big[i][2], v = big[i][3];
        double want = exact_binom_sf(a, a + b - 1, u, v);
        double d = fabs(zp_ibeta((double)u / (double)v, (double)a, (double)b) - want);
        worst = d > worst ? d : worst;
        if (d > 1e-12)
            fail_msg("I_%lu/%lu(%lu, %lu): |error| %.3g", u, v, a, b, d);
    }
    printf("# incomplete beta: worst |error| %.3g against the exact sums\n", worst);
    assert_true(zp_ibeta(0, 2, 3) == 0 && zp_ibeta(1, 2, 3) == 1);
    assert_true(isnan(zp_ibeta(0.5, 0, 1)) && isnan(zp_ibeta(1.5, 1, 1)));
}

static void test_ibeta_mpmath(void **state)
{
    (void)state;
    static const struct {
        double x, a, b, want;
    } ref[] = { /* mpmath.betainc(a, b, 0, x, regularized=True), 40 digits */
                { 0.3, 2.5, 7.5, 0.67894348586618165673 },
                { 0.9, 540.5, 60.5, 0.50725370808886039732 },
                { 0.5, 0.5, 0.5, 0.5 },
                { 0.01, 0.5, 20.5, 0.47654153154846551889 },
                { 0.62, 30.5, 17.5, 0.40260053482037695274 } };
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        double got = zp_ibeta(ref[i].x, ref[i].a, ref[i].b);
        if (fabs(got - ref[i].want) > 1e-12)
            fail_msg("I_%g(%g, %g) = %.17g, mpmath %.17g", ref[i].x, ref[i].a, ref[i].b, got,
                     ref[i].want);
    }
}

static void test_ibeta_inverse(void **state)
{
    (void)state;
    static const unsigned long ab[][2] = { { 1, 1 },    { 2, 5 },     { 7, 3 },   { 30, 30 },
                                           { 540, 61 }, { 601, 1 },   { 1, 600 }, { 200, 800 },
                                           { 900, 900 } };
    static const unsigned long xs[][2] = { { 1, 10 }, { 1, 2 }, { 4, 5 }, { 9, 10 }, { 99, 100 } };
    for (size_t i = 0; i < sizeof ab / sizeof ab[0]; i++)
        for (size_t k = 0; k < sizeof xs / sizeof xs[0]; k++) {
            unsigned long a = ab[i][0], b = ab[i][1];
            double x = (double)xs[k][0] / (double)xs[k][1];
            double p = exact_binom_sf(a, a + b - 1, xs[k][0], xs[k][1]);
            if (p < 1e-6 || p > 1 - 1e-6)
                continue; /* x is ill-determined by p out there */
            double got = zp_ibeta_inv(p, (double)a, (double)b);
            if (fabs(got - x) > 1e-12)
                fail_msg("I^-1(%.17g; %lu, %lu) = %.17g, want %.17g", p, a, b, got, x);
        }
    /* round trip on half-integer parameters (the Jeffreys interval) */
    for (double p = 0.005; p < 1; p += 0.07) {
        double x = zp_ibeta_inv(p, 540.5, 60.5);
        assert_true(fabs(zp_ibeta(x, 540.5, 60.5) - p) < 1e-12);
    }
    assert_true(zp_ibeta_inv(0, 3, 4) == 0 && zp_ibeta_inv(1, 3, 4) == 1);
    assert_true(isnan(zp_ibeta_inv(-0.1, 3, 4)));
}

static void test_norm_quantile(void **state)
{
    (void)state;
    /* mpmath: findroot(ncdf(t) - p), 40 digits, at p = the double nearest
     * the decimal shown (mpf(float('0.999999'))) */
    static const double ref[][2] = {
                                     { 1e-12, -7.0344838253011319298 },
                                     { 1e-6, -4.7534243088228989482 },
                                     { 0.001, -3.0902323061678135415 },
                                     { 0.025, -1.9599639845400542355 },
                                     { 0.05, -1.6448536269514727149 },
                                     { 0.2, -0.84162123357291420518 },
                                     { 0.5, 0.0 },
                                     { 0.7, 0.52440051270804065631 },
                                     { 0.95, 1.6448536269514722843 },
                                     { 0.975, 1.9599639845400538556 },
                                     { 0.999, 3.0902323061678132778 },
                                     { 0.999999, 4.7534243088170877657 } };
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        double got = zp_norm_quantile(ref[i][0]);
        if (fabs(got - ref[i][1]) > 1e-13 * (1 + fabs(ref[i][1])))
            fail_msg("Phi^-1(%g) = %.17g, mpmath %.17g", ref[i][0], got, ref[i][1]);
    }
    assert_true(isinf(zp_norm_quantile(0)) && zp_norm_quantile(0) < 0);
    assert_true(isnan(zp_norm_quantile(1.5)));
}

static void test_binom_hyper_tails(void **state)
{
    (void)state;
    /* binomial: P(X <= k) and P(X >= k) at p = 3/10, 9/10 */
    static const unsigned long nk[][2] = { { 20, 7 }, { 100, 85 }, { 600, 540 }, { 600, 170 } };
    for (size_t i = 0; i < 4; i++)
        for (unsigned long u = 3; u <= 9; u += 6) {
            unsigned long n = nk[i][0], k = nk[i][1];
            double sf = exact_binom_sf(k, n, u, 10), cdf = 1 - exact_binom_sf(k + 1, n, u, 10);
            assert_true(fabs(zp_binom_sf(k, n, u / 10.0) - sf) < 1e-12);
            assert_true(fabs(zp_binom_cdf(k, n, u / 10.0) - cdf) < 1e-12);
        }
    /* hypergeometric, tails near and far from the mode */
    static const unsigned long h[][4] = { /* x, n, K, N */
                                          { 5, 20, 30, 100 },     { 17, 20, 90, 100 },
                                          { 180, 400, 900, 2000 }, { 150, 400, 900, 2000 },
                                          { 380, 400, 1900, 2000 }, { 30, 60, 990, 1000 } };
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
        double cdf = exact_hyper_cdf(h[i][0], h[i][1], h[i][2], h[i][3]);
        double sf = h[i][0] == 0 ? 1 : 1 - exact_hyper_cdf(h[i][0] - 1, h[i][1], h[i][2], h[i][3]);
        double gc = zp_hyper_cdf(h[i][0], h[i][1], h[i][2], h[i][3]);
        double gs = zp_hyper_sf(h[i][0], h[i][1], h[i][2], h[i][3]);
        /* relative: these tails reach 1e-100 and below */
        if (fabs(gc - cdf) > 1e-12 * cdf + 1e-300 || fabs(gs - sf) > 1e-11 * sf + 1e-300)
            fail_msg("hyper(x=%lu n=%lu K=%lu N=%lu): cdf %.17g (exact %.17g), sf %.17g (exact "
                     "%.17g)",
                     h[i][0], h[i][1], h[i][2], h[i][3], gc, cdf, gs, sf);
    }
    assert_true(zp_hyper_cdf(20, 20, 30, 100) == 1 && zp_hyper_sf(0, 20, 30, 100) == 1);
    assert_true(isnan(zp_hyper_cdf(1, 200, 30, 100)));
}

/* ---- intervals --------------------------------------------------------- */

/* |v - ref| <= half a unit of the reference's last (4th) decimal */
static void assert_4dp(double v, double ref)
{
    if (fabs(v - ref) > 0.5e-4 + 1e-12)
        fail_msg("%.7f does not round to %.4f", v, ref);
}

static void test_reference_intervals(void **state)
{
    (void)state;
    zp_interval iv;
    za_error err;
    assert_int_equal(zp_ci_clopper_pearson(540, 600, 0.95, &iv, &err), ZA_OK);
    assert_4dp(iv.lo, 0.8732), assert_4dp(iv.hi, 0.9228);
    assert_int_equal(zp_ci_wilson(540, 600, 0.95, &iv, &err), ZA_OK);
    assert_4dp(iv.lo, 0.8734), assert_4dp(iv.hi, 0.9215);
    assert_int_equal(zp_ci_jeffreys(540, 600, 0.95, &iv, &err), ZA_OK);
    assert_4dp(iv.lo, 0.8741), assert_4dp(iv.hi, 0.9221);
    assert_int_equal(zp_ci_clopper_pearson(600, 600, 0.95, &iv, &err), ZA_OK);
    assert_4dp(iv.lo, 0.9939);
    assert_true(iv.hi == 1);
    /* x = n: the exact lower bound is (alpha/2)^(1/n) */
    assert_true(fabs(iv.lo - pow(0.025, 1.0 / 600)) < 1e-13);
    /* R binom.test, printed to 7 digits */
    assert_int_equal(zp_ci_clopper_pearson(7, 20, 0.95, &iv, &err), ZA_OK);
    assert_true(fabs(iv.lo - 0.1539092) < 5e-8 && fabs(iv.hi - 0.5921885) < 5e-8);
    assert_int_equal(zp_ci_clopper_pearson(682, 925, 0.95, &iv, &err), ZA_OK);
    assert_true(fabs(iv.lo - 0.7076683) < 5e-8 && fabs(iv.hi - 0.7654066) < 5e-8);
    /* x = 0: [0, 1 - (alpha/2)^(1/n)] */
    assert_int_equal(zp_ci_clopper_pearson(0, 50, 0.95, &iv, &err), ZA_OK);
    assert_true(iv.lo == 0 && fabs(iv.hi - (1 - pow(0.025, 1.0 / 50))) < 1e-13);
    /* one-sided exact lower bound at 95% = the two-sided 90% lower bound */
    zp_interval two;
    assert_int_equal(zp_ci_exact_lower(540, 600, 0.95, &iv, &err), ZA_OK);
    assert_int_equal(zp_ci_clopper_pearson(540, 600, 0.90, &two, &err), ZA_OK);
    assert_true(fabs(iv.lo - two.lo) < 1e-15 && iv.hi == 1);
    /* Hoeffding: x/n -+ sqrt(ln(1/a)/(2n)), sqrt(ln(2/a)/(2n)) */
    assert_int_equal(zp_ci_hoeffding_one(540, 600, 0.95, &iv, &err), ZA_OK);
    assert_true(fabs(iv.lo - (0.9 - sqrt(log(20.0) / 1200))) < 1e-15 && iv.hi == 1);
    assert_int_equal(zp_ci_hoeffding_two(540, 600, 0.95, &iv, &err), ZA_OK);
    assert_true(fabs(iv.hi - (0.9 + sqrt(log(40.0) / 1200))) < 1e-15);
    assert_int_equal(zp_ci_hoeffding_two(600, 600, 0.95, &iv, &err), ZA_OK);
    assert_true(iv.hi == 1); /* clipped */
}

/* the hypergeometric bounds against a linear scan over every K */
static void test_hyper_interval(void **state)
{
    (void)state;
    za_error err;
    static const unsigned long c[][3] = { /* x, n, N */
                                          { 45, 50, 200 }, { 0, 30, 120 }, { 30, 30, 120 },
                                          { 17, 40, 41 },  { 90, 100, 1000 } };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        unsigned long x = c[i][0], n = c[i][1], N = c[i][2];
        uint64_t klo, khi, want_lo = N + 1, want_hi = 0;
        for (unsigned long K = x; K <= N - (n - x); K++) {
            double up = K == 0 || x == 0 ? 1 : 1 - exact_hyper_cdf(x - 1, n, K, N);
            double down = exact_hyper_cdf(x, n, K, N);
            if (up > 0.025 && down > 0.025) {
                if (want_lo == N + 1)
                    want_lo = K;
                want_hi = K;
            }
        }
        assert_int_equal(zp_ci_hyper_counts(x, n, N, 0.95, 0, &klo, &khi, &err), ZA_OK);
        if (klo != want_lo || khi != want_hi)
            fail_msg("x=%lu n=%lu N=%lu: K in [%llu, %llu], scan says [%llu, %llu]", x, n, N,
                     (unsigned long long)klo, (unsigned long long)khi,
                     (unsigned long long)want_lo, (unsigned long long)want_hi);
    }
    /* the whole test set observed: the accuracy is known */
    zp_interval iv;
    assert_int_equal(zp_ci_hypergeometric(93, 120, 120, 0.95, &iv, &err), ZA_OK);
    assert_true(iv.lo == 93.0 / 120 && iv.hi == 93.0 / 120);
    /* a large test set approaches Clopper-Pearson; a small one is shorter */
    zp_interval cp, big, small;
    assert_int_equal(zp_ci_clopper_pearson(540, 600, 0.95, &cp, &err), ZA_OK);
    assert_int_equal(zp_ci_hypergeometric(540, 600, 10000000, 0.95, &big, &err), ZA_OK);
    assert_int_equal(zp_ci_hypergeometric(540, 600, 1000, 0.95, &small, &err), ZA_OK);
    assert_true(fabs(big.lo - cp.lo) < 2e-5 && fabs(big.hi - cp.hi) < 2e-5);
    assert_true(small.hi - small.lo < 0.7 * (cp.hi - cp.lo));
}

static void expect_arg_error(za_status st, const za_error *err, const char *needle)
{
    assert_int_equal(st, ZA_ERR_ARG);
    if (!strstr(err->msg, needle))
        fail_msg("message '%s' does not mention '%s'", err->msg, needle);
}

static void test_interval_bad_args(void **state)
{
    (void)state;
    zp_interval iv = { -1, -1 };
    za_error err;
    for (int m = 0; m < ZP_CI_METHODS; m++) {
        expect_arg_error(zp_ci((zp_ci_method)m, 601, 600, 1000, 0.95, &iv, &err), &err,
                         "x must be <= n");
        expect_arg_error(zp_ci((zp_ci_method)m, 0, 0, 1000, 0.95, &iv, &err), &err, "n = 0");
        expect_arg_error(zp_ci((zp_ci_method)m, 5, 10, 1000, 1.0, &iv, &err), &err,
                         "confidence 1");
        expect_arg_error(zp_ci((zp_ci_method)m, 5, 10, 1000, 0.0, &iv, &err), &err,
                         "strictly between 0 and 1");
        expect_arg_error(zp_ci((zp_ci_method)m, 5, 10, 1000, NAN, &iv, &err), &err,
                         "strictly between 0 and 1");
    }
    expect_arg_error(zp_ci_hypergeometric(5, 10, 9, 0.95, &iv, &err), &err,
                     "N = 9 items is smaller than the n = 10");
    assert_true(iv.lo == -1 && iv.hi == -1); /* untouched on failure */
    expect_arg_error(zp_ci((zp_ci_method)99, 5, 10, 0, 0.95, &iv, &err), &err, "unknown method");
    assert_string_equal(zp_ci_method_name(ZP_CI_HYPERGEOMETRIC), "hypergeometric");
}

/* ---- planning ---------------------------------------------------------- */

static uint64_t plan(zp_ci_method m, double e, uint64_t N, double expected)
{
    uint64_t n = 0;
    za_error err;
    if (zp_plan_samples(m, e, 0.95, N, expected, &n, &err))
        fail_msg("plan %s: %s", zp_ci_method_name(m), err.msg);
    return n;
}

static void test_plan_reference(void **state)
{
    (void)state;
    const double w = ZP_PLAN_WORST_CASE;
    assert_int_equal(plan(ZP_CI_HOEFFDING_ONE, 0.05, 0, w), 600);
    assert_int_equal(plan(ZP_CI_HOEFFDING_TWO, 0.05, 0, w), 738);
    assert_int_equal(plan(ZP_CI_HOEFFDING_ONE, 0.01, 0, w), 14979);
    assert_int_equal(plan(ZP_CI_HOEFFDING_TWO, 0.01, 0, w), 18445);
    uint64_t cp5 = plan(ZP_CI_CLOPPER_PEARSON, 0.05, 0, w);
    uint64_t cp1 = plan(ZP_CI_CLOPPER_PEARSON, 0.01, 0, w);
    uint64_t hy5 = plan(ZP_CI_HYPERGEOMETRIC, 0.05, 10000, w);
    uint64_t hy1 = plan(ZP_CI_HYPERGEOMETRIC, 0.01, 10000, w);
    printf("# plan at 95%%: CP %llu / %llu, hypergeometric (N = 10000) %llu / %llu\n",
           (unsigned long long)cp5, (unsigned long long)cp1, (unsigned long long)hy5,
           (unsigned long long)hy1);
    assert_true(cp5 >= 402 && cp5 <= 404);
    assert_int_equal(cp5, 404); /* what the definition in stats_plan.h gives */
    assert_int_equal(cp1, 9704);
    assert_true(hy5 >= 387 && hy5 <= 391);
    assert_int_equal(hy5, 389);
    assert_true(hy1 >= 4944 && hy1 <= 4954);
    assert_int_equal(hy1, 4949);
    /* the found n meets the margin and n - 1 does not */
    static const zp_ci_method ms[] = { ZP_CI_CLOPPER_PEARSON, ZP_CI_HYPERGEOMETRIC,
                                       ZP_CI_WILSON, ZP_CI_JEFFREYS, ZP_CI_EXACT_LOWER };
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        uint64_t n = plan(ms[i], 0.05, 10000, w);
        double at, below;
        za_error err;
        assert_int_equal(zp_plan_margin(ms[i], n, 0.95, 10000, w, &at, &err), ZA_OK);
        assert_int_equal(zp_plan_margin(ms[i], n - 1, 0.95, 10000, w, &below, &err), ZA_OK);
        if (!(at <= 0.05 && below > 0.05))
            fail_msg("%s: n = %llu gives margin %.6f, n - 1 gives %.6f", zp_ci_method_name(ms[i]),
                     (unsigned long long)n, at, below);
    }
    /* an expected accuracy of 90% needs fewer samples than the worst case
     * (205: the lower bound's distance is larger than the normal
     * approximation's 1.96 sqrt(0.09 / n) at this n) */
    uint64_t cp90 = plan(ZP_CI_CLOPPER_PEARSON, 0.05, 0, 0.9);
    assert_true(cp90 < 0.6 * (double)cp5 && cp90 > 138);
    assert_true(plan(ZP_CI_HYPERGEOMETRIC, 0.05, 10000, 0.9) < cp90);
    /* a huge test set: the hypergeometric plan becomes Clopper-Pearson's */
    uint64_t hy_huge = plan(ZP_CI_HYPERGEOMETRIC, 0.05, 1000000000, w);
    assert_true(hy_huge >= cp5 - 2 && hy_huge <= cp5);
    /* a test set of 500 items: fewer samples, but a larger share of it */
    uint64_t hy_small = plan(ZP_CI_HYPERGEOMETRIC, 0.05, 500, w);
    assert_true(hy_small < 500 && hy_small < hy5 && hy_small > 150);
}

/* the worst case searched near n/2 only equals a scan over every x */
static void test_plan_window(void **state)
{
    (void)state;
    static const uint64_t ns[] = { 12, 57, 200, 404, 1000 };
    static const zp_ci_method ms[] = { ZP_CI_CLOPPER_PEARSON, ZP_CI_HYPERGEOMETRIC,
                                       ZP_CI_JEFFREYS };
    za_error err;
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (size_t j = 0; j < sizeof ms / sizeof ms[0]; j++) {
            uint64_t n = ns[i], N = 2000;
            double window, full = 0;
            assert_int_equal(zp_plan_margin(ms[j], n, 0.95, N, ZP_PLAN_WORST_CASE, &window, &err),
                             ZA_OK);
            for (uint64_t x = 0; x <= n; x++) {
                zp_interval iv;
                assert_int_equal(zp_ci(ms[j], x, n, N, 0.95, &iv, &err), ZA_OK);
                double p = (double)x / (double)n;
                full = fmax(full, fmax(p - iv.lo, iv.hi - p));
            }
            if (window != full)
                fail_msg("%s n=%llu: window %.9f, all x %.9f", zp_ci_method_name(ms[j]),
                         (unsigned long long)n, window, full);
        }
}

static void test_plan_bad_args(void **state)
{
    (void)state;
    uint64_t n = 7;
    double mg;
    za_error err;
    const double w = ZP_PLAN_WORST_CASE;
    expect_arg_error(zp_plan_samples(ZP_CI_CLOPPER_PEARSON, 0, 0.95, 0, w, &n, &err), &err,
                     "margin 0 is not strictly between 0 and 0.5");
    expect_arg_error(zp_plan_samples(ZP_CI_CLOPPER_PEARSON, 0.5, 0.95, 0, w, &n, &err), &err,
                     "margin 0.5");
    expect_arg_error(zp_plan_samples(ZP_CI_HOEFFDING_ONE, -0.1, 0.95, 0, w, &n, &err), &err,
                     "margin -0.1");
    expect_arg_error(zp_plan_samples(ZP_CI_CLOPPER_PEARSON, 0.05, 1, 0, w, &n, &err), &err,
                     "confidence 1");
    expect_arg_error(zp_plan_samples(ZP_CI_CLOPPER_PEARSON, 0.05, 0.95, 0, 1.2, &n, &err), &err,
                     "expected accuracy 1.2");
    expect_arg_error(zp_plan_samples(ZP_CI_HYPERGEOMETRIC, 0.05, 0.95, 0, w, &n, &err), &err,
                     "test set size N >= 1");
    expect_arg_error(zp_plan_margin(ZP_CI_HYPERGEOMETRIC, 50, 0.95, 40, w, &mg, &err), &err,
                     "cannot be drawn without replacement");
    assert_int_equal(n, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ibeta_exact),       cmocka_unit_test(test_ibeta_mpmath),
        cmocka_unit_test(test_ibeta_inverse),     cmocka_unit_test(test_norm_quantile),
        cmocka_unit_test(test_binom_hyper_tails), cmocka_unit_test(test_reference_intervals),
        cmocka_unit_test(test_hyper_interval),    cmocka_unit_test(test_interval_bad_args),
        cmocka_unit_test(test_plan_reference),    cmocka_unit_test(test_plan_window),
        cmocka_unit_test(test_plan_bad_args),
    };
    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
