/* tools/demo_data.h - the Fashion-MNIST IDX files the demo trainer reads.
 *
 * An IDX image file is a big-endian header (magic 0x00000803, count, rows,
 * cols) followed by count*rows*cols pixels (0..255); a label file is
 * (magic 0x00000801, count) followed by count labels (0..9).  Both are read
 * gzip-compressed or plain (common/gzfile.h).
 */
#ifndef ZD_DEMO_DATA_H
#define ZD_DEMO_DATA_H

#include <stdint.h>

#include "common/error.h"

#define ZD_SIDE 28
#define ZD_PIXELS (ZD_SIDE * ZD_SIDE)
#define ZD_CLASSES 10

typedef struct {
    uint8_t *pixels; /* n * ZD_PIXELS, row-major, one byte per pixel */
    uint8_t *labels; /* n */
    uint32_t n;
} zd_set;

/* Read DIR/<prefix>-images-idx3-ubyte.gz and DIR/<prefix>-labels-idx1-ubyte.gz
 * (prefix "train" or "t10k") into *set, whose two arrays the caller frees
 * with zd_set_free.  Fails (set zeroed) on a missing file, a bad header, a
 * count mismatch, a size other than 28x28 or a label above 9. */
za_status zd_set_load(const char *dir, const char *prefix, zd_set *set, za_error *err)
    ZA_WARN_UNUSED;
void zd_set_free(zd_set *set);

#endif
