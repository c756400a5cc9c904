/* protocol/dataset_commit.c - leaves, padded Merkle root and inclusion proofs
 * of a dataset (layout in dataset_commit.h and docs/datasets.md). */
#include "protocol/dataset_commit.h"

#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/sha256.h"

_Static_assert(ZA_MAX_DATASET_EXAMPLES <= ((uint64_t)1 << ZP_DS_MAX_DEPTH),
               "ZP_DS_MAX_DEPTH too small for ZA_MAX_DATASET_EXAMPLES");

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void zp_ds_leaf(uint64_t index, uint32_t label, const uint8_t input_hash[32], zp_ds_digest *out)
{
    uint8_t b[12];
    put_u64(b, index);
    put_u32(b + 8, label);
    za_sha256_ctx c;
    za_sha256_init(&c);
    za_sha256_update(&c, ZP_DS_LEAF_TAG, sizeof ZP_DS_LEAF_TAG - 1);
    za_sha256_update(&c, b, sizeof b);
    za_sha256_update(&c, input_hash, 32);
    za_sha256_final(&c, out->h);
}

void zp_ds_node(const zp_ds_digest *left, const zp_ds_digest *right, zp_ds_digest *out)
{
    za_sha256_ctx c;
    za_sha256_init(&c);
    za_sha256_update(&c, ZP_DS_NODE_TAG, sizeof ZP_DS_NODE_TAG - 1);
    za_sha256_update(&c, left->h, 32);
    za_sha256_update(&c, right->h, 32);
    za_sha256_final(&c, out->h); /* left/right fully read before out is written */
}

void zp_ds_pad(unsigned h, zp_ds_digest *out)
{
    za_sha256(ZP_DS_PAD_TAG, sizeof ZP_DS_PAD_TAG - 1, out->h);
    for (unsigned i = 0; i < h && i < ZP_DS_MAX_DEPTH; i++)
        zp_ds_node(out, out, out);
}

void zp_ds_final_root(uint64_t count, const zp_ds_digest *tree_root, zp_ds_digest *out)
{
    uint8_t b[8];
    put_u64(b, count);
    za_sha256_ctx c;
    za_sha256_init(&c);
    za_sha256_update(&c, ZP_DS_ROOT_TAG, sizeof ZP_DS_ROOT_TAG - 1);
    za_sha256_update(&c, b, sizeof b);
    za_sha256_update(&c, tree_root->h, 32);
    za_sha256_final(&c, out->h);
}

unsigned zp_ds_depth(uint64_t count)
{
    unsigned d = 0;
    while (d < 64 && ((uint64_t)1 << d) < count)
        d++;
    return d;
}

void zp_ds_builder_init(zp_ds_builder *b)
{
    memset(b, 0, sizeof *b);
    zp_ds_pad(0, &b->pad[0]);
    for (unsigned h = 1; h <= ZP_DS_MAX_DEPTH; h++)
        zp_ds_node(&b->pad[h - 1], &b->pad[h - 1], &b->pad[h]);
}

za_status zp_ds_builder_add(zp_ds_builder *b, const zp_ds_digest *leaf, za_error *err)
{
    if (b->count >= ZA_MAX_DATASET_EXAMPLES)
        return za_error_set(err, ZA_ERR_LIMIT, "dataset commitment: more than %llu examples",
                            (unsigned long long)ZA_MAX_DATASET_EXAMPLES);
    /* a binary counter: adding a leaf carries through every complete subtree
     * of the heights whose count bit is set */
    zp_ds_digest carry = *leaf;
    unsigned h = 0;
    while ((b->count >> h) & 1) {
        zp_ds_node(&b->pending[h], &carry, &carry);
        h++;
    }
    b->pending[h] = carry;
    b->count++;
    return ZA_OK;
}

za_status zp_ds_builder_root(const zp_ds_builder *b, zp_ds_digest *root, za_error *err)
{
    if (b->count == 0)
        return za_error_set(err, ZA_ERR_ARG, "dataset commitment: no examples");
    unsigned depth = zp_ds_depth(b->count);
    zp_ds_digest tree;
    if (b->count == (uint64_t)1 << depth) {
        tree = b->pending[depth];
    } else {
        /* fold the pending subtrees from the lowest up; the rightmost partial
         * subtree at height h is completed with pad_h on its right */
        int have = 0;
        zp_ds_digest carry;
        for (unsigned h = 0; h < depth; h++) {
            int bit = (b->count >> h) & 1;
            if (bit && have)
                zp_ds_node(&b->pending[h], &carry, &carry);
            else if (bit)
                zp_ds_node(&b->pending[h], &b->pad[h], &carry);
            else if (have)
                zp_ds_node(&carry, &b->pad[h], &carry);
            have |= bit;
        }
        tree = carry;
    }
    zp_ds_final_root(b->count, &tree, root);
    return ZA_OK;
}

za_status zp_ds_root(const zp_ds_digest *leaves, uint64_t n, zp_ds_digest *root, za_error *err)
{
    zp_ds_builder b;
    zp_ds_builder_init(&b);
    for (uint64_t i = 0; i < n; i++) {
        za_status st = zp_ds_builder_add(&b, &leaves[i], err);
        if (st)
            return st;
    }
    return zp_ds_builder_root(&b, root, err);
}

za_status zp_ds_prove(const zp_ds_digest *leaves, uint64_t n, uint64_t index, uint32_t label,
                      const uint8_t input_hash[32], zp_ds_proof *out, za_error *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0 || n > ZA_MAX_DATASET_EXAMPLES)
        return za_error_set(err, ZA_ERR_ARG, "inclusion proof: %llu examples (1..%llu allowed)",
                            (unsigned long long)n, (unsigned long long)ZA_MAX_DATASET_EXAMPLES);
    if (index >= n)
        return za_error_set(err, ZA_ERR_ARG, "inclusion proof: index %llu of %llu examples",
                            (unsigned long long)index, (unsigned long long)n);
    zp_ds_digest want;
    zp_ds_leaf(index, label, input_hash, &want);
    if (memcmp(want.h, leaves[index].h, 32) != 0)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "inclusion proof: leaf %llu is not the leaf of label %u and the "
                            "given input hash",
                            (unsigned long long)index, label);
    uint64_t m = (n + 1) / 2;
    zp_ds_digest *level = malloc((size_t)m * sizeof *level);
    if (!level)
        return za_error_set(err, ZA_ERR_NOMEM, "inclusion proof: %llu nodes",
                            (unsigned long long)m);
    zp_ds_digest pad;
    zp_ds_pad(0, &pad);
    unsigned depth = zp_ds_depth(n);
    const zp_ds_digest *cur = leaves;
    uint64_t len = n, pos = index;
    for (unsigned h = 0; h < depth; h++) {
        uint64_t sib = pos ^ 1;
        out->siblings[h] = sib < len ? cur[sib] : pad;
        uint64_t next_len = (len + 1) / 2;
        for (uint64_t i = 0; i < next_len; i++)
            zp_ds_node(&cur[2 * i], 2 * i + 1 < len ? &cur[2 * i + 1] : &pad, &level[i]);
        cur = level;
        len = next_len;
        pos >>= 1;
        zp_ds_node(&pad, &pad, &pad);
    }
    free(level);
    out->count = n;
    out->index = index;
    out->label = label;
    memcpy(out->input_hash, input_hash, 32);
    out->depth = depth;
    return ZA_OK;
}

size_t zp_ds_proof_size(const zp_ds_proof *p)
{
    return ZP_DS_PROOF_HEADER + 32 * (size_t)p->depth;
}

size_t zp_ds_proof_encode(const zp_ds_proof *p, uint8_t *out, size_t cap)
{
    size_t n = zp_ds_proof_size(p);
    if (cap < n || p->depth > ZP_DS_MAX_DEPTH)
        return 0;
    memcpy(out, ZP_DS_PROOF_MAGIC, 4);
    out[4] = ZP_DS_PROOF_VERSION;
    out[5] = (uint8_t)p->depth;
    put_u64(out + 6, p->count);
    put_u64(out + 14, p->index);
    put_u32(out + 22, p->label);
    memcpy(out + 26, p->input_hash, 32);
    for (unsigned h = 0; h < p->depth; h++)
        memcpy(out + ZP_DS_PROOF_HEADER + 32 * (size_t)h, p->siblings[h].h, 32);
    return n;
}

za_status zp_ds_proof_decode(const uint8_t *buf, size_t len, zp_ds_proof *out, za_error *err)
{
    memset(out, 0, sizeof *out);
    if (len < ZP_DS_PROOF_HEADER)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "inclusion proof: %zu bytes, the header alone is %d", len,
                            ZP_DS_PROOF_HEADER);
    if (memcmp(buf, ZP_DS_PROOF_MAGIC, 4) != 0)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "inclusion proof: bad magic at offset 0 (expected \"%s\")",
                            ZP_DS_PROOF_MAGIC);
    if (buf[4] != ZP_DS_PROOF_VERSION)
        return za_error_set(err, ZA_ERR_UNSUPPORTED,
                            "inclusion proof: version %u at offset 4 (this build reads %d)",
                            buf[4], ZP_DS_PROOF_VERSION);
    unsigned depth = buf[5];
    uint64_t count = get_u64(buf + 6), index = get_u64(buf + 14);
    if (count == 0 || count > ZA_MAX_DATASET_EXAMPLES)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "inclusion proof: count %llu at offset 6 (1..%llu allowed)",
                            (unsigned long long)count,
                            (unsigned long long)ZA_MAX_DATASET_EXAMPLES);
    if (index >= count)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "inclusion proof: index %llu at offset 14 is not below count %llu",
                            (unsigned long long)index, (unsigned long long)count);
    if (depth != zp_ds_depth(count))
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "inclusion proof: depth %u at offset 5, %u expected for %llu examples",
                            depth, zp_ds_depth(count), (unsigned long long)count);
    size_t want = ZP_DS_PROOF_HEADER + 32 * (size_t)depth;
    if (len != want)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "inclusion proof: %zu bytes, %zu expected for depth %u", len, want,
                            depth);
    out->count = count;
    out->index = index;
    out->label = get_u32(buf + 22);
    memcpy(out->input_hash, buf + 26, 32);
    out->depth = depth;
    for (unsigned h = 0; h < depth; h++)
        memcpy(out->siblings[h].h, buf + ZP_DS_PROOF_HEADER + 32 * (size_t)h, 32);
    return ZA_OK;
}

za_status zp_ds_proof_verify(const zp_ds_proof *p, const zp_ds_digest *root, uint64_t count,
                             uint64_t index, uint32_t label, const uint8_t input_hash[32],
                             za_error *err)
{
    if (p->count != count)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "inclusion proof is for a dataset of %llu examples, not %llu",
                            (unsigned long long)p->count, (unsigned long long)count);
    if (p->index != index)
        return za_error_set(err, ZA_ERR_MISMATCH, "inclusion proof is for index %llu, not %llu",
                            (unsigned long long)p->index, (unsigned long long)index);
    if (p->label != label)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "inclusion proof is for label %u, not %u (example %llu)", p->label,
                            label, (unsigned long long)index);
    if (memcmp(p->input_hash, input_hash, 32) != 0)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "inclusion proof is for another input than the one given "
                            "(example %llu)",
                            (unsigned long long)index);
    if (count == 0 || count > ZA_MAX_DATASET_EXAMPLES || index >= count ||
        p->depth != zp_ds_depth(count))
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "inclusion proof: depth %u, index %llu, count %llu are inconsistent",
                            p->depth, (unsigned long long)index, (unsigned long long)count);
    zp_ds_digest cur, got;
    zp_ds_leaf(index, label, input_hash, &cur);
    for (unsigned h = 0; h < p->depth; h++) {
        if ((index >> h) & 1)
            zp_ds_node(&p->siblings[h], &cur, &cur);
        else
            zp_ds_node(&cur, &p->siblings[h], &cur);
    }
    zp_ds_final_root(count, &cur, &got);
    if (memcmp(got.h, root->h, 32) != 0)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "inclusion proof does not lead to the given root (example %llu of "
                            "%llu)",
                            (unsigned long long)index, (unsigned long long)count);
    return ZA_OK;
}
