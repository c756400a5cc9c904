/* buyer/cmd_verify.c - `buyer verify`: check every proof of a seller's
 * bundle against the request and the model commitment. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer/audit_load.h"
#include "buyer/buyer.h"
#include "common/hex.h"
#include "common/log.h"
#include "protocol/audit_summary.h"
#include "protocol/private_dataset.h"
#include "protocol/stats_seq.h"

static const char usage[] =
    "usage: buyer verify --request R --bundle BUNDLE --commit M.commit\n"
    "                    [--db FILE | --private-dataset C.json (--labels L.csv | --reveal REVEAL)]\n"
    "                    [--threads T] [--json] [--all]\n"
    "\n"
    "Check every proof in the seller's bundle (in parallel): that it verifies\n"
    "under the model commitment, that its model id is the request's, and that\n"
    "its inputs are exactly the requested ones.  A sample whose proof is\n"
    "missing or invalid counts as a wrong prediction.  Lists every invalid or\n"
    "missing sample with the reason (--all: every sample).\n"
    "\n"
    "With --db (the buyer's dataset index) it also compares the predictions\n"
    "with the labels and applies the audit's stopping rule to the proofs\n"
    "verified so far, in request order: with a confidence sequence or an SPRT it\n"
    "says whether the audit can stop now (the seller need not prove the rest).\n"
    "Private data (docs/protocol.md): --private-dataset C.json with --labels L.csv\n"
    "(the review flow: the auditor's labels of the revealed examples, lines\n"
    "\"index,label\") or --reveal REVEAL (committed labels: the labels of the\n"
    "holder's reveal) instead of --db.\n"
    "\n"
    "Exit status: 0 when every sample has a valid proof, 1 otherwise (or on an\n"
    "error), 2 for bad arguments.  Last line: `valid` or `invalid: ...`.\n";

/* The leading run of samples whose batches are in the bundle. */
static uint64_t present_prefix(const zp_audit_result *r)
{
    uint64_t i = 0;
    while (i < r->n && r->samples[i].status != ZP_SAMPLE_MISSING)
        i++;
    return i;
}

/* How the stopping rule stands after the verified prefix. */
static const char *decision_text(const zp_request *rq, const zp_replay *r)
{
    if (!r->stopped_at)
        return NULL;
    if (rq->params.stop == ZP_STOP_CONFSEQ)
        return "the confidence sequence is within the margin";
    return r->sprt == ZP_SPRT_ACCEPT ? "SPRT accepts accuracy >= threshold"
                                     : "SPRT rejects: accuracy <= threshold0";
}

int zb_cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        { "request", required_argument, 0, 'r' }, { "bundle", required_argument, 0, 'b' },
        { "commit", required_argument, 0, 'c' }, { "db", required_argument, 0, 'd' },
        { "threads", required_argument, 0, 't' }, { "json", no_argument, 0, 'j' },
        { "all", no_argument, 0, 'a' }, { "private-dataset", required_argument, 0, 'P' },
        { "labels", required_argument, 0, 'L' }, { "reveal", required_argument, 0, 'R' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    const char *req = NULL, *bundle = NULL, *commit = NULL, *db = NULL, *private_path = NULL,
               *labels_path = NULL, *reveal_path = NULL;
    int threads = 0, json = 0, all = 0, ch;
    char *end;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'r': req = optarg; break;
        case 'b': bundle = optarg; break;
        case 'c': commit = optarg; break;
        case 'd': db = optarg; break;
        case 't':
            threads = (int)strtol(optarg, &end, 10);
            if (*end || threads < 1 || threads > 1024) {
                fprintf(stderr, "buyer verify: --threads must be 1..1024\n");
                return 2;
            }
            break;
        case 'j': json = 1; break;
        case 'a': all = 1; break;
        case 'P': private_path = optarg; break;
        case 'L': labels_path = optarg; break;
        case 'R': reveal_path = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (!req || !bundle || !commit || optind != argc) {
        fprintf(stderr, "buyer verify: %s\n\n%s",
                optind != argc ? "unexpected argument"
                               : "--request, --bundle and --commit are required",
                usage);
        return 2;
    }
    if ((db && private_path) ||
        (private_path ? !labels_path == !reveal_path : labels_path || reveal_path)) {
        fprintf(stderr, "buyer verify: --private-dataset goes with one of --labels or --reveal, "
                "instead of --db\n\n%s", usage);
        return 2;
    }
    za_error err;
    zb_audit a;
    if (zb_audit_load(req, commit, bundle, threads, &a, &err)) {
        za_log_report(&err);
        printf("invalid: %s\n", err.msg);
        return 1;
    }
    const zp_audit_result *r = &a.res;
    zp_replay seq;
    memset(&seq, 0, sizeof seq);
    uint64_t correct = 0;
    const char *labelled = db ? db : private_path; /* labels available */
    if (labelled) {
        if (db ? zb_audit_load_labels(&a, db, &err)
               : zb_audit_load_private_labels(&a, private_path, labels_path, reveal_path, &err)) {
            za_log_report(&err);
            zb_audit_free(&a);
            return 1;
        }
        for (uint64_t i = 0; i < r->n; i++)
            correct += (uint64_t)zp_sample_correct(r, a.labels, i);
        if (zp_audit_replay(&a.rq, r, a.labels, r->batch_size, present_prefix(r), &seq, &err)) {
            za_log_report(&err);
            zb_audit_free(&a);
            return 1;
        }
    }
    const char *decision = labelled ? decision_text(&a.rq, &seq) : NULL;
    int ok = r->valid == r->n;
    if (json) {
        json_t *o = json_object(), *bad = json_array();
        json_object_set_new(o, "samples", json_integer((json_int_t)r->n));
        json_object_set_new(o, "valid", json_integer((json_int_t)r->valid));
        json_object_set_new(o, "invalid", json_integer((json_int_t)r->invalid));
        json_object_set_new(o, "missing", json_integer((json_int_t)r->missing));
        json_object_set_new(o, "batches", json_integer((json_int_t)r->batches));
        json_object_set_new(o, "batches_present", json_integer((json_int_t)r->batches_present));
        json_object_set_new(o, "verify_seconds", json_real(r->verify_wall_s));
        for (uint64_t i = 0; i < r->n; i++) {
            const zp_sample_result *s = &r->samples[i];
            if (s->status == ZP_SAMPLE_VALID && !all)
                continue;
            json_t *e = json_object();
            json_object_set_new(e, "sample", json_integer((json_int_t)i));
            json_object_set_new(e, "index", json_integer((json_int_t)a.rq.indices[i]));
            json_object_set_new(e, "status", json_string(zp_sample_status_name(s->status)));
            json_object_set_new(e, "predicted", json_integer(s->predicted));
            if (labelled)
                json_object_set_new(e, "label", json_integer(a.labels[i]));
            json_object_set_new(e, "reason", json_string(s->reason));
            json_array_append_new(bad, e);
        }
        json_object_set_new(o, all ? "samples_detail" : "problems", bad);
        json_object_set_new(o, "data_mode",
                            json_string(zp_data_mode_name((zp_data_mode)a.data_mode)));
        if (labelled) {
            json_object_set_new(o, "correct", json_integer((json_int_t)correct));
            json_object_set_new(o, "accuracy", json_real(r->n ? (double)correct / r->n : 0));
            json_t *q = json_object();
            json_object_set_new(q, "verified_prefix", json_integer((json_int_t)seq.samples));
            json_object_set_new(q, "cs_lo", json_real(seq.cs.lo));
            json_object_set_new(q, "cs_hi", json_real(seq.cs.hi));
            json_object_set_new(q, "decided", json_boolean(seq.stopped_at != 0));
            json_object_set_new(q, "decided_at", json_integer((json_int_t)seq.stopped_at));
            json_object_set_new(q, "decision", json_string(decision ? decision : ""));
            json_object_set_new(o, "sequential", q);
        }
        json_object_set_new(o, "result", json_string(ok ? "valid" : "invalid"));
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (text)
            puts(text);
        free(text);
        json_decref(o);
    } else {
        printf("request %s: %llu samples in %llu batches, %llu batch%s in the bundle\n", req,
               (unsigned long long)r->n, (unsigned long long)r->batches,
               (unsigned long long)r->batches_present, r->batches_present == 1 ? "" : "es");
        if (r->bundle_problem[0])
            printf("bundle refused: %s\n", r->bundle_problem);
        unsigned listed = 0;
        for (uint64_t i = 0; i < r->n; i++) {
            const zp_sample_result *s = &r->samples[i];
            if (s->status == ZP_SAMPLE_VALID && !all)
                continue;
            if (!all && ++listed > 20 && !r->bundle_problem[0]) {
                if (listed == 21)
                    printf("... (more; --json or --all lists every one)\n");
                continue;
            }
            if (r->bundle_problem[0] && !all)
                break;
            printf("sample %llu (index %llu): %s", (unsigned long long)i,
                   (unsigned long long)a.rq.indices[i], zp_sample_status_name(s->status));
            if (s->status == ZP_SAMPLE_VALID)
                printf(", predicted %lld", (long long)s->predicted);
            if (labelled)
                printf(", label %u", a.labels[i]);
            printf("%s%s\n", s->reason[0] ? ": " : "", s->reason);
        }
        printf("valid %llu, invalid %llu, missing %llu (invalid and missing count as wrong); "
               "verified in %.2f s\n", (unsigned long long)r->valid,
               (unsigned long long)r->invalid, (unsigned long long)r->missing, r->verify_wall_s);
        if (labelled) {
            printf("correct %llu of %llu: accuracy %.4f\n", (unsigned long long)correct,
                   (unsigned long long)r->n, r->n ? (double)correct / (double)r->n : 0.0);
            if (a.rq.params.stop != ZP_STOP_FIXED) {
                if (decision)
                    printf("stopping rule: decided after %llu samples (%s): the rest need not "
                           "be proven\n", (unsigned long long)seq.stopped_at, decision);
                else
                    printf("stopping rule: not decided after %llu verified samples "
                           "(confidence sequence [%.4f, %.4f]): continue\n",
                           (unsigned long long)seq.samples, seq.cs.lo, seq.cs.hi);
            }
        }
        if (ok)
            printf("valid\n");
        else
            printf("invalid: %llu invalid, %llu missing of %llu samples\n",
                   (unsigned long long)r->invalid, (unsigned long long)r->missing,
                   (unsigned long long)r->n);
    }
    zb_audit_free(&a);
    return ok ? 0 : 1;
}
