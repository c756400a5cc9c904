/* common/gzfile.h - read a whole gzip (or plain) file with zlib.
 *
 * gzread passes uncompressed files through unchanged, so one call reads
 * both "t10k-images-idx3-ubyte.gz" and its decompressed twin.  The result
 * is capped at max_len bytes of output (ZA_ERR_LIMIT beyond), so a small
 * hostile file cannot inflate without bound.
 */
#ifndef ZA_COMMON_GZFILE_H
#define ZA_COMMON_GZFILE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* On success *data is a new malloc'd buffer of *len bytes (caller frees);
 * on failure *data = NULL, *len = 0 and err names the path and the cause. */
za_status za_read_gzip_file(const char *path, size_t max_len, uint8_t **data, size_t *len,
                            za_error *err) ZA_WARN_UNUSED;

#endif
