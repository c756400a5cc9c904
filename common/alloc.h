/* common/alloc.h - the allocator policy of the proving tools.
 *
 * A proof allocates and frees many buffers of megabytes to hundreds of
 * megabytes (witness vectors, Reed-Solomon rows, GKR layers, sumcheck
 * tables).  glibc serves every block above its mmap threshold (at most
 * 32 MiB, adapted at run time) with a fresh mmap and unmaps it on free, so
 * the next buffer of that size page-faults and zeroes all its pages again:
 * about 15 % of person_detect's proving time.  za_alloc_tune_for_proving
 * raises the threshold so that such blocks come from the heap and freed
 * memory is reused.  It changes only where memory comes from, never what is
 * computed.  Call it once, early in main, in a program that proves (it is
 * process-wide; a no-op outside glibc).
 */
#ifndef ZA_COMMON_ALLOC_H
#define ZA_COMMON_ALLOC_H

void za_alloc_tune_for_proving(void);

#endif
