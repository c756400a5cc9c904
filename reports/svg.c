/* reports/svg.c - see svg.h.  Coordinates are in viewBox units; the page's
 * CSS scales each chart to its column. */
#include "reports/svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "reports/facts.h"

#define COL_REC "#1f6feb"
#define COL_OTHER "#8c959f"
#define COL_INK "#1f2328"
#define COL_MUTED "#656d76"
#define COL_GRID "#d8dee4"

void zr_add_label(zr_strbuf *b, const char *s, unsigned max)
{
    size_t i = 0;
    unsigned chars = 0;
    while (s[i] && chars < max) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80) /* continuation bytes */
            i++;
        chars++;
    }
    char *cut = malloc(i + 1);
    if (!cut) {
        b->failed = 1;
        return;
    }
    memcpy(cut, s, i);
    cut[i] = 0;
    zr_sb_add_html(b, cut);
    free(cut);
    if (s[i])
        zr_sb_add(b, "\xE2\x80\xA6"); /* U+2026 */
}

static void open_svg(zr_strbuf *b, const char *id, double w, double h, const char *title)
{
    zr_sb_addf(b,
               "<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
               "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">\n<title>%s</title>\n",
               id, w, h, title, title);
}

static void too_many(zr_strbuf *b, const char *id, const zp_audit_summary *s)
{
    open_svg(b, id, 600, 40, "chart omitted");
    zr_sb_addf(b, "<text x=\"10\" y=\"25\" fill=\"" COL_MUTED "\">%zu classes: too many to "
                  "draw (over %u); see the table.</text>\n</svg>\n",
               s->n_classes, ZA_MAX_REPORT_CHART_CLASSES);
}

/* ---- interval comparison ---- */

static double tick_step(double span)
{
    static const double steps[] = { 0.005, 0.01, 0.02, 0.05, 0.1, 0.2 };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (span / steps[i] <= 8)
            return steps[i];
    return 0.25;
}

void zr_svg_intervals(zr_strbuf *b, const zp_audit_summary *s)
{
    const double W = 1000, row = 38, top = 40, lab = 200, x0 = 210, x1 = 770;
    double H = top + row * ZP_CI_METHODS + 20;
    double lo = 1, hi = 0;
    for (int m = 0; m < ZP_CI_METHODS; m++)
        if (s->ci_ok[m]) {
            lo = fmin(lo, s->ci[m].lo);
            hi = fmax(hi, s->ci[m].hi);
        }
    if (lo > hi)
        lo = 0, hi = 1;
    double step = tick_step(hi - lo);
    double a = fmax(0, floor(lo / step + 1e-9) * step);
    double z = fmin(1, ceil(hi / step - 1e-9) * step);
    if (z - a < step)
        z = fmin(1, a + step), a = z - step;
#define X(v) (x0 + ((v) - a) / (z - a) * (x1 - x0))
    open_svg(b, "chart-intervals", W, H, "Confidence intervals by method");
    /* grid and ticks */
    for (double k = ceil(a / step - 1e-9); k * step <= z + 1e-9; k++) {
        double v = k * step, x = X(v);
        zr_sb_addf(b,
                   "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" COL_GRID
                   "\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" "
                   "fill=\"" COL_MUTED "\">%.*f%%</text>\n",
                   x, top - 8, x, H - 14, x, top - 14, step < 0.01 ? 1 : 0, 100 * v);
    }
    for (int m = 0; m < ZP_CI_METHODS; m++) {
        const zr_method_info *mi = zr_method((zp_ci_method)m);
        int rec = m == (int)s->recommended;
        double y = top + row * m, cy = y + row / 2;
        zr_sb_addf(b, "<g class=\"interval%s\" data-method=\"%s\">\n", rec ? " recommended" : "",
                   mi->name);
        if (rec)
            zr_sb_addf(b, "<rect x=\"0\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" "
                          "fill=\"#ddf4ff\" rx=\"4\"/>\n",
                       y + 2, W, row - 4);
        zr_sb_addf(b, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"15\" text-anchor=\"end\" "
                      "fill=\"" COL_INK "\"%s>%s%s</text>\n",
                   lab, cy + 5, rec ? " font-weight=\"bold\"" : "", rec ? "\xE2\x98\x85 " : "",
                   mi->title);
        if (s->ci_ok[m]) {
            double l = X(fmax(a, s->ci[m].lo)), h = X(fmin(z, s->ci[m].hi));
            zr_sb_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" rx=\"3\" "
                          "fill=\"%s\"/>\n",
                       l, cy - (rec ? 8 : 6), fmax(h - l, 2), rec ? 16.0 : 12.0,
                       rec ? COL_REC : COL_OTHER);
            if (isfinite(s->accuracy))
                zr_sb_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                              "stroke=\"" COL_INK "\" stroke-width=\"3\"/>\n",
                           X(s->accuracy), cy - 11, X(s->accuracy), cy + 11);
            zr_sb_addf(b, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"14\" fill=\"" COL_INK
                          "\"%s>[%.4f, %.4f]%s</text>\n",
                       x1 + 14, cy + 5, rec ? " font-weight=\"bold\"" : "", s->ci[m].lo,
                       s->ci[m].hi, mi->sides == 1 ? " one-sided" : "");
        } else {
            zr_sb_addf(b, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"14\" fill=\"" COL_MUTED
                          "\">n/a</text>\n",
                       x0, cy + 5);
        }
        zr_sb_add(b, "</g>\n");
    }
    if (isfinite(s->accuracy) && s->accuracy >= a && s->accuracy <= z)
        zr_sb_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" COL_INK
                      "\" stroke-dasharray=\"3 4\" stroke-width=\"1\"/>\n"
                      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" "
                      "fill=\"" COL_INK "\">observed %.2f%%</text>\n",
                   X(s->accuracy), top, X(s->accuracy), H - 14, X(s->accuracy), H - 1,
                   100 * s->accuracy);
#undef X
    zr_sb_add(b, "</svg>\n");
}

/* ---- per-class bars ---- */

void zr_svg_classes(zr_strbuf *b, const zp_audit_summary *s)
{
    size_t C = s->n_classes;
    if (C == 0 || C > ZA_MAX_REPORT_CHART_CLASSES) {
        too_many(b, "chart-classes", s);
        return;
    }
    int rotate = C > 12;
    const double W = 1000, x0 = rotate ? 100 : 60, x1 = 985, yt = 30, yb = 270;
    double H = yb + (rotate ? 120 : 50);
    double slot = (x1 - x0) / (double)C;
#define Y(v) (yb - (v) * (yb - yt))
    open_svg(b, "chart-classes", W, H, "Accuracy by class with confidence intervals");
    for (int k = 0; k <= 5; k++) {
        double v = k / 5.0;
        zr_sb_addf(b, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"" COL_GRID
                      "\"/><text x=\"%.0f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"end\" "
                      "fill=\"" COL_MUTED "\">%.0f%%</text>\n",
                   x0, Y(v), x1, Y(v), x0 - 6, Y(v) + 4, 100 * v);
    }
    for (size_t c = 0; c < C; c++) {
        double cx = x0 + slot * ((double)c + 0.5), bw = slot * 0.62;
        zr_sb_addf(b, "<g class=\"class-bar\" data-class=\"%zu\">\n<title>", c);
        zr_sb_add_html(b, s->label_names[c]);
        if (s->class_n[c]) {
            double acc = (double)s->class_correct[c] / (double)s->class_n[c];
            zr_sb_addf(b, ": %llu of %llu, [%.4f, %.4f]</title>\n",
                       (unsigned long long)s->class_correct[c],
                       (unsigned long long)s->class_n[c], s->class_ci[c].lo, s->class_ci[c].hi);
            zr_sb_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                          "fill=\"#54aeff\"/>\n",
                       cx - bw / 2, Y(acc), bw, yb - Y(acc));
            double lo = Y(s->class_ci[c].lo), hi = Y(s->class_ci[c].hi), cap = bw * 0.3;
            zr_sb_addf(b, "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" "
                          "stroke=\"" COL_INK "\" stroke-width=\"1.6\" fill=\"none\"/>\n",
                       cx, lo, hi, cx - cap, lo, cx + cap, cx - cap, hi, cx + cap);
        } else {
            zr_sb_add(b, ": no samples</title>\n");
            zr_sb_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" "
                          "fill=\"" COL_MUTED "\">none</text>\n",
                       cx, yb - 6);
        }
        if (rotate) {
            zr_sb_addf(b, "<text font-size=\"12\" text-anchor=\"end\" fill=\"" COL_INK
                          "\" transform=\"translate(%.1f %.1f) rotate(-45)\">",
                       cx + 4, yb + 14);
            zr_add_label(b, s->label_names[c], 16);
            zr_sb_add(b, "</text>\n");
        } else {
            zr_sb_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" "
                          "fill=\"" COL_INK "\">",
                       cx, yb + 18);
            zr_add_label(b, s->label_names[c], (unsigned)(slot / 8) + 1);
            zr_sb_addf(b, "</text>\n<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" "
                          "text-anchor=\"middle\" fill=\"" COL_MUTED "\">%llu/%llu</text>\n",
                       cx, yb + 36, (unsigned long long)s->class_correct[c],
                       (unsigned long long)s->class_n[c]);
        }
        zr_sb_add(b, "</g>\n");
    }
    /* the overall accuracy across the plot, its legend above it */
    if (isfinite(s->accuracy))
        zr_sb_addf(b, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#cf222e\" "
                      "stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/><line x1=\"%.0f\" y1=\"12\" "
                      "x2=\"%.0f\" y2=\"12\" stroke=\"#cf222e\" stroke-dasharray=\"6 4\" "
                      "stroke-width=\"1.5\"/><text x=\"%.0f\" y=\"16\" font-size=\"13\" "
                      "text-anchor=\"end\" fill=\"#cf222e\">overall %.2f%%</text>\n",
                   x0, Y(s->accuracy), x1, Y(s->accuracy), x1 - 150, x1 - 122, x1,
                   100 * s->accuracy);
#undef Y
    zr_sb_add(b, "</svg>\n");
}

/* ---- confusion heatmap ---- */

static void shade(zr_strbuf *b, double v, int red)
{
    static const double blue[2][3] = { { 246, 250, 255 }, { 9, 54, 120 } };
    static const double reds[2][3] = { { 255, 246, 242 }, { 165, 15, 21 } };
    const double(*c)[3] = red ? reds : blue;
    v = fmin(1, fmax(0, v));
    zr_sb_addf(b, "rgb(%d,%d,%d)", (int)lround(c[0][0] + (c[1][0] - c[0][0]) * v),
               (int)lround(c[0][1] + (c[1][1] - c[0][1]) * v),
               (int)lround(c[0][2] + (c[1][2] - c[0][2]) * v));
}

void zr_svg_confusion(zr_strbuf *b, const zp_audit_summary *s)
{
    size_t C = s->n_classes;
    if (C == 0 || C > ZA_MAX_REPORT_CHART_CLASSES) {
        too_many(b, "chart-confusion", s);
        return;
    }
    double cs = floor(640.0 / (double)(C + 1));
    cs = cs > 52 ? 52 : cs < 8 ? 8 : cs;
    const double left = 190, top = 70;
    double W = left + cs * (double)(C + 1) + 20, H = top + cs * (double)C + 16;
    int numbers = cs >= 18;
    open_svg(b, "chart-confusion", W, H, "Confusion matrix, row-normalised");
    zr_sb_addf(b, "<text x=\"%.0f\" y=\"16\" font-size=\"13\" fill=\"" COL_MUTED
                  "\">proven prediction \xE2\x86\x92 (last column: no valid proof)</text>\n"
                  "<text x=\"%.0f\" y=\"%.0f\" font-size=\"13\" text-anchor=\"end\" "
                  "fill=\"" COL_MUTED "\">true class \xE2\x86\x93</text>\n",
               left, left - 8, top - 10);
    for (size_t p = 0; p <= C; p++) {
        double x = left + cs * ((double)p + 0.5);
        if (p < C)
            zr_sb_addf(b, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"%d\" text-anchor=\"middle\" "
                          "fill=\"" COL_INK "\">%zu</text>\n",
                       x, top - 8, cs >= 18 ? 13 : 8, p);
        else
            zr_sb_addf(b, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"%d\" text-anchor=\"middle\" "
                          "fill=\"#a40e26\">\xE2\x9C\x97</text>\n",
                       x, top - 8, cs >= 18 ? 15 : 9);
    }
    for (size_t t = 0; t < C; t++) {
        double y = top + cs * (double)t;
        uint64_t sum = 0;
        for (size_t p = 0; p <= C; p++)
            sum += s->confusion[t * (C + 1) + p];
        zr_sb_addf(b, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"end\" "
                      "fill=\"" COL_INK "\">%zu ",
                   left - 8, y + cs / 2 + 4, cs >= 18 ? 13 : 8, t);
        zr_add_label(b, s->label_names[t], 18);
        zr_sb_add(b, "</text>\n");
        for (size_t p = 0; p <= C; p++) {
            uint64_t k = s->confusion[t * (C + 1) + p];
            double v = sum ? (double)k / (double)sum : 0;
            double x = left + cs * (double)p;
            zr_sb_addf(b, "<g class=\"cell\"><title>true %zu, ", t);
            if (p < C)
                zr_sb_addf(b, "predicted %zu", p);
            else
                zr_sb_add(b, "no valid proof");
            zr_sb_addf(b, ": %llu of %llu</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                          "height=\"%.1f\" stroke=\"#ffffff\" fill=\"",
                       (unsigned long long)k, (unsigned long long)sum, x, y, cs, cs);
            shade(b, v, p == C);
            zr_sb_add(b, "\"/>");
            if (numbers && k)
                zr_sb_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" "
                              "text-anchor=\"middle\" fill=\"%s\">%llu</text>",
                           x + cs / 2, y + cs / 2 + 5, cs >= 30 ? 14 : 11,
                           v > 0.45 ? "#ffffff" : COL_INK, (unsigned long long)k);
            zr_sb_add(b, "</g>\n");
        }
    }
    zr_sb_add(b, "</svg>\n");
}
