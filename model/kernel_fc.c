/* model/kernel_fc.c - FULLY_CONNECTED (int8/uint8).
 *
 * weights [OC, K]; the input is read as [batches, K] with batches = its
 * element count / K (TFLite flattens every leading dimension); the output
 * holds batches x OC values ([batches, OC], or the input's leading
 * dimensions with keep_num_dims).  Requantization follows the rounding
 * profile for int8: single rounding in the TFLite runtime (ruy), double in
 * the reference profile; uint8 (gemmlowp in the runtime) always rounds twice.
 */
#include <stdlib.h>

#include "model/weights.h"

static void run_fc(const zm_kernel *k, const void *const *in, void *out)
{
    const zm_conv_params *c = &k->p.conv;
    const uint8_t *x = in[0];
    for (int64_t b = 0; b < c->batches; b++) {
        zm_widen_row(c->scratch, x + b * c->k, c->k, c->in_zp, c->in_is_uint8);
        for (int o = 0; o < c->oc; o++) {
            int32_t acc = c->bias[o] + zm_dot16(c->w + (int64_t)o * c->k, c->scratch, c->k);
            int32_t v = zm_requantize(acc, c->rq[o], c->single_rounding, c->out_zp, c->act_min,
                                      c->act_max);
            zm_store8(out, b * c->oc + o, v, c->out_is_uint8);
        }
    }
}

za_status zm_prepare_fc(const zm_prep *p, zm_kernel *k)
{
    zm_conv_params *c = &k->p.conv;
    za_status st = zm_check_inputs(p, 2, 3);
    if (st)
        return st;
    const zm_tensor *in = zm_input(p, 0), *w = zm_input(p, 1), *bias = zm_input(p, 2);
    const zm_tensor *out = zm_output(p);
    if (p->op->opt.fc.weights_format != 0)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "weights_format %d (shuffled) is not supported; only DEFAULT",
                           p->op->opt.fc.weights_format);
    if (w->rank != 2 || w->shape[1] == 0)
        return zm_op_error(p, ZA_ERR_MALFORMED, "weights \"%s\" must be 2-D [OC, K] with K > 0",
                           w->name);
    /* empty weights bound nothing: K (up to 2^31) would size the scratch row */
    if (w->n_elems == 0)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "weights \"%s\" have no elements", w->name);
    c->oc = w->shape[0];
    c->k = w->shape[1];
    if (in->n_elems % c->k != 0)
        return zm_op_error(p, ZA_ERR_MALFORMED,
                           "input has %lld elements, not a multiple of the weights' depth %lld",
                           (long long)in->n_elems, (long long)c->k);
    c->batches = in->n_elems / c->k;
    if (out->n_elems != c->batches * c->oc)
        return zm_op_error(p, ZA_ERR_MALFORMED,
                           "output has %lld elements, expected %lld batches x %d units",
                           (long long)out->n_elems, (long long)c->batches, c->oc);
    if ((st = zm_prepare_weights(p, c, in, w, bias, out, c->oc, c->k, 0, 1)))
        return st;
    if ((st = zm_activation_range(p, p->op->opt.fc.activation, out, &c->act_min, &c->act_max)))
        return st;
    /* ruy (int8) rounds once, gemmlowp (uint8) twice */
    c->single_rounding = p->rounding == ZM_ROUNDING_TFLITE && in->type == ZM_INT8;
    c->scratch = malloc(sizeof(int16_t) * (size_t)c->k + 1);
    if (!c->scratch)
        return zm_op_error(p, ZA_ERR_NOMEM, "out of memory");
    k->macs = (uint64_t)c->batches * (uint64_t)c->oc * (uint64_t)c->k;
    k->run = run_fc;
    return ZA_OK;
}
