/* protocol/stats_cost.h - what an audit of n samples costs.
 *
 *   prover CPU-hours   = n * prover CPU-seconds per sample / 3600
 *   verifier CPU-hours = n * verification seconds per sample / 3600
 *   cost (USD)         = (prover + verifier CPU-hours) * price per CPU-hour
 *
 * The seconds are measured (`prove_cpu_per_sample_s` and `verify_s` in
 * bench/results/prove.json, or the proof bundle's own measurement) and
 * passed in.  ZP_COST_DEFAULT_PRICE is an assumption, not a quote: about
 * what one vCPU of a compute-optimised on-demand cloud instance costs per
 * hour; pass the buyer's real price.  Plain values, nothing allocated.
 */
#ifndef ZP_STATS_COST_H
#define ZP_STATS_COST_H

#include <stdint.h>

#include "common/error.h"

#define ZP_COST_DEFAULT_PRICE 0.05 /* USD per vCPU-hour (assumption) */

typedef struct {
    double prover_cpu_s_per_sample; /* >= 0 */
    double verify_s_per_sample;     /* >= 0 */
    double price_per_cpu_hour;      /* USD, >= 0 */
} zp_cost_model;

typedef struct {
    uint64_t samples;
    double prover_cpu_hours, verify_cpu_hours;
    double prover_usd, verify_usd, total_usd;
    char how[384]; /* "how computed", one line with every input */
} zp_cost;

/* Project the cost of n samples; ZA_ERR_ARG for negative or non-finite
 * inputs. */
za_status zp_cost_project(const zp_cost_model *m, uint64_t n, zp_cost *out,
                          za_error *err) ZA_WARN_UNUSED;

#endif
