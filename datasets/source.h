/* datasets/source.h - a streaming source of labelled examples.
 *
 * Every importer (IDX, CIFAR binary, image folder, CSV) opens its input as a
 * zd_source and hands out one example at a time, so an import of a million
 * examples holds one example (plus the importer's small read buffer) in
 * memory, never the whole set.  The dataset index (datasets/db.h) consumes
 * sources without knowing their format.
 *
 * Ownership.  zd_source_open_* allocate the source; zd_source_close frees it
 * (NULL is fine).  The bytes an example points at belong to the source and
 * stay valid until the next zd_source_next or zd_source_close.  The info
 * block (and its label names) belongs to the source too.
 *
 * Errors.  A malformed input (wrong magic, truncation, a count mismatch, a
 * corrupt image, a ragged CSV row) is ZA_ERR_MALFORMED with a message naming
 * the file and the offset, row or entry; the source is then unusable except
 * for zd_source_close.  Nothing here writes anywhere.
 */
#ifndef ZD_SOURCE_H
#define ZD_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define ZD_MAX_RANK 4
#define ZD_MAX_LABELS 65536

typedef struct {
    char format[16];     /* "idx", "cifar10", "cifar100", "image-folder", "csv" */
    uint64_t count;      /* examples the source will yield; 0 if not known up front */
    unsigned rank;       /* of one example's input tensor, 1..ZD_MAX_RANK */
    uint32_t shape[ZD_MAX_RANK]; /* one example, e.g. {28, 28} or {32, 32, 3} (HWC) */
    char dtype[8];       /* element type of the stored bytes: "uint8" (all importers today) */
    uint32_t n_labels;   /* labels are 0 .. n_labels-1 */
    char **label_names;  /* n_labels names, or NULL when the format has none */
} zd_source_info;

typedef struct {
    uint64_t index;      /* 0, 1, 2, ... in the order the source yields them */
    uint32_t label;      /* < info.n_labels */
    const uint8_t *data; /* the example's input bytes (row-major, shape above) */
    size_t len;          /* product of shape x element size */
} zd_example;

typedef struct zd_source zd_source;

/* The source's description (valid until zd_source_close). */
const zd_source_info *zd_source_info_of(const zd_source *src);

/* Next example.  *end = 1 (and ex untouched) once every example has been
 * yielded; a source that announced info.count and ends early or late is
 * ZA_ERR_MALFORMED. */
za_status zd_source_next(zd_source *src, zd_example *ex, int *end,
                         za_error *err) ZA_WARN_UNUSED;

void zd_source_close(zd_source *src);

/* ---- for importers: the vtable behind a zd_source ---- */

typedef struct {
    za_status (*next)(void *state, zd_example *ex, int *end, za_error *err);
    void (*close)(void *state);
} zd_source_ops;

struct zd_source {
    const zd_source_ops *ops;
    void *state;
    zd_source_info info;
    uint64_t yielded;    /* maintained by zd_source_next */
};

#endif
