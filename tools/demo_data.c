/* tools/demo_data.c - IDX reader for the demo trainer (see demo_data.h). */
#include "tools/demo_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gzfile.h"

/* 60,000 images of 784 bytes plus the header, with room to spare */
#define ZD_MAX_FILE ((size_t)64 << 20)

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void zd_set_free(zd_set *set)
{
    free(set->pixels);
    free(set->labels);
    memset(set, 0, sizeof *set);
}

za_status zd_set_load(const char *dir, const char *prefix, zd_set *set, za_error *err)
{
    char ipath[4096], lpath[4096];
    uint8_t *img = NULL, *lab = NULL;
    size_t ni = 0, nl = 0;
    memset(set, 0, sizeof *set);
    snprintf(ipath, sizeof ipath, "%s/%s-images-idx3-ubyte.gz", dir, prefix);
    snprintf(lpath, sizeof lpath, "%s/%s-labels-idx1-ubyte.gz", dir, prefix);
    if (za_read_gzip_file(ipath, ZD_MAX_FILE, &img, &ni, err) != ZA_OK)
        return err->code;
    if (za_read_gzip_file(lpath, ZD_MAX_FILE, &lab, &nl, err) != ZA_OK) {
        free(img);
        return err->code;
    }
    za_status st = ZA_OK;
    if (ni < 16 || be32(img) != 0x803 || be32(img + 8) != ZD_SIDE || be32(img + 12) != ZD_SIDE ||
        ni != 16 + (size_t)be32(img + 4) * ZD_PIXELS) {
        st = za_error_set(err, ZA_ERR_MALFORMED,
                          "%s: not an IDX file of 28x28 images (magic 0x803, size 16 + n*784)",
                          ipath);
    } else if (nl < 8 || be32(lab) != 0x801 || nl != 8 + (size_t)be32(lab + 4) ||
               be32(lab + 4) != be32(img + 4)) {
        st = za_error_set(err, ZA_ERR_MALFORMED,
                          "%s: not an IDX label file (magic 0x801) with %u labels", lpath,
                          be32(img + 4));
    }
    uint32_t n = st == ZA_OK ? be32(img + 4) : 0;
    for (uint32_t i = 0; st == ZA_OK && i < n; i++)
        if (lab[8 + i] >= ZD_CLASSES)
            st = za_error_set(err, ZA_ERR_MALFORMED, "%s: label %u of item %u is above 9", lpath,
                              lab[8 + i], i);
    if (st == ZA_OK) {
        set->pixels = malloc((size_t)n * ZD_PIXELS);
        set->labels = malloc(n ? n : 1);
        if (!set->pixels || !set->labels) {
            zd_set_free(set);
            st = za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", ipath);
        } else {
            memcpy(set->pixels, img + 16, (size_t)n * ZD_PIXELS);
            memcpy(set->labels, lab + 8, n);
            set->n = n;
        }
    }
    free(img);
    free(lab);
    return st;
}
