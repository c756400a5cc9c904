/* model/kernel_shape.c - data movement: RESHAPE, TRANSPOSE, PAD,
 * CONCATENATION.  No arithmetic: values are copied, and PAD writes the
 * quantized zero (the output zero point).  All three require the output to
 * have the input's type, scale and zero point, as the runtime does for
 * 8-bit tensors (TFLite's requantizing concatenation is not supported).
 */
#include <stdlib.h>
#include <string.h>

#include "model/weights.h"

static void run_reshape(const zm_kernel *k, const void *const *in, void *out)
{
    const zm_shape_params *c = &k->p.shape;
    memcpy(out, in[0], (size_t)(c->inner * c->elem_size));
}

/* Generic N-d copy: output index -> input index through perm/pad. */
static void run_transpose(const zm_kernel *k, const void *const *in, void *out)
{
    const zm_shape_params *c = &k->p.shape;
    int64_t istride[ZA_MAX_RANK], s = 1;
    for (int d = c->rank - 1; d >= 0; d--) {
        istride[d] = s;
        s *= c->ishape[d];
    }
    int64_t step[ZA_MAX_RANK]; /* input stride moved by output axis d */
    for (int d = 0; d < c->rank; d++)
        step[d] = istride[c->perm[d]];
    int32_t idx[ZA_MAX_RANK] = { 0 };
    int64_t n = c->inner, src = 0;
    const uint8_t *x = in[0];
    uint8_t *y = out;
    for (int64_t i = 0; i < n; i++) {
        memcpy(y + i * c->elem_size, x + src * c->elem_size, (size_t)c->elem_size);
        for (int d = c->rank - 1; d >= 0; d--) {
            idx[d]++;
            src += step[d];
            if (idx[d] < c->oshape[d])
                break;
            src -= step[d] * c->oshape[d];
            idx[d] = 0;
        }
    }
}

static void run_pad(const zm_kernel *k, const void *const *in, void *out)
{
    const zm_shape_params *c = &k->p.shape;
    int64_t ostride[ZA_MAX_RANK], s = 1;
    for (int d = c->rank - 1; d >= 0; d--) {
        ostride[d] = s;
        s *= c->oshape[d];
    }
    memset(out, c->pad_value, (size_t)(s * c->elem_size));
    /* copy the input rows (innermost dimension) into place */
    int last = c->rank - 1;
    int64_t row = c->rank ? c->ishape[last] : 1, rows = c->rank ? 0 : 1;
    int64_t total = 1;
    for (int d = 0; d < c->rank; d++)
        total *= c->ishape[d];
    rows = row ? total / row : 0;
    const uint8_t *x = in[0];
    uint8_t *y = out;
    for (int64_t r = 0; r < rows; r++) {
        int64_t rem = r, dst = 0;
        for (int d = last - 1; d >= 0; d--) {
            int64_t i = rem % c->ishape[d];
            rem /= c->ishape[d];
            dst += (i + c->pad_before[d]) * ostride[d];
        }
        if (c->rank)
            dst += c->pad_before[last];
        memcpy(y + dst * c->elem_size, x + r * row * c->elem_size, (size_t)(row * c->elem_size));
    }
}

static void run_concat(const zm_kernel *k, const void *const *in, void *out)
{
    const zm_shape_params *c = &k->p.shape;
    uint8_t *y = out;
    for (int64_t o = 0; o < c->outer; o++)
        for (int j = 0; j < c->n_inputs; j++) {
            int64_t n = c->axis_len[j] * c->elem_size;
            memcpy(y, (const uint8_t *)in[j] + o * n, (size_t)n);
            y += n;
        }
}

static int same_quant(const zm_tensor *a, const zm_tensor *b)
{
    if (a->type != b->type || a->q.n != b->q.n)
        return 0;
    for (int i = 0; i < a->q.n; i++)
        if (a->q.scale[i] != b->q.scale[i] || a->q.zero_point[i] != b->q.zero_point[i])
            return 0;
    return 1;
}

/* Read a small constant int32/int64 tensor of exactly n values. */
static za_status read_const_ints(const zm_prep *p, const zm_tensor *t, int64_t n, int64_t *v,
                                 const char *what)
{
    if (!t || !t->data)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "%s must be a constant tensor", what);
    if ((t->type != ZM_INT32 && t->type != ZM_INT64) || t->n_elems != n)
        return zm_op_error(p, ZA_ERR_MALFORMED, "%s must hold %lld int32/int64 values", what,
                           (long long)n);
    for (int64_t i = 0; i < n; i++) {
        if (t->type == ZM_INT32) {
            int32_t x;
            memcpy(&x, t->data + 4 * i, 4);
            v[i] = x;
        } else {
            memcpy(&v[i], t->data + 8 * i, 8);
        }
    }
    return ZA_OK;
}

za_status zm_prepare_shape(const zm_prep *p, zm_kernel *k)
{
    zm_shape_params *c = &k->p.shape;
    const zm_tensor *in = zm_input(p, 0), *out = zm_output(p);
    za_status st;
    int opc = p->op->opcode;
    if (opc == ZM_OP_CONCATENATION) {
        if ((st = zm_check_inputs(p, 1, ZA_MAX_OP_IO)))
            return st;
    } else if ((st = zm_check_inputs(p, 1, 2))) {
        return st;
    }
    c->elem_size = zm_dtype_size(out->type);
    if (c->elem_size == 0)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "type %s", zm_dtype_name(out->type));
    if (!same_quant(in, out))
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "input \"%s\" and output \"%s\" must share type, scale and zero point",
                           in->name, out->name);
    c->rank = in->rank;
    for (int d = 0; d < in->rank; d++) {
        c->ishape[d] = in->shape[d];
        c->perm[d] = d;
    }
    for (int d = 0; d < out->rank; d++)
        c->oshape[d] = out->shape[d];

    if (opc == ZM_OP_RESHAPE) {
        if (in->n_elems != out->n_elems)
            return zm_op_error(p, ZA_ERR_MALFORMED, "reshape from %lld to %lld elements",
                               (long long)in->n_elems, (long long)out->n_elems);
        c->inner = in->n_elems;
        return (k->run = run_reshape), ZA_OK;
    }
    /* the runtime's TRANSPOSE and PAD handle at most 5 dimensions */
    if ((opc == ZM_OP_TRANSPOSE || opc == ZM_OP_PAD) && in->rank > 5)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "rank %d; the TFLite runtime supports rank 5 at most", in->rank);
    if (opc == ZM_OP_TRANSPOSE) {
        int64_t perm[ZA_MAX_RANK];
        int seen[ZA_MAX_RANK] = { 0 };
        if ((st = read_const_ints(p, zm_input(p, 1), in->rank, perm, "permutation")))
            return st;
        if (out->rank != in->rank)
            return zm_op_error(p, ZA_ERR_MALFORMED, "output rank differs from input rank");
        for (int d = 0; d < in->rank; d++) {
            if (perm[d] < 0 || perm[d] >= in->rank || seen[perm[d]]++)
                return zm_op_error(p, ZA_ERR_MALFORMED, "permutation is not a permutation");
            c->perm[d] = (int)perm[d];
            if (out->shape[d] != in->shape[perm[d]])
                return zm_op_error(p, ZA_ERR_MALFORMED, "output dimension %d is %d, expected %d",
                                   d, out->shape[d], in->shape[perm[d]]);
        }
        c->inner = out->n_elems;
        return (k->run = run_transpose), ZA_OK;
    }
    if (opc == ZM_OP_PAD) {
        int64_t pads[2 * ZA_MAX_RANK];
        if ((st = read_const_ints(p, zm_input(p, 1), 2 * (int64_t)in->rank, pads, "paddings")))
            return st;
        if (out->rank != in->rank)
            return zm_op_error(p, ZA_ERR_MALFORMED, "output rank differs from input rank");
        for (int d = 0; d < in->rank; d++) {
            /* bounding each pad first keeps the sum from overflowing int64 */
            if (pads[2 * d] < 0 || pads[2 * d + 1] < 0 || pads[2 * d] > out->shape[d] ||
                pads[2 * d + 1] > out->shape[d] ||
                pads[2 * d] + pads[2 * d + 1] + in->shape[d] != out->shape[d])
                return zm_op_error(p, ZA_ERR_MALFORMED,
                                   "paddings (%lld, %lld) on dimension %d do not give size %d",
                                   (long long)pads[2 * d], (long long)pads[2 * d + 1], d,
                                   out->shape[d]);
            c->pad_before[d] = (int32_t)pads[2 * d];
        }
        if (out->q.n > 0) {
            if (c->elem_size != 1)
                return zm_op_error(p, ZA_ERR_UNSUPPORTED, "quantized PAD must be 8-bit");
            c->pad_value = (uint8_t)(int8_t)out->q.zero_point[0];
        } else {
            c->pad_value = 0;
        }
        return (k->run = run_pad), ZA_OK;
    }
    /* CONCATENATION */
    int axis = p->op->opt.concat.axis;
    if (axis < 0)
        axis += out->rank;
    if (axis < 0 || axis >= out->rank)
        return zm_op_error(p, ZA_ERR_MALFORMED, "axis %d out of range for rank %d",
                           p->op->opt.concat.axis, out->rank);
    if (p->op->opt.concat.activation != ZM_ACT_NONE)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "fused activation on CONCATENATION");
    c->n_inputs = p->op->n_inputs;
    c->axis_len = calloc((size_t)c->n_inputs, sizeof *c->axis_len);
    if (!c->axis_len)
        return zm_op_error(p, ZA_ERR_NOMEM, "out of memory");
    int64_t inner = 1, outer = 1, sum = 0;
    for (int d = axis + 1; d < out->rank; d++)
        inner *= out->shape[d];
    for (int d = 0; d < axis; d++)
        outer *= out->shape[d];
    for (int j = 0; j < c->n_inputs; j++) {
        const zm_tensor *t = zm_input(p, j);
        if (!t || !same_quant(t, out) || t->rank != out->rank)
            return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                               "input %d must exist and share the output's rank, type, scale "
                               "and zero point", j);
        for (int d = 0; d < out->rank; d++)
            if (d != axis && t->shape[d] != out->shape[d])
                return zm_op_error(p, ZA_ERR_MALFORMED, "input %d dimension %d is %d, expected %d",
                                   j, d, t->shape[d], out->shape[d]);
        c->axis_len[j] = (int64_t)t->shape[axis] * inner;
        sum += t->shape[axis];
    }
    if (sum != out->shape[axis])
        return zm_op_error(p, ZA_ERR_MALFORMED, "inputs add up to %lld along axis %d, output has %d",
                           (long long)sum, axis, out->shape[axis]);
    c->outer = outer;
    c->inner = inner;
    return (k->run = run_concat), ZA_OK;
}
