/* common/progress.h - a progress bar for long work.
 *
 * Drawn on stderr only when stderr is a terminal (isatty) and the log
 * threshold is at least INFO; otherwise every call is a cheap no-op, so
 * callers never need to test for a terminal themselves.  Redraws at most
 * ~10 times a second.  Shows label, done/total, percent, rate and ETA:
 *   "proving  [#########.........]  45/100  45%  3.1/s  ETA 0:18"
 * The caller owns the struct (no allocation).  Not thread-safe: update it
 * from one thread (e.g. the one collecting results).
 */
#ifndef ZA_COMMON_PROGRESS_H
#define ZA_COMMON_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char label[32];
    uint64_t total;      /* 0 = unknown total: show count and rate only */
    uint64_t done;
    double start_s;      /* monotonic seconds at za_progress_start */
    double last_draw_s;
    int active;          /* 1 if drawing to a terminal */
    const char *unit;    /* e.g. "B" for bytes (then sizes print as KiB/MiB), or NULL */
} za_progress;

void za_progress_start(za_progress *p, const char *label, uint64_t total,
                       const char *unit);
void za_progress_update(za_progress *p, uint64_t done);
/* Final redraw and newline (if active). */
void za_progress_finish(za_progress *p);

/* Human-readable byte count: "512 B", "1.5 KiB", "3.0 MiB", ... (binary
 * units).  Writes at most out_len bytes including the NUL. */
void za_format_bytes(uint64_t bytes, char *out, size_t out_len);

/* Monotonic clock in seconds (CLOCK_MONOTONIC). */
double za_now_s(void);
/* CPU time of the whole process in seconds (CLOCK_PROCESS_CPUTIME_ID). */
double za_cpu_s(void);

#endif
