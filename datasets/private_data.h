/* datasets/private_data.h - the holder's side of private data mode on top
 * of the dataset index (datasets/db.h) and the secrets file
 * (datasets/private_secrets.h): commit to an imported dataset with fresh
 * salts, and reveal the sampled examples (docs/protocol.md "Private data").
 *
 * Ownership: zd_private_reveal fills a zp_pd_reveal the caller frees
 * (zp_pd_reveal_free).
 */
#ifndef ZD_PRIVATE_DATA_H
#define ZD_PRIVATE_DATA_H

#include "common/error.h"
#include "datasets/db.h"
#include "protocol/private_dataset.h"

/* Commit to dataset `name` of db: check that the index still gives its
 * stored root, draw two fresh salts per example (OpenSSL RAND_bytes),
 * compute the private root of the variant, write the secrets file (which
 * must not exist; mode 0600) and fill *out (the public commitment). */
za_status zd_private_commit(zd_db *db, const char *name, zp_pd_variant variant,
                            const char *secrets_path, zp_pd_commitment *out,
                            za_error *err) ZA_WARN_UNUSED;

/* The reveal of the n examples `indices` (distinct, < count) of the
 * commitment c: re-reads the secrets and every example of the index,
 * recomputes the leaves and refuses (ZA_ERR_MISMATCH) when they no longer
 * give c's root (the data or the secrets changed since the commitment).
 * opened = 1 (only for the no-labels variant): each item carries its stored
 * bytes and input salt (the review flow); opened = 0: label, leaf salt and
 * input digest only.  Fills out's variant, opened, root, count, n, indices,
 * proofs and stored bytes; the caller fills the transcript fields. */
za_status zd_private_reveal(zd_db *db, const zp_pd_commitment *c, const char *secrets_path,
                            const uint64_t *indices, uint64_t n, int opened, zp_pd_reveal *out,
                            za_error *err) ZA_WARN_UNUSED;

#endif
