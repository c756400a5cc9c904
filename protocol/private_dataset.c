/* protocol/private_dataset.c - the hiding dataset commitment, its inclusion
 * proofs, the commitment file and the reveal (layout in private_dataset.h
 * and docs/datasets.md). */
#include "protocol/private_dataset.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/limits.h"
#include "common/sha256.h"

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

const char *zp_pd_variant_name(zp_pd_variant v)
{
    return v == ZP_PD_LABELS ? "committed-labels" : "no-labels";
}

/* ---- hashing ---- */

void zp_pd_input_digest(const uint8_t input_salt[32], const uint8_t *bytes, size_t len,
                        uint8_t out[32])
{
    za_sha256_ctx c;
    za_sha256_init(&c);
    za_sha256_update(&c, ZP_PD_INPUT_TAG, sizeof ZP_PD_INPUT_TAG - 1);
    za_sha256_update(&c, input_salt, 32);
    if (len)
        za_sha256_update(&c, bytes, len);
    za_sha256_final(&c, out);
}

void zp_pd_leaf(uint64_t index, const uint8_t salt[32], int has_label, uint32_t label,
                const uint8_t input_digest[32], zp_ds_digest *out)
{
    uint8_t b[8], m[5];
    put_u64(b, index);
    m[0] = has_label ? 1 : 0;
    put_u32(m + 1, has_label ? label : 0);
    za_sha256_ctx c;
    za_sha256_init(&c);
    za_sha256_update(&c, ZP_PD_LEAF_TAG, sizeof ZP_PD_LEAF_TAG - 1);
    za_sha256_update(&c, b, sizeof b);
    za_sha256_update(&c, salt, 32);
    za_sha256_update(&c, m, sizeof m);
    za_sha256_update(&c, input_digest, 32);
    za_sha256_final(&c, out->h);
}

void zp_pd_node(const zp_ds_digest *left, const zp_ds_digest *right, zp_ds_digest *out)
{
    za_sha256_ctx c;
    za_sha256_init(&c);
    za_sha256_update(&c, ZP_PD_NODE_TAG, sizeof ZP_PD_NODE_TAG - 1);
    za_sha256_update(&c, left->h, 32);
    za_sha256_update(&c, right->h, 32);
    za_sha256_final(&c, out->h);
}

void zp_pd_pad(unsigned h, zp_ds_digest *out)
{
    za_sha256(ZP_PD_PAD_TAG, sizeof ZP_PD_PAD_TAG - 1, out->h);
    for (unsigned i = 0; i < h && i < ZP_DS_MAX_DEPTH; i++)
        zp_pd_node(out, out, out);
}

void zp_pd_final_root(zp_pd_variant v, uint64_t count, const zp_ds_digest *tree_root,
                      zp_ds_digest *out)
{
    uint8_t b[9];
    b[0] = (uint8_t)v;
    put_u64(b + 1, count);
    za_sha256_ctx c;
    za_sha256_init(&c);
    za_sha256_update(&c, ZP_PD_ROOT_TAG, sizeof ZP_PD_ROOT_TAG - 1);
    za_sha256_update(&c, b, sizeof b);
    za_sha256_update(&c, tree_root->h, 32);
    za_sha256_final(&c, out->h);
}

/* The padded tree level by level (n/2 digests of memory); the siblings of
 * each of the k proofs' leaves (p[j].index < n) are filled in on the way. */
static za_status tree(const zp_ds_digest *leaves, uint64_t n, zp_pd_proof *p, size_t k,
                      zp_ds_digest *tree_root, za_error *err)
{
    if (n == 0 || n > ZA_MAX_DATASET_EXAMPLES)
        return za_error_set(err, ZA_ERR_ARG, "private dataset: %llu examples (1..%llu allowed)",
                            (unsigned long long)n, (unsigned long long)ZA_MAX_DATASET_EXAMPLES);
    unsigned depth = zp_ds_depth(n);
    if (depth == 0) {
        *tree_root = leaves[0];
        return ZA_OK;
    }
    uint64_t m = (n + 1) / 2;
    zp_ds_digest *level = malloc((size_t)m * sizeof *level);
    if (!level)
        return za_error_set(err, ZA_ERR_NOMEM, "private dataset: %llu nodes",
                            (unsigned long long)m);
    zp_ds_digest pad;
    zp_pd_pad(0, &pad);
    const zp_ds_digest *cur = leaves;
    uint64_t len = n;
    for (unsigned h = 0; h < depth; h++) {
        for (size_t j = 0; j < k; j++) {
            uint64_t sib = (p[j].index >> h) ^ 1;
            p[j].siblings[h] = sib < len ? cur[sib] : pad;
        }
        uint64_t next_len = (len + 1) / 2;
        for (uint64_t i = 0; i < next_len; i++)
            zp_pd_node(&cur[2 * i], 2 * i + 1 < len ? &cur[2 * i + 1] : &pad, &level[i]);
        cur = level;
        len = next_len;
        zp_pd_node(&pad, &pad, &pad);
    }
    *tree_root = level[0];
    free(level);
    return ZA_OK;
}

za_status zp_pd_root(zp_pd_variant v, const zp_ds_digest *leaves, uint64_t n,
                     zp_ds_digest *root, za_error *err)
{
    zp_ds_digest t;
    za_status st = tree(leaves, n, NULL, 0, &t, err);
    if (st == ZA_OK)
        zp_pd_final_root(v, n, &t, root);
    return st;
}

/* ---- inclusion proofs ---- */

za_status zp_pd_prove_many(const zp_ds_digest *leaves, uint64_t n, zp_pd_proof *p, size_t k,
                           za_error *err)
{
    for (size_t j = 0; j < k; j++) {
        if (p[j].index >= n)
            return za_error_set(err, ZA_ERR_ARG, "private inclusion proof: index %llu of %llu",
                                (unsigned long long)p[j].index, (unsigned long long)n);
        if ((p[j].variant == ZP_PD_LABELS) != (p[j].has_label != 0))
            return za_error_set(err, ZA_ERR_ARG,
                                "private inclusion proof: a %s commitment %s labels",
                                zp_pd_variant_name(p[j].variant),
                                p[j].variant == ZP_PD_LABELS ? "needs" : "has no");
        if (!p[j].has_label)
            p[j].label = 0;
        zp_ds_digest want;
        zp_pd_leaf(p[j].index, p[j].salt, p[j].has_label, p[j].label, p[j].input_digest, &want);
        if (memcmp(want.h, leaves[p[j].index].h, 32) != 0)
            return za_error_set(err, ZA_ERR_MISMATCH,
                                "private inclusion proof: leaf %llu is not the leaf of the given "
                                "salt, label and input digest", (unsigned long long)p[j].index);
    }
    zp_ds_digest t;
    za_status st = tree(leaves, n, p, k, &t, err);
    if (st)
        return st;
    for (size_t j = 0; j < k; j++) {
        p[j].count = n;
        p[j].depth = zp_ds_depth(n);
    }
    return ZA_OK;
}

za_status zp_pd_prove(const zp_ds_digest *leaves, uint64_t n, uint64_t index, zp_pd_proof *p,
                      za_error *err)
{
    p->index = index;
    return zp_pd_prove_many(leaves, n, p, 1, err);
}

size_t zp_pd_proof_size(const zp_pd_proof *p)
{
    return ZP_PD_PROOF_HEADER + (p->opened ? 32 : 0) + 32 * (size_t)p->depth;
}

size_t zp_pd_proof_encode(const zp_pd_proof *p, uint8_t *out, size_t cap)
{
    size_t n = zp_pd_proof_size(p);
    if (cap < n || p->depth > ZP_DS_MAX_DEPTH)
        return 0;
    memcpy(out, ZP_PD_PROOF_MAGIC, 4);
    out[4] = ZP_PD_PROOF_VERSION;
    out[5] = (uint8_t)p->variant;
    out[6] = (uint8_t)p->depth;
    out[7] = p->opened ? 1 : 0;
    put_u64(out + 8, p->count);
    put_u64(out + 16, p->index);
    memcpy(out + 24, p->salt, 32);
    out[56] = p->has_label ? 1 : 0;
    put_u32(out + 57, p->has_label ? p->label : 0);
    memcpy(out + 61, p->input_digest, 32);
    size_t off = ZP_PD_PROOF_HEADER;
    if (p->opened) {
        memcpy(out + off, p->input_salt, 32);
        off += 32;
    }
    for (unsigned h = 0; h < p->depth; h++, off += 32)
        memcpy(out + off, p->siblings[h].h, 32);
    return n;
}

int zp_pd_is_proof(const uint8_t *buf, size_t len)
{
    return len >= 4 && memcmp(buf, ZP_PD_PROOF_MAGIC, 4) == 0;
}

za_status zp_pd_proof_decode(const uint8_t *buf, size_t len, zp_pd_proof *out, za_error *err)
{
    memset(out, 0, sizeof *out);
    if (len < ZP_PD_PROOF_HEADER)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "private inclusion proof: %zu bytes, the header alone is %d", len,
                            ZP_PD_PROOF_HEADER);
    if (!zp_pd_is_proof(buf, len))
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "private inclusion proof: bad magic at offset 0 (expected \"%s\")",
                            ZP_PD_PROOF_MAGIC);
    if (buf[4] != ZP_PD_PROOF_VERSION)
        return za_error_set(err, ZA_ERR_UNSUPPORTED,
                            "private inclusion proof: version %u at offset 4 (this build reads "
                            "%d)", buf[4], ZP_PD_PROOF_VERSION);
    if (buf[5] > ZP_PD_LABELS)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "private inclusion proof: variant %u at offset 5 (0 or 1)", buf[5]);
    if (buf[7] > 1)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "private inclusion proof: opened flag %u at offset 7 (0 or 1)",
                            buf[7]);
    unsigned depth = buf[6];
    uint64_t count = get_u64(buf + 8), index = get_u64(buf + 16);
    if (count == 0 || count > ZA_MAX_DATASET_EXAMPLES)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "private inclusion proof: count %llu at offset 8 (1..%llu allowed)",
                            (unsigned long long)count,
                            (unsigned long long)ZA_MAX_DATASET_EXAMPLES);
    if (index >= count)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "private inclusion proof: index %llu at offset 16 is not below "
                            "count %llu", (unsigned long long)index, (unsigned long long)count);
    if (depth != zp_ds_depth(count))
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "private inclusion proof: depth %u at offset 6, %u expected for "
                            "%llu examples", depth, zp_ds_depth(count),
                            (unsigned long long)count);
    if (buf[56] != buf[5])
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "private inclusion proof: label marker %u at offset 56 in a %s "
                            "commitment", buf[56], zp_pd_variant_name((zp_pd_variant)buf[5]));
    uint32_t label = get_u32(buf + 57);
    if (!buf[56] && label != 0)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "private inclusion proof: label %u at offset 57 with the \"none\" "
                            "marker", label);
    size_t want = ZP_PD_PROOF_HEADER + (buf[7] ? 32 : 0) + 32 * (size_t)depth;
    if (len != want)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "private inclusion proof: %zu bytes, %zu expected for depth %u", len,
                            want, depth);
    out->variant = (zp_pd_variant)buf[5];
    out->depth = depth;
    out->opened = buf[7];
    out->count = count;
    out->index = index;
    memcpy(out->salt, buf + 24, 32);
    out->has_label = buf[56];
    out->label = label;
    memcpy(out->input_digest, buf + 61, 32);
    size_t off = ZP_PD_PROOF_HEADER;
    if (out->opened) {
        memcpy(out->input_salt, buf + off, 32);
        off += 32;
    }
    for (unsigned h = 0; h < depth; h++, off += 32)
        memcpy(out->siblings[h].h, buf + off, 32);
    return ZA_OK;
}

za_status zp_pd_proof_verify(const zp_pd_proof *p, const zp_ds_digest *root, uint64_t count,
                             zp_pd_variant variant, uint64_t index, za_error *err)
{
    if (p->variant != variant)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "private inclusion proof is for a %s commitment, not %s",
                            zp_pd_variant_name(p->variant), zp_pd_variant_name(variant));
    if (p->count != count)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "private inclusion proof is for a dataset of %llu examples, not "
                            "%llu", (unsigned long long)p->count, (unsigned long long)count);
    if (p->index != index)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "private inclusion proof is for index %llu, not %llu",
                            (unsigned long long)p->index, (unsigned long long)index);
    if (count == 0 || count > ZA_MAX_DATASET_EXAMPLES || index >= count ||
        p->depth != zp_ds_depth(count) || (p->has_label != 0) != (variant == ZP_PD_LABELS))
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "private inclusion proof: depth %u, index %llu, count %llu or the "
                            "label marker are inconsistent", p->depth, (unsigned long long)index,
                            (unsigned long long)count);
    zp_ds_digest cur, got;
    zp_pd_leaf(index, p->salt, p->has_label, p->label, p->input_digest, &cur);
    for (unsigned h = 0; h < p->depth; h++) {
        if ((index >> h) & 1)
            zp_pd_node(&p->siblings[h], &cur, &cur);
        else
            zp_pd_node(&cur, &p->siblings[h], &cur);
    }
    zp_pd_final_root(variant, count, &cur, &got);
    if (memcmp(got.h, root->h, 32) != 0)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "private inclusion proof does not lead to the committed root "
                            "(example %llu of %llu)", (unsigned long long)index,
                            (unsigned long long)count);
    return ZA_OK;
}

za_status zp_pd_proof_check_input(const zp_pd_proof *p, const uint8_t *bytes, size_t len,
                                  za_error *err)
{
    if (!p->opened)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "example %llu: the proof does not open its input (no input salt)",
                            (unsigned long long)p->index);
    uint8_t d[32];
    zp_pd_input_digest(p->input_salt, bytes, len, d);
    if (memcmp(d, p->input_digest, 32) != 0)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "example %llu: the revealed bytes (or input salt) do not give the "
                            "committed input digest", (unsigned long long)p->index);
    return ZA_OK;
}

/* ---- the commitment file ---- */

size_t zp_pd_commitment_example_bytes(const zp_pd_commitment *c)
{
    size_t n = 1;
    for (unsigned k = 0; k < c->rank; k++)
        n *= c->shape[k];
    return n;
}

za_status zp_pd_commitment_to_json(const zp_pd_commitment *c, char **out, za_error *err)
{
    char hex[65];
    za_hex_encode(c->root, 32, hex);
    json_t *j = json_object(), *shape = json_array();
    for (unsigned k = 0; k < c->rank; k++)
        json_array_append_new(shape, json_integer(c->shape[k]));
    json_t *names = json_loads(c->label_names[0] ? c->label_names : "null",
                               JSON_DECODE_ANY, NULL);
    json_object_set_new(j, "format", json_string(ZP_PD_COMMIT_FORMAT));
    json_object_set_new(j, "variant", json_string(zp_pd_variant_name(c->variant)));
    json_object_set_new(j, "name", json_string(c->name));
    json_object_set_new(j, "root", json_string(hex));
    json_object_set_new(j, "count", json_integer((json_int_t)c->count));
    json_object_set_new(j, "shape", shape);
    json_object_set_new(j, "dtype", json_string("uint8"));
    json_object_set_new(j, "n_labels", json_integer(c->n_labels));
    json_object_set_new(j, "label_names", names ? names : json_null());
    json_object_set_new(j, "prep", json_string(c->prep));
    *out = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (!*out)
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory writing JSON");
    return ZA_OK;
}

za_status zp_pd_commitment_parse(const char *json, size_t len, const char *name,
                                 zp_pd_commitment *c, za_error *err)
{
    memset(c, 0, sizeof *c);
    json_error_t je;
    json_t *j = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: not JSON (line %d: %s)", name, je.line,
                            je.text);
    za_status st = ZA_OK;
    const char *bad = NULL;
    json_t *f = json_object_get(j, "format"), *v = json_object_get(j, "variant"),
           *nm = json_object_get(j, "name"), *root = json_object_get(j, "root"),
           *count = json_object_get(j, "count"), *shape = json_object_get(j, "shape"),
           *dtype = json_object_get(j, "dtype"), *nl = json_object_get(j, "n_labels"),
           *names = json_object_get(j, "label_names"), *prep = json_object_get(j, "prep");
    if (!json_is_object(j) || !json_is_string(f) ||
        strcmp(json_string_value(f), ZP_PD_COMMIT_FORMAT)) {
        bad = "format (\"" ZP_PD_COMMIT_FORMAT "\")";
    } else if (!json_is_string(v) || (strcmp(json_string_value(v), "committed-labels") &&
                                      strcmp(json_string_value(v), "no-labels"))) {
        bad = "variant (\"committed-labels\" or \"no-labels\")";
    } else if (!json_is_string(nm) || json_string_length(nm) == 0 ||
               json_string_length(nm) >= sizeof c->name ||
               strlen(json_string_value(nm)) != json_string_length(nm)) {
        bad = "name";
    } else if (!json_is_string(root) || json_string_length(root) != 64) {
        bad = "root (64 hex digits)";
    } else if (!json_is_integer(count) || json_integer_value(count) < 1 ||
               (uint64_t)json_integer_value(count) > ZA_MAX_DATASET_EXAMPLES) {
        bad = "count";
    } else if (!json_is_array(shape) || json_array_size(shape) < 1 ||
               json_array_size(shape) > ZP_MAX_RANK) {
        bad = "shape (1 to 4 dimensions)";
    } else if (!json_is_string(dtype) || strcmp(json_string_value(dtype), "uint8")) {
        bad = "dtype (\"uint8\")";
    } else if (!json_is_integer(nl) || json_integer_value(nl) < 1 ||
               json_integer_value(nl) > (json_int_t)ZA_MAX_CLASSES) {
        bad = "n_labels";
    } else if (!(json_is_null(names) ||
                 (json_is_array(names) && json_array_size(names) == (size_t)json_integer_value(nl)))) {
        bad = "label_names (null or one name per label)";
    } else if (!json_is_string(prep) || json_string_length(prep) >= sizeof c->prep ||
               strlen(json_string_value(prep)) != json_string_length(prep)) {
        bad = "prep";
    }
    if (!bad) {
        c->variant = strcmp(json_string_value(v), "committed-labels") ? ZP_PD_NO_LABELS
                                                                        : ZP_PD_LABELS;
        memcpy(c->name, json_string_value(nm), json_string_length(nm) + 1);
        za_error herr;
        if (za_hex_decode(json_string_value(root), c->root, 32, &herr))
            bad = "root (64 hex digits)";
        c->count = (uint64_t)json_integer_value(count);
        c->rank = (unsigned)json_array_size(shape);
        size_t total = 1;
        for (unsigned k = 0; k < c->rank && !bad; k++) {
            json_t *d = json_array_get(shape, k);
            if (!json_is_integer(d) || json_integer_value(d) < 1 ||
                json_integer_value(d) > 65536 ||
                (total *= (size_t)json_integer_value(d)) > ZP_MAX_EXAMPLE_BYTES)
                bad = "shape (positive dimensions, at most 16 MiB an example)";
            else
                c->shape[k] = (uint32_t)json_integer_value(d);
        }
        c->n_labels = (uint32_t)json_integer_value(nl);
        for (size_t k = 0; !bad && json_is_array(names) && k < json_array_size(names); k++)
            if (!json_is_string(json_array_get(names, k)))
                bad = "label_names (strings)";
        memcpy(c->prep, json_string_value(prep), json_string_length(prep) + 1);
        if (!bad) {
            char *t = json_dumps(names, JSON_COMPACT | JSON_ENCODE_ANY);
            if (!t || strlen(t) >= sizeof c->label_names)
                bad = "label_names (too long)";
            else
                memcpy(c->label_names, t, strlen(t) + 1);
            free(t);
        }
    }
    if (bad) {
        st = za_error_set(err, ZA_ERR_MALFORMED, "%s: not a private dataset commitment: field %s",
                          name, bad);
        memset(c, 0, sizeof *c);
    }
    json_decref(j);
    return st;
}

/* ---- the reveal ---- */

#define REVEAL_HEADER (4 + 1 + 1 + 1 + 32 + 8 + 32 + 32 + 1 + 32 + 4 + 8)

za_status zp_pd_reveal_alloc(zp_pd_reveal *r, uint64_t n, size_t stored_len, za_error *err)
{
    memset(r, 0, sizeof *r);
    if (n > ZA_MAX_DATASET_EXAMPLES || (stored_len && n > ZA_MAX_REQUEST_BYTES / stored_len))
        return za_error_set(err, ZA_ERR_LIMIT, "reveal: %llu examples of %zu bytes",
                            (unsigned long long)n, stored_len);
    r->n = n;
    r->stored_len = stored_len;
    r->indices = calloc(n ? n : 1, sizeof *r->indices);
    r->proofs = calloc(n ? n : 1, sizeof *r->proofs);
    r->stored = stored_len ? malloc(n ? n * stored_len : 1) : NULL;
    if (!r->indices || !r->proofs || (stored_len && !r->stored)) {
        zp_pd_reveal_free(r);
        return za_error_set(err, ZA_ERR_NOMEM, "reveal: out of memory for %llu examples",
                            (unsigned long long)n);
    }
    return ZA_OK;
}

void zp_pd_reveal_free(zp_pd_reveal *r)
{
    if (!r)
        return;
    free(r->indices);
    free(r->proofs);
    free(r->stored);
    memset(r, 0, sizeof *r);
}

za_status zp_pd_reveal_encode(const zp_pd_reveal *r, uint8_t **out, size_t *len, za_error *err)
{
    *out = NULL;
    *len = 0;
    size_t total = REVEAL_HEADER;
    for (uint64_t i = 0; i < r->n; i++)
        total += 12 + zp_pd_proof_size(&r->proofs[i]) + (r->opened ? r->stored_len : 0);
    uint8_t *b = malloc(total);
    if (!b)
        return za_error_set(err, ZA_ERR_NOMEM, "reveal: out of memory for %zu bytes", total);
    size_t o = 0;
    memcpy(b, ZP_PD_REVEAL_MAGIC, 4);
    b[4] = ZP_PD_REVEAL_VERSION;
    b[5] = (uint8_t)r->variant;
    b[6] = r->opened ? 1 : 0;
    o = 7;
    memcpy(b + o, r->root, 32), o += 32;
    put_u64(b + o, r->count), o += 8;
    memcpy(b + o, r->offer_sha256, 32), o += 32;
    memcpy(b + o, r->buyer_seed, 32), o += 32;
    b[o++] = r->use_beacon ? 1 : 0;
    memcpy(b + o, r->seller_seed, 32), o += 32;
    put_u32(b + o, (uint32_t)(r->opened ? r->stored_len : 0)), o += 4;
    put_u64(b + o, r->n), o += 8;
    for (uint64_t i = 0; i < r->n; i++) {
        put_u64(b + o, r->indices[i]), o += 8;
        size_t pl = zp_pd_proof_size(&r->proofs[i]);
        put_u32(b + o, (uint32_t)pl), o += 4;
        if (zp_pd_proof_encode(&r->proofs[i], b + o, total - o) != pl) {
            free(b);
            return za_error_set(err, ZA_ERR_ARG, "reveal: proof %llu cannot be encoded",
                                (unsigned long long)i);
        }
        o += pl;
        if (r->opened) {
            memcpy(b + o, r->stored + i * r->stored_len, r->stored_len);
            o += r->stored_len;
        }
    }
    *out = b;
    *len = o;
    return ZA_OK;
}

za_status zp_pd_reveal_decode(const uint8_t *buf, size_t len, const char *name,
                              zp_pd_reveal *out, za_error *err)
{
    memset(out, 0, sizeof *out);
    if (len < REVEAL_HEADER || memcmp(buf, ZP_PD_REVEAL_MAGIC, 4))
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: not a reveal (magic \"%s\", at least %d "
                            "bytes)", name, ZP_PD_REVEAL_MAGIC, REVEAL_HEADER);
    if (buf[4] != ZP_PD_REVEAL_VERSION)
        return za_error_set(err, ZA_ERR_UNSUPPORTED, "%s: reveal version %u (this build reads %d)",
                            name, buf[4], ZP_PD_REVEAL_VERSION);
    if (buf[5] > 1 || buf[6] > 1)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: variant %u or opened flag %u at offset "
                            "5 (0 or 1 each)", name, buf[5], buf[6]);
    size_t o = 7;
    zp_pd_reveal h;
    memset(&h, 0, sizeof h);
    h.variant = (zp_pd_variant)buf[5];
    h.opened = buf[6];
    memcpy(h.root, buf + o, 32), o += 32;
    h.count = get_u64(buf + o), o += 8;
    memcpy(h.offer_sha256, buf + o, 32), o += 32;
    memcpy(h.buyer_seed, buf + o, 32), o += 32;
    if (buf[o] > 1)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: beacon flag %u at offset %zu (0 or 1)",
                            name, buf[o], o);
    h.use_beacon = buf[o++];
    memcpy(h.seller_seed, buf + o, 32), o += 32;
    uint32_t stored_len = get_u32(buf + o);
    o += 4;
    uint64_t n = get_u64(buf + o);
    o += 8;
    if (h.count == 0 || h.count > ZA_MAX_DATASET_EXAMPLES)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: count %llu (1..%llu allowed)", name,
                            (unsigned long long)h.count,
                            (unsigned long long)ZA_MAX_DATASET_EXAMPLES);
    if ((h.opened != 0) != (stored_len != 0) || stored_len > ZP_MAX_EXAMPLE_BYTES)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: %u stored bytes per example in a%s "
                            "reveal", name, stored_len, h.opened ? "n opened" : " labels-only");
    if (h.opened && h.variant == ZP_PD_LABELS)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: a committed-labels reveal never opens "
                            "the inputs", name);
    /* every item is at least 12 + header bytes: n is bounded by the length */
    if (n > h.count || n > ZP_MAX_SAMPLES || n > (len - o) / (12 + ZP_PD_PROOF_HEADER))
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: %llu examples in %zu bytes of a dataset "
                            "of %llu", name, (unsigned long long)n, len,
                            (unsigned long long)h.count);
    za_status st = zp_pd_reveal_alloc(out, n, stored_len, err);
    if (st)
        return st;
    out->variant = h.variant;
    out->opened = h.opened;
    memcpy(out->root, h.root, 32);
    out->count = h.count;
    memcpy(out->offer_sha256, h.offer_sha256, 32);
    memcpy(out->buyer_seed, h.buyer_seed, 32);
    out->use_beacon = h.use_beacon;
    memcpy(out->seller_seed, h.seller_seed, 32);
    for (uint64_t i = 0; i < n; i++) {
        if (len - o < 12) {
            st = za_error_set(err, ZA_ERR_MALFORMED, "%s: truncated at item %llu (offset %zu)",
                              name, (unsigned long long)i, o);
            break;
        }
        out->indices[i] = get_u64(buf + o);
        uint32_t pl = get_u32(buf + o + 8);
        o += 12;
        if (pl > ZP_MAX_INCLUSION_BYTES || len - o < (size_t)pl + stored_len) {
            st = za_error_set(err, ZA_ERR_MALFORMED, "%s: item %llu: a proof of %u bytes "
                              "and %u stored bytes do not fit at offset %zu", name,
                              (unsigned long long)i, pl, stored_len, o);
            break;
        }
        zp_pd_proof *p = &out->proofs[i];
        if ((st = zp_pd_proof_decode(buf + o, pl, p, err))) {
            za_error_prefix(err, "%s: item %llu", name, (unsigned long long)i);
            break;
        }
        o += pl;
        if (p->variant != h.variant || p->count != h.count || p->index != out->indices[i] ||
            p->opened != h.opened) {
            st = za_error_set(err, ZA_ERR_MALFORMED, "%s: item %llu (index %llu): its proof is "
                              "for index %llu of a %s commitment of %llu examples, %s", name,
                              (unsigned long long)i, (unsigned long long)out->indices[i],
                              (unsigned long long)p->index, zp_pd_variant_name(p->variant),
                              (unsigned long long)p->count,
                              p->opened ? "opened" : "not opened");
            break;
        }
        if (stored_len) {
            memcpy(out->stored + i * stored_len, buf + o, stored_len);
            o += stored_len;
        }
    }
    if (st == ZA_OK && o != len)
        st = za_error_set(err, ZA_ERR_MALFORMED, "%s: %zu trailing bytes after the last item",
                          name, len - o);
    if (st)
        zp_pd_reveal_free(out);
    return st;
}

za_status zp_pd_reveal_check(const zp_pd_reveal *r, const zp_pd_commitment *c,
                             const uint8_t seed[32], za_error *err)
{
    if (r->variant != c->variant)
        return za_error_set(err, ZA_ERR_MISMATCH, "the reveal is of a %s commitment, the "
                            "commitment file is %s", zp_pd_variant_name(r->variant),
                            zp_pd_variant_name(c->variant));
    if (memcmp(r->root, c->root, 32) || r->count != c->count)
        return za_error_set(err, ZA_ERR_MISMATCH, "the reveal names another root or size than "
                            "the commitment '%s'", c->name);
    if (r->opened && r->stored_len != zp_pd_commitment_example_bytes(c))
        return za_error_set(err, ZA_ERR_MISMATCH, "the reveal's examples have %zu bytes, the "
                            "commitment's shape %zu", r->stored_len,
                            zp_pd_commitment_example_bytes(c));
    uint64_t *want = calloc(r->n ? r->n : 1, sizeof *want);
    if (!want)
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    za_status st = zp_sample_indices(seed, c->count, r->n, want, err);
    zp_ds_digest root;
    memcpy(root.h, c->root, 32);
    for (uint64_t i = 0; i < r->n && st == ZA_OK; i++) {
        za_error e;
        if (r->indices[i] != want[i]) {
            st = za_error_set(err, ZA_ERR_MISMATCH, "item %llu is example %llu, but the draw's "
                              "sample %llu is example %llu: not the draw",
                              (unsigned long long)i, (unsigned long long)r->indices[i],
                              (unsigned long long)i, (unsigned long long)want[i]);
        } else if (zp_pd_proof_verify(&r->proofs[i], &root, c->count, c->variant,
                                      r->indices[i], &e)) {
            st = za_error_set(err, ZA_ERR_MISMATCH, "item %llu (example %llu): %s",
                              (unsigned long long)i, (unsigned long long)r->indices[i], e.msg);
        } else if (r->opened && zp_pd_proof_check_input(&r->proofs[i],
                                                         r->stored + i * r->stored_len,
                                                         r->stored_len, &e)) {
            st = za_error_set(err, ZA_ERR_MISMATCH, "item %llu: %s", (unsigned long long)i,
                              e.msg);
        } else if (r->proofs[i].has_label && r->proofs[i].label >= c->n_labels) {
            st = za_error_set(err, ZA_ERR_MISMATCH, "item %llu (example %llu): label %u of %u "
                              "labels", (unsigned long long)i, (unsigned long long)r->indices[i],
                              r->proofs[i].label, c->n_labels);
        }
    }
    free(want);
    return st;
}

/* ---- the draw ---- */

za_status zp_pd_check_offer(const zp_pd_commitment *c, const zp_offer *o, za_error *err)
{
    const char *what = NULL;
    if (strcmp(c->name, o->dataset_name))
        what = "dataset name";
    else if (memcmp(c->root, o->dataset_root, 32) || c->count != o->dataset_count)
        what = "dataset root or size";
    else if (strcmp(c->prep, o->prep))
        what = "input preparation";
    if (what)
        return za_error_set(err, ZA_ERR_MISMATCH, "the offer's %s is not the private "
                            "commitment's ('%s'): the offer is for another dataset", what,
                            c->name);
    return ZA_OK;
}

za_status zp_pd_draw_transcript(const uint8_t *offer_bytes, size_t offer_len, const zp_offer *o,
                                const uint8_t buyer_seed[32], const zp_join *j,
                                const uint8_t *beacon, size_t beacon_len,
                                zp_sample_transcript *t, za_error *err)
{
    memset(t, 0, sizeof *t);
    if (!zp_seed_commitment_check(o->buyer_commitment, buyer_seed))
        return za_error_set(err, ZA_ERR_MISMATCH, "the buyer seed does not open the offer's "
                            "seed commitment");
    if (j) {
        uint8_t h[32];
        za_sha256(offer_bytes, offer_len, h);
        if (memcmp(h, j->offer_sha256, 32) || memcmp(j->model_id, o->model_id, 32))
            return za_error_set(err, ZA_ERR_MISMATCH, "the join answers another offer (or "
                                "model)");
        memcpy(t->seller_seed, j->seller_seed, 32);
    } else {
        if (!o->beacon_round[0])
            return za_error_set(err, ZA_ERR_MISMATCH, "the offer names no beacon round: a "
                                "beacon must be fixed in the offer, before the seeds");
        if (!beacon)
            return za_error_set(err, ZA_ERR_ARG, "neither a join nor a beacon value");
        t->use_beacon = 1;
        za_sha256(beacon, beacon_len, t->beacon_hash);
    }
    memcpy(t->dataset_root, o->dataset_root, 32);
    t->dataset_count = o->dataset_count;
    memcpy(t->model_id, o->model_id, 32);
    memcpy(t->buyer_seed, buyer_seed, 32);
    return zp_audit_params_hash(&o->params, t->params_hash, err);
}

za_status zp_pd_reveal_check_draw(const zp_pd_reveal *r, const zp_pd_commitment *c,
                                  const uint8_t *offer_bytes, size_t offer_len,
                                  const zp_offer *o, const zp_join *j, const uint8_t *beacon,
                                  size_t beacon_len, zp_sample_transcript *tout, za_error *err)
{
    za_status st = zp_pd_check_offer(c, o, err);
    if (st)
        return st;
    uint8_t h[32];
    za_sha256(offer_bytes, offer_len, h);
    if (memcmp(h, r->offer_sha256, 32))
        return za_error_set(err, ZA_ERR_MISMATCH, "the reveal answers another offer");
    zp_sample_transcript t;
    if ((st = zp_pd_draw_transcript(offer_bytes, offer_len, o, r->buyer_seed, j, beacon,
                                    beacon_len, &t, err)))
        return za_error_prefix(err, "the reveal");
    if (t.use_beacon != r->use_beacon ||
        memcmp(t.use_beacon ? t.beacon_hash : t.seller_seed, r->seller_seed, 32))
        return za_error_set(err, ZA_ERR_MISMATCH, "the reveal was drawn with another %s than "
                            "this audit's: it is not this audit's draw",
                            t.use_beacon ? "beacon value" : "seller seed");
    if (r->n > o->params.max_samples)
        return za_error_set(err, ZA_ERR_MISMATCH, "the reveal has %llu items, the audit draws "
                            "at most %llu", (unsigned long long)r->n,
                            (unsigned long long)o->params.max_samples);
    uint8_t seed[32];
    zp_sample_seed(&t, seed);
    if ((st = zp_pd_reveal_check(r, c, seed, err)))
        return st;
    if (tout)
        *tout = t;
    return ZA_OK;
}

za_status zp_pd_reveal_labels(const zp_pd_reveal *r, const zp_pd_commitment *c,
                              const zp_request *rq, uint32_t *labels, za_error *err)
{
    if (c->variant != ZP_PD_LABELS)
        return za_error_set(err, ZA_ERR_MISMATCH, "'%s' is a commitment without labels: the "
                            "auditor labels its examples (--labels)", c->name);
    if (memcmp(c->root, rq->transcript.dataset_root, 32) ||
        c->count != rq->transcript.dataset_count || strcmp(c->name, rq->dataset_name))
        return za_error_set(err, ZA_ERR_MISMATCH, "the commitment '%s' is not the request's "
                            "dataset (name, root or size differs)", c->name);
    uint8_t seed[32];
    zp_request_seed(rq, seed);
    za_status st = zp_pd_reveal_check(r, c, seed, err);
    if (st)
        return za_error_prefix(err, "the reveal is not of this request's draw");
    if (r->n < rq->n)
        return za_error_set(err, ZA_ERR_MISMATCH, "the reveal has %llu labels, the request "
                            "%llu samples", (unsigned long long)r->n,
                            (unsigned long long)rq->n);
    for (uint64_t i = 0; i < rq->n; i++) {
        if (rq->indices[i] != r->indices[i])
            return za_error_set(err, ZA_ERR_MISMATCH, "sample %llu is example %llu, the "
                                "reveal's item %llu example %llu", (unsigned long long)i,
                                (unsigned long long)rq->indices[i], (unsigned long long)i,
                                (unsigned long long)r->indices[i]);
        labels[i] = r->proofs[i].label;
    }
    return ZA_OK;
}

/* ---- the mode of a request ---- */

zp_data_mode zp_request_data_mode(const zp_request *rq)
{
    if (rq->n == 0 || !rq->inclusion || !zp_pd_is_proof(rq->inclusion[0], rq->inclusion_len[0]))
        return ZP_DATA_PUBLIC;
    return rq->inclusion_len[0] > 5 && rq->inclusion[0][5] == ZP_PD_LABELS
               ? ZP_DATA_PRIVATE_LABELS
               : ZP_DATA_PRIVATE_REVIEW;
}

const char *zp_data_mode_name(zp_data_mode m)
{
    switch (m) {
    case ZP_DATA_PRIVATE_REVIEW: return "private-review";
    case ZP_DATA_PRIVATE_LABELS: return "private-committed-labels";
    default: return "public-dataset";
    }
}
