/* model/kernel_conv.c - CONV_2D and DEPTHWISE_CONV_2D (NHWC, int8/uint8).
 *
 * CONV_2D: filter [OC, KH, KW, IC]; each output row is gathered into an
 * im2col buffer of int16 (x - input_zero_point), with padded taps set to 0
 * (TFLite treats padding as the input zero point), and every output channel
 * is one int16 dot product against its packed filter row.
 * DEPTHWISE_CONV_2D: filter [1, KH, KW, IC*M]; output channel oc reads input
 * channel oc / M.  Accumulation runs over channels in the innermost loop so
 * that it vectorizes.
 * Requantization: int8 CONV_2D follows the rounding profile (single rounding
 * in the TFLite runtime, whose int8 conv goes through ruy); uint8 CONV_2D
 * (gemmlowp in the runtime) and DEPTHWISE_CONV_2D always use TFLite's double
 * rounding (SRDHM + RDBPOT).
 */
#include <stdlib.h>
#include <string.h>

#include "model/weights.h"

static za_status check_geometry(const zm_prep *p, const zm_conv_options *o, const zm_tensor *in,
                                const zm_tensor *out, int kh, int kw, zm_conv_params *c)
{
    char b1[64], b2[64];
    if (in->rank != 4 || out->rank != 4)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "input %s and output %s must be 4-D (NHWC)",
                           zm_shape_str(in, b1, sizeof b1), zm_shape_str(out, b2, sizeof b2));
    if (o->stride_h < 1 || o->stride_w < 1 || o->dilation_h < 1 || o->dilation_w < 1 ||
        o->stride_h > 4096 || o->stride_w > 4096 || o->dilation_h > 4096 ||
        o->dilation_w > 4096)
        return zm_op_error(p, ZA_ERR_MALFORMED, "stride %dx%d / dilation %dx%d out of range",
                           o->stride_h, o->stride_w, o->dilation_h, o->dilation_w);
    if (kh < 1 || kw < 1)
        return zm_op_error(p, ZA_ERR_MALFORMED, "filter size %dx%d is empty", kh, kw);
    /* the kernels compute input rows as oy * stride - pad + ky * dilation in
     * int: bound the input size plus the dilated filter's extent */
    if ((int64_t)(kh - 1) * o->dilation_h + 1 + in->shape[1] > INT32_MAX ||
        (int64_t)(kw - 1) * o->dilation_w + 1 + in->shape[2] > INT32_MAX)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "a %dx%d filter with dilation %dx%d on input %s spans more than "
                           "2^31 positions", kh, kw, o->dilation_h, o->dilation_w,
                           zm_shape_str(in, b1, sizeof b1));
    c->n = in->shape[0];
    c->ih = in->shape[1];
    c->iw = in->shape[2];
    c->ic = in->shape[3];
    c->kh = kh;
    c->kw = kw;
    c->stride_h = o->stride_h;
    c->stride_w = o->stride_w;
    c->dil_h = o->dilation_h;
    c->dil_w = o->dilation_w;
    int oh = zm_out_size(o->padding, c->ih, kh, c->stride_h, c->dil_h);
    int ow = zm_out_size(o->padding, c->iw, kw, c->stride_w, c->dil_w);
    if (out->shape[0] != c->n || out->shape[1] != oh || out->shape[2] != ow)
        return zm_op_error(p, ZA_ERR_MALFORMED,
                           "output shape %s does not match input %s with a %dx%d filter, "
                           "stride %dx%d, dilation %dx%d and %s padding (expected [%d,%d,%d,*])",
                           zm_shape_str(out, b1, sizeof b1), zm_shape_str(in, b2, sizeof b2),
                           kh, kw, c->stride_h, c->stride_w, c->dil_h, c->dil_w,
                           o->padding == ZM_PAD_SAME ? "SAME" : "VALID", c->n, oh, ow);
    c->oh = oh;
    c->ow = ow;
    c->oc = out->shape[3];
    c->pad_top = o->padding == ZM_PAD_SAME ? zm_pad_before(c->stride_h, c->dil_h, c->ih, kh, oh) : 0;
    c->pad_left = o->padding == ZM_PAD_SAME ? zm_pad_before(c->stride_w, c->dil_w, c->iw, kw, ow) : 0;
    return ZA_OK;
}

static void run_conv(const zm_kernel *k, const void *const *in, void *out)
{
    const zm_conv_params *c = &k->p.conv;
    const int64_t K = (int64_t)c->kh * c->kw * c->ic;
    const uint8_t *x = in[0];
    int16_t *col = c->scratch;
    for (int b = 0; b < c->n; b++) {
        for (int oy = 0; oy < c->oh; oy++) {
            /* im2col of one output row: ow x K */
            for (int ox = 0; ox < c->ow; ox++) {
                int16_t *dst = col + (int64_t)ox * K;
                for (int ky = 0; ky < c->kh; ky++) {
                    int iy = oy * c->stride_h - c->pad_top + ky * c->dil_h;
                    for (int kx = 0; kx < c->kw; kx++) {
                        int ix = ox * c->stride_w - c->pad_left + kx * c->dil_w;
                        int16_t *d = dst + ((int64_t)ky * c->kw + kx) * c->ic;
                        if (iy < 0 || iy >= c->ih || ix < 0 || ix >= c->iw) {
                            memset(d, 0, sizeof(int16_t) * (size_t)c->ic);
                            continue;
                        }
                        const uint8_t *srow = x + (((int64_t)b * c->ih + iy) * c->iw + ix) * c->ic;
                        zm_widen_row(d, srow, c->ic, c->in_zp, c->in_is_uint8);
                    }
                }
            }
            int64_t obase = (((int64_t)b * c->oh + oy) * c->ow) * c->oc;
            for (int ox = 0; ox < c->ow; ox++) {
                const int16_t *xr = col + (int64_t)ox * K;
                int o = 0;
                for (; o + 4 <= c->oc; o += 4) {
                    int32_t acc[4];
                    const int16_t *w = c->w + (int64_t)o * K;
                    zm_dot16x4(w, w + K, w + 2 * K, w + 3 * K, xr, K, acc);
                    for (int q = 0; q < 4; q++) {
                        int32_t v = zm_requantize(c->bias[o + q] + acc[q], c->rq[o + q],
                                                  c->single_rounding, c->out_zp, c->act_min,
                                                  c->act_max);
                        zm_store8(out, obase + (int64_t)ox * c->oc + o + q, v, c->out_is_uint8);
                    }
                }
                for (; o < c->oc; o++) {
                    int32_t acc = c->bias[o] + zm_dot16(c->w + (int64_t)o * K, xr, K);
                    int32_t v = zm_requantize(acc, c->rq[o], c->single_rounding, c->out_zp,
                                              c->act_min, c->act_max);
                    zm_store8(out, obase + (int64_t)ox * c->oc + o, v, c->out_is_uint8);
                }
            }
        }
    }
}

za_status zm_prepare_conv(const zm_prep *p, zm_kernel *k)
{
    zm_conv_params *c = &k->p.conv;
    za_status st = zm_check_inputs(p, 2, 3);
    if (st)
        return st;
    const zm_tensor *in = zm_input(p, 0), *filter = zm_input(p, 1), *bias = zm_input(p, 2);
    const zm_tensor *out = zm_output(p);
    if (filter->rank != 4)
        return zm_op_error(p, ZA_ERR_MALFORMED, "filter \"%s\" must be 4-D [OC,KH,KW,IC]",
                           filter->name);
    /* the TFLite runtime's conv.cc refuses a CONV_2D without a bias; TFLite
     * Micro (the reference profile) accepts one and adds nothing */
    if (!bias && p->rounding == ZM_ROUNDING_TFLITE)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "has no bias, which the TFLite runtime refuses (the reference "
                           "profile accepts it)");
    /* an empty filter bounds nothing: KH*KW*IC could overflow and the
     * im2col work would not be paid for by any MACs */
    if (filter->n_elems == 0)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "filter \"%s\" has no elements",
                           filter->name);
    if ((st = check_geometry(p, &p->op->opt.conv, in, out, filter->shape[1], filter->shape[2], c)))
        return st;
    if (filter->shape[0] != c->oc || filter->shape[3] != c->ic)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "filter [%d,%d,%d,%d] does not match %d input and %d output channels "
                           "(grouped convolution is not supported)", filter->shape[0],
                           filter->shape[1], filter->shape[2], filter->shape[3], c->ic, c->oc);
    int64_t K = (int64_t)c->kh * c->kw * c->ic;
    if ((st = zm_prepare_weights(p, c, in, filter, bias, out, c->oc, K, 0, 0)))
        return st;
    if ((st = zm_activation_range(p, p->op->opt.conv.activation, out, &c->act_min, &c->act_max)))
        return st;
    /* the runtime's int8 GEMM (ruy) rounds once; its uint8 GEMM (gemmlowp)
     * rounds twice, like the reference kernels */
    c->single_rounding = p->rounding == ZM_ROUNDING_TFLITE && in->type == ZM_INT8;
    c->scratch = malloc(sizeof(int16_t) * (size_t)(K * (c->ow ? c->ow : 1)) + 1);
    if (!c->scratch)
        return zm_op_error(p, ZA_ERR_NOMEM, "out of memory");
    k->macs = (uint64_t)c->n * c->oh * c->ow * c->oc * (uint64_t)K;
    k->run = run_conv;
    return ZA_OK;
}

static void run_depthwise(const zm_kernel *k, const void *const *in, void *out)
{
    const zm_conv_params *c = &k->p.conv;
    const uint8_t *x = in[0];
    const int M = c->depth_mult;
    int16_t *xrow = c->scratch; /* one input pixel, widened and expanded to OC */
    int16_t *xin = c->scratch + c->oc;
    int32_t *acc = c->acc;
    for (int b = 0; b < c->n; b++)
        for (int oy = 0; oy < c->oh; oy++)
            for (int ox = 0; ox < c->ow; ox++) {
                memcpy(acc, c->bias, sizeof(int32_t) * (size_t)c->oc);
                for (int ky = 0; ky < c->kh; ky++) {
                    int iy = oy * c->stride_h - c->pad_top + ky * c->dil_h;
                    if (iy < 0 || iy >= c->ih)
                        continue;
                    for (int kx = 0; kx < c->kw; kx++) {
                        int ix = ox * c->stride_w - c->pad_left + kx * c->dil_w;
                        if (ix < 0 || ix >= c->iw)
                            continue;
                        const uint8_t *src = x + (((int64_t)b * c->ih + iy) * c->iw + ix) * c->ic;
                        const int16_t *w = c->w + ((int64_t)ky * c->kw + kx) * c->oc;
                        if (M == 1) {
                            zm_widen_row(xrow, src, c->ic, c->in_zp, c->in_is_uint8);
                        } else {
                            zm_widen_row(xin, src, c->ic, c->in_zp, c->in_is_uint8);
                            for (int ic = 0; ic < c->ic; ic++)
                                for (int m = 0; m < M; m++)
                                    xrow[(int64_t)ic * M + m] = xin[ic];
                        }
                        for (int o = 0; o < c->oc; o++)
                            acc[o] += (int32_t)w[o] * (int32_t)xrow[o];
                    }
                }
                int64_t obase = (((int64_t)b * c->oh + oy) * c->ow + ox) * c->oc;
                for (int o = 0; o < c->oc; o++) {
                    int32_t v = zm_requantize(acc[o], c->rq[o], 0, c->out_zp, c->act_min,
                                              c->act_max);
                    zm_store8(out, obase + o, v, c->out_is_uint8);
                }
            }
}

za_status zm_prepare_depthwise(const zm_prep *p, zm_kernel *k)
{
    zm_conv_params *c = &k->p.conv;
    za_status st = zm_check_inputs(p, 2, 3);
    if (st)
        return st;
    const zm_tensor *in = zm_input(p, 0), *filter = zm_input(p, 1), *bias = zm_input(p, 2);
    const zm_tensor *out = zm_output(p);
    if (filter->rank != 4 || filter->shape[0] != 1)
        return zm_op_error(p, ZA_ERR_MALFORMED, "filter \"%s\" must be [1,KH,KW,OC]",
                           filter->name);
    /* an empty filter bounds nothing: the KH*KW taps of every output pixel
     * would be visited without a single MAC */
    if (filter->n_elems == 0)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "filter \"%s\" has no elements",
                           filter->name);
    if ((st = check_geometry(p, &p->op->opt.conv, in, out, filter->shape[1], filter->shape[2], c)))
        return st;
    if (filter->shape[3] != c->oc || c->ic == 0 || c->oc % c->ic != 0)
        return zm_op_error(p, ZA_ERR_MALFORMED,
                           "filter has %d channels, output %d, input %d: output channels must "
                           "equal the filter's and be a multiple of the input's",
                           filter->shape[3], c->oc, c->ic);
    c->depth_mult = c->oc / c->ic;
    /* the weights are [KH][KW][OC]; each output channel has KH*KW of them */
    if ((st = zm_prepare_weights(p, c, in, filter, bias, out, c->oc, (int64_t)c->kh * c->kw, 3, 0)))
        return st;
    if ((st = zm_activation_range(p, p->op->opt.conv.activation, out, &c->act_min, &c->act_max)))
        return st;
    c->single_rounding = 0;
    c->scratch = malloc(sizeof(int16_t) * ((size_t)c->oc + (size_t)c->ic) + 1);
    c->acc = malloc(sizeof(int32_t) * (size_t)c->oc + 1);
    if (!c->scratch || !c->acc)
        return zm_op_error(p, ZA_ERR_NOMEM, "out of memory");
    k->macs = (uint64_t)c->n * c->oh * c->ow * c->oc * (uint64_t)c->kh * c->kw;
    k->run = run_depthwise;
    return ZA_OK;
}
