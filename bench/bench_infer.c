/* bench/bench_infer.c - plain inference time and peak memory of one model.
 *
 * usage: bench_infer MODEL.tflite [ITERATIONS] [ROUNDING]
 * Loads the model, prepares an engine (one thread), feeds the oracle's
 * random:1 input, runs once to warm up, then ITERATIONS times (default: as
 * many as fit in ~2 s, at least 5), and prints one JSON object: median,
 * min and mean wall time per inference, MACs, the achieved MAC rate, and
 * the process's peak resident memory (getrusage ru_maxrss).  Run one model
 * per process so that the peak memory is that model's.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/progress.h"
#include "model/engine.h"
#include "model/model.h"
#include "model/testinput.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODEL.tflite [ITERATIONS] [tflite|reference]\n", argv[0]);
        return 2;
    }
    int iters = argc > 2 ? atoi(argv[2]) : 0;
    zm_rounding rounding = ZM_ROUNDING_TFLITE;
    if (argc > 3 && !zm_rounding_parse(argv[3], &rounding)) {
        fprintf(stderr, "bad rounding %s\n", argv[3]);
        return 2;
    }
    za_error err;
    zm_model *m = NULL;
    zm_engine *e = NULL;
    double t_load = za_now_s();
    if (zm_model_load_file(argv[1], &m, &err) || zm_engine_create(m, rounding, &e, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    t_load = za_now_s() - t_load;
    for (int k = 0; k < m->n_inputs; k++) {
        const zm_tensor *t = &m->tensors[m->inputs[k]];
        uint8_t *buf = malloc((size_t)t->n_bytes + 1);
        if (!buf || zm_make_input(k == 0 ? "random:1" : "zeros", buf, (size_t)t->n_bytes, &err) ||
            zm_engine_set_input(e, k, buf, (size_t)t->n_bytes, &err)) {
            fprintf(stderr, "input: %s\n", err.msg);
            return 1;
        }
        free(buf);
    }
    double t0 = za_now_s();
    if (zm_engine_run(e, &err))
        return 1;
    double first = za_now_s() - t0;
    if (iters <= 0) {
        iters = first > 0 ? (int)(2.0 / first) : 1000;
        if (iters < 5)
            iters = 5;
        if (iters > 2000)
            iters = 2000;
    }
    double *ts = malloc(sizeof(double) * (size_t)iters), sum = 0;
    double cpu0 = za_cpu_s();
    for (int i = 0; i < iters; i++) {
        double a = za_now_s();
        if (zm_engine_run(e, &err))
            return 1;
        ts[i] = za_now_s() - a;
        sum += ts[i];
    }
    double cpu = za_cpu_s() - cpu0;
    qsort(ts, (size_t)iters, sizeof *ts, cmp_double);
    zm_engine_stats st;
    zm_engine_get_stats(e, &st);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const char *name = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
    json_t *o = json_pack("{s:s, s:s, s:i, s:f, s:f, s:f, s:f, s:f, s:I, s:f, s:I, s:I, s:I, s:i}",
                          "model", name, "rounding", zm_rounding_name(rounding), "iterations",
                          iters, "median_s", ts[iters / 2], "min_s", ts[0], "mean_s",
                          sum / iters, "cpu_s_per_inference", cpu / iters, "load_prepare_s",
                          t_load, "macs", (json_int_t)st.macs, "gmacs_per_s",
                          st.macs / ts[iters / 2] / 1e9, "params", (json_int_t)st.params,
                          "activation_bytes", (json_int_t)st.arena_bytes, "peak_rss_kib",
                          (json_int_t)ru.ru_maxrss, "threads", 1);
    char *s = json_dumps(o, JSON_COMPACT);
    puts(s);
    free(s);
    json_decref(o);
    free(ts);
    zm_engine_free(e);
    zm_model_free(m);
    return 0;
}
