/* zk/rand.h - prover-side randomness for hiding commitments.
 *
 * A hiding commitment (zk/pcs.h, zk/commit.h) needs uniform field elements
 * (row padding, mask rows) and 32-byte salts that the verifier never learns.
 * Each commitment draws one fresh 32-byte secret, its seed, from OpenSSL's
 * RAND_bytes (the operating system's generator behind OpenSSL's DRBG) and
 * expands it with ChaCha20 (OpenSSL's EVP): the key is the seed, the nonce
 * the stream number, and the output the keystream.  Field elements take 8
 * bytes (little-endian) at a time, rejecting values >= p (uniform; a
 * rejection has probability 2^-32).  Streams are independent, so rows are
 * expanded in parallel and re-expanded bit for bit.  With a truly random
 * seed and ChaCha20 a pseudo-random function the outputs are
 * indistinguishable from uniform; the hiding arguments of
 * docs/proof-system.md are statistical given uniform outputs.  (SHA-256 in
 * counter mode, tried first, cost two compressions per 32-byte salt: 16 ms
 * of a 2^20 commitment.)
 *
 * TEST HOOK.  zk_rand_set_test_seed(1, s) makes every later zk_rand_seed
 * deterministic (a function of s and a process-wide counter), so tests can
 * replay a run and compare two code paths byte for byte.  Never in
 * production: a known seed hides nothing.
 *
 * Ownership: every output is caller storage; nothing is allocated.
 */
#ifndef ZK_RAND_H
#define ZK_RAND_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "zk/field.h"

#define ZK_RAND_SEED_LEN 32

/* A fresh secret seed (RAND_bytes, or the test stream when enabled).
 * Fails with ZA_ERR_IO if OpenSSL has no entropy. */
za_status zk_rand_seed(uint8_t seed[ZK_RAND_SEED_LEN], za_error *err) ZA_WARN_UNUSED;

/* TEST ONLY: on != 0 makes zk_rand_seed return SHA-256 of (test_seed,
 * counter) with a counter starting at 0; on == 0 returns to RAND_bytes. */
void zk_rand_set_test_seed(int on, uint64_t test_seed);

/* out[0..n) = the first n uniform field elements of stream `stream`. */
void zk_rand_fp(const uint8_t seed[ZK_RAND_SEED_LEN], uint64_t stream, zk_fp *out, size_t n);

/* out[0..n) = the first n bytes of stream `stream`. */
void zk_rand_bytes(const uint8_t seed[ZK_RAND_SEED_LEN], uint64_t stream, uint8_t *out,
                   size_t n);

#endif
