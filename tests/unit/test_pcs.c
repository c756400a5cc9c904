/* tests/unit/test_pcs.c - the Ligero-style polynomial commitment.
 *
 * Completeness at sizes 2^1 .. 2^22; soundness: a wrong claimed value, a
 * different point, a different commitment root, parameters below the
 * security floor, truncation, trailing bytes, and thousands of single-byte
 * flips at random positions of real openings are all rejected.  The
 * low-memory path (encoded matrix not kept) gives the same commitment and
 * the same opening bytes.
 *
 * Hiding commitments (hiding_openings = B): their parameters, the wire
 * format, the opening budget, fresh randomness per commitment, every
 * soundness case above in hiding mode, chi-square uniformity of the opened
 * columns and of u's padding part (with the plain commitment as the control
 * that must fail), data values absent from the opening bytes, and the
 * low-memory path. */
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
#include "zk/rand.h"

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

/* ------------------------------------------------------------ hiding */

/* The least number of queries that gives p (shape and budget fixed) the
 * default security; the padding grows with it. */
static void least_queries(zk_pcs_params *p)
{
    for (p->n_queries = 1; p->n_queries < 2048; p->n_queries++)
        if (zk_pcs_security_bits(p) >= ZK_PCS_DEFAULT_SECURITY_BITS)
            return;
    fail_msg("no query count reaches the target");
}

static void test_hiding_params(void **state)
{
    (void)state;
    const unsigned budgets[] = { 1, 2, 8, 64 };
    for (unsigned n = 0; n <= 24; n++)
        for (unsigned b = 0; b < 4; b++) {
            unsigned B = budgets[b];
            zk_pcs_params p;
            zk_pcs_default_params_hiding(n, B, &p);
            assert_int_equal(p.hiding_openings, B);
            assert_int_equal(p.log_n, n);
            if (zk_pcs_security_bits(&p) < ZK_PCS_DEFAULT_SECURITY_BITS)
                fail_msg("2^%u, B %u: %.2f bits", n, B, zk_pcs_security_bits(&p));
            if (n >= 1)
                assert_true(p.log_rows >= 1); /* one row: u would be the row */
            /* the padding is in the message, and the rate counts it */
            size_t C = (size_t)1 << (n - p.log_rows);
            assert_int_equal(zk_pcs_message_len(&p), C + (size_t)B * p.n_queries);
            assert_true(zk_pcs_codeword_len(&p) >= 2 * zk_pcs_message_len(&p));
            /* a fixed point: fewer queries (so less padding) would not do */
            zk_pcs_params q = p;
            for (q.n_queries = 1; q.n_queries < p.n_queries; q.n_queries++)
                if (zk_pcs_security_bits(&q) >= ZK_PCS_DEFAULT_SECURITY_BITS)
                    fail_msg("2^%u, B %u: %u queries would do, not %u", n, B, q.n_queries,
                             p.n_queries);
            /* large vectors: no more encoding work than the plain default */
            size_t work = ((size_t)1 << p.log_rows) * zk_pcs_codeword_len(&p);
            if (n >= 14 && B <= 8 && work > ((size_t)4 << n))
                fail_msg("2^%u, B %u: encoding %zu elements", n, B, work);
            if ((n == 16 || n == 20 || n == 24) && (B == 1 || B == 8))
                printf("# hiding 2^%u, B %u: rows 2^%u, K %zu, NC %zu, log_blowup %u, %u "
                       "queries, %.1f bits\n", n, B, p.log_rows, zk_pcs_message_len(&p),
                       zk_pcs_codeword_len(&p), p.log_blowup, p.n_queries,
                       zk_pcs_security_bits(&p));
        }
    /* a budget above the cap is clamped; the verifier refuses it outright */
    zk_pcs_params p;
    zk_pcs_default_params_hiding(10, 1000, &p);
    assert_int_equal(p.hiding_openings, ZA_MAX_PCS_HIDING_OPENINGS);
    p.hiding_openings = ZA_MAX_PCS_HIDING_OPENINGS + 1;
    assert_true(zk_pcs_security_bits(&p) == 0);
}

/* the commitment on the wire: plain bytes as before, hiding ones flagged */
static void test_hiding_commitment_wire(void **state)
{
    (void)state;
    zk_pcs_commitment c = { { 12, 3, 2, 154, 0 }, { { 0 } } }, d;
    for (int i = 0; i < 32; i++)
        c.root.h[i] = (uint8_t)(i * 7);
    zk_writer w;
    zk_writer_init(&w);
    zk_pcs_commitment_write(&w, &c);
    size_t plain_len;
    uint8_t *plain = zk_writer_take(&w, &plain_len);
    assert_int_equal(plain_len, 5 + 32);
    assert_int_equal(plain[0], 12);
    zk_pcs_default_params_hiding(12, 3, &c.params);
    zk_writer_init(&w);
    zk_pcs_commitment_write(&w, &c);
    size_t len;
    uint8_t *b = zk_writer_take(&w, &len);
    assert_int_equal(len, 7 + 32);
    assert_int_equal(b[0], 0x80 | 12);
    za_error err;
    zk_reader r;
    zk_reader_init(&r, b, len, "commitment", &err);
    assert_int_equal(zk_pcs_commitment_read(&r, &d), ZA_OK);
    assert_int_equal(zk_reader_finish(&r), ZA_OK);
    assert_memory_equal(&c.params, &d.params, sizeof c.params);
    assert_memory_equal(c.root.h, d.root.h, 32);
    /* B = 0 or above the cap behind the hiding flag is refused */
    const uint16_t bad[] = { 0, ZA_MAX_PCS_HIDING_OPENINGS + 1, 0xffff };
    for (int i = 0; i < 3; i++) {
        b[5] = (uint8_t)bad[i];
        b[6] = (uint8_t)(bad[i] >> 8);
        zk_reader_init(&r, b, len, "commitment", &err);
        assert_int_equal(zk_pcs_commitment_read(&r, &d), ZA_ERR_MALFORMED);
        assert_non_null(strstr(err.msg, "hiding"));
    }
    /* a plain commitment's bytes with the flag set are a truncated hiding one */
    plain[0] |= 0x80;
    zk_reader_init(&r, plain, plain_len, "commitment", &err);
    assert_int_not_equal(zk_pcs_commitment_read(&r, &d), ZA_OK);
    free(plain);
    free(b);
}

static void test_hiding_completeness_and_budget(void **state)
{
    (void)state;
    uint64_t s = zt_seed("pcs/hiding-complete");
    for (unsigned n = 1; n <= 18; n++) {
        size_t N = (size_t)1 << n;
        zk_fp *v = malloc(sizeof(zk_fp) * N);
        for (size_t i = 0; i < N; i++)
            v[i] = (n & 1) ? rnd_fp(&s) : (zk_fp)(zt_next(&s) & 0xff);
        unsigned B = n % 3 == 0 ? 3 : 1;
        zk_pcs_params p;
        zk_pcs_default_params_hiding(n, B, &p);
        zk_pcs_prover *pp;
        zk_pcs_commitment com;
        za_error err;
        assert_int_equal(zk_pcs_commit(v, &p, 2, &pp, &com, &err), ZA_OK);
        /* B openings at different points all verify */
        for (unsigned b = 0; b < B; b++) {
            opening o = { .com = com };
            for (unsigned i = 0; i < n; i++)
                o.point[i] = zk_fp2_make(rnd_fp(&s), rnd_fp(&s));
            o.value = zk_pcs_eval(v, n, o.point);
            zk_transcript t;
            zk_transcript_init(&t, "test/pcs");
            zk_pcs_absorb_commitment(&t, &com);
            zk_writer w;
            zk_writer_init(&w);
            assert_int_equal(zk_pcs_open(pp, o.point, o.value, &t, &w, &err), ZA_OK);
            o.proof = zk_writer_take(&w, &o.len);
            if (check(&o, &com, o.point, o.value, o.proof, o.len, &err) != ZA_OK)
                fail_msg("2^%u, opening %u of %u: %s", n, b + 1, B, err.msg);
            if (n >= 16 && b == 0)
                printf("# hiding 2^%u, B %u: rows 2^%u, proof %zu bytes\n", n, B, p.log_rows,
                       o.len);
            free(o.proof);
        }
        /* the B+1-th opening is refused and writes nothing */
        zk_transcript t;
        zk_transcript_init(&t, "test/pcs");
        zk_writer w;
        zk_writer_init(&w);
        zk_fp2 pt[32] = { { 0, 0 } };
        assert_int_equal(zk_pcs_open(pp, pt, zk_pcs_eval(v, n, pt), &t, &w, &err), ZA_ERR_LIMIT);
        assert_int_equal(w.len, 0);
        zk_writer_free(&w);
        zk_pcs_prover_free(pp);
        free(v);
    }
}

static void test_hiding_fresh_each_time(void **state)
{
    (void)state;
    uint64_t s = zt_seed("pcs/hiding-fresh");
    const unsigned n = 10;
    zk_fp v[1 << 10];
    for (size_t i = 0; i < (1u << n); i++)
        v[i] = (zk_fp)(i % 3); /* low entropy: the salts and padding must hide it */
    zk_pcs_params p;
    zk_pcs_default_params_hiding(n, 1, &p);
    opening a, b;
    uint64_t s1 = s, s2 = s; /* the same point for both */
    make_opening(v, &p, &s1, &a);
    make_opening(v, &p, &s2, &b);
    assert_memory_not_equal(a.com.root.h, b.com.root.h, 32);
    /* the openings differ from their first vector on (u's padding part);
     * even their lengths may, as the query draws follow the roots */
    size_t ulen = 16 * zk_pcs_message_len(&p);
    assert_true(a.len > ulen && b.len > ulen);
    assert_memory_not_equal(a.proof, b.proof, ulen);
    /* the data part of u is the same (the padding alone does not hide it) */
    assert_memory_equal(a.proof, b.proof, 16 * ((size_t)1 << (n - p.log_rows)));
    za_error err;
    assert_int_equal(check(&a, &a.com, a.point, a.value, a.proof, a.len, &err), ZA_OK);
    assert_int_equal(check(&b, &b.com, b.point, b.value, b.proof, b.len, &err), ZA_OK);
    /* one commitment's opening does not verify against the other root */
    assert_int_not_equal(check(&a, &b.com, a.point, a.value, a.proof, a.len, &err), ZA_OK);
    free(a.proof), free(b.proof);
}

static void test_hiding_soundness(void **state)
{
    (void)state;
    uint64_t s = zt_seed("pcs/hiding-sound");
    for (unsigned n = 4; n <= 12; n += 4) {
        size_t N = (size_t)1 << n;
        zk_fp *v = malloc(sizeof(zk_fp) * N);
        for (size_t i = 0; i < N; i++)
            v[i] = rnd_fp(&s);
        const unsigned B = 2;
        zk_pcs_params p;
        zk_pcs_default_params_hiding(n, B, &p);
        opening o;
        make_opening(v, &p, &s, &o);
        za_error err;
        assert_int_equal(check(&o, &o.com, o.point, o.value, o.proof, o.len, &err), ZA_OK);
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
        /* a too-small padding (budget B-1, or none: the plain format), a
         * larger one, and budgets the verifier refuses outright */
        const unsigned budgets[] = { B - 1, 0, B + 1, ZA_MAX_PCS_HIDING_OPENINGS + 1 };
        for (int i = 0; i < 4; i++) {
            c2 = o.com;
            c2.params.hiding_openings = budgets[i];
            if (check(&o, &c2, o.point, o.value, o.proof, o.len, &err) == ZA_OK)
                fail_msg("2^%u: the opening passed with budget %u instead of %u", n, budgets[i],
                         B);
        }
        assert_non_null(strstr(err.msg, "invalid commitment parameters"));
        /* a padding too small for the queries: the same shape, fewer queries
         * than the rate with its padding needs */
        c2 = o.com;
        c2.params.n_queries = o.com.params.n_queries - 1;
        assert_int_not_equal(check(&o, &c2, o.point, o.value, o.proof, o.len, &err), ZA_OK);
        /* truncation and trailing bytes */
        assert_int_not_equal(check(&o, &o.com, o.point, o.value, o.proof, o.len - 1, &err), ZA_OK);
        uint8_t *longer = malloc(o.len + 1);
        memcpy(longer, o.proof, o.len);
        longer[o.len] = 0;
        assert_int_not_equal(check(&o, &o.com, o.point, o.value, longer, o.len + 1, &err), ZA_OK);
        free(longer);
        /* single-bit flips anywhere (u with its padding part, columns, salts,
         * siblings) */
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
        /* a committed vector that differs from the one opened */
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
        assert_int_equal(zk_pcs_open(pp, o.point, claimed, &t, &w, &err), ZA_OK);
        size_t len;
        uint8_t *pr = zk_writer_take(&w, &len);
        assert_int_not_equal(check(&o, &com, o.point, claimed, pr, len, &err), ZA_OK);
        free(pr);
        zk_pcs_prover_free(pp);
        /* the cheating prover (u[0] fixed up) is caught by the columns; each
         * commitment allows B openings, so commit again as needed */
        pp = NULL;
        for (int trial = 0; trial < 20; trial++) {
            if (trial % (int)B == 0) {
                zk_pcs_prover_free(pp);
                assert_int_equal(zk_pcs_commit(v, &p, 1, &pp, &com, &err), ZA_OK);
            }
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

/* Chi-square statistic of counts over 16 equally likely buckets. */
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

/* P(chi2 with 15 degrees of freedom > 62) = 1.14e-7: the five uniformity
 * tests (two here, three in test_commit.c) together fail by chance with
 * probability < 6e-7 (the top four bits of a uniform element of F_p are
 * uniform up to 2^-28). */
#define CHI2_15_LIMIT 62.0

static void bucket(uint64_t cnt[16], zk_fp x)
{
    cnt[x >> 60]++;
}

/* Open a fixed low-entropy vector at a fixed point `trials` times, each
 * with a fresh commitment, and count the top four bits of the first
 * `ncols` opened columns and of u[from..K). */
static void opened_histograms(const zk_pcs_params *p, int trials, size_t ncols, size_t from,
                              uint64_t col_cnt[16], uint64_t u_cnt[16])
{
    size_t N = (size_t)1 << p->log_n, R = (size_t)1 << p->log_rows;
    size_t K = zk_pcs_message_len(p);
    zk_fp *v = malloc(sizeof(zk_fp) * N);
    for (size_t i = 0; i < N; i++)
        v[i] = (zk_fp)(i % 5);
    zk_fp2 point[32];
    for (unsigned i = 0; i < p->log_n; i++)
        point[i] = zk_fp2_make(3 * i + 2, i + 11);
    zk_fp2 value = zk_pcs_eval(v, p->log_n, point);
    memset(col_cnt, 0, 16 * sizeof(uint64_t));
    memset(u_cnt, 0, 16 * sizeof(uint64_t));
    za_error err;
    for (int tr = 0; tr < trials; tr++) {
        zk_pcs_prover *pp;
        zk_pcs_commitment com;
        assert_int_equal(zk_pcs_commit(v, p, 1, &pp, &com, &err), ZA_OK);
        zk_transcript t;
        zk_transcript_init(&t, "test/pcs");
        zk_pcs_absorb_commitment(&t, &com);
        zk_writer w;
        zk_writer_init(&w);
        assert_int_equal(zk_pcs_open(pp, point, value, &t, &w, &err), ZA_OK);
        size_t len;
        uint8_t *pr = zk_writer_take(&w, &len);
        if (tr < 3) { /* these are real openings */
            opening o = { .com = com };
            assert_int_equal(check(&o, &com, point, value, pr, len, &err), ZA_OK);
        }
        zk_reader r;
        zk_reader_init(&r, pr, len, "proof", &err);
        zk_fp2 *u = malloc(sizeof(zk_fp2) * K);
        zk_fp *cols = malloc(sizeof(zk_fp) * R * ncols);
        assert_int_equal(zk_read_fp2_array(&r, "u", u, K), ZA_OK);
        assert_int_equal(zk_read_fp_array(&r, "columns", cols, R * ncols), ZA_OK);
        for (size_t j = from; j < K; j++) {
            bucket(u_cnt, u[j].c0);
            bucket(u_cnt, u[j].c1);
        }
        for (size_t j = 0; j < R * ncols; j++)
            bucket(col_cnt, cols[j]);
        free(u), free(cols), free(pr);
        zk_pcs_prover_free(pp);
    }
    free(v);
}

static void test_hiding_uniform(void **state)
{
    (void)state;
    uint64_t seed = zt_seed("pcs/hiding-uniform");
    zk_rand_set_test_seed(1, seed); /* the run replays from the printed seed */
    int trials = (int)zt_iters(2000);
    /* 2^6 rows of 2^4: many column entries per opening; the first 32 of
     * the ~160 distinct opened columns */
    zk_pcs_params p = { 10, 6, 1, 1, 1 };
    least_queries(&p);
    uint64_t col[16], u[16];
    size_t C = (size_t)1 << (p.log_n - p.log_rows);
    opened_histograms(&p, trials, 32, C, col, u);
    double xc = chi2_16(col), xu = chi2_16(u);
    printf("# hiding: chi2(columns) %.1f, chi2(u padding part) %.1f over %d openings "
           "(limit %.0f)\n", xc, xu, trials, CHI2_15_LIMIT);
    assert_true(xc < CHI2_15_LIMIT);
    assert_true(xu < CHI2_15_LIMIT);
    /* the data part of u, eq(r_row)^T M, is NOT hidden by the padding alone
     * (zk/commit.h adds mask rows for that): here it is the same every time */
    zk_rand_set_test_seed(0, 0);
    /* power: the plain commitment of the same vector fails both tests */
    zk_pcs_params q;
    zk_pcs_default_params(10, &q);
    opened_histograms(&q, trials, 32, 0, col, u);
    xc = chi2_16(col), xu = chi2_16(u);
    printf("# plain: chi2(columns) %.1f, chi2(u) %.1f\n", xc, xu);
    assert_true(xc > CHI2_15_LIMIT);
    assert_true(xu > CHI2_15_LIMIT);
}

static int contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return 1;
    return 0;
}

/* How many of v's values appear, as their 8-byte encodings, in an opening. */
static size_t values_found(const zk_fp *v, size_t N, const zk_pcs_params *p)
{
    opening o;
    uint64_t s = 5;
    make_opening(v, p, &s, &o);
    za_error err;
    assert_int_equal(check(&o, &o.com, o.point, o.value, o.proof, o.len, &err), ZA_OK);
    size_t found = 0;
    for (size_t i = 0; i < N; i++) {
        uint8_t b[8];
        zk_fp_to_bytes(v[i], b);
        found += (size_t)contains(o.proof, o.len, b, 8);
    }
    free(o.proof);
    return found;
}

static void test_hiding_values_absent(void **state)
{
    (void)state;
    uint64_t s = zt_seed("pcs/hiding-absent");
    const unsigned n = 8;
    const size_t N = (size_t)1 << n;
    zk_fp v[1 << 8];
    for (size_t i = 0; i < N; i++)
        v[i] = 0x5a5a000000000000ull | (rnd_fp(&s) >> 16); /* distinctive, < p */
    /* one column (every row a single value): a plain codeword row is the
     * value repeated, so every opened column lists the whole vector */
    zk_pcs_params plain = { n, n, 2, 1, 0 };
    least_queries(&plain);
    assert_int_equal(values_found(v, N, &plain), N);
    /* the same shape hiding, and the default hiding layout: none appears */
    zk_pcs_params hid = { n, n, 1, 1, 1 };
    least_queries(&hid);
    assert_int_equal(values_found(v, N, &hid), 0);
    zk_pcs_params def;
    zk_pcs_default_params_hiding(n, 1, &def);
    assert_int_equal(values_found(v, N, &def), 0);
    zk_pcs_default_params_hiding(n, 8, &def);
    assert_int_equal(values_found(v, N, &def), 0);
}

static void test_hiding_lowmem_same_proofs(void **state)
{
    (void)state;
    for (unsigned log_n = 4; log_n <= 16; log_n += 3) {
        size_t n = (size_t)1 << log_n;
        zk_fp *v = malloc(sizeof(zk_fp) * n);
        uint64_t s = zt_seed("pcs-hiding-lowmem");
        for (size_t i = 0; i < n; i++)
            v[i] = rnd_fp(&s);
        zk_pcs_params p;
        zk_pcs_default_params_hiding(log_n, 2, &p);
        opening a, b;
        uint64_t s1 = 7, s2 = 7;
        zk_rand_set_test_seed(1, s); /* the same padding and salts for both */
        make_opening(v, &p, &s1, &a);
        zk_rand_set_test_seed(1, s);
        zk_pcs_set_lowmem_elems(1); /* every matrix streamed */
        make_opening(v, &p, &s2, &b);
        zk_pcs_set_lowmem_elems((size_t)1 << 28);
        zk_rand_set_test_seed(0, 0);
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
        cmocka_unit_test(test_hiding_params),
        cmocka_unit_test(test_hiding_commitment_wire),
        cmocka_unit_test(test_hiding_completeness_and_budget),
        cmocka_unit_test(test_hiding_fresh_each_time),
        cmocka_unit_test(test_hiding_soundness),
        cmocka_unit_test(test_hiding_uniform),
        cmocka_unit_test(test_hiding_values_absent),
        cmocka_unit_test(test_hiding_lowmem_same_proofs),
    };
    return cmocka_run_group_tests_name("pcs", tests, NULL, NULL);
}
