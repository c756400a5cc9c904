/* tests/unit/test_commit.c - several vectors in one commitment, many claims
 * in one opening: completeness for mixed sizes, and rejection of a wrong
 * value, a claim moved to another vector, a changed point, a layout that
 * disagrees with the commitment, and bit flips.  Hiding (mask rows): the
 * layout, the budget, the same rejections, and chi-square uniformity of
 * V~(z), all of u and the opened columns, with the plain commitment as the
 * control that must fail. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"
#include "zk/commit.h"
#include "zk/mle.h"
#include "zk/rand.h"
#include "zk/sumcheck.h"

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

/* ------------------------------------------------------------ hiding */

static void make_claims(const zk_multi_prover *mp, const zk_multi_layout *L, uint64_t *s,
                        zk_multi_claim *cl, unsigned *nc)
{
    *nc = 0;
    for (unsigned i = 0; i < L->n_vecs; i++) {
        cl[*nc].vec = i;
        for (unsigned j = 0; j < L->log_len[i]; j++)
            cl[*nc].point[j] = zk_fp2_make(rnd_fp(s), rnd_fp(s));
        cl[*nc].value = zk_multi_eval(mp, i, cl[*nc].point);
        (*nc)++;
    }
}

static uint8_t *open_claims(const zk_multi_prover *mp, const zk_pcs_commitment *com,
                            const zk_multi_claim *cl, unsigned nc, size_t *len, za_status *st,
                            za_error *err)
{
    zk_transcript t;
    zk_transcript_init(&t, "test/commit");
    zk_pcs_absorb_commitment(&t, com);
    zk_writer w;
    zk_writer_init(&w);
    *st = zk_multi_open(mp, cl, nc, &t, &w, err);
    if (*st != ZA_OK) {
        assert_int_equal(w.len, 0);
        zk_writer_free(&w);
        return NULL;
    }
    return zk_writer_take(&w, len);
}

/* A hiding commitment from a given seed (a private model's, recomputed by
 * every proof) is the same commitment every time; another seed or a fresh
 * one gives another root; and the seeded commitment opens and verifies. */
static void test_multi_seeded(void **state)
{
    (void)state;
    uint64_t s = zt_seed("commit/seeded");
    const size_t lens[] = { 1000, 33 };
    zk_fp *vecs[2];
    for (unsigned i = 0; i < 2; i++) {
        vecs[i] = malloc(sizeof(zk_fp) * lens[i]);
        for (size_t j = 0; j < lens[i]; j++)
            vecs[i][j] = rnd_fp(&s);
    }
    uint8_t seed[32], other[32];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)i, other[i] = (uint8_t)(i + 1);
    zk_pcs_commitment c[4];
    zk_multi_prover *mp[4];
    zk_multi_layout L;
    za_error err;
    const uint8_t *seeds[4] = { seed, seed, other, NULL };
    for (int k = 0; k < 4; k++) {
        zk_multi_commit_opts o = { 4, seeds[k] };
        assert_int_equal(zk_multi_commit_ex((const zk_fp *const *)vecs, lens, 2, &o, 2, &mp[k],
                                            &c[k], &L, &err), ZA_OK);
    }
    assert_memory_equal(&c[0], &c[1], sizeof c[0]);
    assert_memory_not_equal(c[0].root.h, c[2].root.h, 32);
    assert_memory_not_equal(c[0].root.h, c[3].root.h, 32);
    /* the same mask and padding: both provers open to the same bytes */
    zk_multi_claim cl[6];
    unsigned nc;
    uint64_t s2 = s;
    make_claims(mp[0], &L, &s, cl, &nc);
    size_t len0, len1;
    za_status st;
    uint8_t *p0 = open_claims(mp[0], &c[0], cl, nc, &len0, &st, &err);
    assert_int_equal(st, ZA_OK);
    make_claims(mp[1], &L, &s2, cl, &nc);
    uint8_t *p1 = open_claims(mp[1], &c[1], cl, nc, &len1, &st, &err);
    assert_int_equal(st, ZA_OK);
    assert_int_equal(len0, len1);
    assert_memory_equal(p0, p1, len0);
    assert_int_equal(verify(&c[0], &L, cl, nc, p0, len0, &err), ZA_OK);
    free(p0), free(p1);
    for (int k = 0; k < 4; k++)
        zk_multi_prover_free(mp[k]);
    free(vecs[0]), free(vecs[1]);
}

static void test_multi_hiding(void **state)
{
    (void)state;
    uint64_t s = zt_seed("commit/hiding");
    const size_t lens[] = { 3, 1000, 4096, 17, 1, 300 };
    const unsigned nv = sizeof lens / sizeof lens[0];
    zk_fp *vecs[6];
    for (unsigned i = 0; i < nv; i++) {
        vecs[i] = malloc(sizeof(zk_fp) * lens[i]);
        for (size_t j = 0; j < lens[i]; j++)
            vecs[i][j] = rnd_fp(&s);
    }
    for (unsigned B = 1; B <= 3; B++) {
        zk_multi_commit_opts o = { B, NULL };
        zk_multi_prover *mp;
        zk_pcs_commitment com;
        zk_multi_layout L, L2;
        za_error err;
        assert_int_equal(zk_multi_commit_ex((const zk_fp *const *)vecs, lens, nv, &o, 2, &mp,
                                            &com, &L, &err), ZA_OK);
        /* the verifier computes the same layout from the lengths and B */
        assert_int_equal(zk_multi_layout_make_ex(lens, nv, &o, &L2, &err), ZA_OK);
        assert_memory_equal(&L, &L2, sizeof L);
        assert_int_equal(com.params.hiding_openings, B);
        /* the mask: whole rows (at least B of them), aligned, disjoint from
         * every vector, inside the table */
        zk_pcs_params p;
        zk_multi_pcs_params(&L, &p);
        assert_memory_equal(&p, &com.params, sizeof p);
        uint64_t C = (uint64_t)1 << (L.log_total - p.log_rows), M = (uint64_t)1 << L.mask_log_len;
        assert_int_equal(M % C, 0);
        assert_true(M / C >= B && M / C < 2 * B);
        assert_int_equal(L.mask_offset % M, 0);
        assert_true(L.mask_offset + M <= ((uint64_t)1 << L.log_total));
        for (unsigned i = 0; i < nv; i++) {
            uint64_t a = L.offset[i], e = a + ((uint64_t)1 << L.log_len[i]);
            assert_int_equal(a % ((uint64_t)1 << L.log_len[i]), 0);
            assert_true(e <= L.mask_offset || L.mask_offset + M <= a);
            for (unsigned j = 0; j < nv; j++)
                if (i != j)
                    assert_true(e <= L.offset[j] ||
                                L.offset[j] + ((uint64_t)1 << L.log_len[j]) <= a);
        }
        /* B openings verify; the next is refused */
        for (unsigned b = 0; b < B; b++) {
            zk_multi_claim cl[6];
            unsigned nc;
            make_claims(mp, &L, &s, cl, &nc);
            size_t len;
            za_status st;
            uint8_t *pr = open_claims(mp, &com, cl, nc, &len, &st, &err);
            assert_int_equal(st, ZA_OK);
            if (verify(&com, &L, cl, nc, pr, len, &err) != ZA_OK)
                fail_msg("B %u, opening %u: %s", B, b + 1, err.msg);
            if (b == 0) {
                /* the soundness cases of test_multi */
                zk_multi_claim bad[6];
                memcpy(bad, cl, sizeof bad);
                bad[2].value = zk_fp2_add(bad[2].value, zk_fp2_make(1, 0));
                assert_int_not_equal(verify(&com, &L, bad, nc, pr, len, &err), ZA_OK);
                memcpy(bad, cl, sizeof bad);
                bad[0].vec = 3;
                assert_int_not_equal(verify(&com, &L, bad, nc, pr, len, &err), ZA_OK);
                memcpy(bad, cl, sizeof bad);
                bad[1].point[0] = zk_fp2_add(bad[1].point[0], zk_fp2_make(0, 1));
                assert_int_not_equal(verify(&com, &L, bad, nc, pr, len, &err), ZA_OK);
                /* the plain layout of the same lengths, another budget */
                zk_multi_layout Lp;
                assert_int_equal(zk_multi_layout_make(lens, nv, &Lp, &err), ZA_OK);
                assert_int_equal(verify(&com, &Lp, cl, nc, pr, len, &err), ZA_ERR_MISMATCH);
                L2 = L;
                L2.hiding_openings = B + 1;
                assert_int_equal(verify(&com, &L2, cl, nc, pr, len, &err), ZA_ERR_MISMATCH);
                /* truncation, trailing bytes, bit flips */
                assert_int_not_equal(verify(&com, &L, cl, nc, pr, len - 1, &err), ZA_OK);
                uint8_t *m = malloc(len + 1);
                memcpy(m, pr, len);
                m[len] = 0;
                assert_int_not_equal(verify(&com, &L, cl, nc, m, len + 1, &err), ZA_OK);
                for (int k = 0; k < 400; k++) {
                    memcpy(m, pr, len);
                    size_t pos = (size_t)(zt_next(&s) % len);
                    m[pos] ^= (uint8_t)(1u << (zt_next(&s) % 8));
                    if (verify(&com, &L, cl, nc, m, len, &err) == ZA_OK)
                        fail_msg("B %u: flip at byte %zu of %zu accepted", B, pos, len);
                }
                free(m);
            }
            free(pr);
        }
        zk_multi_claim cl[6];
        unsigned nc;
        make_claims(mp, &L, &s, cl, &nc);
        size_t len;
        za_status st;
        assert_null(open_claims(mp, &com, cl, nc, &len, &st, &err));
        assert_int_equal(st, ZA_ERR_LIMIT);
        /* committing again gives another root */
        zk_multi_prover *mp2;
        zk_pcs_commitment com2;
        assert_int_equal(zk_multi_commit_ex((const zk_fp *const *)vecs, lens, nv, &o, 2, &mp2,
                                            &com2, &L2, &err), ZA_OK);
        assert_memory_not_equal(com.root.h, com2.root.h, 32);
        zk_multi_prover_free(mp2);
        zk_multi_prover_free(mp);
    }
    for (unsigned i = 0; i < nv; i++)
        free(vecs[i]);
}

/* see test_pcs.c: P(chi2_15 > 62) = 1.14e-7, five such tests in all */
#define CHI2_15_LIMIT 62.0

static double chi2_16(const uint64_t cnt[16])
{
    uint64_t tot = 0;
    for (int i = 0; i < 16; i++)
        tot += cnt[i];
    double e = (double)tot / 16, x = 0;
    for (int i = 0; i < 16; i++)
        x += ((double)cnt[i] - e) * ((double)cnt[i] - e) / e;
    return x;
}

/* Commit to two fixed low-entropy vectors `trials` times and open the same
 * claims at fixed points; count the top four bits of the opened table value
 * V~(z), of every entry of u (data part included) and of the first 16
 * opened columns. */
static void multi_histograms(unsigned B, int trials, uint64_t val[16], uint64_t u[16],
                             uint64_t col[16])
{
    const size_t lens[2] = { 40, 100 };
    zk_fp a[40], b[100];
    for (size_t i = 0; i < 40; i++)
        a[i] = (zk_fp)(i & 1);
    for (size_t i = 0; i < 100; i++)
        b[i] = 7;
    const zk_fp *vecs[2] = { a, b };
    memset(val, 0, 16 * sizeof(uint64_t));
    memset(u, 0, 16 * sizeof(uint64_t));
    memset(col, 0, 16 * sizeof(uint64_t));
    zk_multi_commit_opts o = { B, NULL };
    za_error err;
    for (int tr = 0; tr < trials; tr++) {
        zk_multi_prover *mp;
        zk_pcs_commitment com;
        zk_multi_layout L;
        assert_int_equal(zk_multi_commit_ex(vecs, lens, 2, &o, 1, &mp, &com, &L, &err), ZA_OK);
        zk_multi_claim cl[2];
        for (unsigned c = 0; c < 2; c++) {
            cl[c].vec = c;
            for (unsigned j = 0; j < L.log_len[c]; j++)
                cl[c].point[j] = zk_fp2_make(5 * j + c + 1, j + 3);
            cl[c].value = zk_multi_eval(mp, c, cl[c].point);
        }
        size_t len;
        za_status st;
        uint8_t *pr = open_claims(mp, &com, cl, 2, &len, &st, &err);
        assert_int_equal(st, ZA_OK);
        if (tr < 3)
            assert_int_equal(verify(&com, &L, cl, 2, pr, len, &err), ZA_OK);
        /* the opening: the batched-evaluation sumcheck, V~(z), then the PCS
         * opening (u, the columns, ...) */
        zk_pcs_params p = com.params;
        size_t K = zk_pcs_message_len(&p), R = (size_t)1 << p.log_rows;
        zk_reader r;
        zk_reader_init(&r, pr, len, "proof", &err);
        zk_sumcheck_proof bp = { 0 };
        assert_int_equal(zk_sumcheck_proof_read(&r, L.log_total, 2, &bp), ZA_OK);
        zk_sumcheck_proof_free(&bp);
        zk_fp2 v, *uv = malloc(sizeof(zk_fp2) * K);
        zk_fp *cols = malloc(sizeof(zk_fp) * R * 16);
        assert_int_equal(zk_read_fp2(&r, "value", &v), ZA_OK);
        assert_int_equal(zk_read_fp2_array(&r, "u", uv, K), ZA_OK);
        assert_int_equal(zk_read_fp_array(&r, "columns", cols, R * 16), ZA_OK);
        val[v.c0 >> 60]++;
        val[v.c1 >> 60]++;
        for (size_t j = 0; j < K; j++) {
            u[uv[j].c0 >> 60]++;
            u[uv[j].c1 >> 60]++;
        }
        for (size_t j = 0; j < R * 16; j++)
            col[cols[j] >> 60]++;
        free(uv), free(cols), free(pr);
        zk_multi_prover_free(mp);
    }
}

static void test_multi_hiding_uniform(void **state)
{
    (void)state;
    uint64_t seed = zt_seed("commit/hiding-uniform");
    zk_rand_set_test_seed(1, seed);
    int trials = (int)zt_iters(2000);
    uint64_t val[16], u[16], col[16];
    multi_histograms(1, trials, val, u, col);
    zk_rand_set_test_seed(0, 0);
    double xv = chi2_16(val), xu = chi2_16(u), xc = chi2_16(col);
    printf("# hiding: chi2(V~(z)) %.1f, chi2(u, all of it) %.1f, chi2(columns) %.1f over %d "
           "openings (limit %.0f)\n", xv, xu, xc, trials, CHI2_15_LIMIT);
    assert_true(xv < CHI2_15_LIMIT);
    assert_true(xu < CHI2_15_LIMIT);
    assert_true(xc < CHI2_15_LIMIT);
    /* power: the plain commitment of the same vectors fails all three */
    multi_histograms(0, trials, val, u, col);
    xv = chi2_16(val), xu = chi2_16(u), xc = chi2_16(col);
    printf("# plain: chi2(V~(z)) %.1f, chi2(u) %.1f, chi2(columns) %.1f\n", xv, xu, xc);
    assert_true(xv > CHI2_15_LIMIT);
    assert_true(xu > CHI2_15_LIMIT);
    assert_true(xc > CHI2_15_LIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multi),
        cmocka_unit_test(test_multi_hiding),
        cmocka_unit_test(test_multi_seeded),
        cmocka_unit_test(test_multi_hiding_uniform),
    };
    return cmocka_run_group_tests_name("commit", tests, NULL, NULL);
}
