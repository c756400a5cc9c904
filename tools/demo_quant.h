/* tools/demo_quant.h - post-training int8 quantization of the demo CNN and
 * its .tflite serialization (through tests/support/tflite_builder.h).
 *
 * Laid out as TFLite's converter lays out a full-integer model:
 *  - input int8 [1,28,28,1], scale 1/255, zero point -128 (a raw pixel p
 *    becomes p - 128); output int8 [1,10] of SOFTMAX, scale 1/256, zero
 *    point -128;
 *  - CONV_2D / FULLY_CONNECTED weights int8, symmetric per output channel
 *    (zero point 0, quantized_dimension 0, scale max|w_c| / 127), biases
 *    int32 with scale input_scale * weight_scale[c];
 *  - activations per-tensor asymmetric from calibrated (min, max) as in
 *    the converter's GetAsymmetricQuantizationParams (range widened to
 *    include 0, scale (max - min) / 255, zero point rounded from min);
 *    ReLU is fused (conv outputs have min 0, so zero point -128), and
 *    MAX_POOL_2D and RESHAPE keep their input's parameters.
 */
#ifndef ZD_DEMO_QUANT_H
#define ZD_DEMO_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "tools/demo_cnn.h"

/* Activation ranges measured on calibration images (zd_ranges_update). */
typedef struct {
    float y1_min, y1_max; /* conv1 + ReLU */
    float y2_min, y2_max; /* conv2 + ReLU */
    float l_min, l_max;   /* logits */
} zd_ranges;

void zd_ranges_init(zd_ranges *r);
/* Widen r with one image's activations. */
void zd_ranges_update(zd_ranges *r, const zd_acts *a);
/* Widen r with another set of ranges (order-independent: min/max). */
void zd_ranges_merge(zd_ranges *r, const zd_ranges *o);

/* Quantize net with ranges r and serialize it; *out is malloc'ed (caller
 * frees).  description goes to Model.description. */
za_status zd_write_tflite(const zd_cnn *net, const zd_ranges *r, const char *description,
                          uint8_t **out, size_t *len, za_error *err) ZA_WARN_UNUSED;

#endif
