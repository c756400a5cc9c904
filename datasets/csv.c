/* datasets/csv.c - a CSV file of labelled examples as a zd_source.
 *
 * One example per row: a label column (0-based opts->label_column, a
 * non-negative integer below ZD_MAX_LABELS) and the other fields, in file
 * order, are the example's bytes (integers 0..255).  RFC-4180-ish: fields
 * are separated by commas, a field may be enclosed in double quotes (a
 * doubled quote inside is a literal one, which matters only for header
 * names), lines end in LF or CRLF, and the last line may lack its end.
 * Spaces and tabs around a number are ignored; empty lines are skipped; a
 * UTF-8 byte order mark at the start of the file is dropped.  A quoted
 * field cannot span lines.
 *
 * info.n_labels must be known before the first example, and a CSV has no
 * header that says it, so the file is read twice: the opener makes a first
 * pass that validates every row and finds the row count and the largest
 * label (n_labels = largest + 1), then rewinds; zd_source_next streams the
 * second pass, validating again (the file could change in between; a
 * different row count is caught by zd_source_next against info.count).
 * Memory is O(1) in the number of rows: one line of at most
 * ZA_MAX_CSV_LINE_BYTES, a 64 KiB read buffer and one example.
 *
 * Messages name the path, the physical line (1-based) and the column
 * (0-based, like label_column).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "datasets/importers.h"

#define CSV_READ_CHUNK 65536

typedef struct {
    FILE *f;
    char *path;
    zd_csv_opts opts;
    uint8_t buf[CSV_READ_CHUNK];
    size_t pos, len;
    int eof;
    char *line;              /* ZA_MAX_CSV_LINE_BYTES + 1 */
    size_t line_len;
    unsigned long long line_no;
    unsigned n_fields;       /* of every row (0 until the first row is seen) */
    uint8_t *example;        /* n_fields - 1 bytes */
} csv_state;

/* Next physical line into s->line (its LF and a CR before it removed).
 * *got = 0 at the end of the file. */
static za_status read_line(csv_state *s, int *got, za_error *err)
{
    size_t n = 0;
    int any = 0;
    for (;;) {
        if (s->pos == s->len) {
            if (s->eof)
                break;
            s->len = fread(s->buf, 1, sizeof s->buf, s->f);
            s->pos = 0;
            if (s->len < sizeof s->buf) {
                if (ferror(s->f))
                    return za_error_set(err, ZA_ERR_IO, "%s: line %llu: read error: %s",
                                        s->path, s->line_no + 1, strerror(errno));
                s->eof = 1;
            }
            if (s->len == 0)
                break;
        }
        any = 1;
        const uint8_t *start = s->buf + s->pos;
        const uint8_t *nl = memchr(start, '\n', s->len - s->pos);
        size_t take = nl ? (size_t)(nl - start) : s->len - s->pos;
        if (n + take > ZA_MAX_CSV_LINE_BYTES)
            return za_error_set(err, ZA_ERR_LIMIT, "%s: line %llu is longer than %zu bytes",
                                s->path, s->line_no + 1, ZA_MAX_CSV_LINE_BYTES);
        memcpy(s->line + n, start, take);
        n += take;
        s->pos += take;
        if (nl) {
            s->pos++; /* the LF */
            break;
        }
    }
    if (!any) {
        *got = 0;
        return ZA_OK;
    }
    s->line_no++;
    if (n && s->line[n - 1] == '\r')
        n--;
    /* a UTF-8 byte order mark (spreadsheets write one) is not part of line 1 */
    if (s->line_no == 1 && n >= 3 && memcmp(s->line, "\xef\xbb\xbf", 3) == 0) {
        memmove(s->line, s->line + 3, n - 3);
        n -= 3;
    }
    if (memchr(s->line, '\0', n))
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: line %llu: NUL byte", s->path,
                            s->line_no);
    s->line[n] = '\0';
    s->line_len = n;
    *got = 1;
    return ZA_OK;
}

/* Next non-empty line; *got = 0 at the end. */
static za_status read_row(csv_state *s, int *got, za_error *err)
{
    za_status st;
    do {
        if ((st = read_line(s, got, err)) != ZA_OK)
            return st;
    } while (*got && s->line_len == 0);
    return ZA_OK;
}

/* Split the field at *pos of the current line: [*f, *f + *flen) is its
 * content (quotes removed).  Leaves *pos after the separating comma; *last
 * says whether this was the line's last field. */
static za_status split_field(csv_state *s, unsigned col, size_t *pos, const char **f,
                             size_t *flen, int *quoted, int *last, za_error *err)
{
    const char *l = s->line;
    size_t i = *pos, n = s->line_len;
    *quoted = i < n && l[i] == '"';
    if (*quoted) {
        size_t j = i + 1;
        for (;;) {
            if (j >= n)
                return za_error_set(err, ZA_ERR_MALFORMED,
                                    "%s: line %llu, column %u: unterminated quote", s->path,
                                    s->line_no, col);
            if (l[j] == '"') {
                if (j + 1 < n && l[j + 1] == '"') {
                    j += 2;
                    continue;
                }
                break;
            }
            j++;
        }
        *f = l + i + 1;
        *flen = j - i - 1;
        i = j + 1;
        if (i < n && l[i] != ',')
            return za_error_set(err, ZA_ERR_MALFORMED,
                                "%s: line %llu, column %u: text after a closing quote", s->path,
                                s->line_no, col);
    } else {
        const char *c = memchr(l + i, ',', n - i);
        size_t j = c ? (size_t)(c - l) : n;
        *f = l + i;
        *flen = j - i;
        i = j;
    }
    *last = i >= n;
    *pos = *last ? n : i + 1;
    return ZA_OK;
}

/* A decimal integer 0..max, spaces/tabs around it allowed. */
static int parse_uint_field(const char *f, size_t len, uint32_t max, uint32_t *v)
{
    while (len && (*f == ' ' || *f == '\t')) {
        f++;
        len--;
    }
    while (len && (f[len - 1] == ' ' || f[len - 1] == '\t'))
        len--;
    if (!len)
        return 0;
    uint64_t x = 0;
    for (size_t i = 0; i < len; i++) {
        if (f[i] < '0' || f[i] > '9')
            return 0;
        x = x * 10 + (uint64_t)(f[i] - '0');
        if (x > max)
            return 0;
    }
    *v = (uint32_t)x;
    return 1;
}

/* Count the fields of the current line (a header or the first row). */
static za_status count_fields(csv_state *s, unsigned *count, za_error *err)
{
    size_t pos = 0;
    unsigned col = 0;
    int last = 0;
    while (!last) {
        const char *f;
        size_t flen;
        int quoted;
        za_status st = split_field(s, col, &pos, &f, &flen, &quoted, &last, err);
        if (st != ZA_OK)
            return st;
        col++;
    }
    *count = col;
    return ZA_OK;
}

/* Parse the current line as a data row into *label and s->example. */
static za_status parse_row(csv_state *s, uint32_t *label, za_error *err)
{
    size_t pos = 0;
    unsigned col = 0, k = 0;
    int last = 0;
    while (!last) {
        const char *f;
        size_t flen;
        int quoted;
        za_status st = split_field(s, col, &pos, &f, &flen, &quoted, &last, err);
        if (st != ZA_OK)
            return st;
        if (col < s->n_fields) { /* beyond it only counted, for the message */
            int is_label = col == s->opts.label_column;
            uint32_t v;
            if (!parse_uint_field(f, flen, is_label ? ZD_MAX_LABELS - 1 : 255, &v)) {
                if (!is_label && parse_uint_field(f, flen, UINT32_MAX, &v))
                    return za_error_set(err, ZA_ERR_MALFORMED,
                                        "%s: line %llu, column %u: value %u outside 0..255",
                                        s->path, s->line_no, col, v);
                return za_error_set(err, ZA_ERR_MALFORMED,
                                    "%s: line %llu, column %u: \"%.*s\" is not %s", s->path,
                                    s->line_no, col, (int)(flen > 40 ? 40 : flen), f,
                                    is_label ? "a label 0..65535" : "an integer 0..255");
            }
            if (is_label)
                *label = v;
            else
                s->example[k++] = (uint8_t)v;
        }
        col++;
    }
    if (col != s->n_fields)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "%s: line %llu: %u fields, but the first line has %u (ragged row)",
                            s->path, s->line_no, col, s->n_fields);
    return ZA_OK;
}

static za_status csv_next(void *vs, zd_example *ex, int *end, za_error *err)
{
    csv_state *s = vs;
    int got;
    za_status st = read_row(s, &got, err);
    if (st != ZA_OK)
        return st;
    if (!got) {
        *end = 1;
        return ZA_OK;
    }
    uint32_t label = 0;
    if ((st = parse_row(s, &label, err)) != ZA_OK)
        return st;
    ex->label = label;
    ex->data = s->example;
    ex->len = s->n_fields - 1;
    *end = 0;
    return ZA_OK;
}

static void csv_close(void *vs)
{
    csv_state *s = vs;
    if (!s)
        return;
    if (s->f)
        fclose(s->f);
    free(s->path);
    free(s->line);
    free(s->example);
    free(s);
}

static const zd_source_ops csv_ops = { csv_next, csv_close };

/* Rewind to the start; read the header (if any) or peek the first row to
 * fix the field count on the first call.  After it the next read_row is
 * the first data row. */
static za_status csv_start(csv_state *s, int first, za_error *err)
{
    if (fseek(s->f, 0, SEEK_SET) != 0)
        return za_error_set(err, ZA_ERR_IO, "%s: rewind: %s", s->path, strerror(errno));
    s->pos = s->len = 0;
    s->eof = 0;
    s->line_no = 0;
    if (!s->opts.has_header && !first)
        return ZA_OK;
    int got;
    za_status st = read_row(s, &got, err);
    if (st != ZA_OK)
        return st;
    if (!got)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: empty file (no %s)", s->path,
                            s->opts.has_header ? "header" : "rows");
    if (first) {
        unsigned n;
        if ((st = count_fields(s, &n, err)) != ZA_OK)
            return st;
        if (n < 2)
            return za_error_set(err, ZA_ERR_MALFORMED,
                                "%s: line %llu: %u field; a row needs a label and at least "
                                "one value", s->path, s->line_no, n);
        if (s->opts.label_column >= n)
            return za_error_set(err, ZA_ERR_ARG, "%s: label column %u, but line %llu has %u "
                                "fields (columns 0..%u)", s->path, s->opts.label_column,
                                s->line_no, n, n - 1);
        s->n_fields = n;
    }
    if (!s->opts.has_header) { /* the peeked line was data: read it again */
        if (fseek(s->f, 0, SEEK_SET) != 0)
            return za_error_set(err, ZA_ERR_IO, "%s: rewind: %s", s->path, strerror(errno));
        s->pos = s->len = 0;
        s->eof = 0;
        s->line_no = 0;
    }
    return ZA_OK;
}

za_status zd_source_open_csv(const char *path, const zd_csv_opts *opts, zd_source **out,
                             za_error *err)
{
    *out = NULL;
    zd_source *src = calloc(1, sizeof *src);
    csv_state *s = calloc(1, sizeof *s);
    if (!src || !s || !(s->path = strdup(path)) ||
        !(s->line = malloc(ZA_MAX_CSV_LINE_BYTES + 1))) {
        free(src);
        csv_close(s);
        return za_error_set(err, ZA_ERR_NOMEM, "csv: %s: out of memory", path);
    }
    src->ops = &csv_ops;
    src->state = s;
    s->opts = *opts;
    za_status st;
    if (!(s->f = fopen(path, "rb"))) {
        st = za_error_set(err, ZA_ERR_IO, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if ((st = csv_start(s, 1, err)) != ZA_OK)
        goto fail;
    if (!(s->example = malloc(s->n_fields - 1))) {
        st = za_error_set(err, ZA_ERR_NOMEM, "csv: %s: out of memory", path);
        goto fail;
    }
    /* first pass: validate every row, count them, find the largest label */
    uint64_t rows = 0;
    uint32_t max_label = 0;
    for (;;) {
        int got;
        if ((st = read_row(s, &got, err)) != ZA_OK)
            goto fail;
        if (!got)
            break;
        uint32_t label = 0;
        if ((st = parse_row(s, &label, err)) != ZA_OK)
            goto fail;
        if (label > max_label)
            max_label = label;
        rows++;
    }
    if (rows == 0) {
        st = za_error_set(err, ZA_ERR_MALFORMED, "%s: no data rows", path);
        goto fail;
    }
    if ((st = csv_start(s, 0, err)) != ZA_OK)
        goto fail;
    snprintf(src->info.format, sizeof src->info.format, "csv");
    src->info.count = rows;
    src->info.rank = 1;
    src->info.shape[0] = s->n_fields - 1;
    snprintf(src->info.dtype, sizeof src->info.dtype, "uint8");
    src->info.n_labels = max_label + 1;
    *out = src;
    return ZA_OK;
fail:
    zd_source_close(src);
    return st;
}
