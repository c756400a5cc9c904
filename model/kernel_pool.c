/* model/kernel_pool.c - AVERAGE_POOL_2D and MAX_POOL_2D (NHWC, int8/uint8).
 *
 * Only window positions inside the input count (padding is excluded from
 * both the maximum and the average's divisor), as in TFLite.  The average
 * rounds to nearest with ties away from zero:
 *   acc > 0 ? (acc + n/2) / n : (acc - n/2) / n   (C division truncates)
 * then clamps to the fused activation's range.
 */
#include "model/weights.h"

static void run_pool(const zm_kernel *k, const void *const *in, void *out)
{
    const zm_pool_params *c = &k->p.pool;
    const int is_avg = k->op->opcode == ZM_OP_AVERAGE_POOL_2D;
    const uint8_t *xu = in[0];
    const int8_t *xs = in[0];
    for (int b = 0; b < c->n; b++)
        for (int oy = 0; oy < c->oh; oy++)
            for (int ox = 0; ox < c->ow; ox++) {
                int y0 = oy * c->stride_h - c->pad_top, x0 = ox * c->stride_w - c->pad_left;
                int ky0 = y0 < 0 ? -y0 : 0, kx0 = x0 < 0 ? -x0 : 0;
                int ky1 = c->kh < c->ih - y0 ? c->kh : c->ih - y0;
                int kx1 = c->kw < c->iw - x0 ? c->kw : c->iw - x0;
                int64_t obase = (((int64_t)b * c->oh + oy) * c->ow + ox) * c->c;
                for (int ch = 0; ch < c->c; ch++) {
                    /* int64: a hostile model's window may hold billions of values */
                    int64_t acc = is_avg ? 0 : INT32_MIN;
                    int64_t count = 0;
                    for (int ky = ky0; ky < ky1; ky++)
                        for (int kx = kx0; kx < kx1; kx++) {
                            int64_t idx = (((int64_t)b * c->ih + y0 + ky) * c->iw + x0 + kx) * c->c + ch;
                            int32_t v = c->is_uint8 ? xu[idx] : xs[idx];
                            if (is_avg)
                                acc += v;
                            else if (v > acc)
                                acc = v;
                            count++;
                        }
                    int32_t v;
                    if (count == 0)
                        v = 0; /* TFLite bails out; prepare rules this out */
                    else if (is_avg)
                        v = zm_pool_average_finish(c, acc, count);
                    else
                        v = zm_clamp_i32(acc, c->act_min, c->act_max);
                    zm_store8(out, obase + ch, v, c->is_uint8);
                }
            }
}

int32_t zm_pool_average_finish(const zm_pool_params *c, int64_t sum, int64_t count)
{
    int64_t a = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
    return zm_clamp_i32(a, c->act_min, c->act_max);
}

za_status zm_prepare_pool(const zm_prep *p, zm_kernel *k)
{
    zm_pool_params *c = &k->p.pool;
    const zm_pool_options *o = &p->op->opt.pool;
    za_status st = zm_check_inputs(p, 1, 1);
    if (st)
        return st;
    const zm_tensor *in = zm_input(p, 0), *out = zm_output(p);
    char b1[64], b2[64];
    if ((st = zm_check_quant8(p, in, "input")) || (st = zm_check_quant8(p, out, "output")))
        return st;
    if (in->type != out->type || in->q.zero_point[0] != out->q.zero_point[0] ||
        in->q.scale[0] != out->q.scale[0])
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "input and output must share type, scale and zero point");
    if (in->rank != 4 || out->rank != 4)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "input %s and output %s must be 4-D (NHWC)",
                           zm_shape_str(in, b1, sizeof b1), zm_shape_str(out, b2, sizeof b2));
    if (o->stride_h < 1 || o->stride_w < 1 || o->filter_h < 1 || o->filter_w < 1 ||
        o->filter_h > 65535 || o->filter_w > 65535)
        return zm_op_error(p, ZA_ERR_MALFORMED, "filter %dx%d / stride %dx%d out of range",
                           o->filter_h, o->filter_w, o->stride_h, o->stride_w);
    /* run_pool computes window bounds as ih - (oy * stride - pad) in int */
    if ((int64_t)in->shape[1] + o->filter_h > INT32_MAX ||
        (int64_t)in->shape[2] + o->filter_w > INT32_MAX)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "input %s is too large to pool",
                           zm_shape_str(in, b1, sizeof b1));
    c->n = in->shape[0];
    c->ih = in->shape[1];
    c->iw = in->shape[2];
    c->c = in->shape[3];
    c->kh = o->filter_h;
    c->kw = o->filter_w;
    c->stride_h = o->stride_h;
    c->stride_w = o->stride_w;
    c->oh = zm_out_size(o->padding, c->ih, c->kh, c->stride_h, 1);
    c->ow = zm_out_size(o->padding, c->iw, c->kw, c->stride_w, 1);
    if (out->shape[0] != c->n || out->shape[1] != c->oh || out->shape[2] != c->ow ||
        out->shape[3] != c->c)
        return zm_op_error(p, ZA_ERR_MALFORMED,
                           "output shape %s does not match input %s pooled %dx%d, stride %dx%d",
                           zm_shape_str(out, b1, sizeof b1), zm_shape_str(in, b2, sizeof b2),
                           c->kh, c->kw, c->stride_h, c->stride_w);
    c->pad_top = o->padding == ZM_PAD_SAME ? zm_pad_before(c->stride_h, 1, c->ih, c->kh, c->oh) : 0;
    c->pad_left = o->padding == ZM_PAD_SAME ? zm_pad_before(c->stride_w, 1, c->iw, c->kw, c->ow) : 0;
    /* every window must overlap the input (else TFLite's kernel fails) */
    if (c->oh > 0 && c->ow > 0 &&
        ((c->oh - 1) * c->stride_h - c->pad_top >= c->ih ||
         (c->ow - 1) * c->stride_w - c->pad_left >= c->iw || c->kh <= c->pad_top ||
         c->kw <= c->pad_left))
        return zm_op_error(p, ZA_ERR_MALFORMED, "a pooling window lies entirely in the padding");
    if ((st = zm_activation_range(p, o->activation, out, &c->act_min, &c->act_max)))
        return st;
    c->is_uint8 = in->type == ZM_UINT8;
    k->run = run_pool;
    return ZA_OK;
}
