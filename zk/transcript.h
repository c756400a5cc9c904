/* zk/transcript.h - Fiat-Shamir transcript on SHA-256.
 *
 * The state is a 32-byte chaining value.  Every absorb replaces it with
 *   state = SHA-256("zkaudit/transcript/absorb" || state || u32 len(label) ||
 *                   label || u64 len(data) || data)
 * (lengths little-endian), so labels and messages are unambiguous, and every
 * challenge with
 *   block = SHA-256("zkaudit/transcript/challenge" || state || u32 len(label)
 *                   || label || u64 counter)
 *   state = SHA-256("zkaudit/transcript/ratchet" || block)
 * Field challenges take 8 bytes of a block little-endian and reject values
 * >= p (then the counter advances and a new block is drawn), so they are
 * uniform; index challenges reject above the largest multiple of the bound.
 * The prover and the verifier must absorb exactly the same messages in the
 * same order: everything the verifier sees is absorbed before the challenge
 * that depends on it.
 */
#ifndef ZK_TRANSCRIPT_H
#define ZK_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "zk/field.h"

struct zk_transcript_tap;

typedef struct {
    uint8_t state[32];
    struct zk_transcript_tap *tap; /* NULL: every absorb as given (zk/blind.h sets it) */
} zk_transcript;

/* A tap rewrites what a transcript absorbs while it is set, so that a plain
 * prover (the sumcheck engines) can run inside a blinded proof (zk/blind.h)
 * unchanged: the tap replaces the values the engine would send by their
 * blinded versions and drops absorbs of values the verifier never sees.
 * A transcript without a tap is byte-for-byte the transcript above. */
typedef enum { ZK_TAP_PASS, ZK_TAP_SKIP, ZK_TAP_REPLACE } zk_tap_action;
typedef struct zk_transcript_tap {
    /* byte absorbs: PASS or SKIP */
    zk_tap_action (*bytes)(struct zk_transcript_tap *tap, const char *label, const void *data,
                           size_t len);
    /* extension absorbs: PASS, SKIP, or REPLACE with *out (n_out values the
     * tap owns, valid until its next call) */
    zk_tap_action (*fp2)(struct zk_transcript_tap *tap, const char *label, const zk_fp2 *v,
                         size_t n, const zk_fp2 **out, size_t *n_out);
    /* every extension challenge drawn (zk_transcript_challenge_fp2 and _vec),
     * after it is drawn */
    void (*challenge)(struct zk_transcript_tap *tap, const char *label, zk_fp2 value);
} zk_transcript_tap;

/* Start a transcript bound to a protocol name (domain separation). */
void zk_transcript_init(zk_transcript *t, const char *protocol);

void zk_transcript_absorb(zk_transcript *t, const char *label, const void *data, size_t len);
void zk_transcript_absorb_u64(zk_transcript *t, const char *label, uint64_t v);
void zk_transcript_absorb_fp(zk_transcript *t, const char *label, const zk_fp *v, size_t n);
void zk_transcript_absorb_fp2(zk_transcript *t, const char *label, const zk_fp2 *v, size_t n);

zk_fp zk_transcript_challenge_fp(zk_transcript *t, const char *label);
zk_fp2 zk_transcript_challenge_fp2(zk_transcript *t, const char *label);
/* n extension challenges (e.g. a sumcheck point or a random combination). */
void zk_transcript_challenge_fp2_vec(zk_transcript *t, const char *label, zk_fp2 *out, size_t n);
/* TEST ONLY (the zero-knowledge simulator of tests/unit/test_prove.c, which
 * controls the verifier's challenges): the next extension challenge drawn
 * with this label, by any transcript of the process, is `value` instead of
 * the hash's (the state advances as usual).  label NULL disarms it.  Not
 * thread-safe; compiled in only in the sanitizer (test) build, where
 * ZKAUDIT_TESTING is defined: in a release build it never arms. */
void zk_transcript_test_program(const char *label, zk_fp2 value);

/* Uniform in [0, bound), bound >= 1. */
uint64_t zk_transcript_challenge_index(zk_transcript *t, const char *label, uint64_t bound);

#endif
