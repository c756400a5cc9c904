/* protocol/stats_interval.h - confidence intervals for an audit's accuracy.
 *
 * x of n audited samples were classified correctly.  Each function fills a
 * caller-owned zp_interval [lo, hi] (0 <= lo <= hi <= 1) at confidence
 * `conf` = 1 - alpha and returns ZA_OK, or returns ZA_ERR_ARG with a message
 * in err (and leaves *out untouched) when x > n, n == 0, N < n or conf is
 * not inside (0, 1).  Nothing is allocated.
 *
 *   Clopper-Pearson  exact binomial: the accuracy of the data distribution.
 *   hypergeometric   exact, the accuracy on a committed test set of N items
 *                    sampled without replacement: the set of K consistent
 *                    with x at level alpha (alpha/2 per tail), as K/N.
 *   Wilson, Jeffreys approximate, shorter, for comparison.
 *   exact lower      one-sided Clopper-Pearson: accuracy >= lo with
 *                    confidence conf (hi = 1); certifies "accuracy >= t".
 *   Hoeffding        the seed paper's tail bound, one-sided (hi = 1) and
 *                    two-sided, clipped to [0, 1].
 * Formulas and when to use which: docs/statistics.md.
 */
#ifndef ZP_STATS_INTERVAL_H
#define ZP_STATS_INTERVAL_H

#include <stdint.h>

#include "common/error.h"

typedef struct {
    double lo, hi;
} zp_interval;

typedef enum {
    ZP_CI_CLOPPER_PEARSON = 0,
    ZP_CI_HYPERGEOMETRIC = 1,
    ZP_CI_WILSON = 2,
    ZP_CI_JEFFREYS = 3,
    ZP_CI_EXACT_LOWER = 4,
    ZP_CI_HOEFFDING_ONE = 5,
    ZP_CI_HOEFFDING_TWO = 6
} zp_ci_method;
#define ZP_CI_METHODS 7

/* Short stable name ("clopper-pearson", "hypergeometric", "wilson",
 * "jeffreys", "exact-lower", "hoeffding-one-sided", "hoeffding-two-sided"). */
const char *zp_ci_method_name(zp_ci_method m);

za_status zp_ci_clopper_pearson(uint64_t x, uint64_t n, double conf, zp_interval *out,
                                za_error *err) ZA_WARN_UNUSED;
/* N = size of the committed test set, n <= N. */
za_status zp_ci_hypergeometric(uint64_t x, uint64_t n, uint64_t N, double conf, zp_interval *out,
                               za_error *err) ZA_WARN_UNUSED;
za_status zp_ci_wilson(uint64_t x, uint64_t n, double conf, zp_interval *out,
                       za_error *err) ZA_WARN_UNUSED;
/* Equal-tailed Beta(x + 1/2, n - x + 1/2) quantiles, with lo = 0 at x = 0
 * and hi = 1 at x = n (Brown, Cai and DasGupta 2001). */
za_status zp_ci_jeffreys(uint64_t x, uint64_t n, double conf, zp_interval *out,
                         za_error *err) ZA_WARN_UNUSED;
za_status zp_ci_exact_lower(uint64_t x, uint64_t n, double conf, zp_interval *out,
                            za_error *err) ZA_WARN_UNUSED;
za_status zp_ci_hoeffding_one(uint64_t x, uint64_t n, double conf, zp_interval *out,
                              za_error *err) ZA_WARN_UNUSED;
za_status zp_ci_hoeffding_two(uint64_t x, uint64_t n, double conf, zp_interval *out,
                              za_error *err) ZA_WARN_UNUSED;

/* Any of the above by method; N is used by ZP_CI_HYPERGEOMETRIC only. */
za_status zp_ci(zp_ci_method m, uint64_t x, uint64_t n, uint64_t N, double conf,
                zp_interval *out, za_error *err) ZA_WARN_UNUSED;

/* Hypergeometric bounds as counts: K_lo <= K <= K_hi of N (what
 * zp_ci_hypergeometric divides by N).  one_sided: only K_lo, at level alpha
 * instead of alpha/2 (K_hi = N - (n - x)). */
za_status zp_ci_hyper_counts(uint64_t x, uint64_t n, uint64_t N, double conf, int one_sided,
                             uint64_t *k_lo, uint64_t *k_hi, za_error *err) ZA_WARN_UNUSED;

#endif
