/* zk/ntt.h - number-theoretic transforms over the Goldilocks field and
 * Reed-Solomon encoding.
 *
 * Conventions.  n = 2^log_n, w = zk_fp_root_of_unity(log_n).  Every
 * transform works in place on canonical elements, natural order in and out:
 *   zk_ntt:        v[i] <- sum_j v[j] w^(i*j)                (evaluation)
 *   zk_intt:       the inverse, 1/n factor included          (interpolation)
 *   zk_coset_ntt:  v[i] <- sum_j v[j] (shift*w^i)^j          (on shift*<w>)
 *   zk_coset_intt: the inverse of zk_coset_ntt
 * log_n may be 0..32 (n must fit in memory; 0 means a single element,
 * left unchanged).  Results are bit-for-bit independent of `threads`.
 *
 * Reed-Solomon.  zk_rs_encode writes the codeword of the polynomial of
 * degree < k = 2^log_k whose coefficients are msg[0..k):
 *   out[i] = sum_j msg[j] w_n^(i*j),  n = k << log_blowup, i in [0, n),
 * i.e. its evaluations on the whole subgroup of order n, natural order
 * (out[i] is the value at w_n^i), so out[i << log_blowup] = the message's
 * size-k NTT.  zk_rs_encode_batch encodes `rows` messages stored row-major
 * (rows x k in, rows x n out), spreading the rows over threads.
 * log_k + log_blowup <= 32; msg and out must not overlap.
 *
 * Threads.  threads <= 0 means za_default_threads(), 1 runs on the calling
 * thread only.  Small transforms run single-threaded whatever is asked
 * (creating a thread costs more than they do).  The functions may be called
 * concurrently from several threads on disjoint arrays.
 *
 * Memory.  Nothing is allocated: twiddle tables are static (about 1 MiB,
 * built once, on first use, under pthread_once, then read-only and shared
 * by all threads; zk_ntt_init builds them eagerly), and the scratch space
 * of the kernels lives on the stack (a few KiB).  So none of these functions
 * can fail; arguments out of range (log_n > 32) abort with a message, as a
 * programming error.
 *
 * Algorithm (docs/ntt.md): bit-reversal permutation (cache-blocked) then
 * iterative radix-2 Cooley-Tukey (decimation in time).  Transforms of up to
 * 2^16 points run directly on the static table; larger ones are split
 * four-step style (rows of the bit-reversed array transformed in cache,
 * twiddled, then the columns transformed with the butterflies vectorized
 * across columns), which needs only tables of 2^16 entries.
 */
#ifndef ZK_NTT_H
#define ZK_NTT_H

#include <stddef.h>

#include "zk/field.h"

#define ZK_NTT_MAX_LOG 32

void zk_ntt(zk_fp *v, unsigned log_n, int threads);
void zk_intt(zk_fp *v, unsigned log_n, int threads);

/* shift must be non-zero (zk_coset_intt divides by it); the usual choice is
 * ZK_FP_GENERATOR, which lies outside every subgroup of order 2^k. */
void zk_coset_ntt(zk_fp *v, unsigned log_n, zk_fp shift, int threads);
void zk_coset_intt(zk_fp *v, unsigned log_n, zk_fp shift, int threads);

/* out has k << log_blowup entries; msg has k = 2^log_k. */
void zk_rs_encode(const zk_fp *msg, unsigned log_k, unsigned log_blowup, zk_fp *out,
                  int threads);
/* msg: rows x k, out: rows x (k << log_blowup), both row-major. */
void zk_rs_encode_batch(const zk_fp *msg, size_t rows, unsigned log_k, unsigned log_blowup,
                        zk_fp *out, int threads);

/* Build the static twiddle tables now (otherwise the first transform does;
 * idempotent and thread-safe). */
void zk_ntt_init(void);

#endif
