/* reports/facts.h - (internal) what the three renderers say in common:
 * hex forms of the transcript, the names and notes of the methods, the
 * seed paper's Hoeffding sample counts, the fixed sentences.  Computed once
 * per render so that JSON, Markdown and HTML cannot disagree.
 *
 * Ownership: a plain caller-owned value; the strings point into it, into
 * the zr_report it was built from, or to static text.
 */
#ifndef ZR_FACTS_H
#define ZR_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/stats_interval.h"
#include "reports/report.h"

typedef struct {
    const char *name;    /* zp_ci_method_name */
    const char *title;   /* for people: "Clopper-Pearson" */
    int sides;           /* 1: lower bound only (hi = 1); 2: both */
    int exact;           /* guaranteed coverage */
    const char *claim;   /* what the interval is about, one line */
} zr_method_info;

typedef struct {
    char request_id[65], dataset_root[65], model_id[65], params_hash[65];
    char buyer_commitment[65], buyer_seed[65], seller_seed[65], beacon_hash[65];
    char sample_seed[65], indices_hash[65];
    const char *seed_source;  /* "seller-seed" or "beacon" */
    const char *stop_rule;    /* "fixed", "confseq", "sprt" */
    const char *sprt;         /* zp_sprt_decision_name */
    const char *bundle_path;  /* "" when not named */
    const char *generated_at; /* "" when not stated */
    char confidence_pct[16];  /* "95%" */
    /* samples the seed paper's one-sided Hoeffding bound needs at +-5% and
     * +-1% at the audit's confidence (600 and 14,979 at 95%); 0: n/a */
    uint64_t hoeffding_5, hoeffding_1;
    /* at the audit's margin: the recommended method's plan against
     * one-sided Hoeffding */
    uint64_t saving;          /* planned[hoeffding-one] - planned[recommended], or 0 */
    double saving_fraction;
} zr_facts;

void zr_facts_init(const zr_report *r, zr_facts *f);

const zr_method_info *zr_method(zp_ci_method m);

/* The data mode as the reports state it (r->data_mode). */
typedef struct {
    const char *name;          /* "public-dataset", "private-review", "private-committed-labels" */
    const char *title;         /* "Public dataset", "Private data, review flow", ... */
    const char *description;   /* who holds the data, what was revealed */
    const char *labels_source; /* where the labels come from */
} zr_data_mode_info;
const zr_data_mode_info *zr_data_mode(int mode);

/* The model mode as the reports state it (r->model_private). */
typedef struct {
    const char *name;        /* "private-model", "public-model" */
    const char *title;
    const char *description; /* what the proofs reveal of the model */
    int zero_knowledge;
} zr_model_mode_info;
const zr_model_mode_info *zr_model_mode(int model_private);

/* Fixed sentences. */
extern const char zr_why_recommended[];  /* about the committed test set */
extern const char zr_soundness_note[];   /* sound, not yet zero-knowledge */
extern const char zr_invalid_rule[];     /* invalid/missing count as wrong */
extern const char zr_stratified_note[];
extern const char zr_class_ci_method[];  /* "clopper-pearson" */

/* "the recommended interval is the hypergeometric one because ... N = 10000
 * items" with N filled in, into out (size >= 256). */
void zr_why_text(const zr_report *r, char *out, size_t len);

/* A USD amount readable at any size: 2 decimals from 1 USD, 4 from 0.01,
 * else 3 significant digits ("0.000266"). */
void zr_fmt_usd(double usd, char *out, size_t len);

/* One sentence on the sequential rule's outcome (stop rule, where it
 * stopped or the SPRT's decision, the confidence sequence after n). */
void zr_sequential_text(const zr_report *r, const zr_facts *f, char *out, size_t len);
/* One sentence on where the cost inputs come from. */
void zr_cost_text(const zr_report *r, char *out, size_t len);

#endif
