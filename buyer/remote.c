/* buyer/remote.c - the audit steps that talk to the seller's service:
 * the join and the request's submission (buyer/client.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer/client.h"
#include "common/file.h"
#include "common/sha256.h"
#include "protocol/handshake.h"

za_status zb_remote_join(const zb_client *c, const char *offer_json, size_t len,
                         const uint8_t model_id[32], const char *join_out, char audit_id[33],
                         za_error *err)
{
    json_t *ans = NULL;
    char *text = NULL;
    za_status st = zb_client_json(c, "POST", "/v1/audits", offer_json, len, "application/json",
                                  NULL, &ans, err);
    if (st)
        return st;
    const char *id = json_string_value(json_object_get(ans, "audit"));
    json_t *jj = json_object_get(ans, "join");
    zp_join jn;
    uint8_t h[32];
    if (!id || strlen(id) != 32 || strspn(id, "0123456789abcdef") != 32 || !json_is_object(jj)) {
        st = za_error_set(err, ZA_ERR_MALFORMED, "%s/v1/audits: the answer needs \"audit\" "
                          "(32 hex digits) and \"join\"", c->base);
        goto done;
    }
    if (!(text = json_dumps(jj, JSON_INDENT(2) | JSON_PRESERVE_ORDER))) {
        st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((st = zp_join_parse(text, strlen(text), "the seller's join", &jn, err)))
        goto done;
    za_sha256(offer_json, len, h);
    if (memcmp(jn.offer_sha256, h, 32) || memcmp(jn.model_id, model_id, 32)) {
        st = za_error_set(err, ZA_ERR_MISMATCH, "the seller's join answers another offer (or "
                          "model) than the one sent");
        goto done;
    }
    if ((st = za_write_file_atomic(join_out, text, strlen(text), err)))
        goto done;
    memcpy(audit_id, id, 33);
done:
    free(text);
    json_decref(ans);
    return st;
}

za_status zb_remote_submit(const zb_client *c, const char *audit, const uint8_t *req,
                           size_t len, uint64_t *batches, za_error *err)
{
    char path[128];
    if (strlen(audit) != 32 || strspn(audit, "0123456789abcdef") != 32)
        return za_error_set(err, ZA_ERR_ARG, "--audit must be the 32 hex digits of an audit id");
    snprintf(path, sizeof path, "/v1/audits/%s/request", audit);
    json_t *ans = NULL;
    za_status st = zb_client_json(c, "POST", path, req, len, "application/octet-stream", NULL,
                                  &ans, err);
    if (st)
        return st;
    *batches = (uint64_t)json_integer_value(json_object_get(ans, "batches_total"));
    json_decref(ans);
    return ZA_OK;
}
