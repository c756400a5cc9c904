/* bench/bench_logup.c - logUp: 2^20 witness values into the range table
 * [0, 2^16) (or log sizes given as arguments: WITNESS_LOG TABLE_LOG).
 * Prove and verify time and proof size, one JSON object per line. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "common/parallel.h"
#include "common/progress.h"
#include "zk/logup.h"

static void run(unsigned n, unsigned bits, int threads)
{
    size_t N = (size_t)1 << n;
    zk_fp *a = malloc(sizeof(zk_fp) * N);
    uint64_t s = 99;
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        a[i] = (s >> 20) & (((zk_fp)1 << bits) - 1);
    }
    const zk_fp *cols[1] = { a };
    zk_lookup_table T = zk_lookup_range(bits);
    zk_transcript t;
    zk_transcript_init(&t, "bench/logup");
    zk_writer w;
    zk_writer_init(&w);
    zk_logup_claims pc, vc;
    za_error err;
    double t0 = za_now_s(), c0 = za_cpu_s();
    if (zk_logup_prove(cols, n, &T, &t, threads, &w, &pc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    double prove_s = za_now_s() - t0, prove_cpu = za_cpu_s() - c0;
    size_t len;
    uint8_t *proof = zk_writer_take(&w, &len);
    double verify_s = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        zk_transcript_init(&t, "bench/logup");
        zk_reader r;
        zk_reader_init(&r, proof, len, "proof", &err);
        t0 = za_now_s();
        if (zk_logup_verify(n, &T, &t, &r, &vc, &err) || zk_reader_finish(&r)) {
            fprintf(stderr, "verify: %s\n", err.msg);
            exit(1);
        }
        double dt = za_now_s() - t0;
        verify_s = dt < verify_s ? dt : verify_s;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:f, s:f, s:f, s:I, s:I}", "bench", "logup",
                          "witness_log", n, "table_log", bits, "threads", threads, "prove_s",
                          prove_s, "prove_cpu_s", prove_cpu, "verify_s", verify_s, "proof_bytes",
                          (json_int_t)len, "peak_rss_kib", (json_int_t)ru.ru_maxrss);
    char *js = json_dumps(o, JSON_COMPACT);
    puts(js);
    fflush(stdout);
    free(js);
    json_decref(o);
    free(proof);
    free(a);
}

int main(int argc, char **argv)
{
    int threads = za_default_threads();
    if (argc == 3)
        run((unsigned)atoi(argv[1]), (unsigned)atoi(argv[2]), threads);
    else
        run(20, 16, threads);
    return 0;
}
