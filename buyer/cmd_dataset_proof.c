/* buyer/cmd_dataset_proof.c - `buyer dataset prove-inclusion` and
 * `check-inclusion`.
 *
 * Design.  A proof file is one line: the hex encoding of the binary proof of
 * protocol/dataset_commit.h (which carries count, index, label, the input's
 * SHA-256 and the siblings).  The checker needs no database: it is told the
 * root and count it trusts (from `commit`) and the index it asks about, and
 * optionally the label and the input (a file of the example's bytes, or its
 * SHA-256).  What it is told must equal what the proof carries, and the
 * proof must lead from that leaf to the root; whatever it is not told
 * (label, input) it takes from the proof and prints, so a bare check says
 * "example I of this dataset has label L and input hash H".
 */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer/dataset_cmd.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/sha256.h"
#include "datasets/db.h"
#include "protocol/dataset_commit.h"

static const char prove_usage[] =
    "usage: buyer dataset prove-inclusion --db FILE --name NAME --index I [--out F] [--json]\n"
    "\n"
    "Write a proof that example I (its label and the SHA-256 of its input) is\n"
    "in the dataset committed to by its root: one line of hex, to F or to\n"
    "stdout.  The leaves are recomputed from the stored inputs; a dataset that\n"
    "no longer matches its stored root is refused (run verify).\n"
    "Exit status: 0 written, 1 failed, 2 usage.\n";

static const char check_usage[] =
    "usage: buyer dataset check-inclusion --root HEX --count N --index I --proof F\n"
    "                                     [--label L] [--input F | --input-sha256 HEX] [--json]\n"
    "\n"
    "Check an inclusion proof against the commitment root (64 hex digits, from\n"
    "`buyer dataset commit`) of a dataset of N examples; no database needed.\n"
    "The proof must be for index I, and for label L and the input whose bytes\n"
    "are in F (or whose SHA-256 is HEX) when these are given; otherwise the\n"
    "label and input hash the proof carries are used and printed.\n"
    "Prints `valid: ...` (exit 0) or `invalid: <reason>` (exit 1); 2 for usage\n"
    "or an unreadable file.\n";

int zb_dataset_prove_inclusion(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, 0, 'd' },    { "name", required_argument, 0, 'n' },
        { "index", required_argument, 0, 'i' }, { "out", required_argument, 0, 'o' },
        { "json", no_argument, 0, 'j' },        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    const char *db_path = NULL, *name = NULL, *index_s = NULL, *out = NULL;
    int json = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': db_path = optarg; break;
        case 'n': name = optarg; break;
        case 'i': index_s = optarg; break;
        case 'o': out = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(prove_usage, stdout); return 0;
        default: fputs(prove_usage, stderr); return 2;
        }
    }
    uint64_t index;
    if (!db_path || !name || !index_s || optind != argc || zb_parse_u64(index_s, &index)) {
        fprintf(stderr, "buyer dataset prove-inclusion: %s\n\n%s",
                index_s && zb_parse_u64(index_s, &index) ? "--index: not a whole number"
                                                         : "--db, --name and --index are required",
                prove_usage);
        return 2;
    }
    za_error err;
    zd_db *db = NULL;
    zp_ds_digest *leaves = NULL;
    uint8_t *data = NULL;
    uint64_t n;
    size_t len;
    uint32_t label;
    uint8_t stored_hash[32], h[32];
    zd_dataset d;
    memset(&d, 0, sizeof d);
    int rc = 1;
    if (zd_db_open(db_path, 0, &db, &err) || zd_db_show(db, name, &d, &err) ||
        zd_db_example(db, name, index, &label, &data, &len, stored_hash, &err) ||
        zd_db_leaves(db, name, &leaves, &n, &err)) {
        za_log_report(&err);
        goto done;
    }
    za_sha256(data, len, h);
    zp_ds_proof p;
    uint8_t bin[ZP_DS_PROOF_HEADER + 32 * ZP_DS_MAX_DEPTH];
    char hex[2 * sizeof bin + 2], root[65], ihex[65];
    if (zp_ds_prove(leaves, n, index, label, h, &p, &err)) {
        za_log_report(&err);
        goto done;
    }
    size_t blen = zp_ds_proof_encode(&p, bin, sizeof bin);
    za_hex_encode(bin, blen, hex);
    za_hex_encode(d.root, 32, root);
    za_hex_encode(h, 32, ihex);
    if (out) {
        size_t hl = strlen(hex);
        hex[hl] = '\n';
        if (za_write_file_atomic(out, hex, hl + 1, &err)) {
            za_log_report(&err);
            goto done;
        }
        hex[hl] = 0;
    }
    if (json) {
        json_t *o = json_pack("{s:s, s:I, s:I, s:i, s:s, s:s, s:s}", "name", name, "count",
                              (json_int_t)n, "index", (json_int_t)index, "label", (int)label,
                              "input_sha256", ihex, "root", root, "proof", hex);
        json_dumpf(o, stdout, JSON_INDENT(1));
        putchar('\n');
        json_decref(o);
    } else if (out) {
        printf("proof of example %" PRIu64 " (label %u, input sha256 %s) of '%s' (%" PRIu64
               " examples, root %s): %zu bytes -> %s\n",
               index, label, ihex, name, n, root, blen, out);
    } else {
        printf("%s\n", hex);
    }
    rc = 0;
done:
    free(leaves);
    free(data);
    zd_dataset_free(&d);
    zd_db_close(db);
    return rc;
}

/* The proof file: hex digits, optionally one trailing newline. */
static za_status read_proof(const char *path, zp_ds_proof *p, za_error *err)
{
    uint8_t *txt;
    size_t len;
    za_status st = za_read_file(path, 2 * ZA_MAX_INCLUSION_PROOF_BYTES + 2, &txt, &len, err);
    if (st)
        return st;
    if (len && txt[len - 1] == '\n')
        txt[--len] = 0;
    uint8_t bin[ZA_MAX_INCLUSION_PROOF_BYTES];
    if (len % 2 || len / 2 > sizeof bin) {
        free(txt);
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: %zu hex digits: not a proof", path, len);
    }
    st = za_hex_decode((const char *)txt, bin, len / 2, err);
    if (!st)
        st = zp_ds_proof_decode(bin, len / 2, p, err);
    free(txt);
    if (st)
        za_error_prefix(err, "%s", path);
    return st;
}

int zb_dataset_check_inclusion(int argc, char **argv)
{
    enum { O_ISHA = 256 };
    static const struct option opts[] = {
        { "root", required_argument, 0, 'r' },   { "count", required_argument, 0, 'c' },
        { "index", required_argument, 0, 'i' },  { "proof", required_argument, 0, 'p' },
        { "label", required_argument, 0, 'l' },  { "input", required_argument, 0, 'f' },
        { "input-sha256", required_argument, 0, O_ISHA },
        { "json", no_argument, 0, 'j' },         { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    const char *root_s = NULL, *count_s = NULL, *index_s = NULL, *proof = NULL,
               *label_s = NULL, *input = NULL, *isha = NULL;
    int json = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'r': root_s = optarg; break;
        case 'c': count_s = optarg; break;
        case 'i': index_s = optarg; break;
        case 'p': proof = optarg; break;
        case 'l': label_s = optarg; break;
        case 'f': input = optarg; break;
        case O_ISHA: isha = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(check_usage, stdout); return 0;
        default: fputs(check_usage, stderr); return 2;
        }
    }
    uint64_t count, index, label64 = 0;
    zp_ds_digest root;
    za_error err;
    const char *bad = !root_s || !count_s || !index_s || !proof
                          ? "--root, --count, --index and --proof are required"
                      : zb_parse_u64(count_s, &count)  ? "--count: not a whole number"
                      : zb_parse_u64(index_s, &index)  ? "--index: not a whole number"
                      : label_s && (zb_parse_u64(label_s, &label64) || label64 > UINT32_MAX)
                          ? "--label: not a whole number below 2^32"
                      : input && isha                  ? "--input and --input-sha256 exclude each other"
                      : za_hex_decode(root_s, root.h, 32, &err) ? "--root: not 64 hex digits"
                      : optind != argc                 ? "unexpected argument"
                                                       : NULL;
    if (bad) {
        fprintf(stderr, "buyer dataset check-inclusion: %s\n\n%s", bad, check_usage);
        return 2;
    }
    zp_ds_proof p;
    uint8_t h[32];
    if (read_proof(proof, &p, &err) || (input && za_sha256_file(input, h, &err)) ||
        (isha && za_hex_decode(isha, h, 32, &err))) {
        za_log_report(&err);
        return 2;
    }
    uint32_t label = label_s ? (uint32_t)label64 : p.label;
    if (!input && !isha)
        memcpy(h, p.input_hash, 32);
    za_status st = zp_ds_proof_verify(&p, &root, count, index, label, h, &err);
    char ihex[65];
    za_hex_encode(h, 32, ihex);
    if (json) {
        json_t *o = json_pack("{s:b, s:s, s:I, s:I, s:i, s:s}", "valid", st == ZA_OK, "reason",
                              st ? err.msg : "", "count", (json_int_t)count, "index",
                              (json_int_t)index, "label", (int)label, "input_sha256", ihex);
        json_dumpf(o, stdout, JSON_INDENT(1));
        putchar('\n');
        json_decref(o);
    } else if (st) {
        printf("invalid: %s\n", err.msg);
    } else {
        printf("valid: example %" PRIu64 " (label %u, input sha256 %s) is in the dataset of %"
               PRIu64 " examples with root %s\n",
               index, label, ihex, count, root_s);
    }
    return st ? 1 : 0;
}
