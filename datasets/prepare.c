/* datasets/prepare.c - recipe strings and the integer-exact quantization of
 * stored bytes into model input bytes (see prepare.h). */
#include "datasets/prepare.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/limits.h"

#define PREP_MAX_SHAPE_BYTES ZA_MAX_EXAMPLE_BYTES

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void dtype_range(zd_prep_dtype dt, int *lo, int *hi)
{
    *lo = dt == ZD_PREP_INT8 ? -128 : 0;
    *hi = dt == ZD_PREP_INT8 ? 127 : 255;
}

za_status zd_prep_check(const zd_prep *p, za_error *err)
{
    if (p->identity)
        return ZA_OK;
    if (p->dtype != ZD_PREP_INT8 && p->dtype != ZD_PREP_UINT8)
        return za_error_set(err, ZA_ERR_ARG, "recipe: dtype %d is neither int8 nor uint8",
                            (int)p->dtype);
    uint32_t ex = (p->scale_bits >> 23) & 0xff;
    if ((p->scale_bits >> 31) || ex == 0xff || (p->scale_bits & 0x7fffffffu) == 0)
        return za_error_set(err, ZA_ERR_ARG,
                            "recipe: scale 0x%08" PRIx32 " is not a positive finite float32",
                            p->scale_bits);
    int lo, hi;
    dtype_range(p->dtype, &lo, &hi);
    if (p->zero_point < lo || p->zero_point > hi)
        return za_error_set(err, ZA_ERR_ARG, "recipe: zero point %" PRId32 " outside %d..%d",
                            p->zero_point, lo, hi);
    if (p->num < 1 || p->num > ZA_MAX_PREP_TERM || p->den < 1 || p->den > ZA_MAX_PREP_TERM ||
        p->off_den < 1 || p->off_den > ZA_MAX_PREP_TERM || p->off_num > ZA_MAX_PREP_TERM ||
        p->off_num < -ZA_MAX_PREP_TERM)
        return za_error_set(err, ZA_ERR_ARG, "recipe: a term of real= is outside 1..%d",
                            ZA_MAX_PREP_TERM);
    if (gcd_u64(p->num, p->den) != 1)
        return za_error_set(err, ZA_ERR_ARG, "recipe: %" PRIu32 "/%" PRIu32
                            " is not in lowest terms", p->num, p->den);
    uint64_t an = p->off_num < 0 ? (uint64_t)-(int64_t)p->off_num : (uint64_t)p->off_num;
    if ((an == 0 && p->off_den != 1) || (an != 0 && gcd_u64(an, p->off_den) != 1))
        return za_error_set(err, ZA_ERR_ARG, "recipe: offset %" PRId32 "/%" PRIu32
                            " is not in lowest terms", p->off_num, p->off_den);
    if (p->layout != ZD_PREP_NHWC && p->layout != ZD_PREP_NCHW)
        return za_error_set(err, ZA_ERR_ARG, "recipe: layout %d is neither nhwc nor nchw",
                            (int)p->layout);
    return ZA_OK;
}

za_status zd_prep_format(const zd_prep *p, char *buf, size_t cap, za_error *err)
{
    za_status st = zd_prep_check(p, err);
    if (st != ZA_OK)
        return st;
    char real[64];
    int n;
    if (p->identity) {
        n = snprintf(buf, cap, "v1;identity");
    } else {
        size_t at = 0;
        real[at++] = 'x';
        real[at] = '\0';
        if (p->num != 1)
            at += (size_t)snprintf(real + at, sizeof real - at, "*%" PRIu32, p->num);
        if (p->den != 1)
            at += (size_t)snprintf(real + at, sizeof real - at, "/%" PRIu32, p->den);
        if (p->off_num != 0) {
            uint32_t a = p->off_num < 0 ? (uint32_t)-(int64_t)p->off_num : (uint32_t)p->off_num;
            at += (size_t)snprintf(real + at, sizeof real - at, "%c%" PRIu32,
                                   p->off_num < 0 ? '-' : '+', a);
            if (p->off_den != 1)
                snprintf(real + at, sizeof real - at, "/%" PRIu32, p->off_den);
        }
        n = snprintf(buf, cap, "v1;dtype=%s;scale=0x%08" PRIx32 ";zp=%" PRId32
                     ";real=%s;layout=%s",
                     p->dtype == ZD_PREP_INT8 ? "int8" : "uint8", p->scale_bits,
                     p->zero_point, real, p->layout == ZD_PREP_NCHW ? "nchw" : "nhwc");
    }
    if (n < 0 || (size_t)n >= cap)
        return za_error_set(err, ZA_ERR_ARG, "recipe: buffer of %zu bytes too small", cap);
    return ZA_OK;
}

/* ---- parsing: every helper advances *s only past what it accepted ---- */

static int eat(const char **s, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*s, lit, n) != 0)
        return 0;
    *s += n;
    return 1;
}

/* A canonical decimal: "0" or [1-9][0-9]*, at most max. */
static int parse_dec(const char **s, uint64_t max, uint64_t *v)
{
    const char *c = *s;
    if (*c < '0' || *c > '9')
        return 0;
    if (*c == '0' && c[1] >= '0' && c[1] <= '9')
        return 0; /* leading zero */
    uint64_t x = 0;
    while (*c >= '0' && *c <= '9') {
        x = x * 10 + (uint64_t)(*c - '0');
        if (x > max)
            return 0;
        c++;
    }
    *v = x;
    *s = c;
    return 1;
}

static za_status bad(za_error *err, const char *s, const char *what)
{
    return za_error_set(err, ZA_ERR_MALFORMED, "recipe \"%.*s\": %s", 160, s, what);
}

/* real := "x" ["*" N] ["/" D] [("+"|"-") P ["/" Q]], canonical (see prepare.h). */
static int parse_real(const char **s, zd_prep *p)
{
    uint64_t v;
    if (!eat(s, "x"))
        return 0;
    p->num = p->den = p->off_den = 1;
    p->off_num = 0;
    if (eat(s, "*")) {
        if (!parse_dec(s, ZA_MAX_PREP_TERM, &v) || v < 2)
            return 0;
        p->num = (uint32_t)v;
    }
    if (eat(s, "/")) {
        if (!parse_dec(s, ZA_MAX_PREP_TERM, &v) || v < 2)
            return 0;
        p->den = (uint32_t)v;
    }
    int neg = 0;
    if (**s == '+' || **s == '-') {
        neg = **s == '-';
        (*s)++;
        if (!parse_dec(s, ZA_MAX_PREP_TERM, &v) || v < 1)
            return 0;
        p->off_num = neg ? -(int32_t)v : (int32_t)v;
        if (eat(s, "/")) {
            if (!parse_dec(s, ZA_MAX_PREP_TERM, &v) || v < 2)
                return 0;
            p->off_den = (uint32_t)v;
        }
    }
    return 1;
}

za_status zd_prep_parse(const char *str, zd_prep *out, za_error *err)
{
    zd_prep p;
    memset(&p, 0, sizeof p);
    memset(out, 0, sizeof *out);
    if (strnlen(str, ZA_MAX_PREP_STRING + 1) > ZA_MAX_PREP_STRING)
        return za_error_set(err, ZA_ERR_MALFORMED, "recipe longer than %d bytes",
                            ZA_MAX_PREP_STRING);
    const char *s = str;
    if (!eat(&s, "v1;"))
        return bad(err, str, "expected version \"v1;\"");
    if (eat(&s, "identity")) {
        if (*s)
            return bad(err, str, "trailing bytes after \"identity\"");
        p.identity = 1;
        *out = p;
        return ZA_OK;
    }
    if (eat(&s, "dtype=int8;"))
        p.dtype = ZD_PREP_INT8;
    else if (eat(&s, "dtype=uint8;"))
        p.dtype = ZD_PREP_UINT8;
    else
        return bad(err, str, "expected \"identity\" or dtype=int8|uint8");
    if (!eat(&s, "scale=0x"))
        return bad(err, str, "expected scale=0x<8 lower-case hex digits>");
    uint32_t bits = 0;
    for (int i = 0; i < 8; i++, s++) {
        int d = (*s >= '0' && *s <= '9') ? *s - '0' : (*s >= 'a' && *s <= 'f') ? *s - 'a' + 10 : -1;
        if (d < 0)
            return bad(err, str, "scale must be 8 lower-case hex digits");
        bits = bits << 4 | (uint32_t)d;
    }
    p.scale_bits = bits;
    if (!eat(&s, ";zp="))
        return bad(err, str, "expected ;zp=");
    int neg = eat(&s, "-");
    uint64_t z;
    if (!parse_dec(&s, 255, &z) || (neg && z == 0))
        return bad(err, str, "zp must be a canonical integer in -128..255");
    p.zero_point = neg ? -(int32_t)z : (int32_t)z;
    if (!eat(&s, ";real="))
        return bad(err, str, "expected ;real=");
    if (!parse_real(&s, &p))
        return bad(err, str, "real= must be x[*N][/D][(+|-)P[/Q]] with canonical terms");
    if (eat(&s, ";layout=nhwc"))
        p.layout = ZD_PREP_NHWC;
    else if (eat(&s, ";layout=nchw"))
        p.layout = ZD_PREP_NCHW;
    else
        return bad(err, str, "expected ;layout=nhwc|nchw");
    if (*s)
        return bad(err, str, "trailing bytes after the layout");
    za_error why;
    if (zd_prep_check(&p, &why) != ZA_OK) {
        const char *m = why.msg; /* "recipe: ..." once is enough */
        if (strncmp(m, "recipe: ", 8) == 0)
            m += 8;
        return bad(err, str, m);
    }
    *out = p;
    return ZA_OK;
}

/* ---- exact quantization ---- */

int zd_prep_quantize(const zd_prep *p, uint8_t x)
{
    int lo, hi;
    dtype_range(p->dtype, &lo, &hi);
    /* scale = m * 2^e exactly (IEEE-754 binary32, positive, finite) */
    uint32_t ex = (p->scale_bits >> 23) & 0xff;
    uint64_t m = p->scale_bits & 0x7fffff;
    int e;
    if (ex == 0) {
        e = -149;
    } else {
        m |= 1u << 23;
        e = (int)ex - 150;
    }
    /* real/scale = A / (B * 2^e) with A = x*num*off_den + off_num*den
     * (|A| < 2^41) and B = den*off_den*m (< 2^56). */
    int64_t a = (int64_t)x * p->num * p->off_den + (int64_t)p->off_num * p->den;
    uint64_t b = (uint64_t)p->den * p->off_den * m;
    int64_t r; /* round_half_away(A / (B * 2^e)), saturated to +-1024 */
    if (a == 0) {
        r = 0;
    } else {
        unsigned __int128 n = (uint64_t)(a < 0 ? -a : a), d = b;
        int sat = 0, zero = 0;
        if (e < 0) {
            if (-e > 70)
                sat = 1; /* |A| * 2^-e / B >= 2^71 / 2^56: far outside any dtype */
            else
                n <<= -e;
        } else if (e > 0) {
            if (e > 60)
                zero = 1; /* |A| / (B * 2^e) < 2^41 / 2^60 < 1/2 */
            else
                d <<= e;
        }
        uint64_t mag;
        if (sat) {
            mag = 1024;
        } else if (zero) {
            mag = 0;
        } else {
            /* half away from zero on the magnitude: floor((2n + d) / 2d);
             * 2n < 2^112 and d < 2^116, so nothing wraps */
            unsigned __int128 q = (2 * n + d) / (2 * d);
            mag = q > 1024 ? 1024 : (uint64_t)q;
        }
        r = a < 0 ? -(int64_t)mag : (int64_t)mag;
    }
    int64_t q = r + p->zero_point;
    return q < lo ? lo : q > hi ? hi : (int)q;
}

za_status zd_prep_apply(const zd_prep *p, const uint8_t *in, unsigned rank,
                        const uint32_t *shape, uint8_t *out, size_t out_len, za_error *err)
{
    if (rank < 1 || rank > 4)
        return za_error_set(err, ZA_ERR_ARG, "prepare: rank %u outside 1..4", rank);
    size_t total = 1;
    for (unsigned i = 0; i < rank; i++) {
        if (shape[i] == 0 || total > PREP_MAX_SHAPE_BYTES / shape[i])
            return za_error_set(err, ZA_ERR_ARG, "prepare: shape dimension %u (%" PRIu32
                                ") is zero or the example exceeds %zu bytes",
                                i, shape[i], PREP_MAX_SHAPE_BYTES);
        total *= shape[i];
    }
    if (out_len != total)
        return za_error_set(err, ZA_ERR_ARG, "prepare: output of %zu bytes for an example of %zu",
                            out_len, total);
    za_status st = zd_prep_check(p, err);
    if (st != ZA_OK)
        return st;
    if (p->identity) {
        memcpy(out, in, total);
        return ZA_OK;
    }
    uint8_t lut[256];
    for (int x = 0; x < 256; x++)
        lut[x] = (uint8_t)zd_prep_quantize(p, (uint8_t)x); /* int8 -> two's complement */
    if (p->layout == ZD_PREP_NHWC || rank == 2) {
        for (size_t i = 0; i < total; i++)
            out[i] = lut[in[i]];
        return ZA_OK;
    }
    if (rank != 3)
        return za_error_set(err, ZA_ERR_ARG, "prepare: layout nchw needs an HxWxC example, "
                            "not rank %u", rank);
    size_t h = shape[0], w = shape[1], c = shape[2];
    for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++)
            for (size_t k = 0; k < c; k++)
                out[(k * h + y) * w + x] = lut[in[(y * w + x) * c + k]];
    return ZA_OK;
}
