/* protocol/stats_beta.h - the special functions behind the audit statistics.
 *
 * Plain double precision, no state, no allocation, no I/O: every function is
 * pure and thread-safe apart from zp_log_gamma (libm's lgamma writes the
 * global signgam; it is only called with positive arguments, where the sign
 * is +1).  Arguments outside a function's domain give NAN, never a crash:
 * the callers in stats_interval.c / stats_plan.c validate user input first
 * and report it through za_error.
 *
 * Accuracy (tests/unit/test_stats.c checks it against exact GMP rationals):
 * zp_ibeta and zp_ibeta_inv agree with the exact values to 1e-12 absolute
 * for integer a, b on a grid up to 1,500 and at a few points with a + b up
 * to 10,000 (the planning searches' range; worst seen 2.4e-13), and the
 * half-integer cases tested against mpmath; zp_norm_quantile to
 * 1e-13 (1 + |x|) on [1e-12, 1 - 1e-12].
 */
#ifndef ZP_STATS_BETA_H
#define ZP_STATS_BETA_H

#include <stdint.h>

/* ln Gamma(x) for x > 0 (libm lgamma; NAN for x <= 0). */
double zp_log_gamma(double x);

/* ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b), a, b > 0. */
double zp_log_beta(double a, double b);

/* The regularized incomplete beta function I_x(a, b), a, b > 0, 0 <= x <= 1:
 * modified Lentz continued fraction on x < (a+1)/(a+b+2), else on
 * 1 - I_{1-x}(b, a) (the symmetry switch that keeps the fraction short). */
double zp_ibeta(double x, double a, double b);

/* The inverse: the x in [0, 1] with I_x(a, b) = p, 0 <= p <= 1.  Newton
 * steps inside a bracket that bisection keeps shrinking, run until the
 * bracket is a few ulps wide (full double precision). */
double zp_ibeta_inv(double p, double a, double b);

/* The standard normal quantile Phi^-1(p), 0 < p < 1: Acklam's rational
 * approximation refined by one Halley step on erfc (libm). */
double zp_norm_quantile(double p);

/* Binomial(n, p): P(X <= k) and P(X >= k), through I_x(a, b).
 * (k > n gives 1 resp. 0; k == 0 for the upper tail gives 1.) */
double zp_binom_cdf(uint64_t k, uint64_t n, double p);
double zp_binom_sf(uint64_t k, uint64_t n, double p);

/* Hypergeometric: X = successes in n draws without replacement from a
 * population of N items of which K are successes (n, K <= N).
 * zp_hyper_cdf = P(X <= x), zp_hyper_sf = P(X >= x); each sums its own tail
 * in log-scaled terms (lgamma for the first term, then the exact ratio of
 * consecutive terms), O(tail length). */
double zp_hyper_cdf(uint64_t x, uint64_t n, uint64_t K, uint64_t N);
double zp_hyper_sf(uint64_t x, uint64_t n, uint64_t K, uint64_t N);

#endif
