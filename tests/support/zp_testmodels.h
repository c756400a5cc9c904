/* tests/support/zp_testmodels.h - small synthetic models for the inference
 * prover's tests (tests/unit/test_infer_proof.c).
 *
 * Each model is a few layers on tensors of a few hundred to a few thousand
 * elements, so that one proof takes a fraction of a second under ASan, and
 * together they reach every relation of protocol/circuit.h:
 *
 *   ZT_MODEL_CONV     int8 [1,8,8,3] -> CONV_2D 3x3 SAME stride 1 RELU (8
 *                     channels, per-channel scales drawn from 3 values, so
 *                     channels share thresholds) -> CONV_2D 3x3 VALID
 *                     stride 2 (12 channels, per-channel) -> [1,3,3,12]
 *                     -> FULLY_CONNECTED on the 4-D tensor (10 units,
 *                     per-tensor) -> SOFTMAX (the tail; the logits are the
 *                     cut tensor);
 *   ZT_MODEL_DW       int8 [1,8,8,4] -> DEPTHWISE_CONV_2D 3x3 SAME depth
 *                     multiplier 2 RELU6 -> PAD (H: 1 and 1, W: 0 and 1) ->
 *                     DEPTHWISE_CONV_2D 3x3 VALID stride 2 RELU6 ->
 *                     [1,4,4,8] -> 1x1 CONV_2D RELU (12 channels) -> MEAN
 *                     over {1,2} keep_dims -> FULLY_CONNECTED (10 units);
 *   ZT_MODEL_BRANCH   int8 [1,6,6,3] -> CONV_2D 3x3 SAME -> x and CONV_2D
 *                     1x1 -> y (both read the input) -> ADD(x, y) RELU ->
 *                     MAX_POOL_2D 2x2 VALID stride 2 -> [1,3,3,8] ->
 *                     AVERAGE_POOL_2D 3x3 VALID -> RESHAPE [1,8] ->
 *                     FULLY_CONNECTED (10 units);
 *   ZT_MODEL_CONV_U8  ZT_MODEL_CONV in uint8, TF1 style: asymmetric
 *                     per-tensor weights with a non-zero zero point,
 *                     activations with their own zero points.
 *
 * Weights, biases and quantization parameters are drawn from `seed`
 * (deterministic: the same kind and seed give the same bytes) with scales
 * chosen, layer after layer, so that outputs spread over a few tens of
 * steps around their zero point instead of saturating.  Two seeds give two
 * models of the same architecture (same descriptor apart from the
 * quantization parameters) with different weights.
 */
#ifndef ZT_ZP_TESTMODELS_H
#define ZT_ZP_TESTMODELS_H

#include <stddef.h>
#include <stdint.h>

enum {
    ZT_MODEL_CONV = 0,
    ZT_MODEL_DW = 1,
    ZT_MODEL_BRANCH = 2,
    ZT_MODEL_CONV_U8 = 3,
    ZT_N_MODELS = 4,      /* the models above */
    /* two outputs, the first a tensor of the proven middle that no
     * relation produces (it is revealed as a cut tensor):
     *   ZT_MODEL_RESHAPE_OUT  int8 [1,6,6,3] -> CONV_2D 3x3 SAME ->
     *                         AVERAGE_POOL_2D 6x6 -> RESHAPE [1,8]
     *                         ("features", output 0) -> FULLY_CONNECTED
     *                         ("logits", output 1);
     *   ZT_MODEL_PAD_OUT      int8 [1,6,6,3] -> CONV_2D 1x1 -> PAD H, W by
     *                         1 ("padded", output 0) -> DEPTHWISE_CONV_2D
     *                         3x3 VALID (output 1) */
    ZT_MODEL_RESHAPE_OUT = 4,
    ZT_MODEL_PAD_OUT = 5,
    ZT_N_ALL_MODELS = 6
};

/* "conv", "dw", "branch", "conv_u8", "reshape_out", "pad_out"; NULL for
 * an unknown kind. */
const char *zt_model_name(int kind);

/* Build model `kind` as a .tflite buffer; *out is malloc'ed (the caller
 * frees it).  Returns 0, or -1 (with a message on stderr) for an unknown
 * kind or a builder failure. */
int zt_model_build(int kind, uint64_t seed, uint8_t **out, size_t *len);

#endif
