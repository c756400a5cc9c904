/* zk/rand.c - seeds from RAND_bytes, ChaCha20 expansion (see rand.h). */
#include "zk/rand.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/sha256.h"

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

/* ChaCha20 keyed by the seed; the 16-byte IV is a 32-bit block counter
 * (0) and a 96-bit nonce holding the stream number. */
typedef struct {
    EVP_CIPHER_CTX *c;
    uint8_t buf[4096];
    size_t pos, len;
} stream_t;

static void stream_open(stream_t *st, const uint8_t seed[ZK_RAND_SEED_LEN], uint64_t stream)
{
    uint8_t iv[16] = { 0 };
    put_u64(iv + 4, stream);
    st->c = EVP_CIPHER_CTX_new();
    if (!st->c || EVP_EncryptInit_ex(st->c, EVP_chacha20(), NULL, seed, iv) != 1) {
        /* only out of memory: the callers cannot fail (their matrix is far larger) */
        fprintf(stderr, "zk/rand: OpenSSL ChaCha20 unavailable\n");
        abort();
    }
    st->pos = st->len = 0;
}

static void stream_read(stream_t *st, uint8_t *out, size_t n)
{
    while (n > 0) {
        if (st->pos == st->len) {
            int got = 0;
            memset(st->buf, 0, sizeof st->buf);
            if (EVP_EncryptUpdate(st->c, st->buf, &got, st->buf, (int)sizeof st->buf) != 1 ||
                got != (int)sizeof st->buf) {
                fprintf(stderr, "zk/rand: ChaCha20 failed\n");
                abort();
            }
            st->pos = 0, st->len = sizeof st->buf;
        }
        size_t m = st->len - st->pos < n ? st->len - st->pos : n;
        memcpy(out, st->buf + st->pos, m);
        st->pos += m, out += m, n -= m;
    }
}

static void stream_close(stream_t *st)
{
    EVP_CIPHER_CTX_free(st->c);
    memset(st->buf, 0, sizeof st->buf);
}

void zk_rand_bytes(const uint8_t seed[ZK_RAND_SEED_LEN], uint64_t stream, uint8_t *out, size_t n)
{
    stream_t st;
    stream_open(&st, seed, stream);
    stream_read(&st, out, n);
    stream_close(&st);
}

void zk_rand_fp(const uint8_t seed[ZK_RAND_SEED_LEN], uint64_t stream, zk_fp *out, size_t n)
{
    stream_t st;
    stream_open(&st, seed, stream);
    for (size_t i = 0; i < n;) {
        uint8_t b[8];
        stream_read(&st, b, 8);
        uint64_t v = 0;
        for (int j = 0; j < 8; j++)
            v |= (uint64_t)b[j] << (8 * j);
        if (v < ZK_P) /* rejection keeps the draw uniform */
            out[i++] = v;
    }
    stream_close(&st);
}
