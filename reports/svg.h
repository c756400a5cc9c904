/* reports/svg.h - (internal) the HTML report's inline SVG charts.  Each
 * appends one <svg> element with a stable id to b; every string from the
 * dataset (label names) is HTML-escaped, and labels drawn in a chart are
 * cut to ZA_MAX_REPORT_LABEL_CHARS characters (the tables show them whole).
 * Charts of more than ZA_MAX_REPORT_CHART_CLASSES classes become a short
 * note (same id) pointing to the tables.
 *
 *   chart-intervals  every method's interval as a horizontal bar on a common
 *                    axis, the point estimate marked, the recommended method
 *                    highlighted;
 *   chart-classes    per-class accuracy bars with interval whiskers and the
 *                    overall accuracy as a dashed line;
 *   chart-confusion  heatmap of the confusion matrix, cell colour by the
 *                    row-normalised count, counts in the cells, the "no valid
 *                    proof" column in red.
 */
#ifndef ZR_SVG_H
#define ZR_SVG_H

#include "protocol/audit_summary.h"
#include "reports/strbuf.h"

void zr_svg_intervals(zr_strbuf *b, const zp_audit_summary *s);
void zr_svg_classes(zr_strbuf *b, const zp_audit_summary *s);
void zr_svg_confusion(zr_strbuf *b, const zp_audit_summary *s);

/* label cut to max UTF-8 characters (an ellipsis added when cut), escaped */
void zr_add_label(zr_strbuf *b, const char *s, unsigned max);

#endif
