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
#include "model/model.h"
#include "protocol/bundle.h"
#include "protocol/handshake.h"
#include "protocol/model_commit.h"
#include "seller/prove_batch.h"
#include "protocol/request.h"
#include "seller/model_key_cli.h"
#include "seller/prove_batch_mpi.h"
#include "seller/seller.h"

static const char usage[] =
    "usage: seller prove-batch --request R --offer OFFER.json (--join JOIN.json | --beacon HEX)\n"
    "                          --model M.tflite --commit M.commit --out BUNDLE\n"
    "                          [--batch-size B] [--threads T] [--shard K/N]\n"
    "                          [--model-key K] [--blinded]\n"
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
    "  --batch-size B  samples per proof (1..4096, default 8); a bundle keeps the\n"
    "                  batch size it was started with\n"
    "  --threads T     prover threads (default: all cores)\n"
    "  --join JOIN.json\n"
    "                  the seller's answer to the offer: the request must use its\n"
    "                  seller seed\n"
    "  --beacon HEX    instead of --join, when the seller never answered: the value\n"
    "                  of the beacon round the offer named, which the request must use\n"
    "  --shard K/N     prove only batches k with k mod N = K (0 <= K < N), e.g. for\n"
    "                  N machines; merge their bundles with `seller merge`\n"
    "  --model-key K   a private commitment's key (default: M.commit.key)\n"
    "  --blinded       on a public commitment, blinded proofs (every relation message\n"
    "                  masked, the weights' part of the final statement not; for\n"
    "                  testing); not under mpirun\n"
    "\n"
    "Under mpirun (`mpirun -np N seller prove-batch ...`, a seller built with\n"
    "OpenMPI) the batches are spread over the N ranks: only rank 0 reads the\n"
    "files and writes BUNDLE, the proofs come to it over MPI; --threads defaults\n"
    "to the node's cores divided among its ranks, at most the cores a rank is\n"
    "bound to (docs/scale-out.md).\n"
    "\n"
    "With a private commitment (the default of commit-model) every proof is a\n"
    "zero-knowledge proof that reveals nothing of the weights and biases\n"
    "(docs/zero-knowledge.md) and spends one of the commitment's proofs, counted\n"
    "in its key: a run that needs more than are left refuses before proving.\n"
    "Shard K/N spends only the key's slots s = K (mod N), so copies of the key\n"
    "on N machines never spend a slot twice; under mpirun rank 0 reads the key,\n"
    "spends a slot per batch and sends the commitment's secret to the other ranks.\n"
    "With a public commitment the proofs are sound but NOT zero-knowledge: their\n"
    "messages depend on the weights.\n";

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

/* The request is the draw of the offer with this seller's join (or the
 * named beacon round's value): protocol/handshake.h. */
static za_status check_draw(const char *req_path, const char *offer_path, const char *join_path,
                            const char *beacon_hex, za_error *err)
{
    uint8_t *rbuf = NULL, *obuf = NULL, *jbuf = NULL, *beacon = NULL;
    size_t rlen = 0, olen = 0, jlen = 0, blen = 0;
    zp_request rq;
    memset(&rq, 0, sizeof rq);
    zp_offer offer;
    zp_join join;
    za_status st;
    if ((st = za_read_file(req_path, ZA_MAX_REQUEST_BYTES, &rbuf, &rlen, err)) ||
        (st = zp_request_decode(rbuf, rlen, req_path, &rq, err)) ||
        (st = za_read_file(offer_path, 1 << 20, &obuf, &olen, err)) ||
        (st = zp_offer_parse((const char *)obuf, olen, offer_path, &offer, err)))
        goto out;
    if (join_path && ((st = za_read_file(join_path, 1 << 20, &jbuf, &jlen, err)) ||
                      (st = zp_join_parse((const char *)jbuf, jlen, join_path, &join, err))))
        goto out;
    if (beacon_hex) {
        size_t hl = strlen(beacon_hex);
        blen = hl / 2;
        if (hl == 0 || hl % 2 || hl > 2048 || !(beacon = malloc(blen)) ||
            za_hex_decode(beacon_hex, beacon, blen, err)) {
            st = za_error_set(err, ZA_ERR_ARG, "--beacon must be 1..1024 bytes of hex");
            goto out;
        }
    }
    if ((st = zp_request_check_handshake(&rq, obuf, olen, &offer, join_path ? &join : NULL,
                                         beacon, blen, err)))
        za_error_prefix(err, "%s", req_path);
out:
    free(rbuf), free(obuf), free(jbuf), free(beacon);
    zp_request_free(&rq);
    return st;
}

int zs_cmd_prove_batch(int argc, char **argv)
{
    static const struct option opts[] = {
        { "request", required_argument, 0, 'r' }, { "model", required_argument, 0, 'm' },
        { "commit", required_argument, 0, 'c' }, { "out", required_argument, 0, 'o' },
        { "batch-size", required_argument, 0, 'b' }, { "threads", required_argument, 0, 't' },
        { "shard", required_argument, 0, 's' }, { "offer", required_argument, 0, 'f' },
        { "join", required_argument, 0, 'j' }, { "beacon", required_argument, 0, 'B' },
        { "help", no_argument, 0, 'h' }, { "blinded", no_argument, 0, 'Z' },
        { "model-key", required_argument, 0, 'k' }, { 0, 0, 0, 0 }
    };
    const char *req_path = NULL, *model_path = NULL, *commit_path = NULL, *out_path = NULL,
               *offer_path = NULL, *join_path = NULL, *beacon_hex = NULL, *key_path = NULL;
    unsigned batch_size = 8, shard_k = 0, shard_n = 1;
    int threads = 0, ch, blinded = 0;
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
        case 'Z': blinded = 1; break;
        case 'k': key_path = optarg; break;
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
    /* the buyer must not choose the seeds: the request must be the draw of
     * the offer this seller joined, with this seller's seed */
    {
        za_error herr;
        if (check_draw(req_path, offer_path, join_path, beacon_hex, &herr)) {
            za_log_report(&herr);
            return 1;
        }
    }
    if (zs_mpi_launched() && blinded) {
        fprintf(stderr, "seller prove-batch: --blinded is not supported under mpirun (a "
                "private commitment's proofs are)\n");
        return 2;
    }
    if (zs_mpi_launched()) /* mpirun -np N: the batches spread over N ranks */
        return zs_prove_batch_mpi(&(zs_prove_batch_opts){ req_path, model_path, commit_path,
                                  out_path, batch_size, shard_k, shard_n, threads, key_path });
    za_error err;
    zm_model *m = NULL;
    zp_model_commitment mc;
    memset(&mc, 0, sizeof mc);
    uint8_t *cbuf = NULL;
    size_t clen = 0;
    int rc = 1;
    zp_model_key *key = NULL;
    if (za_read_file(commit_path, ZA_MAX_PROOF_BYTES, &cbuf, &clen, &err) ||
        zp_model_commitment_decode(cbuf, clen, commit_path, &mc, &err) ||
        zs_model_key_for(&mc, commit_path, key_path, &key, &err) ||
        zm_model_load_file(model_path, &m, &err))
        goto fail;
    zs_prove_opts po = { batch_size, threads, shard_k, shard_n, 1, NULL, NULL, NULL,
                         commit_path, model_path, blinded, key };
    zs_prove_result r;
    if (zs_prove_request(req_path, m, &mc, out_path, &po, &r, &err))
        goto fail;
    uint64_t done = r.samples_proven, batches_now = r.batches_proven, skipped = r.batches_skipped;
    printf("proved %llu sample%s in %llu batch%s (%.2f s, %.3f CPU-s per sample); "
           "skipped %llu batch%s already proven\n",
           (unsigned long long)done, done == 1 ? "" : "s", (unsigned long long)batches_now,
           batches_now == 1 ? "" : "es", r.wall_s, done ? r.cpu_s / (double)done : 0.0,
           (unsigned long long)skipped, skipped == 1 ? "" : "es");
    printf("bundle %s: %llu of %llu batches present%s\n", out_path,
           (unsigned long long)r.info.batches_present, (unsigned long long)r.info.n_batches,
           r.info.batches_present == r.info.n_batches ? " (complete)" : "");
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    free(cbuf);
    zp_model_key_close(key);
    zp_model_commitment_free(&mc);
    zm_model_free(m);
    return rc;
}
