/* buyer/cmd_verify_proof.c - `buyer verify-proof`. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer/buyer.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/progress.h"
#include "protocol/infer_proof.h"
#include "protocol/model_commit.h"

static const char usage[] =
    "usage: buyer verify-proof --commit M.commit --proof P.proof [--input A.bin ...]\n"
    "                          [--threads T] [--json]\n"
    "\n"
    "Check a proof that the committed model produced the outputs it carries.\n"
    "Prints each sample's output values and argmax, then a last line `valid`\n"
    "(exit 0) or `invalid: <reason>` (exit 1).  With --input, the proof's inputs\n"
    "must also be exactly these files, in order (one per sample).\n";

static void print_output(const zp_verified *v, unsigned b)
{
    const uint8_t *o = v->outputs + v->out_bytes * b;
    printf("sample %u: argmax %lld, output %s[%zu]:", b, (long long)v->argmax[b], v->out_type,
           v->out_elems);
    for (size_t i = 0; i < v->out_elems && i < 64; i++) {
        if (v->out_is_uint8)
            printf(" %u", o[i]);
        else
            printf(" %d", (int8_t)o[i]);
    }
    if (v->out_elems > 64)
        printf(" ... (%zu more)", v->out_elems - 64);
    printf("\n");
}

int zb_cmd_verify_proof(int argc, char **argv)
{
    static const struct option opts[] = {
        { "commit", required_argument, 0, 'c' }, { "proof", required_argument, 0, 'p' },
        { "input", required_argument, 0, 'i' }, { "threads", required_argument, 0, 't' },
        { "json", no_argument, 0, 'j' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    const char *commit_path = NULL, *proof_path = NULL;
    const char **inputs = calloc((size_t)argc + 1, sizeof(char *));
    int n_inputs = 0, threads = 0, json = 0, ch;
    if (!inputs)
        return 1;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': commit_path = optarg; break;
        case 'p': proof_path = optarg; break;
        case 'i': inputs[n_inputs++] = optarg; break;
        case 't': threads = atoi(optarg); break;
        case 'j': json = 1; break;
        case 'h': fputs(usage, stdout); free(inputs); return 0;
        default: fputs(usage, stderr); free(inputs); return 2;
        }
    }
    if (!commit_path || !proof_path || optind != argc) {
        fprintf(stderr, "buyer verify-proof: %s\n\n%s",
                optind != argc ? "unexpected argument" : "--commit and --proof are required",
                usage);
        free(inputs);
        return 2;
    }
    za_error err;
    zp_model_commitment mc;
    memset(&mc, 0, sizeof mc);
    zp_verified v;
    memset(&v, 0, sizeof v);
    uint8_t *cbuf = NULL, *pbuf = NULL;
    size_t clen = 0, plen = 0;
    int rc = 1;
    /* files that cannot be read are usage problems, not invalid proofs */
    if (za_read_file(commit_path, ZA_MAX_PROOF_BYTES, &cbuf, &clen, &err) ||
        zp_model_commitment_decode(cbuf, clen, commit_path, &mc, &err) ||
        za_read_file(proof_path, ZA_MAX_PROOF_BYTES, &pbuf, &plen, &err)) {
        za_log_report(&err);
        rc = 2;
        goto done;
    }
    double t0 = za_now_s();
    za_status st = zp_verify(&mc, pbuf, plen, threads, &v, &err);
    double secs = za_now_s() - t0;
    if (!st && n_inputs) {
        /* the given files, concatenated, must be the proof's inputs */
        size_t off = 0, total = v.in_bytes * v.batch;
        for (int k = 0; k < n_inputs && !st; k++) {
            uint8_t *d = NULL;
            size_t len = 0;
            za_error e2;
            if (za_read_file(inputs[k], total + 1, &d, &len, &e2)) {
                za_log_report(&e2);
                rc = 2;
                zp_verified_free(&v);
                goto done;
            }
            if (off + len > total || memcmp(d, v.inputs + off, len) != 0)
                st = za_error_set(&err, ZA_ERR_MISMATCH, "the proof is for another input than %s",
                                  inputs[k]);
            off += len;
            free(d);
        }
        if (!st && off != total)
            st = za_error_set(&err, ZA_ERR_MISMATCH,
                              "the proof covers %u sample%s (%zu input bytes), %zu given", v.batch,
                              v.batch == 1 ? "" : "s", total, off);
    }
    char hex[65];
    za_hex_encode(mc.model_id, 32, hex);
    if (json) {
        json_t *samples = json_array();
        for (unsigned b = 0; !st && b < v.batch; b++) {
            json_t *vals = json_array();
            const uint8_t *o = v.outputs + v.out_bytes * b;
            for (size_t i = 0; i < v.out_elems; i++)
                json_array_append_new(vals, json_integer(v.out_is_uint8 ? o[i] : (int8_t)o[i]));
            json_array_append_new(samples, json_pack("{s:I, s:o}", "argmax",
                                                     (json_int_t)v.argmax[b], "output", vals));
        }
        json_t *root = json_pack("{s:s, s:b, s:s, s:o, s:f, s:I, s:b}", "model_id", hex, "valid",
                                 st == ZA_OK, "reason", st ? err.msg : "", "samples", samples,
                                 "seconds", secs, "proof_bytes", (json_int_t)plen,
                                 "zero_knowledge", zp_model_commitment_is_private(&mc));
        json_dumpf(root, stdout, JSON_INDENT(1));
        putchar('\n');
        json_decref(root);
    } else {
        if (!st) {
            printf("model id: %s (%s)\n", hex,
                   zp_model_commitment_is_private(&mc)
                       ? "private commitment: a zero-knowledge proof"
                       : "public commitment: sound, not zero-knowledge");
            for (unsigned b = 0; b < v.batch; b++)
                print_output(&v, b);
            printf("verified %u sample%s in %.3f s (proof %zu bytes)\n", v.batch,
                   v.batch == 1 ? "" : "s", secs, plen);
            printf("valid\n");
        } else {
            printf("invalid: %s\n", err.msg);
        }
    }
    rc = st ? 1 : 0;
    zp_verified_free(&v);
done:
    free(inputs);
    free(cbuf), free(pbuf);
    zp_model_commitment_free(&mc);
    return rc;
}
