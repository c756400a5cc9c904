/* protocol/stats_cost.c - the audit cost model (see stats_cost.h). */
#include "protocol/stats_cost.h"

#include <math.h>
#include <stdio.h>

static int bad(double v)
{
    return !(v >= 0) || !isfinite(v);
}

za_status zp_cost_project(const zp_cost_model *m, uint64_t n, zp_cost *out, za_error *err)
{
    if (bad(m->prover_cpu_s_per_sample))
        return za_error_set(err, ZA_ERR_ARG, "cost: prover CPU-seconds per sample %g is not >= 0",
                            m->prover_cpu_s_per_sample);
    if (bad(m->verify_s_per_sample))
        return za_error_set(err, ZA_ERR_ARG,
                            "cost: verification seconds per sample %g is not >= 0",
                            m->verify_s_per_sample);
    if (bad(m->price_per_cpu_hour))
        return za_error_set(err, ZA_ERR_ARG, "cost: price per CPU-hour %g is not >= 0",
                            m->price_per_cpu_hour);
    double dn = (double)n;
    out->samples = n;
    out->prover_cpu_hours = dn * m->prover_cpu_s_per_sample / 3600;
    out->verify_cpu_hours = dn * m->verify_s_per_sample / 3600;
    out->prover_usd = out->prover_cpu_hours * m->price_per_cpu_hour;
    out->verify_usd = out->verify_cpu_hours * m->price_per_cpu_hour;
    out->total_usd = out->prover_usd + out->verify_usd;
    snprintf(out->how, sizeof out->how,
             "%llu samples x (%.4g prover CPU-s + %.4g verify s) / 3600 = %.4g CPU-h "
             "x %.4g USD/CPU-h = %.4f USD",
             (unsigned long long)n, m->prover_cpu_s_per_sample, m->verify_s_per_sample,
             out->prover_cpu_hours + out->verify_cpu_hours, m->price_per_cpu_hour,
             out->total_usd);
    return ZA_OK;
}
