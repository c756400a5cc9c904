/* protocol/sampling.h - drawing the audit sample so that neither party can
 * bias it (DESIGN.md §6, docs/protocol.md).
 *
 * The order of events is what makes the draw fair:
 *   1. the buyer fixes the audit parameters (zp_audit_params);
 *   2. the seller publishes its model commitment (the model is fixed);
 *   3. the buyer publishes H(buyer_seed) (zp_seed_commitment); the seller
 *      answers with a random seller_seed, or both name a public
 *      randomness-beacon value fixed in advance;
 *   4. the buyer reveals buyer_seed, everybody checks it against step 3,
 *      and seed = zp_sample_seed(transcript) decides the sample.
 * The buyer cannot bias the seed (its seed is committed before it sees the
 * seller's), the seller cannot (it answers without knowing the buyer's
 * seed), and neither can change the dataset, the model or the parameters
 * afterwards (all three are hashed into the seed).
 *
 * Indices: a SHA-256 counter-mode stream, uniform draws by rejection (no
 * modulo bias) and a partial Fisher-Yates shuffle of 0..N-1, so the first k
 * indices are a uniform sample without replacement for every k - sequential
 * stopping after any prefix relies on that.  Anyone holding the transcript
 * recomputes the indices.
 *
 * Everything here is pure computation except zp_seed_random (OpenSSL's
 * CSPRNG).  No allocation is left to the caller to free unless stated.
 */
#ifndef ZP_SAMPLING_H
#define ZP_SAMPLING_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define ZP_SEED_LEN 32
#define ZP_MAX_SAMPLES ((uint64_t)1 << 24) /* indices drawn by one audit */
#define ZP_AUDIT_PARAMS_TEXT_MAX 512

typedef enum {
    ZP_STOP_FIXED = 0,  /* verify all max_samples, then report */
    ZP_STOP_CONFSEQ = 1, /* stop once the anytime-valid interval is within the margin */
    ZP_STOP_SPRT = 2    /* stop once Wald's test decides acc >= threshold vs < threshold0 */
} zp_stop_rule;

/* What the buyer fixes before anything else.  A missing or invalid proof
 * always counts as a wrong prediction; the text form says so, so that it is
 * part of what both parties agreed to. */
typedef struct {
    double confidence;    /* 1 - alpha, in (0, 1) */
    double margin;        /* target half-width of the interval, in (0, 0.5) */
    uint64_t max_samples; /* indices drawn, 1 .. ZP_MAX_SAMPLES */
    zp_stop_rule stop;
    double threshold;     /* ZP_STOP_SPRT: H1 accuracy >= threshold */
    double threshold0;    /* ZP_STOP_SPRT: H0 accuracy < threshold0 < threshold */
} zp_audit_params;

/* Range checks with a message naming the field. */
za_status zp_audit_params_check(const zp_audit_params *p, za_error *err) ZA_WARN_UNUSED;

/* Canonical text, e.g.
 *   "zkaudit-audit/v1;confidence=0.95;margin=0.05;max_samples=400;stop=fixed;invalid=wrong"
 * (doubles as %.17g so they round-trip exactly; sprt adds threshold= and
 * threshold0=).  parse accepts exactly what format writes and checks the
 * values. */
za_status zp_audit_params_format(const zp_audit_params *p, char *out, size_t out_len,
                                 za_error *err) ZA_WARN_UNUSED;
za_status zp_audit_params_parse(const char *text, zp_audit_params *p, za_error *err)
    ZA_WARN_UNUSED;
/* SHA-256 of the canonical text. */
za_status zp_audit_params_hash(const zp_audit_params *p, uint8_t out[32],
                               za_error *err) ZA_WARN_UNUSED;

/* 32 bytes from OpenSSL's CSPRNG. */
za_status zp_seed_random(uint8_t out[ZP_SEED_LEN], za_error *err) ZA_WARN_UNUSED;

/* H = SHA-256("zkaudit/seed-commitment/v1" || seed). */
void zp_seed_commitment(const uint8_t seed[ZP_SEED_LEN], uint8_t out[32]);
/* 1 if commitment opens to seed (constant-time comparison). */
int zp_seed_commitment_check(const uint8_t commitment[32], const uint8_t seed[ZP_SEED_LEN]);

/* Everything the sample seed depends on. */
typedef struct {
    uint8_t dataset_root[32];
    uint64_t dataset_count;    /* N: examples in the committed dataset */
    uint8_t model_id[32];
    uint8_t params_hash[32];   /* zp_audit_params_hash */
    uint8_t buyer_seed[ZP_SEED_LEN];
    int use_beacon;            /* 0: seller_seed, 1: beacon instead */
    uint8_t seller_seed[ZP_SEED_LEN];
    uint8_t beacon_hash[32];   /* SHA-256 of the beacon value's bytes */
} zp_sample_transcript;

/* seed = SHA-256("zkaudit/sample-seed/v1" || root || N (u64 LE) || model id ||
 *                params hash || buyer seed || 0x00 || seller seed)
 *   or (beacon)                           ... || 0x01 || beacon hash). */
void zp_sample_seed(const zp_sample_transcript *t, uint8_t out[32]);

/* The first n entries of the permutation of 0..N-1 that seed determines
 * (n <= N, n <= ZP_MAX_SAMPLES).  Memory O(n). */
za_status zp_sample_indices(const uint8_t seed[32], uint64_t N, uint64_t n, uint64_t *out,
                            za_error *err) ZA_WARN_UNUSED;

/* SHA-256("zkaudit/sample-indices/v1" || n || each index as u64 LE): the
 * report's short name for the whole sample. */
void zp_indices_hash(const uint64_t *idx, uint64_t n, uint8_t out[32]);

/* ---- the stream underneath, exposed for tests ---- */

typedef struct {
    uint8_t seed[32];
    uint64_t counter;   /* next block */
    uint64_t words[4];  /* current block as little-endian words */
    unsigned used;      /* words of the block consumed */
} zp_stream;

void zp_stream_init(zp_stream *s, const uint8_t seed[32]);
/* Next 64-bit word: block i = SHA-256("zkaudit/sample-stream/v1" || seed || i). */
uint64_t zp_stream_u64(zp_stream *s);
/* Uniform in [0, m), m >= 1, by rejection of the top 2^64 mod m values. */
uint64_t zp_stream_uniform(zp_stream *s, uint64_t m);

#endif
