/* reports/report_html.c - report.html: one self-contained page (inline CSS
 * and SVG, no scripts, nothing fetched), layout in docs/report.md.  Every
 * string from the dataset, the seller or the command line is escaped with
 * zr_sb_add_html.  Stable ids for tests and links: accuracy, intervals,
 * interval-table, chart-intervals, proofs, rejected, classes, chart-classes,
 * confusion, chart-confusion, sequential, cost, planning, transcript,
 * security. */
#include "reports/report.h"

#include <stdio.h>

#include "reports/facts.h"
#include "reports/strbuf.h"
#include "reports/svg.h"
#include "protocol/stats_seq.h"

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "color:#1f2328;background:#f6f8fa;margin:0}"
    "main{max-width:1080px;margin:0 auto;padding:24px 28px 48px}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:0 0 12px}"
    "section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:18px 22px;"
    "margin:18px 0}"
    ".sub{color:#656d76;font-size:14px;word-break:break-all}"
    ".hero{display:grid;grid-template-columns:minmax(0,1.25fr) minmax(0,1fr);gap:16px}"
    ".stats{display:grid;grid-template-columns:1fr 1fr;gap:12px}"
    ".big{font-size:64px;font-weight:700;line-height:1;color:#0969da}"
    ".card{border:1px solid #d0d7de;border-radius:8px;padding:10px 16px;"
    "background:#fff}"
    ".card .k{color:#656d76;font-size:13px;text-transform:uppercase;letter-spacing:.04em}"
    ".card .v{font-size:24px;font-weight:600;margin-top:2px}"
    ".bad .v{color:#cf222e}.good .v{color:#1a7f37}"
    "table{border-collapse:collapse;width:100%;font-size:14px;margin:8px 0}"
    "th,td{border-bottom:1px solid #d8dee4;padding:5px 8px;text-align:left;vertical-align:top}"
    "th{background:#f6f8fa}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
    "tr.recommended td{background:#ddf4ff;font-weight:600}"
    "code,.mono{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12.5px;"
    "word-break:break-all}"
    ".note{color:#57606a;font-size:14px}"
    "svg.chart{width:100%;height:auto;display:block;margin:6px 0 10px}"
    "#chart-confusion{max-width:860px}.scroll{overflow-x:auto}"
    ".warn{border-left:4px solid #bf8700;padding:6px 12px;background:#fff8c5}"
    ".status-invalid{color:#cf222e;font-weight:600}.status-missing{color:#9a6700;"
    "font-weight:600}";

static void interval_text(zr_strbuf *b, zp_interval iv, int ok)
{
    if (ok)
        zr_sb_addf(b, "[%.4f, %.4f]", iv.lo, iv.hi);
    else
        zr_sb_add(b, "n/a");
}

static void card(zr_strbuf *b, const char *cls, const char *id, const char *k,
                 unsigned long long v)
{
    zr_sb_addf(b, "<div class=\"card %s\" id=\"%s\"><div class=\"k\">%s</div><div class=\"v\">",
               cls, id, k);
    zr_sb_addf(b, "%llu", v);
    zr_sb_add(b, "</div></div>\n");
}

static void sequential_card(zr_strbuf *b, const zr_report *r)
{
    const zp_audit_summary *s = r->summary;
    zr_sb_add(b, "<div class=\"card\" id=\"sequential-card\"><div class=\"k\">sequential rule"
                 "</div><div class=\"v\">");
    if (s->stop == ZP_STOP_SPRT)
        zr_sb_addf(b, "SPRT: %s", zp_sprt_decision_name(s->sprt));
    else if (s->stop == ZP_STOP_CONFSEQ && s->stopped_at)
        zr_sb_addf(b, "stop at %llu", (unsigned long long)s->stopped_at);
    else if (s->stop == ZP_STOP_CONFSEQ)
        zr_sb_add(b, "no early stop");
    else
        zr_sb_add(b, "fixed n");
    zr_sb_addf(b, "</div><div class=\"note\">CS [%.4f, %.4f]</div></div>\n", s->cs_final.lo,
               s->cs_final.hi);
}

static void summary(zr_strbuf *b, const zr_report *r, const zr_facts *f)
{
    const zp_audit_summary *s = r->summary;
    const zp_audit_result *res = r->result;
    char why[512], usd[32];
    zr_why_text(r, why, sizeof why);
    zr_sb_add(b, "<section id=\"summary\"><div class=\"hero\">\n<div class=\"card\">"
                 "<div class=\"k\">accuracy</div>");
    if (s->n)
        zr_sb_addf(b, "<div class=\"big\" id=\"accuracy\">%.2f%%</div>", 100 * s->accuracy);
    else
        zr_sb_add(b, "<div class=\"big\" id=\"accuracy\">n/a</div>");
    zr_sb_addf(b, "<div id=\"accuracy-count\" style=\"font-size:18px;margin-top:8px\">"
                  "<b>%llu</b> of <b>%llu</b> samples correct</div>",
               (unsigned long long)s->correct, (unsigned long long)s->n);
    zr_sb_addf(b, "<div id=\"recommended\" style=\"font-size:18px;margin-top:6px\">%s "
                  "interval (%s): <b>",
               f->confidence_pct, zr_method(s->recommended)->name);
    interval_text(b, s->ci[s->recommended], s->ci_ok[s->recommended]);
    zr_sb_add(b, "</b></div><div class=\"note\" style=\"margin-top:8px\">");
    zr_sb_add_html(b, why);
    zr_sb_add(b, "</div></div>\n<div class=\"stats\">\n");
    card(b, "", "checked", "samples checked", (unsigned long long)res->n);
    card(b, "good", "valid", "valid", (unsigned long long)res->valid);
    card(b, res->invalid ? "bad" : "", "invalid", "invalid", (unsigned long long)res->invalid);
    card(b, res->missing ? "bad" : "", "missing", "missing", (unsigned long long)res->missing);
    zr_fmt_usd(s->cost.total_usd, usd, sizeof usd);
    zr_sb_addf(b, "<div class=\"card\" id=\"cost-card\"><div class=\"k\">cost</div><div "
                  "class=\"v\">%s <small>USD</small></div><div class=\"note\">%.4g prover CPU-s "
                  "per sample</div></div>\n",
               usd, s->prover_cpu_s_per_sample);
    sequential_card(b, r);
    zr_sb_addf(b, "</div></div><p class=\"note\">%s</p></section>\n", zr_invalid_rule);
}

static void intervals(zr_strbuf *b, const zr_report *r, const zr_facts *f)
{
    const zp_audit_summary *s = r->summary;
    zr_sb_addf(b, "<section id=\"intervals\"><h2>Confidence intervals (%s)</h2>\n",
               f->confidence_pct);
    zr_svg_intervals(b, s);
    zr_sb_addf(b, "<p class=\"note\">Bars: each method's interval; black tick: the observed "
                  "accuracy; &#9733; the recommended method. One-sided bounds run to 100%%.</p>\n"
                  "<table id=\"interval-table\"><tr><th>method</th><th class=\"num\">lower</th>"
                  "<th class=\"num\">upper</th><th>sides</th><th>exact</th><th>claim</th>"
                  "<th class=\"num\">samples for &plusmn;%.4g</th></tr>\n",
               s->margin);
    for (int m = 0; m < ZP_CI_METHODS; m++) {
        const zr_method_info *mi = zr_method((zp_ci_method)m);
        int rec = m == (int)s->recommended;
        zr_sb_addf(b, "<tr class=\"interval-row%s\" data-method=\"%s\"><td>%s%s</td>",
                   rec ? " recommended" : "", mi->name, mi->name,
                   rec ? " &#9733; recommended" : "");
        if (s->ci_ok[m])
            zr_sb_addf(b, "<td class=\"num\">%.4f</td><td class=\"num\">%.4f</td>", s->ci[m].lo,
                       s->ci[m].hi);
        else
            zr_sb_add(b, "<td class=\"num\">n/a</td><td class=\"num\">n/a</td>");
        zr_sb_addf(b, "<td>%d</td><td>%s</td><td>", mi->sides, mi->exact ? "yes" : "no");
        zr_sb_add_html(b, mi->claim);
        zr_sb_add(b, "</td><td class=\"num\">");
        if (s->planned[m])
            zr_sb_addf(b, "%llu", (unsigned long long)s->planned[m]);
        else
            zr_sb_add(b, "n/a");
        zr_sb_add(b, "</td></tr>\n");
    }
    zr_sb_add(b, "</table></section>\n");
}

static void proofs(zr_strbuf *b, const zr_report *r)
{
    const zp_audit_result *res = r->result;
    const zp_audit_summary *s = r->summary;
    zr_sb_addf(b, "<section id=\"proofs\"><h2>Proofs</h2>\n<table id=\"proof-counts\"><tr>"
                  "<th class=\"num\">checked</th><th class=\"num\">valid</th><th class=\"num\">"
                  "invalid</th><th class=\"num\">missing</th><th class=\"num\">correct</th>"
                  "<th class=\"num\">wrong prediction</th></tr><tr><td class=\"num\">%llu</td>"
                  "<td class=\"num\">%llu</td><td class=\"num\">%llu</td><td class=\"num\">%llu"
                  "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td></tr></table>\n",
               (unsigned long long)res->n, (unsigned long long)res->valid,
               (unsigned long long)res->invalid, (unsigned long long)res->missing,
               (unsigned long long)s->correct, (unsigned long long)s->wrong);
    if (res->bundle_problem[0]) {
        zr_sb_add(b, "<p class=\"warn\" id=\"bundle-problem\">The whole bundle was refused: ");
        zr_sb_add_html(b, res->bundle_problem);
        zr_sb_add(b, "</p>\n");
    }
    if (res->invalid + res->missing == 0) {
        zr_sb_add(b, "<p id=\"rejected\" class=\"note\">Every proof verified.</p></section>\n");
        return;
    }
    zr_sb_addf(b, "<p class=\"warn\">%llu sample(s) without a valid proof, counted as wrong:"
                  "</p>\n<table id=\"rejected\"><tr><th class=\"num\">position</th>"
                  "<th class=\"num\">dataset index</th><th>status</th><th>reason</th></tr>\n",
               (unsigned long long)(res->invalid + res->missing));
    for (uint64_t i = 0; i < res->n; i++) {
        const zp_sample_result *sr = &res->samples[i];
        if (sr->status == ZP_SAMPLE_VALID)
            continue;
        const char *st = zp_sample_status_name(sr->status);
        zr_sb_addf(b, "<tr class=\"rejected-row\"><td class=\"num\">%llu</td><td class=\"num\">"
                      "%llu</td><td class=\"status-%s\">%s</td><td>",
                   (unsigned long long)i, (unsigned long long)r->request->indices[i], st, st);
        zr_sb_add_html(b, sr->reason);
        zr_sb_add(b, "</td></tr>\n");
    }
    zr_sb_add(b, "</table></section>\n");
}

static void classes(zr_strbuf *b, const zr_report *r, const zr_facts *f)
{
    const zp_audit_summary *s = r->summary;
    zr_sb_add(b, "<section id=\"classes\"><h2>Accuracy by class</h2>\n");
    zr_svg_classes(b, s);
    zr_sb_addf(b, "<p class=\"note\">Bars: accuracy per true class; whiskers: %s %s interval; "
                  "dashed: overall accuracy.</p>\n<table id=\"class-table\"><tr><th class=\"num\">"
                  "class</th><th>label</th><th class=\"num\">test items</th><th class=\"num\">"
                  "samples</th><th class=\"num\">correct</th><th class=\"num\">accuracy</th>"
                  "<th class=\"num\">interval</th></tr>\n",
               f->confidence_pct, zr_class_ci_method);
    for (size_t c = 0; c < s->n_classes; c++) {
        zr_sb_addf(b, "<tr><td class=\"num\">%zu</td><td>", c);
        zr_sb_add_html(b, s->label_names[c]);
        zr_sb_addf(b, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
                      "<td class=\"num\">%llu</td><td class=\"num\">",
                   (unsigned long long)s->test_counts[c], (unsigned long long)s->class_n[c],
                   (unsigned long long)s->class_correct[c]);
        if (s->class_n[c])
            zr_sb_addf(b, "%.4f", (double)s->class_correct[c] / (double)s->class_n[c]);
        else
            zr_sb_add(b, "n/a");
        zr_sb_add(b, "</td><td class=\"num\">");
        interval_text(b, s->class_ci[c], s->class_n[c] > 0);
        zr_sb_add(b, "</td></tr>\n");
    }
    zr_sb_add(b, "</table>\n");
    if (s->stratified_ok)
        zr_sb_addf(b, "<p id=\"stratified\">Stratified estimate: <b>%.4f</b> [%.4f, %.4f]. "
                      "<span class=\"note\">%s</span></p>\n",
                   s->stratified, s->stratified_ci.lo, s->stratified_ci.hi, zr_stratified_note);
    zr_sb_add(b, "</section>\n");
}

static void confusion(zr_strbuf *b, const zr_report *r)
{
    const zp_audit_summary *s = r->summary;
    size_t C = s->n_classes;
    zr_sb_add(b, "<section id=\"confusion\"><h2>Confusion matrix</h2>\n");
    zr_svg_confusion(b, s);
    zr_sb_add(b, "<p class=\"note\">Rows: true class; columns: proven prediction; last "
                 "column (&#10007;): no valid proof. Colour: share of the row.</p>\n"
                 "<div class=\"scroll\"><table id=\"confusion-table\"><tr><th>true \\ "
                 "predicted</th>");
    for (size_t p = 0; p < C; p++)
        zr_sb_addf(b, "<th class=\"num\">%zu</th>", p);
    zr_sb_add(b, "<th class=\"num\">no valid proof</th></tr>\n");
    for (size_t t = 0; t < C; t++) {
        zr_sb_addf(b, "<tr><td>%zu ", t);
        zr_sb_add_html(b, s->label_names[t]);
        zr_sb_add(b, "</td>");
        for (size_t p = 0; p <= C; p++)
            zr_sb_addf(b, "<td class=\"num\">%s%llu%s</td>", p == t ? "<b>" : "",
                       (unsigned long long)s->confusion[t * (C + 1) + p], p == t ? "</b>" : "");
        zr_sb_add(b, "</tr>\n");
    }
    zr_sb_add(b, "</table></div></section>\n");
}

static void cost_row(zr_strbuf *b, const char *what, uint64_t n, uint64_t hoeff,
                     const zp_cost *c)
{
    zr_sb_addf(b, "<tr><td>%s</td>", what);
    if (!n) {
        zr_sb_add(b, "<td class=\"num\">n/a</td><td></td><td></td><td></td></tr>\n");
        return;
    }
    zr_sb_addf(b, "<td class=\"num\">%llu</td><td class=\"num\">", (unsigned long long)n);
    if (hoeff)
        zr_sb_addf(b, "%llu", (unsigned long long)hoeff);
    char usd[32];
    zr_fmt_usd(c->total_usd, usd, sizeof usd);
    zr_sb_addf(b, "</td><td class=\"num\">%s</td><td><code>", usd);
    zr_sb_add_html(b, c->how);
    zr_sb_add(b, "</code></td></tr>\n");
}

static void cost_and_plans(zr_strbuf *b, const zr_report *r, const zr_facts *f)
{
    const zp_audit_summary *s = r->summary;
    char text[640], seq[512];
    zr_sequential_text(r, f, seq, sizeof seq);
    zr_sb_add(b, "<section id=\"sequential\"><h2>Sequential rule</h2><p>");
    zr_sb_add_html(b, seq);
    zr_sb_add(b, "</p></section>\n");
    zr_cost_text(r, text, sizeof text);
    char tot[32], pro[32], ver[32];
    zr_fmt_usd(s->cost.total_usd, tot, sizeof tot);
    zr_fmt_usd(s->cost.prover_usd, pro, sizeof pro);
    zr_fmt_usd(s->cost.verify_usd, ver, sizeof ver);
    zr_sb_addf(b, "<section id=\"cost\"><h2>Cost</h2>\n<p><b>%s USD</b> for this audit "
                  "(prover %s + verification %s).</p><p class=\"note\">",
               tot, pro, ver);
    zr_sb_add_html(b, text);
    zr_sb_add(b, "</p><p>How: <code>");
    zr_sb_add_html(b, s->cost.how);
    zr_sb_add(b, "</code></p>\n");
    zr_sb_addf(b, "<table id=\"projections\"><tr><th>audit at %s</th><th class=\"num\">"
                  "samples (hypergeometric, N = %llu)</th><th class=\"num\">seed paper "
                  "(Hoeffding)</th><th class=\"num\">cost (USD)</th><th>how</th></tr>\n",
               f->confidence_pct, (unsigned long long)s->N);
    cost_row(b, "this audit", s->n, 0, &s->cost);
    cost_row(b, "&plusmn;5%", s->plan_5, f->hoeffding_5, &s->cost_plan_5);
    cost_row(b, "&plusmn;1%", s->plan_1, f->hoeffding_1, &s->cost_plan_1);
    zr_sb_add(b, "</table></section>\n");

    zr_sb_addf(b, "<section id=\"planning\"><h2>Samples needed for &plusmn;%.4g at %s</h2>\n"
                  "<table><tr><th>method</th><th class=\"num\">samples</th></tr>\n",
               s->margin, f->confidence_pct);
    for (int m = 0; m < ZP_CI_METHODS; m++) {
        int rec = m == (int)s->recommended;
        zr_sb_addf(b, "<tr%s><td>%s%s</td><td class=\"num\">", rec ? " class=\"recommended\"" : "",
                   zr_method((zp_ci_method)m)->name, rec ? " &#9733;" : "");
        if (s->planned[m])
            zr_sb_addf(b, "%llu", (unsigned long long)s->planned[m]);
        else
            zr_sb_add(b, "n/a");
        zr_sb_add(b, "</td></tr>\n");
    }
    zr_sb_add(b, "</table>\n");
    if (f->saving)
        zr_sb_addf(b, "<p id=\"saving\">The recommended method needs <b>%llu fewer samples "
                      "(%.1f%%)</b> than the seed paper's one-sided Hoeffding bound (%llu).</p>\n",
                   (unsigned long long)f->saving, 100 * f->saving_fraction,
                   (unsigned long long)s->planned[ZP_CI_HOEFFDING_ONE]);
    zr_sb_add(b, "</section>\n");
}

static void field(zr_strbuf *b, const char *name, const char *value, int mono)
{
    zr_sb_addf(b, "<tr><th>%s</th><td%s>", name, mono ? " class=\"mono\"" : "");
    zr_sb_add_html(b, value);
    zr_sb_add(b, "</td></tr>\n");
}

static void transcript(zr_strbuf *b, const zr_report *r, const zr_facts *f)
{
    const zp_request *rq = r->request;
    char num[32];
    zr_sb_add(b, "<section id=\"transcript\"><h2>Transcript</h2><p class=\"note\">Anyone can "
                 "recompute the sample from these values (<code>buyer sample check</code>).</p>"
                 "\n<table>\n");
    field(b, "dataset name", rq->dataset_name, 0);
    field(b, "dataset root", f->dataset_root, 1);
    snprintf(num, sizeof num, "%llu", (unsigned long long)rq->transcript.dataset_count);
    field(b, "dataset count", num, 0);
    field(b, "model id", f->model_id, 1);
    field(b, "audit parameters", rq->params_text, 1);
    field(b, "parameters hash", f->params_hash, 1);
    field(b, "buyer seed commitment", f->buyer_commitment, 1);
    field(b, "buyer seed", f->buyer_seed, 1);
    if (rq->transcript.use_beacon)
        field(b, "beacon hash", f->beacon_hash, 1);
    else
        field(b, "seller seed", f->seller_seed, 1);
    field(b, "sample seed", f->sample_seed, 1);
    snprintf(num, sizeof num, "%llu", (unsigned long long)rq->n);
    field(b, "samples", num, 0);
    field(b, "indices hash", f->indices_hash, 1);
    field(b, "request id", r->request_id ? f->request_id : "(not given)", 1);
    if (f->bundle_path[0])
        field(b, "bundle", f->bundle_path, 1);
    zr_sb_add(b, "</table></section>\n");
}

char *zr_render_html(const zr_report *r)
{
    zr_facts f;
    zr_facts_init(r, &f);
    zr_strbuf b = { 0 };
    zr_sb_add(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<title>zkaudit report: ");
    zr_sb_add_html(&b, r->request->dataset_name);
    zr_sb_addf(&b, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<header>"
                   "<h1>Accuracy audit: ",
               css);
    zr_sb_add_html(&b, r->request->dataset_name);
    zr_sb_addf(&b, "</h1><div class=\"sub\">committed test set of N = %llu items &middot; model "
                   "<span class=\"mono\">%s</span>",
               (unsigned long long)r->summary->N, f.model_id);
    if (f.generated_at[0]) {
        zr_sb_add(&b, " &middot; generated ");
        zr_sb_add_html(&b, f.generated_at);
    }
    zr_sb_add(&b, "</div></header>\n");
    const zr_data_mode_info *dm = zr_data_mode(r->data_mode);
    zr_sb_addf(&b, "<section id=\"data\"><h2>Data</h2><p><b>Data mode: %s</b> "
                   "(<code>%s</code>). %s</p><p>Labels: %s", dm->title, dm->name,
               dm->description, dm->labels_source);
    if (r->labels_file) {
        zr_sb_add(&b, " (<span class=\"mono\">");
        zr_sb_add_html(&b, r->labels_file);
        zr_sb_add(&b, "</span>");
        if (r->labels_sha256) {
            zr_sb_add(&b, ", SHA-256 <span class=\"mono\">");
            zr_sb_add_html(&b, r->labels_sha256);
            zr_sb_add(&b, "</span>");
        }
        zr_sb_add(&b, ")");
    }
    zr_sb_add(&b, ".</p></section>\n");
    summary(&b, r, &f);
    intervals(&b, r, &f);
    proofs(&b, r);
    classes(&b, r, &f);
    confusion(&b, r);
    cost_and_plans(&b, r, &f);
    transcript(&b, r, &f);
    const zr_model_mode_info *mm = zr_model_mode(r->model_private);
    zr_sb_addf(&b, "<section id=\"security\"><h2>Security</h2><p><b>Model mode: %s</b> "
                   "(<code>%s</code>). %s</p><p>", mm->title, mm->name, mm->description);
    zr_sb_add_html(&b, mm->zero_knowledge ? "The proofs are sound and zero-knowledge."
                                          : zr_soundness_note);
    zr_sb_addf(&b, "</p></section>\n<footer class=\"note\">%s report, generated by "
                   "zkaudit.</footer>\n</main>\n</body>\n</html>\n",
               ZR_SCHEMA);
    return zr_sb_take(&b);
}
