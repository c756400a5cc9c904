/* buyer/cmd_plan.c - `buyer plan`: how many samples an audit needs, per
 * method, and what they cost (protocol/stats_plan.h, stats_cost.h). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer/buyer.h"
#include "protocol/stats_cost.h"
#include "protocol/stats_plan.h"

/* Measured defaults: mnist.tflite in bench/results/prove.json
 * (prove_cpu_per_sample_s, verify_s; 2-core Xeon, 2026-11-24). */
#define DEFAULT_PROVE_CPU_S 0.372
#define DEFAULT_VERIFY_S 0.0105

static const char usage[] =
    "usage: buyer plan --margin E [--confidence C] [--test-set-size N]\n"
    "                  [--expected-accuracy P] [--seconds-per-proof S]\n"
    "                  [--verify-seconds V] [--price-per-cpu-hour USD] [--json]\n"
    "\n"
    "How many audited samples put the accuracy within +-E of the observed one at\n"
    "confidence C, for each method, and what proving and verifying them costs.\n"
    "The margin counts the distance from the observed accuracy x/n to each bound\n"
    "of the interval, for every outcome x (or, with --expected-accuracy, the\n"
    "outcomes next to n P); one-sided methods bound the lower side only.\n"
    "\n"
    "  --margin E              0 < E < 0.5 (required)\n"
    "  --confidence C          0 < C < 1 (default 0.95)\n"
    "  --test-set-size N       the committed test set the samples are drawn from\n"
    "                          without replacement: adds the exact hypergeometric\n"
    "                          plan, which is then recommended (otherwise\n"
    "                          Clopper-Pearson is); N must be larger than the\n"
    "                          samples that plan needs (else exit 2)\n"
    "  --expected-accuracy P   plan for an accuracy near P instead of the worst case\n"
    "  --seconds-per-proof S   prover CPU-seconds per sample (default 0.372, measured\n"
    "                          for mnist.tflite in bench/results/prove.json)\n"
    "  --verify-seconds V      verification seconds per sample (default 0.0105, same)\n"
    "  --price-per-cpu-hour P  USD per CPU-hour (default 0.05: an assumption, about\n"
    "                          one on-demand cloud vCPU; use your own price)\n"
    "  --json                  machine-readable output\n"
    "\n"
    "Exit status 0, or 2 for a bad argument.  Methods and formulas:\n"
    "docs/statistics.md.\n";

typedef struct {
    zp_ci_method m;
    int sides, guaranteed; /* guaranteed: coverage >= C for every accuracy */
    const char *note;
} method_row;

static const method_row rows[] = {
    { ZP_CI_HOEFFDING_ONE, 1, 1, "the seed paper's bound" },
    { ZP_CI_HOEFFDING_TWO, 2, 1, "" },
    { ZP_CI_EXACT_LOWER, 1, 1, "certifies accuracy >= x/n - E" },
    { ZP_CI_WILSON, 2, 0, "approximate" },
    { ZP_CI_JEFFREYS, 2, 0, "approximate" },
    { ZP_CI_CLOPPER_PEARSON, 2, 1, "data distribution" },
    { ZP_CI_HYPERGEOMETRIC, 2, 1, "this test set" },
};
#define N_ROWS (sizeof rows / sizeof rows[0])

/* "buyer plan: --margin 0.7 must be ..." and exit status 2 */
static int bad_arg(const char *what, double v, const char *need)
{
    fprintf(stderr, "buyer plan: %s %g must be %s\n(run 'buyer plan --help' for the options)\n",
            what, v, need);
    return 2;
}

/* a whole-string finite number, or -1 */
static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_count(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

typedef struct {
    uint64_t n;
    double margin;
    zp_cost cost;
} plan_result;

int zb_cmd_plan(int argc, char **argv)
{
    static const struct option opts[] = {
        { "margin", required_argument, 0, 'm' },
        { "confidence", required_argument, 0, 'c' },
        { "test-set-size", required_argument, 0, 'N' },
        { "expected-accuracy", required_argument, 0, 'p' },
        { "seconds-per-proof", required_argument, 0, 's' },
        { "verify-seconds", required_argument, 0, 'v' },
        { "price-per-cpu-hour", required_argument, 0, 'P' },
        { "json", no_argument, 0, 'j' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    double margin = NAN, conf = 0.95, expected = ZP_PLAN_WORST_CASE;
    zp_cost_model cm = { DEFAULT_PROVE_CPU_S, DEFAULT_VERIFY_S, ZP_COST_DEFAULT_PRICE };
    uint64_t N = 0;
    int json = 0, ch, have_n = 0;
    optind = 1;
    opterr = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        double *dst = NULL;
        const char *name = NULL;
        switch (ch) {
        case 'm': dst = &margin, name = "--margin"; break;
        case 'c': dst = &conf, name = "--confidence"; break;
        case 'p': dst = &expected, name = "--expected-accuracy"; break;
        case 's': dst = &cm.prover_cpu_s_per_sample, name = "--seconds-per-proof"; break;
        case 'v': dst = &cm.verify_s_per_sample, name = "--verify-seconds"; break;
        case 'P': dst = &cm.price_per_cpu_hour, name = "--price-per-cpu-hour"; break;
        case 'N':
            if (parse_count(optarg, &N) || N == 0) {
                fprintf(stderr,
                        "buyer plan: --test-set-size '%s' is not a whole number of items >= 1\n",
                        optarg);
                return 2;
            }
            have_n = 1;
            break;
        case 'j': json = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
        if (dst && parse_double(optarg, dst)) {
            fprintf(stderr, "buyer plan: %s '%s' is not a number\n", name, optarg);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "buyer plan: unexpected argument '%s'\n\n%s", argv[optind], usage);
        return 2;
    }
    if (isnan(margin)) {
        fprintf(stderr, "buyer plan: --margin is required\n\n%s", usage);
        return 2;
    }
    if (!(margin > 0 && margin < 0.5))
        return bad_arg("--margin", margin, "strictly between 0 and 0.5");
    if (!(conf > 0 && conf < 1))
        return bad_arg("--confidence", conf, "strictly between 0 and 1");
    if (expected != ZP_PLAN_WORST_CASE && !(expected >= 0 && expected <= 1))
        return bad_arg("--expected-accuracy", expected, "between 0 and 1");
    if (cm.prover_cpu_s_per_sample < 0)
        return bad_arg("--seconds-per-proof", cm.prover_cpu_s_per_sample, ">= 0");
    if (cm.verify_s_per_sample < 0)
        return bad_arg("--verify-seconds", cm.verify_s_per_sample, ">= 0");
    if (cm.price_per_cpu_hour < 0)
        return bad_arg("--price-per-cpu-hour", cm.price_per_cpu_hour, ">= 0");

    plan_result res[N_ROWS];
    za_error err;
    for (size_t i = 0; i < N_ROWS; i++) {
        res[i].n = 0;
        if (rows[i].m == ZP_CI_HYPERGEOMETRIC && !have_n)
            continue;
        if (zp_plan_samples(rows[i].m, margin, conf, N, expected, &res[i].n, &err) ||
            zp_plan_margin(rows[i].m, res[i].n, conf, N, expected, &res[i].margin, &err) ||
            zp_cost_project(&cm, res[i].n, &res[i].cost, &err)) {
            fprintf(stderr, "buyer plan: %s\n", err.msg);
            return 2;
        }
    }
    size_t rec = have_n ? N_ROWS - 1 : N_ROWS - 2, paper = 0;
    if (have_n && res[rec].n >= N) {
        fprintf(stderr,
                "buyer plan: a test set of N = %llu items is too small for +-%g at %g%% "
                "confidence: the exact plan needs all %llu of them (a census, not a sample); "
                "widen --margin\n",
                (unsigned long long)N, margin, 100 * conf, (unsigned long long)res[rec].n);
        return 2;
    }
    long long saved = (long long)res[paper].n - (long long)res[rec].n;
    double saved_frac = (double)saved / (double)res[paper].n;

    if (json) {
        json_t *methods = json_array();
        for (size_t i = 0; i < N_ROWS; i++) {
            if (rows[i].m == ZP_CI_HYPERGEOMETRIC && !have_n)
                continue;
            const zp_cost *c = &res[i].cost;
            json_array_append_new(
                methods,
                json_pack("{s:s, s:i, s:b, s:I, s:f, s:b, s:f, s:f, s:f, s:s}", "method",
                          zp_ci_method_name(rows[i].m), "sides", rows[i].sides, "guaranteed",
                          rows[i].guaranteed, "samples", (json_int_t)res[i].n, "achieved_margin",
                          res[i].margin, "fits_test_set", !have_n || res[i].n <= N,
                          "cpu_hours", c->prover_cpu_hours + c->verify_cpu_hours, "cost_usd",
                          c->total_usd, "prover_usd", c->prover_usd, "how", c->how));
        }
        json_t *root = json_pack(
            "{s:f, s:f, s:o, s:o, s:{s:f, s:f, s:f}, s:o, s:s, s:I, s:f, s:I, s:I, s:f}",
            "margin", margin, "confidence", conf, "test_set_size",
            have_n ? json_integer((json_int_t)N) : json_null(), "expected_accuracy",
            expected == ZP_PLAN_WORST_CASE ? json_null() : json_real(expected), "cost_model",
            "prover_cpu_s_per_sample", cm.prover_cpu_s_per_sample, "verify_s_per_sample",
            cm.verify_s_per_sample, "price_per_cpu_hour", cm.price_per_cpu_hour, "methods",
            methods, "recommended", zp_ci_method_name(rows[rec].m), "recommended_samples",
            (json_int_t)res[rec].n, "recommended_cost_usd", res[rec].cost.total_usd,
            "paper_samples", (json_int_t)res[paper].n, "saved_samples", (json_int_t)saved,
            "saved_fraction", saved_frac);
        json_dumpf(root, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
        putchar('\n');
        json_decref(root);
        return 0;
    }
    printf("plan: margin +-%g at %g%% confidence, ", margin, 100 * conf);
    if (have_n)
        printf("samples drawn without replacement from a test set of %llu items, ",
               (unsigned long long)N);
    if (expected == ZP_PLAN_WORST_CASE)
        printf("worst case over the accuracy\n");
    else
        printf("expected accuracy %g\n", expected);
    printf("cost: per sample %g prover CPU-s + %g verify s, at %g USD per CPU-hour\n\n",
           cm.prover_cpu_s_per_sample, cm.verify_s_per_sample, cm.price_per_cpu_hour);
    printf("%-20s %5s %9s %9s %11s  %s\n", "method", "sides", "samples", "margin", "cost (USD)",
           "note");
    for (size_t i = 0; i < N_ROWS; i++) {
        if (rows[i].m == ZP_CI_HYPERGEOMETRIC && !have_n)
            continue;
        char note[96];
        int over = have_n && res[i].n > N;
        snprintf(note, sizeof note, "%s%s%s%s", rows[i].note,
                 over && rows[i].note[0] ? "; " : "", over ? "more than the test set" : "",
                 i == rec ? " (recommended)" : "");
        printf("%-20s %5d %9llu %9.5f %11.4f  %s\n", zp_ci_method_name(rows[i].m), rows[i].sides,
               (unsigned long long)res[i].n, res[i].margin, res[i].cost.total_usd, note);
    }
    printf("\nrecommended: %s, %llu samples, %.4f USD\n", zp_ci_method_name(rows[rec].m),
           (unsigned long long)res[rec].n, res[rec].cost.total_usd);
    printf("against the paper's one-sided Hoeffding (%llu samples): %lld %s (%.1f%%)\n",
           (unsigned long long)res[paper].n, saved < 0 ? -saved : saved,
           saved < 0 ? "more" : "fewer", 100 * fabs(saved_frac));
    printf("how computed: %s\n", res[rec].cost.how);
    return 0;
}
