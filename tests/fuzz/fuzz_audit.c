/* tests/fuzz/fuzz_audit.c - libFuzzer target for the audit's messages from
 * the other party: requests (protocol/request.h), offer/join/secret files
 * (protocol/handshake.h), audit parameter text (protocol/sampling.h) and
 * bundles (protocol/bundle.h, a SQLite file).
 *
 * Byte 0 picks the mode:
 *   0 mod 4: the rest is a request container.  Oracle: a decoded request
 *     re-encodes to exactly the same bytes (the encoding is canonical) and
 *     its indices are the transcript's draw.
 *   1 mod 4: a genuine request is built, then every further 5 bytes (u32
 *     position, u8 xor) change it.  Oracle: decoding never crashes; when it
 *     succeeds the indices are still the transcript's.
 *   2 mod 4: the rest is parsed as an offer, a join, a secret and as audit
 *     parameter text.  Oracle: an accepted parameter text formats back to
 *     itself.
 *   3 mod 4: a genuine bundle (a SQLite file of two batches, built once) is
 *     changed by every further 5 bytes (u32 position, u8 xor), or, when the
 *     first of them is 0xff, replaced by the rest; the file is opened as a
 *     bundle from the other party and every batch is read.  Oracle: no
 *     crash, no leak, and a batch read is never larger than the cap.
 *
 * Build: make build/fuzz/fuzz_audit.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/limits.h"
#include "protocol/bundle.h"
#include "protocol/handshake.h"
#include "protocol/request.h"
#include "protocol/sampling.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_indices(const zp_request *rq)
{
    uint64_t *want = malloc(sizeof(uint64_t) * (rq->n ? rq->n : 1));
    uint8_t seed[32];
    za_error err;
    if (!want)
        abort();
    zp_request_seed(rq, seed);
    if (zp_sample_indices(seed, rq->transcript.dataset_count, rq->n, want, &err) != ZA_OK ||
        (rq->n && memcmp(want, rq->indices, sizeof(uint64_t) * rq->n)))
        abort(); /* a request whose indices are not the draw was accepted */
    free(want);
}

static void fuzz_request(const uint8_t *b, size_t n)
{
    zp_request rq;
    za_error err;
    if (zp_request_decode(b, n, "fuzz", &rq, &err) != ZA_OK)
        return;
    check_indices(&rq);
    uint8_t *again;
    size_t len;
    if (zp_request_encode(&rq, &again, &len, &err) != ZA_OK || len != n || memcmp(again, b, n))
        abort(); /* not canonical */
    free(again);
    zp_request_free(&rq);
}

/* A small genuine request. */
static int genuine(uint8_t **out, size_t *len)
{
    zp_request rq;
    za_error err;
    if (zp_request_alloc(&rq, 3, 4, 4, &err))
        return 0;
    zp_audit_params p = { 0.95, 0.05, 5, ZP_STOP_FIXED, 0, 0 };
    int ok = zp_audit_params_format(&p, rq.params_text, sizeof rq.params_text, &err) == ZA_OK;
    rq.params = p;
    snprintf(rq.dataset_name, sizeof rq.dataset_name, "d");
    rq.stored_rank = 1;
    rq.stored_shape[0] = 4;
    rq.transcript.dataset_count = 50;
    memset(rq.transcript.buyer_seed, 3, 32);
    zp_seed_commitment(rq.transcript.buyer_seed, rq.buyer_commitment);
    ok = ok && zp_audit_params_hash(&p, rq.transcript.params_hash, &err) == ZA_OK;
    uint8_t seed[32];
    zp_request_seed(&rq, seed);
    ok = ok && zp_sample_indices(seed, 50, 3, rq.indices, &err) == ZA_OK;
    uint8_t proof[8] = { 1, 2, 3 };
    for (int i = 0; i < 3 && ok; i++)
        ok = zp_request_set_inclusion(&rq, (uint64_t)i, proof, sizeof proof, &err) == ZA_OK;
    ok = ok && zp_request_encode(&rq, out, len, &err) == ZA_OK;
    zp_request_free(&rq);
    return ok;
}

static uint32_t u32_at(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void fuzz_request_mutations(const uint8_t *b, size_t n)
{
    uint8_t *buf;
    size_t len;
    if (!genuine(&buf, &len))
        abort();
    for (size_t i = 0; i + 5 <= n; i += 5)
        buf[u32_at(b + i) % len] ^= b[i + 4];
    zp_request rq;
    za_error err;
    if (zp_request_decode(buf, len, "fuzz", &rq, &err) == ZA_OK) {
        check_indices(&rq);
        zp_request_free(&rq);
    }
    free(buf);
}

static void fuzz_texts(const uint8_t *b, size_t n)
{
    za_error err;
    zp_offer o;
    zp_join j;
    zp_secret s;
    (void)zp_offer_parse((const char *)b, n, "fuzz", &o, &err);
    (void)zp_join_parse((const char *)b, n, "fuzz", &j, &err);
    (void)zp_secret_parse((const char *)b, n, "fuzz", &s, &err);
    char *text = malloc(n + 1);
    if (!text)
        abort();
    memcpy(text, b, n);
    text[n] = 0;
    zp_audit_params p;
    if (zp_audit_params_parse(text, &p, &err) == ZA_OK) {
        char again[ZP_AUDIT_PARAMS_TEXT_MAX];
        if (zp_audit_params_format(&p, again, sizeof again, &err) != ZA_OK || strcmp(again, text))
            abort();
    }
    free(text);
}

static uint8_t *bundle_bytes;
static size_t bundle_len;

/* The bytes of a genuine bundle, made once. */
static void make_bundle(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz_audit_seed_%d.bundle", (int)getpid());
    unlink(path);
    uint8_t rid[32] = { 1 }, mid[32] = { 2 }, proof[40] = { 9 };
    zp_bundle *b;
    za_error err;
    if (zp_bundle_open_write(path, rid, mid, 5, 4, &b, &err) != ZA_OK)
        abort();
    zp_bundle_batch b0 = { 0, 0, 4, proof, sizeof proof, 1.0, 1.0, 2 };
    zp_bundle_batch b1 = { 1, 4, 1, proof, 20, 1.0, 1.0, 2 };
    if (zp_bundle_put_batch(b, &b0, &err) || zp_bundle_put_batch(b, &b1, &err))
        abort();
    zp_bundle_close(b); /* the last connection checkpoints the WAL into the file */
    FILE *f = fopen(path, "rb");
    if (!f)
        abort();
    fseek(f, 0, SEEK_END);
    bundle_len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    bundle_bytes = malloc(bundle_len);
    if (!bundle_bytes || fread(bundle_bytes, 1, bundle_len, f) != bundle_len)
        abort();
    fclose(f);
    unlink(path);
}

static void fuzz_bundle(const uint8_t *b, size_t n)
{
    if (!bundle_bytes)
        make_bundle();
    const uint8_t *content;
    size_t len;
    uint8_t *copy = NULL;
    if (n >= 1 && b[0] == 0xff) {
        content = b + 1;
        len = n - 1;
    } else {
        copy = malloc(bundle_len);
        if (!copy)
            abort();
        memcpy(copy, bundle_bytes, bundle_len);
        for (size_t i = 0; i + 5 <= n; i += 5)
            copy[u32_at(b + i) % bundle_len] ^= b[i + 4];
        content = copy;
        len = bundle_len;
    }
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz_audit_%d.bundle", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(content, 1, len, f);
        fclose(f);
        zp_bundle *bd;
        za_error err;
        if (zp_bundle_open_readonly(path, &bd, &err) == ZA_OK) {
            zp_bundle_info info;
            if (zp_bundle_get_info(bd, &info, &err) == ZA_OK)
                for (uint64_t k = 0; k < info.n_batches && k < 64; k++) {
                    zp_bundle_batch bt;
                    int found;
                    if (zp_bundle_get_batch(bd, k, &bt, &found, &err) == ZA_OK) {
                        if (found && bt.proof_len > ZA_MAX_PROOF_BYTES)
                            abort();
                        zp_bundle_batch_free(&bt);
                    }
                }
            zp_bundle_close(bd);
        }
        unlink(path);
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    switch (data[0] % 4) {
    case 0: fuzz_request(data + 1, size - 1); break;
    case 1: fuzz_request_mutations(data + 1, size - 1); break;
    case 2: fuzz_texts(data + 1, size - 1); break;
    default: fuzz_bundle(data + 1, size - 1); break;
    }
    return 0;
}
