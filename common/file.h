/* common/file.h - whole-file reads and atomic writes.
 *
 * za_write_file_atomic writes to "<path>.tmp.<pid>" in the same directory,
 * fsyncs it, then rename()s it over path, so a reader sees either the old or
 * the new file, never a partial one.  On failure the temporary file is
 * removed and path is untouched.
 */
#ifndef ZA_COMMON_FILE_H
#define ZA_COMMON_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Read the whole file into a new malloc'd buffer (caller frees with free()).
 * Files larger than max_len fail with ZA_ERR_LIMIT; an empty file gives
 * *data == a valid 1-byte allocation and *len == 0.  The buffer is always
 * NUL-terminated ((*data)[*len] == 0) so text formats can be parsed in place.
 * On failure *data is NULL and *len is 0. */
za_status za_read_file(const char *path, size_t max_len, uint8_t **data,
                       size_t *len, za_error *err) ZA_WARN_UNUSED;

/* Replace path with len bytes of data (data may be NULL when len is 0).  Not
 * for two threads of one process writing the same path at once: they would
 * share the temporary name. */
za_status za_write_file_atomic(const char *path, const void *data, size_t len,
                               za_error *err) ZA_WARN_UNUSED;

/* mkdir -p: create dir and its parents (mode 0777 & ~umask); ok if it exists. */
za_status za_mkdir_p(const char *dir, za_error *err) ZA_WARN_UNUSED;

#endif
