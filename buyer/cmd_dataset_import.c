/* buyer/cmd_dataset_import.c - `buyer dataset import`.
 *
 * Order matters for "a failed import leaves nothing behind": every source is
 * fetched and checksummed, then opened (headers checked) before the index is
 * opened; the import itself is one transaction; an index file this command
 * created is removed again when the import fails; downloaded files are
 * removed in every case.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buyer/dataset_cmd.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/progress.h"
#include "datasets/db.h"
#include "datasets/fetch.h"
#include "datasets/importers.h"
#include "datasets/prepare.h"

static const char usage[] =
    "usage: buyer dataset import --db FILE --name NAME SOURCE [--prep RECIPE]\n"
    "                            [--label-names A,B,...] [--json]\n"
    "  SOURCE is one of:\n"
    "    --idx-images P --idx-labels P [--images-sha256 HEX] [--labels-sha256 HEX]\n"
    "          MNIST / Fashion-MNIST IDX files, gzip'd or raw\n"
    "    --cifar P [--cifar-variant 10|100] [--sha256 HEX]\n"
    "          a CIFAR-10 or CIFAR-100 binary batch (told apart by size if not given)\n"
    "    --image-folder DIR [--image-size HxW] [--channels 1|3]\n"
    "          PNG/JPEG images, one subfolder per class (default 32x32, 3 channels)\n"
    "    --csv P [--label-column K] [--header] [--sha256 HEX]\n"
    "          one example per row: a label column (0-based, default 0) and values 0..255\n"
    "\n"
    "--label-names A,B,... names the labels 0, 1, ... (one name each; IDX and CSV\n"
    "files carry none, CIFAR-10 and image folders bring their own).\n"
    "--prep RECIPE records how an example becomes the model's input tensor, as a\n"
    "canonical recipe string (docs/datasets-import.md), e.g. v1;identity or\n"
    "v1;dtype=int8;scale=0x3b808081;zp=-128;real=x/255;layout=nhwc; \"\" when absent\n"
    "(the stored bytes are the model input).\n"
    "\n"
    "Each P may be a path or an http://, https:// or file:// URL.  A URL is\n"
    "downloaded beside the index file (with retries and a progress bar) and\n"
    "removed after the import.  A given SHA-256 is checked before anything is\n"
    "imported; a mismatch is refused naming both digests.  The SHA-256 of every\n"
    "data file and where it came from are recorded with the dataset.\n"
    "\n"
    "The import is one transaction: a malformed example, a wrong checksum or a\n"
    "name already taken leaves the index as it was (an index file created by\n"
    "this command is removed again).  Prints the dataset, its commitment root\n"
    "and the number of examples of each label.\n"
    "Exit status: 0 imported, 1 failed, 2 usage.\n";

typedef struct {
    const char *role; /* "images", "labels", "file", "folder" */
    const char *src;
    const char *expect;
    char *local;
    int is_temp;
    uint8_t sha[32];
} input;

static void progress_cb(void *ctx, uint64_t done, uint64_t total)
{
    (void)total;
    za_progress_update(ctx, done);
}

/* {"role": value, ...} as compact JSON text (malloc'd) */
static char *roles_json(const input *in, size_t n, int sha)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        char hex[65] = "";
        if (sha && strcmp(in[i].role, "folder") != 0)
            za_hex_encode(in[i].sha, 32, hex);
        json_object_set_new(o, in[i].role, json_string(sha ? hex : in[i].src));
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

/* Only canonical recipe strings are stored (datasets/prepare.h), so both
 * parties derive the same model inputs from the same text; "" = none. */
static int prep_ok(const char *s, za_error *err)
{
    zd_prep p;
    return !*s || zd_prep_parse(s, &p, err) == ZA_OK;
}

/* --label-names "a,b,c": one name per label, replacing the format's own. */
static za_status set_label_names(zd_source *src, const char *list, za_error *err)
{
    uint32_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    if (n != src->info.n_labels)
        return za_error_set(err, ZA_ERR_ARG, "--label-names gives %u names, the dataset has %u "
                            "labels", n, src->info.n_labels);
    char **names = calloc(n, sizeof(char *));
    if (!names)
        return za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    const char *p = list;
    for (uint32_t i = 0; i < n; i++) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0 || len > 256 || !(names[i] = strndup(p, len))) {
            for (uint32_t k = 0; k < i; k++)
                free(names[k]);
            free(names);
            return za_error_set(err, len == 0 || len > 256 ? ZA_ERR_ARG : ZA_ERR_NOMEM,
                                "--label-names: name %u is empty or longer than 256 bytes", i);
        }
        p = e ? e + 1 : p + len;
    }
    if (src->info.label_names) {
        for (uint32_t i = 0; i < src->info.n_labels; i++)
            free(src->info.label_names[i]);
        free(src->info.label_names);
    }
    src->info.label_names = names;
    return ZA_OK;
}

static int parse_size(const char *s, unsigned *h, unsigned *w)
{
    char *end;
    unsigned long a = strtoul(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        return -1;
    const char *t = end + 1;
    unsigned long b = strtoul(t, &end, 10);
    if (end == t || *end || a == 0 || b == 0 || a > 65535 || b > 65535)
        return -1;
    *h = (unsigned)a, *w = (unsigned)b;
    return 0;
}

int zb_dataset_import(int argc, char **argv)
{
    enum { O_IMAGES = 256, O_LABELS, O_CIFAR, O_VARIANT, O_FOLDER, O_SIZE, O_CHANNELS, O_CSV,
           O_LABELCOL, O_HEADER, O_ISHA, O_LSHA, O_SHA, O_PREP, O_NAMES };
    static const struct option opts[] = {
        { "db", required_argument, 0, 'd' },
        { "name", required_argument, 0, 'n' },
        { "idx-images", required_argument, 0, O_IMAGES },
        { "idx-labels", required_argument, 0, O_LABELS },
        { "cifar", required_argument, 0, O_CIFAR },
        { "cifar-variant", required_argument, 0, O_VARIANT },
        { "image-folder", required_argument, 0, O_FOLDER },
        { "image-size", required_argument, 0, O_SIZE },
        { "channels", required_argument, 0, O_CHANNELS },
        { "csv", required_argument, 0, O_CSV },
        { "label-column", required_argument, 0, O_LABELCOL },
        { "header", no_argument, 0, O_HEADER },
        { "images-sha256", required_argument, 0, O_ISHA },
        { "labels-sha256", required_argument, 0, O_LSHA },
        { "sha256", required_argument, 0, O_SHA },
        { "prep", required_argument, 0, O_PREP },
        { "label-names", required_argument, 0, O_NAMES },
        { "json", no_argument, 0, 'j' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    const char *db_path = NULL, *name = NULL, *images = NULL, *labels = NULL, *cifar = NULL,
               *folder = NULL, *csv = NULL, *isha = NULL, *lsha = NULL, *sha = NULL,
               *prep = "", *label_names = NULL;
    int json = 0, variant = 0, has_header = 0, ch;
    uint64_t label_col = 0, channels = 3;
    unsigned height = 32, width = 32;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': db_path = optarg; break;
        case 'n': name = optarg; break;
        case O_IMAGES: images = optarg; break;
        case O_LABELS: labels = optarg; break;
        case O_CIFAR: cifar = optarg; break;
        case O_VARIANT:
            variant = !strcmp(optarg, "10") ? 10 : !strcmp(optarg, "100") ? 100 : -1;
            break;
        case O_FOLDER: folder = optarg; break;
        case O_SIZE:
            if (parse_size(optarg, &height, &width)) {
                fprintf(stderr, "buyer dataset import: --image-size: '%s' is not HxW\n", optarg);
                return 2;
            }
            break;
        case O_CHANNELS:
            if (zb_parse_u64(optarg, &channels) || (channels != 1 && channels != 3)) {
                fprintf(stderr, "buyer dataset import: --channels must be 1 or 3\n");
                return 2;
            }
            break;
        case O_CSV: csv = optarg; break;
        case O_LABELCOL:
            if (zb_parse_u64(optarg, &label_col) || label_col > 1000000) {
                fprintf(stderr, "buyer dataset import: --label-column: '%s'\n", optarg);
                return 2;
            }
            break;
        case O_HEADER: has_header = 1; break;
        case O_ISHA: isha = optarg; break;
        case O_LSHA: lsha = optarg; break;
        case O_SHA: sha = optarg; break;
        case O_PREP: prep = optarg; break;
        case O_NAMES: label_names = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    int n_sources = (images || labels) + !!cifar + !!folder + !!csv;
    const char *bad = !db_path || !name      ? "--db and --name are required"
                      : n_sources != 1       ? "give exactly one source"
                      : (images || labels) && !(images && labels)
                          ? "--idx-images and --idx-labels go together"
                      : (isha || lsha) && !images ? "--images-sha256/--labels-sha256 are for IDX"
                      : sha && !cifar && !csv ? "--sha256 is for --cifar and --csv (IDX: "
                                               "--images-sha256, --labels-sha256)"
                      : variant < 0           ? "--cifar-variant must be 10 or 100"
                      : folder && zd_is_url(folder) ? "--image-folder must be a local folder"
                      : optind != argc        ? "unexpected argument"
                                              : NULL;
    za_error perr;
    if (!bad && !prep_ok(prep, &perr)) {
        fprintf(stderr, "buyer dataset import: --prep: %s\n", perr.msg);
        return 2;
    }
    if (bad) {
        fprintf(stderr, "buyer dataset import: %s\n\n%s", bad, usage);
        return 2;
    }
    input in[2];
    size_t n_in = 0;
    memset(in, 0, sizeof in);
    if (images) {
        in[n_in++] = (input){ "images", images, isha, NULL, 0, { 0 } };
        in[n_in++] = (input){ "labels", labels, lsha, NULL, 0, { 0 } };
    } else if (folder) {
        in[n_in++] = (input){ "folder", folder, NULL, NULL, 0, { 0 } };
    } else {
        in[n_in++] = (input){ "file", cifar ? cifar : csv, sha, NULL, 0, { 0 } };
    }

    za_error err;
    int rc = 1, created = 0;
    zd_source *src = NULL;
    zd_db *db = NULL;
    char *source = NULL, *source_sha = NULL;
    size_t plen = strlen(db_path) + 32;
    char *prefix = malloc(plen);
    if (!prefix)
        goto done;
    snprintf(prefix, plen, "%s.fetch-%ld", db_path, (long)getpid());
    for (size_t i = 0; i < n_in; i++) {
        if (!strcmp(in[i].role, "folder")) {
            if (!(in[i].local = strdup(in[i].src)))
                goto done;
            continue;
        }
        if (zd_fetch_resolve(in[i].src, prefix, in[i].expect, &in[i].local, &in[i].is_temp,
                             in[i].sha, &err)) {
            za_log_report(&err);
            goto done;
        }
    }
    za_status st;
    if (images) {
        st = zd_source_open_idx(in[0].local, in[1].local, &src, &err);
    } else if (cifar) {
        st = zd_source_open_cifar(in[0].local, variant, &src, &err);
    } else if (folder) {
        zd_image_opts io = { height, width, (unsigned)channels };
        st = zd_source_open_image_folder(in[0].local, &io, &src, &err);
    } else {
        zd_csv_opts co = { (unsigned)label_col, has_header };
        st = zd_source_open_csv(in[0].local, &co, &src, &err);
    }
    if (st == ZA_OK && label_names)
        st = set_label_names(src, label_names, &err);
    if (st) {
        za_log_report(&err);
        goto done;
    }
    struct stat sb;
    created = stat(db_path, &sb) != 0;
    if (zd_db_open(db_path, 1, &db, &err)) {
        za_log_report(&err);
        goto done;
    }
    source = roles_json(in, n_in, 0);
    source_sha = roles_json(in, n_in, 1);
    za_progress bar;
    za_progress_start(&bar, "importing", zd_source_info_of(src)->count, NULL);
    zd_import_opts o = { name, source, source_sha, prep, progress_cb, &bar };
    zd_dataset d;
    double t0 = za_now_s();
    st = zd_db_import(db, src, &o, &d, &err);
    za_progress_finish(&bar);
    if (st) {
        za_log_report(&err);
        goto done;
    }
    double secs = za_now_s() - t0;
    if (!json)
        printf("imported %llu examples in %.2f s (%.0f examples/s)\n",
               (unsigned long long)d.count, secs, secs > 0 ? (double)d.count / secs : 0.0);
    zb_print_dataset(&d, json);
    zd_dataset_free(&d);
    rc = 0;
done:
    zd_db_close(db);
    zd_source_close(src);
    if (rc && created) {
        /* this command made the file: a failed import leaves no file at all */
        const char *suffix[] = { "", "-wal", "-shm" };
        for (int i = 0; i < 3; i++) {
            char p[4096];
            snprintf(p, sizeof p, "%s%s", db_path, suffix[i]);
            unlink(p);
        }
    }
    for (size_t i = 0; i < n_in; i++) {
        if (in[i].is_temp)
            unlink(in[i].local);
        free(in[i].local);
    }
    free(source);
    free(source_sha);
    free(prefix);
    return rc;
}
