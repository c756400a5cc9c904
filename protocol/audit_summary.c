/* protocol/audit_summary.c - the statistics of a report (see audit_summary.h). */
#include "protocol/audit_summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/stats_classes.h"
#include "protocol/stats_plan.h"

int zp_sample_correct(const zp_audit_result *res, const uint32_t *labels, uint64_t i)
{
    const zp_sample_result *s = &res->samples[i];
    return s->status == ZP_SAMPLE_VALID && s->predicted >= 0 &&
           (uint64_t)s->predicted == labels[i];
}

uint64_t zp_audit_cs_seed(const zp_request *rq)
{
    /* the in-batch order of the without-replacement sequence comes from the
     * audit's own seed, so anyone replaying the report gets the same */
    uint8_t seed[32];
    uint64_t order_seed = 0;
    zp_request_seed(rq, seed);
    for (int i = 0; i < 8; i++)
        order_seed |= (uint64_t)seed[i] << (8 * i);
    return order_seed;
}

void zp_audit_summary_free(zp_audit_summary *s)
{
    if (!s)
        return;
    if (s->label_names)
        for (size_t c = 0; c < s->n_classes; c++)
            free(s->label_names[c]);
    free(s->label_names);
    free(s->class_n);
    free(s->class_correct);
    free(s->class_ci);
    free(s->confusion);
    free(s->test_counts);
    memset(s, 0, sizeof *s);
}

za_status zp_audit_replay(const zp_request *rq, const zp_audit_result *res,
                          const uint32_t *labels, unsigned batch_size, uint64_t upto,
                          zp_replay *out, za_error *err)
{
    memset(out, 0, sizeof *out);
    out->sprt = ZP_SPRT_CONTINUE;
    out->cs = (zp_interval){ 0, 1 };
    unsigned B = batch_size ? batch_size : 1;
    upto = upto < rq->n ? upto : rq->n;
    zp_cs *cs = NULL;
    za_status st = zp_cs_new(rq->params.confidence, rq->transcript.dataset_count,
                             zp_audit_cs_seed(rq), &cs, err);
    if (st != ZA_OK)
        return st;
    zp_sprt sp;
    int use_sprt = rq->params.stop == ZP_STOP_SPRT;
    if (use_sprt) {
        double alpha = 1 - rq->params.confidence;
        if ((st = zp_sprt_init(&sp, rq->params.threshold0, rq->params.threshold, alpha, alpha,
                               err)) != ZA_OK) {
            zp_cs_free(cs);
            return st;
        }
    }
    for (uint64_t first = 0; first < upto; first += B) {
        uint64_t m = upto - first < B ? upto - first : B, k = 0;
        for (uint64_t i = first; i < first + m; i++)
            k += (uint64_t)zp_sample_correct(res, labels, i);
        if ((st = zp_cs_update(cs, k, m, err)) != ZA_OK)
            break;
        out->samples = first + m;
        zp_cs_interval(cs, &out->cs);
        if (rq->params.stop == ZP_STOP_CONFSEQ && !out->stopped_at &&
            (out->cs.hi - out->cs.lo) / 2 <= rq->params.margin)
            out->stopped_at = first + m;
        if (use_sprt && out->sprt == ZP_SPRT_CONTINUE) {
            if ((st = zp_sprt_update(&sp, k, m, err)) != ZA_OK)
                break;
            if (sp.decision != ZP_SPRT_CONTINUE) {
                out->sprt = sp.decision;
                out->stopped_at = first + m;
            }
        }
    }
    zp_cs_free(cs);
    return st;
}

static za_status replay_sequential(const zp_request *rq, const zp_audit_result *res,
                                   const zp_summary_inputs *in, zp_audit_summary *s,
                                   za_error *err)
{
    zp_replay r;
    za_status st = zp_audit_replay(rq, res, in->labels, in->batch_size, rq->n, &r, err);
    s->stop = rq->params.stop;
    s->stopped_at = r.stopped_at;
    s->cs_final = r.cs;
    s->sprt = r.sprt;
    return st;
}

static za_status per_class(const zp_request *rq, const zp_audit_result *res,
                           const zp_summary_inputs *in, zp_audit_summary *s, za_error *err)
{
    size_t C = in->n_classes;
    s->n_classes = C;
    s->label_names = calloc(C ? C : 1, sizeof(char *));
    s->class_n = calloc(C ? C : 1, sizeof(uint64_t));
    s->class_correct = calloc(C ? C : 1, sizeof(uint64_t));
    s->class_ci = calloc(C ? C : 1, sizeof(zp_interval));
    s->confusion = calloc(C * (C + 1) + 1, sizeof(uint64_t));
    s->test_counts = calloc(C ? C : 1, sizeof(uint64_t));
    if (!s->label_names || !s->class_n || !s->class_correct || !s->class_ci || !s->confusion ||
        !s->test_counts)
        return za_error_set(err, ZA_ERR_NOMEM, "report: out of memory");
    for (size_t c = 0; c < C; c++) {
        s->label_names[c] = strdup(in->label_names && in->label_names[c] ? in->label_names[c]
                                                                          : "");
        if (!s->label_names[c])
            return za_error_set(err, ZA_ERR_NOMEM, "report: out of memory");
        s->test_counts[c] = in->test_counts ? in->test_counts[c] : 0;
    }
    for (uint64_t i = 0; i < rq->n; i++) {
        uint32_t t = in->labels[i];
        if (t >= C)
            return za_error_set(err, ZA_ERR_ARG, "report: sample %llu has label %u of %zu classes",
                                (unsigned long long)i, t, C);
        const zp_sample_result *r = &res->samples[i];
        size_t col = r->status == ZP_SAMPLE_VALID && r->predicted >= 0 &&
                             (uint64_t)r->predicted < C
                         ? (size_t)r->predicted
                         : C;
        s->confusion[t * (C + 1) + col]++;
        s->class_n[t]++;
        s->class_correct[t] += (uint64_t)zp_sample_correct(res, in->labels, i);
    }
    for (size_t c = 0; c < C; c++) {
        if (s->class_n[c] == 0) {
            s->class_ci[c] = (zp_interval){ 0, 1 };
            continue;
        }
        za_status st = zp_ci_clopper_pearson(s->class_correct[c], s->class_n[c],
                                             rq->params.confidence, &s->class_ci[c], err);
        if (st != ZA_OK)
            return st;
    }
    /* the stratified estimate: a square confusion over the classes with
     * "no valid proof" entered as a wrong prediction of another class */
    zp_confusion cf;
    za_error serr;
    s->stratified_ok = 0;
    if (C >= 2 && in->test_counts && zp_confusion_init(&cf, C, &serr) == ZA_OK) {
        int ok = 1;
        for (size_t t = 0; t < C && ok; t++)
            for (size_t p = 0; p <= C && ok; p++) {
                uint64_t k = s->confusion[t * (C + 1) + p];
                size_t as = p < C ? p : (t + 1) % C;
                for (uint64_t j = 0; j < k && ok; j++)
                    ok = zp_confusion_add(&cf, t, as, &serr) == ZA_OK;
            }
        if (ok && zp_stratified(&cf, in->test_counts, rq->params.confidence, &s->stratified,
                                &s->stratified_ci, &serr) == ZA_OK)
            s->stratified_ok = 1;
        zp_confusion_free(&cf);
    }
    return ZA_OK;
}

static void project(double cpu, double ver, double price, uint64_t n, zp_cost *out)
{
    zp_cost_model cm = { cpu, ver, price };
    za_error e;
    if (zp_cost_project(&cm, n, out, &e) != ZA_OK)
        memset(out, 0, sizeof *out);
}

za_status zp_audit_summarize(const zp_request *rq, const zp_audit_result *res,
                             const zp_summary_inputs *in, zp_audit_summary *s, za_error *err)
{
    memset(s, 0, sizeof *s);
    if (res->n != rq->n)
        return za_error_set(err, ZA_ERR_ARG, "report: %llu verdicts for %llu samples",
                            (unsigned long long)res->n, (unsigned long long)rq->n);
    s->n = rq->n;
    s->N = rq->transcript.dataset_count;
    s->confidence = rq->params.confidence;
    s->margin = rq->params.margin;
    s->invalid = res->invalid;
    s->missing = res->missing;
    for (uint64_t i = 0; i < rq->n; i++)
        s->correct += (uint64_t)zp_sample_correct(res, in->labels, i);
    s->wrong = s->n - s->correct - s->invalid - s->missing;
    s->accuracy = s->n ? (double)s->correct / (double)s->n : NAN;
    s->recommended = ZP_CI_HYPERGEOMETRIC;
    for (int m = 0; m < ZP_CI_METHODS; m++) {
        za_error e;
        s->ci_ok[m] = s->n > 0 && zp_ci((zp_ci_method)m, s->correct, s->n, s->N, s->confidence,
                                        &s->ci[m], &e) == ZA_OK;
        uint64_t need = 0;
        if (s->margin > 0 && zp_plan_samples((zp_ci_method)m, s->margin, s->confidence, s->N,
                                             ZP_PLAN_WORST_CASE, &need, &e) == ZA_OK)
            s->planned[m] = need;
    }
    za_status st = per_class(rq, res, in, s, err);
    if (st == ZA_OK && s->n)
        st = replay_sequential(rq, res, in, s, err);
    if (st != ZA_OK) {
        zp_audit_summary_free(s);
        return st;
    }
    s->price_per_cpu_hour = in->price_per_cpu_hour;
    s->prover_cpu_s_per_sample =
        res->proven_samples ? res->prove_cpu_s / (double)res->proven_samples : 0;
    s->verify_s_per_sample = s->n ? res->verify_cpu_s / (double)s->n : 0;
    project(s->prover_cpu_s_per_sample, s->verify_s_per_sample, s->price_per_cpu_hour, s->n,
            &s->cost);
    za_error e;
    if (zp_plan_samples(ZP_CI_HYPERGEOMETRIC, 0.05, s->confidence, s->N, ZP_PLAN_WORST_CASE,
                        &s->plan_5, &e) == ZA_OK)
        project(s->prover_cpu_s_per_sample, s->verify_s_per_sample, s->price_per_cpu_hour,
                s->plan_5, &s->cost_plan_5);
    if (zp_plan_samples(ZP_CI_HYPERGEOMETRIC, 0.01, s->confidence, s->N, ZP_PLAN_WORST_CASE,
                        &s->plan_1, &e) == ZA_OK)
        project(s->prover_cpu_s_per_sample, s->verify_s_per_sample, s->price_per_cpu_hour,
                s->plan_1, &s->cost_plan_1);
    return ZA_OK;
}
