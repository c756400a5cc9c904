/* buyer/audit_load.h - what `buyer verify` and `buyer report` both do first:
 * read the request, the model commitment and the bundle, verify every
 * proof, and (with the dataset index) look up the sampled items' labels. */
#ifndef ZB_AUDIT_LOAD_H
#define ZB_AUDIT_LOAD_H

#include <stdint.h>

#include "common/error.h"
#include "datasets/db.h"
#include "protocol/audit_verify.h"
#include "protocol/model_commit.h"
#include "protocol/request.h"

typedef struct {
    uint8_t *request_bytes;
    size_t request_len;
    uint8_t request_id[32];
    zp_request rq;
    zp_model_commitment mc;
    zp_audit_result res;
    /* with a dataset index (zb_audit_load_labels) */
    zd_dataset ds;          /* the request's dataset, with label counts */
    uint32_t *labels;       /* rq.n labels in request order */
    char **label_names;     /* ds.n_labels names (numbers when the dataset has none) */
    /* the data mode (zp_data_mode, protocol/private_dataset.h) and, in the
     * review flow, the auditor's labels file and its SHA-256 */
    int data_mode;
    char labels_sha256[65]; /* "" when there is no labels file */
} zb_audit;

/* Load and verify; threads <= 0: all cores.  On failure everything is
 * released. */
za_status zb_audit_load(const char *request_path, const char *commit_path,
                        const char *bundle_path, int threads, zb_audit *a,
                        za_error *err) ZA_WARN_UNUSED;

/* Labels of the sampled items from the index, after checking that the
 * dataset there is the request's (same root and size); refuses a request
 * of private data (its labels come from zb_audit_load_private_labels). */
za_status zb_audit_load_labels(zb_audit *a, const char *db_path, za_error *err) ZA_WARN_UNUSED;

/* Private data (docs/protocol.md): the labels of the sampled items, after
 * checking that the private commitment C.json (commit_path) is the
 * request's dataset (same root and size).  Exactly one of
 *   labels_path  the review flow: the auditor's labels, a CSV of
 *                "index,label" lines (an optional "index,label" header),
 *                exactly one line for each sampled index, labels below the
 *                commitment's n_labels; the request must be of the review
 *                flow (private inclusion proofs without labels);
 *   reveal_path  the committed-labels flow: the holder's reveal, checked
 *                against the commitment and the request's draw, whose
 *                labels are used.  (A request of this flow needs
 *                hidden-input proofs, not yet available.)
 * ds gets the commitment's name, size, root, n_labels and label names (no
 * label counts: the class sizes of private data are not known). */
za_status zb_audit_load_private_labels(zb_audit *a, const char *commit_path,
                                       const char *labels_path, const char *reveal_path,
                                       za_error *err) ZA_WARN_UNUSED;

void zb_audit_free(zb_audit *a);

#endif
