/* bench/bench_merkle.c - Merkle commitment and multi-opening costs.
 *
 * usage: bench_merkle [LOG_ELEMENTS [LOG_OPEN_LEAVES]]   (defaults 24, 20)
 *
 * 1. Commitment of 2^LOG_ELEMENTS random field elements in two layouts:
 *    2^(LOG_ELEMENTS-8) leaves of 256 elements (2 KiB leaves) and one
 *    element per leaf (8-byte leaves), each with 1 and 2 threads.  Leaf
 *    hashing (throughput in GB/s of element data) and the tree build over
 *    the leaf digests are timed separately; the leaf digests are written
 *    straight into the tree (zk_merkle_alloc / zk_merkle_compute), so the
 *    1-element layout needs 64 bytes per element and no copy.  Best of
 *    REPS runs.  cpu_per_wall (process CPU seconds per wall second while
 *    hashing) shows whether other processes took the cores: it is about the
 *    thread count on an idle machine.
 * 2. A multi-opening of 100 random leaves in a tree of 2^LOG_OPEN_LEAVES
 *    leaves: siblings sent (against 100 separate paths), encoded size
 *    (indices, leaf digests and siblings in a container), and the median
 *    time to open, to verify, and to parse + verify.
 * Prints one JSON object per line.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/progress.h"
#include "zk/encode.h"
#include "zk/merkle.h"

#define REPS 2
#define OPENED 100
#define OPEN_REPS 200

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void emit(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    puts(s);
    fflush(stdout);
    free(s);
    json_decref(o);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int bench_commit(const zk_fp *v, unsigned log_elems, unsigned log_per_leaf, int threads)
{
    size_t per = (size_t)1 << log_per_leaf, n = (size_t)1 << (log_elems - log_per_leaf);
    double best_leaf = 1e30, best_tree = 1e30, wall = 0, cpu0 = za_cpu_s();
    zk_digest root0;
    for (int rep = 0; rep < REPS; rep++) {
        zk_merkle t;
        if (zk_merkle_alloc(&t, n) != ZA_OK) {
            fprintf(stderr, "bench_merkle: out of memory for %zu leaves\n", n);
            return 1;
        }
        double t0 = za_now_s();
        zk_merkle_hash_fp_leaves(v, per, n, zk_merkle_leaves(&t), threads);
        double t1 = za_now_s();
        zk_merkle_compute(&t, threads);
        double t2 = za_now_s();
        wall += t2 - t0;
        if (t1 - t0 < best_leaf)
            best_leaf = t1 - t0;
        if (t2 - t1 < best_tree)
            best_tree = t2 - t1;
        zk_digest root = zk_merkle_root(&t);
        if (rep == 0)
            root0 = root;
        else if (memcmp(&root, &root0, sizeof root) != 0) {
            fprintf(stderr, "bench_merkle: roots differ between runs\n");
            return 1;
        }
        zk_merkle_free(&t);
    }
    /* CPU seconds per wall second while hashing: the thread count on an idle
     * machine, less when other processes compete for the cores */
    double cpu_per_wall = (za_cpu_s() - cpu0) / wall;
    double bytes = (double)n * (double)per * 8;
    char layout[64];
    snprintf(layout, sizeof layout, "2^%u leaves x %zu elements", log_elems - log_per_leaf, per);
    emit(json_pack("{s:s, s:s, s:I, s:I, s:I, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:i, s:f}",
                   "bench", "merkle_commit", "layout", layout, "elements",
                   (json_int_t)((size_t)1 << log_elems), "leaves", (json_int_t)n, "leaf_bytes",
                   (json_int_t)(per * 8), "threads", threads, "leaf_hash_s", best_leaf,
                   "leaf_hash_gb_per_s", bytes / best_leaf / 1e9, "leaf_ns", best_leaf / n * 1e9,
                   "tree_build_s", best_tree, "node_ns", best_tree / (double)(n - 1) * 1e9,
                   "commit_s", best_leaf + best_tree, "commit_gb_per_s",
                   bytes / (best_leaf + best_tree) / 1e9, "reps", REPS, "cpu_per_wall",
                   cpu_per_wall));
    return 0;
}

static int bench_open(unsigned log_leaves)
{
    size_t n = (size_t)1 << log_leaves;
    zk_merkle t;
    if (zk_merkle_alloc(&t, n) != ZA_OK) {
        fprintf(stderr, "bench_merkle: out of memory\n");
        return 1;
    }
    zk_digest *lv = zk_merkle_leaves(&t);
    for (size_t i = 0; i < n; i++) {
        uint64_t x = next();
        zk_merkle_leaf_hash(&x, sizeof x, &lv[i]);
    }
    zk_merkle_compute(&t, 0);
    zk_digest root = zk_merkle_root(&t);

    uint64_t idx[OPENED];
    size_t k = 0;
    while (k < OPENED) {
        uint64_t v = next() % n;
        size_t j = 0;
        while (j < k && idx[j] != v)
            j++;
        if (j == k)
            idx[k++] = v;
    }
    qsort(idx, k, sizeof idx[0], cmp_u64);
    zk_digest leaves[OPENED];
    for (size_t j = 0; j < k; j++)
        leaves[j] = *zk_merkle_leaf(&t, idx[j]);
    size_t cap = k * log_leaves, m = 0;
    zk_digest *sib = malloc((cap ? cap : 1) * sizeof *sib);
    double *t_open = malloc(OPEN_REPS * sizeof(double)), *t_ver = malloc(OPEN_REPS * sizeof(double)),
           *t_parse = malloc(OPEN_REPS * sizeof(double));
    if (!sib || !t_open || !t_ver || !t_parse)
        return 1;
    za_error err;
    for (int r = 0; r < OPEN_REPS; r++) {
        double a = za_now_s();
        if (zk_merkle_open(&t, idx, k, sib, cap, &m, &err) != ZA_OK) {
            fprintf(stderr, "bench_merkle: %s\n", err.msg);
            return 1;
        }
        t_open[r] = za_now_s() - a;
    }
    for (int r = 0; r < OPEN_REPS; r++) {
        double a = za_now_s();
        if (zk_merkle_verify(log_leaves, &root, idx, leaves, k, sib, m, &err) != ZA_OK) {
            fprintf(stderr, "bench_merkle: %s\n", err.msg);
            return 1;
        }
        t_ver[r] = za_now_s() - a;
    }
    zk_merkle_opening o = { k, idx, leaves, m, sib };
    zk_writer w;
    zk_writer_init(&w);
    size_t mark = zk_writer_begin_container(&w, ZK_KIND_MERKLE_OPENING);
    zk_merkle_opening_write(&w, &o);
    zk_writer_end_container(&w, mark);
    size_t len;
    uint8_t *buf = zk_writer_take(&w, &len);
    if (!buf)
        return 1;
    for (int r = 0; r < OPEN_REPS; r++) {
        double a = za_now_s();
        zk_reader rd;
        zk_merkle_opening back;
        zk_reader_init(&rd, buf, len, "opening", &err);
        if (zk_reader_open_container(&rd, ZK_KIND_MERKLE_OPENING) != ZA_OK ||
            zk_merkle_opening_read(&rd, log_leaves, OPENED, &back) != ZA_OK ||
            zk_reader_finish(&rd) != ZA_OK ||
            zk_merkle_opening_verify(&back, log_leaves, &root, &err) != ZA_OK) {
            fprintf(stderr, "bench_merkle: %s\n", err.msg);
            return 1;
        }
        zk_merkle_opening_free(&back);
        t_parse[r] = za_now_s() - a;
    }
    qsort(t_open, OPEN_REPS, sizeof(double), cmp_double);
    qsort(t_ver, OPEN_REPS, sizeof(double), cmp_double);
    qsort(t_parse, OPEN_REPS, sizeof(double), cmp_double);
    emit(json_pack("{s:s, s:I, s:i, s:I, s:I, s:I, s:I, s:f, s:f, s:f}", "bench",
                   "merkle_multiopen", "leaves", (json_int_t)n, "opened", (int)k, "siblings",
                   (json_int_t)m, "separate_path_siblings", (json_int_t)(k * log_leaves),
                   "sibling_bytes", (json_int_t)(m * sizeof(zk_digest)), "encoded_bytes",
                   (json_int_t)len, "open_us_median", t_open[OPEN_REPS / 2] * 1e6,
                   "verify_us_median", t_ver[OPEN_REPS / 2] * 1e6, "parse_verify_us_median",
                   t_parse[OPEN_REPS / 2] * 1e6));
    free(buf);
    free(sib);
    free(t_open);
    free(t_ver);
    free(t_parse);
    zk_merkle_free(&t);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned log_elems = argc > 1 ? (unsigned)atoi(argv[1]) : 24;
    unsigned log_open = argc > 2 ? (unsigned)atoi(argv[2]) : 20;
    if (log_elems < 8 || log_elems > 30 || log_open > 30) {
        fprintf(stderr, "usage: %s [LOG_ELEMENTS (8..30) [LOG_OPEN_LEAVES (0..30)]]\n",
                argv[0]);
        return 2;
    }
    size_t ne = (size_t)1 << log_elems;
    zk_fp *v = malloc(ne * sizeof *v);
    if (!v) {
        fprintf(stderr, "bench_merkle: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < ne; i++)
        v[i] = next() % ZK_P;
    for (int threads = 1; threads <= 2; threads++)
        if (bench_commit(v, log_elems, 8, threads))
            return 1;
    for (int threads = 1; threads <= 2; threads++)
        if (bench_commit(v, log_elems, 0, threads))
            return 1;
    free(v);
    return bench_open(log_open);
}
