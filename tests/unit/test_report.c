/* tests/unit/test_report.c - cmocka suite for protocol/audit_summary.c
 * (the report's numbers) and reports/ (report.json, report.md,
 * report.html).
 *
 * A synthetic audit: 10 classes, 50 samples of a committed test set of
 * 10,000 items, three invalid and two missing proofs, one class label that
 * is hostile HTML.  With ZKAUDIT_REPORT_DIR set, the suite also writes the
 * three files there (tests/e2e/report_browser.sh renders them in Chromium).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file.h"
#include "common/hex.h"
#include "protocol/audit_summary.h"
#include "protocol/stats_plan.h"
#include "reports/report.h"
#include "reports/strbuf.h"
#include "reports/svg.h"
#include "tests/unit/testutil.h"

#define NS 50
#define NC 10
#define HOSTILE "<script>alert(1)</script>&\""

static const char *const names[NC] = { "T-shirt/top", "Trouser", "Pullover", HOSTILE,
                                       "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                       "Bag",         "Ankle boot" };
static const uint64_t test_counts[NC] = { 1000, 1000, 1000, 1000, 1000,
                                          1000, 1000, 1000, 1000, 1000 };

/* positions with no valid proof, and why */
static const struct {
    uint64_t pos;
    zp_sample_status st;
    const char *reason;
} rejected[] = {
    { 7, ZP_SAMPLE_INVALID, "proof does not verify: sumcheck round 3" },
    { 19, ZP_SAMPLE_INVALID, "proof for a different input (input hash mismatch)" },
    { 33, ZP_SAMPLE_INVALID, "model id differs <from> the request's & \"commitment\"" },
    { 48, ZP_SAMPLE_MISSING, "no proof in the bundle for batch 12" },
    { 49, ZP_SAMPLE_MISSING, "no proof in the bundle for batch 12" },
};
#define NREJ (sizeof rejected / sizeof rejected[0])

typedef struct {
    zp_request rq;
    zp_audit_result res;
    uint32_t labels[NS];
    zp_audit_summary sum;
    uint8_t id[32];
    zr_report rep;
} fixture;

/* Fill the audit: labels cycle through the classes; sample i is predicted
 * right except every 9th (predicted label + 1); the rejected ones carry
 * the prediction an honest prover would have made, which must not count. */
static void build(fixture *fx, zp_stop_rule stop, int beacon)
{
    za_error err;
    memset(fx, 0, sizeof *fx);
    assert_int_equal(zp_request_alloc(&fx->rq, NS, 4, 4, &err), ZA_OK);
    zp_request *rq = &fx->rq;
    rq->params = (zp_audit_params){ 0.95, 0.05, NS, stop, 0.9, 0.6 };
    assert_int_equal(zp_audit_params_format(&rq->params, rq->params_text,
                                            sizeof rq->params_text, &err),
                     ZA_OK);
    snprintf(rq->dataset_name, sizeof rq->dataset_name, "fashion-mnist-test");
    zp_sample_transcript *t = &rq->transcript;
    t->dataset_count = 10000;
    for (int i = 0; i < 32; i++) {
        t->dataset_root[i] = (uint8_t)i;
        t->model_id[i] = (uint8_t)(0xa0 + i);
        t->buyer_seed[i] = (uint8_t)(3 * i);
        t->seller_seed[i] = (uint8_t)(5 * i + 1);
        t->beacon_hash[i] = (uint8_t)(7 * i + 2);
    }
    t->use_beacon = beacon;
    assert_int_equal(zp_audit_params_hash(&rq->params, t->params_hash, &err), ZA_OK);
    zp_seed_commitment(t->buyer_seed, rq->buyer_commitment);
    uint8_t seed[32];
    zp_request_seed(rq, seed);
    assert_int_equal(zp_sample_indices(seed, t->dataset_count, NS, rq->indices, &err), ZA_OK);

    zp_audit_result *res = &fx->res;
    res->n = NS;
    res->samples = calloc(NS, sizeof *res->samples);
    assert_non_null(res->samples);
    for (uint64_t i = 0; i < NS; i++) {
        fx->labels[i] = (uint32_t)((i * 7 + 3) % NC);
        res->samples[i].status = ZP_SAMPLE_VALID;
        res->samples[i].predicted = i % 9 == 4 ? (fx->labels[i] + 1) % NC : fx->labels[i];
    }
    for (size_t k = 0; k < NREJ; k++) {
        zp_sample_result *s = &res->samples[rejected[k].pos];
        s->status = rejected[k].st;
        s->predicted =
            rejected[k].st == ZP_SAMPLE_INVALID ? (int64_t)fx->labels[rejected[k].pos] : -1;
        snprintf(s->reason, sizeof s->reason, "%s", rejected[k].reason);
        if (s->status == ZP_SAMPLE_INVALID)
            res->invalid++;
        else
            res->missing++;
    }
    res->valid = NS - res->invalid - res->missing;
    res->batches = 13;
    res->batches_present = 12;
    res->proven_samples = NS - res->missing;
    res->prove_cpu_s = 0.372 * (double)res->proven_samples;
    res->prove_wall_s = res->prove_cpu_s / 2;
    res->verify_cpu_s = 0.0105 * NS;
    res->verify_wall_s = res->verify_cpu_s / 2;
    res->proof_bytes = 123456;

    zp_summary_inputs in = { NC, (char **)names, test_counts, fx->labels, 0.05, 4 };
    assert_int_equal(zp_audit_summarize(rq, res, &in, &fx->sum, &err), ZA_OK);
    for (int i = 0; i < 32; i++)
        fx->id[i] = (uint8_t)(0xff - i);
    fx->rep = (zr_report){ rq, res, &fx->sum, fx->labels, fx->id, "bundles/seller <1>.db",
                           "2026-12-03T11:30:00Z", 0, NULL, NULL, 0, 0 };
}

static void teardown(fixture *fx)
{
    zp_audit_summary_free(&fx->sum);
    zp_audit_result_free(&fx->res);
    zp_request_free(&fx->rq);
}

static uint64_t expected_correct(const fixture *fx)
{
    uint64_t x = 0;
    for (uint64_t i = 0; i < NS; i++) {
        const zp_sample_result *s = &fx->res.samples[i];
        x += s->status == ZP_SAMPLE_VALID && s->predicted == (int64_t)fx->labels[i];
    }
    return x;
}

static void test_summary_numbers(void **state)
{
    (void)state;
    fixture fx;
    build(&fx, ZP_STOP_FIXED, 0);
    const zp_audit_summary *s = &fx.sum;
    za_error err;
    /* an invalid proof with the right prediction is still wrong */
    assert_false(zp_sample_correct(&fx.res, fx.labels, 7));
    assert_true(zp_sample_correct(&fx.res, fx.labels, 0));
    assert_false(zp_sample_correct(&fx.res, fx.labels, 4)); /* valid, wrong prediction */
    uint64_t x = expected_correct(&fx);
    assert_int_equal(s->n, NS);
    assert_int_equal(s->correct, x);
    assert_int_equal(s->invalid, 3);
    assert_int_equal(s->missing, 2);
    assert_int_equal(s->wrong, NS - x - 5);
    assert_true(s->accuracy == (double)x / NS);
    assert_int_equal(s->N, 10000);
    for (int m = 0; m < ZP_CI_METHODS; m++) {
        zp_interval iv;
        assert_int_equal(zp_ci((zp_ci_method)m, x, NS, 10000, 0.95, &iv, &err), ZA_OK);
        assert_true(s->ci_ok[m]);
        assert_true(s->ci[m].lo == iv.lo && s->ci[m].hi == iv.hi);
    }
    assert_int_equal(s->recommended, ZP_CI_HYPERGEOMETRIC);
    assert_int_equal(s->planned[ZP_CI_HOEFFDING_ONE], 600);
    assert_int_equal(s->planned[ZP_CI_HOEFFDING_TWO], 738);
    assert_int_equal(s->planned[ZP_CI_CLOPPER_PEARSON], 404);
    assert_int_equal(s->planned[ZP_CI_HYPERGEOMETRIC], 389);
    assert_int_equal(s->plan_5, 389);
    assert_int_equal(s->plan_1, 4949);
    /* per class and the confusion matrix */
    uint64_t sum_n = 0, sum_c = 0, cells = 0, noproof = 0;
    for (size_t c = 0; c < NC; c++) {
        sum_n += s->class_n[c];
        sum_c += s->class_correct[c];
        assert_string_equal(s->label_names[c], names[c]);
        assert_int_equal(s->confusion[c * (NC + 1) + c], s->class_correct[c]);
        uint64_t row = 0;
        for (size_t p = 0; p <= NC; p++)
            row += s->confusion[c * (NC + 1) + p];
        assert_int_equal(row, s->class_n[c]);
        cells += row;
        noproof += s->confusion[c * (NC + 1) + NC];
        zp_interval iv;
        assert_int_equal(zp_ci_clopper_pearson(s->class_correct[c], s->class_n[c], 0.95, &iv,
                                               &err),
                         ZA_OK);
        assert_true(s->class_ci[c].lo == iv.lo && s->class_ci[c].hi == iv.hi);
    }
    assert_int_equal(sum_n, NS);
    assert_int_equal(sum_c, x);
    assert_int_equal(cells, NS);
    assert_int_equal(noproof, 5);
    /* sample 7's true class has its invalid proof in the last column */
    assert_true(s->confusion[fx.labels[7] * (NC + 1) + NC] >= 1);
    assert_true(s->stratified_ok);
    /* cost: 45 proven samples at 0.372 CPU-s, verification 0.0105 s each */
    assert_true(fabs(s->prover_cpu_s_per_sample - 0.372) < 1e-12);
    assert_true(fabs(s->verify_s_per_sample - 0.0105) < 1e-12);
    double usd = NS * (0.372 + 0.0105) / 3600 * 0.05;
    assert_true(fabs(s->cost.total_usd - usd) < 1e-12);
    assert_non_null(strstr(s->cost.how, "USD/CPU-h"));
    assert_int_equal(s->stop, ZP_STOP_FIXED);
    assert_int_equal(s->stopped_at, 0);
    teardown(&fx);
}

static json_t *render_json(const fixture *fx)
{
    char *text = zr_render_json(&fx->rep);
    assert_non_null(text);
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    if (!root)
        fprintf(stderr, "report.json line %d: %s\n", je.line, je.text);
    assert_non_null(root);
    free(text);
    return root;
}

static double num(const json_t *o, const char *path)
{
    /* "a.b.c" through objects */
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *j = o;
    for (char *k = strtok(buf, "."); k; k = strtok(NULL, "."))
        j = json_object_get(j, k);
    assert_non_null(j);
    assert_true(json_is_number(j));
    return json_number_value(j);
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    assert_non_null(s);
    return s;
}

static void test_json(void **state)
{
    (void)state;
    fixture fx;
    build(&fx, ZP_STOP_FIXED, 0);
    const zp_audit_summary *s = &fx.sum;
    json_t *root = render_json(&fx);
    assert_string_equal(str(root, "schema"), "zkaudit-report/v1");
    assert_string_equal(str(root, "generated_at"), "2026-12-03T11:30:00Z");
    assert_string_equal(str(root, "bundle"), "bundles/seller <1>.db");
    char hex[65];
    za_hex_encode(fx.id, 32, hex);
    assert_string_equal(str(root, "request_id"), hex);
    uint64_t x = expected_correct(&fx);
    assert_true(num(root, "accuracy.correct") == (double)x);
    assert_true(num(root, "accuracy.n") == NS);
    assert_true(num(root, "accuracy.estimate") == (double)x / NS);
    assert_true(num(root, "accuracy.test_set_size") == 10000);
    json_t *acc = json_object_get(root, "accuracy");
    assert_string_equal(str(acc, "recommended_method"), "hypergeometric");
    assert_non_null(strstr(str(acc, "why_recommended"), "committed test set of N = 10000"));

    json_t *ivs = json_object_get(root, "intervals");
    assert_int_equal(json_array_size(ivs), ZP_CI_METHODS);
    int recs = 0;
    for (int m = 0; m < ZP_CI_METHODS; m++) {
        json_t *iv = json_array_get(ivs, (size_t)m);
        za_error err;
        zp_interval want;
        assert_int_equal(zp_ci((zp_ci_method)m, x, NS, 10000, 0.95, &want, &err), ZA_OK);
        assert_string_equal(str(iv, "method"), zp_ci_method_name((zp_ci_method)m));
        assert_true(num(iv, "lo") == want.lo); /* %.17g round-trips exactly */
        assert_true(num(iv, "hi") == want.hi);
        int rec = json_is_true(json_object_get(iv, "recommended"));
        recs += rec;
        assert_int_equal(rec, m == ZP_CI_HYPERGEOMETRIC);
        assert_true(num(iv, "planned_samples") == (double)s->planned[m]);
    }
    assert_int_equal(recs, 1);

    json_t *pr = json_object_get(root, "proofs");
    assert_true(num(pr, "checked") == NS && num(pr, "valid") == NS - 5);
    assert_true(num(pr, "invalid") == 3 && num(pr, "missing") == 2);
    json_t *rej = json_object_get(pr, "rejected");
    assert_int_equal(json_array_size(rej), NREJ);
    for (size_t k = 0; k < NREJ; k++) {
        json_t *e = json_array_get(rej, k);
        assert_true(num(e, "position") == (double)rejected[k].pos);
        assert_true(num(e, "index") == (double)fx.rq.indices[rejected[k].pos]);
        assert_string_equal(str(e, "status"), zp_sample_status_name(rejected[k].st));
        assert_string_equal(str(e, "reason"), rejected[k].reason);
    }

    json_t *cls = json_object_get(root, "classes");
    assert_int_equal(json_array_size(cls), NC);
    assert_string_equal(str(json_array_get(cls, 3), "label"), HOSTILE);
    double cn = 0;
    for (size_t c = 0; c < NC; c++)
        cn += num(json_array_get(cls, c), "n");
    assert_true(cn == NS);
    assert_true(num(json_array_get(cls, 2), "ci.lo") == s->class_ci[2].lo);

    json_t *cf = json_object_get(root, "confusion");
    json_t *mat = json_object_get(cf, "matrix");
    assert_int_equal(json_array_size(mat), NC);
    assert_int_equal(json_array_size(json_object_get(cf, "rows")), NC);
    assert_int_equal(json_array_size(json_object_get(cf, "columns")), NC + 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(cf, "columns"), NC)),
                        "no valid proof");
    double total = 0, last = 0;
    for (size_t t = 0; t < NC; t++) {
        json_t *row = json_array_get(mat, t);
        assert_int_equal(json_array_size(row), NC + 1);
        for (size_t p = 0; p <= NC; p++)
            total += json_number_value(json_array_get(row, p));
        last += json_number_value(json_array_get(row, NC));
    }
    assert_true(total == NS && last == 5);

    assert_string_equal(str(json_object_get(root, "sequential"), "rule"), "fixed");
    assert_true(json_is_null(json_object_get(json_object_get(root, "sequential"), "stopped_at")));
    json_t *cost = json_object_get(root, "cost");
    assert_true(num(cost, "total_usd") == s->cost.total_usd);
    assert_true(num(cost, "price_per_cpu_hour") == 0.05);
    assert_true(num(cost, "measured.proven_samples") == NS - 2);
    assert_string_equal(str(cost, "how"), s->cost.how);
    json_t *plan = json_object_get(root, "planning");
    assert_true(num(plan, "samples.hoeffding-one-sided") == 600);
    assert_true(num(plan, "samples.hypergeometric") == 389);
    assert_true(num(plan, "saving_vs_hoeffding_one_sided") == 211);
    json_t *p5 = json_array_get(json_object_get(plan, "projections"), 0);
    json_t *p1 = json_array_get(json_object_get(plan, "projections"), 1);
    assert_true(num(p5, "margin") == 0.05 && num(p5, "samples") == 389);
    assert_true(num(p5, "hoeffding_one_sided_samples") == 600);
    assert_true(num(p1, "samples") == 4949 && num(p1, "hoeffding_one_sided_samples") == 14979);
    assert_true(num(p1, "total_usd") == s->cost_plan_1.total_usd);

    json_t *tr = json_object_get(root, "transcript");
    assert_string_equal(str(tr, "dataset_name"), "fashion-mnist-test");
    assert_true(num(tr, "dataset_count") == 10000);
    assert_string_equal(str(tr, "audit_parameters"), fx.rq.params_text);
    assert_string_equal(str(tr, "seed_source"), "seller-seed");
    assert_true(json_is_null(json_object_get(tr, "beacon_hash")));
    uint8_t h[32];
    zp_request_seed(&fx.rq, h);
    za_hex_encode(h, 32, hex);
    assert_string_equal(str(tr, "sample_seed"), hex);
    zp_indices_hash(fx.rq.indices, NS, h);
    za_hex_encode(h, 32, hex);
    assert_string_equal(str(tr, "indices_hash"), hex);
    assert_int_equal(json_array_size(json_object_get(tr, "indices")), NS);
    json_t *samples = json_object_get(root, "samples");
    assert_int_equal(json_array_size(samples), NS);
    assert_true(json_is_null(json_object_get(json_array_get(samples, 48), "predicted")));
    assert_true(json_is_false(json_object_get(json_array_get(samples, 7), "correct")));
    json_t *sec = json_object_get(root, "security");
    assert_true(json_is_true(json_object_get(sec, "sound")));
    assert_true(json_is_false(json_object_get(sec, "zero_knowledge")));
    json_decref(root);
    teardown(&fx);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void contains(const char *text, const char *what)
{
    if (!strstr(text, what))
        fail_msg("report lacks \"%s\"", what);
}

/* what every text format shows, in the form both print numbers */
static void common_text(const fixture *fx, const char *text)
{
    const zp_audit_summary *s = &fx->sum;
    char buf[128];
    snprintf(buf, sizeof buf, "%.2f%%", 100 * s->accuracy);
    contains(text, buf);
    for (int m = 0; m < ZP_CI_METHODS; m++) {
        contains(text, zp_ci_method_name((zp_ci_method)m));
        snprintf(buf, sizeof buf, "%.4f", s->ci[m].lo);
        contains(text, buf);
        snprintf(buf, sizeof buf, "%.4f", s->ci[m].hi);
        contains(text, buf);
    }
    contains(text, "recommended");
    contains(text, "committed test set of N = 10000");
    contains(text, "sumcheck round 3");
    contains(text, "no proof in the bundle for batch 12");
    contains(text, "no valid proof");
    contains(text, "not yet zero-knowledge");
    contains(text, s->cost.how);
    contains(text, "14979");
    contains(text, "600");
    contains(text, "4949");
    contains(text, fx->rq.params_text);
    char hex[65];
    uint8_t h[32];
    zp_request_seed(&fx->rq, h);
    za_hex_encode(h, 32, hex);
    contains(text, hex);
    zp_indices_hash(fx->rq.indices, NS, h);
    za_hex_encode(h, 32, hex);
    contains(text, hex);
    za_hex_encode(fx->id, 32, hex);
    contains(text, hex);
    za_hex_encode(fx->rq.transcript.dataset_root, 32, hex);
    contains(text, hex);
    za_hex_encode(fx->rq.transcript.seller_seed, 32, hex);
    contains(text, hex);
    /* the hostile label never appears raw */
    assert_null(strstr(text, "<script"));
    contains(text, "&lt;script&gt;");
}

static void test_markdown(void **state)
{
    (void)state;
    fixture fx;
    build(&fx, ZP_STOP_FIXED, 0);
    char *md = zr_render_markdown(&fx.rep);
    assert_non_null(md);
    common_text(&fx, md);
    char buf[64];
    snprintf(buf, sizeof buf, "%llu of %d samples correct",
             (unsigned long long)expected_correct(&fx), NS);
    contains(md, buf);
    contains(md, "| **hypergeometric** (recommended) |");
    contains(md, "## Confusion matrix");
    contains(md, "| 7 | ");
    /* table rows have as many cells as the header: 10 classes + row label + no proof */
    const char *hdr = strstr(md, "| true \\\\ predicted |");
    assert_non_null(hdr);
    size_t pipes = 0;
    for (const char *p = hdr; *p != '\n'; p++)
        pipes += *p == '|';
    assert_int_equal(pipes, NC + 3);
    free(md);
    teardown(&fx);
}

/* A small checker: every element opened is closed in order (void elements
 * and "/>" excepted), no '<' is left unescaped in text, attribute values
 * are quoted.  Returns 1 when well-formed. */
static int well_formed(const char *html)
{
    static const char *const voids[] = { "meta", "br", "hr", "img", "link", "input", NULL };
    char stack[64][16];
    int depth = 0;
    for (const char *p = html; *p; p++) {
        if (*p != '<')
            continue;
        if (!strncmp(p, "<!DOCTYPE", 9) || !strncmp(p, "<!--", 4)) {
            p = strchr(p, '>');
            if (!p)
                return 0;
            continue;
        }
        int closing = p[1] == '/';
        const char *n = p + 1 + closing;
        size_t len = 0;
        while (isalnum((unsigned char)n[len]))
            len++;
        if (len == 0 || len >= 16)
            return 0; /* a bare '<' in text */
        const char *end = n + len;
        int quote = 0;
        while (*end && (quote || *end != '>')) {
            if (*end == '"')
                quote = !quote;
            if (!quote && *end == '<')
                return 0;
            end++;
        }
        if (!*end)
            return 0;
        char name[16];
        memcpy(name, n, len);
        name[len] = 0;
        int self = end[-1] == '/';
        p = end;
        if (closing) {
            if (depth == 0 || strcmp(stack[depth - 1], name))
                return 0;
            depth--;
            continue;
        }
        int isvoid = self;
        for (int k = 0; voids[k]; k++)
            isvoid |= !strcmp(voids[k], name);
        if (isvoid)
            continue;
        if (depth == 64)
            return 0;
        memcpy(stack[depth++], name, len + 1);
    }
    return depth == 0;
}

static void test_html(void **state)
{
    (void)state;
    fixture fx;
    build(&fx, ZP_STOP_FIXED, 0);
    char *html = zr_render_html(&fx.rep);
    assert_non_null(html);
    common_text(&fx, html);
    assert_int_equal(strncmp(html, "<!DOCTYPE html>", 15), 0);
    contains(html, "id=\"accuracy\"");
    contains(html, "id=\"intervals\"");
    contains(html, "id=\"chart-intervals\"");
    contains(html, "id=\"chart-classes\"");
    contains(html, "id=\"chart-confusion\"");
    contains(html, "id=\"rejected\"");
    contains(html, "id=\"transcript\"");
    assert_int_equal(count(html, "<svg"), 3);
    assert_int_equal(count(html, "</svg>"), 3);
    assert_int_equal(count(html, "class=\"interval-row"), ZP_CI_METHODS);
    assert_int_equal(count(html, "class=\"interval-row recommended\""), 1);
    assert_int_equal(count(html, "class=\"rejected-row\""), NREJ);
    assert_int_equal(count(html, "class=\"class-bar\""), NC);
    assert_int_equal(count(html, "<g class=\"cell\">"), NC * (NC + 1));
    /* the hostile label, escaped, in the tables and the charts */
    contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;");
    contains(html, "model id differs &lt;from&gt; the request&#39;s &amp; &quot;commitment&quot;");
    contains(html, "bundles/seller &lt;1&gt;.db");
    /* self-contained: nothing fetched, no scripts */
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "href="));
    assert_null(strstr(html, "url("));
    assert_true(well_formed(html));
    assert_false(well_formed("<p><b>x</p></b>"));
    assert_false(well_formed("<p>1 < 2</p>"));
    free(html);
    teardown(&fx);
}

/* sequential rules, a beacon, an empty class, and writing the files */
static void test_variants_and_write(void **state)
{
    (void)state;
    fixture fx;
    build(&fx, ZP_STOP_SPRT, 1);
    json_t *root = render_json(&fx);
    json_t *seq = json_object_get(root, "sequential");
    assert_string_equal(str(seq, "rule"), "sprt");
    assert_string_equal(str(seq, "sprt_decision"), zp_sprt_decision_name(fx.sum.sprt));
    json_t *tr = json_object_get(root, "transcript");
    assert_string_equal(str(tr, "seed_source"), "beacon");
    assert_true(json_is_null(json_object_get(tr, "seller_seed")));
    char hex[65];
    za_hex_encode(fx.rq.transcript.beacon_hash, 32, hex);
    assert_string_equal(str(tr, "beacon_hash"), hex);
    json_decref(root);
    char *md = zr_render_markdown(&fx.rep);
    assert_non_null(md);
    contains(md, "Wald's SPRT");
    contains(md, hex);
    free(md);
    teardown(&fx);

    build(&fx, ZP_STOP_CONFSEQ, 0);
    char *html = zr_render_html(&fx.rep);
    assert_non_null(html);
    contains(html, "Confidence sequence (rule &quot;confseq&quot;)");
    assert_true(well_formed(html));
    free(html);

    /* one class never sampled: no accuracy, no stratified estimate */
    for (uint64_t i = 0; i < NS; i++)
        if (fx.labels[i] == 9) {
            fx.labels[i] = 8;
            if (fx.res.samples[i].predicted >= 0)
                fx.res.samples[i].predicted = 8;
        }
    zp_audit_summary_free(&fx.sum);
    za_error err;
    zp_summary_inputs in = { NC, (char **)names, test_counts, fx.labels, 0.05, 4 };
    assert_int_equal(zp_audit_summarize(&fx.rq, &fx.res, &in, &fx.sum, &err), ZA_OK);
    assert_false(fx.sum.stratified_ok);
    root = render_json(&fx);
    json_t *c9 = json_array_get(json_object_get(root, "classes"), 9);
    assert_true(num(c9, "n") == 0);
    assert_true(json_is_null(json_object_get(c9, "accuracy")));
    assert_false(json_is_true(json_object_get(json_object_get(root, "stratified"), "available")));
    json_decref(root);
    html = zr_render_html(&fx.rep);
    assert_non_null(html);
    contains(html, "no samples");
    assert_true(well_formed(html));
    free(html);

    /* the files */
    char dir[] = "/tmp/zkaudit-report-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[64];
    snprintf(sub, sizeof sub, "%s/out/r", dir);
    assert_int_equal(zr_write_report_dir(&fx.rep, "json,pdf", sub, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "unknown format \"pdf\""));
    assert_int_equal(zr_write_report_dir(&fx.rep, "", sub, &err), ZA_ERR_ARG);
    assert_int_equal(zr_write_report_dir(&fx.rep, "json,md,html", sub, &err), ZA_OK);
    const char *files[] = { "report.json", "report.md", "report.html" };
    for (int k = 0; k < 3; k++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", sub, files[k]);
        uint8_t *data;
        size_t len;
        assert_int_equal(za_read_file(path, 1 << 24, &data, &len, &err), ZA_OK);
        assert_true(len > 1000);
        free(data);
        assert_int_equal(unlink(path), 0);
    }
    snprintf(sub, sizeof sub, "%s/out/r", dir);
    assert_int_equal(rmdir(sub), 0);
    snprintf(sub, sizeof sub, "%s/out", dir);
    assert_int_equal(rmdir(sub), 0);
    assert_int_equal(rmdir(dir), 0);
    teardown(&fx);
}

static void test_strbuf_and_labels(void **state)
{
    (void)state;
    zr_strbuf b = { 0 };
    zr_sb_add_html(&b, "<a href='x'>&\"</a>");
    zr_sb_add(&b, "|");
    zr_sb_add_md(&b, "a|b_c*[d]`e`\\\n<i>");
    zr_sb_add(&b, "|");
    /* "Ünïcöde" cut after 3 characters, never inside one */
    zr_add_label(&b, "\xC3\x9C" "n" "\xC3\xAF" "c" "\xC3\xB6" "de", 3);
    zr_sb_add(&b, "|");
    zr_add_label(&b, "<ab>", 4); /* fits: not cut */
    zr_sb_addf(&b, "|%d", 42);
    char *s = zr_sb_take(&b);
    assert_non_null(s);
    assert_string_equal(s, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;|"
                           "a\\|b\\_c\\*\\[d\\]\\`e\\`\\\\ &lt;i&gt;|"
                           "\xC3\x9Cn\xC3\xAF\xE2\x80\xA6|&lt;ab&gt;|42");
    free(s);
    /* an empty buffer gives "", a failed one NULL */
    s = zr_sb_take(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    zr_sb_add(&b, "x");
    b.failed = 1;
    zr_sb_add(&b, "y");
    assert_null(zr_sb_take(&b));
    assert_null(b.data);
}

/* an audit of no samples still renders, with n/a where nothing is known */
static void test_empty_audit(void **state)
{
    (void)state;
    za_error err;
    zp_request rq;
    assert_int_equal(zp_request_alloc(&rq, 0, 1, 1, &err), ZA_OK);
    rq.params = (zp_audit_params){ 0.95, 0.05, 1, ZP_STOP_FIXED, 0.9, 0.6 };
    assert_int_equal(zp_audit_params_format(&rq.params, rq.params_text, sizeof rq.params_text,
                                            &err),
                     ZA_OK);
    rq.transcript.dataset_count = 100;
    zp_audit_result res = { 0 };
    uint32_t labels[1] = { 0 };
    zp_summary_inputs in = { NC, (char **)names, test_counts, labels, 0.05, 4 };
    zp_audit_summary s;
    assert_int_equal(zp_audit_summarize(&rq, &res, &in, &s, &err), ZA_OK);
    zr_report r = { &rq, &res, &s, labels, NULL, NULL, NULL, 0, NULL, NULL, 0, 0 };
    char *js = zr_render_json(&r), *md = zr_render_markdown(&r), *html = zr_render_html(&r);
    assert_non_null(js);
    assert_non_null(md);
    assert_non_null(html);
    json_error_t je;
    json_t *root = json_loads(js, 0, &je);
    assert_non_null(root);
    assert_true(json_is_null(json_object_get(json_object_get(root, "accuracy"), "estimate")));
    assert_true(json_is_null(json_object_get(root, "request_id")));
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(root, "intervals"),
                                                            0),
                                             "lo")));
    json_decref(root);
    contains(md, "**n/a**");
    contains(html, "id=\"accuracy\">n/a<");
    contains(html, "Every proof verified.");
    assert_true(well_formed(html));
    free(js);
    free(md);
    free(html);
    zp_audit_summary_free(&s);
    zp_request_free(&rq);
}

/* label names and reasons of random bytes (any but NUL, invalid UTF-8
 * included): the JSON still parses and keeps them (bytes >= 0x80 as '?'
 * only when invalid), the HTML stays well-formed and script-free */
static void test_random_bytes(void **state)
{
    (void)state;
    uint64_t rng = zt_seed("test_report random labels");
    long iters = zt_iters(20);
    for (long it = 0; it < iters; it++) {
        fixture fx;
        build(&fx, ZP_STOP_FIXED, 0);
        for (size_t c = 0; c < NC; c++) {
            char *l = fx.sum.label_names[c];
            size_t n = strlen(l);
            for (size_t i = 0; i < n; i++)
                l[i] = (char)(1 + zt_next(&rng) % 255);
        }
        for (uint64_t i = 0; i < NS; i++) {
            zp_sample_result *s = &fx.res.samples[i];
            if (s->status == ZP_SAMPLE_VALID)
                continue;
            for (size_t k = 0; k + 1 < sizeof s->reason; k++)
                s->reason[k] = (char)(1 + zt_next(&rng) % 255);
            s->reason[sizeof s->reason - 1] = 0;
        }
        json_t *root = render_json(&fx);
        json_t *cls = json_object_get(root, "classes");
        for (size_t c = 0; c < NC; c++)
            assert_int_equal(strlen(str(json_array_get(cls, c), "label")),
                             strlen(fx.sum.label_names[c]));
        json_decref(root);
        char *html = zr_render_html(&fx.rep), *md = zr_render_markdown(&fx.rep);
        assert_non_null(html);
        assert_non_null(md);
        assert_true(well_formed(html));
        assert_null(strstr(html, "<script"));
        assert_null(strstr(md, "<script"));
        free(html);
        free(md);
        teardown(&fx);
    }
}

/* ZKAUDIT_REPORT_DIR: leave the main fixture's report there for the
 * browser test */
/* the model mode is stated in every format: a private commitment's proofs
 * are zero-knowledge (with its budget), a public one's are not */
static void test_model_mode(void **state)
{
    (void)state;
    for (int priv = 0; priv < 2; priv++) {
        fixture fx;
        build(&fx, ZP_STOP_FIXED, 0);
        fx.rep.model_private = priv;
        fx.rep.proof_budget = priv ? 64 : 0;
        char *js = zr_render_json(&fx.rep), *md = zr_render_markdown(&fx.rep),
             *html = zr_render_html(&fx.rep);
        assert_non_null(js);
        assert_non_null(md);
        assert_non_null(html);
        json_error_t je;
        json_t *root = json_loads(js, 0, &je), *sec = json_object_get(root, "security");
        assert_non_null(sec);
        assert_int_equal(json_is_true(json_object_get(sec, "zero_knowledge")), priv);
        const char *name = priv ? "private-model" : "public-model";
        assert_string_equal(json_string_value(json_object_get(sec, "model_mode")), name);
        if (priv)
            assert_int_equal(json_integer_value(json_object_get(sec, "proof_budget")), 64);
        else
            assert_true(json_is_null(json_object_get(sec, "proof_budget")));
        json_decref(root);
        contains(md, name);
        contains(html, name);
        contains(md, priv ? "zero-knowledge proof" : "not yet zero-knowledge");
        contains(html, priv ? "zero-knowledge proof" : "not yet zero-knowledge");
        assert_true(well_formed(html));
        free(js), free(md), free(html);
        teardown(&fx);
    }
}

/* the data mode is stated in every format, with the auditor's labels file */
static void test_data_mode(void **state)
{
    (void)state;
    static const char *const modes[3][2] = {
        { "public-dataset", "Public dataset" },
        { "private-review", "Private data, review flow" },
        { "private-committed-labels", "Private data, committed labels" },
    };
    for (int m = 0; m < 3; m++) {
        fixture fx;
        build(&fx, ZP_STOP_FIXED, 0);
        fx.rep.data_mode = m;
        fx.rep.labels_file = m == 1 ? "labels <1>.csv" : NULL;
        fx.rep.labels_sha256 = m == 1 ? "ab12" : NULL;
        char *js = zr_render_json(&fx.rep), *md = zr_render_markdown(&fx.rep),
             *html = zr_render_html(&fx.rep);
        assert_non_null(js);
        assert_non_null(md);
        assert_non_null(html);
        json_error_t je;
        json_t *root = json_loads(js, 0, &je), *d = json_object_get(root, "data");
        assert_non_null(d);
        assert_string_equal(json_string_value(json_object_get(d, "mode")), modes[m][0]);
        assert_string_equal(json_string_value(json_object_get(d, "title")), modes[m][1]);
        assert_true(json_is_string(json_object_get(d, "labels_source")));
        if (m == 1)
            assert_string_equal(json_string_value(json_object_get(d, "labels_sha256")), "ab12");
        else
            assert_true(json_is_null(json_object_get(d, "labels_file")));
        json_decref(root);
        contains(md, modes[m][1]);
        contains(md, modes[m][0]);
        contains(html, modes[m][1]);
        contains(html, "id=\"data\"");
        if (m == 1) {
            contains(md, "labels &lt;1&gt;.csv");
            contains(html, "labels &lt;1&gt;.csv");
        }
        assert_true(well_formed(html));
        free(js), free(md), free(html);
        teardown(&fx);
    }
}

static void test_export(void **state)
{
    (void)state;
    const char *dir = getenv("ZKAUDIT_REPORT_DIR");
    if (!dir || !*dir) {
        skip();
        return;
    }
    fixture fx;
    build(&fx, ZP_STOP_CONFSEQ, 0);
    za_error err;
    assert_int_equal(zr_write_report_dir(&fx.rep, "json,md,html", dir, &err), ZA_OK);
    printf("report written to %s\n", dir);
    teardown(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_numbers),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_variants_and_write),
        cmocka_unit_test(test_strbuf_and_labels),
        cmocka_unit_test(test_empty_audit),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_data_mode),
        cmocka_unit_test(test_model_mode),
        cmocka_unit_test(test_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
