/* model/kernel_mean.c - MEAN over any set of axes (int8/uint8).
 *
 * The TFLite runtime (reduce.cc, EvalMean with the optimized kernels) takes
 * one of three paths, and they round differently, so we pick the same one:
 *  MEAN_4D    rank-4 input, keep_dims, axes exactly {1,2} (as written in
 *             the axis tensor): integer sum, then
 *             MultiplyByQuantizedMultiplier(sum, M, s) + bias, clamped, with
 *             M = QuantizeMultiplier(float(in_scale / (float(H*W) * out_scale)))
 *             and bias = out_zp - (int32)(in_zp*in_scale/out_scale +- 0.5f);
 *  MEAN_SAME  same scale and zero point in and out: sum / count with C
 *             (truncating) integer division;
 *  MEAN_FLOAT otherwise: float mean = float(sum) / float(count), then
 *             round(mean * (in_scale/out_scale) - in_zp*(in_scale/out_scale))
 *             + out_zp in float, clamped.
 * Every float expression is evaluated in float, in the runtime's order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/weights.h"

enum { MEAN_4D = 0, MEAN_SAME = 1, MEAN_FLOAT = 2 };

int32_t zm_mean_finish(const zm_mean_params *c, int32_t sum)
{
    int32_t lo = c->is_uint8 ? 0 : -128, hi = c->is_uint8 ? 255 : 127;
    int32_t v;
    if (c->mode == MEAN_4D) {
        v = zm_mbqm_double(sum, c->m0, c->shift) + c->bias;
        v = zm_clamp_i32(v, lo, hi);
    } else if (c->mode == MEAN_SAME) {
        v = (int32_t)(sum / c->count);
    } else {
        float mean = (float)sum / (float)c->count;
        float r = roundf(mean * c->fscale + c->fbias) + (float)c->out_zp;
        r = r < (float)hi ? r : (float)hi;
        r = r > (float)lo ? r : (float)lo;
        v = (int32_t)r;
    }
    return v;
}

static void run_mean(const zm_kernel *k, const void *const *in, void *out)
{
    const zm_mean_params *c = &k->p.mean;
    const int u8 = c->is_uint8;
    int64_t n_out = 1, n_in = 1;
    int64_t ostride[ZA_MAX_RANK]; /* output stride of each input axis (0 if reduced) */
    for (int d = c->rank - 1; d >= 0; d--) {
        ostride[d] = c->reduce[d] ? 0 : n_out;
        if (!c->reduce[d])
            n_out *= c->shape[d];
        n_in *= c->shape[d];
    }
    memset(c->acc, 0, sizeof(int32_t) * (size_t)n_out);
    int32_t idx[ZA_MAX_RANK] = { 0 };
    int64_t o = 0;
    for (int64_t i = 0; i < n_in; i++) {
        c->acc[o] += u8 ? ((const uint8_t *)in[0])[i] : ((const int8_t *)in[0])[i];
        for (int d = c->rank - 1; d >= 0; d--) {
            idx[d]++;
            o += ostride[d];
            if (idx[d] < c->shape[d])
                break;
            o -= ostride[d] * c->shape[d];
            idx[d] = 0;
        }
    }
    for (int64_t j = 0; j < n_out; j++)
        zm_store8(out, j, zm_mean_finish(c, c->acc[j]), u8);
}

za_status zm_prepare_mean(const zm_prep *p, zm_kernel *k)
{
    zm_mean_params *c = &k->p.mean;
    za_status st = zm_check_inputs(p, 2, 2);
    if (st)
        return st;
    const zm_tensor *in = zm_input(p, 0), *axes = zm_input(p, 1), *out = zm_output(p);
    if ((st = zm_check_quant8(p, in, "input")) || (st = zm_check_quant8(p, out, "output")))
        return st;
    if (in->type != out->type)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "input and output types differ");
    if ((st = zm_check_const(p, axes, ZM_INT32, "axis")))
        return st;
    if (axes->n_elems > 64)
        return zm_op_error(p, ZA_ERR_MALFORMED, "too many axes (%lld)", (long long)axes->n_elems);
    c->rank = in->rank;
    for (int d = 0; d < in->rank; d++)
        c->shape[d] = in->shape[d];
    int32_t raw[64];
    memcpy(raw, axes->data, sizeof(int32_t) * (size_t)axes->n_elems);
    c->n_axes = (int)axes->n_elems;
    for (int i = 0; i < c->n_axes; i++) {
        int a = raw[i] < 0 ? raw[i] + in->rank : raw[i];
        if (a < 0 || a >= in->rank)
            return zm_op_error(p, ZA_ERR_MALFORMED, "axis %d out of range for rank %d", raw[i],
                               in->rank);
        c->reduce[a] = 1;
    }
    int64_t count = 1, n_out = 1;
    for (int d = 0; d < in->rank; d++) {
        if (c->reduce[d])
            count *= in->shape[d];
        else
            n_out *= in->shape[d];
    }
    if (out->n_elems != n_out)
        return zm_op_error(p, ZA_ERR_MALFORMED, "output has %lld elements, expected %lld",
                           (long long)out->n_elems, (long long)n_out);
    if (count == 0 || in->n_elems == 0)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "mean over an empty set of values");
    if (count > ((int64_t)1 << 23))
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "mean over %lld values could overflow the runtime's int32 sum",
                           (long long)count);
    c->count = count;
    c->is_uint8 = in->type == ZM_UINT8;
    c->in_zp = (int32_t)in->q.zero_point[0];
    c->out_zp = (int32_t)out->q.zero_point[0];
    const float in_scale = in->q.scale[0], out_scale = out->q.scale[0];
    if (p->op->opt.reducer.keep_dims && in->rank == 4 && c->n_axes == 2 &&
        ((raw[0] == 1 && raw[1] == 2) || (raw[0] == 2 && raw[1] == 1))) {
        c->mode = MEAN_4D;
        /* the runtime converts in_zp * ratio to int32 and adds it to the
         * rescaled sum (about mean * ratio) in int32: below 2^22 neither can
         * overflow, above it (a hostile scale) the result is undefined */
        if (!(in_scale / out_scale < 4194304.0f))
            return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                               "input/output scale ratio %g is too large (at most 2^22)",
                               (double)(in_scale / out_scale));
        const float n_elems = (float)(in->shape[1] * in->shape[2]);
        float temp = (float)c->in_zp * in_scale / out_scale;
        temp = temp > 0 ? temp + 0.5f : temp - 0.5f;
        c->bias = c->out_zp - (int32_t)temp;
        const float real_scale = in_scale / (n_elems * out_scale);
        int sh;
        zm_quantize_multiplier((double)real_scale, &c->m0, &sh);
        c->shift = sh;
    } else if (in_scale == out_scale && c->in_zp == c->out_zp) {
        c->mode = MEAN_SAME;
    } else {
        c->mode = MEAN_FLOAT;
        c->fscale = in_scale / out_scale;
        c->fbias = (float)(-c->in_zp) * c->fscale;
    }
    c->acc = malloc(sizeof(int32_t) * (size_t)n_out + 1);
    if (!c->acc)
        return zm_op_error(p, ZA_ERR_NOMEM, "out of memory");
    return (k->run = run_mean), ZA_OK;
}
