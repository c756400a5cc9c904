/* model/engine.c - prepares kernels for a model and runs them in order. */
#include "model/engine.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/kernels.h"

#define ARENA_ALIGN 64

struct zm_engine {
    const zm_model *m;
    zm_rounding rounding;
    zm_kernel *kernels;      /* one per op */
    uint8_t *arena;
    int64_t *offset;         /* per tensor: arena offset, or -1 */
    uint8_t **ptr;           /* per tensor: current storage */
    const void **in_scratch; /* op inputs for one call */
    zm_engine_stats stats;
};

const char *zm_rounding_name(zm_rounding r)
{
    return r == ZM_ROUNDING_REFERENCE ? "reference" : "tflite";
}

int zm_rounding_parse(const char *s, zm_rounding *out)
{
    if (strcmp(s, "tflite") == 0)
        *out = ZM_ROUNDING_TFLITE;
    else if (strcmp(s, "reference") == 0)
        *out = ZM_ROUNDING_REFERENCE;
    else
        return 0;
    return 1;
}

za_status zm_op_error(const zm_prep *p, za_status code, const char *fmt, ...)
{
    char msg[ZA_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return za_error_set(p->err, code, "%s: operator %d (%s): %s", p->m->path, p->op_index,
                        zm_op_name(p->op->opcode), msg);
}

/* TFLite: quantize(f) = zero_point + (int32)round(f / scale), in float.  The
 * runtime's conversion is undefined when f / scale leaves the int32 range (a
 * hostile, tiny output scale); saturate instead, which agrees with it
 * wherever it is defined, since the result is clamped to [qmin, qmax]. */
static int32_t act_quantize(float f, float scale, int32_t zp)
{
    float q = roundf(f / scale);
    int64_t v = q >= 2147483648.0f ? INT32_MAX : q <= -2147483648.0f ? INT32_MIN : (int64_t)q;
    v += zp;
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

za_status zm_activation_range(const zm_prep *p, zm_activation act, const zm_tensor *out,
                              int32_t *lo, int32_t *hi)
{
    int32_t qmin = out->type == ZM_UINT8 ? 0 : -128;
    int32_t qmax = out->type == ZM_UINT8 ? 255 : 127;
    float scale = out->q.scale[0];
    int32_t zp = (int32_t)out->q.zero_point[0];
#define QF(f) act_quantize((f), scale, zp)
    switch (act) {
    case ZM_ACT_NONE:
        *lo = qmin;
        *hi = qmax;
        break;
    case ZM_ACT_RELU:
        *lo = qmin > QF(0.0f) ? qmin : QF(0.0f);
        *hi = qmax;
        break;
    case ZM_ACT_RELU6:
        *lo = qmin > QF(0.0f) ? qmin : QF(0.0f);
        *hi = qmax < QF(6.0f) ? qmax : QF(6.0f);
        break;
    case ZM_ACT_RELU_N1_TO_1:
        *lo = qmin > QF(-1.0f) ? qmin : QF(-1.0f);
        *hi = qmax < QF(1.0f) ? qmax : QF(1.0f);
        break;
    default:
        return zm_op_error(p, ZA_ERR_UNSUPPORTED,
                           "fused activation %s is not supported on quantized outputs",
                           zm_activation_name(act));
    }
#undef QF
    return ZA_OK;
}

int zm_out_size(zm_padding pad, int in, int filter, int stride, int dilation)
{
    int64_t eff = (int64_t)(filter - 1) * dilation + 1;
    if (stride <= 0)
        return -1;
    if (pad == ZM_PAD_SAME)
        return (int)(((int64_t)in + stride - 1) / stride);
    int64_t o = ((int64_t)in + stride - eff) / stride;
    return o < 0 ? -1 : (int)o;
}

int zm_pad_before(int stride, int dilation, int in, int filter, int out)
{
    int64_t eff = (int64_t)(filter - 1) * dilation + 1;
    int64_t pad = ((int64_t)(out - 1) * stride + eff - in) / 2;
    return pad > 0 ? (int)pad : 0;
}

void zm_kernel_release(zm_kernel *k)
{
    if (!k->op)
        return;
    switch (k->op->opcode) {
    case ZM_OP_CONV_2D:
    case ZM_OP_DEPTHWISE_CONV_2D:
    case ZM_OP_FULLY_CONNECTED:
        free(k->p.conv.w);
        free(k->p.conv.bias);
        free(k->p.conv.rq);
        free(k->p.conv.scratch);
        free(k->p.conv.acc);
        break;
    case ZM_OP_MEAN:
        free(k->p.mean.acc);
        break;
    case ZM_OP_CONCATENATION:
        free(k->p.shape.axis_len);
        break;
    default:
        break;
    }
}

void zm_engine_free(zm_engine *e)
{
    if (!e)
        return;
    if (e->kernels)
        for (int i = 0; i < e->m->n_ops; i++)
            zm_kernel_release(&e->kernels[i]);
    free(e->kernels);
    free(e->arena);
    free(e->offset);
    free(e->ptr);
    free(e->in_scratch);
    free(e);
}

static za_status prepare_op(const zm_prep *p, zm_kernel *k)
{
    k->op = p->op;
    switch (p->op->opcode) {
    case ZM_OP_CONV_2D: return zm_prepare_conv(p, k);
    case ZM_OP_DEPTHWISE_CONV_2D: return zm_prepare_depthwise(p, k);
    case ZM_OP_FULLY_CONNECTED: return zm_prepare_fc(p, k);
    case ZM_OP_AVERAGE_POOL_2D:
    case ZM_OP_MAX_POOL_2D: return zm_prepare_pool(p, k);
    case ZM_OP_MEAN: return zm_prepare_mean(p, k);
    case ZM_OP_ADD: return zm_prepare_add(p, k);
    case ZM_OP_QUANTIZE:
    case ZM_OP_DEQUANTIZE: return zm_prepare_quantize(p, k);
    case ZM_OP_SOFTMAX: return zm_prepare_softmax(p, k);
    case ZM_OP_PAD:
    case ZM_OP_RESHAPE:
    case ZM_OP_TRANSPOSE:
    case ZM_OP_CONCATENATION: return zm_prepare_shape(p, k);
    default:
        return zm_op_error(p, ZA_ERR_UNSUPPORTED, "op is not supported; supported ops: %s",
                           zm_supported_ops_list());
    }
}

/* Every op input must be a constant, a graph input, or the output of an
 * earlier op; every op output must be written once and not be constant.
 * This rules out reading uninitialised arena memory on a malformed graph. */
static za_status check_dataflow(const zm_model *m, za_error *err)
{
    za_status st = ZA_OK;
    uint8_t *ready = calloc((size_t)m->n_tensors + 1, 1);
    if (!ready)
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    for (int i = 0; i < m->n_tensors; i++)
        if (m->tensors[i].data)
            ready[i] = 2;
    for (int i = 0; i < m->n_inputs; i++) {
        if (ready[m->inputs[i]] == 2) {
            st = za_error_set(err, ZA_ERR_MALFORMED, "%s: graph input %d (tensor %d) is a constant",
                              m->path, i, m->inputs[i]);
            goto out;
        }
        ready[m->inputs[i]] = 1;
    }
    for (int o = 0; o < m->n_ops; o++) {
        const zm_op *op = &m->ops[o];
        for (int j = 0; j < op->n_inputs; j++) {
            int t = op->inputs[j];
            if (t >= 0 && !ready[t]) {
                st = za_error_set(err, ZA_ERR_MALFORMED,
                                  "%s: operator %d (%s) reads tensor %d (\"%s\") before any "
                                  "operator writes it", m->path, o, zm_op_name(op->opcode), t,
                                  m->tensors[t].name);
                goto out;
            }
        }
        for (int j = 0; j < op->n_outputs; j++) {
            int t = op->outputs[j];
            if (ready[t]) {
                st = za_error_set(err, ZA_ERR_MALFORMED,
                                  "%s: operator %d (%s) writes tensor %d (\"%s\"), which is "
                                  "already a constant, an input or another op's output",
                                  m->path, o, zm_op_name(op->opcode), t, m->tensors[t].name);
                goto out;
            }
            ready[t] = 1;
        }
    }
    for (int i = 0; i < m->n_outputs; i++)
        if (!ready[m->outputs[i]]) {
            st = za_error_set(err, ZA_ERR_MALFORMED,
                              "%s: graph output %d (tensor %d) is never written", m->path, i,
                              m->outputs[i]);
            goto out;
        }
out:
    free(ready);
    return st;
}

za_status zm_engine_create(const zm_model *m, zm_rounding rounding, zm_engine **out,
                           za_error *err)
{
    *out = NULL;
    za_error_clear(err);
    za_status st = check_dataflow(m, err);
    if (st != ZA_OK)
        return st;
    zm_engine *e = calloc(1, sizeof *e);
    if (!e)
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    e->m = m;
    e->rounding = rounding;
    e->kernels = calloc((size_t)m->n_ops + 1, sizeof *e->kernels);
    e->offset = calloc((size_t)m->n_tensors + 1, sizeof *e->offset);
    e->ptr = calloc((size_t)m->n_tensors + 1, sizeof *e->ptr);
    e->in_scratch = calloc(ZA_MAX_OP_IO + 1, sizeof *e->in_scratch);
    if (!e->kernels || !e->offset || !e->ptr || !e->in_scratch) {
        zm_engine_free(e);
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < m->n_ops; i++) {
        zm_prep p = { m, &m->ops[i], i, rounding, err };
        if (m->ops[i].n_outputs != 1) {
            st = zm_op_error(&p, ZA_ERR_UNSUPPORTED, "has %d outputs; every supported op has 1",
                             m->ops[i].n_outputs);
            zm_engine_free(e);
            return st;
        }
        st = prepare_op(&p, &e->kernels[i]);
        if (st != ZA_OK) {
            zm_engine_free(e);
            return st;
        }
        e->stats.macs += e->kernels[i].macs;
    }
    /* arena: every non-constant tensor gets its own 64-byte aligned slot, so
     * that every intermediate stays readable after a run */
    int64_t total = 0;
    for (int i = 0; i < m->n_tensors; i++) {
        const zm_tensor *t = &m->tensors[i];
        if (t->data) {
            e->offset[i] = -1;
            e->stats.params += (uint64_t)t->n_elems;
            continue;
        }
        e->offset[i] = total;
        total += (t->n_bytes + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
        if (total > ZA_MAX_ARENA_BYTES) {
            zm_engine_free(e);
            return za_error_set(err, ZA_ERR_LIMIT,
                                "%s: activations need more than %lld bytes", m->path,
                                (long long)ZA_MAX_ARENA_BYTES);
        }
    }
    e->arena = aligned_alloc(ARENA_ALIGN, total ? (size_t)total : ARENA_ALIGN);
    if (!e->arena) {
        zm_engine_free(e);
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory for %lld bytes of activations",
                            (long long)total);
    }
    memset(e->arena, 0, total ? (size_t)total : ARENA_ALIGN);
    e->stats.arena_bytes = (uint64_t)total;
    for (int i = 0; i < m->n_tensors; i++)
        e->ptr[i] = e->offset[i] < 0 ? (uint8_t *)(uintptr_t)m->tensors[i].data
                                     : e->arena + e->offset[i];
    *out = e;
    return ZA_OK;
}

za_status zm_engine_set_input(zm_engine *e, int k, const void *data, size_t len, za_error *err)
{
    if (k < 0 || k >= e->m->n_inputs)
        return za_error_set(err, ZA_ERR_ARG, "%s: the model has %d inputs, no input %d",
                            e->m->path, e->m->n_inputs, k);
    const zm_tensor *t = &e->m->tensors[e->m->inputs[k]];
    if ((int64_t)len != t->n_bytes)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "input %d (\"%s\") needs %lld bytes (%s %lld elements), got %zu",
                            k, t->name, (long long)t->n_bytes, zm_dtype_name(t->type),
                            (long long)t->n_elems, len);
    memcpy(e->ptr[e->m->inputs[k]], data, len);
    return ZA_OK;
}

static void run_one(zm_engine *e, int i)
{
    const zm_kernel *k = &e->kernels[i];
    for (int j = 0; j < k->op->n_inputs; j++)
        e->in_scratch[j] = k->op->inputs[j] >= 0 ? e->ptr[k->op->inputs[j]] : NULL;
    k->run(k, e->in_scratch, e->ptr[k->op->outputs[0]]);
}

za_status zm_engine_run(zm_engine *e, za_error *err)
{
    (void)err;
    for (int i = 0; i < e->m->n_ops; i++)
        run_one(e, i);
    return ZA_OK;
}

za_status zm_engine_run_op(zm_engine *e, int i, za_error *err)
{
    if (i < 0 || i >= e->m->n_ops)
        return za_error_set(err, ZA_ERR_ARG, "operator %d out of range (%d operators)", i,
                            e->m->n_ops);
    run_one(e, i);
    return ZA_OK;
}

void *zm_engine_tensor_mut(zm_engine *e, int i)
{
    if (i < 0 || i >= e->m->n_tensors || e->offset[i] < 0)
        return NULL;
    return e->ptr[i];
}

const void *zm_engine_tensor(const zm_engine *e, int i)
{
    if (i < 0 || i >= e->m->n_tensors)
        return NULL;
    return e->ptr[i];
}

const void *zm_engine_output(const zm_engine *e, int k)
{
    if (k < 0 || k >= e->m->n_outputs)
        return NULL;
    return e->ptr[e->m->outputs[k]];
}

const struct zm_kernel *zm_engine_kernel(const zm_engine *e, int i)
{
    return (i >= 0 && i < e->m->n_ops) ? &e->kernels[i] : NULL;
}

void zm_engine_get_stats(const zm_engine *e, zm_engine_stats *s)
{
    *s = e->stats;
}

int64_t zm_argmax(const zm_tensor *t, const void *data)
{
    if (!data || t->n_elems <= 0)
        return -1;
    int64_t best = 0;
    switch (t->type) {
    case ZM_INT8: {
        const int8_t *v = data;
        for (int64_t i = 1; i < t->n_elems; i++)
            if (v[i] > v[best])
                best = i;
        return best;
    }
    case ZM_UINT8: {
        const uint8_t *v = data;
        for (int64_t i = 1; i < t->n_elems; i++)
            if (v[i] > v[best])
                best = i;
        return best;
    }
    case ZM_INT32: {
        const int32_t *v = data;
        for (int64_t i = 1; i < t->n_elems; i++)
            if (v[i] > v[best])
                best = i;
        return best;
    }
    case ZM_FLOAT32: {
        const float *v = data;
        for (int64_t i = 1; i < t->n_elems; i++)
            if (v[i] > v[best])
                best = i;
        return best;
    }
    default:
        return -1;
    }
}
