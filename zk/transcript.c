/* zk/transcript.c - see transcript.h. */
#include "zk/transcript.h"

#include <stdio.h>
#include <string.h>

#include "common/sha256.h"

static void put_u32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static void begin(za_sha256_ctx *c, const zk_transcript *t, const char *tag, const char *label)
{
    static const char prefix[] = "zkaudit/transcript/";
    uint8_t n[4];
    za_sha256_init(c);
    za_sha256_update(c, prefix, sizeof prefix - 1);
    za_sha256_update(c, tag, strlen(tag));
    za_sha256_update(c, t->state, 32);
    size_t ll = strlen(label);
    put_u32(n, (uint32_t)ll);
    za_sha256_update(c, n, 4);
    za_sha256_update(c, label, ll);
}

void zk_transcript_init(zk_transcript *t, const char *protocol)
{
    memset(t->state, 0, sizeof t->state);
    t->tap = NULL;
    zk_transcript_absorb(t, "protocol", protocol, strlen(protocol));
}

void zk_transcript_absorb(zk_transcript *t, const char *label, const void *data, size_t len)
{
    za_sha256_ctx c;
    uint8_t n[8];
    if (t->tap && t->tap->bytes && t->tap->bytes(t->tap, label, data, len) == ZK_TAP_SKIP)
        return;
    begin(&c, t, "absorb", label);
    put_u64(n, (uint64_t)len);
    za_sha256_update(&c, n, 8);
    if (len)
        za_sha256_update(&c, data, len);
    za_sha256_final(&c, t->state);
}

void zk_transcript_absorb_u64(zk_transcript *t, const char *label, uint64_t v)
{
    uint8_t b[8];
    put_u64(b, v);
    zk_transcript_absorb(t, label, b, 8);
}

/* Field elements are absorbed in their canonical 8-byte encoding, streamed
 * so that large vectors need no copy. */
void zk_transcript_absorb_fp(zk_transcript *t, const char *label, const zk_fp *v, size_t n)
{
    za_sha256_ctx c;
    uint8_t b[8 * 64];
    begin(&c, t, "absorb", label);
    put_u64(b, (uint64_t)n * 8);
    za_sha256_update(&c, b, 8);
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < 64 && i < n; k++, i++)
            zk_fp_to_bytes(v[i], b + 8 * k);
        za_sha256_update(&c, b, 8 * k);
    }
    za_sha256_final(&c, t->state);
}

void zk_transcript_absorb_fp2(zk_transcript *t, const char *label, const zk_fp2 *v, size_t n)
{
    za_sha256_ctx c;
    uint8_t b[16 * 32];
    if (t->tap && t->tap->fp2) {
        const zk_fp2 *out = NULL;
        size_t n_out = 0;
        zk_tap_action a = t->tap->fp2(t->tap, label, v, n, &out, &n_out);
        if (a == ZK_TAP_SKIP)
            return;
        if (a == ZK_TAP_REPLACE)
            v = out, n = n_out;
    }
    begin(&c, t, "absorb", label);
    put_u64(b, (uint64_t)n * 16);
    za_sha256_update(&c, b, 8);
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < 32 && i < n; k++, i++)
            zk_fp2_to_bytes(v[i], b + 16 * k);
        za_sha256_update(&c, b, 16 * k);
    }
    za_sha256_final(&c, t->state);
}

/* Draw 32 fresh bytes and ratchet the state forward. */
static void squeeze(zk_transcript *t, const char *label, uint64_t counter, uint8_t out[32])
{
    za_sha256_ctx c;
    uint8_t n[8];
    begin(&c, t, "challenge", label);
    put_u64(n, counter);
    za_sha256_update(&c, n, 8);
    za_sha256_final(&c, out);
}

static void ratchet(zk_transcript *t, const uint8_t block[32])
{
    static const char tag[] = "zkaudit/transcript/ratchet";
    za_sha256_ctx c;
    za_sha256_init(&c);
    za_sha256_update(&c, tag, sizeof tag - 1);
    za_sha256_update(&c, block, 32);
    za_sha256_final(&c, t->state);
}

static uint64_t get_u64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* Fill n uniform field elements from blocks; rejection keeps them uniform. */
static void challenge_fps(zk_transcript *t, const char *label, zk_fp *out, size_t n)
{
    uint8_t block[32];
    uint64_t counter = 0;
    size_t got = 0;
    while (got < n) {
        squeeze(t, label, counter++, block);
        for (int k = 0; k < 4 && got < n; k++) {
            uint64_t v = get_u64(block + 8 * k);
            if (v < ZK_P)
                out[got++] = v;
        }
    }
    ratchet(t, block);
}

zk_fp zk_transcript_challenge_fp(zk_transcript *t, const char *label)
{
    zk_fp v;
    challenge_fps(t, label, &v, 1);
    return v;
}

/* TEST ONLY: the programmed challenge (zk_transcript_test_program) */
static struct {
    int armed;
    char label[64];
    zk_fp2 value;
} programmed;

void zk_transcript_test_program(const char *label, zk_fp2 value)
{
#ifndef ZKAUDIT_TESTING /* release builds: never armed (soundness rests on it) */
    label = NULL;
#endif
    programmed.armed = label != NULL;
    if (label)
        snprintf(programmed.label, sizeof programmed.label, "%s", label);
    programmed.value = value;
}

zk_fp2 zk_transcript_challenge_fp2(zk_transcript *t, const char *label)
{
    zk_fp v[2];
    challenge_fps(t, label, v, 2);
    zk_fp2 c = zk_fp2_make(v[0], v[1]);
    if (programmed.armed && strcmp(programmed.label, label) == 0)
        c = programmed.value, programmed.armed = 0;
    if (t->tap && t->tap->challenge)
        t->tap->challenge(t->tap, label, c);
    return c;
}

void zk_transcript_challenge_fp2_vec(zk_transcript *t, const char *label, zk_fp2 *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = zk_transcript_challenge_fp2(t, label);
}

uint64_t zk_transcript_challenge_index(zk_transcript *t, const char *label, uint64_t bound)
{
    uint8_t block[32];
    uint64_t counter = 0;
    if (bound <= 1) {
        squeeze(t, label, counter, block);
        ratchet(t, block);
        return 0;
    }
    /* accept v <= limit, so that the accepted range [0, limit] holds a
     * whole number of copies of [0, bound): 2^64 - r values, r = 2^64 mod bound */
    uint64_t r = (UINT64_MAX % bound + 1) % bound;
    uint64_t limit = UINT64_MAX - r;
    for (;;) {
        squeeze(t, label, counter++, block);
        for (int k = 0; k < 4; k++) {
            uint64_t v = get_u64(block + 8 * k);
            if (v <= limit) {
                ratchet(t, block);
                return v % bound;
            }
        }
    }
}
