/* zk/merkle.h - binary Merkle trees on SHA-256 with multi-path openings.
 *
 * Hashing (domain-separated as in RFC 6962, so a leaf can never pass for an
 * inner node):
 *   leaf digest = SHA-256(0x00 || leaf bytes)
 *   node digest = SHA-256(0x01 || left digest || right digest)
 * The number of leaves is a power of two, 2^depth with 0 <= depth <=
 * ZA_MAX_MERKLE_DEPTH; padding to a power of two is the caller's job (and
 * part of the caller's protocol: say what the padding leaves are).  A tree of
 * one leaf has depth 0 and its root is that leaf's digest.
 *
 * Node numbering.  Height h counts up from the leaves (h = 0) to the root
 * (h = depth); the node at height h and position i (0 <= i < 2^(depth-h))
 * covers leaves [i*2^h, (i+1)*2^h).  The tree stores every node in one array
 * in heap order: nodes[(n >> h) + i], so nodes[1] is the root and the leaf
 * digests are nodes[n .. 2n-1] (nodes[0] is unused).  Memory: 64 bytes per
 * leaf.
 *
 * Multi-openings.  For a strictly increasing set of leaf indices, the
 * opening is the list of sibling digests the verifier cannot compute itself:
 * the siblings of the nodes on the paths from the opened leaves to the root,
 * minus the nodes that are themselves on such a path (shared path nodes are
 * sent once, pairs of opened siblings need nothing).  Order (part of the
 * format): the verifier walks the opened leaves left to right, merging each
 * finished subtree with its sibling as soon as no later opened leaf lies
 * under that sibling; each sibling digest it needs is taken from the list in
 * the order it is needed.  zk_merkle_open produces exactly this list and
 * zk_merkle_verify consumes exactly it: a list that is one too short or one
 * too long is rejected.
 *
 * Ownership.  A zk_merkle is a caller-owned struct whose node array is
 * allocated by zk_merkle_build / zk_merkle_alloc and released by
 * zk_merkle_free.  Openings written into caller buffers allocate nothing;
 * zk_merkle_opening_read allocates the arrays of a zk_merkle_opening, which
 * zk_merkle_opening_free releases.
 */
#ifndef ZK_MERKLE_H
#define ZK_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "zk/field.h"

typedef struct {
    uint8_t h[32];
} zk_digest;

typedef struct {
    unsigned depth;   /* log2(n_leaves) */
    size_t n_leaves;  /* 2^depth */
    zk_digest *nodes; /* 2*n_leaves entries in heap order, see above; owned */
} zk_merkle;

/* defined in zk/encode.h */
typedef struct zk_writer zk_writer;
typedef struct zk_reader zk_reader;

/* ---- hashing ---- */

/* out = SHA-256(0x00 || data[0..len)) */
void zk_merkle_leaf_hash(const void *data, size_t len, zk_digest *out);
/* out = SHA-256(0x01 || left || right); out may alias left or right. */
void zk_merkle_node_hash(const zk_digest *left, const zk_digest *right, zk_digest *out);
/* Hash n leaves of leaf_bytes bytes each, stored back to back at data:
 * out[i] = leaf_hash(data + i*leaf_bytes, leaf_bytes).  Runs on up to
 * `threads` threads (<= 0: za_default_threads()) when there is enough work. */
void zk_merkle_hash_leaves(const void *data, size_t leaf_bytes, size_t n, zk_digest *out,
                           int threads);
/* The same for field elements: leaf i is the canonical 8-byte little-endian
 * encodings of v[i*per_leaf .. (i+1)*per_leaf) (as zk/encode.h writes them). */
void zk_merkle_hash_fp_leaves(const zk_fp *v, size_t per_leaf, size_t n, zk_digest *out,
                              int threads);

/* ---- trees ---- */

/* Build the tree over n leaf digests (n a power of two, 1 <= n <=
 * 2^ZA_MAX_MERKLE_DEPTH).  The leaves are copied; the caller keeps its
 * array.  threads: as zk_merkle_hash_leaves; the result does not depend on
 * it.  Returns ZA_OK, ZA_ERR_ARG (n not a power of two or too large; *t is
 * then zeroed) or ZA_ERR_NOMEM (*t zeroed).  Free with zk_merkle_free. */
za_status zk_merkle_build(zk_merkle *t, const zk_digest *leaves, size_t n,
                          int threads) ZA_WARN_UNUSED;

/* Zero-copy alternative: zk_merkle_alloc reserves a tree of n leaves (same
 * rules and return codes as zk_merkle_build), the caller writes the leaf
 * digests into zk_merkle_leaves(t)[0..n), then zk_merkle_compute hashes the
 * inner nodes. */
za_status zk_merkle_alloc(zk_merkle *t, size_t n) ZA_WARN_UNUSED;
static inline zk_digest *zk_merkle_leaves(zk_merkle *t)
{
    return t->nodes + t->n_leaves;
}
void zk_merkle_compute(zk_merkle *t, int threads);

static inline zk_digest zk_merkle_root(const zk_merkle *t)
{
    return t->nodes[1];
}
static inline const zk_digest *zk_merkle_leaf(const zk_merkle *t, size_t i)
{
    return &t->nodes[t->n_leaves + i];
}

/* Release the nodes and zero *t.  Safe on a zeroed struct and twice. */
void zk_merkle_free(zk_merkle *t);

/* ---- multi-openings ---- */

/* Check an index set against a tree of the given depth (k >= 1, strictly
 * increasing, every index < 2^depth, depth <= ZA_MAX_MERKLE_DEPTH) and count
 * the siblings its opening holds (*n_siblings <= k*depth).  The verifier can
 * use this to know how many digests to read.  Returns ZA_OK, ZA_ERR_MALFORMED
 * or ZA_ERR_LIMIT (depth) with a message in err. */
za_status zk_merkle_opening_size(unsigned depth, const uint64_t *indices, size_t k,
                                 size_t *n_siblings, za_error *err) ZA_WARN_UNUSED;

/* Write the opening of indices[0..k) into siblings[0..cap) and set
 * *n_siblings.  siblings may be NULL (then cap is ignored and only the
 * count is computed).  Fails with ZA_ERR_ARG on a bad index set (see
 * zk_merkle_opening_size) and ZA_ERR_LIMIT if cap is too small; cap =
 * k * depth is always enough.  Allocates nothing. */
za_status zk_merkle_open(const zk_merkle *t, const uint64_t *indices, size_t k,
                         zk_digest *siblings, size_t cap, size_t *n_siblings,
                         za_error *err) ZA_WARN_UNUSED;

/* Verify that leaves[j] is the leaf digest at indices[j] (j < k) of the tree
 * of the given depth whose root is *root, using exactly n_siblings sibling
 * digests.  Returns ZA_OK only then; ZA_ERR_LIMIT if depth exceeds
 * ZA_MAX_MERKLE_DEPTH, ZA_ERR_MALFORMED for a bad index set (empty,
 * unsorted, duplicate, out of range) or the wrong number of siblings, and
 * ZA_ERR_MISMATCH when the recomputed root differs.  Allocates nothing
 * (a stack of depth+1 digests).  The depth must be the verifier's own (from
 * the commitment's public parameters, never from the proof) and the leaf
 * digests its own zk_merkle_leaf_hash of the opened data: given a smaller
 * depth, inner-node digests passed as "leaves" would verify. */
za_status zk_merkle_verify(unsigned depth, const zk_digest *root, const uint64_t *indices,
                           const zk_digest *leaves, size_t k, const zk_digest *siblings,
                           size_t n_siblings, za_error *err) ZA_WARN_UNUSED;

/* ---- a self-contained serialized multi-opening ----
 *
 * Encoding (zk/encode.h): u64 vector of indices, digest vector of the leaf
 * digests (same count), digest vector of the siblings.  Protocols that
 * derive the indices from the transcript and recompute the leaf digests
 * from opened data should instead send just the siblings, e.g. as a digest
 * array whose length the verifier gets from zk_merkle_opening_size. */
typedef struct {
    size_t k;            /* opened leaves */
    uint64_t *indices;   /* k, strictly increasing */
    zk_digest *leaves;   /* k leaf digests */
    size_t n_siblings;
    zk_digest *siblings; /* n_siblings */
} zk_merkle_opening;

void zk_merkle_opening_write(zk_writer *w, const zk_merkle_opening *o);
/* Parse an opening for a tree of the given depth with at most max_k leaves
 * (<= ZA_MAX_MERKLE_QUERIES).  Checks counts and the index set while
 * parsing (not the hashes: call zk_merkle_opening_verify).  On success the
 * arrays belong to *o (zk_merkle_opening_free); on failure *o is zeroed
 * and the reader holds the error. */
za_status zk_merkle_opening_read(zk_reader *r, unsigned depth, size_t max_k,
                                 zk_merkle_opening *o) ZA_WARN_UNUSED;
za_status zk_merkle_opening_verify(const zk_merkle_opening *o, unsigned depth,
                                   const zk_digest *root, za_error *err) ZA_WARN_UNUSED;
/* Free the arrays and zero *o (safe on a zeroed struct and twice). */
void zk_merkle_opening_free(zk_merkle_opening *o);

#endif
