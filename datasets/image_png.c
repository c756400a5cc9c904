/* datasets/image_png.c - PNG decoding with libpng's low-level API (see
 * image_decode.h for the exact transforms).
 *
 * libpng reports errors by calling our error function, which must not
 * return: it records the message and longjmps back to decode_png_jmp.
 * Everything that must survive the longjmp (the pixel buffer, the row
 * pointers) lives in a png_job owned by the caller of the function that
 * calls setjmp, so no local variable of that function is relied on after
 * the jump.
 */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "datasets/image_decode.h"

typedef struct {
    jmp_buf jb;
    char msg[256];
    const uint8_t *buf;
    size_t len, pos;
    uint8_t *pixels;
    png_bytep *rows;
    za_status code;          /* of a failure found by our own checks */
    uint32_t width, height;
    unsigned channels;
} png_job;

static void on_error(png_structp png, png_const_charp msg)
{
    png_job *j = png_get_error_ptr(png);
    snprintf(j->msg, sizeof j->msg, "%s", msg);
    longjmp(j->jb, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png; /* warnings (bad ancillary CRCs, unknown chunks) are not fatal */
    (void)msg;
}

static void on_read(png_structp png, png_bytep out, size_t n)
{
    png_job *j = png_get_io_ptr(png);
    if (j->len - j->pos < n)
        png_error(png, "unexpected end of file (truncated PNG)");
    memcpy(out, j->buf + j->pos, n);
    j->pos += n;
}

/* Fail from inside the decode with our own code and message. */
static void fail_with(png_structp png, png_job *j, za_status code, const char *msg)
{
    j->code = code;
    png_error(png, msg);
}

static int decode_png_jmp(png_structp png, png_infop info, png_job *j)
{
    if (setjmp(j->jb))
        return 0;
    png_set_read_fn(png, j, on_read);
    /* our caps, not libpng's (1000000 per side), decide: checked just below,
     * before anything proportional to the size is allocated */
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_read_info(png, info);
    png_uint_32 w, h;
    int depth, color, interlace;
    png_get_IHDR(png, info, &w, &h, &depth, &color, &interlace, NULL, NULL);
    if (w > ZA_MAX_IMAGE_DIM || h > ZA_MAX_IMAGE_DIM || (uint64_t)w * h > ZA_MAX_IMAGE_PIXELS)
        fail_with(png, j, ZA_ERR_LIMIT,
                  "image larger than ZA_MAX_IMAGE_DIM per side or ZA_MAX_IMAGE_PIXELS");
    if (color == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16)
        png_set_strip_16(png);
    /* palette expansion turns a tRNS chunk into an alpha channel: drop it
     * as well as a real one (alpha is ignored, never composited) */
    if ((color & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_strip_alpha(png);
    if (interlace != PNG_INTERLACE_NONE)
        png_set_interlace_handling(png);
    png_read_update_info(png, info);
    unsigned ch = png_get_channels(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if ((ch != 1 && ch != 3) || rowbytes != (size_t)w * ch)
        fail_with(png, j, ZA_ERR_UNSUPPORTED, "unexpected layout after the transforms");
    j->pixels = malloc((size_t)h * rowbytes);
    j->rows = malloc((size_t)h * sizeof *j->rows);
    if (!j->pixels || !j->rows)
        fail_with(png, j, ZA_ERR_NOMEM, "out of memory for the pixels");
    for (png_uint_32 y = 0; y < h; y++)
        j->rows[y] = j->pixels + (size_t)y * rowbytes;
    png_read_image(png, j->rows);
    png_read_end(png, NULL); /* the chunks after IDAT up to IEND must be sound too */
    j->width = w;
    j->height = h;
    j->channels = ch;
    return 1;
}

za_status zd_image_decode_png(const uint8_t *buf, size_t len, const char *name, zd_image *img,
                              za_error *err)
{
    memset(img, 0, sizeof *img);
    png_job *j = calloc(1, sizeof *j);
    if (!j)
        return za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", name);
    j->buf = buf;
    j->len = len;
    j->code = ZA_ERR_MALFORMED;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, j, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    za_status st = ZA_OK;
    if (!png || !info)
        st = za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory (libpng)", name);
    else if (!decode_png_jmp(png, info, j))
        st = za_error_set(err, j->code, "%s: %s PNG: %s", name,
                          j->code == ZA_ERR_MALFORMED ? "corrupt" : "refused", j->msg);
    if (png)
        png_destroy_read_struct(&png, info ? &info : NULL, NULL);
    free(j->rows);
    if (st == ZA_OK) {
        img->width = j->width;
        img->height = j->height;
        img->channels = j->channels;
        img->pixels = j->pixels;
    } else {
        free(j->pixels);
    }
    free(j);
    return st;
}
