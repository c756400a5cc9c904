/* datasets/image_decode.c - format sniffing and dispatch for image_decode.h
 * (the decoders are image_png.c and image_jpeg.c). */
#include "datasets/image_decode.h"

#include <stdlib.h>
#include <string.h>

zd_image_kind zd_image_sniff(const uint8_t *buf, size_t len)
{
    static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    if (len >= 8 && memcmp(buf, png_sig, 8) == 0)
        return ZD_IMAGE_PNG;
    if (len >= 3 && buf[0] == 0xff && buf[1] == 0xd8 && buf[2] == 0xff)
        return ZD_IMAGE_JPEG;
    return ZD_IMAGE_UNKNOWN;
}

za_status zd_image_decode(const uint8_t *buf, size_t len, const char *name, zd_image *img,
                          za_error *err)
{
    memset(img, 0, sizeof *img);
    switch (zd_image_sniff(buf, len)) {
    case ZD_IMAGE_PNG:
        return zd_image_decode_png(buf, len, name, img, err);
    case ZD_IMAGE_JPEG:
        return zd_image_decode_jpeg(buf, len, name, img, err);
    default:
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "%s: not a PNG or JPEG image (no PNG signature or JPEG SOI marker)",
                            name);
    }
}

void zd_image_free(zd_image *img)
{
    if (!img)
        return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}
