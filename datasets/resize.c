/* datasets/resize.c - integer-exact channel conversion, area resize and
 * centre crop (the rules are in resize.h). */
#include "datasets/resize.h"

#include <string.h>

void zd_convert_channels(const uint8_t *src, unsigned src_c, uint8_t *dst, unsigned dst_c,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = src + i * src_c;
        uint8_t *q = dst + i * dst_c;
        if (src_c == dst_c) {
            memcpy(q, p, src_c);
        } else if (src_c == 1) {
            q[0] = q[1] = q[2] = p[0];
        } else {
            q[0] = (uint8_t)((77u * p[0] + 150u * p[1] + 29u * p[2] + 128u) >> 8);
        }
    }
}

void zd_resize_dims(uint32_t w, uint32_t h, uint32_t W, uint32_t H, uint64_t *rw, uint64_t *rh)
{
    if ((uint64_t)W * h >= (uint64_t)H * w) {
        *rw = W;
        *rh = (2 * (uint64_t)h * W + w) / (2 * (uint64_t)w);
    } else {
        *rh = H;
        *rw = (2 * (uint64_t)w * H + h) / (2 * (uint64_t)h);
    }
    /* rounding cannot take them below the target (see resize.h), but a
     * crop outside the resized image must be impossible, so make sure */
    if (*rw < W)
        *rw = W;
    if (*rh < H)
        *rh = H;
}

/* Overlap of resized cell o (covering [o*n, (o+1)*n)) with source cell i
 * (covering [i*r, (i+1)*r)), n = source size, r = resized size. */
static uint64_t overlap(uint64_t o, uint64_t i, uint64_t n, uint64_t r)
{
    uint64_t lo = o * n > i * r ? o * n : i * r;
    uint64_t hi = (o + 1) * n < (i + 1) * r ? (o + 1) * n : (i + 1) * r;
    return hi > lo ? hi - lo : 0;
}

void zd_resize_crop(const uint8_t *src, uint32_t w, uint32_t h, unsigned c, uint8_t *dst,
                    uint32_t W, uint32_t H)
{
    if (w == W && h == H) {
        memcpy(dst, src, (size_t)w * h * c);
        return;
    }
    uint64_t rw, rh;
    zd_resize_dims(w, h, W, H, &rw, &rh);
    uint64_t x0 = (rw - W) / 2, y0 = (rh - H) / 2;
    uint64_t den = (uint64_t)w * h;
    for (uint32_t y = 0; y < H; y++) {
        uint64_t Y = y + y0;
        /* source rows j with j*rh < (Y+1)*h and (j+1)*rh > Y*h */
        uint64_t j0 = Y * h / rh, j1 = ((Y + 1) * h - 1) / rh;
        for (uint32_t x = 0; x < W; x++) {
            uint64_t X = x + x0;
            uint64_t i0 = X * w / rw, i1 = ((X + 1) * w - 1) / rw;
            uint64_t sum[3] = { 0, 0, 0 };
            for (uint64_t j = j0; j <= j1; j++) {
                uint64_t wy = overlap(Y, j, h, rh);
                const uint8_t *row = src + (size_t)j * w * c;
                for (uint64_t i = i0; i <= i1; i++) {
                    uint64_t wt = wy * overlap(X, i, w, rw);
                    for (unsigned k = 0; k < c; k++)
                        sum[k] += wt * row[i * c + k];
                }
            }
            uint8_t *o = dst + ((size_t)y * W + x) * c;
            for (unsigned k = 0; k < c; k++)
                o[k] = (uint8_t)((2 * sum[k] + den) / (2 * den));
        }
    }
}
