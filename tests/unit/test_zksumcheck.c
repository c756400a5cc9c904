/* tests/unit/test_zksumcheck.c - the zero-knowledge sumcheck building blocks
 * (zk/zksumcheck.h).
 *
 * Mask helpers against brute force; with an all-zero mask the masked prover
 * sends exactly zk_sumcheck_prove's messages (the engine is checked against
 * the reference prover).  Completeness for n = 0..12, degrees 1..4, mixed
 * table kinds, random masks; two proofs of one statement with fresh masks
 * differ and both verify; thread count does not matter.  Soundness: a wrong
 * H, a wrong G, a wrong g(r), every round value changed, a prover whose
 * tables are f' != f.  Zero-check and eq-sum.  The simulator's transcripts
 * (plain and zero-check) pass the verifier; over 2000 fresh masks for one
 * fixed f the real round values (and their differences, G, g(r), pairs of
 * them) are uniform by chi-square on the top bits, the simulated ones too,
 * and a two-sample chi-square does not tell them apart; a weak mask (a_0
 * only) fails both tests.  Kernel-claim batch
 * evaluation (plain and masked): the kernel MLE against brute force,
 * completeness, a wrong kernel value, a claim on the wrong window, bit
 * flips; the g(r) claim proven as two kernel claims on a table holding the
 * mask's base-field halves. */
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
#include "zk/mle.h"
#include "zk/sumcheck.h"
#include "zk/zksumcheck.h"

static uint64_t seed;
static const zk_fp2 ONE = { 1, 0 };

static zk_fp rnd_fp(uint64_t *s)
{
    uint64_t v;
    do
        v = zt_next(s);
    while (v >= ZK_P);
    return v;
}

static zk_fp2 rnd_fp2(uint64_t *s)
{
    zk_fp a = rnd_fp(s);
    return zk_fp2_make(a, rnd_fp(s));
}

static zk_fp2 rnd_nonzero(uint64_t *s)
{
    zk_fp2 v;
    do
        v = rnd_fp2(s);
    while (zk_fp2_is_zero(v));
    return v;
}

static zk_fp2 rnd_cb(void *ctx)
{
    return rnd_fp2(ctx);
}

static int fp2_eq(zk_fp2 a, zk_fp2 b)
{
    return a.c0 == b.c0 && a.c1 == b.c1;
}

/* ------------------------------------------------------------ instances */

enum { K_BASE, K_EXT, K_INPLACE };

typedef struct {
    unsigned n, n_tables, n_terms;
    int kind[ZK_SUMCHECK_MAX_TABLES];
    zk_fp *base[ZK_SUMCHECK_MAX_TABLES];
    zk_fp2 *ext[ZK_SUMCHECK_MAX_TABLES];
    zk_fp2 *work[ZK_SUMCHECK_MAX_TABLES];
    zk_mle_ref refs[ZK_SUMCHECK_MAX_TABLES];
    zk_sumcheck_term terms[ZK_SUMCHECK_MAX_TERMS];
} tinst;

static void inst_alloc(tinst *I, unsigned n, unsigned n_tables, const int *kinds, uint64_t *s)
{
    memset(I, 0, sizeof *I);
    I->n = n;
    I->n_tables = n_tables;
    size_t N = (size_t)1 << n;
    for (unsigned i = 0; i < n_tables; i++) {
        I->kind[i] = kinds[i];
        if (kinds[i] == K_BASE) {
            I->base[i] = malloc(sizeof(zk_fp) * N);
            for (size_t j = 0; j < N; j++)
                I->base[i][j] = rnd_fp(s);
        } else {
            I->ext[i] = malloc(sizeof(zk_fp2) * N);
            for (size_t j = 0; j < N; j++)
                I->ext[i][j] = rnd_fp2(s);
            if (kinds[i] == K_INPLACE)
                I->work[i] = malloc(sizeof(zk_fp2) * N);
        }
    }
}

static zk_sumcheck_instance inst_view(tinst *I)
{
    size_t N = (size_t)1 << I->n;
    for (unsigned i = 0; i < I->n_tables; i++) {
        if (I->kind[i] == K_BASE)
            I->refs[i] = zk_mle_ref_base(I->base[i]);
        else if (I->kind[i] == K_EXT)
            I->refs[i] = zk_mle_ref_ext(I->ext[i]);
        else {
            memcpy(I->work[i], I->ext[i], sizeof(zk_fp2) * N);
            I->refs[i] = zk_mle_ref_ext_inplace(I->work[i]);
        }
    }
    zk_sumcheck_instance v = { I->n, I->n_tables, I->refs, I->n_terms, I->terms };
    return v;
}

static void inst_free(tinst *I)
{
    for (unsigned i = 0; i < I->n_tables; i++) {
        free(I->base[i]);
        free(I->ext[i]);
        free(I->work[i]);
    }
}

static void random_terms(tinst *I, unsigned n_terms, unsigned degree, uint64_t *s)
{
    I->n_terms = n_terms;
    for (unsigned t = 0; t < n_terms; t++) {
        unsigned nf = t == 0 ? degree : 1 + (unsigned)(zt_next(s) % degree);
        I->terms[t].coeff = rnd_nonzero(s);
        I->terms[t].n_factors = nf;
        for (unsigned f = 0; f < ZK_SUMCHECK_MAX_FACTORS; f++)
            I->terms[t].factors[f] = (unsigned)(zt_next(s) % I->n_tables);
    }
}

static void direct_evals(const tinst *I, const zk_fp2 *point, zk_fp2 *ev)
{
    for (unsigned i = 0; i < I->n_tables; i++)
        ev[i] = I->kind[i] == K_BASE ? zk_mle_eval_mt(I->base[i], I->n, point, 1)
                                     : zk_mle_eval_ext_mt(I->ext[i], I->n, point, 1);
}

static void leak_cb(void *ctx, const zk_fp2 *point, zk_fp2 *evals)
{
    direct_evals(ctx, point, evals);
}

static zk_fp2 *random_mask(unsigned n, unsigned d, uint64_t *s)
{
    size_t L = zk_zksc_mask_len(n, d);
    zk_fp2 *c = malloc(sizeof(zk_fp2) * L);
    for (size_t j = 0; j < L; j++)
        c[j] = rnd_fp2(s);
    return c;
}

static zk_fp2 dot(const zk_fp2 *a, const zk_fp2 *b, size_t len)
{
    zk_fp2 s = { 0, 0 };
    for (size_t j = 0; j < len; j++)
        s = zk_fp2_add(s, zk_fp2_mul(a[j], b[j]));
    return s;
}

typedef struct {
    zk_zksc_proof proof;
    zk_fp2 point[ZK_SUMCHECK_MAX_VARS];
    zk_fp2 evals[ZK_SUMCHECK_MAX_TABLES];
    zk_transcript t;
} run_t;

static void zprove(tinst *I, zk_fp2 claim, const zk_zksc_mask *mask, int threads, run_t *R)
{
    za_error err;
    zk_sumcheck_instance v = inst_view(I);
    zk_transcript_init(&R->t, "test/zksumcheck");
    if (zk_zksc_prove(&v, claim, mask, &R->t, threads, &R->proof, R->point, R->evals, &err))
        fail_msg("zk prove: %s", err.msg);
}

/* the verifier's full check: rounds, F at the point from trusted (direct)
 * evaluations, g(r) against the mask coefficients through the kernel */
static za_status zverify_full(const tinst *I, zk_fp2 claim, const zk_zksc_proof *p,
                              const zk_zksc_mask *mask, zk_transcript *t, zk_fp2 *point)
{
    za_error err;
    zk_transcript_init(t, "test/zksumcheck");
    unsigned d = zk_sumcheck_degree(I->terms, I->n_terms);
    zk_fp2 f_claim;
    za_status st = zk_zksc_verify(I->n, d, claim, p, t, point, &f_claim, &err);
    if (st)
        return st;
    size_t L = zk_zksc_mask_len(I->n, d);
    zk_fp2 *K = malloc(sizeof(zk_fp2) * L);
    zk_zksc_mask_kernel(I->n, d, point, K);
    int mask_ok = fp2_eq(dot(K, mask->coeffs, L), p->mask_eval);
    free(K);
    if (!mask_ok)
        return ZA_ERR_MISMATCH;
    zk_fp2 ev[ZK_SUMCHECK_MAX_TABLES];
    direct_evals(I, point, ev);
    return zk_sumcheck_check_final(I->terms, I->n_terms, ev, f_claim, &err);
}

/* ------------------------------------------------------------ mask helpers */

static void test_mask_helpers(void **state)
{
    (void)state;
    uint64_t s = seed;
    for (unsigned n = 0; n <= 6; n++)
        for (unsigned d = 1; d <= ZK_SUMCHECK_MAX_DEGREE; d++) {
            zk_fp2 *c = random_mask(n, d, &s);
            zk_zksc_mask m = { n, d, c };
            size_t L = zk_zksc_mask_len(n, d);
            assert_int_equal(L, 1 + (size_t)n * d);
            /* G by brute force over the cube */
            zk_fp2 G = { 0, 0 };
            for (size_t x = 0; x < ((size_t)1 << n); x++) {
                zk_fp2 pt[8];
                for (unsigned j = 0; j < n; j++)
                    pt[j] = zk_fp2_from_fp((x >> j) & 1);
                G = zk_fp2_add(G, zk_zksc_mask_eval(&m, pt));
            }
            assert_true(fp2_eq(G, zk_zksc_mask_sum(&m)));
            zk_fp2 *K = malloc(sizeof(zk_fp2) * L);
            zk_zksc_mask_sum_kernel(n, d, K);
            assert_true(fp2_eq(G, dot(K, c, L)));
            /* g(r) straight from the definition and through the kernel */
            zk_fp2 r[8];
            for (unsigned j = 0; j < n; j++)
                r[j] = rnd_fp2(&s);
            zk_fp2 g = c[0];
            for (unsigned i = 0; i < n; i++) {
                zk_fp2 p = r[i];
                for (unsigned l = 1; l <= d; l++) {
                    g = zk_fp2_add(g, zk_fp2_mul(c[1 + i * d + l - 1], p));
                    p = zk_fp2_mul(p, r[i]);
                }
            }
            assert_true(fp2_eq(g, zk_zksc_mask_eval(&m, r)));
            zk_zksc_mask_kernel(n, d, r, K);
            assert_true(fp2_eq(g, dot(K, c, L)));
            free(K);
            free(c);
        }
}

/* an all-zero mask: the rounds are exactly zk_sumcheck_prove's after the
 * same G/rho preamble (so the engine agrees with the reference prover) */
static void test_zero_mask_is_plain(void **state)
{
    (void)state;
    uint64_t s = seed + 1;
    for (unsigned n = 0; n <= 10; n += 2)
        for (unsigned d = 1; d <= 4 * 2; d++) { /* d > 4: the same degrees, all base tables */
            int kinds[4] = { K_BASE, K_EXT, K_INPLACE, K_BASE };
            if (d > 4)
                kinds[1] = kinds[2] = K_BASE;
            tinst I;
            unsigned deg = d > 4 ? d - 4 : d;
            inst_alloc(&I, n, 4, kinds, &s);
            random_terms(&I, 3, deg, &s);
            zk_sumcheck_instance v = inst_view(&I);
            zk_fp2 claim = zk_sumcheck_sum(&v, 1);
            size_t L = zk_zksc_mask_len(n, deg);
            zk_fp2 *c = calloc(L, sizeof(zk_fp2));
            zk_zksc_mask m = { n, deg, c };
            run_t R;
            zprove(&I, claim, &m, 1, &R);
            assert_true(zk_fp2_is_zero(R.proof.mask_sum));
            assert_true(zk_fp2_is_zero(R.proof.mask_eval));
            /* the reference */
            zk_transcript t;
            zk_transcript_init(&t, "test/zksumcheck");
            zk_fp2 zero = { 0, 0 };
            zk_transcript_absorb_fp2(&t, "zksumcheck/mask_sum", &zero, 1);
            (void)zk_transcript_challenge_fp2(&t, "zksumcheck/rho");
            zk_sumcheck_proof P;
            zk_fp2 point[ZK_SUMCHECK_MAX_VARS], ev[ZK_SUMCHECK_MAX_TABLES];
            za_error err;
            v = inst_view(&I);
            assert_int_equal(zk_sumcheck_prove(&v, claim, &t, 1, &P, point, ev, &err), ZA_OK);
            if (n)
                assert_memory_equal(P.evals, R.proof.rounds.evals, sizeof(zk_fp2) * n * deg);
            assert_memory_equal(point, R.point, sizeof(zk_fp2) * n);
            assert_memory_equal(ev, R.evals, sizeof(zk_fp2) * I.n_tables);
            zk_sumcheck_proof_free(&P);
            zk_zksc_proof_free(&R.proof);
            free(c);
            inst_free(&I);
        }
}

/* ------------------------------------------------------------ completeness */

static void check_complete(tinst *I, int threads, uint64_t *s)
{
    zk_sumcheck_instance v = inst_view(I);
    zk_fp2 claim = zk_sumcheck_sum(&v, 1);
    unsigned d = zk_sumcheck_degree(I->terms, I->n_terms);
    zk_fp2 *c1 = random_mask(I->n, d, s), *c2 = random_mask(I->n, d, s);
    zk_zksc_mask m1 = { I->n, d, c1 }, m2 = { I->n, d, c2 };
    run_t A, B;
    zprove(I, claim, &m1, threads, &A);
    zprove(I, claim, &m2, threads, &B);
    assert_int_equal(A.proof.rounds.n_vars, I->n);
    assert_int_equal(A.proof.rounds.degree, d);
    assert_int_equal(zk_zksc_proof_bytes(&A.proof), (size_t)16 * (I->n * d + 2));
    zk_transcript t;
    zk_fp2 point[ZK_SUMCHECK_MAX_VARS];
    assert_int_equal(zverify_full(I, claim, &A.proof, &m1, &t, point), ZA_OK);
    assert_memory_equal(point, A.point, sizeof(zk_fp2) * I->n);
    assert_memory_equal(t.state, A.t.state, sizeof t.state);
    zk_fp2 ev[ZK_SUMCHECK_MAX_TABLES];
    direct_evals(I, point, ev);
    assert_memory_equal(ev, A.evals, sizeof(zk_fp2) * I->n_tables);
    assert_true(fp2_eq(A.proof.mask_eval, zk_zksc_mask_eval(&m1, point)));
    assert_int_equal(zverify_full(I, claim, &B.proof, &m2, &t, point), ZA_OK);
    /* fresh masks: different messages (every value, with overwhelming probability) */
    assert_false(fp2_eq(A.proof.mask_sum, B.proof.mask_sum));
    for (size_t j = 0; j < (size_t)I->n * d; j++)
        assert_false(fp2_eq(A.proof.rounds.evals[j], B.proof.rounds.evals[j]));
    /* and a proof is bound to its mask */
    if (I->n)
        assert_int_equal(zverify_full(I, claim, &A.proof, &m2, &t, point), ZA_ERR_MISMATCH);
    zk_zksc_proof_free(&A.proof);
    zk_zksc_proof_free(&B.proof);
    free(c1);
    free(c2);
}

static void test_complete(void **state)
{
    (void)state;
    uint64_t s = seed + 2;
    for (unsigned n = 0; n <= 12; n++)
        for (unsigned d = 1; d <= 4; d++)
            for (int mix = 0; mix < 2; mix++) {
                int kinds[5];
                for (int i = 0; i < 5; i++)
                    kinds[i] = mix ? i % 3 : K_BASE;
                tinst I;
                inst_alloc(&I, n, 5, kinds, &s);
                random_terms(&I, 1 + (unsigned)(zt_next(&s) % 4), d, &s);
                check_complete(&I, n >= 10 ? 2 : 1, &s);
                inst_free(&I);
            }
    /* across the parallel threshold */
    int kinds[3] = { K_BASE, K_EXT, K_INPLACE };
    tinst I;
    inst_alloc(&I, 16, 3, kinds, &s);
    random_terms(&I, 3, 3, &s);
    check_complete(&I, 2, &s);
    inst_free(&I);
}

static void test_threads_identical(void **state)
{
    (void)state;
    uint64_t s = seed + 3;
    int kinds[3] = { K_BASE, K_EXT, K_BASE };
    tinst I;
    inst_alloc(&I, 16, 3, kinds, &s);
    random_terms(&I, 3, 3, &s);
    zk_sumcheck_instance v = inst_view(&I);
    zk_fp2 claim = zk_sumcheck_sum(&v, 1);
    zk_fp2 *c = random_mask(16, 3, &s);
    zk_zksc_mask m = { 16, 3, c };
    run_t A, B;
    zprove(&I, claim, &m, 1, &A);
    zprove(&I, claim, &m, 3, &B);
    assert_memory_equal(A.proof.rounds.evals, B.proof.rounds.evals, sizeof(zk_fp2) * 16 * 3);
    assert_memory_equal(A.evals, B.evals, sizeof(zk_fp2) * 3);
    zk_zksc_proof_free(&A.proof);
    zk_zksc_proof_free(&B.proof);
    free(c);
    inst_free(&I);
}

/* ------------------------------------------------------------ soundness */

static void test_soundness(void **state)
{
    (void)state;
    uint64_t s = seed + 4;
    za_error err;
    for (unsigned d = 1; d <= 4; d++) {
        const unsigned n = 6;
        int kinds[4] = { K_BASE, K_EXT, K_BASE, K_INPLACE };
        tinst I;
        inst_alloc(&I, n, 4, kinds, &s);
        random_terms(&I, 3, d, &s);
        zk_sumcheck_instance v = inst_view(&I);
        zk_fp2 claim = zk_sumcheck_sum(&v, 1);
        zk_fp2 *c = random_mask(n, d, &s);
        zk_zksc_mask m = { n, d, c };
        run_t R, W;
        zprove(&I, claim, &m, 1, &R);
        zk_transcript t;
        zk_fp2 point[ZK_SUMCHECK_MAX_VARS];
        assert_int_equal(zverify_full(&I, claim, &R.proof, &m, &t, point), ZA_OK);

        /* a wrong H: against the honest proof, and a proof made for it */
        zk_fp2 bad = zk_fp2_add(claim, rnd_nonzero(&s));
        assert_int_equal(zverify_full(&I, bad, &R.proof, &m, &t, point), ZA_ERR_MISMATCH);
        zprove(&I, bad, &m, 1, &W);
        assert_int_equal(zverify_full(&I, bad, &W.proof, &m, &t, point), ZA_ERR_MISMATCH);
        zk_zksc_proof_free(&W.proof);

        /* a wrong G (the mask sum does not match the mask) */
        zk_zksc_proof p = R.proof;
        p.mask_sum = zk_fp2_add(p.mask_sum, rnd_nonzero(&s));
        assert_int_equal(zverify_full(&I, claim, &p, &m, &t, point), ZA_ERR_MISMATCH);

        /* a wrong g(r): the F check fails, and so does the kernel check */
        p = R.proof;
        p.mask_eval = zk_fp2_add(p.mask_eval, rnd_nonzero(&s));
        assert_int_equal(zverify_full(&I, claim, &p, &m, &t, point), ZA_ERR_MISMATCH);
        {
            zk_fp2 f_claim, ev[ZK_SUMCHECK_MAX_TABLES];
            zk_transcript_init(&t, "test/zksumcheck");
            assert_int_equal(zk_zksc_verify(n, d, claim, &p, &t, point, &f_claim, &err), ZA_OK);
            direct_evals(&I, point, ev);
            assert_int_equal(zk_sumcheck_check_final(I.terms, I.n_terms, ev, f_claim, &err),
                             ZA_ERR_MISMATCH);
        }

        /* every round value changed */
        for (unsigned k = 0; k < n * d; k++) {
            p = R.proof;
            p.rounds.evals = malloc(sizeof(zk_fp2) * n * d);
            memcpy(p.rounds.evals, R.proof.rounds.evals, sizeof(zk_fp2) * n * d);
            p.rounds.evals[k].c0 ^= 1; /* one bit (stays below p: p - 1 is even) */
            if (p.rounds.evals[k].c0 >= ZK_P)
                p.rounds.evals[k].c0 = 0;
            assert_int_equal(zverify_full(&I, claim, &p, &m, &t, point), ZA_ERR_MISMATCH);
            free(p.rounds.evals);
        }

        /* a cheating prover whose tables are f' != f: one entry changed */
        for (unsigned i = 0; i < I.n_tables; i++) {
            size_t x = zt_next(&s) & (((size_t)1 << n) - 1);
            if (I.kind[i] == K_BASE)
                I.base[i][x] = zk_fp_add(I.base[i][x], 1);
            else
                I.ext[i][x] = zk_fp2_add(I.ext[i][x], ONE);
            zk_sumcheck_instance v2 = inst_view(&I);
            int changed = !fp2_eq(zk_sumcheck_sum(&v2, 1), claim);
            zprove(&I, claim, &m, 1, &W);
            /* the prover's own evaluations of f' do not pass */
            zk_fp2 f_claim;
            zk_transcript_init(&t, "test/zksumcheck");
            assert_int_equal(zk_zksc_verify(n, d, claim, &W.proof, &t, point, &f_claim, &err),
                             ZA_OK);
            if (changed)
                assert_int_equal(zk_sumcheck_check_final(I.terms, I.n_terms, W.evals, f_claim,
                                                         &err),
                                 ZA_ERR_MISMATCH);
            zk_zksc_proof_free(&W.proof);
            /* an honest proof for f' of f's sum H' = sum f': checked against
             * f (the committed tables) it is rejected.  (Checking the proof
             * above against f would not be a soundness test: H is true for
             * f, and a proof made with f' may still pass for f, e.g. for
             * linear f and a change at the all-ones point.) */
            v2 = inst_view(&I); /* re-arm: the prover folded the in-place tables */
            zk_fp2 claim2 = zk_sumcheck_sum(&v2, 1);
            assert_int_equal(fp2_eq(claim2, claim), !changed);
            zprove(&I, claim2, &m, 1, &W);
            if (I.kind[i] == K_BASE)
                I.base[i][x] = zk_fp_sub(I.base[i][x], 1);
            else
                I.ext[i][x] = zk_fp2_sub(I.ext[i][x], ONE);
            if (changed)
                assert_int_equal(zverify_full(&I, claim2, &W.proof, &m, &t, point),
                                 ZA_ERR_MISMATCH);
            zk_zksc_proof_free(&W.proof);
        }

        /* a mask of the wrong shape is refused; a proof of another shape too */
        zk_zksc_mask mbad = { n, d + 1, c };
        v = inst_view(&I);
        zk_transcript_init(&t, "x");
        assert_int_equal(zk_zksc_prove(&v, claim, &mbad, &t, 1, &W.proof, point, W.evals, &err),
                         ZA_ERR_ARG);
        assert_null(W.proof.rounds.evals);
        zk_fp2 fc;
        zk_transcript_init(&t, "x");
        assert_int_equal(zk_zksc_verify(n + 1, d, claim, &R.proof, &t, point, &fc, &err),
                         ZA_ERR_MALFORMED);
        assert_int_equal(zk_zksc_verify(n, 0, claim, &R.proof, &t, point, &fc, &err), ZA_ERR_ARG);
        zk_zksc_proof_free(&R.proof);
        free(c);
        inst_free(&I);
    }
}

static void test_encoding(void **state)
{
    (void)state;
    uint64_t s = seed + 5;
    int kinds[2] = { K_BASE, K_EXT };
    tinst I;
    inst_alloc(&I, 5, 2, kinds, &s);
    random_terms(&I, 2, 2, &s);
    zk_sumcheck_instance v = inst_view(&I);
    zk_fp2 claim = zk_sumcheck_sum(&v, 1);
    zk_fp2 *c = random_mask(5, 2, &s);
    zk_zksc_mask m = { 5, 2, c };
    run_t R;
    zprove(&I, claim, &m, 1, &R);
    zk_writer w;
    zk_writer_init(&w);
    zk_zksc_proof_write(&w, &R.proof);
    za_error err;
    assert_int_equal(zk_writer_status(&w, &err), ZA_OK);
    assert_int_equal(w.len, zk_zksc_proof_bytes(&R.proof));
    zk_reader r;
    zk_zksc_proof q;
    zk_reader_init(&r, w.buf, w.len, "zksc", &err);
    assert_int_equal(zk_zksc_proof_read(&r, 5, 2, &q), ZA_OK);
    assert_true(fp2_eq(q.mask_sum, R.proof.mask_sum));
    assert_true(fp2_eq(q.mask_eval, R.proof.mask_eval));
    assert_memory_equal(q.rounds.evals, R.proof.rounds.evals, sizeof(zk_fp2) * 10);
    zk_transcript t;
    zk_fp2 point[ZK_SUMCHECK_MAX_VARS];
    assert_int_equal(zverify_full(&I, claim, &q, &m, &t, point), ZA_OK);
    zk_zksc_proof_free(&q);
    /* truncated anywhere */
    for (size_t cut = 0; cut < w.len; cut += 7) {
        zk_reader_init(&r, w.buf, cut, "zksc", &err);
        assert_int_not_equal(zk_zksc_proof_read(&r, 5, 2, &q), ZA_OK);
        assert_null(q.rounds.evals);
    }
    zk_writer_free(&w);
    zk_zksc_proof_free(&R.proof);
    free(c);
    inst_free(&I);
}

/* ------------------------------------------------------------ zero-check, eq-sum */

/* C = c0 (A B [D [E]] - P), P the pointwise product of the dC factors:
 * zero on the cube (bad: except at one point) */
static zk_fp2 zero_inst(tinst *I, unsigned n, unsigned dc, int bad, uint64_t *s)
{
    int kinds[5] = { K_BASE, K_EXT, K_INPLACE, K_BASE, K_EXT };
    inst_alloc(I, n, 5, kinds, s);
    size_t N = (size_t)1 << n;
    for (size_t x = 0; x < N; x++) {
        zk_fp2 p = zk_fp2_from_fp(I->base[0][x]);
        p = zk_fp2_mul(p, I->ext[1][x]);
        if (dc >= 3)
            p = zk_fp2_mul(p, I->ext[2][x]);
        if (dc >= 4)
            p = zk_fp2_mul(p, zk_fp2_from_fp(I->base[3][x]));
        I->ext[4][x] = p;
    }
    if (bad)
        I->ext[4][zt_next(s) % N] = rnd_fp2(s);
    zk_fp2 c0 = rnd_nonzero(s);
    I->n_terms = 2;
    I->terms[0] = zk_sumcheck_term_make(c0, dc, 0, 1, 2, 3);
    I->terms[1] = zk_sumcheck_term_make(zk_fp2_neg(c0), 1, 4, 0, 0, 0);
    return c0;
}

static void test_zerocheck(void **state)
{
    (void)state;
    uint64_t s = seed + 6;
    za_error err;
    for (unsigned n = 1; n <= 9; n += 4)
        for (unsigned dc = 2; dc <= 4; dc++)
            for (int bad = 0; bad < 2; bad++) {
                tinst I;
                size_t N = (size_t)1 << n;
                zk_fp2 c0 = zero_inst(&I, n, dc, bad, &s);
                zk_fp2 *c = random_mask(n, dc + 1, &s);
                zk_zksc_mask m = { n, dc + 1, c };
                zk_sumcheck_instance v = inst_view(&I);
                zk_transcript tp, tv;
                zk_transcript_init(&tp, "test/zkzero");
                zk_zksc_proof P;
                zk_fp2 point[ZK_SUMCHECK_MAX_VARS], vpoint[ZK_SUMCHECK_MAX_VARS], ev[5], dev[5];
                assert_int_equal(zk_zksc_zerocheck_prove(&v, &m, &tp, 1, &P, point, ev, &err),
                                 ZA_OK);
                zk_transcript_init(&tv, "test/zkzero");
                zk_fp2 cc;
                assert_int_equal(zk_zksc_zerocheck_verify(n, dc, &P, &tv, vpoint, &cc, &err),
                                 ZA_OK);
                assert_memory_equal(point, vpoint, sizeof(zk_fp2) * n);
                assert_memory_equal(tp.state, tv.state, sizeof tp.state);
                direct_evals(&I, vpoint, dev);
                assert_memory_equal(ev, dev, sizeof ev);
                assert_true(fp2_eq(P.mask_eval, zk_zksc_mask_eval(&m, vpoint)));
                int ok = fp2_eq(cc, zk_sumcheck_combine(I.terms, I.n_terms, dev));
                assert_int_equal(ok, !bad);
                /* the degree must be stated right */
                zk_transcript_init(&tv, "test/zkzero");
                assert_int_equal(zk_zksc_zerocheck_verify(n, dc - 1, &P, &tv, vpoint, &cc, &err),
                                 ZA_ERR_MALFORMED);

                /* eq-sum for a chosen tau and the true claim */
                zk_fp2 tau[ZK_SUMCHECK_MAX_VARS];
                for (unsigned j = 0; j < n; j++)
                    tau[j] = rnd_fp2(&s);
                zk_fp2 *eqt = malloc(sizeof(zk_fp2) * N);
                zk_eq_table(tau, n, eqt);
                zk_fp2 claim = { 0, 0 };
                for (size_t x = 0; x < N; x++) {
                    zk_fp2 cx = zk_fp2_mul(c0, zk_fp2_from_fp(I.base[0][x]));
                    cx = zk_fp2_mul(cx, I.ext[1][x]);
                    if (dc >= 3)
                        cx = zk_fp2_mul(cx, I.ext[2][x]);
                    if (dc >= 4)
                        cx = zk_fp2_mul(cx, zk_fp2_from_fp(I.base[3][x]));
                    cx = zk_fp2_sub(cx, zk_fp2_mul(c0, I.ext[4][x]));
                    claim = zk_fp2_add(claim, zk_fp2_mul(eqt[x], cx));
                }
                free(eqt);
                zk_zksc_proof Q;
                v = inst_view(&I);
                zk_transcript_init(&tp, "test/zkeqsum");
                assert_int_equal(
                    zk_zksc_eqsum_prove(&v, tau, claim, &m, &tp, 1, &Q, point, ev, &err), ZA_OK);
                zk_transcript_init(&tv, "test/zkeqsum");
                assert_int_equal(
                    zk_zksc_eqsum_verify(n, dc, tau, claim, &Q, &tv, vpoint, &cc, &err), ZA_OK);
                direct_evals(&I, vpoint, dev);
                assert_true(fp2_eq(cc, zk_sumcheck_combine(I.terms, I.n_terms, dev)));
                zk_transcript_init(&tv, "test/zkeqsum");
                assert_int_equal(zk_zksc_eqsum_verify(n, dc, tau, zk_fp2_add(claim, ONE), &Q, &tv,
                                                      vpoint, &cc, &err),
                                 ZA_OK);
                direct_evals(&I, vpoint, dev);
                assert_false(fp2_eq(cc, zk_sumcheck_combine(I.terms, I.n_terms, dev)));
                zk_zksc_proof_free(&Q);
                zk_zksc_proof_free(&P);
                free(c);
                inst_free(&I);
            }
}

/* ------------------------------------------------------------ simulator */

/* the simulator's transcripts pass every check the verifier can make
 * without the mask commitment (whose opening the commitment's own
 * simulator supplies) */
static void test_simulator_accepted(void **state)
{
    (void)state;
    uint64_t s = seed + 7;
    za_error err;
    for (unsigned n = 0; n <= 8; n += 2)
        for (unsigned d = 1; d <= 4; d++) {
            int kinds[3] = { K_BASE, K_EXT, K_BASE };
            tinst I;
            inst_alloc(&I, n, 3, kinds, &s);
            random_terms(&I, 2, d, &s);
            zk_sumcheck_instance v = inst_view(&I);
            zk_fp2 claim = zk_sumcheck_sum(&v, 1);
            for (int with_leak = 0; with_leak < 2; with_leak++) {
                zk_transcript ts, tv;
                zk_transcript_init(&ts, "test/zksumcheck");
                zk_zksc_proof P;
                zk_fp2 point[ZK_SUMCHECK_MAX_VARS], vpoint[ZK_SUMCHECK_MAX_VARS], ev[3];
                assert_int_equal(zk_zksc_simulate(n, d, claim, I.terms, I.n_terms, 3, rnd_cb, &s,
                                                  with_leak ? leak_cb : NULL, &I, &ts, &P, point,
                                                  ev, &err),
                                 ZA_OK);
                zk_transcript_init(&tv, "test/zksumcheck");
                zk_fp2 f_claim;
                assert_int_equal(zk_zksc_verify(n, d, claim, &P, &tv, vpoint, &f_claim, &err),
                                 ZA_OK);
                assert_memory_equal(point, vpoint, sizeof(zk_fp2) * n);
                assert_memory_equal(ts.state, tv.state, sizeof ts.state);
                assert_int_equal(zk_sumcheck_check_final(I.terms, I.n_terms, ev, f_claim, &err),
                                 ZA_OK);
                if (with_leak) { /* the evaluations are the real tables' at the point */
                    zk_fp2 dev[3];
                    direct_evals(&I, vpoint, dev);
                    assert_memory_equal(ev, dev, sizeof dev);
                }
                zk_zksc_proof_free(&P);
            }
            inst_free(&I);
        }
    /* the zero-check's simulator */
    for (unsigned n = 1; n <= 7; n += 3)
        for (unsigned dc = 2; dc <= 4; dc++) {
            tinst I;
            (void)zero_inst(&I, n, dc, 0, &s);
            zk_transcript ts, tv;
            zk_transcript_init(&ts, "test/zkzero");
            zk_zksc_proof P;
            zk_fp2 point[ZK_SUMCHECK_MAX_VARS], vpoint[ZK_SUMCHECK_MAX_VARS], ev[5], cc;
            assert_int_equal(zk_zksc_simulate_zerocheck(n, I.terms, I.n_terms, 5, rnd_cb, &s,
                                                        leak_cb, &I, &ts, &P, point, ev, &err),
                             ZA_OK);
            zk_transcript_init(&tv, "test/zkzero");
            assert_int_equal(zk_zksc_zerocheck_verify(n, dc, &P, &tv, vpoint, &cc, &err), ZA_OK);
            assert_memory_equal(point, vpoint, sizeof(zk_fp2) * n);
            assert_memory_equal(ts.state, tv.state, sizeof ts.state);
            assert_true(fp2_eq(cc, zk_sumcheck_combine(I.terms, I.n_terms, ev)));
            zk_zksc_proof_free(&P);
            inst_free(&I);
        }
    zk_sumcheck_term term = zk_sumcheck_term_make(ONE, 1, 3, 0, 0, 0);
    zk_transcript t;
    zk_transcript_init(&t, "x");
    zk_zksc_proof P;
    zk_fp2 point[2], ev[3];
    assert_int_equal(zk_zksc_simulate(2, 1, ONE, &term, 1, 3, rnd_cb, &s, NULL, NULL, &t, &P,
                                      point, ev, &err),
                     ZA_ERR_ARG);
}

/* ---- the statistical test ---- */

#define NBINS 16
#define CHI2_MAX 60.0 /* chi-square, 15 degrees of freedom: P(X > 60) = 2.5e-7 */

typedef struct {
    unsigned n_stats;
    unsigned (*hist)[NBINS]; /* n_stats histograms */
} stats_t;

/* the statistics of one transcript: every round value, the differences of
 * consecutive values of a round, G and g(r): each component's top 4 bits;
 * and pairs, for independence: the top 2 bits of both components of one
 * value, and of the first components of consecutive values in that list
 * (the last value of a round and the first of the next included) */
static unsigned stats_count(unsigned n, unsigned d)
{
    unsigned q = n * d + n * (d - 1) + 2;
    return 2 * q + q + (q - 1);
}

static void stats_add(stats_t *S, const zk_zksc_proof *p, unsigned n, unsigned d)
{
    zk_fp2 vals[256];
    unsigned q = 0;
    for (unsigned j = 0; j < n * d; j++)
        vals[q++] = p->rounds.evals[j];
    for (unsigned k = 0; k < n; k++)
        for (unsigned j = 0; j + 1 < d; j++)
            vals[q++] = zk_fp2_sub(p->rounds.evals[k * d + j + 1], p->rounds.evals[k * d + j]);
    vals[q++] = p->mask_sum;
    vals[q++] = p->mask_eval;
    assert_int_equal(4 * q - 1, S->n_stats);
    for (unsigned j = 0; j < q; j++) {
        S->hist[2 * j][vals[j].c0 >> 60]++;
        S->hist[2 * j + 1][vals[j].c1 >> 60]++;
        S->hist[2 * q + j][(vals[j].c0 >> 62) << 2 | vals[j].c1 >> 62]++;
        if (j + 1 < q)
            S->hist[3 * q + j][(vals[j].c0 >> 62) << 2 | vals[j + 1].c0 >> 62]++;
    }
}

static double chi2_uniform(const unsigned *h, unsigned total)
{
    double e = (double)total / NBINS, x = 0;
    for (unsigned b = 0; b < NBINS; b++)
        x += ((double)h[b] - e) * ((double)h[b] - e) / e;
    return x;
}

/* two samples of equal size: sum (a - b)^2 / (a + b), 15 degrees of freedom */
static double chi2_homogeneity(const unsigned *a, const unsigned *b)
{
    double x = 0;
    for (unsigned k = 0; k < NBINS; k++)
        if (a[k] + b[k])
            x += ((double)a[k] - b[k]) * ((double)a[k] - b[k]) / ((double)a[k] + b[k]);
    return x;
}

static double max_chi2_uniform(const stats_t *S, unsigned runs)
{
    double mx = 0;
    for (unsigned j = 0; j < S->n_stats; j++) {
        double x = chi2_uniform(S->hist[j], runs);
        mx = x > mx ? x : mx;
    }
    return mx;
}

/* real transcripts of one fixed f over fresh masks (weak: a_0 only), of
 * the sumcheck of f (zero: of the zero-check of f) */
static void collect_real(tinst *I, zk_fp2 claim, int zero, unsigned runs, int weak, stats_t *S,
                         uint64_t *s)
{
    unsigned d = zk_sumcheck_degree(I->terms, I->n_terms) + (zero ? 1 : 0);
    size_t L = zk_zksc_mask_len(I->n, d);
    zk_fp2 *c = calloc(L, sizeof(zk_fp2));
    za_error err;
    for (unsigned it = 0; it < runs; it++) {
        for (size_t j = 0; j < (weak ? 1 : L); j++)
            c[j] = rnd_fp2(s);
        zk_zksc_mask m = { I->n, d, c };
        run_t R;
        if (zero) {
            zk_sumcheck_instance v = inst_view(I);
            zk_transcript_init(&R.t, "test/zkzero");
            assert_int_equal(
                zk_zksc_zerocheck_prove(&v, &m, &R.t, 1, &R.proof, R.point, R.evals, &err),
                ZA_OK);
        } else {
            zprove(I, claim, &m, 1, &R);
        }
        stats_add(S, &R.proof, I->n, d);
        zk_zksc_proof_free(&R.proof);
    }
    free(c);
}

static void collect_sim(tinst *I, zk_fp2 claim, int zero, unsigned runs, stats_t *S, uint64_t *s)
{
    unsigned d = zk_sumcheck_degree(I->terms, I->n_terms) + (zero ? 1 : 0);
    za_error err;
    for (unsigned it = 0; it < runs; it++) {
        zk_transcript t;
        zk_zksc_proof P;
        zk_fp2 point[ZK_SUMCHECK_MAX_VARS], ev[ZK_SUMCHECK_MAX_TABLES];
        if (zero) {
            zk_transcript_init(&t, "test/zkzero");
            assert_int_equal(zk_zksc_simulate_zerocheck(I->n, I->terms, I->n_terms, I->n_tables,
                                                        rnd_cb, s, leak_cb, I, &t, &P, point, ev,
                                                        &err),
                             ZA_OK);
        } else {
            zk_transcript_init(&t, "test/zksumcheck");
            assert_int_equal(zk_zksc_simulate(I->n, d, claim, I->terms, I->n_terms, I->n_tables,
                                              rnd_cb, s, leak_cb, I, &t, &P, point, ev, &err),
                             ZA_OK);
        }
        stats_add(S, &P, I->n, d);
        zk_zksc_proof_free(&P);
    }
}

static void zk_statistics(tinst *I, int zero, uint64_t *s)
{
    const unsigned runs = (unsigned)zt_iters(2000);
    unsigned d = zk_sumcheck_degree(I->terms, I->n_terms) + (zero ? 1 : 0);
    zk_sumcheck_instance v = inst_view(I);
    zk_fp2 claim = zero ? zk_fp2_make(0, 0) : zk_sumcheck_sum(&v, 1);
    unsigned ns = stats_count(I->n, d);
    stats_t real = { ns, calloc(ns, sizeof *real.hist) };
    stats_t sim = { ns, calloc(ns, sizeof *sim.hist) };
    stats_t weak = { ns, calloc(ns, sizeof *weak.hist) };
    collect_real(I, claim, zero, runs, 0, &real, s);
    collect_real(I, claim, zero, runs, 1, &weak, s);
    collect_sim(I, claim, zero, runs, &sim, s);
    double mr = max_chi2_uniform(&real, runs), ms = max_chi2_uniform(&sim, runs);
    double mw = max_chi2_uniform(&weak, runs), mh = 0, mwh = 0;
    for (unsigned j = 0; j < ns; j++) {
        double x = chi2_homogeneity(real.hist[j], sim.hist[j]);
        double y = chi2_homogeneity(weak.hist[j], sim.hist[j]);
        mh = x > mh ? x : mh;
        mwh = y > mwh ? y : mwh;
    }
    printf("# %s: %u runs, %u statistics: max chi2 real %.1f, simulated %.1f, "
           "real vs simulated %.1f, weak mask %.1f (bound %.0f)\n",
           zero ? "zero-check" : "sumcheck", runs, ns, mr, ms, mh, mw, CHI2_MAX);
    if (runs >= 1000) { /* the bound is for about 2000 runs or more */
        assert_true(mr < CHI2_MAX);
        assert_true(ms < CHI2_MAX);
        assert_true(mh < CHI2_MAX);
        /* the tests have power: with a_0 alone the differences are f's */
        assert_true(mw > 10 * CHI2_MAX);
        assert_true(mwh > 10 * CHI2_MAX);
    }
    free(real.hist);
    free(sim.hist);
    free(weak.hist);
}

static void test_zk_statistics(void **state)
{
    (void)state;
    uint64_t s = seed + 8;
    int kinds[3] = { K_BASE, K_EXT, K_BASE };
    tinst I;
    inst_alloc(&I, 4, 3, kinds, &s);
    random_terms(&I, 2, 3, &s);
    zk_statistics(&I, 0, &s);
    inst_free(&I);
    (void)zero_inst(&I, 4, 2, 0, &s);
    zk_statistics(&I, 1, &s);
    inst_free(&I);
}

/* ------------------------------------------------------------ kernel claims */

/* sum_j K[j] eq(bits(off + j), r) from the definition */
static zk_fp2 naive_kernel_mle(const zk_kernel_claim *c, unsigned n, const zk_fp2 *r)
{
    zk_fp2 s = { 0, 0 };
    for (size_t j = 0; j < c->len; j++) {
        zk_fp2 b[ZK_SUMCHECK_MAX_VARS];
        for (unsigned q = 0; q < n; q++)
            b[q] = zk_fp2_from_fp(((c->off + j) >> q) & 1);
        s = zk_fp2_add(s, zk_fp2_mul(c->kernel[j], zk_eq_eval(b, r, n)));
    }
    return s;
}

static zk_fp2 window_dot(const zk_fp *V, const zk_kernel_claim *c)
{
    zk_fp2 s = { 0, 0 };
    for (size_t j = 0; j < c->len; j++)
        s = zk_fp2_add(s, zk_fp2_mul_fp(c->kernel[j], V[c->off + j]));
    return s;
}

static void test_kernel_mle(void **state)
{
    (void)state;
    uint64_t s = seed + 9;
    const unsigned n = 9;
    zk_fp2 K[512], r[9];
    for (size_t j = 0; j < 512; j++)
        K[j] = rnd_fp2(&s);
    for (unsigned q = 0; q < n; q++)
        r[q] = rnd_fp2(&s);
    static const uint64_t offs[] = { 0, 1, 3, 64, 100, 255, 256, 300, 511 };
    static const size_t lens[] = { 1, 2, 3, 5, 64, 100, 129, 256, 512 };
    for (unsigned a = 0; a < sizeof offs / sizeof offs[0]; a++)
        for (unsigned b = 0; b < sizeof lens / sizeof lens[0]; b++) {
            if (offs[a] + lens[b] > 512)
                continue;
            zk_kernel_claim c = { offs[a], lens[b], K, { 0, 0 } };
            assert_true(fp2_eq(zk_kernel_claim_mle(&c, n, r), naive_kernel_mle(&c, n, r)));
        }
    /* the shape checks */
    za_error err;
    zk_kernel_claim c = { 500, 12, K, { 0, 0 } };
    assert_int_equal(zk_kernel_claims_check(n, 0, 1, &c, &err), ZA_OK);
    c.len = 13;
    assert_int_equal(zk_kernel_claims_check(n, 0, 1, &c, &err), ZA_ERR_ARG);
    c.off = UINT64_MAX;
    c.len = 2;
    assert_int_equal(zk_kernel_claims_check(n, 0, 1, &c, &err), ZA_ERR_ARG);
    c.off = 0;
    c.len = 0;
    assert_int_equal(zk_kernel_claims_check(n, 0, 1, &c, &err), ZA_ERR_ARG);
    c.len = ZK_KERNEL_MAX_LEN + 1;
    assert_int_equal(zk_kernel_claims_check(30, 0, 1, &c, &err), ZA_ERR_ARG);
    c.len = 1;
    c.kernel = NULL;
    assert_int_equal(zk_kernel_claims_check(n, 0, 1, &c, &err), ZA_ERR_ARG);
    assert_int_equal(zk_kernel_claims_check(n, 0, 0, NULL, &err), ZA_ERR_ARG);
}

typedef struct {
    unsigned n, m, nk;
    zk_fp *V;
    zk_fp2 points[4 * 12], values[4];
    zk_fp2 *kern[4];
    zk_kernel_claim kc[4];
} kb_t;

static void kb_make(kb_t *B, unsigned n, uint64_t *s)
{
    memset(B, 0, sizeof *B);
    B->n = n;
    size_t N = (size_t)1 << n;
    B->V = malloc(sizeof(zk_fp) * N);
    for (size_t j = 0; j < N; j++)
        B->V[j] = rnd_fp(s);
    B->m = 2;
    for (unsigned k = 0; k < B->m; k++) {
        for (unsigned q = 0; q < n; q++)
            B->points[k * n + q] = rnd_fp2(s);
        B->values[k] = zk_mle_eval(B->V, n, B->points + k * n);
    }
    /* windows: straddling a block boundary, length one, the whole table,
     * an aligned power of two */
    uint64_t offs[4] = { N / 2 - 3, 7, 0, N / 4 };
    size_t lens[4] = { 10, 1, N, N / 4 };
    B->nk = 4;
    for (unsigned l = 0; l < 4; l++) {
        B->kern[l] = malloc(sizeof(zk_fp2) * lens[l]);
        for (size_t j = 0; j < lens[l]; j++)
            B->kern[l][j] = rnd_fp2(s);
        B->kc[l].off = offs[l];
        B->kc[l].len = lens[l];
        B->kc[l].kernel = B->kern[l];
        B->kc[l].value = window_dot(B->V, &B->kc[l]);
    }
}

static void kb_free(kb_t *B)
{
    free(B->V);
    for (unsigned l = 0; l < 4; l++)
        free(B->kern[l]);
}

/* prove and verify; returns whether v_claim is V's true MLE at the point */
static int kb_run(const kb_t *B, unsigned m, unsigned nk, const zk_kernel_claim *kc_verify,
                  const zk_zksc_mask *mask, int flip, uint64_t *s)
{
    za_error err;
    zk_transcript tp, tv;
    zk_fp2 point[ZK_SUMCHECK_MAX_VARS], vpoint[ZK_SUMCHECK_MAX_VARS], v_eval, v_claim;
    zk_transcript_init(&tp, "test/kbatch");
    zk_transcript_init(&tv, "test/kbatch");
    int ok;
    if (!mask) {
        zk_sumcheck_proof P;
        assert_int_equal(zk_batch_eval_kernel_prove(zk_mle_ref_base(B->V), B->n, m, B->points,
                                                    B->values, nk, B->kc, &tp, 1, &P, point,
                                                    &v_eval, &err),
                         ZA_OK);
        assert_true(fp2_eq(v_eval, zk_mle_eval(B->V, B->n, point)));
        if (flip) {
            size_t k = zt_next(s) % ((size_t)B->n * 2);
            P.evals[k].c1 ^= (uint64_t)1 << (zt_next(s) % 32);
        }
        assert_int_equal(zk_batch_eval_kernel_verify(B->n, m, B->points, B->values, nk,
                                                     kc_verify, &P, &tv, vpoint, &v_claim, &err),
                         ZA_OK);
        zk_sumcheck_proof_free(&P);
    } else {
        zk_zksc_proof P;
        assert_int_equal(zk_batch_eval_kernel_zk_prove(zk_mle_ref_base(B->V), B->n, m, B->points,
                                                       B->values, nk, B->kc, mask, &tp, 1, &P,
                                                       point, &v_eval, &err),
                         ZA_OK);
        assert_true(fp2_eq(v_eval, zk_mle_eval(B->V, B->n, point)));
        if (flip) {
            size_t k = zt_next(s) % ((size_t)B->n * 2);
            P.rounds.evals[k].c1 ^= (uint64_t)1 << (zt_next(s) % 32);
        }
        assert_int_equal(zk_batch_eval_kernel_zk_verify(B->n, m, B->points, B->values, nk,
                                                        kc_verify, &P, &tv, vpoint, &v_claim,
                                                        &err),
                         ZA_OK);
        if (!flip && kc_verify == B->kc)
            assert_true(fp2_eq(P.mask_eval, zk_zksc_mask_eval(mask, vpoint)));
        zk_zksc_proof_free(&P);
    }
    ok = fp2_eq(v_claim, zk_mle_eval(B->V, B->n, vpoint));
    if (!flip && kc_verify == B->kc) {
        assert_memory_equal(point, vpoint, sizeof(zk_fp2) * B->n);
        assert_memory_equal(tp.state, tv.state, sizeof tp.state);
    }
    return ok;
}

static void test_kernel_batch(void **state)
{
    (void)state;
    uint64_t s = seed + 10;
    for (unsigned n = 4; n <= 12; n += 4)
        for (int masked = 0; masked < 2; masked++) {
            kb_t B;
            kb_make(&B, n, &s);
            zk_fp2 *c = random_mask(n, 2, &s);
            zk_zksc_mask m = { n, 2, c };
            const zk_zksc_mask *mp = masked ? &m : NULL;
            /* completeness: both kinds, kernels alone, points alone */
            assert_true(kb_run(&B, B.m, B.nk, B.kc, mp, 0, &s));
            assert_true(kb_run(&B, 0, B.nk, B.kc, mp, 0, &s));
            assert_true(kb_run(&B, B.m, 0, B.kc, mp, 0, &s));
            /* a wrong kernel value (the prover proves it, the verifier rejects) */
            for (unsigned l = 0; l < B.nk; l++) {
                zk_fp2 keep = B.kc[l].value;
                B.kc[l].value = zk_fp2_add(keep, ONE);
                assert_false(kb_run(&B, B.m, B.nk, B.kc, mp, 0, &s));
                B.kc[l].value = keep;
            }
            /* a claim on the wrong window: the value of [off, off+len) stated
             * for [off+1, off+1+len) */
            {
                zk_kernel_claim kc2[4];
                memcpy(kc2, B.kc, sizeof kc2);
                kc2[0].off += 1;
                kb_t B2 = B;
                memcpy(B2.kc, kc2, sizeof kc2);
                assert_false(kb_run(&B2, B.m, B.nk, B2.kc, mp, 0, &s));
                /* and a proof for the true windows checked as if for the shifted one */
                assert_false(kb_run(&B, B.m, B.nk, kc2, mp, 0, &s));
            }
            /* bit flips in the round values */
            for (int it = 0; it < 8; it++)
                assert_false(kb_run(&B, B.m, B.nk, B.kc, mp, 1, &s));
            free(c);
            kb_free(&B);
        }
}

/* g(r) proven against a table that holds the mask's two base-field halves:
 * <K, c> = <K, c'> + i <K, c''>, two kernel claims on one table */
static void test_mask_claim_by_kernel(void **state)
{
    (void)state;
    uint64_t s = seed + 11;
    za_error err;
    const unsigned n = 7, d = 3;
    int kinds[2] = { K_BASE, K_EXT };
    tinst I;
    inst_alloc(&I, n, 2, kinds, &s);
    random_terms(&I, 2, d, &s);
    zk_sumcheck_instance v = inst_view(&I);
    zk_fp2 claim = zk_sumcheck_sum(&v, 1);
    size_t L = zk_zksc_mask_len(n, d);
    zk_fp2 *c = random_mask(n, d, &s);
    zk_zksc_mask m = { n, d, c };
    /* the committed table: c' at [0, L), c'' at [L, 2L), zeros above */
    unsigned tn = zk_mle_log2_ceil(2 * L);
    zk_fp *T = calloc((size_t)1 << tn, sizeof(zk_fp));
    for (size_t j = 0; j < L; j++) {
        T[j] = c[j].c0;
        T[L + j] = c[j].c1;
    }
    run_t R;
    zprove(&I, claim, &m, 1, &R);
    zk_transcript tv;
    zk_fp2 point[ZK_SUMCHECK_MAX_VARS], f_claim;
    zk_transcript_init(&tv, "test/zksumcheck");
    assert_int_equal(zk_zksc_verify(n, d, claim, &R.proof, &tv, point, &f_claim, &err), ZA_OK);
    zk_fp2 *K = malloc(sizeof(zk_fp2) * L);
    zk_zksc_mask_kernel(n, d, point, K);
    for (int cheat = 0; cheat < 2; cheat++) {
        /* the prover states the halves' values; the verifier checks they
         * combine to the g(r) of the proof, then the batch proves them */
        zk_kernel_claim kc[2] = { { 0, L, K, window_dot(T, &(zk_kernel_claim){ 0, L, K, ONE }) },
                                  { L, L, K, window_dot(T, &(zk_kernel_claim){ L, L, K, ONE }) } };
        zk_fp2 g = zk_fp2_add(kc[0].value, zk_fp2_mul(zk_fp2_make(0, 1), kc[1].value));
        zk_fp2 stated = R.proof.mask_eval;
        if (cheat) /* a g(r) that is not the mask's: the halves cannot both be right */
            stated = zk_fp2_add(stated, ONE);
        assert_int_equal(fp2_eq(g, stated), !cheat);
        if (cheat) /* the cheater states halves that combine to its g(r) */
            kc[1].value = zk_fp2_add(kc[1].value,
                                     zk_fp2_mul(ONE, zk_fp2_inv(zk_fp2_make(0, 1))));
        zk_fp2 g2 = zk_fp2_add(kc[0].value, zk_fp2_mul(zk_fp2_make(0, 1), kc[1].value));
        assert_true(fp2_eq(g2, stated));
        zk_transcript tp, tb;
        zk_transcript_init(&tp, "test/kbatch");
        zk_transcript_init(&tb, "test/kbatch");
        zk_sumcheck_proof P;
        zk_fp2 bp[ZK_SUMCHECK_MAX_VARS], vb[ZK_SUMCHECK_MAX_VARS], ve, vc;
        assert_int_equal(zk_batch_eval_kernel_prove(zk_mle_ref_base(T), tn, 0, NULL, NULL, 2, kc,
                                                    &tp, 1, &P, bp, &ve, &err),
                         ZA_OK);
        assert_int_equal(
            zk_batch_eval_kernel_verify(tn, 0, NULL, NULL, 2, kc, &P, &tb, vb, &vc, &err), ZA_OK);
        /* the opening of T at the point decides */
        assert_int_equal(fp2_eq(vc, zk_mle_eval(T, tn, vb)), !cheat);
        zk_sumcheck_proof_free(&P);
    }
    free(K);
    free(T);
    free(c);
    zk_zksc_proof_free(&R.proof);
    inst_free(&I);
}

int main(void)
{
    seed = zt_seed("zksumcheck");
    if (getenv("ZKAUDIT_TEST_FILTER"))
        cmocka_set_test_filter(getenv("ZKAUDIT_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mask_helpers),
        cmocka_unit_test(test_zero_mask_is_plain),
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_soundness),
        cmocka_unit_test(test_encoding),
        cmocka_unit_test(test_zerocheck),
        cmocka_unit_test(test_simulator_accepted),
        cmocka_unit_test(test_zk_statistics),
        cmocka_unit_test(test_kernel_mle),
        cmocka_unit_test(test_kernel_batch),
        cmocka_unit_test(test_mask_claim_by_kernel),
    };
    return cmocka_run_group_tests_name("zksumcheck", tests, NULL, NULL);
}
