/* reports/facts.c - see facts.h. */
#include "reports/facts.h"

#include <stdio.h>
#include <string.h>

#include "common/hex.h"
#include "protocol/sampling.h"
#include "protocol/stats_plan.h"
#include "protocol/stats_seq.h"

static const zr_method_info methods[ZP_CI_METHODS] = {
    [ZP_CI_CLOPPER_PEARSON] = { "clopper-pearson", "Clopper-Pearson", 2, 1,
                                "exact: accuracy on the data distribution" },
    [ZP_CI_HYPERGEOMETRIC] = { "hypergeometric", "Hypergeometric", 2, 1,
                               "exact: accuracy on this committed test set" },
    [ZP_CI_WILSON] = { "wilson", "Wilson", 2, 0, "approximate, shorter, for display" },
    [ZP_CI_JEFFREYS] = { "jeffreys", "Jeffreys", 2, 0, "approximate, shorter, for display" },
    [ZP_CI_EXACT_LOWER] = { "exact-lower", "Exact lower bound", 1, 1,
                            "exact one-sided: certifies accuracy >= lower bound" },
    [ZP_CI_HOEFFDING_ONE] = { "hoeffding-one-sided", "Hoeffding (one-sided)", 1, 1,
                              "the seed paper's bound, conservative" },
    [ZP_CI_HOEFFDING_TWO] = { "hoeffding-two-sided", "Hoeffding (two-sided)", 2, 1,
                              "tail bound, conservative" },
};

const zr_method_info *zr_method(zp_ci_method m)
{
    return &methods[(int)m >= 0 && (int)m < ZP_CI_METHODS ? m : 0];
}

static const zr_data_mode_info data_modes[3] = {
    { "public-dataset", "Public dataset",
      "The buyer's own test set, committed to in its dataset index; every sampled example was "
      "sent to the seller with its inclusion proof.",
      "the labels committed in the buyer's dataset index" },
    { "private-review", "Private data, review flow",
      "The data holder's own examples under a hiding commitment (salted leaves, no labels); "
      "only the sampled examples were revealed to the auditor, each with its inclusion proof; "
      "nothing of the other examples was revealed.",
      "assigned by the auditor after reviewing the revealed examples" },
    { "private-committed-labels", "Private data, committed labels",
      "The data holder's own examples under a hiding commitment that includes their labels; "
      "only the sampled examples' labels were revealed, each with its inclusion proof; the "
      "inputs stayed hidden.",
      "the holder's committed labels, opened in its reveal" },
};

const zr_data_mode_info *zr_data_mode(int mode)
{
    return &data_modes[mode >= 0 && mode < 3 ? mode : 0];
}

static const zr_model_mode_info model_modes[2] = {
    { "public-model", "Public model commitment",
      "A binding commitment to the weights; the proofs are sound, but their messages and "
      "openings are functions of the weights and may reveal information about them.", 0 },
    { "private-model", "Private model commitment",
      "A hiding commitment to the weights with a budget of proofs; every proof is a "
      "zero-knowledge proof: it reveals the architecture, the quantization parameters and the "
      "outputs, and nothing else about the weights and biases.", 1 },
};

const zr_model_mode_info *zr_model_mode(int model_private)
{
    return &model_modes[model_private ? 1 : 0];
}

const char zr_soundness_note[] =
    "The proofs are sound (a seller cannot make a wrong prediction verify) but not yet "
    "zero-knowledge: the proof data may reveal information about the model's weights.";
const char zr_invalid_rule[] =
    "An invalid or missing proof counts as a wrong prediction (agreed in the audit parameters).";
const char zr_stratified_note[] =
    "Stratified by the test set's class frequencies; normal approximation, for comparison only.";
const char zr_class_ci_method[] = "clopper-pearson";
const char zr_why_recommended[] =
    "the claim is about the accuracy on this committed test set";

void zr_why_text(const zr_report *r, char *out, size_t len)
{
    snprintf(out, len,
             "Recommended: %s, because %s of N = %llu items, sampled without replacement (exact; "
             "Clopper-Pearson, about the data distribution, is also valid but wider).",
             zr_method(r->summary->recommended)->title, zr_why_recommended,
             (unsigned long long)r->summary->N);
}

static const char *stop_name(zp_stop_rule s)
{
    switch (s) {
    case ZP_STOP_FIXED: return "fixed";
    case ZP_STOP_CONFSEQ: return "confseq";
    case ZP_STOP_SPRT: return "sprt";
    }
    return "unknown";
}

void zr_facts_init(const zr_report *r, zr_facts *f)
{
    memset(f, 0, sizeof *f);
    const zp_request *rq = r->request;
    const zp_sample_transcript *t = &rq->transcript;
    const zp_audit_summary *s = r->summary;
    if (r->request_id)
        za_hex_encode(r->request_id, 32, f->request_id);
    za_hex_encode(t->dataset_root, 32, f->dataset_root);
    za_hex_encode(t->model_id, 32, f->model_id);
    za_hex_encode(t->params_hash, 32, f->params_hash);
    za_hex_encode(rq->buyer_commitment, 32, f->buyer_commitment);
    za_hex_encode(t->buyer_seed, 32, f->buyer_seed);
    if (t->use_beacon)
        za_hex_encode(t->beacon_hash, 32, f->beacon_hash);
    else
        za_hex_encode(t->seller_seed, 32, f->seller_seed);
    uint8_t h[32];
    zp_request_seed(rq, h);
    za_hex_encode(h, 32, f->sample_seed);
    zp_indices_hash(rq->indices, rq->n, h);
    za_hex_encode(h, 32, f->indices_hash);
    f->seed_source = t->use_beacon ? "beacon" : "seller-seed";
    f->stop_rule = stop_name(rq->params.stop);
    f->sprt = zp_sprt_decision_name(s->sprt);
    f->bundle_path = r->bundle_path ? r->bundle_path : "";
    f->generated_at = r->generated_at ? r->generated_at : "";
    snprintf(f->confidence_pct, sizeof f->confidence_pct, "%.4g%%", 100 * s->confidence);
    za_error e;
    if (zp_plan_samples(ZP_CI_HOEFFDING_ONE, 0.05, s->confidence, s->N, ZP_PLAN_WORST_CASE,
                        &f->hoeffding_5, &e) != ZA_OK)
        f->hoeffding_5 = 0;
    if (zp_plan_samples(ZP_CI_HOEFFDING_ONE, 0.01, s->confidence, s->N, ZP_PLAN_WORST_CASE,
                        &f->hoeffding_1, &e) != ZA_OK)
        f->hoeffding_1 = 0;
    uint64_t ho = s->planned[ZP_CI_HOEFFDING_ONE], rec = s->planned[s->recommended];
    if (ho && rec && rec < ho) {
        f->saving = ho - rec;
        f->saving_fraction = (double)f->saving / (double)ho;
    }
}

void zr_sequential_text(const zr_report *r, const zr_facts *f, char *out, size_t len)
{
    const zp_audit_summary *s = r->summary;
    const zp_audit_params *p = &r->request->params;
    unsigned long long n = (unsigned long long)s->n, at = (unsigned long long)s->stopped_at;
    char cs[160];
    snprintf(cs, sizeof cs,
             "the anytime-valid confidence sequence after all %llu samples is [%.4f, %.4f]", n,
             s->cs_final.lo, s->cs_final.hi);
    switch (p->stop) {
    case ZP_STOP_FIXED:
        snprintf(out, len, "Fixed sample size (rule \"%s\"): every sample verified; %s.",
                 f->stop_rule, cs);
        break;
    case ZP_STOP_CONFSEQ:
        if (s->stopped_at)
            snprintf(out, len,
                     "Confidence sequence (rule \"%s\"): its half-width reached the margin "
                     "\xC2\xB1%.4g after %llu samples, where the audit could stop; %s.",
                     f->stop_rule, p->margin, at, cs);
        else
            snprintf(out, len,
                     "Confidence sequence (rule \"%s\"): its half-width did not reach the margin "
                     "\xC2\xB1%.4g within %llu samples; %s.",
                     f->stop_rule, p->margin, n, cs);
        break;
    case ZP_STOP_SPRT:
        if (s->sprt == ZP_SPRT_ACCEPT)
            snprintf(out, len,
                     "Wald's SPRT (rule \"%s\"): accepted \"accuracy >= %.4g\" against "
                     "\"accuracy <= %.4g\" after %llu samples; %s.",
                     f->stop_rule, p->threshold, p->threshold0, at, cs);
        else if (s->sprt == ZP_SPRT_REJECT)
            snprintf(out, len,
                     "Wald's SPRT (rule \"%s\"): rejected \"accuracy >= %.4g\" in favour of "
                     "\"accuracy <= %.4g\" after %llu samples; %s.",
                     f->stop_rule, p->threshold, p->threshold0, at, cs);
        else
            snprintf(out, len,
                     "Wald's SPRT (rule \"%s\"): undecided between \"accuracy >= %.4g\" and "
                     "\"accuracy <= %.4g\" after %llu samples; %s.",
                     f->stop_rule, p->threshold, p->threshold0, n, cs);
        break;
    default:
        snprintf(out, len, "Unknown stop rule; %s.", cs);
    }
}

void zr_cost_text(const zr_report *r, char *out, size_t len)
{
    const zp_audit_summary *s = r->summary;
    const zp_audit_result *res = r->result;
    snprintf(out, len,
             "Cost = samples x (prover CPU-s per sample + verification s per sample) / 3600 x "
             "price per CPU-hour. Prover CPU-s per sample measured by the seller and recorded "
             "in the bundle: %.4g CPU-s over %llu proven samples = %.4g; verification measured "
             "here: %.4g CPU-s over %llu samples = %.4g; price %.4g USD per CPU-hour (an "
             "input, not a quote).",
             res->prove_cpu_s, (unsigned long long)res->proven_samples,
             s->prover_cpu_s_per_sample, res->verify_cpu_s, (unsigned long long)s->n,
             s->verify_s_per_sample, s->price_per_cpu_hour);
}

void zr_fmt_usd(double usd, char *out, size_t len)
{
    if (usd >= 1 || usd == 0)
        snprintf(out, len, "%.2f", usd);
    else if (usd >= 0.01)
        snprintf(out, len, "%.4f", usd);
    else
        snprintf(out, len, "%.3g", usd);
}
