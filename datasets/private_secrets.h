/* datasets/private_secrets.h - the data holder's secrets file of a private
 * dataset commitment (protocol/private_dataset.h, docs/datasets.md
 * "Private datasets"): the two salts of every example.  It never leaves
 * the holder; whoever holds it and the data can open any leaf.
 *
 * One SQLite file, created with mode 0600 (under umask 077, so it is never
 * readable by others even for a moment), rollback journal (the journal gets
 * the same permissions), PRAGMA application_id 0x7a6b7331 ("zks1"),
 * user_version 1:
 *   CREATE TABLE commitment (id INTEGER PRIMARY KEY CHECK (id = 1),
 *     variant INTEGER NOT NULL, root BLOB NOT NULL, count INTEGER NOT NULL,
 *     dataset TEXT NOT NULL, dataset_root BLOB NOT NULL,
 *     created_at TEXT NOT NULL);
 *   CREATE TABLE salts (idx INTEGER PRIMARY KEY, salt BLOB NOT NULL,
 *     input_salt BLOB NOT NULL);
 * dataset and dataset_root name the dataset index the salts were made for
 * (its public root, which the holder's index must still have).
 *
 * Ownership: zd_secrets_read allocates *salts (free()).
 */
#ifndef ZD_PRIVATE_SECRETS_H
#define ZD_PRIVATE_SECRETS_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "protocol/private_dataset.h"

#define ZD_SECRETS_APPLICATION_ID 0x7a6b7331 /* "zks1" */
#define ZD_SECRETS_SCHEMA_VERSION 1

typedef struct {
    zp_pd_variant variant;
    uint8_t root[32];          /* the private commitment's root */
    uint64_t count;
    char dataset[ZP_MAX_NAME]; /* the dataset's name in the holder's index */
    uint8_t dataset_root[32];  /* its public root there */
} zd_secrets_meta;

/* Write a new secrets file: salts holds count x 64 bytes (leaf salt, then
 * input salt, per example).  Refuses (ZA_ERR_ARG) a path that exists: a
 * secrets file is never overwritten.  One transaction; on failure the file
 * is removed. */
za_status zd_secrets_write(const char *path, const zd_secrets_meta *m, const uint8_t *salts,
                           za_error *err) ZA_WARN_UNUSED;

/* Read a secrets file (read-only, defensive): its commitment row and every
 * salt in index order (*salts: count x 64 bytes).  Refuses another
 * application's file, a newer schema, missing or malformed rows. */
za_status zd_secrets_read(const char *path, zd_secrets_meta *m, uint8_t **salts,
                          za_error *err) ZA_WARN_UNUSED;

#endif
