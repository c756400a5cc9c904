/* common/parallel.h - a parallel for-loop on pthreads.
 *
 * za_parallel_for splits [0, n) into at most `threads` contiguous ranges and
 * runs fn(ctx, begin, end) on each, the calling thread taking the first
 * range; it returns when all are done.  Threads are created per call (tens
 * of microseconds), so give it coarse work: a range should take at least a
 * millisecond.  threads <= 0 means za_default_threads().  fn must not fail;
 * ranges never overlap, so writes to disjoint outputs need no locking.
 */
#ifndef ZA_COMMON_PARALLEL_H
#define ZA_COMMON_PARALLEL_H

#include <stddef.h>

typedef void (*za_range_fn)(void *ctx, size_t begin, size_t end);

void za_parallel_for(size_t n, int threads, za_range_fn fn, void *ctx);

/* ZKAUDIT_THREADS if set (>= 1), else the number of online CPUs. */
int za_default_threads(void);

#endif
