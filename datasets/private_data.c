/* datasets/private_data.c - commit and reveal over the index (see
 * private_data.h). */
#include "datasets/private_data.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/progress.h"
#include "datasets/private_secrets.h"

typedef struct {
    zp_pd_variant variant;
    const uint8_t *salts;     /* count x 64 */
    zp_ds_digest *leaves;     /* count */
    uint64_t count;
    size_t stored_len;
    /* reveal only */
    const uint64_t *pos_of;   /* count: sample position + 1, 0 when not sampled */
    zp_pd_proof *proofs;      /* n */
    uint8_t *stored;          /* n x stored_len, or NULL */
    za_progress *bar;
} leaf_ctx;

static za_status leaf_of(void *vctx, uint64_t index, uint32_t label, const uint8_t *bytes,
                         size_t len, za_error *err)
{
    leaf_ctx *c = vctx;
    if (index >= c->count)
        return za_error_set(err, ZA_ERR_MALFORMED, "example %llu beyond the %llu committed",
                            (unsigned long long)index, (unsigned long long)c->count);
    if (len != c->stored_len)
        return za_error_set(err, ZA_ERR_MALFORMED, "example %llu has %zu bytes, not %zu",
                            (unsigned long long)index, len, c->stored_len);
    const uint8_t *salt = c->salts + 64 * index, *input_salt = salt + 32;
    uint8_t digest[32];
    zp_pd_input_digest(input_salt, bytes, len, digest);
    int has_label = c->variant == ZP_PD_LABELS;
    zp_pd_leaf(index, salt, has_label, label, digest, &c->leaves[index]);
    if (c->pos_of && c->pos_of[index]) {
        uint64_t k = c->pos_of[index] - 1;
        zp_pd_proof *p = &c->proofs[k];
        p->variant = c->variant;
        p->index = index;
        memcpy(p->salt, salt, 32);
        p->has_label = has_label;
        p->label = has_label ? label : 0;
        memcpy(p->input_digest, digest, 32);
        if (c->stored) {
            p->opened = 1;
            memcpy(p->input_salt, input_salt, 32);
            memcpy(c->stored + k * len, bytes, len);
        }
    }
    if (c->bar)
        za_progress_update(c->bar, index + 1);
    return ZA_OK;
}

static size_t example_bytes(const zd_dataset *d)
{
    size_t n = 1;
    for (unsigned k = 0; k < d->rank; k++)
        n *= d->shape[k];
    return n;
}

za_status zd_private_commit(zd_db *db, const char *name, zp_pd_variant variant,
                            const char *secrets_path, zp_pd_commitment *out, za_error *err)
{
    memset(out, 0, sizeof *out);
    zd_dataset d;
    memset(&d, 0, sizeof d);
    zp_ds_digest *pub = NULL, *leaves = NULL;
    uint8_t *salts = NULL;
    uint64_t n = 0;
    za_status s;
    if ((s = zd_db_show(db, name, &d, err)) || (s = zd_db_leaves(db, name, &pub, &n, err)))
        goto out;
    if (d.rank < 1 || d.rank > ZP_MAX_RANK || strlen(d.name) >= sizeof out->name ||
        strlen(d.prep ? d.prep : "") >= sizeof out->prep ||
        strlen(d.label_names ? d.label_names : "null") >= sizeof out->label_names) {
        s = za_error_set(err, ZA_ERR_UNSUPPORTED, "dataset '%s': rank %u, or a name, recipe or "
                         "label names too long for a private commitment", name, d.rank);
        goto out;
    }
    if (n > SIZE_MAX / 64 || !(salts = malloc((size_t)n * 64)) ||
        !(leaves = malloc((size_t)n * sizeof *leaves))) {
        s = za_error_set(err, ZA_ERR_NOMEM, "out of memory for %llu examples",
                         (unsigned long long)n);
        goto out;
    }
    /* fresh salts for this commitment: never derived from the data or reused */
    for (uint64_t i = 0; i < n; i += 1u << 20) {
        uint64_t k = n - i < (1u << 20) ? n - i : (1u << 20);
        if (RAND_bytes(salts + 64 * i, (int)(64 * k)) != 1) {
            s = za_error_set(err, ZA_ERR_IO, "OpenSSL RAND_bytes failed to give salts");
            goto out;
        }
    }
    za_progress bar;
    za_progress_start(&bar, "committing", n, NULL);
    leaf_ctx c = { variant, salts, leaves, n, example_bytes(&d), NULL, NULL, NULL, &bar };
    s = zd_db_each_example(db, name, leaf_of, &c, err);
    za_progress_finish(&bar);
    zp_ds_digest root;
    if (s || (s = zp_pd_root(variant, leaves, n, &root, err)))
        goto out;
    zd_secrets_meta m;
    memset(&m, 0, sizeof m);
    m.variant = variant;
    memcpy(m.root, root.h, 32);
    m.count = n;
    snprintf(m.dataset, sizeof m.dataset, "%s", d.name);
    memcpy(m.dataset_root, d.root, 32);
    if ((s = zd_secrets_write(secrets_path, &m, salts, err)))
        goto out;
    out->variant = variant;
    snprintf(out->name, sizeof out->name, "%s", d.name);
    memcpy(out->root, root.h, 32);
    out->count = n;
    out->rank = d.rank;
    memcpy(out->shape, d.shape, sizeof(uint32_t) * d.rank);
    out->n_labels = d.n_labels;
    snprintf(out->label_names, sizeof out->label_names, "%s",
             d.label_names ? d.label_names : "null");
    snprintf(out->prep, sizeof out->prep, "%s", d.prep ? d.prep : "");
out:
    if (salts)
        OPENSSL_cleanse(salts, (size_t)n * 64);
    free(salts);
    free(leaves);
    free(pub);
    zd_dataset_free(&d);
    return s;
}

za_status zd_private_reveal(zd_db *db, const zp_pd_commitment *c, const char *secrets_path,
                            const uint64_t *indices, uint64_t n, int opened, zp_pd_reveal *out,
                            za_error *err)
{
    memset(out, 0, sizeof *out);
    zd_secrets_meta m;
    uint8_t *salts = NULL;
    uint64_t *pos_of = NULL;
    zp_ds_digest *leaves = NULL, *pub = NULL;
    uint64_t npub = 0;
    zd_dataset d;
    memset(&d, 0, sizeof d);
    za_status s;
    if (opened && c->variant == ZP_PD_LABELS)
        return za_error_set(err, ZA_ERR_ARG, "a committed-labels reveal shows the labels, never "
                            "the inputs");
    if ((s = zd_secrets_read(secrets_path, &m, &salts, err)))
        return s;
    if (m.variant != c->variant || memcmp(m.root, c->root, 32) || m.count != c->count) {
        s = za_error_set(err, ZA_ERR_MISMATCH, "%s holds the salts of another commitment than "
                         "'%s'", secrets_path, c->name);
        goto out;
    }
    if ((s = zd_db_show(db, m.dataset, &d, err)) ||
        (s = zd_db_leaves(db, m.dataset, &pub, &npub, err)))
        goto out;
    if (memcmp(d.root, m.dataset_root, 32) || d.count != m.count) {
        s = za_error_set(err, ZA_ERR_MISMATCH, "dataset '%s' of the index is not the one the "
                         "commitment was made from (its root or size changed)", m.dataset);
        goto out;
    }
    size_t stored_len = example_bytes(&d);
    if (stored_len != zp_pd_commitment_example_bytes(c)) {
        s = za_error_set(err, ZA_ERR_MISMATCH, "dataset '%s': %zu bytes an example, the "
                         "commitment says %zu", m.dataset, stored_len,
                         zp_pd_commitment_example_bytes(c));
        goto out;
    }
    if ((s = zp_pd_reveal_alloc(out, n, opened ? stored_len : 0, err)))
        goto out;
    if (!(pos_of = calloc((size_t)m.count, sizeof *pos_of)) ||
        !(leaves = malloc((size_t)m.count * sizeof *leaves))) {
        s = za_error_set(err, ZA_ERR_NOMEM, "out of memory for %llu examples",
                         (unsigned long long)m.count);
        goto out;
    }
    for (uint64_t k = 0; k < n; k++) {
        if (indices[k] >= m.count || pos_of[indices[k]]) {
            s = za_error_set(err, ZA_ERR_ARG, "reveal: index %llu out of range or twice",
                             (unsigned long long)indices[k]);
            goto out;
        }
        pos_of[indices[k]] = k + 1;
        out->indices[k] = indices[k];
    }
    za_progress bar;
    za_progress_start(&bar, "revealing", m.count, NULL);
    leaf_ctx lc = { c->variant, salts, leaves, m.count, stored_len, pos_of, out->proofs,
                    opened ? out->stored : NULL, &bar };
    s = zd_db_each_example(db, m.dataset, leaf_of, &lc, err);
    za_progress_finish(&bar);
    zp_ds_digest root;
    if (s || (s = zp_pd_root(c->variant, leaves, m.count, &root, err)))
        goto out;
    if (memcmp(root.h, c->root, 32)) {
        s = za_error_set(err, ZA_ERR_MISMATCH, "the data and salts no longer give the committed "
                         "root of '%s': the dataset or the secrets changed since the commitment",
                         c->name);
        goto out;
    }
    if ((s = zp_pd_prove_many(leaves, m.count, out->proofs, (size_t)n, err)))
        goto out;
    out->variant = c->variant;
    out->opened = opened;
    memcpy(out->root, c->root, 32);
    out->count = c->count;
out:
    if (salts)
        OPENSSL_cleanse(salts, (size_t)m.count * 64);
    free(salts);
    free(pos_of);
    free(leaves);
    free(pub);
    zd_dataset_free(&d);
    if (s)
        zp_pd_reveal_free(out);
    return s;
}
