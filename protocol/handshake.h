/* protocol/handshake.h - the small messages of the commit-reveal steps
 * (docs/protocol.md), as JSON files both parties can read.
 *
 *   offer  (buyer -> seller, `buyer sample init`): the audit parameters, the
 *          committed dataset (name, root, count, input preparation), the
 *          seller's model id, the buyer's seed commitment, and optionally
 *          the name of a public randomness-beacon round fixed in advance;
 *   join   (seller -> buyer, `seller sample join`): the SHA-256 of the offer
 *          it answers, the model id again, and the seller's random seed;
 *   secret (kept by the buyer): the buyer seed and the offer's SHA-256.
 *
 * Parsing is strict: every field must be present with the right type and
 * length, hex digests are 64 lowercase hex digits, the parameters must be
 * canonical.  Messages name the file and the field.
 */
#ifndef ZP_HANDSHAKE_H
#define ZP_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "protocol/request.h"
#include "protocol/sampling.h"

typedef struct {
    char params_text[ZP_AUDIT_PARAMS_TEXT_MAX];
    zp_audit_params params;
    char dataset_name[ZP_MAX_NAME];
    uint8_t dataset_root[32];
    uint64_t dataset_count;
    char prep[ZP_MAX_PREP];
    uint8_t model_id[32];
    uint8_t buyer_commitment[32];
    char beacon_round[ZP_MAX_NAME]; /* "" unless a beacon replaces the seller's seed */
} zp_offer;

typedef struct {
    uint8_t offer_sha256[32];
    uint8_t model_id[32];
    uint8_t seller_seed[32];
} zp_join;

typedef struct {
    uint8_t offer_sha256[32];
    uint8_t buyer_seed[32];
} zp_secret;

/* JSON text (caller frees with free()). */
za_status zp_offer_to_json(const zp_offer *o, char **out, za_error *err) ZA_WARN_UNUSED;
za_status zp_join_to_json(const zp_join *j, char **out, za_error *err) ZA_WARN_UNUSED;
za_status zp_secret_to_json(const zp_secret *s, char **out, za_error *err) ZA_WARN_UNUSED;

/* name labels error messages (e.g. the file path). */
za_status zp_offer_parse(const char *json, size_t len, const char *name, zp_offer *o,
                         za_error *err) ZA_WARN_UNUSED;
za_status zp_join_parse(const char *json, size_t len, const char *name, zp_join *j,
                        za_error *err) ZA_WARN_UNUSED;
za_status zp_secret_parse(const char *json, size_t len, const char *name, zp_secret *s,
                          za_error *err) ZA_WARN_UNUSED;

/* The seller's check, before proving, that a request is the draw of the
 * offer it received: the request's parameters, dataset (name, root, count,
 * input preparation), model id and buyer seed commitment are the offer's
 * (o, parsed from offer_bytes, the file as received); and either
 *   - j (the seller's join) is given: offer_bytes hash to its offer_sha256,
 *     and the request uses its seller seed (not a beacon); or
 *   - j is NULL (the seller never answered): the request uses a beacon, the
 *     offer named a beacon round, and the beacon hash is SHA-256 of
 *     `beacon` (the round's value as the seller obtained it).
 * Without this the buyer could write any seeds into the request and choose
 * the sample.  ZA_OK or ZA_ERR_MISMATCH naming what differs. */
za_status zp_request_check_handshake(const zp_request *rq, const uint8_t *offer_bytes,
                                     size_t offer_len, const zp_offer *o, const zp_join *j,
                                     const uint8_t *beacon, size_t beacon_len,
                                     za_error *err) ZA_WARN_UNUSED;

#endif
