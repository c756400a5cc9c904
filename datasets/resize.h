/* datasets/resize.h - the integer-exact channel conversion, resize and
 * centre crop of image folders (docs/datasets-import.md, "Input
 * preparation").
 *
 * Everything here is integer arithmetic on exact rationals, so two machines
 * (any compiler, any CPU) derive the same bytes from the same pixels.
 *
 * Channels.  Grey to RGB copies the grey value into R, G and B.  RGB to grey
 * is Y = (77 R + 150 G + 29 B + 128) >> 8 (BT.601 luma weights 0.299,
 * 0.587, 0.114 in 8-bit fixed point; they sum to 256, so white stays 255).
 *
 * Resize.  A w x h source and a W x H target: the source is scaled by one
 * factor so that it covers the target, then the centre is cropped:
 *   if W*h >= H*w:  rw = W, rh = floor((2*h*W + w) / (2*w))   (h*W/w, half up)
 *   else:           rh = H, rw = floor((2*w*H + h) / (2*h))
 * (so rw >= W and rh >= H), x0 = floor((rw - W) / 2), y0 = floor((rh - H) / 2).
 * The resampling is the exact area (box) average: along x, resized column
 * X covers [X*w, (X+1)*w) and source column i covers [i*rw, (i+1)*rw) on a
 * common axis of length w*rw; the weight of i in X is the length of the
 * overlap (the weights of one X sum to w); likewise along y (sum h).  For
 * output pixel (y, x) with X = x + x0, Y = y + y0:
 *   S = sum_i sum_j wy(Y, j) * wx(X, i) * src[j][i][c]
 *   out = floor((2*S + w*h) / (2*w*h))         (S / (w*h), half up)
 * An image already of the target size is copied unchanged.  Upscaling
 * works the same way (it replicates pixels, averaging at the seams).
 *
 * Nothing here allocates: the caller owns src and dst.
 */
#ifndef ZD_RESIZE_H
#define ZD_RESIZE_H

#include <stddef.h>
#include <stdint.h>

/* Grey/RGB conversion of n pixels from src_c to dst_c channels (each 1 or 3). */
void zd_convert_channels(const uint8_t *src, unsigned src_c, uint8_t *dst, unsigned dst_c,
                         size_t n);

/* The resized (uncropped) size for a w x h source and a W x H target. */
void zd_resize_dims(uint32_t w, uint32_t h, uint32_t W, uint32_t H, uint64_t *rw,
                    uint64_t *rh);

/* Resize and centre-crop src (h rows of w pixels of c interleaved channels)
 * into dst (H rows of W pixels of c channels).  Sizes must be at least 1;
 * w*h must be at most ZA_MAX_IMAGE_PIXELS (the sums then fit 64 bits). */
void zd_resize_crop(const uint8_t *src, uint32_t w, uint32_t h, unsigned c, uint8_t *dst,
                    uint32_t W, uint32_t H);

#endif
