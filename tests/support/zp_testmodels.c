/* tests/support/zp_testmodels.c - see zp_testmodels.h.
 *
 * Quantization is chosen the way converters choose it (tools/make_op_models.c
 * does the same for single ops): int8 weights symmetric (zero point 0, each
 * channel's largest magnitude 127), per-channel scales along the output
 * channel axis (CONV_2D, DEPTHWISE_CONV_2D) or one scale (FULLY_CONNECTED);
 * uint8 weights asymmetric per-tensor with a zero point in [90, 170]; int32
 * biases with scale input_scale * weight_scale.  Each layer's weight scale
 * is set from a running estimate of the RMS of (x - zero point) of its
 * input, in steps, so that its accumulators' spread maps to a target output
 * spread of 20 to 40 steps. */
#include "tests/support/zp_testmodels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/tflite_builder.h"

typedef struct {
    float s;
    int zp;
    double mean; /* estimated mean of (x - zp) in steps */
    double rms;  /* estimated RMS of (x - zp) in steps */
} qp;

typedef struct {
    tb_model *tb;
    uint64_t s;   /* splitmix64 state */
    int type;     /* TB_INT8 or TB_UINT8 */
    int fail;
} gen;

static uint64_t rnd(gen *g)
{
    uint64_t z = (g->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unif(gen *g, double lo, double hi)
{
    return lo + (hi - lo) * (double)(rnd(g) >> 11) / 9007199254740992.0;
}

static int irand(gen *g, int lo, int hi) /* uniform in [lo, hi] */
{
    return lo + (int)(rnd(g) % (uint64_t)((int64_t)hi - lo + 1));
}

static int is_u8(const gen *g)
{
    return g->type == TB_UINT8;
}

static void *xcalloc(gen *g, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        g->fail = 1;
    return p;
}

static int act_tensor(gen *g, const char *name, int rank, const int32_t *shape, qp q)
{
    int64_t zp = q.zp;
    return tb_tensor(g->tb, name, g->type, rank, shape, 0, 1, &q.s, &zp, 0);
}

static int const_i32(gen *g, const char *name, int rank, const int32_t *shape, const int32_t *v,
                     size_t n)
{
    int b = tb_buffer(g->tb, v, 4 * n);
    return tb_tensor(g->tb, name, TB_INT32, rank, shape, b, 0, NULL, NULL, 0);
}

/* The model input: uniformly random bytes (model/testinput.h). */
static qp input_q(gen *g)
{
    qp q;
    q.s = (float)unif(g, 0.01, 0.05);
    q.zp = is_u8(g) ? irand(g, 100, 150) : irand(g, -20, 20);
    q.mean = (is_u8(g) ? 127.5 : -0.5) - q.zp;
    q.rms = sqrt((256.0 * 256.0 - 1) / 12 + q.mean * q.mean);
    return q;
}

/* Output quantization of a layer with the given fused activation. */
static qp output_q(gen *g, int act, double target)
{
    qp q;
    if (act == TB_ACT_RELU6) {
        q.s = (float)(6.0 / 255.0);
        q.zp = is_u8(g) ? 0 : -128;
    } else {
        q.s = (float)unif(g, 0.02, 0.2);
        if (act == TB_ACT_RELU)
            q.zp = is_u8(g) ? 0 : -128;
        else
            q.zp = is_u8(g) ? irand(g, 110, 145) : irand(g, -15, 15);
    }
    /* the bias adds about a third of the spread; RELU keeps the upper half
     * (a little more: RELU layers' biases lean positive) */
    q.mean = act == TB_ACT_NONE ? 0 : 0.6 * target;
    q.rms = target * (act == TB_ACT_NONE ? 1.15 : 0.9);
    return q;
}

/* A weighted layer: oc channels of K weights; widx(c, k) -> filter offset.
 * n_scales: distinct per-channel weight scales (0: one per-tensor scale). */
typedef struct {
    int oc;
    int64_t K;
    int n_scales;
    int act;
    int dw;       /* depthwise filter layout [1][kh][kw][oc] */
} wspec;

typedef struct {
    uint8_t *w;
    int32_t *bias;
    float *w_s, *b_s;
    int64_t *w_zp, *b_zp;
    int nq;
    qp out;
} wdata;

static void wdata_free(wdata *d)
{
    free(d->w), free(d->bias), free(d->w_s), free(d->b_s), free(d->w_zp), free(d->b_zp);
    memset(d, 0, sizeof *d);
}

static int64_t widx(const wspec *sp, int c, int64_t k)
{
    return sp->dw ? k * sp->oc + c : (int64_t)c * sp->K + k;
}

static void make_weights(gen *g, const wspec *sp, qp in, wdata *d)
{
    const int oc = sp->oc;
    const int64_t K = sp->K;
    memset(d, 0, sizeof *d);
    d->w = xcalloc(g, (size_t)(oc * K), 1);
    d->bias = xcalloc(g, (size_t)oc, sizeof(int32_t));
    d->w_s = xcalloc(g, (size_t)oc, sizeof(float));
    d->b_s = xcalloc(g, (size_t)oc, sizeof(float));
    d->w_zp = xcalloc(g, (size_t)oc, sizeof(int64_t));
    d->b_zp = xcalloc(g, (size_t)oc, sizeof(int64_t));
    if (g->fail)
        return;
    const int u8 = is_u8(g);
    const int per_channel = !u8 && sp->n_scales > 0;
    d->nq = per_channel ? oc : 1;
    double target = unif(g, 20, 40);
    d->out = output_q(g, sp->act, target);
    int wzp = u8 ? irand(g, 90, 170) : 0;
    double rms_w = u8 ? sqrt((256.0 * 256.0 - 1) / 12 + (127.5 - wzp) * (127.5 - wzp)) : 73.3;
    double sigma_acc = sqrt((double)K) * rms_w * in.rms;
    double M = target / sigma_acc; /* in_s * w_s / out_s */
    double ws = M * d->out.s / in.s;
    double factor[8];
    int nf = per_channel ? (sp->n_scales < 8 ? sp->n_scales : 8) : 1;
    for (int i = 0; i < nf; i++)
        factor[i] = per_channel ? unif(g, 0.7, 1.4) : 1.0;
    for (int c = 0; c < oc; c++) {
        d->w_s[c] = (float)(ws * factor[c % nf]);
        d->w_zp[c] = wzp;
        for (int64_t k = 0; k < K; k++)
            d->w[widx(sp, c, k)] = (uint8_t)(u8 ? irand(g, 0, 255) : irand(g, -127, 127));
        if (!u8) /* symmetric quantization: the channel's extreme is +-127 */
            d->w[widx(sp, c, irand(g, 0, (int)K - 1))] = (uint8_t)(irand(g, 0, 1) ? 127 : -127);
    }
    /* per-tensor: every channel carries the first one's scale */
    for (int c = 0; c < oc; c++) {
        d->b_s[c] = in.s * d->w_s[per_channel ? c : 0];
        /* the bias cancels the accumulator's expected value (the input's
         * mean times the channel's weight sum: large with asymmetric
         * weights), plus noise; ReLU layers lean positive so that fewer
         * outputs are clamped */
        double wsum = 0;
        for (int64_t k = 0; k < K; k++) {
            uint8_t b = d->w[widx(sp, c, k)];
            wsum += u8 ? (double)b - wzp : (double)(int8_t)b;
        }
        double lo = sp->act == TB_ACT_NONE ? -1.0 : -0.5;
        d->bias[c] = (int32_t)llround(unif(g, lo, 1.0) * sigma_acc - wsum * in.mean);
    }
}

/* CONV_2D or DEPTHWISE_CONV_2D from x (quantization *xq, shape s, updated
 * to the output's); mult: DEPTHWISE's depth multiplier (0: CONV_2D with oc
 * channels). */
static int conv_layer(gen *g, const char *tag, int x, qp *xq, int32_t s[4], int oc, int mult,
                      int k, int stride, int pad, int act, int n_scales)
{
    const int ic = s[3], dw = mult > 0;
    if (dw)
        oc = ic * mult;
    int oh = pad == TB_PAD_SAME ? (s[1] + stride - 1) / stride : (s[1] - k + stride) / stride;
    int ow = pad == TB_PAD_SAME ? (s[2] + stride - 1) / stride : (s[2] - k + stride) / stride;
    wspec sp = { oc, dw ? (int64_t)k * k : (int64_t)k * k * ic, n_scales, act, dw };
    wdata d;
    make_weights(g, &sp, *xq, &d);
    if (g->fail) {
        wdata_free(&d);
        return -1;
    }
    int32_t fshape[4] = { dw ? 1 : oc, k, k, dw ? oc : ic };
    int32_t bshape[1] = { oc };
    char nm[64];
    snprintf(nm, sizeof nm, "%s_filter", tag);
    int fb = tb_buffer(g->tb, d.w, (size_t)(oc * sp.K));
    int f = tb_tensor(g->tb, nm, g->type, 4, fshape, fb, d.nq, d.w_s, d.w_zp, dw ? 3 : 0);
    snprintf(nm, sizeof nm, "%s_bias", tag);
    int bb = tb_buffer(g->tb, d.bias, 4 * (size_t)oc);
    int b = tb_tensor(g->tb, nm, TB_INT32, 1, bshape, bb, d.nq, d.b_s, d.b_zp, 0);
    s[1] = oh, s[2] = ow, s[3] = oc;
    snprintf(nm, sizeof nm, "%s_out", tag);
    int y = act_tensor(g, nm, 4, s, d.out);
    tb_options o = dw ? tb_opt_depthwise(pad, stride, stride, mult, act, 1, 1)
                      : tb_opt_conv2d(pad, stride, stride, act, 1, 1);
    o.version = is_u8(g) ? 1 : 3;
    int32_t ins[3] = { x, f, b };
    tb_op(g->tb, dw ? TB_OP_DEPTHWISE_CONV_2D : TB_OP_CONV_2D, 3, ins, 1, &y, &o);
    *xq = d.out;
    wdata_free(&d);
    return y;
}

/* FULLY_CONNECTED of every element of x (rank and shape as given) to
 * `units` outputs [1, units], per-tensor, no activation. */
static int fc_layer(gen *g, const char *tag, int x, qp *xq, int rank, const int32_t *s, int units)
{
    int64_t K = 1;
    for (int d = 1; d < rank; d++)
        K *= s[d];
    wspec sp = { units, K, 0, TB_ACT_NONE, 0 };
    wdata d;
    make_weights(g, &sp, *xq, &d);
    if (g->fail) {
        wdata_free(&d);
        return -1;
    }
    int32_t wshape[2] = { units, (int32_t)K }, bshape[1] = { units }, oshape[2] = { 1, units };
    char nm[64];
    snprintf(nm, sizeof nm, "%s_weights", tag);
    int wb = tb_buffer(g->tb, d.w, (size_t)(units * K));
    int w = tb_tensor(g->tb, nm, g->type, 2, wshape, wb, 1, d.w_s, d.w_zp, 0);
    snprintf(nm, sizeof nm, "%s_bias", tag);
    int bb = tb_buffer(g->tb, d.bias, 4 * (size_t)units);
    int b = tb_tensor(g->tb, nm, TB_INT32, 1, bshape, bb, 1, d.b_s, d.b_zp, 0);
    snprintf(nm, sizeof nm, "%s_out", tag);
    int y = act_tensor(g, nm, 2, oshape, d.out);
    tb_options o = tb_opt_fc(TB_ACT_NONE, 0);
    o.version = is_u8(g) ? 1 : 4;
    int32_t ins[3] = { x, w, b };
    tb_op(g->tb, TB_OP_FULLY_CONNECTED, 3, ins, 1, &y, &o);
    *xq = d.out;
    wdata_free(&d);
    return y;
}

static int softmax_layer(gen *g, int x, int units)
{
    qp q = { 1.0f / 256, is_u8(g) ? 0 : -128, 0, 0 };
    int32_t s[2] = { 1, units };
    int y = act_tensor(g, "probs", 2, s, q);
    tb_options o = tb_opt_softmax(1.0f);
    o.version = is_u8(g) ? 1 : 2;
    tb_op(g->tb, TB_OP_SOFTMAX, 1, &x, 1, &y, &o);
    return y;
}

/* ---------------------------------------------------------------- models */

static void model_conv(gen *g, int *in, int *out, int *n_out)
{
    int32_t s[4] = { 1, 8, 8, 3 };
    qp q = input_q(g);
    int x = act_tensor(g, "image", 4, s, q);
    *in = x;
    int y = conv_layer(g, "conv1", x, &q, s, 8, 0, 3, 1, TB_PAD_SAME, TB_ACT_RELU, 3);
    y = conv_layer(g, "conv2", y, &q, s, 12, 0, 3, 2, TB_PAD_VALID, TB_ACT_NONE, 8);
    y = fc_layer(g, "fc", y, &q, 4, s, 10);
    *out = softmax_layer(g, y, 10);
    *n_out = 1;
}

static void model_dw(gen *g, int *in, int *out, int *n_out)
{
    int32_t s[4] = { 1, 8, 8, 4 };
    qp q = input_q(g);
    int x = act_tensor(g, "image", 4, s, q);
    *in = x;
    int y = conv_layer(g, "dw1", x, &q, s, 0, 2, 3, 1, TB_PAD_SAME, TB_ACT_RELU6, 8);
    /* PAD H by (1, 1) and W by (0, 1): the value is the zero point */
    int32_t pads[8] = { 0, 0, 1, 1, 0, 1, 0, 0 }, pshape[2] = { 4, 2 };
    int p = const_i32(g, "paddings", 2, pshape, pads, 8);
    s[1] += 2, s[2] += 1;
    int yp = act_tensor(g, "padded", 4, s, q);
    tb_options o = tb_opt_empty(TB_OPT_PAD);
    o.version = is_u8(g) ? 1 : 2;
    int32_t pin[2] = { y, p };
    tb_op(g->tb, TB_OP_PAD, 2, pin, 1, &yp, &o);
    y = conv_layer(g, "dw2", yp, &q, s, 0, 1, 3, 2, TB_PAD_VALID, TB_ACT_RELU6, 8);
    y = conv_layer(g, "pw", y, &q, s, 12, 0, 1, 1, TB_PAD_VALID, TB_ACT_RELU, 8);
    /* MEAN over H, W (the runtime's 4-D path), output at a finer scale */
    int32_t axes[2] = { 1, 2 }, ashape[1] = { 2 };
    int ax = const_i32(g, "axes", 1, ashape, axes, 2);
    qp mq;
    mq.s = q.s * 0.6f;
    mq.zp = is_u8(g) ? 0 : -128;
    mq.mean = q.mean / 0.6;
    mq.rms = mq.mean * 1.2;
    s[1] = s[2] = 1;
    int m = act_tensor(g, "mean", 4, s, mq);
    o = tb_opt_reducer(1);
    o.version = is_u8(g) ? 1 : 2;
    int32_t min_[2] = { y, ax };
    tb_op(g->tb, TB_OP_MEAN, 2, min_, 1, &m, &o);
    q = mq;
    *out = fc_layer(g, "fc", m, &q, 4, s, 10);
    *n_out = 1;
}

static void model_branch(gen *g, int *in, int *out, int *n_out)
{
    int32_t s[4] = { 1, 6, 6, 3 }, s2[4];
    qp q = input_q(g), qa = q, qb = q;
    int x = act_tensor(g, "image", 4, s, q);
    *in = x;
    memcpy(s2, s, sizeof s2);
    int a = conv_layer(g, "conv_a", x, &qa, s, 8, 0, 3, 1, TB_PAD_SAME, TB_ACT_NONE, 8);
    int b = conv_layer(g, "conv_b", x, &qb, s2, 8, 0, 1, 1, TB_PAD_VALID, TB_ACT_NONE, 8);
    qp qs;
    qs.s = (float)((qa.s + qb.s) * unif(g, 0.5, 0.8));
    qs.zp = is_u8(g) ? 0 : -128;
    qs.rms = sqrt(qa.rms * qa.rms * qa.s * qa.s + qb.rms * qb.rms * qb.s * qb.s) / qs.s * 0.8;
    qs.mean = qs.rms * 0.6;
    int sum = act_tensor(g, "sum", 4, s, qs);
    tb_options o = tb_opt_add(TB_ACT_RELU);
    o.version = is_u8(g) ? 1 : 2;
    int32_t ain[2] = { a, b };
    tb_op(g->tb, TB_OP_ADD, 2, ain, 1, &sum, &o);
    /* MAX_POOL 2x2 / 2 and AVERAGE_POOL 3x3 keep the quantization */
    s[1] = s[2] = 3;
    int mp = act_tensor(g, "maxpool", 4, s, qs);
    o = tb_opt_pool2d(TB_PAD_VALID, 2, 2, 2, 2, TB_ACT_NONE);
    o.version = is_u8(g) ? 1 : 2;
    tb_op(g->tb, TB_OP_MAX_POOL_2D, 1, &sum, 1, &mp, &o);
    s[1] = s[2] = 1;
    int ap = act_tensor(g, "avgpool", 4, s, qs);
    o = tb_opt_pool2d(TB_PAD_VALID, 1, 1, 3, 3, TB_ACT_NONE);
    o.version = is_u8(g) ? 1 : 2;
    tb_op(g->tb, TB_OP_AVERAGE_POOL_2D, 1, &mp, 1, &ap, &o);
    int32_t rs[2] = { 1, 8 }, rshape[1] = { 2 };
    int st = const_i32(g, "flat_shape", 1, rshape, rs, 2);
    int fl = act_tensor(g, "flat", 2, rs, qs);
    o = tb_opt_reshape(2, rs);
    int32_t rin[2] = { ap, st };
    tb_op(g->tb, TB_OP_RESHAPE, 2, rin, 1, &fl, &o);
    *out = fc_layer(g, "fc", fl, &qs, 2, rs, 10);
    *n_out = 1;
}

static void model_reshape_out(gen *g, int *in, int *out, int *n_out)
{
    int32_t s[4] = { 1, 6, 6, 3 };
    qp q = input_q(g);
    int x = act_tensor(g, "image", 4, s, q);
    *in = x;
    int y = conv_layer(g, "conv", x, &q, s, 8, 0, 3, 1, TB_PAD_SAME, TB_ACT_NONE, 8);
    s[1] = s[2] = 1;
    int ap = act_tensor(g, "avgpool", 4, s, q);
    tb_options o = tb_opt_pool2d(TB_PAD_VALID, 1, 1, 6, 6, TB_ACT_NONE);
    o.version = 2;
    tb_op(g->tb, TB_OP_AVERAGE_POOL_2D, 1, &y, 1, &ap, &o);
    int32_t rs[2] = { 1, 8 }, rshape[1] = { 2 };
    int st = const_i32(g, "flat_shape", 1, rshape, rs, 2);
    int fl = act_tensor(g, "features", 2, rs, q);
    o = tb_opt_reshape(2, rs);
    int32_t rin[2] = { ap, st };
    tb_op(g->tb, TB_OP_RESHAPE, 2, rin, 1, &fl, &o);
    out[0] = fl;
    out[1] = fc_layer(g, "logits", fl, &q, 2, rs, 10);
    *n_out = 2;
}

static void model_pad_out(gen *g, int *in, int *out, int *n_out)
{
    int32_t s[4] = { 1, 6, 6, 3 };
    qp q = input_q(g);
    int x = act_tensor(g, "image", 4, s, q);
    *in = x;
    int y = conv_layer(g, "conv", x, &q, s, 4, 0, 1, 1, TB_PAD_VALID, TB_ACT_NONE, 4);
    int32_t pads[8] = { 0, 0, 1, 1, 1, 1, 0, 0 }, pshape[2] = { 4, 2 };
    int p = const_i32(g, "paddings", 2, pshape, pads, 8);
    s[1] += 2, s[2] += 2;
    int yp = act_tensor(g, "padded", 4, s, q);
    tb_options o = tb_opt_empty(TB_OPT_PAD);
    o.version = 2;
    int32_t pin[2] = { y, p };
    tb_op(g->tb, TB_OP_PAD, 2, pin, 1, &yp, &o);
    out[0] = yp;
    out[1] = conv_layer(g, "dw", yp, &q, s, 0, 1, 3, 1, TB_PAD_VALID, TB_ACT_NONE, 4);
    *n_out = 2;
}

const char *zt_model_name(int kind)
{
    static const char *const names[ZT_N_ALL_MODELS] = { "conv",    "dw",          "branch",
                                                        "conv_u8", "reshape_out", "pad_out" };
    return kind >= 0 && kind < ZT_N_ALL_MODELS ? names[kind] : NULL;
}

int zt_model_build(int kind, uint64_t seed, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!zt_model_name(kind)) {
        fprintf(stderr, "zt_model_build: unknown model kind %d\n", kind);
        return -1;
    }
    gen g;
    memset(&g, 0, sizeof g);
    g.s = seed * 0x100000001b3ULL + (uint64_t)kind;
    g.type = kind == ZT_MODEL_CONV_U8 ? TB_UINT8 : TB_INT8;
    g.tb = tb_new();
    if (!g.tb) {
        fprintf(stderr, "zt_model_build: out of memory\n");
        return -1;
    }
    char desc[96];
    snprintf(desc, sizeof desc, "zkaudit prover test model %s seed %llu", zt_model_name(kind),
             (unsigned long long)seed);
    tb_description(g.tb, desc);
    int in = -1, o[2] = { -1, -1 }, n_out = 0;
    switch (kind) {
    case ZT_MODEL_CONV:
    case ZT_MODEL_CONV_U8:
        model_conv(&g, &in, o, &n_out);
        break;
    case ZT_MODEL_DW:
        model_dw(&g, &in, o, &n_out);
        break;
    case ZT_MODEL_BRANCH:
        model_branch(&g, &in, o, &n_out);
        break;
    case ZT_MODEL_RESHAPE_OUT:
        model_reshape_out(&g, &in, o, &n_out);
        break;
    default:
        model_pad_out(&g, &in, o, &n_out);
        break;
    }
    int32_t ins[1] = { in }, outs[2] = { o[0], o[1] };
    tb_io(g.tb, 1, ins, n_out, outs);
    int rc = g.fail ? -1 : tb_finish(g.tb, out, len);
    if (rc)
        fprintf(stderr, "zt_model_build: %s: %s\n", zt_model_name(kind),
                g.fail ? "out of memory" : tb_error(g.tb));
    tb_free(g.tb);
    return rc ? -1 : 0;
}
