/* tests/unit/test_sampling.c - audit parameters, seed commit-reveal and the
 * index draw (protocol/sampling.h).
 *
 * Known answers were computed by an independent Python implementation of the
 * byte layouts in sampling.h (hashlib + struct), so a change to the stream,
 * the rejection rule or the shuffle shows up here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/hex.h"
#include "protocol/sampling.h"
#include "tests/unit/testutil.h"

static zp_audit_params fixed_params(void)
{
    zp_audit_params p = { 0.95, 0.05, 400, ZP_STOP_FIXED, 0, 0 };
    return p;
}

static void test_params_text(void **state)
{
    (void)state;
    char text[ZP_AUDIT_PARAMS_TEXT_MAX];
    za_error err;
    zp_audit_params p = fixed_params(), q;
    assert_int_equal(zp_audit_params_format(&p, text, sizeof text, &err), ZA_OK);
    assert_string_equal(text, "zkaudit-audit/v1;confidence=0.95;margin=0.05;max_samples=400;"
                              "stop=fixed;invalid=wrong");
    assert_int_equal(zp_audit_params_parse(text, &q, &err), ZA_OK);
    assert_true(q.confidence == 0.95 && q.margin == 0.05 && q.max_samples == 400 &&
                q.stop == ZP_STOP_FIXED);
    uint8_t h[32];
    char hex[65];
    assert_int_equal(zp_audit_params_hash(&p, h, &err), ZA_OK);
    za_hex_encode(h, 32, hex);
    assert_string_equal(hex, "b8ce26eca1246312c8fcc2a221bf0b6bde477ec89b6c34f5e4f748f342cb213c");

    zp_audit_params s = { 0.99, 0.02, 1000, ZP_STOP_SPRT, 0.9, 0.85 };
    assert_int_equal(zp_audit_params_format(&s, text, sizeof text, &err), ZA_OK);
    assert_non_null(strstr(text, "stop=sprt;threshold=0.9;threshold0=0.85;"));
    assert_int_equal(zp_audit_params_parse(text, &q, &err), ZA_OK);
    assert_true(q.threshold == 0.9 && q.threshold0 == 0.85 && q.stop == ZP_STOP_SPRT);

    /* a value that needs 17 digits still round-trips */
    p.confidence = 0.1 + 0.2;
    assert_int_equal(zp_audit_params_format(&p, text, sizeof text, &err), ZA_OK);
    assert_int_equal(zp_audit_params_parse(text, &q, &err), ZA_OK);
    assert_true(q.confidence == p.confidence);
}

static void test_params_refused(void **state)
{
    (void)state;
    za_error err;
    zp_audit_params q;
    static const struct {
        const char *text, *msg;
    } bad[] = {
        { "zkaudit-audit/v2;confidence=0.95;margin=0.05;max_samples=400;stop=fixed;"
          "invalid=wrong", "does not start" },
        { "zkaudit-audit/v1;confidence=0.950;margin=0.05;max_samples=400;stop=fixed;"
          "invalid=wrong", "canonical" },
        { "zkaudit-audit/v1;confidence=0.95;margin=0.05;max_samples=400;stop=fixed",
          "canonical" },
        { "zkaudit-audit/v1;confidence=1;margin=0.05;max_samples=400;stop=fixed;"
          "invalid=wrong", "confidence 1" },
        { "zkaudit-audit/v1;confidence=0.95;margin=0.5;max_samples=400;stop=fixed;"
          "invalid=wrong", "margin 0.5" },
        { "zkaudit-audit/v1;confidence=0.95;margin=0.05;max_samples=0;stop=fixed;"
          "invalid=wrong", "max_samples 0" },
        { "zkaudit-audit/v1;confidence=0.95;margin=0.05;max_samples=4x;stop=fixed;"
          "invalid=wrong", "max_samples" },
        { "zkaudit-audit/v1;confidence=nan;margin=0.05;max_samples=4;stop=fixed;"
          "invalid=wrong", "not a number" },
        { "zkaudit-audit/v1;confidence=0.95;margin=0.05;max_samples=4;stop=never;"
          "invalid=wrong", "unknown stop rule" },
        { "zkaudit-audit/v1;confidence=0.95;margin=0.05;max_samples=4;stop=sprt;"
          "threshold=0.8;threshold0=0.9;invalid=wrong", "threshold0" },
        { "zkaudit-audit/v1;confidence=0.95;margin=0.05;max_samples=4;stop=sprt;"
          "invalid=wrong", "SPRT thresholds missing" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        za_status st = zp_audit_params_parse(bad[i].text, &q, &err);
        if (st == ZA_OK || !strstr(err.msg, bad[i].msg))
            fail_msg("case %zu: status %d, message \"%s\" lacks \"%s\"", i, st, err.msg,
                     bad[i].msg);
    }
}

static void test_seed_commitment(void **state)
{
    (void)state;
    uint8_t seed[32], other[32], c[32];
    za_error err;
    assert_int_equal(zp_seed_random(seed, &err), ZA_OK);
    assert_int_equal(zp_seed_random(other, &err), ZA_OK);
    assert_memory_not_equal(seed, other, 32);
    zp_seed_commitment(seed, c);
    assert_true(zp_seed_commitment_check(c, seed));
    for (int bit = 0; bit < 256; bit++) {
        memcpy(other, seed, 32);
        other[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_false(zp_seed_commitment_check(c, other));
    }
}

static void test_sample_seed_binds_everything(void **state)
{
    (void)state;
    zp_sample_transcript t;
    memset(&t, 0, sizeof t);
    memset(t.dataset_root, 1, 32);
    t.dataset_count = 10000;
    memset(t.model_id, 2, 32);
    memset(t.params_hash, 3, 32);
    memset(t.buyer_seed, 4, 32);
    memset(t.seller_seed, 5, 32);
    uint8_t s0[32], s1[32];
    char hex[65];
    zp_sample_seed(&t, s0);
    za_hex_encode(s0, 32, hex);
    assert_string_equal(hex, "13ff8743d1dec0b96e5ff0857e9b8116d45be031389ce0a379491b4131b8045f");
    /* every input changes the seed */
    uint8_t *fields[] = { t.dataset_root, t.model_id, t.params_hash, t.buyer_seed,
                          t.seller_seed };
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        fields[f][31] ^= 0x80;
        zp_sample_seed(&t, s1);
        assert_memory_not_equal(s0, s1, 32);
        fields[f][31] ^= 0x80;
    }
    t.dataset_count++;
    zp_sample_seed(&t, s1);
    assert_memory_not_equal(s0, s1, 32);
    t.dataset_count--;
    /* a beacon replaces the seller's seed: with the same 32 bytes it is
     * still another seed (the tag byte differs) */
    t.use_beacon = 1;
    memcpy(t.beacon_hash, t.seller_seed, 32);
    zp_sample_seed(&t, s1);
    assert_memory_not_equal(s0, s1, 32);
    /* and then the seller's seed no longer matters */
    uint8_t s2[32];
    t.seller_seed[0] ^= 1;
    zp_sample_seed(&t, s2);
    assert_memory_equal(s1, s2, 32);
}

static void test_known_indices(void **state)
{
    (void)state;
    uint8_t seed[32], zero[32] = { 0 };
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)i;
    uint64_t got[8];
    za_error err;
    static const uint64_t want1[8] = { 598, 4018, 7189, 2616, 6931, 5187, 3597, 3997 };
    static const uint64_t want2[5] = { 40881, 25789, 12010, 14021, 34844 };
    static const uint64_t want3[5] = { 3, 4, 1, 0, 2 };
    assert_int_equal(zp_sample_indices(seed, 10000, 8, got, &err), ZA_OK);
    assert_memory_equal(got, want1, sizeof want1);
    assert_int_equal(zp_sample_indices(zero, 60000, 5, got, &err), ZA_OK);
    assert_memory_equal(got, want2, sizeof want2);
    assert_int_equal(zp_sample_indices(seed, 5, 5, got, &err), ZA_OK);
    assert_memory_equal(got, want3, sizeof want3);
}

static void test_indices_properties(void **state)
{
    (void)state;
    uint64_t rng = zt_seed("sampling");
    za_error err;
    for (int trial = 0; trial < 50; trial++) {
        uint8_t seed[32];
        for (int i = 0; i < 32; i++)
            seed[i] = (uint8_t)zt_next(&rng);
        uint64_t N = 1 + zt_next(&rng) % 3000, n = zt_next(&rng) % (N + 1);
        uint64_t *a = malloc(sizeof(uint64_t) * (N + 1)), *b = malloc(sizeof(uint64_t) * (N + 1));
        uint8_t *seen = calloc(N, 1);
        assert_non_null(a);
        assert_non_null(b);
        assert_non_null(seen);
        assert_int_equal(zp_sample_indices(seed, N, n, a, &err), ZA_OK);
        for (uint64_t i = 0; i < n; i++) {
            assert_true(a[i] < N);
            assert_false(seen[a[i]]); /* without replacement */
            seen[a[i]] = 1;
        }
        /* every prefix is the draw of that size (sequential stopping) */
        uint64_t k = n ? zt_next(&rng) % n : 0;
        assert_int_equal(zp_sample_indices(seed, N, k, b, &err), ZA_OK);
        if (k)
            assert_memory_equal(a, b, sizeof(uint64_t) * k);
        /* n = N is a permutation */
        assert_int_equal(zp_sample_indices(seed, N, N, a, &err), ZA_OK);
        memset(seen, 0, N);
        for (uint64_t i = 0; i < N; i++) {
            assert_false(seen[a[i]]);
            seen[a[i]] = 1;
        }
        free(a), free(b), free(seen);
    }
    uint64_t one;
    uint8_t seed[32] = { 9 };
    assert_int_equal(zp_sample_indices(seed, 5, 6, &one, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "6 samples asked of a dataset of 5"));
    assert_int_equal(zp_sample_indices(seed, UINT64_MAX, ZP_MAX_SAMPLES + 1, &one, &err),
                     ZA_ERR_LIMIT);
    /* huge N: draws spread over the whole range */
    uint64_t big[64];
    assert_int_equal(zp_sample_indices(seed, UINT64_MAX, 64, big, &err), ZA_OK);
    int high = 0;
    for (int i = 0; i < 64; i++)
        high += big[i] >= (UINT64_MAX >> 1);
    assert_true(high > 16 && high < 48);
}

/* Chi-square over many seeds: position 0, 1 and 2 of draws from N = 10 are
 * each uniform, and so is the pair (position 0, position 1) over the 90
 * ordered pairs.  Thresholds are the 0.999 quantiles (9 dof: 27.88; 89 dof:
 * 135.98), so an honest implementation fails once in a thousand seeds; the
 * seeds are fixed, so the test is deterministic. */
static void test_uniformity(void **state)
{
    (void)state;
    enum { N = 10, TRIALS = 36000 };
    static unsigned pos[3][N], pair[N][N];
    memset(pos, 0, sizeof pos);
    memset(pair, 0, sizeof pair);
    za_error err;
    for (uint32_t t = 0; t < TRIALS; t++) {
        uint8_t seed[32] = { 0 };
        memcpy(seed, &t, sizeof t);
        seed[31] = 0x5a;
        uint64_t a[3];
        assert_int_equal(zp_sample_indices(seed, N, 3, a, &err), ZA_OK);
        for (int k = 0; k < 3; k++)
            pos[k][a[k]]++;
        pair[a[0]][a[1]]++;
    }
    for (int k = 0; k < 3; k++) {
        double e = TRIALS / (double)N, chi = 0;
        for (int i = 0; i < N; i++)
            chi += (pos[k][i] - e) * (pos[k][i] - e) / e;
        if (chi > 27.88)
            fail_msg("position %d: chi-square %.2f over 9 dof", k, chi);
    }
    double e = TRIALS / 90.0, chi = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            if (i == j) {
                assert_int_equal(pair[i][j], 0);
                continue;
            }
            chi += (pair[i][j] - e) * (pair[i][j] - e) / e;
        }
    if (chi > 135.98)
        fail_msg("pairs: chi-square %.2f over 89 dof", chi);
}

static void test_stream_uniform(void **state)
{
    (void)state;
    uint8_t seed[32] = { 7 };
    zp_stream s;
    zp_stream_init(&s, seed);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(zp_stream_uniform(&s, 1), 0);
    /* m just above 2^63: almost half the words are rejected, and every
     * result is below m */
    uint64_t m = ((uint64_t)1 << 63) + 1;
    for (int i = 0; i < 1000; i++)
        assert_true(zp_stream_uniform(&s, m) < m);
    /* counter mode: the same seed gives the same words, another seed others */
    zp_stream a, b;
    uint8_t other[32] = { 8 };
    zp_stream_init(&a, seed);
    zp_stream_init(&b, seed);
    for (int i = 0; i < 9; i++)
        assert_true(zp_stream_u64(&a) == zp_stream_u64(&b));
    zp_stream_init(&b, other);
    zp_stream_init(&a, seed);
    assert_true(zp_stream_u64(&a) != zp_stream_u64(&b));
}

static void test_indices_hash(void **state)
{
    (void)state;
    uint64_t a[3] = { 1, 2, 3 }, b[3] = { 2, 1, 3 };
    uint8_t ha[32], hb[32], hc[32];
    zp_indices_hash(a, 3, ha);
    zp_indices_hash(b, 3, hb);
    zp_indices_hash(a, 2, hc);
    assert_memory_not_equal(ha, hb, 32); /* order matters */
    assert_memory_not_equal(ha, hc, 32); /* length matters */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_text),
        cmocka_unit_test(test_params_refused),
        cmocka_unit_test(test_seed_commitment),
        cmocka_unit_test(test_sample_seed_binds_everything),
        cmocka_unit_test(test_known_indices),
        cmocka_unit_test(test_indices_properties),
        cmocka_unit_test(test_uniformity),
        cmocka_unit_test(test_stream_uniform),
        cmocka_unit_test(test_indices_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
