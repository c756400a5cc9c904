/* model/tflite_reader.c - .tflite FlatBuffer -> zm_model.
 *
 * Written from the field layout of tensorflow/lite/schema/schema.fbs (schema
 * version 3).  Field numbers used here:
 *   Model:      0 version, 1 operator_codes, 2 subgraphs, 3 description,
 *               4 buffers
 *   OperatorCode: 0 deprecated_builtin_code (i8), 1 custom_code, 2 version,
 *               3 builtin_code (i32); the code is the larger of 0 and 3
 *   SubGraph:   0 tensors, 1 inputs, 2 outputs, 3 operators, 4 name
 *   Tensor:     0 shape, 1 type (i8), 2 buffer, 3 name, 4 quantization,
 *               5 is_variable, 6 sparsity
 *   QuantizationParameters: 2 scale [f32], 3 zero_point [i64],
 *               4 details_type, 6 quantized_dimension
 *   Buffer:     0 data [u8], 1 offset (u64), 2 size (u64)
 *   Operator:   0 opcode_index, 1 inputs, 2 outputs, 3 builtin_options_type,
 *               4 builtin_options
 * Options tables are documented where they are parsed (read_options).
 */
#include "model/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/log.h"
#include "model/flatbuf.h"

/* BuiltinOptions union type tags (schema.fbs). */
enum {
    OPT_CONV2D = 1,
    OPT_DEPTHWISE_CONV2D = 2,
    OPT_POOL2D = 5,
    OPT_FULLY_CONNECTED = 8,
    OPT_SOFTMAX = 9,
    OPT_CONCATENATION = 10,
    OPT_ADD = 11,
    OPT_RESHAPE = 17,
    OPT_PAD = 22,
    OPT_TRANSPOSE = 26,
    OPT_REDUCER = 27
};

/* Name what is being read for error messages: "what N" or just "what". */
static void set_ctx(fb_reader *r, const char *what, int index)
{
    if (index >= 0)
        snprintf(r->ctx, sizeof r->ctx, "%s %d", what, index);
    else
        snprintf(r->ctx, sizeof r->ctx, "%s", what);
}

static char *dup_str(const uint8_t *s, uint32_t n)
{
    if (n > ZA_MAX_NAME_BYTES)
        n = ZA_MAX_NAME_BYTES;
    char *out = malloc((size_t)n + 1);
    if (!out)
        return NULL;
    /* keep names printable: a hostile name must not smuggle control bytes
     * into terminals or JSON */
    for (uint32_t i = 0; i < n; i++)
        out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
    out[n] = 0;
    return out;
}

void zm_model_free(zm_model *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n_tensors; i++) {
        free(m->tensors[i].name);
        free(m->tensors[i].q.scale);
        free(m->tensors[i].q.zero_point);
    }
    free(m->tensors);
    for (int i = 0; i < m->n_ops; i++) {
        free(m->ops[i].inputs);
        free(m->ops[i].outputs);
    }
    free(m->ops);
    free(m->inputs);
    free(m->outputs);
    free(m->description);
    free(m->path);
    free(m->file);
    free(m);
}

static za_status nomem(za_error *err)
{
    return za_error_set(err, ZA_ERR_NOMEM, "out of memory while reading model");
}

/* Read a vector of tensor indices (i32), each in [-1, n_tensors) (or
 * [0, n_tensors) when optional == 0). */
static int read_index_vec(fb_reader *r, const fb_table *t, int field,
                          int n_tensors, int optional, int32_t **out, int *n_out,
                          const char *what)
{
    fb_vec v;
    if (!fb_vector(r, t, field, 4, ZA_MAX_OP_IO, &v, what))
        return 0;
    *out = calloc(v.n ? v.n : 1, sizeof **out);
    if (!*out) {
        nomem(r->err);
        return 0;
    }
    *n_out = (int)v.n;
    for (uint32_t i = 0; i < v.n; i++) {
        int32_t x = fb_vec_i32(r, &v, i);
        if (x < (optional ? -1 : 0) || x >= n_tensors) {
            za_error_set(r->err, ZA_ERR_MALFORMED,
                         "%s: offset 0x%x (%s, %s[%u]): tensor index %d is out of range "
                         "(the subgraph has %d tensors)",
                         r->name, v.start + 4 * i, r->ctx, what, i, x, n_tensors);
            return 0;
        }
        (*out)[i] = x;
    }
    return 1;
}

static int read_quant(fb_reader *r, const fb_table *qt, zm_tensor *t)
{
    fb_vec sv, zv;
    uint8_t details_type;
    int32_t qdim;
    if (!fb_vector(r, qt, 2, 4, ZA_MAX_QUANT_CHANNELS, &sv, "quantization.scale") ||
        !fb_vector(r, qt, 3, 8, ZA_MAX_QUANT_CHANNELS, &zv, "quantization.zero_point") ||
        !fb_u8(r, qt, 4, 0, &details_type, "quantization.details_type") ||
        !fb_i32(r, qt, 6, 0, &qdim, "quantization.quantized_dimension"))
        return 0;
    if (details_type != 0) {
        za_error_set(r->err, ZA_ERR_UNSUPPORTED,
                     "%s: %s: custom quantization details (type %u) are not supported",
                     r->name, r->ctx, details_type);
        return 0;
    }
    if (sv.n == 0 && zv.n == 0)
        return 1; /* an empty quantization table: not quantized */
    if (zv.n != 0 && zv.n != sv.n) {
        za_error_set(r->err, ZA_ERR_MALFORMED,
                     "%s: %s: quantization has %u scales but %u zero points",
                     r->name, r->ctx, sv.n, zv.n);
        return 0;
    }
    if (sv.n > 1) {
        int64_t dim_len = (qdim >= 0 && qdim < t->rank) ? t->shape[qdim] : -1;
        if (dim_len < 0 && t->rank == 1 && (int64_t)sv.n == t->shape[0]) {
            /* person_detect's biases: quantized_dimension=3 on 1-D tensors.
             * The only axis a 1-D tensor has is 0, and the scales match it;
             * TFLite Micro ignores the field, so do we (no numeric change). */
            za_log_debug("%s: %s: quantized_dimension %d on a 1-D tensor read as 0",
                         r->name, r->ctx, qdim);
            qdim = 0;
            dim_len = t->shape[0];
        }
        if (dim_len != (int64_t)sv.n) {
            za_error_set(r->err, ZA_ERR_MALFORMED,
                         "%s: %s: %u per-channel scales along quantized_dimension %d, "
                         "but the tensor's shape gives %lld channels there",
                         r->name, r->ctx, sv.n, qdim, (long long)dim_len);
            return 0;
        }
    }
    t->q.n = (int)sv.n;
    t->q.quantized_dim = sv.n > 1 ? qdim : 0;
    t->q.scale = malloc(sizeof(float) * sv.n);
    t->q.zero_point = calloc(sv.n, sizeof(int64_t));
    if (!t->q.scale || !t->q.zero_point) {
        nomem(r->err);
        return 0;
    }
    for (uint32_t i = 0; i < sv.n; i++) {
        t->q.scale[i] = fb_vec_f32(r, &sv, i);
        if (zv.n)
            t->q.zero_point[i] = fb_vec_i64(r, &zv, i);
    }
    return 1;
}

static int read_tensor(fb_reader *r, const fb_table *tt, const fb_vec *buffers,
                       zm_tensor *t)
{
    fb_vec shape;
    uint8_t type, is_var;
    uint32_t buf_idx;
    const uint8_t *name;
    uint32_t name_len;
    fb_table qt, sparsity;
    if (!fb_vector(r, tt, 0, 4, ZA_MAX_RANK, &shape, "shape") ||
        !fb_u8(r, tt, 1, 0, &type, "type") ||
        !fb_u32(r, tt, 2, 0, &buf_idx, "buffer") ||
        !fb_string(r, tt, 3, &name, &name_len, "name") ||
        !fb_subtable(r, tt, 4, &qt, "quantization") ||
        !fb_u8(r, tt, 5, 0, &is_var, "is_variable") ||
        !fb_subtable(r, tt, 6, &sparsity, "sparsity"))
        return 0;
    t->name = dup_str(name ? name : (const uint8_t *)"", name_len);
    if (!t->name) {
        nomem(r->err);
        return 0;
    }
    if (sparsity.pos) {
        za_error_set(r->err, ZA_ERR_UNSUPPORTED, "%s: %s (\"%s\"): sparse tensors are not supported",
                     r->name, r->ctx, t->name);
        return 0;
    }
    t->type = (zm_dtype)type;
    t->is_variable = is_var != 0;
    t->rank = (int)shape.n;
    int64_t n = 1;
    for (int d = 0; d < t->rank; d++) {
        int32_t dim = fb_vec_i32(r, &shape, (uint32_t)d);
        if (dim < 0) {
            za_error_set(r->err, ZA_ERR_MALFORMED,
                         "%s: %s (\"%s\"): shape[%d] is %d; dimensions must be >= 0 "
                         "(dynamic shapes are not supported)",
                         r->name, r->ctx, t->name, d, dim);
            return 0;
        }
        t->shape[d] = dim;
        n *= dim;
        if (n > ZA_MAX_TENSOR_ELEMENTS) {
            za_error_set(r->err, ZA_ERR_LIMIT,
                         "%s: %s (\"%s\"): more than %lld elements",
                         r->name, r->ctx, t->name, (long long)ZA_MAX_TENSOR_ELEMENTS);
            return 0;
        }
    }
    t->n_elems = n;
    t->n_bytes = n * zm_dtype_size(type);
    if (qt.pos && !read_quant(r, &qt, t))
        return 0;

    if (buf_idx >= buffers->n) {
        za_error_set(r->err, ZA_ERR_MALFORMED,
                     "%s: %s (\"%s\"): buffer index %u is out of range (%u buffers)",
                     r->name, r->ctx, t->name, buf_idx, buffers->n);
        return 0;
    }
    fb_table bt;
    fb_vec data;
    uint64_t ext_off, ext_size;
    if (!fb_vec_table(r, buffers, buf_idx, &bt, "buffer") ||
        !fb_vector(r, &bt, 0, 1, UINT32_MAX, &data, "buffer.data") ||
        !fb_u64(r, &bt, 1, 0, &ext_off, "buffer.offset") ||
        !fb_u64(r, &bt, 2, 0, &ext_size, "buffer.size"))
        return 0;
    const uint8_t *bytes = NULL;
    uint64_t nbytes = 0;
    if (data.n) {
        bytes = r->buf + data.start;
        nbytes = data.n;
    } else if (ext_off > 1) {
        /* schema 3c: large constants stored after the FlatBuffer */
        if (ext_off > r->len || ext_size > r->len - ext_off) {
            za_error_set(r->err, ZA_ERR_MALFORMED,
                         "%s: %s (\"%s\"): external buffer [%llu, +%llu) lies outside "
                         "the file (%zu bytes)", r->name, r->ctx, t->name,
                         (unsigned long long)ext_off, (unsigned long long)ext_size, r->len);
            return 0;
        }
        bytes = r->buf + ext_off;
        nbytes = ext_size;
    }
    if (bytes) {
        if (zm_dtype_size(type) == 0 || (int64_t)nbytes != t->n_bytes) {
            za_error_set(r->err, ZA_ERR_MALFORMED,
                         "%s: %s (\"%s\"): constant buffer %u has %llu bytes, but a %s "
                         "tensor of %lld elements needs %lld",
                         r->name, r->ctx, t->name, buf_idx, (unsigned long long)nbytes,
                         zm_dtype_name(type), (long long)t->n_elems, (long long)t->n_bytes);
            return 0;
        }
        t->data = bytes;
    }
    return 1;
}

static int bad_options(fb_reader *r, const zm_op *op, int got, int want)
{
    za_error_set(r->err, ZA_ERR_MALFORMED,
                 "%s: %s (%s): builtin_options has union type %d, expected %d",
                 r->name, r->ctx, zm_op_name(op->opcode), got, want);
    return 0;
}

static int check_padding(fb_reader *r, uint8_t pad, const zm_op *op)
{
    if (pad > 1) {
        za_error_set(r->err, ZA_ERR_MALFORMED, "%s: %s (%s): padding %u is neither SAME (0) nor VALID (1)",
                     r->name, r->ctx, zm_op_name(op->opcode), pad);
        return 0;
    }
    return 1;
}

/* Parse the options table of a supported op.  An absent table means every
 * field takes its schema default. */
static int read_options(fb_reader *r, const fb_table *ot, int opt_type, zm_op *op)
{
    uint8_t u8a, u8b;
    int32_t a, b, c, d, e;
    switch (op->opcode) {
    case ZM_OP_CONV_2D:
        /* Conv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 activation,
         * 4 dilation_w_factor = 1, 5 dilation_h_factor = 1 */
        if (ot->pos && opt_type != OPT_CONV2D)
            return bad_options(r, op, opt_type, OPT_CONV2D);
        if (!fb_u8(r, ot, 0, 0, &u8a, "padding") || !fb_i32(r, ot, 1, 0, &a, "stride_w") ||
            !fb_i32(r, ot, 2, 0, &b, "stride_h") || !fb_u8(r, ot, 3, 0, &u8b, "activation") ||
            !fb_i32(r, ot, 4, 1, &c, "dilation_w") || !fb_i32(r, ot, 5, 1, &d, "dilation_h") ||
            !check_padding(r, u8a, op))
            return 0;
        op->opt.conv = (zm_conv_options){ (zm_padding)u8a, a, b, c, d, 1, (zm_activation)u8b };
        return 1;
    case ZM_OP_DEPTHWISE_CONV_2D:
        /* DepthwiseConv2DOptions: 0 padding, 1 stride_w, 2 stride_h,
         * 3 depth_multiplier, 4 activation, 5 dilation_w = 1, 6 dilation_h = 1 */
        if (ot->pos && opt_type != OPT_DEPTHWISE_CONV2D)
            return bad_options(r, op, opt_type, OPT_DEPTHWISE_CONV2D);
        if (!fb_u8(r, ot, 0, 0, &u8a, "padding") || !fb_i32(r, ot, 1, 0, &a, "stride_w") ||
            !fb_i32(r, ot, 2, 0, &b, "stride_h") || !fb_i32(r, ot, 3, 0, &e, "depth_multiplier") ||
            !fb_u8(r, ot, 4, 0, &u8b, "activation") || !fb_i32(r, ot, 5, 1, &c, "dilation_w") ||
            !fb_i32(r, ot, 6, 1, &d, "dilation_h") || !check_padding(r, u8a, op))
            return 0;
        op->opt.conv = (zm_conv_options){ (zm_padding)u8a, a, b, c, d, e, (zm_activation)u8b };
        return 1;
    case ZM_OP_AVERAGE_POOL_2D:
    case ZM_OP_MAX_POOL_2D:
        /* Pool2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 filter_width,
         * 4 filter_height, 5 activation */
        if (ot->pos && opt_type != OPT_POOL2D)
            return bad_options(r, op, opt_type, OPT_POOL2D);
        if (!fb_u8(r, ot, 0, 0, &u8a, "padding") || !fb_i32(r, ot, 1, 0, &a, "stride_w") ||
            !fb_i32(r, ot, 2, 0, &b, "stride_h") || !fb_i32(r, ot, 3, 0, &c, "filter_width") ||
            !fb_i32(r, ot, 4, 0, &d, "filter_height") ||
            !fb_u8(r, ot, 5, 0, &u8b, "activation") || !check_padding(r, u8a, op))
            return 0;
        op->opt.pool = (zm_pool_options){ (zm_padding)u8a, a, b, c, d, (zm_activation)u8b };
        return 1;
    case ZM_OP_FULLY_CONNECTED:
        /* FullyConnectedOptions: 0 activation, 1 weights_format,
         * 2 keep_num_dims, 3 asymmetric_quantize_inputs */
        if (ot->pos && opt_type != OPT_FULLY_CONNECTED)
            return bad_options(r, op, opt_type, OPT_FULLY_CONNECTED);
        if (!fb_u8(r, ot, 0, 0, &u8a, "activation") ||
            !fb_u8(r, ot, 1, 0, &u8b, "weights_format"))
            return 0;
        {
            uint8_t k;
            if (!fb_u8(r, ot, 2, 0, &k, "keep_num_dims"))
                return 0;
            op->opt.fc.keep_num_dims = k != 0;
        }
        op->opt.fc.activation = (zm_activation)u8a;
        op->opt.fc.weights_format = u8b;
        return 1;
    case ZM_OP_SOFTMAX: {
        /* SoftmaxOptions: 0 beta (f32, default 0) */
        float beta;
        if (ot->pos && opt_type != OPT_SOFTMAX)
            return bad_options(r, op, opt_type, OPT_SOFTMAX);
        if (!fb_f32(r, ot, 0, 0.0f, &beta, "beta"))
            return 0;
        op->opt.softmax.beta = beta;
        return 1;
    }
    case ZM_OP_CONCATENATION:
        /* ConcatenationOptions: 0 axis, 1 activation */
        if (ot->pos && opt_type != OPT_CONCATENATION)
            return bad_options(r, op, opt_type, OPT_CONCATENATION);
        if (!fb_i32(r, ot, 0, 0, &a, "axis") || !fb_u8(r, ot, 1, 0, &u8a, "activation"))
            return 0;
        op->opt.concat.axis = a;
        op->opt.concat.activation = (zm_activation)u8a;
        return 1;
    case ZM_OP_ADD:
        /* AddOptions: 0 activation, 1 pot_scale_int16 */
        if (ot->pos && opt_type != OPT_ADD)
            return bad_options(r, op, opt_type, OPT_ADD);
        if (!fb_u8(r, ot, 0, 0, &u8a, "activation"))
            return 0;
        op->opt.add.activation = (zm_activation)u8a;
        return 1;
    case ZM_OP_MEAN:
        /* ReducerOptions: 0 keep_dims (bool) */
        if (ot->pos && opt_type != OPT_REDUCER)
            return bad_options(r, op, opt_type, OPT_REDUCER);
        if (!fb_u8(r, ot, 0, 0, &u8a, "keep_dims"))
            return 0;
        op->opt.reducer.keep_dims = u8a != 0;
        return 1;
    case ZM_OP_RESHAPE:
        /* ReshapeOptions: 0 new_shape; the output tensor's shape is
         * authoritative, so only the type tag is checked. */
        if (ot->pos && opt_type != OPT_RESHAPE)
            return bad_options(r, op, opt_type, OPT_RESHAPE);
        return 1;
    default:
        /* PAD, TRANSPOSE, QUANTIZE, DEQUANTIZE: no options used */
        return 1;
    }
}

static int read_operator(fb_reader *r, const fb_table *ot, const int *opcodes,
                         const int *versions, uint32_t n_opcodes, int n_tensors,
                         int op_index, zm_op *op)
{
    uint32_t oc;
    uint8_t opt_type;
    fb_table opts;
    if (!fb_u32(r, ot, 0, 0, &oc, "opcode_index"))
        return 0;
    if (oc >= n_opcodes) {
        za_error_set(r->err, ZA_ERR_MALFORMED,
                     "%s: %s: opcode_index %u is out of range (%u operator codes)",
                     r->name, r->ctx, oc, n_opcodes);
        return 0;
    }
    op->opcode = opcodes[oc];
    op->version = versions[oc];
    if (!zm_op_supported(op->opcode)) {
        if (op->opcode == 32)
            za_error_set(r->err, ZA_ERR_UNSUPPORTED,
                         "%s: operator %d is a CUSTOM op, which zkaudit does not execute; "
                         "supported ops: %s", r->name, op_index, zm_supported_ops_list());
        else
            za_error_set(r->err, ZA_ERR_UNSUPPORTED,
                         "%s: operator %d is %s (builtin code %d), which zkaudit does not "
                         "support; supported ops: %s", r->name, op_index,
                         zm_op_name(op->opcode), op->opcode, zm_supported_ops_list());
        return 0;
    }
    if (!read_index_vec(r, ot, 1, n_tensors, 1, &op->inputs, &op->n_inputs, "inputs") ||
        !read_index_vec(r, ot, 2, n_tensors, 0, &op->outputs, &op->n_outputs, "outputs") ||
        !fb_u8(r, ot, 3, 0, &opt_type, "builtin_options_type") ||
        !fb_subtable(r, ot, 4, &opts, "builtin_options"))
        return 0;
    return read_options(r, &opts, opt_type, op);
}

static za_status parse(zm_model *m, za_error *err)
{
    fb_reader rd = { m->file, m->file_len, m->path, "", err };
    fb_reader *r = &rd;
    fb_table root, sg;
    fb_vec opcodes_v, subgraphs, buffers, tensors_v, ops_v;
    const uint8_t *desc;
    uint32_t desc_len;
    int *opcodes = NULL, *versions = NULL;
    za_status st = ZA_ERR_MALFORMED;

    if (!fb_root(r, "TFL3", &root) ||
        !fb_u32(r, &root, 0, 0, &m->version, "version") ||
        !fb_vector(r, &root, 1, 4, ZA_MAX_OPS, &opcodes_v, "operator_codes") ||
        !fb_vector(r, &root, 2, 4, ZA_MAX_SUBGRAPHS, &subgraphs, "subgraphs") ||
        !fb_string(r, &root, 3, &desc, &desc_len, "description") ||
        !fb_vector(r, &root, 4, 4, ZA_MAX_BUFFERS, &buffers, "buffers"))
        goto out;
    if (m->version != 3) {
        st = za_error_set(err, ZA_ERR_UNSUPPORTED,
                          "%s: TFLite schema version %u; only version 3 is supported",
                          m->path, m->version);
        goto out;
    }
    m->description = dup_str(desc ? desc : (const uint8_t *)"", desc_len);
    if (!m->description)
        goto nomem;
    if (subgraphs.n == 0) {
        st = za_error_set(err, ZA_ERR_MALFORMED, "%s: the model has no subgraph", m->path);
        goto out;
    }
    m->n_subgraphs = (int)subgraphs.n;

    opcodes = calloc(opcodes_v.n ? opcodes_v.n : 1, sizeof *opcodes);
    versions = calloc(opcodes_v.n ? opcodes_v.n : 1, sizeof *versions);
    if (!opcodes || !versions)
        goto nomem;
    for (uint32_t i = 0; i < opcodes_v.n; i++) {
        fb_table oct;
        uint8_t dep;
        int32_t code, ver;
        set_ctx(r, "operator code", (int)i);
        if (!fb_vec_table(r, &opcodes_v, i, &oct, "operator code") ||
            !fb_u8(r, &oct, 0, 0, &dep, "deprecated_builtin_code") ||
            !fb_i32(r, &oct, 2, 1, &ver, "version") ||
            !fb_i32(r, &oct, 3, 0, &code, "builtin_code"))
            goto out;
        int dcode = (int8_t)dep;
        opcodes[i] = code > dcode ? code : dcode;
        versions[i] = ver;
    }

    set_ctx(r, "subgraph 0", -1);
    if (!fb_vec_table(r, &subgraphs, 0, &sg, "subgraph") ||
        !fb_vector(r, &sg, 0, 4, ZA_MAX_TENSORS, &tensors_v, "tensors") ||
        !fb_vector(r, &sg, 3, 4, ZA_MAX_OPS, &ops_v, "operators"))
        goto out;
    m->n_tensors = (int)tensors_v.n;
    m->tensors = calloc(tensors_v.n ? tensors_v.n : 1, sizeof *m->tensors);
    if (!m->tensors)
        goto nomem;
    for (uint32_t i = 0; i < tensors_v.n; i++) {
        fb_table tt;
        set_ctx(r, "subgraph 0 tensor", (int)i);
        if (!fb_vec_table(r, &tensors_v, i, &tt, "tensor") ||
            !read_tensor(r, &tt, &buffers, &m->tensors[i]))
            goto out;
    }
    set_ctx(r, "subgraph 0", -1);
    if (!read_index_vec(r, &sg, 1, m->n_tensors, 0, &m->inputs, &m->n_inputs, "inputs") ||
        !read_index_vec(r, &sg, 2, m->n_tensors, 0, &m->outputs, &m->n_outputs, "outputs"))
        goto out;

    m->ops = calloc(ops_v.n ? ops_v.n : 1, sizeof *m->ops);
    if (!m->ops)
        goto nomem;
    for (uint32_t i = 0; i < ops_v.n; i++) {
        fb_table ot;
        set_ctx(r, "subgraph 0 operator", (int)i);
        m->n_ops = (int)i + 1; /* so that zm_model_free releases a partial op */
        if (!fb_vec_table(r, &ops_v, i, &ot, "operator") ||
            !read_operator(r, &ot, opcodes, versions, opcodes_v.n, m->n_tensors, (int)i,
                           &m->ops[i]))
            goto out;
    }
    st = ZA_OK;
    goto out;
nomem:
    st = nomem(err);
out:
    if (st == ZA_OK && err && err->code != ZA_OK)
        st = err->code;
    if (st != ZA_OK && err && err->code != ZA_OK)
        st = err->code;
    free(opcodes);
    free(versions);
    return st;
}

/* Build a model around file bytes it takes ownership of (freed on failure). */
static za_status load_owned(uint8_t *file, size_t len, const char *name, zm_model **out,
                            za_error *err)
{
    *out = NULL;
    za_error_clear(err);
    zm_model *m = calloc(1, sizeof *m);
    if (!m) {
        free(file);
        return nomem(err);
    }
    m->file = file;
    m->file_len = len;
    m->path = strdup(name ? name : "<memory>");
    if (!m->path) {
        zm_model_free(m);
        return nomem(err);
    }
    za_status st = parse(m, err);
    if (st != ZA_OK) {
        zm_model_free(m);
        return st;
    }
    *out = m;
    return ZA_OK;
}

za_status zm_model_load_buffer(const uint8_t *buf, size_t len, const char *name,
                               zm_model **out, za_error *err)
{
    *out = NULL;
    if (len > ZA_MAX_MODEL_FILE_BYTES)
        return za_error_set(err, ZA_ERR_LIMIT, "%s: %zu bytes is larger than the %zu-byte limit",
                            name, len, (size_t)ZA_MAX_MODEL_FILE_BYTES);
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return nomem(err);
    if (len)
        memcpy(copy, buf, len);
    return load_owned(copy, len, name, out, err);
}

za_status zm_model_load_file(const char *path, zm_model **out, za_error *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    *out = NULL;
    za_status st = za_read_file(path, ZA_MAX_MODEL_FILE_BYTES, &data, &len, err);
    if (st != ZA_OK)
        return st;
    return load_owned(data, len, path, out, err);
}
