/* tests/fuzz/fuzz_idx.c - libFuzzer target for the IDX importer
 * (datasets/idx.c) and the dataset inclusion-proof parser and verifier
 * (protocol/dataset_commit.h).
 *
 * Byte 0 picks the mode:
 *   0 mod 3: IDX.  Bytes 1-2 (u16 LE) split the rest into an image file and
 *     a label file, written to two memfds and opened through /proc/self/fd
 *     (so gzip'd inputs take zlib's path and raw ones the pass-through
 *     path); every example is read.  Oracle: a failure has a non-empty
 *     message and matching code; an accepted example has the announced
 *     length and a label below 10.
 *   1 mod 3: raw proof bytes are decoded and, if they parse, verified
 *     against a fixed tree of 37 leaves for the example the proof names.
 *     Oracle: an accepted proof is the genuine proof of that example.
 *   2 mod 3: the genuine proof of example data[1] % 37 is encoded, then
 *     every further 3 bytes (u16 position, u8 xor) change it.  Oracle: it is
 *     accepted iff it is unchanged.
 *
 * Build: make build/fuzz/fuzz_idx (clang -fsanitize=fuzzer,address,undefined).
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/sha256.h"
#include "datasets/importers.h"
#include "protocol/dataset_commit.h"

#define N 37

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static zp_ds_digest leaves[N], root;
static uint8_t hashes[N][32];
static int ready;

static void check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_idx: invariant violated: %s\n", what);
        abort();
    }
}

static void setup(void)
{
    for (uint32_t i = 0; i < N; i++) {
        uint8_t b[2] = { (uint8_t)i, 0x5a };
        za_sha256(b, sizeof b, hashes[i]);
        zp_ds_leaf(i, i % 10, hashes[i], &leaves[i]);
    }
    za_error err;
    check(zp_ds_root(leaves, N, &root, &err) == ZA_OK, "root");
    ready = 1;
}

static void check_error(za_status st, const za_error *err)
{
    check(st != ZA_OK, "failure reported as ZA_OK");
    check(err->code == st, "err.code differs from the returned status");
    check(memchr(err->msg, 0, sizeof err->msg) != NULL, "error message not terminated");
    check(err->msg[0] != 0, "empty error message");
}

static int memfd_with(const uint8_t *d, size_t n)
{
    int fd = memfd_create("fuzz_idx", 0);
    check(fd >= 0, "memfd_create");
    check(n == 0 || write(fd, d, n) == (ssize_t)n, "memfd write");
    return fd;
}

static void fuzz_idx(const uint8_t *d, size_t n)
{
    if (n < 2)
        return;
    size_t split = ((size_t)d[0] | (size_t)d[1] << 8) % (n - 1);
    d += 2, n -= 2;
    int fi = memfd_with(d, split), fl = memfd_with(d + split, n - split);
    char pi[64], pl[64];
    snprintf(pi, sizeof pi, "/proc/self/fd/%d", fi);
    snprintf(pl, sizeof pl, "/proc/self/fd/%d", fl);
    zd_source *src;
    za_error err;
    za_status st = zd_source_open_idx(pi, pl, &src, &err);
    if (st) {
        check_error(st, &err);
        check(src == NULL, "source not NULL after a failed open");
    } else {
        const zd_source_info *info = zd_source_info_of(src);
        size_t want = (size_t)info->shape[0] * info->shape[1];
        for (;;) {
            zd_example ex;
            int end = 0;
            st = zd_source_next(src, &ex, &end, &err);
            if (st) {
                check_error(st, &err);
                break;
            }
            if (end)
                break;
            check(ex.len == want && ex.label < 10, "example of the wrong length or label");
        }
        zd_source_close(src);
    }
    close(fi);
    close(fl);
}

/* 1 if buf decodes and verifies for the example it names (checked true) */
static int decode_verify(const uint8_t *buf, size_t len)
{
    zp_ds_proof p;
    za_error err;
    za_status st = zp_ds_proof_decode(buf, len, &p, &err);
    if (st) {
        check_error(st, &err);
        return 0;
    }
    if (p.index >= N) {
        st = zp_ds_proof_verify(&p, &root, N, p.index, p.label, p.input_hash, &err);
        check(st != ZA_OK, "a proof for an index outside the tree was accepted");
        return 0;
    }
    st = zp_ds_proof_verify(&p, &root, N, p.index, p.label, p.input_hash, &err);
    if (st) {
        check_error(st, &err);
        return 0;
    }
    zp_ds_proof real;
    check(zp_ds_prove(leaves, N, p.index, (uint32_t)(p.index % 10), hashes[p.index], &real,
                      &err) == ZA_OK,
          "prove");
    uint8_t a[ZP_DS_PROOF_HEADER + 32 * ZP_DS_MAX_DEPTH];
    size_t alen = zp_ds_proof_encode(&real, a, sizeof a);
    check(alen == len && memcmp(a, buf, len) == 0, "a false proof was accepted");
    return 1;
}

static void fuzz_proof_structured(const uint8_t *d, size_t n)
{
    if (n < 2)
        return;
    uint64_t i = d[1] % N;
    zp_ds_proof p;
    za_error err;
    check(zp_ds_prove(leaves, N, i, (uint32_t)(i % 10), hashes[i], &p, &err) == ZA_OK, "prove");
    uint8_t buf[ZP_DS_PROOF_HEADER + 32 * ZP_DS_MAX_DEPTH], orig[sizeof buf];
    size_t len = zp_ds_proof_encode(&p, buf, sizeof buf);
    check(len > 0, "encode");
    memcpy(orig, buf, len);
    for (size_t pos = 2; pos + 3 <= n; pos += 3)
        buf[((size_t)d[pos] | (size_t)d[pos + 1] << 8) % len] ^= d[pos + 2];
    int same = memcmp(buf, orig, len) == 0;
    check(decode_verify(buf, len) == same, same ? "a genuine proof was rejected"
                                                : "a changed proof was accepted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        setup();
    if (size < 1)
        return 0;
    switch (data[0] % 3) {
    case 0:
        fuzz_idx(data + 1, size - 1);
        break;
    case 1: {
        /* an exact-size copy, so that ASan sees any read past the end */
        uint8_t *buf = malloc(size - 1 ? size - 1 : 1);
        check(buf != NULL, "malloc");
        memcpy(buf, data + 1, size - 1);
        decode_verify(buf, size - 1);
        free(buf);
        break;
    }
    default:
        fuzz_proof_structured(data, size);
    }
    return 0;
}
