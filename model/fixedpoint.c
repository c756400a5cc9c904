/* model/fixedpoint.c - the non-inline part of the fixed-point helpers. */
#include "model/fixedpoint.h"

#include <math.h>

void zm_quantize_multiplier(double m, int32_t *m0, int *shift)
{
    if (!(m > 0.0) || !isfinite(m)) {
        *m0 = 0;
        *shift = 0;
        return;
    }
    int e = 0;
    double q = frexp(m, &e);
    int64_t q_fixed = (int64_t)round(q * (double)((int64_t)1 << 31));
    if (q_fixed == ((int64_t)1 << 31)) {
        q_fixed /= 2;
        ++e;
    }
    if (e < -31) {
        e = 0;
        q_fixed = 0;
    }
    if (e > 30) {
        e = 30;
        q_fixed = ((int64_t)1 << 31) - 1;
    }
    *m0 = (int32_t)q_fixed;
    *shift = e;
}
