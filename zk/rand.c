/* zk/rand.c - seeds from RAND_bytes, SHA-256 counter-mode expansion (see rand.h). */
#include "zk/rand.h"

#include <stdatomic.h>
#include <string.h>

#include <openssl/rand.h>

#include "common/sha256.h"

static const char TAG[] = "zkaudit/rand/v1";

static atomic_int test_on;
static uint64_t test_base;
static atomic_uint_fast64_t test_ctr;

void zk_rand_set_test_seed(int on, uint64_t test_seed)
{
    test_base = test_seed;
    atomic_store(&test_ctr, 0);
    atomic_store(&test_on, on != 0);
}

static void put_u64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

za_status zk_rand_seed(uint8_t seed[ZK_RAND_SEED_LEN], za_error *err)
{
    if (atomic_load(&test_on)) {
        uint8_t b[sizeof "zkaudit/rand/test" + 16];
        memcpy(b, "zkaudit/rand/test", sizeof "zkaudit/rand/test");
        put_u64(b + sizeof "zkaudit/rand/test", test_base);
        put_u64(b + sizeof "zkaudit/rand/test" + 8, atomic_fetch_add(&test_ctr, 1));
        za_sha256(b, sizeof b, seed);
        return ZA_OK;
    }
    if (RAND_bytes(seed, ZK_RAND_SEED_LEN) != 1)
        return za_error_set(err, ZA_ERR_IO, "rand: OpenSSL RAND_bytes failed to give a seed");
    return ZA_OK;
}

static void block(const uint8_t seed[ZK_RAND_SEED_LEN], uint64_t stream, uint64_t ctr,
                  uint8_t out[32])
{
    uint8_t b[sizeof TAG + ZK_RAND_SEED_LEN + 16];
    memcpy(b, TAG, sizeof TAG);
    memcpy(b + sizeof TAG, seed, ZK_RAND_SEED_LEN);
    put_u64(b + sizeof TAG + ZK_RAND_SEED_LEN, stream);
    put_u64(b + sizeof TAG + ZK_RAND_SEED_LEN + 8, ctr);
    /* the context form: several times faster than the one-shot call (sha256.h) */
    za_sha256_ctx c;
    za_sha256_init(&c);
    za_sha256_update(&c, b, sizeof b);
    za_sha256_final(&c, out);
}

void zk_rand_bytes(const uint8_t seed[ZK_RAND_SEED_LEN], uint64_t stream, uint8_t *out, size_t n)
{
    uint8_t h[32];
    for (uint64_t ctr = 0; n > 0; ctr++) {
        block(seed, stream, ctr, h);
        size_t m = n < 32 ? n : 32;
        memcpy(out, h, m);
        out += m, n -= m;
    }
}

void zk_rand_fp(const uint8_t seed[ZK_RAND_SEED_LEN], uint64_t stream, zk_fp *out, size_t n)
{
    uint8_t h[32];
    size_t i = 0;
    for (uint64_t ctr = 0; i < n; ctr++) {
        block(seed, stream, ctr, h);
        for (int k = 0; k < 4 && i < n; k++) {
            uint64_t v = 0;
            for (int j = 0; j < 8; j++)
                v |= (uint64_t)h[8 * k + j] << (8 * j);
            if (v < ZK_P) /* rejection keeps the draw uniform */
                out[i++] = v;
        }
    }
}
