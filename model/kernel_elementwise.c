/* model/kernel_elementwise.c - ADD, QUANTIZE and DEQUANTIZE.
 *
 * ADD (int8/uint8), as TFLite's quantized add: both inputs are offset by
 * their zero points, shifted left by 20, rescaled to a common scale
 * (twice the larger input scale) with double rounding, summed, rescaled to
 * the output scale, offset and clamped.  Numpy-style broadcasting.
 * QUANTIZE between int8 and uint8 requantizes with
 * MultiplyByQuantizedMultiplier(x - zp_in, M(in_scale/out_scale)) + zp_out.
 * DEQUANTIZE gives float32 scale * (x - zp); the product of a float scale and
 * a 9-bit integer is exact in double, so rounding it once to float matches
 * the runtime whichever precision it multiplies in.
 */
#include <math.h>

#include "model/weights.h"

static inline int32_t load8(const void *p, int64_t i, int is_uint8)
{
    return is_uint8 ? ((const uint8_t *)p)[i] : ((const int8_t *)p)[i];
}

static inline int32_t add_one(const zm_add_params *c, int32_t a, int32_t b)
{
    int32_t x1 = (a + c->in1_offset) * (1 << c->left_shift);
    int32_t x2 = (b + c->in2_offset) * (1 << c->left_shift);
    int32_t s1 = zm_mbqm_double(x1, c->in1_m0, c->in1_shift);
    int32_t s2 = zm_mbqm_double(x2, c->in2_m0, c->in2_shift);
    int32_t raw = zm_mbqm_double(s1 + s2, c->out_m0, c->out_shift);
    return zm_clamp_i32((int64_t)raw + c->out_offset, c->act_min, c->act_max);
}

int32_t zm_add_finish(const zm_add_params *c, int32_t a, int32_t b)
{
    return add_one(c, a, b);
}

static void run_add(const zm_kernel *k, const void *const *in, void *out)
{
    const zm_add_params *c = &k->p.add;
    if (!c->broadcast) {
        for (int64_t i = 0; i < c->n; i++)
            zm_store8(out, i, add_one(c, load8(in[0], i, c->is_uint8), load8(in[1], i, c->is_uint8)),
                      c->is_uint8);
        return;
    }
    int32_t idx[ZA_MAX_RANK] = { 0 };
    int64_t o1 = 0, o2 = 0;
    for (int64_t i = 0; i < c->n; i++) {
        zm_store8(out, i, add_one(c, load8(in[0], o1, c->is_uint8), load8(in[1], o2, c->is_uint8)),
                  c->is_uint8);
        for (int d = c->rank - 1; d >= 0; d--) { /* odometer over the output index */
            idx[d]++;
            o1 += c->stride1[d];
            o2 += c->stride2[d];
            if (idx[d] < c->oshape[d])
                break;
            o1 -= c->stride1[d] * c->oshape[d];
            o2 -= c->stride2[d] * c->oshape[d];
            idx[d] = 0;
        }
    }
}

/* Strides of `t` for broadcasting into an output of rank r (0 where t has
 * size 1); 0 if not broadcast-compatible. */
static int broadcast_strides(const zm_tensor *t, const zm_tensor *out, int64_t *stride)
{
    int r = out->rank, off = r - t->rank;
    int64_t s = 1;
    if (off < 0)
        return 0;
    for (int d = r - 1; d >= 0; d--) {
        int dim = d >= off ? t->shape[d - off] : 1;
        if (dim != out->shape[d] && dim != 1)
            return 0;
        stride[d] = dim == 1 ? 0 : s;
        s *= dim;
    }
    return 1;
}

za_status zm_prepare_add(const zm_prep *p, zm_kernel *k)
{
    zm_add_params *c = &k->p.add;
    za_status st = zm_check_inputs(p, 2, 2);
    if (st)
        return st;
    const zm_tensor *a = zm_input(p, 0), *b = zm_input(p, 1), *out = zm_output(p);
    if ((st = zm_check_quant8(p, a, "input 0")) || (st = zm_check_quant8(p, b, "input 1")) ||
        (st = zm_check_quant8(p, out, "output")))
        return st;
    if (a->type != out->type || b->type != out->type)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "inputs and output must have the same type");
    c->n = out->n_elems;
    c->is_uint8 = out->type == ZM_UINT8;
    if (zm_same_shape(a, out) && zm_same_shape(b, out)) {
        c->broadcast = 0;
    } else {
        c->broadcast = 1;
        /* the runtime's 8-bit broadcast ADD is 4-D only (it aborts above) */
        if (out->rank > 4)
            return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                               "broadcasting a rank-%d ADD; the TFLite runtime supports rank 4 "
                               "at most", out->rank);
        c->rank = out->rank;
        for (int d = 0; d < out->rank; d++)
            c->oshape[d] = out->shape[d];
        if (!broadcast_strides(a, out, c->stride1) || !broadcast_strides(b, out, c->stride2))
            return zm_op_error(p, ZA_ERR_MALFORMED,
                               "input shapes do not broadcast to the output shape");
    }
    if ((st = zm_activation_range(p, p->op->opt.add.activation, out, &c->act_min, &c->act_max)))
        return st;
    /* TFLite add.cc Prepare (8-bit): left_shift 20; the float expressions
     * are evaluated in the same precisions as there */
    c->in1_offset = (int32_t)-a->q.zero_point[0];
    c->in2_offset = (int32_t)-b->q.zero_point[0];
    c->out_offset = (int32_t)out->q.zero_point[0];
    c->left_shift = 20;
    float s1 = a->q.scale[0], s2 = b->q.scale[0];
    const double twice_max = (double)(2 * (s1 > s2 ? s1 : s2));
    const double m1 = (double)s1 / twice_max;
    const double m2 = (double)s2 / twice_max;
    const double mo = twice_max / (double)((float)(1 << c->left_shift) * out->q.scale[0]);
    int sh;
    zm_quantize_multiplier(m1, &c->in1_m0, &sh);
    c->in1_shift = sh;
    zm_quantize_multiplier(m2, &c->in2_m0, &sh);
    c->in2_shift = sh;
    zm_quantize_multiplier(mo, &c->out_m0, &sh);
    c->out_shift = sh;
    if (c->in1_shift > 0 || c->in2_shift > 0 || c->out_shift > 0)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "rescale factors must be below 1 (output scale too small for the "
                           "inputs' scales)");
    return (k->run = run_add), ZA_OK;
}

static void run_requantize(const zm_kernel *k, const void *const *in, void *out)
{
    const zm_quantize_params *c = &k->p.quant;
    int in_u8 = c->in_type == ZM_UINT8, out_u8 = c->out_type == ZM_UINT8;
    int32_t lo = out_u8 ? 0 : -128, hi = out_u8 ? 255 : 127;
    for (int64_t i = 0; i < c->n; i++) {
        int32_t x = load8(in[0], i, in_u8) - c->in_zp;
        int32_t y = zm_mbqm_double(x, c->m0, c->shift);
        zm_store8(out, i, zm_clamp_i32((int64_t)y + c->out_zp, lo, hi), out_u8);
    }
}

static void run_dequantize(const zm_kernel *k, const void *const *in, void *out)
{
    const zm_quantize_params *c = &k->p.quant;
    float *o = out;
    for (int64_t i = 0; i < c->n; i++)
        o[i] = (float)((double)c->in_scale *
                       (double)(load8(in[0], i, c->in_type == ZM_UINT8) - c->in_zp));
}

za_status zm_prepare_quantize(const zm_prep *p, zm_kernel *k)
{
    zm_quantize_params *c = &k->p.quant;
    za_status st = zm_check_inputs(p, 1, 1);
    if (st)
        return st;
    const zm_tensor *in = zm_input(p, 0), *out = zm_output(p);
    if (in->n_elems != out->n_elems)
        return zm_op_error(p, ZA_ERR_MALFORMED, "input has %lld elements, output %lld",
                           (long long)in->n_elems, (long long)out->n_elems);
    c->n = in->n_elems;
    c->in_type = in->type;
    c->out_type = out->type;
    if ((st = zm_check_quant8(p, in, "input")))
        return st;
    c->in_zp = (int32_t)in->q.zero_point[0];
    c->in_scale = in->q.scale[0];
    if (p->op->opcode == ZM_OP_DEQUANTIZE) {
        if (out->type != ZM_FLOAT32)
            return zm_op_error(p, ZA_ERR_UNSUPPORTED, "output type %s; only float32 is supported",
                               zm_dtype_name(out->type));
        return (k->run = run_dequantize), ZA_OK;
    }
    if ((st = zm_check_quant8(p, out, "output")))
        return st;
    c->out_zp = (int32_t)out->q.zero_point[0];
    c->out_scale = out->q.scale[0];
    int sh;
    zm_quantize_multiplier((double)in->q.scale[0] / (double)out->q.scale[0], &c->m0, &sh);
    c->shift = sh;
    return (k->run = run_requantize), ZA_OK;
}
