/* tests/unit/test_fixedpoint.c - TFLite's fixed-point helpers at their corners.
 *
 * Each helper is checked against its literal mathematical definition,
 * computed with GMP (exact integers, explicit floor division), so that the
 * C implementation's own shifts and truncations are not what decides:
 *   SRDHM(a,b)   = floor((a*b + 2^30) / 2^31), INT32_MAX for a=b=INT32_MIN
 *   RDBPOT(y,e)  = y/2^e rounded half away from zero
 *                = floor((y + 2^(e-1) - [y<0]) / 2^e)       (DESIGN.md §3)
 *   double(x,M,s)= RDBPOT(SRDHM(x*2^max(s,0), M), max(-s,0))
 *   single(x,M,s)= floor((x*M + 2^(30-s)) / 2^(31-s)), wrapped to int32
 * The seed is printed; ZKAUDIT_TEST_SEED and ZKAUDIT_TEST_ITERS override it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/fixedpoint.h"
#include "tests/unit/testutil.h"

/* floor(num / 2^e) for an mpz num */
static int64_t floor_pow2(const mpz_t num, unsigned e)
{
    mpz_t q;
    mpz_init(q);
    mpz_fdiv_q_2exp(q, num, e);
    int64_t r = mpz_get_si(q);
    mpz_clear(q);
    return r;
}

static int32_t lit_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    mpz_t n;
    mpz_init_set_si(n, a);
    mpz_mul_si(n, n, b);
    mpz_add_ui(n, n, 1ul << 30);
    int64_t r = floor_pow2(n, 31);
    mpz_clear(n);
    return (int32_t)r;
}

/* Round half away from zero of y / 2^e, computed from the rational. */
static int32_t lit_round_half_away(int32_t y, unsigned e)
{
    if (e == 0)
        return y;
    mpz_t n, q, r;
    mpz_inits(n, q, r, NULL);
    mpz_set_si(n, y);
    mpz_abs(n, n);
    mpz_fdiv_q_2exp(q, n, e);
    mpz_fdiv_r_2exp(r, n, e);
    /* |y| = q*2^e + r; round up when 2r >= 2^e */
    mpz_mul_2exp(r, r, 1);
    mpz_t half;
    mpz_init_set_ui(half, 1);
    mpz_mul_2exp(half, half, e);
    if (mpz_cmp(r, half) >= 0)
        mpz_add_ui(q, q, 1);
    int64_t v = mpz_get_si(q);
    mpz_clears(n, q, r, half, NULL);
    return (int32_t)(y < 0 ? -v : v);
}

static int32_t lit_rdbpot_floor(int32_t y, unsigned e)
{
    if (e == 0)
        return y;
    mpz_t n;
    mpz_init_set_si(n, y);
    mpz_t h;
    mpz_init_set_ui(h, 1);
    mpz_mul_2exp(h, h, e - 1);
    mpz_add(n, n, h);
    if (y < 0)
        mpz_sub_ui(n, n, 1);
    int64_t r = floor_pow2(n, e);
    mpz_clears(n, h, NULL);
    return (int32_t)r;
}

static int32_t lit_single(int32_t x, int32_t m, int s)
{
    mpz_t n, h;
    mpz_init_set_si(n, x);
    mpz_mul_si(n, n, m);
    mpz_init_set_ui(h, 1);
    mpz_mul_2exp(h, h, (unsigned)(30 - s));
    mpz_add(n, n, h);
    int64_t r = floor_pow2(n, (unsigned)(31 - s));
    mpz_clears(n, h, NULL);
    return (int32_t)(uint32_t)(uint64_t)r; /* ruy wraps */
}

static const int32_t corner_values[] = {
    0, 1, -1, 2, -2, 3, -3, 127, -128, 255, -255, 1 << 15, -(1 << 15), (1 << 30) - 1, 1 << 30,
    -(1 << 30), -(1 << 30) - 1, INT32_MAX, INT32_MAX - 1, INT32_MIN, INT32_MIN + 1,
    0x55555555, -0x55555555, 1518500250, -1518500250,
};
#define N_CORNERS (sizeof corner_values / sizeof corner_values[0])

static void test_srdhm_corners(void **state)
{
    (void)state;
    assert_int_equal(zm_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);
    assert_int_equal(zm_srdhm(INT32_MIN, INT32_MAX), -INT32_MAX);
    assert_int_equal(zm_srdhm(1 << 30, 1 << 30), 1 << 29);
    for (size_t i = 0; i < N_CORNERS; i++)
        for (size_t j = 0; j < N_CORNERS; j++) {
            int32_t a = corner_values[i], b = corner_values[j];
            assert_int_equal(zm_srdhm(a, b), lit_srdhm(a, b));
        }
}

/* Products that land exactly on a half: a*b = k*2^31 +- 2^30. */
static void test_srdhm_exact_halves(void **state)
{
    (void)state;
    for (int32_t k = -40; k <= 40; k++) {
        /* a = 2^30 * (2k+1) / b with b = 2^j keeps a integral */
        for (int j = 0; j <= 30; j++) {
            int64_t prod = (int64_t)(2 * k + 1) * ((int64_t)1 << 30); /* odd multiple of 2^30 */
            int64_t b = (int64_t)1 << j;
            int64_t a = prod / b;
            if (a > INT32_MAX || a < INT32_MIN)
                continue;
            assert_int_equal(zm_srdhm((int32_t)a, (int32_t)b), lit_srdhm((int32_t)a, (int32_t)b));
            if (-a >= INT32_MIN && -a <= INT32_MAX)
                assert_int_equal(zm_srdhm((int32_t)-a, (int32_t)b),
                                 lit_srdhm((int32_t)-a, (int32_t)b));
        }
    }
}

static void test_srdhm_random(void **state)
{
    (void)state;
    uint64_t rng = zt_seed("fixedpoint/srdhm");
    long iters = zt_iters(200000);
    for (long i = 0; i < iters; i++) {
        int32_t a = (int32_t)zt_next(&rng), b = (int32_t)zt_next(&rng);
        if (i & 1)
            b = (int32_t)((zt_next(&rng) & 0x7fffffff) | 0x40000000); /* a real M0 */
        assert_int_equal(zm_srdhm(a, b), lit_srdhm(a, b));
    }
}

static void test_rdbpot_every_exponent(void **state)
{
    (void)state;
    uint64_t rng = zt_seed("fixedpoint/rdbpot");
    for (unsigned e = 0; e <= 31; e++) {
        for (size_t i = 0; i < N_CORNERS; i++) {
            int32_t y = corner_values[i];
            assert_int_equal(zm_rdbpot(y, (int)e), lit_round_half_away(y, e));
            assert_int_equal(lit_rdbpot_floor(y, e), lit_round_half_away(y, e));
        }
        /* exact halves and their neighbours, both signs */
        if (e >= 1 && e <= 30) {
            for (int64_t k = -5; k <= 5; k++) {
                int64_t base = k * ((int64_t)1 << e) + ((int64_t)1 << (e - 1));
                for (int d = -1; d <= 1; d++) {
                    int64_t y = base + d;
                    if (y < INT32_MIN || y > INT32_MAX)
                        continue;
                    assert_int_equal(zm_rdbpot((int32_t)y, (int)e),
                                     lit_round_half_away((int32_t)y, e));
                    assert_int_equal(zm_rdbpot((int32_t)-y, (int)e),
                                     lit_round_half_away((int32_t)-y, e));
                }
            }
        }
        for (int i = 0; i < 2000; i++) {
            int32_t y = (int32_t)zt_next(&rng);
            assert_int_equal(zm_rdbpot(y, (int)e), lit_round_half_away(y, e));
            assert_int_equal(lit_rdbpot_floor(y, e), lit_round_half_away(y, e));
        }
    }
    /* rounding of halves is away from zero */
    assert_int_equal(zm_rdbpot(3, 1), 2);
    assert_int_equal(zm_rdbpot(-3, 1), -2);
    assert_int_equal(zm_rdbpot(5, 2), 1);
    assert_int_equal(zm_rdbpot(-6, 2), -2);
}

static void test_double_rounding_every_shift(void **state)
{
    (void)state;
    uint64_t rng = zt_seed("fixedpoint/double");
    for (int s = -31; s <= 31; s++) {
        int left = s > 0 ? s : 0, right = s > 0 ? 0 : -s;
        for (int i = 0; i < 3000; i++) {
            int32_t m = (int32_t)((zt_next(&rng) & 0x3fffffff) | 0x40000000);
            int32_t x = (int32_t)zt_next(&rng);
            if (left > 0) /* keep x * 2^left inside int32, as real models do */
                x = (int32_t)((int64_t)x >> left);
            if (i < (int)N_CORNERS && left == 0)
                x = corner_values[i];
            int32_t want = lit_round_half_away(lit_srdhm((int32_t)((int64_t)x * ((int64_t)1 << left)), m),
                                               (unsigned)right);
            assert_int_equal(zm_mbqm_double(x, m, s), want);
        }
    }
}

static void test_single_rounding_every_shift(void **state)
{
    (void)state;
    uint64_t rng = zt_seed("fixedpoint/single");
    for (int s = -31; s <= 30; s++) {
        for (int i = 0; i < 3000; i++) {
            int32_t m = (int32_t)((zt_next(&rng) & 0x3fffffff) | 0x40000000);
            int32_t x = i < (int)N_CORNERS ? corner_values[i] : (int32_t)zt_next(&rng);
            assert_int_equal(zm_mbqm_single(x, m, s), lit_single(x, m, s));
        }
        /* exact half of the single rounding: x*M = k*2^(31-s) + 2^(30-s) */
        if (s <= 0) {
            int32_t m = 1 << 30;
            for (int32_t k = -3; k <= 3; k++) {
                int64_t num = (int64_t)(2 * k + 1) * ((int64_t)1 << (30 - s));
                int64_t x = num / m;
                if (x >= INT32_MIN && x <= INT32_MAX && num % m == 0)
                    assert_int_equal(zm_mbqm_single((int32_t)x, m, s),
                                     lit_single((int32_t)x, m, s));
            }
        }
    }
    /* single and double rounding differ on some inputs (that is why the
     * profiles exist): x = 3, M0 = 2^30 (0.5), shift -1: 3 * 0.25 = 0.75 */
    int diff = 0;
    for (int32_t x = -1000; x <= 1000; x++)
        diff += zm_mbqm_single(x, 1518500250, -3) != zm_mbqm_double(x, 1518500250, -3);
    assert_true(diff > 0);
}

static void test_quantize_multiplier(void **state)
{
    (void)state;
    int32_t m0;
    int sh;
    zm_quantize_multiplier(0.5, &m0, &sh);
    assert_int_equal(m0, 1 << 30);
    assert_int_equal(sh, 0);
    zm_quantize_multiplier(1.0, &m0, &sh);
    assert_int_equal(m0, 1 << 30);
    assert_int_equal(sh, 1);
    zm_quantize_multiplier(0.0, &m0, &sh);
    assert_int_equal(m0, 0);
    assert_int_equal(sh, 0);
    /* rounds up to 2^31: renormalised to 2^30 with shift + 1 */
    zm_quantize_multiplier(1.0 - ldexp(1.0, -40), &m0, &sh);
    assert_int_equal(m0, 1 << 30);
    assert_int_equal(sh, 1);
    /* below 2^-32: flushed to zero */
    zm_quantize_multiplier(ldexp(1.0, -33), &m0, &sh);
    assert_int_equal(m0, 0);
    assert_int_equal(sh, 0);
    /* above 2^30: clamped */
    zm_quantize_multiplier(ldexp(1.0, 40), &m0, &sh);
    assert_int_equal(m0, INT32_MAX);
    assert_int_equal(sh, 30);
    uint64_t rng = zt_seed("fixedpoint/qm");
    for (int i = 0; i < 100000; i++) {
        double m = ldexp((double)(zt_next(&rng) >> 11) / 9007199254740992.0 + 0.5,
                         (int)(zt_next(&rng) % 60) - 30);
        zm_quantize_multiplier(m, &m0, &sh);
        assert_true(m0 >= (1 << 30));
        double back = ldexp((double)m0, sh - 31);
        assert_true(fabs(back - m) <= ldexp(m, -30));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_srdhm_corners),
        cmocka_unit_test(test_srdhm_exact_halves),
        cmocka_unit_test(test_srdhm_random),
        cmocka_unit_test(test_rdbpot_every_exponent),
        cmocka_unit_test(test_double_rounding_every_shift),
        cmocka_unit_test(test_single_rounding_every_shift),
        cmocka_unit_test(test_quantize_multiplier),
    };
    return cmocka_run_group_tests_name("fixedpoint", tests, NULL, NULL);
}
