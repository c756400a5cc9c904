/* seller/cmd_sample.c - `seller sample join`: the seller's half of the
 * commit-reveal draw. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/hex.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/sha256.h"
#include "protocol/handshake.h"
#include "protocol/model_commit.h"
#include "seller/seller.h"

static const char usage[] =
    "usage: seller sample join --offer OFFER.json --commit M.commit --out JOIN.json\n"
    "\n"
    "Answer a buyer's audit offer (from `buyer sample init`) with a fresh random\n"
    "seller seed.  The offer must name the model id of M.commit: the seller joins\n"
    "only audits of the model it committed to.  The buyer's seed is still hidden\n"
    "behind its commitment, so neither side can choose the sample; the buyer\n"
    "reveals its seed with `buyer sample draw`.  Prints what the offer asks for.\n";

int zs_cmd_sample(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "join")) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            fputs(usage, stdout);
            return 0;
        }
        fprintf(stderr, "seller sample: expected 'join'\n\n%s", usage);
        return 2;
    }
    argc--, argv++;
    static const struct option opts[] = {
        { "offer", required_argument, 0, 'f' }, { "commit", required_argument, 0, 'c' },
        { "out", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    const char *offer_path = NULL, *commit_path = NULL, *out_path = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'f': offer_path = optarg; break;
        case 'c': commit_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (!offer_path || !commit_path || !out_path || optind != argc) {
        fprintf(stderr, "seller sample join: %s\n\n%s",
                optind != argc ? "unexpected argument"
                               : "--offer, --commit and --out are required",
                usage);
        return 2;
    }
    za_error err;
    uint8_t *obuf = NULL, *cbuf = NULL;
    size_t olen = 0, clen = 0;
    char *json = NULL;
    zp_model_commitment mc;
    memset(&mc, 0, sizeof mc);
    zp_offer offer;
    int rc = 1;
    if (za_read_file(offer_path, 1 << 20, &obuf, &olen, &err) ||
        zp_offer_parse((const char *)obuf, olen, offer_path, &offer, &err) ||
        za_read_file(commit_path, ZA_MAX_PROOF_BYTES, &cbuf, &clen, &err) ||
        zp_model_commitment_decode(cbuf, clen, commit_path, &mc, &err))
        goto fail;
    char a[65], b[65];
    if (memcmp(offer.model_id, mc.model_id, 32)) {
        za_hex_encode(offer.model_id, 32, a);
        za_hex_encode(mc.model_id, 32, b);
        za_error_set(&err, ZA_ERR_MISMATCH,
                     "the offer is for model %s, but %s commits to model %s", a, commit_path, b);
        goto fail;
    }
    zp_join jn;
    za_sha256(obuf, olen, jn.offer_sha256);
    memcpy(jn.model_id, mc.model_id, 32);
    if (zp_seed_random(jn.seller_seed, &err) || zp_join_to_json(&jn, &json, &err) ||
        za_write_file_atomic(out_path, json, strlen(json), &err))
        goto fail;
    za_hex_encode(offer.dataset_root, 32, a);
    printf("offer: dataset '%s' (%llu examples, root %s)\n", offer.dataset_name,
           (unsigned long long)offer.dataset_count, a);
    printf("offer: %s\n", offer.params_text);
    printf("offer: input preparation '%s' (the model is proven on the stored examples "
           "under it)\n", offer.prep[0] ? offer.prep : "v1;identity");
    if (offer.beacon_round[0])
        printf("offer: note: the draw may use beacon round '%s' instead of this seed\n",
               offer.beacon_round);
    printf("wrote %s (seller seed for the draw)\n", out_path);
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    free(obuf), free(cbuf), free(json);
    zp_model_commitment_free(&mc);
    return rc;
}
