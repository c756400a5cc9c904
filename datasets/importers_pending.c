/* datasets/importers_pending.c - TEMPORARY stand-ins (branch `data` only).
 *
 * The CIFAR, image-folder and CSV importers (datasets/cifar.c,
 * image_folder.c, csv.c) are written on another branch; until they are
 * merged these definitions let bin/buyer link and say so.  Delete this file
 * when merging those importers.
 */
#include "datasets/importers.h"

za_status zd_source_open_cifar(const char *path, int variant, zd_source **out, za_error *err)
{
    (void)path, (void)variant;
    *out = NULL;
    return za_error_set(err, ZA_ERR_UNSUPPORTED, "CIFAR import: not built yet");
}

za_status zd_source_open_image_folder(const char *dir, const zd_image_opts *opts,
                                      zd_source **out, za_error *err)
{
    (void)dir, (void)opts;
    *out = NULL;
    return za_error_set(err, ZA_ERR_UNSUPPORTED, "image-folder import: not built yet");
}

za_status zd_source_open_csv(const char *path, const zd_csv_opts *opts, zd_source **out,
                             za_error *err)
{
    (void)path, (void)opts;
    *out = NULL;
    return za_error_set(err, ZA_ERR_UNSUPPORTED, "CSV import: not built yet");
}
