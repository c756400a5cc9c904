/* zk/blind.c - see blind.h. */
#include "zk/blind.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"
#include "zk/mle.h"

typedef struct {
    zk_fp2 c0;
    zk_fp2 val;     /* prover only */
    uint32_t start; /* terms[start .. start + n) */
    uint32_t n;
} form;

typedef struct {
    zk_fp2 a, b, c; /* prover: values */
    zk_hv x, y, z;
} product;

struct zk_blind {
    zk_transcript_tap tap; /* first: the transcript hands this pointer back */
    int prover;
    size_t n_pads, next_pad;
    zk_fp2 *pads; /* prover only */

    form *forms;
    size_t n_forms, cap_forms;
    uint32_t *term_pad;
    zk_fp2 *term_coef;
    size_t n_terms, cap_terms, cap_coef;

    zk_hv *zero; /* linear constraints: forms that must be 0 */
    size_t n_zero, cap_zero;
    zk_hv *ext;  /* external claims */
    size_t n_ext, cap_ext;
    product *prod;
    size_t n_prod, cap_prod;

    /* the tap: blinded round values of the current sumcheck */
    zk_fp2 *rec;
    size_t n_rec, cap_rec;
    size_t sc_base; /* first pad of the current sumcheck's rounds */
    zk_transcript_tap *saved_tap;

    int cheat, cheated;
    zk_fp2 cheat_delta;
    int cheat_prod, cheat_abc; /* tests: a false product; a C~ that fits the final check */
    zk_fp2 cheat_prod_delta;
    za_status status;
    char msg[160];
};

static const zk_fp2 ZERO2 = { 0, 0 }, ONE2 = { 1, 0 };

static void fail(zk_blind *b, za_status st, const char *m)
{
    if (!b->status) {
        b->status = st;
        snprintf(b->msg, sizeof b->msg, "%s", m);
    }
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np)
        return 0;
    *p = np, *cap = nc;
    return 1;
}

/* ------------------------------------------------------------------ pads */

za_status zk_blind_pads_make(size_t n_pads, const uint8_t *seed, zk_fp2 *pads, za_error *err)
{
    if (n_pads < ZK_BLIND_DUMMY_PADS + 1 || n_pads > ZK_BLIND_MAX_PADS)
        return za_error_set(err, ZA_ERR_ARG, "blind: %zu pads (need %d .. %zu)", n_pads,
                            ZK_BLIND_DUMMY_PADS + 1, ZK_BLIND_MAX_PADS);
    uint8_t block[32];
    uint64_t counter = 0;
    size_t got = 0, need = 2 * n_pads;
    zk_fp *flat = (zk_fp *)pads; /* zk_fp2 is two zk_fp, c0 then c1 */
    while (got < need) {
        if (seed) {
            static const char tag[] = "zkaudit/blind/test-pads/v1";
            za_sha256_ctx c;
            uint8_t ctr[8];
            for (int i = 0; i < 8; i++)
                ctr[i] = (uint8_t)(counter >> (8 * i));
            counter++;
            za_sha256_init(&c);
            za_sha256_update(&c, tag, sizeof tag - 1);
            za_sha256_update(&c, seed, 32);
            za_sha256_update(&c, ctr, 8);
            za_sha256_final(&c, block);
        } else if (RAND_bytes(block, sizeof block) != 1) {
            return za_error_set(err, ZA_ERR_IO, "blind: OpenSSL RAND_bytes failed");
        }
        for (int k = 0; k < 4 && got < need; k++) {
            uint64_t v = 0;
            for (int i = 0; i < 8; i++)
                v |= (uint64_t)block[8 * k + i] << (8 * i);
            if (v < ZK_P) /* rejection: uniform */
                flat[got++] = v;
        }
    }
    pads[2] = zk_fp2_mul(pads[0], pads[1]);
    pads[5] = zk_fp2_mul(pads[3], pads[4]);
    return ZA_OK;
}

/* ------------------------------------------------------------------ forms */

static zk_hv new_form(zk_blind *b, zk_fp2 c0, size_t n_terms)
{
    zk_hv h = { 0 };
    if (b->status)
        return h;
    if (b->n_forms >= UINT32_MAX || b->n_terms + n_terms >= UINT32_MAX ||
        !grow((void **)&b->forms, &b->cap_forms, b->n_forms + 1, sizeof(form)) ||
        !grow((void **)&b->term_pad, &b->cap_terms, b->n_terms + n_terms, sizeof(uint32_t)) ||
        !grow((void **)&b->term_coef, &b->cap_coef, b->n_terms + n_terms, sizeof(zk_fp2))) {
        fail(b, ZA_ERR_NOMEM, "blind: out of memory");
        return h;
    }
    form *f = &b->forms[b->n_forms];
    f->c0 = c0;
    f->val = c0;
    f->start = (uint32_t)b->n_terms;
    f->n = 0;
    h.id = (uint32_t)b->n_forms++;
    return h;
}

/* append coef * x's terms to the last form (which new_form sized) */
static void add_terms(zk_blind *b, zk_hv dst, zk_fp2 coef, zk_hv x)
{
    form *f = &b->forms[dst.id];
    const form *g = &b->forms[x.id];
    for (uint32_t i = 0; i < g->n; i++) {
        b->term_pad[b->n_terms] = b->term_pad[g->start + i];
        b->term_coef[b->n_terms] = zk_fp2_mul(coef, b->term_coef[g->start + i]);
        b->n_terms++;
    }
    f->n += g->n;
    f->c0 = zk_fp2_add(f->c0, zk_fp2_mul(coef, g->c0));
    f->val = zk_fp2_add(f->val, zk_fp2_mul(coef, g->val));
}

/* the form Dhat - D[pad] of a message (or D[pad] itself: sign +1) */
static zk_hv pad_form(zk_blind *b, zk_fp2 c0, size_t pad, int sign, zk_fp2 plain)
{
    zk_hv h = new_form(b, c0, 1);
    if (b->status)
        return h;
    form *f = &b->forms[h.id];
    b->term_pad[b->n_terms] = (uint32_t)pad;
    b->term_coef[b->n_terms] = sign > 0 ? ONE2 : zk_fp2_neg(ONE2);
    b->n_terms++;
    f->n = 1;
    f->val = plain;
    return h;
}

zk_blind *zk_blind_new(size_t n_pads, const zk_fp2 *pads)
{
    if (n_pads < ZK_BLIND_DUMMY_PADS + 1 || n_pads > ZK_BLIND_MAX_PADS)
        return NULL;
    zk_blind *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->prover = pads != NULL;
    b->n_pads = n_pads;
    if (pads) {
        b->pads = malloc(sizeof(zk_fp2) * n_pads);
        if (!b->pads) {
            free(b);
            return NULL;
        }
        memcpy(b->pads, pads, sizeof(zk_fp2) * n_pads);
    }
    /* forms 0..5: the dummy pads themselves (the product check's rows 0, 1) */
    for (size_t k = 0; k < ZK_BLIND_DUMMY_PADS; k++)
        (void)pad_form(b, ZERO2, k, +1, pads ? pads[k] : ZERO2);
    b->next_pad = ZK_BLIND_DUMMY_PADS;
    if (b->status) {
        zk_blind_free(b);
        return NULL;
    }
    return b;
}

void zk_blind_free(zk_blind *b)
{
    if (!b)
        return;
    if (b->pads)
        memset(b->pads, 0, sizeof(zk_fp2) * b->n_pads);
    free(b->pads);
    free(b->forms);
    free(b->term_pad);
    free(b->term_coef);
    free(b->zero);
    free(b->ext);
    free(b->prod);
    free(b->rec);
    free(b);
}

int zk_blind_is_prover(const zk_blind *b)
{
    return b->prover;
}

size_t zk_blind_pads_used(const zk_blind *b)
{
    return b->next_pad;
}

za_status zk_blind_status(const zk_blind *b, za_error *err)
{
    if (!b->status)
        return ZA_OK;
    return za_error_set(err, b->status, "%s", b->msg);
}

zk_hv zk_blind_public(zk_blind *b, zk_fp2 c)
{
    return new_form(b, c, 0);
}

zk_hv zk_blind_lin(zk_blind *b, zk_fp2 a, zk_hv x, zk_fp2 c, zk_hv y)
{
    if (b->status)
        return (zk_hv){ 0 };
    zk_hv h = new_form(b, ZERO2, (size_t)b->forms[x.id].n + b->forms[y.id].n);
    if (b->status)
        return h;
    add_terms(b, h, a, x);
    add_terms(b, h, c, y);
    return h;
}

zk_hv zk_blind_affine(zk_blind *b, zk_fp2 a, zk_hv x, zk_fp2 c)
{
    if (b->status)
        return (zk_hv){ 0 };
    zk_hv h = new_form(b, c, b->forms[x.id].n);
    if (b->status)
        return h;
    add_terms(b, h, a, x);
    return h;
}

zk_hv zk_blind_dot(zk_blind *b, const zk_fp2 *coef, const zk_hv *xs, unsigned n, zk_fp2 c0)
{
    if (b->status)
        return (zk_hv){ 0 };
    size_t nt = 0;
    for (unsigned i = 0; i < n; i++)
        nt += b->forms[xs[i].id].n;
    zk_hv h = new_form(b, c0, nt);
    if (b->status)
        return h;
    for (unsigned i = 0; i < n; i++)
        add_terms(b, h, coef[i], xs[i]);
    return h;
}

zk_fp2 zk_blind_value(const zk_blind *b, zk_hv x)
{
    return b->prover && x.id < b->n_forms ? b->forms[x.id].val : ZERO2;
}

static size_t take_pad(zk_blind *b)
{
    if (b->next_pad >= b->n_pads) {
        fail(b, ZA_ERR_LIMIT, "blind: the proof needs more pads than were committed");
        return 0;
    }
    return b->next_pad++;
}

/* the blinded value of plain v with pad k (and the test-only shift) */
static zk_fp2 blinded(zk_blind *b, zk_fp2 v, size_t k)
{
    zk_fp2 m = zk_fp2_add(v, b->pads[k]);
    if (b->cheat) {
        m = zk_fp2_add(m, b->cheat_delta);
        b->cheat = 0;
        b->cheated = 1;
    }
    return m;
}

za_status zk_blind_send(zk_blind *b, zk_fp2 v, const char *label, zk_transcript *t, zk_writer *w,
                        zk_reader *r, zk_hv *out, za_error *err)
{
    size_t k = take_pad(b);
    if (b->status)
        return zk_blind_status(b, err);
    zk_fp2 m;
    if (b->prover) {
        m = blinded(b, v, k);
        zk_write_fp2(w, m);
    } else {
        if (zk_read_fp2(r, "blinded value", &m))
            return zk_reader_status(r);
        v = ZERO2;
    }
    zk_transcript_absorb_fp2(t, label, &m, 1);
    *out = pad_form(b, m, k, -1, v);
    return zk_blind_status(b, err);
}

static void push_hv(zk_blind *b, zk_hv **arr, size_t *n, size_t *cap, zk_hv x)
{
    if (b->status)
        return;
    if (!grow((void **)arr, cap, *n + 1, sizeof(zk_hv))) {
        fail(b, ZA_ERR_NOMEM, "blind: out of memory");
        return;
    }
    (*arr)[(*n)++] = x;
}

za_status zk_blind_mul(zk_blind *b, zk_hv x, zk_hv y, zk_transcript *t, zk_writer *w,
                       zk_reader *r, zk_hv *out, za_error *err)
{
    if (b->status)
        return zk_blind_status(b, err);
    zk_fp2 v = zk_fp2_mul(b->forms[x.id].val, b->forms[y.id].val);
    if (b->prover && b->cheat_prod) {
        v = zk_fp2_add(v, b->cheat_prod_delta);
        b->cheat_prod = 0;
        b->cheated = 1;
    }
    za_status st = zk_blind_send(b, v, "blind/product", t, w, r, out, err);
    if (st)
        return st;
    if (!grow((void **)&b->prod, &b->cap_prod, b->n_prod + 1, sizeof(product))) {
        fail(b, ZA_ERR_NOMEM, "blind: out of memory");
        return zk_blind_status(b, err);
    }
    product *p = &b->prod[b->n_prod++];
    p->x = x, p->y = y, p->z = *out;
    return ZA_OK;
}

void zk_blind_assert_zero(zk_blind *b, zk_hv x)
{
    push_hv(b, &b->zero, &b->n_zero, &b->cap_zero, x);
}

void zk_blind_assert_eq(zk_blind *b, zk_hv x, zk_hv y)
{
    zk_blind_assert_zero(b, zk_blind_lin(b, ONE2, x, zk_fp2_neg(ONE2), y));
}

unsigned zk_blind_external(zk_blind *b, zk_hv x)
{
    push_hv(b, &b->ext, &b->n_ext, &b->cap_ext, x);
    return (unsigned)(b->n_ext - 1);
}

za_status zk_blind_combine(zk_blind *b, const zk_sumcheck_term *terms, unsigned n_terms,
                           const zk_hv *evals, zk_transcript *t, zk_writer *w, zk_reader *r,
                           zk_hv *out, za_error *err)
{
    zk_hv acc = zk_blind_public(b, ZERO2);
    for (unsigned i = 0; i < n_terms; i++) {
        const zk_sumcheck_term *tm = &terms[i];
        zk_hv p = evals[tm->factors[0]];
        for (unsigned k = 1; k < tm->n_factors; k++) {
            za_status st = zk_blind_mul(b, p, evals[tm->factors[k]], t, w, r, &p, err);
            if (st)
                return st;
        }
        acc = zk_blind_lin(b, ONE2, acc, tm->coeff, p);
    }
    *out = acc;
    return zk_blind_status(b, err);
}

/* ------------------------------------------------------------------ the tap */

static zk_tap_action tap_bytes(zk_transcript_tap *tap, const char *label, const void *data,
                               size_t len)
{
    (void)tap, (void)data, (void)len;
    /* the engines absorb (n, degree, claim) here; the claim is hidden, and
     * n and the degree are fixed by the statement both sides run */
    return strcmp(label, "sumcheck/start") == 0 ? ZK_TAP_SKIP : ZK_TAP_PASS;
}

static zk_tap_action tap_fp2(zk_transcript_tap *tap, const char *label, const zk_fp2 *v,
                             size_t n, const zk_fp2 **out, size_t *n_out)
{
    zk_blind *b = (zk_blind *)tap;
    if (strcmp(label, "sumcheck/round") != 0 || !b->prover)
        return ZK_TAP_PASS; /* the verifier's plain verifier absorbs blinded values already */
    if (!grow((void **)&b->rec, &b->cap_rec, b->n_rec + n, sizeof(zk_fp2))) {
        fail(b, ZA_ERR_NOMEM, "blind: out of memory");
        return ZK_TAP_PASS;
    }
    zk_fp2 *dst = b->rec + b->n_rec;
    for (size_t i = 0; i < n; i++) {
        size_t k = take_pad(b);
        dst[i] = b->status ? v[i] : blinded(b, v[i], k);
    }
    b->n_rec += n;
    *out = dst, *n_out = n;
    return ZK_TAP_REPLACE;
}

void zk_blind_tap_begin(zk_blind *b, zk_transcript *t)
{
    b->tap.bytes = tap_bytes;
    b->tap.fp2 = tap_fp2;
    b->saved_tap = t->tap;
    t->tap = &b->tap;
    if (b->prover) {
        b->n_rec = 0;
        b->sc_base = b->next_pad;
    }
}

void zk_blind_tap_end(zk_blind *b, zk_transcript *t)
{
    t->tap = b->saved_tap;
    b->saved_tap = NULL;
}

za_status zk_blind_sumcheck_read(zk_blind *b, unsigned n_vars, unsigned degree, zk_reader *r,
                                 zk_sumcheck_proof *proof, za_error *err)
{
    if (zk_sumcheck_proof_read(r, n_vars, degree, proof))
        return zk_reader_status(r);
    b->sc_base = b->next_pad;
    for (size_t i = 0; i < (size_t)n_vars * degree; i++)
        (void)take_pad(b);
    return zk_blind_status(b, err);
}

/* Lagrange weights of the points 0..d at x */
static void lagrange(unsigned d, zk_fp2 x, zk_fp2 *wt)
{
    zk_fp2 unit[ZK_SUMCHECK_MAX_DEGREE + 2];
    for (unsigned i = 0; i <= d; i++) {
        memset(unit, 0, sizeof unit);
        unit[i] = ONE2;
        wt[i] = zk_sumcheck_interpolate(unit, d, x);
    }
}

za_status zk_blind_sumcheck_finish(zk_blind *b, const zk_sumcheck_proof *proof, zk_hv claim,
                                   const zk_fp2 *point, zk_transcript *t, zk_writer *w,
                                   zk_reader *r, zk_hv *final_claim, za_error *err)
{
    unsigned n = proof->n_vars, d = proof->degree;
    if (b->status)
        return zk_blind_status(b, err);
    if (d < 1 || d > ZK_SUMCHECK_MAX_DEGREE)
        return za_error_set(err, ZA_ERR_ARG, "blind: sumcheck of degree %u", d);
    if (b->prover && b->n_rec != (size_t)n * d)
        return za_error_set(err, ZA_ERR_ARG, "blind: the tap saw %zu round values, expected %u",
                            b->n_rec, n * d);
    /* the blinded round values: recorded by the tap (prover) or read */
    const zk_fp2 *rounds = b->prover ? b->rec : proof->evals;
    if (b->prover)
        zk_write_fp2_array(w, rounds, (size_t)n * d);
    /* g_k(1), blinded, for every round (the prover derives them from the
     * running claim, as the plain verifier would) */
    zk_fp2 g1m[ZK_SUMCHECK_MAX_VARS], g1p[ZK_SUMCHECK_MAX_VARS];
    size_t g1pad = b->next_pad;
    if (b->prover) {
        zk_fp2 c = b->forms[claim.id].val;
        for (unsigned k = 0; k < n; k++) {
            const zk_fp2 *msg = proof->evals + (size_t)k * d;
            zk_fp2 full[ZK_SUMCHECK_MAX_DEGREE + 2];
            full[0] = msg[0];
            full[1] = zk_fp2_sub(c, msg[0]);
            for (unsigned i = 2; i <= d; i++)
                full[i] = msg[i - 1];
            g1p[k] = full[1];
            c = zk_sumcheck_interpolate(full, d, point[n - 1 - k]);
        }
    }
    for (unsigned k = 0; k < n; k++) {
        size_t pad = take_pad(b);
        if (b->status)
            return zk_blind_status(b, err);
        if (b->prover) {
            g1m[k] = blinded(b, g1p[k], pad);
            zk_write_fp2(w, g1m[k]);
        } else if (zk_read_fp2(r, "blinded round value", &g1m[k])) {
            return zk_reader_status(r);
        }
    }
    zk_transcript_absorb_fp2(t, "blind/g1", g1m, n);
    /* forms and constraints, the same on both sides */
    zk_hv c = claim;
    for (unsigned k = 0; k < n; k++) {
        zk_hv g[ZK_SUMCHECK_MAX_DEGREE + 2];
        const zk_fp2 *msg = rounds + (size_t)k * d;
        const zk_fp2 *plain = b->prover ? proof->evals + (size_t)k * d : NULL;
        size_t base = b->sc_base + (size_t)k * d;
        g[0] = pad_form(b, msg[0], base, -1, plain ? plain[0] : ZERO2);
        g[1] = pad_form(b, g1m[k], g1pad + k, -1, b->prover ? g1p[k] : ZERO2);
        for (unsigned i = 2; i <= d; i++)
            g[i] = pad_form(b, msg[i - 1], base + i - 1, -1, plain ? plain[i - 1] : ZERO2);
        /* g(0) + g(1) = the running claim */
        zk_hv s = zk_blind_lin(b, ONE2, g[0], ONE2, g[1]);
        zk_blind_assert_eq(b, s, c);
        zk_fp2 wt[ZK_SUMCHECK_MAX_DEGREE + 2];
        lagrange(d, point[n - 1 - k], wt);
        c = zk_blind_dot(b, wt, g, d + 1, ZERO2);
    }
    *final_claim = c;
    return zk_blind_status(b, err);
}

/* ------------------------------------------------------------------ the end */

za_status zk_blind_products(zk_blind *b, zk_transcript *t, int threads, zk_writer *w,
                            zk_reader *r, za_error *err)
{
    if (b->status)
        return zk_blind_status(b, err);
    size_t rows = b->n_prod + 2;
    unsigned m = 1;
    while (((size_t)1 << m) < rows)
        m++;
    if (m > ZK_SUMCHECK_MAX_VARS - 1)
        return za_error_set(err, ZA_ERR_LIMIT, "blind: %zu products", b->n_prod);
    size_t sz = (size_t)1 << m;
    zk_transcript_absorb_u64(t, "blind/products", b->n_prod);
    zk_fp2 tau[ZK_SUMCHECK_MAX_VARS], point[ZK_SUMCHECK_MAX_VARS];
    zk_transcript_challenge_fp2_vec(t, "blind/tau", tau, m);

    zk_fp2 *tab = NULL;
    zk_sumcheck_proof proof = { 0 };
    zk_fp2 abc[3];
    za_status st = ZA_OK;
    zk_sumcheck_term terms[2];
    terms[0] = zk_sumcheck_term_make(ONE2, 2, 0, 1, 0, 0);
    terms[1] = zk_sumcheck_term_make(zk_fp2_neg(ONE2), 1, 2, 0, 0, 0);
    zk_hv hclaim = zk_blind_public(b, ZERO2);
    if (b->prover) {
        tab = calloc(3 * sz, sizeof(zk_fp2));
        if (!tab)
            return za_error_set(err, ZA_ERR_NOMEM, "blind: out of memory");
        for (int k = 0; k < 2; k++)
            for (int c = 0; c < 3; c++)
                tab[c * sz + (size_t)k] = b->pads[3 * k + c];
        for (size_t j = 0; j < b->n_prod; j++) {
            tab[0 * sz + 2 + j] = b->forms[b->prod[j].x.id].val;
            tab[1 * sz + 2 + j] = b->forms[b->prod[j].y.id].val;
            tab[2 * sz + 2 + j] = b->forms[b->prod[j].z.id].val;
        }
        zk_mle_ref refs[3] = { zk_mle_ref_ext(tab), zk_mle_ref_ext(tab + sz),
                               zk_mle_ref_ext(tab + 2 * sz) };
        zk_sumcheck_instance inst = { m, 3, refs, 2, terms };
        zk_blind_tap_begin(b, t);
        st = zk_eqsum_prove(&inst, tau, ZERO2, t, threads, &proof, point, abc, err);
        zk_blind_tap_end(b, t);
    } else {
        zk_fp2 cc;
        st = zk_blind_sumcheck_read(b, m, 3, r, &proof, err);
        if (!st) {
            zk_blind_tap_begin(b, t);
            st = zk_eqsum_verify(m, 2, tau, ZERO2, &proof, t, point, &cc, err);
            zk_blind_tap_end(b, t);
        }
    }
    zk_hv fin;
    if (!st)
        st = zk_blind_sumcheck_finish(b, &proof, hclaim, point, t, w, r, &fin, err);
    free(tab);
    zk_sumcheck_proof_free(&proof);
    if (st)
        return st;
    zk_fp2 eqv = zk_eq_eval(tau, point, m);
    if (b->prover && b->cheat_abc) /* C~ chosen to pass the final check alone */
        abc[2] = zk_fp2_sub(zk_fp2_mul(abc[0], abc[1]),
                            zk_fp2_mul(b->forms[fin.id].val, zk_fp2_inv(eqv)));
    /* A~(r), B~(r), C~(r) in the clear */
    for (int c = 0; c < 3; c++) {
        if (b->prover)
            zk_write_fp2(w, abc[c]);
        else if (zk_read_fp2(r, "product check value", &abc[c]))
            return zk_reader_status(r);
    }
    zk_transcript_absorb_fp2(t, "blind/abc", abc, 3);
    /* the final check, linear now: fin = eq(tau, r) (A B - C) */
    zk_fp2 want = zk_fp2_mul(eqv, zk_fp2_sub(zk_fp2_mul(abc[0], abc[1]), abc[2]));
    zk_blind_assert_zero(b, zk_blind_affine(b, ONE2, fin, zk_fp2_neg(want)));
    /* and the definitions of A~(r), B~(r), C~(r) over the products' forms
     * (the sumcheck binds variable m-1 first: point[] is in variable order) */
    zk_fp2 *eq = malloc(sizeof(zk_fp2) * sz);
    zk_hv *xs = malloc(sizeof(zk_hv) * rows);
    if (!eq || !xs) {
        free(eq), free(xs);
        return za_error_set(err, ZA_ERR_NOMEM, "blind: out of memory");
    }
    zk_eq_table(point, m, eq);
    for (int c = 0; c < 3; c++) {
        for (size_t k = 0; k < 2; k++)
            xs[k] = (zk_hv){ (uint32_t)(3 * k + (size_t)c) };
        for (size_t j = 0; j < b->n_prod; j++)
            xs[2 + j] = c == 0 ? b->prod[j].x : c == 1 ? b->prod[j].y : b->prod[j].z;
        zk_hv v = zk_blind_dot(b, eq, xs, (unsigned)rows, zk_fp2_neg(abc[c]));
        zk_blind_assert_zero(b, v);
    }
    free(eq), free(xs);
    b->n_prod = 0; /* proven */
    return zk_blind_status(b, err);
}

za_status zk_blind_linear(zk_blind *b, zk_transcript *t, zk_blind_linear_stmt *out,
                          za_error *err)
{
    memset(out, 0, sizeof *out);
    if (b->status)
        return zk_blind_status(b, err);
    if (b->n_prod)
        return za_error_set(err, ZA_ERR_ARG, "blind: %zu products not yet proven", b->n_prod);
    zk_transcript_absorb_u64(t, "blind/constraints", b->n_zero);
    zk_transcript_absorb_u64(t, "blind/externals", b->n_ext);
    zk_fp2 lambda = zk_transcript_challenge_fp2(t, "blind/lambda");
    out->n_pads = b->next_pad;
    out->n_ext = (unsigned)b->n_ext;
    out->pad_kernel = calloc(out->n_pads ? out->n_pads : 1, sizeof(zk_fp2));
    out->ext_coef = calloc(b->n_ext ? b->n_ext : 1, sizeof(zk_fp2));
    if (!out->pad_kernel || !out->ext_coef) {
        zk_blind_linear_free(out);
        return za_error_set(err, ZA_ERR_NOMEM, "blind: out of memory");
    }
    /* sum_i lambda^i form_i + sum_j lambda^(L+j) (E_j - x_j) = 0, i.e.
     * sum_j mu_j E_j + <K, D> = -sum_i lambda^i c0_i + sum_j mu_j c0(x_j) */
    zk_fp2 pw = ONE2, value = ZERO2;
    for (size_t i = 0; i < b->n_zero; i++) {
        const form *f = &b->forms[b->zero[i].id];
        if (b->prover && !b->cheated && !zk_fp2_is_zero(f->val)) {
            zk_blind_linear_free(out);
            return za_error_set(err, ZA_ERR_MISMATCH, "blind: constraint %zu does not hold", i);
        }
        for (uint32_t k = 0; k < f->n; k++) {
            uint32_t p = b->term_pad[f->start + k];
            out->pad_kernel[p] = zk_fp2_add(out->pad_kernel[p], zk_fp2_mul(pw, b->term_coef[f->start + k]));
        }
        value = zk_fp2_sub(value, zk_fp2_mul(pw, f->c0));
        pw = zk_fp2_mul(pw, lambda);
    }
    for (size_t j = 0; j < b->n_ext; j++) {
        const form *f = &b->forms[b->ext[j].id];
        out->ext_coef[j] = pw;
        for (uint32_t k = 0; k < f->n; k++) {
            uint32_t p = b->term_pad[f->start + k];
            out->pad_kernel[p] = zk_fp2_sub(out->pad_kernel[p], zk_fp2_mul(pw, b->term_coef[f->start + k]));
        }
        value = zk_fp2_add(value, zk_fp2_mul(pw, f->c0));
        pw = zk_fp2_mul(pw, lambda);
    }
    out->value = value;
    return ZA_OK;
}

void zk_blind_linear_free(zk_blind_linear_stmt *s)
{
    free(s->pad_kernel);
    free(s->ext_coef);
    s->pad_kernel = NULL;
    s->ext_coef = NULL;
}

void zk_blind_cheat_product(zk_blind *b, zk_fp2 delta, int fit_final)
{
    b->cheat_prod = 1;
    b->cheat_prod_delta = delta;
    b->cheat_abc = fit_final;
    b->cheated = 1;
}

void zk_blind_cheat_next(zk_blind *b, zk_fp2 delta)
{
    b->cheat = 1;
    b->cheat_delta = delta;
}
