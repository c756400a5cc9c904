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
 * thread only.  Transforms below 2^16 points run single-threaded whatever is
 * asked (starting a thread costs more than they do); the batch encoder gives
 * whole rows to threads.  Any function may be called concurrently from
 * several threads on disjoint arrays.
 *
 * Memory.  Nothing is allocated: the twiddle tables are static and owned by
 * this module (2 x 2 MiB plus 128 KiB, each built once on first use under
 * pthread_once, read-only afterwards, never freed; zk_ntt_init builds them
 * eagerly), and kernel scratch lives on the stack (at most 16 KiB).  So none
 * of these functions can fail; log_n > 32 (or a zero shift for
 * zk_coset_intt) is a programming error and aborts with a message.
 *
 * Algorithm (docs/ntt.md): cache-blocked bit-reversal permutation, then
 * iterative radix-2 Cooley-Tukey (decimation in time), vectorized across
 * contiguous butterflies.  Up to 2^18 points the stage twiddles come from
 * the static table; larger transforms are split four-step style (rows of
 * 2^16 points transformed in cache, twiddled, then the columns), so the
 * tables stay bounded for every size.
 */
#ifndef ZK_NTT_H
#define ZK_NTT_H

#include <stddef.h>

#include "zk/field.h"

#define ZK_NTT_MAX_LOG 32

void zk_ntt(zk_fp *v, unsigned log_n, int threads);
void zk_intt(zk_fp *v, unsigned log_n, int threads);

/* shift must be non-zero (zk_coset_intt divides by it); the usual choice is
 * ZK_FP_GENERATOR, which lies outside every subgroup of order 2^k, so the
 * coset is disjoint from the subgroup. */
void zk_coset_ntt(zk_fp *v, unsigned log_n, zk_fp shift, int threads);
void zk_coset_intt(zk_fp *v, unsigned log_n, zk_fp shift, int threads);

/* out has k << log_blowup entries; msg has k = 2^log_k. */
void zk_rs_encode(const zk_fp *msg, unsigned log_k, unsigned log_blowup, zk_fp *out,
                  int threads);
/* msg: rows x k, out: rows x (k << log_blowup), both row-major; row r of
 * out is zk_rs_encode of row r of msg.  rows may be 0 (then msg and out may
 * be NULL). */
void zk_rs_encode_batch(const zk_fp *msg, size_t rows, unsigned log_k, unsigned log_blowup,
                        zk_fp *out, int threads);

/* out[i] = a[i] * b[i] for i < n, the vectorized product the transforms use
 * (pointwise step of a polynomial product: ntt, multiply, intt).  out may
 * be a or b. */
void zk_ntt_pointwise_mul(zk_fp *out, const zk_fp *a, const zk_fp *b, size_t n);

/* Build the static twiddle tables now (otherwise the first transform does;
 * idempotent and thread-safe). */
void zk_ntt_init(void);

#endif
