/* seller/cmd_dataset.c - `seller dataset commit-private|reveal`: the data
 * holder's side of private data mode (docs/protocol.md "Private data"). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/sha256.h"
#include "datasets/db.h"
#include "datasets/private_data.h"
#include "protocol/handshake.h"
#include "protocol/private_dataset.h"
#include "protocol/sampling.h"
#include "seller/seller.h"

static const char usage[] =
    "usage: seller dataset commit-private --db FILE [--name NAME] --out C.json\n"
    "                                     --secrets S.db [--no-labels]\n"
    "       seller dataset reveal --commit C.json --secrets S.db --db FILE\n"
    "                             --offer OFFER.json (--join JOIN.json | --beacon HEX)\n"
    "                             --seed-reveal SECRET.json [--n K] --out REVEAL\n"
    "\n"
    "Private data mode: the data holder proves what its model did on its own\n"
    "examples while revealing only the sampled ones (docs/protocol.md).\n"
    "\n"
    "commit-private  commits to an imported dataset (`buyer dataset import` makes\n"
    "      the index FILE; --name may be left out when it holds one dataset) with\n"
    "      two fresh random salts per example: writes the public commitment C.json\n"
    "      (root, count, variant, shape, recipe: give it to the auditor) and the\n"
    "      secrets file S.db (the salts, mode 0600: keep it, never send it; it is\n"
    "      never overwritten).  With the labels (default: the labels are committed\n"
    "      and a reveal shows them, not the inputs) or --no-labels (the review flow:\n"
    "      a reveal shows the sampled inputs and the auditor labels them).\n"
    "reveal  once the auditor has revealed its seed (SECRET.json, the auditor's\n"
    "      `buyer sample init --secret` file, sent after the join), checks that it\n"
    "      opens the offer's commitment, computes the draw of the offer with this\n"
    "      holder's JOIN.json (or the named beacon round's value HEX) and writes\n"
    "      REVEAL: for each of the first K sampled indices (default: the offer's\n"
    "      maximum) an inclusion proof with its salts and, in the review flow, the\n"
    "      stored bytes; in the committed-labels flow the label, its salt and the\n"
    "      input digest only.  Nothing of any other example is in REVEAL.  Refuses\n"
    "      when the index or the secrets no longer give the committed root.\n"
    "\n"
    "Exit status: 0 done, 1 failed, 2 bad arguments.\n";

static int fail_usage(const char *what)
{
    fprintf(stderr, "seller dataset: %s\n\n%s", what, usage);
    return 2;
}

static int cmd_commit(int argc, char **argv)
{
    enum { O_DB = 1, O_NAME, O_OUT, O_SECRETS, O_NOLABELS };
    static const struct option opts[] = {
        { "db", required_argument, 0, O_DB }, { "name", required_argument, 0, O_NAME },
        { "out", required_argument, 0, O_OUT }, { "secrets", required_argument, 0, O_SECRETS },
        { "no-labels", no_argument, 0, O_NOLABELS }, { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    const char *db_path = NULL, *name = NULL, *out = NULL, *secrets = NULL;
    int no_labels = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case O_DB: db_path = optarg; break;
        case O_NAME: name = optarg; break;
        case O_OUT: out = optarg; break;
        case O_SECRETS: secrets = optarg; break;
        case O_NOLABELS: no_labels = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (!db_path || !out || !secrets || optind != argc)
        return fail_usage(optind != argc ? "unexpected argument"
                                         : "commit-private needs --db, --out and --secrets");
    za_error err;
    zd_db *db = NULL;
    zd_dataset *list = NULL;
    size_t nlist = 0;
    char *json = NULL;
    int rc = 1;
    zp_pd_commitment c;
    if (zd_db_open(db_path, 0, &db, &err))
        goto fail;
    if (!name) {
        if (zd_db_list(db, &list, &nlist, &err))
            goto fail;
        if (nlist != 1) {
            za_error_set(&err, ZA_ERR_ARG, "%s holds %zu datasets: name one with --name",
                         db_path, nlist);
            goto fail;
        }
        name = list[0].name;
    }
    if (zd_private_commit(db, name, no_labels ? ZP_PD_NO_LABELS : ZP_PD_LABELS, secrets, &c,
                          &err) ||
        zp_pd_commitment_to_json(&c, &json, &err) ||
        za_write_file_atomic(out, json, strlen(json), &err))
        goto fail;
    char hex[65];
    za_hex_encode(c.root, 32, hex);
    printf("private commitment of '%s' (%s): %llu examples, root %s\n", c.name,
           zp_pd_variant_name(c.variant), (unsigned long long)c.count, hex);
    printf("wrote %s (public: give it to the auditor) and %s (the salts, mode 0600: keep it, "
           "never send it)\n", out, secrets);
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    free(json);
    zd_dataset_list_free(list, nlist);
    zd_db_close(db);
    return rc;
}

static za_status read_small(const char *path, uint8_t **buf, size_t *len, za_error *err)
{
    return za_read_file(path, 1 << 20, buf, len, err);
}

static int cmd_reveal(int argc, char **argv)
{
    enum { O_COMMIT = 1, O_SECRETS, O_DB, O_OFFER, O_JOIN, O_BEACON, O_SEED, O_N, O_OUT };
    static const struct option opts[] = {
        { "commit", required_argument, 0, O_COMMIT },
        { "secrets", required_argument, 0, O_SECRETS }, { "db", required_argument, 0, O_DB },
        { "offer", required_argument, 0, O_OFFER }, { "join", required_argument, 0, O_JOIN },
        { "beacon", required_argument, 0, O_BEACON },
        { "seed-reveal", required_argument, 0, O_SEED }, { "n", required_argument, 0, O_N },
        { "out", required_argument, 0, O_OUT }, { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    const char *commit = NULL, *secrets = NULL, *db_path = NULL, *offer_path = NULL,
               *join_path = NULL, *beacon_hex = NULL, *seed_path = NULL, *out = NULL;
    uint64_t n = 0;
    int ch;
    char *end;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case O_COMMIT: commit = optarg; break;
        case O_SECRETS: secrets = optarg; break;
        case O_DB: db_path = optarg; break;
        case O_OFFER: offer_path = optarg; break;
        case O_JOIN: join_path = optarg; break;
        case O_BEACON: beacon_hex = optarg; break;
        case O_SEED: seed_path = optarg; break;
        case O_N:
            n = strtoull(optarg, &end, 10);
            if (*end || !*optarg || *optarg == '-' || n == 0)
                return fail_usage("--n must be a whole number >= 1");
            break;
        case O_OUT: out = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (!commit || !secrets || !db_path || !offer_path || !seed_path || !out ||
        optind != argc || !join_path == !beacon_hex)
        return fail_usage(optind != argc ? "unexpected argument"
                                         : "reveal needs --commit, --secrets, --db, --offer, "
                                           "--seed-reveal, --out and one of --join or --beacon");
    za_error err;
    uint8_t *cbuf = NULL, *obuf = NULL, *sbuf = NULL, *jbuf = NULL, *beacon = NULL,
            *enc = NULL;
    size_t clen = 0, olen = 0, slen = 0, jlen = 0, blen = 0, elen = 0;
    uint64_t *indices = NULL;
    zd_db *db = NULL;
    zp_pd_reveal r;
    memset(&r, 0, sizeof r);
    zp_pd_commitment c;
    zp_offer o;
    zp_secret s;
    zp_join j;
    int rc = 1;
    if (read_small(commit, &cbuf, &clen, &err) ||
        zp_pd_commitment_parse((const char *)cbuf, clen, commit, &c, &err) ||
        read_small(offer_path, &obuf, &olen, &err) ||
        zp_offer_parse((const char *)obuf, olen, offer_path, &o, &err) ||
        read_small(seed_path, &sbuf, &slen, &err) ||
        zp_secret_parse((const char *)sbuf, slen, seed_path, &s, &err) ||
        zp_pd_check_offer(&c, &o, &err))
        goto fail;
    uint8_t oh[32];
    za_sha256(obuf, olen, oh);
    if (memcmp(oh, s.offer_sha256, 32)) {
        za_error_set(&err, ZA_ERR_MISMATCH, "%s reveals the seed of another offer than %s",
                     seed_path, offer_path);
        goto fail;
    }
    if (join_path && (read_small(join_path, &jbuf, &jlen, &err) ||
                      zp_join_parse((const char *)jbuf, jlen, join_path, &j, &err)))
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
    zp_sample_transcript t;
    if (zp_pd_draw_transcript(obuf, olen, &o, s.buyer_seed, join_path ? &j : NULL, beacon,
                              blen, &t, &err))
        goto fail;
    if (!n)
        n = o.params.max_samples;
    if (n > o.params.max_samples || n > c.count) {
        za_error_set(&err, ZA_ERR_ARG, "--n %llu: the audit draws at most %llu of %llu",
                     (unsigned long long)n, (unsigned long long)o.params.max_samples,
                     (unsigned long long)c.count);
        goto fail;
    }
    uint8_t seed[32];
    zp_sample_seed(&t, seed);
    if (!(indices = calloc(n, sizeof *indices))) {
        za_error_set(&err, ZA_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (zp_sample_indices(seed, c.count, n, indices, &err) ||
        zd_db_open(db_path, 0, &db, &err) ||
        zd_private_reveal(db, &c, secrets, indices, n, c.variant == ZP_PD_NO_LABELS, &r, &err))
        goto fail;
    memcpy(r.offer_sha256, oh, 32);
    memcpy(r.buyer_seed, s.buyer_seed, 32);
    r.use_beacon = t.use_beacon;
    memcpy(r.seller_seed, t.use_beacon ? t.beacon_hash : t.seller_seed, 32);
    if (zp_pd_reveal_encode(&r, &enc, &elen, &err) ||
        za_write_file_atomic(out, enc, elen, &err))
        goto fail;
    uint8_t ih[32];
    char a[65];
    zp_indices_hash(indices, n, ih);
    za_hex_encode(ih, 32, a);
    printf("revealed %llu of %llu examples of '%s' (%s): indices hash %s\n",
           (unsigned long long)n, (unsigned long long)c.count, c.name,
           c.variant == ZP_PD_NO_LABELS ? "review flow: the sampled inputs"
                                        : "committed labels: labels only, not the inputs",
           a);
    printf("wrote %s (%zu bytes): send it to the auditor\n", out, elen);
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    free(cbuf), free(obuf), free(sbuf), free(jbuf), free(beacon), free(enc), free(indices);
    zp_pd_reveal_free(&r);
    zd_db_close(db);
    return rc;
}

int zs_cmd_dataset(int argc, char **argv)
{
    if (argc < 2)
        return fail_usage("expected commit-private or reveal");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "commit-private"))
        return cmd_commit(argc - 1, argv + 1);
    if (!strcmp(argv[1], "reveal"))
        return cmd_reveal(argc - 1, argv + 1);
    return fail_usage("expected commit-private or reveal");
}
