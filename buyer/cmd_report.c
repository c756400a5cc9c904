/* buyer/cmd_report.c - `buyer report`: verify a bundle and write the audit
 * report (JSON, Markdown, HTML). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buyer/audit_load.h"
#include "buyer/buyer.h"
#include "common/log.h"
#include "protocol/audit_summary.h"
#include "protocol/private_dataset.h"
#include "protocol/stats_cost.h"
#include "reports/facts.h"
#include "reports/report.h"

static const char usage[] =
    "usage: buyer report (--db FILE | --private-dataset C.json (--labels L.csv | --reveal REVEAL))\n"
    "                    --request R --bundle BUNDLE --commit M.commit\n"
    "                    --out DIR [--format json,md,html] [--price-per-cpu-hour P]\n"
    "                    [--threads T]\n"
    "\n"
    "Verify every proof of the bundle (as `buyer verify` does), compare the\n"
    "predictions with the committed labels in the dataset index, and write\n"
    "DIR/report.json (schema zkaudit-report/v1, docs/report.md), DIR/report.md\n"
    "and DIR/report.html (self-contained, inline SVG charts): the accuracy,\n"
    "every interval with the recommended one marked, per-class accuracy, the\n"
    "confusion matrix, proofs checked / rejected / missing with the reason for\n"
    "each, the stopping rule, the cost and how it was computed, and the whole\n"
    "sampling transcript.  A missing or invalid proof counts as wrong.  The report\n"
    "states the data mode: the buyer's public dataset (--db), or private data\n"
    "(--private-dataset, docs/protocol.md) in the review flow (--labels: the\n"
    "auditor's labels of the revealed examples, \"index,label\" lines) or with\n"
    "committed labels (--reveal: the labels of the holder's reveal).\n"
    "\n"
    "  --format LIST            any of json, md, html (default: all three)\n"
    "  --price-per-cpu-hour P   USD per vCPU-hour for the cost (default 0.05, an\n"
    "                           assumption: docs/statistics.md)\n"
    "\n"
    "Prints a one-paragraph summary.  Exit status 0 when the report was written\n"
    "(whatever the audit found), 1 on an error, 2 for bad arguments.\n";

int zb_cmd_report(int argc, char **argv)
{
    enum { O_DB = 1, O_REQ, O_BUNDLE, O_COMMIT, O_OUT, O_FORMAT, O_PRICE, O_THREADS, O_PRIVATE,
           O_LABELS, O_REVEAL };
    static const struct option opts[] = {
        { "db", required_argument, 0, O_DB }, { "request", required_argument, 0, O_REQ },
        { "bundle", required_argument, 0, O_BUNDLE }, { "commit", required_argument, 0, O_COMMIT },
        { "out", required_argument, 0, O_OUT }, { "format", required_argument, 0, O_FORMAT },
        { "price-per-cpu-hour", required_argument, 0, O_PRICE },
        { "threads", required_argument, 0, O_THREADS },
        { "private-dataset", required_argument, 0, O_PRIVATE },
        { "labels", required_argument, 0, O_LABELS }, { "reveal", required_argument, 0, O_REVEAL },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    const char *private_path = NULL, *labels_path = NULL, *reveal_path = NULL;
    const char *db = NULL, *req = NULL, *bundle = NULL, *commit = NULL, *out = NULL,
               *formats = "json,md,html";
    double price = ZP_COST_DEFAULT_PRICE;
    int threads = 0, ch;
    char *end;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case O_DB: db = optarg; break;
        case O_REQ: req = optarg; break;
        case O_BUNDLE: bundle = optarg; break;
        case O_COMMIT: commit = optarg; break;
        case O_OUT: out = optarg; break;
        case O_FORMAT: formats = optarg; break;
        case O_PRICE:
            price = strtod(optarg, &end);
            if (*end || end == optarg || !isfinite(price) || price < 0) {
                fprintf(stderr, "buyer report: --price-per-cpu-hour must be a number >= 0\n");
                return 2;
            }
            break;
        case O_THREADS:
            threads = (int)strtol(optarg, &end, 10);
            if (*end || threads < 1 || threads > 1024) {
                fprintf(stderr, "buyer report: --threads must be 1..1024\n");
                return 2;
            }
            break;
        case O_PRIVATE: private_path = optarg; break;
        case O_LABELS: labels_path = optarg; break;
        case O_REVEAL: reveal_path = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (!db == !private_path || !req || !bundle || !commit || !out || optind != argc ||
        (private_path ? !labels_path == !reveal_path : labels_path || reveal_path)) {
        fprintf(stderr, "buyer report: %s\n\n%s",
                optind != argc ? "unexpected argument"
                               : "--db (or --private-dataset with one of --labels or --reveal), "
                                 "--request, --bundle, --commit and --out are required",
                usage);
        return 2;
    }
    za_error err;
    zb_audit a;
    zp_audit_summary s;
    memset(&s, 0, sizeof s);
    int rc = 1;
    if (zb_audit_load(req, commit, bundle, threads, &a, &err)) {
        za_log_report(&err);
        return 1;
    }
    if (db ? zb_audit_load_labels(&a, db, &err)
           : zb_audit_load_private_labels(&a, private_path, labels_path, reveal_path, &err))
        goto fail;
    zp_summary_inputs in = { a.ds.n_labels, a.label_names, a.ds.label_counts, a.labels, price,
                             a.res.batch_size };
    if (zp_audit_summarize(&a.rq, &a.res, &in, &s, &err))
        goto fail;
    char when[32];
    time_t now = time(NULL);
    struct tm tmv;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tmv));
    zr_report r = { &a.rq, &a.res, &s, a.labels, a.request_id, bundle, when, a.data_mode,
                    labels_path, a.labels_sha256[0] ? a.labels_sha256 : NULL,
                    zp_model_commitment_is_private(&a.mc), a.mc.weights.params.hiding_openings };
    if (zr_write_report_dir(&r, formats, out, &err))
        goto fail;
    const zp_interval *ci = &s.ci[s.recommended];
    printf("accuracy %.2f%% (%llu of %llu samples correct; %llu invalid and %llu missing "
           "proofs counted as wrong)\n", 100 * s.accuracy, (unsigned long long)s.correct,
           (unsigned long long)s.n, (unsigned long long)s.invalid,
           (unsigned long long)s.missing);
    if (s.ci_ok[s.recommended])
        printf("%.0f%% %s interval on the %llu-item test set: [%.2f%%, %.2f%%]\n",
               100 * s.confidence, zp_ci_method_name(s.recommended),
               (unsigned long long)s.N, 100 * ci->lo, 100 * ci->hi);
    printf("cost: %.3f prover CPU-s per sample; %s\n", s.prover_cpu_s_per_sample, s.cost.how);
    printf("data mode: %s\n", zp_data_mode_name((zp_data_mode)a.data_mode));
    printf("model mode: %s\n", zr_model_mode(zp_model_commitment_is_private(&a.mc))->name);
    printf("wrote %s/report.{%s}\n", out, formats);
    rc = 0;
    goto done;
fail:
    za_log_report(&err);
done:
    zp_audit_summary_free(&s);
    zb_audit_free(&a);
    return rc;
}
