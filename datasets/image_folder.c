/* datasets/image_folder.c - a folder of PNG/JPEG images, one subfolder per
 * class, as a zd_source.
 *
 * Layout: DIR/CLASS/FILE.  Names starting with '.' are skipped at both
 * levels (.DS_Store, .git, editors' files).  Class folders sorted bytewise
 * (strcmp) give labels 0, 1, ...; files are yielded class by class, each
 * class's files sorted bytewise.  Anything else is an error rather than
 * silently skipped, since a stray file usually means the folder is not what
 * the user thinks it is: a non-hidden file at the top level, a subfolder
 * inside a class, a special file, an empty class, a folder without class
 * subfolders, and (when it is read) a file that is not a PNG or JPEG by
 * its content (the extension is not looked at).
 *
 * Streaming: the opener holds the list of paths (at most
 * ZA_MAX_FOLDER_FILES, ZA_MAX_FOLDER_NAME_BYTES of names); zd_source_next
 * reads one file whole (at most ZA_MAX_IMAGE_FILE_BYTES), decodes it
 * (image_decode.h), converts its channels and resizes/crops it
 * (resize.h) into the one example buffer, and frees the rest.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/file.h"
#include "common/limits.h"
#include "datasets/image_decode.h"
#include "datasets/importers.h"
#include "datasets/resize.h"

typedef struct {
    char *path;
    uint32_t label;
} folder_entry;

typedef struct {
    zd_image_opts opts;
    folder_entry *files;
    size_t n_files, cap_files, next;
    size_t name_bytes;           /* summed path lengths (ZA_MAX_FOLDER_NAME_BYTES) */
    uint8_t *example;            /* height * width * channels */
} folder_state;

typedef struct {
    char **v;
    size_t n, cap;
} name_list;

static void names_free(name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b); /* bytewise: unsigned char order */
}

/* The non-hidden entries of dir, sorted bytewise. */
static za_status list_dir(const char *dir, name_list *out, za_error *err)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d)
        return za_error_set(err, ZA_ERR_IO, "%s: %s", dir, strerror(errno));
    za_status st = ZA_OK;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (out->n == ZA_MAX_FOLDER_FILES) {
            st = za_error_set(err, ZA_ERR_LIMIT, "%s: more than %zu entries", dir,
                              ZA_MAX_FOLDER_FILES);
            break;
        }
        if (out->n == out->cap) {
            size_t cap = out->cap ? 2 * out->cap : 64;
            char **v = realloc(out->v, cap * sizeof *v);
            if (!v) {
                st = za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory listing", dir);
                break;
            }
            out->v = v;
            out->cap = cap;
        }
        if (!(out->v[out->n] = strdup(e->d_name))) {
            st = za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory listing", dir);
            break;
        }
        out->n++;
        errno = 0;
    }
    if (st == ZA_OK && errno)
        st = za_error_set(err, ZA_ERR_IO, "%s: reading the folder: %s", dir, strerror(errno));
    closedir(d);
    if (st != ZA_OK) {
        names_free(out);
        return st;
    }
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, cmp_names);
    return ZA_OK;
}

/* "a/b" in a new string. */
static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (s) {
        memcpy(s, a, la);
        s[la] = '/';
        memcpy(s + la + 1, b, lb + 1);
    }
    return s;
}

static za_status stat_kind(const char *path, mode_t *mode, za_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return za_error_set(err, ZA_ERR_IO, "%s: %s", path, strerror(errno));
    *mode = sb.st_mode;
    return ZA_OK;
}

/* Append the files of one class folder (takes ownership of nothing). */
static za_status add_class(folder_state *s, const char *cdir, uint32_t label, za_error *err)
{
    name_list l;
    za_status st = list_dir(cdir, &l, err);
    if (st != ZA_OK)
        return st;
    if (l.n == 0) {
        names_free(&l);
        return za_error_set(err, ZA_ERR_MALFORMED, "%s: empty class folder (no images)", cdir);
    }
    for (size_t i = 0; i < l.n && st == ZA_OK; i++) {
        char *p = join(cdir, l.v[i]);
        mode_t mode;
        if (!p) {
            st = za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", cdir);
        } else if ((st = stat_kind(p, &mode, err)) != ZA_OK) {
            /* st and err say why */
        } else if (S_ISDIR(mode)) {
            st = za_error_set(err, ZA_ERR_MALFORMED,
                              "%s: a folder inside a class folder (classes are not nested)", p);
        } else if (!S_ISREG(mode)) {
            st = za_error_set(err, ZA_ERR_MALFORMED, "%s: not a regular file", p);
        } else if (s->n_files == ZA_MAX_FOLDER_FILES ||
                   s->name_bytes + strlen(p) > ZA_MAX_FOLDER_NAME_BYTES) {
            st = za_error_set(err, ZA_ERR_LIMIT, "%s: more than %zu images or %zu bytes of names",
                              cdir, ZA_MAX_FOLDER_FILES, ZA_MAX_FOLDER_NAME_BYTES);
        } else {
            if (s->n_files == s->cap_files) {
                size_t cap = s->cap_files ? 2 * s->cap_files : 256;
                folder_entry *v = realloc(s->files, cap * sizeof *v);
                if (!v) {
                    st = za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", cdir);
                    free(p);
                    break;
                }
                s->files = v;
                s->cap_files = cap;
            }
            s->name_bytes += strlen(p);
            s->files[s->n_files].path = p;
            s->files[s->n_files].label = label;
            s->n_files++;
            p = NULL;
        }
        free(p);
    }
    names_free(&l);
    return st;
}

static za_status folder_next(void *vs, zd_example *ex, int *end, za_error *err)
{
    folder_state *s = vs;
    if (s->next == s->n_files) {
        *end = 1;
        return ZA_OK;
    }
    const folder_entry *fe = &s->files[s->next];
    const zd_image_opts *o = &s->opts;
    uint8_t *file = NULL, *conv = NULL;
    size_t len;
    zd_image img;
    memset(&img, 0, sizeof img);
    za_status st = za_read_file(fe->path, ZA_MAX_IMAGE_FILE_BYTES, &file, &len, err);
    if (st == ZA_OK)
        st = zd_image_decode(file, len, fe->path, &img, err);
    free(file);
    if (st != ZA_OK)
        return st;
    const uint8_t *px = img.pixels;
    if (img.channels != o->channels) {
        size_t n = (size_t)img.width * img.height;
        if (!(conv = malloc(n * o->channels))) {
            zd_image_free(&img);
            return za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", fe->path);
        }
        zd_convert_channels(img.pixels, img.channels, conv, o->channels, n);
        px = conv;
    }
    zd_resize_crop(px, img.width, img.height, o->channels, s->example, o->width, o->height);
    free(conv);
    zd_image_free(&img);
    s->next++;
    ex->label = fe->label;
    ex->data = s->example;
    ex->len = (size_t)o->height * o->width * o->channels;
    *end = 0;
    return ZA_OK;
}

static void folder_close(void *vs)
{
    folder_state *s = vs;
    if (!s)
        return;
    for (size_t i = 0; i < s->n_files; i++)
        free(s->files[i].path);
    free(s->files);
    free(s->example);
    free(s);
}

static const zd_source_ops folder_ops = { folder_next, folder_close };

static za_status check_opts(const zd_image_opts *o, za_error *err)
{
    if (o->channels != 1 && o->channels != 3)
        return za_error_set(err, ZA_ERR_ARG, "image folder: channels %u is neither 1 nor 3",
                            o->channels);
    if (o->height < 1 || o->width < 1 || o->height > ZA_MAX_IMAGE_DIM ||
        o->width > ZA_MAX_IMAGE_DIM ||
        (size_t)o->height * o->width * o->channels > ZA_MAX_EXAMPLE_BYTES)
        return za_error_set(err, ZA_ERR_ARG,
                            "image folder: size %ux%ux%u outside 1..%d per side or above %zu "
                            "bytes", o->height, o->width, o->channels, ZA_MAX_IMAGE_DIM,
                            ZA_MAX_EXAMPLE_BYTES);
    return ZA_OK;
}

za_status zd_image_opts_describe(const zd_image_opts *opts, char *buf, size_t cap,
                                 za_error *err)
{
    za_status st = check_opts(opts, err);
    if (st != ZA_OK)
        return st;
    int n = snprintf(buf, cap, "image-folder;v1;h=%u;w=%u;c=%u;grey=bt601-77-150-29;"
                     "resize=area-cover;crop=centre", opts->height, opts->width, opts->channels);
    if (n < 0 || (size_t)n >= cap)
        return za_error_set(err, ZA_ERR_ARG, "image folder: description needs %d bytes", n + 1);
    return ZA_OK;
}

za_status zd_source_open_image_folder(const char *dir, const zd_image_opts *opts,
                                      zd_source **out, za_error *err)
{
    *out = NULL;
    za_status st = check_opts(opts, err);
    if (st != ZA_OK)
        return st;
    zd_source *src = calloc(1, sizeof *src);
    folder_state *s = calloc(1, sizeof *s);
    if (!src || !s) {
        free(src);
        free(s);
        return za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", dir);
    }
    src->ops = &folder_ops;
    src->state = s;
    s->opts = *opts;
    name_list top;
    memset(&top, 0, sizeof top);
    if ((st = list_dir(dir, &top, err)) != ZA_OK)
        goto fail;
    if (top.n == 0) {
        st = za_error_set(err, ZA_ERR_MALFORMED, "%s: empty folder (no class subfolders)", dir);
        goto fail;
    }
    if (top.n > ZD_MAX_LABELS) {
        st = za_error_set(err, ZA_ERR_LIMIT, "%s: more than %d classes", dir, ZD_MAX_LABELS);
        goto fail;
    }
    /* every top-level entry must be a class folder */
    for (size_t i = 0; i < top.n; i++) {
        char *p = join(dir, top.v[i]);
        mode_t mode;
        if (!p)
            st = za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", dir);
        else if ((st = stat_kind(p, &mode, err)) == ZA_OK && !S_ISDIR(mode))
            st = za_error_set(err, ZA_ERR_MALFORMED,
                              "%s: a file at the top level of an image folder (only class "
                              "subfolders belong there)", p);
        free(p);
        if (st != ZA_OK)
            goto fail;
    }
    src->info.label_names = calloc(top.n, sizeof(char *));
    if (!src->info.label_names) {
        st = za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", dir);
        goto fail;
    }
    src->info.n_labels = (uint32_t)top.n;
    for (size_t i = 0; i < top.n; i++) {
        char *p = join(dir, top.v[i]);
        if (!p) {
            st = za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", dir);
            goto fail;
        }
        st = add_class(s, p, (uint32_t)i, err);
        free(p);
        if (st != ZA_OK)
            goto fail;
        src->info.label_names[i] = top.v[i]; /* the source now owns the name */
        top.v[i] = NULL;
    }
    if (!(s->example = malloc((size_t)opts->height * opts->width * opts->channels))) {
        st = za_error_set(err, ZA_ERR_NOMEM, "%s: out of memory", dir);
        goto fail;
    }
    snprintf(src->info.format, sizeof src->info.format, "image-folder");
    src->info.count = s->n_files;
    src->info.rank = 3;
    src->info.shape[0] = opts->height;
    src->info.shape[1] = opts->width;
    src->info.shape[2] = opts->channels;
    snprintf(src->info.dtype, sizeof src->info.dtype, "uint8");
    names_free(&top);
    *out = src;
    return ZA_OK;
fail:
    names_free(&top);
    zd_source_close(src);
    return st;
}
