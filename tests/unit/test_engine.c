/* tests/unit/test_engine.c - the inference engine against independent
 * recomputations, on the real models of ../shared.
 *
 * - Every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED output of every
 *   shared model is recomputed here with naive loops straight from the
 *   TFLite definitions (no im2col, no packing), under both rounding
 *   profiles: `tflite` must equal single rounding for CONV/FC and double
 *   rounding for depthwise; `reference` must equal double rounding for all.
 * - Op by op, the two profiles fed the same inputs differ only in CONV_2D and
 *   FULLY_CONNECTED outputs, and there by at most 1.
 * - keras-mnist on the MNIST test set: the first 300 outputs equal
 *   ../shared/golden/mnist_keras_first300.tsv.  (All 10,000 images run in
 *   the release build: tests/bitexact/mnist_accuracy.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gzfile.h"
#include "model/engine.h"
#include "model/fixedpoint.h"
#include "model/model.h"
#include "model/testinput.h"
#include "tests/unit/testutil.h"

static const char *const shared_models[] = {
    "tflite-micro/person_detect.tflite",
    "tflite-micro/hello_world_int8.tflite",
    "tflite-micro/micro_speech_quantized.tflite",
    "tflite-micro/mobilenet_v2_quantized_1x3x224x224.tflite",
    "tflite-micro/simple_add_model.tflite",
    "mlcommons-tiny/pretrainedResnet_quant.tflite",
    "mlcommons-tiny/ad01_int8.tflite",
    "keras-mnist-to-tpu/mnist.tflite",
};
#define N_MODELS (sizeof shared_models / sizeof shared_models[0])

static zm_model *load(const char *rel)
{
    char full[512];
    snprintf(full, sizeof full, "models/%s", rel);
    const char *path = zt_shared_path(full);
    if (!path)
        return NULL;
    zm_model *m = NULL;
    za_error err;
    if (zm_model_load_file(path, &m, &err) != ZA_OK)
        fail_msg("%s: %s", rel, err.msg);
    return m;
}

static int32_t rd8(const zm_tensor *t, const void *d, int64_t i)
{
    return t->type == ZM_UINT8 ? ((const uint8_t *)d)[i] : ((const int8_t *)d)[i];
}

/* floor((acc*M0 + 2^(30-s)) / 2^(31-s)), with an explicit floor */
static int32_t single_lit(int32_t acc, int32_t m0, int s)
{
    __int128 num = (__int128)acc * m0 + ((__int128)1 << (30 - s));
    __int128 den = (__int128)1 << (31 - s);
    __int128 q = num / den;
    if ((num % den) != 0 && num < 0)
        q -= 1;
    return (int32_t)q;
}

static int32_t double_lit(int32_t acc, int32_t m0, int s)
{
    int left = s > 0 ? s : 0, right = s > 0 ? 0 : -s;
    return zm_rdbpot(zm_srdhm((int32_t)((int64_t)acc * ((int64_t)1 << left)), m0), right);
}

static int same_pad(int in, int k, int stride, int dil, int out)
{
    int eff = (k - 1) * dil + 1;
    int p = ((out - 1) * stride + eff - in) / 2;
    return p > 0 ? p : 0;
}

static void act_range(const zm_tensor *out, int act, int32_t *lo, int32_t *hi)
{
    int32_t qmin = out->type == ZM_UINT8 ? 0 : -128, qmax = out->type == ZM_UINT8 ? 255 : 127;
    int32_t zp = (int32_t)out->q.zero_point[0];
    float sc = out->q.scale[0];
    *lo = qmin;
    *hi = qmax;
    if (act == ZM_ACT_RELU || act == ZM_ACT_RELU6) {
        int32_t z = zp + (int32_t)__builtin_roundf(0.0f / sc);
        *lo = z > qmin ? z : qmin;
    }
    if (act == ZM_ACT_RELU6) {
        int32_t six = zp + (int32_t)__builtin_roundf(6.0f / sc);
        *hi = six < qmax ? six : qmax;
    }
}

/* Recompute output element `oi` of a CONV/DW/FC op naively; returns the
 * value under single (*s) and double (*d) rounding. */
static void naive_one(const zm_model *m, const zm_op *op, const void *x, int64_t oi, int32_t *s,
                      int32_t *d)
{
    const zm_tensor *in = &m->tensors[op->inputs[0]], *w = &m->tensors[op->inputs[1]];
    const zm_tensor *b = op->n_inputs > 2 && op->inputs[2] >= 0 ? &m->tensors[op->inputs[2]] : NULL;
    const zm_tensor *out = &m->tensors[op->outputs[0]];
    int32_t zin = (int32_t)in->q.zero_point[0];
    int64_t acc = 0;
    int oc, act;
    int32_t wzp = in->type == ZM_UINT8 ? (int32_t)w->q.zero_point[0] : 0;
    if (op->opcode == ZM_OP_FULLY_CONNECTED) {
        int OC = w->shape[0], K = w->shape[1];
        int64_t row = oi / OC;
        oc = (int)(oi % OC);
        act = op->opt.fc.activation;
        for (int k = 0; k < K; k++)
            acc += (int64_t)(rd8(w, w->data, (int64_t)oc * K + k) - wzp) *
                   (rd8(in, x, row * K + k) - zin);
    } else {
        const zm_conv_options *o = &op->opt.conv;
        int H = in->shape[1], W = in->shape[2], IC = in->shape[3];
        int OH = out->shape[1], OW = out->shape[2], OC = out->shape[3];
        int KH = w->shape[1], KW = w->shape[2];
        oc = (int)(oi % OC);
        int64_t pix = oi / OC;
        int ox = (int)(pix % OW), oy = (int)((pix / OW) % OH), n = (int)(pix / OW / OH);
        int pt = o->padding == ZM_PAD_SAME ? same_pad(H, KH, o->stride_h, o->dilation_h, OH) : 0;
        int pl = o->padding == ZM_PAD_SAME ? same_pad(W, KW, o->stride_w, o->dilation_w, OW) : 0;
        act = o->activation;
        for (int ky = 0; ky < KH; ky++)
            for (int kx = 0; kx < KW; kx++) {
                int iy = oy * o->stride_h - pt + ky * o->dilation_h;
                int ix = ox * o->stride_w - pl + kx * o->dilation_w;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                    continue;
                if (op->opcode == ZM_OP_CONV_2D) {
                    for (int c = 0; c < IC; c++)
                        acc += (int64_t)(rd8(w, w->data, (((int64_t)oc * KH + ky) * KW + kx) * IC + c) - wzp) *
                               (rd8(in, x, (((int64_t)n * H + iy) * W + ix) * IC + c) - zin);
                } else {
                    int M = OC / IC, c = oc / M;
                    acc += (int64_t)(rd8(w, w->data, ((int64_t)ky * KW + kx) * OC + oc) - wzp) *
                           (rd8(in, x, (((int64_t)n * H + iy) * W + ix) * IC + c) - zin);
                }
            }
    }
    if (b) {
        int32_t bv;
        memcpy(&bv, b->data + 4 * oc, 4);
        acc += bv;
    }
    assert_true(acc >= INT32_MIN && acc <= INT32_MAX);
    /* the runtime's precision of the scale product (model/kernel_weights.c) */
    float ws = w->q.scale[w->q.n > 1 ? oc : 0];
    int float_product = in->type == ZM_UINT8 || (op->opcode == ZM_OP_FULLY_CONNECTED && w->q.n == 1);
    double eff = float_product ? (double)(in->q.scale[0] * ws) / (double)out->q.scale[0]
                               : (double)in->q.scale[0] * (double)ws / (double)out->q.scale[0];
    int32_t m0;
    int sh;
    zm_quantize_multiplier(eff, &m0, &sh);
    int32_t lo, hi, zp = (int32_t)out->q.zero_point[0];
    act_range(out, act, &lo, &hi);
    /* int8 GEMMs round once in the runtime; uint8 ones (gemmlowp) twice */
    *s = in->type == ZM_INT8 ? zm_clamp_i32((int64_t)single_lit((int32_t)acc, m0, sh) + zp, lo, hi)
                             : zm_clamp_i32((int64_t)double_lit((int32_t)acc, m0, sh) + zp, lo, hi);
    *d = zm_clamp_i32((int64_t)double_lit((int32_t)acc, m0, sh) + zp, lo, hi);
}

static zm_engine *make_engine(const zm_model *m, zm_rounding r)
{
    zm_engine *e = NULL;
    za_error err;
    if (zm_engine_create(m, r, &e, &err) != ZA_OK)
        fail_msg("%s", err.msg);
    return e;
}

static void fill_inputs(zm_model *m, zm_engine *e, const char *rule)
{
    for (int k = 0; k < m->n_inputs; k++) {
        const zm_tensor *t = &m->tensors[m->inputs[k]];
        uint8_t *buf = malloc((size_t)t->n_bytes);
        za_error err;
        assert_int_equal(zm_make_input(rule, buf, (size_t)t->n_bytes, &err), ZA_OK);
        assert_int_equal(zm_engine_set_input(e, k, buf, (size_t)t->n_bytes, &err), ZA_OK);
        free(buf);
    }
}

static void test_weighted_ops_match_naive_definitions(void **state)
{
    (void)state;
    if (!zt_shared())
        skip();
    uint64_t rng = zt_seed("engine/naive");
    long checked = 0, single_vs_double = 0;
    for (size_t mi = 0; mi < N_MODELS; mi++) {
        zm_model *m = load(shared_models[mi]);
        zm_engine *et = make_engine(m, ZM_ROUNDING_TFLITE), *er = make_engine(m, ZM_ROUNDING_REFERENCE);
        fill_inputs(m, et, "random:7");
        fill_inputs(m, er, "random:7");
        za_error err;
        assert_int_equal(zm_engine_run(et, &err), ZA_OK);
        for (int i = 0; i < m->n_ops; i++) {
            const zm_op *op = &m->ops[i];
            /* feed the reference engine the tflite engine's inputs of op i */
            for (int j = 0; j < op->n_inputs; j++) {
                int t = op->inputs[j];
                void *dst = t >= 0 ? zm_engine_tensor_mut(er, t) : NULL;
                if (dst)
                    memcpy(dst, zm_engine_tensor(et, t), (size_t)m->tensors[t].n_bytes);
            }
            assert_int_equal(zm_engine_run_op(er, i, &err), ZA_OK);
            const zm_tensor *out = &m->tensors[op->outputs[0]];
            const void *ot = zm_engine_tensor(et, op->outputs[0]);
            const void *orf = zm_engine_tensor(er, op->outputs[0]);
            int weighted = op->opcode == ZM_OP_CONV_2D || op->opcode == ZM_OP_FULLY_CONNECTED ||
                           op->opcode == ZM_OP_DEPTHWISE_CONV_2D;
            if (!weighted || op->opcode == ZM_OP_DEPTHWISE_CONV_2D) {
                /* profiles agree exactly outside CONV_2D / FULLY_CONNECTED */
                assert_memory_equal(ot, orf, (size_t)out->n_bytes);
            }
            if (!weighted)
                continue;
            const void *x = zm_engine_tensor(et, op->inputs[0]);
            /* all elements of small layers, a random sample of large ones */
            int64_t n = out->n_elems, step = n > 4096 ? n / 4096 : 1;
            for (int64_t oi = (int64_t)(zt_next(&rng) % (uint64_t)step); oi < n; oi += step) {
                int32_t s, d;
                naive_one(m, op, x, oi, &s, &d);
                int32_t vt = rd8(out, ot, oi), vr = rd8(out, orf, oi);
                if (op->opcode == ZM_OP_DEPTHWISE_CONV_2D) {
                    if (vt != d)
                        fail_msg("%s op %d (DEPTHWISE) element %lld: engine %d, double rounding %d",
                                 shared_models[mi], i, (long long)oi, vt, d);
                } else {
                    if (vt != s)
                        fail_msg("%s op %d element %lld: tflite profile %d, single rounding %d",
                                 shared_models[mi], i, (long long)oi, vt, s);
                    if (vr != d)
                        fail_msg("%s op %d element %lld: reference profile %d, double rounding %d",
                                 shared_models[mi], i, (long long)oi, vr, d);
                    assert_true(abs(vt - vr) <= 1);
                    single_vs_double += vt != vr;
                }
                checked++;
            }
        }
        zm_engine_free(et);
        zm_engine_free(er);
        zm_model_free(m);
    }
    printf("# checked %ld outputs; single and double rounding differ on %ld of them\n", checked,
           single_vs_double);
    assert_true(checked > 10000);
    assert_true(single_vs_double > 0); /* the profiles are really different */
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_mnist_golden_and_accuracy(void **state)
{
    (void)state;
    if (!zt_shared())
        skip();
    size_t ni, nl;
    char p1[4096], p2[4096], p3[4096];
    snprintf(p1, sizeof p1, "%s", zt_shared_path("datasets/mnist/t10k-images-idx3-ubyte.gz"));
    snprintf(p2, sizeof p2, "%s", zt_shared_path("datasets/mnist/t10k-labels-idx1-ubyte.gz"));
    snprintf(p3, sizeof p3, "%s", zt_shared_path("golden/mnist_keras_first300.tsv"));
    uint8_t *img = NULL, *lab = NULL;
    za_error gz_err;
    assert_int_equal(za_read_gzip_file(p1, (size_t)1 << 28, &img, &ni, &gz_err), ZA_OK);
    assert_int_equal(za_read_gzip_file(p2, (size_t)1 << 28, &lab, &nl, &gz_err), ZA_OK);
    assert_int_equal(be32(img), 0x803);
    assert_int_equal(be32(lab), 0x801);
    uint32_t count = be32(img + 4);
    assert_int_equal(count, 10000);
    assert_int_equal(ni, 16 + (size_t)count * 784);
    zm_model *m = load("keras-mnist-to-tpu/mnist.tflite");
    zm_engine *e = make_engine(m, ZM_ROUNDING_TFLITE);
    const zm_tensor *ot = &m->tensors[m->outputs[0]];
    assert_int_equal(ot->n_bytes, 10);
    FILE *g = fopen(p3, "r");
    assert_non_null(g);
    char line[256];
    assert_non_null(fgets(line, sizeof line, g)); /* header */
    int golden = 0, correct = 0;
    const uint32_t n_run = 300; /* the golden rows; ASan makes all 10,000 slow */
    for (uint32_t i = 0; i < n_run; i++) {
        za_error err;
        assert_int_equal(zm_engine_set_input(e, 0, img + 16 + (size_t)i * 784, 784, &err), ZA_OK);
        assert_int_equal(zm_engine_run(e, &err), ZA_OK);
        const uint8_t *o = zm_engine_output(e, 0);
        int64_t am = zm_argmax(ot, o);
        correct += am == lab[8 + i];
        if (fgets(line, sizeof line, g)) {
            unsigned idx, label, amx;
            char hex[64], ours[21];
            assert_int_equal(sscanf(line, "%u\t%u\t%63s\t%u", &idx, &label, hex, &amx), 4);
            assert_int_equal(idx, i);
            assert_int_equal(label, lab[8 + i]);
            for (int k = 0; k < 10; k++)
                snprintf(ours + 2 * k, 3, "%02x", o[k]);
            assert_string_equal(ours, hex);
            assert_int_equal(am, amx);
            golden++;
        }
    }
    fclose(g);
    printf("# keras-mnist: %d golden rows identical; %d / %u correct\n", golden, correct, n_run);
    assert_int_equal(golden, 300);
    assert_true(correct >= 290); /* a sanity bound on the labels' alignment */
    zm_engine_free(e);
    zm_model_free(m);
    free(img);
    free(lab);
}

static void test_api_errors_and_argmax(void **state)
{
    (void)state;
    if (!zt_shared())
        skip();
    zm_model *m = load("tflite-micro/hello_world_int8.tflite");
    zm_engine *e = make_engine(m, ZM_ROUNDING_TFLITE);
    za_error err;
    uint8_t buf[4] = { 0 };
    assert_int_equal(zm_engine_set_input(e, 0, buf, 2, &err), ZA_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "needs 1 bytes"));
    assert_int_equal(zm_engine_set_input(e, 3, buf, 1, &err), ZA_ERR_ARG);
    assert_int_equal(zm_engine_run_op(e, 99, &err), ZA_ERR_ARG);
    assert_null(zm_engine_tensor(e, -1));
    /* argmax: lowest index on ties, every element type */
    zm_tensor t;
    memset(&t, 0, sizeof t);
    t.n_elems = 4;
    int8_t v8[4] = { -3, 7, 7, 1 };
    t.type = ZM_INT8;
    assert_int_equal(zm_argmax(&t, v8), 1);
    uint8_t u8[4] = { 200, 9, 255, 255 };
    t.type = ZM_UINT8;
    assert_int_equal(zm_argmax(&t, u8), 2);
    float f[4] = { -1.0f, -0.5f, -0.5f, -2.0f };
    t.type = ZM_FLOAT32;
    assert_int_equal(zm_argmax(&t, f), 1);
    t.type = ZM_INT16;
    assert_int_equal(zm_argmax(&t, f), -1);
    zm_engine_free(e);
    zm_model_free(m);
}

int main(void)
{
    if (!zt_shared())
        printf("# ../shared not found (set ZKAUDIT_SHARED): model tests are skipped\n");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weighted_ops_match_naive_definitions),
        cmocka_unit_test(test_mnist_golden_and_accuracy),
        cmocka_unit_test(test_api_errors_and_argmax),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
