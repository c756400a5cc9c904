/* model/flatbuf.h - a bounds-checked FlatBuffers reader.
 *
 * Only what reading a TFLite file needs: tables (through their vtables),
 * scalar fields with defaults, sub-tables, vectors of scalars and of tables,
 * and strings.  Every position is checked against the buffer before it is
 * read, with 64-bit arithmetic so that no sum can wrap, and every failure
 * sets a ZA_ERR_MALFORMED error that names the file, the byte offset, the
 * object being read (the caller's context string) and what was expected.
 * Reads go through memcpy, so unaligned or hostile offsets are harmless.
 *
 * Functions return 1 on success and 0 on failure (error already recorded in
 * r->err), so that calls chain with &&.
 */
#ifndef ZM_FLATBUF_H
#define ZM_FLATBUF_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct {
    const uint8_t *buf;
    size_t len;
    const char *name; /* file name for messages */
    char ctx[160];    /* what is being read, e.g. "subgraph 0 tensor 12" */
    za_error *err;
} fb_reader;

typedef struct {
    uint32_t pos;     /* absolute position of the table; 0 = absent */
    uint32_t vt;      /* absolute position of its vtable */
    uint16_t vt_size; /* bytes in the vtable */
    uint16_t size;    /* bytes in the table's inline part */
} fb_table;

typedef struct {
    uint32_t start; /* absolute position of element 0 */
    uint32_t n;     /* element count (0 if the field is absent) */
} fb_vec;

/* Check the header (size, root offset, optional identifier) and load the
 * root table. ident may be NULL (identifiers are optional in FlatBuffers). */
int fb_root(fb_reader *r, const char *ident, fb_table *root);

/* Scalars: absent fields read as the default. */
int fb_u8(fb_reader *r, const fb_table *t, int field, uint8_t def, uint8_t *out,
          const char *what);
int fb_i32(fb_reader *r, const fb_table *t, int field, int32_t def,
           int32_t *out, const char *what);
int fb_u32(fb_reader *r, const fb_table *t, int field, uint32_t def,
           uint32_t *out, const char *what);
int fb_u64(fb_reader *r, const fb_table *t, int field, uint64_t def,
           uint64_t *out, const char *what);
int fb_f32(fb_reader *r, const fb_table *t, int field, float def, float *out,
           const char *what);

/* A sub-table field; out->pos == 0 when absent. */
int fb_subtable(fb_reader *r, const fb_table *t, int field, fb_table *out,
                const char *what);

/* A vector field of elem_size-byte scalars or 4-byte table offsets; an
 * absent field gives n == 0.  The whole vector is checked to lie inside the
 * buffer and to have at most max_n elements. */
int fb_vector(fb_reader *r, const fb_table *t, int field, size_t elem_size,
              uint32_t max_n, fb_vec *out, const char *what);

/* Element i of a vector already checked by fb_vector (no further checks
 * needed for scalars; table elements are checked here). */
int32_t fb_vec_i32(const fb_reader *r, const fb_vec *v, uint32_t i);
int64_t fb_vec_i64(const fb_reader *r, const fb_vec *v, uint32_t i);
float fb_vec_f32(const fb_reader *r, const fb_vec *v, uint32_t i);
int fb_vec_table(fb_reader *r, const fb_vec *v, uint32_t i, fb_table *out,
                 const char *what);

/* A string field; *s points into the buffer (not NUL-terminated), *len its
 * length; absent gives *s == NULL. */
int fb_string(fb_reader *r, const fb_table *t, int field, const uint8_t **s,
              uint32_t *len, const char *what);

#endif
