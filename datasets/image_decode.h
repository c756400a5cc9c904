/* datasets/image_decode.h - PNG and JPEG files in memory to 8-bit pixels.
 *
 * The decoders are strict and never exit or print: any libpng error, any
 * libjpeg error *or warning* (libjpeg merely warns about corrupt or
 * truncated entropy data and pads the image with grey) is ZA_ERR_MALFORMED
 * with the decoder's message, prefixed by the name given.  Dimensions are
 * checked against ZA_MAX_IMAGE_DIM / ZA_MAX_IMAGE_PIXELS before any pixel
 * buffer is allocated (ZA_ERR_LIMIT).
 *
 * What comes out is exactly what the file stores, with fixed rules that do
 * not depend on the decoder's colour management:
 *  - PNG: palette images are expanded to RGB, grey below 8 bits is scaled
 *    to 8 bits (libpng's bit replication), 16-bit samples keep their high
 *    byte (png_set_strip_16), alpha and tRNS are ignored (dropped, never
 *    composited), gamma/sRGB/iCCP chunks are ignored.  Interlaced images are
 *    de-interlaced.  Grey (+alpha) gives 1 channel, colour 3.
 *  - JPEG: libjpeg(-turbo) with the integer IDCT (JDCT_ISLOW) and fancy
 *    upsampling (its defaults, set explicitly); 1-component files give 1
 *    channel, YCbCr/RGB files 3 (RGB); CMYK/YCCK is ZA_ERR_UNSUPPORTED.
 *    Progressive files with more than ZA_MAX_JPEG_SCANS scans are refused.
 *
 * Ownership: on success img->pixels is a malloc'd buffer of
 * height * width * channels bytes (row-major, interleaved) that
 * zd_image_free releases; on failure img is zeroed.
 */
#ifndef ZD_IMAGE_DECODE_H
#define ZD_IMAGE_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct {
    uint32_t width, height;
    unsigned channels;   /* 1 (grey) or 3 (RGB) */
    uint8_t *pixels;
} zd_image;

typedef enum { ZD_IMAGE_UNKNOWN = 0, ZD_IMAGE_PNG, ZD_IMAGE_JPEG } zd_image_kind;

/* Which decoder the first bytes call for (PNG signature, JPEG SOI marker). */
zd_image_kind zd_image_sniff(const uint8_t *buf, size_t len);

/* Decode a whole PNG or JPEG file held in memory (chosen by zd_image_sniff;
 * anything else is ZA_ERR_MALFORMED "not a PNG or JPEG image"). */
za_status zd_image_decode(const uint8_t *buf, size_t len, const char *name, zd_image *img,
                          za_error *err) ZA_WARN_UNUSED;

za_status zd_image_decode_png(const uint8_t *buf, size_t len, const char *name,
                              zd_image *img, za_error *err) ZA_WARN_UNUSED;
za_status zd_image_decode_jpeg(const uint8_t *buf, size_t len, const char *name,
                               zd_image *img, za_error *err) ZA_WARN_UNUSED;

void zd_image_free(zd_image *img);

#endif
