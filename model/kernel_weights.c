/* model/kernel_weights.c - shared preparation of CONV_2D, DEPTHWISE_CONV_2D
 * and FULLY_CONNECTED: per-channel multipliers, packed weights and biases,
 * and the accumulator bound.
 *
 * Multipliers follow the TFLite runtime's Prepare steps, including the
 * precision of the scale product, which matters for the last bit of M0:
 *  - int8 CONV_2D / DEPTHWISE_CONV_2D (PopulateConvolutionQuantizationParams,
 *    per-channel loop even for one scale) and per-channel FULLY_CONNECTED:
 *    M = (double)in_scale * (double)filter_scale / (double)out_scale;
 *  - uint8 ops and per-tensor FULLY_CONNECTED (GetQuantizedConvolutionMultipler):
 *    M = (double)(float)(in_scale * filter_scale) / (double)out_scale;
 * then QuantizeMultiplier.  Weights are stored as
 * int16 (w - filter_zero_point) so that int8 and uint8 models share one
 * integer dot product; TFLite's int8 kernels assume a zero filter zero
 * point, so an int8 filter with a non-zero one is refused rather than
 * silently computed differently.
 */
#include <stdlib.h>
#include <string.h>

#include "model/kernels.h"
#include "model/weights.h"

za_status zm_prepare_weights(const zm_prep *p, zm_conv_params *c, const zm_tensor *in,
                             const zm_tensor *filter, const zm_tensor *bias,
                             const zm_tensor *out, int oc, int64_t k_per_oc, int oc_axis,
                             int is_fc)
{
    za_status st;
    if ((st = zm_check_quant8(p, in, "input")) || (st = zm_check_quant8(p, out, "output")) ||
        (st = zm_check_const(p, filter, in->type, "filter")))
        return st;
    if (out->type != in->type)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "input is %s but output is %s",
                           zm_dtype_name(in->type), zm_dtype_name(out->type));
    const zm_quant *fq = &filter->q;
    if (fq->n != 1 && !(fq->n == oc && fq->quantized_dim == oc_axis))
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "filter \"%s\" has %d scales along axis %d; expected 1 or %d along "
                           "axis %d", filter->name, fq->n, fq->quantized_dim, oc, oc_axis);
    if (fq->n > 1 && in->type == ZM_UINT8)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "uint8 filter \"%s\" with per-channel scales is not supported",
                           filter->name);
    for (int i = 0; i < fq->n; i++) {
        if (!(fq->scale[i] > 0.0f) || fq->scale[i] != fq->scale[i])
            return zm_op_error(p, ZA_ERR_MALFORMED, "filter \"%s\" scale[%d] is %g", filter->name,
                               i, (double)fq->scale[i]);
        if (in->type == ZM_INT8 && fq->zero_point[i] != 0)
            return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                               "int8 filter \"%s\" has zero point %lld; TFLite requires 0",
                               filter->name, (long long)fq->zero_point[i]);
        if (in->type == ZM_UINT8 && (fq->zero_point[i] < 0 || fq->zero_point[i] > 255))
            return zm_op_error(p, ZA_ERR_MALFORMED, "filter zero point %lld outside [0,255]",
                               (long long)fq->zero_point[i]);
    }
    if (bias) {
        if ((st = zm_check_const(p, bias, ZM_INT32, "bias")))
            return st;
        if (bias->n_elems != oc)
            return zm_op_error(p, ZA_ERR_MALFORMED, "bias \"%s\" has %lld elements, expected %d",
                               bias->name, (long long)bias->n_elems, oc);
    }
    if (filter->n_elems != (int64_t)oc * k_per_oc)
        return zm_op_error(p, ZA_ERR_MALFORMED,
                           "filter \"%s\" has %lld elements, expected %d x %lld", filter->name,
                           (long long)filter->n_elems, oc, (long long)k_per_oc);

    c->in_zp = (int32_t)in->q.zero_point[0];
    c->out_zp = (int32_t)out->q.zero_point[0];
    c->in_is_uint8 = in->type == ZM_UINT8;
    c->out_is_uint8 = out->type == ZM_UINT8;
    c->w = malloc(sizeof(int16_t) * (size_t)filter->n_elems + 1);
    c->bias = calloc((size_t)oc, sizeof(int32_t));
    c->rq = malloc(sizeof(zm_requant) * (size_t)oc);
    if (!c->w || !c->bias || !c->rq)
        return zm_op_error(p, ZA_ERR_NOMEM, "out of memory");

    /* weights in their stored order; the kernels index them directly */
    int32_t fzp = (int32_t)fq->zero_point[0];
    int32_t max_w = 0;
    for (int64_t i = 0; i < filter->n_elems; i++) {
        int32_t v = in->type == ZM_UINT8 ? (int32_t)filter->data[i] - fzp
                                         : (int32_t)(int8_t)filter->data[i];
        c->w[i] = (int16_t)v;
        if (abs(v) > max_w)
            max_w = abs(v);
    }
    int32_t max_bias = 0;
    if (bias)
        memcpy(c->bias, bias->data, sizeof(int32_t) * (size_t)oc);
    for (int i = 0; i < oc; i++) {
        /* |INT32_MIN| does not fit: treat it as the largest magnitude */
        int32_t b = c->bias[i] == INT32_MIN ? INT32_MAX : abs(c->bias[i]);
        if (b > max_bias)
            max_bias = b;
    }
    /* TFLite accumulates in int32; refuse models whose accumulator could
     * overflow, where the runtime's result would be undefined. */
    int64_t max_x = 255; /* |x - zp| <= 255 for int8 and uint8 alike */
    int64_t bound = (int64_t)max_bias + (int64_t)max_w * max_x * k_per_oc;
    if (bound > INT32_MAX)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "accumulators could exceed int32 (bound %lld): depth %lld is too "
                           "large for these weights", (long long)bound, (long long)k_per_oc);

    const int float_product = in->type == ZM_UINT8 || (is_fc && fq->n == 1);
    for (int i = 0; i < oc; i++) {
        float fs = fq->scale[fq->n > 1 ? i : 0];
        double eff = float_product
                         ? (double)(in->q.scale[0] * fs) / (double)out->q.scale[0]
                         : (double)in->q.scale[0] * (double)fs / (double)out->q.scale[0];
        int sh;
        zm_quantize_multiplier(eff, &c->rq[i].m0, &sh);
        c->rq[i].shift = sh;
    }
    return ZA_OK;
}
