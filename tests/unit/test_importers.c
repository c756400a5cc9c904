/* tests/unit/test_importers.c - the CIFAR, CSV and image-folder importers.
 *
 * Every test writes its inputs into its own mkdtemp directory: CIFAR
 * batches and CSV text built here, PNG files written with libpng and JPEG
 * files with libjpeg.  Outputs are checked byte by byte: CIFAR against the
 * CHW -> HWC rule, images against hand-computed values for tiny cases and
 * against ref_resize below, an independent brute-force implementation of
 * the area rule of datasets/resize.h (it walks every unit cell of the
 * common grid instead of computing overlaps).  Malformed inputs must give
 * ZA_ERR_MALFORMED (or the stated code) naming the file and the record,
 * line or column; ASan's leak check covers every error path.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include "datasets/image_decode.h"
#include "datasets/importers.h"
#include "datasets/resize.h"

/* ---- temp dirs and files ---- */

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void rm_rf(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *tmpdir(void)
{
    char *d = strdup("/tmp/za_test_imp_XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static char *path_of(const char *dir, const char *name)
{
    static char buf[4][512];
    static int k;
    char *p = buf[k++ & 3];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void write_text(const char *path, const char *text)
{
    write_bytes(path, text, strlen(text));
}

static uint8_t *read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void mkdir_ok(const char *p)
{
    assert_int_equal(mkdir(p, 0777), 0);
}

/* Drain a source expecting a failure on the way (or at open). */
static za_status drain(zd_source *src, za_error *err, uint64_t *n)
{
    *n = 0;
    for (;;) {
        zd_example ex;
        int end = 0;
        za_status st = zd_source_next(src, &ex, &end, err);
        if (st != ZA_OK || end)
            return st;
        (*n)++;
    }
}

static void expect_msg(const za_error *err, const char *a, const char *b)
{
    if (!strstr(err->msg, a) || (b && !strstr(err->msg, b)))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", err->msg, a, b ? b : "");
}

/* ---- CIFAR ---- */

static uint8_t cifar_px(unsigned rec, unsigned c, unsigned i)
{
    return (uint8_t)(rec * 37 + c * 101 + i * 7 + (i >> 5));
}

static void build_cifar(const char *path, int variant, unsigned n, const uint8_t *labels,
                        size_t cut)
{
    size_t rl = (variant == 10 ? 1 : 2) + 3072;
    uint8_t *b = malloc(rl * n);
    for (unsigned r = 0; r < n; r++) {
        uint8_t *p = b + r * rl;
        if (variant == 10) {
            *p++ = labels[r];
        } else {
            *p++ = (uint8_t)(labels[r] / 5); /* coarse */
            *p++ = labels[r];
        }
        for (unsigned c = 0; c < 3; c++)
            for (unsigned i = 0; i < 1024; i++)
                p[c * 1024 + i] = cifar_px(r, c, i);
    }
    write_bytes(path, b, rl * n - cut);
    free(b);
}

static void check_cifar(const char *path, int variant, unsigned n, const uint8_t *labels)
{
    zd_source *src;
    za_error err;
    assert_int_equal(zd_source_open_cifar(path, variant, &src, &err), ZA_OK);
    const zd_source_info *in = zd_source_info_of(src);
    assert_string_equal(in->format, variant == 10 ? "cifar10" : "cifar100");
    assert_int_equal(in->count, n);
    assert_int_equal(in->rank, 3);
    assert_int_equal(in->shape[0], 32);
    assert_int_equal(in->shape[1], 32);
    assert_int_equal(in->shape[2], 3);
    assert_string_equal(in->dtype, "uint8");
    assert_int_equal(in->n_labels, variant);
    if (variant == 10) {
        assert_string_equal(in->label_names[0], "airplane");
        assert_string_equal(in->label_names[1], "automobile");
        assert_string_equal(in->label_names[9], "truck");
    } else {
        assert_null(in->label_names);
    }
    for (unsigned r = 0; r < n; r++) {
        zd_example ex;
        int end = 1;
        assert_int_equal(zd_source_next(src, &ex, &end, &err), ZA_OK);
        assert_int_equal(end, 0);
        assert_int_equal(ex.index, r);
        assert_int_equal(ex.label, labels[r]);
        assert_int_equal(ex.len, 3072);
        for (unsigned y = 0; y < 32; y++)
            for (unsigned x = 0; x < 32; x++)
                for (unsigned c = 0; c < 3; c++)
                    assert_int_equal(ex.data[(y * 32 + x) * 3 + c], cifar_px(r, c, y * 32 + x));
    }
    zd_example ex;
    int end = 0;
    assert_int_equal(zd_source_next(src, &ex, &end, &err), ZA_OK);
    assert_int_equal(end, 1);
    zd_source_close(src);
}

static void test_cifar10(void **state)
{
    (void)state;
    char *d = tmpdir();
    const uint8_t labels[4] = { 3, 0, 9, 5 };
    build_cifar(path_of(d, "data_batch_1.bin"), 10, 4, labels, 0);
    check_cifar(path_of(d, "data_batch_1.bin"), 10, 4, labels);
    rm_rf(d);
    free(d);
}

static void test_cifar100(void **state)
{
    (void)state;
    char *d = tmpdir();
    const uint8_t labels[3] = { 99, 0, 42 };
    build_cifar(path_of(d, "test.bin"), 100, 3, labels, 0);
    check_cifar(path_of(d, "test.bin"), 100, 3, labels);
    /* variant 0 tells them apart by size */
    zd_source *src;
    za_error err;
    assert_int_equal(zd_source_open_cifar(path_of(d, "test.bin"), 0, &src, &err), ZA_OK);
    assert_string_equal(zd_source_info_of(src)->format, "cifar100");
    assert_int_equal(zd_source_info_of(src)->n_labels, 100);
    zd_source_close(src);
    build_cifar(path_of(d, "ten.bin"), 10, 2, labels + 1, 0);
    assert_int_equal(zd_source_open_cifar(path_of(d, "ten.bin"), 0, &src, &err), ZA_OK);
    assert_string_equal(zd_source_info_of(src)->format, "cifar10");
    zd_source_close(src);
    write_bytes(path_of(d, "odd.bin"), labels, 3);
    assert_int_equal(zd_source_open_cifar(path_of(d, "odd.bin"), 0, &src, &err),
                     ZA_ERR_MALFORMED);
    expect_msg(&err, "odd.bin", "neither");
    size_t both = (size_t)3073 * 3074; /* 3074 CIFAR-10 or 3073 CIFAR-100 records */
    uint8_t *zeros = calloc(1, both);
    write_bytes(path_of(d, "both.bin"), zeros, both);
    free(zeros);
    assert_int_equal(zd_source_open_cifar(path_of(d, "both.bin"), 0, &src, &err),
                     ZA_ERR_MALFORMED);
    expect_msg(&err, "both.bin", "give the variant");
    assert_int_equal(zd_source_open_cifar(path_of(d, "both.bin"), 10, &src, &err), ZA_OK);
    assert_int_equal(zd_source_info_of(src)->count, 3074);
    zd_source_close(src);
    write_bytes(path_of(d, "empty.bin"), "", 0);
    assert_int_equal(zd_source_open_cifar(path_of(d, "empty.bin"), 0, &src, &err),
                     ZA_ERR_MALFORMED);
    expect_msg(&err, "empty.bin", "empty");
    rm_rf(d);
    free(d);
}

static void test_cifar_malformed(void **state)
{
    (void)state;
    char *d = tmpdir();
    zd_source *src = (zd_source *)1;
    za_error err;
    const uint8_t labels[3] = { 1, 2, 3 };
    /* truncated: the third record is 5 bytes short */
    const char *p = path_of(d, "cut.bin");
    build_cifar(p, 10, 3, labels, 5);
    assert_int_equal(zd_source_open_cifar(p, 10, &src, &err), ZA_ERR_MALFORMED);
    assert_null(src);
    expect_msg(&err, p, "offset 6146");
    /* a CIFAR-10 batch read as CIFAR-100 is not a whole number of records */
    p = path_of(d, "ten.bin");
    build_cifar(p, 10, 3, labels, 0);
    assert_int_equal(zd_source_open_cifar(p, 100, &src, &err), ZA_ERR_MALFORMED);
    expect_msg(&err, p, "3074");
    /* empty */
    p = path_of(d, "empty.bin");
    write_bytes(p, "", 0);
    assert_int_equal(zd_source_open_cifar(p, 10, &src, &err), ZA_ERR_MALFORMED);
    expect_msg(&err, p, "empty");
    /* a label byte out of range, found while streaming: record 1 */
    p = path_of(d, "label.bin");
    const uint8_t bad[3] = { 1, 10, 3 };
    build_cifar(p, 10, 3, bad, 0);
    assert_int_equal(zd_source_open_cifar(p, 10, &src, &err), ZA_OK);
    uint64_t n;
    assert_int_equal(drain(src, &err, &n), ZA_ERR_MALFORMED);
    assert_int_equal(n, 1);
    expect_msg(&err, p, "record 1 at offset 3073");
    zd_source_close(src);
    /* CIFAR-100: a fine label of 100 */
    p = path_of(d, "fine.bin");
    const uint8_t bad100[1] = { 100 };
    build_cifar(p, 100, 1, bad100, 0);
    assert_int_equal(zd_source_open_cifar(p, 100, &src, &err), ZA_OK);
    assert_int_equal(drain(src, &err, &n), ZA_ERR_MALFORMED);
    expect_msg(&err, p, "record 0");
    zd_source_close(src);
    /* wrong variant, missing file, a folder */
    assert_int_equal(zd_source_open_cifar(p, 7, &src, &err), ZA_ERR_ARG);
    assert_int_equal(zd_source_open_cifar(path_of(d, "nope.bin"), 10, &src, &err), ZA_ERR_IO);
    expect_msg(&err, "nope.bin", NULL);
    assert_int_equal(zd_source_open_cifar(d, 10, &src, &err), ZA_ERR_ARG);
    assert_null(src);
    rm_rf(d);
    free(d);
}

/* ---- CSV ---- */

static void test_csv(void **state)
{
    (void)state;
    char *d = tmpdir();
    zd_source *src;
    za_error err;
    /* header, CRLF, quotes, spaces, an empty line, no final line end;
     * the label is column 1 */
    const char *p = path_of(d, "a.csv");
    write_text(p, "p0,label,\"p,1\",p2\r\n"
                  "0,3,255,17\r\n"
                  "\r\n"
                  "\"12\", 0 ,\t1,2\r\n"
                  "7,7,007,100");
    zd_csv_opts o = { .label_column = 1, .has_header = 1 };
    assert_int_equal(zd_source_open_csv(p, &o, &src, &err), ZA_OK);
    const zd_source_info *in = zd_source_info_of(src);
    assert_string_equal(in->format, "csv");
    assert_int_equal(in->count, 3);
    assert_int_equal(in->rank, 1);
    assert_int_equal(in->shape[0], 3);
    assert_int_equal(in->n_labels, 8); /* largest label 7, plus one */
    assert_null(in->label_names);
    const uint8_t want[3][3] = { { 0, 255, 17 }, { 12, 1, 2 }, { 7, 7, 100 } };
    const uint32_t lab[3] = { 3, 0, 7 };
    for (int r = 0; r < 3; r++) {
        zd_example ex;
        int end = 1;
        assert_int_equal(zd_source_next(src, &ex, &end, &err), ZA_OK);
        assert_int_equal(end, 0);
        assert_int_equal(ex.label, lab[r]);
        assert_int_equal(ex.len, 3);
        assert_memory_equal(ex.data, want[r], 3);
    }
    uint64_t n;
    assert_int_equal(drain(src, &err, &n), ZA_OK);
    assert_int_equal(n, 0);
    zd_source_close(src);
    /* no header, LF, label in column 0, a byte order mark */
    p = path_of(d, "b.csv");
    write_text(p, "\xef\xbb\xbf" "1,2,3\n0,4,5\n"); /* with a UTF-8 BOM */
    zd_csv_opts o2 = { .label_column = 0, .has_header = 0 };
    assert_int_equal(zd_source_open_csv(p, &o2, &src, &err), ZA_OK);
    in = zd_source_info_of(src);
    assert_int_equal(in->count, 2);
    assert_int_equal(in->n_labels, 2);
    zd_example ex;
    int end;
    assert_int_equal(zd_source_next(src, &ex, &end, &err), ZA_OK);
    assert_int_equal(ex.label, 1);
    assert_int_equal(ex.data[0], 2);
    assert_int_equal(ex.data[1], 3);
    assert_int_equal(zd_source_next(src, &ex, &end, &err), ZA_OK);
    assert_int_equal(ex.label, 0);
    assert_int_equal(ex.data[1], 5);
    zd_source_close(src);
    rm_rf(d);
    free(d);
}

/* Open text as CSV; expect code (at open, since the first pass checks every
 * row) with the path and want in the message. */
static void csv_refused(const char *dir, const char *text, unsigned label_col, int header,
                        za_status code, const char *want)
{
    const char *p = path_of(dir, "bad.csv");
    write_text(p, text);
    zd_csv_opts o = { .label_column = label_col, .has_header = header };
    zd_source *src = (zd_source *)1;
    za_error err;
    assert_int_equal(zd_source_open_csv(p, &o, &src, &err), code);
    assert_null(src);
    expect_msg(&err, p, want);
}

static void test_csv_malformed(void **state)
{
    (void)state;
    char *d = tmpdir();
    csv_refused(d, "1,2,3\n4,5\n", 0, 0, ZA_ERR_MALFORMED, "line 2: 2 fields");
    csv_refused(d, "1,2,3\n4,5,6,7\n", 0, 0, ZA_ERR_MALFORMED, "line 2: 4 fields");
    csv_refused(d, "h0,h1,h2\n1,2,3\n1,2\r\n", 0, 1, ZA_ERR_MALFORMED, "line 3: 2 fields");
    csv_refused(d, "1,2,3\n4,256,6\n", 0, 0, ZA_ERR_MALFORMED, "line 2, column 1: value 256");
    csv_refused(d, "1,2,3\n4,5,abc\n", 0, 0, ZA_ERR_MALFORMED, "line 2, column 2: \"abc\"");
    csv_refused(d, "1,2,3\n4,-5,6\n", 0, 0, ZA_ERR_MALFORMED, "line 2, column 1");
    csv_refused(d, "1,2.5,3\n", 0, 0, ZA_ERR_MALFORMED, "line 1, column 1");
    csv_refused(d, "1,,3\n", 0, 0, ZA_ERR_MALFORMED, "line 1, column 1");
    csv_refused(d, "65536,2,3\n", 0, 0, ZA_ERR_MALFORMED, "label");
    csv_refused(d, "1,\"2,3\n", 0, 0, ZA_ERR_MALFORMED, "unterminated quote");
    csv_refused(d, "1,\"2\"x,3\n", 0, 0, ZA_ERR_MALFORMED, "closing quote");
    csv_refused(d, "", 0, 0, ZA_ERR_MALFORMED, "empty file");
    csv_refused(d, "\n\r\n", 0, 0, ZA_ERR_MALFORMED, "empty file");
    csv_refused(d, "a,b,c\n", 0, 1, ZA_ERR_MALFORMED, "no data rows");
    csv_refused(d, "5\n", 0, 0, ZA_ERR_MALFORMED, "at least one value");
    csv_refused(d, "1,2,3\n", 3, 0, ZA_ERR_ARG, "label column 3");
    /* a NUL byte */
    const char *p = path_of(d, "nul.csv");
    write_bytes(p, "1,2\n3,\0\n", 8);
    zd_csv_opts o = { 0, 0 };
    zd_source *src;
    za_error err;
    assert_int_equal(zd_source_open_csv(p, &o, &src, &err), ZA_ERR_MALFORMED);
    expect_msg(&err, "line 2", "NUL");
    /* a line over the cap */
    size_t big = (size_t)(1 << 20) + 10;
    char *t = malloc(big + 1);
    memset(t, '1', big);
    t[big] = '\0';
    t[1] = ',';
    csv_refused(d, t, 0, 0, ZA_ERR_LIMIT, "line 1 is longer");
    free(t);
    assert_int_equal(zd_source_open_csv(path_of(d, "missing.csv"), &o, &src, &err), ZA_ERR_IO);
    rm_rf(d);
    free(d);
}

/* ---- images: writers ---- */

/* write_png adds a tRNS chunk (palette entries 0 and 1 transparent-ish,
 * grey/RGB value 1 transparent) when set */
static int png_with_trns;

/* Write a PNG with libpng's low-level API: rows of w samples-per-pixel
 * packed at bit_depth (8 or 16 bits here, or grey 1/2/4 bits). */
static void write_png(const char *path, uint32_t w, uint32_t h, int color, int depth,
                      const uint8_t *data, size_t stride, int interlace)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    assert_non_null(info);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng write failed");
    png_init_io(png, f);
    png_set_IHDR(png, info, w, h, depth, color,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (color == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[4] = { { 0, 0, 0 }, { 255, 0, 0 }, { 0, 255, 0 }, { 10, 20, 30 } };
        png_set_PLTE(png, info, pal, 4);
    }
    if (png_with_trns) {
        png_byte alpha[2] = { 0, 128 };
        png_color_16 tc;
        memset(&tc, 0, sizeof tc);
        tc.gray = tc.red = tc.green = tc.blue = 1;
        png_set_tRNS(png, info, alpha, color == PNG_COLOR_TYPE_PALETTE ? 2 : 0, &tc);
    }
    png_write_info(png, info);
    png_bytep *rows = malloc(h * sizeof *rows);
    for (uint32_t y = 0; y < h; y++)
        rows[y] = (png_bytep)(data + y * stride);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    fclose(f);
}

static void write_jpeg(const char *path, uint32_t w, uint32_t h, unsigned ch,
                       const uint8_t *px, int quality)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    jpeg_stdio_dest(&c, f);
    c.image_width = w;
    c.image_height = h;
    c.input_components = (int)ch;
    c.in_color_space = ch == 1 ? JCS_GRAYSCALE : ch == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < h) {
        JSAMPROW row = (JSAMPROW)(px + (size_t)c.next_scanline * w * ch);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
}

/* The test's own plain decode of a JPEG (integer IDCT, as the importer). */
static uint8_t *plain_jpeg_decode(const char *path, uint32_t *w, uint32_t *h, unsigned *ch)
{
    struct jpeg_decompress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_decompress(&c);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    jpeg_stdio_src(&c, f);
    jpeg_read_header(&c, TRUE);
    c.dct_method = JDCT_ISLOW;
    jpeg_start_decompress(&c);
    *w = c.output_width;
    *h = c.output_height;
    *ch = (unsigned)c.output_components;
    uint8_t *px = malloc((size_t)*w * *h * *ch);
    while (c.output_scanline < *h) {
        JSAMPROW row = px + (size_t)c.output_scanline * *w * *ch;
        jpeg_read_scanlines(&c, &row, 1);
    }
    jpeg_finish_decompress(&c);
    jpeg_destroy_decompress(&c);
    fclose(f);
    return px;
}

/* ---- images: the independent reference of the resize rule ---- */

static uint8_t ref_grey(const uint8_t *p)
{
    /* 0.299 R + 0.587 G + 0.114 B with weights 77/256, 150/256, 29/256, half up */
    unsigned v = 77u * p[0] + 150u * p[1] + 29u * p[2];
    return (uint8_t)(v / 256 + (v % 256 >= 128));
}

/* Brute force: the common grid has w*rw x h*rh unit cells; cell (u, v)
 * belongs to source pixel (u / rw, v / rh) and to resized pixel (u / w,
 * v / h); each output pixel averages its w*h cells. */
static void ref_resize(const uint8_t *src, uint32_t w, uint32_t h, unsigned c, uint8_t *dst,
                       uint32_t W, uint32_t H)
{
    /* cover the target with one scale factor, rounding the other side half up */
    uint64_t rw, rh;
    if ((uint64_t)W * h >= (uint64_t)H * w) {
        rw = W;
        rh = (uint64_t)h * W / w + ((uint64_t)h * W % w * 2 >= w);
    } else {
        rh = H;
        rw = (uint64_t)w * H / h + ((uint64_t)w * H % h * 2 >= h);
    }
    uint64_t x0 = (rw - W) / 2, y0 = (rh - H) / 2;
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++)
            for (unsigned k = 0; k < c; k++) {
                uint64_t s = 0;
                for (uint64_t v = (y + y0) * h; v < (y + y0 + 1) * h; v++)
                    for (uint64_t u = (x + x0) * w; u < (x + x0 + 1) * w; u++)
                        s += src[((v / rh) * w + u / rw) * c + k];
                uint64_t n = (uint64_t)w * h;
                dst[(y * W + x) * c + k] = (uint8_t)(s / n + (s % n * 2 >= n));
            }
}

static void test_resize_rule(void **state)
{
    (void)state;
    uint8_t out[64];
    /* 2x2 -> 1x1: (0 + 3*255) / 4 = 191.25 -> 191 */
    const uint8_t a[4] = { 0, 255, 255, 255 };
    zd_resize_crop(a, 2, 2, 1, out, 1, 1);
    assert_int_equal(out[0], 191);
    /* 2x2 -> 1x1 of exactly .5: (1 + 2 + 2 + 2) / 4 = 1.75; (0+0+1+1)/4 = .5 -> 1 */
    const uint8_t b[4] = { 0, 0, 1, 1 };
    zd_resize_crop(b, 2, 2, 1, out, 1, 1);
    assert_int_equal(out[0], 1);
    /* 3x1 -> 2x1: the height already fits, so no scaling, crop cols 0..1 */
    const uint8_t c3[3] = { 10, 20, 30 };
    zd_resize_crop(c3, 3, 1, 1, out, 2, 1);
    assert_int_equal(out[0], 10);
    assert_int_equal(out[1], 20);
    /* 4x2 -> 2x2: no scaling, centre crop cols 1..2 */
    const uint8_t d[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    zd_resize_crop(d, 4, 2, 1, out, 2, 2);
    const uint8_t dw[4] = { 2, 3, 6, 7 };
    assert_memory_equal(out, dw, 4);
    /* 2x1 -> 3x3: scaled x3 to 6x3, crop cols 1..3: each row 10 10 200 */
    const uint8_t e[2] = { 10, 200 };
    zd_resize_crop(e, 2, 1, 1, out, 3, 3);
    const uint8_t ew[9] = { 10, 10, 200, 10, 10, 200, 10, 10, 200 };
    assert_memory_equal(out, ew, 9);
    /* 3x3 -> 2x2 (scale 2/3): corner = (4*p00 + 2*p01 + 2*p10 + p11) / 9 */
    const uint8_t f[9] = { 90, 0, 0, 0, 9, 0, 0, 0, 0 };
    zd_resize_crop(f, 3, 3, 1, out, 2, 2);
    assert_int_equal(out[0], (4 * 90 + 9 + 4) / 9); /* 369/9 = 41 */
    assert_int_equal(out[3], 1);                    /* 9/9 */
    /* grey from RGB */
    const uint8_t rgb[15] = { 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 1, 2, 3 };
    uint8_t g[5];
    zd_convert_channels(rgb, 3, g, 1, 5);
    assert_int_equal(g[0], 77);
    assert_int_equal(g[1], 149);
    assert_int_equal(g[2], 29);
    assert_int_equal(g[3], 255);
    assert_int_equal(g[4], 2); /* (77 + 300 + 87 + 128) >> 8 = 592 >> 8 */
    for (int i = 0; i < 5; i++)
        assert_int_equal(g[i], ref_grey(rgb + 3 * i));
    /* against the brute force on many small shapes */
    uint8_t src[13 * 11 * 3], want[9 * 8 * 3], got[9 * 8 * 3];
    uint64_t s = 12345;
    for (size_t i = 0; i < sizeof src; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        src[i] = (uint8_t)(s >> 56);
    }
    for (uint32_t w = 1; w <= 13; w++)
        for (uint32_t h = 1; h <= 11; h += 2)
            for (uint32_t W = 1; W <= 9; W += 2)
                for (uint32_t H = 1; H <= 8; H += 3)
                    for (unsigned c = 1; c <= 3; c += 2) {
                        zd_resize_crop(src, w, h, c, got, W, H);
                        ref_resize(src, w, h, c, want, W, H);
                        if (memcmp(got, want, (size_t)W * H * c))
                            fail_msg("resize %ux%u -> %ux%u (c=%u) differs", w, h, W, H, c);
                    }
}

/* ---- image folders ---- */

static uint8_t pix(uint32_t x, uint32_t y, unsigned k, unsigned seed)
{
    return (uint8_t)(x * 29 + y * 53 + k * 91 + seed * 17 + ((x * y) >> 1));
}

static uint8_t *make_pixels(uint32_t w, uint32_t h, unsigned c, unsigned seed)
{
    uint8_t *p = malloc((size_t)w * h * c);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (unsigned k = 0; k < c; k++)
                p[(y * w + x) * c + k] = pix(x, y, k, seed);
    return p;
}

/* What the importer must produce from pixels (w x h x c) for opts. */
static void expected(const uint8_t *px, uint32_t w, uint32_t h, unsigned c,
                     const zd_image_opts *o, uint8_t *out)
{
    size_t n = (size_t)w * h;
    uint8_t *conv = malloc(n * o->channels);
    for (size_t i = 0; i < n; i++) {
        if (c == o->channels)
            memcpy(conv + i * c, px + i * c, c);
        else if (c == 1)
            memset(conv + i * 3, px[i], 3);
        else
            conv[i] = ref_grey(px + i * 3);
    }
    ref_resize(conv, w, h, o->channels, out, o->width, o->height);
    free(conv);
}

typedef struct {
    const char *cls, *name;
    uint32_t w, h;
    unsigned c;     /* 1 grey, 3 RGB */
    int jpeg;
} img_spec;

static const img_spec specs[] = {
    /* class "b" comes after class "a"; files sorted bytewise ("B" < "a") */
    { "b", "x.png", 9, 7, 3, 0 },
    { "a", "a2.png", 6, 6, 1, 0 },
    { "a", "B1.png", 4, 5, 3, 0 },
    { "a", "c.jpg", 16, 12, 3, 1 },
    { "b", "g.jpeg", 10, 24, 1, 1 },
    { "a", "tiny.png", 1, 1, 1, 0 },
};
/* the order the importer must yield them in: a/B1, a/a2, a/c, a/tiny, b/g, b/x */
static const int order[] = { 2, 1, 3, 5, 4, 0 };

static void build_folder(const char *d)
{
    mkdir_ok(path_of(d, "a"));
    mkdir_ok(path_of(d, "b"));
    mkdir_ok(path_of(d, ".hidden_class"));
    write_text(path_of(d, ".DS_Store"), "junk");
    write_text(path_of(d, "a/.notes"), "junk");
    char rel[64];
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
        const img_spec *s = &specs[i];
        uint8_t *px = make_pixels(s->w, s->h, s->c, (unsigned)i);
        snprintf(rel, sizeof rel, "%s/%s", s->cls, s->name);
        if (s->jpeg)
            write_jpeg(path_of(d, rel), s->w, s->h, s->c, px, 95);
        else
            write_png(path_of(d, rel), s->w, s->h,
                      s->c == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, 8, px,
                      (size_t)s->w * s->c, (int)(i & 1));
        free(px);
    }
}

static void check_folder(const char *d, const zd_image_opts *o)
{
    zd_source *src;
    za_error err;
    if (zd_source_open_image_folder(d, o, &src, &err) != ZA_OK)
        fail_msg("open: %s", err.msg);
    const zd_source_info *in = zd_source_info_of(src);
    assert_string_equal(in->format, "image-folder");
    assert_int_equal(in->count, 6);
    assert_int_equal(in->n_labels, 2);
    assert_string_equal(in->label_names[0], "a");
    assert_string_equal(in->label_names[1], "b");
    assert_int_equal(in->rank, 3);
    assert_int_equal(in->shape[0], o->height);
    assert_int_equal(in->shape[1], o->width);
    assert_int_equal(in->shape[2], o->channels);
    size_t n = (size_t)o->height * o->width * o->channels;
    uint8_t *want = malloc(n);
    char rel[64];
    for (int k = 0; k < 6; k++) {
        const img_spec *s = &specs[order[k]];
        zd_example ex;
        int end = 1;
        if (zd_source_next(src, &ex, &end, &err) != ZA_OK)
            fail_msg("next %d: %s", k, err.msg);
        assert_int_equal(end, 0);
        assert_int_equal(ex.label, s->cls[0] == 'a' ? 0 : 1);
        assert_int_equal(ex.len, n);
        uint32_t w = s->w, h = s->h;
        unsigned c = s->c;
        uint8_t *px;
        snprintf(rel, sizeof rel, "%s/%s", s->cls, s->name);
        if (s->jpeg) /* lossy: the reference is the plain decode of the file */
            px = plain_jpeg_decode(path_of(d, rel), &w, &h, &c);
        else
            px = make_pixels(w, h, c, (unsigned)order[k]);
        assert_int_equal(c, s->c);
        expected(px, w, h, c, o, want);
        if (memcmp(ex.data, want, n))
            fail_msg("%s: output differs from the reference", rel);
        free(px);
    }
    uint64_t rest;
    assert_int_equal(drain(src, &err, &rest), ZA_OK);
    assert_int_equal(rest, 0);
    free(want);
    zd_source_close(src);
}

static void test_image_folder(void **state)
{
    (void)state;
    char *d = tmpdir();
    build_folder(d);
    const zd_image_opts shapes[] = { { 4, 4, 1 }, { 4, 4, 3 }, { 5, 3, 3 }, { 3, 8, 1 },
                                     { 12, 16, 3 } };
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
        check_folder(d, &shapes[i]);
    char desc[ZD_IMAGE_DESCRIBE_MAX];
    za_error err;
    assert_int_equal(zd_image_opts_describe(&shapes[2], desc, sizeof desc, &err), ZA_OK);
    assert_string_equal(desc, "image-folder;v1;h=5;w=3;c=3;grey=bt601-77-150-29;"
                              "resize=area-cover;crop=centre");
    const zd_image_opts bad = { 5, 3, 2 };
    assert_int_equal(zd_image_opts_describe(&bad, desc, sizeof desc, &err), ZA_ERR_ARG);
    rm_rf(d);
    free(d);
}

/* PNG variants the decoder must normalise: palette (with and without
 * tRNS), 16-bit, alpha, grey 1/2/4 bits, interlaced. */
static void test_png_variants(void **state)
{
    (void)state;
    char *d = tmpdir();
    za_error err;
    zd_image img;
    size_t len;
    uint8_t *file;
    /* palette 3x2 */
    const uint8_t pal[6] = { 0, 1, 2, 3, 1, 0 };
    write_png(path_of(d, "p.png"), 3, 2, PNG_COLOR_TYPE_PALETTE, 8, pal, 3, 0);
    file = read_bytes(path_of(d, "p.png"), &len);
    assert_int_equal(zd_image_decode(file, len, "p.png", &img, &err), ZA_OK);
    assert_int_equal(img.channels, 3);
    const uint8_t palw[18] = { 0, 0, 0, 255, 0, 0, 0, 255, 0, 10, 20, 30, 255, 0, 0, 0, 0, 0 };
    assert_memory_equal(img.pixels, palw, 18);
    zd_image_free(&img);
    free(file);
    /* the same with tRNS (which palette expansion turns into alpha): still RGB */
    png_with_trns = 1;
    write_png(path_of(d, "pt.png"), 3, 2, PNG_COLOR_TYPE_PALETTE, 8, pal, 3, 0);
    const uint8_t g8[4] = { 1, 2, 3, 4 };
    write_png(path_of(d, "gt.png"), 4, 1, PNG_COLOR_TYPE_GRAY, 8, g8, 4, 0);
    png_with_trns = 0;
    file = read_bytes(path_of(d, "pt.png"), &len);
    assert_int_equal(zd_image_decode(file, len, "pt.png", &img, &err), ZA_OK);
    assert_int_equal(img.channels, 3);
    assert_memory_equal(img.pixels, palw, 18);
    zd_image_free(&img);
    free(file);
    file = read_bytes(path_of(d, "gt.png"), &len);
    assert_int_equal(zd_image_decode(file, len, "gt.png", &img, &err), ZA_OK);
    assert_int_equal(img.channels, 1);
    assert_memory_equal(img.pixels, g8, 4);
    zd_image_free(&img);
    free(file);
    /* RGBA 16-bit 2x1: high bytes kept, alpha dropped */
    const uint8_t rgba16[16] = { 0x12, 0x34, 0xab, 0xcd, 0xff, 0x00, 0x00, 0x01,
                                 0x80, 0x80, 0x7f, 0xff, 0x01, 0xff, 0x55, 0x55 };
    write_png(path_of(d, "r.png"), 2, 1, PNG_COLOR_TYPE_RGB_ALPHA, 16, rgba16, 16, 1);
    file = read_bytes(path_of(d, "r.png"), &len);
    assert_int_equal(zd_image_decode(file, len, "r.png", &img, &err), ZA_OK);
    assert_int_equal(img.channels, 3);
    const uint8_t rw[6] = { 0x12, 0xab, 0xff, 0x80, 0x7f, 0x01 };
    assert_memory_equal(img.pixels, rw, 6);
    zd_image_free(&img);
    free(file);
    /* grey+alpha 8-bit and grey 2-bit (bit replication: v * 0x55) */
    const uint8_t ga[4] = { 7, 0, 200, 255 };
    write_png(path_of(d, "ga.png"), 2, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 8, ga, 4, 0);
    file = read_bytes(path_of(d, "ga.png"), &len);
    assert_int_equal(zd_image_decode(file, len, "ga.png", &img, &err), ZA_OK);
    assert_int_equal(img.channels, 1);
    assert_int_equal(img.pixels[0], 7);
    assert_int_equal(img.pixels[1], 200);
    zd_image_free(&img);
    free(file);
    const uint8_t g2[1] = { 0x1b }; /* 00 01 10 11 */
    write_png(path_of(d, "g2.png"), 4, 1, PNG_COLOR_TYPE_GRAY, 2, g2, 1, 0);
    file = read_bytes(path_of(d, "g2.png"), &len);
    assert_int_equal(zd_image_decode(file, len, "g2.png", &img, &err), ZA_OK);
    const uint8_t g2w[4] = { 0, 0x55, 0xaa, 0xff };
    assert_memory_equal(img.pixels, g2w, 4);
    zd_image_free(&img);
    free(file);
    rm_rf(d);
    free(d);
}

/* Open a folder expecting code at open or at the first next, with want
 * (a path) in the message. */
static void folder_refused(const char *d, za_status code, const char *want, const char *want2)
{
    zd_image_opts o = { 4, 4, 1 };
    zd_source *src = NULL;
    za_error err;
    za_status st = zd_source_open_image_folder(d, &o, &src, &err);
    if (st == ZA_OK) {
        uint64_t n;
        st = drain(src, &err, &n);
        zd_source_close(src);
    } else {
        assert_null(src);
    }
    if (st != code)
        fail_msg("%s: status %d, want %d (%s)", d, st, code, err.msg);
    expect_msg(&err, want, want2);
}

static void test_image_folder_malformed(void **state)
{
    (void)state;
    char *d = tmpdir();
    /* an empty folder; then only hidden entries */
    folder_refused(d, ZA_ERR_MALFORMED, d, "empty folder");
    write_text(path_of(d, ".x"), "hidden");
    folder_refused(d, ZA_ERR_MALFORMED, d, "empty folder");
    /* a file at the top level */
    write_text(path_of(d, "README"), "not a class");
    folder_refused(d, ZA_ERR_MALFORMED, path_of(d, "README"), "top level");
    remove(path_of(d, "README"));
    /* an empty class (only a hidden file inside) */
    mkdir_ok(path_of(d, "cat"));
    mkdir_ok(path_of(d, "dog"));
    write_text(path_of(d, "dog/.keep"), "");
    uint8_t *px = make_pixels(5, 5, 1, 0);
    write_png(path_of(d, "cat/1.png"), 5, 5, PNG_COLOR_TYPE_GRAY, 8, px, 5, 0);
    folder_refused(d, ZA_ERR_MALFORMED, path_of(d, "dog"), "empty class");
    /* a nested folder */
    mkdir_ok(path_of(d, "dog/sub"));
    folder_refused(d, ZA_ERR_MALFORMED, path_of(d, "dog/sub"), "not nested");
    remove(path_of(d, "dog/sub"));
    /* a non-image file */
    write_text(path_of(d, "dog/notes.txt"), "hello");
    folder_refused(d, ZA_ERR_MALFORMED, path_of(d, "dog/notes.txt"), "not a PNG or JPEG");
    remove(path_of(d, "dog/notes.txt"));
    /* a PNG with a flipped byte in its IDAT (CRC mismatch) and a truncated one */
    size_t len;
    uint8_t *file = read_bytes(path_of(d, "cat/1.png"), &len);
    uint8_t *bad = malloc(len);
    memcpy(bad, file, len);
    uint8_t *idat = NULL;
    for (size_t i = 0; i + 4 <= len && !idat; i++)
        if (memcmp(bad + i, "IDAT", 4) == 0)
            idat = bad + i;
    assert_non_null(idat);
    idat[6] ^= 0x40;
    write_bytes(path_of(d, "dog/flipped.png"), bad, len);
    folder_refused(d, ZA_ERR_MALFORMED, path_of(d, "dog/flipped.png"), "corrupt PNG");
    remove(path_of(d, "dog/flipped.png"));
    write_bytes(path_of(d, "dog/cut.png"), file, len - 20);
    folder_refused(d, ZA_ERR_MALFORMED, path_of(d, "dog/cut.png"), "corrupt PNG");
    remove(path_of(d, "dog/cut.png"));
    write_bytes(path_of(d, "dog/sig.png"), file, 8);
    folder_refused(d, ZA_ERR_MALFORMED, path_of(d, "dog/sig.png"), "corrupt PNG");
    remove(path_of(d, "dog/sig.png"));
    free(bad);
    free(file);
    /* JPEGs: truncated in the entropy data, garbage after SOI, header only */
    uint8_t *big = make_pixels(32, 32, 3, 1);
    write_jpeg(path_of(d, ".ok.jpg"), 32, 32, 3, big, 90);
    file = read_bytes(path_of(d, ".ok.jpg"), &len);
    write_bytes(path_of(d, "dog/cut.jpg"), file, len * 2 / 3);
    folder_refused(d, ZA_ERR_MALFORMED, path_of(d, "dog/cut.jpg"), "corrupt JPEG");
    remove(path_of(d, "dog/cut.jpg"));
    const uint8_t junk[16] = { 0xff, 0xd8, 0xff, 0x13, 0x37, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0 };
    write_bytes(path_of(d, "dog/junk.jpg"), junk, sizeof junk);
    folder_refused(d, ZA_ERR_MALFORMED, path_of(d, "dog/junk.jpg"), "corrupt JPEG");
    remove(path_of(d, "dog/junk.jpg"));
    free(file);
    /* a CMYK JPEG is well-formed but not handled */
    uint8_t cmyk[8 * 8 * 4];
    memset(cmyk, 77, sizeof cmyk);
    write_jpeg(path_of(d, "dog/cmyk.jpg"), 8, 8, 4, cmyk, 90);
    folder_refused(d, ZA_ERR_UNSUPPORTED, path_of(d, "dog/cmyk.jpg"), "CMYK");
    remove(path_of(d, "dog/cmyk.jpg"));
    free(big);
    free(px);
    /* options */
    zd_image_opts o = { 4, 4, 2 };
    zd_source *src;
    za_error err;
    assert_int_equal(zd_source_open_image_folder(d, &o, &src, &err), ZA_ERR_ARG);
    zd_image_opts o0 = { 0, 4, 1 };
    assert_int_equal(zd_source_open_image_folder(d, &o0, &src, &err), ZA_ERR_ARG);
    zd_image_opts ok = { 4, 4, 1 };
    assert_int_equal(zd_source_open_image_folder(path_of(d, "none"), &ok, &src, &err),
                     ZA_ERR_IO);
    rm_rf(d);
    free(d);
}

/* A progressive grey JPEG of 65 scans (DC in two successive-approximation
 * passes, then each AC coefficient alone) is over ZA_MAX_JPEG_SCANS = 64;
 * the same image in 64 scans decodes. */
static void write_many_scans(const char *path, int n_scans)
{
    uint8_t px[16 * 16];
    for (int i = 0; i < 256; i++)
        px[i] = (uint8_t)(i * 5);
    jpeg_scan_info scans[65];
    int k = 0;
    if (n_scans == 65) {
        scans[k++] = (jpeg_scan_info){ 1, { 0 }, 0, 0, 0, 1 };
        scans[k++] = (jpeg_scan_info){ 1, { 0 }, 0, 0, 1, 0 };
    } else {
        scans[k++] = (jpeg_scan_info){ 1, { 0 }, 0, 0, 0, 0 };
    }
    for (int c = 1; c <= 63; c++)
        scans[k++] = (jpeg_scan_info){ 1, { 0 }, c, c, 0, 0 };
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    jpeg_stdio_dest(&c, f);
    c.image_width = 16;
    c.image_height = 16;
    c.input_components = 1;
    c.in_color_space = JCS_GRAYSCALE;
    jpeg_set_defaults(&c);
    c.scan_info = scans;
    c.num_scans = k;
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < 16) {
        JSAMPROW row = px + c.next_scanline * 16;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
}

static void test_jpeg_scan_cap(void **state)
{
    (void)state;
    char *d = tmpdir();
    za_error err;
    zd_image img;
    size_t len;
    write_many_scans(path_of(d, "64.jpg"), 64);
    uint8_t *file = read_bytes(path_of(d, "64.jpg"), &len);
    if (zd_image_decode(file, len, "64.jpg", &img, &err) != ZA_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(img.width, 16);
    zd_image_free(&img);
    free(file);
    write_many_scans(path_of(d, "65.jpg"), 65);
    file = read_bytes(path_of(d, "65.jpg"), &len);
    assert_int_equal(zd_image_decode(file, len, "65.jpg", &img, &err), ZA_ERR_LIMIT);
    expect_msg(&err, "65.jpg", "scans");
    assert_null(img.pixels);
    free(file);
    rm_rf(d);
    free(d);
}

/* A PNG whose header claims a huge size is refused before any pixel
 * buffer is allocated. */
static void test_image_caps(void **state)
{
    (void)state;
    char *d = tmpdir();
    const uint8_t row[1] = { 0 };
    write_png(path_of(d, "one.png"), 1, 1, PNG_COLOR_TYPE_GRAY, 8, row, 1, 0);
    size_t len;
    uint8_t *file = read_bytes(path_of(d, "one.png"), &len);
    /* IHDR width at offset 16: set it to 20000 (over ZA_MAX_IMAGE_DIM); the
     * CRC then mismatches too, so fix it up */
    file[16] = 0;
    file[17] = 0;
    file[18] = 0x4e;
    file[19] = 0x20;
    uint32_t crc = (uint32_t)crc32(0, file + 12, 17);
    file[29] = (uint8_t)(crc >> 24);
    file[30] = (uint8_t)(crc >> 16);
    file[31] = (uint8_t)(crc >> 8);
    file[32] = (uint8_t)crc;
    zd_image img;
    za_error err;
    assert_int_equal(zd_image_decode(file, len, "wide.png", &img, &err), ZA_ERR_LIMIT);
    assert_null(img.pixels);
    expect_msg(&err, "wide.png", NULL);
    free(file);
    rm_rf(d);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cifar10),
        cmocka_unit_test(test_cifar100),
        cmocka_unit_test(test_cifar_malformed),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_malformed),
        cmocka_unit_test(test_resize_rule),
        cmocka_unit_test(test_image_folder),
        cmocka_unit_test(test_png_variants),
        cmocka_unit_test(test_image_folder_malformed),
        cmocka_unit_test(test_image_caps),
        cmocka_unit_test(test_jpeg_scan_cap),
    };
    return cmocka_run_group_tests_name("importers", tests, NULL, NULL);
}
