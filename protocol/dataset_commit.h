/* protocol/dataset_commit.h - the commitment to a labelled dataset.
 *
 * Both parties of an audit derive one 32-byte root from the buyer's test set,
 * so that neither can later swap, relabel, add or drop an example.  The
 * exact byte layout (docs/datasets.md, "Commitment"):
 *
 *   input hash  = SHA-256(input bytes)
 *   leaf        = SHA-256("zkaudit/dataset/leaf/v1" || index u64 LE
 *                         || label u32 LE || input hash)
 *   node        = SHA-256("zkaudit/dataset/node/v1" || left || right)
 *   pad_0       = SHA-256("zkaudit/dataset/pad/v1")
 *   pad_{h+1}   = node(pad_h, pad_h)
 *   tree root   : the leaves in index order, padded on the right with pad_0
 *                 leaves to 2^depth, depth = ceil(log2(count)) (0 for count
 *                 1); equivalently, a missing right child at height h is pad_h
 *   root        = SHA-256("zkaudit/dataset/root/v1" || count u64 LE
 *                         || tree root)
 * Tags are hashed without a terminating NUL.  The tags make a leaf, a node,
 * a padding subtree and a root distinct hash domains; the count in the root
 * keeps a dataset from passing for its own prefix padded with pad leaves.
 * count 0 is refused (ZA_ERR_ARG): an empty test set commits to nothing.
 *
 * This module knows nothing about SQLite or files: it takes leaves.
 *
 * Inclusion proof (binary; docs/datasets.md), little-endian:
 *   "ZKDI" | version u8 = 1 | depth u8 | count u64 | index u64 | label u32
 *   | input hash [32] | depth siblings [32 each], leaf level first
 * The parser is strict: exact length, version 1, 1 <= count <=
 * ZA_MAX_DATASET_EXAMPLES, index < count, depth == ceil(log2(count)).
 * The proof names the example it proves (index, label, input hash); the
 * checker compares that with what it was asked about (zp_ds_proof_verify).
 *
 * Ownership: everything is a caller-owned fixed-size struct; nothing here
 * allocates except zp_ds_prove, whose levels buffer it frees itself.
 */
#ifndef ZP_DATASET_COMMIT_H
#define ZP_DATASET_COMMIT_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define ZP_DS_LEAF_TAG "zkaudit/dataset/leaf/v1"
#define ZP_DS_NODE_TAG "zkaudit/dataset/node/v1"
#define ZP_DS_PAD_TAG "zkaudit/dataset/pad/v1"
#define ZP_DS_ROOT_TAG "zkaudit/dataset/root/v1"
#define ZP_DS_MAX_DEPTH 32 /* ceil(log2(ZA_MAX_DATASET_EXAMPLES)) */
#define ZP_DS_PROOF_MAGIC "ZKDI"
#define ZP_DS_PROOF_VERSION 1
#define ZP_DS_PROOF_HEADER 58 /* bytes before the siblings */

typedef struct {
    uint8_t h[32];
} zp_ds_digest;

/* ---- hashing ---- */

void zp_ds_leaf(uint64_t index, uint32_t label, const uint8_t input_hash[32],
                zp_ds_digest *out);
/* out may alias left or right */
void zp_ds_node(const zp_ds_digest *left, const zp_ds_digest *right, zp_ds_digest *out);
/* pad_h of the header (0 <= h <= ZP_DS_MAX_DEPTH) */
void zp_ds_pad(unsigned h, zp_ds_digest *out);
void zp_ds_final_root(uint64_t count, const zp_ds_digest *tree_root, zp_ds_digest *out);
/* ceil(log2(count)); 0 for count <= 1 */
unsigned zp_ds_depth(uint64_t count);

/* ---- streaming root: O(log n) pending nodes, leaves added in index order ---- */

typedef struct {
    uint64_t count;                           /* leaves added so far */
    zp_ds_digest pending[ZP_DS_MAX_DEPTH + 1]; /* complete subtree at height h ... */
    zp_ds_digest pad[ZP_DS_MAX_DEPTH + 1];     /* pad_h, computed once */
} zp_ds_builder;                              /* ... present iff bit h of count */

void zp_ds_builder_init(zp_ds_builder *b);
/* ZA_ERR_LIMIT past ZA_MAX_DATASET_EXAMPLES leaves */
za_status zp_ds_builder_add(zp_ds_builder *b, const zp_ds_digest *leaf,
                            za_error *err) ZA_WARN_UNUSED;
/* The root of the leaves added so far; b is unchanged (more may be added).
 * ZA_ERR_ARG when no leaf was added. */
za_status zp_ds_builder_root(const zp_ds_builder *b, zp_ds_digest *root,
                             za_error *err) ZA_WARN_UNUSED;

/* The root of n leaves at once (the same value as the builder's). */
za_status zp_ds_root(const zp_ds_digest *leaves, uint64_t n, zp_ds_digest *root,
                     za_error *err) ZA_WARN_UNUSED;

/* ---- inclusion proofs ---- */

typedef struct {
    uint64_t count;
    uint64_t index;
    uint32_t label;
    uint8_t input_hash[32];
    unsigned depth;
    zp_ds_digest siblings[ZP_DS_MAX_DEPTH]; /* leaf level first */
} zp_ds_proof;

/* The proof that leaves[index] (the leaf of (index, label, input_hash)) is in
 * the tree of the n leaves.  The caller supplies label and input_hash (they
 * are not recoverable from a leaf); they must be the ones the leaf was
 * computed from, which is checked (ZA_ERR_MISMATCH).  Memory: n/2 digests. */
za_status zp_ds_prove(const zp_ds_digest *leaves, uint64_t n, uint64_t index, uint32_t label,
                      const uint8_t input_hash[32], zp_ds_proof *out,
                      za_error *err) ZA_WARN_UNUSED;

/* Bytes of the encoding of p: ZP_DS_PROOF_HEADER + 32 * depth. */
size_t zp_ds_proof_size(const zp_ds_proof *p);
/* Write the encoding into out (cap bytes); returns the length, 0 if cap is
 * too small. */
size_t zp_ds_proof_encode(const zp_ds_proof *p, uint8_t *out, size_t cap);
/* Strict parse (see the header); on failure *out is zeroed and the message
 * names the field and offset. */
za_status zp_ds_proof_decode(const uint8_t *buf, size_t len, zp_ds_proof *out,
                             za_error *err) ZA_WARN_UNUSED;

/* Check that p proves example (index, label, input_hash) of the dataset of
 * count examples whose root is root.  ZA_ERR_MISMATCH naming what differs:
 * the count, index, label or input hash the proof carries versus the claim,
 * or the recomputed root versus the given one. */
za_status zp_ds_proof_verify(const zp_ds_proof *p, const zp_ds_digest *root, uint64_t count,
                             uint64_t index, uint32_t label, const uint8_t input_hash[32],
                             za_error *err) ZA_WARN_UNUSED;

#endif
