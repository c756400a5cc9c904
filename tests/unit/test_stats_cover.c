/* tests/unit/test_stats_cover.c - coverage of every interval by simulation.
 *
 * 10,000 simulated audits (ZKAUDIT_TEST_ITERS scales them) of n = 200
 * samples at several true accuracies; an audit covers when the interval
 * holds the true accuracy.  With replacement for the binomial methods, from
 * a committed test set of N = 1,000 items without replacement for the
 * hypergeometric one.  The intervals depend on x only, so they are computed
 * once per x and the simulation draws x.
 *
 * Tolerance: the simulated coverage c of R runs has standard error
 * sqrt(c (1 - c) / R) = 0.0022 at c = 0.95, R = 10,000; an exact method must
 * reach 1 - alpha - 4 standard errors (a false failure once in 30,000 runs
 * per check when the true coverage is exactly 1 - alpha).  The exact
 * coverage sum_x P(x) [covered] is computed too: the simulation must agree
 * with it within 4 standard errors (which checks the simulation), and for
 * the exact methods it must itself be >= 1 - alpha (which checks the
 * methods without any randomness).  Wilson and Jeffreys are approximate:
 * their coverage oscillates around 1 - alpha and may dip below it; they
 * are held to 1 - alpha - 0.02 (docs/statistics.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "protocol/stats_beta.h"
#include "protocol/stats_interval.h"
#include "tests/unit/testutil.h"

#define N_SAMPLES 200
#define TEST_SET 1000
#define CONF 0.95

static double uniform(uint64_t *s)
{
    return (double)(zt_next(s) >> 11) * 0x1.0p-53;
}

/* P(X = x), X ~ Binomial(n, p), or hypergeometric (n of K, N) when N > 0 */
static double pmf(uint64_t x, uint64_t n, double p, uint64_t K, uint64_t N)
{
    if (N)
        return zp_hyper_cdf(x, n, K, N) - (x ? zp_hyper_cdf(x - 1, n, K, N) : 0);
    return zp_binom_cdf(x, n, p) - (x ? zp_binom_cdf(x - 1, n, p) : 0);
}

static void check_method(zp_ci_method m, double p, uint64_t K, uint64_t N, long runs,
                         uint64_t *rng)
{
    zp_interval iv[N_SAMPLES + 1];
    unsigned char cover[N_SAMPLES + 1];
    za_error err;
    double truth = N ? (double)K / (double)N : p, exact = 0;
    for (uint64_t x = 0; x <= N_SAMPLES; x++) {
        assert_int_equal(zp_ci(m, x, N_SAMPLES, N, CONF, &iv[x], &err), ZA_OK);
        cover[x] = iv[x].lo <= truth && truth <= iv[x].hi;
        exact += cover[x] * pmf(x, N_SAMPLES, p, K, N);
    }
    long hit = 0;
    for (long r = 0; r < runs; r++) {
        uint64_t x = 0;
        for (uint64_t i = 0; i < N_SAMPLES; i++) {
            double q = N ? (double)(K - x) / (double)(N - i) : p; /* without replacement */
            x += uniform(rng) < q;
        }
        hit += cover[x];
    }
    double sim = (double)hit / (double)runs;
    double se = sqrt(fmax(exact * (1 - exact), CONF * (1 - CONF)) / (double)runs);
    printf("# %-20s accuracy %.3f: coverage %.4f simulated, %.4f exact\n", zp_ci_method_name(m),
           truth, sim, exact);
    if (fabs(sim - exact) > 4 * se)
        fail_msg("%s at %.3f: simulated %.4f, exact %.4f", zp_ci_method_name(m), truth, sim,
                 exact);
    int approximate = m == ZP_CI_WILSON || m == ZP_CI_JEFFREYS;
    double need = approximate ? CONF - 0.02 : CONF - 4 * se;
    if (sim < need)
        fail_msg("%s at %.3f: simulated coverage %.4f < %.4f", zp_ci_method_name(m), truth, sim,
                 need);
    if (!approximate && exact < CONF - 1e-9)
        fail_msg("%s at %.3f: exact coverage %.6f < %.2f", zp_ci_method_name(m), truth, exact,
                 CONF);
}

static const double accuracies[] = { 0.5, 0.8, 0.9, 0.95, 0.99 };

static void test_coverage_binomial(void **state)
{
    (void)state;
    uint64_t rng = zt_seed("coverage (binomial)");
    long runs = zt_iters(10000);
    static const zp_ci_method ms[] = { ZP_CI_CLOPPER_PEARSON, ZP_CI_EXACT_LOWER,
                                       ZP_CI_HOEFFDING_ONE,   ZP_CI_HOEFFDING_TWO,
                                       ZP_CI_WILSON,          ZP_CI_JEFFREYS };
    for (size_t i = 0; i < sizeof accuracies / sizeof accuracies[0]; i++)
        for (size_t j = 0; j < sizeof ms / sizeof ms[0]; j++)
            check_method(ms[j], accuracies[i], 0, 0, runs, &rng);
}

static void test_coverage_hypergeometric(void **state)
{
    (void)state;
    uint64_t rng = zt_seed("coverage (hypergeometric)");
    long runs = zt_iters(10000);
    for (size_t i = 0; i < sizeof accuracies / sizeof accuracies[0]; i++) {
        uint64_t K = (uint64_t)llround(accuracies[i] * TEST_SET);
        check_method(ZP_CI_HYPERGEOMETRIC, 0, K, TEST_SET, runs, &rng);
        /* the binomial interval is valid without replacement too, only wider */
        check_method(ZP_CI_CLOPPER_PEARSON, 0, K, TEST_SET, runs, &rng);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coverage_binomial),
        cmocka_unit_test(test_coverage_hypergeometric),
    };
    return cmocka_run_group_tests_name("stats-cover", tests, NULL, NULL);
}
