/* buyer/cmd_dataset_reveal.c - `buyer dataset check-reveal`: the auditor's
 * check of a private-data reveal (docs/protocol.md "Private data"). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer/dataset_cmd.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/limits.h"
#include "common/log.h"
#include "protocol/handshake.h"
#include "protocol/private_dataset.h"
#include "protocol/sampling.h"

static const char usage[] =
    "usage: buyer dataset check-reveal --commit C.json --reveal REVEAL --offer OFFER.json\n"
    "                                  (--join JOIN.json | --beacon HEX) [--n K]\n"
    "                                  [--export DIR] [--json]\n"
    "\n"
    "Check the data holder's reveal (`seller dataset reveal`) against its private\n"
    "commitment C.json and this audit's handshake: the offer is for that\n"
    "commitment, the reveal answers this offer with the buyer seed that opens\n"
    "its commitment and the join's seller seed (or the named beacon round's\n"
    "value), its indices are exactly the first n of the draw (--n K: and n is K),\n"
    "every inclusion proof leads to the committed root, and every revealed input\n"
    "gives its committed digest.  What the reveal shows: in the review flow the\n"
    "sampled examples' stored bytes (--export DIR writes each as DIR/INDEX.bin,\n"
    "and DIR/labels.csv with an empty label per index, for the reviewers); in\n"
    "the committed-labels flow their labels only (--export writes them to\n"
    "DIR/labels.csv).  Nothing of any other example.\n"
    "\n"
    "Exit status: 0 valid, 1 invalid (last line `invalid: ...`) or an error, 2 usage.\n";

static za_status read_small(const char *path, uint8_t **buf, size_t *len, za_error *err)
{
    return za_read_file(path, 1 << 20, buf, len, err);
}

static za_status export_dir(const zp_pd_reveal *r, const char *dir, za_error *err)
{
    za_status st = za_mkdir_p(dir, err);
    size_t cap = 32 + 32 * (size_t)r->n;
    char *csv = malloc(cap), path[4096];
    if (!csv)
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    size_t o = (size_t)snprintf(csv, cap, "index,label\n");
    for (uint64_t i = 0; i < r->n && st == ZA_OK; i++) {
        if (r->opened) {
            snprintf(path, sizeof path, "%s/%llu.bin", dir, (unsigned long long)r->indices[i]);
            st = za_write_file_atomic(path, r->stored + i * r->stored_len, r->stored_len, err);
            o += (size_t)snprintf(csv + o, cap - o, "%llu,\n", (unsigned long long)r->indices[i]);
        } else {
            o += (size_t)snprintf(csv + o, cap - o, "%llu,%u\n",
                                  (unsigned long long)r->indices[i], r->proofs[i].label);
        }
    }
    snprintf(path, sizeof path, "%s/labels.csv", dir);
    if (st == ZA_OK)
        st = za_write_file_atomic(path, csv, o, err);
    free(csv);
    return st;
}

int zb_dataset_check_reveal(int argc, char **argv)
{
    enum { O_COMMIT = 1, O_REVEAL, O_OFFER, O_JOIN, O_BEACON, O_N, O_EXPORT, O_JSON };
    static const struct option opts[] = {
        { "commit", required_argument, 0, O_COMMIT }, { "reveal", required_argument, 0, O_REVEAL },
        { "offer", required_argument, 0, O_OFFER }, { "join", required_argument, 0, O_JOIN },
        { "beacon", required_argument, 0, O_BEACON }, { "n", required_argument, 0, O_N },
        { "export", required_argument, 0, O_EXPORT }, { "json", no_argument, 0, O_JSON },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    const char *commit = NULL, *reveal = NULL, *offer_path = NULL, *join_path = NULL,
               *beacon_hex = NULL, *export = NULL;
    uint64_t want_n = 0;
    int json = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case O_COMMIT: commit = optarg; break;
        case O_REVEAL: reveal = optarg; break;
        case O_OFFER: offer_path = optarg; break;
        case O_JOIN: join_path = optarg; break;
        case O_BEACON: beacon_hex = optarg; break;
        case O_N:
            if (zb_parse_u64(optarg, &want_n) || want_n == 0) {
                fprintf(stderr, "buyer dataset check-reveal: --n must be a number >= 1\n");
                return 2;
            }
            break;
        case O_EXPORT: export = optarg; break;
        case O_JSON: json = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (!commit || !reveal || !offer_path || !join_path == !beacon_hex || optind != argc) {
        fprintf(stderr, "buyer dataset check-reveal: %s\n\n%s",
                optind != argc ? "unexpected argument"
                               : "--commit, --reveal, --offer and one of --join or --beacon "
                                 "are required", usage);
        return 2;
    }
    za_error err;
    uint8_t *cbuf = NULL, *rbuf = NULL, *obuf = NULL, *jbuf = NULL, *beacon = NULL;
    size_t clen = 0, rlen = 0, olen = 0, jlen = 0, blen = 0;
    zp_pd_commitment c;
    zp_pd_reveal r;
    memset(&r, 0, sizeof r);
    zp_offer o;
    zp_join j;
    int rc = 1;
    if (read_small(commit, &cbuf, &clen, &err) ||
        zp_pd_commitment_parse((const char *)cbuf, clen, commit, &c, &err) ||
        read_small(offer_path, &obuf, &olen, &err) ||
        zp_offer_parse((const char *)obuf, olen, offer_path, &o, &err) ||
        (join_path && (read_small(join_path, &jbuf, &jlen, &err) ||
                       zp_join_parse((const char *)jbuf, jlen, join_path, &j, &err))) ||
        za_read_file(reveal, ZA_MAX_REQUEST_BYTES, &rbuf, &rlen, &err))
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
    if (zp_pd_reveal_decode(rbuf, rlen, reveal, &r, &err) ||
        zp_pd_reveal_check_draw(&r, &c, obuf, olen, &o, join_path ? &j : NULL, beacon, blen,
                                NULL, &err))
        goto invalid;
    if (want_n && r.n != want_n) {
        za_error_set(&err, ZA_ERR_MISMATCH, "the reveal has %llu items, not %llu",
                     (unsigned long long)r.n, (unsigned long long)want_n);
        goto invalid;
    }
    if (export && export_dir(&r, export, &err))
        goto fail;
    uint8_t ih[32];
    char hx[65], root[65];
    zp_indices_hash(r.indices, r.n, ih);
    za_hex_encode(ih, 32, hx);
    za_hex_encode(c.root, 32, root);
    const char *flow = c.variant == ZP_PD_NO_LABELS ? "review flow" : "committed labels";
    if (json) {
        json_t *out = json_object(), *idx = json_array(), *lab = json_array();
        for (uint64_t i = 0; i < r.n; i++) {
            json_array_append_new(idx, json_integer((json_int_t)r.indices[i]));
            if (r.proofs[i].has_label)
                json_array_append_new(lab, json_integer(r.proofs[i].label));
        }
        json_object_set_new(out, "result", json_string("valid"));
        json_object_set_new(out, "dataset", json_string(c.name));
        json_object_set_new(out, "root", json_string(root));
        json_object_set_new(out, "count", json_integer((json_int_t)c.count));
        json_object_set_new(out, "variant", json_string(zp_pd_variant_name(c.variant)));
        json_object_set_new(out, "inputs_revealed", json_boolean(r.opened));
        json_object_set_new(out, "n", json_integer((json_int_t)r.n));
        json_object_set_new(out, "indices_hash", json_string(hx));
        json_object_set_new(out, "indices", idx);
        if (c.variant == ZP_PD_LABELS)
            json_object_set_new(out, "labels", lab);
        else
            json_decref(lab);
        char *text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (text)
            puts(text);
        free(text);
        json_decref(out);
    } else {
        printf("%s: %llu of the %llu examples of '%s' (private data, %s), exactly the first "
               "%llu of this audit's draw (indices hash %s)\n", reveal, (unsigned long long)r.n,
               (unsigned long long)c.count, c.name, flow, (unsigned long long)r.n, hx);
        printf("every inclusion proof leads to the committed root %s%s\n", root,
               r.opened ? ", every revealed input gives its committed digest" : "");
        printf("revealed: %s; nothing of any other example\n",
               r.opened ? "the sampled examples' stored bytes (to be labelled after review)"
                        : "the sampled examples' committed labels, not their inputs");
        if (export)
            printf("wrote %s/labels.csv%s\n", export, r.opened ? " and INDEX.bin per example" : "");
        printf("valid\n");
    }
    rc = 0;
    goto done;
invalid:
    za_log_report(&err);
    if (!json)
        printf("invalid: %s\n", err.msg);
    else
        printf("{\"result\": \"invalid\"}\n");
    goto done;
fail:
    za_log_report(&err);
done:
    free(cbuf), free(rbuf), free(obuf), free(jbuf), free(beacon);
    zp_pd_reveal_free(&r);
    return rc;
}
