/* protocol/stats_interval.c - confidence intervals (see stats_interval.h). */
#include "protocol/stats_interval.h"

#include <math.h>

#include "protocol/stats_beta.h"

const char *zp_ci_method_name(zp_ci_method m)
{
    switch (m) {
    case ZP_CI_CLOPPER_PEARSON: return "clopper-pearson";
    case ZP_CI_HYPERGEOMETRIC: return "hypergeometric";
    case ZP_CI_WILSON: return "wilson";
    case ZP_CI_JEFFREYS: return "jeffreys";
    case ZP_CI_EXACT_LOWER: return "exact-lower";
    case ZP_CI_HOEFFDING_ONE: return "hoeffding-one-sided";
    case ZP_CI_HOEFFDING_TWO: return "hoeffding-two-sided";
    }
    return "unknown";
}

static za_status check(uint64_t x, uint64_t n, double conf, za_error *err)
{
    if (n == 0)
        return za_error_set(err, ZA_ERR_ARG, "interval: n = 0 samples (at least one is needed)");
    if (x > n)
        return za_error_set(err, ZA_ERR_ARG,
                            "interval: x = %llu correct of n = %llu samples (x must be <= n)",
                            (unsigned long long)x, (unsigned long long)n);
    if (!(conf > 0 && conf < 1))
        return za_error_set(err, ZA_ERR_ARG,
                            "interval: confidence %g is not strictly between 0 and 1", conf);
    return ZA_OK;
}

static double clip01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

za_status zp_ci_clopper_pearson(uint64_t x, uint64_t n, double conf, zp_interval *out,
                                za_error *err)
{
    za_status st = check(x, n, conf, err);
    if (st)
        return st;
    double a2 = (1 - conf) / 2, dx = (double)x, dn = (double)n;
    out->lo = x == 0 ? 0 : zp_ibeta_inv(a2, dx, dn - dx + 1);
    out->hi = x == n ? 1 : zp_ibeta_inv(1 - a2, dx + 1, dn - dx);
    return ZA_OK;
}

za_status zp_ci_exact_lower(uint64_t x, uint64_t n, double conf, zp_interval *out, za_error *err)
{
    za_status st = check(x, n, conf, err);
    if (st)
        return st;
    out->lo = x == 0 ? 0 : zp_ibeta_inv(1 - conf, (double)x, (double)(n - x) + 1);
    out->hi = 1;
    return ZA_OK;
}

za_status zp_ci_wilson(uint64_t x, uint64_t n, double conf, zp_interval *out, za_error *err)
{
    za_status st = check(x, n, conf, err);
    if (st)
        return st;
    double z = zp_norm_quantile(1 - (1 - conf) / 2), dn = (double)n, p = (double)x / dn;
    double z2 = z * z, den = 1 + z2 / dn, mid = (p + z2 / (2 * dn)) / den;
    double half = z * sqrt(p * (1 - p) / dn + z2 / (4 * dn * dn)) / den;
    out->lo = x == 0 ? 0 : clip01(mid - half);
    out->hi = x == n ? 1 : clip01(mid + half);
    return ZA_OK;
}

za_status zp_ci_jeffreys(uint64_t x, uint64_t n, double conf, zp_interval *out, za_error *err)
{
    za_status st = check(x, n, conf, err);
    if (st)
        return st;
    double a2 = (1 - conf) / 2, a = (double)x + 0.5, b = (double)(n - x) + 0.5;
    out->lo = x == 0 ? 0 : zp_ibeta_inv(a2, a, b);
    out->hi = x == n ? 1 : zp_ibeta_inv(1 - a2, a, b);
    return ZA_OK;
}

za_status zp_ci_hoeffding_one(uint64_t x, uint64_t n, double conf, zp_interval *out,
                              za_error *err)
{
    za_status st = check(x, n, conf, err);
    if (st)
        return st;
    double dn = (double)n;
    out->lo = clip01((double)x / dn - sqrt(log(1 / (1 - conf)) / (2 * dn)));
    out->hi = 1;
    return ZA_OK;
}

za_status zp_ci_hoeffding_two(uint64_t x, uint64_t n, double conf, zp_interval *out,
                              za_error *err)
{
    za_status st = check(x, n, conf, err);
    if (st)
        return st;
    double dn = (double)n, p = (double)x / dn, t = sqrt(log(2 / (1 - conf)) / (2 * dn));
    out->lo = clip01(p - t);
    out->hi = clip01(p + t);
    return ZA_OK;
}

za_status zp_ci_hyper_counts(uint64_t x, uint64_t n, uint64_t N, double conf, int one_sided,
                             uint64_t *k_lo, uint64_t *k_hi, za_error *err)
{
    za_status st = check(x, n, conf, err);
    if (st)
        return st;
    if (N < n)
        return za_error_set(err, ZA_ERR_ARG,
                            "interval: test set of N = %llu items is smaller than the n = %llu "
                            "samples drawn from it without replacement",
                            (unsigned long long)N, (unsigned long long)n);
    double tail = one_sided ? 1 - conf : (1 - conf) / 2;
    /* K is consistent with x unless a tail at x has probability <= tail.
     * P(X >= x | K) grows with K, P(X <= x | K) falls: two binary searches
     * over the K that can produce x, [x, N - (n - x)]. */
    uint64_t kmin = x, kmax = N - (n - x), lo = kmin, hi = kmax;
    while (lo < hi) { /* smallest K with P(X >= x | K) > tail (true at kmax) */
        uint64_t mid = lo + (hi - lo) / 2;
        if (zp_hyper_sf(x, n, mid, N) > tail)
            hi = mid;
        else
            lo = mid + 1;
    }
    *k_lo = lo;
    if (one_sided) {
        *k_hi = kmax;
        return ZA_OK;
    }
    lo = kmin, hi = kmax;
    while (lo < hi) { /* largest K with P(X <= x | K) > tail (true at kmin) */
        uint64_t mid = hi - (hi - lo) / 2;
        if (zp_hyper_cdf(x, n, mid, N) > tail)
            lo = mid;
        else
            hi = mid - 1;
    }
    *k_hi = lo;
    return ZA_OK;
}

za_status zp_ci_hypergeometric(uint64_t x, uint64_t n, uint64_t N, double conf, zp_interval *out,
                               za_error *err)
{
    uint64_t klo, khi;
    za_status st = zp_ci_hyper_counts(x, n, N, conf, 0, &klo, &khi, err);
    if (st)
        return st;
    out->lo = (double)klo / (double)N;
    out->hi = (double)khi / (double)N;
    return ZA_OK;
}

za_status zp_ci(zp_ci_method m, uint64_t x, uint64_t n, uint64_t N, double conf,
                zp_interval *out, za_error *err)
{
    switch (m) {
    case ZP_CI_CLOPPER_PEARSON: return zp_ci_clopper_pearson(x, n, conf, out, err);
    case ZP_CI_HYPERGEOMETRIC: return zp_ci_hypergeometric(x, n, N, conf, out, err);
    case ZP_CI_WILSON: return zp_ci_wilson(x, n, conf, out, err);
    case ZP_CI_JEFFREYS: return zp_ci_jeffreys(x, n, conf, out, err);
    case ZP_CI_EXACT_LOWER: return zp_ci_exact_lower(x, n, conf, out, err);
    case ZP_CI_HOEFFDING_ONE: return zp_ci_hoeffding_one(x, n, conf, out, err);
    case ZP_CI_HOEFFDING_TWO: return zp_ci_hoeffding_two(x, n, conf, out, err);
    }
    return za_error_set(err, ZA_ERR_ARG, "interval: unknown method %d", (int)m);
}
