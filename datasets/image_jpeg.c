/* datasets/image_jpeg.c - JPEG decoding with libjpeg(-turbo) (see
 * image_decode.h for the exact settings).
 *
 * libjpeg's default error handler prints and calls exit(); ours records the
 * message and longjmps back to decode_jpeg_jmp.  Warnings (emit_message
 * with level -1: corrupt entropy data, a premature end of file, extraneous
 * bytes) are treated the same way, because libjpeg otherwise carries on and
 * returns a partly grey image as if nothing had happened.  As in
 * image_png.c, everything that must survive the longjmp lives in a
 * jpeg_job owned by the caller of the function that calls setjmp.
 */
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "common/limits.h"
#include "datasets/image_decode.h"

typedef struct {
    struct jpeg_error_mgr pub;   /* first: libjpeg hands us a pointer to it */
    struct jpeg_progress_mgr progress;
    jmp_buf jb;
    char msg[JMSG_LENGTH_MAX + 64];
    za_status code;
    uint8_t *pixels;
    uint32_t width, height;
    unsigned channels;
} jpeg_job;

static void on_error_exit(j_common_ptr cinfo)
{
    jpeg_job *j = (jpeg_job *)cinfo->err;
    char buf[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, buf);
    snprintf(j->msg, sizeof j->msg, "%s", buf);
    longjmp(j->jb, 1);
}

static void on_emit(j_common_ptr cinfo, int level)
{
    if (level < 0) /* a warning: the data is corrupt */
        on_error_exit(cinfo);
    /* trace messages (level >= 0) are dropped */
}

static void on_output(j_common_ptr cinfo)
{
    (void)cinfo; /* never print */
}

/* Progressive files can hold any number of scans, each a pass over the
 * whole image: cap them so a small file cannot cost minutes. */
static void on_progress(j_common_ptr cinfo)
{
    if (!cinfo->is_decompressor)
        return;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > ZA_MAX_JPEG_SCANS) {
        jpeg_job *j = (jpeg_job *)cinfo->err;
        j->code = ZA_ERR_LIMIT;
        snprintf(j->msg, sizeof j->msg, "more than %d progressive scans", ZA_MAX_JPEG_SCANS);
        longjmp(j->jb, 1);
    }
}

static void fail_with(jpeg_job *j, za_status code, const char *msg)
{
    j->code = code;
    snprintf(j->msg, sizeof j->msg, "%s", msg);
    longjmp(j->jb, 1);
}

static int decode_jpeg_jmp(struct jpeg_decompress_struct *cinfo, jpeg_job *j,
                           const uint8_t *buf, size_t len)
{
    if (setjmp(j->jb))
        return 0;
    jpeg_create_decompress(cinfo);
    cinfo->progress = &j->progress;
    cinfo->mem->max_memory_to_use = 1L << 29;
    jpeg_mem_src(cinfo, buf, (unsigned long)len);
    jpeg_read_header(cinfo, TRUE);
    if (cinfo->image_width > ZA_MAX_IMAGE_DIM || cinfo->image_height > ZA_MAX_IMAGE_DIM ||
        (uint64_t)cinfo->image_width * cinfo->image_height > ZA_MAX_IMAGE_PIXELS)
        fail_with(j, ZA_ERR_LIMIT, "image larger than ZA_MAX_IMAGE_DIM / ZA_MAX_IMAGE_PIXELS");
    if (cinfo->num_components == 1)
        cinfo->out_color_space = JCS_GRAYSCALE;
    else if (cinfo->num_components == 3 &&
             (cinfo->jpeg_color_space == JCS_YCbCr || cinfo->jpeg_color_space == JCS_RGB))
        cinfo->out_color_space = JCS_RGB;
    else
        fail_with(j, ZA_ERR_UNSUPPORTED, "colour space is not grey, YCbCr or RGB (CMYK?)");
    cinfo->dct_method = JDCT_ISLOW;
    cinfo->do_fancy_upsampling = TRUE;
    cinfo->do_block_smoothing = TRUE;
    cinfo->scale_num = cinfo->scale_denom = 1;
    jpeg_start_decompress(cinfo);
    unsigned ch = (unsigned)cinfo->output_components;
    uint32_t w = cinfo->output_width, h = cinfo->output_height;
    if ((ch != 1 && ch != 3) || w != cinfo->image_width || h != cinfo->image_height)
        fail_with(j, ZA_ERR_UNSUPPORTED, "unexpected output layout");
    size_t stride = (size_t)w * ch;
    if (!(j->pixels = malloc((size_t)h * stride)))
        fail_with(j, ZA_ERR_NOMEM, "out of memory for the pixels");
    while (cinfo->output_scanline < h) {
        JSAMPROW row = j->pixels + (size_t)cinfo->output_scanline * stride;
        if (jpeg_read_scanlines(cinfo, &row, 1) != 1)
            fail_with(j, ZA_ERR_MALFORMED, "decoder stalled");
    }
    jpeg_finish_decompress(cinfo);
    j->width = w;
    j->height = h;
    j->channels = ch;
    return 1;
}

za_status zd_image_decode_jpeg(const uint8_t *buf, size_t len, const char *name, zd_image *img,
                               za_error *err)
{
    memset(img, 0, sizeof *img);
    if (len == 0 || len > ZA_MAX_IMAGE_FILE_BYTES)
        return za_error_set(err, len ? ZA_ERR_LIMIT : ZA_ERR_MALFORMED,
                            "%s: JPEG of %zu bytes", name, len);
    jpeg_job *j = calloc(1, sizeof *j);
    struct jpeg_decompress_struct *cinfo = calloc(1, sizeof *cinfo);
    if (!j || !cinfo) {
        free(j);
        free(cinfo);
        return za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", name);
    }
    cinfo->err = jpeg_std_error(&j->pub);
    j->pub.error_exit = on_error_exit;
    j->pub.emit_message = on_emit;
    j->pub.output_message = on_output;
    j->progress.progress_monitor = on_progress;
    j->code = ZA_ERR_MALFORMED;
    za_status st = ZA_OK;
    if (!decode_jpeg_jmp(cinfo, j, buf, len))
        st = za_error_set(err, j->code, "%s: %s JPEG: %s", name,
                          j->code == ZA_ERR_MALFORMED ? "corrupt" : "refused", j->msg);
    jpeg_destroy_decompress(cinfo); /* safe after a failed create too (mem is NULL) */
    if (st == ZA_OK) {
        img->width = j->width;
        img->height = j->height;
        img->channels = j->channels;
        img->pixels = j->pixels;
    } else {
        free(j->pixels);
    }
    free(cinfo);
    free(j);
    return st;
}
