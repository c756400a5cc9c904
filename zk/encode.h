/* zk/encode.h - the versioned binary proof encoding: a writer and a strict
 * reader.
 *
 * Encoding.  Integers are little-endian u8/u16/u32/u64.  A base-field
 * element is its canonical value (< p) as a u64 (8 bytes); an extension
 * element is c0 then c1 (16 bytes); a digest is its 32 bytes.  A vector is a
 * u32 element count followed by the elements; a byte string is a u32 length
 * followed by the bytes.  Fixed-size arrays (whose length the reader already
 * knows) carry no prefix.  Every value has exactly one encoding: the reader
 * rejects non-canonical field elements, so a proof's bytes are a function of
 * its contents.
 *
 * Container.  A proof file is one container:
 *   "ZKAP"            4 bytes, magic
 *   u16 version       ZK_FORMAT_VERSION
 *   u16 kind          what the payload is (enum zk_kind; numbers never move)
 *   u32 payload_len   exact number of bytes that follow
 *   payload
 * zk_reader_open_container checks all four against the input: the payload
 * length must equal the bytes that remain (no truncation, no trailing
 * garbage) and the whole container must fit in ZA_MAX_PROOF_BYTES.
 *
 * Reader.  zk_reader walks const bytes it does not own.  Every read checks
 * the remaining length first; a vector's count is checked against a
 * caller-given maximum and against the bytes that remain BEFORE anything is
 * allocated, so the memory a reader allocates never exceeds the input size.
 * Errors are sticky: the first failure is recorded in the caller's za_error
 * and every later read fails with the same status and zeroed outputs, so a
 * parser may issue several reads and test once.  Messages name the reader,
 * the offset and what was being read, e.g.
 *   "proof: offset 1234 (sumcheck round 3 polynomial): truncated, need 48
 *    bytes, 10 left"
 * where "sumcheck round 3" is the section (zk_reader_section) and
 * "polynomial" the `what` argument of the read.
 *
 * Writer.  zk_writer appends to a growable heap buffer it owns.  Failures
 * (out of memory, a length above the writer's limit, a count that does not
 * fit a u32 prefix, a non-canonical field element) are sticky: the first one
 * is kept in w->status, later writes do nothing, and the caller checks once
 * at the end with zk_writer_status.
 */
#ifndef ZK_ENCODE_H
#define ZK_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "zk/field.h"
#include "zk/merkle.h" /* zk_digest */

#define ZK_MAGIC "ZKAP"
#define ZK_FORMAT_VERSION 2 /* 2: PCS openings carry one combined vector (no proximity vector) */
#define ZK_CONTAINER_HEADER_BYTES 12

/* Payload kinds of a container.  Numbers are never reused or renumbered. */
enum zk_kind {
    ZK_KIND_MERKLE_OPENING = 1, /* a zk_merkle_opening (tests, fuzzing) */
    ZK_KIND_MODEL_COMMITMENT = 2, /* protocol/model_commit.h */
    ZK_KIND_INFERENCE_PROOF = 3,  /* protocol/infer_proof.h */
    ZK_KIND_AUDIT_REQUEST = 4,    /* protocol/request.h */
};

/* ------------------------------------------------------------------ writer */

typedef struct zk_writer {
    uint8_t *buf;     /* owned; NULL until the first write */
    size_t len, cap;
    size_t limit;     /* writes that would pass this length fail (ZA_ERR_LIMIT) */
    za_status status; /* first failure, sticky; ZA_OK while all is well */
} zk_writer;

/* An empty writer whose limit is ZA_MAX_PROOF_BYTES (the most a reader will
 * accept).  Set w->limit after init to change it. */
void zk_writer_init(zk_writer *w);
/* Release the buffer and reset to an empty writer that keeps its limit
 * (safe to call twice). */
void zk_writer_free(zk_writer *w);
/* ZA_OK, or the first failure with a message in err (err may be NULL). */
za_status zk_writer_status(const zk_writer *w, za_error *err) ZA_WARN_UNUSED;
/* Hand the buffer to the caller (free() it) and reset the writer.  Returns
 * NULL (and frees the buffer) if a write failed; *len is set either way
 * (0 on failure).  An empty successful writer gives a 1-byte allocation. */
uint8_t *zk_writer_take(zk_writer *w, size_t *len);

void zk_write_u8(zk_writer *w, uint8_t v);
void zk_write_u16(zk_writer *w, uint16_t v);
void zk_write_u32(zk_writer *w, uint32_t v);
void zk_write_u64(zk_writer *w, uint64_t v);
/* a must be canonical (< p); otherwise the writer fails with ZA_ERR_ARG. */
void zk_write_fp(zk_writer *w, zk_fp a);
void zk_write_fp2(zk_writer *w, zk_fp2 a);
void zk_write_digest(zk_writer *w, const zk_digest *d);
/* raw bytes, no length prefix */
void zk_write_bytes(zk_writer *w, const void *data, size_t n);

/* fixed-size arrays, no prefix */
void zk_write_fp_array(zk_writer *w, const zk_fp *v, size_t n);
void zk_write_fp2_array(zk_writer *w, const zk_fp2 *v, size_t n);
void zk_write_digest_array(zk_writer *w, const zk_digest *v, size_t n);
void zk_write_u64_array(zk_writer *w, const uint64_t *v, size_t n);

/* vectors: u32 count, then the elements (n > UINT32_MAX fails, ZA_ERR_LIMIT) */
void zk_write_fp_vec(zk_writer *w, const zk_fp *v, size_t n);
void zk_write_fp2_vec(zk_writer *w, const zk_fp2 *v, size_t n);
void zk_write_digest_vec(zk_writer *w, const zk_digest *v, size_t n);
void zk_write_u64_vec(zk_writer *w, const uint64_t *v, size_t n);
/* byte string: u32 length, then the bytes */
void zk_write_byte_string(zk_writer *w, const void *data, size_t n);

/* Start a container of the given kind at the current position; returns the
 * mark to pass to zk_writer_end_container once the payload is written. */
size_t zk_writer_begin_container(zk_writer *w, uint16_t kind);
/* Patch the payload length into the header at mark.  Fails (ZA_ERR_LIMIT)
 * if the container exceeds ZA_MAX_PROOF_BYTES. */
void zk_writer_end_container(zk_writer *w, size_t mark);

/* ------------------------------------------------------------------ reader */

#define ZK_READER_SECTION_MAX 96

typedef struct zk_reader {
    const uint8_t *data; /* not owned; must outlive the reader */
    size_t len;
    size_t off;          /* next byte to read */
    const char *name;    /* prefix of messages, e.g. "proof" (not copied) */
    za_error *err;       /* caller's; may be NULL */
    za_status status;    /* first failure, sticky */
    size_t allocated;    /* bytes allocated by the _vec reads so far */
    char section[ZK_READER_SECTION_MAX];
} zk_reader;

/* Read len bytes at data.  name prefixes messages (e.g. "proof"); err
 * receives the first failure and may be NULL. */
void zk_reader_init(zk_reader *r, const void *data, size_t len, const char *name,
                    za_error *err);
/* Set the section that later messages name before `what` (printf-style,
 * truncated to ZK_READER_SECTION_MAX-1 bytes); NULL or "" clears it. */
void zk_reader_section(zk_reader *r, const char *fmt, ...) ZA_PRINTF(2, 3);

static inline size_t zk_reader_remaining(const zk_reader *r)
{
    return r->len - r->off;
}
static inline za_status zk_reader_status(const zk_reader *r)
{
    return r->status;
}

/* Record a failure found by the caller (a semantic check on values just
 * read: unsorted indices, a count that disagrees...) at byte offset `at`,
 * with the reader's name, section and `what`.  Returns code.  Sticky like
 * every reader failure; does nothing (and returns the old status) if the
 * reader had already failed. */
za_status zk_reader_fail(zk_reader *r, size_t at, za_status code, const char *what,
                         const char *fmt, ...) ZA_PRINTF(5, 6);

/* Scalars.  On failure the output is zeroed. */
za_status zk_read_u8(zk_reader *r, const char *what, uint8_t *v);
za_status zk_read_u16(zk_reader *r, const char *what, uint16_t *v);
za_status zk_read_u32(zk_reader *r, const char *what, uint32_t *v);
za_status zk_read_u64(zk_reader *r, const char *what, uint64_t *v);
/* Fails (ZA_ERR_MALFORMED) on a non-canonical value >= p. */
za_status zk_read_fp(zk_reader *r, const char *what, zk_fp *v);
za_status zk_read_fp2(zk_reader *r, const char *what, zk_fp2 *v);
za_status zk_read_digest(zk_reader *r, const char *what, zk_digest *d);
/* n raw bytes into out */
za_status zk_read_bytes(zk_reader *r, const char *what, void *out, size_t n);

/* Fixed-size arrays (no prefix) into caller storage of n elements.  The
 * whole extent is checked before anything is read; on failure out is zeroed. */
za_status zk_read_fp_array(zk_reader *r, const char *what, zk_fp *v, size_t n);
za_status zk_read_fp2_array(zk_reader *r, const char *what, zk_fp2 *v, size_t n);
za_status zk_read_digest_array(zk_reader *r, const char *what, zk_digest *v, size_t n);
za_status zk_read_u64_array(zk_reader *r, const char *what, uint64_t *v, size_t n);

/* A u32 count prefix, checked to be <= max (else ZA_ERR_LIMIT) and to fit
 * in the remaining bytes at elem_bytes each (else ZA_ERR_MALFORMED). */
za_status zk_read_count(zk_reader *r, const char *what, size_t max, size_t elem_bytes,
                        size_t *n);

/* Vectors (u32 count, then elements), count <= max.  On success *v is a new
 * malloc'd array the caller frees with free() (NULL when *n == 0); on
 * failure *v = NULL, *n = 0 and nothing stays allocated. */
za_status zk_read_fp_vec(zk_reader *r, const char *what, size_t max, zk_fp **v, size_t *n);
za_status zk_read_fp2_vec(zk_reader *r, const char *what, size_t max, zk_fp2 **v, size_t *n);
za_status zk_read_digest_vec(zk_reader *r, const char *what, size_t max, zk_digest **v,
                             size_t *n);
za_status zk_read_u64_vec(zk_reader *r, const char *what, size_t max, uint64_t **v, size_t *n);
/* A byte string (u32 length <= max), returned as a view into the reader's
 * input (no copy, no allocation). */
za_status zk_read_byte_string(zk_reader *r, const char *what, size_t max, const uint8_t **p,
                              size_t *n);

/* The largest container of a kind, header included: ZA_MAX_REQUEST_BYTES
 * for audit requests (they carry every sampled input), ZA_MAX_PROOF_BYTES
 * for everything else. */
size_t zk_container_max_bytes(uint16_t kind);

/* Read a container header at the current offset (normally 0) and check the
 * magic, the version (ZK_FORMAT_VERSION), the kind, that the payload length
 * equals the remaining bytes exactly and that the container fits in
 * zk_container_max_bytes(kind).  The reader is then positioned at the
 * payload. */
za_status zk_reader_open_container(zk_reader *r, uint16_t kind);
/* ZA_OK if the reader has not failed and every byte was read; fails
 * (ZA_ERR_MALFORMED) if bytes remain. */
za_status zk_reader_finish(zk_reader *r);

#endif
