/* buyer/audit_load.c - loading and verifying an audit (see audit_load.h). */
#include "buyer/audit_load.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/hex.h"
#include "common/limits.h"
#include "common/sha256.h"
#include "protocol/private_dataset.h"

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
    a->data_mode = (int)zp_request_data_mode(&a->rq);
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
    if (a->data_mode != ZP_DATA_PUBLIC)
        return za_error_set(err, ZA_ERR_MISMATCH, "the request is of private data (%s): its "
                            "labels come from --private-dataset with --labels or --reveal, not "
                            "from a dataset index", zp_data_mode_name((zp_data_mode)a->data_mode));
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

/* the request position of each dataset index, by binary search over a
 * sorted copy */
typedef struct {
    uint64_t index, pos;
} idx_pos;

static int cmp_idx(const void *a, const void *b)
{
    const idx_pos *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

static za_status parse_labels_csv(zb_audit *a, const char *path, const char *text, size_t len,
                                  uint32_t n_labels, za_error *err)
{
    uint64_t n = a->rq.n;
    idx_pos *map = calloc(n ? n : 1, sizeof *map);
    uint8_t *seen = calloc(n ? n : 1, 1);
    za_status st = ZA_OK;
    if (!map || !seen) {
        st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (uint64_t i = 0; i < n; i++)
        map[i] = (idx_pos){ a->rq.indices[i], i };
    qsort(map, n, sizeof *map, cmp_idx);
    size_t o = 0;
    unsigned long line = 0;
    while (o < len && st == ZA_OK) {
        size_t e = o;
        while (e < len && text[e] != '\n')
            e++;
        line++;
        char buf[ZA_MAX_LABELS_LINE_BYTES + 1];
        size_t l = e - o;
        if (l && text[o + l - 1] == '\r')
            l--;
        if (l >= sizeof buf) {
            st = za_error_set(err, ZA_ERR_MALFORMED, "%s:%lu: line too long", path, line);
            break;
        }
        memcpy(buf, text + o, l);
        buf[l] = 0;
        o = e + 1;
        if (l == 0 || (line == 1 && !strcmp(buf, "index,label")))
            continue;
        char *comma = strchr(buf, ',');
        uint64_t idx = 0, lab = 0;
        int ok = comma && comma > buf && comma[1];
        for (char *c = buf; ok && c < comma; c++)
            ok = *c >= '0' && *c <= '9' && idx <= (UINT64_MAX - 9) / 10,
            idx = idx * 10 + (uint64_t)(*c - '0');
        for (char *c = comma ? comma + 1 : buf; ok && *c; c++)
            ok = *c >= '0' && *c <= '9' && lab < 0xffffffffu / 10,
            lab = lab * 10 + (uint64_t)(*c - '0');
        if (!ok) {
            st = za_error_set(err, ZA_ERR_MALFORMED, "%s:%lu: expected \"index,label\" with "
                              "two whole numbers, got \"%s\"", path, line, buf);
            break;
        }
        idx_pos key = { idx, 0 };
        idx_pos *hit = bsearch(&key, map, n, sizeof *map, cmp_idx);
        if (!hit) {
            st = za_error_set(err, ZA_ERR_MISMATCH, "%s:%lu: example %llu is not one of the "
                              "request's samples", path, line, (unsigned long long)idx);
        } else if (seen[hit->pos]) {
            st = za_error_set(err, ZA_ERR_MISMATCH, "%s:%lu: a second label for example %llu",
                              path, line, (unsigned long long)idx);
        } else if (lab >= n_labels) {
            st = za_error_set(err, ZA_ERR_MISMATCH, "%s:%lu: label %llu of example %llu: the "
                              "commitment has %u labels", path, line, (unsigned long long)lab,
                              (unsigned long long)idx, n_labels);
        } else {
            seen[hit->pos] = 1;
            a->labels[hit->pos] = (uint32_t)lab;
        }
    }
    for (uint64_t i = 0; i < n && st == ZA_OK; i++)
        if (!seen[i])
            st = za_error_set(err, ZA_ERR_MISMATCH, "%s: no label for example %llu (sample %llu)",
                              path, (unsigned long long)a->rq.indices[i], (unsigned long long)i);
out:
    free(map);
    free(seen);
    return st;
}

za_status zb_audit_load_private_labels(zb_audit *a, const char *commit_path,
                                       const char *labels_path, const char *reveal_path,
                                       za_error *err)
{
    uint8_t *cbuf = NULL, *buf = NULL;
    size_t clen = 0, len = 0;
    zp_pd_commitment c;
    zp_pd_reveal r;
    memset(&r, 0, sizeof r);
    za_status st;
    if (!labels_path == !reveal_path)
        return za_error_set(err, ZA_ERR_ARG, "private data: the labels file (review flow) or "
                            "the reveal (committed labels), one of the two");
    if ((st = za_read_file(commit_path, ZP_PD_MAX_COMMIT_JSON, &cbuf, &clen, err)) ||
        (st = zp_pd_commitment_parse((const char *)cbuf, clen, commit_path, &c, err)))
        goto out;
    if (memcmp(c.root, a->rq.transcript.dataset_root, 32) ||
        c.count != a->rq.transcript.dataset_count || strcmp(c.name, a->rq.dataset_name)) {
        st = za_error_set(err, ZA_ERR_MISMATCH, "%s is not the private commitment the request "
                          "sampled (name, root or size differs)", commit_path);
        goto out;
    }
    a->data_mode = (int)zp_request_data_mode(&a->rq);
    int want = labels_path ? ZP_DATA_PRIVATE_REVIEW : ZP_DATA_PRIVATE_LABELS;
    if (a->data_mode != want ||
        c.variant != (labels_path ? ZP_PD_NO_LABELS : ZP_PD_LABELS)) {
        st = za_error_set(err, ZA_ERR_MISMATCH, "the request is of data mode %s and the "
                          "commitment %s: %s", zp_data_mode_name((zp_data_mode)a->data_mode),
                          zp_pd_variant_name(c.variant),
                          labels_path ? "the auditor's labels are for the review flow (a "
                                        "commitment without labels)"
                                      : "labels from a reveal are for the committed-labels flow");
        goto out;
    }
    if (!(a->labels = calloc(a->rq.n ? a->rq.n : 1, sizeof *a->labels))) {
        st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (labels_path) {
        if ((st = za_read_file(labels_path, ZA_MAX_LABELS_FILE_BYTES, &buf, &len, err)) ||
            (st = parse_labels_csv(a, labels_path, (const char *)buf, len, c.n_labels, err)))
            goto out;
        uint8_t h[32];
        za_sha256(buf, len, h);
        za_hex_encode(h, 32, a->labels_sha256);
    } else if ((st = za_read_file(reveal_path, ZA_MAX_REQUEST_BYTES, &buf, &len, err)) ||
               (st = zp_pd_reveal_decode(buf, len, reveal_path, &r, err)) ||
               (st = zp_pd_reveal_labels(&r, &c, &a->rq, a->labels, err))) {
        goto out;
    }
    a->ds.name = strdup(c.name);
    a->ds.label_names = strdup(c.label_names);
    a->ds.count = c.count;
    memcpy(a->ds.root, c.root, 32);
    a->ds.n_labels = c.n_labels;
    if (!a->ds.name || !a->ds.label_names) {
        st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
        goto out;
    }
    st = label_names_of(a, err);
out:
    free(cbuf);
    free(buf);
    zp_pd_reveal_free(&r);
    return st;
}
