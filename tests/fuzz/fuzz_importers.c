/* tests/fuzz/fuzz_importers.c - libFuzzer target for the dataset importers
 * and the preparation recipe parser.
 *
 * Byte 0 picks the mode, byte 1 a parameter, the rest is the input:
 *   0 / 1  CIFAR-10 / CIFAR-100 batch (written to a temp file, opened, drained;
 *          an odd param detects the variant from the size instead)
 *   2      CSV (param: label column = param % 4, header = param & 4)
 *   3 / 4  PNG / JPEG decoded from memory, then converted to 1 or 3
 *          channels and resized/cropped to a small target (param)
 *   5      an image folder of one class holding the input as its one file
 *   6      zd_prep_parse of the input as a string
 *
 * Oracle: a failure returns err.code with a non-empty message and leaves
 * no output behind; a decoded image has 1 or 3 channels and sizes within
 * the caps; a source yields at most info.count examples of the announced
 * size; a parsed recipe formats back to exactly the input string and
 * quantizes every byte into its dtype's range.  Anything else aborts.
 * Temp files live in one mkdtemp directory per process, removed at exit.
 *
 * Build: make build/fuzz/fuzz_importers (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/limits.h"
#include "datasets/image_decode.h"
#include "datasets/importers.h"
#include "datasets/prepare.h"
#include "datasets/resize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "invariant violated: %s\n", what);
        abort();
    }
}

static void check_failure(za_status st, const za_error *err)
{
    check(st == err->code, "status equals err.code");
    check(err->msg[0] != '\0', "failure has a message");
}

/* Remove the temp directory (and the few names ever written in it) at exit. */
static void remove_dir(void)
{
    static const char *const names[] = { "batch.bin", "in.csv", "folder/cls/img", "folder/cls",
                                         "folder" };
    char p[128];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        remove(p);
    }
    remove(dir);
}

static const char *write_input(const char *name, const uint8_t *d, size_t n)
{
    static char path[128];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/za_fuzz_imp_XXXXXX");
        check(mkdtemp(dir) != NULL, "mkdtemp");
        atexit(remove_dir);
        char cls[96];
        snprintf(cls, sizeof cls, "%s/folder/cls", dir);
        snprintf(path, sizeof path, "%s/folder", dir);
        mkdir(path, 0700);
        mkdir(cls, 0700);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    check(f != NULL, "temp file");
    if (n)
        fwrite(d, 1, n, f);
    fclose(f);
    return path;
}

static void drain(zd_source *src)
{
    const zd_source_info *in = zd_source_info_of(src);
    size_t want = 1;
    for (unsigned i = 0; i < in->rank; i++)
        want *= in->shape[i];
    for (uint64_t k = 0;; k++) {
        zd_example ex;
        int end = 0;
        za_error err;
        za_status st = zd_source_next(src, &ex, &end, &err);
        if (st != ZA_OK) {
            check_failure(st, &err);
            return;
        }
        if (end)
            return;
        check(!in->count || k < in->count, "at most info.count examples");
        check(ex.len == want, "example of the announced size");
        check(ex.label < in->n_labels, "label in range");
    }
}

static void fuzz_image(const uint8_t *d, size_t n, int jpeg, uint8_t param)
{
    zd_image img;
    za_error err;
    za_status st = jpeg ? zd_image_decode_jpeg(d, n, "in", &img, &err)
                        : zd_image_decode_png(d, n, "in", &img, &err);
    if (st != ZA_OK) {
        check_failure(st, &err);
        check(img.pixels == NULL, "no pixels after a failure");
        return;
    }
    check(img.channels == 1 || img.channels == 3, "1 or 3 channels");
    check(img.width >= 1 && img.height >= 1 && img.width <= ZA_MAX_IMAGE_DIM &&
              img.height <= ZA_MAX_IMAGE_DIM, "size within the caps");
    unsigned c = (param & 1) ? 3 : 1;
    uint32_t W = 1 + (param >> 1) % 8, H = 1 + (param >> 4) % 8;
    size_t np = (size_t)img.width * img.height;
    uint8_t *conv = malloc(np * c), out[8 * 8 * 3];
    check(conv != NULL, "malloc");
    zd_convert_channels(img.pixels, img.channels, conv, c, np);
    zd_resize_crop(conv, img.width, img.height, c, out, W, H);
    free(conv);
    zd_image_free(&img);
}

static void fuzz_prep(const uint8_t *d, size_t n)
{
    char s[ZA_MAX_PREP_STRING + 2];
    if (n > ZA_MAX_PREP_STRING + 1)
        n = ZA_MAX_PREP_STRING + 1;
    memcpy(s, d, n);
    s[n] = '\0';
    zd_prep p;
    za_error err;
    za_status st = zd_prep_parse(s, &p, &err);
    if (st != ZA_OK) {
        check_failure(st, &err);
        return;
    }
    char back[ZD_PREP_STRING_MAX];
    check(zd_prep_format(&p, back, sizeof back, &err) == ZA_OK, "a parsed recipe formats");
    check(strcmp(back, s) == 0, "format(parse(s)) == s");
    if (p.identity)
        return;
    int lo = p.dtype == ZD_PREP_INT8 ? -128 : 0, hi = p.dtype == ZD_PREP_INT8 ? 127 : 255;
    for (int x = 0; x < 256; x++) {
        int q = zd_prep_quantize(&p, (uint8_t)x);
        check(q >= lo && q <= hi, "quantized value in the dtype's range");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t mode = data[0] % 7, param = data[1];
    const uint8_t *d = data + 2;
    size_t n = size - 2;
    zd_source *src = NULL;
    za_error err;
    za_status st;
    switch (mode) {
    case 0:
    case 1:
        /* param & 1 asks for detection by size (variant 0) */
        st = zd_source_open_cifar(write_input("batch.bin", d, n),
                                  (param & 1) ? 0 : mode ? 100 : 10, &src, &err);
        break;
    case 2: {
        zd_csv_opts o = { .label_column = param % 4u, .has_header = (param & 4) != 0 };
        st = zd_source_open_csv(write_input("in.csv", d, n), &o, &src, &err);
        break;
    }
    case 3:
    case 4:
        fuzz_image(d, n, mode == 4, param);
        return 0;
    case 5: {
        write_input("folder/cls/img", d, n);
        char folder[96];
        snprintf(folder, sizeof folder, "%s/folder", dir);
        zd_image_opts o = { 1 + (param >> 4) % 8, 1 + (param >> 1) % 8, (param & 1) ? 3 : 1 };
        st = zd_source_open_image_folder(folder, &o, &src, &err);
        break;
    }
    default:
        fuzz_prep(d, n);
        return 0;
    }
    if (st != ZA_OK) {
        check_failure(st, &err);
        check(src == NULL, "no source after a failed open");
        return 0;
    }
    drain(src);
    zd_source_close(src);
    return 0;
}
