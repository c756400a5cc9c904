/* datasets/prepare.h - input preparation: from a stored example to the
 * model's input tensor bytes, integer-exactly.
 *
 * A stored example is uint8 bytes in HWC order (the importers' output).  A
 * recipe says how each byte x becomes one element of the model input:
 *
 *   real = x * num / den + off_num / off_den      (an exact rational)
 *   q    = clamp(round_half_away(real / scale) + zero_point, qmin, qmax)
 *
 * where scale is the model input's float32 scale, taken as the exact dyadic
 * rational it is (mantissa * 2^exponent), so q is computed with 64/128-bit
 * integers only and every machine derives the same bytes.  qmin/qmax are the
 * range of the dtype (int8: -128..127, stored as two's complement bytes;
 * uint8: 0..255).  layout NCHW transposes an H x W x C example to C x H x W.
 * The identity recipe passes the stored bytes through unchanged (e.g. the
 * keras MNIST model takes raw uint8 pixels).
 *
 * A recipe has one canonical string, stored in the dataset index's `prep`
 * column, e.g.
 *   v1;identity
 *   v1;dtype=int8;scale=0x3f800000;zp=-128;real=x;layout=nhwc
 *   v1;dtype=int8;scale=0x3c008081;zp=-1;real=x*2/255-1;layout=nchw
 * zd_prep_parse accepts only canonical strings (so zd_prep_format of the
 * result gives back the same bytes); docs/datasets-import.md has the grammar.
 *
 * Ownership: zd_prep is a plain value; nothing here allocates.
 */
#ifndef ZD_PREPARE_H
#define ZD_PREPARE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef enum { ZD_PREP_INT8 = 0, ZD_PREP_UINT8 = 1 } zd_prep_dtype;
typedef enum { ZD_PREP_NHWC = 0, ZD_PREP_NCHW = 1 } zd_prep_layout;

typedef struct {
    int identity;           /* 1: output = input; the fields below are unused */
    zd_prep_dtype dtype;
    uint32_t scale_bits;    /* IEEE-754 binary32 bits of the input scale (> 0, finite) */
    int32_t zero_point;     /* within the dtype's range */
    /* real = x*num/den + off_num/off_den; num, den, off_den in 1..ZA_MAX_PREP_TERM,
     * |off_num| <= ZA_MAX_PREP_TERM, both fractions in lowest terms (canonical) */
    uint32_t num, den;
    int32_t off_num;
    uint32_t off_den;
    zd_prep_layout layout;
} zd_prep;

/* Room for any canonical recipe string, NUL included. */
#define ZD_PREP_STRING_MAX 128

/* Parse a canonical recipe string.  Anything else (unknown version or key,
 * keys out of order, a non-canonical number such as "x*1", "x*2/4", "+0",
 * leading zeros, upper-case hex, a zero point outside the dtype, a scale that
 * is zero, negative, infinite or NaN) is ZA_ERR_MALFORMED naming the part. */
za_status zd_prep_parse(const char *s, zd_prep *out, za_error *err) ZA_WARN_UNUSED;

/* Write the canonical string of p into buf (cap bytes, ZD_PREP_STRING_MAX is
 * always enough).  ZA_ERR_ARG if p is not a valid canonical recipe (fractions
 * not in lowest terms, terms out of range, ...). */
za_status zd_prep_format(const zd_prep *p, char *buf, size_t cap, za_error *err) ZA_WARN_UNUSED;

/* Check p's fields (what zd_prep_format needs); ZA_ERR_ARG naming the field. */
za_status zd_prep_check(const zd_prep *p, za_error *err) ZA_WARN_UNUSED;

/* The quantized value of one stored byte x under a valid non-identity p
 * (as an int: -128..127 for int8, 0..255 for uint8). */
int zd_prep_quantize(const zd_prep *p, uint8_t x);

/* Prepare one example.  in has the shape {shape[0], ..., shape[rank-1]}
 * (rank 1..4, uint8); out receives exactly the product of the shape bytes
 * (out_len must equal it: ZA_ERR_ARG otherwise).  NCHW needs rank 3 (H,W,C)
 * or rank 2 (H,W: one channel, nothing to move). */
za_status zd_prep_apply(const zd_prep *p, const uint8_t *in, unsigned rank,
                        const uint32_t *shape, uint8_t *out, size_t out_len,
                        za_error *err) ZA_WARN_UNUSED;

#endif
