/* common/log.h - leveled logging to stderr.
 *
 * Messages go to stderr as "<prog>: <level>: <text>\n" (the "info" level omits
 * the level word).  The program name and threshold are process-wide; set them
 * once at start-up from main().  Thread-safe: one line is written with one
 * fputs call under a lock.
 */
#ifndef ZA_COMMON_LOG_H
#define ZA_COMMON_LOG_H

#include "error.h"

typedef enum {
    ZA_LOG_ERROR = 0,
    ZA_LOG_WARN = 1,
    ZA_LOG_INFO = 2,
    ZA_LOG_DEBUG = 3
} za_log_level;

void za_log_init(const char *prog_name, za_log_level threshold);
za_log_level za_log_threshold(void);
void za_log(za_log_level level, const char *fmt, ...) ZA_PRINTF(2, 3);

#define za_log_error(...) za_log(ZA_LOG_ERROR, __VA_ARGS__)
#define za_log_warn(...) za_log(ZA_LOG_WARN, __VA_ARGS__)
#define za_log_info(...) za_log(ZA_LOG_INFO, __VA_ARGS__)
#define za_log_debug(...) za_log(ZA_LOG_DEBUG, __VA_ARGS__)

/* Log err's message at ERROR level as "<prog>: error: <code name>: <msg>". */
void za_log_report(const za_error *err);

/* For common/progress.c: draw a status line ("\r<line>", erasing the rest of
 * the terminal line) under the log lock.  Until finished != 0 ends it with a
 * newline, each log message first erases the status line and then redraws it
 * below itself, so log output and a progress bar never garble each other. */
void za_log_status_line(const char *line, int finished);

#endif
