/* tests/unit/test_transcript.c - the Fiat-Shamir transcript: determinism;
 * sensitivity to the protocol name, labels, data and order; length
 * prefixing (a split message or a shifted label/data boundary differs from
 * the whole); the typed absorbs equal absorbing their canonical bytes;
 * index challenges always below the bound (1, 2, 3, 2^32+1, 2^63+1,
 * 2^64-1) and uniform by a chi-square test (10^5 draws, 10 buckets, fixed
 * transcript so the result is reproducible); field challenges canonical. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tests/unit/testutil.h"
#include "zk/transcript.h"

static uint64_t seed;

static void assert_same(const zk_transcript *a, const zk_transcript *b)
{
    assert_memory_equal(a->state, b->state, 32);
}

static void assert_differ(const zk_transcript *a, const zk_transcript *b)
{
    assert_memory_not_equal(a->state, b->state, 32);
}

/* a transcript after a fixed prelude */
static void start(zk_transcript *t)
{
    zk_transcript_init(t, "zkaudit/test");
    zk_transcript_absorb(t, "model", "descriptor", 10);
}

static void test_determinism(void **state)
{
    (void)state;
    zk_transcript a, b;
    start(&a);
    start(&b);
    assert_same(&a, &b);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(zk_transcript_challenge_fp(&a, "r"), zk_transcript_challenge_fp(&b, "r"));
        zk_fp2 x = zk_transcript_challenge_fp2(&a, "r2"), y = zk_transcript_challenge_fp2(&b, "r2");
        assert_true(zk_fp2_eq(x, y));
        assert_int_equal(zk_transcript_challenge_index(&a, "q", 1000),
                         zk_transcript_challenge_index(&b, "q", 1000));
        assert_same(&a, &b);
    }
    /* successive challenges differ (the state ratchets) */
    start(&a);
    zk_fp c1 = zk_transcript_challenge_fp(&a, "r"), c2 = zk_transcript_challenge_fp(&a, "r");
    assert_int_not_equal(c1, c2);
    /* a vector of extension challenges is the sequence of single ones */
    zk_fp2 v[4];
    start(&a);
    start(&b);
    zk_transcript_challenge_fp2_vec(&a, "pt", v, 4);
    for (int i = 0; i < 4; i++)
        assert_true(zk_fp2_eq(v[i], zk_transcript_challenge_fp2(&b, "pt")));
    assert_same(&a, &b);
}

static void test_sensitivity(void **state)
{
    (void)state;
    zk_transcript a, b;
    /* protocol name */
    zk_transcript_init(&a, "zkaudit/test");
    zk_transcript_init(&b, "zkaudit/tesu");
    assert_differ(&a, &b);
    /* label */
    start(&a);
    start(&b);
    zk_transcript_absorb(&a, "round1", "xyz", 3);
    zk_transcript_absorb(&b, "round2", "xyz", 3);
    assert_differ(&a, &b);
    assert_int_not_equal(zk_transcript_challenge_fp(&a, "r"), zk_transcript_challenge_fp(&b, "r"));
    /* data, one bit */
    start(&a);
    start(&b);
    zk_transcript_absorb(&a, "m", "xyz", 3);
    zk_transcript_absorb(&b, "m", "xyy", 3);
    assert_differ(&a, &b);
    /* empty data vs no absorb, and empty vs a zero byte */
    start(&a);
    start(&b);
    zk_transcript_absorb(&a, "m", "", 0);
    assert_differ(&a, &b);
    start(&b);
    zk_transcript_absorb(&b, "m", "\0", 1);
    assert_differ(&a, &b);
    /* the challenge label */
    start(&a);
    start(&b);
    assert_int_not_equal(zk_transcript_challenge_fp(&a, "alpha"),
                         zk_transcript_challenge_fp(&b, "beta"));
    assert_differ(&a, &b);
    /* order of absorbs */
    start(&a);
    start(&b);
    zk_transcript_absorb_u64(&a, "x", 1);
    zk_transcript_absorb_u64(&a, "y", 2);
    zk_transcript_absorb_u64(&b, "y", 2);
    zk_transcript_absorb_u64(&b, "x", 1);
    assert_differ(&a, &b);
    /* random messages: every change of one byte changes the state */
    uint64_t s = seed ^ 0x8008;
    for (int it = 0; it < 200; it++) {
        uint8_t m[64], m2[64];
        size_t len = 1 + zt_next(&s) % sizeof m;
        for (size_t i = 0; i < len; i++)
            m[i] = (uint8_t)zt_next(&s);
        memcpy(m2, m, len);
        m2[zt_next(&s) % len] ^= (uint8_t)(1u << (zt_next(&s) % 8));
        start(&a);
        start(&b);
        zk_transcript_absorb(&a, "msg", m, len);
        zk_transcript_absorb(&b, "msg", m2, len);
        assert_differ(&a, &b);
        /* a prefix of the message is a different message */
        start(&b);
        zk_transcript_absorb(&b, "msg", m, len - 1);
        assert_differ(&a, &b);
    }
}

static void test_length_prefixing(void **state)
{
    (void)state;
    zk_transcript a, b, c;
    /* a split message is not the whole */
    start(&a);
    start(&b);
    zk_transcript_absorb(&a, "m", "abcd", 4);
    zk_transcript_absorb(&b, "m", "ab", 2);
    zk_transcript_absorb(&b, "m", "cd", 2);
    assert_differ(&a, &b);
    /* nor split differently */
    start(&c);
    zk_transcript_absorb(&c, "m", "abc", 3);
    zk_transcript_absorb(&c, "m", "d", 1);
    assert_differ(&b, &c);
    /* the label/data boundary is fixed */
    start(&a);
    start(&b);
    zk_transcript_absorb(&a, "ab", "cd", 2);
    zk_transcript_absorb(&b, "a", "bcd", 3);
    assert_differ(&a, &b);
    start(&b);
    zk_transcript_absorb(&b, "abc", "d", 1);
    assert_differ(&a, &b);
    /* a vector of field elements split in two differs from the whole */
    zk_fp v[4] = { 1, 2, 3, 4 };
    start(&a);
    start(&b);
    zk_transcript_absorb_fp(&a, "v", v, 4);
    zk_transcript_absorb_fp(&b, "v", v, 2);
    zk_transcript_absorb_fp(&b, "v", v + 2, 2);
    assert_differ(&a, &b);
}

/* the typed absorbs are the byte absorb of the canonical encoding */
static void test_typed_absorbs(void **state)
{
    (void)state;
    uint64_t s = seed ^ 0x9009;
    zk_transcript a, b;
    enum { N = 150 }; /* more than one internal chunk of 64 / 32 */
    zk_fp v[N];
    zk_fp2 w[N];
    uint8_t enc[16 * N];
    for (int i = 0; i < N; i++) {
        v[i] = zt_next(&s) % ZK_P;
        w[i] = zk_fp2_make(zt_next(&s) % ZK_P, zt_next(&s) % ZK_P);
    }
    for (int i = 0; i < N; i++)
        zk_fp_to_bytes(v[i], enc + 8 * i);
    start(&a);
    start(&b);
    zk_transcript_absorb_fp(&a, "v", v, N);
    zk_transcript_absorb(&b, "v", enc, 8 * N);
    assert_same(&a, &b);
    for (int i = 0; i < N; i++)
        zk_fp2_to_bytes(w[i], enc + 16 * i);
    zk_transcript_absorb_fp2(&a, "w", w, N);
    zk_transcript_absorb(&b, "w", enc, 16 * N);
    assert_same(&a, &b);
    uint8_t u[8] = { 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 };
    zk_transcript_absorb_u64(&a, "u", 0x0102030405060708ull);
    zk_transcript_absorb(&b, "u", u, 8);
    assert_same(&a, &b);
    /* empty vectors */
    zk_transcript_absorb_fp(&a, "e", v, 0);
    zk_transcript_absorb(&b, "e", NULL, 0);
    assert_same(&a, &b);
}

static void test_index_bounds(void **state)
{
    (void)state;
    zk_transcript t;
    start(&t);
    const uint64_t bounds[] = { 1, 2, 3, 7, 1000, ((uint64_t)1 << 32) + 1,
                                ((uint64_t)1 << 63) + 1, UINT64_MAX - 1, UINT64_MAX };
    for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++) {
        uint64_t hi = 0, lo = UINT64_MAX;
        for (int i = 0; i < 2000; i++) {
            uint64_t v = zk_transcript_challenge_index(&t, "q", bounds[b]);
            assert_true(v < bounds[b]);
            hi = v > hi ? v : hi;
            lo = v < lo ? v : lo;
        }
        if (bounds[b] == 1)
            assert_int_equal(hi, 0);
        if (bounds[b] == 3) { /* all three values appear */
            assert_int_equal(lo, 0);
            assert_int_equal(hi, 2);
        }
        /* for 2^63+1 (rejection rate ~1/2) the draws spread over the range */
        if (bounds[b] == ((uint64_t)1 << 63) + 1)
            assert_true(hi > ((uint64_t)1 << 62) && lo < ((uint64_t)1 << 61));
    }
}

static void test_index_uniform(void **state)
{
    (void)state;
    /* fixed transcript: the statistic is a deterministic number */
    zk_transcript t;
    zk_transcript_init(&t, "zkaudit/test/chi-square");
    enum { DRAWS = 100000, BUCKETS = 10 };
    long count[BUCKETS] = { 0 };
    long draws = DRAWS;
    for (long i = 0; i < draws; i++)
        count[zk_transcript_challenge_index(&t, "q", BUCKETS)]++;
    double expect = (double)draws / BUCKETS, chi2 = 0;
    for (int k = 0; k < BUCKETS; k++)
        chi2 += (count[k] - expect) * (count[k] - expect) / expect;
    print_message("# chi-square over %ld draws into %d buckets: %.2f (9 d.o.f.; 27.88 is "
                  "the 0.1%% critical value)\n",
                  draws, BUCKETS, chi2);
    assert_true(chi2 < 27.88);
    /* a bound that is not a power of two near 2^64, where a plain modulo
     * would be biased towards small values: the top bit is set about half
     * the time among the accepted values */
    const uint64_t big = ((uint64_t)3 << 62) + 12345; /* 0.75 * 2^64 */
    long top = 0, n2 = 20000;
    for (long i = 0; i < n2; i++)
        top += zk_transcript_challenge_index(&t, "q", big) >= ((uint64_t)1 << 63);
    /* P(v >= 2^63) = 1/3 for uniform v in [0, 0.75*2^64); 5 sigma ~ 0.017 */
    double frac = (double)top / (double)n2;
    assert_true(frac > 1.0 / 3 - 0.017 && frac < 1.0 / 3 + 0.017);
}

static void test_fp_canonical(void **state)
{
    (void)state;
    zk_transcript t;
    start(&t);
    int any_high = 0;
    for (int i = 0; i < 20000; i++) {
        zk_fp x = zk_transcript_challenge_fp(&t, "r");
        zk_fp2 y = zk_transcript_challenge_fp2(&t, "r2");
        assert_true(x < ZK_P);
        assert_true(y.c0 < ZK_P && y.c1 < ZK_P);
        any_high |= x >= ((uint64_t)1 << 63);
    }
    assert_true(any_high); /* the whole range is used */
}

int main(void)
{
    seed = zt_seed("transcript");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),    cmocka_unit_test(test_sensitivity),
        cmocka_unit_test(test_length_prefixing), cmocka_unit_test(test_typed_absorbs),
        cmocka_unit_test(test_index_bounds),   cmocka_unit_test(test_index_uniform),
        cmocka_unit_test(test_fp_canonical),
    };
    return cmocka_run_group_tests_name("transcript", tests, NULL, NULL);
}
