/* bench/bench_pcs.c - the polynomial commitment: commit, open and verify
 * time and opening size at 2^16, 2^20 and 2^24 elements (or the sizes
 * given as arguments, as log2), with the default parameters (>= 100 bits).
 * One JSON object per line. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv)
{
    int threads = za_default_threads();
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
