/* seller/cmd_prove.c - `seller commit-model` and `seller prove`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/progress.h"
#include "model/engine.h"
#include "model/model.h"
#include "protocol/infer_proof.h"
#include "protocol/model_commit.h"
#include "seller/seller.h"

static const char commit_usage[] =
    "usage: seller commit-model --model M.tflite --out M.commit\n"
    "                           [--rounding tflite|reference]\n"
    "\n"
    "Commit to a model: writes the public descriptor (the .tflite with every\n"
    "CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED weight and bias zeroed: the\n"
    "architecture, shapes and quantization parameters), the rounding profile the\n"
    "proofs will follow, and a commitment to all weights and biases.  Prints the\n"
    "model id, which binds all three.  The weights never appear in the file.\n"
    "\n"
    "  --rounding tflite     proofs follow the TFLite runtime (default)\n"
    "  --rounding reference  proofs follow the reference kernels / TFLite Micro\n";

int zs_cmd_commit_model(int argc, char **argv)
{
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' }, { "out", required_argument, 0, 'o' },
        { "rounding", required_argument, 0, 'r' }, { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    const char *model_path = NULL, *out_path = NULL;
    zm_rounding rounding = ZM_ROUNDING_TFLITE;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'm': model_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'r':
            if (!zm_rounding_parse(optarg, &rounding)) {
                fprintf(stderr, "seller commit-model: --rounding must be tflite or reference\n");
                return 2;
            }
            break;
        case 'h': fputs(commit_usage, stdout); return 0;
        default: fputs(commit_usage, stderr); return 2;
        }
    }
    if (!model_path || !out_path || optind != argc) {
        fprintf(stderr, "seller commit-model: %s\n\n%s",
                optind != argc ? "unexpected argument" : "--model and --out are required",
                commit_usage);
        return 2;
    }
    za_error err;
    zm_model *m = NULL;
    zp_model_commitment mc;
    memset(&mc, 0, sizeof mc);
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = 1;
    double t0 = za_now_s();
    if (zm_model_load_file(model_path, &m, &err) || zp_model_commit(m, rounding, 0, &mc, &err) ||
        zp_model_commitment_encode(&mc, &buf, &len, &err) ||
        za_write_file_atomic(out_path, buf, len, &err))
        goto fail;
    char hex[65];
    za_hex_encode(mc.model_id, 32, hex);
    printf("model id: %s\n", hex);
    printf("rounding: %s\n", zm_rounding_name(rounding));
    printf("wrote %s (%zu bytes) in %.2f s\n", out_path, len, za_now_s() - t0);
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    free(buf);
    zp_model_commitment_free(&mc);
    zm_model_free(m);
    return rc;
}

static const char prove_usage[] =
    "usage: seller prove --model M.tflite --commit M.commit --input A.bin\n"
    "                    [--input B.bin ...] --out P.proof [--threads T] [--blinded]\n"
    "\n"
    "Prove one batch: that the committed model maps each input (the raw bytes of\n"
    "the model's input tensor; for a model with k inputs, k files per sample in\n"
    "turn) to the outputs its exact integer inference gives,\n"
    "in the commitment's rounding profile.  All inputs go into one proof.  The\n"
    "model must be the committed one (checked).  The proof carries the inputs\n"
    "and the outputs (or the tensors the outputs are computed from, e.g. the\n"
    "logits before a SOFTMAX) in the clear.  It is sound but NOT zero-knowledge:\n"
    "its messages depend on the weights.\n"
    "\n"
    "--blinded  a blinded proof (docs/zero-knowledge.md): every message of the\n"
    "           relations is masked by a committed one-time pad and the witness\n"
    "           side of the final statement is masked too; the weight side is\n"
    "           not yet, so this is not yet a zero-knowledge proof.  buyer\n"
    "           verify-proof checks both kinds.\n";

int zs_cmd_prove(int argc, char **argv)
{
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' }, { "commit", required_argument, 0, 'c' },
        { "input", required_argument, 0, 'i' }, { "out", required_argument, 0, 'o' },
        { "threads", required_argument, 0, 't' }, { "help", no_argument, 0, 'h' },
        { "blinded", no_argument, 0, 'b' }, { 0, 0, 0, 0 }
    };
    const char *model_path = NULL, *commit_path = NULL, *out_path = NULL;
    const char **inputs = calloc((size_t)argc + 1, sizeof(char *));
    int n_inputs = 0, threads = 0, ch, blinded = 0;
    if (!inputs)
        return 1;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'm': model_path = optarg; break;
        case 'c': commit_path = optarg; break;
        case 'i': inputs[n_inputs++] = optarg; break;
        case 'o': out_path = optarg; break;
        case 't': threads = atoi(optarg); break;
        case 'b': blinded = 1; break;
        case 'h': fputs(prove_usage, stdout); free(inputs); return 0;
        default: fputs(prove_usage, stderr); free(inputs); return 2;
        }
    }
    if (!model_path || !commit_path || !out_path || n_inputs == 0 || optind != argc) {
        fprintf(stderr, "seller prove: %s\n\n%s",
                optind != argc ? "unexpected argument"
                               : "--model, --commit, --input and --out are required",
                prove_usage);
        free(inputs);
        return 2;
    }
    za_error err;
    zm_model *m = NULL;
    zp_model_commitment mc;
    memset(&mc, 0, sizeof mc);
    uint8_t *cbuf = NULL, *all = NULL, *proof = NULL;
    size_t clen = 0, plen = 0, in_bytes = 0;
    int rc = 1;
    if (zm_model_load_file(model_path, &m, &err) ||
        za_read_file(commit_path, ZA_MAX_PROOF_BYTES, &cbuf, &clen, &err) ||
        zp_model_commitment_decode(cbuf, clen, commit_path, &mc, &err))
        goto fail;
    for (int k = 0; k < m->n_inputs; k++)
        in_bytes += (size_t)m->tensors[m->inputs[k]].n_bytes;
    if (n_inputs % m->n_inputs != 0) {
        za_error_set(&err, ZA_ERR_ARG, "%s has %d inputs: give them for each sample in turn "
                     "(%d --input files is not a multiple)", model_path, m->n_inputs, n_inputs);
        goto fail;
    }
    if (!(all = malloc(in_bytes * (size_t)n_inputs + 1))) {
        za_error_set(&err, ZA_ERR_NOMEM, "out of memory");
        goto fail;
    }
    size_t off = 0;
    for (int k = 0; k < n_inputs; k++) {
        uint8_t *d = NULL;
        size_t len = 0, want = (size_t)m->tensors[m->inputs[k % m->n_inputs]].n_bytes;
        if (za_read_file(inputs[k], want + 1, &d, &len, &err))
            goto fail;
        if (len != want) {
            free(d);
            za_error_set(&err, ZA_ERR_ARG, "%s: %zu bytes, the model's input %d takes %zu",
                         inputs[k], len, k % m->n_inputs, want);
            goto fail;
        }
        memcpy(all + off, d, want);
        off += want;
        free(d);
    }
    n_inputs /= m->n_inputs; /* samples */
    zp_prove_stats S;
    if (zp_prove_ex(m, &mc, (unsigned)n_inputs, all, in_bytes * (size_t)n_inputs, threads, NULL,
                    blinded, &proof, &plen, &S, &err) ||
        za_write_file_atomic(out_path, proof, plen, &err))
        goto fail;
    printf("proved %d input%s%s in %.2f s (witness %.2f s, commit %.2f s, relations %.2f s, "
           "openings %.2f s)\n",
           n_inputs, n_inputs == 1 ? "" : "s", blinded ? " (blinded)" : "", S.total_s, S.witness_s, S.commit_s, S.relations_s,
           S.open_s);
    printf("wrote %s (%zu bytes)\n", out_path, plen);
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    free(inputs);
    free(cbuf), free(all), free(proof);
    zp_model_commitment_free(&mc);
    zm_model_free(m);
    return rc;
}
