/* tests/fuzz/fuzz_merkle.c - libFuzzer target for the serialized Merkle
 * multi-opening (zk/encode.h + zk/merkle.h) and its verifier.
 *
 * Fixed trees of 2^0 .. 2^8 leaves (leaf i = leaf_hash(u32 i)) are built
 * once.  Input layout: byte 0 picks the mode, byte 1 the tree depth
 * (mod 9).
 *
 *   raw mode (byte 0 even): the rest is parsed as an opening - inside a
 *   container if it starts with "ZKAP" - then verified against the tree's
 *   root.
 *
 *   structured mode (byte 0 odd): byte 2 chooses a container or a bare
 *   payload; the next ceil(2^depth/8) bytes are a bit mask of the leaves to
 *   open; a valid opening of those leaves is serialized, then every further
 *   3 bytes (u16 position, u8 xor) flip bytes of the encoding before it is
 *   parsed and verified.  An unchanged encoding must verify.
 *
 * Oracle in both modes: a failure reports a non-OK status equal to
 * err.code with a non-empty message and leaves the opening zeroed; and an
 * accepted opening must be true - its leaf digests are the tree's leaves at
 * its indices and its siblings are exactly what zk_merkle_open produces
 * (binding: the verifier never accepts a false leaf).  Any violation aborts.
 *
 * Build: make build/fuzz/fuzz_merkle (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "zk/encode.h"
#include "zk/merkle.h"

#define MAX_DEPTH 8
#define MAX_LEAVES (1u << MAX_DEPTH)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static zk_merkle trees[MAX_DEPTH + 1];
static int ready;

static void check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_merkle: invariant violated: %s\n", what);
        abort();
    }
}

static void setup(void)
{
    zk_digest leaves[MAX_LEAVES];
    for (uint32_t i = 0; i < MAX_LEAVES; i++) {
        uint8_t b[4] = { (uint8_t)i, (uint8_t)(i >> 8), (uint8_t)(i >> 16), (uint8_t)(i >> 24) };
        zk_merkle_leaf_hash(b, sizeof b, &leaves[i]);
    }
    for (unsigned d = 0; d <= MAX_DEPTH; d++)
        check(zk_merkle_build(&trees[d], leaves, (size_t)1 << d, 1) == ZA_OK, "build");
    ready = 1;
}

static void check_error(za_status st, const za_error *err)
{
    check(st != ZA_OK, "failure reported as ZA_OK");
    check(err->code == st, "err.code differs from the returned status");
    check(memchr(err->msg, 0, sizeof err->msg) != NULL, "error message not terminated");
    check(err->msg[0] != 0, "empty error message");
}

/* Parse and verify; returns 1 if accepted (after checking it is true). */
static int parse_verify(const uint8_t *buf, size_t len, unsigned depth)
{
    const zk_merkle *t = &trees[depth];
    za_error err;
    zk_reader r;
    zk_merkle_opening o;
    memset(&o, 0, sizeof o);
    zk_reader_init(&r, buf, len, "opening", &err);
    za_status st = ZA_OK;
    if (len >= 4 && memcmp(buf, ZK_MAGIC, 4) == 0)
        st = zk_reader_open_container(&r, ZK_KIND_MERKLE_OPENING);
    if (st == ZA_OK) {
        st = zk_merkle_opening_read(&r, depth, MAX_LEAVES, &o);
        if (st != ZA_OK)
            check(o.indices == NULL && o.leaves == NULL && o.siblings == NULL && o.k == 0 &&
                      o.n_siblings == 0,
                  "opening not zeroed after a parse failure");
    }
    if (st == ZA_OK)
        st = zk_reader_finish(&r);
    if (st != ZA_OK) {
        check_error(st, &err);
        check(st == zk_reader_status(&r), "reader status differs");
        zk_merkle_opening_free(&o);
        return 0;
    }
    /* the parser promises: 1 <= k <= max, sorted, distinct, in range */
    check(o.k >= 1 && o.k <= MAX_LEAVES, "index count");
    for (size_t j = 0; j < o.k; j++) {
        check(o.indices[j] < t->n_leaves, "index out of range after parsing");
        check(j == 0 || o.indices[j] > o.indices[j - 1], "indices not increasing after parsing");
    }
    zk_digest root = zk_merkle_root(t);
    st = zk_merkle_opening_verify(&o, depth, &root, &err);
    int accepted = st == ZA_OK;
    if (!accepted) {
        check_error(st, &err);
    } else {
        /* binding: an accepted opening tells the truth */
        for (size_t j = 0; j < o.k; j++)
            check(memcmp(&o.leaves[j], zk_merkle_leaf(t, o.indices[j]), sizeof(zk_digest)) == 0,
                  "a false leaf digest was accepted");
        zk_digest sib[MAX_LEAVES * MAX_DEPTH + 1];
        size_t m;
        check(zk_merkle_open(t, o.indices, o.k, sib, sizeof sib / sizeof sib[0], &m, &err) ==
                  ZA_OK,
              "open failed on an accepted index set");
        check(m == o.n_siblings, "accepted sibling count differs from the opening");
        check(m == 0 || memcmp(sib, o.siblings, m * sizeof *sib) == 0,
              "accepted siblings differ from the opening");
    }
    zk_merkle_opening_free(&o);
    return accepted;
}

static void structured(const uint8_t *data, size_t size, unsigned depth)
{
    const zk_merkle *t = &trees[depth];
    size_t n = t->n_leaves, mask_bytes = (n + 7) / 8;
    int container = size > 2 && (data[2] & 1);
    size_t pos = 3;
    uint64_t idx[MAX_LEAVES];
    zk_digest lv[MAX_LEAVES], sib[MAX_LEAVES * MAX_DEPTH + 1];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t byte = pos + i / 8;
        if (byte < size && (data[byte] >> (i % 8)) & 1)
            idx[k++] = i;
    }
    if (k == 0)
        idx[k++] = 0;
    pos += mask_bytes;
    for (size_t j = 0; j < k; j++)
        lv[j] = *zk_merkle_leaf(t, idx[j]);
    size_t m;
    za_error err;
    check(zk_merkle_open(t, idx, k, sib, sizeof sib / sizeof sib[0], &m, &err) == ZA_OK, "open");
    zk_merkle_opening o = { k, idx, lv, m, sib };
    zk_writer w;
    zk_writer_init(&w);
    size_t mark = container ? zk_writer_begin_container(&w, ZK_KIND_MERKLE_OPENING) : 0;
    zk_merkle_opening_write(&w, &o);
    if (container)
        zk_writer_end_container(&w, mark);
    check(zk_writer_status(&w, &err) == ZA_OK, "writer");
    size_t len;
    uint8_t *buf = zk_writer_take(&w, &len);
    check(buf != NULL && len > 0, "take");
    uint8_t *orig = malloc(len);
    check(orig != NULL, "malloc");
    memcpy(orig, buf, len);
    for (; pos + 3 <= size; pos += 3) {
        size_t at = ((size_t)data[pos] | (size_t)data[pos + 1] << 8) % len;
        buf[at] ^= data[pos + 2];
    }
    int accepted = parse_verify(buf, len, depth);
    if (memcmp(buf, orig, len) == 0)
        check(accepted, "a valid opening was rejected");
    free(orig);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        setup();
    if (size < 2)
        return 0;
    unsigned depth = data[1] % (MAX_DEPTH + 1);
    if (data[0] & 1) {
        structured(data, size, depth);
    } else {
        /* an exact-size copy, so that ASan sees any read past the end */
        uint8_t *buf = size > 2 ? malloc(size - 2) : NULL;
        check(size == 2 || buf != NULL, "malloc");
        if (buf)
            memcpy(buf, data + 2, size - 2);
        parse_verify(buf, size - 2, depth);
        free(buf);
    }
    return 0;
}
