/* tests/unit/test_sumcheck.c - the sumcheck protocol, the zero-check and the
 * batching of evaluation claims (zk/sumcheck.h).
 *
 * Completeness for 2^0 .. 2^22 terms: degrees 1..4 with several terms over
 * base, extension and in-place tables up to 2^12, degree-2 products of
 * base tables above; the final claim equals the direct evaluation at the
 * returned point and the prover's table evaluations are the MLEs there.
 * Soundness: a wrong claimed sum, every coefficient of every round
 * polynomial modified, every final evaluation changed, and a prover whose
 * tables do not have the claimed sum are all rejected; any change of a
 * message makes the verifier's transcript diverge.  The zero-check rejects
 * a C that is non-zero at one point; the batch reduction rejects one wrong
 * claimed value.  Proofs do not depend on the thread count. */
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
    zk_fp2 *ext[ZK_SUMCHECK_MAX_TABLES];   /* pristine values (base: NULL) */
    zk_fp2 *work[ZK_SUMCHECK_MAX_TABLES];  /* in-place tables: what the prover overwrites */
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

/* (re)arm the references; in-place tables get a fresh copy */
static const zk_mle_ref *inst_refs(tinst *I)
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
    return I->refs;
}

static zk_sumcheck_instance inst_view(tinst *I)
{
    zk_sumcheck_instance v = { I->n, I->n_tables, inst_refs(I), I->n_terms, I->terms };
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

/* random terms: the first has exactly `degree` factors */
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

/* the MLE of every table at a point, from the pristine values */
static void direct_evals(const tinst *I, const zk_fp2 *point, zk_fp2 *ev)
{
    for (unsigned i = 0; i < I->n_tables; i++)
        ev[i] = I->kind[i] == K_BASE ? zk_mle_eval_mt(I->base[i], I->n, point, 2)
                                     : zk_mle_eval_ext_mt(I->ext[i], I->n, point, 2);
}

/* the sum over the cube straight from the definition (small n) */
static zk_fp2 naive_sum(const tinst *I)
{
    zk_fp2 s = { 0, 0 };
    for (size_t x = 0; x < ((size_t)1 << I->n); x++)
        for (unsigned t = 0; t < I->n_terms; t++) {
            zk_fp2 p = I->terms[t].coeff;
            for (unsigned f = 0; f < I->terms[t].n_factors; f++) {
                unsigned k = I->terms[t].factors[f];
                p = I->kind[k] == K_BASE ? zk_fp2_mul_fp(p, I->base[k][x])
                                         : zk_fp2_mul(p, I->ext[k][x]);
            }
            s = zk_fp2_add(s, p);
        }
    return s;
}

typedef struct {
    zk_sumcheck_proof proof;
    zk_fp2 point[ZK_SUMCHECK_MAX_VARS];
    zk_fp2 evals[ZK_SUMCHECK_MAX_TABLES];
    zk_transcript t; /* prover's transcript after the proof */
} run_t;

static void prove(tinst *I, zk_fp2 claim, int threads, run_t *R)
{
    za_error err;
    zk_sumcheck_instance v = inst_view(I);
    zk_transcript_init(&R->t, "test/sumcheck");
    za_status st = zk_sumcheck_prove(&v, claim, &R->t, threads, &R->proof, R->point, R->evals, &err);
    if (st)
        fail_msg("prove: %s", err.msg);
}

/* verify and run the final check against direct evaluations at the
 * verifier's point; returns the status, fills the transcript and point */
static za_status verify_full(const tinst *I, zk_fp2 claim, const zk_sumcheck_proof *p,
                             zk_transcript *t, zk_fp2 *point, zk_fp2 *final_claim)
{
    za_error err;
    zk_transcript_init(t, "test/sumcheck");
    unsigned d = zk_sumcheck_degree(I->terms, I->n_terms);
    za_status st = zk_sumcheck_verify(I->n, d, claim, p, t, point, final_claim, &err);
    if (st)
        return st;
    zk_fp2 ev[ZK_SUMCHECK_MAX_TABLES];
    direct_evals(I, point, ev);
    return zk_sumcheck_check_final(I->terms, I->n_terms, ev, *final_claim, &err);
}

/* honest proof, checked every way */
static void check_complete(tinst *I, int threads)
{
    zk_sumcheck_instance v = inst_view(I);
    zk_fp2 claim = zk_sumcheck_sum(&v, 2);
    if (I->n <= 8)
        assert_true(fp2_eq(claim, naive_sum(I)));
    run_t R;
    prove(I, claim, threads, &R);
    unsigned d = zk_sumcheck_degree(I->terms, I->n_terms);
    assert_int_equal(R.proof.n_vars, I->n);
    assert_int_equal(R.proof.degree, d);
    assert_int_equal(zk_sumcheck_proof_bytes(&R.proof), (size_t)16 * I->n * d);
    zk_transcript tv;
    zk_fp2 point[ZK_SUMCHECK_MAX_VARS], fin;
    za_error err;
    zk_transcript_init(&tv, "test/sumcheck");
    assert_int_equal(zk_sumcheck_verify(I->n, d, claim, &R.proof, &tv, point, &fin, &err), ZA_OK);
    assert_memory_equal(point, R.point, sizeof(zk_fp2) * I->n);
    assert_memory_equal(tv.state, R.t.state, sizeof tv.state);
    /* the prover's evaluations are the MLEs at the point, and they pass */
    zk_fp2 ev[ZK_SUMCHECK_MAX_TABLES];
    direct_evals(I, point, ev);
    assert_memory_equal(ev, R.evals, sizeof(zk_fp2) * I->n_tables);
    assert_true(fp2_eq(zk_sumcheck_combine(I->terms, I->n_terms, ev), fin));
    assert_int_equal(zk_sumcheck_check_final(I->terms, I->n_terms, R.evals, fin, &err), ZA_OK);
    zk_sumcheck_proof_free(&R.proof);
}

/* ------------------------------------------------------------ completeness */

static void test_complete_small(void **state)
{
    (void)state;
    uint64_t s = seed;
    for (unsigned n = 0; n <= 12; n++) {
        for (unsigned d = 1; d <= 4; d++) {
            /* all base (base-field first round), and mixed kinds */
            for (int mix = 0; mix < 2; mix++) {
                int kinds[5];
                for (int i = 0; i < 5; i++)
                    kinds[i] = mix ? i % 3 : K_BASE;
                tinst I;
                inst_alloc(&I, n, 5, kinds, &s);
                random_terms(&I, 1 + (unsigned)(zt_next(&s) % 4), d, &s);
                check_complete(&I, n >= 10 ? 2 : 1);
                inst_free(&I);
            }
        }
    }
    /* one term of one table; a table used several times in one term */
    int kb[1] = { K_BASE };
    tinst I;
    inst_alloc(&I, 7, 1, kb, &s);
    I.n_terms = 1;
    I.terms[0] = zk_sumcheck_term_make(ONE, 1, 0, 0, 0, 0);
    check_complete(&I, 1);
    I.terms[0] = zk_sumcheck_term_make(rnd_nonzero(&s), 4, 0, 0, 0, 0);
    check_complete(&I, 1);
    inst_free(&I);
}

static void test_complete_large(void **state)
{
    (void)state;
    uint64_t s = seed + 1;
    /* degree 2, product of two base tables (the benchmark shape), up to 2^22 */
    for (unsigned n = 13; n <= 22; n++) {
        int kinds[2] = { K_BASE, K_BASE };
        tinst I;
        inst_alloc(&I, n, 2, kinds, &s);
        I.n_terms = 1;
        I.terms[0] = zk_sumcheck_term_make(ONE, 2, 0, 1, 0, 0);
        check_complete(&I, 2);
        inst_free(&I);
    }
    /* several terms, mixed kinds, degree 3, across the parallel threshold */
    int kinds[4] = { K_BASE, K_EXT, K_INPLACE, K_BASE };
    tinst I;
    inst_alloc(&I, 17, 4, kinds, &s);
    random_terms(&I, 3, 3, &s);
    check_complete(&I, 2);
    inst_free(&I);
}

/* proofs do not depend on the number of threads */
static void test_threads_identical(void **state)
{
    (void)state;
    uint64_t s = seed + 2;
    int kinds[3] = { K_BASE, K_BASE, K_EXT };
    for (int all_base = 0; all_base < 2; all_base++) {
        if (all_base)
            kinds[2] = K_BASE;
        tinst I;
        inst_alloc(&I, 17, 3, kinds, &s);
        random_terms(&I, 3, 3, &s);
        zk_sumcheck_instance v = inst_view(&I);
        zk_fp2 claim = zk_sumcheck_sum(&v, 1);
        assert_true(fp2_eq(claim, zk_sumcheck_sum(&v, 3)));
        run_t A, B, C;
        prove(&I, claim, 1, &A);
        prove(&I, claim, 2, &B);
        prove(&I, claim, 3, &C);
        size_t bytes = sizeof(zk_fp2) * A.proof.n_vars * A.proof.degree;
        assert_memory_equal(A.proof.evals, B.proof.evals, bytes);
        assert_memory_equal(A.proof.evals, C.proof.evals, bytes);
        assert_memory_equal(A.evals, B.evals, sizeof(zk_fp2) * 3);
        assert_memory_equal(A.evals, C.evals, sizeof(zk_fp2) * 3);
        zk_sumcheck_proof_free(&A.proof);
        zk_sumcheck_proof_free(&B.proof);
        zk_sumcheck_proof_free(&C.proof);
        inst_free(&I);
    }
}

/* ------------------------------------------------------------ soundness */

static void test_soundness(void **state)
{
    (void)state;
    uint64_t s = seed + 3;
    for (unsigned d = 1; d <= 4; d++) {
        int kinds[4] = { K_BASE, K_EXT, K_BASE, K_INPLACE };
        tinst I;
        const unsigned n = 6;
        inst_alloc(&I, n, 4, kinds, &s);
        random_terms(&I, 3, d, &s);
        zk_sumcheck_instance v = inst_view(&I);
        zk_fp2 claim = zk_sumcheck_sum(&v, 1);
        run_t R;
        prove(&I, claim, 1, &R);
        zk_transcript th;
        zk_fp2 hpoint[ZK_SUMCHECK_MAX_VARS], hfin;
        assert_int_equal(verify_full(&I, claim, &R.proof, &th, hpoint, &hfin), ZA_OK);

        /* a wrong claimed sum: for the honest proof, and for a proof made for it */
        zk_fp2 bad = zk_fp2_add(claim, rnd_nonzero(&s));
        zk_transcript t;
        zk_fp2 point[ZK_SUMCHECK_MAX_VARS], fin;
        assert_int_equal(verify_full(&I, bad, &R.proof, &t, point, &fin), ZA_ERR_MISMATCH);
        assert_memory_not_equal(t.state, th.state, sizeof t.state);
        run_t W;
        prove(&I, bad, 1, &W);
        assert_int_equal(verify_full(&I, bad, &W.proof, &t, point, &fin), ZA_ERR_MISMATCH);
        za_error err;
        assert_int_equal(zk_sumcheck_check_final(I.terms, I.n_terms, W.evals, fin, &err),
                         ZA_ERR_MISMATCH);
        zk_sumcheck_proof_free(&W.proof);

        /* every coefficient of every round polynomial */
        for (unsigned k = 0; k < n; k++)
            for (unsigned c = 0; c < d; c++) {
                zk_sumcheck_proof p = R.proof;
                p.evals = malloc(sizeof(zk_fp2) * n * d);
                memcpy(p.evals, R.proof.evals, sizeof(zk_fp2) * n * d);
                p.evals[k * d + c] = zk_fp2_add(p.evals[k * d + c], rnd_nonzero(&s));
                assert_int_equal(verify_full(&I, claim, &p, &t, point, &fin), ZA_ERR_MISMATCH);
                /* the transcript diverges from that round on */
                assert_memory_not_equal(t.state, th.state, sizeof t.state);
                assert_false(fp2_eq(point[n - 1 - k], hpoint[n - 1 - k]));
                for (unsigned j = n - k; j < n; j++) /* earlier rounds unchanged */
                    assert_true(fp2_eq(point[j], hpoint[j]));
                /* nor does the prover's own evaluation vector pass */
                assert_int_equal(zk_sumcheck_check_final(I.terms, I.n_terms, R.evals, fin, &err),
                                 ZA_ERR_MISMATCH);
                free(p.evals);
            }

        /* a changed final evaluation of any table used by a term */
        for (unsigned i = 0; i < I.n_tables; i++) {
            int used = 0;
            for (unsigned tm = 0; tm < I.n_terms; tm++)
                for (unsigned f = 0; f < I.terms[tm].n_factors; f++)
                    used |= I.terms[tm].factors[f] == i;
            if (!used)
                continue;
            zk_fp2 ev[ZK_SUMCHECK_MAX_TABLES];
            memcpy(ev, R.evals, sizeof ev);
            ev[i] = zk_fp2_add(ev[i], rnd_nonzero(&s));
            assert_int_equal(zk_sumcheck_check_final(I.terms, I.n_terms, ev, hfin, &err),
                             ZA_ERR_MISMATCH);
        }

        /* a prover whose tables are not the claimed ones: one entry changed */
        for (unsigned i = 0; i < I.n_tables; i++) {
            size_t x = zt_next(&s) & (((size_t)1 << n) - 1);
            if (I.kind[i] == K_BASE)
                I.base[i][x] = zk_fp_add(I.base[i][x], 1);
            else
                I.ext[i][x] = zk_fp2_add(I.ext[i][x], ONE);
            zk_sumcheck_instance v2 = inst_view(&I);
            if (fp2_eq(zk_sumcheck_sum(&v2, 1), claim))
                goto restore; /* table i is not used: nothing changed */
            prove(&I, claim, 1, &W);
            assert_int_equal(verify_full(&I, claim, &W.proof, &t, point, &fin), ZA_ERR_MISMATCH);
            assert_int_equal(zk_sumcheck_check_final(I.terms, I.n_terms, W.evals, fin, &err),
                             ZA_ERR_MISMATCH);
            zk_sumcheck_proof_free(&W.proof);
        restore:
            if (I.kind[i] == K_BASE)
                I.base[i][x] = zk_fp_sub(I.base[i][x], 1);
            else
                I.ext[i][x] = zk_fp2_sub(I.ext[i][x], ONE);
        }

        /* a proof of another shape */
        assert_int_equal(zk_sumcheck_verify(n + 1, d, claim, &R.proof, &t, point, &fin, &err),
                         ZA_ERR_MALFORMED);
        if (d < ZK_SUMCHECK_MAX_DEGREE)
            assert_int_equal(zk_sumcheck_verify(n, d + 1, claim, &R.proof, &t, point, &fin, &err),
                             ZA_ERR_MALFORMED);
        assert_int_equal(zk_sumcheck_verify(n, 0, claim, &R.proof, &t, point, &fin, &err),
                         ZA_ERR_ARG);
        zk_sumcheck_proof_free(&R.proof);
        inst_free(&I);
    }
}

/* the instance checks refuse malformed statements */
static void test_bad_instances(void **state)
{
    (void)state;
    zk_fp tab[4] = { 1, 2, 3, 4 };
    zk_fp2 tabe[4] = { { 1, 0 }, { 2, 0 }, { 3, 0 }, { 4, 0 } };
    zk_mle_ref refs[2] = { zk_mle_ref_base(tab), zk_mle_ref_ext(tabe) };
    zk_sumcheck_term term = zk_sumcheck_term_make(ONE, 2, 0, 1, 0, 0);
    zk_sumcheck_instance inst = { 2, 2, refs, 1, &term };
    za_error err;
    assert_int_equal(zk_sumcheck_instance_check(&inst, &err), ZA_OK);
    term.factors[1] = 2;
    assert_int_equal(zk_sumcheck_instance_check(&inst, &err), ZA_ERR_ARG);
    term.factors[1] = 1;
    term.n_factors = 5;
    assert_int_equal(zk_sumcheck_instance_check(&inst, &err), ZA_ERR_ARG);
    term.n_factors = 0;
    assert_int_equal(zk_sumcheck_instance_check(&inst, &err), ZA_ERR_ARG);
    term.n_factors = 2;
    refs[1].base = tab; /* two pointers */
    assert_int_equal(zk_sumcheck_instance_check(&inst, &err), ZA_ERR_ARG);
    refs[1].base = NULL;
    refs[1].ext = NULL; /* none */
    assert_int_equal(zk_sumcheck_instance_check(&inst, &err), ZA_ERR_ARG);
    refs[1].ext = tabe;
    inst.n_vars = ZK_SUMCHECK_MAX_VARS + 1;
    assert_int_equal(zk_sumcheck_instance_check(&inst, &err), ZA_ERR_ARG);
    inst.n_vars = 2;
    inst.n_terms = 0;
    assert_int_equal(zk_sumcheck_instance_check(&inst, &err), ZA_ERR_ARG);
    inst.n_terms = 1;
    zk_transcript t;
    zk_transcript_init(&t, "x");
    zk_sumcheck_proof p;
    zk_fp2 point[2], ev[2];
    term.factors[0] = 7;
    assert_int_equal(zk_sumcheck_prove(&inst, ONE, &t, 1, &p, point, ev, &err), ZA_ERR_ARG);
    assert_null(p.evals);
}

/* the interpolation used for g(r) */
static void test_interpolate(void **state)
{
    (void)state;
    uint64_t s = seed + 4;
    for (unsigned d = 0; d <= ZK_SUMCHECK_MAX_DEGREE; d++) {
        zk_fp2 c[ZK_SUMCHECK_MAX_DEGREE + 1], vals[ZK_SUMCHECK_MAX_DEGREE + 1];
        for (unsigned i = 0; i <= d; i++)
            c[i] = rnd_fp2(&s);
        for (unsigned x = 0; x <= d + 2; x++) {
            zk_fp2 X = x <= d + 1 ? zk_fp2_from_fp(x) : rnd_fp2(&s);
            zk_fp2 y = { 0, 0 };
            for (unsigned i = d + 1; i-- > 0;)
                y = zk_fp2_add(zk_fp2_mul(y, X), c[i]);
            if (x <= d)
                vals[x] = y;
            if (x == d)
                for (unsigned q = 0; q <= d; q++)
                    assert_true(fp2_eq(zk_sumcheck_interpolate(vals, d, zk_fp2_from_fp(q)),
                                       vals[q]));
            if (x > d)
                assert_true(fp2_eq(zk_sumcheck_interpolate(vals, d, X), y));
        }
    }
}

/* encoding: round trip, truncation, non-canonical elements */
static void test_encoding(void **state)
{
    (void)state;
    uint64_t s = seed + 5;
    int kinds[3] = { K_BASE, K_BASE, K_EXT };
    tinst I;
    inst_alloc(&I, 9, 3, kinds, &s);
    random_terms(&I, 2, 3, &s);
    zk_sumcheck_instance v = inst_view(&I);
    zk_fp2 claim = zk_sumcheck_sum(&v, 1);
    run_t R;
    prove(&I, claim, 1, &R);
    zk_writer w;
    zk_writer_init(&w);
    zk_sumcheck_proof_write(&w, &R.proof);
    size_t len;
    uint8_t *buf = zk_writer_take(&w, &len);
    assert_non_null(buf);
    assert_int_equal(len, zk_sumcheck_proof_bytes(&R.proof));
    za_error err;
    zk_reader r;
    zk_sumcheck_proof p;
    zk_reader_init(&r, buf, len, "proof", &err);
    assert_int_equal(zk_sumcheck_proof_read(&r, 9, 3, &p), ZA_OK);
    assert_int_equal(zk_reader_finish(&r), ZA_OK);
    assert_memory_equal(p.evals, R.proof.evals, len);
    zk_transcript t;
    zk_fp2 point[16], fin;
    assert_int_equal(verify_full(&I, claim, &p, &t, point, &fin), ZA_OK);
    zk_sumcheck_proof_free(&p);
    /* truncated */
    zk_reader_init(&r, buf, len - 1, "proof", &err);
    assert_int_not_equal(zk_sumcheck_proof_read(&r, 9, 3, &p), ZA_OK);
    assert_null(p.evals);
    /* the reader asked for a bigger statement */
    zk_reader_init(&r, buf, len, "proof", &err);
    assert_int_not_equal(zk_sumcheck_proof_read(&r, 10, 3, &p), ZA_OK);
    assert_null(p.evals);
    /* trailing bytes are left for zk_reader_finish to reject */
    zk_reader_init(&r, buf, len, "proof", &err);
    assert_int_equal(zk_sumcheck_proof_read(&r, 8, 3, &p), ZA_OK);
    assert_int_not_equal(zk_reader_finish(&r), ZA_OK);
    zk_sumcheck_proof_free(&p);
    /* a non-canonical element */
    memset(buf + 16 * 5, 0xff, 8);
    zk_reader_init(&r, buf, len, "proof", &err);
    assert_int_equal(zk_sumcheck_proof_read(&r, 9, 3, &p), ZA_ERR_MALFORMED);
    assert_null(p.evals);
    free(buf);
    zk_sumcheck_proof_free(&R.proof);
    inst_free(&I);
}

/* ------------------------------------------------------------ zero-check */

typedef struct {
    tinst I;
    unsigned dc;
} zc_t;

/* C = c * (prod of dc-1.. tables) - c * P where P is their product: zero on
 * the cube.  Tables 0..dc-1 are the factors (kinds from `kinds`), table dc
 * their product (extension). */
static void zc_make(zc_t *Z, unsigned n, unsigned dc, const int *kinds, uint64_t *s)
{
    int k[6];
    for (unsigned i = 0; i < dc; i++)
        k[i] = kinds[i];
    k[dc] = K_EXT;
    inst_alloc(&Z->I, n, dc + 1, k, s);
    Z->dc = dc;
    for (size_t x = 0; x < ((size_t)1 << n); x++) {
        zk_fp2 p = ONE;
        for (unsigned i = 0; i < dc; i++)
            p = Z->I.kind[i] == K_BASE ? zk_fp2_mul_fp(p, Z->I.base[i][x])
                                       : zk_fp2_mul(p, Z->I.ext[i][x]);
        Z->I.ext[dc][x] = p;
    }
    zk_fp2 c = rnd_nonzero(s);
    Z->I.n_terms = 2;
    Z->I.terms[0] = zk_sumcheck_term_make(c, dc, 0, 1, 2, 3);
    Z->I.terms[1] = zk_sumcheck_term_make(zk_fp2_neg(c), 1, dc, 0, 0, 0);
}

static za_status zc_run(zc_t *Z, int threads, int direct, zk_sumcheck_proof *proof,
                        zk_fp2 *pevals)
{
    za_error err;
    zk_transcript tp, tv;
    zk_fp2 ppoint[ZK_SUMCHECK_MAX_VARS], vpoint[ZK_SUMCHECK_MAX_VARS], c_claim;
    zk_sumcheck_instance v = inst_view(&Z->I);
    zk_transcript_init(&tp, "test/zerocheck");
    za_status st = direct ? zk_zerocheck_prove_direct_h1(&v, &tp, threads, proof, ppoint, pevals, &err)
                          : zk_zerocheck_prove(&v, &tp, threads, proof, ppoint, pevals, &err);
    assert_int_equal(st, ZA_OK);
    assert_int_equal(proof->degree, Z->dc + 1);
    zk_transcript_init(&tv, "test/zerocheck");
    assert_int_equal(zk_zerocheck_verify(Z->I.n, Z->dc, proof, &tv, vpoint, &c_claim, &err), ZA_OK);
    assert_memory_equal(ppoint, vpoint, sizeof(zk_fp2) * Z->I.n);
    assert_memory_equal(tp.state, tv.state, sizeof tp.state);
    zk_fp2 ev[ZK_SUMCHECK_MAX_TABLES];
    direct_evals(&Z->I, vpoint, ev);
    assert_memory_equal(ev, pevals, sizeof(zk_fp2) * Z->I.n_tables);
    return zk_sumcheck_check_final(Z->I.terms, Z->I.n_terms, ev, c_claim, &err);
}

static void test_zerocheck(void **state)
{
    (void)state;
    uint64_t s = seed + 6;
    const int all_base[4] = { K_BASE, K_BASE, K_BASE, K_BASE };
    const int mixed[4] = { K_EXT, K_BASE, K_INPLACE, K_BASE };
    for (unsigned n = 0; n <= 12; n++)
        for (unsigned dc = 1; dc <= 4; dc++)
            for (int m = 0; m < 2; m++) {
                zc_t Z;
                zc_make(&Z, n, dc, m ? mixed : all_base, &s);
                zk_sumcheck_proof p, q;
                zk_fp2 ev[8], ev2[8];
                assert_int_equal(zc_run(&Z, 1, 0, &p, ev), ZA_OK);
                /* h(1) computed directly instead of derived: the same proof */
                assert_int_equal(zc_run(&Z, 1, 1, &q, ev2), ZA_OK);
                assert_memory_equal(p.evals, q.evals, sizeof(zk_fp2) * n * (dc + 1));
                zk_sumcheck_proof_free(&q);
                /* C non-zero at one point of the cube: rejected */
                size_t x = n ? zt_next(&s) & (((size_t)1 << n) - 1) : 0;
                Z.I.ext[dc][x] = zk_fp2_add(Z.I.ext[dc][x], ONE);
                assert_int_equal(zc_run(&Z, 1, 0, &q, ev2), ZA_ERR_MISMATCH);
                zk_sumcheck_proof_free(&q);
                zk_sumcheck_proof_free(&p);
                inst_free(&Z.I);
            }
    /* large: the parallel, segmented (two-level eq) path; thread-independent */
    for (unsigned dc = 2; dc <= 3; dc++) {
        zc_t Z;
        zc_make(&Z, 17, dc, dc == 2 ? all_base : mixed, &s);
        zk_sumcheck_proof p, q;
        zk_fp2 ev[8], ev2[8];
        assert_int_equal(zc_run(&Z, 2, 0, &p, ev), ZA_OK);
        assert_int_equal(zc_run(&Z, 1, 0, &q, ev2), ZA_OK);
        assert_memory_equal(p.evals, q.evals, sizeof(zk_fp2) * 17 * (dc + 1));
        zk_sumcheck_proof_free(&q);
        Z.I.ext[dc][12345] = zk_fp2_add(Z.I.ext[dc][12345], ONE);
        assert_int_equal(zc_run(&Z, 2, 0, &q, ev2), ZA_ERR_MISMATCH);
        zk_sumcheck_proof_free(&q);
        zk_sumcheck_proof_free(&p);
        inst_free(&Z.I);
    }
}

/* ------------------------------------------------------------ batched claims */

static void test_batch_eval(void **state)
{
    (void)state;
    uint64_t s = seed + 7;
    za_error err;
    for (unsigned n = 0; n <= 17; n += (n < 10 ? 1 : 7)) {
        for (int ext = 0; ext < 2; ext++) {
            size_t N = (size_t)1 << n;
            zk_fp *vb = malloc(sizeof(zk_fp) * N);
            zk_fp2 *ve = malloc(sizeof(zk_fp2) * N);
            for (size_t i = 0; i < N; i++) {
                vb[i] = rnd_fp(&s);
                ve[i] = rnd_fp2(&s);
            }
            zk_mle_ref V = ext ? zk_mle_ref_ext(ve) : zk_mle_ref_base(vb);
            unsigned m = 1 + (unsigned)(zt_next(&s) % 6);
            zk_fp2 points[6 * 17], values[6];
            for (unsigned k = 0; k < m; k++) {
                for (unsigned j = 0; j < n; j++)
                    points[k * n + j] = rnd_fp2(&s);
                values[k] = zk_mle_eval_ref(V, n, points + k * n, 1);
            }
            zk_transcript tp, tv;
            zk_sumcheck_proof p;
            zk_fp2 pp[17], vp[17], v_eval, v_claim;
            zk_transcript_init(&tp, "test/batch");
            assert_int_equal(zk_batch_eval_prove(V, n, m, points, values, &tp, 2, &p, pp, &v_eval,
                                                 &err),
                             ZA_OK);
            assert_int_equal(p.degree, 2);
            zk_transcript_init(&tv, "test/batch");
            assert_int_equal(
                zk_batch_eval_verify(n, m, points, values, &p, &tv, vp, &v_claim, &err), ZA_OK);
            assert_memory_equal(pp, vp, sizeof(zk_fp2) * n);
            zk_fp2 truth = zk_mle_eval_ref(V, n, vp, 1);
            assert_true(fp2_eq(v_eval, truth));
            assert_true(fp2_eq(v_claim, truth));
            zk_sumcheck_proof_free(&p);
            /* one wrong claimed value: the reduced claim is not V's value */
            unsigned k = (unsigned)(zt_next(&s) % m);
            values[k] = zk_fp2_add(values[k], rnd_nonzero(&s));
            zk_transcript_init(&tp, "test/batch");
            assert_int_equal(zk_batch_eval_prove(V, n, m, points, values, &tp, 1, &p, pp, &v_eval,
                                                 &err),
                             ZA_OK);
            zk_transcript_init(&tv, "test/batch");
            za_status st = zk_batch_eval_verify(n, m, points, values, &p, &tv, vp, &v_claim, &err);
            if (st == ZA_OK)
                assert_false(fp2_eq(v_claim, zk_mle_eval_ref(V, n, vp, 1)));
            zk_sumcheck_proof_free(&p);
            free(vb);
            free(ve);
        }
    }
}

/* zk_eqsum: sum_x eq(tau, x) C(x) = claim for a given tau; the returned
 * c_claim is C at the point; a wrong claim or a changed round is caught. */
static void test_eqsum(void **state)
{
    (void)state;
    uint64_t s = seed ^ 0xe9;
    const int kinds[3] = { K_BASE, K_EXT, K_INPLACE };
    for (unsigned n = 1; n <= 10; n += 3)
        for (unsigned dc = 1; dc <= 3; dc++) {
            tinst I;
            inst_alloc(&I, n, 3, kinds, &s);
            random_terms(&I, 3, dc, &s);
            zk_fp2 tau[ZK_SUMCHECK_MAX_VARS], *eq = malloc(sizeof(zk_fp2) << n);
            for (unsigned j = 0; j < n; j++)
                tau[j] = rnd_fp2(&s);
            zk_eq_table(tau, n, eq);
            zk_fp2 claim = { 0, 0 };
            for (size_t x = 0; x < ((size_t)1 << n); x++) { /* sum eq * C directly */
                zk_fp2 cx = { 0, 0 };
                for (unsigned t = 0; t < I.n_terms; t++) {
                    zk_fp2 p = I.terms[t].coeff;
                    for (unsigned f = 0; f < I.terms[t].n_factors; f++) {
                        unsigned k = I.terms[t].factors[f];
                        p = I.kind[k] == K_BASE ? zk_fp2_mul_fp(p, I.base[k][x])
                                                : zk_fp2_mul(p, I.ext[k][x]);
                    }
                    cx = zk_fp2_add(cx, p);
                }
                claim = zk_fp2_add(claim, zk_fp2_mul(eq[x], cx));
            }
            free(eq);
            for (int bad = 0; bad < 3; bad++) {
                zk_sumcheck_instance inst = inst_view(&I);
                zk_transcript tp, tv;
                zk_transcript_init(&tp, "test/eqsum");
                zk_transcript_init(&tv, "test/eqsum");
                zk_sumcheck_proof pr;
                zk_fp2 pt[ZK_SUMCHECK_MAX_VARS], vpt[ZK_SUMCHECK_MAX_VARS], ev[3], cc;
                za_error err;
                zk_fp2 cl = bad == 1 ? zk_fp2_add(claim, ONE) : claim;
                assert_int_equal(zk_eqsum_prove(&inst, tau, cl, &tp, 2, &pr, pt, ev, &err), ZA_OK);
                if (bad == 2)
                    pr.evals[0] = zk_fp2_add(pr.evals[0], ONE);
                za_status st = zk_eqsum_verify(n, dc, tau, cl, &pr, &tv, vpt, &cc, &err);
                zk_fp2 dev[3];
                direct_evals(&I, vpt, dev);
                int ok = st == ZA_OK && fp2_eq(cc, zk_sumcheck_combine(I.terms, I.n_terms, dev));
                assert_int_equal(ok, bad == 0);
                zk_sumcheck_proof_free(&pr);
            }
            inst_free(&I);
        }
}

int main(void)
{
    seed = zt_seed("sumcheck");
    if (getenv("ZKAUDIT_TEST_FILTER")) /* e.g. ZKAUDIT_TEST_FILTER='test_zero*' */
        cmocka_set_test_filter(getenv("ZKAUDIT_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interpolate),
        cmocka_unit_test(test_bad_instances),
        cmocka_unit_test(test_complete_small),
        cmocka_unit_test(test_complete_large),
        cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_soundness),
        cmocka_unit_test(test_encoding),
        cmocka_unit_test(test_zerocheck),
        cmocka_unit_test(test_batch_eval),
        cmocka_unit_test(test_eqsum),
    };
    return cmocka_run_group_tests_name("sumcheck", tests, NULL, NULL);
}
