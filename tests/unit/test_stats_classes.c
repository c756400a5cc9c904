/* tests/unit/test_stats_classes.c - cmocka suite for
 * protocol/stats_classes.c (confusion matrix, per-class accuracy,
 * stratified estimate) and protocol/stats_cost.c (cost model). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "protocol/stats_classes.h"
#include "protocol/stats_cost.h"
#include "tests/unit/testutil.h"

static void add(zp_confusion *c, size_t t, size_t p, int times)
{
    za_error err;
    for (int i = 0; i < times; i++)
        assert_int_equal(zp_confusion_add(c, t, p, &err), ZA_OK);
}

static void test_confusion_and_classes(void **state)
{
    (void)state;
    zp_confusion c;
    za_error err;
    assert_int_equal(zp_confusion_init(&c, 3, &err), ZA_OK);
    add(&c, 0, 0, 90), add(&c, 0, 1, 10); /* class 0: 90 of 100 */
    add(&c, 1, 1, 40), add(&c, 1, 2, 10); /* class 1: 40 of 50 */
    add(&c, 2, 2, 20);                   /* class 2: 20 of 20 */
    assert_int_equal(zp_confusion_get(&c, 0, 1), 10);
    assert_int_equal(zp_confusion_get(&c, 1, 2), 10);
    assert_int_equal(zp_confusion_get(&c, 2, 0), 0);
    assert_int_equal(zp_confusion_add(&c, 3, 0, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "outside the 3 classes"));

    zp_class_accuracy a[3];
    assert_int_equal(zp_class_accuracies(&c, ZP_CI_CLOPPER_PEARSON, 0.95, NULL, a, &err), ZA_OK);
    assert_int_equal(a[0].correct, 90);
    assert_int_equal(a[0].samples, 100);
    assert_true(a[1].accuracy == 0.8 && a[2].accuracy == 1);
    zp_interval cp;
    assert_int_equal(zp_ci_clopper_pearson(40, 50, 0.95, &cp, &err), ZA_OK);
    assert_true(a[1].ci.lo == cp.lo && a[1].ci.hi == cp.hi);
    assert_true(a[2].ci.hi == 1 && fabs(a[2].ci.lo - pow(0.025, 1.0 / 20)) < 1e-13);
    /* hypergeometric per class needs the test set's class counts */
    assert_int_equal(zp_class_accuracies(&c, ZP_CI_HYPERGEOMETRIC, 0.95, NULL, a, &err),
                     ZA_ERR_ARG);
    const uint64_t tiny[3] = { 100, 10, 20 }; /* class 1 has 50 samples of 10 items */
    assert_int_equal(zp_class_accuracies(&c, ZP_CI_HYPERGEOMETRIC, 0.95, tiny, a, &err),
                     ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "class 1: interval: test set of N = 10"));

    /* stratified: weights 0.5, 0.3, 0.2 from a test set of 1000, 600, 400 */
    const uint64_t counts[3] = { 1000, 600, 400 };
    double est;
    zp_interval iv;
    assert_int_equal(zp_stratified(&c, counts, 0.95, &est, &iv, &err), ZA_OK);
    assert_true(fabs(est - (0.5 * 0.9 + 0.3 * 0.8 + 0.2 * 1.0)) < 1e-15);
    /* by hand: q = 91/102, 41/52, 21/22; FPC (N_c - n_c)/(N_c - 1) */
    double v = 0.25 * (91.0 / 102 * 11 / 102) / 100 * 900 / 999 +
               0.09 * (41.0 / 52 * 11 / 52) / 50 * 550 / 599 +
               0.04 * (21.0 / 22 * 1 / 22) / 20 * 380 / 399;
    double half = 1.959963984540054 * sqrt(v);
    assert_true(fabs(iv.lo - (est - half)) < 1e-12 && fabs(iv.hi - (est + half)) < 1e-12);
    const uint64_t missing[3] = { 1000, 600, 400 };
    zp_confusion c2;
    assert_int_equal(zp_confusion_init(&c2, 3, &err), ZA_OK);
    add(&c2, 0, 0, 5);
    assert_int_equal(zp_stratified(&c2, missing, 0.95, &est, &iv, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "class 1 has 600 test items but no audited sample"));
    zp_confusion_free(&c2);
    zp_confusion_free(&c);
    zp_confusion_free(&c); /* twice is fine */
    assert_int_equal(zp_confusion_init(&c, 0, &err), ZA_ERR_ARG);
    zp_confusion_free(&c);
}

/* the stratified interval covers in >= 95% - 4 SE of simulated audits
 * (it is approximate; this checks the variance formula is not off) */
static void test_stratified_coverage(void **state)
{
    (void)state;
    uint64_t rng = zt_seed("stratified coverage");
    long runs = zt_iters(10000) / 5, hit = 0;
    const double acc[2] = { 0.92, 0.75 };
    double truth = 0.6 * acc[0] + 0.4 * acc[1];
    za_error err;
    for (long r = 0; r < runs; r++) {
        zp_confusion c;
        assert_int_equal(zp_confusion_init(&c, 2, &err), ZA_OK);
        for (size_t k = 0; k < 2; k++)
            for (int i = 0; i < 120; i++) /* 120 samples per class, with replacement */
                add(&c, k, (double)(zt_next(&rng) >> 11) * 0x1.0p-53 < acc[k] ? k : 1 - k, 1);
        double est;
        zp_interval iv;
        const uint64_t big[2] = { 6000000, 4000000 }; /* FPC ~ 1: with replacement */
        assert_int_equal(zp_stratified(&c, big, 0.95, &est, &iv, &err), ZA_OK);
        hit += iv.lo <= truth && truth <= iv.hi;
        zp_confusion_free(&c);
    }
    double cover = (double)hit / (double)runs;
    printf("# stratified interval: coverage %.4f in %ld audits\n", cover, runs);
    assert_true(cover >= 0.95 - 4 * sqrt(0.95 * 0.05 / (double)runs));
}

static void test_cost(void **state)
{
    (void)state;
    zp_cost_model m = { 0.372, 0.0105, ZP_COST_DEFAULT_PRICE };
    zp_cost c;
    za_error err;
    assert_int_equal(zp_cost_project(&m, 600, &c, &err), ZA_OK);
    assert_true(fabs(c.prover_cpu_hours - 600 * 0.372 / 3600) < 1e-15);
    assert_true(fabs(c.total_usd - 600 * (0.372 + 0.0105) / 3600 * 0.05) < 1e-15);
    assert_true(fabs(c.prover_usd + c.verify_usd - c.total_usd) < 1e-15);
    assert_non_null(strstr(c.how, "600 samples x (0.372 prover CPU-s + 0.0105 verify s)"));
    assert_non_null(strstr(c.how, "x 0.05 USD/CPU-h"));
    m.price_per_cpu_hour = -1;
    assert_int_equal(zp_cost_project(&m, 600, &c, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "price per CPU-hour -1"));
    m.price_per_cpu_hour = 0.05, m.prover_cpu_s_per_sample = NAN;
    assert_int_equal(zp_cost_project(&m, 600, &c, &err), ZA_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_confusion_and_classes),
        cmocka_unit_test(test_stratified_coverage),
        cmocka_unit_test(test_cost),
    };
    return cmocka_run_group_tests_name("stats-classes", tests, NULL, NULL);
}
