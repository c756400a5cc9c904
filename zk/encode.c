/* zk/encode.c - see encode.h. */
#include "zk/encode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"

#define WRITER_MIN_CAP 256

/* ------------------------------------------------------------------ writer */

void zk_writer_init(zk_writer *w)
{
    w->buf = NULL;
    w->len = w->cap = 0;
    w->limit = ZA_MAX_PROOF_BYTES;
    w->status = ZA_OK;
}

void zk_writer_free(zk_writer *w)
{
    size_t limit = w->limit;
    free(w->buf);
    zk_writer_init(w);
    w->limit = limit;
}

static void writer_fail(zk_writer *w, za_status code)
{
    if (w->status == ZA_OK)
        w->status = code;
}

za_status zk_writer_status(const zk_writer *w, za_error *err)
{
    switch (w->status) {
    case ZA_OK:
        return ZA_OK;
    case ZA_ERR_NOMEM:
        return za_error_set(err, w->status, "proof encoding: out of memory at %zu bytes", w->len);
    case ZA_ERR_LIMIT:
        return za_error_set(err, w->status,
                            "proof encoding: too large (a vector above 2^32-1 elements or more "
                            "than %zu bytes in all)",
                            w->limit);
    default:
        return za_error_set(err, w->status,
                            "proof encoding: invalid value (a non-canonical field element)");
    }
}

uint8_t *zk_writer_take(zk_writer *w, size_t *len)
{
    uint8_t *b = w->buf;
    if (w->status != ZA_OK) {
        *len = 0;
        zk_writer_free(w);
        return NULL;
    }
    if (!b)
        b = malloc(1);
    *len = b ? w->len : 0;
    w->buf = NULL;
    zk_writer_free(w);
    return b;
}

/* Reserve n more bytes; returns the place to write them or NULL (then the
 * writer has failed). */
static uint8_t *reserve(zk_writer *w, size_t n)
{
    if (w->status != ZA_OK)
        return NULL;
    if (n > w->limit || w->len > w->limit - n) {
        writer_fail(w, ZA_ERR_LIMIT);
        return NULL;
    }
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : WRITER_MIN_CAP;
        while (cap < w->len + n)
            cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
        uint8_t *b = realloc(w->buf, cap);
        if (!b) {
            writer_fail(w, ZA_ERR_NOMEM);
            return NULL;
        }
        w->buf = b;
        w->cap = cap;
    }
    uint8_t *p = w->buf + w->len;
    w->len += n;
    return p;
}

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void write_le(zk_writer *w, uint64_t v, int bytes)
{
    uint8_t *p = reserve(w, (size_t)bytes);
    if (p)
        put_le(p, v, bytes);
}

void zk_write_u8(zk_writer *w, uint8_t v)
{
    write_le(w, v, 1);
}
void zk_write_u16(zk_writer *w, uint16_t v)
{
    write_le(w, v, 2);
}
void zk_write_u32(zk_writer *w, uint32_t v)
{
    write_le(w, v, 4);
}
void zk_write_u64(zk_writer *w, uint64_t v)
{
    write_le(w, v, 8);
}

void zk_write_bytes(zk_writer *w, const void *data, size_t n)
{
    uint8_t *p = reserve(w, n);
    if (p && n)
        memcpy(p, data, n);
}

void zk_write_fp_array(zk_writer *w, const zk_fp *v, size_t n)
{
    if (w->status != ZA_OK)
        return;
    for (size_t i = 0; i < n; i++)
        if (v[i] >= ZK_P) {
            writer_fail(w, ZA_ERR_ARG);
            return;
        }
    if (n > SIZE_MAX / 8) {
        writer_fail(w, ZA_ERR_LIMIT);
        return;
    }
    uint8_t *p = reserve(w, n * 8);
    if (p)
        for (size_t i = 0; i < n; i++)
            put_le(p + 8 * i, v[i], 8);
}

void zk_write_fp(zk_writer *w, zk_fp a)
{
    zk_write_fp_array(w, &a, 1);
}

void zk_write_fp2_array(zk_writer *w, const zk_fp2 *v, size_t n)
{
    if (w->status != ZA_OK)
        return;
    for (size_t i = 0; i < n; i++)
        if (v[i].c0 >= ZK_P || v[i].c1 >= ZK_P) {
            writer_fail(w, ZA_ERR_ARG);
            return;
        }
    if (n > SIZE_MAX / 16) {
        writer_fail(w, ZA_ERR_LIMIT);
        return;
    }
    uint8_t *p = reserve(w, n * 16);
    if (p)
        for (size_t i = 0; i < n; i++) {
            put_le(p + 16 * i, v[i].c0, 8);
            put_le(p + 16 * i + 8, v[i].c1, 8);
        }
}

void zk_write_fp2(zk_writer *w, zk_fp2 a)
{
    zk_write_fp2_array(w, &a, 1);
}

void zk_write_digest_array(zk_writer *w, const zk_digest *v, size_t n)
{
    if (n > SIZE_MAX / sizeof *v) {
        writer_fail(w, ZA_ERR_LIMIT);
        return;
    }
    zk_write_bytes(w, v, n * sizeof *v);
}

void zk_write_digest(zk_writer *w, const zk_digest *d)
{
    zk_write_bytes(w, d->h, sizeof d->h);
}

void zk_write_u64_array(zk_writer *w, const uint64_t *v, size_t n)
{
    if (n > SIZE_MAX / 8) {
        writer_fail(w, ZA_ERR_LIMIT);
        return;
    }
    uint8_t *p = reserve(w, n * 8);
    if (p)
        for (size_t i = 0; i < n; i++)
            put_le(p + 8 * i, v[i], 8);
}

/* the u32 count prefix of a vector; 0 if it cannot be written */
static int write_count(zk_writer *w, size_t n)
{
    if (n > UINT32_MAX) {
        writer_fail(w, ZA_ERR_LIMIT);
        return 0;
    }
    zk_write_u32(w, (uint32_t)n);
    return w->status == ZA_OK;
}

void zk_write_fp_vec(zk_writer *w, const zk_fp *v, size_t n)
{
    if (write_count(w, n))
        zk_write_fp_array(w, v, n);
}
void zk_write_fp2_vec(zk_writer *w, const zk_fp2 *v, size_t n)
{
    if (write_count(w, n))
        zk_write_fp2_array(w, v, n);
}
void zk_write_digest_vec(zk_writer *w, const zk_digest *v, size_t n)
{
    if (write_count(w, n))
        zk_write_digest_array(w, v, n);
}
void zk_write_u64_vec(zk_writer *w, const uint64_t *v, size_t n)
{
    if (write_count(w, n))
        zk_write_u64_array(w, v, n);
}
void zk_write_byte_string(zk_writer *w, const void *data, size_t n)
{
    if (write_count(w, n))
        zk_write_bytes(w, data, n);
}

size_t zk_writer_begin_container(zk_writer *w, uint16_t kind)
{
    size_t mark = w->len;
    zk_write_bytes(w, ZK_MAGIC, 4);
    zk_write_u16(w, ZK_FORMAT_VERSION);
    zk_write_u16(w, kind);
    zk_write_u32(w, 0); /* payload length, patched by end_container */
    return mark;
}

void zk_writer_end_container(zk_writer *w, size_t mark)
{
    if (w->status != ZA_OK)
        return;
    if (mark > w->len || w->len - mark < ZK_CONTAINER_HEADER_BYTES) {
        writer_fail(w, ZA_ERR_ARG);
        return;
    }
    size_t total = w->len - mark;
    uint16_t kind = (uint16_t)(w->buf[mark + 6] | w->buf[mark + 7] << 8);
    if (total > zk_container_max_bytes(kind)) {
        writer_fail(w, ZA_ERR_LIMIT);
        return;
    }
    put_le(w->buf + mark + 8, (uint64_t)(total - ZK_CONTAINER_HEADER_BYTES), 4);
}

/* ------------------------------------------------------------------ reader */

void zk_reader_init(zk_reader *r, const void *data, size_t len, const char *name,
                    za_error *err)
{
    r->data = data;
    r->len = data ? len : 0;
    r->off = 0;
    r->name = name ? name : "input";
    r->err = err;
    r->status = ZA_OK;
    r->allocated = 0;
    r->section[0] = 0;
    za_error_clear(err);
}

void zk_reader_section(zk_reader *r, const char *fmt, ...)
{
    r->section[0] = 0;
    if (!fmt || !fmt[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->section, sizeof r->section, fmt, ap);
    va_end(ap);
}

static za_status reader_vfail(zk_reader *r, size_t at, za_status code, const char *what,
                              const char *fmt, va_list ap)
{
    if (r->status != ZA_OK)
        return r->status;
    r->status = code;
    if (!r->err)
        return code;
    char detail[ZA_ERROR_MSG_MAX];
    vsnprintf(detail, sizeof detail, fmt, ap);
    const char *sec = r->section, *wh = what ? what : "";
    const char *sp = sec[0] && wh[0] ? " " : "";
    if (sec[0] || wh[0])
        za_error_set(r->err, code, "%s: offset %zu (%s%s%s): %s", r->name, at, sec, sp, wh,
                     detail);
    else
        za_error_set(r->err, code, "%s: offset %zu: %s", r->name, at, detail);
    return code;
}

za_status zk_reader_fail(zk_reader *r, size_t at, za_status code, const char *what,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    za_status st = reader_vfail(r, at, code, what, fmt, ap);
    va_end(ap);
    return st;
}

/* Claim n bytes: returns a pointer to them, or NULL after recording a
 * truncation (or an earlier failure). */
static const uint8_t *take(zk_reader *r, const char *what, size_t n)
{
    if (r->status != ZA_OK)
        return NULL;
    size_t left = r->len - r->off;
    if (n > left) {
        zk_reader_fail(r, r->off, ZA_ERR_MALFORMED, what, "truncated, need %zu bytes, %zu left",
                       n, left);
        return NULL;
    }
    static const uint8_t none[1];
    const uint8_t *p = r->data ? r->data + r->off : none; /* NULL data: len 0, n 0 */
    r->off += n;
    return p;
}

static za_status read_le(zk_reader *r, const char *what, int bytes, uint64_t *v)
{
    const uint8_t *p = take(r, what, (size_t)bytes);
    *v = p ? get_le(p, bytes) : 0;
    return r->status;
}

za_status zk_read_u8(zk_reader *r, const char *what, uint8_t *v)
{
    uint64_t x;
    za_status st = read_le(r, what, 1, &x);
    *v = (uint8_t)x;
    return st;
}
za_status zk_read_u16(zk_reader *r, const char *what, uint16_t *v)
{
    uint64_t x;
    za_status st = read_le(r, what, 2, &x);
    *v = (uint16_t)x;
    return st;
}
za_status zk_read_u32(zk_reader *r, const char *what, uint32_t *v)
{
    uint64_t x;
    za_status st = read_le(r, what, 4, &x);
    *v = (uint32_t)x;
    return st;
}
za_status zk_read_u64(zk_reader *r, const char *what, uint64_t *v)
{
    return read_le(r, what, 8, v);
}

za_status zk_read_bytes(zk_reader *r, const char *what, void *out, size_t n)
{
    const uint8_t *p = take(r, what, n);
    if (n) {
        if (p)
            memcpy(out, p, n);
        else
            memset(out, 0, n);
    }
    return r->status;
}

/* n field elements from p (already claimed, at byte offset at), each checked
 * canonical; on failure v is zeroed. */
static za_status decode_fps(zk_reader *r, const char *what, size_t at, const uint8_t *p,
                            zk_fp *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t x = get_le(p + 8 * i, 8);
        if (x >= ZK_P) {
            zk_reader_fail(r, at + 8 * i, ZA_ERR_MALFORMED, what,
                           "non-canonical field element 0x%016llx >= p (element %zu of %zu)",
                           (unsigned long long)x, i, n);
            memset(v, 0, n * sizeof *v);
            return r->status;
        }
        v[i] = x;
    }
    return ZA_OK;
}

za_status zk_read_fp_array(zk_reader *r, const char *what, zk_fp *v, size_t n)
{
    size_t at = r->off;
    const uint8_t *p = n <= SIZE_MAX / 8 ? take(r, what, n * 8) : NULL;
    if (!p) {
        if (r->status == ZA_OK) /* n*8 overflows: certainly more than is left */
            take(r, what, SIZE_MAX);
        if (n)
            memset(v, 0, n * sizeof *v);
        return r->status;
    }
    return decode_fps(r, what, at, p, v, n);
}

za_status zk_read_fp(zk_reader *r, const char *what, zk_fp *v)
{
    return zk_read_fp_array(r, what, v, 1);
}

za_status zk_read_fp2_array(zk_reader *r, const char *what, zk_fp2 *v, size_t n)
{
    /* zk_fp2 is two zk_fp with no padding: read 2n base elements in place */
    _Static_assert(sizeof(zk_fp2) == 2 * sizeof(zk_fp), "zk_fp2 layout");
    if (n > SIZE_MAX / 2) {
        take(r, what, SIZE_MAX);
        return r->status;
    }
    return zk_read_fp_array(r, what, (zk_fp *)(void *)v, 2 * n);
}

za_status zk_read_fp2(zk_reader *r, const char *what, zk_fp2 *v)
{
    return zk_read_fp2_array(r, what, v, 1);
}

za_status zk_read_digest_array(zk_reader *r, const char *what, zk_digest *v, size_t n)
{
    if (n > SIZE_MAX / sizeof *v) {
        take(r, what, SIZE_MAX);
        return r->status;
    }
    return zk_read_bytes(r, what, v, n * sizeof *v);
}

za_status zk_read_digest(zk_reader *r, const char *what, zk_digest *d)
{
    return zk_read_digest_array(r, what, d, 1);
}

za_status zk_read_u64_array(zk_reader *r, const char *what, uint64_t *v, size_t n)
{
    const uint8_t *p = n <= SIZE_MAX / 8 ? take(r, what, n * 8) : NULL;
    if (!p) {
        if (r->status == ZA_OK)
            take(r, what, SIZE_MAX);
        if (n)
            memset(v, 0, n * sizeof *v);
        return r->status;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = get_le(p + 8 * i, 8);
    return ZA_OK;
}

za_status zk_read_count(zk_reader *r, const char *what, size_t max, size_t elem_bytes,
                        size_t *n)
{
    *n = 0;
    size_t at = r->off;
    uint32_t c;
    char wbuf[ZK_READER_SECTION_MAX + 16];
    snprintf(wbuf, sizeof wbuf, "%s%scount", what ? what : "", what && what[0] ? " " : "");
    if (zk_read_u32(r, wbuf, &c) != ZA_OK)
        return r->status;
    if (c > max)
        return zk_reader_fail(r, at, ZA_ERR_LIMIT, what, "count %u above the maximum %zu", c,
                              max);
    size_t left = r->len - r->off;
    if (elem_bytes && (size_t)c > left / elem_bytes)
        return zk_reader_fail(r, r->off, ZA_ERR_MALFORMED, what,
                              "truncated, %u elements of %zu bytes need %llu bytes, %zu left", c,
                              elem_bytes, (unsigned long long)c * elem_bytes, left);
    *n = c;
    return ZA_OK;
}

/* Shared head of the _vec reads: the checked count, then the allocation
 * (*v stays NULL for an empty vector). */
static za_status read_vec(zk_reader *r, const char *what, size_t max, size_t enc_bytes,
                          size_t mem_bytes, void **v, size_t *n)
{
    *v = NULL;
    *n = 0;
    size_t c;
    if (zk_read_count(r, what, max, enc_bytes, &c) != ZA_OK || c == 0)
        return r->status;
    /* c * enc_bytes <= remaining input, and mem_bytes <= enc_bytes for every
     * type here, so this is at most the input size */
    void *p = malloc(c * mem_bytes);
    if (!p)
        return zk_reader_fail(r, r->off, ZA_ERR_NOMEM, what, "out of memory for %zu elements",
                              c);
    r->allocated += c * mem_bytes;
    *v = p;
    *n = c;
    return ZA_OK;
}

/* release a vector whose elements failed to parse */
static za_status vec_done(za_status st, void **v, size_t *n)
{
    if (st != ZA_OK) {
        free(*v);
        *v = NULL;
        *n = 0;
    }
    return st;
}

za_status zk_read_fp_vec(zk_reader *r, const char *what, size_t max, zk_fp **v, size_t *n)
{
    void *p;
    if (read_vec(r, what, max, 8, sizeof(zk_fp), &p, n) != ZA_OK || !p) {
        *v = NULL;
        return r->status;
    }
    za_status st = zk_read_fp_array(r, what, p, *n);
    st = vec_done(st, &p, n);
    *v = p;
    return st;
}

za_status zk_read_fp2_vec(zk_reader *r, const char *what, size_t max, zk_fp2 **v, size_t *n)
{
    void *p;
    if (read_vec(r, what, max, 16, sizeof(zk_fp2), &p, n) != ZA_OK || !p) {
        *v = NULL;
        return r->status;
    }
    za_status st = zk_read_fp2_array(r, what, p, *n);
    st = vec_done(st, &p, n);
    *v = p;
    return st;
}

za_status zk_read_digest_vec(zk_reader *r, const char *what, size_t max, zk_digest **v,
                             size_t *n)
{
    void *p;
    if (read_vec(r, what, max, sizeof(zk_digest), sizeof(zk_digest), &p, n) != ZA_OK || !p) {
        *v = NULL;
        return r->status;
    }
    za_status st = zk_read_digest_array(r, what, p, *n);
    st = vec_done(st, &p, n);
    *v = p;
    return st;
}

za_status zk_read_u64_vec(zk_reader *r, const char *what, size_t max, uint64_t **v, size_t *n)
{
    void *p;
    if (read_vec(r, what, max, 8, sizeof(uint64_t), &p, n) != ZA_OK || !p) {
        *v = NULL;
        return r->status;
    }
    za_status st = zk_read_u64_array(r, what, p, *n);
    st = vec_done(st, &p, n);
    *v = p;
    return st;
}

za_status zk_read_byte_string(zk_reader *r, const char *what, size_t max, const uint8_t **p,
                              size_t *n)
{
    *p = NULL;
    if (zk_read_count(r, what, max, 1, n) != ZA_OK)
        return r->status;
    *p = take(r, what, *n); /* cannot fail: the count was checked against what is left */
    return r->status;
}

size_t zk_container_max_bytes(uint16_t kind)
{
    return kind == ZK_KIND_AUDIT_REQUEST ? ZA_MAX_REQUEST_BYTES : ZA_MAX_PROOF_BYTES;
}

za_status zk_reader_open_container(zk_reader *r, uint16_t kind)
{
    size_t at = r->off;
    uint8_t magic[4];
    uint16_t version, k;
    uint32_t plen;
    if (zk_read_bytes(r, "container magic", magic, 4) != ZA_OK)
        return r->status;
    if (memcmp(magic, ZK_MAGIC, 4) != 0)
        return zk_reader_fail(r, at, ZA_ERR_MALFORMED, "container magic",
                              "not a zkaudit proof (magic %02x %02x %02x %02x, expected \"%s\")",
                              magic[0], magic[1], magic[2], magic[3], ZK_MAGIC);
    if (zk_read_u16(r, "container version", &version) != ZA_OK)
        return r->status;
    if (version != ZK_FORMAT_VERSION)
        return zk_reader_fail(r, at + 4, ZA_ERR_UNSUPPORTED, "container version",
                              "format version %u, this build reads version %u", version,
                              ZK_FORMAT_VERSION);
    if (zk_read_u16(r, "container kind", &k) != ZA_OK)
        return r->status;
    if (k != kind)
        return zk_reader_fail(r, at + 6, ZA_ERR_MISMATCH, "container kind",
                              "proof kind %u, expected %u", k, kind);
    if (zk_read_u32(r, "container payload length", &plen) != ZA_OK)
        return r->status;
    size_t left = r->len - r->off;
    size_t cap = zk_container_max_bytes(kind);
    if ((size_t)plen > cap - ZK_CONTAINER_HEADER_BYTES)
        return zk_reader_fail(r, at + 8, ZA_ERR_LIMIT, "container payload length",
                              "payload of %u bytes above the limit of %zu bytes", plen,
                              cap - ZK_CONTAINER_HEADER_BYTES);
    if ((size_t)plen > left)
        return zk_reader_fail(r, at + 8, ZA_ERR_MALFORMED, "container payload length",
                              "truncated, payload of %u bytes but %zu left", plen, left);
    if ((size_t)plen < left)
        return zk_reader_fail(r, at + 8, ZA_ERR_MALFORMED, "container payload length",
                              "payload of %u bytes followed by %zu trailing bytes", plen,
                              left - plen);
    return ZA_OK;
}

za_status zk_reader_finish(zk_reader *r)
{
    if (r->status != ZA_OK)
        return r->status;
    if (r->off != r->len)
        return zk_reader_fail(r, r->off, ZA_ERR_MALFORMED, NULL,
                              "%zu trailing bytes after the end of the data",
                              r->len - r->off);
    return ZA_OK;
}
