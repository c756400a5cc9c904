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
#include "common/limits.h"
#include "protocol/model_commit.h"
#include "protocol/model_key.h"
#include "seller/model_key_cli.h"
#include "seller/seller.h"
#include "zk/rand.h"

#include <sys/stat.h>

static const char commit_usage[] =
    "usage: seller commit-model --model M.tflite --out M.commit\n"
    "                           [--proofs B] [--model-key K] [--public]\n"
    "                           [--rounding tflite|reference]\n"
    "\n"
    "Commit to a model: writes the public descriptor (the .tflite with every\n"
    "CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED weight and bias zeroed: the\n"
    "architecture, shapes and quantization parameters), the rounding profile the\n"
    "proofs will follow, and a commitment to all weights and biases.  Prints the\n"
    "model id, which binds all three.  The weights never appear in the file.\n"
    "\n"
    "By default the commitment is PRIVATE (docs/zero-knowledge.md): a hiding\n"
    "commitment whose proofs are zero-knowledge proofs that reveal nothing of\n"
    "the weights and biases.  Its hiding covers a budget of B proofs (each proof\n"
    "of a batch opens it once); its secret randomness goes to the key file K\n"
    "(default M.commit.key, mode 0600), which every proving command needs and\n"
    "which keeps the count of proofs made.  Keep it as secret as the model.\n"
    "\n"
    "  --proofs B            the private commitment's budget of proofs (1..64,\n"
    "                        default 64); an audit of n samples at batch size b\n"
    "                        needs ceil(n / b)\n"
    "  --model-key K         where to write the key (default: M.commit.key)\n"
    "  --public              a public (binding, not hiding) commitment: its proofs\n"
    "                        are sound and smaller but NOT zero-knowledge\n"
    "  --rounding tflite     proofs follow the TFLite runtime (default)\n"
    "  --rounding reference  proofs follow the reference kernels / TFLite Micro\n";

#define DEFAULT_PROOF_BUDGET 64
_Static_assert(ZA_MAX_PCS_HIDING_OPENINGS == 64 && DEFAULT_PROOF_BUDGET == 64,
               "the numbers in commit_usage");

int zs_cmd_commit_model(int argc, char **argv)
{
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' }, { "out", required_argument, 0, 'o' },
        { "rounding", required_argument, 0, 'r' }, { "help", no_argument, 0, 'h' },
        { "proofs", required_argument, 0, 'p' }, { "model-key", required_argument, 0, 'k' },
        { "public", no_argument, 0, 'P' }, { 0, 0, 0, 0 }
    };
    const char *model_path = NULL, *out_path = NULL, *key_path = NULL;
    zm_rounding rounding = ZM_ROUNDING_TFLITE;
    int ch, is_public = 0, proofs_given = 0;
    unsigned budget = DEFAULT_PROOF_BUDGET;
    char *end, *def_key = NULL;
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
        case 'p': {
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || v < 1 || v > ZA_MAX_PCS_HIDING_OPENINGS) {
                fprintf(stderr, "seller commit-model: --proofs must be 1..%d\n",
                        ZA_MAX_PCS_HIDING_OPENINGS);
                return 2;
            }
            budget = (unsigned)v, proofs_given = 1;
            break;
        }
        case 'k': key_path = optarg; break;
        case 'P': is_public = 1; break;
        case 'h': fputs(commit_usage, stdout); return 0;
        default: fputs(commit_usage, stderr); return 2;
        }
    }
    if (!model_path || !out_path || optind != argc || (is_public && (proofs_given || key_path))) {
        fprintf(stderr, "seller commit-model: %s\n",
                optind != argc       ? "unexpected argument"
                : is_public          ? "--public takes neither --proofs nor --model-key"
                                     : "--model and --out are required");
        fputs(commit_usage, stderr);
        return 2;
    }
    if (!is_public && !key_path) {
        size_t n = strlen(out_path) + 5;
        if (!(def_key = malloc(n)))
            return 1;
        snprintf(def_key, n, "%s.key", out_path);
        key_path = def_key;
    }
    za_error err;
    zm_model *m = NULL;
    zp_model_commitment mc;
    memset(&mc, 0, sizeof mc);
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = 1;
    double t0 = za_now_s();
    zp_model_secret secret;
    memset(&secret, 0, sizeof secret);
    secret.budget = budget;
    struct stat sb;
    if (key_path && stat(key_path, &sb) == 0) { /* before any work */
        za_error_set(&err, ZA_ERR_ARG, "%s exists: a model key is never overwritten (its "
                     "commitment's proofs need it); choose another --out or --model-key", key_path);
        goto fail;
    }
    if (zm_model_load_file(model_path, &m, &err) ||
        (!is_public && zk_rand_seed(secret.seed, &err)) ||
        zp_model_commit_ex(m, rounding, 0, is_public ? NULL : &secret, &mc, &err) ||
        zp_model_commitment_encode(&mc, &buf, &len, &err))
        goto fail;
    memcpy(secret.model_id, mc.model_id, 32);
    /* the key first: a commitment without its key could prove nothing */
    if (!is_public && zp_model_key_create(key_path, &secret, &err))
        goto fail;
    if (za_write_file_atomic(out_path, buf, len, &err)) {
        if (!is_public)
            remove(key_path);
        goto fail;
    }
    char hex[65];
    za_hex_encode(mc.model_id, 32, hex);
    printf("model id: %s\n", hex);
    printf("rounding: %s\n", zm_rounding_name(rounding));
    if (is_public)
        printf("public commitment: its proofs are NOT zero-knowledge\n");
    else
        printf("private commitment for %u proofs; key %s (mode 0600: keep it secret, the "
               "proving commands need it)\n", budget, key_path);
    printf("wrote %s (%zu bytes) in %.2f s\n", out_path, len, za_now_s() - t0);
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    memset(&secret, 0, sizeof secret);
    free(def_key);
    free(buf);
    zp_model_commitment_free(&mc);
    zm_model_free(m);
    return rc;
}

static const char prove_usage[] =
    "usage: seller prove --model M.tflite --commit M.commit --input A.bin\n"
    "                    [--input B.bin ...] --out P.proof [--threads T]\n"
    "                    [--model-key K] [--blinded]\n"
    "\n"
    "Prove one batch: that the committed model maps each input (the raw bytes of\n"
    "the model's input tensor; for a model with k inputs, k files per sample in\n"
    "turn) to the outputs its exact integer inference gives,\n"
    "in the commitment's rounding profile.  All inputs go into one proof.  The\n"
    "model must be the committed one (checked).  The proof carries the inputs\n"
    "and the outputs (or the tensors the outputs are computed from, e.g. the\n"
    "logits before a SOFTMAX) in the clear.\n"
    "\n"
    "With a private commitment (the default of commit-model) the proof is a\n"
    "zero-knowledge proof: it reveals nothing of the weights and biases\n"
    "(docs/zero-knowledge.md).  It spends one of the commitment's proofs, counted\n"
    "in its key.  With a public commitment the proof is sound but its messages\n"
    "depend on the weights.\n"
    "\n"
    "--model-key K  the private commitment's key (default: M.commit.key)\n"
    "--blinded      on a public commitment, a blinded proof: every message of the\n"
    "               relations and the witness side of the final statement masked;\n"
    "               the weights' part is not (for testing; private commitments\n"
    "               are the zero-knowledge mode).  buyer verify-proof checks all kinds.\n";

int zs_cmd_prove(int argc, char **argv)
{
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' }, { "commit", required_argument, 0, 'c' },
        { "input", required_argument, 0, 'i' }, { "out", required_argument, 0, 'o' },
        { "threads", required_argument, 0, 't' }, { "help", no_argument, 0, 'h' },
        { "blinded", no_argument, 0, 'b' }, { "model-key", required_argument, 0, 'k' },
        { 0, 0, 0, 0 }
    };
    const char *model_path = NULL, *commit_path = NULL, *out_path = NULL, *key_path = NULL;
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
        case 'k': key_path = optarg; break;
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
    zp_model_key *key = NULL;
    if (zm_model_load_file(model_path, &m, &err) ||
        za_read_file(commit_path, ZA_MAX_PROOF_BYTES, &cbuf, &clen, &err) ||
        zp_model_commitment_decode(cbuf, clen, commit_path, &mc, &err) ||
        zs_model_key_for(&mc, commit_path, key_path, &key, &err))
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
    zp_prove_opts po = { .blinded = blinded,
                         .model_secret = key ? zp_model_key_secret(key) : NULL };
    unsigned slot = 0;
    if ((key && zp_model_key_reserve(key, 0, 1, out_path, &slot, &err)) ||
        zp_prove_ex(m, &mc, (unsigned)n_inputs, all, in_bytes * (size_t)n_inputs, threads, NULL,
                    &po, &proof, &plen, &S, &err) ||
        za_write_file_atomic(out_path, proof, plen, &err))
        goto fail;
    printf("proved %d input%s%s in %.2f s (witness %.2f s, commit %.2f s, relations %.2f s, "
           "openings %.2f s)\n",
           n_inputs, n_inputs == 1 ? "" : "s",
           key ? " (zero-knowledge)" : blinded ? " (blinded)" : "", S.total_s, S.witness_s,
           S.commit_s, S.relations_s, S.open_s);
    if (key)
        printf("spent proof %u of the commitment's %u\n", slot + 1,
               zp_model_key_secret(key)->budget);
    printf("wrote %s (%zu bytes)\n", out_path, plen);
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    free(inputs);
    zp_model_key_close(key);
    free(cbuf), free(all), free(proof);
    zp_model_commitment_free(&mc);
    zm_model_free(m);
    return rc;
}
