/* reports/report.h - the audit report in three formats: report.json for
 * programs (schema "zkaudit-report/v1", docs/report.md), report.md for
 * people reading text, report.html (one self-contained file, inline SVG
 * charts, no scripts, no external resources) for people reading at a glance.
 *
 * Every format carries the same facts: the accuracy (x of n); every interval
 * of protocol/stats_interval.h side by side with the recommended one marked
 * and why; per-class accuracy with intervals; the confusion matrix with its
 * "no valid proof" column; proofs checked / valid / invalid / missing and
 * every invalid or missing sample with its reason; the sequential rule's
 * result; the cost and how it was computed, with the +-5% / +-1%
 * projections and the samples each method needs (the saving against the
 * seed paper's Hoeffding bound); the data mode (public dataset, private
 * data in the review flow, private data with committed labels) and where
 * the labels come from; the whole sampling transcript; and the
 * statement that the proofs are sound but not yet zero-knowledge.
 *
 * The numbers are computed by protocol/audit_summary.h; the renderers only
 * format them (and a few closed-form figures such as the paper's Hoeffding
 * sample counts).  Strings from the dataset or the seller (label names,
 * reasons, the bundle path) are escaped for each format.
 *
 * Ownership: zr_report only borrows; the render functions return a new
 * malloc'd NUL-terminated string that the caller free()s, or NULL when
 * memory ran out (the only way they fail).
 */
#ifndef ZR_REPORT_H
#define ZR_REPORT_H

#include <stdint.h>

#include "common/error.h"
#include "protocol/audit_summary.h"
#include "protocol/audit_verify.h"
#include "protocol/request.h"

#define ZR_SCHEMA "zkaudit-report/v1"

typedef struct {
    const zp_request *request;      /* the audit request (transcript, indices) */
    const zp_audit_result *result;  /* per-sample verdicts, request order */
    const zp_audit_summary *summary; /* zp_audit_summarize of the two above */
    const uint32_t *labels;         /* request->n committed labels, request order */
    const uint8_t *request_id;      /* 32 bytes (zp_request_id) */
    const char *bundle_path;        /* the seller's bundle as given; NULL: not named */
    const char *generated_at;       /* e.g. "2026-12-03T11:20:00Z"; NULL: not stated */
    /* the data mode (docs/protocol.md "Private data"): zp_data_mode of
     * protocol/private_dataset.h, 0 = the buyer's public dataset index */
    int data_mode;
    const char *labels_file;        /* review flow: the auditor's labels file; NULL: none */
    const char *labels_sha256;      /* its SHA-256 in hex; NULL: none */
    /* the model mode (docs/zero-knowledge.md): 1 for a private model
     * commitment, whose proofs (all blinded: its verifier accepts no other)
     * are zero-knowledge about the weights; 0 for a public one */
    int model_private;
    unsigned proof_budget;          /* a private commitment's budget of proofs */
} zr_report;

char *zr_render_json(const zr_report *r);
char *zr_render_markdown(const zr_report *r);
char *zr_render_html(const zr_report *r);

/* Write the formats named in `formats` (comma-separated subset of "json",
 * "md", "html"; e.g. "json,md,html") as dir/report.json, dir/report.md,
 * dir/report.html, each atomically; dir is created if needed.  ZA_ERR_ARG
 * for an unknown or empty format list (nothing written), ZA_ERR_NOMEM,
 * ZA_ERR_IO. */
za_status zr_write_report_dir(const zr_report *r, const char *formats, const char *dir,
                              za_error *err) ZA_WARN_UNUSED;

#endif
