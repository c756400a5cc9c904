/* tests/unit/test_commit.c - several vectors in one commitment, many claims
 * in one opening: completeness for mixed sizes, and rejection of a wrong
 * value, a claim moved to another vector, a changed point, a layout that
 * disagrees with the commitment, and bit flips. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"
#include "zk/commit.h"
#include "zk/mle.h"

static zk_fp rnd_fp(uint64_t *s)
{
    uint64_t v;
    do
        v = zt_next(s);
    while (v >= ZK_P);
    return v;
}

static za_status verify(const zk_pcs_commitment *com, const zk_multi_layout *L,
                        const zk_multi_claim *cl, unsigned n, const uint8_t *p, size_t len,
                        za_error *err)
{
    zk_transcript t;
    zk_transcript_init(&t, "test/commit");
    zk_pcs_absorb_commitment(&t, com);
    zk_reader r;
    zk_reader_init(&r, p, len, "proof", err);
    za_status st = zk_multi_verify(com, L, cl, n, &t, &r, err);
    return st == ZA_OK ? zk_reader_finish(&r) : st;
}

static void test_multi(void **state)
{
    (void)state;
    uint64_t s = zt_seed("commit/multi");
    const size_t lens[] = { 3, 1000, 4096, 17, 1, 300 };
    const unsigned nv = sizeof lens / sizeof lens[0];
    zk_fp *vecs[6];
    for (unsigned i = 0; i < nv; i++) {
        vecs[i] = malloc(sizeof(zk_fp) * lens[i]);
        for (size_t j = 0; j < lens[i]; j++)
            vecs[i][j] = rnd_fp(&s);
    }
    zk_multi_prover *mp;
    zk_pcs_commitment com;
    zk_multi_layout L;
    za_error err;
    assert_int_equal(zk_multi_commit((const zk_fp *const *)vecs, lens, nv, 2, &mp, &com, &L, &err),
                     ZA_OK);
    /* layout: aligned, disjoint, inside the table */
    for (unsigned i = 0; i < nv; i++) {
        assert_int_equal(L.offset[i] % ((uint64_t)1 << L.log_len[i]), 0);
        assert_true(L.offset[i] + ((uint64_t)1 << L.log_len[i]) <= ((uint64_t)1 << L.log_total));
        for (unsigned j = 0; j < nv; j++)
            if (i != j)
                assert_true(L.offset[i] + ((uint64_t)1 << L.log_len[i]) <= L.offset[j] ||
                            L.offset[j] + ((uint64_t)1 << L.log_len[j]) <= L.offset[i]);
    }
    zk_multi_claim cl[12];
    unsigned nc = 0;
    for (unsigned i = 0; i < nv; i++)
        for (int rep = 0; rep < 2; rep++) {
            cl[nc].vec = i;
            for (unsigned j = 0; j < L.log_len[i]; j++)
                cl[nc].point[j] = zk_fp2_make(rnd_fp(&s), rnd_fp(&s));
            /* the claim is about the zero-padded vector, computed directly */
            size_t P = (size_t)1 << L.log_len[i];
            zk_fp *pad = calloc(P, sizeof(zk_fp));
            memcpy(pad, vecs[i], sizeof(zk_fp) * lens[i]);
            cl[nc].value = zk_mle_eval(pad, L.log_len[i], cl[nc].point);
            assert_true(zk_fp2_eq(cl[nc].value, zk_multi_eval(mp, i, cl[nc].point)));
            free(pad);
            nc++;
        }
    zk_transcript t;
    zk_transcript_init(&t, "test/commit");
    zk_pcs_absorb_commitment(&t, &com);
    zk_writer w;
    zk_writer_init(&w);
    assert_int_equal(zk_multi_open(mp, cl, nc, &t, &w, &err), ZA_OK);
    size_t len;
    uint8_t *p = zk_writer_take(&w, &len);
    if (verify(&com, &L, cl, nc, p, len, &err) != ZA_OK)
        fail_msg("%s", err.msg);
    /* a wrong value */
    zk_multi_claim bad[12];
    memcpy(bad, cl, sizeof bad);
    bad[5].value = zk_fp2_add(bad[5].value, zk_fp2_make(1, 0));
    assert_int_not_equal(verify(&com, &L, bad, nc, p, len, &err), ZA_OK);
    /* the same claim attributed to another vector of the same padded size */
    memcpy(bad, cl, sizeof bad);
    bad[0].vec = 3; /* vector 0 (3 elements) and 3 (17) differ in size: refuse either way */
    assert_int_not_equal(verify(&com, &L, bad, nc, p, len, &err), ZA_OK);
    /* a changed point */
    memcpy(bad, cl, sizeof bad);
    bad[2].point[0] = zk_fp2_add(bad[2].point[0], zk_fp2_make(0, 1));
    assert_int_not_equal(verify(&com, &L, bad, nc, p, len, &err), ZA_OK);
    /* a layout that disagrees with the commitment */
    zk_multi_layout L2 = L;
    L2.log_total++;
    assert_int_equal(verify(&com, &L2, cl, nc, p, len, &err), ZA_ERR_MISMATCH);
    /* bit flips */
    uint8_t *m = malloc(len);
    for (int k = 0; k < 400; k++) {
        memcpy(m, p, len);
        size_t pos = (size_t)(zt_next(&s) % len);
        m[pos] ^= (uint8_t)(1u << (zt_next(&s) % 8));
        if (verify(&com, &L, cl, nc, m, len, &err) == ZA_OK)
            fail_msg("flip at byte %zu of %zu accepted", pos, len);
    }
    free(m);
    free(p);
    zk_multi_prover_free(mp);
    for (unsigned i = 0; i < nv; i++)
        free(vecs[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_multi) };
    return cmocka_run_group_tests_name("commit", tests, NULL, NULL);
}
