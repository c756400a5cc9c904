/* tests/unit/test_merkle.c - Merkle trees and multi-openings.
 *
 * Roots against RFC 6962's published vectors (same 0x00/0x01 domain
 * separation) and against an independent recursive computation with the
 * one-shot hash for 1 .. 2^10 leaves; thread counts give identical trees;
 * random multi-openings of 2^0 .. 2^16-leaf trees verify and carry exactly
 * the minimal number of siblings (counted independently); thousands of
 * mutated openings (leaf, sibling, index, count, root, depth) are rejected;
 * the serialized opening round-trips and its parser is strict. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/sha256.h"
#include "tests/unit/testutil.h"
#include "zk/encode.h"
#include "zk/merkle.h"

static uint64_t seed;

static void rnd_bytes(uint64_t *s, void *out, size_t n)
{
    uint8_t *p = out;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)zt_next(s);
}

static uint64_t rnd_below(uint64_t *s, uint64_t bound)
{
    return zt_next(s) % bound;
}

static void hex_digest(const char *hex, zk_digest *d)
{
    for (int i = 0; i < 32; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        d->h[i] = (uint8_t)v;
    }
}

/* ---- independent reference: one-shot hashes and recursion ---- */

static void naive_leaf(const void *data, size_t len, zk_digest *out)
{
    uint8_t *buf = malloc(len + 1);
    assert_non_null(buf);
    buf[0] = 0x00;
    if (len)
        memcpy(buf + 1, data, len);
    za_sha256(buf, len + 1, out->h);
    free(buf);
}

static void naive_root(const zk_digest *leaves, size_t n, zk_digest *out)
{
    if (n == 1) {
        *out = leaves[0];
        return;
    }
    uint8_t buf[65];
    zk_digest l, r;
    naive_root(leaves, n / 2, &l);
    naive_root(leaves + n / 2, n / 2, &r);
    buf[0] = 0x01;
    memcpy(buf + 1, l.h, 32);
    memcpy(buf + 33, r.h, 32);
    za_sha256(buf, sizeof buf, out->h);
}

/* The minimal sibling count, from the definition: at each height, the
 * siblings of the nodes on opened paths that are not on opened paths. */
static size_t naive_opening_size(unsigned depth, const uint64_t *idx, size_t k)
{
    uint64_t *p = malloc(k * sizeof *p);
    assert_non_null(p);
    size_t total = 0;
    for (unsigned h = 0; h < depth; h++) {
        size_t m = 0; /* unique idx >> h (idx sorted, so already sorted) */
        for (size_t j = 0; j < k; j++) {
            uint64_t v = idx[j] >> h;
            if (m == 0 || p[m - 1] != v)
                p[m++] = v;
        }
        for (size_t j = 0; j < m; j++) {
            uint64_t sib = p[j] ^ 1;
            int present = (j > 0 && p[j - 1] == sib) || (j + 1 < m && p[j + 1] == sib);
            total += !present;
        }
    }
    free(p);
    return total;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* k distinct sorted random indices in [0, n); k <= n */
static void rnd_index_set(uint64_t *s, uint64_t n, uint64_t *idx, size_t k)
{
    if (k * 2 > n) { /* dense: pick by a partial shuffle of all */
        uint64_t *all = malloc(n * sizeof *all);
        assert_non_null(all);
        for (uint64_t i = 0; i < n; i++)
            all[i] = i;
        for (size_t i = 0; i < k; i++) {
            uint64_t j = i + rnd_below(s, n - i), t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        memcpy(idx, all, k * sizeof *idx);
        free(all);
    } else { /* sparse: rejection */
        for (size_t i = 0; i < k;) {
            uint64_t v = rnd_below(s, n);
            size_t j = 0;
            while (j < i && idx[j] != v)
                j++;
            if (j == i)
                idx[i++] = v;
        }
    }
    qsort(idx, k, sizeof *idx, cmp_u64);
}

/* a tree of 2^depth random leaves; leaf data i is 1+i%37 random bytes */
static void rnd_tree(uint64_t *s, unsigned depth, zk_merkle *t, int threads)
{
    size_t n = (size_t)1 << depth;
    zk_digest *leaves = malloc(n * sizeof *leaves);
    assert_non_null(leaves);
    uint8_t buf[48];
    for (size_t i = 0; i < n; i++) {
        /* distinct leaves (the index first), of varying lengths: two equal
         * leaves would make "swap two leaf digests" a no-op */
        size_t len = 8 + i % 37;
        for (int b = 0; b < 8; b++)
            buf[b] = (uint8_t)(i >> (8 * b));
        rnd_bytes(s, buf + 8, len - 8);
        zk_merkle_leaf_hash(buf, len, &leaves[i]);
    }
    assert_int_equal(zk_merkle_build(t, leaves, n, threads), ZA_OK);
    free(leaves);
}

/* ---- tests ---- */

static void test_rfc6962_vectors(void **state)
{
    (void)state;
    /* RFC 6962 / certificate-transparency test leaves and roots */
    static const uint8_t d1[] = { 0x00 }, d2[] = { 0x10 }, d3[] = { 0x20, 0x21 },
                         d4[] = { 0x30, 0x31 }, d5[] = { 0x40, 0x41, 0x42, 0x43 },
                         d6[] = { 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57 },
                         d7[] = { 0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
                                  0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f };
    const uint8_t *data[8] = { NULL, d1, d2, d3, d4, d5, d6, d7 };
    const size_t len[8] = { 0, 1, 1, 2, 2, 4, 8, 16 };
    static const char *roots[4] = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };
    zk_digest leaves[8];
    for (int i = 0; i < 8; i++)
        zk_merkle_leaf_hash(data[i], len[i], &leaves[i]);
    for (int d = 0; d <= 3; d++) {
        zk_merkle t;
        zk_digest want;
        hex_digest(roots[d], &want);
        assert_int_equal(zk_merkle_build(&t, leaves, (size_t)1 << d, 1), ZA_OK);
        assert_int_equal(t.depth, (unsigned)d);
        zk_digest got = zk_merkle_root(&t);
        assert_memory_equal(got.h, want.h, 32);
        zk_merkle_free(&t);
    }
}

static void test_root_vs_naive(void **state)
{
    (void)state;
    uint64_t s = seed ^ 0x1001;
    for (unsigned depth = 0; depth <= 10; depth++) {
        size_t n = (size_t)1 << depth;
        zk_digest *leaves = malloc(n * sizeof *leaves), *naive = malloc(n * sizeof *naive);
        assert_non_null(leaves);
        assert_non_null(naive);
        uint8_t buf[100];
        for (size_t i = 0; i < n; i++) {
            size_t len = (size_t)rnd_below(&s, sizeof buf + 1);
            rnd_bytes(&s, buf, len);
            zk_merkle_leaf_hash(buf, len, &leaves[i]);
            naive_leaf(buf, len, &naive[i]);
            assert_memory_equal(leaves[i].h, naive[i].h, 32);
        }
        zk_digest want;
        naive_root(naive, n, &want);
        for (int threads = 1; threads <= 3; threads++) {
            zk_merkle t;
            assert_int_equal(zk_merkle_build(&t, leaves, n, threads), ZA_OK);
            zk_digest got = zk_merkle_root(&t);
            assert_memory_equal(got.h, want.h, 32);
            for (size_t i = 0; i < n; i++)
                assert_memory_equal(zk_merkle_leaf(&t, i)->h, leaves[i].h, 32);
            zk_merkle_free(&t);
            zk_merkle_free(&t); /* twice is safe */
        }
        /* the zero-copy path */
        zk_merkle t;
        assert_int_equal(zk_merkle_alloc(&t, n), ZA_OK);
        memcpy(zk_merkle_leaves(&t), leaves, n * sizeof *leaves);
        zk_merkle_compute(&t, 2);
        zk_digest got = zk_merkle_root(&t);
        assert_memory_equal(got.h, want.h, 32);
        zk_merkle_free(&t);
        free(leaves);
        free(naive);
    }
    /* node hashing tolerates aliasing and differs from hashing the same 64
     * bytes as a leaf (domain separation) */
    zk_digest a, b, c, d;
    rnd_bytes(&s, a.h, 32);
    rnd_bytes(&s, b.h, 32);
    zk_merkle_node_hash(&a, &b, &c);
    d = a;
    zk_merkle_node_hash(&d, &b, &d);
    assert_memory_equal(c.h, d.h, 32);
    uint8_t cat[64];
    memcpy(cat, a.h, 32);
    memcpy(cat + 32, b.h, 32);
    zk_merkle_leaf_hash(cat, 64, &d);
    assert_memory_not_equal(c.h, d.h, 32);
}

static void test_threads_identical(void **state)
{
    (void)state;
    uint64_t s = seed ^ 0x2002;
    /* big enough that the build and the leaf hashing really go parallel */
    const size_t n = (size_t)1 << 15, leaf_bytes = 64;
    uint8_t *data = malloc(n * leaf_bytes);
    zk_digest *l1 = malloc(n * sizeof *l1), *l2 = malloc(n * sizeof *l2);
    assert_non_null(data);
    assert_non_null(l1);
    assert_non_null(l2);
    rnd_bytes(&s, data, n * leaf_bytes);
    zk_merkle_hash_leaves(data, leaf_bytes, n, l1, 1);
    zk_merkle_hash_leaves(data, leaf_bytes, n, l2, 2);
    assert_memory_equal(l1, l2, n * sizeof *l1);
    for (size_t i = 0; i < n; i += 997) {
        zk_digest d;
        naive_leaf(data + i * leaf_bytes, leaf_bytes, &d);
        assert_memory_equal(d.h, l1[i].h, 32);
    }
    zk_merkle t1, t2, t4;
    assert_int_equal(zk_merkle_build(&t1, l1, n, 1), ZA_OK);
    assert_int_equal(zk_merkle_build(&t2, l1, n, 2), ZA_OK);
    assert_int_equal(zk_merkle_build(&t4, l1, n, 4), ZA_OK);
    /* every node, not only the root */
    assert_memory_equal(t1.nodes + 1, t2.nodes + 1, (2 * n - 1) * sizeof(zk_digest));
    assert_memory_equal(t1.nodes + 1, t4.nodes + 1, (2 * n - 1) * sizeof(zk_digest));
    zk_merkle_free(&t1);
    zk_merkle_free(&t2);
    zk_merkle_free(&t4);

    /* field-element leaves hash their canonical little-endian encoding */
    const size_t per = 16, nf = 4096;
    zk_fp *v = malloc(per * nf * sizeof *v);
    uint8_t *enc = malloc(per * nf * 8);
    assert_non_null(v);
    assert_non_null(enc);
    for (size_t i = 0; i < per * nf; i++) {
        v[i] = zt_next(&s) % ZK_P;
        zk_fp_to_bytes(v[i], enc + 8 * i);
    }
    zk_merkle_hash_fp_leaves(v, per, nf, l1, 1);
    zk_merkle_hash_fp_leaves(v, per, nf, l2, 2);
    assert_memory_equal(l1, l2, nf * sizeof *l1);
    zk_merkle_hash_leaves(enc, per * 8, nf, l2, 1);
    assert_memory_equal(l1, l2, nf * sizeof *l1);
    free(v);
    free(enc);
    free(data);
    free(l1);
    free(l2);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    zk_digest leaves[8] = { { { 0 } } };
    zk_merkle t;
    za_error err;
    assert_int_equal(zk_merkle_build(&t, leaves, 0, 1), ZA_ERR_ARG);
    assert_null(t.nodes);
    assert_int_equal(zk_merkle_build(&t, leaves, 3, 1), ZA_ERR_ARG);
    assert_int_equal(zk_merkle_build(&t, leaves, 6, 1), ZA_ERR_ARG);
    assert_int_equal(zk_merkle_alloc(&t, (size_t)1 << (ZA_MAX_MERKLE_DEPTH + 1)), ZA_ERR_ARG);
    zk_merkle_free(&t);

    for (int i = 0; i < 8; i++)
        zk_merkle_leaf_hash(&i, sizeof i, &leaves[i]);
    assert_int_equal(zk_merkle_build(&t, leaves, 8, 1), ZA_OK);
    zk_digest sib[24];
    size_t m;
    uint64_t bad1[] = { 3, 2 }, bad2[] = { 1, 1 }, bad3[] = { 8 }, ok[] = { 0, 5 };
    assert_int_equal(zk_merkle_open(&t, bad1, 2, sib, 24, &m, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "strictly increasing"));
    assert_int_equal(zk_merkle_open(&t, bad2, 2, sib, 24, &m, &err), ZA_ERR_ARG);
    assert_int_equal(zk_merkle_open(&t, bad3, 1, sib, 24, &m, &err), ZA_ERR_ARG);
    assert_non_null(strstr(err.msg, "out of range"));
    assert_int_equal(zk_merkle_open(&t, ok, 0, sib, 24, &m, &err), ZA_ERR_ARG);
    /* counting mode, then a buffer one short */
    assert_int_equal(zk_merkle_open(&t, ok, 2, NULL, 0, &m, &err), ZA_OK);
    assert_int_equal(m, 4); /* depth 3, two disjoint paths below the root's children */
    size_t m2;
    assert_int_equal(zk_merkle_open(&t, ok, 2, sib, m - 1, &m2, &err), ZA_ERR_LIMIT);
    assert_int_equal(zk_merkle_open(&t, ok, 2, sib, m, &m2, &err), ZA_OK);
    assert_int_equal(m2, m);
    assert_int_equal(zk_merkle_opening_size(3, ok, 2, &m2, &err), ZA_OK);
    assert_int_equal(m2, m);
    assert_int_equal(zk_merkle_opening_size(ZA_MAX_MERKLE_DEPTH + 1, ok, 2, &m2, &err),
                     ZA_ERR_LIMIT);
    zk_digest root = zk_merkle_root(&t), lv[2] = { leaves[0], leaves[5] };
    assert_int_equal(zk_merkle_verify(3, &root, ok, lv, 2, sib, m, &err), ZA_OK);
    assert_int_equal(zk_merkle_verify(ZA_MAX_MERKLE_DEPTH + 1, &root, ok, lv, 2, sib, m, &err),
                     ZA_ERR_LIMIT);
    /* a depth-0 tree: the root is the leaf and the opening is empty */
    zk_merkle t0;
    uint64_t z = 0;
    assert_int_equal(zk_merkle_build(&t0, leaves, 1, 1), ZA_OK);
    assert_int_equal(zk_merkle_open(&t0, &z, 1, sib, 0, &m, &err), ZA_OK);
    assert_int_equal(m, 0);
    assert_int_equal(zk_merkle_verify(0, &leaves[0], &z, leaves, 1, sib, 0, &err), ZA_OK);
    assert_int_equal(zk_merkle_verify(0, &leaves[0], &z, leaves + 1, 1, sib, 0, &err),
                     ZA_ERR_MISMATCH);
    assert_int_equal(zk_merkle_verify(0, &leaves[0], &z, leaves, 1, sib, 1, &err),
                     ZA_ERR_MALFORMED);
    zk_merkle_free(&t0);
    zk_merkle_free(&t);
}

/* the serialized opening round-trips through a container */
static void roundtrip_opening(unsigned depth, const zk_merkle_opening *o, const zk_digest *root)
{
    zk_writer w;
    za_error err;
    zk_writer_init(&w);
    size_t mark = zk_writer_begin_container(&w, ZK_KIND_MERKLE_OPENING);
    zk_merkle_opening_write(&w, o);
    zk_writer_end_container(&w, mark);
    assert_int_equal(zk_writer_status(&w, &err), ZA_OK);
    size_t len;
    uint8_t *buf = zk_writer_take(&w, &len);
    assert_non_null(buf);
    zk_reader r;
    zk_merkle_opening back;
    zk_reader_init(&r, buf, len, "opening", &err);
    assert_int_equal(zk_reader_open_container(&r, ZK_KIND_MERKLE_OPENING), ZA_OK);
    assert_int_equal(zk_merkle_opening_read(&r, depth, ZA_MAX_MERKLE_QUERIES, &back), ZA_OK);
    assert_int_equal(zk_reader_finish(&r), ZA_OK);
    assert_int_equal(back.k, o->k);
    assert_int_equal(back.n_siblings, o->n_siblings);
    assert_memory_equal(back.indices, o->indices, o->k * sizeof *o->indices);
    assert_memory_equal(back.leaves, o->leaves, o->k * sizeof *o->leaves);
    if (o->n_siblings)
        assert_memory_equal(back.siblings, o->siblings, o->n_siblings * sizeof *o->siblings);
    assert_int_equal(zk_merkle_opening_verify(&back, depth, root, &err), ZA_OK);
    zk_merkle_opening_free(&back);
    free(buf);
}

static void test_multi_openings(void **state)
{
    (void)state;
    uint64_t s = seed ^ 0x3003;
    long rounds = zt_iters(12);
    za_error err;
    for (unsigned depth = 0; depth <= 16; depth++) {
        zk_merkle t;
        rnd_tree(&s, depth, &t, 2);
        uint64_t n = (uint64_t)1 << depth;
        zk_digest root = zk_merkle_root(&t);
        size_t kmax = n < 96 ? (size_t)n : 96;
        size_t kcap = n <= 1024 ? (size_t)n : kmax; /* round 0 opens all leaves up to 1024 */
        uint64_t *idx = malloc(kcap * sizeof *idx);
        zk_digest *lv = malloc(kcap * sizeof *lv);
        zk_digest *sib = malloc(kcap * (depth + 1) * sizeof *sib);
        assert_non_null(idx);
        assert_non_null(lv);
        assert_non_null(sib);
        for (long round = 0; round < rounds + 4; round++) {
            size_t k;
            if (round == 0) { /* everything: no siblings at all */
                k = (size_t)(n <= 1024 ? n : 1);
                for (size_t j = 0; j < k; j++)
                    idx[j] = j;
            } else if (round == 1) { /* the last leaf */
                k = 1;
                idx[0] = n - 1;
            } else if (round == 2) { /* a contiguous run */
                k = (size_t)(1 + rnd_below(&s, kmax));
                uint64_t start = rnd_below(&s, n - k + 1);
                for (size_t j = 0; j < k; j++)
                    idx[j] = start + j;
            } else {
                k = (size_t)(1 + rnd_below(&s, kmax));
                rnd_index_set(&s, n, idx, k);
            }
            for (size_t j = 0; j < k; j++)
                lv[j] = *zk_merkle_leaf(&t, idx[j]);
            size_t m, m_size;
            assert_int_equal(zk_merkle_open(&t, idx, k, sib, k * depth, &m, &err), ZA_OK);
            assert_int_equal(m, naive_opening_size(depth, idx, k));
            assert_true(m <= k * depth);
            if (round == 0 && k == n)
                assert_int_equal(m, 0);
            assert_int_equal(zk_merkle_opening_size(depth, idx, k, &m_size, &err), ZA_OK);
            assert_int_equal(m_size, m);
            assert_int_equal(zk_merkle_verify(depth, &root, idx, lv, k, sib, m, &err), ZA_OK);
            if (round < 6) {
                zk_merkle_opening o = { k, idx, lv, m, sib };
                roundtrip_opening(depth, &o, &root);
            }
        }
        free(idx);
        free(lv);
        free(sib);
        zk_merkle_free(&t);
    }
}

/* Verify must fail; code is the expected status or ZA_OK for "any failure". */
static void expect_reject(unsigned depth, const zk_digest *root, const uint64_t *idx,
                          const zk_digest *lv, size_t k, const zk_digest *sib, size_t m,
                          za_status code)
{
    za_error err;
    za_status st = zk_merkle_verify(depth, root, idx, lv, k, sib, m, &err);
    if (st == ZA_OK)
        fail_msg("a mutated opening verified (depth %u, k %zu, m %zu)", depth, k, m);
    assert_int_equal(err.code, st);
    assert_true(err.msg[0] != 0);
    if (code != ZA_OK)
        assert_int_equal(st, code);
}

static void test_soundness(void **state)
{
    (void)state;
    uint64_t s = seed ^ 0x4004;
    enum { MAXD = 10, KMAX = 24 };
    zk_merkle trees[MAXD + 1];
    for (unsigned d = 1; d <= MAXD; d++)
        rnd_tree(&s, d, &trees[d], 1);
    long trials = zt_iters(2000), mutations = 0;
    uint64_t idx[KMAX + 1], idx2[KMAX + 1];
    zk_digest lv[KMAX + 1], lv2[KMAX + 1], sib[KMAX * MAXD + 2], sib2[KMAX * MAXD + 2];
    za_error err;
    for (long trial = 0; trial < trials; trial++) {
        unsigned d = (unsigned)(1 + rnd_below(&s, MAXD));
        const zk_merkle *t = &trees[d];
        uint64_t n = (uint64_t)1 << d;
        size_t k = (size_t)(1 + rnd_below(&s, n < KMAX ? n : KMAX));
        rnd_index_set(&s, n, idx, k);
        for (size_t j = 0; j < k; j++)
            lv[j] = *zk_merkle_leaf(t, idx[j]);
        size_t m;
        assert_int_equal(zk_merkle_open(t, idx, k, sib, KMAX * MAXD, &m, &err), ZA_OK);
        zk_digest root = zk_merkle_root(t);
        assert_int_equal(zk_merkle_verify(d, &root, idx, lv, k, sib, m, &err), ZA_OK);

#define RESET()                                                                              \
    do {                                                                                     \
        memcpy(idx2, idx, sizeof idx);                                                       \
        memcpy(lv2, lv, sizeof lv);                                                          \
        memcpy(sib2, sib, sizeof sib);                                                       \
        mutations++;                                                                         \
    } while (0)

        /* a changed leaf digest (one bit) */
        RESET();
        size_t j = (size_t)rnd_below(&s, k);
        lv2[j].h[rnd_below(&s, 32)] ^= (uint8_t)(1u << rnd_below(&s, 8));
        expect_reject(d, &root, idx2, lv2, k, sib2, m, ZA_ERR_MISMATCH);
        /* a changed sibling digest */
        if (m > 0) {
            RESET();
            size_t i = (size_t)rnd_below(&s, m);
            sib2[i].h[rnd_below(&s, 32)] ^= (uint8_t)(1u << rnd_below(&s, 8));
            expect_reject(d, &root, idx2, lv2, k, sib2, m, ZA_ERR_MISMATCH);
            /* a random sibling */
            RESET();
            rnd_bytes(&s, sib2[rnd_below(&s, m)].h, 32);
            expect_reject(d, &root, idx2, lv2, k, sib2, m, ZA_ERR_MISMATCH);
        }
        /* a wrong root */
        RESET();
        zk_digest bad = root;
        bad.h[rnd_below(&s, 32)] ^= (uint8_t)(1u << rnd_below(&s, 8));
        expect_reject(d, &bad, idx2, lv2, k, sib2, m, ZA_ERR_MISMATCH);
        /* a dropped sibling (anywhere) */
        if (m > 0) {
            RESET();
            size_t i = (size_t)rnd_below(&s, m);
            memmove(&sib2[i], &sib2[i + 1], (m - i - 1) * sizeof *sib2);
            expect_reject(d, &root, idx2, lv2, k, sib2, m - 1, ZA_ERR_MALFORMED);
        }
        /* an extra sibling (anywhere, random or a copy of a real one) */
        RESET();
        {
            size_t i = (size_t)rnd_below(&s, m + 1);
            memmove(&sib2[i + 1], &sib2[i], (m - i) * sizeof *sib2);
            if (m > 0 && (trial & 1))
                sib2[i] = sib[rnd_below(&s, m)];
            else
                rnd_bytes(&s, sib2[i].h, 32);
            expect_reject(d, &root, idx2, lv2, k, sib2, m + 1, ZA_OK);
        }
        /* two indices swapped (unsorted), with their leaves */
        if (k >= 2) {
            RESET();
            size_t i = (size_t)rnd_below(&s, k - 1);
            uint64_t ti = idx2[i];
            idx2[i] = idx2[i + 1];
            idx2[i + 1] = ti;
            zk_digest tl = lv2[i];
            lv2[i] = lv2[i + 1];
            lv2[i + 1] = tl;
            expect_reject(d, &root, idx2, lv2, k, sib2, m, ZA_ERR_MALFORMED);
            /* a duplicated index */
            RESET();
            idx2[i + 1] = idx2[i];
            lv2[i + 1] = lv2[i];
            expect_reject(d, &root, idx2, lv2, k, sib2, m, ZA_ERR_MALFORMED);
            /* two leaf digests swapped (indices kept) */
            RESET();
            tl = lv2[i];
            lv2[i] = lv2[i + 1];
            lv2[i + 1] = tl;
            expect_reject(d, &root, idx2, lv2, k, sib2, m, ZA_ERR_MISMATCH);
        }
        /* two siblings swapped */
        if (m >= 2) {
            RESET();
            size_t a = (size_t)rnd_below(&s, m), b = (size_t)rnd_below(&s, m);
            if (a != b) {
                zk_digest tmp = sib2[a];
                sib2[a] = sib2[b];
                sib2[b] = tmp;
                expect_reject(d, &root, idx2, lv2, k, sib2, m, ZA_ERR_MISMATCH);
            }
        }
        /* one index moved to another unopened leaf, order kept, leaf digest
         * and siblings unchanged (the siblings are then usually the wrong
         * count: any failure counts) */
        {
            RESET();
            size_t i = (size_t)rnd_below(&s, k);
            uint64_t lo = i > 0 ? idx[i - 1] + 1 : 0, hi = i + 1 < k ? idx[i + 1] : n;
            if (hi - lo >= 2) {
                uint64_t v;
                do
                    v = lo + rnd_below(&s, hi - lo);
                while (v == idx[i]);
                idx2[i] = v;
                expect_reject(d, &root, idx2, lv2, k, sib2, m, ZA_OK);
            }
        }
        /* an index out of range (the last one) */
        RESET();
        idx2[k - 1] = n + rnd_below(&s, 3 * n);
        if (k >= 2 && (trial & 1))
            idx2[k - 1] = UINT64_MAX;
        expect_reject(d, &root, idx2, lv2, k, sib2, m, ZA_ERR_MALFORMED);
        /* one opened leaf dropped (with its digest) */
        if (k >= 2) {
            RESET();
            size_t i = (size_t)rnd_below(&s, k);
            memmove(&idx2[i], &idx2[i + 1], (k - i - 1) * sizeof *idx2);
            memmove(&lv2[i], &lv2[i + 1], (k - i - 1) * sizeof *lv2);
            expect_reject(d, &root, idx2, lv2, k - 1, sib2, m, ZA_OK);
        }
        /* no index at all */
        RESET();
        expect_reject(d, &root, idx2, lv2, 0, sib2, m, ZA_ERR_MALFORMED);
        /* a wrong depth, same data */
        RESET();
        expect_reject(d + 1, &root, idx2, lv2, k, sib2, m, ZA_OK);
        if (d >= 1) {
            RESET();
            expect_reject(d - 1, &root, idx2, lv2, k, sib2, m, ZA_OK);
        }
        /* a leaf claimed with an inner node's digest (the parent of its
         * leaf): wrong, since leaves are hashed with their own tag */
        RESET();
        lv2[j] = t->nodes[(t->n_leaves + idx[j]) / 2];
        expect_reject(d, &root, idx2, lv2, k, sib2, m, ZA_ERR_MISMATCH);
#undef RESET
    }
    print_message("# soundness: %ld mutated openings rejected\n", mutations);
    for (unsigned d = 1; d <= MAXD; d++)
        zk_merkle_free(&trees[d]);
}

/* the opening parser's own checks */
static void test_opening_parser(void **state)
{
    (void)state;
    zk_digest leaves[16];
    for (int i = 0; i < 16; i++)
        zk_merkle_leaf_hash(&i, sizeof i, &leaves[i]);
    zk_merkle t;
    assert_int_equal(zk_merkle_build(&t, leaves, 16, 1), ZA_OK);
    uint64_t idx[3] = { 2, 7, 12 };
    zk_digest lv[3] = { leaves[2], leaves[7], leaves[12] }, sib[12];
    size_t m;
    za_error err;
    assert_int_equal(zk_merkle_open(&t, idx, 3, sib, 12, &m, &err), ZA_OK);

    struct {
        const char *what;
        uint64_t idx[3];
        size_t k, nl, ns;
        unsigned depth;
        size_t max_k;
        za_status want;
        const char *msg;
    } cases[] = {
        { "valid", { 2, 7, 12 }, 3, 3, 0, 4, 64, ZA_OK, NULL },
        { "unsorted", { 7, 2, 12 }, 3, 3, 0, 4, 64, ZA_ERR_MALFORMED, "offset 12 " },
        { "duplicate", { 2, 7, 7 }, 3, 3, 0, 4, 64, ZA_ERR_MALFORMED, "strictly increasing" },
        { "out of range", { 2, 7, 16 }, 3, 3, 0, 4, 64, ZA_ERR_MALFORMED, "out of range" },
        { "empty", { 0 }, 0, 0, 0, 4, 64, ZA_ERR_MALFORMED, "no indices" },
        { "too many indices", { 2, 7, 12 }, 3, 3, 0, 4, 2, ZA_ERR_LIMIT, "above the maximum" },
        { "fewer leaves", { 2, 7, 12 }, 3, 2, 0, 4, 64, ZA_ERR_MALFORMED, "2 digests for 3" },
        { "more leaves", { 2, 7, 12 }, 3, 4, 0, 4, 64, ZA_ERR_LIMIT, "leaf digests" },
        { "fewer siblings", { 2, 7, 12 }, 3, 3, 1, 4, 64, ZA_ERR_MALFORMED, "need exactly" },
        { "more siblings", { 2, 7, 12 }, 3, 3, 2, 4, 64, ZA_ERR_LIMIT, "siblings" },
        { "depth too big", { 2, 7, 12 }, 3, 3, 0, ZA_MAX_MERKLE_DEPTH + 1, 64, ZA_ERR_LIMIT,
          "depth" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        zk_writer w;
        zk_writer_init(&w);
        zk_digest lv4[4] = { lv[0], lv[1], lv[2], lv[0] }, sib2[13];
        memcpy(sib2, sib, m * sizeof *sib);
        sib2[m] = sib[0];
        size_t ns = m;
        if (cases[c].ns == 1)
            ns = m - 1;
        else if (cases[c].ns == 2)
            ns = m + 1;
        zk_write_u64_vec(&w, cases[c].idx, cases[c].k);
        zk_write_digest_vec(&w, lv4, cases[c].nl);
        zk_write_digest_vec(&w, sib2, ns);
        size_t len;
        uint8_t *buf = zk_writer_take(&w, &len);
        assert_non_null(buf);
        zk_reader r;
        zk_merkle_opening o;
        zk_reader_init(&r, buf, len, "opening", &err);
        za_status st = zk_merkle_opening_read(&r, cases[c].depth, cases[c].max_k, &o);
        if (st != cases[c].want)
            fail_msg("%s: status %d, want %d (%s)", cases[c].what, st, cases[c].want, err.msg);
        if (st == ZA_OK) {
            assert_int_equal(zk_reader_finish(&r), ZA_OK);
            assert_int_equal(zk_merkle_opening_verify(&o, 4, &t.nodes[1], &err), ZA_OK);
        } else {
            assert_null(o.indices);
            assert_null(o.leaves);
            assert_null(o.siblings);
            assert_int_equal(o.k, 0);
            if (!strstr(err.msg, cases[c].msg))
                fail_msg("%s: message \"%s\" lacks \"%s\"", cases[c].what, err.msg,
                         cases[c].msg);
        }
        zk_merkle_opening_free(&o);
        free(buf);
    }
    zk_merkle_free(&t);
}

int main(void)
{
    seed = zt_seed("merkle");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6962_vectors), cmocka_unit_test(test_root_vs_naive),
        cmocka_unit_test(test_threads_identical), cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_multi_openings), cmocka_unit_test(test_soundness),
        cmocka_unit_test(test_opening_parser),
    };
    return cmocka_run_group_tests_name("merkle", tests, NULL, NULL);
}
