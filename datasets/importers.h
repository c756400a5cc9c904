/* datasets/importers.h - open a dataset file (or folder) as a zd_source.
 *
 * Each opener validates the header it can see up front (magic, counts,
 * shapes) and fails with ZA_ERR_MALFORMED naming the path and what was
 * wrong; the rest is checked example by example as zd_source_next reads.
 * Paths are local files: downloading a URL first is datasets/fetch.h's job.
 * On success *out is a new source (zd_source_close frees it); on failure
 * *out is NULL.
 */
#ifndef ZD_IMPORTERS_H
#define ZD_IMPORTERS_H

#include "common/error.h"
#include "datasets/source.h"

/* MNIST / Fashion-MNIST IDX: an idx3 (unsigned byte) image file and an idx1
 * label file, each gzip'd or raw; read as streams, never whole.  Labels
 * 0..9; the counts of the two files must agree.  (datasets/idx.c) */
za_status zd_source_open_idx(const char *images_path, const char *labels_path,
                             zd_source **out, za_error *err) ZA_WARN_UNUSED;

/* CIFAR-10 (1 label byte + 3072 pixel bytes per record) or CIFAR-100 (coarse
 * + fine label bytes + 3072; the fine label is used) binary batches.  The
 * stored example is HWC 32x32x3 (CIFAR files are CHW: converted on read).
 * variant is 10 or 100, or 0 to tell them apart by the file size: a whole
 * number of 3073-byte records is CIFAR-10, of 3074-byte records CIFAR-100
 * (a size that is both, a multiple of 3073*3074 bytes, or neither is
 * ZA_ERR_MALFORMED; the real 10,000- and 50,000-record batches never are).
 * (datasets/cifar.c) */
za_status zd_source_open_cifar(const char *path, int variant, zd_source **out,
                               za_error *err) ZA_WARN_UNUSED;

/* A folder of PNG/JPEG images, one subfolder per class (class names sorted
 * bytewise give labels 0, 1, ... and label_names; files sorted bytewise
 * within a class; names starting with '.' skipped).  Each image is converted
 * to `channels` (1 = grey, 3 = RGB), resized and centre-cropped to
 * height x width by the integer-exact rule of datasets/resize.h
 * (docs/datasets-import.md); the example is HWC {height, width, channels}.
 * Strict: an empty folder, a top-level file, an empty class, a nested
 * folder or a file that is not a PNG/JPEG by content is ZA_ERR_MALFORMED
 * naming the path (the last when that file is read).  Bad opts: ZA_ERR_ARG.
 * (datasets/image_folder.c) */
typedef struct {
    unsigned height, width; /* of the stored example */
    unsigned channels;      /* 1 or 3 */
} zd_image_opts;
za_status zd_source_open_image_folder(const char *dir, const zd_image_opts *opts,
                                      zd_source **out, za_error *err) ZA_WARN_UNUSED;

/* The canonical description of how an image-folder import derives its bytes
 * from the files, for the dataset index to record with the source so that a
 * re-import can be checked to use the same rule, e.g.
 *   "image-folder;v1;h=96;w=96;c=1;grey=bt601-77-150-29;resize=area-cover;crop=centre"
 * (v1 = the rules of datasets/resize.h and image_decode.h).  buf needs
 * ZD_IMAGE_DESCRIBE_MAX bytes; ZA_ERR_ARG for bad opts. */
#define ZD_IMAGE_DESCRIBE_MAX 128
za_status zd_image_opts_describe(const zd_image_opts *opts, char *buf, size_t cap,
                                 za_error *err) ZA_WARN_UNUSED;

/* CSV: one example per row, a label column (an integer 0..65535) and
 * integer values 0..255 (stored as uint8, shape {fields - 1}).
 * label_column is the 0-based column of the label; has_header skips the
 * first row (its names are ignored, its field count must match).  Every row
 * must have the same number of fields.  The opener reads the file once to
 * validate it and find n_labels (largest label + 1), then zd_source_next
 * streams a second pass.  (datasets/csv.c, docs/datasets-import.md) */
typedef struct {
    unsigned label_column;
    int has_header;
} zd_csv_opts;
za_status zd_source_open_csv(const char *path, const zd_csv_opts *opts, zd_source **out,
                             za_error *err) ZA_WARN_UNUSED;

#endif
