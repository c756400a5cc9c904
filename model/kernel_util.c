/* model/kernel_util.c - checks shared by the kernels' prepare functions. */
#include <math.h>
#include <stdio.h>

#include "model/kernels.h"

const zm_tensor *zm_input(const zm_prep *p, int j)
{
    if (j < 0 || j >= p->op->n_inputs || p->op->inputs[j] < 0)
        return NULL;
    return &p->m->tensors[p->op->inputs[j]];
}

const zm_tensor *zm_output(const zm_prep *p)
{
    return &p->m->tensors[p->op->outputs[0]];
}

za_status zm_check_inputs(const zm_prep *p, int lo, int hi)
{
    int n = p->op->n_inputs;
    if (n < lo || n > hi)
        return zm_op_error(p, ZA_ERR_MALFORMED, "has %d inputs, expected %d to %d", n, lo, hi);
    for (int j = 0; j < lo; j++)
        if (p->op->inputs[j] < 0)
            return zm_op_error(p, ZA_ERR_MALFORMED, "required input %d is omitted", j);
    return ZA_OK;
}

const char *zm_shape_str(const zm_tensor *t, char *buf, size_t n)
{
    size_t used = 0;
    used += (size_t)snprintf(buf + used, n - used, "[");
    for (int d = 0; d < t->rank && used < n; d++)
        used += (size_t)snprintf(buf + used, n - used, d ? ",%d" : "%d", t->shape[d]);
    if (used < n)
        snprintf(buf + used, n - used, "]");
    return buf;
}

int zm_same_shape(const zm_tensor *a, const zm_tensor *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int d = 0; d < a->rank; d++)
        if (a->shape[d] != b->shape[d])
            return 0;
    return 1;
}

za_status zm_check_quant8(const zm_prep *p, const zm_tensor *t, const char *what)
{
    if (t->type != ZM_INT8 && t->type != ZM_UINT8)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "%s tensor \"%s\" has type %s; only int8 and uint8 are supported",
                           what, t->name, zm_dtype_name(t->type));
    if (t->q.n < 1)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "%s tensor \"%s\" is not quantized", what,
                           t->name);
    if (t->q.n != 1)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "%s tensor \"%s\" has %d per-channel scales; it must be per-tensor",
                           what, t->name, t->q.n);
    if (!(t->q.scale[0] > 0.0f) || !isfinite(t->q.scale[0]))
        return zm_op_error(p, ZA_ERR_MALFORMED, "%s tensor \"%s\" has scale %g; expected > 0",
                           what, t->name, (double)t->q.scale[0]);
    int64_t zp = t->q.zero_point[0];
    int64_t lo = t->type == ZM_UINT8 ? 0 : -128, hi = t->type == ZM_UINT8 ? 255 : 127;
    if (zp < lo || zp > hi)
        return zm_op_error(p, ZA_ERR_MALFORMED,
                           "%s tensor \"%s\" has zero point %lld outside [%lld, %lld]", what,
                           t->name, (long long)zp, (long long)lo, (long long)hi);
    return ZA_OK;
}

za_status zm_check_const(const zm_prep *p, const zm_tensor *t, zm_dtype type, const char *what)
{
    if (!t)
        return zm_op_error(p, ZA_ERR_MALFORMED, "%s is missing", what);
    if (!t->data)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "%s tensor \"%s\" must be a constant (stored in the model)", what,
                           t->name);
    if (t->type != type)
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "%s tensor \"%s\" has type %s, expected %s",
                           what, t->name, zm_dtype_name(t->type), zm_dtype_name(type));
    return ZA_OK;
}
