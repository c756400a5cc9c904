/* reports/strbuf.c - see strbuf.h. */
#include "reports/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"

static int reserve(zr_strbuf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (extra > ZA_MAX_REPORT_BYTES - b->len) {
        b->failed = 1;
        return 0;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->failed = 1;
        return 0;
    }
    b->data = d;
    b->cap = cap;
    d[b->len] = 0; /* NUL-terminated from the first allocation on */
    return 1;
}

void zr_sb_addn(zr_strbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void zr_sb_add(zr_strbuf *b, const char *s)
{
    zr_sb_addn(b, s, strlen(s));
}

void zr_sb_addf(zr_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (!reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void zr_sb_add_html(zr_strbuf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': zr_sb_add(b, "&amp;"); break;
        case '<': zr_sb_add(b, "&lt;"); break;
        case '>': zr_sb_add(b, "&gt;"); break;
        case '"': zr_sb_add(b, "&quot;"); break;
        case '\'': zr_sb_add(b, "&#39;"); break;
        default: zr_sb_addn(b, p, 1);
        }
    }
}

void zr_sb_add_md(zr_strbuf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': zr_sb_add(b, "&amp;"); break;
        case '<': zr_sb_add(b, "&lt;"); break;
        case '>': zr_sb_add(b, "&gt;"); break;
        case '\n': case '\r': case '\t': zr_sb_add(b, " "); break;
        case '|': case '\\': case '`': case '*': case '_': case '[': case ']':
            zr_sb_addn(b, "\\", 1);
            zr_sb_addn(b, p, 1);
            break;
        default: zr_sb_addn(b, p, 1);
        }
    }
}

char *zr_sb_take(zr_strbuf *b)
{
    if (!b->failed && !b->data)
        reserve(b, 0);
    if (b->failed) {
        zr_sb_free(b);
        return NULL;
    }
    char *d = b->data;
    memset(b, 0, sizeof *b);
    return d;
}

void zr_sb_free(zr_strbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}
