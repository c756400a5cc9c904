/* protocol/stats_seq.h - sequential audits: stop as soon as the answer is
 * clear.
 *
 * The audit loop verifies a batch of proofs, counts k correct of the m new
 * samples, and calls zp_cs_update / zp_sprt_update; it may stop after any
 * batch.  Both guarantees hold at every stopping time the loop chooses.
 *
 * zp_cs: an anytime-valid confidence sequence for the accuracy (a mean in
 * [0, 1]) by betting, Waudby-Smith & Ramdas, "Estimating means of bounded
 * random variables by betting", JRSS-B 86(1), 2024, online 2023
 * (arXiv 2010.09686):
 * the hedged capital process K_t(m) = max(K+_t(m), K-_t(m)) / 2 with
 * K+-_t(m) = prod_i (1 +- lambda+-_i(m) (x_i - m_i)), the predictable
 * plug-in bet lambda_i = min(c, sqrt(2 ln(2/alpha) / (s2_{i-1} i ln(1 + i))))
 * (c = 1/2), truncated to c/m_i and c/(1 - m_i); the set is
 * {m : K_t(m) < 1/alpha} on a grid, running intersection.  With a test set
 * of N items (sampling without replacement, their Section 6)
 * m_i = (N m - sum_{j<i} x_j) / (N - i + 1), the mean of what is left.  A
 * bet is fixed for a whole batch (it is predictable w.r.t. the batches), so
 * with replacement a batch multiplies the capital by
 * (1 + l (1 - m))^k (1 - l m)^(m - k).  Without replacement the capital
 * depends on the order inside the batch: the m outcomes are put in a
 * uniformly random order from the state's seeded generator, which is
 * valid because the items of a sample drawn without replacement are
 * exchangeable.  Grid: every K/N when N <= ZP_CS_EXACT_GRID_MAX (the true
 * value is a grid point), else 1001 points j/1000 with the reported ends
 * moved one step outwards.
 *
 * zp_sprt: Wald's sequential probability ratio test of H1 "accuracy >= t"
 * against H0 "accuracy <= t0" (t0 < t), with error rates a = P(accept H1 |
 * H0) and b = P(accept H0 | H1): the log likelihood ratio of p = t against
 * p = t0 is compared with ln((1 - b)/a) (accept) and ln(b/(1 - a))
 * (reject) after each batch.  Wald's inequality bounds the true error rates
 * by a/(1 - b) and b/(1 - a).
 */
#ifndef ZP_STATS_SEQ_H
#define ZP_STATS_SEQ_H

#include <stdint.h>

#include "common/error.h"
#include "common/limits.h"
#include "protocol/stats_interval.h"

#define ZP_CS_EXACT_GRID_MAX ZA_MAX_CS_EXACT_GRID /* common/limits.h */

typedef struct zp_cs zp_cs; /* opaque */

/* A confidence sequence at confidence conf in (0, 1); N = size of the test
 * set sampled without replacement, or 0 for the data distribution (with
 * replacement); seed fixes the in-batch order (without replacement).
 * On success *out is owned by the caller, freed with zp_cs_free. */
za_status zp_cs_new(double conf, uint64_t N, uint64_t seed, zp_cs **out,
                    za_error *err) ZA_WARN_UNUSED;
/* k correct of m new samples (k <= m; n + m <= N with a test set). */
za_status zp_cs_update(zp_cs *cs, uint64_t k, uint64_t m, za_error *err) ZA_WARN_UNUSED;
/* The current interval ([0, 1] before any sample) and sample count. */
void zp_cs_interval(const zp_cs *cs, zp_interval *out);
uint64_t zp_cs_samples(const zp_cs *cs);
void zp_cs_free(zp_cs *cs); /* NULL is fine */

typedef enum {
    ZP_SPRT_CONTINUE = 0, /* sample more */
    ZP_SPRT_ACCEPT = 1,   /* accuracy >= t (H1) */
    ZP_SPRT_REJECT = 2    /* accuracy <= t0 (H0) */
} zp_sprt_decision;

typedef struct { /* caller-owned, plain value; fields read-only */
    double t0, t, a, b;
    double llr, step1, step0; /* current log LR; increments for a 1 and a 0 */
    double upper, lower;      /* ln((1 - b)/a), ln(b/(1 - a)) */
    uint64_t n, correct;
    zp_sprt_decision decision; /* sticky once not CONTINUE */
} zp_sprt;

/* 0 < t0 < t < 1, 0 < a, b and a + b < 1. */
za_status zp_sprt_init(zp_sprt *s, double t0, double t, double a, double b,
                       za_error *err) ZA_WARN_UNUSED;
/* k correct of m (k <= m, else ZA_ERR_ARG and nothing changes); the
 * decision after the batch is in s->decision (a decided test stays decided
 * and ignores further batches). */
za_status zp_sprt_update(zp_sprt *s, uint64_t k, uint64_t m, za_error *err) ZA_WARN_UNUSED;
const char *zp_sprt_decision_name(zp_sprt_decision d); /* "continue", "accept", "reject" */

#endif
