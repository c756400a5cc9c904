/* protocol/stats_plan.c - sample-size planning (see stats_plan.h). */
#include "protocol/stats_plan.h"

#include <math.h>

#include "common/limits.h"
#include "protocol/stats_beta.h"

#define PLAN_MAX_N ZA_MAX_PLAN_SAMPLES /* beyond this the search gives up */

static int one_sided(zp_ci_method m)
{
    return m == ZP_CI_EXACT_LOWER || m == ZP_CI_HOEFFDING_ONE;
}

static za_status check(zp_ci_method m, double conf, uint64_t N, double expected, za_error *err)
{
    if (!(conf > 0 && conf < 1))
        return za_error_set(err, ZA_ERR_ARG, "plan: confidence %g is not strictly between 0 and 1",
                            conf);
    if (expected != ZP_PLAN_WORST_CASE && !(expected >= 0 && expected <= 1))
        return za_error_set(err, ZA_ERR_ARG, "plan: expected accuracy %g is not in [0, 1]",
                            expected);
    if (m == ZP_CI_HYPERGEOMETRIC && N == 0)
        return za_error_set(err, ZA_ERR_ARG,
                            "plan: the hypergeometric method needs the test set size N >= 1");
    if ((unsigned)m >= ZP_CI_METHODS)
        return za_error_set(err, ZA_ERR_ARG, "plan: unknown method %d", (int)m);
    return ZA_OK;
}

/* The outcomes x searched at n: around n/2 (worst case) or next to n p. */
static void outcomes(uint64_t n, double expected, uint64_t *x0, uint64_t *x1)
{
    if (expected == ZP_PLAN_WORST_CASE) {
        uint64_t c = n / 2, w = (uint64_t)(4 * sqrt((double)n)) + 10;
        *x0 = c > w ? c - w : 0;
        *x1 = c + w + 1 < n ? c + w + 1 : n;
    } else {
        double np = (double)n * expected;
        *x0 = (uint64_t)floor(np);
        *x1 = (uint64_t)ceil(np);
        if (*x1 > n)
            *x1 = n;
        if (*x0 > *x1)
            *x0 = *x1;
    }
}

/* The distance from x/n to the interval's bounds (lower only, one-sided). */
static double distance(zp_ci_method m, uint64_t x, uint64_t n, uint64_t N, double conf)
{
    zp_interval iv;
    za_error err;
    if (zp_ci(m, x, n, N, conf, &iv, &err))
        return INFINITY; /* only reached on arguments check() already refused */
    double p = (double)x / (double)n, dl = p - iv.lo, du = iv.hi - p;
    return one_sided(m) || dl >= du ? dl : du;
}

/* Does x of n keep both hypergeometric bounds within e of x/n?  One tail
 * evaluation per side instead of the interval's binary search: K_lo >= T
 * iff P(X >= x | T - 1) <= alpha/2, with T the smallest K for which
 * x/n - K/N <= e (the same comparison zp_plan_margin makes). */
static int hyper_fits(uint64_t x, uint64_t n, uint64_t N, double conf, double e)
{
    double p = (double)x / (double)n, dN = (double)N, tail = (1 - conf) / 2;
    uint64_t kmin = x, kmax = N - (n - x);
    if (p - (double)kmin / dN > e) {
        double f = floor(dN * (p - e));
        uint64_t t = f <= (double)kmin ? kmin : f >= (double)kmax ? kmax : (uint64_t)f;
        while (t > kmin && p - (double)(t - 1) / dN <= e)
            t--;
        while (p - (double)t / dN > e)
            t++;
        if (zp_hyper_sf(x, n, t - 1, N) > tail)
            return 0;
    }
    if ((double)kmax / dN - p > e) {
        double f = ceil(dN * (p + e));
        uint64_t t = f <= (double)kmin ? kmin : f >= (double)kmax ? kmax : (uint64_t)f;
        while (t < kmax && (double)(t + 1) / dN - p <= e)
            t++;
        while ((double)t / dN - p > e)
            t--;
        if (zp_hyper_cdf(x, n, t + 1, N) > tail)
            return 0;
    }
    return 1;
}

static int fits(zp_ci_method m, uint64_t n, double conf, uint64_t N, double expected, double e)
{
    uint64_t x0, x1;
    outcomes(n, expected, &x0, &x1);
    for (uint64_t x = x0; x <= x1; x++) {
        if (m == ZP_CI_HYPERGEOMETRIC ? !hyper_fits(x, n, N, conf, e)
                                      : distance(m, x, n, N, conf) > e)
            return 0;
    }
    return 1;
}

za_status zp_plan_margin(zp_ci_method m, uint64_t n, double conf, uint64_t N, double expected,
                         double *margin_out, za_error *err)
{
    za_status st = check(m, conf, N, expected, err);
    if (st)
        return st;
    if (n == 0)
        return za_error_set(err, ZA_ERR_ARG, "plan: n = 0 samples give no margin");
    if (m == ZP_CI_HYPERGEOMETRIC && n > N)
        return za_error_set(err, ZA_ERR_ARG,
                            "plan: n = %llu samples cannot be drawn without replacement from a "
                            "test set of N = %llu items",
                            (unsigned long long)n, (unsigned long long)N);
    double a = 1 - conf, dn = (double)n;
    if (m == ZP_CI_HOEFFDING_ONE || m == ZP_CI_HOEFFDING_TWO) {
        *margin_out = sqrt(log((m == ZP_CI_HOEFFDING_ONE ? 1 : 2) / a) / (2 * dn));
        return ZA_OK;
    }
    uint64_t x0, x1;
    outcomes(n, expected, &x0, &x1);
    double worst = 0;
    for (uint64_t x = x0; x <= x1; x++) {
        double d = distance(m, x, n, N, conf);
        worst = d > worst ? d : worst;
    }
    *margin_out = worst;
    return ZA_OK;
}

za_status zp_plan_samples(zp_ci_method m, double margin, double conf, uint64_t N, double expected,
                          uint64_t *n_out, za_error *err)
{
    za_status st = check(m, conf, N, expected, err);
    if (st)
        return st;
    if (!(margin > 0 && margin < 0.5))
        return za_error_set(err, ZA_ERR_ARG, "plan: margin %g is not strictly between 0 and 0.5",
                            margin);
    double a = 1 - conf;
    if (m == ZP_CI_HOEFFDING_ONE || m == ZP_CI_HOEFFDING_TWO) {
        double n = ceil(log((m == ZP_CI_HOEFFDING_ONE ? 1 : 2) / a) / (2 * margin * margin));
        if (!(n <= (double)PLAN_MAX_N))
            return za_error_set(err, ZA_ERR_LIMIT, "plan: more than %llu samples needed",
                                (unsigned long long)PLAN_MAX_N);
        *n_out = (uint64_t)n;
        return ZA_OK;
    }
    uint64_t lo = 1, hi;
    if (m == ZP_CI_HYPERGEOMETRIC) {
        /* n = N observes the test set whole (margin 0), so N always fits;
         * drawing without replacement is never less informative than with,
         * so the Clopper-Pearson plan (a little more) nearly always fits too
         * and keeps the search short when N is large */
        uint64_t cp;
        hi = N;
        st = zp_plan_samples(ZP_CI_CLOPPER_PEARSON, margin, conf, 0, expected, &cp, err);
        if (st)
            return st;
        if (cp + 64 < N && fits(m, cp + 64, conf, N, expected, margin))
            hi = cp + 64;
    } else {
        hi = 64;
        while (!fits(m, hi, conf, N, expected, margin)) {
            if (hi >= PLAN_MAX_N)
                return za_error_set(err, ZA_ERR_LIMIT,
                                    "plan: %s needs more than %llu samples for margin %g",
                                    zp_ci_method_name(m), (unsigned long long)PLAN_MAX_N, margin);
            lo = hi + 1;
            hi *= 2;
        }
    }
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (fits(m, mid, conf, N, expected, margin))
            hi = mid;
        else
            lo = mid + 1;
    }
    while (lo > 1 && fits(m, lo - 1, conf, N, expected, margin))
        lo--;
    *n_out = lo;
    return ZA_OK;
}
