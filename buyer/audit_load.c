/* buyer/audit_load.c - loading and verifying an audit (see audit_load.h). */
#include "buyer/audit_load.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/limits.h"

void zb_audit_free(zb_audit *a)
{
    if (!a)
        return;
    free(a->request_bytes);
    zp_request_free(&a->rq);
    zp_model_commitment_free(&a->mc);
    zp_audit_result_free(&a->res);
    if (a->label_names)
        for (uint32_t c = 0; c < a->ds.n_labels; c++)
            free(a->label_names[c]);
    free(a->label_names);
    free(a->labels);
    zd_dataset_free(&a->ds);
    memset(a, 0, sizeof *a);
}

za_status zb_audit_load(const char *request_path, const char *commit_path,
                        const char *bundle_path, int threads, zb_audit *a, za_error *err)
{
    memset(a, 0, sizeof *a);
    uint8_t *cbuf = NULL;
    size_t clen = 0;
    zp_bundle *b = NULL;
    za_status st;
    if ((st = za_read_file(request_path, ZA_MAX_REQUEST_BYTES, &a->request_bytes,
                           &a->request_len, err)) ||
        (st = zp_request_decode(a->request_bytes, a->request_len, request_path, &a->rq, err)) ||
        (st = za_read_file(commit_path, ZA_MAX_PROOF_BYTES, &cbuf, &clen, err)) ||
        (st = zp_model_commitment_decode(cbuf, clen, commit_path, &a->mc, err)))
        goto out;
    if (memcmp(a->mc.model_id, a->rq.transcript.model_id, 32)) {
        st = za_error_set(err, ZA_ERR_MISMATCH,
                          "%s commits to another model than the one the request audits",
                          commit_path);
        goto out;
    }
    zp_request_id(a->request_bytes, a->request_len, a->request_id);
    if ((st = zp_bundle_open_readonly(bundle_path, &b, err)) ||
        (st = zp_audit_verify(&a->rq, a->request_id, &a->mc, b, threads, &a->res, err)))
        goto out;
out:
    zp_bundle_close(b);
    free(cbuf);
    if (st != ZA_OK)
        zb_audit_free(a);
    return st;
}

/* ds.label_names is a JSON array of names or null. */
static za_status label_names_of(zb_audit *a, za_error *err)
{
    uint32_t C = a->ds.n_labels;
    a->label_names = calloc(C ? C : 1, sizeof(char *));
    if (!a->label_names)
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    json_t *arr = a->ds.label_names ? json_loads(a->ds.label_names, 0, NULL) : NULL;
    for (uint32_t c = 0; c < C; c++) {
        json_t *v = json_is_array(arr) ? json_array_get(arr, c) : NULL;
        char num[16];
        snprintf(num, sizeof num, "%u", c);
        a->label_names[c] = strdup(json_is_string(v) ? json_string_value(v) : num);
        if (!a->label_names[c]) {
            json_decref(arr);
            return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
        }
    }
    json_decref(arr);
    return ZA_OK;
}

za_status zb_audit_load_labels(zb_audit *a, const char *db_path, za_error *err)
{
    zd_db *db = NULL;
    za_status st;
    if ((st = zd_db_open(db_path, 0, &db, err)) ||
        (st = zd_db_show(db, a->rq.dataset_name, &a->ds, err)))
        goto out;
    if (memcmp(a->ds.root, a->rq.transcript.dataset_root, 32) ||
        a->ds.count != a->rq.transcript.dataset_count) {
        st = za_error_set(err, ZA_ERR_MISMATCH,
                          "dataset '%s' in %s is not the one the request sampled (root or size "
                          "differs)", a->rq.dataset_name, db_path);
        goto out;
    }
    if (!(a->labels = calloc(a->rq.n ? a->rq.n : 1, sizeof *a->labels))) {
        st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (uint64_t i = 0; i < a->rq.n && st == ZA_OK; i++) {
        uint8_t *data = NULL, h[32];
        size_t len;
        st = zd_db_example(db, a->rq.dataset_name, a->rq.indices[i], &a->labels[i], &data, &len,
                           h, err);
        free(data);
    }
    if (st == ZA_OK)
        st = label_names_of(a, err);
out:
    zd_db_close(db);
    return st;
}
