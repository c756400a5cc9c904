/* protocol/model_commit.c - committing to a model's weights. */
#include "protocol/model_commit.h"

#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"
#include "protocol/circuit.h"
#include "zk/commit.h"
#include "zk/encode.h"

#define MODEL_COMMIT_VERSION 1

static int is_weighted(int opcode)
{
    return opcode == ZM_OP_CONV_2D || opcode == ZM_OP_DEPTHWISE_CONV_2D ||
           opcode == ZM_OP_FULLY_CONNECTED;
}

za_status zp_strip_model(const zm_model *m, uint8_t **out, size_t *len, za_error *err)
{
    uint8_t *b = malloc(m->file_len ? m->file_len : 1);
    if (!b)
        return za_error_set(err, ZA_ERR_NOMEM, "commit-model: out of memory");
    memcpy(b, m->file, m->file_len);
    for (int i = 0; i < m->n_ops; i++) {
        const zm_op *o = &m->ops[i];
        if (!is_weighted(o->opcode))
            continue;
        for (int j = 1; j < o->n_inputs && j <= 2; j++) {
            int t = o->inputs[j];
            if (t < 0 || !m->tensors[t].data)
                continue;
            size_t off = (size_t)(m->tensors[t].data - m->file);
            if (off + (size_t)m->tensors[t].n_bytes <= m->file_len)
                memset(b + off, 0, (size_t)m->tensors[t].n_bytes);
        }
    }
    *out = b;
    *len = m->file_len;
    return ZA_OK;
}

static void compute_id(zp_model_commitment *mc)
{
    uint8_t dh[32];
    za_sha256(mc->descriptor, mc->descriptor_len, dh);
    zk_writer w;
    zk_writer_init(&w);
    zk_pcs_commitment_write(&w, &mc->weights);
    za_sha256_ctx c;
    za_sha256_init(&c);
    static const char tag[] = "zkaudit/model-id/v1";
    za_sha256_update(&c, tag, sizeof tag);
    uint8_t prof = (uint8_t)mc->rounding;
    za_sha256_update(&c, &prof, 1);
    za_sha256_update(&c, dh, sizeof dh);
    za_sha256_update(&c, w.buf, w.len);
    za_sha256_final(&c, mc->model_id);
    zk_writer_free(&w);
}

za_status zp_model_commit(const zm_model *m, zm_rounding r, int threads, zp_model_commitment *out,
                          za_error *err)
{
    return zp_model_commit_ex(m, r, threads, NULL, out, err);
}

za_status zp_model_commit_ex(const zm_model *m, zm_rounding r, int threads,
                             const zp_model_secret *secret, zp_model_commitment *out,
                             za_error *err)
{
    memset(out, 0, sizeof *out);
    zm_engine *e = NULL;
    zp_circuit *c = NULL;
    zk_fp *vecs[ZP_MAX_VECS];
    size_t lens[ZP_MAX_VECS];
    zk_multi_prover *mp = NULL;
    zk_multi_layout L;
    za_status st = zm_engine_create(m, r, &e, err);
    if (!st)
        st = zp_circuit_compile(m, e, r, 1, &c, err);
    if (!st)
        st = zp_circuit_weights(c, vecs, err);
    if (!st) {
        for (unsigned v = 0; v < c->n_wts; v++)
            lens[v] = (size_t)1 << c->wts_log[v];
        zk_multi_commit_opts o = { secret ? secret->budget : 0, secret ? secret->seed : NULL };
        st = zk_multi_commit_ex((const zk_fp *const *)vecs, lens, c->n_wts, secret ? &o : NULL,
                                threads, &mp, &out->weights, &L, err);
        for (unsigned v = 0; v < c->n_wts; v++)
            free(vecs[v]);
    }
    zk_multi_prover_free(mp);
    zp_circuit_free(c);
    zm_engine_free(e);
    if (!st)
        st = zp_strip_model(m, &out->descriptor, &out->descriptor_len, err);
    if (st) {
        zp_model_commitment_free(out);
        return st;
    }
    out->rounding = r;
    compute_id(out);
    return ZA_OK;
}

int zp_model_commitment_is_private(const zp_model_commitment *mc)
{
    return mc->weights.params.hiding_openings != 0;
}

void zp_model_commitment_free(zp_model_commitment *mc)
{
    free(mc->descriptor);
    memset(mc, 0, sizeof *mc);
}

za_status zp_model_commitment_encode(const zp_model_commitment *mc, uint8_t **out, size_t *len,
                                     za_error *err)
{
    zk_writer w;
    zk_writer_init(&w);
    size_t mark = zk_writer_begin_container(&w, ZK_KIND_MODEL_COMMITMENT);
    zk_write_u32(&w, MODEL_COMMIT_VERSION);
    zk_write_u8(&w, (uint8_t)mc->rounding);
    zk_write_bytes(&w, mc->model_id, 32);
    zk_pcs_commitment_write(&w, &mc->weights);
    zk_write_byte_string(&w, mc->descriptor, mc->descriptor_len);
    zk_writer_end_container(&w, mark);
    za_status st = zk_writer_status(&w, err);
    if (st) {
        zk_writer_free(&w);
        return st;
    }
    *out = zk_writer_take(&w, len);
    return ZA_OK;
}

za_status zp_model_commitment_decode(const uint8_t *buf, size_t len, const char *name,
                                     zp_model_commitment *out, za_error *err)
{
    memset(out, 0, sizeof *out);
    zk_reader r;
    zk_reader_init(&r, buf, len, name, err);
    uint32_t version = 0;
    uint8_t prof = 0, id[32];
    const uint8_t *desc = NULL;
    size_t dlen = 0;
    if (zk_reader_open_container(&r, ZK_KIND_MODEL_COMMITMENT) ||
        zk_read_u32(&r, "version", &version))
        return zk_reader_status(&r);
    if (version != MODEL_COMMIT_VERSION)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: model commitment version %u (expected %d)",
                            name, version, MODEL_COMMIT_VERSION);
    if (zk_read_u8(&r, "rounding profile", &prof) || zk_read_bytes(&r, "model id", id, 32) ||
        zk_pcs_commitment_read(&r, &out->weights) ||
        zk_read_byte_string(&r, "descriptor", ZA_MAX_PROOF_BYTES, &desc, &dlen) ||
        zk_reader_finish(&r))
        return zk_reader_status(&r);
    if (prof != ZM_ROUNDING_TFLITE && prof != ZM_ROUNDING_REFERENCE)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: unknown rounding profile %u", name, prof);
    out->rounding = (zm_rounding)prof;
    out->descriptor = malloc(dlen ? dlen : 1);
    if (!out->descriptor)
        return za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", name);
    memcpy(out->descriptor, desc, dlen);
    out->descriptor_len = dlen;
    compute_id(out);
    if (memcmp(id, out->model_id, 32) != 0) {
        zp_model_commitment_free(out);
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "%s: the model id does not match the descriptor and commitment", name);
    }
    return ZA_OK;
}

za_status zp_model_commitment_load(const zp_model_commitment *mc, zm_model **out, za_error *err)
{
    return zm_model_load_buffer(mc->descriptor, mc->descriptor_len, "model descriptor", out, err);
}
