/* model/flatbuf.c - bounds-checked FlatBuffers access (see flatbuf.h).
 *
 * Wire format recap: the file starts with a uoffset (u32) to the root table;
 * a table starts with a soffset (i32) such that vtable = table - soffset; a
 * vtable is u16 vtable size, u16 table size, then one u16 offset per field
 * (0 = absent) relative to the table start.  Offset fields (sub-tables,
 * vectors, strings) hold a u32 relative to their own position.  A vector or
 * string is a u32 length followed by its elements.
 */
#include "model/flatbuf.h"

#include <stdio.h>
#include <string.h>

static int fail(fb_reader *r, uint64_t off, const char *what, const char *msg)
{
    za_error_set(r->err, ZA_ERR_MALFORMED, "%s: offset 0x%llx (%s%s%s): %s",
                 r->name, (unsigned long long)off, r->ctx,
                 r->ctx[0] ? ", " : "", what, msg);
    return 0;
}

static uint16_t rd16(const fb_reader *r, uint64_t p)
{
    uint16_t v;
    memcpy(&v, r->buf + p, 2);
    return v;
}

static uint32_t rd32(const fb_reader *r, uint64_t p)
{
    uint32_t v;
    memcpy(&v, r->buf + p, 4);
    return v;
}

/* Is [p, p+n) inside the buffer? */
static int in_bounds(const fb_reader *r, uint64_t p, uint64_t n)
{
    return p <= r->len && n <= r->len - p;
}

static int load_table(fb_reader *r, uint64_t pos, fb_table *t, const char *what)
{
    if (pos == 0 || !in_bounds(r, pos, 4))
        return fail(r, pos, what, "table offset points outside the file");
    int32_t soff;
    uint32_t u = rd32(r, pos);
    memcpy(&soff, &u, 4);
    int64_t vt = (int64_t)pos - (int64_t)soff;
    if (vt < 0 || !in_bounds(r, (uint64_t)vt, 4))
        return fail(r, pos, what, "vtable offset points outside the file");
    uint16_t vt_size = rd16(r, (uint64_t)vt);
    uint16_t size = rd16(r, (uint64_t)vt + 2);
    if (vt_size < 4 || (vt_size & 1) || !in_bounds(r, (uint64_t)vt, vt_size))
        return fail(r, (uint64_t)vt, what,
                    "vtable size is odd, below 4, or runs past the end of the file");
    if (size < 4 || !in_bounds(r, pos, size))
        return fail(r, pos, what, "table runs past the end of the file");
    t->pos = (uint32_t)pos;
    t->vt = (uint32_t)vt;
    t->vt_size = vt_size;
    t->size = size;
    return 1;
}

int fb_root(fb_reader *r, const char *ident, fb_table *root)
{
    if (r->len < 8)
        return fail(r, 0, "file header", "file is shorter than 8 bytes");
    if (r->len > UINT32_MAX)
        return fail(r, 0, "file header", "file is larger than 4 GiB");
    if (ident && memcmp(r->buf + 4, ident, 4) != 0) {
        char got[24];
        const uint8_t *b = r->buf + 4;
        snprintf(got, sizeof got, "%02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
        char msg[96];
        snprintf(msg, sizeof msg, "expected file identifier \"%s\", found bytes %s",
                 ident, got);
        return fail(r, 4, "file identifier", msg);
    }
    return load_table(r, rd32(r, 0), root, "root table");
}

/* Absolute position of a field of fixed size, or 0 when absent. */
static int field_pos(fb_reader *r, const fb_table *t, int field, uint64_t size,
                     uint64_t *pos, const char *what)
{
    *pos = 0;
    if (t->pos == 0)
        return 1;
    uint64_t slot = 4 + 2 * (uint64_t)field;
    if (slot + 2 > t->vt_size)
        return 1; /* vtable shorter than the field index: field absent */
    uint16_t fo = rd16(r, t->vt + slot);
    if (fo == 0)
        return 1;
    if ((uint64_t)fo + size > t->size)
        return fail(r, t->pos, what, "field lies outside its table");
    *pos = (uint64_t)t->pos + fo;
    return 1;
}

#define SCALAR_GETTER(fn, type, nbytes)                                        \
    int fn(fb_reader *r, const fb_table *t, int field, type def, type *out,    \
           const char *what)                                                   \
    {                                                                          \
        uint64_t p;                                                            \
        if (!field_pos(r, t, field, nbytes, &p, what))                         \
            return 0;                                                          \
        if (p == 0) {                                                          \
            *out = def;                                                        \
            return 1;                                                          \
        }                                                                      \
        memcpy(out, r->buf + p, nbytes);                                       \
        return 1;                                                              \
    }

SCALAR_GETTER(fb_u8, uint8_t, 1)
SCALAR_GETTER(fb_i32, int32_t, 4)
SCALAR_GETTER(fb_u32, uint32_t, 4)
SCALAR_GETTER(fb_u64, uint64_t, 8)
SCALAR_GETTER(fb_f32, float, 4)

/* Follow an offset field: 0 when absent, else the absolute target. */
static int deref_field(fb_reader *r, const fb_table *t, int field,
                       uint64_t *target, const char *what)
{
    uint64_t p;
    *target = 0;
    if (!field_pos(r, t, field, 4, &p, what))
        return 0;
    if (p == 0)
        return 1;
    uint64_t tgt = p + rd32(r, p);
    if (!in_bounds(r, tgt, 4))
        return fail(r, p, what, "offset points outside the file");
    *target = tgt;
    return 1;
}

int fb_subtable(fb_reader *r, const fb_table *t, int field, fb_table *out,
                const char *what)
{
    uint64_t tgt;
    memset(out, 0, sizeof *out);
    if (!deref_field(r, t, field, &tgt, what))
        return 0;
    if (tgt == 0)
        return 1;
    return load_table(r, tgt, out, what);
}

int fb_vector(fb_reader *r, const fb_table *t, int field, size_t elem_size,
              uint32_t max_n, fb_vec *out, const char *what)
{
    uint64_t v;
    out->start = 0;
    out->n = 0;
    if (!deref_field(r, t, field, &v, what))
        return 0;
    if (v == 0)
        return 1;
    uint32_t n = rd32(r, v);
    if (n > max_n) {
        char msg[96];
        snprintf(msg, sizeof msg, "vector has %u elements, at most %u allowed", n,
                 max_n);
        return fail(r, v, what, msg);
    }
    if (!in_bounds(r, v + 4, (uint64_t)n * elem_size)) {
        char msg[128];
        snprintf(msg, sizeof msg,
                 "vector of %u x %zu-byte elements runs past the end of the file (%zu bytes)",
                 n, elem_size, r->len);
        return fail(r, v, what, msg);
    }
    out->start = (uint32_t)(v + 4);
    out->n = n;
    return 1;
}

int32_t fb_vec_i32(const fb_reader *r, const fb_vec *v, uint32_t i)
{
    int32_t x;
    memcpy(&x, r->buf + v->start + 4 * (uint64_t)i, 4);
    return x;
}

int64_t fb_vec_i64(const fb_reader *r, const fb_vec *v, uint32_t i)
{
    int64_t x;
    memcpy(&x, r->buf + v->start + 8 * (uint64_t)i, 8);
    return x;
}

float fb_vec_f32(const fb_reader *r, const fb_vec *v, uint32_t i)
{
    float x;
    memcpy(&x, r->buf + v->start + 4 * (uint64_t)i, 4);
    return x;
}

int fb_vec_table(fb_reader *r, const fb_vec *v, uint32_t i, fb_table *out,
                 const char *what)
{
    uint64_t p = v->start + 4 * (uint64_t)i;
    uint64_t tgt = p + rd32(r, p);
    return load_table(r, tgt, out, what);
}

int fb_string(fb_reader *r, const fb_table *t, int field, const uint8_t **s,
              uint32_t *len, const char *what)
{
    uint64_t v;
    *s = NULL;
    *len = 0;
    if (!deref_field(r, t, field, &v, what))
        return 0;
    if (v == 0)
        return 1;
    uint32_t n = rd32(r, v);
    if (!in_bounds(r, v + 4, n))
        return fail(r, v, what, "string runs past the end of the file");
    *s = r->buf + v + 4;
    *len = n;
    return 1;
}
