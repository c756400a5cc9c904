/* protocol/stats_seq.c - confidence sequence by betting and Wald's SPRT
 * (see stats_seq.h). */
#include "protocol/stats_seq.h"

#include <math.h>
#include <stdlib.h>

#define CS_GRID_STEPS 1000u /* grid j/1000 when N is 0 or large */
#define CS_BET_CAP 0.5      /* c: bets stay below c/m and c/(1-m) */

struct zp_cs {
    double conf, thresh; /* 1/alpha */
    uint64_t N, n, correct;
    uint64_t rng;
    double sum_sq;   /* sum (x_i - mu_i)^2 for the variance estimate */
    size_t points;   /* grid size */
    int exact_grid;  /* grid = K/N, K = 0..N */
    double *kp, *km; /* K+ and K- per grid point */
    unsigned char *out; /* excluded (running intersection) */
    size_t jlo, jhi;    /* every point outside [jlo, jhi] is excluded */
};

static double grid_value(const zp_cs *cs, size_t j)
{
    return cs->exact_grid ? (double)j / (double)cs->N : (double)j / CS_GRID_STEPS;
}

za_status zp_cs_new(double conf, uint64_t N, uint64_t seed, zp_cs **out, za_error *err)
{
    if (!(conf > 0 && conf < 1))
        return za_error_set(err, ZA_ERR_ARG,
                            "confidence sequence: confidence %g is not strictly between 0 and 1",
                            conf);
    zp_cs *cs = calloc(1, sizeof *cs);
    if (!cs)
        return za_error_set(err, ZA_ERR_NOMEM, "confidence sequence: out of memory");
    cs->conf = conf;
    cs->thresh = 1 / (1 - conf);
    cs->N = N;
    cs->rng = seed;
    cs->exact_grid = N > 0 && N <= ZP_CS_EXACT_GRID_MAX;
    cs->points = cs->exact_grid ? (size_t)N + 1 : CS_GRID_STEPS + 1;
    cs->kp = malloc(cs->points * sizeof(double));
    cs->km = malloc(cs->points * sizeof(double));
    cs->out = calloc(cs->points, 1);
    if (!cs->kp || !cs->km || !cs->out) {
        zp_cs_free(cs);
        return za_error_set(err, ZA_ERR_NOMEM, "confidence sequence: out of memory");
    }
    for (size_t j = 0; j < cs->points; j++)
        cs->kp[j] = cs->km[j] = 1;
    cs->jlo = 0;
    cs->jhi = cs->points - 1;
    *out = cs;
    return ZA_OK;
}

void zp_cs_free(zp_cs *cs)
{
    if (!cs)
        return;
    free(cs->kp), free(cs->km), free(cs->out);
    free(cs);
}

uint64_t zp_cs_samples(const zp_cs *cs)
{
    return cs->n;
}

/* splitmix64, then a uniform double in [0, 1) */
static double next_uniform(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

/* the predictable plug-in bet for observation number t (1-based) */
static double plugin_bet(const zp_cs *cs, uint64_t t)
{
    double s2 = (0.25 + cs->sum_sq) / (double)t; /* sigma^2_{t-1}: t-1 terms + prior */
    double dt = (double)t;
    double l = sqrt(2 * log(2 / (1 - cs->conf)) / (s2 * dt * log(1 + dt)));
    return l < CS_BET_CAP ? l : CS_BET_CAP;
}

static void exclude_if_over(zp_cs *cs, size_t j)
{
    double k = 0.5 * (cs->kp[j] > cs->km[j] ? cs->kp[j] : cs->km[j]);
    if (k >= cs->thresh)
        cs->out[j] = 1;
}

/* with replacement: one closed-form factor per grid point */
static void update_iid(zp_cs *cs, double l, uint64_t k, uint64_t m)
{
    double dk = (double)k, d0 = (double)(m - k);
    for (size_t j = cs->jlo; j <= cs->jhi; j++) {
        if (cs->out[j])
            continue;
        double mu = grid_value(cs, j);
        double lp = mu > 0 && CS_BET_CAP / mu < l ? CS_BET_CAP / mu : l;
        double lm = mu < 1 && CS_BET_CAP / (1 - mu) < l ? CS_BET_CAP / (1 - mu) : l;
        cs->kp[j] *= pow(1 + lp * (1 - mu), dk) * pow(1 - lp * mu, d0);
        cs->km[j] *= pow(1 - lm * (1 - mu), dk) * pow(1 + lm * mu, d0);
        exclude_if_over(cs, j);
    }
}

/* without replacement: observation x after `seen` draws holding `sum` ones */
static void update_wor_one(zp_cs *cs, double l, int x, uint64_t seen, uint64_t sum)
{
    double left = (double)(cs->N - seen);
    for (size_t j = cs->jlo; j <= cs->jhi; j++) {
        if (cs->out[j])
            continue;
        /* the mean of the items not yet drawn, if the test set's mean is mu */
        double mu = ((double)cs->N * grid_value(cs, j) - (double)sum) / left;
        if (cs->exact_grid && (mu < -1e-12 || mu > 1 + 1e-12 || (x && mu <= 1e-12) ||
                               (!x && mu >= 1 - 1e-12))) {
            cs->out[j] = 1; /* impossible given what was drawn */
            continue;
        }
        /* a coarse grid point stands for the means next to it: clamped */
        mu = mu < 0 ? 0 : mu > 1 ? 1 : mu;
        double lp = mu > 0 && CS_BET_CAP / mu < l ? CS_BET_CAP / mu : l;
        double lm = mu < 1 && CS_BET_CAP / (1 - mu) < l ? CS_BET_CAP / (1 - mu) : l;
        cs->kp[j] *= 1 + lp * (x - mu);
        cs->km[j] *= 1 - lm * (x - mu);
        exclude_if_over(cs, j);
    }
}

za_status zp_cs_update(zp_cs *cs, uint64_t k, uint64_t m, za_error *err)
{
    if (k > m)
        return za_error_set(err, ZA_ERR_ARG,
                            "confidence sequence: %llu correct of a batch of %llu samples",
                            (unsigned long long)k, (unsigned long long)m);
    if (cs->N && m > cs->N - cs->n)
        return za_error_set(err, ZA_ERR_ARG,
                            "confidence sequence: %llu more samples after %llu exceed the test "
                            "set of N = %llu items (drawn without replacement)",
                            (unsigned long long)m, (unsigned long long)cs->n,
                            (unsigned long long)cs->N);
    if (m == 0)
        return ZA_OK;
    double l = plugin_bet(cs, cs->n + 1); /* fixed for the batch: predictable */
    if (!cs->N)
        update_iid(cs, l, k, m);
    /* the outcomes in a uniformly random order: they feed the variance
     * estimate, and the capital without replacement */
    uint64_t ones = k, left = m;
    for (uint64_t i = 0; i < m; i++, left--) {
        int x = next_uniform(&cs->rng) * (double)left < (double)ones;
        ones -= (uint64_t)x;
        if (cs->N)
            update_wor_one(cs, l, x, cs->n, cs->correct);
        double t = (double)cs->n + 1, mu = (0.5 + (double)cs->correct + x) / (t + 1);
        cs->sum_sq += (x - mu) * (x - mu);
        cs->n++;
        cs->correct += (uint64_t)x;
    }
    /* shrink the active range (left alone if everything is excluded) */
    size_t lo = cs->jlo, hi = cs->jhi;
    while (lo < hi && cs->out[lo])
        lo++;
    while (hi > lo && cs->out[hi])
        hi--;
    if (!cs->out[lo])
        cs->jlo = lo, cs->jhi = hi;
    return ZA_OK;
}

void zp_cs_interval(const zp_cs *cs, zp_interval *out)
{
    size_t first = cs->points, last = 0;
    for (size_t j = cs->jlo; j <= cs->jhi; j++) {
        if (!cs->out[j]) {
            if (first == cs->points)
                first = j;
            last = j;
        }
    }
    if (first == cs->points) { /* everything excluded (probability <= alpha) */
        double p = cs->n ? (double)cs->correct / (double)cs->n : 0.5;
        out->lo = out->hi = p;
        return;
    }
    if (!cs->exact_grid) { /* the true mean may lie between grid points */
        first = first > 0 ? first - 1 : 0;
        last = last + 1 < cs->points ? last + 1 : last;
    }
    out->lo = grid_value(cs, first);
    out->hi = grid_value(cs, last);
}

za_status zp_sprt_init(zp_sprt *s, double t0, double t, double a, double b, za_error *err)
{
    if (!(t0 > 0 && t0 < t && t < 1))
        return za_error_set(err, ZA_ERR_ARG,
                            "sprt: thresholds t0 = %g and t = %g must satisfy 0 < t0 < t < 1", t0,
                            t);
    if (!(a > 0 && b > 0 && a + b < 1))
        return za_error_set(err, ZA_ERR_ARG,
                            "sprt: error rates a = %g and b = %g must be > 0 with a + b < 1", a, b);
    s->t0 = t0, s->t = t, s->a = a, s->b = b;
    s->llr = 0;
    s->step1 = log(t / t0);
    s->step0 = log1p(-t) - log1p(-t0);
    s->upper = log((1 - b) / a);
    s->lower = log(b / (1 - a));
    s->n = s->correct = 0;
    s->decision = ZP_SPRT_CONTINUE;
    return ZA_OK;
}

za_status zp_sprt_update(zp_sprt *s, uint64_t k, uint64_t m, za_error *err)
{
    if (k > m)
        return za_error_set(err, ZA_ERR_ARG, "sprt: %llu correct of a batch of %llu samples",
                            (unsigned long long)k, (unsigned long long)m);
    if (s->decision != ZP_SPRT_CONTINUE)
        return ZA_OK;
    s->llr += (double)k * s->step1 + (double)(m - k) * s->step0;
    s->n += m;
    s->correct += k;
    if (s->llr >= s->upper)
        s->decision = ZP_SPRT_ACCEPT;
    else if (s->llr <= s->lower)
        s->decision = ZP_SPRT_REJECT;
    return ZA_OK;
}

const char *zp_sprt_decision_name(zp_sprt_decision d)
{
    switch (d) {
    case ZP_SPRT_CONTINUE: return "continue";
    case ZP_SPRT_ACCEPT: return "accept";
    case ZP_SPRT_REJECT: return "reject";
    }
    return "unknown";
}
