/* datasets/cifar.c - CIFAR-10 / CIFAR-100 binary batches as a zd_source.
 *
 * A batch is a sequence of fixed-size records and nothing else: CIFAR-10
 * records are 1 label byte + 3072 pixel bytes, CIFAR-100 records a coarse
 * and a fine label byte + 3072.  The pixels are 3 planes (R, G, B) of 32x32
 * row-major bytes (CHW); the stored example is HWC, so each record is
 * transposed as it is read.  The file is read one record at a time (fread),
 * so memory is one record plus one example whatever the batch size.  The
 * file size must be a whole number of records: a trailing partial record
 * means the file is truncated (or not a CIFAR batch) and is refused up front
 * with its offset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "datasets/importers.h"

#define CIFAR_SIDE 32
#define CIFAR_PLANE (CIFAR_SIDE * CIFAR_SIDE)
#define CIFAR_PIXELS (3 * CIFAR_PLANE)

typedef struct {
    FILE *f;
    char *path;
    int variant;             /* 10 or 100 */
    size_t rec_len;          /* 3073 or 3074 */
    uint64_t count, next;    /* records in the file, next to read */
    uint8_t rec[2 + CIFAR_PIXELS];
    uint8_t hwc[CIFAR_PIXELS];
} cifar_state;

static const char *const cifar10_names[10] = {
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
};

static za_status cifar_next(void *vs, zd_example *ex, int *end, za_error *err)
{
    cifar_state *s = vs;
    if (s->next == s->count) {
        *end = 1;
        return ZA_OK;
    }
    unsigned long long off = (unsigned long long)(s->next * s->rec_len);
    if (fread(s->rec, 1, s->rec_len, s->f) != s->rec_len)
        return za_error_set(err, ferror(s->f) ? ZA_ERR_IO : ZA_ERR_MALFORMED,
                            "%s: record %llu at offset %llu: short read (file changed?)",
                            s->path, (unsigned long long)s->next, off);
    uint32_t label;
    const uint8_t *px;
    if (s->variant == 10) {
        label = s->rec[0];
        px = s->rec + 1;
        if (label > 9)
            return za_error_set(err, ZA_ERR_MALFORMED,
                                "%s: record %llu at offset %llu: label %u outside 0..9",
                                s->path, (unsigned long long)s->next, off, label);
    } else {
        label = s->rec[1];
        px = s->rec + 2;
        if (s->rec[0] > 19 || label > 99)
            return za_error_set(err, ZA_ERR_MALFORMED,
                                "%s: record %llu at offset %llu: coarse label %u (0..19) or "
                                "fine label %u (0..99) out of range",
                                s->path, (unsigned long long)s->next, off, s->rec[0], label);
    }
    /* CHW -> HWC */
    for (unsigned i = 0; i < CIFAR_PLANE; i++)
        for (unsigned c = 0; c < 3; c++)
            s->hwc[i * 3 + c] = px[c * CIFAR_PLANE + i];
    s->next++;
    ex->label = label;
    ex->data = s->hwc;
    ex->len = CIFAR_PIXELS;
    *end = 0;
    return ZA_OK;
}

static void cifar_close(void *vs)
{
    cifar_state *s = vs;
    if (!s)
        return;
    if (s->f)
        fclose(s->f);
    free(s->path);
    free(s);
}

static const zd_source_ops cifar_ops = { cifar_next, cifar_close };

static za_status set_names(zd_source *src, za_error *err)
{
    src->info.label_names = calloc(10, sizeof(char *));
    if (!src->info.label_names)
        return za_error_set(err, ZA_ERR_NOMEM, "cifar10: label names");
    for (int i = 0; i < 10; i++)
        if (!(src->info.label_names[i] = strdup(cifar10_names[i])))
            return za_error_set(err, ZA_ERR_NOMEM, "cifar10: label names");
    return ZA_OK;
}

za_status zd_source_open_cifar(const char *path, int variant, zd_source **out, za_error *err)
{
    *out = NULL;
    if (variant != 0 && variant != 10 && variant != 100)
        return za_error_set(err, ZA_ERR_ARG, "cifar: variant %d is not 10, 100 or 0 (detect)",
                            variant);
    zd_source *src = calloc(1, sizeof *src);
    cifar_state *s = calloc(1, sizeof *s);
    if (!src || !s || !(s->path = strdup(path))) {
        free(src);
        cifar_close(s);
        return za_error_set(err, ZA_ERR_NOMEM, "cifar: %s: out of memory", path);
    }
    /* from here on zd_source_close(src) releases everything */
    src->ops = &cifar_ops;
    src->state = s;
    za_status st;
    struct stat sb;
    if (!(s->f = fopen(path, "rb")) || fstat(fileno(s->f), &sb) != 0) {
        st = za_error_set(err, ZA_ERR_IO, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = za_error_set(err, ZA_ERR_ARG, "%s: not a regular file", path);
        goto fail;
    }
    uint64_t size = (uint64_t)sb.st_size;
    if (size == 0) {
        st = za_error_set(err, ZA_ERR_MALFORMED, "%s: empty file (no CIFAR record)", path);
        goto fail;
    }
    if (variant == 0) {
        int ten = size % (1 + CIFAR_PIXELS) == 0, hundred = size % (2 + CIFAR_PIXELS) == 0;
        if (ten == hundred) {
            st = za_error_set(err, ZA_ERR_MALFORMED,
                              "%s: %llu bytes is a whole number of %s CIFAR-10 (3073-byte) "
                              "%s CIFAR-100 (3074-byte) records%s", path,
                              (unsigned long long)size, ten ? "both" : "neither",
                              ten ? "and" : "nor", ten ? ": give the variant" : "");
            goto fail;
        }
        variant = ten ? 10 : 100;
    }
    s->variant = variant;
    s->rec_len = (variant == 10 ? 1 : 2) + CIFAR_PIXELS;
    if (size % s->rec_len) {
        st = za_error_set(err, ZA_ERR_MALFORMED,
                          "%s: %llu bytes is not a whole number of CIFAR-%d records of %zu "
                          "bytes: partial record at offset %llu", path,
                          (unsigned long long)size, variant, s->rec_len,
                          (unsigned long long)(size - size % s->rec_len));
        goto fail;
    }
    s->count = size / s->rec_len;
    snprintf(src->info.format, sizeof src->info.format, "cifar%d", variant);
    src->info.count = s->count;
    src->info.rank = 3;
    src->info.shape[0] = CIFAR_SIDE;
    src->info.shape[1] = CIFAR_SIDE;
    src->info.shape[2] = 3;
    snprintf(src->info.dtype, sizeof src->info.dtype, "uint8");
    /* CIFAR-100's names live in a pickled meta file this importer does not
     * read, so its labels stay numbered (label_names NULL). */
    src->info.n_labels = variant == 10 ? 10 : 100;
    if (variant == 10 && (st = set_names(src, err)) != ZA_OK)
        goto fail;
    *out = src;
    return ZA_OK;
fail:
    zd_source_close(src);
    return st;
}
