/* buyer/cmd_dataset.c - `buyer dataset ...`: dispatch, and the read-only
 * subcommands list, show, commit, verify and example.  Import is in
 * cmd_dataset_import.c, inclusion proofs in cmd_dataset_proof.c. */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer/buyer.h"
#include "buyer/dataset_cmd.h"
#include "common/file.h"
#include "common/sha256.h"
#include "common/hex.h"
#include "common/log.h"
#include "datasets/db.h"

static const char usage[] =
    "usage: buyer dataset <command> [options]\n"
    "\n"
    "The buyer's test sets, in a SQLite index file, each committed to by a\n"
    "Merkle root over every (index, label, input) (docs/datasets.md).\n"
    "\n"
    "commands:\n"
    "  import           add a dataset from IDX, CIFAR, an image folder or CSV (paths or URLs)\n"
    "  list             every dataset of the index: name, examples, shape, root\n"
    "  show             one dataset: its metadata, source, checksums and label counts\n"
    "  commit           print a dataset's commitment root\n"
    "  verify           recompute every hash and the root; report tampered rows (exit 1)\n"
    "  example          write one example's input bytes to a file, print its label\n"
    "  prove-inclusion  a proof that example I is in the committed dataset\n"
    "  check-inclusion  check such a proof against a root (no database needed)\n"
    "  check-reveal     check a data holder's reveal of its sampled examples (private data)\n"
    "\n"
    "Run 'buyer dataset <command> --help' for a command's options.\n";

static const char read_usage[] =
    "usage: buyer dataset list    --db FILE [--json]\n"
    "       buyer dataset show    --db FILE --name NAME [--json]\n"
    "       buyer dataset commit  --db FILE --name NAME [--json]\n"
    "       buyer dataset verify  --db FILE --name NAME [--json]\n"
    "       buyer dataset example --db FILE --name NAME --index I --out F [--json]\n"
    "\n"
    "list:    one line per dataset: name, examples, format, shape, root.\n"
    "show:    the dataset's metadata, source (paths or URLs) and their SHA-256,\n"
    "         input-preparation recipe, and the number of examples of each label.\n"
    "commit:  the commitment root (64 hex digits) as stored at import.\n"
    "verify:  recompute the SHA-256 of every stored input, every leaf and the\n"
    "         root.  Names every row whose input bytes no longer match their\n"
    "         stored hash, or whose label/hash no longer give the leaf stored at\n"
    "         import; says when the recomputed root differs from the stored one\n"
    "         (which also catches a row whose label, hash and leaf were all\n"
    "         rewritten).  Exit 0 when clean, 1 when anything is wrong.\n"
    "example: write the stored input bytes of example I to F (for\n"
    "         check-inclusion --input) and print its label.\n"
    "Exit status: 0 ok, 1 failure (or tampering found), 2 usage.\n";

int zb_parse_u64(const char *s, uint64_t *v)
{
    if (!s || !*s)
        return -1;
    uint64_t x = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        unsigned d = (unsigned)(*p - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

static json_t *shape_json(const zd_dataset *d)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < d->rank; i++)
        json_array_append_new(a, json_integer(d->shape[i]));
    return a;
}

static void shape_text(const zd_dataset *d, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = 0;
    for (unsigned i = 0; i < d->rank && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%u", i ? "x" : "", d->shape[i]);
}

static json_t *dataset_json(const zd_dataset *d)
{
    char root[65];
    za_hex_encode(d->root, 32, root);
    json_error_t je;
    json_t *names = json_loads(d->label_names, JSON_DECODE_ANY, &je);
    json_t *o = json_pack("{s:s, s:s, s:I, s:o, s:s, s:i, s:o, s:s, s:s, s:s, s:s, s:s}",
                          "name", d->name, "format", d->format, "count", (json_int_t)d->count,
                          "shape", shape_json(d), "dtype", d->dtype, "n_labels", (int)d->n_labels,
                          "label_names", names ? names : json_null(), "root", root, "source",
                          d->source, "source_sha256", d->source_sha256, "prep", d->prep,
                          "created_at", d->created_at);
    if (d->label_counts) {
        json_t *c = json_array();
        for (uint32_t i = 0; i < d->n_labels; i++)
            json_array_append_new(c, json_integer((json_int_t)d->label_counts[i]));
        json_object_set_new(o, "label_counts", c);
    }
    return o;
}

static void emit(json_t *o)
{
    json_dumpf(o, stdout, JSON_INDENT(1));
    putchar('\n');
    json_decref(o);
}

void zb_print_dataset(const zd_dataset *d, int json)
{
    if (json) {
        emit(dataset_json(d));
        return;
    }
    char root[65], shape[64];
    za_hex_encode(d->root, 32, root);
    shape_text(d, shape, sizeof shape);
    printf("dataset:      %s\n", d->name);
    printf("examples:     %" PRIu64 "\n", d->count);
    printf("format:       %s, %s %s\n", d->format, d->dtype, shape);
    printf("labels:       %u, names %s\n", d->n_labels, d->label_names);
    printf("root:         %s\n", root);
    printf("source:       %s\n", d->source);
    printf("sha256:       %s\n", d->source_sha256);
    printf("prep:         %s\n", d->prep[0] ? d->prep : "(none)");
    printf("created:      %s\n", d->created_at);
    if (d->label_counts) {
        printf("label counts:");
        for (uint32_t i = 0; i < d->n_labels; i++)
            printf(" %" PRIu64, d->label_counts[i]);
        printf("\n");
    }
}

static int report(const za_error *err)
{
    za_log_report(err);
    return 1;
}

static int cmd_list(zd_db *db, int json)
{
    zd_dataset *list;
    size_t n;
    za_error err;
    if (zd_db_list(db, &list, &n, &err))
        return report(&err);
    json_t *a = json ? json_array() : NULL;
    for (size_t i = 0; i < n; i++) {
        char root[65], shape[64];
        za_hex_encode(list[i].root, 32, root);
        shape_text(&list[i], shape, sizeof shape);
        if (json)
            json_array_append_new(a, dataset_json(&list[i]));
        else
            printf("%-24s %8" PRIu64 " examples  %-12s %-5s %-10s %s\n", list[i].name,
                   list[i].count, list[i].format, list[i].dtype, shape, root);
    }
    if (json)
        emit(a);
    else if (n == 0)
        printf("(no datasets)\n");
    zd_dataset_list_free(list, n);
    return 0;
}

static int cmd_verify(zd_db *db, const char *name, int json)
{
    zd_verify_report rep;
    za_error err;
    if (zd_db_verify(db, name, &rep, &err))
        return report(&err);
    int clean = rep.n_problems == 0 && rep.root_ok;
    char stored[65], recomputed[65];
    za_hex_encode(rep.stored_root, 32, stored);
    za_hex_encode(rep.recomputed_root, 32, recomputed);
    size_t shown = rep.problems ? (rep.n_problems < ZD_MAX_REPORTED ? rep.n_problems
                                                                   : ZD_MAX_REPORTED)
                                : 0;
    static const char *const kind[] = { "", "input", "leaf", "row" };
    if (json) {
        json_t *a = json_array();
        for (size_t i = 0; i < shown; i++)
            json_array_append_new(a, json_pack("{s:I, s:s, s:s}", "index",
                                               (json_int_t)rep.problems[i].index, "kind",
                                               kind[rep.problems[i].kind], "what",
                                               rep.problems[i].what));
        emit(json_pack("{s:s, s:b, s:I, s:I, s:o, s:b, s:s, s:s}", "name", name, "valid", clean,
                       "rows", (json_int_t)rep.rows, "n_problems", (json_int_t)rep.n_problems,
                       "problems", a, "root_ok", rep.root_ok, "stored_root", stored,
                       "recomputed_root", recomputed));
    } else {
        for (size_t i = 0; i < shown; i++)
            printf("example %" PRIu64 ": %s\n", rep.problems[i].index, rep.problems[i].what);
        if (rep.n_problems > shown)
            printf("... and %zu more problem rows\n", rep.n_problems - shown);
        if (!rep.root_ok)
            printf("root: the recomputed root %s differs from the stored root %s\n", recomputed,
                   stored);
        if (clean)
            printf("valid: %" PRIu64 " examples, every input hash, leaf and the root %s check\n",
                   rep.rows, stored);
        else
            printf("invalid: %zu problem row%s%s\n", rep.n_problems,
                   rep.n_problems == 1 ? "" : "s", rep.root_ok ? "" : ", root differs");
    }
    zd_verify_report_free(&rep);
    return clean ? 0 : 1;
}

static int cmd_example(zd_db *db, const char *name, const char *index_s, const char *out,
                       int json)
{
    uint64_t index;
    if (zb_parse_u64(index_s, &index)) {
        fprintf(stderr, "buyer dataset example: --index: '%s' is not a whole number\n", index_s);
        return 2;
    }
    uint8_t *data, h[32];
    size_t len;
    uint32_t label;
    za_error err;
    if (zd_db_example(db, name, index, &label, &data, &len, h, &err) ||
        za_write_file_atomic(out, data, len, &err)) {
        free(data);
        return report(&err);
    }
    char hex[65];
    za_sha256(data, len, h);
    za_hex_encode(h, 32, hex);
    if (json)
        emit(json_pack("{s:I, s:i, s:s, s:I, s:s}", "index", (json_int_t)index, "label",
                       (int)label, "input_sha256", hex, "bytes", (json_int_t)len, "out", out));
    else
        printf("example %" PRIu64 ": label %u, %zu bytes, sha256 %s -> %s\n", index, label, len,
               hex, out);
    free(data);
    return 0;
}

static int read_cmd(const char *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, 0, 'd' },    { "name", required_argument, 0, 'n' },
        { "index", required_argument, 0, 'i' }, { "out", required_argument, 0, 'o' },
        { "json", no_argument, 0, 'j' },        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    const char *db_path = NULL, *name = NULL, *index = NULL, *out = NULL;
    int json = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': db_path = optarg; break;
        case 'n': name = optarg; break;
        case 'i': index = optarg; break;
        case 'o': out = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(read_usage, stdout); return 0;
        default: fputs(read_usage, stderr); return 2;
        }
    }
    int is_list = !strcmp(cmd, "list"), is_example = !strcmp(cmd, "example");
    const char *missing = !db_path                          ? "--db is required"
                          : !is_list && !name               ? "--name is required"
                          : is_example && (!index || !out) ? "--index and --out are required"
                          : optind != argc                  ? "unexpected argument"
                                                            : NULL;
    if (missing) {
        fprintf(stderr, "buyer dataset %s: %s\n\n%s", cmd, missing, read_usage);
        return 2;
    }
    zd_db *db;
    za_error err;
    if (zd_db_open(db_path, 0, &db, &err))
        return report(&err);
    int rc = 0;
    if (is_list) {
        rc = cmd_list(db, json);
    } else if (is_example) {
        rc = cmd_example(db, name, index, out, json);
    } else if (!strcmp(cmd, "verify")) {
        rc = cmd_verify(db, name, json);
    } else {
        zd_dataset d;
        int show = !strcmp(cmd, "show");
        if (zd_db_show(db, name, &d, &err)) {
            rc = report(&err);
        } else if (show) {
            zb_print_dataset(&d, json);
        } else {
            char root[65];
            za_hex_encode(d.root, 32, root);
            if (json)
                emit(json_pack("{s:s, s:I, s:s}", "name", d.name, "count", (json_int_t)d.count,
                               "root", root));
            else
                printf("%s\n", root);
        }
        zd_dataset_free(&d);
    }
    zd_db_close(db);
    return rc;
}

int zb_cmd_dataset(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "import"))
        return zb_dataset_import(argc - 1, argv + 1);
    if (!strcmp(cmd, "prove-inclusion"))
        return zb_dataset_prove_inclusion(argc - 1, argv + 1);
    if (!strcmp(cmd, "check-inclusion"))
        return zb_dataset_check_inclusion(argc - 1, argv + 1);
    if (!strcmp(cmd, "check-reveal"))
        return zb_dataset_check_reveal(argc - 1, argv + 1);
    if (!strcmp(cmd, "list") || !strcmp(cmd, "show") || !strcmp(cmd, "commit") ||
        !strcmp(cmd, "verify") || !strcmp(cmd, "example"))
        return read_cmd(cmd, argc - 1, argv + 1);
    fprintf(stderr, "buyer dataset: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
