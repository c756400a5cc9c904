/* tests/unit/test_field.c - Goldilocks and its quadratic extension against
 * GMP as the oracle: random values and every edge (0, 1, p-1, 2^32,
 * 2^64-2^32, products that reduce twice), inverses, roots of unity,
 * serialization and the irreducibility of X^2 - 7. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gmp.h>
#include <string.h>

#include "tests/unit/testutil.h"
#include "zk/field.h"

static mpz_t P;

static uint64_t mpz_u64(const mpz_t z)
{
    mpz_t t;
    mpz_init_set(t, z);
    uint64_t lo = mpz_get_ui(t) & 0xffffffffull;
    mpz_fdiv_q_2exp(t, t, 32);
    uint64_t hi = mpz_get_ui(t) & 0xffffffffull;
    mpz_clear(t);
    return hi << 32 | lo;
}

static void mpz_set_u64(mpz_t z, uint64_t v)
{
    mpz_set_ui(z, (unsigned long)(v >> 32));
    mpz_mul_2exp(z, z, 32);
    mpz_add_ui(z, z, (unsigned long)(v & 0xffffffffull));
}

/* oracle: (a op b) mod p */
static uint64_t g_mul(uint64_t a, uint64_t b)
{
    mpz_t x, y;
    mpz_inits(x, y, NULL);
    mpz_set_u64(x, a);
    mpz_set_u64(y, b);
    mpz_mul(x, x, y);
    mpz_mod(x, x, P);
    uint64_t r = mpz_u64(x);
    mpz_clears(x, y, NULL);
    return r;
}

static uint64_t g_add(uint64_t a, uint64_t b, int sub)
{
    mpz_t x, y;
    mpz_inits(x, y, NULL);
    mpz_set_u64(x, a);
    mpz_set_u64(y, b);
    if (sub)
        mpz_sub(x, x, y);
    else
        mpz_add(x, x, y);
    mpz_mod(x, x, P);
    uint64_t r = mpz_u64(x);
    mpz_clears(x, y, NULL);
    return r;
}

static const uint64_t edges[] = {
    0, 1, 2, ZK_P - 1, ZK_P - 2, 1ull << 32, (1ull << 32) - 1, (1ull << 32) + 1,
    0xFFFFFFFF00000000ull, /* 2^64 - 2^32 = p - 1 */
    0x7FFFFFFF80000000ull, 1ull << 63, (1ull << 63) + 1, 0xFFFFFFFEFFFFFFFFull,
    ZK_EPSILON, ZK_EPSILON * 3, 0x123456789abcdefull,
};
#define N_EDGES (sizeof edges / sizeof edges[0])

static uint64_t rnd_fp(uint64_t *s)
{
    uint64_t v;
    do
        v = zt_next(s);
    while (v >= ZK_P);
    return v;
}

static void test_reduce_edges(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_EDGES; i++)
        for (size_t j = 0; j < N_EDGES; j++) {
            uint64_t a = edges[i] % ZK_P, b = edges[j] % ZK_P;
            assert_int_equal(zk_fp_mul(a, b), g_mul(a, b));
            assert_int_equal(zk_fp_add(a, b), g_add(a, b, 0));
            assert_int_equal(zk_fp_sub(a, b), g_add(a, b, 1));
        }
    /* 128-bit values that need both correction steps */
    unsigned __int128 xs[] = {
        ((unsigned __int128)0xFFFFFFFFFFFFFFFFull << 64) | 0xFFFFFFFFFFFFFFFFull,
        ((unsigned __int128)0xFFFFFFFF00000000ull << 64) | 0,
        ((unsigned __int128)0x00000000FFFFFFFFull << 64) | 0xFFFFFFFFFFFFFFFFull,
        ((unsigned __int128)0xFFFFFFFF00000000ull << 64) | 0xFFFFFFFF00000000ull,
        (unsigned __int128)(ZK_P - 1) * (ZK_P - 1),
    };
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        mpz_t z;
        mpz_init(z);
        mpz_set_u64(z, (uint64_t)(xs[i] >> 64));
        mpz_mul_2exp(z, z, 64);
        mpz_t lo;
        mpz_init(lo);
        mpz_set_u64(lo, (uint64_t)xs[i]);
        mpz_add(z, z, lo);
        mpz_mod(z, z, P);
        assert_int_equal(zk_fp_reduce128(xs[i]), mpz_u64(z));
        mpz_clears(z, lo, NULL);
    }
}

static void test_random_against_gmp(void **state)
{
    (void)state;
    uint64_t s = zt_seed("field/random");
    long iters = zt_iters(200000);
    for (long i = 0; i < iters; i++) {
        uint64_t a = rnd_fp(&s), b = rnd_fp(&s);
        assert_int_equal(zk_fp_mul(a, b), g_mul(a, b));
        assert_int_equal(zk_fp_add(a, b), g_add(a, b, 0));
        assert_int_equal(zk_fp_sub(a, b), g_add(a, b, 1));
        assert_true(zk_fp_mul(a, b) < ZK_P);
    }
}

static void test_inverse_pow_roots(void **state)
{
    (void)state;
    uint64_t s = zt_seed("field/inverse");
    assert_int_equal(zk_fp_inv(0), 0);
    assert_int_equal(zk_fp_inv(1), 1);
    for (int i = 0; i < 2000; i++) {
        uint64_t a = i < (int)N_EDGES ? edges[i] % ZK_P : rnd_fp(&s);
        if (!a)
            continue;
        uint64_t inv = zk_fp_inv(a);
        assert_int_equal(zk_fp_mul(a, inv), 1);
        mpz_t z;
        mpz_init(z);
        mpz_set_u64(z, a);
        mpz_invert(z, z, P);
        assert_int_equal(inv, mpz_u64(z));
        mpz_clear(z);
    }
    /* batch inversion, with zeros kept */
    zk_fp v[64], w[64], scratch[64];
    for (int i = 0; i < 64; i++)
        v[i] = w[i] = (i % 7 == 3) ? 0 : rnd_fp(&s);
    zk_fp_batch_inv(v, 64, scratch);
    for (int i = 0; i < 64; i++)
        assert_int_equal(v[i], w[i] ? zk_fp_inv(w[i]) : 0);
    /* roots of unity: exact order 2^k */
    for (unsigned k = 0; k <= 32; k++) {
        zk_fp r = zk_fp_root_of_unity(k);
        assert_int_equal(zk_fp_pow(r, 1ull << k), 1);
        if (k > 0)
            assert_int_equal(zk_fp_pow(r, 1ull << (k - 1)), ZK_P - 1);
    }
    assert_int_equal(zk_fp_root_of_unity(32), zk_fp_pow(7, (ZK_P - 1) >> 32));
    assert_int_equal(zk_fp_root_of_unity(33), 0);
    /* 7 generates the multiplicative group: 7^((p-1)/q) != 1 for each prime q | p-1 */
    const uint64_t primes[] = { 2, 3, 5, 17, 257, 65537 };
    for (size_t i = 0; i < 6; i++)
        assert_true(zk_fp_pow(7, (ZK_P - 1) / primes[i]) != 1);
}

static void test_serialization(void **state)
{
    (void)state;
    uint8_t b[16];
    zk_fp x;
    zk_fp_to_bytes(ZK_P - 1, b);
    assert_true(zk_fp_from_bytes(b, &x));
    assert_int_equal(x, ZK_P - 1);
    zk_fp_to_bytes(0, b);
    for (int i = 0; i < 8; i++) /* p itself and above: non-canonical, refused */
        b[i] = (uint8_t)(ZK_P >> (8 * i));
    assert_false(zk_fp_from_bytes(b, &x));
    memset(b, 0xff, 8);
    assert_false(zk_fp_from_bytes(b, &x));
    zk_fp2 y = zk_fp2_make(5, ZK_P - 3), z;
    zk_fp2_to_bytes(y, b);
    assert_true(zk_fp2_from_bytes(b, &z));
    assert_true(zk_fp2_eq(y, z));
    b[15] = 0xff;
    b[14] = 0xff;
    b[13] = 0xff;
    b[12] = 0xff;
    b[11] = 0xff;
    b[10] = 0xff;
    b[9] = 0xff;
    b[8] = 0xff;
    assert_false(zk_fp2_from_bytes(b, &z));
    /* signed embedding */
    assert_int_equal(zk_fp_from_i64(-1), ZK_P - 1);
    assert_int_equal(zk_fp_from_i64(INT64_MIN), ZK_P - (1ull << 63));
    assert_int_equal(zk_fp_to_i64(zk_fp_from_i64(-123456789)), -123456789);
    assert_int_equal(zk_fp_to_i64(zk_fp_from_i64(INT32_MAX)), INT32_MAX);
}

static void test_extension(void **state)
{
    (void)state;
    /* X^2 - 7 is irreducible: 7 is a non-residue (Legendre symbol -1) */
    mpz_t seven;
    mpz_init_set_ui(seven, 7);
    assert_int_equal(mpz_legendre(seven, P), -1);
    mpz_clear(seven);
    uint64_t s = zt_seed("field/ext");
    for (int i = 0; i < 20000; i++) {
        zk_fp2 a = zk_fp2_make(rnd_fp(&s), rnd_fp(&s)), b = zk_fp2_make(rnd_fp(&s), rnd_fp(&s));
        if (i < (int)N_EDGES) {
            a = zk_fp2_make(edges[i] % ZK_P, edges[N_EDGES - 1 - i] % ZK_P);
            b = zk_fp2_make(ZK_P - 1, ZK_P - 1);
        }
        zk_fp2 m = zk_fp2_mul(a, b);
        /* oracle: (a0 + a1 X)(b0 + b1 X) with X^2 = 7, computed by GMP */
        uint64_t c0 = g_add(g_mul(a.c0, b.c0), g_mul(7, g_mul(a.c1, b.c1)), 0);
        uint64_t c1 = g_add(g_mul(a.c0, b.c1), g_mul(a.c1, b.c0), 0);
        assert_int_equal(m.c0, c0);
        assert_int_equal(m.c1, c1);
        if (!zk_fp2_is_zero(a)) {
            zk_fp2 one = zk_fp2_mul(a, zk_fp2_inv(a));
            assert_int_equal(one.c0, 1);
            assert_int_equal(one.c1, 0);
        }
        /* distributivity and the base-field embedding */
        zk_fp2 l = zk_fp2_mul(a, zk_fp2_add(b, b)), r = zk_fp2_add(m, m);
        assert_true(zk_fp2_eq(l, r));
        assert_true(zk_fp2_eq(zk_fp2_mul_fp(a, b.c0), zk_fp2_mul(a, zk_fp2_from_fp(b.c0))));
    }
    /* Frobenius: a^p = conj(a) for the quadratic extension */
    zk_fp2 a = zk_fp2_make(12345, 67890), ap = zk_fp2_pow(a, ZK_P);
    assert_int_equal(ap.c0, 12345);
    assert_int_equal(ap.c1, ZK_P - 67890);
    zk_fp2 v[9], w[9], sc[9];
    for (int i = 0; i < 9; i++)
        v[i] = w[i] = i == 4 ? zk_fp2_make(0, 0) : zk_fp2_make(rnd_fp(&s), rnd_fp(&s));
    zk_fp2_batch_inv(v, 9, sc);
    for (int i = 0; i < 9; i++)
        assert_true(zk_fp2_eq(v[i], zk_fp2_inv(w[i])));
}

int main(void)
{
    mpz_init(P);
    mpz_set_u64(P, ZK_P);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reduce_edges),        cmocka_unit_test(test_random_against_gmp),
        cmocka_unit_test(test_inverse_pow_roots),   cmocka_unit_test(test_serialization),
        cmocka_unit_test(test_extension),
    };
    int rc = cmocka_run_group_tests_name("field", tests, NULL, NULL);
    mpz_clear(P);
    return rc;
}
