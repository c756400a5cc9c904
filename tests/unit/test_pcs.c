/* tests/unit/test_pcs.c - the Ligero-style polynomial commitment.
 *
 * Completeness at sizes 2^1 .. 2^22; soundness: a wrong claimed value, a
 * different point, a different commitment root, parameters below the
 * security floor, truncation, trailing bytes, and thousands of single-byte
 * flips at random positions of real openings are all rejected.  The
 * low-memory path (encoded matrix not kept) gives the same commitment and
 * the same opening bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"
#include "zk/encode.h"
#include "zk/pcs.h"

static zk_fp rnd_fp(uint64_t *s)
{
    uint64_t v;
    do
        v = zt_next(s);
    while (v >= ZK_P);
    return v;
}

typedef struct {
    zk_pcs_commitment com;
    zk_fp2 point[32];
    zk_fp2 value;
    uint8_t *proof;
    size_t len;
} opening;

/* Commit to v, open at a random point; returns the opening bytes. */
static void make_opening(const zk_fp *v, const zk_pcs_params *p, uint64_t *s, opening *o)
{
    zk_pcs_prover *pp = NULL;
    za_error err;
    assert_int_equal(zk_pcs_commit(v, p, 2, &pp, &o->com, &err), ZA_OK);
    for (unsigned i = 0; i < p->log_n; i++)
        o->point[i] = zk_fp2_make(rnd_fp(s), rnd_fp(s));
    o->value = zk_pcs_eval(v, p->log_n, o->point);
    zk_transcript t;
    zk_transcript_init(&t, "test/pcs");
    zk_pcs_absorb_commitment(&t, &o->com);
    zk_writer w;
    zk_writer_init(&w);
    assert_int_equal(zk_pcs_open(pp, o->point, o->value, &t, &w, &err), ZA_OK);
    o->proof = zk_writer_take(&w, &o->len);
    assert_non_null(o->proof);
    zk_pcs_prover_free(pp);
}

static za_status check(const opening *o, const zk_pcs_commitment *com, const zk_fp2 *point,
                       zk_fp2 value, const uint8_t *proof, size_t len, za_error *err)
{
    zk_transcript t;
    zk_transcript_init(&t, "test/pcs");
    zk_pcs_absorb_commitment(&t, com);
    zk_reader r;
    zk_reader_init(&r, proof, len, "proof", err);
    za_status st = zk_pcs_verify(com, point, value, &t, &r, err);
    if (st == ZA_OK)
        st = zk_reader_finish(&r);
    (void)o;
    return st;
}

static void test_default_params_are_secure(void **state)
{
    (void)state;
    /* up to 2^24 elements per commitment the conservative bound of
     * docs/proof-system.md gives >= 100 bits */
    for (unsigned n = 0; n <= 24; n++) {
        zk_pcs_params p;
        zk_pcs_default_params(n, &p);
        if (zk_pcs_security_bits(&p) < ZK_PCS_DEFAULT_SECURITY_BITS)
            fail_msg("2^%u: %.2f bits", n, zk_pcs_security_bits(&p));
        assert_true(p.log_rows <= n);
    }
    zk_pcs_params weak = { 10, 5, 2, 20, 0 };
    assert_true(zk_pcs_security_bits(&weak) < ZK_PCS_MIN_SECURITY_BITS);
}

static void test_completeness_all_sizes(void **state)
{
    (void)state;
    uint64_t s = zt_seed("pcs/complete");
    unsigned max_log = (unsigned)zt_iters(22);
    for (unsigned n = 1; n <= max_log; n++) {
        size_t N = (size_t)1 << n;
        zk_fp *v = malloc(sizeof(zk_fp) * N);
        for (size_t i = 0; i < N; i++)
            v[i] = (n & 1) ? rnd_fp(&s) : (zk_fp)(zt_next(&s) & 0xff); /* full and small values */
        zk_pcs_params p;
        zk_pcs_default_params(n, &p);
        opening o;
        make_opening(v, &p, &s, &o);
        za_error err;
        za_status st = check(&o, &o.com, o.point, o.value, o.proof, o.len, &err);
        if (st != ZA_OK)
            fail_msg("2^%u: %s", n, err.msg);
        if (n >= 16)
            printf("# 2^%u: rows 2^%u, proof %zu bytes\n", n, p.log_rows, o.len);
        free(o.proof);
        free(v);
    }
}

static void test_soundness(void **state)
{
    (void)state;
    uint64_t s = zt_seed("pcs/sound");
    for (unsigned n = 4; n <= 12; n += 4) {
        size_t N = (size_t)1 << n;
        zk_fp *v = malloc(sizeof(zk_fp) * N);
        for (size_t i = 0; i < N; i++)
            v[i] = rnd_fp(&s);
        zk_pcs_params p;
        zk_pcs_default_params(n, &p);
        opening o;
        make_opening(v, &p, &s, &o);
        za_error err;
        /* a wrong value */
        zk_fp2 bad = zk_fp2_add(o.value, zk_fp2_make(1, 0));
        assert_int_not_equal(check(&o, &o.com, o.point, bad, o.proof, o.len, &err), ZA_OK);
        /* another point */
        zk_fp2 pt[32];
        memcpy(pt, o.point, sizeof pt);
        pt[n - 1] = zk_fp2_add(pt[n - 1], zk_fp2_make(0, 1));
        assert_int_not_equal(check(&o, &o.com, pt, o.value, o.proof, o.len, &err), ZA_OK);
        /* another root */
        zk_pcs_commitment c2 = o.com;
        c2.root.h[7] ^= 0x10;
        assert_int_not_equal(check(&o, &c2, o.point, o.value, o.proof, o.len, &err), ZA_OK);
        /* weakened parameters are refused by the verifier */
        c2 = o.com;
        c2.params.n_queries = 10;
        assert_int_not_equal(check(&o, &c2, o.point, o.value, o.proof, o.len, &err), ZA_OK);
        assert_non_null(strstr(err.msg, "bits of security"));
        /* truncation and trailing bytes */
        assert_int_not_equal(check(&o, &o.com, o.point, o.value, o.proof, o.len - 1, &err), ZA_OK);
        uint8_t *longer = malloc(o.len + 1);
        memcpy(longer, o.proof, o.len);
        longer[o.len] = 0;
        assert_int_not_equal(check(&o, &o.com, o.point, o.value, longer, o.len + 1, &err), ZA_OK);
        free(longer);
        /* single-byte flips anywhere */
        const char *fe = getenv("ZKAUDIT_TEST_FLIPS");
        long flips = fe ? atol(fe) : 1500;
        uint8_t *m = malloc(o.len);
        for (long k = 0; k < flips; k++) {
            memcpy(m, o.proof, o.len);
            size_t pos = (size_t)(zt_next(&s) % o.len);
            m[pos] ^= (uint8_t)(1u << (zt_next(&s) % 8));
            if (check(&o, &o.com, o.point, o.value, m, o.len, &err) == ZA_OK)
                fail_msg("2^%u: flipping a bit of byte %zu of %zu was accepted", n, pos, o.len);
        }
        free(m);
        free(o.proof);
        /* a committed vector that differs from the one opened: commit to v,
         * then prove a claim about v' (one element changed) */
        zk_pcs_prover *pp;
        zk_pcs_commitment com;
        assert_int_equal(zk_pcs_commit(v, &p, 1, &pp, &com, &err), ZA_OK);
        zk_fp *v2 = malloc(sizeof(zk_fp) * N);
        memcpy(v2, v, sizeof(zk_fp) * N);
        v2[N / 3] = zk_fp_add(v2[N / 3], 1);
        zk_fp2 claimed = zk_pcs_eval(v2, n, o.point);
        zk_transcript t;
        zk_transcript_init(&t, "test/pcs");
        zk_pcs_absorb_commitment(&t, &com);
        zk_writer w;
        zk_writer_init(&w);
        /* the honest prover's proof for the wrong value fails the evaluation check */
        assert_int_equal(zk_pcs_open(pp, o.point, claimed, &t, &w, &err), ZA_OK);
        size_t len;
        uint8_t *pr = zk_writer_take(&w, &len);
        assert_int_not_equal(check(&o, &com, o.point, claimed, pr, len, &err), ZA_OK);
        free(pr);
        /* a cheating prover that fixes up u to pass it is caught by the columns */
        for (int trial = 0; trial < 20; trial++) {
            zk_fp2 wrong = zk_fp2_add(o.value, zk_fp2_make((zk_fp)trial + 1, 0));
            zk_transcript_init(&t, "test/pcs");
            zk_pcs_absorb_commitment(&t, &com);
            zk_writer_init(&w);
            assert_int_equal(zk_pcs_open_cheating(pp, o.point, wrong, &t, &w, &err), ZA_OK);
            pr = zk_writer_take(&w, &len);
            assert_int_equal(check(&o, &com, o.point, wrong, pr, len, &err), ZA_ERR_MISMATCH);
            assert_non_null(strstr(err.msg, "inconsistent with the evaluation vector"));
            free(pr);
        }
        zk_pcs_prover_free(pp);
        free(v2);
        free(v);
    }
}

static void test_lowmem_same_proofs(void **state)
{
    (void)state;
    for (unsigned log_n = 4; log_n <= 16; log_n += 3) {
        size_t n = (size_t)1 << log_n;
        zk_fp *v = malloc(sizeof(zk_fp) * n);
        uint64_t s = zt_seed("pcs-lowmem");
        for (size_t i = 0; i < n; i++)
            v[i] = rnd_fp(&s);
        zk_pcs_params p;
        zk_pcs_default_params(log_n, &p);
        opening a, b;
        uint64_t s1 = 7, s2 = 7;
        make_opening(v, &p, &s1, &a);
        zk_pcs_set_lowmem_elems(1); /* every matrix streamed */
        make_opening(v, &p, &s2, &b);
        zk_pcs_set_lowmem_elems((size_t)1 << 28);
        assert_memory_equal(a.com.root.h, b.com.root.h, 32);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.proof, b.proof, a.len);
        za_error err;
        assert_int_equal(check(&b, &b.com, b.point, b.value, b.proof, b.len, &err), ZA_OK);
        free(a.proof), free(b.proof), free(v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_params_are_secure),
        cmocka_unit_test(test_completeness_all_sizes),
        cmocka_unit_test(test_soundness),
        cmocka_unit_test(test_lowmem_same_proofs),
    };
    return cmocka_run_group_tests_name("pcs", tests, NULL, NULL);
}
