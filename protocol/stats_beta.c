/* protocol/stats_beta.c - incomplete beta, its inverse, normal quantile,
 * binomial and hypergeometric tails (see stats_beta.h). */
#include "protocol/stats_beta.h"

#include <float.h>
#include <math.h>

#define LN_SQRT_2PI 0.918938533204672741780329736406 /* ln sqrt(2 pi) */
#define CF_MAX_ITER 100000
#define INV_MAX_ITER 400

double zp_log_gamma(double x)
{
    if (!(x > 0))
        return NAN;
    return lgamma(x);
}

/* lgamma(x) - ((x - 1/2) ln x - x + ln sqrt(2 pi)) for x >= 10: the Stirling
 * series sum B_2k / (2k (2k-1) x^(2k-1)), eight terms (the ninth is below
 * 1e-18 at x = 10). */
static double stirling_corr(double x)
{
    static const double c[8] = { 1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188,
                                 -691.0 / 360360, 1.0 / 156, -3617.0 / 122400 };
    double r = 1 / x, r2 = r * r, s = 0;
    for (int k = 7; k >= 0; k--)
        s = s * r2 + c[k];
    return s * r;
}

double zp_log_beta(double a, double b)
{
    if (!(a > 0) || !(b > 0))
        return NAN;
    double p = a < b ? a : b, q = a < b ? b : a;
    if (p >= 10) {
        /* both large: the Stirling form avoids subtracting three huge lgammas */
        double corr = stirling_corr(p) + stirling_corr(q) - stirling_corr(p + q);
        return -0.5 * log(q) + LN_SQRT_2PI + corr + (p - 0.5) * log(p / (p + q)) +
               q * log1p(-p / (p + q));
    }
    if (q >= 10) {
        /* p small, q large: lgamma(q) - lgamma(p+q) in the Stirling form */
        double corr = stirling_corr(q) - stirling_corr(p + q);
        return lgamma(p) + corr + p - p * log(p + q) + (q - 0.5) * log1p(-p / (p + q));
    }
    return lgamma(p) + lgamma(q) - lgamma(p + q);
}

/* ln(x^a (1-x)^b / B(a, b)) */
static double log_front(double x, double a, double b)
{
    return a * log(x) + b * log1p(-x) - zp_log_beta(a, b);
}

/* The continued fraction of I_x(a, b) (modified Lentz), x < (a+1)/(a+b+2). */
static double beta_cf(double x, double a, double b)
{
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= CF_MAX_ITER; m++) {
        double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < DBL_EPSILON)
            break;
    }
    return h;
}

double zp_ibeta(double x, double a, double b)
{
    if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
        return NAN;
    if (x == 0)
        return 0;
    if (x == 1)
        return 1;
    if (x < (a + 1) / (a + b + 2))
        return exp(log_front(x, a, b)) * beta_cf(x, a, b) / a;
    return 1 - exp(log_front(1 - x, b, a)) * beta_cf(1 - x, b, a) / b;
}

/* d/dx I_x(a, b): the beta density */
static double beta_pdf(double x, double a, double b)
{
    return exp((a - 1) * log(x) + (b - 1) * log1p(-x) - zp_log_beta(a, b));
}

double zp_ibeta_inv(double p, double a, double b)
{
    if (!(a > 0) || !(b > 0) || !(p >= 0) || !(p <= 1))
        return NAN;
    if (p == 0)
        return 0;
    if (p == 1)
        return 1;
    /* start from the normal approximation of Beta(a, b), inside (0, 1) */
    double mean = a / (a + b), sd = sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)));
    double x = mean + zp_norm_quantile(p) * sd;
    double lo = 0, hi = 1;
    if (!(x > 0 && x < 1))
        x = mean;
    for (int it = 0; it < INV_MAX_ITER; it++) {
        double f = zp_ibeta(x, a, b) - p;
        if (f == 0)
            return x;
        if (f < 0)
            lo = x;
        else
            hi = x;
        if (hi - lo <= 2 * DBL_EPSILON * hi)
            break;
        double d = beta_pdf(x, a, b), xn;
        xn = (d > 0 && isfinite(d)) ? x - f / d : NAN;
        if (!(xn > lo && xn < hi))
            xn = 0.5 * (lo + hi); /* Newton left the bracket: bisect */
        if (fabs(xn - x) <= 4 * DBL_EPSILON * x)
            return xn;
        x = xn;
    }
    return 0.5 * (lo + hi);
}

/* Acklam's approximation for p <= 1/2, then one Halley step. */
static double norm_quantile_lower(double p)
{
    static const double a[6] = { -3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00 };
    static const double b[5] = { -5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01 };
    static const double c[6] = { -7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00 };
    static const double d[4] = { 7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00 };
    double x;
    if (p < 0.02425) {
        double q = sqrt(-2 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else {
        double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    /* Halley: e = Phi(x) - p, computed in the lower tail where it is exact
     * to relative precision */
    double e = 0.5 * erfc(-x / sqrt(2.0)) - p;
    double u = e * sqrt(2 * M_PI) * exp(0.5 * x * x);
    return x - u / (1 + 0.5 * x * u);
}

double zp_norm_quantile(double p)
{
    if (!(p > 0) || !(p < 1))
        return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
    if (p <= 0.5)
        return norm_quantile_lower(p);
    return -norm_quantile_lower(1 - p); /* 1 - p is exact for p >= 1/2 */
}

double zp_binom_cdf(uint64_t k, uint64_t n, double p)
{
    if (!(p >= 0) || !(p <= 1))
        return NAN;
    if (k >= n)
        return 1;
    return zp_ibeta(1 - p, (double)(n - k), (double)k + 1);
}

double zp_binom_sf(uint64_t k, uint64_t n, double p)
{
    if (!(p >= 0) || !(p <= 1))
        return NAN;
    if (k == 0)
        return 1;
    if (k > n)
        return 0;
    return zp_ibeta(p, (double)k, (double)(n - k) + 1);
}

/* ln C(n, k) = -ln(n + 1) - ln B(n - k + 1, k + 1) */
static double log_choose(uint64_t n, uint64_t k)
{
    if (k == 0 || k == n)
        return 0;
    return -log((double)n + 1) - zp_log_beta((double)(n - k) + 1, (double)k + 1);
}

static double hyper_log_pmf(uint64_t x, uint64_t n, uint64_t K, uint64_t N)
{
    return log_choose(K, x) + log_choose(N - K, n - x) - log_choose(N, n);
}

/* Sum the pmf from x towards `end` (step +1 or -1).  Terms are kept relative
 * to the first one (rescaled when they grow), so a first term that would
 * underflow does not zero a tail that holds the mode; the sum stops once the
 * terms are falling and negligible. */
static double hyper_tail(uint64_t x, uint64_t end, int up, uint64_t n, uint64_t K, uint64_t N)
{
    double log0 = hyper_log_pmf(x, n, K, N), t = 1, s = 1;
    double dN = (double)N, dK = (double)K, dn = (double)n;
    for (uint64_t k = x; k != end;) {
        double dk = (double)k, r;
        if (up) /* t(k+1) / t(k) */
            r = (dK - dk) * (dn - dk) / ((dk + 1) * (dN - dK - dn + dk + 1));
        else /* t(k-1) / t(k) */
            r = dk * (dN - dK - dn + dk) / ((dK - dk + 1) * (dn - dk + 1));
        t *= r;
        s += t;
        if (s > 1e280) {
            log0 += log(s);
            t /= s;
            s = 1;
        }
        if (r < 1 && t < s * 1e-18)
            break;
        k = up ? k + 1 : k - 1;
    }
    double v = exp(log0 + log(s));
    return v > 1 ? 1 : v;
}

double zp_hyper_cdf(uint64_t x, uint64_t n, uint64_t K, uint64_t N)
{
    if (n > N || K > N)
        return NAN;
    uint64_t lo = n + K > N ? n + K - N : 0, hi = n < K ? n : K;
    if (x >= hi)
        return 1;
    if (x < lo)
        return 0;
    return hyper_tail(x, lo, 0, n, K, N);
}

double zp_hyper_sf(uint64_t x, uint64_t n, uint64_t K, uint64_t N)
{
    if (n > N || K > N)
        return NAN;
    uint64_t lo = n + K > N ? n + K - N : 0, hi = n < K ? n : K;
    if (x <= lo)
        return 1;
    if (x > hi)
        return 0;
    return hyper_tail(x, hi, 1, n, K, N);
}
