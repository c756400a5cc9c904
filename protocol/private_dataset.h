/* protocol/private_dataset.h - the hiding dataset commitment of private data
 * mode (docs/datasets.md "Private datasets", docs/protocol.md "Private data").
 *
 * A data holder commits to its own examples so that it can later reveal the
 * sampled ones, and only those, and prove that they are what it committed
 * to.  Every example gets two fresh 32-byte random salts, kept by the holder
 * (datasets/private_secrets.h) and never sent except for a revealed example:
 *
 *   input digest = SHA-256("zkaudit/private-dataset/input/v1" || input salt
 *                          || stored bytes)
 *   leaf         = SHA-256("zkaudit/private-dataset/leaf/v1" || index u64 LE
 *                          || leaf salt || marker u8 || label u32 LE
 *                          || input digest)
 *                  marker 1: a committed label; marker 0: "none" (label 0)
 *   node, pad_h, tree root: as protocol/dataset_commit.h with the tags
 *                  "zkaudit/private-dataset/node/v1", ".../pad/v1"
 *   root         = SHA-256("zkaudit/private-dataset/root/v1" || variant u8
 *                          || count u64 LE || tree root)
 * Two variants: ZP_PD_LABELS (every leaf carries its label, marker 1) and
 * ZP_PD_NO_LABELS (every leaf says "none": the auditor labels the revealed
 * examples).  The variant is in the root, so a commitment cannot pass for
 * the other variant; the tags differ from the public commitment's, so a
 * private root never verifies a public proof or the reverse.
 *
 * Why two salts: a revealed label (with its leaf salt and the input digest)
 * must say nothing checkable about the input; the input digest is hiding
 * because of its own salt.  An unrevealed leaf, or any node above it, is a
 * hash over 32 random bytes, so an inclusion proof says nothing about the
 * examples beside it.
 *
 * Inclusion proof (binary, little-endian; docs/datasets.md):
 *   "ZKPI" | version u8 = 1 | variant u8 | depth u8 | opened u8 (0 or 1)
 *   | count u64 | index u64 | leaf salt [32] | marker u8 | label u32
 *   | input digest [32] | input salt [32] (only when opened)
 *   | depth siblings [32 each], leaf level first
 * opened = 1 carries the input salt, so that whoever also holds the stored
 * bytes recomputes the digest (the review flow); opened = 0 shows the label
 * and the digest only (the committed-labels flow).  The parser is strict:
 * exact length, version 1, known variant, marker equal to the variant,
 * label 0 without one, 1 <= count <= ZA_MAX_DATASET_EXAMPLES, index < count,
 * depth == ceil(log2(count)).
 *
 * The reveal (`seller dataset reveal`, binary; docs/datasets.md):
 *   "ZKPR" | version u8 = 1 | variant u8 | opened u8 | root [32] | count u64
 *   | offer sha256 [32] | buyer seed [32] | beacon u8 | seller seed or
 *     beacon hash [32] | stored bytes per example u32 (0 when not opened)
 *   | n u64 | n times: index u64 | proof length u32 | proof | stored bytes
 * The seeds are the transcript's, so that the auditor can recompute the
 * draw; every proof must have the reveal's variant, count, index and opened
 * flag, and an opened item's bytes must give its digest.
 *
 * The public commitment file (JSON, zp_pd_commitment_to_json):
 *   {"format": "zkaudit-private-dataset/v1", "variant": "committed-labels"
 *    | "no-labels", "name", "root" (hex), "count", "shape" [..], "dtype":
 *    "uint8", "n_labels", "label_names" (array or null), "prep"}
 *
 * Ownership: fixed-size structs are caller-owned; zp_pd_reveal owns its
 * arrays (zp_pd_reveal_free); encoders return malloc'd buffers.
 */
#ifndef ZP_PRIVATE_DATASET_H
#define ZP_PRIVATE_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/limits.h"
#include "protocol/dataset_commit.h"
#include "protocol/handshake.h"
#include "protocol/request.h"
#include "protocol/sampling.h"

#define ZP_PD_INPUT_TAG "zkaudit/private-dataset/input/v1"
#define ZP_PD_LEAF_TAG "zkaudit/private-dataset/leaf/v1"
#define ZP_PD_NODE_TAG "zkaudit/private-dataset/node/v1"
#define ZP_PD_PAD_TAG "zkaudit/private-dataset/pad/v1"
#define ZP_PD_ROOT_TAG "zkaudit/private-dataset/root/v1"
#define ZP_PD_PROOF_MAGIC "ZKPI"
#define ZP_PD_PROOF_VERSION 1
#define ZP_PD_PROOF_HEADER 93 /* bytes before the input salt / siblings */
#define ZP_PD_REVEAL_MAGIC "ZKPR"
#define ZP_PD_REVEAL_VERSION 1
#define ZP_PD_SALT_LEN 32
#define ZP_PD_COMMIT_FORMAT "zkaudit-private-dataset/v1"
#define ZP_PD_MAX_COMMIT_JSON ZA_MAX_PRIVATE_COMMIT_BYTES

typedef enum { ZP_PD_NO_LABELS = 0, ZP_PD_LABELS = 1 } zp_pd_variant;

/* "committed-labels" / "no-labels" */
const char *zp_pd_variant_name(zp_pd_variant v);

/* ---- hashing ---- */

void zp_pd_input_digest(const uint8_t input_salt[32], const uint8_t *bytes, size_t len,
                        uint8_t out[32]);
/* has_label 0: the "none" marker (label must then be 0 and is hashed as 0) */
void zp_pd_leaf(uint64_t index, const uint8_t salt[32], int has_label, uint32_t label,
                const uint8_t input_digest[32], zp_ds_digest *out);
void zp_pd_node(const zp_ds_digest *left, const zp_ds_digest *right, zp_ds_digest *out);
void zp_pd_pad(unsigned h, zp_ds_digest *out);
void zp_pd_final_root(zp_pd_variant v, uint64_t count, const zp_ds_digest *tree_root,
                      zp_ds_digest *out);

/* The root of n leaves (n >= 1) of the variant. */
za_status zp_pd_root(zp_pd_variant v, const zp_ds_digest *leaves, uint64_t n,
                     zp_ds_digest *root, za_error *err) ZA_WARN_UNUSED;

/* ---- inclusion proofs ---- */

typedef struct {
    zp_pd_variant variant;
    uint64_t count, index;
    uint8_t salt[32];
    int has_label;
    uint32_t label;
    uint8_t input_digest[32];
    int opened;                 /* input_salt present */
    uint8_t input_salt[32];
    unsigned depth;
    zp_ds_digest siblings[ZP_DS_MAX_DEPTH];
} zp_pd_proof;

/* The proof for leaves[index]; the caller supplies the leaf's preimage
 * fields in p (variant, salt, has_label, label, input_digest, and opened
 * with input_salt), which are checked against leaves[index]
 * (ZA_ERR_MISMATCH); count, index, depth and siblings are filled in.
 * Memory: n/2 digests. */
za_status zp_pd_prove(const zp_ds_digest *leaves, uint64_t n, uint64_t index, zp_pd_proof *p,
                      za_error *err) ZA_WARN_UNUSED;

/* The proofs of k leaves at once (one pass over the tree): p[j].index and
 * the preimage fields as for zp_pd_prove. */
za_status zp_pd_prove_many(const zp_ds_digest *leaves, uint64_t n, zp_pd_proof *p, size_t k,
                           za_error *err) ZA_WARN_UNUSED;

size_t zp_pd_proof_size(const zp_pd_proof *p);
/* Returns the length written, 0 if cap is too small. */
size_t zp_pd_proof_encode(const zp_pd_proof *p, uint8_t *out, size_t cap);
za_status zp_pd_proof_decode(const uint8_t *buf, size_t len, zp_pd_proof *out,
                             za_error *err) ZA_WARN_UNUSED;
/* 1 if buf starts with the private proof magic. */
int zp_pd_is_proof(const uint8_t *buf, size_t len);

/* p proves its leaf (index, salt, label or none, input digest) is example
 * `index` of the commitment (root, count, variant).  ZA_ERR_MISMATCH naming
 * what differs. */
za_status zp_pd_proof_verify(const zp_pd_proof *p, const zp_ds_digest *root, uint64_t count,
                             zp_pd_variant variant, uint64_t index, za_error *err) ZA_WARN_UNUSED;
/* An opened proof's input digest is that of these stored bytes. */
za_status zp_pd_proof_check_input(const zp_pd_proof *p, const uint8_t *bytes, size_t len,
                                  za_error *err) ZA_WARN_UNUSED;

/* ---- the public commitment file ---- */

typedef struct {
    zp_pd_variant variant;
    char name[ZP_MAX_NAME];
    uint8_t root[32];
    uint64_t count;
    unsigned rank;
    uint32_t shape[ZP_MAX_RANK];
    uint32_t n_labels;
    char label_names[4096]; /* JSON text of the array, or "null" */
    char prep[ZP_MAX_PREP];
} zp_pd_commitment;

/* Bytes of one stored example (product of the shape). */
size_t zp_pd_commitment_example_bytes(const zp_pd_commitment *c);
za_status zp_pd_commitment_to_json(const zp_pd_commitment *c, char **out,
                                   za_error *err) ZA_WARN_UNUSED;
za_status zp_pd_commitment_parse(const char *json, size_t len, const char *name,
                                 zp_pd_commitment *c, za_error *err) ZA_WARN_UNUSED;

/* ---- the reveal ---- */

typedef struct {
    zp_pd_variant variant;
    int opened;                 /* items carry their stored bytes (review flow) */
    uint8_t root[32];
    uint64_t count;
    uint8_t offer_sha256[32];
    uint8_t buyer_seed[32];
    int use_beacon;
    uint8_t seller_seed[32];    /* or the beacon hash */
    size_t stored_len;          /* 0 unless opened */
    uint64_t n;
    uint64_t *indices;          /* n */
    zp_pd_proof *proofs;        /* n */
    uint8_t *stored;            /* n * stored_len (opened only) */
} zp_pd_reveal;

za_status zp_pd_reveal_alloc(zp_pd_reveal *r, uint64_t n, size_t stored_len,
                             za_error *err) ZA_WARN_UNUSED;
void zp_pd_reveal_free(zp_pd_reveal *r);
za_status zp_pd_reveal_encode(const zp_pd_reveal *r, uint8_t **out, size_t *len,
                              za_error *err) ZA_WARN_UNUSED;
/* Strict parse; also checks that every proof is of the reveal's variant,
 * count, opened flag and the item's index (not yet against a root). */
za_status zp_pd_reveal_decode(const uint8_t *buf, size_t len, const char *name,
                              zp_pd_reveal *out, za_error *err) ZA_WARN_UNUSED;

/* Everything the auditor checks of a reveal against the commitment c and
 * the draw: the variant, root and count are c's; every proof verifies
 * against c; opened items' bytes give their digests (and a committed-labels
 * reveal's labels are below c->n_labels); the indices are exactly the first
 * n of the permutation `seed` determines (seed from the transcript the
 * caller has checked against its offer and join).  ZA_ERR_MISMATCH naming
 * the first item that fails. */
za_status zp_pd_reveal_check(const zp_pd_reveal *r, const zp_pd_commitment *c,
                             const uint8_t seed[32], za_error *err) ZA_WARN_UNUSED;

/* ---- the draw ---- */

/* The offer was made against commitment c: its dataset name, root, count
 * and recipe are c's.  ZA_ERR_MISMATCH naming the field. */
za_status zp_pd_check_offer(const zp_pd_commitment *c, const zp_offer *o,
                            za_error *err) ZA_WARN_UNUSED;

/* The transcript of the draw of offer o (offer_bytes: the file as
 * received) with the revealed buyer seed and either the join j or (j NULL)
 * the value of the beacon round the offer named.  Checks that the seed
 * opens the offer's commitment, that j answers this offer and model, and
 * that a beacon is used only when the offer named a round.
 * ZA_ERR_MISMATCH naming what differs. */
za_status zp_pd_draw_transcript(const uint8_t *offer_bytes, size_t offer_len, const zp_offer *o,
                                const uint8_t buyer_seed[32], const zp_join *j,
                                const uint8_t *beacon, size_t beacon_len,
                                zp_sample_transcript *t, za_error *err) ZA_WARN_UNUSED;

/* Everything the auditor checks of a reveal, given the commitment, its
 * offer (with the file bytes) and its own join or beacon value: the offer
 * is against c, the reveal's offer hash and seeds are the handshake's, at
 * most max_samples items, and zp_pd_reveal_check with the seed of that
 * transcript.  On success *t (if not NULL) is the transcript. */
za_status zp_pd_reveal_check_draw(const zp_pd_reveal *r, const zp_pd_commitment *c,
                                  const uint8_t *offer_bytes, size_t offer_len,
                                  const zp_offer *o, const zp_join *j, const uint8_t *beacon,
                                  size_t beacon_len, zp_sample_transcript *t,
                                  za_error *err) ZA_WARN_UNUSED;

/* The committed-labels flow's labels for a request: r is checked against
 * c and the draw of the request's transcript (zp_pd_reveal_check with
 * zp_request_seed), c must be the request's dataset (root, count, name)
 * and of the committed-labels variant, and the request's n samples must be
 * a prefix of the reveal (both are prefixes of the same draw); labels[i]
 * (rq->n of them) is then the committed label of sample i. */
za_status zp_pd_reveal_labels(const zp_pd_reveal *r, const zp_pd_commitment *c,
                              const zp_request *rq, uint32_t *labels,
                              za_error *err) ZA_WARN_UNUSED;

/* ---- the mode of a request (for the report) ---- */

typedef enum {
    ZP_DATA_PUBLIC = 0,         /* the buyer's committed dataset index */
    ZP_DATA_PRIVATE_REVIEW = 1, /* private data, revealed items, auditor's labels */
    ZP_DATA_PRIVATE_LABELS = 2  /* private data, the holder's committed labels */
} zp_data_mode;

/* From the request's inclusion proofs (ZKDI: public; ZKPI: by variant). */
zp_data_mode zp_request_data_mode(const zp_request *rq);
/* "public-dataset", "private-review", "private-committed-labels" */
const char *zp_data_mode_name(zp_data_mode m);

#endif
