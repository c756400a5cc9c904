/* common/error.h - status codes and error reports.
 *
 * Every fallible function in zkaudit returns a za_status (0 = ZA_OK) and, on
 * failure, fills a caller-owned za_error with a message that names the file,
 * the offset or field, and what was expected.  Codes are never renumbered.
 */
#ifndef ZA_COMMON_ERROR_H
#define ZA_COMMON_ERROR_H

#include <stddef.h>

typedef enum {
    ZA_OK = 0,
    ZA_ERR_NOMEM = 1,       /* an allocation failed */
    ZA_ERR_IO = 2,          /* open/read/write/rename failed (errno text in msg) */
    ZA_ERR_MALFORMED = 3,   /* input bytes do not follow their format */
    ZA_ERR_UNSUPPORTED = 4, /* well-formed but outside what zkaudit handles */
    ZA_ERR_ARG = 5,         /* bad command-line or API argument */
    ZA_ERR_LIMIT = 6,       /* a size cap of common/limits.h was exceeded */
    ZA_ERR_MISMATCH = 7     /* a check (hash, shape, count) did not agree */
} za_status;

#define ZA_ERROR_MSG_MAX 512

typedef struct {
    za_status code;
    char msg[ZA_ERROR_MSG_MAX];
} za_error;

#if defined(__GNUC__)
#define ZA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ZA_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define ZA_PRINTF(f, a)
#define ZA_WARN_UNUSED
#endif

/* Clear an error report (code ZA_OK, empty message). err may be NULL. */
void za_error_clear(za_error *err);

/* Record code and a printf-style message in err (if not NULL) and return code,
 * so that callers can write `return za_error_set(err, ZA_ERR_IO, ...)`.
 * A message longer than ZA_ERROR_MSG_MAX-1 is truncated, never overflowed. */
za_status za_error_set(za_error *err, za_status code, const char *fmt, ...)
    ZA_PRINTF(3, 4);

/* Prepend "prefix: " to an existing message (e.g. the file name), keeping the
 * code.  Returns err->code.  err may be NULL (then returns ZA_OK). */
za_status za_error_prefix(za_error *err, const char *fmt, ...) ZA_PRINTF(2, 3);

/* Short stable name of a code: "ok", "out of memory", "i/o error",
 * "malformed input", "unsupported", "bad argument", "limit exceeded",
 * "mismatch". Unknown codes give "unknown error". */
const char *za_status_name(za_status code);

#endif
