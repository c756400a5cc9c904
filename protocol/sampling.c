/* protocol/sampling.c - audit parameters, seeds and the index draw (see sampling.h). */
#include "protocol/sampling.h"

#include <math.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"

/* ---- audit parameters ---- */

static const char *stop_name(zp_stop_rule s)
{
    switch (s) {
    case ZP_STOP_FIXED: return "fixed";
    case ZP_STOP_CONFSEQ: return "confseq";
    case ZP_STOP_SPRT: return "sprt";
    }
    return NULL;
}

za_status zp_audit_params_check(const zp_audit_params *p, za_error *err)
{
    if (!(p->confidence > 0 && p->confidence < 1))
        return za_error_set(err, ZA_ERR_ARG, "audit parameters: confidence %g is not in (0, 1)",
                            p->confidence);
    if (!stop_name(p->stop))
        return za_error_set(err, ZA_ERR_ARG, "audit parameters: unknown stopping rule %d",
                            (int)p->stop);
    if (p->stop != ZP_STOP_SPRT && !(p->margin > 0 && p->margin < 0.5))
        return za_error_set(err, ZA_ERR_ARG, "audit parameters: margin %g is not in (0, 0.5)",
                            p->margin);
    if (p->max_samples < 1 || p->max_samples > ZP_MAX_SAMPLES)
        return za_error_set(err, ZA_ERR_ARG,
                            "audit parameters: max_samples %llu is not in 1..%llu",
                            (unsigned long long)p->max_samples,
                            (unsigned long long)ZP_MAX_SAMPLES);
    if (p->stop == ZP_STOP_SPRT &&
        !(p->threshold0 > 0 && p->threshold0 < p->threshold && p->threshold < 1))
        return za_error_set(err, ZA_ERR_ARG,
                            "audit parameters: SPRT thresholds need 0 < threshold0 (%g) < "
                            "threshold (%g) < 1", p->threshold0, p->threshold);
    return ZA_OK;
}

/* The shortest %.*g form that reads back as exactly x. */
static void shortest_double(double x, char *out, size_t len)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, len, "%.*g", prec, x);
        if (strtod(out, NULL) == x)
            return;
    }
}

za_status zp_audit_params_format(const zp_audit_params *p, char *out, size_t out_len,
                                 za_error *err)
{
    za_status st = zp_audit_params_check(p, err);
    if (st != ZA_OK)
        return st;
    char c[32], m[32], t[32], t0[32];
    shortest_double(p->confidence, c, sizeof c);
    shortest_double(p->margin, m, sizeof m);
    int n;
    if (p->stop == ZP_STOP_SPRT) {
        shortest_double(p->threshold, t, sizeof t);
        shortest_double(p->threshold0, t0, sizeof t0);
        n = snprintf(out, out_len,
                     "zkaudit-audit/v1;confidence=%s;margin=%s;max_samples=%llu;stop=sprt;"
                     "threshold=%s;threshold0=%s;invalid=wrong",
                     c, m, (unsigned long long)p->max_samples, t, t0);
    } else {
        n = snprintf(out, out_len,
                     "zkaudit-audit/v1;confidence=%s;margin=%s;max_samples=%llu;stop=%s;"
                     "invalid=wrong",
                     c, m, (unsigned long long)p->max_samples, stop_name(p->stop));
    }
    if (n < 0 || (size_t)n >= out_len)
        return za_error_set(err, ZA_ERR_LIMIT, "audit parameters: text longer than %zu bytes",
                            out_len);
    return ZA_OK;
}

/* Value of "key=" in a ';'-separated list, copied into v (NUL-terminated). */
static int field(const char *text, const char *key, char *v, size_t vlen)
{
    size_t kl = strlen(key);
    for (const char *s = text; s && *s; s = strchr(s, ';') ? strchr(s, ';') + 1 : NULL) {
        if (!strncmp(s, key, kl) && s[kl] == '=') {
            const char *b = s + kl + 1, *e = strchr(b, ';');
            size_t l = e ? (size_t)(e - b) : strlen(b);
            if (l >= vlen)
                return 0;
            memcpy(v, b, l);
            v[l] = 0;
            return 1;
        }
    }
    return 0;
}

static int parse_double(const char *s, double *x)
{
    char *end;
    if (!*s)
        return 0;
    *x = strtod(s, &end);
    return *end == 0 && isfinite(*x);
}

za_status zp_audit_params_parse(const char *text, zp_audit_params *p, za_error *err)
{
    char v[64], again[ZP_AUDIT_PARAMS_TEXT_MAX];
    zp_audit_params q = { 0 };
    if (strncmp(text, "zkaudit-audit/v1;", 17))
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "audit parameters: does not start with \"zkaudit-audit/v1;\"");
    if (!field(text, "confidence", v, sizeof v) || !parse_double(v, &q.confidence) ||
        !field(text, "margin", v, sizeof v) || !parse_double(v, &q.margin))
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "audit parameters: confidence or margin missing or not a number");
    char *end;
    if (!field(text, "max_samples", v, sizeof v) || !*v ||
        (q.max_samples = strtoull(v, &end, 10), *end))
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "audit parameters: max_samples missing or not a number");
    if (!field(text, "stop", v, sizeof v))
        return za_error_set(err, ZA_ERR_MALFORMED, "audit parameters: stop rule missing");
    if (!strcmp(v, "fixed"))
        q.stop = ZP_STOP_FIXED;
    else if (!strcmp(v, "confseq"))
        q.stop = ZP_STOP_CONFSEQ;
    else if (!strcmp(v, "sprt"))
        q.stop = ZP_STOP_SPRT;
    else
        return za_error_set(err, ZA_ERR_MALFORMED, "audit parameters: unknown stop rule '%s'", v);
    if (q.stop == ZP_STOP_SPRT &&
        (!field(text, "threshold", v, sizeof v) || !parse_double(v, &q.threshold) ||
         !field(text, "threshold0", v, sizeof v) || !parse_double(v, &q.threshold0)))
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "audit parameters: SPRT thresholds missing or not numbers");
    za_status st = zp_audit_params_format(&q, again, sizeof again, err);
    if (st != ZA_OK)
        return st;
    /* canonical form only: what both parties hash must be one string */
    if (strcmp(again, text))
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "audit parameters: not in canonical form (expected \"%s\")", again);
    *p = q;
    return ZA_OK;
}

za_status zp_audit_params_hash(const zp_audit_params *p, uint8_t out[32], za_error *err)
{
    char text[ZP_AUDIT_PARAMS_TEXT_MAX];
    za_status st = zp_audit_params_format(p, text, sizeof text, err);
    if (st == ZA_OK)
        za_sha256(text, strlen(text), out);
    return st;
}

/* ---- seeds ---- */

za_status zp_seed_random(uint8_t out[ZP_SEED_LEN], za_error *err)
{
    if (RAND_bytes(out, ZP_SEED_LEN) != 1)
        return za_error_set(err, ZA_ERR_IO, "OpenSSL RAND_bytes failed to give a seed");
    return ZA_OK;
}

static void tagged_init(za_sha256_ctx *c, const char *tag)
{
    za_sha256_init(c);
    za_sha256_update(c, tag, strlen(tag) + 1); /* the NUL ends the tag unambiguously */
}

void zp_seed_commitment(const uint8_t seed[ZP_SEED_LEN], uint8_t out[32])
{
    za_sha256_ctx c;
    tagged_init(&c, "zkaudit/seed-commitment/v1");
    za_sha256_update(&c, seed, ZP_SEED_LEN);
    za_sha256_final(&c, out);
}

int zp_seed_commitment_check(const uint8_t commitment[32], const uint8_t seed[ZP_SEED_LEN])
{
    uint8_t h[32];
    zp_seed_commitment(seed, h);
    return CRYPTO_memcmp(h, commitment, 32) == 0;
}

static void put_u64(uint8_t b[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

void zp_sample_seed(const zp_sample_transcript *t, uint8_t out[32])
{
    za_sha256_ctx c;
    uint8_t n[8], which = t->use_beacon ? 1 : 0;
    tagged_init(&c, "zkaudit/sample-seed/v1");
    za_sha256_update(&c, t->dataset_root, 32);
    put_u64(n, t->dataset_count);
    za_sha256_update(&c, n, 8);
    za_sha256_update(&c, t->model_id, 32);
    za_sha256_update(&c, t->params_hash, 32);
    za_sha256_update(&c, t->buyer_seed, ZP_SEED_LEN);
    za_sha256_update(&c, &which, 1);
    za_sha256_update(&c, t->use_beacon ? t->beacon_hash : t->seller_seed, 32);
    za_sha256_final(&c, out);
}

/* ---- the stream ---- */

void zp_stream_init(zp_stream *s, const uint8_t seed[32])
{
    memcpy(s->seed, seed, 32);
    s->counter = 0;
    s->used = 4;
}

uint64_t zp_stream_u64(zp_stream *s)
{
    if (s->used == 4) {
        za_sha256_ctx c;
        uint8_t ctr[8], h[32];
        tagged_init(&c, "zkaudit/sample-stream/v1");
        za_sha256_update(&c, s->seed, 32);
        put_u64(ctr, s->counter++);
        za_sha256_update(&c, ctr, 8);
        za_sha256_final(&c, h);
        for (int w = 0; w < 4; w++) {
            uint64_t v = 0;
            for (int i = 7; i >= 0; i--)
                v = v << 8 | h[8 * w + i];
            s->words[w] = v;
        }
        s->used = 0;
    }
    return s->words[s->used++];
}

uint64_t zp_stream_uniform(zp_stream *s, uint64_t m)
{
    /* 2^64 mod m values at the top would make the low residues more likely:
     * accept w only below 2^64 - (2^64 mod m), a multiple of m */
    uint64_t rem = (0 - m) % m;
    for (;;) {
        uint64_t w = zp_stream_u64(s);
        if (w <= UINT64_MAX - rem)
            return w % m;
    }
}

/* ---- partial Fisher-Yates over a sparse permutation ----
 * perm starts as the identity; only positions a swap touched are stored, in
 * an open-addressing table, so drawing n of N costs O(n) memory whatever N. */

typedef struct {
    uint64_t *keys, *vals;
    uint8_t *used;
    size_t mask;
} sparse_perm;

static size_t slot_of(const sparse_perm *p, uint64_t key)
{
    size_t h = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & p->mask;
    while (p->used[h] && p->keys[h] != key)
        h = (h + 1) & p->mask;
    return h;
}

static uint64_t perm_get(const sparse_perm *p, uint64_t pos)
{
    size_t h = slot_of(p, pos);
    return p->used[h] ? p->vals[h] : pos;
}

static void perm_set(sparse_perm *p, uint64_t pos, uint64_t val)
{
    size_t h = slot_of(p, pos);
    p->used[h] = 1;
    p->keys[h] = pos;
    p->vals[h] = val;
}

za_status zp_sample_indices(const uint8_t seed[32], uint64_t N, uint64_t n, uint64_t *out,
                            za_error *err)
{
    if (n > N)
        return za_error_set(err, ZA_ERR_ARG,
                            "sampling: %llu samples asked of a dataset of %llu examples",
                            (unsigned long long)n, (unsigned long long)N);
    if (n > ZP_MAX_SAMPLES)
        return za_error_set(err, ZA_ERR_LIMIT, "sampling: %llu samples, the limit is %llu",
                            (unsigned long long)n, (unsigned long long)ZP_MAX_SAMPLES);
    if (n == 0)
        return ZA_OK;
    /* each step sets one position: n entries, table at most half full */
    size_t cap = 16;
    while (cap < 2 * n)
        cap <<= 1;
    sparse_perm p = { malloc(cap * sizeof(uint64_t)), malloc(cap * sizeof(uint64_t)),
                      calloc(cap, 1), cap - 1 };
    if (!p.keys || !p.vals || !p.used) {
        free(p.keys), free(p.vals), free(p.used);
        return za_error_set(err, ZA_ERR_NOMEM, "sampling: out of memory for %llu samples",
                            (unsigned long long)n);
    }
    zp_stream s;
    zp_stream_init(&s, seed);
    for (uint64_t k = 0; k < n; k++) {
        uint64_t j = k + zp_stream_uniform(&s, N - k);
        uint64_t vk = perm_get(&p, k), vj = perm_get(&p, j);
        out[k] = vj;
        perm_set(&p, j, vk); /* position k is never read again */
    }
    free(p.keys), free(p.vals), free(p.used);
    return ZA_OK;
}

void zp_indices_hash(const uint64_t *idx, uint64_t n, uint8_t out[32])
{
    za_sha256_ctx c;
    uint8_t b[8];
    tagged_init(&c, "zkaudit/sample-indices/v1");
    put_u64(b, n);
    za_sha256_update(&c, b, 8);
    for (uint64_t i = 0; i < n; i++) {
        put_u64(b, idx[i]);
        za_sha256_update(&c, b, 8);
    }
    za_sha256_final(&c, out);
}
