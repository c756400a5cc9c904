/* tools/make_op_models.c - synthetic single-op TFLite models for the
 * bit-exactness tests (tests/bitexact/ops.sh).
 *
 * usage: make_op_models OUTDIR
 *
 * Writes OUTDIR/<name>.tflite for every op configuration below and
 * OUTDIR/models.tsv with one line per model:
 *     name <TAB> expect <TAB> n_inputs <TAB> flags
 * expect is "ok" (the engine must match the TFLite runtime byte for byte)
 * or "refuse:<OP>" (seller infer must fail naming <OP>); flags is "dump"
 * (also compare every intermediate tensor) or "-".
 *
 * Weights and quantization parameters are random but deterministic (each
 * model's generator is seeded from its name) and chosen the way converters
 * choose them:
 *  - int8: symmetric weights (zero point 0, each channel's largest magnitude
 *    127), per-channel scales along the output-channel axis (or one scale),
 *    int32 biases with scale input_scale * weight_scale, activations with
 *    random zero points;
 *  - uint8 (TF1-style): asymmetric per-tensor weights with a non-zero zero
 *    point, activations with random zero points.
 * The output scale is picked so that outputs spread over the output range
 * (and the fused activation clamps some of them).
 *
 * Two kinds of "corner" models aim at rounding details random data almost
 * never reaches.  Every other output channel has all-zero weights (w = zp),
 * so its accumulator is exactly its bias, whatever the input:
 *  - ties: power-of-two scales make the multiplier exactly f * 2^-e with
 *    f = 1 or 3, and the zero channels' biases are odd multiples of
 *    2^(e-1): exact .5 ties, positive and negative, which single rounding
 *    (half up) and double rounding (half away from zero) resolve
 *    differently; the "bigmult" variants use multipliers 1.5 and 0.75
 *    (TFLite shift +1 and 0: no rounding right shift, so ties go up in
 *    both roundings; they check the left-shift paths and that tie rule);
 *  - fprod: scales for which float(in_scale * w_scale) differs from the
 *    double product enough to change the quantized multiplier, with biases
 *    searched so that the two multipliers give different outputs (TFLite
 *    uses the float product for per-tensor FULLY_CONNECTED and for uint8
 *    CONV_2D / DEPTHWISE_CONV_2D).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/fixedpoint.h"
#include "tests/support/tflite_builder.h"

/* ------------------------------------------------------------ output */

static const char *g_dir;
static FILE *g_manifest;
static int g_models, g_errors;

/* ------------------------------------------------------------ random */

typedef struct {
    uint64_t s;
} rng;

static uint64_t rnd(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unif(rng *r, double lo, double hi)
{
    return lo + (hi - lo) * (double)(rnd(r) >> 11) / 9007199254740992.0;
}

static double logu(rng *r, double lo, double hi)
{
    return exp(unif(r, log(lo), log(hi)));
}

/* uniform integer in [lo, hi] */
static int irand(rng *r, int lo, int hi)
{
    return lo + (int)(rnd(r) % (uint64_t)((int64_t)hi - lo + 1));
}

/* ------------------------------------------------------------ model */

typedef struct {
    tb_model *tb;
    rng r;
    char name[96];
    int n_in;
    int32_t in[4];
    int32_t out;
} mb;

static void mb_begin(mb *m, const char *name)
{
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    uint64_t h = 1469598103934665603ULL; /* FNV-1a of the name seeds the model */
    for (const char *p = name; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ULL;
    m->r.s = h;
    m->tb = tb_new();
    if (!m->tb) {
        fprintf(stderr, "make_op_models: out of memory\n");
        exit(1);
    }
    char desc[160];
    snprintf(desc, sizeof desc, "zkaudit op test model %s", name);
    tb_description(m->tb, desc);
}

static void mb_save(mb *m, const char *expect, const char *flags)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    tb_io(m->tb, m->n_in, m->in, 1, &m->out);
    if (tb_finish(m->tb, &buf, &len)) {
        fprintf(stderr, "make_op_models: %s: %s\n", m->name, tb_error(m->tb));
        g_errors++;
        tb_free(m->tb);
        return;
    }
    tb_free(m->tb);
    m->tb = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.tflite", g_dir, m->name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "make_op_models: cannot write %s: %s\n", path, strerror(errno));
        g_errors++;
        free(buf);
        return;
    }
    free(buf);
    fprintf(g_manifest, "%s\t%s\t%d\t%s\n", m->name, expect, m->n_in, flags ? flags : "-");
    g_models++;
}

static int qmin(int type)
{
    return type == TB_UINT8 ? 0 : -128;
}

static int qmax(int type)
{
    return type == TB_UINT8 ? 255 : 127;
}

typedef struct {
    float s;
    int zp;
} qp;

/* activation quantization: scale log-uniform, zero point anywhere */
static qp rand_q(rng *r, int type)
{
    qp q;
    q.s = (float)logu(r, 0.004, 0.08);
    q.zp = irand(r, qmin(type), qmax(type));
    return q;
}

static int t_act(mb *m, const char *name, int type, int rank, const int32_t *shape, qp q)
{
    int64_t zp = q.zp;
    return tb_tensor(m->tb, name, type, rank, shape, 0, 1, &q.s, &zp, 0);
}

static int t_const(mb *m, const char *name, int type, int rank, const int32_t *shape,
                   const void *data, size_t bytes, int nq, const float *s, const int64_t *zp,
                   int qdim)
{
    int b = tb_buffer(m->tb, data, bytes);
    if (b < 0)
        return -1;
    return tb_tensor(m->tb, name, type, rank, shape, b, nq, s, zp, qdim);
}

static int t_i32(mb *m, const char *name, int rank, const int32_t *shape, const int32_t *v)
{
    int64_t n = 1;
    for (int d = 0; d < rank; d++)
        n *= shape[d];
    return t_const(m, name, TB_INT32, rank, shape, v, (size_t)n * 4, 0, NULL, NULL, 0);
}

static int64_t numel(int rank, const int32_t *shape)
{
    int64_t n = 1;
    for (int d = 0; d < rank; d++)
        n *= shape[d];
    return n;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "make_op_models: out of memory\n");
        exit(1);
    }
    return p;
}

/* ------------------------------------------------------------ rounding
 * What the TFLite runtime computes for one accumulator, to search biases
 * for the "fprod" corner models. */

static int32_t requant(int32_t acc, double real_multiplier, int single)
{
    int32_t m0;
    int shift;
    zm_quantize_multiplier(real_multiplier, &m0, &shift);
    return single ? zm_mbqm_single(acc, m0, shift) : zm_mbqm_double(acc, m0, shift);
}

/* ------------------------------------------------------------ CONV / DW */

enum { CORNER_NONE = 0, CORNER_TIES = 1, CORNER_FPROD = 2, CORNER_TIES_BIG = 3 };

typedef struct {
    int type;
    int depthwise;
    int per_channel;
    int n, h, w, ic;
    int oc;        /* CONV_2D */
    int mult;      /* DEPTHWISE_CONV_2D: oc = ic * mult */
    int kh, kw;
    int sh, sw;
    int dh, dw;
    int pad, act;
    int no_bias;
    int corner;
} conv_cfg;

static int out_dim(int pad, int in, int k, int s, int d)
{
    int eff = (k - 1) * d + 1;
    return pad == TB_PAD_SAME ? (in + s - 1) / s : (in - eff + s) / s;
}

/* std of (x - zp) for uniformly random bytes of the type */
static double sigma_x(int type, int zp)
{
    double mid = type == TB_UINT8 ? 127.5 : -0.5;
    return sqrt((256.0 * 256.0 - 1) / 12 + (mid - zp) * (mid - zp));
}

static void pick_out_q(rng *r, int type, int act, qp *out)
{
    if (act == TB_ACT_RELU6)
        out->s = (float)(6.0 / unif(r, 100, 320));
    else if (act == TB_ACT_RELU_N1_TO_1)
        out->s = (float)(2.0 / unif(r, 60, 300));
    else
        out->s = (float)logu(r, 0.01, 0.3);
    if (type == TB_UINT8)
        out->zp = act == TB_ACT_NONE ? irand(r, 100, 155) : (irand(r, 0, 1) ? 0 : irand(r, 0, 100));
    else
        out->zp = act == TB_ACT_NONE ? irand(r, -40, 40)
                                     : (irand(r, 0, 1) ? -128 : irand(r, -128, 0));
}

/* Weighted layer parameters shared by CONV_2D, DEPTHWISE_CONV_2D and
 * FULLY_CONNECTED: oc channels of K weights; widx(c, k) gives the position
 * of weight k of channel c in the filter buffer. */
typedef struct {
    int type, per_channel, corner, act, oc;
    int64_t K;
    int single_rounding; /* what the runtime uses (for the fprod search) */
    qp in, out;
    float *w_s;          /* [oc] (per-tensor: all equal) */
    int64_t *w_zp;       /* [oc] */
    uint8_t *w;          /* oc*K bytes in filter order */
    int32_t *bias;       /* [oc] */
    float *b_s;          /* [oc] */
    int64_t *b_zp;       /* [oc] zeros */
} wparams;

static void make_weights(rng *r, wparams *p, int64_t (*widx)(const void *, int, int64_t),
                         const void *ctx)
{
    const int oc = p->oc, u8 = p->type == TB_UINT8;
    const int64_t K = p->K;
    p->w_s = xcalloc((size_t)oc, sizeof(float));
    p->w_zp = xcalloc((size_t)oc, sizeof(int64_t));
    p->w = xcalloc((size_t)(oc * K), 1);
    p->bias = xcalloc((size_t)oc, sizeof(int32_t));
    p->b_s = xcalloc((size_t)oc, sizeof(float));
    p->b_zp = xcalloc((size_t)oc, sizeof(int64_t));

    p->in = rand_q(r, p->type);
    pick_out_q(r, p->type, p->act, &p->out);
    int wzp = u8 ? irand(r, 90, 170) : 0;
    double sw = u8 ? sqrt((256.0 * 256.0 - 1) / 12 + (127.5 - wzp) * (127.5 - wzp)) : 73.3;
    double sigma_acc = sqrt((double)K) * sw * sigma_x(p->type, p->in.zp);
    double target = unif(r, 15, 90); /* output std in LSBs */
    double M = target / sigma_acc;   /* in_s * w_s / out_s */

    /* scales */
    if (p->corner == CORNER_TIES || p->corner == CORNER_TIES_BIG) {
        /* multipliers f * 2^-e (f = 1 or 3) are exact, as are the scales */
        p->in.s = (float)ldexp(1.0, -irand(r, 5, 8));
        p->out.s = (float)ldexp(1.0, -irand(r, 3, 6));
        int e = (int)lround(-log2(M));
        for (int c = 0; c < oc; c++) {
            if (!p->per_channel && c > 0) {
                p->w_s[c] = p->w_s[0];
                continue;
            }
            int f = irand(r, 0, 1) ? 3 : 1;
            int ec = e + irand(r, -1, 1);
            if (ec < 2)
                ec = 2;
            if (p->corner == CORNER_TIES_BIG) { /* 1.5 (shift +1) or 0.75 (shift 0) */
                f = 3;
                ec = irand(r, 1, 2);
            }
            p->w_s[c] = (float)(f * ldexp(1.0, -ec) * p->out.s / p->in.s);
        }
    } else if (p->corner == CORNER_FPROD) {
        /* per-tensor, a small multiplier (so that many accumulators map
         * into the output range) whose float-product M0 differs most from
         * the double-product one */
        M = logu(r, 2e-6, 2e-5);
        float best_ws = 0, best_in = p->in.s;
        int64_t best = -1;
        for (int tries = 0; tries < 200000 && best < 48; tries++) {
            if (tries % 500 == 499)
                p->in.s = (float)logu(r, 0.004, 0.08);
            float ws = (float)(M * p->out.s / p->in.s * unif(r, 0.7, 1.4));
            double md = (double)p->in.s * (double)ws / (double)p->out.s;
            double mf = (double)(p->in.s * ws) / (double)p->out.s;
            int32_t m0d, m0f;
            int shd, shf;
            zm_quantize_multiplier(md, &m0d, &shd);
            zm_quantize_multiplier(mf, &m0f, &shf);
            int64_t d = (int64_t)m0d - m0f;
            if (d < 0)
                d = -d;
            if (shd == shf && d > best) {
                best = d;
                best_ws = ws;
                best_in = p->in.s;
            }
        }
        p->in.s = best_in;
        for (int c = 0; c < oc; c++)
            p->w_s[c] = best_ws;
    } else {
        float ws = (float)(M * p->out.s / p->in.s);
        for (int c = 0; c < oc; c++)
            p->w_s[c] = p->per_channel ? (float)(ws * unif(r, 0.6, 1.5)) : ws;
    }

    /* weights */
    for (int c = 0; c < oc; c++) {
        int zero_channel = p->corner != CORNER_NONE && (c % 2 == 1);
        p->w_zp[c] = wzp;
        for (int64_t k = 0; k < K; k++) {
            int v = zero_channel ? wzp : (u8 ? irand(r, 0, 255) : irand(r, -127, 127));
            p->w[widx(ctx, c, k)] = (uint8_t)v;
        }
        if (!u8 && !zero_channel) /* symmetric quantization: the extreme is +-127 */
            p->w[widx(ctx, c, irand(r, 0, (int)K - 1))] = (uint8_t)(irand(r, 0, 1) ? 127 : -127);
    }

    /* biases, scale in_s * w_s (float product, as converters store it) */
    for (int c = 0; c < oc; c++) {
        p->b_s[c] = p->in.s * p->w_s[c];
        int zero_channel = p->corner != CORNER_NONE && (c % 2 == 1);
        double b = unif(r, -2, 2) * sigma_acc;
        if (p->corner == CORNER_TIES_BIG)
            b = unif(r, -2, 2) * 100; /* most outputs saturate anyway */
        if (zero_channel) {
            int lo = qmin(p->type) - p->out.zp + 1, hi = qmax(p->type) - p->out.zp - 2;
            if (lo < -100)
                lo = -100;
            if (hi > 100)
                hi = 100;
            int j = irand(r, lo, hi); /* output value j + 0.5 (before the zero point) */
            double m = (double)p->in.s * (double)p->w_s[c] / (double)p->out.s;
            if (p->corner == CORNER_TIES || p->corner == CORNER_TIES_BIG) {
                /* m = f * 2^-e: b = (2t+1) 2^(e-1) gives f (2t+1) / 2, a tie */
                int ex;
                double mant = frexp(m, &ex);
                int f = mant == 0.5 ? 1 : 3, e = (f == 1 ? 1 : 2) - ex;
                int t = (int)floor((double)j / f - 0.5);
                b = (double)(2 * t + 1) * ldexp(1.0, e - 1);
            } else {
                /* search the rounding boundaries k + 0.5 of the output
                 * range for an accumulator the two multipliers (double and
                 * float product) requantize differently */
                double mf = (double)(p->in.s * p->w_s[c]) / (double)p->out.s;
                int found = 0;
                b = floor(((double)j + 0.5) / m);
                for (int t = 0; t < 2000 && !found; t++) {
                    int k = irand(r, lo, hi);
                    double b1 = ((double)k + 0.5) / m, b2 = ((double)k + 0.5) / mf;
                    int64_t c0 = (int64_t)floor(b1 < b2 ? b1 : b2) - 2;
                    int64_t c1 = (int64_t)ceil(b1 < b2 ? b2 : b1) + 2;
                    for (int64_t cand = c0; cand <= c1 && !found; cand++) {
                        if (cand > INT32_MAX / 4 || cand < -(INT32_MAX / 4))
                            continue;
                        if (requant((int32_t)cand, m, p->single_rounding) !=
                            requant((int32_t)cand, mf, p->single_rounding)) {
                            b = (double)cand;
                            found = 1;
                        }
                    }
                }
                if (!found)
                    fprintf(stderr, "make_op_models: note: no fprod corner bias found for "
                                    "channel %d\n", c);
            }
        }
        p->bias[c] = (int32_t)llround(b);
    }
}

static void free_weights(wparams *p)
{
    free(p->w_s);
    free(p->w_zp);
    free(p->w);
    free(p->bias);
    free(p->b_s);
    free(p->b_zp);
}

static int64_t conv_widx(const void *ctx, int c, int64_t k)
{
    const int64_t *K = ctx;
    return c * *K + k; /* [oc][kh][kw][ic] */
}

static int64_t dw_widx(const void *ctx, int c, int64_t k)
{
    const int *oc = ctx;
    return k * *oc + c; /* [1][kh][kw][oc] */
}

static void gen_conv(const char *name, conv_cfg c, const char *flags)
{
    mb m;
    mb_begin(&m, name);
    const int u8 = c.type == TB_UINT8;
    const int oc = c.depthwise ? c.ic * c.mult : c.oc;
    const int oh = out_dim(c.pad, c.h, c.kh, c.sh, c.dh);
    const int ow = out_dim(c.pad, c.w, c.kw, c.sw, c.dw);
    wparams p;
    memset(&p, 0, sizeof p);
    p.type = c.type;
    p.per_channel = c.per_channel && !u8;
    p.corner = c.corner;
    p.act = c.act;
    p.oc = oc;
    p.K = c.depthwise ? (int64_t)c.kh * c.kw : (int64_t)c.kh * c.kw * c.ic;
    p.single_rounding = !u8 && !c.depthwise;
    if (c.depthwise)
        make_weights(&m.r, &p, dw_widx, &oc);
    else
        make_weights(&m.r, &p, conv_widx, &p.K);

    int32_t ishape[4] = { c.n, c.h, c.w, c.ic };
    int32_t oshape[4] = { c.n, oh, ow, oc };
    int32_t fshape[4] = { oc, c.kh, c.kw, c.ic };
    if (c.depthwise) {
        fshape[0] = 1;
        fshape[3] = oc;
    }
    int32_t bshape[1] = { oc };
    int nq = p.per_channel ? oc : 1;
    int x = t_act(&m, "input", c.type, 4, ishape, p.in);
    int f = t_const(&m, "filter", c.type, 4, fshape, p.w, (size_t)(oc * p.K), nq, p.w_s, p.w_zp,
                    c.depthwise ? 3 : 0);
    int b = c.no_bias ? -1
                      : t_const(&m, "bias", TB_INT32, 1, bshape, p.bias, 4 * (size_t)oc, nq,
                                p.b_s, p.b_zp, 0);
    int y = t_act(&m, "output", c.type, 4, oshape, p.out);
    tb_options o = c.depthwise ? tb_opt_depthwise(c.pad, c.sw, c.sh, c.mult, c.act, c.dw, c.dh)
                               : tb_opt_conv2d(c.pad, c.sw, c.sh, c.act, c.dw, c.dh);
    o.version = u8 ? (c.dh > 1 || c.dw > 1 ? 2 : 1) : 3;
    int32_t ins[3] = { x, f, b };
    tb_op(m.tb, c.depthwise ? TB_OP_DEPTHWISE_CONV_2D : TB_OP_CONV_2D, c.no_bias ? 2 : 3, ins, 1,
          &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "ok", flags);
    free_weights(&p);
}

/* ------------------------------------------------------------ FULLY_CONNECTED */

typedef struct {
    int type, per_channel, keep, no_bias, corner, act;
    int rank;
    int32_t shape[4];
    int units;
    int depth; /* weights' depth K; 0: the input's last dimension */
} fc_cfg;

static void gen_fc(const char *name, fc_cfg c, const char *flags)
{
    mb m;
    mb_begin(&m, name);
    const int u8 = c.type == TB_UINT8;
    const int K = c.depth ? c.depth : c.shape[c.rank - 1];
    const int64_t batches = numel(c.rank, c.shape) / K;
    wparams p;
    memset(&p, 0, sizeof p);
    p.type = c.type;
    p.per_channel = c.per_channel && !u8;
    p.corner = c.corner;
    p.act = c.act;
    p.oc = c.units;
    p.K = K;
    p.single_rounding = !u8;
    make_weights(&m.r, &p, conv_widx, &p.K);

    int32_t wshape[2] = { c.units, K };
    int32_t bshape[1] = { c.units };
    int32_t oshape[4];
    int orank;
    if (c.keep) {
        orank = c.rank;
        memcpy(oshape, c.shape, sizeof oshape);
        oshape[orank - 1] = c.units;
    } else {
        orank = 2;
        oshape[0] = (int32_t)batches;
        oshape[1] = c.units;
    }
    int nq = p.per_channel ? c.units : 1;
    int x = t_act(&m, "input", c.type, c.rank, c.shape, p.in);
    int w = t_const(&m, "weights", c.type, 2, wshape, p.w, (size_t)(c.units * K), nq, p.w_s,
                    p.w_zp, 0);
    int b = c.no_bias ? -1
                      : t_const(&m, "bias", TB_INT32, 1, bshape, p.bias, 4 * (size_t)c.units, nq,
                                p.b_s, p.b_zp, 0);
    int y = t_act(&m, "output", c.type, orank, oshape, p.out);
    tb_options o = tb_opt_fc(c.act, c.keep);
    o.version = c.keep ? 5 : (u8 ? 1 : 4);
    int32_t ins[3] = { x, w, b }; /* an omitted bias is index -1, as converters write it */
    tb_op(m.tb, TB_OP_FULLY_CONNECTED, 3, ins, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "ok", flags);
    free_weights(&p);
}

/* ------------------------------------------------------------ ADD */

static void gen_add(const char *name, int type, int r1, const int32_t *s1, int r2,
                    const int32_t *s2, int act, int const2, double ratio, const char *flags)
{
    mb m;
    mb_begin(&m, name);
    rng *r = &m.r;
    int ro = r1 > r2 ? r1 : r2;
    int32_t so[6];
    for (int d = 0; d < ro; d++) {
        int d1 = d - (ro - r1), d2 = d - (ro - r2);
        int a = d1 >= 0 ? s1[d1] : 1, b = d2 >= 0 ? s2[d2] : 1;
        so[d] = a > b ? a : b;
    }
    qp q1 = rand_q(r, type), q2 = rand_q(r, type), qo;
    if (ratio > 0)
        q2.s = (float)(q1.s / ratio);
    qo.s = (float)((q1.s + q2.s) * unif(r, 0.5, 1.3));
    qo.zp = act == TB_ACT_NONE ? irand(r, qmin(type) + 60, qmax(type) - 60) : qmin(type);
    if (act != TB_ACT_NONE && irand(r, 0, 1))
        qo.zp = irand(r, qmin(type), qmin(type) + 100);
    int a = t_act(&m, "input1", type, r1, s1, q1);
    int b;
    if (const2) {
        int64_t n = numel(r2, s2);
        uint8_t *v = xcalloc((size_t)n, 1);
        for (int64_t i = 0; i < n; i++)
            v[i] = (uint8_t)irand(r, qmin(type), qmax(type));
        int64_t zp = q2.zp;
        b = t_const(&m, "addend", type, r2, s2, v, (size_t)n, 1, &q2.s, &zp, 0);
        free(v);
    } else {
        b = t_act(&m, "input2", type, r2, s2, q2);
    }
    int y = t_act(&m, "output", type, ro, so, qo);
    tb_options o = tb_opt_add(act);
    o.version = type == TB_INT8 ? 2 : 1;
    int32_t ins[2] = { a, b };
    tb_op(m.tb, TB_OP_ADD, 2, ins, 1, &y, &o);
    m.n_in = const2 ? 1 : 2;
    m.in[0] = a;
    m.in[1] = b;
    m.out = y;
    mb_save(&m, "ok", flags);
}

/* ------------------------------------------------------------ pools */

static void gen_pool(const char *name, int op, int type, const int32_t *s, int kh, int kw, int sh,
                     int sw, int pad, int act, const char *flags)
{
    mb m;
    mb_begin(&m, name);
    qp q = rand_q(&m.r, type);
    if (act == TB_ACT_RELU6) /* make 6.0 fall inside the range */
        q.s = (float)(6.0 / unif(&m.r, 80, 200));
    int32_t so[4] = { s[0], out_dim(pad, s[1], kh, sh, 1), out_dim(pad, s[2], kw, sw, 1), s[3] };
    int x = t_act(&m, "input", type, 4, s, q);
    int y = t_act(&m, "output", type, 4, so, q);
    tb_options o = tb_opt_pool2d(pad, sw, sh, kw, kh, act);
    o.version = type == TB_INT8 ? 2 : 1;
    tb_op(m.tb, op, 1, &x, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "ok", flags);
}

/* ------------------------------------------------------------ MEAN */

static void gen_mean(const char *name, int type, int rank, const int32_t *s, int n_axes,
                     const int32_t *axes, int keep, int sameq, const char *flags)
{
    mb m;
    mb_begin(&m, name);
    qp qi = rand_q(&m.r, type), qo = qi;
    if (!sameq) {
        qo.s = (float)(qi.s * unif(&m.r, 0.3, 1.5));
        qo.zp = irand(&m.r, qmin(type), qmax(type));
    }
    int reduce[8] = { 0 };
    for (int i = 0; i < n_axes; i++)
        reduce[axes[i] < 0 ? axes[i] + rank : axes[i]] = 1;
    int32_t so[8];
    int ro = 0;
    for (int d = 0; d < rank; d++) {
        if (!reduce[d])
            so[ro++] = s[d];
        else if (keep)
            so[ro++] = 1;
    }
    int x = t_act(&m, "input", type, rank, s, qi);
    int32_t ashape[1] = { n_axes };
    int ax = t_i32(&m, "axes", 1, ashape, axes);
    int y = t_act(&m, "output", type, ro, so, qo);
    tb_options o = tb_opt_reducer(keep);
    o.version = type == TB_INT8 ? 2 : 1;
    int32_t ins[2] = { x, ax };
    tb_op(m.tb, TB_OP_MEAN, 2, ins, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "ok", flags);
}

/* ------------------------------------------------------------ data movement */

static void gen_pad(const char *name, int type, int rank, const int32_t *s, const int32_t *pads,
                    const char *flags)
{
    mb m;
    mb_begin(&m, name);
    qp q = rand_q(&m.r, type);
    int32_t so[8];
    for (int d = 0; d < rank; d++)
        so[d] = s[d] + pads[2 * d] + pads[2 * d + 1];
    int x = t_act(&m, "input", type, rank, s, q);
    int32_t pshape[2] = { rank, 2 };
    int p = t_i32(&m, "paddings", 2, pshape, pads);
    int y = t_act(&m, "output", type, rank, so, q);
    tb_options o = tb_opt_empty(TB_OPT_PAD);
    o.version = type == TB_INT8 ? 2 : 1;
    int32_t ins[2] = { x, p };
    tb_op(m.tb, TB_OP_PAD, 2, ins, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "ok", flags);
}

static void gen_reshape(const char *name, int type, int ri, const int32_t *si, int ro,
                        const int32_t *so, const char *flags)
{
    mb m;
    mb_begin(&m, name);
    qp q = rand_q(&m.r, type);
    int x = t_act(&m, "input", type, ri, si, q);
    int32_t sshape[1] = { ro };
    int s = t_i32(&m, "new_shape", 1, sshape, so);
    int y = t_act(&m, "output", type, ro, so, q);
    tb_options o = tb_opt_reshape(ro, so);
    int32_t ins[2] = { x, s };
    tb_op(m.tb, TB_OP_RESHAPE, 2, ins, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "ok", flags);
}

static void gen_transpose(const char *name, int type, int rank, const int32_t *s,
                          const int32_t *perm, const char *flags)
{
    mb m;
    mb_begin(&m, name);
    qp q = rand_q(&m.r, type);
    int32_t so[8];
    for (int d = 0; d < rank; d++)
        so[d] = s[perm[d]];
    int x = t_act(&m, "input", type, rank, s, q);
    int32_t pshape[1] = { rank };
    int p = t_i32(&m, "perm", 1, pshape, perm);
    int y = t_act(&m, "output", type, rank, so, q);
    tb_options o = tb_opt_empty(TB_OPT_TRANSPOSE);
    o.version = type == TB_INT8 ? 2 : 1;
    int32_t ins[2] = { x, p };
    tb_op(m.tb, TB_OP_TRANSPOSE, 2, ins, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "ok", flags);
}

/* n inputs of the given rank that differ along axis; diffq: the last
 * input gets its own quantization (a configuration the engine must
 * refuse). */
static void gen_concat(const char *name, int type, int rank, int n, const int32_t (*shapes)[4],
                       int axis, int diffq, const char *expect, const char *flags)
{
    mb m;
    mb_begin(&m, name);
    qp q = rand_q(&m.r, type);
    int pos_axis = axis < 0 ? axis + rank : axis;
    int32_t so[4];
    memcpy(so, shapes[0], sizeof so);
    so[pos_axis] = 0;
    int32_t ins[4];
    for (int i = 0; i < n; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "input%d", i + 1);
        qp qi = q;
        if (diffq && i == n - 1)
            qi = rand_q(&m.r, type);
        ins[i] = t_act(&m, nm, type, rank, shapes[i], qi);
        so[pos_axis] += shapes[i][pos_axis];
        m.in[i] = ins[i];
    }
    int y = t_act(&m, "output", type, rank, so, q);
    tb_options o = tb_opt_concat(axis, TB_ACT_NONE);
    o.version = type == TB_INT8 ? 2 : 1;
    tb_op(m.tb, TB_OP_CONCATENATION, n, ins, 1, &y, &o);
    m.n_in = n;
    m.out = y;
    mb_save(&m, expect, flags);
}

/* ------------------------------------------------------------ SOFTMAX, QUANTIZE */

static void gen_softmax(const char *name, int type, int rank, const int32_t *s, float beta,
                        double smin, double smax, const char *flags)
{
    mb m;
    mb_begin(&m, name);
    qp qi = rand_q(&m.r, type), qo;
    qi.s = (float)logu(&m.r, smin, smax);
    qo.s = 1.0f / 256;
    qo.zp = type == TB_UINT8 ? 0 : -128;
    int x = t_act(&m, "logits", type, rank, s, qi);
    int y = t_act(&m, "probs", type, rank, s, qo);
    tb_options o = tb_opt_softmax(beta);
    o.version = type == TB_INT8 ? 2 : 1;
    tb_op(m.tb, TB_OP_SOFTMAX, 1, &x, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "ok", flags);
}

/* same_scale: output scale = input scale and zero point shifted by 128
 * (the int8 <-> uint8 reinterpretation converters emit); ratio > 0: output
 * scale = input scale / ratio exactly (a multiplier of ratio) */
static void gen_quantize(const char *name, int tin, int tout, int same_scale, double ratio,
                         const char *flags)
{
    mb m;
    mb_begin(&m, name);
    int32_t s[4] = { 1, 6, 6, 5 };
    qp qi = rand_q(&m.r, tin), qo = rand_q(&m.r, tout);
    if (same_scale) {
        qo.s = qi.s;
        qo.zp = qi.zp + (tout == TB_UINT8 ? 128 : -128) * (tin != tout);
    } else if (ratio > 0) {
        qi.s = (float)ldexp(1.0, -irand(&m.r, 5, 8));
        qo.s = (float)(qi.s / ratio);
    } else {
        qo.s = (float)(qi.s * logu(&m.r, 0.25, 4));
    }
    int x = t_act(&m, "input", tin, 4, s, qi);
    int y = t_act(&m, "output", tout, 4, s, qo);
    tb_options o = tb_opt_none();
    o.version = 2;
    tb_op(m.tb, TB_OP_QUANTIZE, 1, &x, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "ok", flags);
}

static void gen_dequantize(const char *name, int tin, const char *flags)
{
    mb m;
    mb_begin(&m, name);
    int32_t s[2] = { 3, 17 };
    qp qi = rand_q(&m.r, tin);
    int x = t_act(&m, "input", tin, 2, s, qi);
    int y = tb_tensor(m.tb, "output", TB_FLOAT32, 2, s, 0, 0, NULL, NULL, 0);
    tb_options o = tb_opt_none();
    o.version = tin == TB_INT8 ? 2 : 1;
    tb_op(m.tb, TB_OP_DEQUANTIZE, 1, &x, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "ok", flags);
}

/* ------------------------------------------------------------ chains */

/* A conv-style layer appended to a model under construction: returns the
 * output tensor.  dw: depthwise with multiplier 1. */
static int add_layer(mb *m, int x, qp in, int type, int32_t *shape, int oc, int k, int stride,
                     int dw, int act, qp *out, const char *tag)
{
    rng *r = &m->r;
    int u8 = type == TB_UINT8, ic = shape[3];
    if (dw)
        oc = ic;
    int oh = out_dim(TB_PAD_SAME, shape[1], k, stride, 1);
    int ow = out_dim(TB_PAD_SAME, shape[2], k, stride, 1);
    int64_t K = dw ? (int64_t)k * k : (int64_t)k * k * ic;
    wparams p;
    memset(&p, 0, sizeof p);
    p.type = type;
    p.per_channel = !u8;
    p.act = act;
    p.oc = oc;
    p.K = K;
    if (dw)
        make_weights(r, &p, dw_widx, &oc);
    else
        make_weights(r, &p, conv_widx, &p.K);
    /* chain from the given input quantization: rescale the weights */
    for (int c = 0; c < oc; c++) {
        p.w_s[c] = p.w_s[c] * p.in.s / in.s;
        p.b_s[c] = in.s * p.w_s[c];
    }
    int32_t fshape[4] = { oc, k, k, ic };
    if (dw) {
        fshape[0] = 1;
        fshape[3] = oc;
    }
    int32_t bshape[1] = { oc };
    char nm[64];
    int nq = p.per_channel ? oc : 1;
    snprintf(nm, sizeof nm, "%s_filter", tag);
    int f = t_const(m, nm, type, 4, fshape, p.w, (size_t)(oc * K), nq, p.w_s, p.w_zp, dw ? 3 : 0);
    snprintf(nm, sizeof nm, "%s_bias", tag);
    int b = t_const(m, nm, TB_INT32, 1, bshape, p.bias, 4 * (size_t)oc, nq, p.b_s, p.b_zp, 0);
    shape[1] = oh;
    shape[2] = ow;
    shape[3] = oc;
    *out = p.out;
    snprintf(nm, sizeof nm, "%s_out", tag);
    int y = t_act(m, nm, type, 4, shape, p.out);
    tb_options o = dw ? tb_opt_depthwise(TB_PAD_SAME, stride, stride, 1, act, 1, 1)
                      : tb_opt_conv2d(TB_PAD_SAME, stride, stride, act, 1, 1);
    o.version = u8 ? 1 : 3;
    int32_t ins[3] = { x, f, b };
    tb_op(m->tb, dw ? TB_OP_DEPTHWISE_CONV_2D : TB_OP_CONV_2D, 3, ins, 1, &y, &o);
    free_weights(&p);
    return y;
}

static int add_fc(mb *m, int x, qp in, int type, int K, int units, qp *out, const char *tag)
{
    wparams p;
    memset(&p, 0, sizeof p);
    p.type = type;
    p.per_channel = 0;
    p.act = TB_ACT_NONE;
    p.oc = units;
    p.K = K;
    make_weights(&m->r, &p, conv_widx, &p.K);
    p.w_s[0] = p.w_s[0] * p.in.s / in.s;
    p.b_s[0] = in.s * p.w_s[0];
    int32_t wshape[2] = { units, K }, bshape[1] = { units }, oshape[2] = { 1, units };
    char nm[64];
    snprintf(nm, sizeof nm, "%s_weights", tag);
    int w = t_const(m, nm, type, 2, wshape, p.w, (size_t)units * (size_t)K, 1, p.w_s, p.w_zp, 0);
    snprintf(nm, sizeof nm, "%s_bias", tag);
    int b = t_const(m, nm, TB_INT32, 1, bshape, p.bias, 4 * (size_t)units, 1, p.b_s, p.b_zp, 0);
    *out = p.out;
    snprintf(nm, sizeof nm, "%s_out", tag);
    int y = t_act(m, nm, type, 2, oshape, p.out);
    tb_options o = tb_opt_fc(TB_ACT_NONE, 0);
    o.version = type == TB_UINT8 ? 1 : 4;
    int32_t ins[3] = { x, w, b };
    tb_op(m->tb, TB_OP_FULLY_CONNECTED, 3, ins, 1, &y, &o);
    free_weights(&p);
    return y;
}

/* int8: conv -> depthwise -> add (residual) -> avgpool -> reshape -> FC -> softmax */
static void gen_chain_int8(void)
{
    mb m;
    mb_begin(&m, "chain_int8");
    rng *r = &m.r;
    int32_t s[4] = { 1, 12, 12, 3 };
    qp q0 = rand_q(r, TB_INT8), q1, q2, q3, q4;
    int x = t_act(&m, "image", TB_INT8, 4, s, q0);
    int c1 = add_layer(&m, x, q0, TB_INT8, s, 8, 3, 2, 0, TB_ACT_RELU6, &q1, "conv1");
    int32_t s1[4];
    memcpy(s1, s, sizeof s1);
    int c2 = add_layer(&m, c1, q1, TB_INT8, s, 0, 3, 1, 1, TB_ACT_RELU6, &q2, "dw2");
    q3.s = (float)((q1.s + q2.s) * 0.8);
    q3.zp = irand(r, -30, 30);
    int a = t_act(&m, "residual", TB_INT8, 4, s, q3);
    tb_options o = tb_opt_add(TB_ACT_NONE);
    o.version = 2;
    int32_t ai[2] = { c1, c2 };
    tb_op(m.tb, TB_OP_ADD, 2, ai, 1, &a, &o);
    int32_t ps[4] = { 1, 3, 3, s[3] };
    int p = t_act(&m, "pool", TB_INT8, 4, ps, q3);
    o = tb_opt_pool2d(TB_PAD_SAME, 2, 2, 3, 3, TB_ACT_NONE);
    o.version = 2;
    tb_op(m.tb, TB_OP_AVERAGE_POOL_2D, 1, &a, 1, &p, &o);
    int32_t rs[2] = { 1, 3 * 3 * s[3] };
    int32_t rshape[1] = { 2 };
    int st = t_i32(&m, "flat_shape", 1, rshape, rs);
    int fl = t_act(&m, "flat", TB_INT8, 2, rs, q3);
    o = tb_opt_reshape(2, rs);
    int32_t ri[2] = { p, st };
    tb_op(m.tb, TB_OP_RESHAPE, 2, ri, 1, &fl, &o);
    int fc = add_fc(&m, fl, q3, TB_INT8, rs[1], 10, &q4, "fc");
    qp qs = { 1.0f / 256, -128 };
    int32_t ss[2] = { 1, 10 };
    int sm = t_act(&m, "probs", TB_INT8, 2, ss, qs);
    o = tb_opt_softmax(1.0f);
    o.version = 2;
    tb_op(m.tb, TB_OP_SOFTMAX, 1, &fc, 1, &sm, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = sm;
    mb_save(&m, "ok", "dump");
}

/* uint8: conv -> maxpool -> mean -> FC -> dequantize */
static void gen_chain_uint8(void)
{
    mb m;
    mb_begin(&m, "chain_uint8");
    rng *r = &m.r;
    int32_t s[4] = { 1, 10, 10, 4 };
    qp q0 = rand_q(r, TB_UINT8), q1, q2, q3;
    int x = t_act(&m, "image", TB_UINT8, 4, s, q0);
    int c1 = add_layer(&m, x, q0, TB_UINT8, s, 12, 3, 1, 0, TB_ACT_RELU, &q1, "conv1");
    int32_t ps[4] = { 1, 5, 5, 12 };
    int p = t_act(&m, "pool", TB_UINT8, 4, ps, q1);
    tb_options o = tb_opt_pool2d(TB_PAD_VALID, 2, 2, 2, 2, TB_ACT_NONE);
    tb_op(m.tb, TB_OP_MAX_POOL_2D, 1, &c1, 1, &p, &o);
    int32_t axes[2] = { 1, 2 }, ashape[1] = { 2 }, ms[2] = { 1, 12 };
    int ax = t_i32(&m, "axes", 1, ashape, axes);
    q2.s = (float)(q1.s * 0.7);
    q2.zp = irand(r, 0, 40);
    int mean = t_act(&m, "mean", TB_UINT8, 2, ms, q2);
    o = tb_opt_reducer(0);
    int32_t mi[2] = { p, ax };
    tb_op(m.tb, TB_OP_MEAN, 2, mi, 1, &mean, &o);
    int fc = add_fc(&m, mean, q2, TB_UINT8, 12, 6, &q3, "fc");
    int32_t fs[2] = { 1, 6 };
    int y = tb_tensor(m.tb, "logits_f32", TB_FLOAT32, 2, fs, 0, 0, NULL, NULL, 0);
    o = tb_opt_none();
    tb_op(m.tb, TB_OP_DEQUANTIZE, 1, &fc, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "ok", "dump");
}

/* uint8 in -> QUANTIZE int8 -> conv -> PAD -> CONCATENATION (with the
 * padded conv input) -> TRANSPOSE -> QUANTIZE uint8 */
static void gen_chain_quant(void)
{
    mb m;
    mb_begin(&m, "chain_quant");
    rng *r = &m.r;
    int32_t s[4] = { 1, 6, 6, 4 };
    qp qu = rand_q(r, TB_UINT8), qi = qu, q1;
    qi.zp = qu.zp - 128;
    int x = t_act(&m, "image_u8", TB_UINT8, 4, s, qu);
    int xi = t_act(&m, "image_i8", TB_INT8, 4, s, qi);
    tb_options o = tb_opt_none();
    o.version = 2;
    tb_op(m.tb, TB_OP_QUANTIZE, 1, &x, 1, &xi, &o);
    int32_t cs[4];
    memcpy(cs, s, sizeof cs);
    int c1 = add_layer(&m, xi, qi, TB_INT8, cs, 4, 3, 1, 0, TB_ACT_NONE, &q1, "conv1");
    /* requantize the input to the conv output's quantization, to concat */
    int xr = t_act(&m, "image_rq", TB_INT8, 4, s, q1);
    tb_op(m.tb, TB_OP_QUANTIZE, 1, &xi, 1, &xr, &o);
    int32_t pads[8] = { 0, 0, 1, 1, 1, 1, 0, 0 }, pshape[2] = { 4, 2 };
    int pd = t_i32(&m, "paddings", 2, pshape, pads);
    int32_t ps[4] = { 1, 8, 8, 4 };
    int padded = t_act(&m, "padded", TB_INT8, 4, ps, q1);
    o = tb_opt_empty(TB_OPT_PAD);
    o.version = 2;
    int32_t pi[2] = { c1, pd };
    tb_op(m.tb, TB_OP_PAD, 2, pi, 1, &padded, &o);
    int32_t pads2[8] = { 0, 0, 1, 1, 1, 1, 0, 0 };
    int pd2 = t_i32(&m, "paddings2", 2, pshape, pads2);
    int padded2 = t_act(&m, "padded_in", TB_INT8, 4, ps, q1);
    int32_t pi2[2] = { xr, pd2 };
    tb_op(m.tb, TB_OP_PAD, 2, pi2, 1, &padded2, &o);
    int32_t ccs[4] = { 1, 8, 8, 8 };
    int cat = t_act(&m, "concat", TB_INT8, 4, ccs, q1);
    o = tb_opt_concat(3, TB_ACT_NONE);
    o.version = 2;
    int32_t ci[2] = { padded, padded2 };
    tb_op(m.tb, TB_OP_CONCATENATION, 2, ci, 1, &cat, &o);
    int32_t perm[4] = { 0, 3, 1, 2 }, permshape[1] = { 4 };
    int pm = t_i32(&m, "perm", 1, permshape, perm);
    int32_t ts[4] = { 1, 8, 8, 8 };
    int tr = t_act(&m, "transposed", TB_INT8, 4, ts, q1);
    o = tb_opt_empty(TB_OPT_TRANSPOSE);
    o.version = 2;
    int32_t ti[2] = { cat, pm };
    tb_op(m.tb, TB_OP_TRANSPOSE, 2, ti, 1, &tr, &o);
    qp qo = { (float)(q1.s * 1.3), irand(r, 0, 255) };
    int y = t_act(&m, "out_u8", TB_UINT8, 4, ts, qo);
    o = tb_opt_none();
    o.version = 2;
    tb_op(m.tb, TB_OP_QUANTIZE, 1, &tr, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "ok", "dump");
}

/* ------------------------------------------------------------ refused */

static void gen_refuse_custom(void)
{
    mb m;
    mb_begin(&m, "refuse_custom");
    int32_t s[2] = { 1, 8 };
    qp q = rand_q(&m.r, TB_INT8);
    int x = t_act(&m, "input", TB_INT8, 2, s, q);
    int y = t_act(&m, "output", TB_INT8, 2, s, q);
    tb_options o = tb_opt_none();
    o.custom_code = "ZkTestCustomOp";
    tb_op(m.tb, TB_OP_CUSTOM, 1, &x, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "refuse:CUSTOM", "-");
}

static void gen_refuse_tanh(void)
{
    mb m;
    mb_begin(&m, "refuse_tanh");
    int32_t s[2] = { 1, 16 };
    qp qi = rand_q(&m.r, TB_INT8), qo = { 1.0f / 128, 0 };
    int x = t_act(&m, "input", TB_INT8, 2, s, qi);
    int y = t_act(&m, "output", TB_INT8, 2, s, qo);
    tb_options o = tb_opt_none();
    o.version = 2;
    tb_op(m.tb, TB_OP_TANH, 1, &x, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "refuse:TANH", "-");
}

static void gen_refuse_conv_f32(void)
{
    mb m;
    mb_begin(&m, "refuse_conv_f32");
    int32_t s[4] = { 1, 5, 5, 2 }, fs[4] = { 3, 3, 3, 2 }, bs[1] = { 3 }, os[4] = { 1, 5, 5, 3 };
    float w[54], b[3];
    for (int i = 0; i < 54; i++)
        w[i] = (float)unif(&m.r, -1, 1);
    for (int i = 0; i < 3; i++)
        b[i] = (float)unif(&m.r, -1, 1);
    int x = tb_tensor(m.tb, "input", TB_FLOAT32, 4, s, 0, 0, NULL, NULL, 0);
    int f = t_const(&m, "filter", TB_FLOAT32, 4, fs, w, sizeof w, 0, NULL, NULL, 0);
    int bb = t_const(&m, "bias", TB_FLOAT32, 1, bs, b, sizeof b, 0, NULL, NULL, 0);
    int y = tb_tensor(m.tb, "output", TB_FLOAT32, 4, os, 0, 0, NULL, NULL, 0);
    tb_options o = tb_opt_conv2d(TB_PAD_SAME, 1, 1, TB_ACT_NONE, 1, 1);
    int32_t ins[3] = { x, f, bb };
    tb_op(m.tb, TB_OP_CONV_2D, 3, ins, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "refuse:CONV_2D", "-");
}

static void gen_refuse_softmax_q(void)
{
    mb m;
    mb_begin(&m, "refuse_softmax_outq");
    int32_t s[2] = { 1, 10 };
    qp qi = rand_q(&m.r, TB_INT8), qo = { 1.0f / 128, 0 };
    int x = t_act(&m, "logits", TB_INT8, 2, s, qi);
    int y = t_act(&m, "probs", TB_INT8, 2, s, qo);
    tb_options o = tb_opt_softmax(1.0f);
    o.version = 2;
    tb_op(m.tb, TB_OP_SOFTMAX, 1, &x, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "refuse:SOFTMAX", "-");
}

/* int8 CONV_2D whose filter has half the input's channels (2 groups): the
 * TFLite runtime runs it (reference kernel), the engine does not. */
static void gen_refuse_grouped(void)
{
    mb m;
    mb_begin(&m, "refuse_conv_grouped");
    int32_t s[4] = { 1, 6, 6, 8 }, fs[4] = { 8, 3, 3, 4 }, bs[1] = { 8 }, os[4] = { 1, 6, 6, 8 };
    int8_t w[8 * 3 * 3 * 4];
    int32_t b[8];
    float ws = 0.01f, bsc;
    int64_t zp0 = 0;
    for (size_t i = 0; i < sizeof w; i++)
        w[i] = (int8_t)irand(&m.r, -127, 127);
    for (int i = 0; i < 8; i++)
        b[i] = irand(&m.r, -1000, 1000);
    qp qi = rand_q(&m.r, TB_INT8), qo = rand_q(&m.r, TB_INT8);
    bsc = qi.s * ws;
    int x = t_act(&m, "input", TB_INT8, 4, s, qi);
    int f = t_const(&m, "filter", TB_INT8, 4, fs, w, sizeof w, 1, &ws, &zp0, 0);
    int bb = t_const(&m, "bias", TB_INT32, 1, bs, b, sizeof b, 1, &bsc, &zp0, 0);
    int y = t_act(&m, "output", TB_INT8, 4, os, qo);
    tb_options o = tb_opt_conv2d(TB_PAD_SAME, 1, 1, TB_ACT_NONE, 1, 1);
    o.version = 3;
    int32_t ins[3] = { x, f, bb };
    tb_op(m.tb, TB_OP_CONV_2D, 3, ins, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "refuse:CONV_2D", "-");
}

/* int8 FULLY_CONNECTED whose weights have a non-zero zero point (TFLite's
 * int8 kernels assume 0). */
static void gen_refuse_fc_wzp(void)
{
    mb m;
    mb_begin(&m, "refuse_fc_weight_zp");
    int32_t s[2] = { 1, 16 }, ws_[2] = { 4, 16 }, os[2] = { 1, 4 };
    int8_t w[64];
    float ws = 0.02f;
    int64_t wzp = 3;
    for (size_t i = 0; i < sizeof w; i++)
        w[i] = (int8_t)irand(&m.r, -127, 127);
    qp qi = rand_q(&m.r, TB_INT8), qo = rand_q(&m.r, TB_INT8);
    int x = t_act(&m, "input", TB_INT8, 2, s, qi);
    int f = t_const(&m, "weights", TB_INT8, 2, ws_, w, sizeof w, 1, &ws, &wzp, 0);
    int y = t_act(&m, "output", TB_INT8, 2, os, qo);
    tb_options o = tb_opt_fc(TB_ACT_NONE, 0);
    o.version = 4;
    int32_t ins[3] = { x, f, -1 };
    tb_op(m.tb, TB_OP_FULLY_CONNECTED, 3, ins, 1, &y, &o);
    m.n_in = 1;
    m.in[0] = x;
    m.out = y;
    mb_save(&m, "refuse:FULLY_CONNECTED", "-");
}

/* ------------------------------------------------------------ the list */

static conv_cfg conv(int type, int per_channel, int h, int ic, int oc, int k, int s, int d,
                     int pad, int act)
{
    conv_cfg c;
    memset(&c, 0, sizeof c);
    c.type = type;
    c.per_channel = per_channel;
    c.n = 1;
    c.h = c.w = h;
    c.ic = ic;
    c.oc = oc;
    c.mult = 1;
    c.kh = c.kw = k;
    c.sh = c.sw = s;
    c.dh = c.dw = d;
    c.pad = pad;
    c.act = act;
    return c;
}

static conv_cfg dwconv(int type, int per_channel, int h, int ic, int mult, int k, int s, int d,
                       int pad, int act)
{
    conv_cfg c = conv(type, per_channel, h, ic, ic * mult, k, s, d, pad, act);
    c.depthwise = 1;
    c.mult = mult;
    return c;
}

static fc_cfg fcc(int type, int per_channel, int rank, int d0, int d1, int d2, int d3, int units,
                  int act)
{
    fc_cfg c;
    memset(&c, 0, sizeof c);
    c.type = type;
    c.per_channel = per_channel;
    c.rank = rank;
    c.shape[0] = d0;
    c.shape[1] = d1;
    c.shape[2] = d2;
    c.shape[3] = d3;
    c.units = units;
    c.act = act;
    return c;
}

enum { I8 = TB_INT8, U8 = TB_UINT8, SAME = TB_PAD_SAME, VALID = TB_PAD_VALID };
enum { NONE = TB_ACT_NONE, RELU = TB_ACT_RELU, RELU6 = TB_ACT_RELU6, RELUN1 = TB_ACT_RELU_N1_TO_1 };

static void gen_all(void)
{
    conv_cfg c;
    /* ---- CONV_2D, int8 per-channel unless named otherwise.  (No bias-less
     * CONV_2D: the TFLite runtime's conv Prepare requires a bias.) */
    gen_conv("conv_1x1_s1_valid_none", conv(I8, 1, 8, 16, 24, 1, 1, 1, VALID, NONE), "-");
    gen_conv("conv_1x1_s2_same_relu", conv(I8, 1, 9, 8, 12, 1, 2, 1, SAME, RELU), "-");
    gen_conv("conv_3x3_s1_same_relu", conv(I8, 1, 9, 8, 16, 3, 1, 1, SAME, RELU), "-");
    gen_conv("conv_3x3_s2_same_relu6", conv(I8, 1, 11, 8, 16, 3, 2, 1, SAME, RELU6), "dump");
    gen_conv("conv_3x3_s2_same_even", conv(I8, 1, 10, 5, 7, 3, 2, 1, SAME, NONE), "-");
    gen_conv("conv_3x3_s2_valid_none", conv(I8, 1, 10, 6, 12, 3, 2, 1, VALID, NONE), "-");
    gen_conv("conv_3x3_s1_same_relun1to1", conv(I8, 1, 8, 6, 8, 3, 1, 1, SAME, RELUN1), "-");
    gen_conv("conv_3x3_s1_same_deep", conv(I8, 1, 6, 64, 16, 3, 1, 1, SAME, NONE), "-");
    gen_conv("conv_5x5_s1_same_none", conv(I8, 1, 8, 4, 8, 5, 1, 1, SAME, NONE), "-");
    gen_conv("conv_5x5_s2_valid_relu", conv(I8, 1, 13, 3, 8, 5, 2, 1, VALID, RELU), "-");
    gen_conv("conv_5x5_s2_same_relu6", conv(I8, 1, 12, 3, 6, 5, 2, 1, SAME, RELU6), "-");
    gen_conv("conv_7x7_s2_same_relu", conv(I8, 1, 16, 3, 8, 7, 2, 1, SAME, RELU), "-");
    gen_conv("conv_3x3_s3_same_none", conv(I8, 1, 10, 4, 6, 3, 3, 1, SAME, NONE), "-");
    gen_conv("conv_3x3_dil2_same_none", conv(I8, 1, 10, 8, 8, 3, 1, 2, SAME, NONE), "-");
    gen_conv("conv_3x3_dil2_valid_relu6", conv(I8, 1, 11, 4, 8, 3, 1, 2, VALID, RELU6), "-");
    gen_conv("conv_3x3_dil2_s2_same_relu", conv(I8, 1, 12, 4, 6, 3, 2, 2, SAME, RELU), "-");
    gen_conv("conv_3x3_dil3_same_none", conv(I8, 1, 9, 3, 5, 3, 1, 3, SAME, NONE), "-");
    gen_conv("conv_3x3_pertensor_same_relu", conv(I8, 0, 9, 8, 16, 3, 1, 1, SAME, RELU), "-");
    gen_conv("conv_1x1_pertensor_s2_valid_none", conv(I8, 0, 8, 12, 10, 1, 2, 1, VALID, NONE),
             "-");
    gen_conv("conv_5x5_pertensor_s2_same_relu6", conv(I8, 0, 9, 3, 5, 5, 2, 1, SAME, RELU6), "-");
    c = conv(I8, 1, 7, 6, 8, 3, 1, 1, SAME, NONE);
    c.n = 2;
    gen_conv("conv_3x3_batch2_same_none", c, "-");
    c = conv(I8, 1, 9, 4, 6, 3, 1, 1, SAME, NONE);
    c.kh = 2;
    c.sh = 2;
    c.w = 7;
    gen_conv("conv_2x3_s2x1_rect_same_none", c, "-");
    c = conv(I8, 1, 9, 4, 6, 3, 1, 2, VALID, RELU);
    c.h = 12;
    c.dh = 1;
    c.sw = 2;
    gen_conv("conv_3x3_s1x2_dil1x2_rect_valid", c, "-");
    c = conv(I8, 1, 6, 8, 16, 3, 1, 1, SAME, NONE);
    c.corner = CORNER_TIES;
    gen_conv("conv_ties_perchannel", c, "-");
    c = conv(I8, 0, 6, 8, 16, 1, 1, 1, VALID, NONE);
    c.corner = CORNER_TIES;
    gen_conv("conv_ties_pertensor", c, "-");
    c = conv(I8, 1, 5, 4, 16, 3, 1, 1, SAME, NONE);
    c.corner = CORNER_TIES_BIG;
    gen_conv("conv_ties_bigmult", c, "-");
    /* uint8 (per-tensor, non-zero filter zero point) */
    gen_conv("conv_u8_3x3_s1_same_relu", conv(U8, 0, 9, 8, 16, 3, 1, 1, SAME, RELU), "-");
    gen_conv("conv_u8_1x1_s1_valid_none", conv(U8, 0, 8, 16, 8, 1, 1, 1, VALID, NONE), "-");
    gen_conv("conv_u8_5x5_s2_same_relu6", conv(U8, 0, 11, 3, 8, 5, 2, 1, SAME, RELU6), "-");
    gen_conv("conv_u8_3x3_dil2_valid_none", conv(U8, 0, 11, 4, 6, 3, 1, 2, VALID, NONE), "-");
    c = conv(U8, 0, 6, 8, 16, 3, 1, 1, SAME, NONE);
    c.n = 2;
    gen_conv("conv_u8_3x3_batch2_same_none", c, "-");
    c = conv(U8, 0, 6, 8, 16, 3, 1, 1, SAME, NONE);
    c.corner = CORNER_TIES;
    gen_conv("conv_u8_ties", c, "-");
    c = conv(U8, 0, 5, 4, 16, 3, 1, 1, SAME, NONE);
    c.corner = CORNER_TIES_BIG;
    gen_conv("conv_u8_ties_bigmult", c, "-");
    c = conv(U8, 0, 6, 8, 16, 3, 1, 1, SAME, NONE);
    c.corner = CORNER_FPROD;
    gen_conv("conv_u8_fprod", c, "-");

    /* ---- DEPTHWISE_CONV_2D */
    gen_conv("dw_3x3_m1_s1_same_relu6", dwconv(I8, 1, 10, 16, 1, 3, 1, 1, SAME, RELU6), "-");
    gen_conv("dw_3x3_m1_s2_same_none", dwconv(I8, 1, 11, 8, 1, 3, 2, 1, SAME, NONE), "dump");
    gen_conv("dw_3x3_m1_s2_same_even", dwconv(I8, 1, 10, 8, 1, 3, 2, 1, SAME, RELU), "-");
    gen_conv("dw_3x3_m1_s2_valid_relu", dwconv(I8, 1, 10, 8, 1, 3, 2, 1, VALID, RELU), "-");
    gen_conv("dw_3x3_m2_s1_valid_relu", dwconv(I8, 1, 9, 4, 2, 3, 1, 1, VALID, RELU), "-");
    gen_conv("dw_3x3_m2_s2_same_none", dwconv(I8, 1, 9, 3, 2, 3, 2, 1, SAME, NONE), "-");
    gen_conv("dw_3x3_m8_s1_same_none", dwconv(I8, 1, 8, 2, 8, 3, 1, 1, SAME, NONE), "-");
    gen_conv("dw_3x3_m8_ic1_s2_same_relu6", dwconv(I8, 1, 9, 1, 8, 3, 2, 1, SAME, RELU6), "-");
    gen_conv("dw_3x3_m4_s1_same_relun1to1", dwconv(I8, 1, 7, 3, 4, 3, 1, 1, SAME, RELUN1), "-");
    gen_conv("dw_5x5_m1_s2_valid_none", dwconv(I8, 1, 12, 6, 1, 5, 2, 1, VALID, NONE), "-");
    gen_conv("dw_5x5_m1_s1_same_relu", dwconv(I8, 1, 9, 6, 1, 5, 1, 1, SAME, RELU), "-");
    gen_conv("dw_3x3_m1_dil2_same_relu", dwconv(I8, 1, 10, 8, 1, 3, 1, 2, SAME, RELU), "-");
    gen_conv("dw_3x3_m2_dil2_valid_none", dwconv(I8, 1, 11, 4, 2, 3, 1, 2, VALID, NONE), "-");
    gen_conv("dw_3x3_m1_dil2_s2_same_none", dwconv(I8, 1, 12, 5, 1, 3, 2, 2, SAME, NONE), "-");
    gen_conv("dw_3x3_pertensor_s1_same_none", dwconv(I8, 0, 8, 8, 1, 3, 1, 1, SAME, NONE), "-");
    c = dwconv(I8, 1, 7, 6, 1, 3, 1, 1, SAME, NONE);
    c.n = 2;
    gen_conv("dw_3x3_batch2_same_none", c, "-");
    c = dwconv(I8, 1, 8, 6, 1, 3, 1, 1, SAME, NONE);
    c.no_bias = 1;
    gen_conv("dw_3x3_nobias_same_none", c, "-");
    c = dwconv(I8, 1, 9, 4, 1, 3, 1, 1, SAME, NONE);
    c.kw = 5;
    c.sh = 2;
    gen_conv("dw_3x5_s2x1_rect_same_none", c, "-");
    c = dwconv(I8, 1, 6, 8, 2, 3, 1, 1, SAME, NONE);
    c.corner = CORNER_TIES;
    gen_conv("dw_ties_perchannel", c, "-");
    c = dwconv(I8, 1, 5, 8, 2, 3, 1, 1, SAME, NONE);
    c.corner = CORNER_TIES_BIG;
    gen_conv("dw_ties_bigmult", c, "-");
    gen_conv("dw_u8_3x3_m1_s1_same_relu6", dwconv(U8, 0, 10, 8, 1, 3, 1, 1, SAME, RELU6), "-");
    gen_conv("dw_u8_3x3_m2_s2_valid_none", dwconv(U8, 0, 9, 4, 2, 3, 2, 1, VALID, NONE), "-");
    gen_conv("dw_u8_3x3_m1_dil2_same_none", dwconv(U8, 0, 10, 6, 1, 3, 1, 2, SAME, NONE), "-");
    gen_conv("dw_u8_3x3_m8_s1_same_relu", dwconv(U8, 0, 7, 2, 8, 3, 1, 1, SAME, RELU), "-");
    c = dwconv(U8, 0, 6, 8, 1, 3, 1, 1, SAME, NONE);
    c.corner = CORNER_TIES;
    gen_conv("dw_u8_ties", c, "-");
    c = dwconv(U8, 0, 5, 8, 1, 3, 1, 1, SAME, NONE);
    c.corner = CORNER_TIES_BIG;
    gen_conv("dw_u8_ties_bigmult", c, "-");
    c = dwconv(U8, 0, 6, 8, 1, 3, 1, 1, SAME, NONE);
    c.corner = CORNER_FPROD;
    gen_conv("dw_u8_fprod", c, "-");

    /* ---- FULLY_CONNECTED */
    fc_cfg f;
    gen_fc("fc_b1_none", fcc(I8, 0, 2, 1, 64, 0, 0, 32, NONE), "-");
    f = fcc(I8, 0, 2, 1, 48, 0, 0, 10, RELU);
    f.no_bias = 1;
    gen_fc("fc_nobias_b1_relu", f, "-");
    gen_fc("fc_b4_relu6", fcc(I8, 0, 2, 4, 32, 0, 0, 16, RELU6), "-");
    gen_fc("fc_b2_relun1to1", fcc(I8, 0, 2, 2, 24, 0, 0, 9, RELUN1), "-");
    gen_fc("fc_b1_deep", fcc(I8, 0, 2, 1, 1024, 0, 0, 12, NONE), "-");
    f = fcc(I8, 0, 3, 2, 3, 16, 0, 8, NONE);
    f.keep = 1;
    gen_fc("fc_keepdims_2x3x16", f, "-");
    f = fcc(I8, 0, 4, 1, 2, 3, 8, 5, RELU);
    f.keep = 1;
    gen_fc("fc_keepdims_4d", f, "-");
    gen_fc("fc_flatten_4d", fcc(I8, 0, 4, 1, 4, 4, 8, 10, NONE), "-");
    gen_fc("fc_flatten_3d_b6", fcc(I8, 0, 3, 2, 3, 20, 0, 7, RELU), "-");
    f = fcc(I8, 0, 4, 1, 4, 4, 8, 10, NONE);
    f.depth = 32; /* 128 inputs read as 4 rows of 32 */
    gen_fc("fc_flatten_rows_of_32", f, "-");
    f = fcc(U8, 0, 3, 1, 6, 10, 0, 4, NONE);
    f.depth = 20;
    gen_fc("fc_u8_flatten_rows_of_20", f, "-");
    gen_fc("fc_perchannel_b2", fcc(I8, 1, 2, 2, 32, 0, 0, 12, NONE), "-");
    f = fcc(I8, 1, 3, 1, 3, 16, 0, 8, RELU);
    f.keep = 1;
    gen_fc("fc_perchannel_keepdims", f, "-");
    f = fcc(I8, 0, 2, 1, 40, 0, 0, 16, NONE);
    f.corner = CORNER_TIES;
    gen_fc("fc_ties", f, "-");
    f = fcc(I8, 1, 2, 1, 40, 0, 0, 16, NONE);
    f.corner = CORNER_TIES;
    gen_fc("fc_ties_perchannel", f, "-");
    f = fcc(I8, 1, 2, 1, 16, 0, 0, 16, NONE);
    f.corner = CORNER_TIES_BIG;
    gen_fc("fc_ties_bigmult", f, "-");
    f = fcc(I8, 0, 2, 1, 40, 0, 0, 16, NONE);
    f.corner = CORNER_FPROD;
    gen_fc("fc_fprod", f, "-");
    gen_fc("fc_u8_b1_none", fcc(U8, 0, 2, 1, 64, 0, 0, 16, NONE), "-");
    gen_fc("fc_u8_b3_relu", fcc(U8, 0, 2, 3, 40, 0, 0, 20, RELU), "-");
    f = fcc(U8, 0, 2, 2, 30, 0, 0, 6, RELU6);
    f.no_bias = 1;
    gen_fc("fc_u8_nobias_relu6", f, "-");
    f = fcc(U8, 0, 3, 1, 5, 24, 0, 6, NONE);
    f.keep = 1;
    gen_fc("fc_u8_keepdims", f, "-");
    f = fcc(U8, 0, 2, 1, 40, 0, 0, 16, NONE);
    f.corner = CORNER_TIES;
    gen_fc("fc_u8_ties", f, "-");
    f = fcc(U8, 0, 2, 1, 16, 0, 0, 16, NONE);
    f.corner = CORNER_TIES_BIG;
    gen_fc("fc_u8_ties_bigmult", f, "-");
    f = fcc(U8, 0, 2, 1, 40, 0, 0, 16, NONE);
    f.corner = CORNER_FPROD;
    gen_fc("fc_u8_fprod", f, "-");

    /* ---- ADD */
    int32_t s668[4] = { 1, 6, 6, 8 }, s448[4] = { 1, 4, 4, 8 }, s1118[4] = { 1, 1, 1, 8 };
    int32_t s8[1] = { 8 }, s1418[4] = { 1, 4, 1, 8 }, s1[1] = { 1 }, s2x9[2] = { 2, 9 };
    int32_t s1x9[2] = { 1, 9 }, s2x1[2] = { 2, 1 };
    gen_add("add_same_none", I8, 4, s668, 4, s668, NONE, 0, 0, "dump");
    gen_add("add_same_relu", I8, 4, s668, 4, s668, RELU, 0, 0, "-");
    gen_add("add_same_relu6", I8, 4, s668, 4, s668, RELU6, 0, 0, "-");
    gen_add("add_same_relun1to1", I8, 4, s668, 4, s668, RELUN1, 0, 0, "-");
    gen_add("add_bcast_1x1x1x8", I8, 4, s448, 4, s1118, NONE, 0, 0, "-");
    gen_add("add_bcast_both", I8, 4, s1418, 4, s1118, NONE, 0, 0, "-");
    gen_add("add_bcast_rank1_relu", I8, 4, s448, 1, s8, RELU, 0, 0, "-");
    gen_add("add_bcast_scalar", I8, 4, s448, 1, s1, NONE, 0, 0, "-");
    gen_add("add_bcast_first", I8, 4, s1118, 4, s448, NONE, 0, 0, "-");
    gen_add("add_bcast_2d_outer", I8, 2, s1x9, 2, s2x1, NONE, 0, 0, "-");
    gen_add("add_2d_same", I8, 2, s2x9, 2, s2x9, NONE, 0, 0, "-");
    gen_add("add_const_bcast", I8, 4, s448, 4, s1118, NONE, 1, 0, "-");
    gen_add("add_scale_ratio_10", I8, 4, s668, 4, s668, NONE, 0, 10.0, "-");
    gen_add("add_scale_ratio_0.05", I8, 4, s668, 4, s668, NONE, 0, 0.05, "-");
    gen_add("add_same_scale", I8, 4, s668, 4, s668, NONE, 0, 1.0, "-");
    gen_add("add_u8_same_none", U8, 4, s668, 4, s668, NONE, 0, 0, "-");
    gen_add("add_u8_bcast_relu", U8, 4, s448, 4, s1118, RELU, 0, 0, "-");
    gen_add("add_u8_const_bcast_relu6", U8, 4, s448, 1, s8, RELU6, 1, 0, "-");
    /* rank 5 and 6 only without broadcasting: the runtime's 8-bit broadcast
     * ADD is 4-D only (it aborts on a 5-D broadcast) */
    int32_t s5d[5] = { 1, 2, 3, 4, 8 }, s6d[6] = { 1, 2, 1, 3, 2, 4 };
    gen_add("add_rank5_same", I8, 5, s5d, 5, s5d, RELU, 0, 0, "-");
    gen_add("add_rank6_same", I8, 6, s6d, 6, s6d, NONE, 0, 0, "-");

    /* ---- pools */
    int32_t p778[4] = { 1, 7, 7, 8 }, p884[4] = { 1, 8, 8, 4 }, p556[4] = { 1, 5, 5, 6 };
    int32_t p2664[4] = { 2, 6, 6, 4 }, p5516[4] = { 1, 5, 5, 16 }, p17[4] = { 1, 17, 17, 3 };
    gen_pool("avgpool_3x3_s2_same", TB_OP_AVERAGE_POOL_2D, I8, p778, 3, 3, 2, 2, SAME, NONE, "-");
    gen_pool("avgpool_2x2_s2_valid", TB_OP_AVERAGE_POOL_2D, I8, p884, 2, 2, 2, 2, VALID, NONE, "-");
    gen_pool("avgpool_3x3_s1_same_relu6", TB_OP_AVERAGE_POOL_2D, I8, p556, 3, 3, 1, 1, SAME,
             RELU6, "-");
    gen_pool("avgpool_2x2_s2_same_odd", TB_OP_AVERAGE_POOL_2D, I8, p556, 2, 2, 2, 2, SAME, RELU,
             "-");
    gen_pool("avgpool_4x4_s3_same_batch2", TB_OP_AVERAGE_POOL_2D, I8, p2664, 4, 4, 3, 3, SAME,
             NONE, "-");
    gen_pool("avgpool_3x2_s1x2_rect_same", TB_OP_AVERAGE_POOL_2D, I8, p778, 3, 2, 1, 2, SAME,
             NONE, "-");
    gen_pool("avgpool_global_valid", TB_OP_AVERAGE_POOL_2D, I8, p5516, 5, 5, 1, 1, VALID, NONE,
             "-");
    gen_pool("avgpool_17x17_global_valid", TB_OP_AVERAGE_POOL_2D, I8, p17, 17, 17, 1, 1, VALID,
             NONE, "-");
    gen_pool("avgpool_u8_3x3_s2_same", TB_OP_AVERAGE_POOL_2D, U8, p778, 3, 3, 2, 2, SAME, NONE,
             "-");
    gen_pool("avgpool_u8_2x2_s2_valid_relu", TB_OP_AVERAGE_POOL_2D, U8, p884, 2, 2, 2, 2, VALID,
             RELU, "-");
    gen_pool("avgpool_u8_17x17_global_valid", TB_OP_AVERAGE_POOL_2D, U8, p17, 17, 17, 1, 1,
             VALID, NONE, "-");
    gen_pool("maxpool_3x3_s2_same", TB_OP_MAX_POOL_2D, I8, p778, 3, 3, 2, 2, SAME, NONE, "-");
    gen_pool("maxpool_2x2_s2_valid", TB_OP_MAX_POOL_2D, I8, p884, 2, 2, 2, 2, VALID, NONE, "-");
    gen_pool("maxpool_3x3_s1_same_relu", TB_OP_MAX_POOL_2D, I8, p556, 3, 3, 1, 1, SAME, RELU, "-");
    gen_pool("maxpool_3x3_s2_same_relu6", TB_OP_MAX_POOL_2D, I8, p778, 3, 3, 2, 2, SAME, RELU6,
             "-");
    gen_pool("maxpool_4x4_s3_same_batch2", TB_OP_MAX_POOL_2D, I8, p2664, 4, 4, 3, 3, SAME, NONE,
             "-");
    gen_pool("maxpool_u8_2x2_s2_same", TB_OP_MAX_POOL_2D, U8, p556, 2, 2, 2, 2, SAME, NONE, "-");
    gen_pool("maxpool_u8_3x3_s2_valid", TB_OP_MAX_POOL_2D, U8, p778, 3, 3, 2, 2, VALID, NONE, "-");

    /* ---- MEAN */
    int32_t m6616[4] = { 1, 6, 6, 16 }, m558[4] = { 1, 5, 5, 8 }, m4410[4] = { 1, 4, 4, 10 };
    int32_t m2338[4] = { 2, 3, 3, 8 }, m779[4] = { 1, 7, 7, 9 }, m12[4] = { 1, 12, 12, 4 };
    int32_t m3d[3] = { 2, 10, 8 }, m2d[2] = { 3, 20 };
    int32_t hw[2] = { 1, 2 }, wh[2] = { 2, 1 }, neg[2] = { -3, -2 }, c3[1] = { 3 }, a1[1] = { 1 };
    int32_t a2[1] = { 2 }, a12_3[3] = { 1, 2, 3 }, am1[1] = { -1 };
    gen_mean("mean_hw_keep_diffq", I8, 4, m6616, 2, hw, 1, 0, "-");
    gen_mean("mean_hw_keep_sameq", I8, 4, m6616, 2, hw, 1, 1, "-");
    gen_mean("mean_wh_keep_diffq", I8, 4, m558, 2, wh, 1, 0, "-");
    gen_mean("mean_hw_keep_batch2", I8, 4, m2338, 2, hw, 1, 0, "-");
    gen_mean("mean_hw_keep_12x12", I8, 4, m12, 2, hw, 1, 0, "-");
    gen_mean("mean_hw_nokeep_diffq", I8, 4, m6616, 2, hw, 0, 0, "-");
    gen_mean("mean_hw_nokeep_sameq", I8, 4, m558, 2, hw, 0, 1, "-");
    gen_mean("mean_negaxes_keep_diffq", I8, 4, m558, 2, neg, 1, 0, "-");
    gen_mean("mean_negaxes_keep_sameq", I8, 4, m558, 2, neg, 1, 1, "-");
    gen_mean("mean_axis3_keep_diffq", I8, 4, m4410, 1, c3, 1, 0, "-");
    gen_mean("mean_axis3_nokeep_sameq", I8, 4, m4410, 1, c3, 0, 1, "-");
    gen_mean("mean_axis1_nokeep_diffq", I8, 4, m4410, 1, a1, 0, 0, "-");
    gen_mean("mean_axes123_keep_diffq", I8, 4, m558, 3, a12_3, 1, 0, "-");
    gen_mean("mean_rank3_axis1_diffq", I8, 3, m3d, 1, a1, 0, 0, "-");
    gen_mean("mean_rank3_axis2_keep_sameq", I8, 3, m3d, 1, a2, 1, 1, "-");
    gen_mean("mean_rank2_axisneg1_diffq", I8, 2, m2d, 1, am1, 0, 0, "-");
    int32_t m5d[5] = { 1, 2, 3, 4, 8 }, m6d[6] = { 1, 2, 1, 3, 2, 4 }, a13[2] = { 1, 3 };
    int32_t a135[3] = { 1, 3, 5 };
    gen_mean("mean_rank5_axes13_diffq", I8, 5, m5d, 2, a13, 0, 0, "-");
    gen_mean("mean_rank5_axes13_keep_sameq", I8, 5, m5d, 2, a13, 1, 1, "-");
    gen_mean("mean_rank6_axes135_diffq", I8, 6, m6d, 3, a135, 0, 0, "-");
    int32_t m0[4] = { 3, 2, 2, 4 }, a0[1] = { 0 };
    gen_mean("mean_axis0_nokeep_diffq", I8, 4, m0, 1, a0, 0, 0, "-");
    gen_mean("mean_u8_hw_keep_diffq", U8, 4, m779, 2, hw, 1, 0, "-");
    gen_mean("mean_u8_hw_keep_sameq", U8, 4, m779, 2, hw, 1, 1, "-");
    gen_mean("mean_u8_hw_nokeep_diffq", U8, 4, m779, 2, hw, 0, 0, "-");
    gen_mean("mean_u8_axis3_nokeep_sameq", U8, 4, m4410, 1, c3, 0, 1, "-");

    /* ---- PAD, RESHAPE, TRANSPOSE, CONCATENATION */
    int32_t x553[4] = { 1, 5, 5, 3 }, x2345[4] = { 2, 3, 4, 5 }, x1345[4] = { 1, 3, 4, 5 };
    int32_t x35[2] = { 3, 5 }, x234[3] = { 2, 3, 4 }, x5d[5] = { 2, 1, 3, 2, 4 };
    int32_t pads1[8] = { 0, 0, 1, 2, 2, 1, 0, 0 }, pads2[8] = { 1, 0, 0, 0, 0, 1, 2, 3 };
    int32_t pads_2d[4] = { 1, 0, 2, 2 }, pads_3d[6] = { 0, 1, 3, 0, 1, 1 };
    gen_pad("pad_hw_i8", I8, 4, x553, pads1, "-");
    gen_pad("pad_all_dims_i8", I8, 4, x553, pads2, "-");
    gen_pad("pad_rank2_i8", I8, 2, x35, pads_2d, "-");
    gen_pad("pad_rank3_u8", U8, 3, x234, pads_3d, "-");
    gen_pad("pad_hw_u8", U8, 4, x553, pads1, "-");
    int32_t x5[5] = { 1, 2, 3, 4, 2 }, pads_5d[10] = { 0, 0, 1, 0, 0, 1, 1, 1, 0, 2 };
    gen_pad("pad_rank5_i8", I8, 5, x5, pads_5d, "-");
    int32_t r4[4] = { 1, 4, 4, 8 }, r2[2] = { 1, 128 }, r3[3] = { 2, 3, 4 }, r22[2] = { 4, 6 };
    int32_t r5[5] = { 1, 2, 2, 4, 8 };
    gen_reshape("reshape_4d_to_2d", I8, 4, r4, 2, r2, "-");
    gen_reshape("reshape_2d_to_5d", I8, 2, r2, 5, r5, "-");
    int32_t r6[6] = { 1, 2, 2, 1, 4, 8 };
    gen_reshape("reshape_2d_to_6d", I8, 2, r2, 6, r6, "-");
    gen_reshape("reshape_3d_to_2d_u8", U8, 3, r3, 2, r22, "-");
    int32_t perm1[4] = { 0, 3, 1, 2 }, perm2[4] = { 3, 1, 0, 2 }, perm3[4] = { 0, 2, 1, 3 };
    int32_t perm_2d[2] = { 1, 0 }, perm_3d[3] = { 2, 0, 1 }, perm_5d[5] = { 4, 2, 0, 3, 1 };
    gen_transpose("transpose_0312", I8, 4, x1345, perm1, "-");
    gen_transpose("transpose_3102", I8, 4, x2345, perm2, "-");
    gen_transpose("transpose_rank2", I8, 2, x35, perm_2d, "-");
    gen_transpose("transpose_rank3", I8, 3, x234, perm_3d, "-");
    gen_transpose("transpose_rank5", I8, 5, x5d, perm_5d, "-");
    gen_transpose("transpose_0213_u8", U8, 4, x2345, perm3, "-");
    const int32_t cat3[2][4] = { { 1, 4, 4, 3 }, { 1, 4, 4, 5 } };
    const int32_t cat1[3][4] = { { 1, 2, 4, 3 }, { 1, 3, 4, 3 }, { 1, 1, 4, 3 } };
    const int32_t cat0[2][4] = { { 1, 3, 2, 4 }, { 2, 3, 2, 4 } };
    const int32_t cat2d[3][4] = { { 2, 3 }, { 2, 7 }, { 2, 1 } };
    gen_concat("concat_axis3", I8, 4, 2, cat3, 3, 0, "ok", "-");
    gen_concat("concat_axis1_3inputs", I8, 4, 3, cat1, 1, 0, "ok", "-");
    gen_concat("concat_axis_neg1", I8, 4, 2, cat3, -1, 0, "ok", "-");
    gen_concat("concat_rank2_axis1_3inputs", I8, 2, 3, cat2d, 1, 0, "ok", "-");
    const int32_t cat2[2][4] = { { 1, 2, 3, 4 }, { 1, 2, 5, 4 } };
    gen_concat("concat_axis2", I8, 4, 2, cat2, 2, 0, "ok", "-");
    gen_concat("concat_axis0_u8", U8, 4, 2, cat0, 0, 0, "ok", "-");
    gen_concat("concat_axis3_u8", U8, 4, 2, cat3, 3, 0, "ok", "-");

    /* ---- SOFTMAX */
    int32_t sm10[2] = { 1, 10 }, sm257[3] = { 2, 5, 7 }, sm416[2] = { 4, 16 };
    int32_t sm1000[2] = { 1, 1000 }, sm4d[4] = { 1, 2, 3, 6 }, sm1d[1] = { 12 };
    gen_softmax("softmax_1x10_beta1", I8, 2, sm10, 1.0f, 0.02, 0.3, "-");
    gen_softmax("softmax_2x5x7_beta0.5", I8, 3, sm257, 0.5f, 0.02, 0.3, "-");
    gen_softmax("softmax_4x16_large_scale", I8, 2, sm416, 1.0f, 0.3, 1.0, "-");
    gen_softmax("softmax_4x16_small_scale", I8, 2, sm416, 1.0f, 0.002, 0.01, "-");
    gen_softmax("softmax_1x1000", I8, 2, sm1000, 1.0f, 0.05, 0.2, "-");
    gen_softmax("softmax_rank4_beta2", I8, 4, sm4d, 2.0f, 0.02, 0.2, "-");
    gen_softmax("softmax_rank1", I8, 1, sm1d, 1.0f, 0.02, 0.3, "-");
    int32_t sm5d[5] = { 1, 2, 3, 4, 8 };
    gen_softmax("softmax_rank5", I8, 5, sm5d, 1.0f, 0.02, 0.3, "-");
    gen_softmax("softmax_u8_1x10", U8, 2, sm10, 1.0f, 0.02, 0.3, "-");
    gen_softmax("softmax_u8_2x5x7_beta0.5", U8, 3, sm257, 0.5f, 0.02, 0.3, "-");
    gen_softmax("softmax_u8_1x1000", U8, 2, sm1000, 1.0f, 0.05, 0.2, "-");

    /* ---- QUANTIZE, DEQUANTIZE */
    gen_quantize("quantize_i8_u8_same_scale", I8, U8, 1, 0, "-");
    gen_quantize("quantize_u8_i8_same_scale", U8, I8, 1, 0, "-");
    gen_quantize("quantize_i8_u8_rescale", I8, U8, 0, 0, "-");
    gen_quantize("quantize_u8_i8_rescale", U8, I8, 0, 0, "-");
    gen_quantize("quantize_i8_i8_rescale", I8, I8, 0, 0, "-");
    gen_quantize("quantize_u8_u8_rescale", U8, U8, 0, 0, "-");
    gen_quantize("quantize_i8_i8_ties_half", I8, I8, 0, 0.5, "-");
    gen_quantize("quantize_i8_u8_ties_1.5", I8, U8, 0, 1.5, "-");
    gen_quantize("quantize_u8_i8_ties_0.25", U8, I8, 0, 0.25, "-");
    gen_quantize("quantize_i8_i8_upscale_37", I8, I8, 0, 37.0, "-");
    gen_dequantize("dequantize_i8_f32", I8, "-");
    gen_dequantize("dequantize_u8_f32", U8, "-");

    /* ---- small graphs (every intermediate compared) */
    gen_chain_int8();
    gen_chain_uint8();
    gen_chain_quant();

    /* ---- models the engine must refuse */
    gen_refuse_custom();
    gen_refuse_tanh();
    gen_refuse_conv_f32();
    gen_refuse_softmax_q();
    gen_refuse_grouped();
    gen_refuse_fc_wzp();
    const int32_t catd[2][4] = { { 1, 4, 4, 3 }, { 1, 4, 4, 5 } };
    gen_concat("refuse_concat_diffq", I8, 4, 2, catd, 3, 1, "refuse:CONCATENATION", "-");
}

int main(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: make_op_models OUTDIR\n"
                        "Writes OUTDIR/<name>.tflite (one op configuration each) and "
                        "OUTDIR/models.tsv.\n");
        return 2;
    }
    g_dir = argv[1];
    if (mkdir(g_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "make_op_models: cannot create %s: %s\n", g_dir, strerror(errno));
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/models.tsv", g_dir);
    g_manifest = fopen(path, "w");
    if (!g_manifest) {
        fprintf(stderr, "make_op_models: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    gen_all();
    if (fclose(g_manifest) != 0) {
        fprintf(stderr, "make_op_models: cannot write %s\n", path);
        return 1;
    }
    fprintf(stderr, "make_op_models: wrote %d models to %s\n", g_models, g_dir);
    return g_errors ? 1 : 0;
}
