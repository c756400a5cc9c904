/* seller/cmd_inspect.c - `seller inspect`: what a model contains and costs. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "model/engine.h"
#include "model/model.h"
#include "seller/seller.h"

static const char usage_text[] =
    "usage: seller inspect --model M.tflite [--json]\n"
    "\n"
    "Print the model's inputs and outputs, every operator in execution order\n"
    "with its tensors' shapes and quantization, the number of parameters and\n"
    "the multiply-accumulates of one inference.  The model is fully checked:\n"
    "an unsupported op or a malformed file is reported as an error.\n"
    "\n"
    "  --model M.tflite   the TFLite FlatBuffer to read\n"
    "  --json             machine-readable output on stdout\n";

static json_t *tensor_json(const zm_model *m, int i)
{
    const zm_tensor *t = &m->tensors[i];
    json_t *shape = json_array();
    for (int d = 0; d < t->rank; d++)
        json_array_append_new(shape, json_integer(t->shape[d]));
    json_t *o = json_pack("{s:i, s:s, s:s, s:o, s:b}", "index", i, "name", t->name, "type",
                          zm_dtype_name(t->type), "shape", shape, "constant", t->data != NULL);
    if (t->q.n > 0) {
        json_t *sc = json_array(), *zp = json_array();
        for (int k = 0; k < t->q.n; k++) {
            json_array_append_new(sc, json_real(t->q.scale[k]));
            json_array_append_new(zp, json_integer(t->q.zero_point[k]));
        }
        json_object_set_new(o, "quantization",
                            json_pack("{s:o, s:o, s:i}", "scale", sc, "zero_point", zp,
                                      "quantized_dimension", t->q.quantized_dim));
    }
    return o;
}

static void print_tensor(const zm_model *m, int i)
{
    const zm_tensor *t = &m->tensors[i];
    printf("t%d %s [", i, zm_dtype_name(t->type));
    for (int d = 0; d < t->rank; d++)
        printf(d ? ",%d" : "%d", t->shape[d]);
    printf("]");
    if (t->q.n == 1)
        printf(" scale=%.9g zp=%lld", (double)t->q.scale[0], (long long)t->q.zero_point[0]);
    else if (t->q.n > 1)
        printf(" per-channel(%d, axis %d)", t->q.n, t->q.quantized_dim);
    if (t->data)
        printf(" const");
}

static void print_options(const zm_op *op)
{
    switch (op->opcode) {
    case ZM_OP_CONV_2D:
    case ZM_OP_DEPTHWISE_CONV_2D:
        printf(" %s stride=%dx%d dilation=%dx%d act=%s",
               op->opt.conv.padding == ZM_PAD_SAME ? "SAME" : "VALID", op->opt.conv.stride_h,
               op->opt.conv.stride_w, op->opt.conv.dilation_h, op->opt.conv.dilation_w,
               zm_activation_name(op->opt.conv.activation));
        if (op->opcode == ZM_OP_DEPTHWISE_CONV_2D)
            printf(" depth_multiplier=%d", op->opt.conv.depth_multiplier);
        break;
    case ZM_OP_AVERAGE_POOL_2D:
    case ZM_OP_MAX_POOL_2D:
        printf(" %s filter=%dx%d stride=%dx%d act=%s",
               op->opt.pool.padding == ZM_PAD_SAME ? "SAME" : "VALID", op->opt.pool.filter_h,
               op->opt.pool.filter_w, op->opt.pool.stride_h, op->opt.pool.stride_w,
               zm_activation_name(op->opt.pool.activation));
        break;
    case ZM_OP_FULLY_CONNECTED:
        printf(" act=%s", zm_activation_name(op->opt.fc.activation));
        break;
    case ZM_OP_ADD:
        printf(" act=%s", zm_activation_name(op->opt.add.activation));
        break;
    case ZM_OP_SOFTMAX:
        printf(" beta=%g", (double)op->opt.softmax.beta);
        break;
    case ZM_OP_MEAN:
        printf(" keep_dims=%d", op->opt.reducer.keep_dims);
        break;
    case ZM_OP_CONCATENATION:
        printf(" axis=%d", op->opt.concat.axis);
        break;
    default:
        break;
    }
}

int zs_cmd_inspect(int argc, char **argv)
{
    const char *model_path = NULL;
    int json = 0;
    static const struct option opts[] = { { "model", required_argument, 0, 'm' },
                                          { "json", no_argument, 0, 'j' },
                                          { "help", no_argument, 0, 'h' },
                                          { 0, 0, 0, 0 } };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:jh", opts, NULL)) != -1) {
        switch (c) {
        case 'm': model_path = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(usage_text, stdout); return 0;
        default: fputs(usage_text, stderr); return 2;
        }
    }
    if (!model_path || optind != argc) {
        fprintf(stderr, "seller inspect: %s\n\n%s",
                model_path ? "unexpected argument" : "--model is required", usage_text);
        return 2;
    }
    za_error err;
    zm_model *m = NULL;
    zm_engine *e = NULL;
    if (zm_model_load_file(model_path, &m, &err) != ZA_OK ||
        zm_engine_create(m, ZM_ROUNDING_TFLITE, &e, &err) != ZA_OK) {
        za_log_report(&err);
        zm_model_free(m);
        return 1;
    }
    zm_engine_stats st;
    zm_engine_get_stats(e, &st);
    if (json) {
        json_t *root = json_object();
        json_object_set_new(root, "model", json_string(model_path));
        json_object_set_new(root, "description", json_string(m->description));
        json_object_set_new(root, "schema_version", json_integer(m->version));
        json_object_set_new(root, "subgraphs", json_integer(m->n_subgraphs));
        json_t *ins = json_array(), *outs = json_array(), *ops = json_array(),
               *tensors = json_array();
        for (int i = 0; i < m->n_inputs; i++)
            json_array_append_new(ins, tensor_json(m, m->inputs[i]));
        for (int i = 0; i < m->n_outputs; i++)
            json_array_append_new(outs, tensor_json(m, m->outputs[i]));
        for (int i = 0; i < m->n_ops; i++) {
            const zm_op *op = &m->ops[i];
            json_t *oi = json_array(), *oo = json_array();
            for (int j = 0; j < op->n_inputs; j++)
                json_array_append_new(oi, json_integer(op->inputs[j]));
            for (int j = 0; j < op->n_outputs; j++)
                json_array_append_new(oo, json_integer(op->outputs[j]));
            json_array_append_new(ops, json_pack("{s:i, s:s, s:i, s:o, s:o}", "index", i, "op",
                                                 zm_op_name(op->opcode), "version", op->version,
                                                 "inputs", oi, "outputs", oo));
        }
        for (int i = 0; i < m->n_tensors; i++)
            json_array_append_new(tensors, tensor_json(m, i));
        json_object_set_new(root, "inputs", ins);
        json_object_set_new(root, "outputs", outs);
        json_object_set_new(root, "operators", ops);
        json_object_set_new(root, "tensors", tensors);
        json_object_set_new(root, "parameters", json_integer((json_int_t)st.params));
        json_object_set_new(root, "macs", json_integer((json_int_t)st.macs));
        json_object_set_new(root, "activation_bytes", json_integer((json_int_t)st.arena_bytes));
        json_dumpf(root, stdout, JSON_INDENT(1));
        putchar('\n');
        json_decref(root);
    } else {
        printf("model: %s\n", model_path);
        if (m->description[0])
            printf("description: %s\n", m->description);
        printf("tensors: %d, operators: %d, subgraphs: %d (only subgraph 0 runs)\n", m->n_tensors,
               m->n_ops, m->n_subgraphs);
        for (int i = 0; i < m->n_inputs; i++) {
            printf("input %d: ", i);
            print_tensor(m, m->inputs[i]);
            printf(" \"%s\"\n", m->tensors[m->inputs[i]].name);
        }
        for (int i = 0; i < m->n_outputs; i++) {
            printf("output %d: ", i);
            print_tensor(m, m->outputs[i]);
            printf(" \"%s\"\n", m->tensors[m->outputs[i]].name);
        }
        printf("operators:\n");
        for (int i = 0; i < m->n_ops; i++) {
            const zm_op *op = &m->ops[i];
            printf("  %3d %-18s", i, zm_op_name(op->opcode));
            print_options(op);
            printf("\n");
            for (int j = 0; j < op->n_inputs; j++) {
                if (op->inputs[j] < 0)
                    continue;
                printf("        in  ");
                print_tensor(m, op->inputs[j]);
                printf("\n");
            }
            printf("        out ");
            print_tensor(m, op->outputs[0]);
            printf("\n");
        }
        printf("parameters: %llu\n", (unsigned long long)st.params);
        printf("multiply-accumulates per inference: %llu\n", (unsigned long long)st.macs);
        printf("activation memory: %llu bytes\n", (unsigned long long)st.arena_bytes);
    }
    zm_engine_free(e);
    zm_model_free(m);
    return 0;
}
