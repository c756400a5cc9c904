/* model/names.c - names of TFLite types, ops and activations, and the list
 * of ops zkaudit executes.  The names are those of tensorflow/lite/schema. */
#include "model/model.h"

#include <stddef.h>

static const char *const op_names[] = {
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D",
    "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE", "DEQUANTIZE", "EMBEDDING_LOOKUP",
    "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP", "L2_NORMALIZATION",
    "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION",
    "LSTM", "MAX_POOL_2D", "MUL", "RELU",
    "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR",
    "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF",
    "TANH", "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL",
    "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN",
    "GATHER", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "TRANSPOSE",
    "MEAN", "SUB", "DIV", "SQUEEZE",
    "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP",
    "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE",
    "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM",
    "ARG_MAX", "MINIMUM", "LESS", "NEG",
    "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL",
    "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV",
    "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL",
    "NOT_EQUAL", "LOG", "SUM", "SQRT",
    "RSQRT", "SHAPE", "POW", "ARG_MIN",
    "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX", "PACK",
    "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT",
    "UNPACK", "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY",
    "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD",
    "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE",
    "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE",
    "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND",
    "COS", "WHERE", "RANK", "ELU",
    "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG",
    "ROUND", "HARD_SWISH", "IF", "WHILE",
    "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2",
    "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL", "PLACEHOLDER_FOR_GREATER_OP_CODES",
    "CUMSUM", "CALL_ONCE", "BROADCAST_TO", "RFFT2D",
    "CONV_3D", "IMAG", "REAL", "COMPLEX_ABS",
    "HASHTABLE", "HASHTABLE_FIND", "HASHTABLE_IMPORT", "HASHTABLE_SIZE",
    "REDUCE_ALL", "CONV_3D_TRANSPOSE", "VAR_HANDLE", "READ_VARIABLE",
    "ASSIGN_VARIABLE", "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL", "BUCKETIZE",
    "RANDOM_UNIFORM", "MULTINOMIAL", "GELU", "DYNAMIC_UPDATE_SLICE",
    "RELU_0_TO_1", "UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX", "UNSORTED_SEGMENT_SUM",
    "ATAN2", "UNSORTED_SEGMENT_MIN", "SIGN", "BITCAST",
    "BITWISE_XOR", "RIGHT_SHIFT",
};

static const char *const dtype_names[] = {
    "float32", "float16", "int32", "uint8", "int64", "string", "bool",
    "int16", "complex64", "int8", "float64", "complex128", "uint64",
    "resource", "variant", "uint32", "uint16", "int4",
};

static const char *const act_names[] = {
    "NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT",
};

/* Sorted by name; keep in sync with zm_opcode and model/engine.c. */
static const int supported_ops[] = {
    ZM_OP_ADD, ZM_OP_AVERAGE_POOL_2D, ZM_OP_CONCATENATION, ZM_OP_CONV_2D,
    ZM_OP_DEPTHWISE_CONV_2D, ZM_OP_DEQUANTIZE, ZM_OP_FULLY_CONNECTED,
    ZM_OP_MAX_POOL_2D, ZM_OP_MEAN, ZM_OP_PAD, ZM_OP_QUANTIZE, ZM_OP_RESHAPE,
    ZM_OP_SOFTMAX, ZM_OP_TRANSPOSE,
};

const char *zm_op_name(int opcode)
{
    if (opcode >= 0 && (size_t)opcode < sizeof op_names / sizeof op_names[0])
        return op_names[opcode];
    return "UNKNOWN_OP";
}

const char *zm_dtype_name(int type)
{
    if (type >= 0 && (size_t)type < sizeof dtype_names / sizeof dtype_names[0])
        return dtype_names[type];
    return "unknown-type";
}

const char *zm_activation_name(int act)
{
    if (act >= 0 && (size_t)act < sizeof act_names / sizeof act_names[0])
        return act_names[act];
    return "UNKNOWN_ACTIVATION";
}

int zm_op_supported(int opcode)
{
    for (size_t i = 0; i < sizeof supported_ops / sizeof supported_ops[0]; i++)
        if (supported_ops[i] == opcode)
            return 1;
    return 0;
}

const char *zm_supported_ops_list(void)
{
    return "ADD, AVERAGE_POOL_2D, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, "
           "DEQUANTIZE, FULLY_CONNECTED, MAX_POOL_2D, MEAN, PAD, QUANTIZE, "
           "RESHAPE, SOFTMAX, TRANSPOSE";
}

int zm_dtype_size(int type)
{
    switch (type) {
    case ZM_FLOAT32: case ZM_INT32: return 4;
    case ZM_FLOAT16: case ZM_INT16: return 2;
    case ZM_UINT8: case ZM_INT8: case ZM_BOOL: return 1;
    case ZM_INT64: case ZM_COMPLEX64: return 8;
    case 10: case 12: return 8;   /* float64, uint64 */
    case 11: return 16;           /* complex128 */
    case 15: return 4;            /* uint32 */
    case 16: return 2;            /* uint16 */
    default: return 0;            /* string, resource, variant, int4 */
    }
}
