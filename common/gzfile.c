/* common/gzfile.c - see gzfile.h. */
#include "common/gzfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

za_status za_read_gzip_file(const char *path, size_t max_len, uint8_t **data, size_t *len,
                            za_error *err)
{
    *data = NULL;
    *len = 0;
    gzFile f = gzopen(path, "rb");
    if (!f)
        return za_error_set(err, ZA_ERR_IO, "%s: cannot open: %s", path,
                            errno ? strerror(errno) : "out of memory");
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    za_status st = ZA_OK;
    if (!buf)
        st = za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", path);
    while (st == ZA_OK) {
        if (n == cap) {
            if (cap >= max_len) {
                st = za_error_set(err, ZA_ERR_LIMIT, "%s: more than %zu bytes once decompressed",
                                  path, max_len);
                break;
            }
            size_t ncap = cap * 2 < max_len ? cap * 2 : max_len;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                st = za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t want = cap - n > (1u << 30) ? (1u << 30) : cap - n;
        int r = gzread(f, buf + n, (unsigned)want);
        if (r < 0) {
            int zerr;
            const char *msg = gzerror(f, &zerr);
            st = za_error_set(err, ZA_ERR_MALFORMED, "%s: corrupt gzip data: %s", path, msg);
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    gzclose(f);
    if (st != ZA_OK) {
        free(buf);
        return st;
    }
    *data = buf;
    *len = n;
    return ZA_OK;
}
