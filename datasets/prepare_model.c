/* datasets/prepare_model.c - derive a recipe from a model's input tensor. */
#include "datasets/prepare_model.h"

#include <string.h>

static uint32_t gcd32(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

za_status zd_prep_from_model(const zm_model *m, uint32_t num, uint32_t den, int32_t off_num,
                             uint32_t off_den, zd_prep *out, za_error *err)
{
    memset(out, 0, sizeof *out);
    if (m->n_inputs < 1)
        return za_error_set(err, ZA_ERR_UNSUPPORTED, "%s: the model has no input", m->path);
    const zm_tensor *t = &m->tensors[m->inputs[0]];
    zd_prep p;
    memset(&p, 0, sizeof p);
    if (t->type == ZM_INT8)
        p.dtype = ZD_PREP_INT8;
    else if (t->type == ZM_UINT8)
        p.dtype = ZD_PREP_UINT8;
    else
        return za_error_set(err, ZA_ERR_UNSUPPORTED, "%s: input 0 is %s, not int8 or uint8",
                            m->path, zm_dtype_name(t->type));
    if (t->q.n != 1)
        return za_error_set(err, ZA_ERR_UNSUPPORTED,
                            "%s: input 0 has %d quantization parameters, not one per tensor",
                            m->path, t->q.n);
    float s = t->q.scale[0];
    memcpy(&p.scale_bits, &s, sizeof p.scale_bits);
    if (t->q.zero_point[0] < -128 || t->q.zero_point[0] > 255)
        return za_error_set(err, ZA_ERR_UNSUPPORTED, "%s: input 0 zero point %lld", m->path,
                            (long long)t->q.zero_point[0]);
    p.zero_point = (int32_t)t->q.zero_point[0];
    p.layout = ZD_PREP_NHWC;
    if (t->rank == 4 && (t->shape[1] == 1 || t->shape[1] == 3) && t->shape[3] != 1 &&
        t->shape[3] != 3)
        p.layout = ZD_PREP_NCHW;
    uint32_t g = den ? gcd32(num, den) : 1;
    p.num = g ? num / g : num;
    p.den = g ? den / g : den;
    uint32_t a = off_num < 0 ? (uint32_t)-(int64_t)off_num : (uint32_t)off_num;
    if (a == 0) {
        p.off_num = 0;
        p.off_den = 1;
    } else {
        g = off_den ? gcd32(a, off_den) : 1;
        p.off_num = off_num / (int32_t)g;
        p.off_den = off_den / g;
    }
    za_status st = zd_prep_check(&p, err);
    if (st != ZA_OK)
        return st;
    *out = p;
    return ZA_OK;
}
