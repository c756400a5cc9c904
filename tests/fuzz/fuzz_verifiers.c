/* tests/fuzz/fuzz_verifiers.c - random bytes into every proof verifier.
 *
 * The first byte picks the verifier (polynomial commitment opening,
 * sumcheck, zero-check, logUp, multi-vector opening, fraction-sum GKR,
 * container header, hiding commitment and multi-vector openings, a
 * commitment's parameters on the wire); the
 * rest is the proof.  Honest statements are fixed (a small committed vector,
 * a small range table), so the verifier runs its full parsing and checking
 * path on attacker-chosen bytes.  It must never crash, leak, hang or read out
 * of bounds; accepting is impossible except with negligible probability,
 * and an acceptance is reported as a crash (abort) so libFuzzer records it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zk/commit.h"
#include "zk/encode.h"
#include "zk/fracsum.h"
#include "zk/logup.h"
#include "zk/mle.h"
#include "zk/pcs.h"
#include "zk/sumcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static zk_pcs_commitment pcs_com;
static zk_multi_layout multi_layout;
static zk_pcs_commitment multi_com;
static zk_pcs_commitment hpcs_com;
static zk_multi_layout hmulti_layout;
static zk_pcs_commitment hmulti_com;
static int ready;

static void setup(void)
{
    static zk_fp v[64];
    for (int i = 0; i < 64; i++)
        v[i] = (zk_fp)(i * i + 1);
    zk_pcs_params p;
    zk_pcs_default_params(6, &p);
    zk_pcs_prover *pp;
    za_error err;
    if (zk_pcs_commit(v, &p, 1, &pp, &pcs_com, &err))
        abort();
    zk_pcs_prover_free(pp);
    const zk_fp *vecs[2] = { v, v + 8 };
    size_t lens[2] = { 8, 20 };
    zk_multi_prover *mp;
    if (zk_multi_commit(vecs, lens, 2, 1, &mp, &multi_com, &multi_layout, &err))
        abort();
    zk_multi_prover_free(mp);
    zk_pcs_default_params_hiding(6, 2, &p);
    if (zk_pcs_commit(v, &p, 1, &pp, &hpcs_com, &err))
        abort();
    zk_pcs_prover_free(pp);
    zk_multi_commit_opts o = { 1, NULL };
    if (zk_multi_commit_ex(vecs, lens, 2, &o, 1, &mp, &hmulti_com, &hmulti_layout, &err))
        abort();
    zk_multi_prover_free(mp);
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        setup();
    if (size < 1)
        return 0;
    uint8_t which = data[0] % 10;
    zk_reader r;
    za_error err;
    zk_reader_init(&r, data + 1, size - 1, "fuzz", &err);
    zk_transcript t;
    zk_transcript_init(&t, "fuzz");
    zk_fp2 point[64], out_claim;
    for (int i = 0; i < 64; i++)
        point[i] = zk_fp2_make((zk_fp)i + 2, 3);
    za_status st = ZA_ERR_MALFORMED;
    switch (which) {
    case 0:
        zk_pcs_absorb_commitment(&t, &pcs_com);
        st = zk_pcs_verify(&pcs_com, point, zk_fp2_make(5, 0), &t, &r, &err);
        break;
    case 1: {
        zk_sumcheck_proof sp = { 0 };
        st = zk_sumcheck_proof_read(&r, 5, 2, &sp);
        if (st == ZA_OK)
            st = zk_sumcheck_verify(5, 2, zk_fp2_make(7, 0), &sp, &t, point, &out_claim, &err);
        zk_sumcheck_proof_free(&sp);
        /* a sumcheck alone cannot be "accepted": the caller's final check
         * against a fixed evaluation almost never holds */
        if (st == ZA_OK && zk_fp2_eq(out_claim, zk_fp2_make(12345, 0)))
            abort();
        st = ZA_ERR_MISMATCH;
        break;
    }
    case 2: {
        zk_sumcheck_proof sp = { 0 };
        st = zk_sumcheck_proof_read(&r, 4, 3, &sp);
        if (st == ZA_OK)
            st = zk_zerocheck_verify(4, 2, &sp, &t, point, &out_claim, &err);
        zk_sumcheck_proof_free(&sp);
        st = ZA_ERR_MISMATCH;
        break;
    }
    case 3: {
        zk_lookup_table T = zk_lookup_range(3);
        zk_logup_claims c;
        st = zk_logup_verify(4, &T, &t, &r, &c, &err);
        break;
    }
    case 4: {
        zk_multi_claim cl[2];
        memset(cl, 0, sizeof cl);
        cl[0].vec = 0;
        cl[1].vec = 1;
        for (int i = 0; i < 5; i++)
            cl[0].point[i] = cl[1].point[i] = point[i];
        cl[0].value = zk_fp2_make(1, 2);
        cl[1].value = zk_fp2_make(3, 4);
        zk_pcs_absorb_commitment(&t, &multi_com);
        st = zk_multi_verify(&multi_com, &multi_layout, cl, 2, &t, &r, &err);
        break;
    }
    case 5: {
        /* the claims must match fixed leaves (q = i + 2, p = 1): a proof
         * whose claims match is accepted only for the true root */
        zk_fp2 P, Q, pc, qc, q[8];
        for (int i = 0; i < 8; i++)
            q[i] = zk_fp2_make((zk_fp)i + 2, 0);
        st = zk_fracsum_verify(3, &t, &r, &P, &Q, point, &pc, &qc, &err);
        if (st == ZA_OK && zk_fp2_eq(pc, zk_fp2_make(1, 0)) &&
            zk_fp2_eq(qc, zk_mle_eval_ext(q, 3, point)) &&
            !zk_fp2_eq(zk_fp2_mul(P, zk_fp2_make(2520, 0)),
                       zk_fp2_mul(Q, zk_fp2_make(4609, 0))))
            abort(); /* sum 1/(i+2), i < 8 = 4609/2520 */
        st = ZA_ERR_MISMATCH;
        break;
    }
    case 7:
        zk_pcs_absorb_commitment(&t, &hpcs_com);
        st = zk_pcs_verify(&hpcs_com, point, zk_fp2_make(5, 0), &t, &r, &err);
        break;
    case 8: {
        zk_multi_claim cl[2];
        memset(cl, 0, sizeof cl);
        cl[0].vec = 0;
        cl[1].vec = 1;
        for (int i = 0; i < 5; i++)
            cl[0].point[i] = cl[1].point[i] = point[i];
        cl[0].value = zk_fp2_make(1, 2);
        cl[1].value = zk_fp2_make(3, 4);
        zk_pcs_absorb_commitment(&t, &hmulti_com);
        st = zk_multi_verify(&hmulti_com, &hmulti_layout, cl, 2, &t, &r, &err);
        break;
    }
    case 9: {
        zk_pcs_commitment c;
        st = zk_pcs_commitment_read(&r, &c);
        st = ZA_ERR_MISMATCH;
        break;
    }
    default:
        st = zk_reader_open_container(&r, 1);
        st = ZA_ERR_MISMATCH;
        break;
    }
    /* the statements above are false or fixed: acceptance of a full proof
     * would be a soundness failure */
    if (st == ZA_OK && (which == 0 || which == 3 || which == 4 || which == 7 || which == 8))
        abort();
    return 0;
}
