/* tests/support/tflite_builder.h - a small FlatBuffer writer for TFLite models.
 *
 * Builds a single-subgraph .tflite (schema version 3, identifier "TFL3") in
 * memory, for tests that need models with chosen ops, shapes and
 * quantization.  Written from the field layout of
 * tensorflow/lite/schema/schema.fbs; no generated code.
 *
 * Usage:
 *   tb_model *tb = tb_new();
 *   int b = tb_buffer(tb, weights, n);                   // constant data
 *   int x = tb_tensor(tb, "x", TB_INT8, 4, shape, 0, 1, &s, &zp, 0);
 *   int w = tb_tensor(tb, "w", TB_INT8, 4, wshape, b, oc, scales, zps, 0);
 *   tb_options o = tb_opt_conv2d(TB_PAD_SAME, 1, 1, TB_ACT_RELU, 1, 1);
 *   tb_op(tb, TB_OP_CONV_2D, 3, ins, 1, &y, &o);
 *   tb_io(tb, 1, &x, 1, &y);
 *   tb_finish(tb, &bytes, &len);                         // malloc'ed
 *   tb_free(tb);
 *
 * Every function returns a non-negative index / 0 on success and -1 on a
 * bad argument or an allocation failure; the first failure is remembered
 * and makes tb_finish fail too (so calls need not be checked one by one).
 *
 * Layout of the output: objects are written front to back (every table
 * before the objects it references, so all uoffsets point forward), tables
 * 4-byte aligned (8 when they hold an 8-byte scalar), each vtable right
 * before its table, vectors 4-byte aligned with their element alignment
 * honoured, constant buffer data 16-byte aligned, buffer 0 empty.
 */
#ifndef TB_TFLITE_BUILDER_H
#define TB_TFLITE_BUILDER_H

#include <stddef.h>
#include <stdint.h>

/* TensorType (schema.fbs) */
enum {
    TB_FLOAT32 = 0,
    TB_INT32 = 2,
    TB_UINT8 = 3,
    TB_INT64 = 4,
    TB_INT8 = 9
};

/* BuiltinOperator codes used by the tests (schema.fbs) */
enum {
    TB_OP_ADD = 0,
    TB_OP_AVERAGE_POOL_2D = 1,
    TB_OP_CONCATENATION = 2,
    TB_OP_CONV_2D = 3,
    TB_OP_DEPTHWISE_CONV_2D = 4,
    TB_OP_DEQUANTIZE = 6,
    TB_OP_FULLY_CONNECTED = 9,
    TB_OP_LOGISTIC = 14,
    TB_OP_MAX_POOL_2D = 17,
    TB_OP_RESHAPE = 22,
    TB_OP_SOFTMAX = 25,
    TB_OP_TANH = 28,
    TB_OP_CUSTOM = 32,
    TB_OP_PAD = 34,
    TB_OP_TRANSPOSE = 39,
    TB_OP_MEAN = 40,
    TB_OP_QUANTIZE = 114
};

/* BuiltinOptions union tags (schema.fbs) */
enum {
    TB_OPT_NONE = 0,
    TB_OPT_CONV2D = 1,
    TB_OPT_DEPTHWISE_CONV2D = 2,
    TB_OPT_POOL2D = 5,
    TB_OPT_FULLY_CONNECTED = 8,
    TB_OPT_SOFTMAX = 9,
    TB_OPT_CONCATENATION = 10,
    TB_OPT_ADD = 11,
    TB_OPT_RESHAPE = 17,
    TB_OPT_PAD = 22,
    TB_OPT_TRANSPOSE = 26,
    TB_OPT_REDUCER = 27
};

enum { TB_PAD_SAME = 0, TB_PAD_VALID = 1 };
enum { TB_ACT_NONE = 0, TB_ACT_RELU = 1, TB_ACT_RELU_N1_TO_1 = 2, TB_ACT_RELU6 = 3 };

#define TB_MAX_OPT_FIELDS 8
#define TB_MAX_OPT_VEC 8

/* An operator's options table: its union tag and scalar fields (field id
 * in the options table, size 1 or 4 bytes, raw little-endian bits), plus at
 * most one int32 vector field (ReshapeOptions.new_shape).  Build it with a
 * tb_opt_* helper; version is OperatorCode.version (default 1). */
typedef struct {
    int version;
    int type;                  /* TB_OPT_*; TB_OPT_NONE = no options table */
    int n_fields;
    struct {
        int id;
        int size;              /* 1 or 4 */
        uint32_t bits;
    } f[TB_MAX_OPT_FIELDS];
    int vec_field;             /* -1: none */
    int vec_len;
    int32_t vec[TB_MAX_OPT_VEC];
    const char *custom_code;   /* CUSTOM ops: OperatorCode.custom_code */
} tb_options;

tb_options tb_opt_none(void);
/* An options table with no fields (PadOptions, TransposeOptions). */
tb_options tb_opt_empty(int type);
tb_options tb_opt_conv2d(int padding, int stride_w, int stride_h, int activation,
                         int dilation_w, int dilation_h);
tb_options tb_opt_depthwise(int padding, int stride_w, int stride_h, int depth_multiplier,
                            int activation, int dilation_w, int dilation_h);
tb_options tb_opt_pool2d(int padding, int stride_w, int stride_h, int filter_w, int filter_h,
                         int activation);
tb_options tb_opt_fc(int activation, int keep_num_dims);
tb_options tb_opt_softmax(float beta);
tb_options tb_opt_concat(int axis, int activation);
tb_options tb_opt_add(int activation);
tb_options tb_opt_reshape(int rank, const int32_t *new_shape);
tb_options tb_opt_reducer(int keep_dims);
/* Append a scalar field to o (for options the helpers do not cover). */
void tb_opt_field(tb_options *o, int id, int size, uint32_t bits);

typedef struct tb_model tb_model;

tb_model *tb_new(void);
void tb_free(tb_model *tb);

/* Model.description (default "zkaudit tflite_builder"). */
int tb_description(tb_model *tb, const char *text);

/* A constant buffer holding a copy of len bytes; returns its index (>= 1). */
int tb_buffer(tb_model *tb, const void *data, size_t len);

/* A tensor; buffer 0 = no data (activations).  n_quant (scale, zero point)
 * pairs, along axis qdim when n_quant > 1; n_quant 0 = not quantized
 * (zps may be NULL: zero points 0).  Returns the tensor index. */
int tb_tensor(tb_model *tb, const char *name, int type, int rank, const int32_t *shape,
              int buffer, int n_quant, const float *scales, const int64_t *zps, int qdim);

/* An operator (appended in execution order).  Input index -1 = omitted
 * optional input.  opt may be NULL (no options, version 1).  For
 * builtin_code TB_OP_CUSTOM, opt->custom_code names the custom op. */
int tb_op(tb_model *tb, int builtin_code, int n_in, const int32_t *inputs, int n_out,
          const int32_t *outputs, const tb_options *opt);

/* The subgraph's inputs and outputs. */
int tb_io(tb_model *tb, int n_in, const int32_t *inputs, int n_out, const int32_t *outputs);

/* Serialize; *out is malloc'ed (free it).  Returns 0, or -1 if any earlier
 * call failed or memory ran out. */
int tb_finish(tb_model *tb, uint8_t **out, size_t *len);

/* Text of the first failure ("" if none). */
const char *tb_error(const tb_model *tb);

#endif
