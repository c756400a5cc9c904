/* model/kernels.h - the integer kernels and their prepared parameters.
 *
 * Internal to model/: engine.c prepares a zm_kernel for every op (checking
 * the op and computing its fixed-point parameters the way the TFLite runtime
 * does in Prepare) and calls its run function with the tensor pointers.
 * Each kernel family lives in its own file (kernel_conv.c, kernel_fc.c,
 * kernel_pool.c, kernel_elementwise.c, kernel_shape.c, kernel_softmax.c).
 */
#ifndef ZM_KERNELS_H
#define ZM_KERNELS_H

#include <stdint.h>

#include "common/error.h"
#include "model/engine.h"
#include "model/model.h"

/* Requantization of one output channel: out = clamp(rescale(acc) + zp). */
typedef struct {
    int32_t m0;
    int32_t shift;
} zm_requant;

typedef struct {
    /* geometry, NHWC */
    int n, ih, iw, ic;
    int oh, ow, oc;
    int kh, kw;
    int stride_h, stride_w, dil_h, dil_w;
    int pad_top, pad_left;
    int depth_mult;          /* depthwise only */
    int32_t in_zp, out_zp, act_min, act_max;
    int single_rounding;     /* 1: (x*M0 + r) >> s; 0: SRDHM + RDBPOT */
    int out_is_uint8;
    int in_is_uint8;
    /* packed: weights minus their zero point, [oc][kh][kw][ic] (conv),
     * [kh][kw][oc] (depthwise) or [oc][k] (FC); biases; per-channel scales */
    int16_t *w;
    int32_t *bias;
    zm_requant *rq;
    int16_t *scratch;        /* conv: one im2col row; FC/depthwise: one input row */
    int32_t *acc;            /* depthwise: one output pixel's accumulators */
    int64_t k;               /* FC: input depth */
    int64_t batches;         /* FC: rows */
} zm_conv_params;

typedef struct {
    int n, ih, iw, c, oh, ow;
    int kh, kw, stride_h, stride_w, pad_top, pad_left;
    int32_t act_min, act_max;
    int is_uint8;
} zm_pool_params;

typedef struct {
    int rank;
    int32_t shape[ZA_MAX_RANK];  /* input shape */
    int n_axes;
    int reduce[ZA_MAX_RANK];     /* 1 if the axis is reduced */
    int32_t in_zp, out_zp;
    int32_t m0, shift;           /* rescale of the sum (see kernel_pool.c) */
    int32_t bias;
    int64_t count;               /* elements per output */
    int mode;                    /* which runtime code path (kernel_mean.c) */
    float fscale, fbias;         /* float path */
    int is_uint8;
    int32_t *acc;                /* scratch, one per output element */
} zm_mean_params;

typedef struct {
    int64_t n;                  /* output elements */
    int rank;                   /* broadcast: output shape and input strides */
    int32_t oshape[ZA_MAX_RANK];
    int64_t stride1[ZA_MAX_RANK], stride2[ZA_MAX_RANK];
    int broadcast;
    int32_t in1_offset, in2_offset, out_offset;
    int32_t in1_m0, in1_shift, in2_m0, in2_shift, out_m0, out_shift;
    int left_shift;
    int32_t act_min, act_max;
    int is_uint8;
} zm_add_params;

typedef struct {
    int64_t n;
    int in_type, out_type;
    int32_t in_zp, out_zp;
    int32_t m0, shift;          /* requantize int8/uint8 -> int8/uint8 */
    float in_scale, out_scale;  /* float <-> quantized */
} zm_quantize_params;

typedef struct {
    int64_t outer, depth;
    float table[256];           /* exp(-input_scale * beta * (255 - i)) */
    float out_scale;
    int32_t out_zp;
    int is_uint8;
} zm_softmax_params;

typedef struct {
    int rank;
    int32_t ishape[ZA_MAX_RANK], oshape[ZA_MAX_RANK];
    int32_t pad_before[ZA_MAX_RANK];
    int perm[ZA_MAX_RANK];
    int elem_size;
    uint8_t pad_value;           /* PAD: quantized zero */
    int64_t outer, inner;        /* CONCATENATION */
    int n_inputs;
    int64_t *axis_len;           /* CONCATENATION: per input, elements along axis*inner */
} zm_shape_params;

struct zm_kernel;
typedef void (*zm_kernel_fn)(const struct zm_kernel *k, const void *const *in,
                             void *out);

typedef struct zm_kernel {
    const zm_op *op;
    zm_kernel_fn run;
    uint64_t macs;
    union {
        zm_conv_params conv;
        zm_pool_params pool;
        zm_mean_params mean;
        zm_add_params add;
        zm_quantize_params quant;
        zm_softmax_params softmax;
        zm_shape_params shape;
    } p;
} zm_kernel;

/* The last step of an average pool / MEAN, from the window's integer sum
 * (shared by the kernels and the prover's circuit compiler, so that both
 * compute the same function).  Both are non-decreasing in the sum. */
int32_t zm_pool_average_finish(const zm_pool_params *c, int64_t sum, int64_t count);
int32_t zm_mean_finish(const zm_mean_params *c, int32_t sum);

/* ADD of one pair of quantized values (kernel_elementwise.c). */
int32_t zm_add_finish(const zm_add_params *c, int32_t a, int32_t b);

/* Preparation context handed to each family's prepare function. */
typedef struct {
    const zm_model *m;
    const zm_op *op;
    int op_index;
    zm_rounding rounding;
    za_error *err;
} zm_prep;

/* Error helper: "<model>: operator N (OPNAME): <message>". */
za_status zm_op_error(const zm_prep *p, za_status code, const char *fmt, ...) ZA_PRINTF(3, 4);

/* Quantized activation range of a fused activation on an int8/uint8 output
 * (TFLite CalculateActivationRangeQuantized). */
za_status zm_activation_range(const zm_prep *p, zm_activation act, const zm_tensor *out,
                              int32_t *lo, int32_t *hi);

/* Input j of the op being prepared, or NULL when absent / omitted. */
const zm_tensor *zm_input(const zm_prep *p, int j);
const zm_tensor *zm_output(const zm_prep *p);
/* Check the op has between lo and hi inputs (inclusive). */
za_status zm_check_inputs(const zm_prep *p, int lo, int hi);
/* t must be int8 or uint8 with one (per-tensor) finite positive scale and a
 * zero point inside its type's range. what names it in messages. */
za_status zm_check_quant8(const zm_prep *p, const zm_tensor *t, const char *what);
/* t must exist and be a constant tensor of the given type. */
za_status zm_check_const(const zm_prep *p, const zm_tensor *t, zm_dtype type,
                         const char *what);
/* Same shape (rank and every dimension). */
int zm_same_shape(const zm_tensor *a, const zm_tensor *b);
/* "[1,224,224,3]" into buf. */
const char *zm_shape_str(const zm_tensor *t, char *buf, size_t n);

/* TFLite ComputePaddingHeightWidth / ComputeOutSize for one dimension. */
int zm_out_size(zm_padding pad, int in, int filter, int stride, int dilation);
int zm_pad_before(int stride, int dilation, int in, int filter, int out);

za_status zm_prepare_conv(const zm_prep *p, zm_kernel *k);
za_status zm_prepare_depthwise(const zm_prep *p, zm_kernel *k);
za_status zm_prepare_fc(const zm_prep *p, zm_kernel *k);
za_status zm_prepare_pool(const zm_prep *p, zm_kernel *k);
za_status zm_prepare_mean(const zm_prep *p, zm_kernel *k);
za_status zm_prepare_add(const zm_prep *p, zm_kernel *k);
za_status zm_prepare_quantize(const zm_prep *p, zm_kernel *k);
za_status zm_prepare_softmax(const zm_prep *p, zm_kernel *k);
za_status zm_prepare_shape(const zm_prep *p, zm_kernel *k);
void zm_kernel_release(zm_kernel *k);

#endif
