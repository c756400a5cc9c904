/* reports/report_json.c - report.json (schema zkaudit-report/v1, every
 * field described in docs/report.md), built with jansson. */
#include "reports/report.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/facts.h"

/* json_null for NaN/inf: JSON has no such numbers (e.g. accuracy of 0 samples) */
static json_t *jnum(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static json_t *jint(uint64_t x)
{
    return json_integer((json_int_t)x);
}

/* 0 means "not applicable" for planned sample counts */
static json_t *jint_or_null(uint64_t x)
{
    return x ? jint(x) : json_null();
}

/* A string; bytes that are not valid UTF-8 (label names come from datasets)
 * become '?' rather than failing the whole report. */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t n = strlen(s);
    char *c = malloc(n + 1);
    if (!c)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        c[i] = (unsigned char)s[i] >= 0x80 ? '?' : s[i];
    j = json_string(c);
    free(c);
    return j;
}

/* json_object_set_new, tolerating a NULL object or value (out of memory is
 * detected once, at the end, by json_dumps failing or a missing member) */
static void set(json_t *o, const char *k, json_t *v)
{
    if (o && v)
        json_object_set_new(o, k, v);
    else
        json_decref(v);
}

/* a top-level member, counted so that a member lost to a failed allocation
 * fails the render */
static void top(json_t *root, size_t *members, const char *k, json_t *v)
{
    (*members)++;
    set(root, k, v);
}

static void push(json_t *a, json_t *v)
{
    if (a && v)
        json_array_append_new(a, v);
    else
        json_decref(v);
}

static json_t *jinterval(zp_interval iv, int ok)
{
    json_t *o = json_object();
    set(o, "lo", ok ? jnum(iv.lo) : json_null());
    set(o, "hi", ok ? jnum(iv.hi) : json_null());
    return o;
}

static json_t *transcript(const zr_report *r, const zr_facts *f)
{
    const zp_request *rq = r->request;
    int beacon = rq->transcript.use_beacon;
    json_t *o = json_object();
    set(o, "dataset_name", jstr(rq->dataset_name));
    set(o, "dataset_root", json_string(f->dataset_root));
    set(o, "dataset_count", jint(rq->transcript.dataset_count));
    set(o, "model_id", json_string(f->model_id));
    set(o, "audit_parameters", jstr(rq->params_text));
    set(o, "params_hash", json_string(f->params_hash));
    set(o, "buyer_seed_commitment", json_string(f->buyer_commitment));
    set(o, "buyer_seed", json_string(f->buyer_seed));
    set(o, "seed_source", json_string(f->seed_source));
    set(o, "seller_seed", beacon ? json_null() : json_string(f->seller_seed));
    set(o, "beacon_hash", beacon ? json_string(f->beacon_hash) : json_null());
    set(o, "sample_seed", json_string(f->sample_seed));
    set(o, "indices_hash", json_string(f->indices_hash));
    set(o, "samples", jint(rq->n));
    set(o, "request_id", r->request_id ? json_string(f->request_id) : json_null());
    json_t *idx = json_array();
    for (uint64_t i = 0; i < rq->n; i++)
        push(idx, jint(rq->indices[i]));
    set(o, "indices", idx);
    return o;
}

static json_t *parameters(const zr_report *r, const zr_facts *f)
{
    const zp_audit_params *p = &r->request->params;
    int sprt = p->stop == ZP_STOP_SPRT;
    json_t *o = json_object();
    set(o, "confidence", jnum(p->confidence));
    set(o, "margin", jnum(p->margin));
    set(o, "max_samples", jint(p->max_samples));
    set(o, "stop", json_string(f->stop_rule));
    set(o, "threshold", sprt ? jnum(p->threshold) : json_null());
    set(o, "threshold0", sprt ? jnum(p->threshold0) : json_null());
    set(o, "invalid_counts_as", json_string("wrong"));
    return o;
}

static json_t *proofs(const zr_report *r)
{
    const zp_audit_result *res = r->result;
    const zp_audit_summary *s = r->summary;
    json_t *o = json_object();
    set(o, "checked", jint(res->n));
    set(o, "valid", jint(res->valid));
    set(o, "invalid", jint(res->invalid));
    set(o, "missing", jint(res->missing));
    set(o, "correct", jint(s->correct));
    set(o, "wrong_prediction", jint(s->wrong));
    set(o, "batches", jint(res->batches));
    set(o, "batches_present", jint(res->batches_present));
    set(o, "proof_bytes", jint(res->proof_bytes));
    set(o, "bundle_problem", res->bundle_problem[0] ? jstr(res->bundle_problem) : json_null());
    set(o, "rule", json_string(zr_invalid_rule));
    json_t *list = json_array();
    for (uint64_t i = 0; i < res->n; i++) {
        const zp_sample_result *sr = &res->samples[i];
        if (sr->status == ZP_SAMPLE_VALID)
            continue;
        json_t *e = json_object();
        set(e, "position", jint(i));
        set(e, "index", jint(r->request->indices[i]));
        set(e, "status", json_string(zp_sample_status_name(sr->status)));
        set(e, "reason", jstr(sr->reason));
        push(list, e);
    }
    set(o, "rejected", list);
    return o;
}

static json_t *intervals(const zp_audit_summary *s)
{
    json_t *a = json_array();
    for (int m = 0; m < ZP_CI_METHODS; m++) {
        const zr_method_info *mi = zr_method((zp_ci_method)m);
        json_t *o = json_object();
        set(o, "method", json_string(mi->name));
        set(o, "title", json_string(mi->title));
        set(o, "lo", s->ci_ok[m] ? jnum(s->ci[m].lo) : json_null());
        set(o, "hi", s->ci_ok[m] ? jnum(s->ci[m].hi) : json_null());
        set(o, "sides", json_integer(mi->sides));
        set(o, "exact", json_boolean(mi->exact));
        set(o, "claim", json_string(mi->claim));
        set(o, "recommended", json_boolean(m == (int)s->recommended));
        set(o, "planned_samples", jint_or_null(s->planned[m]));
        push(a, o);
    }
    return a;
}

static json_t *classes(const zp_audit_summary *s)
{
    json_t *a = json_array();
    for (size_t c = 0; c < s->n_classes; c++) {
        json_t *o = json_object();
        set(o, "class", jint(c));
        set(o, "label", jstr(s->label_names[c]));
        set(o, "test_count", jint(s->test_counts[c]));
        set(o, "n", jint(s->class_n[c]));
        set(o, "correct", jint(s->class_correct[c]));
        set(o, "accuracy", s->class_n[c] ? jnum((double)s->class_correct[c] /
                                                (double)s->class_n[c])
                                         : json_null());
        json_t *ci = jinterval(s->class_ci[c], s->class_n[c] > 0);
        set(ci, "method", json_string(zr_class_ci_method));
        set(o, "ci", ci);
        push(a, o);
    }
    return a;
}

static json_t *confusion(const zp_audit_summary *s)
{
    size_t C = s->n_classes;
    json_t *o = json_object(), *rows = json_array(), *cols = json_array(), *mat = json_array();
    for (size_t c = 0; c < C; c++) {
        push(rows, jstr(s->label_names[c]));
        push(cols, jstr(s->label_names[c]));
    }
    push(cols, json_string("no valid proof"));
    for (size_t t = 0; t < C; t++) {
        json_t *row = json_array();
        for (size_t p = 0; p <= C; p++)
            push(row, jint(s->confusion[t * (C + 1) + p]));
        push(mat, row);
    }
    set(o, "rows", rows);
    set(o, "columns", cols);
    set(o, "matrix", mat);
    return o;
}

static json_t *sequential(const zr_report *r, const zr_facts *f)
{
    const zp_audit_summary *s = r->summary;
    json_t *o = json_object();
    set(o, "rule", json_string(f->stop_rule));
    set(o, "stopped_at", s->stopped_at ? jint(s->stopped_at) : json_null());
    set(o, "confidence_sequence", jinterval(s->cs_final, s->n > 0));
    set(o, "sprt_decision", s->stop == ZP_STOP_SPRT ? json_string(f->sprt) : json_null());
    return o;
}

static json_t *cost_obj(const zp_cost *c)
{
    json_t *o = json_object();
    set(o, "samples", jint(c->samples));
    set(o, "prover_cpu_hours", jnum(c->prover_cpu_hours));
    set(o, "verify_cpu_hours", jnum(c->verify_cpu_hours));
    set(o, "prover_usd", jnum(c->prover_usd));
    set(o, "verify_usd", jnum(c->verify_usd));
    set(o, "total_usd", jnum(c->total_usd));
    set(o, "how", json_string(c->how));
    return o;
}

static json_t *cost(const zr_report *r)
{
    const zp_audit_summary *s = r->summary;
    const zp_audit_result *res = r->result;
    json_t *o = cost_obj(&s->cost);
    set(o, "currency", json_string("USD"));
    set(o, "prover_cpu_s_per_sample", jnum(s->prover_cpu_s_per_sample));
    set(o, "verify_s_per_sample", jnum(s->verify_s_per_sample));
    set(o, "price_per_cpu_hour", jnum(s->price_per_cpu_hour));
    json_t *m = json_object();
    set(m, "prove_cpu_s", jnum(res->prove_cpu_s));
    set(m, "prove_wall_s", jnum(res->prove_wall_s));
    set(m, "proven_samples", jint(res->proven_samples));
    set(m, "verify_cpu_s", jnum(res->verify_cpu_s));
    set(m, "verify_wall_s", jnum(res->verify_wall_s));
    set(o, "measured", m);
    return o;
}

static json_t *projection(const zp_audit_summary *s, double margin, uint64_t n,
                          const zp_cost *c, uint64_t hoeffding)
{
    json_t *o = n ? cost_obj(c) : json_object();
    set(o, "margin", jnum(margin));
    set(o, "confidence", jnum(s->confidence));
    set(o, "method", json_string(zr_method(ZP_CI_HYPERGEOMETRIC)->name));
    set(o, "samples", jint_or_null(n));
    set(o, "hoeffding_one_sided_samples", jint_or_null(hoeffding));
    return o;
}

static json_t *planning(const zr_report *r, const zr_facts *f)
{
    const zp_audit_summary *s = r->summary;
    json_t *o = json_object(), *per = json_object();
    set(o, "margin", jnum(s->margin));
    set(o, "confidence", jnum(s->confidence));
    set(o, "test_set_size", jint(s->N));
    for (int m = 0; m < ZP_CI_METHODS; m++)
        set(per, zr_method((zp_ci_method)m)->name, jint_or_null(s->planned[m]));
    set(o, "samples", per);
    set(o, "recommended", json_string(zr_method(s->recommended)->name));
    set(o, "saving_vs_hoeffding_one_sided", jint(f->saving));
    set(o, "saving_fraction", jnum(f->saving_fraction));
    json_t *pr = json_array();
    push(pr, projection(s, 0.05, s->plan_5, &s->cost_plan_5, f->hoeffding_5));
    push(pr, projection(s, 0.01, s->plan_1, &s->cost_plan_1, f->hoeffding_1));
    set(o, "projections", pr);
    return o;
}

static json_t *samples(const zr_report *r)
{
    json_t *a = json_array();
    for (uint64_t i = 0; i < r->request->n; i++) {
        const zp_sample_result *sr = &r->result->samples[i];
        json_t *o = json_object();
        set(o, "index", jint(r->request->indices[i]));
        set(o, "label", jint(r->labels[i]));
        set(o, "status", json_string(zp_sample_status_name(sr->status)));
        set(o, "predicted", sr->status == ZP_SAMPLE_VALID && sr->predicted >= 0
                                ? json_integer(sr->predicted)
                                : json_null());
        set(o, "correct", json_boolean(zp_sample_correct(r->result, r->labels, i)));
        push(a, o);
    }
    return a;
}

char *zr_render_json(const zr_report *r)
{
    const zp_audit_summary *s = r->summary;
    zr_facts f;
    zr_facts_init(r, &f);
    char why[512];
    zr_why_text(r, why, sizeof why);

    json_t *root = json_object();
    size_t members = 0;
    top(root, &members, "schema", json_string(ZR_SCHEMA));
    top(root, &members, "generated_at", r->generated_at ? jstr(r->generated_at) : json_null());
    top(root, &members, "request_id", r->request_id ? json_string(f.request_id) : json_null());
    top(root, &members, "bundle", r->bundle_path ? jstr(r->bundle_path) : json_null());
    const zr_data_mode_info *dm = zr_data_mode(r->data_mode);
    json_t *data = json_object();
    set(data, "mode", json_string(dm->name));
    set(data, "title", json_string(dm->title));
    set(data, "description", json_string(dm->description));
    set(data, "labels_source", json_string(dm->labels_source));
    set(data, "labels_file", r->labels_file ? jstr(r->labels_file) : json_null());
    set(data, "labels_sha256", r->labels_sha256 ? jstr(r->labels_sha256) : json_null());
    top(root, &members, "data", data);
    json_t *acc = json_object();
    set(acc, "correct", jint(s->correct));
    set(acc, "n", jint(s->n));
    set(acc, "estimate", jnum(s->accuracy));
    set(acc, "test_set_size", jint(s->N));
    set(acc, "confidence", jnum(s->confidence));
    set(acc, "recommended_method", json_string(zr_method(s->recommended)->name));
    set(acc, "recommended_interval", jinterval(s->ci[s->recommended], s->ci_ok[s->recommended]));
    set(acc, "why_recommended", json_string(why));
    top(root, &members, "accuracy", acc);
    top(root, &members, "intervals", intervals(s));
    top(root, &members, "proofs", proofs(r));
    top(root, &members, "classes", classes(s));
    top(root, &members, "confusion", confusion(s));
    json_t *st = json_object();
    set(st, "available", json_boolean(s->stratified_ok));
    set(st, "estimate", s->stratified_ok ? jnum(s->stratified) : json_null());
    set(st, "ci", jinterval(s->stratified_ci, s->stratified_ok));
    set(st, "note", json_string(zr_stratified_note));
    top(root, &members, "stratified", st);
    top(root, &members, "sequential", sequential(r, &f));
    top(root, &members, "cost", cost(r));
    top(root, &members, "planning", planning(r, &f));
    top(root, &members, "parameters", parameters(r, &f));
    top(root, &members, "transcript", transcript(r, &f));
    top(root, &members, "samples", samples(r));
    json_t *sec = json_object();
    const zr_model_mode_info *mm = zr_model_mode(r->model_private);
    set(sec, "sound", json_true());
    set(sec, "zero_knowledge", json_boolean(mm->zero_knowledge));
    set(sec, "model_mode", json_string(mm->name));
    set(sec, "model_mode_title", json_string(mm->title));
    set(sec, "proof_budget", r->model_private ? jint(r->proof_budget) : json_null());
    set(sec, "note", json_string(mm->zero_knowledge ? mm->description : zr_soundness_note));
    top(root, &members, "security", sec);
    /* every top-level member present, or memory ran out on the way */
    char *out = root && json_object_size(root) == members
                    ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
                    : NULL;
    json_decref(root);
    if (!out)
        return NULL;
    /* json_dumps memory is malloc'd by jansson's default allocator; hand
     * back plain malloc memory with a trailing newline */
    size_t n = strlen(out);
    char *copy = malloc(n + 2);
    if (copy) {
        memcpy(copy, out, n);
        copy[n] = '\n';
        copy[n + 1] = 0;
    }
    free(out);
    return copy;
}
