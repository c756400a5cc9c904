/* tests/fuzz/seed_importers.c - write a seed corpus for fuzz_importers.
 *
 * Usage: seed_importers DIR.  Each file is <mode byte><param byte><input>,
 * the layout fuzz_importers.c reads: small CIFAR-10/100 batches, a CSV with
 * a header and CRLF, grey and RGB PNGs (one interlaced, one palette with
 * tRNS), baseline and progressive grey and RGB JPEGs (each also as an
 * image-folder input), and canonical recipe strings.  A libFuzzer run
 * rarely finds a valid PNG or JPEG on its own; from these it mutates real
 * chunk and marker structure.  tests/fuzz/run.sh builds and runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

static const char *dir;

static void put(const char *name, int mode, int param, const void *d, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/seed-%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputc(mode, f);
    fputc(param, f);
    fwrite(d, 1, n, f);
    fclose(f);
}

static void png_seed(const char *name, int color, int interlace, int trns, const uint8_t *px)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (!f || !png || !info || setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "seed_importers: libpng failed\n");
        exit(1);
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, 16, 12, 8, color,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (color == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[256];
        for (int i = 0; i < 256; i++)
            pal[i] = (png_color){ (png_byte)i, (png_byte)(255 - i), (png_byte)(i * 7) };
        png_set_PLTE(png, info, pal, 256);
    }
    if (trns) {
        png_byte alpha[2] = { 0, 128 };
        png_set_tRNS(png, info, alpha, 2, NULL);
    }
    png_write_info(png, info);
    int ch = color == PNG_COLOR_TYPE_RGB ? 3 : 1;
    png_bytep rows[12];
    for (int y = 0; y < 12; y++)
        rows[y] = (png_bytep)(px + y * 16 * ch);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(f);
    put(name, 3, 0x35, buf, len);
    char fold[64];
    snprintf(fold, sizeof fold, "folder-%s", name);
    put(fold, 5, 0x35, buf, len);
    free(buf);
}

static void jpeg_seed(const char *name, int ch, int progressive, const uint8_t *px)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long len = 0;
    jpeg_mem_dest(&c, &out, &len);
    c.image_width = 16;
    c.image_height = 12;
    c.input_components = ch;
    c.in_color_space = ch == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 75, TRUE);
    if (progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < 12) {
        JSAMPROW row = (JSAMPROW)(px + c.next_scanline * 16 * ch);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    put(name, 4, 0x22, out, len);
    char fold[64];
    snprintf(fold, sizeof fold, "folder-%s", name);
    put(fold, 5, 0x23, out, len);
    free(out);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    static uint8_t px[16 * 12 * 3];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)(i * 7 + (i >> 4));
    png_seed("grey.png", PNG_COLOR_TYPE_GRAY, 0, 0, px);
    png_seed("rgb-interlaced.png", PNG_COLOR_TYPE_RGB, 1, 0, px);
    png_seed("palette-trns.png", PNG_COLOR_TYPE_PALETTE, 0, 1, px);
    jpeg_seed("grey.jpg", 1, 0, px);
    jpeg_seed("rgb.jpg", 3, 0, px);
    jpeg_seed("grey-progressive.jpg", 1, 1, px);
    jpeg_seed("rgb-progressive.jpg", 3, 1, px);
    static uint8_t rec[2 * 3074];
    for (size_t i = 0; i < sizeof rec; i++)
        rec[i] = (uint8_t)(i % 7);
    put("cifar10.bin", 0, 0, rec, 2 * 3073);
    put("cifar100.bin", 1, 0, rec, 2 * 3074);
    const char *csv = "label,a,b\r\n1,2,3\r\n\"4\", 5 ,255\n\n0,0,0";
    put("header.csv", 2, 4, csv, strlen(csv));
    const char *const recipes[] = {
        "v1;identity",
        "v1;dtype=int8;scale=0x3f800000;zp=-128;real=x;layout=nhwc",
        "v1;dtype=int8;scale=0x3c008081;zp=-1;real=x*2/255-1;layout=nchw",
        "v1;dtype=uint8;scale=0x3b808081;zp=0;real=x/255;layout=nhwc",
    };
    for (size_t i = 0; i < sizeof recipes / sizeof *recipes; i++) {
        char name[32];
        snprintf(name, sizeof name, "recipe-%zu", i);
        put(name, 6, 0, recipes[i], strlen(recipes[i]));
    }
    return 0;
}
