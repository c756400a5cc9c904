/* tests/fuzz/fuzz_private_dataset.c - random bytes into the parsers of
 * private data mode (protocol/private_dataset.h): the private inclusion
 * proof (decoded, then verified against a fixed root), the reveal (decoded,
 * then checked against a fixed commitment and seed) and the commitment
 * file (JSON).  The first byte picks the parser.  They must never crash,
 * leak or read out of bounds; a proof or reveal that verifies against the
 * fixed root is impossible except with negligible probability, and is
 * reported as a crash (abort). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/private_dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    za_error err;
    zp_ds_digest root;
    memset(root.h, 0x5a, 32);
    const uint8_t *b = data + 1;
    size_t n = size - 1;
    switch (data[0] % 3) {
    case 0: {
        zp_pd_proof p;
        if (zp_pd_proof_decode(b, n, &p, &err) == ZA_OK) {
            if (zp_pd_proof_verify(&p, &root, p.count, p.variant, p.index, &err) == ZA_OK)
                abort();
            if (p.opened && zp_pd_proof_check_input(&p, b, n, &err) == ZA_OK)
                abort(); /* a digest over its own encoding: negligible */
        }
        break;
    }
    case 1: {
        zp_pd_reveal r;
        if (zp_pd_reveal_decode(b, n, "fuzz", &r, &err) == ZA_OK) {
            zp_pd_commitment c;
            memset(&c, 0, sizeof c);
            c.variant = r.variant;
            memcpy(c.root, root.h, 32);
            c.count = r.count;
            c.rank = 1;
            c.shape[0] = (uint32_t)(r.stored_len ? r.stored_len : 1);
            c.n_labels = 10;
            uint8_t seed[32] = { 0 };
            if (r.n > 0 && zp_pd_reveal_check(&r, &c, seed, &err) == ZA_OK)
                abort();
            zp_pd_reveal_free(&r);
        }
        break;
    }
    default: {
        zp_pd_commitment c;
        char *json = NULL;
        if (zp_pd_commitment_parse((const char *)b, n, "fuzz", &c, &err) == ZA_OK &&
            zp_pd_commitment_to_json(&c, &json, &err) == ZA_OK) {
            zp_pd_commitment d;
            if (zp_pd_commitment_parse(json, strlen(json), "again", &d, &err) != ZA_OK ||
                memcmp(c.root, d.root, 32) || c.count != d.count)
                abort();
        }
        free(json);
        break;
    }
    }
    return 0;
}
