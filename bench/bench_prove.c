/* bench/bench_prove.c - proving and verifying one model's inference.
 *
 * usage: bench_prove MODEL.tflite [BATCH] [REPEATS]
 * Commits to the model (tflite profile), makes BATCH inputs (random:1,
 * random:2, ...), measures in this one process: plain inference of the
 * batch (median of several runs, one thread, the engine), proving (median
 * of REPEATS, default 1, all threads), verifying (median of 5), the proof
 * size, the prove/inference ratio and the per-sample proving time, and
 * prints one JSON object.  The peak resident memory is that of the whole
 * process (run one model per process).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/alloc.h"
#include "common/parallel.h"
#include "common/progress.h"
#include "model/engine.h"
#include "model/model.h"
#include "model/testinput.h"
#include "protocol/infer_proof.h"
#include "protocol/model_commit.h"
#include "zk/rand.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void die(const char *what, const za_error *err)
{
    fprintf(stderr, "bench_prove: %s: %s\n", what, err->msg);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODEL.tflite [BATCH] [REPEATS] [blinded|private:B]\n",
                argv[0]);
        return 2;
    }
    unsigned batch = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
    int repeats = argc > 3 ? atoi(argv[3]) : 1;
    int blinded = argc > 4 && strcmp(argv[4], "blinded") == 0; /* zp_prove_ex, zk/blind.h */
    /* private:B - a private model commitment for B proofs (docs/zero-knowledge.md) */
    unsigned budget = argc > 4 && strncmp(argv[4], "private:", 8) == 0
                          ? (unsigned)atoi(argv[4] + 8) : 0;
    zp_model_secret secret;
    memset(&secret, 0, sizeof secret);
    secret.budget = budget;
    if (batch < 1 || repeats < 1)
        return 2;
    za_alloc_tune_for_proving(); /* as bin/seller does */
    za_error err;
    zm_model *m = NULL;
    zm_engine *e = NULL;
    zp_model_commitment mc;
    if (zm_model_load_file(argv[1], &m, &err) ||
        zm_engine_create(m, ZM_ROUNDING_TFLITE, &e, &err))
        die("load", &err);
    double tc = za_now_s();
    if ((budget && zk_rand_seed(secret.seed, &err)) ||
        zp_model_commit_ex(m, ZM_ROUNDING_TFLITE, 0, budget ? &secret : NULL, &mc, &err))
        die("commit", &err);
    memcpy(secret.model_id, mc.model_id, 32);
    /* BENCH_MODEL_PROVER=1: the weights committed once for every repeat, as
     * prove-batch does (zp_model_prover_new) */
    zp_model_prover *model_prover = NULL;
    const char *cache = getenv("BENCH_MODEL_PROVER");
    if (cache && !strcmp(cache, "1") &&
        zp_model_prover_new(m, &mc, budget ? &secret : NULL, 0, &model_prover, &err))
        die("model prover", &err);
    tc = za_now_s() - tc;
    size_t sample = 0;
    for (int k = 0; k < m->n_inputs; k++)
        sample += (size_t)m->tensors[m->inputs[k]].n_bytes;
    uint8_t *inputs = malloc(sample * batch);
    for (unsigned b = 0; b < batch; b++) {
        size_t off = 0;
        for (int k = 0; k < m->n_inputs; k++) {
            size_t nb = (size_t)m->tensors[m->inputs[k]].n_bytes;
            char rule[32];
            snprintf(rule, sizeof rule, "random:%u", b * 16 + (unsigned)k + 1);
            if (zm_make_input(rule, inputs + b * sample + off, nb, &err))
                die("input", &err);
            off += nb;
        }
    }
    /* plain inference of the batch */
    double ti[7];
    for (int i = 0; i < 7; i++) {
        double a = za_now_s();
        for (unsigned b = 0; b < batch; b++) {
            size_t off = 0;
            for (int k = 0; k < m->n_inputs; k++) {
                size_t nb = (size_t)m->tensors[m->inputs[k]].n_bytes;
                if (zm_engine_set_input(e, k, inputs + b * sample + off, nb, &err))
                    die("input", &err);
                off += nb;
            }
            if (zm_engine_run(e, &err))
                die("run", &err);
        }
        ti[i] = za_now_s() - a;
    }
    qsort(ti, 7, sizeof *ti, cmp_double);
    double infer = ti[3];
    /* prove */
    double *tp = malloc(sizeof(double) * (size_t)repeats);
    uint8_t *proof = NULL;
    size_t plen = 0;
    zp_prove_stats S;
    double cpu0 = za_cpu_s();
    for (int i = 0; i < repeats; i++) {
        free(proof);
        proof = NULL;
        double a = za_now_s();
        zp_prove_opts po = { .blinded = blinded, .model_secret = budget ? &secret : NULL,
                             .model_prover = model_prover };
        if (zp_prove_ex(m, &mc, batch, inputs, sample * batch, 0, NULL, &po, &proof, &plen, &S,
                        &err))
            die("prove", &err);
        tp[i] = za_now_s() - a;
    }
    double prove_cpu = (za_cpu_s() - cpu0) / repeats;
    qsort(tp, (size_t)repeats, sizeof *tp, cmp_double);
    double prove = tp[repeats / 2];
    /* verify */
    double tv[5];
    for (int i = 0; i < 5; i++) {
        zp_verified v;
        double a = za_now_s();
        if (zp_verify(&mc, proof, plen, 0, &v, &err))
            die("verify", &err);
        tv[i] = za_now_s() - a;
        zp_verified_free(&v);
    }
    qsort(tv, 5, sizeof *tv, cmp_double);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const char *name = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
    json_t *o = json_pack(
        "{s:s, s:i, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:I, "
        "s:I, s:i, s:b, s:s, s:i, s:b}",
        "model", name, "batch", (int)batch, "prove_repeats", repeats, "commit_model_s", tc,
        "inference_s", infer, "prove_s", prove, "prove_cpu_s", prove_cpu, "prove_per_sample_s",
        prove / batch, "verify_s", tv[2], "proof_bytes", (json_int_t)plen,
        "prove_over_inference", prove / infer, "witness_s", S.witness_s, "commit_s", S.commit_s,
        "relations_s", S.relations_s, "open_s", S.open_s, "prove_cpu_per_sample_s",
        prove_cpu / batch, "witness_elements", (json_int_t)S.witness_elems, "peak_rss_kib",
        (json_int_t)ru.ru_maxrss, "threads", za_default_threads(), "blinded", blinded || budget,
        "mode", budget ? "private" : blinded ? "blinded" : "plain", "proof_budget", (int)budget,
        "model_prover_cached", model_prover != NULL);
    char *s = json_dumps(o, JSON_COMPACT);
    puts(s);
    free(s);
    json_decref(o);
    free(tp), free(proof), free(inputs);
    zp_model_prover_free(model_prover);
    zp_model_commitment_free(&mc);
    zm_engine_free(e);
    zm_model_free(m);
    return 0;
}
