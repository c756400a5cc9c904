/* buyer/cmd_sample.c - `buyer sample init|draw|check`: the buyer's side of
 * the commit-reveal draw (docs/protocol.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buyer/buyer.h"
#include "buyer/client.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/sha256.h"
#include "datasets/db.h"
#include "datasets/prepare.h"
#include "datasets/request_check.h"
#include "protocol/dataset_commit.h"
#include "protocol/handshake.h"
#include "protocol/model_commit.h"
#include "protocol/private_dataset.h"
#include "protocol/request.h"
#include "protocol/sampling.h"
#include "protocol/stats_plan.h"

static const char usage[] =
    "usage: buyer sample init  (--db FILE --name NAME | --private-dataset C.json)\n"
    "                          --commit M.commit --out OFFER.json\n"
    "                          --secret SECRET.json [--margin E] [--confidence C]\n"
    "                          [--max-samples N] [--stop fixed|confseq|sprt]\n"
    "                          [--threshold T --threshold0 T0] [--beacon-round NAME]\n"
    "                          [--seller URL --token-file F --join-out JOIN.json]\n"
    "       buyer sample draw  (--db FILE | --reveal REVEAL --private-dataset C.json)\n"
    "                          --offer OFFER.json --secret SECRET.json\n"
    "                          (--join JOIN.json | --beacon HEX) --out REQUEST\n"
    "                          [--seller URL --audit ID --token-file F]\n"
    "       buyer sample check --request REQUEST [--db FILE]\n"
    "                          [--offer OFFER.json (--join JOIN.json | --beacon HEX)]\n"
    "\n"
    "init  fixes the audit parameters (defaults: margin 0.05, confidence 0.95,\n"
    "      stop fixed; max samples: the exact hypergeometric plan for the margin\n"
    "      over the dataset's N examples), commits to a fresh random buyer seed,\n"
    "      and writes the offer for the seller (dataset root and size, the model\n"
    "      id of M.commit, the seed commitment) and the secret seed (mode 0600:\n"
    "      keep it).  A missing or invalid proof always counts as wrong.\n"
    "draw  reveals the buyer seed: with the seller's answer (`seller sample join`)\n"
    "      or a beacon value for the round the offer named, derives the sample\n"
    "      seed and the indices, and writes the request: the transcript, the\n"
    "      indices, each example's stored bytes with its inclusion proof, and\n"
    "      the prepared model inputs.  The request carries no labels as such,\n"
    "      but an inclusion proof shows its example's label.\n"
    "      With --seller (the seller's `seller serve`, docs/service.md), init\n"
    "      also sends the offer and writes the seller's join to JOIN.json, and\n"
    "      prints the audit id; draw also sends the request for that audit\n"
    "      (--audit ID), which the seller then proves (`buyer fetch`).  The\n"
    "      bearer token is the first line of F; --cacert CA.pem trusts a CA\n"
    "      (or a self-signed certificate) for https.\n"
    "      Private data (docs/protocol.md): init --private-dataset names the data\n"
    "      holder's private commitment (`seller dataset commit-private`) instead of\n"
    "      an index; after the join, send SECRET.json to the holder, who answers\n"
    "      with the reveal (`seller dataset reveal`); draw --reveal checks it as\n"
    "      `buyer dataset check-reveal` does and builds the request from the\n"
    "      revealed examples (review flow only: a committed-labels reveal hides\n"
    "      the inputs, whose proofs need zero-knowledge proofs, not yet available).\n"
    "check recomputes the indices from a request's transcript and checks every\n"
    "      inclusion proof and input preparation (with --db, also that the root\n"
    "      is the dataset's in FILE; with --offer, that the request is the draw of\n"
    "      that offer with the seller seed of JOIN.json or the beacon value HEX, as\n"
    "      seller prove-batch checks: the transcript alone does not show that the\n"
    "      seeds in it are the ones the parties exchanged).\n"
    "\n"
    "Exit status: 0 done (check: `ok`), 1 failed (check: `not ok`), 2 bad arguments.\n";

static int fail_usage(const char *what)
{
    fprintf(stderr, "buyer sample: %s\n\n%s", what, usage);
    return 2;
}

static int parse_prob(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return end != s && *end == 0;
}

/* ---- init ---- */

static int cmd_init(int argc, char **argv)
{
    enum { O_DB = 1, O_NAME, O_COMMIT, O_OUT, O_SECRET, O_MARGIN, O_CONF, O_MAX, O_STOP,
           O_T, O_T0, O_BEACON, O_SELLER, O_TOKEN, O_JOIN_OUT, O_CACERT, O_PRIVATE };
    static const struct option opts[] = {
        { "db", required_argument, 0, O_DB }, { "name", required_argument, 0, O_NAME },
        { "commit", required_argument, 0, O_COMMIT }, { "out", required_argument, 0, O_OUT },
        { "secret", required_argument, 0, O_SECRET },
        { "margin", required_argument, 0, O_MARGIN },
        { "confidence", required_argument, 0, O_CONF },
        { "max-samples", required_argument, 0, O_MAX }, { "stop", required_argument, 0, O_STOP },
        { "threshold", required_argument, 0, O_T }, { "threshold0", required_argument, 0, O_T0 },
        { "beacon-round", required_argument, 0, O_BEACON },
        { "seller", required_argument, 0, O_SELLER },
        { "token-file", required_argument, 0, O_TOKEN },
        { "join-out", required_argument, 0, O_JOIN_OUT },
        { "cacert", required_argument, 0, O_CACERT },
        { "private-dataset", required_argument, 0, O_PRIVATE }, { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    const char *db_path = NULL, *name = NULL, *commit_path = NULL, *out_path = NULL,
               *secret_path = NULL, *beacon = "", *seller = NULL, *token = NULL,
               *join_out = NULL, *cacert = NULL, *private_path = NULL;
    zp_audit_params p = { 0.95, 0.05, 0, ZP_STOP_FIXED, 0, 0 };
    int ch;
    char *end;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case O_DB: db_path = optarg; break;
        case O_NAME: name = optarg; break;
        case O_COMMIT: commit_path = optarg; break;
        case O_OUT: out_path = optarg; break;
        case O_SECRET: secret_path = optarg; break;
        case O_MARGIN:
            if (!parse_prob(optarg, &p.margin))
                return fail_usage("--margin is not a number");
            break;
        case O_CONF:
            if (!parse_prob(optarg, &p.confidence))
                return fail_usage("--confidence is not a number");
            break;
        case O_MAX:
            p.max_samples = strtoull(optarg, &end, 10);
            if (*end || !*optarg || *optarg == '-')
                return fail_usage("--max-samples is not a whole number");
            break;
        case O_STOP:
            if (!strcmp(optarg, "fixed"))
                p.stop = ZP_STOP_FIXED;
            else if (!strcmp(optarg, "confseq"))
                p.stop = ZP_STOP_CONFSEQ;
            else if (!strcmp(optarg, "sprt"))
                p.stop = ZP_STOP_SPRT;
            else
                return fail_usage("--stop must be fixed, confseq or sprt");
            break;
        case O_T:
            if (!parse_prob(optarg, &p.threshold))
                return fail_usage("--threshold is not a number");
            break;
        case O_T0:
            if (!parse_prob(optarg, &p.threshold0))
                return fail_usage("--threshold0 is not a number");
            break;
        case O_BEACON: beacon = optarg; break;
        case O_SELLER: seller = optarg; break;
        case O_TOKEN: token = optarg; break;
        case O_JOIN_OUT: join_out = optarg; break;
        case O_CACERT: cacert = optarg; break;
        case O_PRIVATE: private_path = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if ((private_path ? db_path || name : !db_path || !name) || !commit_path || !out_path ||
        !secret_path || optind != argc)
        return fail_usage(optind != argc ? "unexpected argument"
                                         : "init needs --db and --name (or --private-dataset), "
                                           "--commit, --out and --secret");
    if (!seller != !token || !seller != !join_out)
        return fail_usage("--seller, --token-file and --join-out go together");
    if (strlen(beacon) >= ZP_MAX_NAME)
        return fail_usage("--beacon-round is too long");
    {
        /* the parameters' own ranges, before anything is read (max_samples
         * may still be 0 here: the plan fills it in) */
        zp_audit_params q = p;
        za_error perr;
        if (!q.max_samples)
            q.max_samples = 1;
        if (zp_audit_params_check(&q, &perr))
            return fail_usage(perr.msg);
    }
    za_error err;
    zd_db *db = NULL;
    zd_dataset ds;
    memset(&ds, 0, sizeof ds);
    zp_model_commitment mc;
    memset(&mc, 0, sizeof mc);
    uint8_t *cbuf = NULL;
    size_t clen = 0;
    char *offer_json = NULL, *secret_json = NULL;
    zb_client client;
    int rc = 1;
    if (seller && zb_client_init(&client, seller, token, cacert, &err))
        goto fail;
    zp_pd_commitment pc;
    if (private_path) {
        /* the holder's private commitment stands in for the index */
        uint8_t *pbuf = NULL;
        size_t plen = 0;
        za_status pst = za_read_file(private_path, ZP_PD_MAX_COMMIT_JSON, &pbuf, &plen, &err);
        if (pst == ZA_OK)
            pst = zp_pd_commitment_parse((const char *)pbuf, plen, private_path, &pc, &err);
        free(pbuf);
        if (pst)
            goto fail;
        if (!(ds.name = strdup(pc.name)) || !(ds.prep = strdup(pc.prep))) {
            za_error_set(&err, ZA_ERR_NOMEM, "out of memory");
            goto fail;
        }
        ds.count = pc.count;
        memcpy(ds.root, pc.root, 32);
        name = pc.name;
    } else if (zd_db_open(db_path, 0, &db, &err) || zd_db_show(db, name, &ds, &err)) {
        goto fail;
    }
    if (za_read_file(commit_path, ZA_MAX_PROOF_BYTES, &cbuf, &clen, &err) ||
        zp_model_commitment_decode(cbuf, clen, commit_path, &mc, &err))
        goto fail;
    if (p.max_samples == 0) {
        /* the exact plan for this test set: the buyer pays per proof */
        if (p.stop == ZP_STOP_SPRT) {
            za_error_set(&err, ZA_ERR_ARG, "--stop sprt needs --max-samples (the most the "
                         "test may draw)");
            goto fail;
        }
        if (zp_plan_samples(ZP_CI_HYPERGEOMETRIC, p.margin, p.confidence, ds.count,
                            ZP_PLAN_WORST_CASE, &p.max_samples, &err))
            goto fail;
    }
    if (p.max_samples > ds.count) {
        za_error_set(&err, ZA_ERR_ARG, "--max-samples %llu is more than the %llu examples of '%s'",
                     (unsigned long long)p.max_samples, (unsigned long long)ds.count, name);
        goto fail;
    }
    zp_offer o;
    zp_secret s;
    memset(&o, 0, sizeof o);
    if (zp_audit_params_format(&p, o.params_text, sizeof o.params_text, &err))
        goto fail;
    o.params = p;
    snprintf(o.dataset_name, sizeof o.dataset_name, "%s", ds.name);
    memcpy(o.dataset_root, ds.root, 32);
    o.dataset_count = ds.count;
    snprintf(o.prep, sizeof o.prep, "%s", ds.prep ? ds.prep : "");
    memcpy(o.model_id, mc.model_id, 32);
    snprintf(o.beacon_round, sizeof o.beacon_round, "%s", beacon);
    if (zp_seed_random(s.buyer_seed, &err))
        goto fail;
    zp_seed_commitment(s.buyer_seed, o.buyer_commitment);
    if (zp_offer_to_json(&o, &offer_json, &err))
        goto fail;
    za_sha256(offer_json, strlen(offer_json), s.offer_sha256);
    if (zp_secret_to_json(&s, &secret_json, &err))
        goto fail;
    /* created private (umask 077), not made private afterwards: the seed must
     * never be readable by others, even for a moment (whoever learns it
     * before the seller answers can choose the seller seed, so the sample) */
    mode_t old_mask = umask(077);
    za_status wst = za_write_file_atomic(secret_path, secret_json, strlen(secret_json), &err);
    umask(old_mask);
    if (wst)
        goto fail;
    if (chmod(secret_path, 0600) != 0) {
        za_error_set(&err, ZA_ERR_IO, "%s: cannot make it private (chmod 0600)", secret_path);
        goto fail;
    }
    if (za_write_file_atomic(out_path, offer_json, strlen(offer_json), &err))
        goto fail;
    printf("audit: %s\n", o.params_text);
    printf("dataset '%s'%s: %llu examples; the sample: %llu examples\n", ds.name,
           private_path ? (pc.variant == ZP_PD_LABELS ? " (private data, committed labels)"
                                                      : " (private data, review flow)")
                        : "",
           (unsigned long long)ds.count, (unsigned long long)p.max_samples);
    printf("wrote %s (send it to the seller) and %s (the secret seed: keep it)\n", out_path,
           secret_path);
    if (seller) {
        char audit_id[33];
        if (zb_remote_join(&client, offer_json, strlen(offer_json), mc.model_id, join_out,
                           audit_id, &err))
            goto fail;
        printf("the seller joined: wrote %s\n", join_out);
        printf("audit id: %s\n", audit_id);
    }
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    free(cbuf), free(offer_json), free(secret_json);
    zp_model_commitment_free(&mc);
    zd_dataset_free(&ds);
    zd_db_close(db);
    return rc;
}

/* ---- draw ---- */

static za_status read_small(const char *path, uint8_t **buf, size_t *len, za_error *err)
{
    return za_read_file(path, 1 << 20, buf, len, err);
}

/* Fill the request's samples from the index: stored bytes, inclusion proofs
 * and prepared inputs. */
static za_status fill_samples(zd_db *db, const zd_dataset *ds, zp_request *rq, za_error *err)
{
    zd_prep prep;
    const char *recipe = rq->prep[0] ? rq->prep : "v1;identity";
    za_status st = zd_prep_parse(recipe, &prep, err);
    if (st != ZA_OK)
        return za_error_prefix(err, "dataset '%s': input preparation", ds->name);
    zp_ds_digest *leaves = NULL;
    uint64_t n_leaves = 0;
    if ((st = zd_db_leaves(db, ds->name, &leaves, &n_leaves, err)) != ZA_OK)
        return st;
    za_progress bar;
    za_progress_start(&bar, "drawing", rq->n, NULL);
    for (uint64_t i = 0; i < rq->n && st == ZA_OK; i++) {
        uint32_t label;
        uint8_t *data = NULL, h[32];
        size_t len = 0;
        if ((st = zd_db_example(db, ds->name, rq->indices[i], &label, &data, &len, h, err)))
            break;
        if (len != rq->stored_len) {
            free(data);
            st = za_error_set(err, ZA_ERR_MALFORMED, "example %llu has %zu bytes, not %zu",
                              (unsigned long long)rq->indices[i], len, rq->stored_len);
            break;
        }
        memcpy(rq->stored + i * rq->stored_len, data, len);
        free(data);
        zp_ds_proof pr;
        uint8_t enc[ZP_MAX_INCLUSION_BYTES];
        size_t elen = 0;
        if ((st = zp_ds_prove(leaves, n_leaves, rq->indices[i], label, h, &pr, err)) ||
            !(elen = zp_ds_proof_encode(&pr, enc, sizeof enc))) {
            if (st == ZA_OK)
                st = za_error_set(err, ZA_ERR_LIMIT, "inclusion proof too large");
            break;
        }
        if ((st = zp_request_set_inclusion(rq, i, enc, elen, err)) ||
            (st = zd_prep_apply(&prep, rq->stored + i * rq->stored_len, rq->stored_rank,
                                rq->stored_shape, rq->inputs + i * rq->input_len, rq->input_len,
                                err)))
            break;
        za_progress_update(&bar, i + 1);
    }
    za_progress_finish(&bar);
    free(leaves);
    return st;
}

/* draw --reveal: the request of the review flow, from the holder's reveal
 * (checked as `buyer dataset check-reveal` does): the revealed stored bytes,
 * their private inclusion proofs (opened: with the input salt) and the
 * prepared inputs.  Returns 0, 1 on an error (err set), 3 when the reveal is
 * of the committed-labels flow (message printed): its inputs are hidden. */
static int draw_private(const zp_offer *o, const uint8_t *obuf, size_t olen,
                        const zp_secret *s, const zp_join *j, const uint8_t *beacon,
                        size_t blen, zp_sample_transcript *t, const char *reveal_path,
                        const char *private_path, zp_request *rq, za_error *err)
{
    uint8_t *cbuf = NULL, *rbuf = NULL;
    size_t clen = 0, rlen = 0;
    zp_pd_commitment c;
    zp_pd_reveal r;
    memset(&r, 0, sizeof r);
    int rc = 1;
    zp_sample_transcript rt;
    if (za_read_file(private_path, ZP_PD_MAX_COMMIT_JSON, &cbuf, &clen, err) ||
        zp_pd_commitment_parse((const char *)cbuf, clen, private_path, &c, err) ||
        za_read_file(reveal_path, ZA_MAX_REQUEST_BYTES, &rbuf, &rlen, err) ||
        zp_pd_reveal_decode(rbuf, rlen, reveal_path, &r, err) ||
        zp_pd_reveal_check_draw(&r, &c, obuf, olen, o, j, beacon, blen, &rt, err))
        goto out;
    if (memcmp(r.buyer_seed, s->buyer_seed, 32)) {
        za_error_set(err, ZA_ERR_MISMATCH, "%s reveals another buyer seed than the secret's",
                     reveal_path);
        goto out;
    }
    if (r.variant == ZP_PD_LABELS || !r.opened) {
        fprintf(stderr, "buyer sample: %s is a committed-labels reveal: it is valid (%llu "
                "labels of the draw), but proving the predictions on its hidden inputs needs "
                "hidden-input proofs, which need zero-knowledge proofs, not yet available; "
                "no request written\n", reveal_path, (unsigned long long)r.n);
        printf("refused: hidden-input proofs need zero-knowledge proofs, not yet available\n");
        rc = 3;
        goto out;
    }
    size_t stored_len = zp_pd_commitment_example_bytes(&c);
    zd_prep prep;
    const char *recipe = o->prep[0] ? o->prep : "v1;identity";
    if (zd_prep_parse(recipe, &prep, err) ||
        zp_request_alloc(rq, r.n, stored_len, stored_len, err))
        goto out;
    memcpy(rq->params_text, o->params_text, sizeof rq->params_text);
    rq->params = o->params;
    memcpy(rq->dataset_name, o->dataset_name, sizeof rq->dataset_name);
    memcpy(rq->buyer_commitment, o->buyer_commitment, 32);
    memcpy(rq->prep, o->prep, sizeof rq->prep);
    rq->stored_rank = c.rank;
    memcpy(rq->stored_shape, c.shape, sizeof(uint32_t) * c.rank);
    rq->transcript = rt;
    *t = rt;
    for (uint64_t i = 0; i < r.n; i++) {
        uint8_t enc[ZP_MAX_INCLUSION_BYTES];
        size_t elen = zp_pd_proof_encode(&r.proofs[i], enc, sizeof enc);
        rq->indices[i] = r.indices[i];
        memcpy(rq->stored + i * stored_len, r.stored + i * stored_len, stored_len);
        if (!elen) {
            za_error_set(err, ZA_ERR_LIMIT, "inclusion proof too large");
            goto out;
        }
        if (zp_request_set_inclusion(rq, i, enc, elen, err) ||
            zd_prep_apply(&prep, rq->stored + i * stored_len, rq->stored_rank, rq->stored_shape,
                          rq->inputs + i * stored_len, stored_len, err))
            goto out;
    }
    rc = 0;
out:
    free(cbuf);
    free(rbuf);
    zp_pd_reveal_free(&r);
    return rc;
}

static int cmd_draw(int argc, char **argv)
{
    enum { O_DB = 1, O_OFFER, O_SECRET, O_JOIN, O_BEACON, O_OUT, O_SELLER, O_AUDIT, O_TOKEN,
           O_CACERT, O_REVEAL, O_PRIVATE };
    static const struct option opts[] = {
        { "db", required_argument, 0, O_DB }, { "offer", required_argument, 0, O_OFFER },
        { "secret", required_argument, 0, O_SECRET }, { "join", required_argument, 0, O_JOIN },
        { "beacon", required_argument, 0, O_BEACON }, { "out", required_argument, 0, O_OUT },
        { "seller", required_argument, 0, O_SELLER }, { "audit", required_argument, 0, O_AUDIT },
        { "token-file", required_argument, 0, O_TOKEN },
        { "cacert", required_argument, 0, O_CACERT },
        { "reveal", required_argument, 0, O_REVEAL },
        { "private-dataset", required_argument, 0, O_PRIVATE },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    const char *db_path = NULL, *offer_path = NULL, *secret_path = NULL, *join_path = NULL,
               *beacon_hex = NULL, *out_path = NULL, *seller = NULL, *audit = NULL,
               *token = NULL, *cacert = NULL, *reveal_path = NULL, *private_path = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case O_DB: db_path = optarg; break;
        case O_OFFER: offer_path = optarg; break;
        case O_SECRET: secret_path = optarg; break;
        case O_JOIN: join_path = optarg; break;
        case O_BEACON: beacon_hex = optarg; break;
        case O_OUT: out_path = optarg; break;
        case O_SELLER: seller = optarg; break;
        case O_AUDIT: audit = optarg; break;
        case O_TOKEN: token = optarg; break;
        case O_CACERT: cacert = optarg; break;
        case O_REVEAL: reveal_path = optarg; break;
        case O_PRIVATE: private_path = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (!reveal_path != !private_path || (reveal_path && db_path))
        return fail_usage("draw: --reveal and --private-dataset go together, instead of --db");
    if (reveal_path)
        db_path = reveal_path; /* for the check below: one data source is given */
    if (!db_path || !offer_path || !secret_path || !out_path || optind != argc ||
        !join_path == !beacon_hex)
        return fail_usage(optind != argc ? "unexpected argument"
                                         : "draw needs --db, --offer, --secret, --out and one of "
                                           "--join or --beacon");
    if (!seller != !audit || !seller != !token)
        return fail_usage("--seller, --audit and --token-file go together");
    za_error err;
    uint8_t *obuf = NULL, *sbuf = NULL, *jbuf = NULL, *req = NULL, *beacon = NULL;
    size_t olen = 0, slen = 0, jlen = 0, rlen = 0;
    zd_db *db = NULL;
    zd_dataset ds;
    memset(&ds, 0, sizeof ds);
    zp_request rq;
    memset(&rq, 0, sizeof rq);
    zp_offer o;
    zp_secret s;
    zp_join j;
    uint8_t offer_hash[32];
    zb_client client;
    int rc = 1;
    if (seller && zb_client_init(&client, seller, token, cacert, &err))
        goto fail;
    if (read_small(offer_path, &obuf, &olen, &err) ||
        zp_offer_parse((const char *)obuf, olen, offer_path, &o, &err) ||
        read_small(secret_path, &sbuf, &slen, &err) ||
        zp_secret_parse((const char *)sbuf, slen, secret_path, &s, &err))
        goto fail;
    za_sha256(obuf, olen, offer_hash);
    if (memcmp(offer_hash, s.offer_sha256, 32)) {
        za_error_set(&err, ZA_ERR_MISMATCH, "%s is the secret of another offer than %s",
                     secret_path, offer_path);
        goto fail;
    }
    zp_sample_transcript t;
    memset(&t, 0, sizeof t);
    if (join_path) {
        if (read_small(join_path, &jbuf, &jlen, &err) ||
            zp_join_parse((const char *)jbuf, jlen, join_path, &j, &err))
            goto fail;
        if (memcmp(j.offer_sha256, offer_hash, 32) || memcmp(j.model_id, o.model_id, 32)) {
            za_error_set(&err, ZA_ERR_MISMATCH, "%s answers another offer (or model) than %s",
                         join_path, offer_path);
            goto fail;
        }
        memcpy(t.seller_seed, j.seller_seed, 32);
    } else {
        size_t hl = strlen(beacon_hex);
        if (!o.beacon_round[0]) {
            za_error_set(&err, ZA_ERR_ARG, "%s names no beacon round: a beacon must be fixed "
                         "in the offer, before the seeds (use --join)", offer_path);
            goto fail;
        }
        if (hl == 0 || hl % 2 || hl > 2048 || !(beacon = malloc(hl / 2)) ||
            za_hex_decode(beacon_hex, beacon, hl / 2, &err)) {
            za_error_set(&err, ZA_ERR_ARG, "--beacon must be 1..1024 bytes of hex");
            goto fail;
        }
        t.use_beacon = 1;
        za_sha256(beacon, hl / 2, t.beacon_hash);
    }
    if (reveal_path) {
        rc = draw_private(&o, obuf, olen, &s, join_path ? &j : NULL, beacon,
                          beacon_hex ? strlen(beacon_hex) / 2 : 0, &t, reveal_path,
                          private_path, &rq, &err);
        if (rc == 3) { /* refused (the message is printed): no request */
            rc = 1;
            goto done;
        }
        if (rc)
            goto fail;
        rc = 1;
        goto encode;
    }
    /* the dataset must still be the committed one */
    if (zd_db_open(db_path, 0, &db, &err) || zd_db_show(db, o.dataset_name, &ds, &err))
        goto fail;
    if (memcmp(ds.root, o.dataset_root, 32) || ds.count != o.dataset_count) {
        za_error_set(&err, ZA_ERR_MISMATCH, "dataset '%s' in %s is not the one the offer "
                     "committed to (root or size changed)", o.dataset_name, db_path);
        goto fail;
    }
    size_t stored_len = 1;
    for (unsigned k = 0; k < ds.rank; k++)
        stored_len *= ds.shape[k];
    if (ds.rank < 1 || ds.rank > ZP_MAX_RANK) {
        za_error_set(&err, ZA_ERR_UNSUPPORTED, "dataset '%s': examples of rank %u",
                     o.dataset_name, ds.rank);
        goto fail;
    }
    if (zp_request_alloc(&rq, o.params.max_samples, stored_len, stored_len, &err))
        goto fail;
    memcpy(rq.params_text, o.params_text, sizeof rq.params_text);
    rq.params = o.params;
    memcpy(rq.dataset_name, o.dataset_name, sizeof rq.dataset_name);
    memcpy(rq.buyer_commitment, o.buyer_commitment, 32);
    memcpy(rq.prep, o.prep, sizeof rq.prep);
    rq.stored_rank = ds.rank;
    memcpy(rq.stored_shape, ds.shape, sizeof(uint32_t) * ds.rank);
    memcpy(t.dataset_root, o.dataset_root, 32);
    t.dataset_count = o.dataset_count;
    memcpy(t.model_id, o.model_id, 32);
    memcpy(t.buyer_seed, s.buyer_seed, 32);
    if (zp_audit_params_hash(&o.params, t.params_hash, &err))
        goto fail;
    rq.transcript = t;
    uint8_t seed[32];
    zp_sample_seed(&t, seed);
    if (zp_sample_indices(seed, t.dataset_count, rq.n, rq.indices, &err) ||
        fill_samples(db, &ds, &rq, &err))
        goto fail;
encode:
    zp_sample_seed(&t, seed);
    if (zp_request_encode(&rq, &req, &rlen, &err) ||
        za_write_file_atomic(out_path, req, rlen, &err))
        goto fail;
    uint8_t id[32], ih[32];
    char a[65], b[65], c[65];
    zp_request_id(req, rlen, id);
    zp_indices_hash(rq.indices, rq.n, ih);
    za_hex_encode(seed, 32, a);
    za_hex_encode(ih, 32, b);
    za_hex_encode(id, 32, c);
    printf("sample seed: %s\n", a);
    printf("indices: %llu of %llu (hash %s)\n", (unsigned long long)rq.n,
           (unsigned long long)t.dataset_count, b);
    printf("wrote %s (%zu bytes, request id %s): send it to the seller\n", out_path, rlen, c);
    if (seller) {
        uint64_t batches = 0;
        if (zb_remote_submit(&client, audit, req, rlen, &batches, &err))
            goto fail;
        printf("sent the request: the seller queued audit %s (%llu batch%s to prove); "
               "`buyer fetch` waits for the bundle\n", audit, (unsigned long long)batches,
               batches == 1 ? "" : "es");
    }
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    free(obuf), free(sbuf), free(jbuf), free(req), free(beacon);
    zp_request_free(&rq);
    zd_dataset_free(&ds);
    zd_db_close(db);
    return rc;
}

/* ---- check ---- */

static int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        { "request", required_argument, 0, 'r' }, { "db", required_argument, 0, 'd' },
        { "offer", required_argument, 0, 'f' }, { "join", required_argument, 0, 'j' },
        { "beacon", required_argument, 0, 'B' }, { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    const char *req_path = NULL, *db_path = NULL, *offer_path = NULL, *join_path = NULL,
               *beacon_hex = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'r': req_path = optarg; break;
        case 'd': db_path = optarg; break;
        case 'f': offer_path = optarg; break;
        case 'j': join_path = optarg; break;
        case 'B': beacon_hex = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (!req_path || optind != argc)
        return fail_usage(optind != argc ? "unexpected argument" : "check needs --request");
    if (offer_path ? !join_path == !beacon_hex : join_path || beacon_hex)
        return fail_usage("check: --offer goes with one of --join or --beacon");
    za_error err;
    uint8_t *buf = NULL, *obuf = NULL, *jbuf = NULL, *beacon = NULL;
    size_t len = 0, olen = 0, jlen = 0, blen = 0;
    zp_request rq;
    memset(&rq, 0, sizeof rq);
    zd_db *db = NULL;
    zd_dataset ds;
    memset(&ds, 0, sizeof ds);
    int rc = 1;
    if (za_read_file(req_path, ZA_MAX_REQUEST_BYTES, &buf, &len, &err) ||
        zp_request_decode(buf, len, req_path, &rq, &err) || zd_check_request(&rq, &err))
        goto fail;
    if (offer_path) {
        zp_offer o;
        zp_join j;
        if (read_small(offer_path, &obuf, &olen, &err) ||
            zp_offer_parse((const char *)obuf, olen, offer_path, &o, &err) ||
            (join_path && (read_small(join_path, &jbuf, &jlen, &err) ||
                           zp_join_parse((const char *)jbuf, jlen, join_path, &j, &err))))
            goto fail;
        if (beacon_hex) {
            size_t hl = strlen(beacon_hex);
            blen = hl / 2;
            if (hl == 0 || hl % 2 || hl > 2048 || !(beacon = malloc(blen)) ||
                za_hex_decode(beacon_hex, beacon, blen, &err)) {
                za_error_set(&err, ZA_ERR_ARG, "--beacon must be 1..1024 bytes of hex");
                goto fail;
            }
        }
        if (zp_request_check_handshake(&rq, obuf, olen, &o, join_path ? &j : NULL, beacon,
                                       blen, &err)) {
            za_error_prefix(&err, "%s", req_path);
            goto fail;
        }
    }
    if (db_path) {
        if (zd_db_open(db_path, 0, &db, &err) || zd_db_show(db, rq.dataset_name, &ds, &err))
            goto fail;
        if (memcmp(ds.root, rq.transcript.dataset_root, 32) ||
            ds.count != rq.transcript.dataset_count) {
            za_error_set(&err, ZA_ERR_MISMATCH, "the request's dataset root is not that of "
                         "'%s' in %s", rq.dataset_name, db_path);
            goto fail;
        }
    }
    uint8_t seed[32], ih[32];
    char a[65], b[65];
    zp_request_seed(&rq, seed);
    zp_indices_hash(rq.indices, rq.n, ih);
    za_hex_encode(seed, 32, a);
    za_hex_encode(ih, 32, b);
    printf("%s: %llu samples of dataset '%s'; the transcript draws exactly these indices\n",
           req_path, (unsigned long long)rq.n, rq.dataset_name);
    printf("sample seed %s, indices hash %s\n", a, b);
    printf("every inclusion proof and input preparation checks out%s\n",
           db_path ? ", and the root is the dataset's" : "");
    if (offer_path)
        printf("it is the draw of %s with the %s\n", offer_path,
               join_path ? "join's seller seed" : "beacon value");
    printf("ok\n");
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
    printf("not ok\n");
done:
    free(buf), free(obuf), free(jbuf), free(beacon);
    zp_request_free(&rq);
    zd_dataset_free(&ds);
    zd_db_close(db);
    return rc;
}

int zb_cmd_sample(int argc, char **argv)
{
    if (argc < 2)
        return fail_usage("expected init, draw or check");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "init"))
        return cmd_init(argc - 1, argv + 1);
    if (!strcmp(argv[1], "draw"))
        return cmd_draw(argc - 1, argv + 1);
    if (!strcmp(argv[1], "check"))
        return cmd_check(argc - 1, argv + 1);
    return fail_usage("expected init, draw or check");
}
