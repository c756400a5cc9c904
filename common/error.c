/* common/error.c - status codes and error reports (see error.h).
 *
 * Messages live in the caller's fixed buffer, so every write here is bounded
 * by ZA_ERROR_MSG_MAX and an over-long message is cut, marked with "...", and
 * never overflows.
 */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Mark a message cut at the end of buf (size ZA_ERROR_MSG_MAX, full) with
 * "...", first backing off any partial UTF-8 sequence so that the message a
 * user sees stays valid text (paths are often UTF-8). */
static void mark_truncated(char *buf)
{
    size_t end = ZA_ERROR_MSG_MAX - 4; /* room for "..." and the NUL */
    /* Continuation bytes are 10xxxxxx; drop them and their lead byte. */
    while (end > 0 && ((unsigned char)buf[end] & 0xC0) == 0x80)
        end--;
    memcpy(buf + end, "...", 4);
}

/* vsnprintf into a ZA_ERROR_MSG_MAX buffer, marking truncation. */
static void format_msg(char *buf, const char *fmt, va_list ap) ZA_PRINTF(2, 0);
static void format_msg(char *buf, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf, ZA_ERROR_MSG_MAX, fmt, ap);
    if (n < 0) {
        /* Only an encoding error gets here; keep the report usable. */
        snprintf(buf, ZA_ERROR_MSG_MAX, "(unformattable message)");
    } else if ((size_t)n >= ZA_ERROR_MSG_MAX) {
        mark_truncated(buf);
    }
}

void za_error_clear(za_error *err)
{
    if (err == NULL)
        return;
    err->code = ZA_OK;
    err->msg[0] = '\0';
}

za_status za_error_set(za_error *err, za_status code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    format_msg(err->msg, fmt, ap);
    va_end(ap);
    return code;
}

za_status za_error_prefix(za_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return ZA_OK;

    char prefix[ZA_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    format_msg(prefix, fmt, ap);
    va_end(ap);

    /* Build in a scratch buffer: the old message is an input. */
    char out[ZA_ERROR_MSG_MAX];
    size_t plen = strlen(prefix);
    size_t mlen = strnlen(err->msg, ZA_ERROR_MSG_MAX - 1);
    size_t need = mlen == 0 ? plen : plen + 2 + mlen;
    if (need < ZA_ERROR_MSG_MAX) {
        memcpy(out, prefix, plen);
        if (mlen > 0) {
            memcpy(out + plen, ": ", 2);
            memcpy(out + plen + 2, err->msg, mlen);
        }
        out[need] = '\0';
    } else {
        /* Keep as much as fits; the prefix (which file) comes first, so it
         * survives and the tail of the old message is what gets cut. */
        size_t pos = 0;
        size_t take = plen < ZA_ERROR_MSG_MAX - 1 ? plen : ZA_ERROR_MSG_MAX - 1;
        memcpy(out, prefix, take);
        pos = take;
        if (mlen > 0 && pos + 2 < ZA_ERROR_MSG_MAX - 1) {
            memcpy(out + pos, ": ", 2);
            pos += 2;
            size_t room = ZA_ERROR_MSG_MAX - 1 - pos;
            take = mlen < room ? mlen : room;
            memcpy(out + pos, err->msg, take);
            pos += take;
        }
        out[pos] = '\0';
        mark_truncated(out);
    }
    memcpy(err->msg, out, ZA_ERROR_MSG_MAX);
    return err->code;
}

const char *za_status_name(za_status code)
{
    switch (code) {
    case ZA_OK: return "ok";
    case ZA_ERR_NOMEM: return "out of memory";
    case ZA_ERR_IO: return "i/o error";
    case ZA_ERR_MALFORMED: return "malformed input";
    case ZA_ERR_UNSUPPORTED: return "unsupported";
    case ZA_ERR_ARG: return "bad argument";
    case ZA_ERR_LIMIT: return "limit exceeded";
    case ZA_ERR_MISMATCH: return "mismatch";
    }
    return "unknown error";
}
