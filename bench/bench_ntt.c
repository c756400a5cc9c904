/* bench/bench_ntt.c - NTT, Reed-Solomon batch encoding and field
 * multiplication throughput.
 *
 * usage: bench_ntt [quick]
 * Prints one JSON object per line:
 *   {"bench":"ntt"|"intt", "log_n", "threads", "runs", "median_ms", "min_ms",
 *    "cpu_ms_median", "elements_per_s"}         (elements_per_s = n / median)
 *   {"bench":"rs_encode_batch", "rows", "log_k", "log_blowup", "threads", ...,
 *    "in_elements_per_s", "out_elements_per_s"}
 *   {"bench":"fp_mul_chain"|"fp_mul_throughput"|"fp_mul_vector_throughput"|
 *    "fp2_mul_chain"|"fp2_mul_throughput"|..., "mults", "median_ms",
 *    "mults_per_s"}                                              (one core)
 *   {"bench":"machine", "cpu", "threads_default", "loadavg_1m"}  (first)
 * Timings are the median (and min) of several runs after one warm-up run;
 * inputs are random canonical elements.  "quick" runs fewer repetitions.
 * cpu_ms_median is the process CPU time of a run (all threads): on a quiet
 * machine it is close to median_ms x threads, and well below that when other
 * processes hold the cores.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/parallel.h"
#include "common/progress.h"
#include "zk/field.h"
#include "zk/ntt.h"

static int runs = 9;

static uint64_t rng_state = 0x0123456789abcdefull;
static zk_fp rand_fp(void)
{
    for (;;) {
        uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        if (z < ZK_P)
            return z;
    }
}

static zk_fp *rand_vec(size_t n)
{
    zk_fp *v = malloc(n * sizeof *v);
    if (!v) {
        fprintf(stderr, "bench_ntt: out of memory (%zu elements)\n", n);
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        v[i] = rand_fp();
    return v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void emit(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    puts(s);
    fflush(stdout);
    free(s);
    json_decref(o);
}

/* median and min of ts[0..k) (sorted in place) */
static double median(double *ts, int k)
{
    qsort(ts, (size_t)k, sizeof *ts, cmp_double);
    return ts[k / 2];
}

static void bench_ntt(unsigned log_n, int threads, int inverse)
{
    size_t n = (size_t)1 << log_n;
    zk_fp *v = rand_vec(n);
    double ts[64], cs[64];
    for (int r = -1; r < runs; r++) {
        double t0 = za_now_s(), c0 = za_cpu_s();
        if (inverse)
            zk_intt(v, log_n, threads);
        else
            zk_ntt(v, log_n, threads);
        if (r >= 0) {
            ts[r] = za_now_s() - t0;
            cs[r] = za_cpu_s() - c0;
        }
    }
    double med = median(ts, runs), cmed = median(cs, runs);
    emit(json_pack("{s:s, s:i, s:i, s:i, s:f, s:f, s:f, s:f}", "bench",
                   inverse ? "intt" : "ntt", "log_n", (int)log_n, "threads", threads, "runs", runs,
                   "median_ms", med * 1e3, "min_ms", ts[0] * 1e3, "cpu_ms_median", cmed * 1e3,
                   "elements_per_s", (double)n / med));
    free(v);
}

static void bench_rs(unsigned log_rows, unsigned log_k, unsigned log_b, int threads)
{
    size_t rows = (size_t)1 << log_rows, k = (size_t)1 << log_k, n = k << log_b;
    zk_fp *msg = rand_vec(rows * k), *out = rand_vec(rows * n);
    int rr = runs < 5 ? runs : 5;
    double ts[64], cs[64];
    for (int r = -1; r < rr; r++) {
        double t0 = za_now_s(), c0 = za_cpu_s();
        zk_rs_encode_batch(msg, rows, log_k, log_b, out, threads);
        if (r >= 0) {
            ts[r] = za_now_s() - t0;
            cs[r] = za_cpu_s() - c0;
        }
    }
    double med = median(ts, rr), cmed = median(cs, rr);
    emit(json_pack("{s:s, s:I, s:i, s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:f}", "bench",
                   "rs_encode_batch", "rows", (json_int_t)rows, "log_k", (int)log_k,
                   "log_blowup", (int)log_b, "threads", threads, "runs", rr, "median_ms",
                   med * 1e3, "min_ms", ts[0] * 1e3, "cpu_ms_median", cmed * 1e3,
                   "in_elements_per_s",
                   (double)(rows * k) / med, "out_elements_per_s", (double)(rows * n) / med));
    free(msg);
    free(out);
}

/* ---- field microbenchmarks (single core) ----
 * zk/field.h's zk_fp_mul and zk_fp2_mul as they are; the vectorized product
 * of zk/ntt.c (zk_ntt_pointwise_mul); and, for comparison, the branch-free
 * reduction proposed for zk/field.h (same arithmetic, selects by masks). */

#define FN 4096 /* 3 arrays of 32 KiB: L1/L2 resident */

static volatile zk_fp sink;

static void emit_mul(const char *name, double mults, double *ts, int k)
{
    double med = median(ts, k);
    emit(json_pack("{s:s, s:f, s:i, s:f, s:f, s:f}", "bench", name, "mults", mults, "runs", k,
                   "median_ms", med * 1e3, "min_ms", ts[0] * 1e3, "mults_per_s", mults / med));
}

static inline zk_fp mul_branchless(zk_fp a, zk_fp b)
{
    unsigned __int128 x = (unsigned __int128)a * b;
    uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
    uint64_t hi_hi = hi >> 32, hi_lo = hi & ZK_EPSILON;
    uint64_t t0 = lo - hi_hi;
    t0 -= ZK_EPSILON & (0 - (uint64_t)(lo < hi_hi));
    uint64_t t1 = (hi_lo << 32) - hi_lo;
    uint64_t t2 = t0 + t1;
    t2 += ZK_EPSILON & (0 - (uint64_t)(t2 < t0));
    return t2 - (ZK_P & (0 - (uint64_t)(t2 >= ZK_P)));
}

#define CHAIN(name, MUL)                                                                  \
    for (int r = 0; r < runs; r++) {                                                      \
        zk_fp x = a[0];                                                                   \
        double t0 = za_now_s();                                                           \
        for (size_t i = 0; i < chain; i++)                                                \
            x = MUL(x, b[i & (FN - 1)]);                                                  \
        ts[r] = za_now_s() - t0;                                                          \
        sink = x;                                                                         \
    }                                                                                     \
    emit_mul(name, (double)chain, ts, runs)

#define THROUGHPUT(name, MUL)                                                             \
    for (int r = 0; r < runs; r++) {                                                      \
        double t0 = za_now_s();                                                           \
        for (size_t k = 0; k < reps; k++) {                                               \
            for (size_t i = 0; i < FN; i++)                                               \
                c[i] = MUL(a[i], b[i]);                                                   \
            a[k & (FN - 1)] = c[(k * 7) & (FN - 1)]; /* keep the loop live */             \
        }                                                                                 \
        ts[r] = za_now_s() - t0;                                                          \
    }                                                                                     \
    sink = c[1];                                                                          \
    emit_mul(name, (double)reps * FN, ts, runs)

static void bench_field(void)
{
    zk_fp *a = rand_vec(FN), *b = rand_vec(FN), *c = rand_vec(FN);
    size_t chain = 20u << 20, reps = 2000;
    double ts[64];

    /* dependent chain: each product feeds the next (latency) */
    CHAIN("fp_mul_chain", zk_fp_mul);
    /* independent products over arrays, c[i] = a[i] * b[i] (throughput) */
    THROUGHPUT("fp_mul_throughput", zk_fp_mul);
    /* the same with the branch-free reduction proposed for zk/field.h */
    CHAIN("fp_mul_chain_branchless_proposal", mul_branchless);
    THROUGHPUT("fp_mul_throughput_branchless_proposal", mul_branchless);
    /* zk/ntt.c's vectorized product over the same arrays */
    for (int r = 0; r < runs; r++) {
        double t0 = za_now_s();
        for (size_t k = 0; k < reps; k++) {
            zk_ntt_pointwise_mul(c, a, b, FN);
            a[k & (FN - 1)] = c[(k * 7) & (FN - 1)];
        }
        ts[r] = za_now_s() - t0;
    }
    sink = c[1];
    emit_mul("fp_mul_vector_throughput", (double)reps * FN, ts, runs);

    /* extension: 4 base products (+1 by the constant 7) each */
    zk_fp2 *a2 = malloc(FN / 2 * sizeof *a2), *b2 = malloc(FN / 2 * sizeof *b2),
           *c2 = malloc(FN / 2 * sizeof *c2);
    if (!a2 || !b2 || !c2)
        exit(1);
    for (size_t i = 0; i < FN / 2; i++) {
        a2[i] = zk_fp2_make(a[2 * i], a[2 * i + 1]);
        b2[i] = zk_fp2_make(b[2 * i], b[2 * i + 1]);
    }
    for (int r = 0; r < runs; r++) {
        zk_fp2 x = a2[0];
        double t0 = za_now_s();
        for (size_t i = 0; i < chain / 4; i++)
            x = zk_fp2_mul(x, b2[i & (FN / 2 - 1)]);
        ts[r] = za_now_s() - t0;
        sink = x.c0 ^ x.c1;
    }
    emit_mul("fp2_mul_chain", (double)(chain / 4), ts, runs);
    for (int r = 0; r < runs; r++) {
        double t0 = za_now_s();
        for (size_t k = 0; k < reps / 2; k++) {
            for (size_t i = 0; i < FN / 2; i++)
                c2[i] = zk_fp2_mul(a2[i], b2[i]);
            a2[k & (FN / 2 - 1)] = c2[(k * 7) & (FN / 2 - 1)];
        }
        ts[r] = za_now_s() - t0;
    }
    sink = c2[1].c0;
    emit_mul("fp2_mul_throughput", (double)(reps / 2) * (FN / 2), ts, runs);
    free(a2);
    free(b2);
    free(c2);
    free(a);
    free(b);
    free(c);
}

/* one line about the conditions: CPU, cores, load average */
static void bench_machine(void)
{
    char model[256] = "unknown", line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *p = strchr(line, ':');
            if (p) {
                snprintf(model, sizeof model, "%s", p + 2);
                model[strcspn(model, "\n")] = 0;
            }
            break;
        }
    if (f)
        fclose(f);
    double load = -1;
    f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &load) != 1)
            load = -1;
        fclose(f);
    }
    emit(json_pack("{s:s, s:s, s:i, s:f}", "bench", "machine", "cpu", model, "threads_default",
                   za_default_threads(), "loadavg_1m", load));
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "quick") == 0)
        runs = 3;
    zk_ntt_init();
    bench_machine();
    bench_field();
    static const unsigned sizes[] = { 16, 20, 22 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (int threads = 1; threads <= 2; threads++)
            bench_ntt(sizes[i], threads, 0);
    bench_ntt(20, 2, 1);
    for (int threads = 1; threads <= 2; threads++) {
        bench_rs(12, 12, 2, threads); /* 2^12 rows x 2^12, blowup 4 */
        bench_rs(9, 15, 2, threads);  /* 2^9 rows x 2^15, blowup 4 */
    }
    return 0;
}
