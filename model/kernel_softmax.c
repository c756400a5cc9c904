/* model/kernel_softmax.c - SOFTMAX (int8/uint8 -> same type), as the TFLite
 * runtime computes it on a CPU without NEON: a 256-entry float table
 * table[255 - d] = expf(-input_scale * beta * d) indexed by the distance d
 * from the row's maximum, a float sum, and each probability
 * table[...] / (sum * output_scale) rounded to the output type.
 *
 * The float operations run in the same order and precision as there (the
 * build uses -ffp-contract=off so no fused multiply-add changes a
 * rounding); expf is glibc's, whose results match the musl expf the
 * runtime's WebAssembly build uses (both are the correctly rounded-in-
 * practice ARM optimized-routines code) - the golden outputs check this.
 */
#include <math.h>

#include "model/weights.h"

static void run_softmax(const zm_kernel *k, const void *const *in, void *out)
{
    const zm_softmax_params *c = &k->p.softmax;
    const int u8 = c->is_uint8;
    int32_t lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
    for (int64_t r = 0; r < c->outer; r++) {
        int64_t base = r * c->depth;
        int32_t maxv = u8 ? 0 : -128;
        for (int64_t j = 0; j < c->depth; j++) {
            int32_t v = u8 ? ((const uint8_t *)in[0])[base + j] : ((const int8_t *)in[0])[base + j];
            if (v > maxv)
                maxv = v;
        }
        /* table_offset = &table[255 - max]; element x reads table_offset[x]
         * (for int8 the runtime indexes with the signed value, i.e. the
         * same distance max - x) */
        float sum = 0.0f;
        for (int64_t j = 0; j < c->depth; j++) {
            int32_t v = u8 ? ((const uint8_t *)in[0])[base + j] : ((const int8_t *)in[0])[base + j];
            sum += c->table[255 - maxv + v];
        }
        const float inv = 1.0f / (sum * c->out_scale);
        for (int64_t j = 0; j < c->depth; j++) {
            int32_t v = u8 ? ((const uint8_t *)in[0])[base + j] : ((const int8_t *)in[0])[base + j];
            float prob = c->table[255 - maxv + v] * inv;
            /* QuantizeSoftmaxOutput: int8 rounds half away from zero and adds
             * the zero point; uint8 adds 0.5f, truncates, and ignores it */
            int32_t q = u8 ? (int32_t)(prob + 0.5f) : (int32_t)roundf(prob) + c->out_zp;
            zm_store8(out, base + j, zm_clamp_i32(q, lo, hi), u8);
        }
    }
}

za_status zm_prepare_softmax(const zm_prep *p, zm_kernel *k)
{
    zm_softmax_params *c = &k->p.softmax;
    za_status st = zm_check_inputs(p, 1, 1);
    if (st)
        return st;
    const zm_tensor *in = zm_input(p, 0), *out = zm_output(p);
    if ((st = zm_check_quant8(p, in, "input")) || (st = zm_check_quant8(p, out, "output")))
        return st;
    if (in->type != out->type || !zm_same_shape(in, out) || in->rank < 1)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "input and output must have the same type and shape (rank >= 1)");
    /* the runtime's Prepare: an int8 output must have zero point -128 and
     * a scale within 0.1% of 1/256 (checked in float); uint8 is unchecked */
    if (in->type == ZM_INT8 &&
        (out->q.zero_point[0] != -128 ||
         fabsf(out->q.scale[0] - 1.0f / 256) > 0.001f * 1.0f / 256))
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "int8 output quantization must be scale 1/256 (within 0.1%%) and zero "
                           "point -128 (found %g, %lld)", (double)out->q.scale[0],
                           (long long)out->q.zero_point[0]);
    /* Each probability is table[j] / (sum * output_scale) with sum >= table[j]
     * (entries are >= 0), so it is at most 1 / output_scale as long as the
     * table and the row sums are finite (the row maximum contributes
     * expf(0) = 1, so sum >= 1).  Bounding 1 / output_scale keeps the float
     * -> int32 conversions in run_softmax defined; a NaN, huge or very
     * negative beta, or a tiny uint8 output scale, would make them overflow. */
    if (!(out->q.scale[0] >= 1.0f / (float)(1 << 30)))
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "output scale %g is below 2^-30",
                           (double)out->q.scale[0]);
    c->depth = in->shape[in->rank - 1];
    c->outer = c->depth ? in->n_elems / c->depth : 0;
    c->is_uint8 = in->type == ZM_UINT8;
    c->out_scale = out->q.scale[0];
    c->out_zp = (int32_t)out->q.zero_point[0];
    const float scale = -in->q.scale[0] * p->op->opt.softmax.beta;
    double table_max = 0;
    for (int d = 0; d <= 255; d++) {
        c->table[255 - d] = expf(scale * (float)d);
        if (!isfinite(c->table[255 - d]) || !isfinite(scale))
            table_max = INFINITY;
        else if (c->table[255 - d] > table_max)
            table_max = c->table[255 - d];
    }
    if (!(table_max * (double)c->depth < 1e37))
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "beta %g with input scale %g overflows the exponential table "
                           "(row sums would not be finite)", (double)p->op->opt.softmax.beta,
                           (double)in->q.scale[0]);
    return (k->run = run_softmax), ZA_OK;
}
