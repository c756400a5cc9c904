/* model/weights.h - shared preparation of weighted ops (kernel_weights.c). */
#ifndef ZM_WEIGHTS_H
#define ZM_WEIGHTS_H

#include "model/fixedpoint.h"
#include "model/kernels.h"

/* Fill c->w, c->bias, c->rq, zero points and types.  oc output channels,
 * k_per_oc weights each; per-channel scales must lie along oc_axis; is_fc
 * selects FULLY_CONNECTED's multiplier precision (kernel_weights.c). */
za_status zm_prepare_weights(const zm_prep *p, zm_conv_params *c, const zm_tensor *in,
                             const zm_tensor *filter, const zm_tensor *bias,
                             const zm_tensor *out, int oc, int64_t k_per_oc, int oc_axis,
                             int is_fc);

/* Rescale an accumulator to the output type with the profile's rounding. */
static inline int32_t zm_requantize(int32_t acc, zm_requant rq, int single, int32_t zp,
                                    int32_t lo, int32_t hi)
{
    int32_t s = single ? zm_mbqm_single(acc, rq.m0, rq.shift)
                       : zm_mbqm_double(acc, rq.m0, rq.shift);
    return zm_clamp_i32((int64_t)s + zp, lo, hi);
}

static inline void zm_store8(void *out, int64_t i, int32_t v, int is_uint8)
{
    if (is_uint8)
        ((uint8_t *)out)[i] = (uint8_t)v;
    else
        ((int8_t *)out)[i] = (int8_t)v;
}

/* x - zp as int16, for a row of n int8/uint8 values. */
static inline void zm_widen_row(int16_t *dst, const void *src, int64_t n, int32_t zp,
                                int is_uint8)
{
    if (is_uint8) {
        const uint8_t *s = src;
        for (int64_t i = 0; i < n; i++)
            dst[i] = (int16_t)((int32_t)s[i] - zp);
    } else {
        const int8_t *s = src;
        for (int64_t i = 0; i < n; i++)
            dst[i] = (int16_t)((int32_t)s[i] - zp);
    }
}

/* Integer dot product of two int16 vectors; gcc turns it into vpmaddwd /
 * vpdpwssd at -O3. */
static inline int32_t zm_dot16(const int16_t *a, const int16_t *b, int64_t n)
{
    int32_t s = 0;
    for (int64_t i = 0; i < n; i++)
        s += (int32_t)a[i] * (int32_t)b[i];
    return s;
}

/* Four dot products sharing one input row: each x[i] is loaded once for
 * four weight rows, which roughly doubles the GEMM's throughput. */
static inline void zm_dot16x4(const int16_t *w0, const int16_t *w1, const int16_t *w2,
                              const int16_t *w3, const int16_t *x, int64_t n, int32_t out[4])
{
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int64_t i = 0; i < n; i++) {
        int32_t xi = x[i];
        s0 += (int32_t)w0[i] * xi;
        s1 += (int32_t)w1[i] * xi;
        s2 += (int32_t)w2[i] * xi;
        s3 += (int32_t)w3[i] * xi;
    }
    out[0] = s0;
    out[1] = s1;
    out[2] = s2;
    out[3] = s3;
}

#endif
