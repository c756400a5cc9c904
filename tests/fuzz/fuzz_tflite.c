/* tests/fuzz/fuzz_tflite.c - libFuzzer target for the .tflite reader and the
 * inference engine.
 *
 * Each input is handed to zm_model_load_buffer().  A rejected file must come
 * back with a non-OK status equal to err.code and a non-empty message.  An
 * accepted model is checked against the promises of model/model.h (indices
 * in range, shapes non-negative, constant data inside the file copy and of
 * exactly the tensor's byte size), then an engine is created with each
 * rounding profile; when that succeeds and the prepared model is cheap
 * enough, every graph input is filled with bytes taken from the fuzz data
 * and the engine is run.  Any violated promise aborts (a crash to libFuzzer).
 *
 * Work is capped so that one input stays fast under ASan/UBSan and the
 * fuzzer's coverage instrumentation (which makes a MAC cost ~100 ns: the
 * shared ResNet's 12.5M MACs take ~1.5 s per profile): engines are not
 * created when the activations would exceed ARENA_CAP, and not run when they
 * do more than MACS_CAP multiply-accumulates or an estimate of their other
 * loop iterations (im2col, pooling windows, element copies) exceeds
 * WORK_CAP.  Both profiles are run when the model is small (MACS_BOTH);
 * above that only one, chosen by the input's last byte (they differ only in
 * the requantization rounding of CONV_2D and FULLY_CONNECTED).
 *
 * Build: make fuzz (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/engine.h"
#include "model/model.h"

#define ARENA_CAP ((uint64_t)64 << 20)
#define MACS_CAP ((uint64_t)16 * 1000 * 1000)
#define MACS_BOTH ((uint64_t)2 * 1000 * 1000)
#define WORK_CAP 3e7

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_tflite: invariant violated: %s\n", what);
        abort();
    }
}

static void check_error(za_status st, const za_error *err)
{
    check(st != ZA_OK, "failure reported as ZA_OK");
    check(err->code == st, "err.code differs from the returned status");
    check(memchr(err->msg, 0, sizeof err->msg) != NULL, "error message not terminated");
    check(err->msg[0] != 0, "empty error message");
}

/* The promises of model/model.h about a successfully loaded model. */
static void check_model(const zm_model *m)
{
    check(m->n_tensors >= 0 && m->n_ops >= 0 && m->n_inputs >= 0 && m->n_outputs >= 0,
          "negative count");
    for (int i = 0; i < m->n_tensors; i++) {
        const zm_tensor *t = &m->tensors[i];
        check(t->name != NULL, "tensor without a name string");
        check(t->rank >= 0 && t->rank <= ZA_MAX_RANK, "rank out of range");
        int64_t n = 1;
        for (int d = 0; d < t->rank; d++) {
            check(t->shape[d] >= 0, "negative dimension");
            n *= t->shape[d];
        }
        check(n == t->n_elems, "n_elems is not the product of the shape");
        check(t->n_elems <= ZA_MAX_TENSOR_ELEMENTS, "n_elems above the limit");
        check(t->n_bytes == t->n_elems * zm_dtype_size(t->type), "n_bytes inconsistent");
        if (t->data) {
            check(t->data >= m->file && t->n_bytes >= 0 &&
                      (uint64_t)(t->data - m->file) + (uint64_t)t->n_bytes <= m->file_len,
                  "constant data outside the file");
        }
        check(t->q.n >= 0 && t->q.n <= ZA_MAX_QUANT_CHANNELS, "quantization count");
        if (t->q.n > 0)
            check(t->q.scale != NULL && t->q.zero_point != NULL, "quantization arrays");
    }
    for (int i = 0; i < m->n_inputs; i++)
        check(m->inputs[i] >= 0 && m->inputs[i] < m->n_tensors, "graph input index");
    for (int i = 0; i < m->n_outputs; i++)
        check(m->outputs[i] >= 0 && m->outputs[i] < m->n_tensors, "graph output index");
    for (int o = 0; o < m->n_ops; o++) {
        const zm_op *op = &m->ops[o];
        check(zm_op_supported(op->opcode), "unsupported op survived loading");
        check(op->n_inputs >= 0 && op->n_inputs <= ZA_MAX_OP_IO, "op input count");
        check(op->n_outputs >= 0 && op->n_outputs <= ZA_MAX_OP_IO, "op output count");
        for (int j = 0; j < op->n_inputs; j++)
            check(op->inputs[j] >= -1 && op->inputs[j] < m->n_tensors, "op input index");
        for (int j = 0; j < op->n_outputs; j++)
            check(op->outputs[j] >= 0 && op->outputs[j] < m->n_tensors, "op output index");
    }
}

static double dim(const zm_tensor *t, int d)
{
    return d < t->rank ? (double)t->shape[d] : 1.0;
}

static double min_d(double a, double b)
{
    return a < b ? a : b;
}

/* Loop iterations a run costs beyond the MACs (in double: no overflow). */
static double work_estimate(const zm_model *m)
{
    double w = 0;
    for (int o = 0; o < m->n_ops; o++) {
        const zm_op *op = &m->ops[o];
        const zm_tensor *out = op->n_outputs > 0 ? &m->tensors[op->outputs[0]] : NULL;
        const zm_tensor *in =
            op->n_inputs > 0 && op->inputs[0] >= 0 ? &m->tensors[op->inputs[0]] : NULL;
        const zm_tensor *f =
            op->n_inputs > 1 && op->inputs[1] >= 0 ? &m->tensors[op->inputs[1]] : NULL;
        for (int j = 0; j < op->n_inputs; j++)
            if (op->inputs[j] >= 0)
                w += (double)m->tensors[op->inputs[j]].n_elems;
        for (int j = 0; j < op->n_outputs; j++)
            w += (double)m->tensors[op->outputs[j]].n_elems;
        if (!out)
            continue;
        double pixels = dim(out, 0) * dim(out, 1) * dim(out, 2);
        switch (op->opcode) {
        case ZM_OP_CONV_2D: /* im2col: every output pixel gathers KH*KW*IC values */
            if (f)
                w += pixels * dim(f, 1) * dim(f, 2) * (dim(f, 3) + 1);
            break;
        case ZM_OP_DEPTHWISE_CONV_2D: /* every pixel visits KH*KW taps */
            if (f)
                w += pixels * dim(f, 1) * dim(f, 2) * (dim(out, 3) + 1);
            break;
        case ZM_OP_AVERAGE_POOL_2D:
        case ZM_OP_MAX_POOL_2D:
            if (in)
                w += pixels * (dim(out, 3) + 1) * min_d(op->opt.pool.filter_h, dim(in, 1)) *
                     min_d(op->opt.pool.filter_w, dim(in, 2));
            break;
        default:
            break;
        }
    }
    return w;
}

/* Bytes of activations the engine would allocate (as engine.c counts them). */
static uint64_t arena_estimate(const zm_model *m)
{
    uint64_t total = 0;
    for (int i = 0; i < m->n_tensors; i++)
        if (!m->tensors[i].data)
            total += ((uint64_t)m->tensors[i].n_bytes + 63) / 64 * 64;
    return total;
}

/* Create an engine; run it when it is cheap enough and `run` is set.
 * Returns its MACs (0 when it was not created). */
static uint64_t run_engine(const zm_model *m, zm_rounding rounding, int run,
                           const uint8_t *data, size_t size)
{
    zm_engine *e = NULL;
    za_error err;
    za_status st = zm_engine_create(m, rounding, &e, &err);
    if (st != ZA_OK) {
        check(e == NULL, "engine returned on failure");
        check_error(st, &err);
        return 0;
    }
    check(e != NULL, "no engine on success");
    zm_engine_stats s;
    zm_engine_get_stats(e, &s);
    if (!run || s.macs > MACS_CAP || s.arena_bytes > ARENA_CAP ||
        work_estimate(m) > WORK_CAP) {
        zm_engine_free(e);
        return s.macs;
    }
    for (int k = 0; k < m->n_inputs; k++) {
        const zm_tensor *t = &m->tensors[m->inputs[k]];
        size_t len = (size_t)t->n_bytes;
        uint8_t *buf = calloc(len ? len : 1, 1);
        check(buf != NULL, "calloc");
        /* the fuzz data, cycled, starting at an input-dependent offset (or
         * zeros when there is no data) */
        if (size > 0)
            for (size_t i = 0, off = ((size_t)k * 131) % size; i < len; off = 0) {
                size_t c = size - off < len - i ? size - off : len - i;
                memcpy(buf + i, data + off, c);
                i += c;
            }
        st = zm_engine_set_input(e, k, buf, len, &err);
        check(st == ZA_OK, "zm_engine_set_input refused an input of the right size");
        free(buf);
    }
    st = zm_engine_run(e, &err);
    check(st == ZA_OK, "zm_engine_run failed on a prepared engine");
    for (int k = 0; k < m->n_outputs; k++) {
        const zm_tensor *t = &m->tensors[m->outputs[k]];
        const uint8_t *o = zm_engine_output(e, k);
        /* touch the first and last byte: ASan checks the output's extent */
        volatile uint8_t sink = 0;
        if (o && t->n_bytes > 0)
            sink = (uint8_t)(o[0] ^ o[t->n_bytes - 1]);
        (void)sink;
        (void)zm_argmax(t, o);
    }
    zm_engine_free(e);
    return s.macs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zm_model *m = NULL;
    za_error err;
    za_status st = zm_model_load_buffer(data, size, "fuzz.tflite", &m, &err);
    if (st != ZA_OK) {
        check(m == NULL, "model returned on failure");
        check_error(st, &err);
        return 0;
    }
    check(m != NULL, "no model on success");
    check_model(m);
    if (arena_estimate(m) <= ARENA_CAP) {
        /* both profiles are always prepared; the second one is run only when
         * the model is small or the input's last byte selects it */
        int pick = size > 0 ? data[size - 1] & 1 : 0;
        uint64_t macs = run_engine(m, ZM_ROUNDING_TFLITE, pick == 0, data, size);
        run_engine(m, ZM_ROUNDING_REFERENCE, pick == 1 || macs <= MACS_BOTH, data, size);
    }
    zm_model_free(m);
    return 0;
}
