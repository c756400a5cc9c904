/* protocol/stats_plan.h - how many samples an audit needs.
 *
 * For a margin e at confidence conf = 1 - alpha, the sample size n per
 * method is the smallest n whose interval puts every bound within e of the
 * observed accuracy x/n:
 *
 *   max over x of max(x/n - lo(x), hi(x) - x/n) <= e          (the margin)
 *
 * with x ranging over every outcome (worst case), or, given an expected
 * accuracy p, over the outcomes next to n p (floor and ceil).  This
 * "distance to each bound" definition is the one that reproduces the
 * reference numbers (404 / 9,704 for Clopper-Pearson and 389 / 4,949 for
 * the hypergeometric search at N = 10,000, at +-5% / +-1%, 95%); the
 * narrower "half the width" reading gives 402 / 9,701.  docs/statistics.md
 * shows both.
 *
 *   ZP_CI_HOEFFDING_ONE  ceil(ln(1/alpha) / (2 e^2))  (600, 14,979)
 *   ZP_CI_HOEFFDING_TWO  ceil(ln(2/alpha) / (2 e^2))  (738, 18,445)
 *   ZP_CI_CLOPPER_PEARSON, ZP_CI_WILSON, ZP_CI_JEFFREYS: binary search on n
 *   ZP_CI_HYPERGEOMETRIC: binary search on n <= N, test set of N items
 * (Hoeffding's bound also holds without replacement, so N does not change
 * it.)  The worst case is searched over the outcomes near n/2 only, x in
 * n/2 +- (4 sqrt(n) + 10), where the distance is largest (it falls like
 * sqrt(p (1 - p)) away from p = 1/2); tests/unit/test_stats.c compares that
 * with a scan over every x.  The margin is monotone in n up to lattice
 * wiggles of one sample; after the binary search a downward step removes
 * those.
 *
 * Nothing is allocated.  Errors (ZA_ERR_ARG): margin not in (0, 0.5), conf
 * not in (0, 1), expected accuracy not in [0, 1], N == 0 for the
 * hypergeometric method, a one-sided method given to zp_plan_margin.
 */
#ifndef ZP_STATS_PLAN_H
#define ZP_STATS_PLAN_H

#include <stdint.h>

#include "common/error.h"
#include "protocol/stats_interval.h"

/* Pass as `expected` for the worst case over all outcomes. */
#define ZP_PLAN_WORST_CASE (-1.0)

/* Samples needed; *n_out is set on success.  N: size of the test set
 * (ZP_CI_HYPERGEOMETRIC only; ignored otherwise). */
za_status zp_plan_samples(zp_ci_method m, double margin, double conf, uint64_t N, double expected,
                          uint64_t *n_out, za_error *err) ZA_WARN_UNUSED;

/* The margin (as defined above) that n samples give; for the Hoeffding
 * methods the bound's own radius. */
za_status zp_plan_margin(zp_ci_method m, uint64_t n, double conf, uint64_t N, double expected,
                         double *margin_out, za_error *err) ZA_WARN_UNUSED;

#endif
