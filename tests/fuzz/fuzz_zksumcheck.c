/* tests/fuzz/fuzz_zksumcheck.c - random bytes into the zero-knowledge
 * sumcheck verifiers (zk/zksumcheck.h).
 *
 * The first byte picks the verifier (masked sumcheck, masked zero-check,
 * batched evaluation with kernel claims, its masked form); the rest is the
 * proof.  The statements are fixed and FALSE (a kernel claim's value off by
 * one), so an acceptance, i.e. a final claim that matches the table's true
 * evaluation, is a soundness failure and is reported as a crash (abort).
 * The verifiers must never crash, leak, hang or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zk/encode.h"
#include "zk/mle.h"
#include "zk/sumcheck.h"
#include "zk/zksumcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NV 6
static zk_fp V[1 << NV];
static zk_fp2 kern[2][20];
static zk_kernel_claim kc[2];
static zk_fp2 pts[NV], vals[1];
static int ready;

static void setup(void)
{
    for (int i = 0; i < (1 << NV); i++)
        V[i] = (zk_fp)(i * i + 3);
    for (int q = 0; q < NV; q++)
        pts[q] = zk_fp2_make((zk_fp)q + 11, 5);
    vals[0] = zk_mle_eval(V, NV, pts);
    for (int l = 0; l < 2; l++) {
        for (int j = 0; j < 20; j++)
            kern[l][j] = zk_fp2_make((zk_fp)(j + 1), (zk_fp)l);
        kc[l].off = l ? 30 : 0; /* the second straddles a block boundary */
        kc[l].len = 20;
        kc[l].kernel = kern[l];
        zk_fp2 s = zk_fp2_make(0, 0);
        for (int j = 0; j < 20; j++)
            s = zk_fp2_add(s, zk_fp2_mul_fp(kern[l][j], V[kc[l].off + (size_t)j]));
        kc[l].value = s;
    }
    kc[1].value = zk_fp2_add(kc[1].value, zk_fp2_make(1, 0)); /* false */
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        setup();
    if (size < 1)
        return 0;
    uint8_t which = data[0] % 4;
    zk_reader r;
    za_error err;
    zk_reader_init(&r, data + 1, size - 1, "fuzz", &err);
    zk_transcript t;
    zk_transcript_init(&t, "fuzz");
    zk_fp2 point[ZK_SUMCHECK_MAX_VARS], out;
    zk_zksc_proof zp;
    zk_sumcheck_proof sp;
    za_status st;
    switch (which) {
    case 0:
        st = zk_zksc_proof_read(&r, 5, 2, &zp);
        if (st == ZA_OK)
            st = zk_zksc_verify(5, 2, zk_fp2_make(7, 0), &zp, &t, point, &out, &err);
        zk_zksc_proof_free(&zp);
        /* the final check against a fixed evaluation almost never holds */
        if (st == ZA_OK && zk_fp2_eq(out, zk_fp2_make(12345, 0)))
            abort();
        break;
    case 1:
        st = zk_zksc_proof_read(&r, 4, 3, &zp);
        if (st == ZA_OK)
            st = zk_zksc_zerocheck_verify(4, 2, &zp, &t, point, &out, &err);
        zk_zksc_proof_free(&zp);
        if (st == ZA_OK && zk_fp2_eq(out, zk_fp2_make(12345, 0)))
            abort();
        break;
    case 2:
        st = zk_sumcheck_proof_read(&r, NV, 2, &sp);
        if (st == ZA_OK)
            st = zk_batch_eval_kernel_verify(NV, 1, pts, vals, 2, kc, &sp, &t, point, &out, &err);
        zk_sumcheck_proof_free(&sp);
        if (st == ZA_OK && zk_fp2_eq(out, zk_mle_eval(V, NV, point)))
            abort(); /* a false kernel claim accepted */
        break;
    default:
        st = zk_zksc_proof_read(&r, NV, 2, &zp);
        if (st == ZA_OK)
            st = zk_batch_eval_kernel_zk_verify(NV, 1, pts, vals, 2, kc, &zp, &t, point, &out,
                                                &err);
        zk_zksc_proof_free(&zp);
        if (st == ZA_OK && zk_fp2_eq(out, zk_mle_eval(V, NV, point)))
            abort();
        break;
    }
    return 0;
}
