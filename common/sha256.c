/* common/sha256.c - SHA-256 on OpenSSL's low-level API (see sha256.h).
 *
 * SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but
 * the EVP-backed paths allocate and cost ~4x more per 64-byte Merkle node
 * (measured, see sha256.h), so we keep the low-level calls and silence the
 * deprecation in this file only.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "common/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FILE_CHUNK ((size_t)1 << 20) /* 1 MiB: large reads, bounded memory */

/* za_sha256_ctx is opaque storage for a SHA256_CTX so that callers need not
 * include OpenSSL headers; make sure it really fits. */
_Static_assert(sizeof(SHA256_CTX) <= sizeof(za_sha256_ctx),
               "za_sha256_ctx too small for SHA256_CTX");
_Static_assert(alignof(SHA256_CTX) <= alignof(za_sha256_ctx),
               "za_sha256_ctx under-aligned for SHA256_CTX");

static SHA256_CTX *ossl(za_sha256_ctx *c)
{
    return (SHA256_CTX *)(void *)c->opaque;
}

void za_sha256_init(za_sha256_ctx *c)
{
    SHA256_Init(ossl(c));
}

void za_sha256_update(za_sha256_ctx *c, const void *data, size_t len)
{
    if (len > 0)
        SHA256_Update(ossl(c), data, len);
}

void za_sha256_final(za_sha256_ctx *c, uint8_t out[ZA_SHA256_LEN])
{
    SHA256_Final(out, ossl(c));
}

void za_sha256(const void *data, size_t len, uint8_t out[ZA_SHA256_LEN])
{
    za_sha256_ctx c;
    za_sha256_init(&c);
    za_sha256_update(&c, data, len);
    za_sha256_final(&c, out);
}

za_status za_sha256_file(const char *path, uint8_t out[ZA_SHA256_LEN],
                         za_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return za_error_set(err, ZA_ERR_IO, "cannot open %s: %s", path, strerror(errno));

    /* Heap, not stack: 1 MiB would overflow a worker thread's stack. */
    uint8_t *buf = malloc(FILE_CHUNK);
    if (buf == NULL) {
        close(fd);
        return za_error_set(err, ZA_ERR_NOMEM, "cannot hash %s: out of memory", path);
    }

    za_sha256_ctx c;
    za_sha256_init(&c);
    za_status st = ZA_OK;
    uint64_t offset = 0;
    for (;;) {
        ssize_t n = read(fd, buf, FILE_CHUNK);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            st = za_error_set(err, ZA_ERR_IO, "cannot read %s at offset %llu: %s",
                              path, (unsigned long long)offset, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        za_sha256_update(&c, buf, (size_t)n);
        offset += (uint64_t)n;
    }
    free(buf);
    close(fd);
    if (st == ZA_OK)
        za_sha256_final(&c, out);
    return st;
}
