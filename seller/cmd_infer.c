/* seller/cmd_infer.c - `seller infer` and `seller make-input`. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/sha256.h"
#include "model/engine.h"
#include "model/model.h"
#include "model/testinput.h"
#include "seller/seller.h"

static const char infer_usage[] =
    "usage: seller infer --model M.tflite --input IN.bin [--input IN2.bin ...]\n"
    "                    [--output OUT.bin] [--rounding tflite|reference]\n"
    "                    [--dump-dir DIR] [--json]\n"
    "\n"
    "Run the model's exact integer inference.  IN.bin holds the raw bytes of the\n"
    "model's input tensor in its own dtype (one --input per model input, in\n"
    "order); OUT.bin receives the raw bytes of the first output tensor.  Prints\n"
    "the output values, their argmax (lowest index on ties) and the rounding\n"
    "profile used.\n"
    "\n"
    "  --rounding tflite     what the TFLite runtime computes (default): single\n"
    "                        rounding in CONV_2D / FULLY_CONNECTED\n"
    "  --rounding reference  double rounding everywhere (TFLite reference kernels,\n"
    "                        TFLite Micro)\n"
    "  --dump-dir DIR        also write every operator's output tensor to\n"
    "                        DIR/tNNNN_<name>.bin plus DIR/manifest.json\n"
    "  --json                print the result as JSON on stdout\n";

static void safe_name(const char *in, char *out, size_t n)
{
    /* the oracle's rule: runs of other characters become one '_', 120 max */
    size_t j = 0;
    int in_run = 0;
    for (size_t i = 0; in[i] && j + 1 < n && j < 120; i++) {
        char ch = in[i];
        int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                 ch == '_' || ch == '.' || ch == '-';
        if (ok) {
            out[j++] = ch;
            in_run = 0;
        } else if (!in_run) {
            out[j++] = '_';
            in_run = 1;
        }
    }
    out[j] = 0;
}

static int dump_tensors(const zm_model *m, const zm_engine *e, const char *dir, za_error *err)
{
    if (za_mkdir_p(dir, err) != ZA_OK)
        return 0;
    json_t *manifest = json_array();
    char path[4096], name[128], hex[65];
    uint8_t digest[32];
    for (int o = 0; o < m->n_ops; o++) {
        int t = m->ops[o].outputs[0];
        const zm_tensor *tt = &m->tensors[t];
        safe_name(tt->name, name, sizeof name);
        snprintf(path, sizeof path, "%s/t%04d_%s.bin", dir, t, name);
        const void *data = zm_engine_tensor(e, t);
        if (za_write_file_atomic(path, data, (size_t)tt->n_bytes, err) != ZA_OK) {
            json_decref(manifest);
            return 0;
        }
        za_sha256(data, (size_t)tt->n_bytes, digest);
        za_hex_encode(digest, 32, hex);
        json_t *shape = json_array();
        for (int d = 0; d < tt->rank; d++)
            json_array_append_new(shape, json_integer(tt->shape[d]));
        const char *base = strrchr(path, '/') + 1;
        json_array_append_new(manifest,
                              json_pack("{s:i, s:s, s:o, s:s, s:{s:i, s:s}, s:s, s:s}", "id", t,
                                        "name", tt->name, "shape", shape, "dtype",
                                        zm_dtype_name(tt->type), "producer", "node", o, "op",
                                        zm_op_name(m->ops[o].opcode), "file", base, "sha256", hex));
    }
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    char *text = json_dumps(manifest, JSON_INDENT(1));
    json_decref(manifest);
    za_status st = text ? za_write_file_atomic(path, text, strlen(text), err)
                        : za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    free(text);
    return st == ZA_OK;
}

static void print_values(const zm_tensor *t, const void *data, int64_t limit)
{
    for (int64_t i = 0; i < t->n_elems && i < limit; i++) {
        if (t->type == ZM_INT8)
            printf(" %d", ((const int8_t *)data)[i]);
        else if (t->type == ZM_UINT8)
            printf(" %u", ((const uint8_t *)data)[i]);
        else if (t->type == ZM_INT32)
            printf(" %d", ((const int32_t *)data)[i]);
        else if (t->type == ZM_FLOAT32)
            printf(" %.9g", (double)((const float *)data)[i]);
    }
    if (t->n_elems > limit)
        printf(" ... (%lld more)", (long long)(t->n_elems - limit));
}

static json_t *values_json(const zm_tensor *t, const void *data)
{
    json_t *a = json_array();
    for (int64_t i = 0; i < t->n_elems; i++) {
        if (t->type == ZM_INT8)
            json_array_append_new(a, json_integer(((const int8_t *)data)[i]));
        else if (t->type == ZM_UINT8)
            json_array_append_new(a, json_integer(((const uint8_t *)data)[i]));
        else if (t->type == ZM_INT32)
            json_array_append_new(a, json_integer(((const int32_t *)data)[i]));
        else if (t->type == ZM_FLOAT32)
            json_array_append_new(a, json_real(((const float *)data)[i]));
    }
    return a;
}

int zs_cmd_infer(int argc, char **argv)
{
    const char *model_path = NULL, *out_path = NULL, *dump_dir = NULL;
    const char *inputs[ZA_MAX_OP_IO];
    int n_inputs = 0, json = 0;
    zm_rounding rounding = ZM_ROUNDING_TFLITE;
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' },  { "input", required_argument, 0, 'i' },
        { "output", required_argument, 0, 'o' }, { "rounding", required_argument, 0, 'r' },
        { "dump-dir", required_argument, 0, 'd' }, { "json", no_argument, 0, 'j' },
        { "help", no_argument, 0, 'h' },          { 0, 0, 0, 0 }
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:i:o:r:d:jh", opts, NULL)) != -1) {
        switch (c) {
        case 'm': model_path = optarg; break;
        case 'i':
            if (n_inputs == ZA_MAX_OP_IO) {
                fprintf(stderr, "seller infer: too many --input options\n");
                return 2;
            }
            inputs[n_inputs++] = optarg;
            break;
        case 'o': out_path = optarg; break;
        case 'r':
            if (!zm_rounding_parse(optarg, &rounding)) {
                fprintf(stderr, "seller infer: --rounding must be tflite or reference, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'd': dump_dir = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(infer_usage, stdout); return 0;
        default: fputs(infer_usage, stderr); return 2;
        }
    }
    if (!model_path || n_inputs == 0 || optind != argc) {
        fprintf(stderr, "seller infer: %s\n\n%s",
                optind != argc ? "unexpected argument" : "--model and --input are required",
                infer_usage);
        return 2;
    }
    za_error err;
    zm_model *m = NULL;
    zm_engine *e = NULL;
    int rc = 1;
    if (zm_model_load_file(model_path, &m, &err) != ZA_OK ||
        zm_engine_create(m, rounding, &e, &err) != ZA_OK)
        goto fail;
    if (n_inputs != m->n_inputs) {
        za_error_set(&err, ZA_ERR_ARG, "%s has %d input tensors; %d --input files given",
                     model_path, m->n_inputs, n_inputs);
        goto fail;
    }
    for (int k = 0; k < n_inputs; k++) {
        uint8_t *data = NULL;
        size_t len = 0;
        if (za_read_file(inputs[k], (size_t)ZA_MAX_ARENA_BYTES, &data, &len, &err) != ZA_OK)
            goto fail;
        za_status st = zm_engine_set_input(e, k, data, len, &err);
        free(data);
        if (st != ZA_OK) {
            za_error_prefix(&err, "%s", inputs[k]);
            goto fail;
        }
    }
    double t0 = za_now_s();
    if (zm_engine_run(e, &err) != ZA_OK)
        goto fail;
    double elapsed = za_now_s() - t0;
    const zm_tensor *ot = &m->tensors[m->outputs[0]];
    const void *od = zm_engine_output(e, 0);
    if (out_path && za_write_file_atomic(out_path, od, (size_t)ot->n_bytes, &err) != ZA_OK)
        goto fail;
    if (dump_dir && !dump_tensors(m, e, dump_dir, &err))
        goto fail;
    int64_t am = zm_argmax(ot, od);
    if (json) {
        json_t *outs = json_array();
        for (int k = 0; k < m->n_outputs; k++) {
            const zm_tensor *t = &m->tensors[m->outputs[k]];
            const void *d = zm_engine_output(e, k);
            json_array_append_new(outs, json_pack("{s:s, s:s, s:o, s:I}", "name", t->name, "dtype",
                                                  zm_dtype_name(t->type), "values",
                                                  values_json(t, d), "argmax",
                                                  (json_int_t)zm_argmax(t, d)));
        }
        json_t *root = json_pack("{s:s, s:s, s:o, s:f}", "model", model_path, "rounding",
                                 zm_rounding_name(rounding), "outputs", outs, "seconds", elapsed);
        json_dumpf(root, stdout, JSON_INDENT(1));
        putchar('\n');
        json_decref(root);
    } else {
        for (int k = 0; k < m->n_outputs; k++) {
            const zm_tensor *t = &m->tensors[m->outputs[k]];
            printf("output %d \"%s\" %s[%lld]:", k, t->name, zm_dtype_name(t->type),
                   (long long)t->n_elems);
            print_values(t, zm_engine_output(e, k), 64);
            printf("\n");
        }
        printf("argmax: %lld\n", (long long)am);
        printf("rounding: %s\n", zm_rounding_name(rounding));
    }
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    zm_engine_free(e);
    zm_model_free(m);
    return rc;
}

static const char make_input_usage[] =
    "usage: seller make-input --model M.tflite --rule zeros|random:SEED --out IN.bin\n"
    "                         [--input-index K]\n"
    "\n"
    "Write a deterministic input for the model's input tensor K (default 0), byte\n"
    "for byte what the TFLite oracle's --make-input rule writes (xorshift32).\n";

int zs_cmd_make_input(int argc, char **argv)
{
    const char *model_path = NULL, *rule = NULL, *out_path = NULL;
    int index = 0;
    static const struct option opts[] = { { "model", required_argument, 0, 'm' },
                                          { "rule", required_argument, 0, 'r' },
                                          { "out", required_argument, 0, 'o' },
                                          { "input-index", required_argument, 0, 'k' },
                                          { "help", no_argument, 0, 'h' },
                                          { 0, 0, 0, 0 } };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:r:o:k:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': model_path = optarg; break;
        case 'r': rule = optarg; break;
        case 'o': out_path = optarg; break;
        case 'k': index = atoi(optarg); break;
        case 'h': fputs(make_input_usage, stdout); return 0;
        default: fputs(make_input_usage, stderr); return 2;
        }
    }
    if (!model_path || !rule || !out_path || optind != argc) {
        fprintf(stderr, "seller make-input: --model, --rule and --out are required\n\n%s",
                make_input_usage);
        return 2;
    }
    za_error err;
    zm_model *m = NULL;
    uint8_t *buf = NULL;
    int rc = 1;
    if (zm_model_load_file(model_path, &m, &err) != ZA_OK)
        goto fail;
    if (index < 0 || index >= m->n_inputs) {
        za_error_set(&err, ZA_ERR_ARG, "%s has %d inputs; --input-index %d is out of range",
                     model_path, m->n_inputs, index);
        goto fail;
    }
    const zm_tensor *t = &m->tensors[m->inputs[index]];
    if (t->type != ZM_INT8 && t->type != ZM_UINT8) {
        za_error_set(&err, ZA_ERR_UNSUPPORTED, "input %d is %s; rules make int8/uint8 inputs only",
                     index, zm_dtype_name(t->type));
        goto fail;
    }
    buf = malloc((size_t)t->n_bytes + 1);
    if (!buf) {
        za_error_set(&err, ZA_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (zm_make_input(rule, buf, (size_t)t->n_bytes, &err) != ZA_OK ||
        za_write_file_atomic(out_path, buf, (size_t)t->n_bytes, &err) != ZA_OK)
        goto fail;
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    free(buf);
    zm_model_free(m);
    return rc;
}
