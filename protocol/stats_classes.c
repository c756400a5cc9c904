/* protocol/stats_classes.c - per-class accuracy, confusion matrix,
 * stratified estimate (see stats_classes.h). */
#include "protocol/stats_classes.h"

#include <math.h>
#include <stdlib.h>

#include "protocol/stats_beta.h"

za_status zp_confusion_init(zp_confusion *c, size_t n_classes, za_error *err)
{
    c->n_classes = 0;
    c->counts = NULL;
    if (n_classes == 0 || n_classes > ZP_CLASSES_MAX)
        return za_error_set(err, ZA_ERR_ARG, "confusion matrix: %zu classes (1 to %u allowed)",
                            n_classes, ZP_CLASSES_MAX);
    c->counts = calloc(n_classes * n_classes, sizeof(uint64_t));
    if (!c->counts)
        return za_error_set(err, ZA_ERR_NOMEM, "confusion matrix: out of memory for %zu classes",
                            n_classes);
    c->n_classes = n_classes;
    return ZA_OK;
}

void zp_confusion_free(zp_confusion *c)
{
    free(c->counts);
    c->counts = NULL;
    c->n_classes = 0;
}

za_status zp_confusion_add(zp_confusion *c, size_t truth, size_t predicted, za_error *err)
{
    if (truth >= c->n_classes || predicted >= c->n_classes)
        return za_error_set(err, ZA_ERR_ARG,
                            "confusion matrix: label %zu (true) / %zu (predicted) outside the "
                            "%zu classes",
                            truth, predicted, c->n_classes);
    c->counts[truth * c->n_classes + predicted]++;
    return ZA_OK;
}

uint64_t zp_confusion_get(const zp_confusion *c, size_t truth, size_t predicted)
{
    return c->counts[truth * c->n_classes + predicted];
}

static uint64_t row_sum(const zp_confusion *c, size_t t)
{
    uint64_t s = 0;
    for (size_t p = 0; p < c->n_classes; p++)
        s += c->counts[t * c->n_classes + p];
    return s;
}

za_status zp_class_accuracies(const zp_confusion *c, zp_ci_method m, double conf,
                              const uint64_t *test_counts, zp_class_accuracy *out, za_error *err)
{
    if (m == ZP_CI_HYPERGEOMETRIC && !test_counts)
        return za_error_set(err, ZA_ERR_ARG,
                            "per-class accuracy: the hypergeometric interval needs the test "
                            "set's class counts");
    for (size_t k = 0; k < c->n_classes; k++) {
        zp_class_accuracy *a = &out[k];
        a->correct = c->counts[k * c->n_classes + k];
        a->samples = row_sum(c, k);
        if (a->samples == 0) {
            a->accuracy = NAN;
            a->ci.lo = 0, a->ci.hi = 1;
            continue;
        }
        a->accuracy = (double)a->correct / (double)a->samples;
        za_status st = zp_ci(m, a->correct, a->samples, test_counts ? test_counts[k] : 0, conf,
                             &a->ci, err);
        if (st)
            return za_error_prefix(err, "class %zu", k);
    }
    return ZA_OK;
}

za_status zp_stratified(const zp_confusion *c, const uint64_t *test_counts, double conf,
                        double *estimate, zp_interval *ci, za_error *err)
{
    if (!(conf > 0 && conf < 1))
        return za_error_set(err, ZA_ERR_ARG,
                            "stratified estimate: confidence %g is not strictly between 0 and 1",
                            conf);
    double total = 0;
    for (size_t k = 0; k < c->n_classes; k++)
        total += (double)test_counts[k];
    if (total == 0)
        return za_error_set(err, ZA_ERR_ARG, "stratified estimate: the test set has no item");
    double p = 0, var = 0;
    for (size_t k = 0; k < c->n_classes; k++) {
        if (test_counts[k] == 0)
            continue;
        uint64_t n = row_sum(c, k), x = c->counts[k * c->n_classes + k];
        if (n == 0)
            return za_error_set(err, ZA_ERR_ARG,
                                "stratified estimate: class %zu has %llu test items but no "
                                "audited sample",
                                k, (unsigned long long)test_counts[k]);
        if (n > test_counts[k])
            return za_error_set(err, ZA_ERR_ARG,
                                "stratified estimate: class %zu has %llu audited samples but only "
                                "%llu test items",
                                k, (unsigned long long)n, (unsigned long long)test_counts[k]);
        double w = (double)test_counts[k] / total, dn = (double)n;
        double q = ((double)x + 1) / (dn + 2), v = q * (1 - q) / dn;
        if (test_counts[k] > 1)
            v *= (double)(test_counts[k] - n) / (double)(test_counts[k] - 1);
        p += w * (double)x / dn;
        var += w * w * v;
    }
    double half = zp_norm_quantile(1 - (1 - conf) / 2) * sqrt(var);
    *estimate = p;
    ci->lo = p - half < 0 ? 0 : p - half;
    ci->hi = p + half > 1 ? 1 : p + half;
    return ZA_OK;
}
