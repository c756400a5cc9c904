/* bench/bench_pcs.c - the polynomial commitment: commit, open and verify
 * time and opening size at 2^16, 2^20 and 2^24 elements (or the sizes
 * given as arguments, as log2), with the default parameters (>= 100 bits).
 * `bench_pcs hiding [log_n...]`: hiding commitments (B = 1 and 8) against
 * the plain one at the same size, each the best of a few interleaved runs,
 * with the ratios (bench/results/zk-pcs-hiding.json).
 * One JSON object per line. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/parallel.h"
#include "common/progress.h"
#include "zk/pcs.h"

static void run(unsigned log_n, unsigned log_blowup, int threads)
{
    size_t N = (size_t)1 << log_n;
    zk_fp *v = malloc(sizeof(zk_fp) * N);
    uint64_t s = 12345;
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        v[i] = (s >> 1) % ZK_P;
    }
    zk_pcs_params p;
    zk_pcs_default_params(log_n, &p);
    if (log_blowup) {
        /* same search as the defaults, at another rate */
        zk_pcs_params best = p;
        size_t best_size = SIZE_MAX;
        for (unsigned q = 1; q <= 400; q++) {
            for (unsigned a = 0; a <= log_n; a++) {
                zk_pcs_params c = { log_n, a, log_blowup, q, 0 };
                if (zk_pcs_security_bits(&c) >= ZK_PCS_DEFAULT_SECURITY_BITS &&
                    zk_pcs_opening_size_estimate(&c) < best_size) {
                    best = c;
                    best_size = zk_pcs_opening_size_estimate(&c);
                }
            }
            if (best_size != SIZE_MAX)
                break;
        }
        p = best;
    }
    za_error err;
    zk_pcs_prover *pp;
    zk_pcs_commitment com;
    double t0 = za_now_s();
    if (zk_pcs_commit(v, &p, threads, &pp, &com, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    double t_commit = za_now_s() - t0;
    zk_fp2 point[32];
    for (unsigned i = 0; i < log_n; i++)
        point[i] = zk_fp2_make(i * 7 + 3, i * 11 + 5);
    t0 = za_now_s();
    zk_fp2 value = zk_pcs_eval(v, log_n, point);
    double t_eval = za_now_s() - t0;
    zk_transcript t;
    zk_transcript_init(&t, "bench/pcs");
    zk_pcs_absorb_commitment(&t, &com);
    zk_writer w;
    zk_writer_init(&w);
    t0 = za_now_s();
    if (zk_pcs_open(pp, point, value, &t, &w, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    double t_open = za_now_s() - t0;
    size_t len;
    uint8_t *proof = zk_writer_take(&w, &len);
    double t_verify = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        zk_transcript_init(&t, "bench/pcs");
        zk_pcs_absorb_commitment(&t, &com);
        zk_reader r;
        zk_reader_init(&r, proof, len, "proof", &err);
        t0 = za_now_s();
        if (zk_pcs_verify(&com, point, value, &t, &r, &err) || zk_reader_finish(&r)) {
            fprintf(stderr, "verify: %s\n", err.msg);
            exit(1);
        }
        double dt = za_now_s() - t0;
        if (dt < t_verify)
            t_verify = dt;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:f, s:I, s:I}",
                          "bench", "pcs", "log_n", log_n, "log_rows", p.log_rows, "log_blowup",
                          p.log_blowup, "queries", p.n_queries, "threads", threads,
                          "security_bits", zk_pcs_security_bits(&p), "commit_s", t_commit,
                          "eval_s", t_eval, "open_s", t_open, "verify_s", t_verify,
                          "proof_bytes", (json_int_t)len, "peak_rss_kib", (json_int_t)ru.ru_maxrss);
    char *js = json_dumps(o, JSON_COMPACT);
    puts(js);
    fflush(stdout);
    free(js);
    json_decref(o);
    free(proof);
    zk_pcs_prover_free(pp);
    free(v);
}

/* ---- hiding against plain ---- */

typedef struct {
    double commit_s, open_s, verify_s;
    size_t proof_bytes;
} measured;

static void keep_min(double *a, double b)
{
    if (b < *a)
        *a = b;
}

/* One commit, open and (best of 3) verify of v with p; the minimum over
 * calls is kept in m. */
static void measure(const zk_fp *v, const zk_pcs_params *p, int threads, measured *m)
{
    za_error err;
    zk_pcs_prover *pp;
    zk_pcs_commitment com;
    double t0 = za_now_s();
    if (zk_pcs_commit(v, p, threads, &pp, &com, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    keep_min(&m->commit_s, za_now_s() - t0);
    zk_fp2 point[32];
    for (unsigned i = 0; i < p->log_n; i++)
        point[i] = zk_fp2_make(i * 7 + 3, i * 11 + 5);
    zk_fp2 value = zk_pcs_eval(v, p->log_n, point);
    zk_transcript t;
    zk_transcript_init(&t, "bench/pcs");
    zk_pcs_absorb_commitment(&t, &com);
    zk_writer w;
    zk_writer_init(&w);
    t0 = za_now_s();
    if (zk_pcs_open(pp, point, value, &t, &w, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    keep_min(&m->open_s, za_now_s() - t0);
    size_t len;
    uint8_t *proof = zk_writer_take(&w, &len);
    m->proof_bytes = len; /* varies with the distinct queries: keep the last */
    for (int rep = 0; rep < 3; rep++) {
        zk_transcript_init(&t, "bench/pcs");
        zk_pcs_absorb_commitment(&t, &com);
        zk_reader r;
        zk_reader_init(&r, proof, len, "proof", &err);
        t0 = za_now_s();
        if (zk_pcs_verify(&com, point, value, &t, &r, &err) || zk_reader_finish(&r)) {
            fprintf(stderr, "verify: %s\n", err.msg);
            exit(1);
        }
        keep_min(&m->verify_s, za_now_s() - t0);
    }
    free(proof);
    zk_pcs_prover_free(pp);
}

static void run_hiding(unsigned log_n, int threads)
{
    size_t N = (size_t)1 << log_n;
    zk_fp *v = malloc(sizeof(zk_fp) * N);
    uint64_t s = 12345;
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        v[i] = (s >> 1) % ZK_P;
    }
    const unsigned budgets[2] = { 1, 8 };
    zk_pcs_params ps[3];
    zk_pcs_default_params(log_n, &ps[0]);
    for (int b = 0; b < 2; b++)
        zk_pcs_default_params_hiding(log_n, budgets[b], &ps[1 + b]);
    measured m[3];
    for (int k = 0; k < 3; k++)
        m[k] = (measured){ 1e9, 1e9, 1e9, 0 };
    /* interleaved, so that a burst of load on the shared machine hits all */
    int reps = log_n >= 24 ? 2 : log_n >= 20 ? 3 : 5;
    for (int rep = 0; rep < reps; rep++)
        for (int k = 0; k < 3; k++)
            measure(v, &ps[k], threads, &m[k]);
    double load[3] = { 0 };
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
            load[0] = -1;
        fclose(f);
    }
    for (int k = 0; k < 3; k++) {
        const zk_pcs_params *p = &ps[k];
        json_t *o = json_pack(
            "{s:s, s:i, s:i, s:i, s:i, s:i, s:I, s:I, s:i, s:f, s:f, s:f, s:f, s:I, s:f, s:f, "
            "s:f, s:f, s:i, s:f}",
            "bench", k ? "pcs-hiding" : "pcs-plain", "log_n", log_n, "hiding_openings",
            p->hiding_openings, "log_rows", p->log_rows, "log_blowup", p->log_blowup, "queries",
            p->n_queries, "message_len", (json_int_t)zk_pcs_message_len(p), "codeword_len",
            (json_int_t)zk_pcs_codeword_len(p), "threads", threads, "security_bits",
            zk_pcs_security_bits(p), "commit_s", m[k].commit_s, "open_s", m[k].open_s,
            "verify_s", m[k].verify_s, "proof_bytes", (json_int_t)m[k].proof_bytes,
            "commit_ratio", m[k].commit_s / m[0].commit_s, "open_ratio",
            m[k].open_s / m[0].open_s, "verify_ratio", m[k].verify_s / m[0].verify_s,
            "proof_ratio", (double)m[k].proof_bytes / (double)m[0].proof_bytes, "reps", reps,
            "load_avg_1min", load[0]);
        char *js = json_dumps(o, JSON_COMPACT);
        puts(js);
        fflush(stdout);
        free(js);
        json_decref(o);
    }
    free(v);
}

int main(int argc, char **argv)
{
    int threads = za_default_threads();
    if (argc > 1 && strcmp(argv[1], "hiding") == 0) {
        if (argc > 2)
            for (int i = 2; i < argc; i++)
                run_hiding((unsigned)atoi(argv[i]), threads);
        else
            for (unsigned n = 16; n <= 24; n += 4)
                run_hiding(n, threads);
        return 0;
    }
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            run((unsigned)atoi(argv[i]), 0, threads);
        return 0;
    }
    run(16, 0, threads);
    run(20, 0, threads);
    run(24, 0, threads);
    run(24, 3, threads); /* rate 1/8: smaller openings, twice the encoding */
    return 0;
}
