/* seller/cmd_merge.c - `seller merge`: join the bundles of shard runs
 * (`prove-batch --shard K/N` on several machines) into one. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hex.h"
#include "common/log.h"
#include "protocol/bundle.h"
#include "seller/seller.h"

static const char usage[] =
    "usage: seller merge --out BUNDLE IN1 [IN2 ...]\n"
    "\n"
    "Copy into BUNDLE every batch proof of the bundles IN1, IN2, ... that BUNDLE\n"
    "lacks, e.g. the bundles of `seller prove-batch --shard K/N` run as separate\n"
    "jobs (docs/scale-out.md).  BUNDLE is created if it does not exist, else\n"
    "extended.  Every input must answer the same request with the same model and\n"
    "batch size as BUNDLE and the first input; a bundle that differs is refused,\n"
    "naming what differs, before anything is copied.  The inputs are opened\n"
    "read-only and checked like a buyer checks them; proofs are copied as they\n"
    "are (`buyer verify` checks them).  Prints, per input, the batches copied and\n"
    "those already present, then how many batches BUNDLE still misses.  A batch\n"
    "is copied in its own transaction: an interrupted merge can simply be run\n"
    "again.\n"
    "\n"
    "  --out BUNDLE  the bundle to create or extend (must not be one of the inputs)\n"
    "\n"
    "Exit status: 0 merged (complete or not), 1 refused or failed, 2 usage.\n";

/* ZA_ERR_MISMATCH naming what differs between bundle a and bundle b. */
static za_status same_request(const zp_bundle_info *a, const char *an, const zp_bundle_info *b,
                              const char *bn, za_error *err)
{
    char x[65], y[65];
    if (memcmp(a->request_id, b->request_id, 32)) {
        za_hex_encode(a->request_id, 32, x);
        za_hex_encode(b->request_id, 32, y);
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "%s answers request %s but %s answers request %s: not merged", bn,
                            y, an, x);
    }
    if (memcmp(a->model_id, b->model_id, 32)) {
        za_hex_encode(a->model_id, 32, x);
        za_hex_encode(b->model_id, 32, y);
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "%s is proven with model %s but %s with model %s: not merged", bn, y,
                            an, x);
    }
    if (a->batch_size != b->batch_size || a->n_samples != b->n_samples)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "%s has %llu samples in batches of %u but %s has %llu in batches "
                            "of %u: not merged", bn, (unsigned long long)b->n_samples,
                            b->batch_size, an, (unsigned long long)a->n_samples, a->batch_size);
    return ZA_OK;
}

static int same_file(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    return realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

int zs_cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {
        { "out", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    const char *out_path = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'o': out_path = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    int n_in = argc - optind;
    if (!out_path || n_in < 1) {
        fprintf(stderr, "seller merge: --out and at least one input bundle are required\n\n%s",
                usage);
        return 2;
    }
    char **in_paths = argv + optind;
    for (int i = 0; i < n_in; i++)
        if (same_file(out_path, in_paths[i])) {
            fprintf(stderr, "seller merge: %s is both the output and an input\n", out_path);
            return 2;
        }
    za_error err;
    zp_bundle **in = calloc((size_t)n_in, sizeof *in);
    zp_bundle_info *info = calloc((size_t)n_in, sizeof *info);
    zp_bundle *dst = NULL;
    int rc = 1;
    if (!in || !info) {
        za_error_set(&err, ZA_ERR_NOMEM, "out of memory for %d bundles", n_in);
        goto fail;
    }
    /* open and check every input before touching the output */
    for (int i = 0; i < n_in; i++) {
        if (zp_bundle_open_readonly(in_paths[i], &in[i], &err) ||
            zp_bundle_get_info(in[i], &info[i], &err) ||
            (i && same_request(&info[0], in_paths[0], &info[i], in_paths[i], &err)))
            goto fail;
    }
    /* an existing output must answer the same request: say how it differs */
    if (access(out_path, F_OK) == 0) {
        zp_bundle_info have;
        if (zp_bundle_open_readonly(out_path, &dst, &err) ||
            zp_bundle_get_info(dst, &have, &err) ||
            same_request(&have, out_path, &info[0], in_paths[0], &err))
            goto fail;
        zp_bundle_close(dst);
        dst = NULL;
    }
    if (zp_bundle_open_write(out_path, info[0].request_id, info[0].model_id, info[0].n_samples,
                             info[0].batch_size, &dst, &err))
        goto fail;
    for (int i = 0; i < n_in; i++) {
        uint64_t copied = 0;
        if (zp_bundle_merge(dst, in[i], &copied, &err))
            goto fail;
        printf("%s: %llu batch%s copied, %llu already present\n", in_paths[i],
               (unsigned long long)copied, copied == 1 ? "" : "es",
               (unsigned long long)(info[i].batches_present - copied));
    }
    zp_bundle_info out;
    if (zp_bundle_get_info(dst, &out, &err))
        goto fail;
    uint64_t missing = out.n_batches - out.batches_present;
    printf("bundle %s: %llu of %llu batches present, %llu still missing%s\n", out_path,
           (unsigned long long)out.batches_present, (unsigned long long)out.n_batches,
           (unsigned long long)missing, missing ? "" : " (complete)");
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    zp_bundle_close(dst);
    for (int i = 0; in && i < n_in; i++)
        zp_bundle_close(in[i]);
    free(in);
    free(info);
    return rc;
}
