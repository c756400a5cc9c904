/* datasets/source.c - the format-independent half of a zd_source. */
#include <stdlib.h>

#include "datasets/source.h"

const zd_source_info *zd_source_info_of(const zd_source *src)
{
    return &src->info;
}

za_status zd_source_next(zd_source *src, zd_example *ex, int *end, za_error *err)
{
    zd_example got = { 0 };
    int at_end = 0;
    za_status st = src->ops->next(src->state, &got, &at_end, err);
    if (st != ZA_OK)
        return st;
    if (at_end) {
        if (src->info.count && src->yielded != src->info.count)
            return za_error_set(err, ZA_ERR_MALFORMED,
                                "%s source ended after %llu of %llu examples",
                                src->info.format, (unsigned long long)src->yielded,
                                (unsigned long long)src->info.count);
        *end = 1;
        return ZA_OK;
    }
    if (src->info.count && src->yielded >= src->info.count)
        return za_error_set(err, ZA_ERR_MALFORMED, "%s source yields more than %llu examples",
                            src->info.format, (unsigned long long)src->info.count);
    if (got.label >= src->info.n_labels)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "%s example %llu: label %u outside 0..%u", src->info.format,
                            (unsigned long long)src->yielded, got.label,
                            src->info.n_labels ? src->info.n_labels - 1 : 0);
    got.index = src->yielded++;
    *ex = got;
    *end = 0;
    return ZA_OK;
}

void zd_source_close(zd_source *src)
{
    if (!src)
        return;
    if (src->ops && src->ops->close)
        src->ops->close(src->state);
    if (src->info.label_names) {
        for (uint32_t i = 0; i < src->info.n_labels; i++)
            free(src->info.label_names[i]);
        free(src->info.label_names);
    }
    free(src);
}
