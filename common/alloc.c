/* common/alloc.c - see alloc.h. */
#include "common/alloc.h"

#include <stdlib.h> /* defines __GLIBC__ */

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void za_alloc_tune_for_proving(void)
{
#if defined(__GLIBC__)
    /* blocks up to 1 GiB from the heap (larger ones, e.g. MobileNet's
     * biggest vectors, stay mmap'd); setting it also stops glibc's own
     * adaptation of the threshold */
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
#endif
}
