/* tests/unit/test_fracsum.c - GKR for a sum of fractions (zk/fracsum.h).
 *
 * Completeness: the root is (sum p/q as P/Q) and the leaf claims the
 * verifier returns are the true MLE values of p and q at the returned point,
 * for sizes 2^1 .. 2^14, with p given or all ones.  Soundness: a changed
 * leaf gives a root or claims that no longer match the original leaves;
 * every byte of a proof, flipped, makes the verifier fail or return claims
 * that do not match the leaves (which the caller checks); truncated proofs
 * are rejected. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"
#include "zk/fracsum.h"
#include "zk/mle.h"

static zk_fp2 rnd2(uint64_t *s)
{
    return zk_fp2_make(zt_next(s) % 0xffffffff00000001ull, zt_next(s) % 0xffffffff00000001ull);
}

typedef struct {
    uint8_t *proof;
    size_t len;
    zk_fp2 P, Q, point[ZK_FRACSUM_MAX_VARS], pe, qe;
} run;

static void prove(const zk_fp2 *p, const zk_fp2 *q, unsigned n, run *out)
{
    size_t N = (size_t)1 << n;
    zk_fp2 *pc = p ? malloc(sizeof(zk_fp2) * N) : NULL, *qc = malloc(sizeof(zk_fp2) * N);
    if (p)
        memcpy(pc, p, sizeof(zk_fp2) * N);
    memcpy(qc, q, sizeof(zk_fp2) * N);
    zk_transcript t;
    zk_transcript_init(&t, "test/fracsum");
    zk_writer w;
    zk_writer_init(&w);
    za_error err;
    assert_int_equal(zk_fracsum_prove(pc, qc, n, &t, 2, &w, &out->P, &out->Q, out->point,
                                      &out->pe, &out->qe, &err),
                     ZA_OK);
    out->proof = zk_writer_take(&w, &out->len);
    free(pc), free(qc);
}

/* 0: valid and the claims are the leaves' MLEs; 1: rejected or mismatch */
static int verify(const uint8_t *proof, size_t len, unsigned n, const zk_fp2 *p, const zk_fp2 *q,
                  zk_fp2 *P, zk_fp2 *Q)
{
    zk_transcript t;
    zk_transcript_init(&t, "test/fracsum");
    zk_reader r;
    za_error err;
    zk_reader_init(&r, proof, len, "proof", &err);
    zk_fp2 pt[ZK_FRACSUM_MAX_VARS], pc, qc;
    if (zk_fracsum_verify(n, &t, &r, P, Q, pt, &pc, &qc, &err) || zk_reader_finish(&r))
        return 1;
    zk_fp2 pv = p ? zk_mle_eval_ext(p, n, pt) : zk_fp2_make(1, 0);
    zk_fp2 qv = zk_mle_eval_ext(q, n, pt);
    return !(zk_fp2_eq(pv, pc) && zk_fp2_eq(qv, qc));
}

static void test_completeness(void **state)
{
    (void)state;
    uint64_t s = zt_seed("fracsum");
    for (unsigned n = 1; n <= 14; n++)
        for (int ones = 0; ones < 2; ones++) {
            size_t N = (size_t)1 << n;
            zk_fp2 *p = malloc(sizeof(zk_fp2) * N), *q = malloc(sizeof(zk_fp2) * N);
            zk_fp2 sum = zk_fp2_make(0, 0);
            for (size_t i = 0; i < N; i++) {
                p[i] = ones ? zk_fp2_make(1, 0) : rnd2(&s);
                q[i] = rnd2(&s);
                sum = zk_fp2_add(sum, zk_fp2_mul(p[i], zk_fp2_inv(q[i])));
            }
            run R;
            prove(ones ? NULL : p, q, n, &R);
            assert_true(zk_fp2_eq(zk_fp2_mul(R.P, zk_fp2_inv(R.Q)), sum));
            zk_fp2 P, Q;
            assert_int_equal(verify(R.proof, R.len, n, ones ? NULL : p, q, &P, &Q), 0);
            assert_true(zk_fp2_eq(P, R.P) && zk_fp2_eq(Q, R.Q));
            /* the prover's leaf values are the true ones too */
            assert_true(zk_fp2_eq(R.qe, zk_mle_eval_ext(q, n, R.point)));
            free(R.proof);
            free(p), free(q);
        }
}

static void test_soundness(void **state)
{
    (void)state;
    uint64_t s = zt_seed("fracsum-sound");
    const unsigned n = 6;
    const size_t N = (size_t)1 << n;
    zk_fp2 p[64], q[64], q2[64];
    for (size_t i = 0; i < N; i++)
        p[i] = rnd2(&s), q[i] = rnd2(&s);
    /* a proof about other leaves does not match these leaves */
    memcpy(q2, q, sizeof q);
    q2[17] = zk_fp2_add(q2[17], zk_fp2_make(1, 0));
    run R;
    prove(p, q2, n, &R);
    zk_fp2 P, Q;
    assert_int_equal(verify(R.proof, R.len, n, p, q, &P, &Q), 1);
    free(R.proof);
    /* every byte flipped */
    prove(p, q, n, &R);
    for (size_t at = 0; at < R.len; at++) {
        R.proof[at] ^= (uint8_t)(1u << (at % 8));
        assert_int_equal(verify(R.proof, R.len, n, p, q, &P, &Q), 1);
        R.proof[at] ^= (uint8_t)(1u << (at % 8));
    }
    for (size_t cut = 0; cut < R.len; cut += 7)
        assert_int_equal(verify(R.proof, cut, n, p, q, &P, &Q), 1);
    assert_int_equal(verify(R.proof, R.len, n, p, q, &P, &Q), 0);
    free(R.proof);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_completeness),
        cmocka_unit_test(test_soundness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
