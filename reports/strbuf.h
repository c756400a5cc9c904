/* reports/strbuf.h - a growing NUL-terminated string for the renderers.
 *
 * Appends never fail loudly: the first allocation failure (or a size over
 * ZA_MAX_REPORT_BYTES) makes the buffer "failed", later appends do nothing,
 * and zr_sb_take returns NULL.  So a renderer appends freely and checks
 * once at the end.
 *
 * Ownership: the buffer owns its bytes until zr_sb_take hands them to the
 * caller (free() them); zr_sb_free releases them otherwise.  A zeroed
 * zr_strbuf is a valid empty buffer.
 */
#ifndef ZR_STRBUF_H
#define ZR_STRBUF_H

#include <stddef.h>

#include "common/error.h"

typedef struct {
    char *data; /* NUL-terminated while len > 0 or cap > 0 */
    size_t len, cap;
    int failed;
} zr_strbuf;

void zr_sb_add(zr_strbuf *b, const char *s);
void zr_sb_addn(zr_strbuf *b, const char *s, size_t n);
void zr_sb_addf(zr_strbuf *b, const char *fmt, ...) ZA_PRINTF(2, 3);
/* s with & < > " ' as entities: safe in HTML/SVG text and quoted attributes. */
void zr_sb_add_html(zr_strbuf *b, const char *s);
/* s for a Markdown table cell or line: HTML-escaped (Markdown renderers
 * pass raw HTML through) and with | \ ` * _ [ ] backslash-escaped, line
 * breaks as spaces. */
void zr_sb_add_md(zr_strbuf *b, const char *s);

/* The string (caller frees), or NULL if any append failed; the buffer is
 * empty afterwards. */
char *zr_sb_take(zr_strbuf *b);
void zr_sb_free(zr_strbuf *b);

#endif
