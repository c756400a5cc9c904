/* bench/bench_dataset.c - dataset index: import, commitment, verify, proof.
 *
 * usage: bench_dataset IMAGES.idx[.gz] LABELS.idx[.gz]
 *   (bench/run.sh passes the 60,000-image Fashion-MNIST training set)
 * 1. Import into a fresh index in a temporary folder (removed at the end):
 *    wall time, examples/s, and the process's peak resident memory right
 *    after it (getrusage ru_maxrss; the import runs first, so this peak is
 *    the import's).  Targets: < 10 s and < 100 MB for 60,000 images.
 * 2. Commitment: the root recomputed from the index (read every row, hash
 *    every input, leaf and node: what `commit` after `verify` costs), and
 *    the tree alone over leaves in memory (zp_ds_root).
 * 3. verify (every hash and the root) and one inclusion proof (leaves from
 *    the index, then the proof).
 * Prints one JSON object per line.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/progress.h"
#include "datasets/db.h"
#include "datasets/importers.h"
#include "protocol/dataset_commit.h"

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
}

static void emit(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    puts(s);
    fflush(stdout);
    free(s);
    json_decref(o);
}

static int fail(const za_error *err)
{
    fprintf(stderr, "bench_dataset: %s\n", err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s IMAGES LABELS\n", argv[0]);
        return 2;
    }
    char dir[] = "/tmp/zkaudit_bench_dataset_XXXXXX", path[256];
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/index.db", dir);
    za_error err;
    zd_db *db;
    zd_source *src;
    zd_dataset d;
    double t0 = za_now_s();
    if (zd_source_open_idx(argv[1], argv[2], &src, &err) || zd_db_open(path, 1, &db, &err))
        return fail(&err);
    zd_import_opts o = { "bench", argv[1], "", "", NULL, NULL };
    za_status st = zd_db_import(db, src, &o, &d, &err);
    zd_source_close(src);
    if (st)
        return fail(&err);
    double import_s = za_now_s() - t0, rss = peak_rss_mb();
    struct stat sb;
    long long db_bytes = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
    emit(json_pack("{s:s, s:s, s:I, s:f, s:f, s:f, s:I, s:f, s:f}", "bench", "dataset_import",
                   "images", argv[1], "examples", (json_int_t)d.count, "import_s", import_s,
                   "examples_per_s", (double)d.count / import_s, "peak_rss_mb", rss,
                   "db_bytes", (json_int_t)db_bytes, "target_s", 10.0, "target_rss_mb", 100.0));

    zp_ds_digest *leaves, root;
    uint64_t n;
    t0 = za_now_s();
    if (zd_db_leaves(db, "bench", &leaves, &n, &err))
        return fail(&err);
    double from_db_s = za_now_s() - t0;
    t0 = za_now_s();
    if (zp_ds_root(leaves, n, &root, &err))
        return fail(&err);
    double tree_s = za_now_s() - t0;
    emit(json_pack("{s:s, s:I, s:f, s:f, s:b}", "bench", "dataset_commit", "examples",
                   (json_int_t)n, "root_from_index_s", from_db_s, "tree_only_s", tree_s,
                   "root_matches", memcmp(root.h, d.root, 32) == 0));

    zd_verify_report rep;
    t0 = za_now_s();
    if (zd_db_verify(db, "bench", &rep, &err))
        return fail(&err);
    double verify_s = za_now_s() - t0;
    int clean = rep.n_problems == 0 && rep.root_ok;
    zd_verify_report_free(&rep);
    zp_ds_proof p;
    t0 = za_now_s();
    uint8_t *data, h[32];
    size_t len;
    uint32_t label;
    zp_ds_digest *lv2;
    uint64_t n2;
    if (zd_db_example(db, "bench", n / 2, &label, &data, &len, h, &err) ||
        zd_db_leaves(db, "bench", &lv2, &n2, &err) ||
        zp_ds_prove(lv2, n2, n / 2, label, h, &p, &err))
        return fail(&err);
    double prove_s = za_now_s() - t0;
    t0 = za_now_s();
    st = zp_ds_proof_verify(&p, &root, n, n / 2, label, h, &err);
    double check_us = (za_now_s() - t0) * 1e6;
    emit(json_pack("{s:s, s:I, s:f, s:b, s:f, s:f, s:i, s:b}", "bench", "dataset_verify_prove",
                   "examples", (json_int_t)n, "verify_s", verify_s, "verify_clean", clean,
                   "prove_inclusion_s", prove_s, "check_inclusion_us", check_us, "proof_bytes",
                   (int)zp_ds_proof_size(&p), "proof_valid", st == ZA_OK));
    free(data);
    free(lv2);
    free(leaves);
    zd_dataset_free(&d);
    zd_db_close(db);
    char wal[300], shm[300];
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    unlink(path), unlink(wal), unlink(shm);
    rmdir(dir);
    return 0;
}
