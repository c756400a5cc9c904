/* protocol/stats_classes.h - per-class accuracy, confusion matrix and the
 * stratified estimate.
 *
 * zp_confusion counts (true label, predicted label) pairs of the audited
 * samples in an n_classes x n_classes matrix (row = true label).  It owns
 * its counts: zp_confusion_init allocates them, zp_confusion_free releases
 * them (and may be called on a zeroed or failed-init struct).
 *
 * The stratified estimate weights each class's accuracy by its frequency
 * w_c = N_c / N in the committed test set:  p = sum_c w_c x_c / n_c.  Its
 * interval is a normal approximation p +- z sqrt(sum_c w_c^2 v_c) with
 * v_c = q_c (1 - q_c) / n_c, q_c = (x_c + 1) / (n_c + 2) (so that a class
 * audited all right or all wrong still has a variance), times the finite
 * population correction (N_c - n_c) / (N_c - 1) when N_c > 1; clipped to
 * [0, 1].  It is approximate: docs/statistics.md says when to prefer the
 * exact pooled interval.
 */
#ifndef ZP_STATS_CLASSES_H
#define ZP_STATS_CLASSES_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/limits.h"
#include "protocol/stats_interval.h"

#define ZP_CLASSES_MAX ZA_MAX_CLASSES /* a cap on n_classes (common/limits.h) */

typedef struct {
    size_t n_classes;
    uint64_t *counts; /* counts[true * n_classes + predicted], owned */
} zp_confusion;

za_status zp_confusion_init(zp_confusion *c, size_t n_classes, za_error *err) ZA_WARN_UNUSED;
void zp_confusion_free(zp_confusion *c);
/* Count one sample; labels >= n_classes are ZA_ERR_ARG. */
za_status zp_confusion_add(zp_confusion *c, size_t truth, size_t predicted,
                           za_error *err) ZA_WARN_UNUSED;
uint64_t zp_confusion_get(const zp_confusion *c, size_t truth, size_t predicted);

typedef struct {
    uint64_t correct, samples; /* x_c, n_c: the diagonal and the row sum */
    double accuracy;           /* x_c / n_c, or NAN when n_c == 0 */
    zp_interval ci;            /* [0, 1] when n_c == 0 */
} zp_class_accuracy;

/* Per-class accuracy with the interval method m at confidence conf.
 * test_counts (may be NULL): N_c per class, required by ZP_CI_HYPERGEOMETRIC.
 * out has n_classes entries, caller-owned. */
za_status zp_class_accuracies(const zp_confusion *c, zp_ci_method m, double conf,
                              const uint64_t *test_counts, zp_class_accuracy *out,
                              za_error *err) ZA_WARN_UNUSED;

/* The stratified estimate and its interval; test_counts[c] = N_c (classes
 * with N_c == 0 carry no weight; a class with N_c > 0 and no audited sample
 * is ZA_ERR_ARG, as are n_c > N_c and an all-zero test_counts). */
za_status zp_stratified(const zp_confusion *c, const uint64_t *test_counts, double conf,
                        double *estimate, zp_interval *ci, za_error *err) ZA_WARN_UNUSED;

#endif
