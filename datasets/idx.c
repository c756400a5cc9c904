/* datasets/idx.c - MNIST / Fashion-MNIST IDX files as a zd_source.
 *
 * IDX (http://yann.lecun.com/exdb/mnist/): a big-endian header, then the raw
 * bytes.  Images: magic 0x00000803 (unsigned byte, 3 dimensions), count,
 * rows, cols, then count x rows x cols pixels.  Labels: magic 0x00000801,
 * count, then count label bytes.  Both files are read through zlib's gzread,
 * which also reads files that are not gzip'd unchanged, so .gz and raw files
 * take the same path and neither is ever held whole: one image is in memory
 * at a time (plus zlib's buffers).  Offsets in messages are offsets in the
 * decompressed stream.  Trailing bytes after the last example are refused:
 * a committed dataset must be exactly what the file says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/limits.h"
#include "datasets/importers.h"

#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_LABELS_MAGIC 0x00000801u
#define IDX_LABELS 10
#define GZ_BUFFER (256u << 10)

typedef struct {
    gzFile f;
    const char *path;
    uint64_t off; /* bytes read so far (decompressed) */
} idx_stream;

typedef struct {
    idx_stream img, lab;
    uint64_t count, next;
    size_t image_bytes;
    uint8_t *image;
    char *images_path, *labels_path;
} idx_state;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static za_status stream_open(idx_stream *s, const char *path, za_error *err)
{
    s->path = path;
    s->off = 0;
    s->f = gzopen(path, "rb");
    if (!s->f)
        return za_error_set(err, ZA_ERR_IO, "%s: cannot open: %s", path,
                            errno ? strerror(errno) : "out of memory");
    gzbuffer(s->f, GZ_BUFFER);
    return ZA_OK;
}

/* Read exactly len bytes; what: what they are, for the message. */
static za_status stream_read(idx_stream *s, void *buf, size_t len, const char *what,
                             za_error *err)
{
    size_t got = 0;
    while (got < len) {
        unsigned chunk = len - got > (1u << 30) ? 1u << 30 : (unsigned)(len - got);
        int n = gzread(s->f, (uint8_t *)buf + got, chunk);
        if (n < 0) {
            int zerr;
            const char *msg = gzerror(s->f, &zerr);
            return za_error_set(err, zerr == Z_ERRNO ? ZA_ERR_IO : ZA_ERR_MALFORMED,
                                "%s: corrupt data near byte %llu (reading %s): %s", s->path,
                                (unsigned long long)(s->off + got), what,
                                zerr == Z_ERRNO ? strerror(errno) : msg);
        }
        if (n == 0) {
            int zerr;
            const char *msg = gzerror(s->f, &zerr);
            if (zerr != Z_OK && zerr != Z_BUF_ERROR)
                return za_error_set(err, ZA_ERR_MALFORMED,
                                    "%s: corrupt data near byte %llu (reading %s): %s", s->path,
                                    (unsigned long long)(s->off + got), what, msg);
            /* Z_BUF_ERROR at the end: a gzip stream cut short */
            return za_error_set(err, ZA_ERR_MALFORMED,
                                "%s: truncated at byte %llu: %s needs bytes %llu..%llu%s",
                                s->path, (unsigned long long)(s->off + got), what,
                                (unsigned long long)s->off,
                                (unsigned long long)(s->off + len - 1),
                                zerr == Z_BUF_ERROR ? " (the gzip stream is cut short)" : "");
        }
        got += (size_t)n;
    }
    s->off += len;
    return ZA_OK;
}

/* At the end of a stream: nothing may follow the last example. */
static za_status stream_expect_end(idx_stream *s, za_error *err)
{
    uint8_t b;
    int n = gzread(s->f, &b, 1);
    int zerr;
    const char *msg = gzerror(s->f, &zerr);
    if (n < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR))
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: corrupt data after byte %llu: %s",
                            s->path, (unsigned long long)s->off, msg);
    if (n > 0)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "%s: trailing bytes at byte %llu, after the last example", s->path,
                            (unsigned long long)s->off);
    if (zerr == Z_BUF_ERROR)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "%s: the gzip stream is cut short after byte %llu", s->path,
                            (unsigned long long)s->off);
    return ZA_OK;
}

static void state_free(idx_state *s)
{
    if (!s)
        return;
    if (s->img.f)
        gzclose(s->img.f);
    if (s->lab.f)
        gzclose(s->lab.f);
    free(s->image);
    free(s->images_path);
    free(s->labels_path);
    free(s);
}

static void idx_close(void *state)
{
    state_free(state);
}

static za_status idx_next(void *state, zd_example *ex, int *end, za_error *err)
{
    idx_state *s = state;
    if (s->next == s->count) {
        za_status st = stream_expect_end(&s->img, err);
        if (!st)
            st = stream_expect_end(&s->lab, err);
        if (st)
            return st;
        *end = 1;
        return ZA_OK;
    }
    char what[64];
    snprintf(what, sizeof what, "image %llu", (unsigned long long)s->next);
    uint8_t label;
    za_status st = stream_read(&s->img, s->image, s->image_bytes, what, err);
    if (st)
        return st;
    snprintf(what, sizeof what, "label %llu", (unsigned long long)s->next);
    uint64_t label_off = s->lab.off;
    st = stream_read(&s->lab, &label, 1, what, err);
    if (st)
        return st;
    if (label >= IDX_LABELS)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: byte %llu: label %u of example %llu "
                            "is outside 0..%d",
                            s->lab.path, (unsigned long long)label_off, label,
                            (unsigned long long)s->next, IDX_LABELS - 1);
    ex->label = label;
    ex->data = s->image;
    ex->len = s->image_bytes;
    s->next++;
    return ZA_OK;
}

static const zd_source_ops idx_ops = { idx_next, idx_close };

za_status zd_source_open_idx(const char *images_path, const char *labels_path, zd_source **out,
                             za_error *err)
{
    *out = NULL;
    idx_state *s = calloc(1, sizeof *s);
    zd_source *src = calloc(1, sizeof *src);
    za_status st = ZA_OK;
    if (!s || !src || !(s->images_path = strdup(images_path)) ||
        !(s->labels_path = strdup(labels_path))) {
        st = za_error_set(err, ZA_ERR_NOMEM, "idx: out of memory");
        goto fail;
    }
    uint8_t h[16];
    if ((st = stream_open(&s->img, s->images_path, err)) ||
        (st = stream_open(&s->lab, s->labels_path, err)) ||
        (st = stream_read(&s->img, h, 16, "the 16-byte IDX image header", err)))
        goto fail;
    if (be32(h) != IDX_IMAGES_MAGIC) {
        st = za_error_set(err, ZA_ERR_MALFORMED,
                          "%s: bad magic 0x%08x at byte 0: an IDX image file starts with "
                          "0x%08x (unsigned bytes, 3 dimensions)%s",
                          s->images_path, be32(h), IDX_IMAGES_MAGIC,
                          be32(h) == IDX_LABELS_MAGIC ? "; this is a label file" : "");
        goto fail;
    }
    uint32_t n = be32(h + 4), rows = be32(h + 8), cols = be32(h + 12);
    if (rows == 0 || cols == 0 || rows > ZA_MAX_IDX_DIM || cols > ZA_MAX_IDX_DIM ||
        (uint64_t)rows * cols > ZA_MAX_IDX_IMAGE_BYTES) {
        st = za_error_set(err, ZA_ERR_LIMIT,
                          "%s: bytes 8..15: image size %ux%u outside 1..%d per side and %zu "
                          "bytes",
                          s->images_path, rows, cols, ZA_MAX_IDX_DIM, ZA_MAX_IDX_IMAGE_BYTES);
        goto fail;
    }
    /* a u32 count is always within ZA_MAX_DATASET_EXAMPLES (2^32) */
    if (n == 0) {
        st = za_error_set(err, ZA_ERR_MALFORMED, "%s: bytes 4..7: 0 images", s->images_path);
        goto fail;
    }
    if ((st = stream_read(&s->lab, h, 8, "the 8-byte IDX label header", err)))
        goto fail;
    if (be32(h) != IDX_LABELS_MAGIC) {
        st = za_error_set(err, ZA_ERR_MALFORMED,
                          "%s: bad magic 0x%08x at byte 0: an IDX label file starts with "
                          "0x%08x (unsigned bytes, 1 dimension)%s",
                          s->labels_path, be32(h), IDX_LABELS_MAGIC,
                          be32(h) == IDX_IMAGES_MAGIC ? "; this is an image file" : "");
        goto fail;
    }
    if (be32(h + 4) != n) {
        st = za_error_set(err, ZA_ERR_MALFORMED,
                          "%s: bytes 4..7: %u labels, but %s has %u images", s->labels_path,
                          be32(h + 4), s->images_path, n);
        goto fail;
    }
    s->count = n;
    s->image_bytes = (size_t)rows * cols;
    if (!(s->image = malloc(s->image_bytes))) {
        st = za_error_set(err, ZA_ERR_NOMEM, "idx: %zu bytes for one image", s->image_bytes);
        goto fail;
    }
    src->ops = &idx_ops;
    src->state = s;
    strcpy(src->info.format, "idx");
    strcpy(src->info.dtype, "uint8");
    src->info.count = n;
    src->info.rank = 2;
    src->info.shape[0] = rows;
    src->info.shape[1] = cols;
    src->info.n_labels = IDX_LABELS;
    src->info.label_names = NULL;
    *out = src;
    return ZA_OK;
fail:
    state_free(s);
    free(src);
    return st;
}
