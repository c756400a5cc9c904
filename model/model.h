/* model/model.h - the model IR read from a .tflite file.
 *
 * A zm_model is a flat, validated view of subgraph 0 of a TFLite FlatBuffer:
 * tensors (shape, dtype, quantization, constant data), operators in execution
 * order, and the graph's inputs and outputs.  It owns a copy of the file
 * bytes; constant tensor data points into that copy.  Free with
 * zm_model_free().  Everything here has passed bounds checks: indices are in
 * range, shapes are non-negative and their element counts fit the limits of
 * common/limits.h, and constant buffers have exactly the tensor's byte size.
 * Operator-specific checks (which inputs, which types) happen when an engine
 * is prepared (model/engine.h), and at load time for the op codes themselves.
 */
#ifndef ZM_MODEL_H
#define ZM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/limits.h"

/* TFLite TensorType numbering (schema.fbs). */
typedef enum {
    ZM_FLOAT32 = 0,
    ZM_FLOAT16 = 1,
    ZM_INT32 = 2,
    ZM_UINT8 = 3,
    ZM_INT64 = 4,
    ZM_STRING = 5,
    ZM_BOOL = 6,
    ZM_INT16 = 7,
    ZM_COMPLEX64 = 8,
    ZM_INT8 = 9
} zm_dtype;

/* TFLite BuiltinOperator codes of the ops zkaudit executes. */
typedef enum {
    ZM_OP_ADD = 0,
    ZM_OP_AVERAGE_POOL_2D = 1,
    ZM_OP_CONCATENATION = 2,
    ZM_OP_CONV_2D = 3,
    ZM_OP_DEPTHWISE_CONV_2D = 4,
    ZM_OP_DEQUANTIZE = 6,
    ZM_OP_FULLY_CONNECTED = 9,
    ZM_OP_MAX_POOL_2D = 17,
    ZM_OP_RESHAPE = 22,
    ZM_OP_SOFTMAX = 25,
    ZM_OP_PAD = 34,
    ZM_OP_TRANSPOSE = 39,
    ZM_OP_MEAN = 40,
    ZM_OP_QUANTIZE = 114
} zm_opcode;

typedef enum { ZM_PAD_SAME = 0, ZM_PAD_VALID = 1 } zm_padding;

/* ActivationFunctionType numbering (schema.fbs). */
typedef enum {
    ZM_ACT_NONE = 0,
    ZM_ACT_RELU = 1,
    ZM_ACT_RELU_N1_TO_1 = 2,
    ZM_ACT_RELU6 = 3,
    ZM_ACT_TANH = 4,
    ZM_ACT_SIGN_BIT = 5
} zm_activation;

typedef struct {
    int n;                /* number of (scale, zero point) pairs; 0 = none */
    float *scale;         /* n entries */
    int64_t *zero_point;  /* n entries (a missing vector reads as zeros) */
    int quantized_dim;    /* axis the n pairs run along when n > 1 */
} zm_quant;

typedef struct {
    char *name;
    zm_dtype type;
    int rank;
    int32_t shape[ZA_MAX_RANK];
    int64_t n_elems;
    int64_t n_bytes;
    zm_quant q;
    const uint8_t *data; /* constant contents (into zm_model.file), or NULL */
    int is_variable;
} zm_tensor;

typedef struct {
    zm_padding padding;
    int stride_w, stride_h;
    int dilation_w, dilation_h;
    int depth_multiplier; /* DEPTHWISE_CONV_2D only */
    zm_activation activation;
} zm_conv_options;

typedef struct {
    zm_padding padding;
    int stride_w, stride_h;
    int filter_w, filter_h;
    zm_activation activation;
} zm_pool_options;

typedef struct {
    int opcode;           /* zm_opcode (only supported codes survive loading) */
    int version;          /* OperatorCode.version */
    int n_inputs, n_outputs;
    int32_t *inputs;      /* tensor indices; -1 marks an omitted optional input */
    int32_t *outputs;
    union {
        zm_conv_options conv;     /* CONV_2D, DEPTHWISE_CONV_2D */
        zm_pool_options pool;     /* AVERAGE_POOL_2D, MAX_POOL_2D */
        struct {
            zm_activation activation;
            int weights_format;   /* 0 = DEFAULT */
            int keep_num_dims;
        } fc;
        struct { zm_activation activation; } add;
        struct { int axis; zm_activation activation; } concat;
        struct { float beta; } softmax;
        struct { int keep_dims; } reducer;
    } opt;
} zm_op;

typedef struct {
    char *path;            /* as given to the loader (for messages) */
    uint8_t *file;         /* owned copy of the file bytes */
    size_t file_len;
    uint32_t version;      /* schema version (3) */
    char *description;
    int n_subgraphs;
    int n_tensors;
    zm_tensor *tensors;
    int n_ops;
    zm_op *ops;
    int n_inputs, n_outputs;
    int32_t *inputs, *outputs;
} zm_model;

/* Read and validate a .tflite file.  On success *out owns everything. */
za_status zm_model_load_file(const char *path, zm_model **out, za_error *err)
    ZA_WARN_UNUSED;

/* Same from memory; the bytes are copied, name is used in messages. */
za_status zm_model_load_buffer(const uint8_t *buf, size_t len, const char *name,
                               zm_model **out, za_error *err) ZA_WARN_UNUSED;

void zm_model_free(zm_model *m);

/* Names for messages and --json output. */
const char *zm_dtype_name(int type);
const char *zm_op_name(int opcode);          /* any BuiltinOperator code */
const char *zm_activation_name(int act);
int zm_op_supported(int opcode);
/* "ADD, AVERAGE_POOL_2D, ..." (static string). */
const char *zm_supported_ops_list(void);
/* Bytes per element of a dtype, 0 if unknown/variable-size. */
int zm_dtype_size(int type);

#endif
