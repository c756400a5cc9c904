/* seller/cmd_prove_batch.c - `seller prove-batch`: prove every sample of an
 * audit request, batch by batch, into a resumable bundle. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/hex.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/parallel.h"
#include "common/progress.h"
#include "model/model.h"
#include "datasets/request_check.h"
#include "protocol/bundle.h"
#include "protocol/handshake.h"
#include "protocol/infer_proof.h"
#include "protocol/model_commit.h"
#include "protocol/request.h"
#include "seller/seller.h"

static const char usage[] =
    "usage: seller prove-batch --request R --offer OFFER.json (--join JOIN.json | --beacon HEX)\n"
    "                          --model M.tflite --commit M.commit --out BUNDLE\n"
    "                          [--batch-size B] [--threads T] [--shard K/N]\n"
    "\n"
    "Prove every sample of an audit request (from `buyer sample draw`) with the\n"
    "committed model, B samples per proof (default 8), into BUNDLE, a SQLite\n"
    "file that is also the journal: each finished batch is committed on its own,\n"
    "so a run that is killed loses only the batch in progress, and running the\n"
    "same command again proves only what is missing (nothing is proven twice).\n"
    "Before proving, the request is checked: its transcript, that it is the draw\n"
    "of OFFER.json with the seller seed of JOIN.json (from `seller sample join`),\n"
    "every sample's inclusion in the committed dataset and its input preparation.\n"
    "\n"
    "  --join JOIN.json\n"
    "                  the seller's answer to the offer: the request must use its\n"
    "                  seller seed\n"
    "  --beacon HEX    instead of --join, when the seller never answered: the value\n"
    "                  of the beacon round the offer named, which the request must use\n"
    "  --batch-size B  samples per proof (1..4096, default 8); a bundle keeps the\n"
    "                  batch size it was started with\n"
    "  --threads T     prover threads (default: all cores)\n"
    "  --shard K/N     prove only batches k with k mod N = K (0 <= K < N), e.g. N\n"
    "                  processes filling one BUNDLE on one machine (there is no\n"
    "                  command yet to merge bundles filled on different machines)\n"
    "\n"
    "The proofs are sound but NOT zero-knowledge yet: their messages depend on\n"
    "the weights (docs/proof-system.md).\n";

static int parse_shard(const char *s, unsigned *k, unsigned *n)
{
    char *end;
    unsigned long a = strtoul(s, &end, 10);
    if (end == s || *end != '/')
        return 0;
    const char *t = end + 1;
    unsigned long b = strtoul(t, &end, 10);
    if (end == t || *end || b == 0 || b > 100000 || a >= b)
        return 0;
    *k = (unsigned)a;
    *n = (unsigned)b;
    return 1;
}

int zs_cmd_prove_batch(int argc, char **argv)
{
    static const struct option opts[] = {
        { "request", required_argument, 0, 'r' }, { "model", required_argument, 0, 'm' },
        { "commit", required_argument, 0, 'c' }, { "out", required_argument, 0, 'o' },
        { "batch-size", required_argument, 0, 'b' }, { "threads", required_argument, 0, 't' },
        { "shard", required_argument, 0, 's' }, { "offer", required_argument, 0, 'f' },
        { "join", required_argument, 0, 'j' }, { "beacon", required_argument, 0, 'B' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    const char *req_path = NULL, *model_path = NULL, *commit_path = NULL, *out_path = NULL,
               *offer_path = NULL, *join_path = NULL, *beacon_hex = NULL;
    unsigned batch_size = 8, shard_k = 0, shard_n = 1;
    int threads = 0, ch;
    char *end;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'r': req_path = optarg; break;
        case 'm': model_path = optarg; break;
        case 'c': commit_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'f': offer_path = optarg; break;
        case 'j': join_path = optarg; break;
        case 'B': beacon_hex = optarg; break;
        case 'b': {
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || v < 1 || v > ZP_BUNDLE_MAX_BATCH) {
                fprintf(stderr, "seller prove-batch: --batch-size must be 1..%d\n",
                        ZP_BUNDLE_MAX_BATCH);
                return 2;
            }
            batch_size = (unsigned)v;
            break;
        }
        case 't':
            threads = (int)strtol(optarg, &end, 10);
            if (*end || threads < 1 || threads > 1024) {
                fprintf(stderr, "seller prove-batch: --threads must be 1..1024\n");
                return 2;
            }
            break;
        case 's':
            if (!parse_shard(optarg, &shard_k, &shard_n)) {
                fprintf(stderr, "seller prove-batch: --shard must be K/N with 0 <= K < N\n");
                return 2;
            }
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (!req_path || !offer_path || !join_path == !beacon_hex || !model_path || !commit_path ||
        !out_path || optind != argc) {
        fprintf(stderr, "seller prove-batch: %s\n\n%s",
                optind != argc ? "unexpected argument"
                               : "--request, --offer, --model, --commit, --out and one of --join "
                                 "or --beacon are required",
                usage);
        return 2;
    }
    za_error err;
    zm_model *m = NULL;
    zp_model_commitment mc;
    zp_request rq;
    zp_bundle *bundle = NULL;
    memset(&mc, 0, sizeof mc);
    memset(&rq, 0, sizeof rq);
    uint8_t *cbuf = NULL, *rbuf = NULL, *proof = NULL, *obuf = NULL, *jbuf = NULL,
            *beacon = NULL;
    size_t clen = 0, rlen = 0, plen = 0, olen = 0, jlen = 0, blen = 0;
    zp_offer offer;
    zp_join join;
    int rc = 1;
    if (za_read_file(commit_path, ZA_MAX_PROOF_BYTES, &cbuf, &clen, &err) ||
        zp_model_commitment_decode(cbuf, clen, commit_path, &mc, &err) ||
        za_read_file(req_path, ZA_MAX_REQUEST_BYTES, &rbuf, &rlen, &err) ||
        zp_request_decode(rbuf, rlen, req_path, &rq, &err) ||
        za_read_file(offer_path, 1 << 20, &obuf, &olen, &err) ||
        zp_offer_parse((const char *)obuf, olen, offer_path, &offer, &err) ||
        (join_path && (za_read_file(join_path, 1 << 20, &jbuf, &jlen, &err) ||
                       zp_join_parse((const char *)jbuf, jlen, join_path, &join, &err))))
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
    /* the buyer must not choose the seeds: the request must be the draw of
     * the offer this seller joined, with this seller's seed */
    if (zp_request_check_handshake(&rq, obuf, olen, &offer, join_path ? &join : NULL,
                                   beacon, blen, &err)) {
        za_error_prefix(&err, "%s", req_path);
        goto fail;
    }
    if (memcmp(rq.transcript.model_id, mc.model_id, 32)) {
        char a[65], b[65];
        za_hex_encode(rq.transcript.model_id, 32, a);
        za_hex_encode(mc.model_id, 32, b);
        za_error_set(&err, ZA_ERR_MISMATCH,
                     "the request is for model %s, but %s commits to model %s", a, commit_path, b);
        goto fail;
    }
    /* the seller proves only inputs that are in the committed dataset */
    if (zd_check_request(&rq, &err))
        goto fail;
    if (zm_model_load_file(model_path, &m, &err))
        goto fail;
    /* an nchw recipe transposes by the shape the request states: it must be the model's */
    if (zd_check_request_model(&rq, m, &err))
        goto fail;
    size_t in_bytes = 0;
    for (int k = 0; k < m->n_inputs; k++)
        in_bytes += (size_t)m->tensors[m->inputs[k]].n_bytes;
    if (rq.input_len != in_bytes) {
        za_error_set(&err, ZA_ERR_MISMATCH,
                     "the request's inputs are %zu bytes per sample, %s takes %zu", rq.input_len,
                     model_path, in_bytes);
        goto fail;
    }
    uint8_t request_id[32];
    zp_request_id(rbuf, rlen, request_id);
    if (zp_bundle_open_write(out_path, request_id, mc.model_id, rq.n, batch_size, &bundle, &err))
        goto fail;
    zp_bundle_info info;
    if (zp_bundle_get_info(bundle, &info, &err))
        goto fail;
    /* what this run has to do */
    uint64_t todo_samples = 0, todo_batches = 0, skipped = 0;
    for (uint64_t k = shard_k; k < info.n_batches; k += shard_n) {
        int have = zp_bundle_has_batch(bundle, k, &err);
        if (have < 0)
            goto fail;
        if (have) {
            skipped++;
            continue;
        }
        uint64_t first = k * batch_size;
        todo_samples += rq.n - first < batch_size ? rq.n - first : batch_size;
        todo_batches++;
    }
    if (skipped)
        za_log_info("resuming %s: %llu batch%s already proven, %llu to go", out_path,
                    (unsigned long long)skipped, skipped == 1 ? "" : "es",
                    (unsigned long long)todo_batches);
    za_progress bar;
    za_progress_start(&bar, "proving", todo_samples, NULL);
    /* the prover's per-phase lines are for one proof; here the bar tells
     * the story (and -v still shows them) */
    za_log_level level = za_log_threshold();
    if (level == ZA_LOG_INFO)
        za_log_init("seller", ZA_LOG_WARN);
    uint64_t done = 0, batches_now = 0;
    double cpu_total = 0, wall_total = 0;
    for (uint64_t k = shard_k; k < info.n_batches; k += shard_n) {
        int have = zp_bundle_has_batch(bundle, k, &err);
        if (have < 0)
            goto fail;
        if (have) /* proven meanwhile by another shard process */
            continue;
        uint64_t first = k * batch_size;
        unsigned count = (unsigned)(rq.n - first < batch_size ? rq.n - first : batch_size);
        double c0 = za_cpu_s(), w0 = za_now_s();
        zp_prove_stats S;
        if (zp_prove(m, &mc, count, rq.inputs + first * in_bytes, in_bytes * count, threads,
                     NULL, &proof, &plen, &S, &err))
            goto fail;
        zp_bundle_batch bt = { k, first, count, proof, plen, za_cpu_s() - c0, za_now_s() - w0,
                               threads > 0 ? threads : za_default_threads() };
        za_status st = zp_bundle_put_batch(bundle, &bt, &err);
        if (st == ZA_ERR_MISMATCH && zp_bundle_has_batch(bundle, k, &err) == 1) {
            /* another shard process finished the same batch first: keep its proof */
            st = ZA_OK;
        }
        if (st)
            goto fail;
        free(proof);
        proof = NULL;
        cpu_total += bt.cpu_s;
        wall_total += bt.wall_s;
        done += count;
        batches_now++;
        za_progress_update(&bar, done);
    }
    za_progress_finish(&bar);
    za_log_init("seller", level);
    if (zp_bundle_get_info(bundle, &info, &err))
        goto fail;
    printf("proved %llu sample%s in %llu batch%s (%.2f s, %.3f CPU-s per sample); "
           "skipped %llu batch%s already proven\n",
           (unsigned long long)done, done == 1 ? "" : "s", (unsigned long long)batches_now,
           batches_now == 1 ? "" : "es", wall_total, done ? cpu_total / (double)done : 0.0,
           (unsigned long long)skipped, skipped == 1 ? "" : "es");
    printf("bundle %s: %llu of %llu batches present%s\n", out_path,
           (unsigned long long)info.batches_present, (unsigned long long)info.n_batches,
           info.batches_present == info.n_batches ? " (complete)" : "");
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    zp_bundle_close(bundle);
    free(cbuf), free(rbuf), free(proof), free(obuf), free(jbuf), free(beacon);
    zp_request_free(&rq);
    zp_model_commitment_free(&mc);
    zm_model_free(m);
    return rc;
}
