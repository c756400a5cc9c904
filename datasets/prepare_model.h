/* datasets/prepare_model.h - a preparation recipe for a model's input.
 *
 * Kept apart from prepare.h so that recipes (parsed, formatted, applied by
 * the dataset index) do not depend on the model reader.
 */
#ifndef ZD_PREPARE_MODEL_H
#define ZD_PREPARE_MODEL_H

#include "common/error.h"
#include "datasets/prepare.h"
#include "model/model.h"

/* Fill *out from input 0 of m: its dtype (int8 or uint8), its per-tensor
 * scale (bit pattern) and zero point, and the layout, NCHW when the input is
 * [N, C, H, W] with C of 1 or 3 and W not (e.g. MobileNet's [1,3,224,224]),
 * else NHWC.  The real= part (how a pixel byte becomes a real value) is the
 * caller's: real = x*num/den + off_num/off_den, reduced here to lowest
 * terms.  ZA_ERR_UNSUPPORTED for another dtype or per-channel input
 * quantization; ZA_ERR_ARG for terms zd_prep_check refuses. */
za_status zd_prep_from_model(const zm_model *m, uint32_t num, uint32_t den, int32_t off_num,
                             uint32_t off_den, zd_prep *out, za_error *err) ZA_WARN_UNUSED;

#endif
