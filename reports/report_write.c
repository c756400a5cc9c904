/* reports/report_write.c - zr_write_report_dir (see report.h). */
#include "reports/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"

typedef char *(*renderer)(const zr_report *);

static const struct {
    const char *name, *file;
    renderer render;
} formats_known[] = {
    { "json", "report.json", zr_render_json },
    { "md", "report.md", zr_render_markdown },
    { "html", "report.html", zr_render_html },
};
#define N_FORMATS (sizeof formats_known / sizeof formats_known[0])

/* Parse "json,md,html" into want[]; ZA_ERR_ARG names the bad item. */
static za_status parse_formats(const char *formats, int want[N_FORMATS], za_error *err)
{
    memset(want, 0, N_FORMATS * sizeof want[0]);
    int any = 0;
    const char *p = formats ? formats : "";
    while (*p) {
        size_t n = strcspn(p, ",");
        size_t k = 0;
        while (k < N_FORMATS &&
               !(strlen(formats_known[k].name) == n && !strncmp(p, formats_known[k].name, n)))
            k++;
        if (k == N_FORMATS)
            return za_error_set(err, ZA_ERR_ARG,
                                "report: unknown format \"%.*s\" (expected json, md or html, "
                                "comma-separated)",
                                (int)(n > 40 ? 40 : n), p);
        want[k] = any = 1;
        p += n;
        if (*p == ',')
            p++;
    }
    if (!any)
        return za_error_set(err, ZA_ERR_ARG, "report: no format given (expected json, md, html)");
    return ZA_OK;
}

za_status zr_write_report_dir(const zr_report *r, const char *formats, const char *dir,
                              za_error *err)
{
    int want[N_FORMATS];
    za_status st = parse_formats(formats, want, err);
    if (st != ZA_OK)
        return st;
    if ((st = za_mkdir_p(dir, err)) != ZA_OK)
        return st;
    for (size_t k = 0; k < N_FORMATS; k++) {
        if (!want[k])
            continue;
        char *text = formats_known[k].render(r);
        if (!text)
            return za_error_set(err, ZA_ERR_NOMEM, "report: out of memory rendering %s",
                                formats_known[k].file);
        size_t plen = strlen(dir) + strlen(formats_known[k].file) + 2;
        char *path = malloc(plen);
        if (!path) {
            free(text);
            return za_error_set(err, ZA_ERR_NOMEM, "report: out of memory");
        }
        snprintf(path, plen, "%s/%s", dir, formats_known[k].file);
        st = za_write_file_atomic(path, text, strlen(text), err);
        free(path);
        free(text);
        if (st != ZA_OK)
            return st;
    }
    return ZA_OK;
}
