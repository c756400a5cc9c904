/* model/fixedpoint.h - TFLite's integer fixed-point helpers, bit-exact.
 *
 * These are the primitives every quantized kernel uses to rescale an int32
 * accumulator by a real multiplier M = M0 * 2^(shift-31), M0 in [2^30, 2^31).
 * The semantics (DESIGN.md §3) are those of gemmlowp / TFLite:
 *   SRDHM(a, b)  = saturating rounding doubling high multiply
 *                = floor((a*b + 2^30) / 2^31), except a = b = INT32_MIN
 *                  which saturates to INT32_MAX;
 *   RDBPOT(y, e) = y / 2^e rounded to nearest, ties away from zero
 *                = floor((y + 2^(e-1) - [y<0]) / 2^e) for e >= 1.
 * Two rounding profiles apply them differently (zm_rounding):
 *   double: RDBPOT(SRDHM(x << max(shift,0), M0), max(-shift,0));
 *   single: (x*M0 + 2^(30-shift)) >> (31-shift), one floor division.
 * All functions are total (defined for every int32 input and every shift in
 * [-31, 30]) and free of undefined behaviour: shifts are done on int64 or
 * unsigned values.
 */
#ifndef ZM_FIXEDPOINT_H
#define ZM_FIXEDPOINT_H

#include <stdint.h>

/* gemmlowp::SaturatingRoundingDoublingHighMul, written as in gemmlowp: the
 * nudge is 2^30 for a non-negative product and 1 - 2^30 for a negative one,
 * then the 64-bit product is divided by 2^31 with truncation toward zero. */
static inline int32_t zm_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    int64_t q = (ab + nudge) / ((int64_t)1 << 31); /* C division truncates */
    return (int32_t)q;
}

/* gemmlowp::RoundingDivideByPOT: exponent in [0, 31]. */
static inline int32_t zm_rdbpot(int32_t x, int exponent)
{
    if (exponent <= 0)
        return x;
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    /* arithmetic right shift of a negative value: implementation-defined in
     * C11, arithmetic on gcc/clang (documented); use int64 division-free form */
    int32_t q = (int32_t)((int64_t)x >> exponent);
    return q + (remainder > threshold ? 1 : 0);
}

/* TFLite MultiplyByQuantizedMultiplier, default (double rounding) build.
 * The left shift is done in 32 bits as TFLite does (x * (1 << left)); real
 * models keep |x << left| < 2^31, and we compute it in 64 bits and wrap to
 * int32 exactly as two's complement hardware does, to stay UB-free. */
static inline int32_t zm_mbqm_double(int32_t x, int32_t m0, int shift)
{
    int left = shift > 0 ? shift : 0;
    int right = shift > 0 ? 0 : -shift;
    int32_t xs = (int32_t)(uint32_t)((uint64_t)(int64_t)x << left);
    return zm_rdbpot(zm_srdhm(xs, m0), right);
}

/* Single rounding (ruy's requantization, TFLITE_SINGLE_ROUNDING):
 * (x*M0 + 2^(30-shift)) >> (31-shift), computed in int64 and then cast to
 * int32 with two's complement wrap-around, exactly as ruy does (it has no
 * saturation; a result outside int32 only arises from a multiplier above 1
 * on a huge accumulator).  shift is in [-31, 30] when it comes from
 * zm_quantize_multiplier; 31 is accepted (x*M0). */
static inline int32_t zm_mbqm_single(int32_t x, int32_t m0, int shift)
{
    int total = 31 - shift;
    int64_t r = (int64_t)x * (int64_t)m0;
    if (total >= 1) {
        r += (int64_t)1 << (total - 1);
        r >>= total; /* arithmetic shift = floor division (gcc/clang) */
    } /* else shift 31 (never produced by zm_quantize_multiplier): r = x*M0 */
    return (int32_t)(uint32_t)(uint64_t)r; /* wrap, as ruy's static_cast */
}

/* TFLite QuantizeMultiplier: m = q * 2^shift with q in [0.5, 1), M0 =
 * round(q * 2^31) (ties away from zero); M0 == 2^31 is renormalised; a shift
 * below -31 flushes to zero; a shift above 30 is clamped to M0 = 2^31-1,
 * shift 30.  m must be finite and >= 0 (callers check). */
void zm_quantize_multiplier(double m, int32_t *m0, int *shift);

/* Integer <-> real helpers used by the formulas above, for tests. */
static inline int32_t zm_clamp_i32(int64_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : (int32_t)v);
}

#endif
