/* tests/unit/test_blind.c - blinded prover messages (zk/blind.h).
 *
 * A toy blinded proof: the sumcheck of sum_x A(x) B(x) = H over two tables
 * the verifier does not see, with H hidden or public, ending in claims on
 * A and B that the test checks as an oracle for the commitment opening
 * would: the final linear statement sum_j mu_j E_j + <K, D> = value must
 * hold for the true tables and the prover's pads.
 * Completeness for several sizes; soundness: a shifted round message, a
 * shifted g(1), a wrong claimed evaluation, a wrong claimed sum, a shifted
 * message of the product check, and flipped proof bytes all make the
 * statement false (or the proof unreadable); zero knowledge, statistically:
 * over many proofs of one statement with fresh pads the blinded values are
 * uniform (chi-square), while the plain messages are the same every time,
 * and no plain message's encoding occurs in a blinded proof. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"
#include "zk/blind.h"
#include "zk/encode.h"
#include "zk/fracsum.h"
#include "zk/mle.h"
#include "zk/sumcheck.h"

static const zk_fp2 ONE = { 1, 0 }, ZERO = { 0, 0 };

static zk_fp rnd_fp(uint64_t *s)
{
    uint64_t v;
    do
        v = zt_next(s);
    while (v >= ZK_P);
    return v;
}

enum cheat { HONEST, CHEAT_ROUND, CHEAT_G1, CHEAT_EVAL, CHEAT_SUM, CHEAT_PRODUCT, CHEAT_SUM_MUL,
             CHEAT_SUM_MUL_ABC };

typedef struct {
    unsigned n;
    zk_fp *a, *b;
    zk_fp2 sum;
} toy;

static void toy_make(toy *ty, unsigned n, uint64_t *s)
{
    size_t sz = (size_t)1 << n;
    ty->n = n;
    ty->a = malloc(sizeof(zk_fp) * sz);
    ty->b = malloc(sizeof(zk_fp) * sz);
    assert_non_null(ty->a);
    assert_non_null(ty->b);
    zk_fp acc = 0;
    for (size_t i = 0; i < sz; i++) {
        ty->a[i] = rnd_fp(s);
        ty->b[i] = rnd_fp(s);
        acc = zk_fp_add(acc, zk_fp_mul(ty->a[i], ty->b[i]));
    }
    ty->sum = zk_fp2_from_fp(acc);
}

static void toy_free(toy *ty)
{
    free(ty->a);
    free(ty->b);
}

/* Both sides of the toy proof.  Returns the blinded proof's status; fills
 * the linear statement and the final point. */
static za_status run(zk_blind *bl, const toy *ty, int hidden_sum, enum cheat cheat, zk_writer *w,
                     zk_reader *r, zk_fp2 *point, zk_blind_linear_stmt *stmt, za_error *err)
{
    int prover = zk_blind_is_prover(bl);
    zk_transcript t;
    zk_transcript_init(&t, "test/blind");
    za_status st;
    zk_hv claim;
    zk_fp2 sum = ty->sum;
    if (prover && (cheat == CHEAT_SUM || cheat == CHEAT_SUM_MUL || cheat == CHEAT_SUM_MUL_ABC)) {
        sum = zk_fp2_add(sum, ONE);
        zk_blind_cheat_next(bl, 0, ZERO); /* turns the prover's self-test off */
    }
    if (hidden_sum) {
        if ((st = zk_blind_send(bl, sum, "test/sum", &t, w, r, &claim, err)))
            return st;
    } else {
        claim = zk_blind_public(bl, sum);
    }
    zk_mle_ref refs[2] = { zk_mle_ref_base(ty->a), zk_mle_ref_base(ty->b) };
    zk_sumcheck_term term = zk_sumcheck_term_make(ONE, 2, 0, 1, 0, 0);
    zk_sumcheck_instance inst = { ty->n, 2, refs, 1, &term };
    zk_fp2 evals[2] = { ZERO, ZERO };
    st = ZA_OK;
    if (prover && cheat == CHEAT_ROUND)
        zk_blind_cheat_next(bl, 0, ONE);
    if (prover && cheat == CHEAT_G1)
        zk_blind_cheat_next(bl, 1, ONE);
    zk_blind_engine_begin(bl, &t, w, r);
    if (prover) {
        zk_sumcheck_proof proof = { 0 };
        zk_fp2 pt[ZK_SUMCHECK_MAX_VARS];
        st = zk_sumcheck_prove(&inst, sum, &t, 1, &proof, pt, evals, err);
        zk_sumcheck_proof_free(&proof);
    }
    zk_blind_engine_end(bl, &t);
    zk_hv fin, e[2];
    if (!st)
        st = zk_blind_sumcheck(bl, ty->n, 2, claim, point, &fin, err);
    if (st)
        return st;
    for (int k = 0; k < 2; k++) {
        if (prover && cheat == CHEAT_EVAL && k == 1)
            zk_blind_cheat_next(bl, 0, ONE);
        if ((st = zk_blind_send(bl, evals[k], "test/eval", &t, w, r, &e[k], err)))
            return st;
        (void)zk_blind_external(bl, e[k]); /* E_k = (A or B)~(point) */
    }
    if (prover && (cheat == CHEAT_SUM_MUL || cheat == CHEAT_SUM_MUL_ABC)) {
        /* a false sum, and a false product that makes the final check hold:
         * only the product check (and, with ABC, only C~'s definition) can
         * catch it */
        zk_fp2 want = zk_blind_value(bl, fin);
        zk_fp2 got = zk_fp2_mul(zk_blind_value(bl, e[0]), zk_blind_value(bl, e[1]));
        zk_blind_cheat_product(bl, zk_fp2_sub(want, got), cheat == CHEAT_SUM_MUL_ABC);
    }
    zk_hv comb = zk_blind_combine(bl, &term, 1, e);
    zk_blind_assert_eq(bl, comb, fin);
    if (prover && cheat == CHEAT_PRODUCT)
        zk_blind_cheat_next(bl, 0, ONE);
    if ((st = zk_blind_products(bl, &t, 1, w, r, err)))
        return st;
    return zk_blind_linear(bl, &t, stmt, err);
}

/* The oracle for the commitment: does the statement hold for the true
 * external values and the prover's pads? */
static int holds(const zk_blind_linear_stmt *s, const zk_fp2 *ext, unsigned n_ext,
                 const zk_fp2 *pads)
{
    zk_fp2 lhs = ZERO;
    if (s->n_ext != n_ext)
        return 0;
    for (unsigned j = 0; j < n_ext; j++)
        lhs = zk_fp2_add(lhs, zk_fp2_mul(s->ext_coef[j], ext[j]));
    for (size_t k = 0; k < s->n_pads; k++)
        lhs = zk_fp2_add(lhs, zk_fp2_mul(s->pad_kernel[k], pads[k]));
    return zk_fp2_eq(lhs, s->value);
}

static int statement_holds(const zk_blind_linear_stmt *s, const toy *ty, const zk_fp2 *point,
                           const zk_fp2 *pads)
{
    zk_fp2 e[2] = { zk_mle_eval_ref(zk_mle_ref_base(ty->a), ty->n, point, 1),
                    zk_mle_eval_ref(zk_mle_ref_base(ty->b), ty->n, point, 1) };
    return holds(s, e, 2, pads);
}

#define NPADS 4096

typedef struct {
    uint8_t *bytes;
    size_t len;
    zk_fp2 point[ZK_SUMCHECK_MAX_VARS];
    zk_fp2 *pads;
} made;

static void prove(const toy *ty, int hidden, enum cheat cheat, const uint8_t seed[32], made *m)
{
    za_error err = { 0 };
    m->pads = malloc(sizeof(zk_fp2) * NPADS);
    assert_non_null(m->pads);
    assert_int_equal(zk_blind_pads_make(NPADS, seed, m->pads, &err), ZA_OK);
    zk_blind *bl = zk_blind_new(NPADS, m->pads);
    assert_non_null(bl);
    zk_writer w;
    zk_writer_init(&w);
    zk_blind_linear_stmt s;
    za_status st = run(bl, ty, hidden, cheat, &w, NULL, m->point, &s, &err);
    if (st)
        fail_msg("prover: %s", err.msg);
    zk_blind_linear_free(&s);
    zk_blind_free(bl);
    m->bytes = zk_writer_take(&w, &m->len);
    assert_non_null(m->bytes);
}

/* 1: the verifier's statement holds; 0: it does not; -1: rejected on reading */
static int verify(const toy *ty, int hidden, const made *m, const uint8_t *bytes, size_t len)
{
    za_error err = { 0 };
    zk_blind *bl = zk_blind_new(NPADS, NULL);
    assert_non_null(bl);
    zk_reader r;
    zk_reader_init(&r, bytes, len, "proof", &err);
    zk_blind_linear_stmt s;
    zk_fp2 point[ZK_SUMCHECK_MAX_VARS];
    za_status st = run(bl, ty, hidden, HONEST, NULL, &r, point, &s, &err);
    int res = -1;
    if (!st && r.off == len)
        res = statement_holds(&s, ty, point, m->pads);
    if (!st)
        zk_blind_linear_free(&s);
    zk_blind_free(bl);
    return res;
}

static void made_free(made *m)
{
    free(m->bytes);
    free(m->pads);
}

static void seed_bytes(uint64_t *s, uint8_t out[32])
{
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)zt_next(s);
}

static void test_completeness(void **state)
{
    (void)state;
    uint64_t s = zt_seed("blind completeness");
    for (unsigned n = 0; n <= 10; n += 2) {
        for (int hidden = 0; hidden < 2; hidden++) {
            toy ty;
            toy_make(&ty, n, &s);
            uint8_t seed[32];
            seed_bytes(&s, seed);
            made m;
            prove(&ty, hidden, HONEST, seed, &m);
            assert_int_equal(verify(&ty, hidden, &m, m.bytes, m.len), 1);
            made_free(&m);
            toy_free(&ty);
        }
    }
}

static void test_cheating_rejected(void **state)
{
    (void)state;
    uint64_t s = zt_seed("blind soundness");
    static const enum cheat kinds[] = { CHEAT_ROUND, CHEAT_G1,      CHEAT_EVAL,       CHEAT_SUM,
                                        CHEAT_PRODUCT, CHEAT_SUM_MUL, CHEAT_SUM_MUL_ABC };
    static const char *names[] = { "round",   "g(1)",          "evaluation",          "sum",
                                   "product", "false product", "false product and C~" };
    for (unsigned c = 0; c < sizeof kinds / sizeof kinds[0]; c++) {
        for (int hidden = 0; hidden < 2; hidden++) {
            toy ty;
            toy_make(&ty, 6, &s);
            uint8_t seed[32];
            seed_bytes(&s, seed);
            made m;
            prove(&ty, hidden, kinds[c], seed, &m);
            int v = verify(&ty, hidden, &m, m.bytes, m.len);
            if (v != 0)
                fail_msg("cheat '%s' (hidden sum %d): verifier result %d, want a false statement",
                         names[c], hidden, v);
            made_free(&m);
            toy_free(&ty);
        }
    }
}

static void test_flipped_bytes_rejected(void **state)
{
    (void)state;
    uint64_t s = zt_seed("blind byte flips");
    toy ty;
    toy_make(&ty, 5, &s);
    uint8_t seed[32];
    seed_bytes(&s, seed);
    made m;
    prove(&ty, 1, HONEST, seed, &m);
    uint8_t *copy = malloc(m.len);
    assert_non_null(copy);
    size_t flips = 0;
    for (size_t pos = 0; pos < m.len; pos += 1 + (size_t)(zt_next(&s) % 5)) {
        memcpy(copy, m.bytes, m.len);
        copy[pos] ^= (uint8_t)(1u << (zt_next(&s) % 8));
        int v = verify(&ty, 1, &m, copy, m.len);
        if (v == 1)
            fail_msg("a flipped bit at byte %zu of %zu was accepted", pos, m.len);
        flips++;
    }
    assert_true(flips > 50);
    /* truncated and extended */
    assert_int_not_equal(verify(&ty, 1, &m, m.bytes, m.len - 1), 1);
    uint8_t *ext = malloc(m.len + 1);
    assert_non_null(ext);
    memcpy(ext, m.bytes, m.len);
    ext[m.len] = 0;
    assert_int_not_equal(verify(&ty, 1, &m, ext, m.len + 1), 1);
    free(ext);
    free(copy);
    made_free(&m);
    toy_free(&ty);
}

/* chi-square of the top 4 bits of 16-byte values against uniform */
static double chi2_top4(const uint32_t *counts, size_t total)
{
    double e = (double)total / 16.0, x = 0;
    for (int k = 0; k < 16; k++)
        x += ((double)counts[k] - e) * ((double)counts[k] - e) / e;
    return x;
}

static void test_blinded_values_uniform(void **state)
{
    (void)state;
    uint64_t s = zt_seed("blind uniformity");
    toy ty;
    toy_make(&ty, 4, &s);
    long runs = zt_iters(1500);
    uint32_t counts[16] = { 0 };
    size_t total = 0;
    uint8_t *first = NULL;
    size_t first_len = 0;
    int all_different = 1;
    for (long i = 0; i < runs; i++) {
        uint8_t seed[32];
        seed_bytes(&s, seed);
        made m;
        prove(&ty, 1, HONEST, seed, &m);
        /* every 8-byte word of the proof is half of a blinded value (or of
         * A~, B~, C~ in the clear): bucket its top 4 bits */
        for (size_t off = 0; off + 8 <= m.len; off += 8) {
            uint64_t v = 0;
            for (int k = 0; k < 8; k++)
                v |= (uint64_t)m.bytes[off + k] << (8 * k);
            counts[v >> 60]++;
            total++;
        }
        if (!first) {
            first = m.bytes, first_len = m.len;
            m.bytes = NULL;
        } else if (m.len == first_len && memcmp(m.bytes, first, 64) == 0) {
            all_different = 0;
        }
        made_free(&m);
    }
    double x = chi2_top4(counts, total);
    print_message("blind: chi-square of %zu words' top 4 bits: %.1f (15 dof)\n", total, x);
    /* P(chi2_15 > 60) < 1e-6 */
    assert_true(x < 60.0);
    assert_true(all_different);
    free(first);
    toy_free(&ty);
}

static int contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

static void test_plain_values_absent(void **state)
{
    (void)state;
    uint64_t s = zt_seed("blind plain values absent");
    toy ty;
    toy_make(&ty, 6, &s);
    uint8_t seed[32];
    seed_bytes(&s, seed);
    made m;
    prove(&ty, 1, HONEST, seed, &m);
    /* the plain proof of the same statement, on the same transcript
     * schedule, and the plain final evaluations */
    zk_transcript t;
    zk_transcript_init(&t, "test/blind-plain");
    zk_mle_ref refs[2] = { zk_mle_ref_base(ty.a), zk_mle_ref_base(ty.b) };
    zk_sumcheck_term term = zk_sumcheck_term_make(ONE, 2, 0, 1, 0, 0);
    zk_sumcheck_instance inst = { ty.n, 2, refs, 1, &term };
    zk_sumcheck_proof proof = { 0 };
    zk_fp2 pt[ZK_SUMCHECK_MAX_VARS], ev[2];
    za_error err = { 0 };
    assert_int_equal(zk_sumcheck_prove(&inst, ty.sum, &t, 1, &proof, pt, ev, &err), ZA_OK);
    /* the values the blinded proof is about: the sum, A~ and B~ at its own
     * point, and the plain round messages there */
    zk_fp2 vals[3] = { ty.sum, zk_mle_eval_ref(refs[0], ty.n, m.point, 1),
                       zk_mle_eval_ref(refs[1], ty.n, m.point, 1) };
    for (int i = 0; i < 3; i++) {
        uint8_t enc[16];
        zk_fp2_to_bytes(vals[i], enc);
        assert_false(contains(m.bytes, m.len, enc, 8));
        if (vals[i].c1)
            assert_false(contains(m.bytes, m.len, enc + 8, 8));
    }
    /* and the plain proof does hold its own messages (the search has power) */
    zk_writer w;
    zk_writer_init(&w);
    zk_sumcheck_proof_write(&w, &proof);
    size_t plen;
    uint8_t *plain = zk_writer_take(&w, &plen);
    assert_non_null(plain);
    uint8_t enc[16];
    zk_fp2_to_bytes(proof.evals[0], enc);
    assert_true(contains(plain, plen, enc, 8));
    assert_false(contains(m.bytes, m.len, enc, 8));
    free(plain);
    zk_sumcheck_proof_free(&proof);
    made_free(&m);
    toy_free(&ty);
}

static void test_pads_and_limits(void **state)
{
    (void)state;
    za_error err = { 0 };
    zk_fp2 pads[16];
    assert_int_not_equal(zk_blind_pads_make(3, NULL, pads, &err), ZA_OK);
    assert_int_equal(zk_blind_pads_make(16, NULL, pads, &err), ZA_OK);
    assert_true(zk_fp2_eq(pads[2], zk_fp2_mul(pads[0], pads[1])));
    assert_true(zk_fp2_eq(pads[5], zk_fp2_mul(pads[3], pads[4])));
    zk_fp2 again[16];
    assert_int_equal(zk_blind_pads_make(16, NULL, again, &err), ZA_OK);
    assert_memory_not_equal(pads, again, sizeof pads);
    assert_null(zk_blind_new(3, NULL));
    /* running out of pads is an error, not a reuse */
    zk_blind *bl = zk_blind_new(ZK_BLIND_DUMMY_PADS + 1, pads);
    assert_non_null(bl);
    zk_transcript t;
    zk_transcript_init(&t, "test/blind-limit");
    zk_writer w;
    zk_writer_init(&w);
    zk_hv h;
    assert_int_equal(zk_blind_send(bl, ONE, "x", &t, &w, NULL, &h, &err), ZA_OK);
    assert_int_equal(zk_blind_send(bl, ONE, "x", &t, &w, NULL, &h, &err), ZA_ERR_LIMIT);
    zk_writer_free(&w);
    zk_blind_free(bl);
}

/* ---- a blinded fraction sum (the lookup's GKR): sum p_i / q_i = S, with S
 * public, the leaves hidden behind the external claims p~(r), q~(r) */

typedef struct {
    unsigned n;
    zk_fp2 *p, *q;
    zk_fp2 S;
} fsum;

static void fsum_make(fsum *f, unsigned n, uint64_t *s)
{
    size_t sz = (size_t)1 << n;
    f->n = n;
    f->p = malloc(sizeof(zk_fp2) * sz);
    f->q = malloc(sizeof(zk_fp2) * sz);
    assert_non_null(f->p);
    assert_non_null(f->q);
    f->S = ZERO;
    for (size_t i = 0; i < sz; i++) {
        f->p[i] = zk_fp2_make(rnd_fp(s), rnd_fp(s));
        f->q[i] = zk_fp2_make(rnd_fp(s), rnd_fp(s));
        f->S = zk_fp2_add(f->S, zk_fp2_mul(f->p[i], zk_fp2_inv(f->q[i])));
    }
}

static void fsum_free(fsum *f)
{
    free(f->p);
    free(f->q);
}

static za_status run_fracsum(zk_blind *bl, const fsum *f, zk_fp2 S, int cheat_skip, zk_writer *w,
                             zk_reader *r, zk_fp2 *point, zk_blind_linear_stmt *stmt,
                             za_error *err)
{
    int prover = zk_blind_is_prover(bl);
    zk_transcript t;
    zk_transcript_init(&t, "test/blind-fracsum");
    za_status st = ZA_OK;
    if (prover && cheat_skip >= 0)
        zk_blind_cheat_next(bl, (unsigned)cheat_skip, ONE);
    else if (prover && !zk_fp2_eq(S, f->S))
        zk_blind_cheat_next(bl, 0, ZERO); /* a false statement: no self-test */
    zk_blind_engine_begin(bl, &t, w, r);
    if (prover) {
        size_t sz = (size_t)1 << f->n;
        zk_fp2 *p = malloc(sizeof(zk_fp2) * sz), *q = malloc(sizeof(zk_fp2) * sz);
        assert_non_null(p);
        assert_non_null(q);
        memcpy(p, f->p, sizeof(zk_fp2) * sz);
        memcpy(q, f->q, sizeof(zk_fp2) * sz);
        zk_writer scratch;
        zk_writer_init(&scratch);
        zk_fp2 P, Q, pt[ZK_SUMCHECK_MAX_VARS], pe, qe;
        st = zk_fracsum_prove(p, q, f->n, &t, 1, &scratch, &P, &Q, pt, &pe, &qe, err);
        zk_writer_free(&scratch);
        free(p);
        free(q);
    }
    zk_blind_engine_end(bl, &t);
    zk_hv P, Q, pc, qc, inv;
    if (!st)
        st = zk_blind_fracsum(bl, f->n, &P, &Q, point, &pc, &qc, err);
    if (st)
        return st;
    (void)zk_blind_external(bl, pc);
    (void)zk_blind_external(bl, qc);
    /* P = S Q, and Q != 0 (the prover shows an inverse) */
    zk_blind_assert_eq(bl, P, zk_blind_affine(bl, S, Q, ZERO));
    if ((st = zk_blind_send(bl, zk_fp2_inv(zk_blind_value(bl, Q)), "test/inverse", &t, w, r, &inv,
                            err)))
        return st;
    zk_blind_assert_eq(bl, zk_blind_mul(bl, Q, inv), zk_blind_public(bl, ONE));
    if ((st = zk_blind_products(bl, &t, 1, w, r, err)))
        return st;
    return zk_blind_linear(bl, &t, stmt, err);
}

/* 1: the statement holds; 0: it does not; -1: rejected before */
static int fracsum_check(const fsum *f, zk_fp2 S, int cheat_skip, size_t *n_msgs)
{
    za_error err = { 0 };
    zk_fp2 *pads = malloc(sizeof(zk_fp2) * NPADS);
    assert_non_null(pads);
    uint8_t seed[32] = { (uint8_t)f->n, (uint8_t)cheat_skip, 7 };
    assert_int_equal(zk_blind_pads_make(NPADS, seed, pads, &err), ZA_OK);
    zk_blind *pb = zk_blind_new(NPADS, pads);
    assert_non_null(pb);
    zk_writer w;
    zk_writer_init(&w);
    zk_blind_linear_stmt s;
    zk_fp2 point[ZK_SUMCHECK_MAX_VARS];
    if (run_fracsum(pb, f, S, cheat_skip, &w, NULL, point, &s, &err))
        fail_msg("prover: %s", err.msg);
    if (n_msgs)
        *n_msgs = zk_blind_pads_used(pb) - ZK_BLIND_DUMMY_PADS;
    zk_blind_linear_free(&s);
    zk_blind_free(pb);
    size_t len;
    uint8_t *bytes = zk_writer_take(&w, &len);
    assert_non_null(bytes);

    zk_blind *vb = zk_blind_new(NPADS, NULL);
    assert_non_null(vb);
    zk_reader r;
    zk_reader_init(&r, bytes, len, "proof", &err);
    int res = -1;
    if (!run_fracsum(vb, f, S, -1, NULL, &r, point, &s, &err) && r.off == len) {
        zk_fp2 e[2] = { zk_mle_eval_ref(zk_mle_ref_ext(f->p), f->n, point, 1),
                        zk_mle_eval_ref(zk_mle_ref_ext(f->q), f->n, point, 1) };
        res = holds(&s, e, 2, pads);
        zk_blind_linear_free(&s);
    }
    zk_blind_free(vb);
    free(bytes);
    free(pads);
    return res;
}

static void test_fracsum(void **state)
{
    (void)state;
    uint64_t s = zt_seed("blind fraction sum");
    for (unsigned n = 1; n <= 7; n++) {
        fsum f;
        fsum_make(&f, n, &s);
        size_t msgs = 0;
        assert_int_equal(fracsum_check(&f, f.S, -1, &msgs), 1);
        /* a false sum */
        assert_int_equal(fracsum_check(&f, zk_fp2_add(f.S, ONE), -1, NULL), 0);
        /* every blinded message of the proof shifted, one at a time */
        if (n <= 4)
            for (size_t k = 0; k < msgs; k++)
                if (fracsum_check(&f, f.S, (int)k, NULL) == 1)
                    fail_msg("2^%u leaves: a shifted message %zu of %zu was accepted", n, k, msgs);
        fsum_free(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_completeness),
        cmocka_unit_test(test_cheating_rejected),
        cmocka_unit_test(test_flipped_bytes_rejected),
        cmocka_unit_test(test_blinded_values_uniform),
        cmocka_unit_test(test_plain_values_absent),
        cmocka_unit_test(test_pads_and_limits),
        cmocka_unit_test(test_fracsum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
