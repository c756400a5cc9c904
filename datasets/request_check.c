/* datasets/request_check.c - inclusion and preparation checks of a request
 * (see request_check.h). */
#include "datasets/request_check.h"

#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"
#include "datasets/prepare.h"
#include "protocol/dataset_commit.h"
#include "protocol/private_dataset.h"

za_status zd_check_request(const zp_request *rq, za_error *err)
{
    zd_prep prep;
    za_error perr;
    /* no recipe: the stored bytes are the model input */
    const char *recipe = rq->prep[0] ? rq->prep : "v1;identity";
    if (zd_prep_parse(recipe, &prep, &perr) != ZA_OK)
        return za_error_set(err, ZA_ERR_MALFORMED, "request: input preparation: %s", perr.msg);
    if (rq->input_len != rq->stored_len)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "request: %zu input bytes per sample from %zu stored bytes: a "
                            "recipe maps each stored byte to one input byte", rq->input_len,
                            rq->stored_len);
    uint8_t *buf = malloc(rq->input_len ? rq->input_len : 1);
    if (!buf)
        return za_error_set(err, ZA_ERR_NOMEM, "request: out of memory");
    zp_ds_digest root;
    memcpy(root.h, rq->transcript.dataset_root, 32);
    za_status st = ZA_OK;
    /* a private commitment (private data, review flow) or the public one: one
     * kind for the whole request; the roots are distinct hash domains, so a
     * proof of one kind never leads to a root of the other */
    int private_mode = rq->n > 0 && zp_pd_is_proof(rq->inclusion[0], rq->inclusion_len[0]);
    for (uint64_t i = 0; i < rq->n && st == ZA_OK; i++) {
        const uint8_t *stored = rq->stored + i * rq->stored_len;
        int bad;
        if (private_mode) {
            /* the review flow only: the proof opens the input, and the
             * commitment has no labels (the auditor's labels are used) */
            zp_pd_proof pp;
            bad = zp_pd_proof_decode(rq->inclusion[i], rq->inclusion_len[i], &pp, &perr) ||
                  zp_pd_proof_verify(&pp, &root, rq->transcript.dataset_count, pp.variant,
                                     rq->indices[i], &perr) ||
                  zp_pd_proof_check_input(&pp, stored, rq->stored_len, &perr);
            if (!bad && pp.variant != ZP_PD_NO_LABELS) {
                za_error_set(&perr, ZA_ERR_MISMATCH, "a committed-labels commitment: its "
                             "inputs stay hidden (hidden-input proofs need zero-knowledge "
                             "proofs, not yet available)");
                bad = 1;
            }
        } else {
            uint8_t h[32];
            za_sha256(stored, rq->stored_len, h);
            zp_ds_proof p;
            bad = zp_ds_proof_decode(rq->inclusion[i], rq->inclusion_len[i], &p, &perr) != ZA_OK ||
                  zp_ds_proof_verify(&p, &root, rq->transcript.dataset_count, rq->indices[i],
                                     p.label, h, &perr) != ZA_OK;
        }
        if (bad) {
            st = za_error_set(err, ZA_ERR_MISMATCH,
                              "request: sample %llu (dataset index %llu) is not in the "
                              "committed dataset: %s", (unsigned long long)i,
                              (unsigned long long)rq->indices[i], perr.msg);
            break;
        }
        if (zd_prep_apply(&prep, stored, rq->stored_rank, rq->stored_shape, buf, rq->input_len,
                          &perr) != ZA_OK) {
            st = za_error_set(err, ZA_ERR_MISMATCH, "request: sample %llu: %s",
                              (unsigned long long)i, perr.msg);
            break;
        }
        if (memcmp(buf, rq->inputs + i * rq->input_len, rq->input_len))
            st = za_error_set(err, ZA_ERR_MISMATCH,
                              "request: sample %llu (dataset index %llu): the model input is "
                              "not the stored example under the recipe '%s'",
                              (unsigned long long)i, (unsigned long long)rq->indices[i], recipe);
    }
    free(buf);
    return st;
}

za_status zd_check_request_model(const zp_request *rq, const zm_model *m, za_error *err)
{
    zd_prep prep;
    za_error perr;
    const char *recipe = rq->prep[0] ? rq->prep : "v1;identity";
    if (zd_prep_parse(recipe, &prep, &perr) != ZA_OK)
        return za_error_set(err, ZA_ERR_MALFORMED, "request: input preparation: %s", perr.msg);
    if (prep.identity || prep.layout != ZD_PREP_NCHW)
        return ZA_OK;
    const uint32_t *s = rq->stored_shape;
    int ok = rq->stored_rank == 3 && m->n_inputs == 1;
    if (ok) {
        const zm_tensor *t = &m->tensors[m->inputs[0]];
        int lead = t->rank - 3;
        ok = (t->rank == 3 || (t->rank == 4 && t->shape[0] == 1)) &&
             (uint32_t)t->shape[lead] == s[2] && (uint32_t)t->shape[lead + 1] == s[0] &&
             (uint32_t)t->shape[lead + 2] == s[1];
    }
    if (!ok)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "request: the stored shape %ux%ux%u (rank %u) under layout nchw is "
                            "not the model's input shape: the transposed inputs would not be "
                            "the examples", rq->stored_rank > 0 ? s[0] : 0,
                            rq->stored_rank > 1 ? s[1] : 0, rq->stored_rank > 2 ? s[2] : 0,
                            rq->stored_rank);
    return ZA_OK;
}
