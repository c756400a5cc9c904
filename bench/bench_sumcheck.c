/* bench/bench_sumcheck.c - the sumcheck prover and verifier, and eq tables.
 *
 * usage: bench_sumcheck [LOG_N ...]   (default: 20 24)
 * For each size and for 1 and 2 threads: a degree-2 sumcheck of the product
 * of two base-field tables (prove, verify, proof size), a degree-2
 * zero-check of A*B - C over base tables, the eq table of 2^LOG_N entries,
 * and the evaluation of a base table at an extension point.  One JSON object
 * per line; times are the minimum over a few repetitions (prover: 3,
 * verifier: 20), wall clock; prove_cpu_s is the process CPU time of the
 * fastest proof (all threads), and load1 the 1-minute load average when the
 * line was written, since a loaded machine inflates wall times. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/progress.h"
#include "zk/encode.h"
#include "zk/mle.h"
#include "zk/sumcheck.h"

static void emit(json_t *o)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    json_object_set_new(o, "peak_rss_kib", json_integer(ru.ru_maxrss));
    double load = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &load) != 1)
            load = -1;
        fclose(f);
    }
    json_object_set_new(o, "load1", json_real(load));
    char *js = json_dumps(o, JSON_COMPACT);
    puts(js);
    fflush(stdout);
    free(js);
    json_decref(o);
}

static void fill(zk_fp *v, size_t n, uint64_t s)
{
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        v[i] = (s >> 1) % ZK_P;
    }
}

static void die(const char *what, const za_error *err)
{
    fprintf(stderr, "%s: %s\n", what, err->msg);
    exit(1);
}

static void bench_product(unsigned log_n, int threads, const zk_fp *a, const zk_fp *b)
{
    zk_mle_ref tabs[2] = { zk_mle_ref_base(a), zk_mle_ref_base(b) };
    zk_sumcheck_term term = zk_sumcheck_term_make(zk_fp2_make(1, 0), 2, 0, 1, 0, 0);
    zk_sumcheck_instance inst = { log_n, 2, tabs, 1, &term };
    double t0 = za_now_s();
    zk_fp2 claim = zk_sumcheck_sum(&inst, threads);
    double t_sum = za_now_s() - t0;
    za_error err;
    double t_prove = 1e9, c_prove = 0;
    zk_sumcheck_proof proof = { 0, 0, NULL };
    zk_fp2 point[ZK_SUMCHECK_MAX_VARS], evals[2];
    for (int rep = 0; rep < 3; rep++) {
        zk_sumcheck_proof_free(&proof);
        zk_transcript t;
        zk_transcript_init(&t, "bench/sumcheck");
        double c0 = za_cpu_s();
        t0 = za_now_s();
        if (zk_sumcheck_prove(&inst, claim, &t, threads, &proof, point, evals, &err))
            die("prove", &err);
        double dt = za_now_s() - t0;
        if (dt < t_prove) {
            t_prove = dt;
            c_prove = za_cpu_s() - c0;
        }
    }
    zk_writer w;
    zk_writer_init(&w);
    zk_sumcheck_proof_write(&w, &proof);
    size_t len;
    uint8_t *bytes = zk_writer_take(&w, &len);
    double t_verify = 1e9;
    for (int rep = 0; rep < 20; rep++) {
        zk_transcript t;
        zk_transcript_init(&t, "bench/sumcheck");
        t0 = za_now_s();
        zk_reader r;
        zk_sumcheck_proof p;
        zk_fp2 vpoint[ZK_SUMCHECK_MAX_VARS], fin;
        zk_reader_init(&r, bytes, len, "proof", &err);
        if (zk_sumcheck_proof_read(&r, log_n, 2, &p) || zk_reader_finish(&r) ||
            zk_sumcheck_verify(log_n, 2, claim, &p, &t, vpoint, &fin, &err) ||
            zk_sumcheck_check_final(&term, 1, evals, fin, &err))
            die("verify", &err);
        double dt = za_now_s() - t0;
        zk_sumcheck_proof_free(&p);
        if (dt < t_verify)
            t_verify = dt;
    }
    json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:I, s:f}", "bench",
                          "sumcheck_product", "log_n", log_n, "degree", 2, "threads", threads,
                          "prove_s", t_prove, "prove_cpu_s", c_prove, "verify_s", t_verify,
                          "sum_s", t_sum, "proof_bytes", (json_int_t)len, "prove_ns_per_term",
                          t_prove * 1e9 / (double)((size_t)1 << log_n));
    emit(o);
    free(bytes);
    zk_sumcheck_proof_free(&proof);
}

static void bench_zerocheck(unsigned log_n, int threads, const zk_fp *a, const zk_fp *b,
                            const zk_fp *c)
{
    zk_mle_ref tabs[3] = { zk_mle_ref_base(a), zk_mle_ref_base(b), zk_mle_ref_base(c) };
    zk_sumcheck_term terms[2] = {
        zk_sumcheck_term_make(zk_fp2_make(1, 0), 2, 0, 1, 0, 0),
        zk_sumcheck_term_make(zk_fp2_make(ZK_P - 1, 0), 1, 2, 0, 0, 0),
    };
    zk_sumcheck_instance inst = { log_n, 3, tabs, 2, terms };
    za_error err;
    double t_prove = 1e9, c_prove = 0, t0;
    zk_sumcheck_proof proof = { 0, 0, NULL };
    zk_fp2 point[ZK_SUMCHECK_MAX_VARS], evals[3];
    for (int rep = 0; rep < 3; rep++) {
        zk_sumcheck_proof_free(&proof);
        zk_transcript t;
        zk_transcript_init(&t, "bench/zerocheck");
        double c0 = za_cpu_s();
        t0 = za_now_s();
        if (zk_zerocheck_prove(&inst, &t, threads, &proof, point, evals, &err))
            die("zerocheck prove", &err);
        double dt = za_now_s() - t0;
        if (dt < t_prove) {
            t_prove = dt;
            c_prove = za_cpu_s() - c0;
        }
    }
    double t_verify = 1e9;
    for (int rep = 0; rep < 20; rep++) {
        zk_transcript t;
        zk_transcript_init(&t, "bench/zerocheck");
        zk_fp2 vpoint[ZK_SUMCHECK_MAX_VARS], cc;
        t0 = za_now_s();
        if (zk_zerocheck_verify(log_n, 2, &proof, &t, vpoint, &cc, &err) ||
            zk_sumcheck_check_final(terms, 2, evals, cc, &err))
            die("zerocheck verify", &err);
        double dt = za_now_s() - t0;
        if (dt < t_verify)
            t_verify = dt;
    }
    json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:f, s:f, s:f, s:I}", "bench", "zerocheck",
                          "log_n", log_n, "degree", 3, "threads", threads, "prove_s", t_prove,
                          "prove_cpu_s", c_prove, "verify_s", t_verify, "proof_bytes",
                          (json_int_t)zk_sumcheck_proof_bytes(&proof));
    emit(o);
    zk_sumcheck_proof_free(&proof);
}

static void bench_eq(unsigned log_n, int threads, const zk_fp *a)
{
    size_t N = (size_t)1 << log_n;
    zk_fp2 r[ZK_SUMCHECK_MAX_VARS];
    for (unsigned i = 0; i < log_n; i++)
        r[i] = zk_fp2_make(i * 7 + 3, i * 11 + 5);
    zk_fp2 *out = malloc(sizeof(zk_fp2) * N);
    if (!out) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    double t_eq = 1e9, t_eval = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = za_now_s();
        zk_eq_table_mt(r, log_n, out, threads);
        double dt = za_now_s() - t0;
        if (dt < t_eq)
            t_eq = dt;
        t0 = za_now_s();
        zk_fp2 v = zk_mle_eval_mt(a, log_n, r, threads);
        dt = za_now_s() - t0;
        (void)v;
        if (dt < t_eval)
            t_eval = dt;
    }
    json_t *o = json_pack("{s:s, s:i, s:i, s:f, s:f, s:f}", "bench", "eq_table", "log_n", log_n,
                          "threads", threads, "eq_table_s", t_eq, "eq_ns_per_entry",
                          t_eq * 1e9 / (double)N, "mle_eval_base_s", t_eval);
    emit(o);
    free(out);
}

int main(int argc, char **argv)
{
    unsigned sizes[16], ns = 0;
    for (int i = 1; i < argc && ns < 16; i++)
        sizes[ns++] = (unsigned)atoi(argv[i]);
    if (!ns) {
        sizes[ns++] = 20;
        sizes[ns++] = 24;
    }
    for (unsigned k = 0; k < ns; k++) {
        unsigned log_n = sizes[k];
        if (log_n < 1 || log_n > 28) {
            fprintf(stderr, "log size %u out of range 1..28\n", log_n);
            return 2;
        }
        size_t N = (size_t)1 << log_n;
        zk_fp *a = malloc(sizeof(zk_fp) * N), *b = malloc(sizeof(zk_fp) * N),
              *c = malloc(sizeof(zk_fp) * N);
        if (!a || !b || !c) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        fill(a, N, 1);
        fill(b, N, 2);
        for (size_t i = 0; i < N; i++)
            c[i] = zk_fp_mul(a[i], b[i]);
        for (int threads = 1; threads <= 2; threads++) {
            bench_product(log_n, threads, a, b);
            bench_zerocheck(log_n, threads, a, b, c);
            bench_eq(log_n, threads, a);
        }
        free(a);
        free(b);
        free(c);
    }
    return 0;
}
