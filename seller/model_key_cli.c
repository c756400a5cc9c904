/* seller/model_key_cli.c - see model_key_cli.h. */
#include "seller/model_key_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

za_status zs_model_key_for(const zp_model_commitment *mc, const char *commit_path,
                           const char *key_path, zp_model_key **out, za_error *err)
{
    *out = NULL;
    if (!zp_model_commitment_is_private(mc)) {
        if (key_path)
            return za_error_set(err, ZA_ERR_ARG, "%s is a public model commitment: --model-key "
                                "is only for private ones", commit_path);
        return ZA_OK;
    }
    char *def = NULL;
    if (!key_path) {
        size_t n = strlen(commit_path) + 5;
        if (!(def = malloc(n)))
            return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
        snprintf(def, n, "%s.key", commit_path);
        key_path = def;
    }
    zp_model_key *k = NULL;
    za_status st = zp_model_key_open(key_path, &k, err);
    if (st) {
        za_error_prefix(err, "%s is a private model commitment and needs its key (--model-key)",
                        commit_path);
        free(def);
        return st;
    }
    const zp_model_secret *s = zp_model_key_secret(k);
    if (memcmp(s->model_id, mc->model_id, 32) != 0 ||
        s->budget != mc->weights.params.hiding_openings) {
        st = za_error_set(err, ZA_ERR_MISMATCH, "%s is the key of another model commitment than %s",
                          key_path, commit_path);
        zp_model_key_close(k);
        free(def);
        return st;
    }
    free(def);
    *out = k;
    return ZA_OK;
}
