/* protocol/audit_summary.h - the numbers of an audit report, computed from
 * the request, the per-sample verdicts and the sampled items' labels
 * (docs/statistics.md, docs/report.md).
 *
 * A sample is correct when its proof is valid and the proven prediction
 * equals the committed label; an invalid or missing proof counts as wrong
 * (the audit parameters say so).  From x correct of n:
 *   - every interval of protocol/stats_interval.h side by side, the
 *     recommended one marked: the exact hypergeometric interval, since the
 *     claim is "accuracy on this committed test set of N items";
 *   - per class: samples, correct, accuracy, Clopper-Pearson interval; the
 *     confusion matrix (truth x prediction, plus a column for samples with
 *     no valid proof); the stratified estimate over the test set's class
 *     frequencies;
 *   - the sequential rule of the parameters, replayed over the request
 *     order batch by batch: where the confidence sequence reached the
 *     margin, or the SPRT's decision and when;
 *   - the cost: measured prover CPU-seconds per sample (from the bundle)
 *     times the price per CPU-hour, plus verification, with how it was
 *     computed; and the samples each method would have needed for the same
 *     margin (the saving against Hoeffding).
 *
 * Ownership: zp_audit_summary owns its arrays (zp_audit_summary_free).
 */
#ifndef ZP_AUDIT_SUMMARY_H
#define ZP_AUDIT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "protocol/audit_verify.h"
#include "protocol/request.h"
#include "protocol/stats_cost.h"
#include "protocol/stats_interval.h"
#include "protocol/stats_seq.h"

typedef struct {
    size_t n_classes;
    char **label_names;         /* n_classes (owned copies; never NULL entries) */
    const uint64_t *test_counts; /* n_classes: class sizes in the committed test set (borrowed) */
    const uint32_t *labels;     /* rq->n labels of the sampled items, request order (borrowed) */
    double price_per_cpu_hour;
    unsigned batch_size;        /* for replaying the sequential rule */
} zp_summary_inputs;

typedef struct {
    uint64_t n, correct, wrong, invalid, missing;
    double accuracy;             /* correct / n */
    uint64_t N;                  /* test-set size */
    double confidence, margin;
    zp_interval ci[ZP_CI_METHODS];
    int ci_ok[ZP_CI_METHODS];
    zp_ci_method recommended;
    uint64_t planned[ZP_CI_METHODS]; /* samples each method needs for the margin (0: n/a) */
    /* per class */
    size_t n_classes;
    char **label_names;
    uint64_t *class_n, *class_correct;
    zp_interval *class_ci;
    uint64_t *confusion;         /* n_classes x (n_classes + 1); last column: no valid proof */
    uint64_t *test_counts;       /* copy */
    int stratified_ok;
    double stratified;
    zp_interval stratified_ci;
    /* sequential replay */
    zp_stop_rule stop;
    uint64_t stopped_at;         /* samples after which the rule stopped; 0 = never */
    zp_interval cs_final;        /* confidence sequence after all n samples */
    zp_sprt_decision sprt;
    /* cost */
    double prover_cpu_s_per_sample, verify_s_per_sample, price_per_cpu_hour;
    zp_cost cost;                /* of this audit's n samples */
    zp_cost cost_plan_5, cost_plan_1; /* projected: +-5% and +-1% at the same confidence */
    uint64_t plan_5, plan_1;
} zp_audit_summary;

za_status zp_audit_summarize(const zp_request *rq, const zp_audit_result *res,
                             const zp_summary_inputs *in, zp_audit_summary *out,
                             za_error *err) ZA_WARN_UNUSED;
void zp_audit_summary_free(zp_audit_summary *s);

/* The seed of the confidence sequence's in-batch order (zp_cs_new) for a
 * replay of the request's verdicts: from the audit's own sample seed, so
 * that every replay (buyer verify, buyer report, anyone with the request)
 * gets the same interval and stops at the same sample. */
uint64_t zp_audit_cs_seed(const zp_request *rq);

/* The parameters' stopping rule replayed over the first `upto` samples in
 * request order, one bundle batch (batch_size samples) at a time: the
 * granularity at which an audit loop sees verified results.  buyer verify
 * replays the verified prefix, buyer report all n samples. */
typedef struct {
    uint64_t samples;          /* replayed: upto */
    uint64_t stopped_at;       /* samples after which the rule decided; 0 = not decided */
    zp_interval cs;            /* the confidence sequence after `samples` */
    zp_sprt_decision sprt;     /* ZP_STOP_SPRT: the test's decision (sticky) */
} zp_replay;
za_status zp_audit_replay(const zp_request *rq, const zp_audit_result *res,
                          const uint32_t *labels, unsigned batch_size, uint64_t upto,
                          zp_replay *out, za_error *err) ZA_WARN_UNUSED;

/* 1 if sample i counts as correct. */
int zp_sample_correct(const zp_audit_result *res, const uint32_t *labels, uint64_t i);

#endif
