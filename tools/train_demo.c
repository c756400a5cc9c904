/* tools/train_demo.c - trains, quantizes and writes the project's demo model.
 *
 * usage: train_demo [--data DIR] [--out-dir DIR] [--seed N] [--epochs N]
 *                   [--threads N]
 *
 * Trains the float32 CNN of tools/demo_cnn.h on the Fashion-MNIST training
 * set (DIR, default /usr/share/datasets/fashion-mnist) with Adam on
 * minibatches of 32, quantizes it to int8 (tools/demo_quant.h) with ranges
 * calibrated on the first 5,000 training images, and writes
 * OUT/fashion_cnn.tflite (default OUT = models/demo) and OUT/fashion_cnn.json
 * (float and int8 test accuracy over the 10,000 test images, the latter
 * computed by our engine, the recipe, the training time and the model's
 * sha256).  See docs/demo-model.md.
 *
 * Deterministic: the same seed gives the same .tflite bytes on every run.
 * The only randomness is zd_rng; each minibatch is split into ZD_SHARDS
 * fixed halves whose gradients are summed in shard order, so the bits do
 * not depend on the thread count or on scheduling (--threads only changes
 * the speed).  The JSON differs between runs only in train_seconds.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/hex.h"
#include "common/parallel.h"
#include "common/progress.h"
#include "common/sha256.h"
#include "model/engine.h"
#include "model/model.h"
#include "tools/demo_cnn.h"
#include "tools/demo_data.h"
#include "tools/demo_quant.h"

#define ZD_BATCH 32
#define ZD_SHARDS 2 /* fixed: the split of a batch, not the thread count */
#define ZD_CALIB 5000
#define ZD_LR0 2e-3f
#define ZD_LR_DECAY 0.8f

/* ---- one minibatch, split into ZD_SHARDS halves */
typedef struct {
    const zd_cnn *net;
    const zd_set *set;
    const uint32_t *idx; /* the batch's image indices */
    int n;               /* batch size */
    zd_acts *acts[ZD_SHARDS];
    float *grad[ZD_SHARDS];
    double loss[ZD_SHARDS];
} batch_job;

static void batch_shard(void *ctx, size_t begin, size_t end)
{
    batch_job *j = ctx;
    for (size_t s = begin; s < end; s++) {
        int lo = (int)s * j->n / ZD_SHARDS, hi = ((int)s + 1) * j->n / ZD_SHARDS;
        memset(j->grad[s], 0, sizeof(float) * ZD_NPARAM);
        double loss = 0.0;
        for (int i = lo; i < hi; i++) {
            uint32_t k = j->idx[i];
            loss += zd_cnn_backprop(j->net, j->set->pixels + (size_t)k * ZD_PIXELS,
                                    j->set->labels[k], j->acts[s], j->grad[s]);
        }
        j->loss[s] = loss;
    }
}

/* ---- forward passes over fixed halves of a set: accuracy and calibration */
typedef struct {
    const zd_cnn *net;
    const zd_set *set;
    uint32_t n; /* images 0..n-1 */
    zd_acts *acts[ZD_SHARDS];
    uint32_t correct[ZD_SHARDS];
    zd_ranges ranges[ZD_SHARDS];
} eval_job;

static void eval_shard(void *ctx, size_t begin, size_t end)
{
    eval_job *j = ctx;
    for (size_t s = begin; s < end; s++) {
        uint32_t lo = (uint32_t)((uint64_t)s * j->n / ZD_SHARDS);
        uint32_t hi = (uint32_t)((uint64_t)(s + 1) * j->n / ZD_SHARDS);
        j->correct[s] = 0;
        zd_ranges_init(&j->ranges[s]);
        for (uint32_t i = lo; i < hi; i++) {
            zd_cnn_forward(j->net, j->set->pixels + (size_t)i * ZD_PIXELS, j->acts[s]);
            j->correct[s] += zd_argmax(j->acts[s]->logits, ZD_NCLS) == j->set->labels[i];
            zd_ranges_update(&j->ranges[s], j->acts[s]);
        }
    }
}

static void run_eval(eval_job *j, const zd_cnn *net, const zd_set *set, uint32_t n, int threads,
                     uint32_t *correct, zd_ranges *ranges)
{
    j->net = net;
    j->set = set;
    j->n = n;
    za_parallel_for(ZD_SHARDS, threads, eval_shard, j);
    *correct = 0;
    zd_ranges_init(ranges);
    for (int s = 0; s < ZD_SHARDS; s++) {
        *correct += j->correct[s];
        zd_ranges_merge(ranges, &j->ranges[s]);
    }
}

/* ---- the int8 model's test accuracy, by the engine that proofs attest to */
static za_status int8_accuracy(const uint8_t *tfl, size_t len, const zd_set *test,
                               uint32_t *correct, za_error *err)
{
    zm_model *m = NULL;
    zm_engine *e = NULL;
    za_status st = zm_model_load_buffer(tfl, len, "fashion_cnn.tflite", &m, err);
    if (st == ZA_OK)
        st = zm_engine_create(m, ZM_ROUNDING_TFLITE, &e, err);
    *correct = 0;
    uint8_t in[ZD_PIXELS];
    for (uint32_t i = 0; st == ZA_OK && i < test->n; i++) {
        /* the model's input convention: int8 = pixel - 128 (scale 1/255, zp -128) */
        for (int k = 0; k < ZD_PIXELS; k++)
            in[k] = (uint8_t)(test->pixels[(size_t)i * ZD_PIXELS + k] ^ 0x80);
        st = zm_engine_set_input(e, 0, in, sizeof in, err);
        if (st == ZA_OK)
            st = zm_engine_run(e, err);
        if (st == ZA_OK)
            *correct += zm_argmax(&m->tensors[m->outputs[0]], zm_engine_output(e, 0)) ==
                        test->labels[i];
    }
    zm_engine_free(e);
    zm_model_free(m);
    return st;
}

typedef struct {
    const char *data, *out_dir;
    uint64_t seed;
    int epochs, threads;
} options;

static int parse_args(int argc, char **argv, options *o)
{
    static const struct option longopts[] = { { "data", required_argument, 0, 'd' },
                                              { "out-dir", required_argument, 0, 'o' },
                                              { "seed", required_argument, 0, 's' },
                                              { "epochs", required_argument, 0, 'e' },
                                              { "threads", required_argument, 0, 't' },
                                              { 0, 0, 0, 0 } };
    o->data = "/usr/share/datasets/fashion-mnist";
    o->out_dir = "models/demo";
    o->seed = 1;
    o->epochs = 10;
    o->threads = 2;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o->data = optarg; break;
        case 'o': o->out_dir = optarg; break;
        case 's': o->seed = strtoull(optarg, NULL, 10); break;
        case 'e': o->epochs = atoi(optarg); break;
        case 't': o->threads = atoi(optarg); break;
        default: return -1;
        }
    }
    if (optind != argc || o->epochs < 1 || o->epochs > 100 || o->threads < 1)
        return -1;
    return 0;
}

static za_status write_json(const char *path, const options *o, uint32_t n_train,
                            uint32_t n_test, uint32_t float_ok, uint32_t int8_ok, double secs,
                            const char *sha_hex, size_t tfl_len, za_error *err)
{
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:I, s:I, s:i, s:f, s:f, s:I, s:I, s:I, s:I, s:f, s:I, s:f, s:i, "
        "s:f, s:s, s:s}",
        "model", "fashion_cnn.tflite", "architecture",
        "int8 [1,28,28,1] -> CONV_2D 3x3x8 SAME+RELU -> MAX_POOL_2D 2x2 -> CONV_2D 3x3x16 "
        "SAME+RELU -> MAX_POOL_2D 2x2 -> RESHAPE [1,784] -> FULLY_CONNECTED 10 -> SOFTMAX",
        "input_convention", "int8 = pixel - 128 (scale 1/255, zero point -128)", "seed",
        (json_int_t)o->seed, "epochs", (json_int_t)o->epochs, "batch_size", ZD_BATCH,
        "learning_rate", (double)ZD_LR0, "learning_rate_decay_per_epoch", (double)ZD_LR_DECAY,
        "train_images", (json_int_t)n_train, "calibration_images", (json_int_t)ZD_CALIB,
        "test_images", (json_int_t)n_test, "float_test_correct", (json_int_t)float_ok,
        "float_test_accuracy", (double)float_ok / n_test, "int8_test_correct",
        (json_int_t)int8_ok, "int8_test_accuracy", (double)int8_ok / n_test, "threads",
        o->threads, "train_seconds", secs, "rounding", "tflite", "sha256", sha_hex);
    if (!j)
        return za_error_set(err, ZA_ERR_NOMEM, "%s: cannot build the JSON", path);
    json_object_set_new(j, "tflite_bytes", json_integer((json_int_t)tfl_len));
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(j);
    if (!text)
        return za_error_set(err, ZA_ERR_NOMEM, "%s: cannot serialize the JSON", path);
    size_t n = strlen(text);
    char *buf = malloc(n + 2);
    za_status st = ZA_ERR_NOMEM;
    if (buf) {
        memcpy(buf, text, n);
        buf[n] = '\n';
        st = za_write_file_atomic(path, buf, n + 1, err);
    } else {
        za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", path);
    }
    free(buf);
    free(text);
    return st;
}

static za_status train_and_write(const options *o, za_error *err);

int main(int argc, char **argv)
{
    options o;
    if (parse_args(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: %s [--data DIR] [--out-dir DIR] [--seed N] [--epochs N] "
                        "[--threads N]\n", argv[0]);
        return 2;
    }
    za_error err;
    za_error_clear(&err);
    if (train_and_write(&o, &err) != ZA_OK) {
        fprintf(stderr, "train_demo: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static za_status train_and_write(const options *o, za_error *err)
{
    zd_set train, test;
    memset(&test, 0, sizeof test);
    za_status st = zd_set_load(o->data, "train", &train, err);
    if (st == ZA_OK)
        st = zd_set_load(o->data, "t10k", &test, err);
    zd_cnn *net = calloc(1, sizeof *net);
    zd_adam *opt = calloc(1, sizeof *opt);
    uint32_t *perm = malloc(sizeof(uint32_t) * (train.n ? train.n : 1));
    float *gsum = malloc(sizeof(float) * ZD_NPARAM);
    batch_job bj;
    eval_job ej;
    memset(&bj, 0, sizeof bj);
    memset(&ej, 0, sizeof ej);
    int ok = net && opt && perm && gsum;
    for (int s = 0; s < ZD_SHARDS; s++) {
        bj.acts[s] = ej.acts[s] = malloc(sizeof(zd_acts));
        bj.grad[s] = malloc(sizeof(float) * ZD_NPARAM);
        ok = ok && bj.acts[s] && bj.grad[s];
    }
    uint8_t *tfl = NULL;
    size_t tfl_len = 0;
    if (st == ZA_OK && !ok)
        st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    if (st == ZA_OK && train.n < ZD_CALIB)
        st = za_error_set(err, ZA_ERR_MALFORMED, "%s: only %u training images", o->data,
                          train.n);
    if (st != ZA_OK)
        goto done;

    zd_rng rng;
    zd_rng_seed(&rng, o->seed);
    zd_cnn_init(net, &rng);
    for (uint32_t i = 0; i < train.n; i++)
        perm[i] = i;
    double t0 = za_now_s();
    float lr = ZD_LR0;
    uint32_t float_ok = 0;
    zd_ranges ranges;
    for (int ep = 0; ep < o->epochs; ep++) {
        for (uint32_t i = train.n - 1; i > 0; i--) { /* Fisher-Yates */
            uint32_t k = (uint32_t)(zd_rng_next(&rng) % (i + 1));
            uint32_t t = perm[i];
            perm[i] = perm[k];
            perm[k] = t;
        }
        double loss = 0.0;
        bj.net = net;
        bj.set = &train;
        for (uint32_t b = 0; b < train.n; b += ZD_BATCH) {
            bj.idx = perm + b;
            bj.n = (int)(train.n - b < ZD_BATCH ? train.n - b : ZD_BATCH);
            za_parallel_for(ZD_SHARDS, o->threads, batch_shard, &bj);
            float inv = 1.0f / (float)bj.n;
            for (int i = 0; i < ZD_NPARAM; i++) {
                float g = 0.0f;
                for (int s = 0; s < ZD_SHARDS; s++)
                    g += bj.grad[s][i];
                gsum[i] = g * inv;
            }
            for (int s = 0; s < ZD_SHARDS; s++)
                loss += bj.loss[s];
            zd_adam_step(opt, net, gsum, lr);
        }
        run_eval(&ej, net, &test, test.n, o->threads, &float_ok, &ranges);
        printf("train_demo: epoch %d/%d: lr %.5f, mean loss %.4f, float test accuracy %.2f%% "
               "(%.1f s)\n", ep + 1, o->epochs, (double)lr, loss / train.n,
               100.0 * float_ok / test.n, za_now_s() - t0);
        fflush(stdout);
        lr *= ZD_LR_DECAY;
    }
    double secs = za_now_s() - t0;

    uint32_t calib_ok;
    run_eval(&ej, net, &train, ZD_CALIB, o->threads, &calib_ok, &ranges);
    printf("train_demo: calibration on %d training images: conv1 [0, %.3f], conv2 [0, %.3f], "
           "logits [%.3f, %.3f]\n", ZD_CALIB, (double)ranges.y1_max, (double)ranges.y2_max,
           (double)ranges.l_min, (double)ranges.l_max);
    char desc[128];
    snprintf(desc, sizeof desc, "zkaudit demo model: Fashion-MNIST CNN, tools/train_demo.c seed %llu",
             (unsigned long long)o->seed);
    st = zd_write_tflite(net, &ranges, desc, &tfl, &tfl_len, err);
    uint32_t int8_ok = 0;
    if (st == ZA_OK)
        st = int8_accuracy(tfl, tfl_len, &test, &int8_ok, err);
    char path[4096];
    if (st == ZA_OK)
        st = za_mkdir_p(o->out_dir, err);
    if (st == ZA_OK) {
        snprintf(path, sizeof path, "%s/fashion_cnn.tflite", o->out_dir);
        st = za_write_file_atomic(path, tfl, tfl_len, err);
    }
    uint8_t dig[ZA_SHA256_LEN];
    char hex[2 * ZA_SHA256_LEN + 1];
    za_sha256(tfl, tfl_len, dig);
    za_hex_encode(dig, ZA_SHA256_LEN, hex);
    if (st == ZA_OK) {
        snprintf(path, sizeof path, "%s/fashion_cnn.json", o->out_dir);
        st = write_json(path, o, train.n, test.n, float_ok, int8_ok, secs, hex, tfl_len, err);
    }
    if (st == ZA_OK)
        printf("train_demo: %s/fashion_cnn.tflite: %zu bytes, sha256 %s\n"
               "train_demo: test accuracy: float %.2f%% (%u/%u), int8 %.2f%% (%u/%u); "
               "training %.1f s\n", o->out_dir, tfl_len, hex, 100.0 * float_ok / test.n,
               float_ok, test.n, 100.0 * int8_ok / test.n, int8_ok, test.n, secs);
done:
    for (int s = 0; s < ZD_SHARDS; s++) {
        free(bj.acts[s]);
        free(bj.grad[s]);
    }
    free(tfl);
    free(gsum);
    free(perm);
    free(opt);
    free(net);
    zd_set_free(&train);
    zd_set_free(&test);
    return st;
}
