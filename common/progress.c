/* common/progress.c - a progress bar on stderr, plus clocks (see progress.h).
 *
 * The line is drawn through za_log_status_line() so that log messages from
 * other threads erase and redraw it instead of writing into the middle of it.
 */
#include "common/progress.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

#define BAR_WIDTH 20
#define REDRAW_S 0.1 /* at most 10 redraws a second: drawing is not free */
#define LINE_MAX_BYTES 256

double za_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double za_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void za_format_bytes(uint64_t bytes, char *out, size_t out_len)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (out_len == 0)
        return;
    if (bytes < 1024) {
        snprintf(out, out_len, "%" PRIu64 " B", bytes);
        return;
    }
    double v = (double)bytes / 1024.0;
    size_t u = 0;
    /* 1023.96 would print as "1024.0 KiB"; move up a unit before that. */
    while (v >= 1023.95 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    snprintf(out, out_len, "%.1f %s", v, units[u]);
}

/* "m:ss" or "h:mm:ss"; absurd values (early, noisy rates) print as "?". */
static void format_duration(double s, char *out, size_t out_len)
{
    if (!(s >= 0.0) || s > 100.0 * 3600.0) {
        snprintf(out, out_len, "?");
        return;
    }
    unsigned long t = (unsigned long)(s + 0.5);
    if (t >= 3600)
        snprintf(out, out_len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, out_len, "%lu:%02lu", t / 60, t % 60);
}

/* A count, or a byte size when the unit is "B". */
static void format_amount(const za_progress *p, uint64_t n, char *out, size_t out_len)
{
    if (p->unit != NULL && strcmp(p->unit, "B") == 0)
        za_format_bytes(n, out, out_len);
    else
        snprintf(out, out_len, "%" PRIu64, n);
}

/* Columns of the terminal on stderr; 80 if it cannot be asked. */
static size_t term_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* Append to line[*pos..] without ever overrunning it. */
static void append(char *line, size_t *pos, const char *fmt, ...) ZA_PRINTF(3, 4);
static void append(char *line, size_t *pos, const char *fmt, ...)
{
    if (*pos >= LINE_MAX_BYTES - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + *pos, LINE_MAX_BYTES - *pos, fmt, ap);
    va_end(ap);
    if (n > 0)
        *pos += (size_t)n < LINE_MAX_BYTES - *pos ? (size_t)n : LINE_MAX_BYTES - 1 - *pos;
}

static void draw(za_progress *p, double now, int final)
{
    char line[LINE_MAX_BYTES];
    char a[32], b[32];
    size_t pos = 0;
    double elapsed = now - p->start_s;
    uint64_t done = p->done;

    append(line, &pos, "%s  ", p->label);
    if (p->total > 0) {
        uint64_t shown = done < p->total ? done : p->total;
        double frac = (double)shown / (double)p->total;
        int fill = (int)(frac * BAR_WIDTH);
        char bar[BAR_WIDTH + 1];
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        format_amount(p, done, a, sizeof a);
        format_amount(p, p->total, b, sizeof b);
        /* Pad the count to the width of the total so the line does not
         * jitter as digits are added. */
        int w = (int)strlen(b);
        append(line, &pos, "[%s]  %*s/%s  %3d%%", bar, w, a, b, (int)(frac * 100.0));
    } else {
        format_amount(p, done, a, sizeof a);
        append(line, &pos, "%s", a);
    }
    int is_bytes = p->unit != NULL && strcmp(p->unit, "B") == 0;
    if (p->unit != NULL && !is_bytes)
        append(line, &pos, " %s", p->unit);

    double rate = elapsed > 0.0 ? (double)done / elapsed : 0.0;
    if (elapsed > 0.0) {
        if (is_bytes) {
            /* A tiny elapsed time can give a rate past 2^64; converting
             * that to an integer would be undefined. */
            uint64_t r = rate < 1.8e19 ? (uint64_t)rate : UINT64_MAX;
            za_format_bytes(r, a, sizeof a);
            append(line, &pos, "  %s/s", a);
        } else {
            append(line, &pos, "  %.1f/s", rate);
        }
    }
    if (final) {
        format_duration(elapsed, a, sizeof a);
        append(line, &pos, "  in %s", a);
    } else if (p->total > 0 && done < p->total && rate > 0.0) {
        format_duration((double)(p->total - done) / rate, a, sizeof a);
        append(line, &pos, "  ETA %s", a);
    }

    /* A line that wraps cannot be redrawn with '\r'; cut it to the screen. */
    size_t width = term_width();
    if (width > 1 && pos > width - 1)
        line[width - 1] = '\0';
    za_log_status_line(line, final);
    p->last_draw_s = now;
}

void za_progress_start(za_progress *p, const char *label, uint64_t total,
                       const char *unit)
{
    memset(p, 0, sizeof *p);
    snprintf(p->label, sizeof p->label, "%s", label != NULL ? label : "");
    p->total = total;
    p->unit = unit;
    p->start_s = za_now_s();
    p->active = isatty(STDERR_FILENO) && za_log_threshold() >= ZA_LOG_INFO;
    if (p->active)
        draw(p, p->start_s, 0);
}

void za_progress_update(za_progress *p, uint64_t done)
{
    p->done = done;
    if (!p->active)
        return;
    double now = za_now_s();
    if (now - p->last_draw_s < REDRAW_S)
        return;
    draw(p, now, 0);
}

void za_progress_finish(za_progress *p)
{
    if (!p->active)
        return;
    draw(p, za_now_s(), 1);
    p->active = 0;
}
