/* reports/report_md.c - report.md: the report as Markdown text
 * (layout in docs/report.md).  Dataset and seller strings go through
 * zr_sb_add_md. */
#include "reports/report.h"

#include <stdio.h>

#include "reports/facts.h"
#include "reports/strbuf.h"

static void interval_cell(zr_strbuf *b, zp_interval iv, int ok)
{
    if (ok)
        zr_sb_addf(b, "[%.4f, %.4f]", iv.lo, iv.hi);
    else
        zr_sb_add(b, "n/a");
}

static void heading(zr_strbuf *b, const zr_report *r, const zr_facts *f)
{
    const zp_audit_summary *s = r->summary;
    zr_sb_add(b, "# zkaudit accuracy audit\n\n");
    zr_sb_add(b, "Dataset **");
    zr_sb_add_md(b, r->request->dataset_name);
    zr_sb_addf(b, "** (committed test set of N = %llu items), model `%s`.  \n",
               (unsigned long long)s->N, f->model_id);
    zr_sb_addf(b, "Request `%s`", r->request_id ? f->request_id : "(not given)");
    if (f->bundle_path[0]) {
        zr_sb_add(b, ", bundle ");
        zr_sb_add_md(b, f->bundle_path);
    }
    if (f->generated_at[0]) {
        zr_sb_add(b, ", generated ");
        zr_sb_add_md(b, f->generated_at);
    }
    zr_sb_add(b, ".\n\n");
    const zr_data_mode_info *dm = zr_data_mode(r->data_mode);
    zr_sb_addf(b, "## Data\n\n**Data mode: %s** (`%s`). %s  \nLabels: %s", dm->title, dm->name,
               dm->description, dm->labels_source);
    if (r->labels_file) {
        zr_sb_add(b, " (");
        zr_sb_add_md(b, r->labels_file);
        if (r->labels_sha256)
            zr_sb_addf(b, ", SHA-256 `%s`", r->labels_sha256);
        zr_sb_add(b, ")");
    }
    zr_sb_add(b, ".\n\n");
}

static void accuracy(zr_strbuf *b, const zr_report *r, const zr_facts *f)
{
    const zp_audit_summary *s = r->summary;
    char why[512];
    zr_why_text(r, why, sizeof why);
    zr_sb_add(b, "## Accuracy\n\n");
    if (s->n)
        zr_sb_addf(b, "**%.2f%%**: %llu of %llu samples correct (%.4f).", 100 * s->accuracy,
                   (unsigned long long)s->correct, (unsigned long long)s->n, s->accuracy);
    else
        zr_sb_add(b, "**n/a**: no samples.");
    zr_sb_addf(b, " %s confidence interval (%s, recommended): **", f->confidence_pct,
               zr_method(s->recommended)->name);
    interval_cell(b, s->ci[s->recommended], s->ci_ok[s->recommended]);
    zr_sb_addf(b, "**.\n\n%s\n\n%s\n\n", why, zr_invalid_rule);
}

static void intervals(zr_strbuf *b, const zr_report *r, const zr_facts *f)
{
    const zp_audit_summary *s = r->summary;
    zr_sb_addf(b, "## Intervals (%s confidence)\n\n", f->confidence_pct);
    zr_sb_addf(b, "| method | interval | sides | exact | claim | samples for \xC2\xB1%.4g |\n",
               s->margin);
    zr_sb_add(b, "|---|---|---|---|---|---|\n");
    for (int m = 0; m < ZP_CI_METHODS; m++) {
        const zr_method_info *mi = zr_method((zp_ci_method)m);
        int rec = m == (int)s->recommended;
        zr_sb_addf(b, "| %s%s%s%s | ", rec ? "**" : "", mi->name, rec ? "**" : "",
                   rec ? " (recommended)" : "");
        interval_cell(b, s->ci[m], s->ci_ok[m]);
        zr_sb_addf(b, " | %d | %s | %s | ", mi->sides, mi->exact ? "yes" : "no", mi->claim);
        if (s->planned[m])
            zr_sb_addf(b, "%llu |\n", (unsigned long long)s->planned[m]);
        else
            zr_sb_add(b, "n/a |\n");
    }
    zr_sb_add(b, "\n");
}

static void proofs(zr_strbuf *b, const zr_report *r)
{
    const zp_audit_result *res = r->result;
    const zp_audit_summary *s = r->summary;
    zr_sb_add(b, "## Proofs\n\n| checked | valid | invalid | missing | correct | "
                 "wrong prediction |\n|---|---|---|---|---|---|\n");
    zr_sb_addf(b, "| %llu | %llu | %llu | %llu | %llu | %llu |\n\n",
               (unsigned long long)res->n, (unsigned long long)res->valid,
               (unsigned long long)res->invalid, (unsigned long long)res->missing,
               (unsigned long long)s->correct, (unsigned long long)s->wrong);
    if (res->bundle_problem[0]) {
        zr_sb_add(b, "The whole bundle was refused: ");
        zr_sb_add_md(b, res->bundle_problem);
        zr_sb_add(b, "\n\n");
    }
    if (res->invalid + res->missing == 0) {
        zr_sb_add(b, "Every proof verified.\n\n");
        return;
    }
    zr_sb_add(b, "### Rejected samples (counted as wrong)\n\n"
                 "| position | dataset index | status | reason |\n|---|---|---|---|\n");
    for (uint64_t i = 0; i < res->n; i++) {
        const zp_sample_result *sr = &res->samples[i];
        if (sr->status == ZP_SAMPLE_VALID)
            continue;
        zr_sb_addf(b, "| %llu | %llu | %s | ", (unsigned long long)i,
                   (unsigned long long)r->request->indices[i], zp_sample_status_name(sr->status));
        zr_sb_add_md(b, sr->reason);
        zr_sb_add(b, " |\n");
    }
    zr_sb_add(b, "\n");
}

static void classes(zr_strbuf *b, const zr_report *r, const zr_facts *f)
{
    const zp_audit_summary *s = r->summary;
    zr_sb_addf(b, "## Per-class accuracy\n\n| class | label | test items | samples | correct | "
                  "accuracy | %s CI (%s) |\n|---|---|---|---|---|---|---|\n",
               f->confidence_pct, zr_class_ci_method);
    for (size_t c = 0; c < s->n_classes; c++) {
        zr_sb_addf(b, "| %zu | ", c);
        zr_sb_add_md(b, s->label_names[c]);
        zr_sb_addf(b, " | %llu | %llu | %llu | ", (unsigned long long)s->test_counts[c],
                   (unsigned long long)s->class_n[c], (unsigned long long)s->class_correct[c]);
        if (s->class_n[c])
            zr_sb_addf(b, "%.4f | ", (double)s->class_correct[c] / (double)s->class_n[c]);
        else
            zr_sb_add(b, "n/a | ");
        interval_cell(b, s->class_ci[c], s->class_n[c] > 0);
        zr_sb_add(b, " |\n");
    }
    zr_sb_add(b, "\n");
    if (s->stratified_ok)
        zr_sb_addf(b, "Stratified estimate: %.4f [%.4f, %.4f]. %s\n\n", s->stratified,
                   s->stratified_ci.lo, s->stratified_ci.hi, zr_stratified_note);
}

static void confusion(zr_strbuf *b, const zr_report *r)
{
    const zp_audit_summary *s = r->summary;
    size_t C = s->n_classes;
    zr_sb_add(b, "## Confusion matrix\n\nRows: true class; columns: proven prediction "
                 "(class number as in the table above); last column: no valid proof.\n\n"
                 "| true \\\\ predicted |");
    for (size_t p = 0; p < C; p++)
        zr_sb_addf(b, " %zu |", p);
    zr_sb_add(b, " no valid proof |\n|---|");
    for (size_t p = 0; p <= C; p++)
        zr_sb_add(b, "---|");
    zr_sb_add(b, "\n");
    for (size_t t = 0; t < C; t++) {
        zr_sb_addf(b, "| %zu ", t);
        zr_sb_add_md(b, s->label_names[t]);
        zr_sb_add(b, " |");
        for (size_t p = 0; p <= C; p++) {
            uint64_t k = s->confusion[t * (C + 1) + p];
            if (p == t)
                zr_sb_addf(b, " **%llu** |", (unsigned long long)k);
            else
                zr_sb_addf(b, " %llu |", (unsigned long long)k);
        }
        zr_sb_add(b, "\n");
    }
    zr_sb_add(b, "\n");
}

static void sequential(zr_strbuf *b, const zr_report *r, const zr_facts *f)
{
    char text[512];
    zr_sequential_text(r, f, text, sizeof text);
    zr_sb_addf(b, "## Sequential rule\n\n%s\n\n", text);
}

static void cost_row(zr_strbuf *b, const char *what, uint64_t n, uint64_t hoeff,
                     const zp_cost *c)
{
    zr_sb_addf(b, "| %s | ", what);
    if (!n) {
        zr_sb_add(b, "n/a | | | |\n");
        return;
    }
    zr_sb_addf(b, "%llu | ", (unsigned long long)n);
    if (hoeff)
        zr_sb_addf(b, "%llu", (unsigned long long)hoeff);
    char usd[32];
    zr_fmt_usd(c->total_usd, usd, sizeof usd);
    zr_sb_addf(b, " | %s | %s |\n", usd, c->how);
}

static void cost(zr_strbuf *b, const zr_report *r, const zr_facts *f)
{
    const zp_audit_summary *s = r->summary;
    char text[640];
    zr_cost_text(r, text, sizeof text);
    char tot[32], pro[32], ver[32];
    zr_fmt_usd(s->cost.total_usd, tot, sizeof tot);
    zr_fmt_usd(s->cost.prover_usd, pro, sizeof pro);
    zr_fmt_usd(s->cost.verify_usd, ver, sizeof ver);
    zr_sb_addf(b, "## Cost\n\n**%s USD** for this audit (prover %s + verification %s).\n\n"
                  "%s\n\nHow: `%s`\n\n",
               tot, pro, ver, text, s->cost.how);
    zr_sb_addf(b, "Projections at %s confidence (hypergeometric plan, N = %llu; the seed "
                  "paper's one-sided Hoeffding bound for comparison):\n\n"
                  "| audit | samples | Hoeffding samples | cost (USD) | how |\n"
                  "|---|---|---|---|---|\n",
               f->confidence_pct, (unsigned long long)s->N);
    cost_row(b, "this audit", s->n, 0, &s->cost);
    cost_row(b, "\xC2\xB1" "5%", s->plan_5, f->hoeffding_5, &s->cost_plan_5);
    cost_row(b, "\xC2\xB1" "1%", s->plan_1, f->hoeffding_1, &s->cost_plan_1);
    zr_sb_add(b, "\n");
}

static void planning(zr_strbuf *b, const zr_report *r, const zr_facts *f)
{
    const zp_audit_summary *s = r->summary;
    zr_sb_addf(b, "## Samples needed for \xC2\xB1%.4g at %s confidence\n\n| method | samples |\n"
                  "|---|---|\n",
               s->margin, f->confidence_pct);
    for (int m = 0; m < ZP_CI_METHODS; m++) {
        zr_sb_addf(b, "| %s%s | ", zr_method((zp_ci_method)m)->name,
                   m == (int)s->recommended ? " (recommended)" : "");
        if (s->planned[m])
            zr_sb_addf(b, "%llu |\n", (unsigned long long)s->planned[m]);
        else
            zr_sb_add(b, "n/a |\n");
    }
    if (f->saving)
        zr_sb_addf(b, "\nThe recommended method needs %llu fewer samples (%.1f%%) than the "
                      "seed paper's one-sided Hoeffding bound (%llu).\n",
                   (unsigned long long)f->saving, 100 * f->saving_fraction,
                   (unsigned long long)s->planned[ZP_CI_HOEFFDING_ONE]);
    zr_sb_add(b, "\n");
}

static void field(zr_strbuf *b, const char *name, const char *value, int code)
{
    zr_sb_addf(b, "| %s | %s", name, code ? "`" : "");
    if (code)
        zr_sb_add(b, value); /* hex or canonical text: no Markdown specials but _ */
    else
        zr_sb_add_md(b, value);
    zr_sb_addf(b, "%s |\n", code ? "`" : "");
}

static void transcript(zr_strbuf *b, const zr_report *r, const zr_facts *f)
{
    const zp_request *rq = r->request;
    char num[32];
    zr_sb_add(b, "## Transcript\n\nAnyone can recompute the sample from these values "
                 "(`buyer sample check`).\n\n| field | value |\n|---|---|\n");
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
    zr_sb_add(b, "\n");
}

char *zr_render_markdown(const zr_report *r)
{
    zr_facts f;
    zr_facts_init(r, &f);
    zr_strbuf b = { 0 };
    heading(&b, r, &f);
    accuracy(&b, r, &f);
    intervals(&b, r, &f);
    proofs(&b, r);
    classes(&b, r, &f);
    confusion(&b, r);
    sequential(&b, r, &f);
    cost(&b, r, &f);
    planning(&b, r, &f);
    transcript(&b, r, &f);
    const zr_model_mode_info *mm = zr_model_mode(r->model_private);
    zr_sb_addf(&b, "## Security\n\n**Model mode: %s** (`%s`). %s\n\n%s\n", mm->title, mm->name,
               mm->description,
               mm->zero_knowledge ? "The proofs are sound and zero-knowledge." : zr_soundness_note);
    return zr_sb_take(&b);
}
