/* tests/unit/test_dataset_commit.c - the dataset commitment
 * (protocol/dataset_commit.h): the streaming root equals a root computed
 * independently over the padded tree; inclusion proofs verify for every
 * index of trees of 1..67 leaves and fail for a changed example, label,
 * index, count or root, for any flipped byte of the encoding, and for every
 * truncation or extension of it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"
#include "protocol/dataset_commit.h"

#define MAX_N 67

typedef struct {
    uint32_t label;
    uint8_t hash[32];
} example;

static void make(example *ex, zp_ds_digest *leaves, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        uint8_t input[3] = { (uint8_t)i, (uint8_t)(i * 7), 42 };
        ex[i].label = (uint32_t)(i % 10);
        za_sha256(input, sizeof input, ex[i].hash);
        zp_ds_leaf(i, ex[i].label, ex[i].hash, &leaves[i]);
    }
}

/* the root by its definition: pad to 2^depth with pad_0, hash level by level */
static void reference_root(const zp_ds_digest *leaves, uint64_t n, zp_ds_digest *root)
{
    unsigned depth = zp_ds_depth(n);
    size_t m = (size_t)1 << depth;
    zp_ds_digest *lv = malloc(m * sizeof *lv);
    assert_non_null(lv);
    zp_ds_digest pad;
    za_sha256(ZP_DS_PAD_TAG, strlen(ZP_DS_PAD_TAG), pad.h);
    for (size_t i = 0; i < m; i++)
        lv[i] = i < n ? leaves[i] : pad;
    for (; m > 1; m /= 2)
        for (size_t i = 0; i < m / 2; i++)
            zp_ds_node(&lv[2 * i], &lv[2 * i + 1], &lv[i]);
    zp_ds_final_root(n, &lv[0], root);
    free(lv);
}

static void test_leaf_layout(void **state)
{
    (void)state;
    uint8_t h[32], buf[23 + 12 + 32];
    memset(h, 0xab, sizeof h);
    memcpy(buf, "zkaudit/dataset/leaf/v1", 23);
    const uint8_t idx_lab[12] = { 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0x07, 0, 0, 0 };
    memcpy(buf + 23, idx_lab, 12);
    memcpy(buf + 35, h, 32);
    zp_ds_digest want, got;
    za_sha256(buf, sizeof buf, want.h);
    zp_ds_leaf(0x0201, 7, h, &got);
    assert_memory_equal(want.h, got.h, 32);
}

static void test_roots(void **state)
{
    (void)state;
    example ex[MAX_N];
    zp_ds_digest leaves[MAX_N], a, b;
    za_error err;
    make(ex, leaves, MAX_N);
    for (uint64_t n = 1; n <= MAX_N; n++) {
        assert_int_equal(zp_ds_root(leaves, n, &a, &err), ZA_OK);
        reference_root(leaves, n, &b);
        assert_memory_equal(a.h, b.h, 32);
    }
    /* the count is bound: n leaves differ from n leaves plus explicit pad leaves */
    zp_ds_digest padded[4] = { leaves[0], leaves[1], leaves[2] };
    za_sha256(ZP_DS_PAD_TAG, strlen(ZP_DS_PAD_TAG), padded[3].h);
    assert_int_equal(zp_ds_root(padded, 3, &a, &err), ZA_OK);
    assert_int_equal(zp_ds_root(padded, 4, &b, &err), ZA_OK);
    assert_memory_not_equal(a.h, b.h, 32);
    assert_int_equal(zp_ds_root(leaves, 0, &a, &err), ZA_ERR_ARG);
}

static void expect_reject(const zp_ds_proof *p, const zp_ds_digest *root, uint64_t n,
                          uint64_t i, uint32_t label, const uint8_t *hash)
{
    za_error err;
    za_status st = zp_ds_proof_verify(p, root, n, i, label, hash, &err);
    assert_int_not_equal(st, ZA_OK);
    assert_int_equal(err.code, st);
    assert_true(err.msg[0] != 0);
}

static void test_proofs(void **state)
{
    (void)state;
    example ex[MAX_N];
    zp_ds_digest leaves[MAX_N], root, other_root;
    za_error err;
    make(ex, leaves, MAX_N);
    for (uint64_t n = 1; n <= MAX_N; n++) {
        assert_int_equal(zp_ds_root(leaves, n, &root, &err), ZA_OK);
        assert_int_equal(zp_ds_root(leaves, n == 1 ? 2 : n - 1, &other_root, &err), ZA_OK);
        for (uint64_t i = 0; i < n; i++) {
            zp_ds_proof p, q;
            assert_int_equal(zp_ds_prove(leaves, n, i, ex[i].label, ex[i].hash, &p, &err), ZA_OK);
            assert_int_equal(p.depth, zp_ds_depth(n));
            assert_int_equal(zp_ds_proof_verify(&p, &root, n, i, ex[i].label, ex[i].hash, &err),
                             ZA_OK);
            /* a changed example, label, index, count or root */
            uint8_t h2[32];
            memcpy(h2, ex[i].hash, 32);
            h2[31] ^= 1;
            expect_reject(&p, &root, n, i, ex[i].label, h2);
            expect_reject(&p, &root, n, i, ex[i].label + 1, ex[i].hash);
            expect_reject(&p, &root, n, (i + 1) % n == i ? i + 1 : (i + 1) % n, ex[i].label,
                          ex[i].hash);
            expect_reject(&p, &root, n + 1, i, ex[i].label, ex[i].hash);
            expect_reject(&p, &other_root, n, i, ex[i].label, ex[i].hash);
            /* a proof whose carried fields were changed consistently with the
             * claim still fails at the root */
            q = p;
            q.label++;
            expect_reject(&q, &root, n, i, q.label, ex[i].hash);
            if (n > 1) {
                q = p;
                q.index = (i + 1) % n;
                expect_reject(&q, &root, n, q.index, ex[i].label, ex[i].hash);
            }
            /* encoding: round trip, every flipped byte, every truncation */
            uint8_t buf[ZP_DS_PROOF_HEADER + 32 * 8], mut[sizeof buf + 1];
            size_t len = zp_ds_proof_encode(&p, buf, sizeof buf);
            assert_int_equal(len, zp_ds_proof_size(&p));
            assert_int_equal(zp_ds_proof_decode(buf, len, &q, &err), ZA_OK);
            assert_int_equal(zp_ds_proof_verify(&q, &root, n, i, ex[i].label, ex[i].hash, &err),
                             ZA_OK);
            for (size_t k = 0; k < len; k++) {
                memcpy(mut, buf, len);
                mut[k] ^= (uint8_t)(1u << (k % 8));
                if (zp_ds_proof_decode(mut, len, &q, &err) == ZA_OK)
                    expect_reject(&q, &root, n, i, ex[i].label, ex[i].hash);
            }
            for (size_t k = 0; k < len; k++)
                assert_int_equal(zp_ds_proof_decode(buf, k, &q, &err), ZA_ERR_MALFORMED);
            memcpy(mut, buf, len);
            mut[len] = 0;
            assert_int_equal(zp_ds_proof_decode(mut, len + 1, &q, &err), ZA_ERR_MALFORMED);
        }
    }
}

static void test_builder_incremental(void **state)
{
    (void)state;
    example ex[MAX_N];
    zp_ds_digest leaves[MAX_N], a, b;
    za_error err;
    make(ex, leaves, MAX_N);
    zp_ds_builder bl;
    zp_ds_builder_init(&bl);
    assert_int_equal(zp_ds_builder_root(&bl, &a, &err), ZA_ERR_ARG);
    for (uint64_t n = 1; n <= MAX_N; n++) {
        assert_int_equal(zp_ds_builder_add(&bl, &leaves[n - 1], &err), ZA_OK);
        assert_int_equal(zp_ds_builder_root(&bl, &a, &err), ZA_OK);
        reference_root(leaves, n, &b);
        assert_memory_equal(a.h, b.h, 32);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leaf_layout),
        cmocka_unit_test(test_roots),
        cmocka_unit_test(test_builder_incremental),
        cmocka_unit_test(test_proofs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
