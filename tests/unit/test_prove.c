/* tests/unit/test_prove.c - proofs of whole models (protocol/infer_proof.h).
 *
 * On the real models of ../shared (skipped with a message when absent):
 *   - completeness: keras-mnist (DEPTHWISE, CONV, MAX_POOL, FC, SOFTMAX tail,
 *     QUANTIZE head) in both rounding profiles, batch 1 and 2; ResNet-8 (ADD,
 *     AVERAGE_POOL, RESHAPE); hello_world; the verified outputs equal the
 *     engine's byte for byte;
 *   - soundness, one cheating prover per relation kind: an activation, an
 *     accumulator, a limb (the remainder of the threshold check), a lookup
 *     multiplicity, a weight, a bias, a MAX_POOL tap and running maximum, an
 *     ADD output, an average-pool sum, a padding entry, the claimed (cut)
 *     output - every one is rejected;
 *   - a proof checked under another model commitment, with other input
 *     bytes, truncated, or with a byte flipped at ~300 positions spread over
 *     the whole proof, is rejected (and never crashes: ASan/UBSan);
 *   - model commitments are deterministic and survive encode/decode.
 * The whole suite runs twice: on plain proofs and on blinded ones
 * (zp_prove_ex, zk/blind.h), where every check the verifier makes is a
 * constraint decided at the end; test_blinded_differ adds that two blinded
 * proofs of one statement differ and both verify.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/engine.h"
#include "model/model.h"
#include "model/testinput.h"
#include "protocol/circuit.h"
#include "protocol/infer_proof.h"
#include "protocol/model_commit.h"
#include "zk/encode.h"
#include "zk/pcs.h"
#include "zk/transcript.h"
#include "tests/support/tflite_builder.h"
#include "tests/unit/testutil.h"

typedef struct {
    zm_model *m;
    zm_engine *e;
    zp_model_commitment mc;
    zp_circuit *c; /* batch 1 */
    uint8_t *input;
    size_t in_bytes;
    zp_model_secret secret_store;
    const zp_model_secret *secret; /* a private commitment's, or NULL */
} fixture;

static int blinded;      /* the group's proof kind */
static int private_mode; /* the group commits privately (then every proof is blinded) */

/* The fixture's commitment: public, or private (a fixed seed, so that it
 * is deterministic too) in the private group. */
static void commit_fixture(fixture *f, zm_rounding r, int threads)
{
    za_error err;
    f->secret = NULL;
    if (private_mode) {
        memset(&f->secret_store, 0, sizeof f->secret_store);
        for (int i = 0; i < ZP_MODEL_SEED_LEN; i++)
            f->secret_store.seed[i] = (uint8_t)(i * 37 + 11);
        f->secret_store.budget = 16; /* the cheaper hiding layout; 16 proofs of one commitment in test_blinded_uniform */
    }
    assert_int_equal(zp_model_commit_ex(f->m, r, threads, private_mode ? &f->secret_store : NULL,
                                        &f->mc, &err),
                     ZA_OK);
    if (private_mode) {
        memcpy(f->secret_store.model_id, f->mc.model_id, 32);
        f->secret = &f->secret_store;
    }
}

static int load(const char *rel, zm_rounding r, fixture *f)
{
    memset(f, 0, sizeof *f);
    const char *path = zt_shared_path(rel);
    if (!path) {
        print_message("skipped: ../shared not found (%s)\n", rel);
        return 0;
    }
    za_error err;
    assert_int_equal(zm_model_load_file(path, &f->m, &err), ZA_OK);
    assert_int_equal(zm_engine_create(f->m, r, &f->e, &err), ZA_OK);
    commit_fixture(f, r, 2);
    assert_int_equal(zp_circuit_compile(f->m, f->e, r, 1, &f->c, &err), ZA_OK);
    f->in_bytes = (size_t)f->m->tensors[f->m->inputs[0]].n_bytes;
    f->input = malloc(f->in_bytes * 2);
    assert_int_equal(zm_make_input("random:1", f->input, f->in_bytes, &err), ZA_OK);
    assert_int_equal(zm_make_input("random:2", f->input + f->in_bytes, f->in_bytes, &err), ZA_OK);
    return 1;
}

static void unload(fixture *f)
{
    zp_circuit_free(f->c);
    zp_model_commitment_free(&f->mc);
    zm_engine_free(f->e);
    zm_model_free(f->m);
    free(f->input);
}

static zp_cheat no_cheat(void)
{
    zp_cheat c = { -1, -1, -1, 0, 0, -1, -1, 0, 0 };
    return c;
}

static za_status prove(fixture *f, unsigned batch, const zp_cheat *cheat, uint8_t **proof,
                       size_t *len)
{
    za_error err;
    zp_prove_opts po = { .blinded = blinded, .model_secret = f->secret };
    za_status st = zp_prove_ex(f->m, &f->mc, batch, f->input, f->in_bytes * batch, 2, cheat, &po,
                               proof, len, NULL, &err);
    if (st)
        print_message("prove: %s\n", err.msg);
    return st;
}

static za_status verify(const fixture *f, const uint8_t *proof, size_t len, zp_verified *v)
{
    za_error err;
    zp_verified tmp;
    za_status st = zp_verify(&f->mc, proof, len, 2, v ? v : &tmp, &err);
    if (!st && !v)
        zp_verified_free(&tmp);
    return st;
}

/* the engine's output 0 on sample b */
static void engine_output(fixture *f, unsigned b, uint8_t *out)
{
    za_error err;
    assert_int_equal(zm_engine_set_input(f->e, 0, f->input + f->in_bytes * b, f->in_bytes, &err),
                     ZA_OK);
    assert_int_equal(zm_engine_run(f->e, &err), ZA_OK);
    const zm_tensor *t = &f->m->tensors[f->m->outputs[0]];
    memcpy(out, zm_engine_output(f->e, 0), (size_t)t->n_bytes);
}

static void check_complete(fixture *f, unsigned batch)
{
    uint8_t *proof = NULL;
    size_t len = 0;
    assert_int_equal(prove(f, batch, NULL, &proof, &len), ZA_OK);
    zp_verified v;
    assert_int_equal(verify(f, proof, len, &v), ZA_OK);
    assert_int_equal(v.batch, batch);
    assert_memory_equal(v.inputs, f->input, f->in_bytes * batch);
    uint8_t want[4096];
    assert_true(v.out_bytes <= sizeof want);
    for (unsigned b = 0; b < batch; b++) {
        engine_output(f, b, want);
        assert_memory_equal(v.outputs + v.out_bytes * b, want, v.out_bytes);
        assert_int_equal(v.argmax[b], zm_argmax(&f->m->tensors[f->m->outputs[0]], want));
    }
    zp_verified_free(&v);
    free(proof);
}

static void test_complete_mnist(void **state)
{
    (void)state;
    for (int r = 0; r < 2; r++) {
        fixture f;
        if (!load("models/keras-mnist-to-tpu/mnist.tflite",
                  r ? ZM_ROUNDING_REFERENCE : ZM_ROUNDING_TFLITE, &f))
            return;
        check_complete(&f, 1);
        if (r == 0)
            check_complete(&f, 2);
        unload(&f);
    }
}

static void test_complete_resnet_and_small(void **state)
{
    (void)state;
    const char *models[] = { "models/mlcommons-tiny/pretrainedResnet_quant.tflite",
                             "models/tflite-micro/hello_world_int8.tflite" };
    for (int i = 0; i < 2; i++) {
        fixture f;
        if (!load(models[i], ZM_ROUNDING_TFLITE, &f))
            return;
        check_complete(&f, 1);
        unload(&f);
    }
}

static void test_commitment(void **state)
{
    (void)state;
    fixture f;
    if (!load("models/keras-mnist-to-tpu/mnist.tflite", ZM_ROUNDING_TFLITE, &f))
        return;
    za_error err;
    zp_model_commitment again, back;
    uint8_t *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    assert_int_equal(zp_model_commit_ex(f.m, ZM_ROUNDING_TFLITE, 1, f.secret, &again, &err), ZA_OK);
    assert_int_equal(zp_model_commitment_is_private(&again), private_mode);
    assert_int_equal(zp_model_commitment_encode(&f.mc, &a, &la, &err), ZA_OK);
    assert_int_equal(zp_model_commitment_encode(&again, &b, &lb, &err), ZA_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la); /* deterministic */
    assert_int_equal(zp_model_commitment_decode(a, la, "c", &back, &err), ZA_OK);
    assert_memory_equal(back.model_id, f.mc.model_id, 32);
    /* the descriptor holds no weight byte of the model */
    const zm_op *conv = NULL;
    for (int i = 0; i < f.m->n_ops; i++)
        if (f.m->ops[i].opcode == ZM_OP_CONV_2D)
            conv = &f.m->ops[i];
    assert_non_null(conv);
    const zm_tensor *w = &f.m->tensors[conv->inputs[1]];
    size_t off = (size_t)(w->data - f.m->file);
    for (int64_t k = 0; k < w->n_bytes; k++)
        assert_int_equal(back.descriptor[off + (size_t)k], 0);
    /* a changed id byte is refused */
    a[12] ^= 1;
    zp_model_commitment bad;
    assert_int_not_equal(zp_model_commitment_decode(a, la, "c", &bad, &err), ZA_OK);
    zp_model_commitment_free(&again);
    zp_model_commitment_free(&back);
    free(a), free(b);
    unload(&f);
}

/* A cheating prover must still produce a proof, and it must be rejected
 * (with a message containing `why` when given). */
static void expect_rejected_by(fixture *f, zp_cheat ch, const char *what, const char *why)
{
    uint8_t *proof = NULL;
    size_t len = 0;
    assert_int_equal(prove(f, 1, &ch, &proof, &len), ZA_OK);
    za_error err;
    zp_verified v;
    za_status st = zp_verify(&f->mc, proof, len, 2, &v, &err);
    if (st == ZA_OK) {
        zp_verified_free(&v);
        fail_msg("a cheating prover (%s) was accepted", what);
    }
    print_message("rejected (%s): %s\n", what, err.msg);
    /* a blinded verifier decides every check at once, at the end: it cannot
     * name the relation that failed */
    if (why && !strstr(err.msg, why) &&
        !(blinded && (strstr(err.msg, "blinded proof") || strstr(err.msg, "private model"))))
        fail_msg("%s: rejected for '%s', expected '%s'", what, err.msg, why);
    free(proof);
}

static void expect_rejected(fixture *f, zp_cheat ch, const char *what)
{
    expect_rejected_by(f, ch, what, NULL);
}

static int layer_index(const zp_circuit *c, const zp_layer *L)
{
    return (int)(L - c->layers);
}

static const zp_layer *layer_of(const zp_circuit *c, zp_layer_kind kind, int nth)
{
    for (unsigned l = 0; l < c->n_layers; l++)
        if (c->layers[l].kind == kind && nth-- == 0)
            return &c->layers[l];
    fail_msg("no layer of kind %d", kind);
    return NULL;
}

static void test_soundness_mnist(void **state)
{
    (void)state;
    fixture f;
    if (!load("models/keras-mnist-to-tpu/mnist.tflite", ZM_ROUNDING_TFLITE, &f))
        return;
    const zp_circuit *c = f.c;
    const zp_layer *dw = layer_of(c, ZP_L_DW, 0), *conv = layer_of(c, ZP_L_CONV, 0),
                   *mx = layer_of(c, ZP_L_MAX, 0), *fc = layer_of(c, ZP_L_CONV, 1);
    const zp_tensor *dw_out = &c->tensors[dw->out];
    assert_false(dw_out->is_public);
    size_t valid = zp_shape_index(&dw_out->shape, 0, 3, 5, 7);
    size_t padded = zp_shape_index(&dw_out->shape, 0, dw_out->shape.n[1], 0, 0); /* h = 26 */
    assert_true(padded < ((size_t)1 << dw_out->shape.log_size));
    size_t ny_conv = (size_t)1 << c->tensors[conv->out].shape.log_size;
    zp_cheat ch;

    ch = no_cheat(), ch.wit_vec = (int)dw_out->wvec, ch.index = valid, ch.delta = 1;
    expect_rejected(&f, ch, "an activation of the depthwise output");
    ch = no_cheat(), ch.wit_vec = (int)dw_out->wvec, ch.index = padded, ch.delta = 1;
    expect_rejected(&f, ch, "a padding entry of an activation");
    ch = no_cheat(), ch.wit_vec = (int)conv->acc, ch.index = 77, ch.delta = 1;
    expect_rejected(&f, ch, "an accumulator of the convolution");
    ch = no_cheat(), ch.wit_vec = (int)dw->acc, ch.index = 5, ch.delta = -1;
    expect_rejected(&f, ch, "an accumulator of the depthwise convolution");
    /* accumulators changed with consistent limbs: only the sumchecks see it
     * (mnist's CONV has a RELU, so element 0's accumulator is almost surely
     * deep inside a wide bucket) */
    for (int64_t d = -1; d <= 1; d += 2) {
        ch = no_cheat(), ch.acc_layer = layer_index(c, conv), ch.acc_index = 0, ch.acc_delta = d;
        expect_rejected_by(&f, ch, "a CONV accumulator with consistent limbs", "matrix product");
        ch = no_cheat(), ch.acc_layer = layer_index(c, dw), ch.acc_index = 0, ch.acc_delta = d;
        expect_rejected_by(&f, ch, "a DW accumulator with consistent limbs", "window sum");
        ch = no_cheat(), ch.acc_layer = layer_index(c, fc), ch.acc_index = 0, ch.acc_delta = d;
        expect_rejected_by(&f, ch, "an FC accumulator with consistent limbs", "matrix product");
    }
    ch = no_cheat(), ch.wit_vec = (int)conv->limbs, ch.index = 77, ch.delta = 1;
    expect_rejected(&f, ch, "a low limb of acc - lo");
    ch = no_cheat(), ch.wit_vec = (int)conv->limbs, ch.index = 3 * ny_conv + 77, ch.delta = 1;
    expect_rejected(&f, ch, "a high limb of hi - acc");
    ch = no_cheat(), ch.mu_row = (int64_t)conv->table_row + 3;
    expect_rejected(&f, ch, "a lookup multiplicity");
    ch = no_cheat(), ch.wts_vec = (int)conv->w_vec, ch.index = 0, ch.delta = 1;
    expect_rejected(&f, ch, "a weight");
    ch = no_cheat(), ch.wts_vec = (int)fc->b_vec, ch.index = 1, ch.delta = 1;
    expect_rejected(&f, ch, "a bias");
    ch = no_cheat(), ch.wts_vec = (int)dw->w_vec, ch.index = 2, ch.delta = 1;
    expect_rejected(&f, ch, "a depthwise weight");
    ch = no_cheat(), ch.wit_vec = (int)mx->taps, ch.index = 9, ch.delta = 1;
    expect_rejected(&f, ch, "a max-pool tap");
    ch = no_cheat(), ch.wit_vec = (int)mx->chain[0], ch.index = 9, ch.delta = 1;
    expect_rejected(&f, ch, "a running maximum");
    ch = no_cheat(), ch.wit_vec = (int)c->tensors[mx->out].wvec, ch.index = 9, ch.delta = 1;
    expect_rejected(&f, ch, "a max-pool output");
    ch = no_cheat(), ch.cut_index = 0, ch.index = 3, ch.delta = 1;
    expect_rejected(&f, ch, "the claimed logits");
    unload(&f);
}

static void test_soundness_resnet(void **state)
{
    (void)state;
    fixture f;
    if (!load("models/mlcommons-tiny/pretrainedResnet_quant.tflite", ZM_ROUNDING_TFLITE, &f))
        return;
    const zp_circuit *c = f.c;
    const zp_layer *add = layer_of(c, ZP_L_ADD, 0), *avg = layer_of(c, ZP_L_AVG, 0);
    zp_cheat ch = no_cheat();
    ch.wit_vec = (int)c->tensors[add->out].wvec, ch.index = 40, ch.delta = 1;
    expect_rejected(&f, ch, "an ADD output");
    ch = no_cheat(), ch.wit_vec = (int)avg->acc, ch.index = 3, ch.delta = 1;
    expect_rejected(&f, ch, "an average-pool sum");
    ch = no_cheat(), ch.acc_layer = layer_index(c, avg), ch.acc_index = 0, ch.acc_delta = 1;
    expect_rejected(&f, ch, "an average-pool sum with consistent limbs");
    ch = no_cheat(), ch.wit_vec = (int)c->tensors[avg->out].wvec, ch.index = 3, ch.delta = 1;
    expect_rejected(&f, ch, "an average-pool output");
    unload(&f);
}

static void test_tampered_proofs(void **state)
{
    (void)state;
    fixture f, g;
    if (!load("models/tflite-micro/hello_world_int8.tflite", ZM_ROUNDING_TFLITE, &f))
        return;
    uint8_t *proof = NULL;
    size_t len = 0;
    assert_int_equal(prove(&f, 1, NULL, &proof, &len), ZA_OK);
    assert_int_equal(verify(&f, proof, len, NULL), ZA_OK);
    /* flips spread over the whole proof */
    long flips = zt_iters(300);
    uint64_t s = zt_seed("prove-flips");
    for (long i = 0; i < flips; i++) {
        size_t at = (size_t)((uint64_t)i * len / (uint64_t)flips) + zt_next(&s) % (len / flips + 1);
        if (at >= len)
            at = len - 1;
        uint8_t bit = (uint8_t)(1u << (zt_next(&s) % 8));
        proof[at] ^= bit;
        if (verify(&f, proof, len, NULL) == ZA_OK)
            fail_msg("a proof with byte %zu flipped was accepted", at);
        proof[at] ^= bit;
    }
    for (size_t cut = 0; cut < len; cut += len / 17 + 1)
        assert_int_not_equal(verify(&f, proof, cut, NULL), ZA_OK);
    assert_int_not_equal(verify(&f, proof, 0, NULL), ZA_OK);
    /* another input in place of the proven one (the header holds it) */
    uint8_t *other = malloc(len);
    memcpy(other, proof, len);
    size_t in_at = 4 + 2 + 2 + 4 + 4 + 32 + 4; /* container, version, id, batch */
    other[in_at] ^= 0x10;
    assert_int_not_equal(verify(&f, other, len, NULL), ZA_OK);
    free(other);
    /* another model's commitment */
    if (load("models/keras-mnist-to-tpu/mnist.tflite", ZM_ROUNDING_TFLITE, &g)) {
        za_error err;
        zp_verified v;
        assert_int_not_equal(zp_verify(&g.mc, proof, len, 2, &v, &err), ZA_OK);
        unload(&g);
    }
    /* the same model, the other rounding profile: another model id */
    zp_model_commitment ref;
    za_error err;
    assert_int_equal(zp_model_commit(f.m, ZM_ROUNDING_REFERENCE, 1, &ref, &err), ZA_OK);
    zp_verified v;
    assert_int_not_equal(zp_verify(&ref, proof, len, 2, &v, &err), ZA_OK);
    zp_model_commitment_free(&ref);
    free(proof);
    unload(&f);
}

/* Load a model built in memory (batch-1 circuit, two inputs by rule). */
static void load_built(fixture *f, const uint8_t *buf, size_t blen, const char *name,
                       const char *rule1, const char *rule2)
{
    za_error err;
    memset(f, 0, sizeof *f);
    assert_int_equal(zm_model_load_buffer(buf, blen, name, &f->m, &err), ZA_OK);
    assert_int_equal(zm_engine_create(f->m, ZM_ROUNDING_TFLITE, &f->e, &err), ZA_OK);
    commit_fixture(f, ZM_ROUNDING_TFLITE, 1);
    assert_int_equal(zp_circuit_compile(f->m, f->e, ZM_ROUNDING_TFLITE, 1, &f->c, &err), ZA_OK);
    f->in_bytes = (size_t)f->m->tensors[f->m->inputs[0]].n_bytes;
    f->input = malloc(f->in_bytes * 2);
    assert_int_equal(zm_make_input(rule1, f->input, f->in_bytes, &err), ZA_OK);
    assert_int_equal(zm_make_input(rule2, f->input + f->in_bytes, f->in_bytes, &err), ZA_OK);
}

/* A synthetic int8 model with TRANSPOSE and QUANTIZE between weighted
 * layers (no shared model has them in the middle):
 * input [1,6,5,3] -> CONV 3x3 SAME (4) -> TRANSPOSE (0,2,1,3) -> QUANTIZE
 * (another scale) -> FULLY_CONNECTED (3). */
static void build_permute_model(uint8_t **buf, size_t *len)
{
    tb_model *tb = tb_new();
    uint64_t r = 12345;
    float s_in = 0.02f, s_w = 0.01f, s_c = 0.05f, s_q = 0.07f, s_fw = 0.02f, s_o = 0.1f;
    int64_t zp_in = -3, zp0 = 0, zp_c = 5, zp_q = -7, zp_o = 2;
    int32_t ish[4] = { 1, 6, 5, 3 }, csh[4] = { 1, 6, 5, 4 }, tsh[4] = { 1, 5, 6, 4 };
    int32_t wsh[4] = { 4, 3, 3, 3 }, bsh[1] = { 4 }, fsh[2] = { 3, 120 }, fbsh[1] = { 3 };
    int32_t osh[2] = { 1, 3 }, psh[1] = { 4 }, perm[4] = { 0, 2, 1, 3 };
    int8_t w[108], fw[360];
    int32_t bias[4], fbias[3];
    for (int i = 0; i < 108; i++)
        w[i] = (int8_t)(zt_next(&r) % 255 - 127);
    for (int i = 0; i < 360; i++)
        fw[i] = (int8_t)(zt_next(&r) % 255 - 127);
    for (int i = 0; i < 4; i++)
        bias[i] = (int32_t)(zt_next(&r) % 2001) - 1000;
    for (int i = 0; i < 3; i++)
        fbias[i] = (int32_t)(zt_next(&r) % 2001) - 1000;
    float sb = s_in * s_w, sfb = s_q * s_fw;
    int x = tb_tensor(tb, "x", TB_INT8, 4, ish, 0, 1, &s_in, &zp_in, 0);
    int wt = tb_tensor(tb, "w", TB_INT8, 4, wsh, tb_buffer(tb, w, sizeof w), 1, &s_w, &zp0, 0);
    int bt = tb_tensor(tb, "b", TB_INT32, 1, bsh, tb_buffer(tb, bias, sizeof bias), 1, &sb, &zp0, 0);
    int c = tb_tensor(tb, "conv", TB_INT8, 4, csh, 0, 1, &s_c, &zp_c, 0);
    int pt = tb_tensor(tb, "perm", TB_INT32, 1, psh, tb_buffer(tb, perm, sizeof perm), 0, NULL,
                       NULL, 0);
    int t = tb_tensor(tb, "transposed", TB_INT8, 4, tsh, 0, 1, &s_c, &zp_c, 0);
    int q = tb_tensor(tb, "requantized", TB_INT8, 4, tsh, 0, 1, &s_q, &zp_q, 0);
    int fwt = tb_tensor(tb, "fw", TB_INT8, 2, fsh, tb_buffer(tb, fw, sizeof fw), 1, &s_fw, &zp0, 0);
    int fbt = tb_tensor(tb, "fb", TB_INT32, 1, fbsh, tb_buffer(tb, fbias, sizeof fbias), 1, &sfb,
                        &zp0, 0);
    int y = tb_tensor(tb, "y", TB_INT8, 2, osh, 0, 1, &s_o, &zp_o, 0);
    tb_options o = tb_opt_conv2d(TB_PAD_SAME, 1, 1, TB_ACT_RELU, 1, 1);
    o.version = 3;
    int32_t ci[3] = { x, wt, bt };
    tb_op(tb, TB_OP_CONV_2D, 3, ci, 1, &c, &o);
    o = tb_opt_empty(TB_OPT_TRANSPOSE);
    o.version = 2;
    int32_t ti[2] = { c, pt };
    tb_op(tb, TB_OP_TRANSPOSE, 2, ti, 1, &t, &o);
    o = tb_opt_none();
    o.version = 2;
    tb_op(tb, TB_OP_QUANTIZE, 1, &t, 1, &q, &o);
    o = tb_opt_fc(TB_ACT_NONE, 0);
    o.version = 4;
    int32_t fi[3] = { q, fwt, fbt };
    tb_op(tb, TB_OP_FULLY_CONNECTED, 3, fi, 1, &y, &o);
    tb_io(tb, 1, &x, 1, &y);
    assert_int_equal(tb_finish(tb, buf, len), 0);
    tb_free(tb);
}

/* CONCATENATION in the middle: input [1,4,4,2] -> CONV 1x1 (3) and CONV
 * 3x3 SAME (5) -> CONCAT on channels [1,4,4,8] -> CONCAT with itself on H
 * [1,8,4,8] -> FULLY_CONNECTED (3). */
static void build_concat_model(uint8_t **buf, size_t *len)
{
    tb_model *tb = tb_new();
    uint64_t r = 777;
    float s_in = 0.03f, s_w = 0.01f, s_c = 0.04f, s_fw = 0.02f, s_o = 0.1f;
    int64_t zp_in = 4, zp0 = 0, zp_c = -9, zp_o = 1;
    int32_t ish[4] = { 1, 4, 4, 2 }, ash[4] = { 1, 4, 4, 3 }, bsh4[4] = { 1, 4, 4, 5 };
    int32_t csh[4] = { 1, 4, 4, 8 }, dsh[4] = { 1, 8, 4, 8 };
    int32_t w1s[4] = { 3, 1, 1, 2 }, w2s[4] = { 5, 3, 3, 2 }, b1s[1] = { 3 }, b2s[1] = { 5 };
    int32_t fws[2] = { 3, 256 }, fbs[1] = { 3 }, osh[2] = { 1, 3 };
    int8_t w1[6], w2[90], fw[768];
    int32_t b1[3], b2[5], fb[3];
    for (int i = 0; i < 6; i++)
        w1[i] = (int8_t)(zt_next(&r) % 255 - 127);
    for (int i = 0; i < 90; i++)
        w2[i] = (int8_t)(zt_next(&r) % 255 - 127);
    for (int i = 0; i < 768; i++)
        fw[i] = (int8_t)(zt_next(&r) % 255 - 127);
    for (int i = 0; i < 3; i++)
        b1[i] = (int32_t)(zt_next(&r) % 801) - 400, fb[i] = (int32_t)(zt_next(&r) % 801) - 400;
    for (int i = 0; i < 5; i++)
        b2[i] = (int32_t)(zt_next(&r) % 801) - 400;
    float sb = s_in * s_w, sfb = s_c * s_fw;
    int x = tb_tensor(tb, "x", TB_INT8, 4, ish, 0, 1, &s_in, &zp_in, 0);
    int w1t = tb_tensor(tb, "w1", TB_INT8, 4, w1s, tb_buffer(tb, w1, sizeof w1), 1, &s_w, &zp0, 0);
    int b1t = tb_tensor(tb, "b1", TB_INT32, 1, b1s, tb_buffer(tb, b1, sizeof b1), 1, &sb, &zp0, 0);
    int w2t = tb_tensor(tb, "w2", TB_INT8, 4, w2s, tb_buffer(tb, w2, sizeof w2), 1, &s_w, &zp0, 0);
    int b2t = tb_tensor(tb, "b2", TB_INT32, 1, b2s, tb_buffer(tb, b2, sizeof b2), 1, &sb, &zp0, 0);
    int a = tb_tensor(tb, "a", TB_INT8, 4, ash, 0, 1, &s_c, &zp_c, 0);
    int bb = tb_tensor(tb, "b", TB_INT8, 4, bsh4, 0, 1, &s_c, &zp_c, 0);
    int cat = tb_tensor(tb, "cat", TB_INT8, 4, csh, 0, 1, &s_c, &zp_c, 0);
    int cat2 = tb_tensor(tb, "cat2", TB_INT8, 4, dsh, 0, 1, &s_c, &zp_c, 0);
    int fwt = tb_tensor(tb, "fw", TB_INT8, 2, fws, tb_buffer(tb, fw, sizeof fw), 1, &s_fw, &zp0, 0);
    int fbt = tb_tensor(tb, "fb", TB_INT32, 1, fbs, tb_buffer(tb, fb, sizeof fb), 1, &sfb, &zp0, 0);
    int y = tb_tensor(tb, "y", TB_INT8, 2, osh, 0, 1, &s_o, &zp_o, 0);
    tb_options o = tb_opt_conv2d(TB_PAD_SAME, 1, 1, TB_ACT_NONE, 1, 1);
    o.version = 3;
    int32_t i1[3] = { x, w1t, b1t }, i2[3] = { x, w2t, b2t };
    tb_op(tb, TB_OP_CONV_2D, 3, i1, 1, &a, &o);
    tb_op(tb, TB_OP_CONV_2D, 3, i2, 1, &bb, &o);
    o = tb_opt_concat(3, TB_ACT_NONE);
    o.version = 2;
    int32_t ci[2] = { a, bb };
    tb_op(tb, TB_OP_CONCATENATION, 2, ci, 1, &cat, &o);
    o = tb_opt_concat(1, TB_ACT_NONE);
    o.version = 2;
    int32_t ci2[2] = { cat, cat };
    tb_op(tb, TB_OP_CONCATENATION, 2, ci2, 1, &cat2, &o);
    o = tb_opt_fc(TB_ACT_NONE, 0);
    o.version = 4;
    int32_t fi[3] = { cat2, fwt, fbt };
    tb_op(tb, TB_OP_FULLY_CONNECTED, 3, fi, 1, &y, &o);
    tb_io(tb, 1, &x, 1, &y);
    assert_int_equal(tb_finish(tb, buf, len), 0);
    tb_free(tb);
}

static void test_concat(void **state)
{
    (void)state;
    uint8_t *buf = NULL;
    size_t blen = 0;
    build_concat_model(&buf, &blen);
    fixture f;
    load_built(&f, buf, blen, "concat", "random:7", "random:8");
    check_complete(&f, 1);
    check_complete(&f, 2);
    const zp_layer *c1 = layer_of(f.c, ZP_L_CONCAT, 0), *c2 = layer_of(f.c, ZP_L_CONCAT, 1);
    zp_cheat ch = no_cheat();
    ch.wit_vec = (int)f.c->tensors[c1->out].wvec, ch.index = 5, ch.delta = 1;
    expect_rejected_by(&f, ch, "a channel-concatenated element", "concatenation");
    ch = no_cheat(), ch.wit_vec = (int)f.c->tensors[c2->out].wvec;
    ch.index = zp_shape_index(&f.c->tensors[c2->out].shape, 0, 6, 1, 2), ch.delta = -1;
    expect_rejected_by(&f, ch, "an H-concatenated element", "concatenation");
    unload(&f);
    free(buf);
}

/* A Keras-style flatten: input [1,5,3,6] -> CONV 3x3 SAME (6) -> RESHAPE
 * [1,90] -> FULLY_CONNECTED (4): the RESHAPE moves elements in the padded
 * layout ([1,8,4,8] to [1,1,1,128]). */
static void build_flatten_model(uint8_t **buf, size_t *len)
{
    tb_model *tb = tb_new();
    uint64_t r = 4242;
    float s_in = 0.03f, s_w = 0.01f, s_c = 0.04f, s_fw = 0.02f, s_o = 0.1f;
    int64_t zp_in = 4, zp0 = 0, zp_c = -9, zp_o = 1;
    int32_t ish[4] = { 1, 5, 3, 6 }, csh[4] = { 1, 5, 3, 6 }, wsh[4] = { 6, 3, 3, 6 };
    int32_t bsh[1] = { 6 }, rsh[2] = { 1, 90 }, newshape[2] = { 1, 90 }, nsh[1] = { 2 };
    int32_t fws[2] = { 4, 90 }, fbs[1] = { 4 }, osh[2] = { 1, 4 };
    int8_t w[324], fw[360];
    int32_t bias[6], fb[4];
    for (int i = 0; i < 324; i++)
        w[i] = (int8_t)(zt_next(&r) % 255 - 127);
    for (int i = 0; i < 360; i++)
        fw[i] = (int8_t)(zt_next(&r) % 255 - 127);
    for (int i = 0; i < 6; i++)
        bias[i] = (int32_t)(zt_next(&r) % 801) - 400;
    for (int i = 0; i < 4; i++)
        fb[i] = (int32_t)(zt_next(&r) % 801) - 400;
    float sb = s_in * s_w, sfb = s_c * s_fw;
    int x = tb_tensor(tb, "x", TB_INT8, 4, ish, 0, 1, &s_in, &zp_in, 0);
    int wt = tb_tensor(tb, "w", TB_INT8, 4, wsh, tb_buffer(tb, w, sizeof w), 1, &s_w, &zp0, 0);
    int bt = tb_tensor(tb, "b", TB_INT32, 1, bsh, tb_buffer(tb, bias, sizeof bias), 1, &sb, &zp0, 0);
    int cv = tb_tensor(tb, "conv", TB_INT8, 4, csh, 0, 1, &s_c, &zp_c, 0);
    int ns = tb_tensor(tb, "shape", TB_INT32, 1, nsh, tb_buffer(tb, newshape, sizeof newshape), 0,
                       NULL, NULL, 0);
    int fl = tb_tensor(tb, "flat", TB_INT8, 2, rsh, 0, 1, &s_c, &zp_c, 0);
    int fwt = tb_tensor(tb, "fw", TB_INT8, 2, fws, tb_buffer(tb, fw, sizeof fw), 1, &s_fw, &zp0, 0);
    int fbt = tb_tensor(tb, "fb", TB_INT32, 1, fbs, tb_buffer(tb, fb, sizeof fb), 1, &sfb, &zp0, 0);
    int y = tb_tensor(tb, "y", TB_INT8, 2, osh, 0, 1, &s_o, &zp_o, 0);
    tb_options o = tb_opt_conv2d(TB_PAD_SAME, 1, 1, TB_ACT_RELU, 1, 1);
    o.version = 3;
    int32_t ci[3] = { x, wt, bt };
    tb_op(tb, TB_OP_CONV_2D, 3, ci, 1, &cv, &o);
    o = tb_opt_reshape(2, newshape);
    int32_t ri[2] = { cv, ns };
    tb_op(tb, TB_OP_RESHAPE, 2, ri, 1, &fl, &o);
    o = tb_opt_fc(TB_ACT_NONE, 0);
    o.version = 4;
    int32_t fi[3] = { fl, fwt, fbt };
    tb_op(tb, TB_OP_FULLY_CONNECTED, 3, fi, 1, &y, &o);
    tb_io(tb, 1, &x, 1, &y);
    assert_int_equal(tb_finish(tb, buf, len), 0);
    tb_free(tb);
}

static void test_flatten(void **state)
{
    (void)state;
    uint8_t *buf = NULL;
    size_t blen = 0;
    build_flatten_model(&buf, &blen);
    fixture f;
    load_built(&f, buf, blen, "flatten", "random:9", "random:10");
    check_complete(&f, 1);
    check_complete(&f, 2);
    const zp_layer *rs = layer_of(f.c, ZP_L_RESHAPE, 0);
    zp_cheat ch = no_cheat();
    ch.wit_vec = (int)f.c->tensors[rs->out].wvec, ch.index = 50, ch.delta = 1;
    expect_rejected_by(&f, ch, "a flattened element", "reshaped");
    unload(&f);
    free(buf);
}

/* MAX_POOL with SAME padding (windows cross the border): input [1,5,5,3]
 * -> CONV 3x3 SAME (4) -> MAX_POOL 3x3 SAME stride 2 [1,3,3,4] -> FC (3).
 * The convolution has no activation, so many values are negative and a
 * border window's maximum must ignore the positions outside the input. */
static void build_pool_same_model(uint8_t **buf, size_t *len, int avg)
{
    tb_model *tb = tb_new();
    uint64_t r = 99;
    float s_in = 0.03f, s_w = 0.01f, s_c = 0.04f, s_fw = 0.02f, s_o = 0.1f;
    int64_t zp_in = 4, zp0 = 0, zp_c = 0, zp_o = 1;
    int32_t ish[4] = { 1, 5, 5, 3 }, csh[4] = { 1, 5, 5, 4 }, psh[4] = { 1, 3, 3, 4 };
    int32_t wsh[4] = { 4, 3, 3, 3 }, bsh[1] = { 4 }, fws[2] = { 3, 36 }, fbs[1] = { 3 };
    int32_t osh[2] = { 1, 3 };
    int8_t w[108], fw[108];
    int32_t bias[4], fb[3];
    /* small weights and a negative bias: outputs around -60 */
    for (int i = 0; i < 108; i++)
        w[i] = (int8_t)(zt_next(&r) % 21 - 10), fw[i] = (int8_t)(zt_next(&r) % 255 - 127);
    for (int i = 0; i < 4; i++)
        bias[i] = (int32_t)(zt_next(&r) % 801) - 8400;
    for (int i = 0; i < 3; i++)
        fb[i] = (int32_t)(zt_next(&r) % 801) - 400;
    float sb = s_in * s_w, sfb = s_c * s_fw;
    int x = tb_tensor(tb, "x", TB_INT8, 4, ish, 0, 1, &s_in, &zp_in, 0);
    int wt = tb_tensor(tb, "w", TB_INT8, 4, wsh, tb_buffer(tb, w, sizeof w), 1, &s_w, &zp0, 0);
    int bt = tb_tensor(tb, "b", TB_INT32, 1, bsh, tb_buffer(tb, bias, sizeof bias), 1, &sb, &zp0, 0);
    int cv = tb_tensor(tb, "conv", TB_INT8, 4, csh, 0, 1, &s_c, &zp_c, 0);
    int pl = tb_tensor(tb, "pool", TB_INT8, 4, psh, 0, 1, &s_c, &zp_c, 0);
    int fwt = tb_tensor(tb, "fw", TB_INT8, 2, fws, tb_buffer(tb, fw, sizeof fw), 1, &s_fw, &zp0, 0);
    int fbt = tb_tensor(tb, "fb", TB_INT32, 1, fbs, tb_buffer(tb, fb, sizeof fb), 1, &sfb, &zp0, 0);
    int y = tb_tensor(tb, "y", TB_INT8, 2, osh, 0, 1, &s_o, &zp_o, 0);
    tb_options o = tb_opt_conv2d(TB_PAD_SAME, 1, 1, TB_ACT_NONE, 1, 1);
    o.version = 3;
    int32_t ci[3] = { x, wt, bt };
    tb_op(tb, TB_OP_CONV_2D, 3, ci, 1, &cv, &o);
    o = tb_opt_pool2d(TB_PAD_SAME, 2, 2, 3, 3, TB_ACT_NONE);
    o.version = 2;
    tb_op(tb, avg ? TB_OP_AVERAGE_POOL_2D : TB_OP_MAX_POOL_2D, 1, &cv, 1, &pl, &o);
    o = tb_opt_fc(TB_ACT_NONE, 0);
    o.version = 4;
    int32_t fi[3] = { pl, fwt, fbt };
    tb_op(tb, TB_OP_FULLY_CONNECTED, 3, fi, 1, &y, &o);
    tb_io(tb, 1, &x, 1, &y);
    assert_int_equal(tb_finish(tb, buf, len), 0);
    tb_free(tb);
}

static void test_maxpool_same(void **state)
{
    (void)state;
    uint8_t *buf = NULL;
    size_t blen = 0;
    build_pool_same_model(&buf, &blen, 0);
    fixture f;
    load_built(&f, buf, blen, "maxsame", "random:11", "random:12");
    za_error err;
    /* the case that matters: some window maximum is negative */
    assert_int_equal(zm_engine_set_input(f.e, 0, f.input, f.in_bytes, &err), ZA_OK);
    assert_int_equal(zm_engine_run(f.e, &err), ZA_OK);
    const zp_layer *mx = layer_of(f.c, ZP_L_MAX, 0);
    const int8_t *pool = zm_engine_tensor(f.e, f.c->tensors[mx->out].model_tensor);
    int negative = 0;
    for (int i = 0; i < 36; i++)
        negative += pool[i] < 0;
    assert_true(negative > 0);
    check_complete(&f, 1);
    check_complete(&f, 2);
    zp_cheat ch = no_cheat();
    ch.wit_vec = (int)f.c->tensors[mx->out].wvec, ch.index = 0, ch.delta = 1;
    expect_rejected(&f, ch, "a border window's maximum");
    ch = no_cheat(), ch.wit_vec = (int)mx->chain[mx->n_taps - 2], ch.index = 1, ch.delta = 1;
    expect_rejected(&f, ch, "the last running maximum");
    unload(&f);
    free(buf);
}

/* AVERAGE_POOL with SAME padding: border windows divide by fewer taps, so
 * their outputs use other thresholds (one group per count). */
static void test_avgpool_same(void **state)
{
    (void)state;
    uint8_t *buf = NULL;
    size_t blen = 0;
    build_pool_same_model(&buf, &blen, 1);
    fixture f;
    load_built(&f, buf, blen, "avgsame", "random:13", "random:14");
    const zp_layer *avg = layer_of(f.c, ZP_L_AVG, 0);
    assert_non_null(avg->sgroup);
    assert_true(avg->n_groups >= 3); /* 9, 6 and 4 taps */
    check_complete(&f, 1);
    check_complete(&f, 2);
    zp_cheat ch = no_cheat();
    ch.wit_vec = (int)f.c->tensors[avg->out].wvec, ch.index = 0, ch.delta = 1;
    expect_rejected(&f, ch, "a border window's average");
    ch = no_cheat(), ch.acc_layer = (int)(avg - f.c->layers), ch.acc_index = 0, ch.acc_delta = 1;
    expect_rejected(&f, ch, "a border window's sum with consistent limbs");
    unload(&f);
    free(buf);
}

static void test_permute_and_map(void **state)
{
    (void)state;
    uint8_t *buf = NULL;
    size_t blen = 0;
    build_permute_model(&buf, &blen);
    fixture f;
    load_built(&f, buf, blen, "permute", "random:5", "random:6");
    check_complete(&f, 1);
    check_complete(&f, 2);
    const zp_layer *perm = layer_of(f.c, ZP_L_PERMUTE, 0), *map = layer_of(f.c, ZP_L_MAP, 0);
    zp_cheat ch = no_cheat();
    ch.wit_vec = (int)f.c->tensors[perm->out].wvec, ch.index = 6, ch.delta = 1;
    expect_rejected(&f, ch, "a transposed element");
    ch = no_cheat(), ch.wit_vec = (int)f.c->tensors[map->out].wvec, ch.index = 6, ch.delta = 1;
    expect_rejected(&f, ch, "a requantized element");
    unload(&f);
    free(buf);
}

static void test_blinded_differ(void **state)
{
    (void)state;
    if (!blinded)
        return;
    fixture f;
    if (!load("models/keras-mnist-to-tpu/mnist.tflite", ZM_ROUNDING_TFLITE, &f))
        return;
    uint8_t *p1 = NULL, *p2 = NULL;
    size_t l1 = 0, l2 = 0;
    assert_int_equal(prove(&f, 1, NULL, &p1, &l1), ZA_OK);
    assert_int_equal(prove(&f, 1, NULL, &p2, &l2), ZA_OK);
    /* (the lengths may differ too: the Merkle openings of different column
     * sets have different sizes) */
    assert_memory_not_equal(p1, p2, l1 < l2 ? l1 : l2);
    assert_int_equal(verify(&f, p1, l1, NULL), ZA_OK);
    assert_int_equal(verify(&f, p2, l2, NULL), ZA_OK);
    /* a blinded proof is not a plain one: the verifier reads its version */
    if (private_mode) { /* a private commitment has no plain proofs */
        free(p1), free(p2);
        unload(&f);
        return;
    }
    blinded = 0;
    uint8_t *p0 = NULL;
    size_t l0 = 0;
    assert_int_equal(prove(&f, 1, NULL, &p0, &l0), ZA_OK);
    blinded = 1;
    assert_int_not_equal(l0, l1);
    free(p0), free(p1), free(p2);
    unload(&f);
}

/* Chi-square of the top 4 bits of 8-byte words (15 dof). */
static double chi2_top4(const uint32_t counts[16], size_t total)
{
    double e = (double)total / 16.0, x2 = 0;
    for (int k = 0; k < 16; k++)
        x2 += ((double)counts[k] - e) * ((double)counts[k] - e) / e;
    return x2;
}

static uint64_t word_at(const uint8_t *b)
{
    uint64_t v = 0;
    for (int j = 0; j < 8; j++)
        v |= (uint64_t)b[j] << (8 * j);
    return v;
}

/* Words seen over many proofs at fixed positions: each must vary from
 * proof to proof (a word repeated in more than 2 proofs fails) and their
 * top 4 bits are counted for a chi-square test. */
typedef struct {
    size_t span;      /* words per proof */
    uint8_t *first;   /* the first proof's words */
    size_t *same;     /* per word: later proofs with the same bytes */
    uint32_t counts[16];
    size_t total;
} word_stats;

static void word_stats_add(word_stats *ws, const uint8_t *b, size_t n, long run)
{
    if (!ws->first) {
        ws->span = n;
        ws->first = malloc(n * 8);
        ws->same = calloc(n, sizeof *ws->same);
        assert_non_null(ws->first);
        assert_non_null(ws->same);
        memcpy(ws->first, b, n * 8);
    }
    assert_int_equal(n, ws->span); /* the count of words depends only on the circuit */
    for (size_t k = 0; k < n; k++) {
        ws->counts[word_at(b + 8 * k) >> 60]++;
        ws->total++;
        if (run > 0 && memcmp(b + 8 * k, ws->first + 8 * k, 8) == 0)
            ws->same[k]++;
    }
}

static void word_stats_check(word_stats *ws, const char *what, long runs)
{
    for (size_t k = 0; k < ws->span; k++)
        if (ws->same[k] > 2)
            fail_msg("%s: word %zu of %zu repeated in %zu of %ld proofs", what, k, ws->span,
                     ws->same[k], runs);
    double x2 = chi2_top4(ws->counts, ws->total);
    print_message("%s: %zu words per proof, chi-square %.1f over %zu words\n", what, ws->span, x2,
                  ws->total);
    assert_true(x2 < 60.0); /* P(chi2_15 > 60) < 1e-6 */
    free(ws->first), free(ws->same);
    memset(ws, 0, sizeof *ws);
}

/* Zero knowledge, statistically: over many blinded proofs of one statement,
 * every 8-byte word of the blinded messages (zp_prove_stats.blinded_begin
 * .. blinded_end) varies from proof to proof and their top 4 bits are
 * uniform (chi-square, 15 dof), while plain proofs of the statement are
 * the same bytes every time.  On a private commitment, the same for the
 * weight opening (weights_begin .. weights_end, which lies inside the
 * blinded range and is tested on its own): the weight table's value, the
 * opened row combination u and the first opened column of the hiding
 * weight commitment - the one commitment every proof reopens. */
static void test_blinded_uniform(void **state)
{
    (void)state;
    if (!blinded)
        return;
    fixture f;
    if (!load("models/tflite-micro/hello_world_int8.tflite", ZM_ROUNDING_TFLITE, &f))
        return;
    long runs = private_mode ? zt_iters(f.secret->budget) : zt_iters(120);
    word_stats msgs, wopen;
    memset(&msgs, 0, sizeof msgs);
    memset(&wopen, 0, sizeof wopen);
    size_t K = zk_pcs_message_len(&f.mc.weights.params);
    size_t R = (size_t)1 << f.mc.weights.params.log_rows;
    for (long i = 0; i < runs; i++) {
        uint8_t *proof = NULL;
        size_t len = 0;
        zp_prove_stats S;
        za_error err;
        zp_prove_opts po = { .blinded = 1, .model_secret = f.secret };
        assert_int_equal(zp_prove_ex(f.m, &f.mc, 1, f.input, f.in_bytes, 2, NULL, &po, &proof, &len,
                                     &S, &err),
                         ZA_OK);
        assert_true(S.blinded_begin > 0 && S.blinded_end > S.blinded_begin + 64 &&
                    S.blinded_end <= len);
        const uint8_t *b = proof + S.blinded_begin;
        if (!private_mode) {
            assert_int_equal(S.weights_begin, 0);
            word_stats_add(&msgs, b, (S.blinded_end - S.blinded_begin) / 8, i);
        } else {
            /* the blinded messages around the weight opening */
            assert_true(S.weights_begin > S.blinded_begin && S.weights_end < S.blinded_end);
            size_t n1 = (S.weights_begin - S.blinded_begin) / 8;
            size_t n2 = (S.blinded_end - S.weights_end) / 8;
            uint8_t *cat = malloc((n1 + n2) * 8);
            assert_non_null(cat);
            memcpy(cat, b, n1 * 8);
            memcpy(cat + n1 * 8, proof + S.weights_end, n2 * 8);
            word_stats_add(&msgs, cat, n1 + n2, i);
            free(cat);
            /* T~(z), u (K extension elements), the first column (R base elements) */
            size_t nw = 2 + 2 * K + R;
            assert_true(S.weights_begin + 8 * nw <= S.weights_end);
            word_stats_add(&wopen, proof + S.weights_begin, nw, i);
        }
        free(proof);
    }
    word_stats_check(&msgs, "blinded messages", runs);
    if (private_mode) {
        word_stats_check(&wopen, "weight opening (value, u, first column)", runs);
        unload(&f);
        return;
    }
    /* the contrast: a plain proof of the same statement is deterministic */
    uint8_t *p1 = NULL, *p2 = NULL;
    size_t l1 = 0, l2 = 0;
    blinded = 0;
    assert_int_equal(prove(&f, 1, NULL, &p1, &l1), ZA_OK);
    assert_int_equal(prove(&f, 1, NULL, &p2, &l2), ZA_OK);
    blinded = 1;
    assert_int_equal(l1, l2);
    assert_memory_equal(p1, p2, l1);
    free(p1), free(p2);
    unload(&f);
}

static int find_bytes(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

/* The weight evaluations a proof rests on (zp_prove_stats.weight_evals:
 * each weight claim's value, and on a private commitment the weights' part
 * of the opened table value) are computed by the prover for the test and
 * searched for in the proof's bytes, as the 16-byte extension element and
 * as each 8-byte half.  A plain proof sends them (the positive control: the
 * search finds every one); a blinded proof must contain none of them. */
static void test_weight_evals_absent(void **state)
{
    (void)state;
    fixture f;
    if (!load("models/keras-mnist-to-tpu/mnist.tflite", ZM_ROUNDING_TFLITE, &f))
        return;
    uint8_t *proof = NULL;
    size_t len = 0;
    zp_prove_stats S;
    za_error err;
    zp_prove_opts po = { .blinded = blinded, .model_secret = f.secret, .test_weight_evals = 1 };
    assert_int_equal(zp_prove_ex(f.m, &f.mc, 1, f.input, f.in_bytes, 2, NULL, &po, &proof, &len,
                                 &S, &err),
                     ZA_OK);
    assert_true(S.n_weight_evals >= 4);
    assert_true(S.n_weight_evals < ZP_STATS_WEIGHT_EVALS);
    unsigned found = 0, halves = 0;
    for (unsigned i = 0; i < S.n_weight_evals; i++) {
        zk_writer w;
        zk_writer_init(&w);
        zk_write_fp2(&w, S.weight_evals[i]);
        assert_int_equal(w.len, 16);
        found += (unsigned)find_bytes(proof, len, w.buf, 16);
        halves += (unsigned)find_bytes(proof, len, w.buf, 8) +
                  (unsigned)find_bytes(proof, len, w.buf + 8, 8);
        zk_writer_free(&w);
    }
    print_message("%u weight evaluations: %u found in the %zu proof bytes (%u halves)\n",
                  S.n_weight_evals, found, len, halves);
    if (blinded)
        assert_int_equal(found + halves, 0);
    else
        assert_int_equal(found, S.n_weight_evals);
    if (private_mode) /* the opened value's weight part came last */
        assert_true(S.weights_end > S.weights_begin);
    free(proof);
    unload(&f);
}

/* The zero-knowledge argument, exercised: a simulator that knows only
 * what the verifier knows - the public descriptor (architecture and
 * quantization), the inputs and the outputs (the cut tensors) - and
 * controls the verifier's challenges produces a proof the verifier
 * accepts.  It commits privately to the descriptor's own all-zero weights
 * (the commitment is hiding), proves with that model while stating the real
 * model's cut tensors, and picks the final statement's mask-mix challenge c
 * so that the one linear statement every check was folded into holds: with
 * s sent uniform, <U + cR, W> = value + c s fixes c.  Everything before c
 * is uniform whatever the witness (test_blinded_uniform), so the simulated
 * transcript is distributed like a real one.  Controls: the verifier's
 * outputs are the real model's, not the zero model's; a verifier drawing
 * its own c rejects the simulated proof. */
static void test_simulator(void **state)
{
    (void)state;
    if (!private_mode)
        return; /* a public commitment's weights are opened in the clear */
    fixture f;
    if (!load("models/keras-mnist-to-tpu/mnist.tflite", ZM_ROUNDING_TFLITE, &f))
        return;
    za_error err;
    /* the public view: the real model's cut tensors on the input */
    assert_int_equal(zm_engine_set_input(f.e, 0, f.input, f.in_bytes, &err), ZA_OK);
    assert_int_equal(zm_engine_run(f.e, &err), ZA_OK);
    size_t cut_len = 0;
    for (unsigned i = 0; i < f.c->n_tensors; i++)
        if (f.c->tensors[i].is_cut)
            cut_len += (size_t)f.m->tensors[f.c->tensors[i].model_tensor].n_bytes;
    assert_true(cut_len > 0);
    uint8_t *cut = malloc(cut_len), *sim_cut = malloc(cut_len);
    assert_non_null(cut);
    assert_non_null(sim_cut);
    size_t off = 0;
    for (unsigned i = 0; i < f.c->n_tensors; i++)
        if (f.c->tensors[i].is_cut) {
            int t = f.c->tensors[i].model_tensor;
            memcpy(cut + off, zm_engine_tensor(f.e, t), (size_t)f.m->tensors[t].n_bytes);
            off += (size_t)f.m->tensors[t].n_bytes;
        }
    uint8_t real_out[64];
    engine_output(&f, 0, real_out);
    /* the simulator's model: the public descriptor itself (weights zero) */
    zm_model *sim = NULL;
    zm_engine *se = NULL;
    assert_int_equal(zm_model_load_buffer(f.mc.descriptor, f.mc.descriptor_len, "descriptor",
                                          &sim, &err),
                     ZA_OK);
    assert_int_equal(zm_engine_create(sim, ZM_ROUNDING_TFLITE, &se, &err), ZA_OK);
    assert_int_equal(zm_engine_set_input(se, 0, f.input, f.in_bytes, &err), ZA_OK);
    assert_int_equal(zm_engine_run(se, &err), ZA_OK);
    off = 0;
    for (unsigned i = 0; i < f.c->n_tensors; i++)
        if (f.c->tensors[i].is_cut) {
            int t = f.c->tensors[i].model_tensor;
            memcpy(sim_cut + off, zm_engine_tensor(se, t), (size_t)sim->tensors[t].n_bytes);
            off += (size_t)sim->tensors[t].n_bytes;
        }
    assert_memory_not_equal(cut, sim_cut, cut_len); /* the zero model computes something else */
    zp_model_secret ssec;
    memset(&ssec, 0, sizeof ssec);
    for (int i = 0; i < ZP_MODEL_SEED_LEN; i++)
        ssec.seed[i] = (uint8_t)(91 * i + 5);
    ssec.budget = f.secret->budget;
    zp_model_commitment smc;
    assert_int_equal(zp_model_commit_ex(sim, ZM_ROUNDING_TFLITE, 2, &ssec, &smc, &err), ZA_OK);
    memcpy(ssec.model_id, smc.model_id, 32);
    assert_int_equal(smc.descriptor_len, f.mc.descriptor_len);
    assert_memory_equal(smc.descriptor, f.mc.descriptor, smc.descriptor_len);
    /* simulate */
    zp_cheat ch = no_cheat();
    zp_prove_opts po = { .blinded = 1, .model_secret = &ssec, .test_cut_bytes = cut,
                         .test_simulate = 1 };
    uint8_t *proof = NULL;
    size_t len = 0;
    zp_prove_stats S;
    assert_int_equal(zp_prove_ex(sim, &smc, 1, f.input, f.in_bytes, 2, &ch, &po, &proof, &len, &S,
                                 &err),
                     ZA_OK);
    /* a verifier whose challenge the simulator controls accepts, with the
     * real model's outputs */
    zp_verified v;
    zk_transcript_test_program("blind/mask-mix", S.test_mask_mix);
    za_status st = zp_verify(&smc, proof, len, 2, &v, &err);
    zk_transcript_test_program(NULL, S.test_mask_mix);
    if (st)
        fail_msg("the simulated proof was rejected: %s", err.msg);
    assert_int_equal(v.batch, 1);
    assert_memory_equal(v.outputs, real_out, v.out_bytes);
    zp_verified_free(&v);
    /* a verifier that draws its own challenge rejects it */
    assert_int_not_equal(zp_verify(&smc, proof, len, 2, &v, &err), ZA_OK);
    print_message("simulated proof (%zu bytes): accepted under the programmed challenge, "
                  "rejected otherwise (%s)\n", len, err.msg);
    /* and it has a real proof's shape: the same blinded span */
    uint8_t *real = NULL;
    size_t rlen = 0;
    zp_prove_stats RS;
    zp_prove_opts ro = { .blinded = 1, .model_secret = f.secret };
    assert_int_equal(zp_prove_ex(f.m, &f.mc, 1, f.input, f.in_bytes, 2, NULL, &ro, &real, &rlen,
                                 &RS, &err),
                     ZA_OK);
    assert_int_equal(RS.blinded_begin, S.blinded_begin);
    assert_int_equal(RS.weights_begin - RS.blinded_begin, S.weights_begin - S.blinded_begin);
    assert_int_equal(RS.blinded_end - RS.weights_end, S.blinded_end - S.weights_end);
    free(real), free(proof), free(cut), free(sim_cut);
    zp_model_commitment_free(&smc);
    zm_engine_free(se);
    zm_model_free(sim);
    unload(&f);
}

/* A model prover (the weights committed once for many proofs): its proofs
 * verify, are the bytes of the uncached prover's (plain proofs are
 * deterministic), a cheating prover or another model's prover is refused,
 * and on a private commitment one model prover never opens beyond the
 * budget (here 2). */
static void test_model_prover(void **state)
{
    (void)state;
    fixture f;
    if (!load("models/tflite-micro/hello_world_int8.tflite", ZM_ROUNDING_TFLITE, &f))
        return;
    za_error err;
    zp_model_secret two;
    if (private_mode) { /* a fresh commitment for 2 proofs */
        zp_model_commitment_free(&f.mc);
        two = f.secret_store;
        two.budget = 2;
        assert_int_equal(zp_model_commit_ex(f.m, ZM_ROUNDING_TFLITE, 2, &two, &f.mc, &err),
                         ZA_OK);
        memcpy(two.model_id, f.mc.model_id, 32);
        f.secret = &two;
    }
    zp_model_prover *mp = NULL;
    assert_int_equal(zp_model_prover_new(f.m, &f.mc, f.secret, 2, &mp, &err), ZA_OK);
    zp_prove_opts po = { .blinded = blinded, .model_secret = f.secret, .model_prover = mp };
    uint8_t *p[3] = { 0 };
    size_t l[3] = { 0 };
    for (int i = 0; i < 2; i++) {
        assert_int_equal(zp_prove_ex(f.m, &f.mc, i + 1, f.input, f.in_bytes * (size_t)(i + 1), 2,
                                     NULL, &po, &p[i], &l[i], NULL, &err),
                         ZA_OK);
        assert_int_equal(verify(&f, p[i], l[i], NULL), ZA_OK);
    }
    if (private_mode) { /* the budget of 2 is spent in this prover */
        assert_int_equal(zp_prove_ex(f.m, &f.mc, 1, f.input, f.in_bytes, 2, NULL, &po, &p[2],
                                     &l[2], NULL, &err),
                         ZA_ERR_LIMIT);
        assert_null(p[2]);
    } else if (!blinded) { /* the same bytes as without it */
        assert_int_equal(prove(&f, 1, NULL, &p[2], &l[2]), ZA_OK);
        assert_int_equal(l[2], l[0]);
        assert_memory_equal(p[2], p[0], l[0]);
    }
    /* with a cheat, or for another commitment: refused */
    zp_cheat ch = no_cheat();
    uint8_t *q = NULL;
    size_t lq = 0;
    assert_int_equal(zp_prove_ex(f.m, &f.mc, 1, f.input, f.in_bytes, 2, &ch, &po, &q, &lq, NULL,
                                 &err),
                     ZA_ERR_ARG);
    zp_model_commitment ref;
    assert_int_equal(zp_model_commit(f.m, ZM_ROUNDING_REFERENCE, 1, &ref, &err), ZA_OK);
    po.model_secret = NULL;
    assert_int_equal(zp_prove_ex(f.m, &ref, 1, f.input, f.in_bytes, 2, NULL, &po, &q, &lq, NULL,
                                 &err),
                     ZA_ERR_ARG);
    assert_null(q);
    zp_model_commitment_free(&ref);
    zp_model_prover_free(mp);
    free(p[0]), free(p[1]), free(p[2]);
    unload(&f);
}

static int group_plain(void **state)
{
    (void)state;
    blinded = 0;
    return 0;
}

static int group_blinded(void **state)
{
    (void)state;
    blinded = 1, private_mode = 0;
    print_message("-- the same suite on blinded proofs --\n");
    return 0;
}

static int group_private(void **state)
{
    (void)state;
    blinded = 1, private_mode = 1;
    print_message("-- the same suite on private model commitments (zero-knowledge proofs) --\n");
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blinded_differ),
        cmocka_unit_test(test_blinded_uniform),
        cmocka_unit_test(test_weight_evals_absent),
        cmocka_unit_test(test_simulator),
        cmocka_unit_test(test_model_prover),
        cmocka_unit_test(test_complete_mnist),
        cmocka_unit_test(test_complete_resnet_and_small),
        cmocka_unit_test(test_commitment),
        cmocka_unit_test(test_soundness_mnist),
        cmocka_unit_test(test_soundness_resnet),
        cmocka_unit_test(test_tampered_proofs),
        cmocka_unit_test(test_permute_and_map),
        cmocka_unit_test(test_concat),
        cmocka_unit_test(test_flatten),
        cmocka_unit_test(test_maxpool_same),
        cmocka_unit_test(test_avgpool_same),
    };
    const char *only = getenv("ZKAUDIT_TEST_FILTER"); /* e.g. test_simulator, for development */
    if (only)
        cmocka_set_test_filter(only);
    int failed = cmocka_run_group_tests_name("plain proofs", tests, group_plain, NULL);
    failed += cmocka_run_group_tests_name("blinded proofs", tests, group_blinded, NULL);
    failed += cmocka_run_group_tests_name("private model proofs", tests, group_private, NULL);
    return failed;
}
