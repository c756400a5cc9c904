/* tools/demo_quant.c - int8 quantization and .tflite layout of the demo CNN
 * (demo_quant.h).  The float expressions follow TFLite's converter
 * (tensorflow/lite/tools/optimize/quantization_utils.cc) operation for
 * operation, in float, so the file is what that converter would write for
 * the same float weights and calibration ranges. */
#include "tools/demo_quant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/tflite_builder.h"

void zd_ranges_init(zd_ranges *r)
{
    r->y1_min = r->y2_min = r->l_min = INFINITY;
    r->y1_max = r->y2_max = r->l_max = -INFINITY;
}

static void widen(float *lo, float *hi, const float *v, int n)
{
    for (int i = 0; i < n; i++) {
        *lo = v[i] < *lo ? v[i] : *lo;
        *hi = v[i] > *hi ? v[i] : *hi;
    }
}

void zd_ranges_update(zd_ranges *r, const zd_acts *a)
{
    widen(&r->y1_min, &r->y1_max, a->y1, ZD_H1 * ZD_H1 * ZD_C1);
    widen(&r->y2_min, &r->y2_max, a->y2, ZD_H2 * ZD_H2 * ZD_C2);
    widen(&r->l_min, &r->l_max, a->logits, ZD_NCLS);
}

void zd_ranges_merge(zd_ranges *r, const zd_ranges *o)
{
    widen(&r->y1_min, &r->y1_max, &o->y1_min, 1);
    widen(&r->y1_min, &r->y1_max, &o->y1_max, 1);
    widen(&r->y2_min, &r->y2_max, &o->y2_min, 1);
    widen(&r->y2_min, &r->y2_max, &o->y2_max, 1);
    widen(&r->l_min, &r->l_max, &o->l_min, 1);
    widen(&r->l_min, &r->l_max, &o->l_max, 1);
}

typedef struct {
    float s;
    int64_t zp;
} qp;

/* GetAsymmetricQuantizationParams for int8 (qmin -128, qmax 127). */
static qp asym_params(float mn, float mx)
{
    const float qmin = -128.0f, qmax = 127.0f;
    mn = mn < 0.0f ? mn : 0.0f;
    mx = mx > 0.0f ? mx : 0.0f;
    qp q;
    q.s = (mx - mn) / (qmax - qmin);
    float zp_from_min = q.s != 0.0f ? qmin - mn / q.s : qmin;
    if (zp_from_min < qmin)
        q.zp = -128;
    else if (zp_from_min > qmax)
        q.zp = 127;
    else
        q.zp = (int64_t)roundf(zp_from_min);
    if (q.s == 0.0f) /* a dead layer; never seen, but a zero scale is invalid */
        q.s = 1.0f / 255.0f;
    return q;
}

/* Per-channel symmetric weights (SymmetricPerChannelQuantizeValues) and
 * int32 biases (SymmetricPerChannelBiasQuantize).  wT is [K][OC] (the
 * trainer's layout); q gets [OC][K] (TFLite's: OHWI for CONV_2D, [units,
 * K] for FULLY_CONNECTED). */
static void quant_weights(const float *wT, const float *b, int K, int OC, float in_s, int8_t *q,
                          float *w_s, int32_t *qb, float *b_s)
{
    for (int c = 0; c < OC; c++) {
        float mx = 0.0f;
        for (int k = 0; k < K; k++)
            mx = fabsf(wT[k * OC + c]) > mx ? fabsf(wT[k * OC + c]) : mx;
        w_s[c] = mx / 127.0f;
        if (w_s[c] == 0.0f) /* an all-zero channel: any scale quantizes it to 0 */
            w_s[c] = 1.0f;
        float inv = 1.0f / w_s[c];
        for (int k = 0; k < K; k++) {
            float v = roundf(wT[k * OC + c] * inv);
            q[c * K + k] = (int8_t)(v > 127.0f ? 127 : v < -127.0f ? -127 : v);
        }
        b_s[c] = in_s * w_s[c];
        double v = round((double)(b[c] * (1.0f / b_s[c])));
        qb[c] = (int32_t)(v > 2147483647.0 ? 2147483647.0 : v < -2147483647.0 ? -2147483647.0 : v);
    }
}

/* One weighted layer's filter and bias tensors; returns the filter's index
 * and sets *bias. */
static int weight_tensors(tb_model *tb, const char *tag, const float *wT, const float *b, int K,
                          int OC, float in_s, int rank, const int32_t *wshape, int *bias)
{
    int8_t *q = malloc((size_t)K * (size_t)OC);
    float w_s[ZD_C2 > ZD_NCLS ? ZD_C2 : ZD_NCLS], b_s[ZD_C2 > ZD_NCLS ? ZD_C2 : ZD_NCLS];
    int32_t qb[ZD_C2 > ZD_NCLS ? ZD_C2 : ZD_NCLS];
    *bias = -1;
    if (!q) /* tb_tensor then fails on index -1, and so does tb_finish */
        return -1;
    quant_weights(wT, b, K, OC, in_s, q, w_s, qb, b_s);
    char name[64];
    snprintf(name, sizeof name, "%s/weights", tag);
    int f = tb_tensor(tb, name, TB_INT8, rank, wshape, tb_buffer(tb, q, (size_t)K * (size_t)OC),
                      OC, w_s, NULL, 0);
    int32_t bshape[1] = { OC };
    snprintf(name, sizeof name, "%s/bias", tag);
    *bias = tb_tensor(tb, name, TB_INT32, 1, bshape, tb_buffer(tb, qb, 4 * (size_t)OC), OC, b_s,
                      NULL, 0);
    free(q);
    return f;
}

static int act_tensor(tb_model *tb, const char *name, int rank, const int32_t *shape, qp q)
{
    return tb_tensor(tb, name, TB_INT8, rank, shape, 0, 1, &q.s, &q.zp, 0);
}

za_status zd_write_tflite(const zd_cnn *net, const zd_ranges *r, const char *description,
                          uint8_t **out, size_t *len, za_error *err)
{
    const float *p = net->p;
    *out = NULL;
    *len = 0;
    tb_model *tb = tb_new();
    if (!tb)
        return za_error_set(err, ZA_ERR_NOMEM, "tflite writer: out of memory");
    tb_description(tb, description);

    qp q_in = { 1.0f / 255.0f, -128 };
    qp q1 = asym_params(r->y1_min, r->y1_max);
    qp q2 = asym_params(r->y2_min, r->y2_max);
    qp ql = asym_params(r->l_min, r->l_max);
    qp q_out = { 1.0f / 256.0f, -128 };

    int32_t s_in[4] = { 1, ZD_H1, ZD_H1, 1 }, s_y1[4] = { 1, ZD_H1, ZD_H1, ZD_C1 };
    int32_t s_p1[4] = { 1, ZD_H2, ZD_H2, ZD_C1 }, s_y2[4] = { 1, ZD_H2, ZD_H2, ZD_C2 };
    int32_t s_p2[4] = { 1, ZD_H3, ZD_H3, ZD_C2 }, s_flat[2] = { 1, ZD_FLAT };
    int32_t s_out[2] = { 1, ZD_NCLS };
    int32_t w1s[4] = { ZD_C1, 3, 3, 1 }, w2s[4] = { ZD_C2, 3, 3, ZD_C1 };
    int32_t wfs[2] = { ZD_NCLS, ZD_FLAT }, rs_shape[1] = { 2 };

    int x = act_tensor(tb, "input", 4, s_in, q_in);
    int b1, b2, bf;
    int w1 = weight_tensors(tb, "conv1", p + ZD_OFF_W1, p + ZD_OFF_B1, ZD_K1, ZD_C1, q_in.s, 4,
                            w1s, &b1);
    int y1 = act_tensor(tb, "conv1/relu", 4, s_y1, q1);
    int p1 = act_tensor(tb, "pool1", 4, s_p1, q1);
    int w2 = weight_tensors(tb, "conv2", p + ZD_OFF_W2, p + ZD_OFF_B2, ZD_K2, ZD_C2, q1.s, 4,
                            w2s, &b2);
    int y2 = act_tensor(tb, "conv2/relu", 4, s_y2, q2);
    int p2 = act_tensor(tb, "pool2", 4, s_p2, q2);
    int rs = tb_tensor(tb, "flatten/shape", TB_INT32, 1, rs_shape,
                       tb_buffer(tb, s_flat, sizeof s_flat), 0, NULL, NULL, 0);
    int fl = act_tensor(tb, "flatten", 2, s_flat, q2);
    int wf = weight_tensors(tb, "dense", p + ZD_OFF_WF, p + ZD_OFF_BF, ZD_FLAT, ZD_NCLS, q2.s, 2,
                            wfs, &bf);
    int lg = act_tensor(tb, "logits", 2, s_out, ql);
    int y = act_tensor(tb, "probabilities", 2, s_out, q_out);

    /* op versions as the converter writes them for int8 (per-channel) kernels */
    tb_options o = tb_opt_conv2d(TB_PAD_SAME, 1, 1, TB_ACT_RELU, 1, 1);
    o.version = 3;
    tb_op(tb, TB_OP_CONV_2D, 3, (int32_t[]){ x, w1, b1 }, 1, &y1, &o);
    o = tb_opt_pool2d(TB_PAD_VALID, 2, 2, 2, 2, TB_ACT_NONE);
    o.version = 2;
    tb_op(tb, TB_OP_MAX_POOL_2D, 1, &y1, 1, &p1, &o);
    o = tb_opt_conv2d(TB_PAD_SAME, 1, 1, TB_ACT_RELU, 1, 1);
    o.version = 3;
    tb_op(tb, TB_OP_CONV_2D, 3, (int32_t[]){ p1, w2, b2 }, 1, &y2, &o);
    o = tb_opt_pool2d(TB_PAD_VALID, 2, 2, 2, 2, TB_ACT_NONE);
    o.version = 2;
    tb_op(tb, TB_OP_MAX_POOL_2D, 1, &y2, 1, &p2, &o);
    o = tb_opt_reshape(2, s_flat);
    tb_op(tb, TB_OP_RESHAPE, 2, (int32_t[]){ p2, rs }, 1, &fl, &o);
    o = tb_opt_fc(TB_ACT_NONE, 0);
    o.version = 4;
    tb_op(tb, TB_OP_FULLY_CONNECTED, 3, (int32_t[]){ fl, wf, bf }, 1, &lg, &o);
    o = tb_opt_softmax(1.0f);
    o.version = 2;
    tb_op(tb, TB_OP_SOFTMAX, 1, &lg, 1, &y, &o);
    tb_io(tb, 1, &x, 1, &y);

    za_status st = ZA_OK;
    if (w1 < 0 || w2 < 0 || wf < 0 || b1 < 0 || b2 < 0 || bf < 0) /* -1 would mean "omitted" */
        st = za_error_set(err, ZA_ERR_NOMEM, "tflite writer: %s", "out of memory");
    else if (tb_finish(tb, out, len) != 0)
        st = za_error_set(err, ZA_ERR_NOMEM, "tflite writer: %s", tb_error(tb));
    tb_free(tb);
    return st;
}
