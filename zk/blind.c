/* zk/blind.c - see blind.h. */
#include "zk/blind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zk/mle.h"
#include "zk/rand.h"

/* zk/rand.h streams of a seed: the pads and the mask vector */
#define ZK_BLIND_PAD_STREAM 1
#define ZK_BLIND_MASK_STREAM 2

typedef struct {
    zk_fp2 c0;
    zk_fp2 val;     /* prover only */
    uint32_t start; /* terms[start .. start + n) */
    uint32_t n;
} form;

typedef struct {
    zk_hv x, y, z;
    uint32_t pad; /* z = V[j] - D[pad]: V[j] the blinded product and pad, both
                     assigned when the products are sent */
} product;

/* a message the engine sent through the tap (prover) */
typedef struct {
    const char *label;
    zk_fp2 blinded, plain;
    uint32_t pad;
} tap_msg;

typedef struct {
    const char *label;
    zk_fp2 value;
} tap_chal;

/* terms over V (the blinded products, known once sent) carry this bit */
#define VIRT 0x80000000u

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

    size_t n_prod_proven;
    zk_fp2 *virt; /* V: the blinded products, once sent */
    size_t n_virt, cap_virt;

    /* the engine being replayed */
    zk_transcript *t;
    zk_writer *w;
    zk_reader *r;
    zk_transcript_tap *saved_tap;
    /* prover: what the tap recorded, consumed by the replay */
    tap_msg *msgs;
    size_t n_msgs, cap_msgs, msg_cur;
    tap_chal *chals;
    size_t n_chals, cap_chals, chal_cur;
    zk_fp2 *outbuf; /* the tap's replacement values */
    size_t cap_out;
    /* prover: the running sumcheck (its claim and last round) */
    zk_fp2 sc_claim, sc_full[ZK_SUMCHECK_MAX_DEGREE + 2];
    unsigned sc_d;
    int sc_open;

    int cheat, cheated;
    unsigned cheat_skip; /* blinded values to pass before the shifted one */
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
    uint8_t fresh[ZK_RAND_SEED_LEN];
    if (!seed) {
        za_status st = zk_rand_seed(fresh, err);
        if (st)
            return st;
        seed = fresh;
    }
    /* zk_fp2 is two zk_fp, c0 then c1 */
    zk_rand_fp(seed, ZK_BLIND_PAD_STREAM, (zk_fp *)pads, 2 * n_pads);
    memset(fresh, 0, sizeof fresh);
    pads[2] = zk_fp2_mul(pads[0], pads[1]);
    pads[5] = zk_fp2_mul(pads[3], pads[4]);
    return ZA_OK;
}

za_status zk_blind_random_fp(size_t n, zk_fp *out, za_error *err)
{
    uint8_t seed[ZK_RAND_SEED_LEN];
    za_status st = zk_rand_seed(seed, err);
    if (st)
        return st;
    zk_rand_fp(seed, ZK_BLIND_MASK_STREAM, out, n);
    memset(seed, 0, sizeof seed);
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
    free(b->virt);
    free(b->msgs);
    free(b->chals);
    free(b->outbuf);
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
    if (b->cheat && b->cheat_skip) {
        b->cheat_skip--;
    } else if (b->cheat) {
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

zk_hv zk_blind_mul(zk_blind *b, zk_hv x, zk_hv y)
{
    zk_hv z = { 0 };
    if (b->status)
        return z;
    zk_fp2 v = zk_fp2_mul(b->forms[x.id].val, b->forms[y.id].val);
    if (b->prover && b->cheat_prod) {
        v = zk_fp2_add(v, b->cheat_prod_delta);
        b->cheat_prod = 0;
        b->cheated = 1;
    }
    if (b->n_prod >= VIRT || !grow((void **)&b->prod, &b->cap_prod, b->n_prod + 1, sizeof(product))) {
        fail(b, ZA_ERR_NOMEM, "blind: out of memory");
        return z;
    }
    /* z = V[j] - D[k]: one virtual term, k assigned when the products are
     * sent (both sides then take the pads in the same order) */
    z = new_form(b, ZERO2, 1);
    if (b->status)
        return z;
    form *f = &b->forms[z.id];
    b->term_pad[b->n_terms] = VIRT | (uint32_t)b->n_prod;
    b->term_coef[b->n_terms++] = ONE2;
    f->n = 1;
    f->val = v;
    product *p = &b->prod[b->n_prod++];
    p->x = x, p->y = y, p->z = z, p->pad = 0;
    return z;
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

zk_hv zk_blind_combine(zk_blind *b, const zk_sumcheck_term *terms, unsigned n_terms,
                       const zk_hv *evals)
{
    zk_hv acc = zk_blind_public(b, ZERO2);
    for (unsigned i = 0; i < n_terms; i++) {
        const zk_sumcheck_term *tm = &terms[i];
        zk_hv p = evals[tm->factors[0]];
        for (unsigned k = 1; k < tm->n_factors; k++)
            p = zk_blind_mul(b, p, evals[tm->factors[k]]);
        acc = zk_blind_lin(b, ONE2, acc, tm->coeff, p);
    }
    return acc;
}

/* ------------------------------------------------------------------ the tap */

static int is_message_label(const char *label)
{
    return strcmp(label, "fracsum/root") == 0 || strcmp(label, "fracsum/children") == 0;
}

static zk_tap_action tap_bytes(zk_transcript_tap *tap, const char *label, const void *data,
                               size_t len)
{
    zk_blind *b = (zk_blind *)tap;
    if (strcmp(label, "sumcheck/start") != 0)
        return ZK_TAP_PASS;
    /* (n, degree, claim): the claim is hidden, and n and the degree are
     * fixed by the statement both sides replay; keep the claim to derive
     * every round's g(1) */
    zk_fp2 c;
    if (len != 32 || !zk_fp2_from_bytes((const uint8_t *)data + 16, &c))
        fail(b, ZA_ERR_ARG, "blind: an engine's sumcheck start this tap cannot read");
    else
        b->sc_claim = c, b->sc_open = 1;
    return ZK_TAP_SKIP;
}

/* blind n plain values, write and record them; the blinded values */
static const zk_fp2 *tap_emit(zk_blind *b, const char *label, const zk_fp2 *v, size_t n)
{
    if (!grow((void **)&b->outbuf, &b->cap_out, n, sizeof(zk_fp2)) ||
        !grow((void **)&b->msgs, &b->cap_msgs, b->n_msgs + n, sizeof(tap_msg))) {
        fail(b, ZA_ERR_NOMEM, "blind: out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = take_pad(b);
        zk_fp2 m = b->status ? ZERO2 : blinded(b, v[i], k);
        b->outbuf[i] = m;
        zk_write_fp2(b->w, m);
        tap_msg *e = &b->msgs[b->n_msgs++];
        e->label = label, e->blinded = m, e->plain = v[i], e->pad = (uint32_t)k;
    }
    return b->outbuf;
}

static zk_tap_action tap_fp2(zk_transcript_tap *tap, const char *label, const zk_fp2 *v,
                             size_t n, const zk_fp2 **out, size_t *n_out)
{
    zk_blind *b = (zk_blind *)tap;
    const zk_fp2 *o = NULL;
    if (strcmp(label, "sumcheck/round") == 0) {
        if (!b->sc_open || n < 1 || n > ZK_SUMCHECK_MAX_DEGREE) {
            fail(b, ZA_ERR_ARG, "blind: a sumcheck round this tap cannot follow");
            return ZK_TAP_SKIP;
        }
        zk_fp2 full[ZK_SUMCHECK_MAX_DEGREE + 2];
        full[0] = v[0];
        full[1] = zk_fp2_sub(b->sc_claim, v[0]);
        for (size_t i = 2; i <= n; i++)
            full[i] = v[i - 1];
        memcpy(b->sc_full, full, sizeof(zk_fp2) * (n + 1));
        b->sc_d = (unsigned)n;
        o = tap_emit(b, "sumcheck/round", full, n + 1);
        n += 1;
    } else if (is_message_label(label)) {
        o = tap_emit(b, label, v, n);
    } else {
        return ZK_TAP_PASS;
    }
    if (!o)
        return ZK_TAP_SKIP;
    *out = o, *n_out = n;
    return ZK_TAP_REPLACE;
}

static void tap_challenge(zk_transcript_tap *tap, const char *label, zk_fp2 value)
{
    zk_blind *b = (zk_blind *)tap;
    if (!grow((void **)&b->chals, &b->cap_chals, b->n_chals + 1, sizeof(tap_chal))) {
        fail(b, ZA_ERR_NOMEM, "blind: out of memory");
        return;
    }
    b->chals[b->n_chals].label = label;
    b->chals[b->n_chals++].value = value;
    if (strcmp(label, "sumcheck/r") == 0 && b->sc_open)
        b->sc_claim = zk_sumcheck_interpolate(b->sc_full, b->sc_d, value);
}

void zk_blind_engine_begin(zk_blind *b, zk_transcript *t, zk_writer *w, zk_reader *r)
{
    b->t = t, b->w = w, b->r = r;
    if (!b->prover)
        return;
    b->n_msgs = b->msg_cur = 0;
    b->n_chals = b->chal_cur = 0;
    b->sc_open = 0;
    b->tap.bytes = tap_bytes;
    b->tap.fp2 = tap_fp2;
    b->tap.challenge = tap_challenge;
    b->saved_tap = t->tap;
    t->tap = &b->tap;
}

void zk_blind_engine_end(zk_blind *b, zk_transcript *t)
{
    if (b->prover)
        t->tap = b->saved_tap;
    b->saved_tap = NULL;
}

/* ---- the replays' sources: the tap's record (prover) or the proof (verifier) */

static za_status out_of_step(zk_blind *b, const char *what, za_error *err)
{
    fail(b, ZA_ERR_ARG, "blind: replay out of step with the engine");
    return za_error_set(err, ZA_ERR_ARG, "blind: replay out of step with the engine at %s", what);
}

static za_status src_msgs(zk_blind *b, const char *label, unsigned n, zk_hv *out, za_error *err)
{
    if (b->status)
        return zk_blind_status(b, err);
    if (b->prover) {
        for (unsigned i = 0; i < n; i++) {
            if (b->msg_cur >= b->n_msgs || strcmp(b->msgs[b->msg_cur].label, label) != 0)
                return out_of_step(b, label, err);
            const tap_msg *e = &b->msgs[b->msg_cur++];
            out[i] = pad_form(b, e->blinded, e->pad, -1, e->plain);
        }
        return zk_blind_status(b, err);
    }
    zk_fp2 v[ZK_SUMCHECK_MAX_DEGREE + 2];
    if (n > ZK_SUMCHECK_MAX_DEGREE + 1)
        return za_error_set(err, ZA_ERR_ARG, "blind: %u values in one message", n);
    if (zk_read_fp2_array(b->r, label, v, n))
        return zk_reader_status(b->r);
    zk_transcript_absorb_fp2(b->t, label, v, n);
    for (unsigned i = 0; i < n; i++) {
        size_t k = take_pad(b);
        out[i] = pad_form(b, v[i], k, -1, ZERO2);
    }
    return zk_blind_status(b, err);
}

static za_status src_chal(zk_blind *b, const char *label, zk_fp2 *c, za_error *err)
{
    if (!b->prover) {
        *c = zk_transcript_challenge_fp2(b->t, label);
        return ZA_OK;
    }
    if (b->chal_cur >= b->n_chals || strcmp(b->chals[b->chal_cur].label, label) != 0)
        return out_of_step(b, label, err);
    *c = b->chals[b->chal_cur++].value;
    return ZA_OK;
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

za_status zk_blind_sumcheck(zk_blind *b, unsigned n_vars, unsigned degree, zk_hv claim,
                            zk_fp2 *point, zk_hv *final_claim, za_error *err)
{
    if (degree < 1 || degree > ZK_SUMCHECK_MAX_DEGREE || n_vars > ZK_SUMCHECK_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG, "blind: sumcheck of %u variables, degree %u",
                            n_vars, degree);
    zk_hv c = claim;
    for (unsigned k = 0; k < n_vars; k++) {
        zk_hv g[ZK_SUMCHECK_MAX_DEGREE + 2];
        za_status st = src_msgs(b, "sumcheck/round", degree + 1, g, err);
        zk_fp2 r;
        if (!st)
            st = src_chal(b, "sumcheck/r", &r, err);
        if (st)
            return st;
        /* g(0) + g(1) = the running claim */
        zk_blind_assert_eq(b, zk_blind_lin(b, ONE2, g[0], ONE2, g[1]), c);
        zk_fp2 wt[ZK_SUMCHECK_MAX_DEGREE + 2];
        lagrange(degree, r, wt);
        c = zk_blind_dot(b, wt, g, degree + 1, ZERO2);
        point[n_vars - 1 - k] = r;
    }
    *final_claim = c;
    return zk_blind_status(b, err);
}

za_status zk_blind_eqsum(zk_blind *b, unsigned n_vars, unsigned degree_c, const zk_fp2 *tau,
                         zk_hv claim, zk_fp2 *point, zk_hv *c_claim, za_error *err)
{
    zk_hv fin = { 0 };
    za_status st = zk_blind_sumcheck(b, n_vars, degree_c + 1, claim, point, &fin, err);
    if (st)
        return st;
    zk_fp2 eqv = zk_eq_eval(tau, point, n_vars);
    if (zk_fp2_is_zero(eqv))
        return za_error_set(err, ZA_ERR_MISMATCH, "blind: degenerate point, eq(tau, r) = 0");
    *c_claim = zk_blind_affine(b, zk_fp2_inv(eqv), fin, ZERO2);
    return zk_blind_status(b, err);
}

za_status zk_blind_zerocheck(zk_blind *b, unsigned n_vars, unsigned degree_c, zk_fp2 *point,
                             zk_hv *c_claim, za_error *err)
{
    if (n_vars > ZK_SUMCHECK_MAX_VARS)
        return za_error_set(err, ZA_ERR_ARG, "blind: zero-check of %u variables", n_vars);
    if (!b->prover) { /* zk/sumcheck.c's "zerocheck/start": n and the degree, u64 LE */
        uint8_t buf[16];
        for (int i = 0; i < 8; i++) {
            buf[i] = (uint8_t)((uint64_t)n_vars >> (8 * i));
            buf[8 + i] = (uint8_t)((uint64_t)degree_c >> (8 * i));
        }
        zk_transcript_absorb(b->t, "zerocheck/start", buf, sizeof buf);
    }
    zk_fp2 tau[ZK_SUMCHECK_MAX_VARS];
    for (unsigned i = 0; i < n_vars; i++) {
        za_status st = src_chal(b, "zerocheck/tau", &tau[i], err);
        if (st)
            return st;
    }
    return zk_blind_eqsum(b, n_vars, degree_c, tau, zk_blind_public(b, ZERO2), point, c_claim,
                          err);
}

za_status zk_blind_fracsum(zk_blind *b, unsigned n, zk_hv *P, zk_hv *Q, zk_fp2 *point,
                           zk_hv *p_claim, zk_hv *q_claim, za_error *err)
{
    if (n < 1 || n > ZK_SUMCHECK_MAX_VARS - 1)
        return za_error_set(err, ZA_ERR_ARG, "blind: fraction sum of 2^%u leaves", n);
    if (!b->prover)
        zk_transcript_absorb_u64(b->t, "fracsum/n", n);
    zk_hv root[2];
    za_status st = src_msgs(b, "fracsum/root", 2, root, err);
    if (st)
        return st;
    *P = root[0], *Q = root[1];
    zk_fp2 r[ZK_SUMCHECK_MAX_VARS];
    zk_hv pc = *P, qc = *Q;
    for (unsigned k = 0; k < n; k++) {
        zk_fp2 s[ZK_SUMCHECK_MAX_VARS], lambda = ZERO2, mu;
        zk_hv cc = { 0 }, v[4];
        if (k > 0) {
            if ((st = src_chal(b, "fracsum/lambda", &lambda, err)))
                return st;
            zk_hv claim = zk_blind_lin(b, ONE2, pc, lambda, qc);
            if ((st = zk_blind_eqsum(b, k, 2, r, claim, s, &cc, err)))
                return st;
        }
        if ((st = src_msgs(b, "fracsum/children", 4, v, err)))
            return st;
        /* (p0, p1, q0, q1): the parent is (p0 q1 + p1 q0, q0 q1) */
        zk_hv pp = zk_blind_lin(b, ONE2, zk_blind_mul(b, v[0], v[3]), ONE2,
                                zk_blind_mul(b, v[1], v[2]));
        zk_hv qq = zk_blind_mul(b, v[2], v[3]);
        if (k == 0) {
            zk_blind_assert_eq(b, pp, pc);
            zk_blind_assert_eq(b, qq, qc);
        } else {
            zk_blind_assert_eq(b, cc, zk_blind_lin(b, ONE2, pp, lambda, qq));
        }
        if ((st = src_chal(b, "fracsum/mu", &mu, err)))
            return st;
        for (unsigned j = 0; j < k; j++)
            r[j] = s[j];
        r[k] = mu;
        zk_fp2 one_mu = zk_fp2_sub(ONE2, mu);
        pc = zk_blind_lin(b, one_mu, v[0], mu, v[1]);
        qc = zk_blind_lin(b, one_mu, v[2], mu, v[3]);
    }
    memcpy(point, r, sizeof(zk_fp2) * n);
    *p_claim = pc, *q_claim = qc;
    return zk_blind_status(b, err);
}

/* ------------------------------------------------------------------ the end */

/* Send the blinded products recorded since the last call: V[j] = z_j + D[pad_j]. */
static za_status send_products(zk_blind *b, zk_transcript *t, zk_writer *w, zk_reader *r,
                               za_error *err)
{
    size_t from = b->n_virt, n = b->n_prod - from;
    if (!grow((void **)&b->virt, &b->cap_virt, b->n_prod ? b->n_prod : 1, sizeof(zk_fp2)))
        return za_error_set(err, ZA_ERR_NOMEM, "blind: out of memory");
    for (size_t j = from; j < b->n_prod; j++) {
        b->prod[j].pad = (uint32_t)take_pad(b);
        if (b->status)
            return zk_blind_status(b, err);
        if (b->prover) {
            b->virt[j] = blinded(b, b->forms[b->prod[j].z.id].val, b->prod[j].pad);
            zk_write_fp2(w, b->virt[j]);
        } else if (zk_read_fp2(r, "blinded product", &b->virt[j])) {
            return zk_reader_status(r);
        }
    }
    zk_transcript_absorb_u64(t, "blind/products", n);
    zk_transcript_absorb_fp2(t, "blind/product-values", b->virt + from, n);
    b->n_virt = b->n_prod;
    return ZA_OK;
}

za_status zk_blind_products(zk_blind *b, zk_transcript *t, int threads, zk_writer *w,
                            zk_reader *r, za_error *err)
{
    if (b->status)
        return zk_blind_status(b, err);
    /* once: the dummy triples D[0..5] hide A~, B~, C~ of one product check */
    if (b->n_prod_proven)
        return za_error_set(err, ZA_ERR_ARG, "blind: the product check runs once per proof");
    za_status st = send_products(b, t, w, r, err);
    if (st)
        return st;
    size_t p0 = b->n_prod_proven, np = b->n_prod - p0, rows = np + 2;
    unsigned m = 1;
    while (((size_t)1 << m) < rows)
        m++;
    if (m > ZK_SUMCHECK_MAX_VARS - 1)
        return za_error_set(err, ZA_ERR_LIMIT, "blind: %zu products", np);
    size_t sz = (size_t)1 << m;
    zk_fp2 tau[ZK_SUMCHECK_MAX_VARS], point[ZK_SUMCHECK_MAX_VARS];
    zk_transcript_challenge_fp2_vec(t, "blind/tau", tau, m);

    /* sum_j eq(tau, j) (A_j B_j - C_j) = 0; rows 0 and 1 are the dummies */
    zk_fp2 abc[3] = { ZERO2, ZERO2, ZERO2 };
    zk_sumcheck_term terms[2];
    terms[0] = zk_sumcheck_term_make(ONE2, 2, 0, 1, 0, 0);
    terms[1] = zk_sumcheck_term_make(zk_fp2_neg(ONE2), 1, 2, 0, 0, 0);
    zk_blind_engine_begin(b, t, w, r);
    if (b->prover) {
        zk_fp2 *tab = calloc(3 * sz, sizeof(zk_fp2));
        if (!tab) {
            zk_blind_engine_end(b, t);
            return za_error_set(err, ZA_ERR_NOMEM, "blind: out of memory");
        }
        for (size_t k = 0; k < 2; k++)
            for (size_t c = 0; c < 3; c++)
                tab[c * sz + k] = b->pads[3 * k + c];
        for (size_t j = 0; j < np; j++) {
            const product *p = &b->prod[p0 + j];
            tab[0 * sz + 2 + j] = b->forms[p->x.id].val;
            tab[1 * sz + 2 + j] = b->forms[p->y.id].val;
            tab[2 * sz + 2 + j] = b->forms[p->z.id].val;
        }
        zk_mle_ref refs[3] = { zk_mle_ref_ext(tab), zk_mle_ref_ext(tab + sz),
                               zk_mle_ref_ext(tab + 2 * sz) };
        zk_sumcheck_instance inst = { m, 3, refs, 2, terms };
        zk_sumcheck_proof proof = { 0 }; /* the plain proof: not sent */
        st = zk_eqsum_prove(&inst, tau, ZERO2, t, threads, &proof, point, abc, err);
        zk_sumcheck_proof_free(&proof);
        free(tab);
    }
    zk_blind_engine_end(b, t);
    zk_hv cc = { 0 };
    if (!st)
        st = zk_blind_eqsum(b, m, 2, tau, zk_blind_public(b, ZERO2), point, &cc, err);
    if (st)
        return st;
    if (b->prover && b->cheat_abc) /* C~ chosen to pass the final check alone */
        abc[2] = zk_fp2_sub(zk_fp2_mul(abc[0], abc[1]), b->forms[cc.id].val);
    /* A~(r), B~(r), C~(r) in the clear */
    for (int c = 0; c < 3; c++) {
        if (b->prover)
            zk_write_fp2(w, abc[c]);
        else if (zk_read_fp2(r, "product check value", &abc[c]))
            return zk_reader_status(r);
    }
    zk_transcript_absorb_fp2(t, "blind/abc", abc, 3);
    /* the final check, linear now that A~, B~, C~ are public */
    zk_fp2 want = zk_fp2_sub(zk_fp2_mul(abc[0], abc[1]), abc[2]);
    zk_blind_assert_zero(b, zk_blind_affine(b, ONE2, cc, zk_fp2_neg(want)));
    /* and the definitions of A~(r), B~(r), C~(r) over the products' forms
     * (point[] is in variable order, like zk_eq_table's index bits) */
    zk_fp2 *eq = malloc(sizeof(zk_fp2) * sz);
    zk_hv *xs = malloc(sizeof(zk_hv) * rows);
    if (!eq || !xs) {
        free(eq), free(xs);
        return za_error_set(err, ZA_ERR_NOMEM, "blind: out of memory");
    }
    zk_eq_table(point, m, eq);
    for (size_t c = 0; c < 3; c++) {
        for (size_t k = 0; k < 2; k++)
            xs[k] = (zk_hv){ (uint32_t)(3 * k + c) };
        for (size_t j = 0; j < np; j++) {
            const product *p = &b->prod[p0 + j];
            xs[2 + j] = c == 0 ? p->x : c == 1 ? p->y : p->z;
        }
        zk_hv v = zk_blind_dot(b, eq, xs, (unsigned)rows, zk_fp2_neg(abc[c]));
        zk_blind_assert_zero(b, v);
    }
    free(eq), free(xs);
    b->n_prod_proven = b->n_prod;
    return zk_blind_status(b, err);
}

/* a form's constant once the blinded products are known */
static int form_const(const zk_blind *b, const form *f, zk_fp2 *c)
{
    zk_fp2 v = f->c0;
    for (uint32_t k = 0; k < f->n; k++) {
        uint32_t p = b->term_pad[f->start + k];
        if (!(p & VIRT))
            continue;
        p &= ~VIRT;
        if (p >= b->n_virt)
            return 0;
        v = zk_fp2_add(v, zk_fp2_mul(b->term_coef[f->start + k], b->virt[p]));
    }
    *c = v;
    return 1;
}

static void add_kernel(const zk_blind *b, const form *f, zk_fp2 scale, zk_fp2 *kernel)
{
    for (uint32_t k = 0; k < f->n; k++) {
        uint32_t p = b->term_pad[f->start + k];
        zk_fp2 c = zk_fp2_mul(scale, b->term_coef[f->start + k]);
        if (!(p & VIRT))
            kernel[p] = zk_fp2_add(kernel[p], c);
        else /* c (V[j] - D[pad_j]) */
            kernel[b->prod[p & ~VIRT].pad] = zk_fp2_sub(kernel[b->prod[p & ~VIRT].pad], c);
    }
}

za_status zk_blind_linear(zk_blind *b, zk_transcript *t, zk_blind_linear_stmt *out,
                          za_error *err)
{
    memset(out, 0, sizeof *out);
    if (b->status)
        return zk_blind_status(b, err);
    if (b->n_prod_proven != b->n_prod)
        return za_error_set(err, ZA_ERR_ARG, "blind: %zu products not yet proven",
                            b->n_prod - b->n_prod_proven);
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
     * sum_j mu_j E_j + <K, D> = -sum_i lambda^i c_i + sum_j mu_j c(x_j),
     * c the forms' constants (the blinded products substituted) */
    zk_fp2 pw = ONE2, value = ZERO2, c;
    for (size_t i = 0; i < b->n_zero; i++) {
        const form *f = &b->forms[b->zero[i].id];
        if (b->prover && !b->cheated && !zk_fp2_is_zero(f->val)) {
            zk_blind_linear_free(out);
            return za_error_set(err, ZA_ERR_MISMATCH, "blind: constraint %zu does not hold", i);
        }
        if (!form_const(b, f, &c)) {
            zk_blind_linear_free(out);
            return za_error_set(err, ZA_ERR_ARG, "blind: a product not yet sent");
        }
        add_kernel(b, f, pw, out->pad_kernel);
        value = zk_fp2_sub(value, zk_fp2_mul(pw, c));
        pw = zk_fp2_mul(pw, lambda);
    }
    for (size_t j = 0; j < b->n_ext; j++) {
        const form *f = &b->forms[b->ext[j].id];
        if (!form_const(b, f, &c)) {
            zk_blind_linear_free(out);
            return za_error_set(err, ZA_ERR_ARG, "blind: a product not yet sent");
        }
        out->ext_coef[j] = pw;
        add_kernel(b, f, zk_fp2_neg(pw), out->pad_kernel);
        value = zk_fp2_add(value, zk_fp2_mul(pw, c));
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

void zk_blind_skip_selftest(zk_blind *b)
{
    b->cheated = 1;
}

void zk_blind_cheat_product(zk_blind *b, zk_fp2 delta, int fit_final)
{
    b->cheat_prod = 1;
    b->cheat_prod_delta = delta;
    b->cheat_abc = fit_final;
    b->cheated = 1;
}

void zk_blind_cheat_next(zk_blind *b, unsigned skip, zk_fp2 delta)
{
    b->cheat = 1;
    b->cheat_skip = skip;
    b->cheat_delta = delta;
}
