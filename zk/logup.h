/* zk/logup.h - the logUp lookup argument: every witness row is a row of a
 * fixed table.
 *
 * Statement.  A table of 2^m rows and c columns (1 <= c <= ZK_LOGUP_MAX_COLS;
 * T_k[j] for column k, or the range table T[j] = j when c = 1 and no values
 * are given) and a witness of 2^n rows with the same columns (a_k[i]): for
 * every i there is a j with a_k[i] = T_k[j] for all k.  Tuples are combined
 * with powers of a challenge beta: a[i] = sum_k beta^k a_k[i], likewise T[j].
 *
 * Protocol (Haboeck's logUp with committed inverses), all challenges in F_p2:
 *   1. the prover commits the multiplicities mu[j] = #{i : a[i] = T[j]}
 *      (zk/pcs.h); beta and alpha are drawn after that commitment (and after
 *      the caller has committed the witness);
 *   2. the prover commits h[i] = 1/(alpha - a[i]) and g[j] = mu[j]/(alpha - T[j])
 *      (extension vectors, committed as [real half || X half]) and sends
 *      S = sum h;
 *   3. zero-checks h*(alpha - a) - 1 = 0 on 2^n rows and g*(alpha - T) - mu = 0
 *      on 2^m rows (zk/sumcheck.h), and sum h = sum g = S, read off as
 *      h~(1/2,..,1/2) = S / 2^n and g~(1/2,..) = S / 2^m;
 *   4. every claim on h (resp. g) is reduced to one point by zk_batch_eval
 *      and opened once; mu is opened at the table zero-check's point; the
 *      table columns are evaluated by the verifier itself.
 * The witness columns' values at the witness zero-check's point are NOT
 * checked here: they are returned (zk_logup_claims) and the caller must
 * prove them against its own commitment of the witness.  That is what makes
 * the lookup compose with the rest of a proof.
 *
 * Soundness: if some witness row is outside the table, sum 1/(alpha - a[i]) -
 * sum mu[j]/(alpha - T[j]) is a non-zero rational function of degree <=
 * 2^n + 2^m, so it vanishes at a random alpha with probability at most
 * (2^n + 2^m)/|F_p2|; tuple combination adds c/|F_p2|; then the zero-check,
 * batch and commitment errors (docs/proof-system.md).
 */
#ifndef ZK_LOGUP_H
#define ZK_LOGUP_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "zk/encode.h"
#include "zk/field.h"
#include "zk/transcript.h"

#define ZK_LOGUP_MAX_COLS 4

typedef struct {
    unsigned log_rows;               /* m: 2^m rows */
    unsigned n_cols;                 /* c */
    const zk_fp *cols[ZK_LOGUP_MAX_COLS]; /* NULL for the range table (c = 1) */
} zk_lookup_table;

/* The range table [0, 2^bits). */
zk_lookup_table zk_lookup_range(unsigned bits);

/* What the caller must still prove about its witness: column k's MLE at
 * point (n coordinates) equals values[k]. */
typedef struct {
    unsigned n_vars;
    zk_fp2 point[64];
    zk_fp2 values[ZK_LOGUP_MAX_COLS];
} zk_logup_claims;

/* Prove that the witness rows (cols[k][i], 2^n_vars rows) are all table
 * rows.  Fails with ZA_ERR_ARG (naming the first such row) if one is not:
 * an honest prover never produces a proof of a false statement. */
za_status zk_logup_prove(const zk_fp *const *witness_cols, unsigned n_vars,
                         const zk_lookup_table *table, zk_transcript *t, int threads,
                         zk_writer *w, zk_logup_claims *out, za_error *err) ZA_WARN_UNUSED;

za_status zk_logup_verify(unsigned n_vars, const zk_lookup_table *table, zk_transcript *t,
                          zk_reader *r, zk_logup_claims *out, za_error *err) ZA_WARN_UNUSED;

/* TEST ONLY (soundness suites): prove with the multiplicities the caller
 * gives (2^m values) instead of the true ones, and without checking that the
 * witness is in the table - a cheating prover. */
za_status zk_logup_prove_with_multiplicities(const zk_fp *const *witness_cols, unsigned n_vars,
                                             const zk_lookup_table *table, const zk_fp *mu,
                                             zk_transcript *t, int threads, zk_writer *w,
                                             zk_logup_claims *out, za_error *err) ZA_WARN_UNUSED;


/* An index of a table's rows (for provers that count multiplicities in
 * pieces): zk_lookup_index_count ADDS the multiplicities of n_rows rows
 * (given by column) to mu and counts the rows not in the table in
 * *missing.  The table must outlive the index.  Columns must be given
 * explicitly (not the implicit range table). */
typedef struct zk_lookup_index zk_lookup_index;
za_status zk_lookup_index_new(const zk_lookup_table *T, zk_lookup_index **out,
                              za_error *err) ZA_WARN_UNUSED;
void zk_lookup_index_count(const zk_lookup_index *ix, const zk_fp *const *cols, size_t n_rows,
                           zk_fp *mu, size_t *missing);
void zk_lookup_index_free(zk_lookup_index *ix);

#endif
