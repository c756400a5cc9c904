/* seller/model_key_cli.h - finding and checking a private commitment's key
 * for the commands that prove (prove, prove-batch, serve). */
#ifndef ZS_MODEL_KEY_CLI_H
#define ZS_MODEL_KEY_CLI_H

#include "common/error.h"
#include "protocol/model_commit.h"
#include "protocol/model_key.h"

/* For a private commitment, open its key: key_path, or else commit_path
 * with ".key" appended (where `seller commit-model` writes it), and check
 * that it is this commitment's.  For a public commitment *out = NULL, and a
 * key_path given is an error (it would be a mistake of the user's). */
za_status zs_model_key_for(const zp_model_commitment *mc, const char *commit_path,
                           const char *key_path, zp_model_key **out, za_error *err) ZA_WARN_UNUSED;

#endif
