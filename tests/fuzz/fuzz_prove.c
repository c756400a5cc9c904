/* tests/fuzz/fuzz_prove.c - mutations of a real model proof into the
 * inference verifier (protocol/infer_proof.h).
 *
 * Setup: the hello_world model of ../shared (ZKAUDIT_SHARED overrides; the
 * target does nothing, and says so once, without it), its commitment, and
 * two valid proofs, a plain and a blinded one (zp_prove_ex; bit 1 of the
 * first byte picks which one is mutated).  Each input is a list of edits (2 bytes of position, 1
 * byte to XOR) applied to a copy of the valid proof; if the first byte is
 * odd, the rest of the input is also tried as a whole proof.  The verifier
 * must never crash, leak or read out of bounds, and must reject every proof
 * that differs from the valid one (an acceptance aborts, so libFuzzer keeps
 * it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/engine.h"
#include "model/model.h"
#include "model/testinput.h"
#include "protocol/infer_proof.h"
#include "protocol/model_commit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static zp_model_commitment mc;
static uint8_t *valids[2];
static size_t valid_lens[2];
static int state; /* 0: not set up, 1: ready, 2: unavailable */

static void setup(void)
{
    const char *shared = getenv("ZKAUDIT_SHARED");
    char path[4096];
    snprintf(path, sizeof path, "%s/models/tflite-micro/hello_world_int8.tflite",
             shared ? shared : "../shared");
    za_error err;
    zm_model *m = NULL;
    state = 2;
    if (zm_model_load_file(path, &m, &err)) {
        fprintf(stderr, "fuzz_prove: %s: skipping (no shared models)\n", err.msg);
        return;
    }
    size_t in_bytes = (size_t)m->tensors[m->inputs[0]].n_bytes;
    zp_prove_opts blinded_opts = { .blinded = 1, .model_secret = NULL };
    uint8_t *in = malloc(in_bytes);
    if (!in || zm_make_input("random:1", in, in_bytes, &err) ||
        zp_model_commit(m, ZM_ROUNDING_TFLITE, 1, &mc, &err) ||
        zp_prove(m, &mc, 1, in, in_bytes, 1, NULL, &valids[0], &valid_lens[0], NULL, &err) ||
        zp_prove_ex(m, &mc, 1, in, in_bytes, 1, NULL, &blinded_opts, &valids[1], &valid_lens[1],
                    NULL, &err))
        abort();
    free(in);
    zm_model_free(m);
    state = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!state)
        setup();
    if (state != 1 || size < 1)
        return 0;
    za_error err;
    zp_verified v;
    const uint8_t *valid = valids[(data[0] >> 1) & 1];
    size_t valid_len = valid_lens[(data[0] >> 1) & 1];
    if (data[0] & 1) {
        if (zp_verify(&mc, data + 1, size - 1, 1, &v, &err) == ZA_OK) {
            /* an accepted proof must be one of the two valid ones (a blinded
             * proof is random: nothing else may pass) */
            int known = 0;
            for (int k = 0; k < 2; k++)
                known |= size - 1 == valid_lens[k] && memcmp(data + 1, valids[k], valid_lens[k]) == 0;
            if (!known)
                abort();
            zp_verified_free(&v);
        }
    }
    uint8_t *p = malloc(valid_len);
    if (!p)
        return 0;
    memcpy(p, valid, valid_len);
    for (size_t i = 1; i + 3 <= size; i += 3) {
        size_t at = ((size_t)data[i] | (size_t)data[i + 1] << 8) * valid_len / 65536;
        p[at] ^= data[i + 2];
    }
    if (zp_verify(&mc, p, valid_len, 1, &v, &err) == ZA_OK) {
        if (memcmp(p, valid, valid_len) != 0)
            abort();
        zp_verified_free(&v);
    }
    free(p);
    return 0;
}
