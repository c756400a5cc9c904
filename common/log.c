/* common/log.c - leveled logging to stderr (see log.h).
 *
 * One mutex guards stderr for log lines and the progress status line, so
 * worker threads can log while the main thread draws a progress bar.
 */
#include "common/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG_MAX 64
#define STATUS_MAX 512

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_prog[PROG_MAX] = "zkaudit";
/* Atomic so za_log_threshold() (called by every progress update) needs no
 * lock; it is only written at start-up anyway. */
static atomic_int log_level = ZA_LOG_INFO;
/* The progress line currently on screen (status_shown != 0), kept so that a
 * log message can erase it and draw it again below itself. */
static int status_shown;
static char status_text[STATUS_MAX];

void za_log_init(const char *prog_name, za_log_level threshold)
{
    pthread_mutex_lock(&log_lock);
    if (prog_name != NULL && prog_name[0] != '\0') {
        /* main() often passes argv[0]; users want "buyer", not a path. */
        const char *slash = strrchr(prog_name, '/');
        const char *base = (slash != NULL && slash[1] != '\0') ? slash + 1 : prog_name;
        snprintf(log_prog, sizeof log_prog, "%s", base);
    }
    pthread_mutex_unlock(&log_lock);
    atomic_store(&log_level, (int)threshold);
}

za_log_level za_log_threshold(void)
{
    return (za_log_level)atomic_load(&log_level);
}

static const char *level_word(za_log_level level)
{
    switch (level) {
    case ZA_LOG_ERROR: return "error: ";
    case ZA_LOG_WARN: return "warning: ";
    case ZA_LOG_INFO: return "";
    case ZA_LOG_DEBUG: return "debug: ";
    }
    return "";
}

/* Write one finished line (already ending in '\n') under the lock. */
static void emit_line(const char *line)
{
    pthread_mutex_lock(&log_lock);
    if (status_shown)
        fputs("\r\033[K", stderr);
    fputs(line, stderr);
    if (status_shown) {
        fputs("\r", stderr);
        fputs(status_text, stderr);
        fputs("\033[K", stderr);
    }
    pthread_mutex_unlock(&log_lock);
}

/* Format "<prog>: <level word><text>\n" and emit it.  Short lines use a stack
 * buffer; long ones get an exact heap buffer, or are cut if malloc fails. */
static void vlog(za_log_level level, const char *fmt, va_list ap) ZA_PRINTF(2, 0);
static void vlog(za_log_level level, const char *fmt, va_list ap)
{
    char text[1024];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    char *heap = NULL;
    if (n >= (int)sizeof text) {
        heap = malloc((size_t)n + 1);
        if (heap != NULL)
            vsnprintf(heap, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    if (n < 0)
        snprintf(text, sizeof text, "(unformattable message)");

    const char *body = heap != NULL ? heap : text;
    char prog[PROG_MAX];
    pthread_mutex_lock(&log_lock);
    memcpy(prog, log_prog, sizeof prog);
    pthread_mutex_unlock(&log_lock);

    /* Assembled with memcpy: lengths are known, and the OOM fallback below
     * must not depend on formatting succeeding. */
    const char *word = level_word(level);
    size_t lp = strlen(prog), lw = strlen(word), lb = strlen(body);
    size_t len = lp + 2 + lw + lb + 2;
    char small[1200];
    char *line = len <= sizeof small ? small : malloc(len);
    if (line == NULL) {
        line = small; /* out of memory: still say something, cut short */
        lb = sizeof small - (lp + 2 + lw + 2);
    }
    char *w = line;
    memcpy(w, prog, lp);
    w += lp;
    memcpy(w, ": ", 2);
    w += 2;
    memcpy(w, word, lw);
    w += lw;
    memcpy(w, body, lb);
    w += lb;
    memcpy(w, "\n", 2);
    emit_line(line);
    if (line != small)
        free(line);
    free(heap);
}

void za_log(za_log_level level, const char *fmt, ...)
{
    if ((int)level > atomic_load(&log_level))
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog(level, fmt, ap);
    va_end(ap);
}

void za_log_report(const za_error *err)
{
    if (err == NULL)
        return;
    za_log(ZA_LOG_ERROR, "%s: %.*s", za_status_name(err->code),
           (int)ZA_ERROR_MSG_MAX, err->msg);
}

void za_log_status_line(const char *line, int finished)
{
    pthread_mutex_lock(&log_lock);
    fputs("\r", stderr);
    fputs(line, stderr);
    fputs("\033[K", stderr);
    if (finished) {
        fputs("\n", stderr);
        status_shown = 0;
        status_text[0] = '\0';
    } else {
        status_shown = 1;
        snprintf(status_text, sizeof status_text, "%s", line);
    }
    pthread_mutex_unlock(&log_lock);
}
