/* protocol/infer_proof.c - the inference proof: prover and verifier.
 *
 * Both sides run the same sequence of steps (run_relations) on a ctx whose
 * `prover` flag says whether values are computed and written or read and
 * checked, so that the transcript order is the same by construction:
 *   1. header: model id, batch, inputs and cut tensors (absorbed);
 *   2. the witness commitment;
 *   3. one logUp of every lookup segment into the combined table, and the
 *      segments' values at the lookup's point (claims on witness vectors);
 *   4. per threshold layer: acc at a random point, and the layer's
 *      sumcheck from there down to claims on weights and on the input
 *      (through the view reduction); per MAX_POOL layer the taps against
 *      the input;
 *   5. one batched opening of every witness claim and one of every weight
 *      claim.
 */
#include "protocol/infer_proof.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/parallel.h"
#include "common/progress.h"
#include "model/engine.h"
#include "model/kernels.h"
#include "model/weights.h"
#include "protocol/circuit.h"
#include "zk/blind.h"
#include "zk/commit.h"
#include "zk/encode.h"
#include "zk/fracsum.h"
#include "zk/logup.h"
#include "zk/mle.h"
#include "zk/sumcheck.h"
#include "zk/transcript.h"

#define PROOF_VERSION 1         /* a plain proof */
#define PROOF_VERSION_BLINDED 2 /* every prover message blinded (zk/blind.h) */
#define MAXV 64
/* lookups of at most this many used rows keep them between the passes
 * (4 columns: 32 MiB) */
#define LOOKUP_KEEP_ROWS ((size_t)1 << 20)

typedef struct {
    int prover;
    const zp_circuit *c;
    int threads;
    zk_transcript *t;
    zk_writer *w;
    zk_reader *r;
    za_error *err;
    zk_fp **wit;   /* prover: witness vectors */
    zk_fp **wts;   /* prover: weight vectors */
    zk_fp **pub;   /* both: padded public tensors (per circuit tensor) */
    const zp_cheat *cheat;
    zk_fp *table[4]; /* the combined lookup table (zp_circuit_table) */
    zk_fp *lrows[4]; /* prover: every used chunk's lookup rows, kept from the
                        multiplicities for the denominators (small lookups), or NULL */
    zk_multi_claim *wc, *tc; /* claims on witness / weight vectors */
    unsigned n_wc, n_tc, cap_wc, cap_tc;
    zk_blind *bl;             /* a blinded (zero-knowledge) proof, or NULL */
    unsigned *wc_ext, *tc_ext; /* blinded: each claim's external index (zk/blind.h) */
    int priv;                 /* a private (hiding) model commitment: weight claims are
                                 reduced and opened by weight_reduce, not the final statement */
    zk_hv *tc_hv;             /* priv: each weight claim's hidden value */
    zp_prove_stats *test_evals; /* TEST ONLY: record the unmasked weight evaluations here */
    int simulate;             /* TEST ONLY: zp_prove_opts.test_simulate */
    size_t n_pads_declared;   /* verifier: the header's pad count */
    zk_fp2 sim_mix;           /* TEST ONLY: the mask-mix challenge the simulator chose */
    size_t blinded_end;       /* prover: where the blinded messages end in the proof */
    size_t weights_begin, weights_end; /* prover: the private weights' clear value and opening */
} ctx;

static const zk_fp2 ONE = { 1, 0 }, ZERO = { 0, 0 };

static zk_fp2 fp2i(int64_t v)
{
    return zk_fp2_from_fp(zk_fp_from_i64(v));
}

static za_status layer_fail(ctx *x, const zp_layer *L, const char *what)
{
    const zm_op *o = &x->c->model->ops[L->op_index];
    return za_error_set(x->err, ZA_ERR_MISMATCH, "operator %d (%s): %s", L->op_index,
                        zm_op_name(o->opcode), what);
}

/* A value of the proof.  In a plain proof v is the value (both sides).  In
 * a blinded proof (zk/blind.h) h is the hidden value the verifier holds
 * and v the prover's value (0 on the verifier's side); arithmetic records
 * the same forms on both sides, and checks become constraints. */
typedef struct {
    zk_fp2 v;
    zk_hv h;
} pv;

static pv pv_pub(ctx *x, zk_fp2 c)
{
    pv p = { c, { 0 } };
    if (x->bl)
        p.h = zk_blind_public(x->bl, c);
    return p;
}

static pv pv_of(ctx *x, zk_hv h)
{
    pv p = { zk_blind_value(x->bl, h), h };
    return p;
}

/* a*p + b*q */
static pv pv_lin(ctx *x, zk_fp2 a, pv p, zk_fp2 b, pv q)
{
    pv r = { zk_fp2_add(zk_fp2_mul(a, p.v), zk_fp2_mul(b, q.v)), { 0 } };
    if (x->bl)
        r.h = zk_blind_lin(x->bl, a, p.h, b, q.h);
    return r;
}

static pv pv_add(ctx *x, pv p, pv q)
{
    return pv_lin(x, ONE, p, ONE, q);
}

/* a*p + c */
static pv pv_affine(ctx *x, zk_fp2 a, pv p, zk_fp2 c)
{
    pv r = { zk_fp2_add(zk_fp2_mul(a, p.v), c), { 0 } };
    if (x->bl)
        r.h = zk_blind_affine(x->bl, a, p.h, c);
    return r;
}

static pv pv_scale(ctx *x, zk_fp2 a, pv p)
{
    return pv_affine(x, a, p, ZERO);
}

static pv pv_mul(ctx *x, pv p, pv q)
{
    pv r = { zk_fp2_mul(p.v, q.v), { 0 } };
    if (x->bl)
        r.h = zk_blind_mul(x->bl, p.h, q.h);
    return r;
}

/* sum_t c_t prod_k evals[k]: zk_sumcheck_combine on values */
static pv pv_combine(ctx *x, const zk_sumcheck_term *terms, unsigned n_terms, const pv *evals)
{
    pv acc = pv_pub(x, ZERO);
    for (unsigned i = 0; i < n_terms; i++) {
        pv p = evals[terms[i].factors[0]];
        for (unsigned k = 1; k < terms[i].n_factors; k++)
            p = pv_mul(x, p, evals[terms[i].factors[k]]);
        acc = pv_lin(x, ONE, acc, terms[i].coeff, p);
    }
    return acc;
}

/* A check both sides run: the verifier to decide, the honest prover as a
 * self-test (it never writes a proof it knows is false); a cheating test
 * prover goes on regardless, so that the verifier is what catches it.  In
 * a blinded proof the check is recorded as a constraint, which the end of
 * the proof decides (zk_blind_linear). */
static za_status expect(ctx *x, const zp_layer *L, pv a, pv b, const char *what)
{
    if (x->bl) {
        zk_blind_assert_eq(x->bl, a.h, b.h);
        return zk_blind_status(x->bl, x->err);
    }
    if (zk_fp2_eq(a.v, b.v) || (x->prover && x->cheat))
        return ZA_OK;
    if (L)
        return layer_fail(x, L, what);
    return za_error_set(x->err, ZA_ERR_MISMATCH, "%s", what);
}

/* A value the prover sends and both absorb (blinded in a blinded proof). */
static za_status xfer(ctx *x, pv *v, const char *what)
{
    if (x->bl) {
        zk_hv h;
        za_status st = zk_blind_send(x->bl, v->v, "value", x->t, x->w, x->r, &h, x->err);
        if (!st)
            *v = pv_of(x, h);
        return st;
    }
    if (x->prover)
        zk_write_fp2(x->w, v->v);
    else if (zk_read_fp2(x->r, what, &v->v))
        return zk_reader_status(x->r);
    zk_transcript_absorb_fp2(x->t, "value", &v->v, 1);
    return ZA_OK;
}

/* q != 0: plainly, or by an inverse the prover sends (q * q^-1 = 1). */
static za_status expect_nonzero(ctx *x, pv q, const char *what)
{
    if (!x->bl)
        return expect(x, NULL, pv_pub(x, zk_fp2_make(zk_fp2_is_zero(q.v), 0)), pv_pub(x, ZERO),
                      what);
    pv inv = { zk_fp2_inv(q.v), { 0 } };
    za_status st = xfer(x, &inv, "inverse");
    return st ? st : expect(x, NULL, pv_mul(x, q, inv), pv_pub(x, ONE), what);
}

static unsigned ref_log(const ctx *x, zp_vec_ref ref)
{
    switch (ref.kind) {
    case ZP_VEC_WITNESS:
        return x->c->wit_log[ref.id];
    case ZP_VEC_WEIGHT:
        return x->c->wts_log[ref.id];
    case ZP_VEC_PUBLIC:
        return x->c->tensors[ref.id].shape.log_size;
    default:
        return 0;
    }
}

static za_status push_claim(ctx *x, int weight, unsigned vec, const zk_fp2 *pt, unsigned n,
                            pv v)
{
    zk_multi_claim **arr = weight ? &x->tc : &x->wc;
    unsigned **ext = weight ? &x->tc_ext : &x->wc_ext;
    unsigned *cnt = weight ? &x->n_tc : &x->n_wc, *cap = weight ? &x->cap_tc : &x->cap_wc;
    if (n > ZK_MULTI_MAX_VARS)
        return za_error_set(x->err, ZA_ERR_UNSUPPORTED, "prover: a vector of 2^%u elements", n);
    if (*cnt == *cap) {
        unsigned nc = *cap ? 2 * *cap : 64;
        zk_multi_claim *na = realloc(*arr, sizeof **arr * nc);
        if (na)
            *arr = na;
        unsigned *ne = x->bl ? realloc(*ext, sizeof **ext * nc) : NULL;
        if (ne)
            *ext = ne;
        zk_hv *nh = x->bl && weight ? realloc(x->tc_hv, sizeof *nh * nc) : NULL;
        if (nh)
            x->tc_hv = nh;
        if (!na || (x->bl && !ne) || (x->bl && weight && !nh))
            return za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
        *cap = nc;
    }
    if (x->bl && weight && x->priv) /* weight_reduce takes it, not the final statement */
        x->tc_hv[*cnt] = v.h, (*ext)[*cnt] = 0;
    else if (x->bl)
        (*ext)[*cnt] = zk_blind_external(x->bl, v.h);
    zk_multi_claim *cl = &(*arr)[(*cnt)++];
    cl->vec = vec;
    memcpy(cl->point, pt, sizeof(zk_fp2) * n);
    cl->value = v.v;
    return ZA_OK;
}

/* The value of a vector's MLE at pt: computed (prover, public, constant)
 * or read (verifier); witness and weight values become opening claims. */
static za_status claim(ctx *x, zp_vec_ref ref, const zk_fp2 *pt, pv *val)
{
    unsigned n = ref_log(x, ref);
    switch (ref.kind) {
    case ZP_VEC_CONST:
        *val = pv_pub(x, fp2i(ref.constant));
        return ZA_OK;
    case ZP_VEC_PUBLIC:
        *val = pv_pub(x, zk_mle_eval_mt(x->pub[ref.id], n, pt, x->threads));
        return ZA_OK;
    default:
        break;
    }
    int weight = ref.kind == ZP_VEC_WEIGHT;
    val->v = ZERO;
    if (x->prover)
        val->v = zk_mle_eval_mt(weight ? x->wts[ref.id] : x->wit[ref.id], n, pt, x->threads);
    za_status st = xfer(x, val, "claimed evaluation");
    if (st)
        return st;
    return push_claim(x, weight, ref.id, pt, n, *val);
}

static zp_vec_ref tref(const zp_circuit *c, unsigned t)
{
    const zp_tensor *x = &c->tensors[t];
    zp_vec_ref r = { x->is_public ? ZP_VEC_PUBLIC : ZP_VEC_WITNESS,
                     x->is_public ? t : x->wvec, 0 };
    return r;
}

static zp_vec_ref wref(unsigned id)
{
    zp_vec_ref r = { ZP_VEC_WITNESS, id, 0 };
    return r;
}

/* The vector behind a ref (prover). */
static const zk_fp *ref_data(const ctx *x, zp_vec_ref ref)
{
    switch (ref.kind) {
    case ZP_VEC_WITNESS:
        return x->wit[ref.id];
    case ZP_VEC_WEIGHT:
        return x->wts[ref.id];
    case ZP_VEC_PUBLIC:
        return x->pub[ref.id];
    default:
        return NULL;
    }
}

static za_status sumcheck(ctx *x, const zk_sumcheck_instance *inst, pv claim_v, zk_fp2 *point,
                          zk_fp2 *evals, pv *fin)
{
    zk_sumcheck_proof p = { 0 };
    za_status st = ZA_OK;
    unsigned deg = zk_sumcheck_degree(inst->terms, inst->n_terms);
    if (x->bl) { /* the plain engine through the blinding tap, then its replay */
        zk_blind_engine_begin(x->bl, x->t, x->w, x->r);
        if (x->prover)
            st = zk_sumcheck_prove(inst, claim_v.v, x->t, x->threads, &p, point, evals, x->err);
        zk_blind_engine_end(x->bl, x->t);
        zk_sumcheck_proof_free(&p);
        zk_hv h;
        if (!st)
            st = zk_blind_sumcheck(x->bl, inst->n_vars, deg, claim_v.h, point, &h, x->err);
        if (!st)
            *fin = pv_of(x, h);
        return st;
    }
    if (x->prover) {
        st = zk_sumcheck_prove(inst, claim_v.v, x->t, x->threads, &p, point, evals, x->err);
        if (!st)
            zk_sumcheck_proof_write(x->w, &p);
        fin->v = zk_sumcheck_combine(inst->terms, inst->n_terms, evals);
    } else {
        st = zk_sumcheck_proof_read(x->r, inst->n_vars, deg, &p);
        if (st)
            st = zk_reader_status(x->r);
        if (!st)
            st = zk_sumcheck_verify(inst->n_vars, deg, claim_v.v, &p, x->t, point, &fin->v,
                                    x->err);
    }
    zk_sumcheck_proof_free(&p);
    return st;
}

/* One fraction-sum GKR (zk/fracsum.h), plain or blinded.  p may be NULL. */
static za_status fracsum(ctx *x, zk_fp2 *p, zk_fp2 *q, unsigned n, pv *P, pv *Q, zk_fp2 *point,
                         pv *pe, pv *qe)
{
    za_status st = ZA_OK;
    if (x->bl) {
        zk_blind_engine_begin(x->bl, x->t, x->w, x->r);
        if (x->prover) {
            zk_writer scratch; /* the engine's own output is not sent */
            zk_writer_init(&scratch);
            zk_fp2 a, b, c, d;
            st = zk_fracsum_prove(p, q, n, x->t, x->threads, &scratch, &a, &b, point, &c, &d,
                                  x->err);
            zk_writer_free(&scratch);
        }
        zk_blind_engine_end(x->bl, x->t);
        zk_hv hP, hQ, hp, hq;
        if (!st)
            st = zk_blind_fracsum(x->bl, n, &hP, &hQ, point, &hp, &hq, x->err);
        if (!st)
            *P = pv_of(x, hP), *Q = pv_of(x, hQ), *pe = pv_of(x, hp), *qe = pv_of(x, hq);
        return st;
    }
    memset(P, 0, sizeof *P), memset(Q, 0, sizeof *Q), memset(pe, 0, sizeof *pe),
        memset(qe, 0, sizeof *qe);
    if (x->prover)
        return zk_fracsum_prove(p, q, n, x->t, x->threads, x->w, &P->v, &Q->v, point, &pe->v,
                                &qe->v, x->err);
    return zk_fracsum_verify(n, x->t, x->r, &P->v, &Q->v, point, &pe->v, &qe->v, x->err);
}

static zk_fp2 *ext_alloc(size_t n)
{
    return calloc(n ? n : 1, sizeof(zk_fp2));
}

/* ---------------------------------------------------------------- lookup */

static zk_fp seg_value(const ctx *x, const zp_segment *s, int k, size_t i)
{
    zp_vec_ref ref = s->col[k];
    if (k == 0 && s->tag_kind) {
        const zp_shape *sh = &s->shape;
        size_t c = i & (((size_t)1 << sh->lg[3]) - 1);
        size_t rest = i >> sh->lg[3];
        size_t w = rest & (((size_t)1 << sh->lg[2]) - 1);
        rest >>= sh->lg[2];
        size_t h = rest & (((size_t)1 << sh->lg[1]) - 1);
        size_t b = rest >> sh->lg[1];
        if ((int64_t)c >= sh->n[3] || (int64_t)w >= sh->n[2] || (int64_t)h >= sh->n[1] ||
            (int64_t)b >= sh->n[0])
            return 0;
        int64_t g = s->tag_kind == 2 ? s->group[c]
                    : s->tag_kind == 3 ? s->group[h * (size_t)sh->n[2] + w] : 0;
        return zk_fp_from_i64((int64_t)s->tag + g);
    }
    zk_fp v;
    if (ref.kind == ZP_VEC_CONST)
        v = zk_fp_from_i64(ref.constant);
    else
        v = ref_data(x, ref)[((size_t)s->slice_bits[k] << s->log_len) + i];
    for (unsigned j = 0; j < s->lin[k].n; j++) {
        zk_fp e = ref_data(x, s->lin[k].ref[j])[((size_t)s->lin[k].slice_bits[j] << s->log_len) + i];
        v = zk_fp_add(v, zk_fp_mul(zk_fp_from_i64(s->lin[k].coef[j]), e));
    }
    return v;
}

static za_status slice_claim(ctx *x, zp_vec_ref ref, unsigned log_len, unsigned bits,
                             unsigned nbits, const zk_fp2 *sub, pv *val)
{
    zk_fp2 pt[MAXV];
    memcpy(pt, sub, sizeof(zk_fp2) * log_len);
    for (unsigned j = 0; j < nbits; j++)
        pt[log_len + j] = fp2i((bits >> j) & 1);
    return claim(x, ref, pt, val);
}

static za_status seg_claim(ctx *x, const zp_segment *s, int k, const zk_fp2 *sub, pv *val)
{
    if (k == 0 && s->tag_kind) {
        *val = pv_pub(x, s->tag_kind == 3 ? zp_mle_spatial_tag(&s->shape, s->tag, s->group, sub)
                                          : zp_mle_channel_tag(&s->shape, s->tag,
                                                               s->tag_kind == 2 ? s->group : NULL,
                                                               sub));
        return ZA_OK;
    }
    za_status st = slice_claim(x, s->col[k], s->log_len, s->slice_bits[k], s->slice_nbits[k],
                               sub, val);
    for (unsigned j = 0; j < s->lin[k].n && !st; j++) {
        pv e;
        st = slice_claim(x, s->lin[k].ref[j], s->log_len, s->lin[k].slice_bits[j],
                         s->lin[k].slice_nbits[j], sub, &e);
        if (!st)
            *val = pv_lin(x, ONE, *val, fp2i(s->lin[k].coef[j]), e);
    }
    return st;
}

/* The witness rows are split into chunks of 2^cl rows, one fraction-sum
 * tree each (the verifier adds the roots); only the chunks that hold
 * segment rows exist (the layout is dense from row 0, largest segment
 * first).  cl minimises rows + 2^14 per chunk (a tree's fixed cost), at
 * most 2^LOOKUP_CHUNK_LOG rows a chunk so that the prover's GKR layers
 * stay small whatever the model. */
#ifndef LOOKUP_CHUNK_LOG
#define LOOKUP_CHUNK_LOG 22
#endif

static void lookup_chunks(const zk_multi_layout *SL, unsigned *cl, unsigned *nch)
{
    uint64_t used = 0, best = UINT64_MAX;
    for (unsigned i = 0; i < SL->n_vecs; i++)
        used += (uint64_t)1 << SL->log_len[i];
    unsigned N = SL->log_total;
    for (unsigned l = 1; l <= N && l <= LOOKUP_CHUNK_LOG; l++) {
        uint64_t n = (used + ((uint64_t)1 << l) - 1) >> l;
        uint64_t cost = (n << l) + (n << 14);
        if ((N - l) <= 20 && cost < best)
            best = cost, *cl = l, *nch = (unsigned)n;
    }
}

/* Rows [start, start + n) of the combined lookup columns (prover): each
 * segment sits at its offset in the layout of the segments; rows outside
 * every segment are the pad row. */
typedef struct {
    const ctx *x;
    const zk_multi_layout *SL;
    size_t start, n;
    zk_fp *const *cols;
} rows_job;

static void rows_range(void *vj, size_t s0, size_t s1)
{
    const rows_job *j = vj;
    for (size_t i = s0; i < s1; i++) { /* segments: disjoint rows */
        const zp_segment *s = &j->x->c->segs[i];
        size_t a = j->SL->offset[i], b = a + ((size_t)1 << s->log_len);
        size_t lo = a > j->start ? a : j->start, hi = b < j->start + j->n ? b : j->start + j->n;
        for (int k = 0; k < 4; k++)
            for (size_t r = lo; r < hi; r++)
                j->cols[k][r - j->start] = seg_value(j->x, s, k, r - a);
    }
}

static void lookup_rows(const ctx *x, const zk_multi_layout *SL, size_t start, size_t n,
                        zk_fp *const *cols)
{
    for (int k = 0; k < 4; k++)
        memset(cols[k], 0, sizeof(zk_fp) * n);
    rows_job j = { x, SL, start, n, cols };
    za_parallel_for(x->c->n_segs, n >= ((size_t)1 << 14) ? x->threads : 1, rows_range, &j);
}

static za_status lookup_layout(const zp_circuit *c, zk_multi_layout *SL, za_error *err)
{
    size_t lens[ZK_MULTI_MAX_VECS];
    for (unsigned i = 0; i < c->n_segs; i++)
        lens[i] = (size_t)1 << c->segs[i].log_len;
    return zk_multi_layout_make(lens, c->n_segs, SL, err);
}

/* Counting a chunk's rows in parallel: part i of the rows adds to its own
 * histogram mus[i] (mus[0] is the witness's mu), merged once at the end, so
 * the counts are the single-threaded ones. */
typedef struct {
    const zk_lookup_index *ix;
    zk_fp *const *cols;
    size_t n, nparts;
    zk_fp **mus;
    size_t *missing;
} count_job;

static void count_range(void *vj, size_t b, size_t e)
{
    const count_job *j = vj;
    for (size_t i = b; i < e; i++) {
        size_t r0 = j->n * i / j->nparts, r1 = j->n * (i + 1) / j->nparts;
        const zk_fp *c[4] = { j->cols[0] + r0, j->cols[1] + r0, j->cols[2] + r0,
                              j->cols[3] + r0 };
        zk_lookup_index_count(j->ix, c, r1 - r0, j->mus[i], &j->missing[i]);
    }
}

/* The multiplicities of the table rows (prover, before the commitment),
 * chunk by chunk so that the combined columns never exist in full. */
static za_status lookup_multiplicities(ctx *x)
{
    const zp_circuit *c = x->c;
    zk_multi_layout SL;
    za_status st = lookup_layout(c, &SL, x->err);
    if (st)
        return st;
    zk_lookup_table T = { c->table_log_rows, 4,
                          { x->table[0], x->table[1], x->table[2], x->table[3] } };
    unsigned cl = 0, nch = 0;
    lookup_chunks(&SL, &cl, &nch);
    size_t CH = (size_t)1 << cl, missing = 0, M = (size_t)1 << T.log_rows;
    zk_fp *mu = x->wit[c->mu_vec], *cols[4] = { 0 };
    zk_lookup_index *ix = NULL;
    /* parts: one per thread when the rows dwarf the extra histograms */
    size_t nparts = 1;
    if (x->threads > 1 && CH >= ((size_t)1 << 14) && (size_t)nch * CH >= 4 * M)
        nparts = x->threads > 8 ? 8 : (size_t)x->threads;
    zk_fp *mus[8] = { mu };
    size_t miss[8] = { 0 };
    memset(mu, 0, sizeof(zk_fp) * M);
    for (size_t i = 1; i < nparts && !st; i++)
        if (!(mus[i] = calloc(M, sizeof(zk_fp))))
            st = za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
    /* small lookups keep all their rows for run_lookup (the same values:
     * the witness does not change between the two passes) */
    int keep = (size_t)nch * CH <= LOOKUP_KEEP_ROWS;
    size_t alloc_rows = keep ? (size_t)nch * CH : CH;
    for (int k = 0; k < 4 && !st; k++)
        if (!(cols[k] = malloc(sizeof(zk_fp) * alloc_rows)))
            st = za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
    if (!st)
        st = zk_lookup_index_new(&T, &ix, x->err);
    for (unsigned ch = 0; ch < nch && !st; ch++) {
        zk_fp *cc[4];
        for (int k = 0; k < 4; k++)
            cc[k] = cols[k] + (keep ? (size_t)ch * CH : 0);
        lookup_rows(x, &SL, (size_t)ch * CH, CH, cc);
        count_job j = { ix, cc, CH, nparts, mus, miss };
        za_parallel_for(nparts, (int)nparts, count_range, &j);
    }
    if (!st && keep)
        for (int k = 0; k < 4; k++)
            x->lrows[k] = cols[k], cols[k] = NULL;
    for (size_t i = 0; i < nparts; i++)
        missing += miss[i];
    for (size_t i = 1; i < nparts; i++) {
        if (!st)
            for (size_t r = 0; r < M; r++)
                mu[r] = zk_fp_add(mu[r], mus[i][r]);
        free(mus[i]);
    }
    zk_lookup_index_free(ix);
    for (int k = 0; k < 4; k++)
        free(cols[k]);
    if (st)
        return st;
    if (missing && !x->cheat)
        return za_error_set(x->err, ZA_ERR_MISMATCH,
                            "prover: %zu lookup rows are not in the table (engine and circuit "
                            "disagree)", missing);
    if (x->cheat && x->cheat->mu_row >= 0 &&
        (uint64_t)x->cheat->mu_row < ((uint64_t)1 << T.log_rows))
        mu[x->cheat->mu_row] = zk_fp_add(mu[x->cheat->mu_row], 1);
    return ZA_OK;
}

/* The witness side of the lookup at a point of the combined columns:
 * alpha - sum_k beta^k col_k(r), from the segments (claims on the vectors).
 * Segments whose selector is exactly zero (r's high coordinates are the
 * bits of another chunk) are skipped by both sides. */
static za_status lookup_witness_side(ctx *x, const zk_multi_layout *SL, const zk_fp2 *r,
                                     const int *fixed, const zk_fp2 *bp, pv *a_out)
{
    const zp_circuit *c = x->c;
    unsigned N = SL->log_total;
    pv a = pv_pub(x, ZERO);
    za_status st = ZA_OK;
    for (unsigned i = 0; i < c->n_segs && !st; i++) {
        const zp_segment *s = &c->segs[i];
        zk_fp2 sel = ONE;
        int zero = 0;
        for (unsigned j = s->log_len; j < N; j++) {
            unsigned bit = (SL->offset[i] >> j) & 1;
            if (fixed[j] >= 0 && (unsigned)fixed[j] != bit)
                zero = 1;
            sel = zk_fp2_mul(sel, bit ? r[j] : zk_fp2_sub(ONE, r[j]));
        }
        if (zero)
            continue;
        for (int k = 0; k < 4 && !st; k++) {
            pv v;
            st = seg_claim(x, s, k, r, &v);
            if (!st)
                a = pv_lin(x, ONE, a, zk_fp2_mul(sel, bp[k]), v);
        }
    }
    *a_out = a;
    return st;
}

/* q[i] = alpha - sum_k beta^k col_k[i] */
typedef struct {
    const zk_fp *const *cols;
    const zk_fp2 *bp;
    zk_fp2 alpha;
    zk_fp2 *q;
} denom_ctx;

static void denom_range(void *vc, size_t b, size_t e)
{
    const denom_ctx *d = vc;
    for (size_t i = b; i < e; i++) {
        zk_fp2 a = zk_fp2_from_fp(d->cols[0][i]);
        for (int k = 1; k < 4; k++)
            a = zk_fp2_add(a, zk_fp2_mul_fp(d->bp[k], d->cols[k][i]));
        d->q[i] = zk_fp2_sub(d->alpha, a);
    }
}

/* the table side's leaves: q[j] = alpha - sum_k beta^k T_k[j], p[j] = -mu[j] */
typedef struct {
    const zk_fp *const *tab;
    const zk_fp *mu;
    const zk_fp2 *bp;
    zk_fp2 alpha;
    zk_fp2 *p, *q;
} table_ctx;

static void table_range(void *vc, size_t b, size_t e)
{
    const table_ctx *d = vc;
    for (size_t j = b; j < e; j++) {
        zk_fp2 a = zk_fp2_from_fp(d->tab[0][j]);
        for (int k = 1; k < 4; k++)
            a = zk_fp2_add(a, zk_fp2_mul_fp(d->bp[k], d->tab[k][j]));
        d->q[j] = zk_fp2_sub(d->alpha, a);
        d->p[j] = zk_fp2_neg(zk_fp2_from_fp(d->mu[j]));
    }
}

/* logUp by GKR (zk/fracsum.h): sum_i 1/(alpha - a_i) = sum_j mu_j/(alpha - T_j)
 * with a_i = sum_k beta^k col_k[i] over the used chunks of rows
 * (lookup_chunks); mu is in the witness commitment. */

static za_status run_lookup(ctx *x)
{
    const zp_circuit *c = x->c;
    zk_multi_layout SL;
    za_status st;
    if (c->n_segs == 0)
        return ZA_OK;
    if ((st = lookup_layout(c, &SL, x->err)))
        return st;
    unsigned N = SL.log_total, m = c->table_log_rows, cl = 0, nchunks = 0;
    lookup_chunks(&SL, &cl, &nchunks);
    zk_fp2 beta = zk_transcript_challenge_fp2(x->t, "lookup/beta");
    zk_fp2 alpha = zk_transcript_challenge_fp2(x->t, "lookup/alpha");
    zk_fp2 bp[4] = { ONE, beta, zk_fp2_mul(beta, beta), ZERO };
    bp[3] = zk_fp2_mul(bp[2], beta);
    pv Psum = pv_pub(x, ZERO), Qsum = pv_pub(x, ONE), Pt, Qt, pt, qt;
    zk_fp2 rt[MAXV];
    zk_fp2 *q = NULL, *p = NULL;
    size_t M = (size_t)1 << m, CH = (size_t)1 << cl;
    if (x->prover) {
        size_t used = (size_t)nchunks * CH;
        q = malloc(sizeof(zk_fp2) * (used > M ? used : M));
        if (!q) {
            st = za_error_set(x->err, ZA_ERR_NOMEM, "out of memory (lookup of 2^%u rows)", N);
            goto out;
        }
        zk_fp *cols[4] = { 0 };
        int kept = x->lrows[0] != NULL;
        for (int k = 0; k < 4 && !st && !kept; k++)
            if (!(cols[k] = malloc(sizeof(zk_fp) * CH)))
                st = za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
        for (unsigned ch = 0; ch < nchunks && !st; ch++) {
            zk_fp *cc[4];
            if (kept)
                for (int k = 0; k < 4; k++)
                    cc[k] = x->lrows[k] + (size_t)ch * CH;
            else
                lookup_rows(x, &SL, (size_t)ch * CH, CH, cols);
            denom_ctx dc = { (const zk_fp *const *)(kept ? cc : cols), bp, alpha,
                             q + (size_t)ch * CH };
            za_parallel_for(CH, CH >= ((size_t)1 << 14) ? x->threads : 1, denom_range, &dc);
        }
        for (int k = 0; k < 4; k++)
            free(cols[k]);
        if (st)
            goto out;
    }
    for (unsigned ch = 0; ch < nchunks && !st; ch++) {
        pv P, Q, pw, qw, a;
        zk_fp2 r[MAXV];
        int fixed[MAXV];
        if ((st = fracsum(x, NULL, x->prover ? q + (size_t)ch * CH : NULL, cl, &P, &Q, r, &pw,
                          &qw)))
            break;
        if ((st = expect_nonzero(x, Q, "lookup: a zero denominator")))
            break;
        Psum = pv_add(x, pv_mul(x, Psum, Q), pv_mul(x, P, Qsum));
        Qsum = pv_mul(x, Qsum, Q);
        if ((st = expect(x, NULL, pw, pv_pub(x, ONE), "lookup: witness numerators are not one")))
            break;
        for (unsigned j = 0; j < N; j++)
            fixed[j] = -1;
        for (unsigned j = cl; j < N; j++) { /* the chunk's index bits */
            r[j] = fp2i((ch >> (j - cl)) & 1);
            fixed[j] = (int)((ch >> (j - cl)) & 1);
        }
        if ((st = lookup_witness_side(x, &SL, r, fixed, bp, &a)))
            break;
        st = expect(x, NULL, qw, pv_affine(x, zk_fp2_neg(ONE), a, alpha),
                    "lookup: the looked-up rows do not match the committed vectors");
    }
    if (st)
        goto out;
    /* the table side */
    if (x->prover) {
        if (!(p = malloc(sizeof(zk_fp2) * M))) {
            st = za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
            goto out;
        }
        table_ctx tc = { (const zk_fp *const *)x->table, x->wit[c->mu_vec], bp, alpha, p, q };
        za_parallel_for(M, M >= ((size_t)1 << 14) ? x->threads : 1, table_range, &tc);
    }
    if ((st = fracsum(x, p, q, m, &Pt, &Qt, rt, &pt, &qt)))
        goto out;
    if ((st = expect_nonzero(x, Qt, "lookup: a zero denominator")) ||
        (st = expect(x, NULL, pv_add(x, pv_mul(x, Psum, Qt), pv_mul(x, Pt, Qsum)),
                     pv_pub(x, ZERO), "lookup: a looked-up row is not in its table")))
        goto out;
    {
        pv muv;
        zk_fp2 tv = ZERO;
        zp_vec_ref mr = { ZP_VEC_WITNESS, c->mu_vec, 0 };
        if ((st = claim(x, mr, rt, &muv)))
            goto out;
        for (int k = 0; k < 4; k++)
            tv = zk_fp2_add(tv, zk_fp2_mul(bp[k], zk_mle_eval_mt(x->table[k], m, rt, x->threads)));
        if ((st = expect(x, NULL, pt, pv_scale(x, zk_fp2_neg(ONE), muv),
                         "lookup: multiplicities do not match")) ||
            (st = expect(x, NULL, qt, pv_pub(x, zk_fp2_sub(alpha, tv)),
                         "lookup: table does not match")))
            goto out;
    }
out:
    free(p), free(q);
    return st;
}

/* ---------------------------------------------------------------- views */

typedef enum { VIEW_CONV, VIEW_DW, VIEW_POOL } view_mode;

/* eq(r, i) for i < 2^n into out */
static void eq_small(const zk_fp2 *r, unsigned n, zk_fp2 *out)
{
    zk_eq_table(r, n, out);
}

/* Per-axis factor of the view -> input map along H or W. */
static void axis_factor(const zk_fp2 *ro, unsigned lo, int32_t no, const zk_fp2 *rk, unsigned lk,
                        int32_t nk, int stride, int dil, int pad, int32_t ni, unsigned li,
                        zk_fp2 *S)
{
    zk_fp2 eo[1 << 16], ek[1 << 8];
    eq_small(ro, lo, eo);
    eq_small(rk, lk, ek);
    for (size_t i = 0; i < ((size_t)1 << li); i++)
        S[i] = ZERO;
    for (int32_t o = 0; o < no; o++)
        for (int32_t k = 0; k < nk; k++) {
            int64_t i = (int64_t)o * stride + (int64_t)k * dil - pad;
            if (i >= 0 && i < ni)
                S[i] = zk_fp2_add(S[i], zk_fp2_mul(eo[o], ek[k]));
        }
}

static zk_fp2 vsum(const zk_fp2 *v, size_t n)
{
    zk_fp2 s = ZERO;
    for (size_t i = 0; i < n; i++)
        s = zk_fp2_add(s, v[i]);
    return s;
}

static zk_fp2 vdot_eq(const zk_fp2 *v, const zk_fp2 *r, unsigned n)
{
    zk_fp2 *e = ext_alloc((size_t)1 << n), s = ZERO;
    if (!e)
        return ZERO; /* only reached out of memory: the check then fails */
    zk_eq_table(r, n, e);
    for (size_t i = 0; i < ((size_t)1 << n); i++)
        s = zk_fp2_add(s, zk_fp2_mul(v[i], e[i]));
    free(e);
    return s;
}

/* The view V(b, oh, ow, kh, kw, c) = X[b, oh*sh+kh*dh-pt, ow*sw+kw*dw-pl,
 * ch(c)] - zp (zero where invalid) at the point (rb, rh, rw, rkh, rkw, rc)
 * is v; reduce to a claim on X. */
static za_status view_reduce(ctx *x, const zp_layer *L, view_mode mode, const zk_fp2 *rb,
                             const zk_fp2 *rh, const zk_fp2 *rw, const zk_fp2 *rkh,
                             const zk_fp2 *rkw, const zk_fp2 *rc, int32_t zp, pv v)
{
    const zp_circuit *c = x->c;
    const zp_shape *X = &c->tensors[L->in].shape, *Y = &c->tensors[L->out].shape;
    zp_vec_ref xr = tref(c, L->in);
    zk_fp2 zpf = fp2i(zp);
    za_status st;
    if (L->identity_view) {
        zk_fp2 pt[MAXV];
        pv xv;
        unsigned k = 0;
        for (unsigned j = 0; j < X->lg[3]; j++)
            pt[k++] = rc[j];
        for (unsigned j = 0; j < Y->lg[2]; j++)
            pt[k++] = rw[j];
        for (unsigned j = 0; j < L->lg_kw; j++)
            pt[k++] = rkw[j];
        for (unsigned j = 0; j < Y->lg[1]; j++)
            pt[k++] = rh[j];
        for (unsigned j = 0; j < L->lg_kh; j++)
            pt[k++] = rkh[j];
        for (unsigned j = 0; j < X->lg[0]; j++)
            pt[k++] = rb[j];
        if ((st = claim(x, xr, pt, &xv)))
            return st;
        return expect(x, L, pv_affine(x, ONE, xv, zk_fp2_neg(zk_fp2_mul(zpf, zp_mle_valid(X, pt)))),
                      v, "input view does not match the input");
    }
    size_t nb = (size_t)1 << X->lg[0], nh = (size_t)1 << X->lg[1], nw = (size_t)1 << X->lg[2],
           nc = (size_t)1 << X->lg[3];
    zk_fp2 *Sb = ext_alloc(nb), *Sh = ext_alloc(nh), *Sw = ext_alloc(nw), *Sc = ext_alloc(nc);
    zk_fp2 *s = NULL;
    st = ZA_OK;
    if (!Sb || !Sh || !Sw || !Sc || X->lg[1] > 16 || X->lg[2] > 16 || L->lg_kh > 8 ||
        L->lg_kw > 8 || Y->lg[3] > 16) {
        st = za_error_set(x->err, ZA_ERR_UNSUPPORTED, "view: sizes beyond the supported range");
        goto out;
    }
    {
        zk_fp2 e[1 << 16];
        eq_small(rb, X->lg[0], e);
        for (size_t i = 0; i < nb; i++)
            Sb[i] = (int64_t)i < X->n[0] ? e[i] : ZERO;
        axis_factor(rh, Y->lg[1], Y->n[1], rkh, L->lg_kh, L->kh, L->sh, L->dh, L->pad_top,
                    X->n[1], X->lg[1], Sh);
        axis_factor(rw, Y->lg[2], Y->n[2], rkw, L->lg_kw, L->kw, L->sw, L->dw, L->pad_left,
                    X->n[2], X->lg[2], Sw);
        if (mode == VIEW_DW) {
            eq_small(rc, Y->lg[3], e);
            for (size_t i = 0; i < nc; i++)
                Sc[i] = ZERO;
            for (int32_t ch = 0; ch < Y->n[3]; ch++)
                Sc[ch / L->depth_mult] = zk_fp2_add(Sc[ch / L->depth_mult], e[ch]);
        } else {
            eq_small(rc, X->lg[3], e);
            for (size_t i = 0; i < nc; i++)
                Sc[i] = (int64_t)i < X->n[3] ? e[i] : ZERO;
        }
    }
    zk_fp2 total = zk_fp2_mul(zk_fp2_mul(vsum(Sb, nb), vsum(Sh, nh)),
                              zk_fp2_mul(vsum(Sw, nw), vsum(Sc, nc)));
    pv target = pv_affine(x, ONE, v, zk_fp2_mul(zpf, total));
    size_t NX = (size_t)1 << X->log_size;
    zk_mle_ref tabs[2];
    if (x->prover) {
        if (!(s = ext_alloc(NX))) {
            st = za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
            goto out;
        }
        for (size_t b = 0; b < nb; b++)
            for (size_t h = 0; h < nh; h++) {
                zk_fp2 bh = zk_fp2_mul(Sb[b], Sh[h]);
                if (zk_fp2_is_zero(bh))
                    continue;
                for (size_t w = 0; w < nw; w++) {
                    zk_fp2 bhw = zk_fp2_mul(bh, Sw[w]);
                    if (zk_fp2_is_zero(bhw))
                        continue;
                    zk_fp2 *row = s + zp_shape_index(X, (int64_t)b, (int64_t)h, (int64_t)w, 0);
                    for (size_t ch = 0; ch < nc; ch++)
                        row[ch] = zk_fp2_mul(bhw, Sc[ch]);
                }
            }
        tabs[0] = zk_mle_ref_base(ref_data(x, xr));
        tabs[1] = zk_mle_ref_ext_inplace(s);
    } else {
        tabs[0] = zk_mle_ref_base(NULL);
        tabs[1] = zk_mle_ref_ext(NULL);
    }
    zk_sumcheck_term term = zk_sumcheck_term_make(ONE, 2, 0, 1, 0, 0);
    zk_sumcheck_instance inst = { X->log_size, 2, tabs, 1, &term };
    zk_fp2 pt[MAXV], ev[2];
    pv fin, xv;
    if ((st = sumcheck(x, &inst, target, pt, ev, &fin)))
        goto out;
    if ((st = claim(x, xr, pt, &xv)))
        goto out;
    {
        zk_fp2 sv = zk_fp2_mul(
            zk_fp2_mul(vdot_eq(Sc, pt + zp_shape_var0(X, 3), X->lg[3]),
                       vdot_eq(Sw, pt + zp_shape_var0(X, 2), X->lg[2])),
            zk_fp2_mul(vdot_eq(Sh, pt + zp_shape_var0(X, 1), X->lg[1]),
                       vdot_eq(Sb, pt + zp_shape_var0(X, 0), X->lg[0])));
        st = expect(x, L, fin, pv_scale(x, sv, xv), "input view does not match the input");
    }
out:
    free(Sb), free(Sh), free(Sw), free(Sc), free(s);
    return st;
}

/* B[k] = sum_{b,oh,ow} eq(rho_bo, (b,oh,ow)) V(b,oh,ow,k) over the window
 * index k (CONV: (kh, kw, ic); DW/POOL: (kh, kw, c)), laid out like the
 * layer's weight shape without its highest axis. */
static za_status view_fold(ctx *x, const zp_layer *L, view_mode mode, const zk_fp2 *rb,
                           const zk_fp2 *rh, const zk_fp2 *rw, int32_t zp, zk_fp2 *B)
{
    const zp_circuit *c = x->c;
    const zp_shape *X = &c->tensors[L->in].shape, *Y = &c->tensors[L->out].shape;
    const zp_shape *W = &L->w_shape;
    const zk_fp *xv = ref_data(x, tref(c, L->in));
    zk_fp2 *eb = ext_alloc((size_t)1 << Y->lg[0]), *eh = ext_alloc((size_t)1 << Y->lg[1]),
           *ew = ext_alloc((size_t)1 << Y->lg[2]);
    if (!eb || !eh || !ew) {
        free(eb), free(eh), free(ew);
        return za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
    }
    zk_eq_table(rb, Y->lg[0], eb);
    zk_eq_table(rh, Y->lg[1], eh);
    zk_eq_table(rw, Y->lg[2], ew);
    zk_fp zpf = zk_fp_from_i64(zp);
    int32_t nch = mode == VIEW_CONV ? X->n[3] : Y->n[3];
    for (int32_t b = 0; b < Y->n[0]; b++)
        for (int32_t oh = 0; oh < Y->n[1]; oh++)
            for (int32_t ow = 0; ow < Y->n[2]; ow++) {
                zk_fp2 e = zk_fp2_mul(zk_fp2_mul(eb[b], eh[oh]), ew[ow]);
                for (int32_t kh = 0; kh < L->kh; kh++) {
                    int64_t ih = (int64_t)oh * L->sh + (int64_t)kh * L->dh - L->pad_top;
                    if (ih < 0 || ih >= X->n[1])
                        continue;
                    for (int32_t kw = 0; kw < L->kw; kw++) {
                        int64_t iw = (int64_t)ow * L->sw + (int64_t)kw * L->dw - L->pad_left;
                        if (iw < 0 || iw >= X->n[2])
                            continue;
                        const zk_fp *row = xv + zp_shape_index(X, b, ih, iw, 0);
                        zk_fp2 *out = B + zp_shape_index(W, 0, kh, kw, 0);
                        if (mode == VIEW_DW) {
                            for (int32_t ch = 0; ch < nch; ch++)
                                out[ch] = zk_fp2_add(
                                    out[ch],
                                    zk_fp2_mul_fp(e, zk_fp_sub(row[ch / L->depth_mult], zpf)));
                        } else {
                            for (int32_t ch = 0; ch < nch; ch++)
                                out[ch] = zk_fp2_add(out[ch],
                                                     zk_fp2_mul_fp(e, zk_fp_sub(row[ch], zpf)));
                        }
                    }
                }
            }
    free(eb), free(eh), free(ew);
    return ZA_OK;
}

/* ---------------------------------------------------------------- layers */

static za_status threshold_layer(ctx *x, const zp_layer *L)
{
    const zp_circuit *c = x->c;
    const zp_shape *Y = &c->tensors[L->out].shape;
    unsigned n = Y->log_size;
    zk_fp2 rho[MAXV], pt[MAXV];
    pv a;
    za_status st;
    zk_transcript_challenge_fp2_vec(x->t, "layer/rho", rho, n);
    if ((st = claim(x, wref(L->acc), rho, &a)))
        return st;

    const zk_fp2 *rc = rho, *rw = rho + zp_shape_var0(Y, 2), *rh = rho + zp_shape_var0(Y, 1),
                 *rb = rho + zp_shape_var0(Y, 0);
    zk_fp2 valid_bo = zk_fp2_mul(zk_fp2_mul(zp_mle_prefix(rb, Y->lg[0], Y->n[0]),
                                            zp_mle_prefix(rh, Y->lg[1], Y->n[1])),
                                 zp_mle_prefix(rw, Y->lg[2], Y->n[2]));
    pv target = a, bv;
    zp_vec_ref wr = { ZP_VEC_WEIGHT, L->w_vec, 0 }, br = { ZP_VEC_WEIGHT, L->b_vec, 0 };
    if (L->kind != ZP_L_AVG) {
        if ((st = claim(x, br, rc, &bv)))
            return st;
        target = pv_lin(x, ONE, a, zk_fp2_neg(valid_bo), bv);
    }
    const zp_shape *W = &L->w_shape;
    zk_fp2 rk[MAXV], ev[3];
    pv fin, wv, bval;
    zk_fp2 *A = NULL, *Bt = NULL, *E = NULL;
    zk_fp *U = NULL;
    st = ZA_OK;
    if (L->kind == ZP_L_CONV) {
        unsigned nk = W->log_size - W->lg[0];
        zk_mle_ref tabs[2] = { zk_mle_ref_ext(NULL), zk_mle_ref_ext(NULL) };
        if (x->prover) {
            size_t K = (size_t)1 << nk;
            A = ext_alloc(K), Bt = ext_alloc(K), E = ext_alloc((size_t)1 << W->lg[0]);
            if (!A || !Bt || !E) {
                st = za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
                goto out;
            }
            zk_eq_table(rc, W->lg[0], E);
            const zk_fp *wv_ = x->wts[L->w_vec];
            for (int32_t o = 0; o < W->n[0]; o++)
                for (size_t k = 0; k < K; k++)
                    if (wv_[((size_t)o << nk) + k])
                        A[k] = zk_fp2_add(A[k], zk_fp2_mul_fp(E[o], wv_[((size_t)o << nk) + k]));
            if ((st = view_fold(x, L, VIEW_CONV, rb, rh, rw, L->in_zp, Bt)))
                goto out;
            tabs[0] = zk_mle_ref_ext_inplace(A);
            tabs[1] = zk_mle_ref_ext_inplace(Bt);
        }
        zk_sumcheck_term term = zk_sumcheck_term_make(ONE, 2, 0, 1, 0, 0);
        zk_sumcheck_instance inst = { nk, 2, tabs, 1, &term };
        if ((st = sumcheck(x, &inst, target, rk, ev, &fin)))
            goto out;
        memcpy(pt, rk, sizeof(zk_fp2) * nk);
        memcpy(pt + nk, rc, sizeof(zk_fp2) * W->lg[0]);
        if ((st = claim(x, wr, pt, &wv)))
            goto out;
        bval.v = ev[1];
        if ((st = xfer(x, &bval, "view value")) ||
            (st = expect(x, L, fin, pv_mul(x, wv, bval), "matrix product check failed")))
            goto out;
        /* rk: ic (lg IC), kw, kh */
        st = view_reduce(x, L, VIEW_CONV, rb, rh, rw, rk + W->lg[3] + W->lg[2], rk + W->lg[3],
                         rk, L->in_zp, bval);
    } else { /* DW, AVG */
        unsigned nk = W->log_size; /* (1, KH, KW, C) */
        view_mode mode = L->kind == ZP_L_DW ? VIEW_DW : VIEW_POOL;
        int32_t zp = L->kind == ZP_L_DW ? L->in_zp : 0;
        zk_mle_ref tabs[3] = { zk_mle_ref_ext(NULL), zk_mle_ref_base(NULL), zk_mle_ref_ext(NULL) };
        if (x->prover) {
            size_t K = (size_t)1 << nk, C = (size_t)1 << W->lg[3];
            E = ext_alloc(K), Bt = ext_alloc(K);
            A = ext_alloc(C);
            if (!E || !Bt || !A) {
                st = za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
                goto out;
            }
            zk_eq_table(rc, W->lg[3], A);
            for (size_t k = 0; k < K; k++)
                E[k] = A[k & (C - 1)];
            if (L->kind == ZP_L_DW) {
                tabs[1] = zk_mle_ref_base(x->wts[L->w_vec]);
            } else {
                U = calloc(K, sizeof(zk_fp));
                if (!U) {
                    st = za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
                    goto out;
                }
                for (int32_t kh = 0; kh < L->kh; kh++)
                    for (int32_t kw = 0; kw < L->kw; kw++)
                        for (int32_t ch = 0; ch < W->n[3]; ch++)
                            U[zp_shape_index(W, 0, kh, kw, ch)] = 1;
                tabs[1] = zk_mle_ref_base(U);
            }
            if ((st = view_fold(x, L, mode, rb, rh, rw, zp, Bt)))
                goto out;
            tabs[0] = zk_mle_ref_ext_inplace(E);
            tabs[2] = zk_mle_ref_ext_inplace(Bt);
        }
        zk_sumcheck_term term = zk_sumcheck_term_make(ONE, 3, 0, 1, 2, 0);
        zk_sumcheck_instance inst = { nk, 3, tabs, 1, &term };
        if ((st = sumcheck(x, &inst, target, rk, ev, &fin)))
            goto out;
        const zk_fp2 *rkc = rk, *rkw = rk + W->lg[3], *rkh = rk + W->lg[3] + W->lg[2];
        if (L->kind == ZP_L_DW) {
            if ((st = claim(x, wr, rk, &wv)))
                goto out;
        } else {
            wv = pv_pub(x, zk_fp2_mul(zk_fp2_mul(zp_mle_prefix(rkc, W->lg[3], W->n[3]),
                                                 zp_mle_prefix(rkw, W->lg[2], W->n[2])),
                                      zp_mle_prefix(rkh, W->lg[1], W->n[1])));
        }
        bval.v = ev[2];
        zk_fp2 eqc = zk_eq_eval(rc, rkc, W->lg[3]);
        if ((st = xfer(x, &bval, "view value")) ||
            (st = expect(x, L, fin,
                         L->kind == ZP_L_DW ? pv_mul(x, pv_scale(x, eqc, wv), bval)
                                            : pv_scale(x, zk_fp2_mul(eqc, wv.v), bval),
                         "window sum check failed")))
            goto out;
        st = view_reduce(x, L, mode, rb, rh, rw, rkh, rkw, rkc, zp, bval);
    }
out:
    free(A), free(Bt), free(E), free(U);
    return st;
}

static za_status max_layer(ctx *x, const zp_layer *L)
{
    const zp_shape *Y = &x->c->tensors[L->out].shape;
    unsigned n = x->c->wit_log[L->taps];
    zk_fp2 tau[MAXV];
    pv tv;
    zk_transcript_challenge_fp2_vec(x->t, "layer/tau", tau, n);
    za_status st = claim(x, wref(L->taps), tau, &tv);
    if (st)
        return st;
    const zk_fp2 *ry = tau, *rkw = tau + Y->log_size, *rkh = rkw + L->lg_kw;
    st = view_reduce(x, L, VIEW_POOL, ry + zp_shape_var0(Y, 0), ry + zp_shape_var0(Y, 1),
                     ry + zp_shape_var0(Y, 2), rkh, rkw, ry, L->in_zp, tv);
    /* the last running maximum is the output, shifted */
    if (!st) {
        zk_fp2 rho[MAXV];
        pv ml, ov;
        zk_transcript_challenge_fp2_vec(x->t, "max/rho", rho, Y->log_size);
        st = claim(x, wref(L->chain[L->n_taps - 2]), rho, &ml);
        if (!st)
            st = claim(x, tref(x->c, L->out), rho, &ov);
        if (!st)
            st = expect(x, L, ml,
                        pv_affine(x, ONE, ov,
                                  zk_fp2_neg(zk_fp2_mul(fp2i(L->in_zp), zp_mle_valid(Y, rho)))),
                        "the output is not the window's maximum");
    }
    /* (m_j - m_{j-1}) (m_j - T_j) = 0 for every step, by zero-checks of up
     * to 8 steps each (the range lookups do the rest) */
    for (int j0 = 1; j0 < L->n_taps && !st; j0 += 8) {
        int j1 = j0 + 8 < L->n_taps ? j0 + 8 : L->n_taps;
        zk_fp2 gamma = zk_transcript_challenge_fp2(x->t, "max/gamma"), gp = ONE;
        /* tables: 3 per step (prev, tap, cur), not deduplicated */
        zk_mle_ref tabs[24];
        zk_sumcheck_term terms[32];
        zp_vec_ref refs[24];
        unsigned bits[24], nbits[24];
        unsigned nt = 0, nterm = 0;
        size_t ny = (size_t)1 << Y->log_size;
        for (int j = j0; j < j1; j++) {
            unsigned k0 = nt;
            for (int role = 0; role < 3; role++) { /* prev, tap, cur */
                zp_vec_ref r = wref(L->taps);
                unsigned sb = 0, nb = 0;
                if (role == 0 && j > 1) {
                    r = wref(L->chain[j - 2]);
                } else if (role == 2) {
                    r = wref(L->chain[j - 1]);
                } else {
                    int tap = role == 1 ? j : 0;
                    sb = (unsigned)(((tap / L->kw) << L->lg_kw) | (tap % L->kw));
                    nb = L->lg_kh + L->lg_kw;
                }
                refs[nt] = r, bits[nt] = sb, nbits[nt] = nb;
                tabs[nt] = zk_mle_ref_base(x->prover ? ref_data(x, r) + (size_t)sb * ny : NULL);
                nt++;
            }
            /* (cur - prev)(cur - tap) = cur cur - cur tap - prev cur + prev tap */
            terms[nterm++] = zk_sumcheck_term_make(gp, 2, k0 + 2, k0 + 2, 0, 0);
            terms[nterm++] = zk_sumcheck_term_make(zk_fp2_neg(gp), 2, k0 + 2, k0 + 1, 0, 0);
            terms[nterm++] = zk_sumcheck_term_make(zk_fp2_neg(gp), 2, k0, k0 + 2, 0, 0);
            terms[nterm++] = zk_sumcheck_term_make(gp, 2, k0, k0 + 1, 0, 0);
            gp = zk_fp2_mul(gp, gamma);
        }
        zk_sumcheck_instance inst = { Y->log_size, nt, tabs, nterm, terms };
        zk_sumcheck_proof zp = { 0 };
        zk_fp2 pt[MAXV], ev[24];
        pv cc = pv_pub(x, ZERO), evp[24];
        if (x->bl) {
            zk_blind_engine_begin(x->bl, x->t, x->w, x->r);
            if (x->prover)
                st = zk_zerocheck_prove(&inst, x->t, x->threads, &zp, pt, ev, x->err);
            zk_blind_engine_end(x->bl, x->t);
            zk_hv h;
            if (!st)
                st = zk_blind_zerocheck(x->bl, Y->log_size, 2, pt, &h, x->err);
            if (!st)
                cc = pv_of(x, h);
        } else if (x->prover) {
            st = zk_zerocheck_prove(&inst, x->t, x->threads, &zp, pt, ev, x->err);
            if (!st)
                zk_sumcheck_proof_write(x->w, &zp);
        } else {
            st = zk_sumcheck_proof_read(x->r, Y->log_size, 3, &zp);
            if (st)
                st = zk_reader_status(x->r);
            else
                st = zk_zerocheck_verify(Y->log_size, 2, &zp, x->t, pt, &cc.v, x->err);
        }
        zk_sumcheck_proof_free(&zp);
        for (unsigned k = 0; k < nt && !st; k++)
            st = slice_claim(x, refs[k], Y->log_size, bits[k], nbits[k], pt, &evp[k]);
        /* the plain prover has no c_claim to compare with (it never checks) */
        if (!st && (x->bl || !x->prover))
            st = expect(x, L, pv_combine(x, terms, nterm, evp), cc,
                        "a running maximum is neither of its two candidates");
    }
    return st;
}

/* out[b, ..] = in[b, ..] with the axes permuted: at a random point of the
 * output, out~(rho) = in~(rho with each axis's coordinates moved). */
static za_status permute_layer(ctx *x, const zp_layer *L)
{
    const zp_shape *X = &x->c->tensors[L->in].shape, *Y = &x->c->tensors[L->out].shape;
    zk_fp2 rho[MAXV], pt[MAXV];
    pv a, b;
    zk_transcript_challenge_fp2_vec(x->t, "layer/rho", rho, Y->log_size);
    for (int d = 0; d < 4; d++) {
        int src = L->perm[d];
        memcpy(pt + zp_shape_var0(X, src), rho + zp_shape_var0(Y, d), sizeof(zk_fp2) * Y->lg[d]);
    }
    za_status st = claim(x, tref(x->c, L->out), rho, &a);
    if (!st)
        st = claim(x, tref(x->c, L->in), pt, &b);
    return st ? st : expect(x, L, a, b, "the output is not the transposed input");
}

/* out = the inputs side by side along one axis: at a random point rho of
 * the output, out~(rho) = sum_j S_j with
 *     S_j = sum_c in_j~(rho_other, c) * eq(rho_axis, off_j + c)
 * one degree-2 sumcheck over input j's axis each, ending in a claim on
 * in_j; the verifier evaluates the shifted eq itself (O(length)). */
static za_status concat_layer(ctx *x, const zp_layer *L)
{
    const zp_circuit *c = x->c;
    const zp_shape *Y = &c->tensors[L->out].shape;
    int ax = L->cat_axis;
    zk_fp2 rho[MAXV];
    pv a, total = pv_pub(x, ZERO);
    zk_transcript_challenge_fp2_vec(x->t, "layer/rho", rho, Y->log_size);
    za_status st = claim(x, tref(c, L->out), rho, &a);
    const zk_fp2 *ra = rho + zp_shape_var0(Y, ax);
    unsigned la = Y->lg[ax];
    for (int j = 0; j < L->n_cat && !st; j++) {
        const zp_shape *S = &c->tensors[L->cat_in[j]].shape;
        unsigned lj = S->lg[ax], n = S->log_size;
        size_t nj = (size_t)1 << lj;
        int32_t len = S->n[ax];
        /* E[cc] = eq(rho_axis, off + cc) for cc < len */
        zk_fp2 *E = ext_alloc(nj), *T = ext_alloc(nj), *ea = ext_alloc((size_t)1 << la);
        if (!E || !T || !ea) {
            free(E), free(T), free(ea);
            return za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
        }
        zk_eq_table(ra, la, ea);
        for (int32_t cc = 0; cc < len; cc++)
            E[cc] = ea[L->cat_off[j] + cc];
        /* the point of in_j: rho's coordinates on the other axes */
        zk_fp2 pt[MAXV], rk[MAXV], ev[2];
        pv sj = { ZERO, { 0 } }, fin = { ZERO, { 0 } }, tv;
        for (int d = 0; d < 4; d++)
            if (d != ax)
                memcpy(pt + zp_shape_var0(S, d), rho + zp_shape_var0(Y, d),
                       sizeof(zk_fp2) * S->lg[d]);
        if (x->prover) {
            /* T[cc] = sum over the other axes of eq(rho_other, .) in_j */
            const zk_fp *v = ref_data(x, tref(c, L->cat_in[j]));
            zk_fp2 *eo = ext_alloc((size_t)1 << (n - lj));
            if (!eo) {
                free(E), free(T), free(ea);
                return za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
            }
            /* the other axes' coordinates, in order, low to high */
            zk_fp2 ro[MAXV];
            unsigned k = 0, v0 = zp_shape_var0(S, ax);
            for (unsigned q = 0; q < n; q++)
                if (q < v0 || q >= v0 + lj)
                    ro[k++] = pt[q];
            zk_eq_table(ro, n - lj, eo);
            size_t lowmask = ((size_t)1 << v0) - 1;
            for (size_t i = 0; i < ((size_t)1 << n); i++) {
                if (!v[i])
                    continue;
                size_t cc = (i >> v0) & (nj - 1);
                size_t other = (i & lowmask) | ((i >> (v0 + lj)) << v0);
                T[cc] = zk_fp2_add(T[cc], zk_fp2_mul_fp(eo[other], v[i]));
            }
            free(eo);
            for (size_t cc = 0; cc < nj; cc++)
                sj.v = zk_fp2_add(sj.v, zk_fp2_mul(T[cc], E[cc]));
        }
        st = xfer(x, &sj, "concatenation part");
        if (!st && lj == 0) {
            st = claim(x, tref(c, L->cat_in[j]), pt, &tv);
            if (!st)
                st = expect(x, L, sj, pv_scale(x, E[0], tv), "a concatenated input does not match");
        } else if (!st) {
            zk_mle_ref tabs[2] = { zk_mle_ref_ext_inplace(x->prover ? T : NULL),
                                   zk_mle_ref_ext(NULL) };
            zk_fp2 *E2 = x->prover ? ext_alloc(nj) : NULL;
            if (x->prover) {
                memcpy(E2, E, sizeof(zk_fp2) * nj);
                tabs[1] = zk_mle_ref_ext_inplace(E2);
            }
            zk_sumcheck_term term = zk_sumcheck_term_make(ONE, 2, 0, 1, 0, 0);
            zk_sumcheck_instance inst = { lj, 2, tabs, 1, &term };
            st = sumcheck(x, &inst, sj, rk, ev, &fin);
            free(E2);
            if (!st) {
                memcpy(pt + zp_shape_var0(S, ax), rk, sizeof(zk_fp2) * lj);
                st = claim(x, tref(c, L->cat_in[j]), pt, &tv);
            }
            if (!st) {
                zk_fp2 ev_e = zk_mle_eval_ext(E, lj, rk);
                st = expect(x, L, fin, pv_scale(x, ev_e, tv), "a concatenated input does not match");
            }
        }
        total = pv_add(x, total, sj);
        free(E), free(T), free(ea);
    }
    return st ? st : expect(x, L, a, total, "the output is not the concatenation of the inputs");
}

/* A RESHAPE that moves elements: element e of each sample keeps its
 * row-major position, in different padded layouts.  At a random point rho
 * of the output, out~(rho) = sum_i in[i] s[i] with s[i] = eq(rho, pos_out(i))
 * on the valid positions: one degree-2 sumcheck over the input; the
 * verifier evaluates s~ itself in O(elements). */
static za_status reshape_layer(ctx *x, const zp_layer *L)
{
    const zp_shape *X = &x->c->tensors[L->in].shape, *Y = &x->c->tensors[L->out].shape;
    zk_fp2 rho[MAXV], pt[MAXV], ev[2];
    pv a, fin, xv;
    zk_transcript_challenge_fp2_vec(x->t, "layer/rho", rho, Y->log_size);
    za_status st = claim(x, tref(x->c, L->out), rho, &a);
    if (st)
        return st;
    size_t NX = (size_t)1 << X->log_size;
    zk_fp2 *ey = ext_alloc((size_t)1 << Y->log_size), *sv = ext_alloc(NX), *s2 = NULL;
    if (!ey || !sv) {
        free(ey), free(sv);
        return za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
    }
    zk_eq_table_mt(rho, Y->log_size, ey, x->threads);
    int64_t E = (int64_t)X->n[1] * X->n[2] * X->n[3];
    for (int32_t b = 0; b < X->n[0]; b++)
        for (int64_t e = 0; e < E; e++) {
            int64_t xc = e % X->n[3], xw = (e / X->n[3]) % X->n[2], xh = e / ((int64_t)X->n[3] * X->n[2]);
            int64_t yc = e % Y->n[3], yw = (e / Y->n[3]) % Y->n[2], yh = e / ((int64_t)Y->n[3] * Y->n[2]);
            sv[zp_shape_index(X, b, xh, xw, xc)] = ey[zp_shape_index(Y, b, yh, yw, yc)];
        }
    free(ey);
    zk_mle_ref tabs[2] = { zk_mle_ref_base(x->prover ? ref_data(x, tref(x->c, L->in)) : NULL),
                           zk_mle_ref_ext(NULL) };
    if (x->prover) {
        if (!(s2 = ext_alloc(NX))) {
            free(sv);
            return za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
        }
        memcpy(s2, sv, sizeof(zk_fp2) * NX);
        tabs[1] = zk_mle_ref_ext_inplace(s2);
    }
    zk_sumcheck_term term = zk_sumcheck_term_make(ONE, 2, 0, 1, 0, 0);
    zk_sumcheck_instance inst = { X->log_size, 2, tabs, 1, &term };
    st = sumcheck(x, &inst, a, pt, ev, &fin);
    free(s2);
    if (!st)
        st = claim(x, tref(x->c, L->in), pt, &xv);
    if (!st)
        st = expect(x, L, fin, pv_scale(x, zk_mle_eval_ext_mt(sv, X->log_size, pt, x->threads), xv),
                    "the output is not the reshaped input");
    free(sv);
    return st;
}

static za_status run_relations(ctx *x)
{
    double t0 = za_now_s();
    za_status st = run_lookup(x);
    if (x->prover)
        za_log_debug("lookup: %.3f s", za_now_s() - t0);
    for (unsigned l = 0; l < x->c->n_layers && !st; l++) {
        const zp_layer *L = &x->c->layers[l];
        t0 = za_now_s();
        switch (L->kind) {
        case ZP_L_CONV:
        case ZP_L_DW:
        case ZP_L_AVG:
            st = threshold_layer(x, L);
            break;
        case ZP_L_MAX:
            st = max_layer(x, L);
            break;
        case ZP_L_PERMUTE:
            st = permute_layer(x, L);
            break;
        case ZP_L_CONCAT:
            st = concat_layer(x, L);
            break;
        case ZP_L_RESHAPE:
            st = reshape_layer(x, L);
            break;
        default:
            break;
        }
        if (x->prover)
            za_log_debug("operator %d (%s): %.3f s", L->op_index,
                         zm_op_name(x->c->model->ops[L->op_index].opcode), za_now_s() - t0);
    }
    return st;
}

/* The weight commitment's layout (protocol/model_commit.c commits the
 * circuit's weight vectors in this order; a private commitment is hiding
 * for its budget of openings, which its parameters carry). */
static za_status zp_weight_layout(const zp_circuit *c, const zp_model_commitment *mc,
                                  zk_multi_layout *L, za_error *err)
{
    size_t lens[ZP_MAX_VECS];
    for (unsigned v = 0; v < c->n_wts; v++)
        lens[v] = (size_t)1 << c->wts_log[v];
    zk_multi_commit_opts o = { mc->weights.params.hiding_openings, NULL };
    return zk_multi_layout_make_ex(lens, c->n_wts, o.hiding_openings ? &o : NULL, L, err);
}

/* K~(z) for K = sum_i coef_i eq(p_i, .) placed at claim i's vector's offset
 * less base, over n variables: what the verifier computes itself at the end
 * of a sumcheck against the claims' kernel. */
static zk_fp2 claims_kernel_eval(const zk_multi_layout *L, const zk_multi_claim *claims,
                                 const zk_fp2 *coef, unsigned n_claims, uint64_t base,
                                 const zk_fp2 *z, unsigned n)
{
    zk_fp2 wz = ZERO, full[ZK_MULTI_MAX_VARS + 1];
    for (unsigned i = 0; i < n_claims; i++) {
        unsigned v = claims[i].vec, nv = L->log_len[v];
        uint64_t off = L->offset[v] - base;
        for (unsigned j = 0; j < n; j++)
            full[j] = j < nv ? claims[i].point[j] : fp2i((int64_t)((off >> j) & 1));
        wz = zk_fp2_add(wz, zk_fp2_mul(coef[i], zk_eq_eval(full, z, n)));
    }
    return wz;
}

/* ---------------------------------------------------------------- private model */

/* A private model's weight claims (hidden values h_i of weight vectors'
 * MLEs at points p_i), reduced to one opening of the hiding weight
 * commitment (docs/zero-knowledge.md, "Private model").  With a_i the
 * powers of a challenge, sum_i a_i h_i = sum_x T(x) K(x) for the committed
 * table T and K = sum_i a_i eq(p_i, .) at each vector's offset (zero on the
 * mask rows).  A blinded sumcheck (every round message padded) ends at a
 * uniform point z with the hidden value T~(z) K(z); the prover then sends
 * T~(z) in the clear and opens T there.  T~(z) and the opening's row
 * combination are uniform because T holds the commitment's mask rows, and
 * the opened columns are uniform by its padding, for up to B openings in
 * all (protocol/model_key.h keeps the count across proofs).  K(z) the
 * verifier computes.  Soundness: that of the sumcheck, n_tc / |F| for the
 * combination, and the opening's.  open = 0 (counting pads) stops before
 * the opening. */
static za_status weight_reduce(ctx *x, const zk_multi_layout *L, const zk_multi_prover *mp,
                               const zk_pcs_commitment *com, int open)
{
    if (!x->n_tc)
        return ZA_OK;
    unsigned n = L->log_total;
    zk_fp2 alpha = zk_transcript_challenge_fp2(x->t, "weights/combine"), a = ONE;
    zk_fp2 *coef = ext_alloc(x->n_tc);
    if (!coef)
        return za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
    pv total = pv_pub(x, ZERO);
    for (unsigned i = 0; i < x->n_tc; i++) {
        coef[i] = a;
        pv h = { x->tc[i].value, x->tc_hv[i] };
        total = pv_lin(x, ONE, total, a, h);
        a = zk_fp2_mul(a, alpha);
    }
    zk_fp2 *K = NULL, z[ZK_MULTI_MAX_VARS], ev[2] = { ZERO, ZERO };
    const zk_fp *T = NULL;
    if (x->prover) {
        if (!(K = ext_alloc((size_t)1 << n))) {
            free(coef);
            return za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
        }
        for (unsigned i = 0; i < x->n_tc; i++) {
            unsigned v = x->tc[i].vec;
            zk_eq_table_accumulate(x->tc[i].point, L->log_len[v], coef[i], K + L->offset[v],
                                   x->threads);
        }
        T = zk_multi_table(mp);
    }
    zk_mle_ref tabs[2] = { zk_mle_ref_base(T), zk_mle_ref_ext_inplace(K) };
    zk_sumcheck_term term = zk_sumcheck_term_make(ONE, 2, 0, 1, 0, 0);
    zk_sumcheck_instance inst = { n, 2, tabs, 1, &term };
    pv fin;
    za_status st = sumcheck(x, &inst, total, z, ev, &fin);
    free(K);
    if (st) {
        free(coef);
        return st;
    }
    /* T~(z) in the clear (uniform: the mask rows) */
    zk_fp2 tz = ev[0];
    if (x->prover && x->test_evals) { /* the weight vectors' part of T~(z): no mask */
        zk_fp2 data = ZERO;
        for (unsigned v = 0; v < L->n_vecs; v++) {
            zk_fp2 e = zk_multi_eval(mp, v, z);
            for (unsigned j = L->log_len[v]; j < n; j++)
                e = zk_fp2_mul(e, (L->offset[v] >> j) & 1 ? z[j] : zk_fp2_sub(ONE, z[j]));
            data = zk_fp2_add(data, e);
        }
        zp_prove_stats *S = x->test_evals;
        if (S->n_weight_evals < ZP_STATS_WEIGHT_EVALS)
            S->weight_evals[S->n_weight_evals++] = data;
    }
    if (x->prover)
        x->weights_begin = x->w->len, zk_write_fp2(x->w, tz);
    else if (zk_read_fp2(x->r, "weight table value", &tz)) {
        free(coef);
        return zk_reader_status(x->r);
    }
    zk_transcript_absorb_fp2(x->t, "weights/table-value", &tz, 1);
    zk_fp2 kz = claims_kernel_eval(L, x->tc, coef, x->n_tc, 0, z, n);
    free(coef);
    if ((st = expect(x, NULL, fin, pv_pub(x, zk_fp2_mul(tz, kz)),
                     "private model: the weights' sumcheck does not end at the opened value")))
        return st;
    x->n_tc = 0; /* consumed: the final statement has no weight part */
    if (!open)
        return ZA_OK;
    st = x->prover ? zk_multi_open_point(mp, z, tz, x->t, x->w, x->err)
                   : zk_multi_verify_point(com, L, z, tz, x->t, x->r, x->err);
    if (st && !x->prover)
        za_error_prefix(x->err, "private model: weight opening");
    if (x->prover)
        x->weights_end = x->w->len;
    return st;
}

/* ---------------------------------------------------------------- blinded proofs */

/* One table's part of a blinded proof's final linear statement,
 *     sum_i coef_i v_{vec_i}~(p_i) + <kern, V[offset(kvec) ..)> = value,
 * proven by the sumcheck of sum_x V(x) W(x) = value, W the combined kernel
 * (the verifier evaluates W at the end itself), then one opening of V at
 * the sumcheck's point.
 * With a masking vector (rvec >= 0: a uniformly random vector R filling the
 * table's lower half, the statement's vectors all in the upper half U), the
 * prover first states s = <R, W>, both draw c, and the sumcheck runs on
 *     sum_x (U + c R)(x) W(x) = value + c s.
 * U + c R is uniformly random whatever U is, so every round message, the
 * final value and the opening's row combination are too (zero knowledge of
 * this step); a false s or value passes for at most one c.  The opening is
 * of V at (z, 1/(1 + c)): V~(z, y) = (1 - y) R~(z) + y U~(z). */
static za_status table_statement(ctx *x, const zk_multi_prover *mp, const zk_pcs_commitment *com,
                                 const zk_multi_layout *L, const zk_multi_claim *claims,
                                 const zk_fp2 *coef, unsigned n_claims, int kvec,
                                 const zk_fp2 *kern, size_t klen, int rvec, zk_fp2 value)
{
    unsigned N = L->log_total, n = N;
    uint64_t base = 0; /* the statement's half of the table */
    if (rvec >= 0) {
        if (N < 1 || L->offset[rvec] != 0 || L->log_len[rvec] != N - 1)
            return za_error_set(x->err, ZA_ERR_ARG, "blinded proof: a misplaced mask vector");
        n = N - 1, base = (uint64_t)1 << n;
    }
    zk_fp2 z[ZK_MULTI_MAX_VARS + 1], tz = ZERO, fin = ZERO, ev[2], sv = ZERO, cmix = ZERO;
    zk_sumcheck_proof sp = { 0 };
    za_status st = ZA_OK;
    zk_fp2 *W = NULL, *U = NULL;
    if (x->prover) {
        W = ext_alloc((size_t)1 << n);
        if (!W)
            return za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
        for (unsigned i = 0; i < n_claims; i++) {
            unsigned v = claims[i].vec;
            zk_eq_table_accumulate(claims[i].point, L->log_len[v], coef[i],
                                   W + (L->offset[v] - base), x->threads);
        }
        if (kvec >= 0)
            for (size_t e = 0; e < klen; e++)
                W[L->offset[kvec] - base + e] = zk_fp2_add(W[L->offset[kvec] - base + e], kern[e]);
    }
    const zk_fp *T = x->prover ? zk_multi_table(mp) : NULL;
    zk_mle_ref tabs[2] = { zk_mle_ref_base(T), zk_mle_ref_ext_inplace(W) };
    zk_fp2 sim_a = ZERO, sim_b = ZERO; /* TEST ONLY (simulate): <U, W> and <R, W> */
    if (rvec >= 0) {
        if (x->prover) {
            zk_fp2 acc = ZERO;
            for (size_t k = 0; k < ((size_t)1 << n); k++)
                acc = zk_fp2_add(acc, zk_fp2_mul_fp(W[k], T[k]));
            sv = acc;
            if (x->simulate) { /* s uniform instead of <R, W>, then c fitted below */
                sim_b = sv;
                for (size_t k = 0; k < ((size_t)1 << n); k++)
                    sim_a = zk_fp2_add(sim_a, zk_fp2_mul_fp(W[k], T[base + k]));
                zk_fp rnd[2];
                if (zk_blind_random_fp(2, rnd, x->err)) {
                    free(W);
                    return ZA_ERR_IO;
                }
                sv = zk_fp2_make(rnd[0], rnd[1]);
            }
            zk_write_fp2(x->w, sv);
        } else if (zk_read_fp2(x->r, "mask part", &sv)) {
            return zk_reader_status(x->r);
        }
        zk_transcript_absorb_fp2(x->t, "blind/mask-part", &sv, 1);
        cmix = zk_transcript_challenge_fp2(x->t, "blind/mask-mix");
        if (x->prover && x->simulate) /* a + c b = value + c s */
            x->sim_mix = cmix = zk_fp2_mul(zk_fp2_sub(value, sim_a),
                                           zk_fp2_inv(zk_fp2_sub(sim_b, sv)));
        if (zk_fp2_is_zero(zk_fp2_add(cmix, ONE)) || zk_fp2_is_zero(cmix)) {
            free(W);
            return za_error_set(x->err, ZA_ERR_MISMATCH, "blinded proof: a degenerate mix");
        }
        value = zk_fp2_add(value, zk_fp2_mul(cmix, sv));
        if (x->prover) {
            if (!(U = ext_alloc((size_t)1 << n))) {
                free(W);
                return za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
            }
            for (size_t k = 0; k < ((size_t)1 << n); k++)
                U[k] = zk_fp2_add(zk_fp2_from_fp(T[base + k]), zk_fp2_mul_fp(cmix, T[k]));
            tabs[0] = zk_mle_ref_ext_inplace(U);
        }
    }
    if (x->prover) {
        zk_sumcheck_term term = zk_sumcheck_term_make(ONE, 2, 0, 1, 0, 0);
        zk_sumcheck_instance inst = { n, 2, tabs, 1, &term };
        st = zk_sumcheck_prove(&inst, value, x->t, x->threads, &sp, z, ev, x->err);
        free(W), free(U);
        if (!st) {
            zk_sumcheck_proof_write(x->w, &sp);
            tz = ev[0];
            zk_write_fp2(x->w, tz);
        }
    } else {
        st = zk_sumcheck_proof_read(x->r, n, 2, &sp);
        if (st)
            st = zk_reader_status(x->r);
        if (!st)
            st = zk_sumcheck_verify(n, 2, value, &sp, x->t, z, &fin, x->err);
        if (!st && zk_read_fp2(x->r, "table value", &tz))
            st = zk_reader_status(x->r);
    }
    zk_sumcheck_proof_free(&sp);
    if (st)
        return st;
    zk_transcript_absorb_fp2(x->t, "blind/table-value", &tz, 1);
    if (!x->prover) { /* W(z), from the claims and the kernel */
        zk_fp2 wz = claims_kernel_eval(L, claims, coef, n_claims, base, z, n);
        if (kvec >= 0) {
            unsigned nk = L->log_len[kvec];
            uint64_t off = L->offset[kvec] - base;
            zk_fp2 *e = ext_alloc((size_t)1 << nk), hi = ONE;
            if (!e)
                return za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
            zk_eq_table(z, nk, e);
            zk_fp2 s = ZERO;
            for (size_t k = 0; k < klen; k++)
                s = zk_fp2_add(s, zk_fp2_mul(kern[k], e[k]));
            free(e);
            for (unsigned j = nk; j < n; j++)
                hi = zk_fp2_mul(hi, (off >> j) & 1 ? z[j] : zk_fp2_sub(ONE, z[j]));
            wz = zk_fp2_add(wz, zk_fp2_mul(hi, s));
        }
        if (!zk_fp2_eq(fin, zk_fp2_mul(tz, wz)))
            return za_error_set(x->err, ZA_ERR_MISMATCH,
                                "blinded proof: the final linear statement does not hold");
    }
    if (rvec >= 0) { /* (U + c R)(z) = (1 + c) V~(z, 1/(1 + c)) */
        zk_fp2 inv = zk_fp2_inv(zk_fp2_add(ONE, cmix));
        z[n] = inv;
        tz = zk_fp2_mul(tz, inv);
    }
    return x->prover ? zk_multi_open_point(mp, z, tz, x->t, x->w, x->err)
                     : zk_multi_verify_point(com, L, z, tz, x->t, x->r, x->err);
}

/* The witness commitment's vector lengths: the witness, and in a blinded
 * proof the pads (two base elements each) and the mask vector R that fills
 * the lower half of the table (table_statement).  A blinded proof's witness
 * commitment is hiding for its one opening (zk/commit.h, B = 1). */
static za_status witness_lens(const zp_circuit *c, int blinded, size_t n_pads, size_t *lens,
                              unsigned *nv, za_error *err)
{
    unsigned k = 0;
    for (unsigned v = 0; v < c->n_wit; v++)
        lens[k++] = (size_t)1 << c->wit_log[v];
    if (blinded) {
        if (c->n_wit + 2 > ZP_MAX_VECS || c->n_wit + 2 > ZK_MULTI_MAX_VECS)
            return za_error_set(err, ZA_ERR_UNSUPPORTED, "too many vectors to blind");
        lens[k++] = 2 * n_pads;
        zk_multi_layout L;
        zk_multi_commit_opts o = { 1, NULL };
        za_status st = zk_multi_layout_make_ex(lens, k, &o, &L, err);
        if (st)
            return st;
        /* R must be exactly the lower half of the final table; the hiding
         * layout's mask row grows with the table, so for a small witness
         * R may have to be larger than the rest (both parties iterate the
         * same way: R only grows, so this ends) */
        unsigned r = L.log_total;
        for (;;) {
            lens[k] = (size_t)1 << r;
            if ((st = zk_multi_layout_make_ex(lens, k + 1, &o, &L, err)))
                return st;
            if (L.log_total == r + 1 && L.offset[k] == 0)
                break;
            if (L.log_total <= r + 1 || r >= ZK_MULTI_MAX_VARS - 1)
                return za_error_set(err, ZA_ERR_UNSUPPORTED, "blinded proof: no layout for the "
                                    "mask vector");
            r = L.log_total - 1;
        }
        k++;
    }
    *nv = k;
    return ZA_OK;
}

/* The end of a blinded proof: the product check, then the linear statement
 * (zk/blind.h) split into the witness table's part (claims on witness
 * vectors and the pads) and the weight table's part, whose value the
 * prover states. */
static za_status blind_finish(ctx *x, const zk_multi_prover *mw, const zk_pcs_commitment *cw,
                              const zk_multi_layout *Lw, const zk_multi_prover *mt,
                              const zk_pcs_commitment *ct, const zk_multi_layout *Lt,
                              unsigned pad_vec)
{
    zk_blind_linear_stmt s;
    za_status st = zk_blind_products(x->bl, x->t, x->threads, x->w, x->r, x->err);
    if (!st)
        st = zk_blind_linear(x->bl, x->t, &s, x->err);
    if (st)
        return st;
    /* the header's pad count is what the proof used (an honest prover
     * counts them exactly), so nothing below is sized by a false count */
    if (!x->prover && zk_blind_pads_used(x->bl) != x->n_pads_declared) {
        zk_blind_linear_free(&s);
        return za_error_set(x->err, ZA_ERR_MALFORMED, "blinded proof: %zu pads declared, %zu used",
                            x->n_pads_declared, zk_blind_pads_used(x->bl));
    }
    zk_fp2 *cw_coef = ext_alloc(x->n_wc), *ct_coef = ext_alloc(x->n_tc);
    zk_fp2 *kern = ext_alloc(2 * s.n_pads);
    zk_fp2 sigma = ZERO;
    if (!cw_coef || !ct_coef || !kern) {
        st = za_error_set(x->err, ZA_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (unsigned i = 0; i < x->n_wc; i++)
        cw_coef[i] = s.ext_coef[x->wc_ext[i]];
    for (unsigned i = 0; i < x->n_tc; i++) {
        ct_coef[i] = s.ext_coef[x->tc_ext[i]];
        sigma = zk_fp2_add(sigma, zk_fp2_mul(ct_coef[i], x->tc[i].value));
    }
    /* pad k is stored as two base elements, c0 at 2k and c1 at 2k+1 */
    if (x->prover)
        x->blinded_end = x->w->len;
    for (size_t k = 0; k < s.n_pads; k++) {
        kern[2 * k] = s.pad_kernel[k];
        kern[2 * k + 1] = zk_fp2_mul(s.pad_kernel[k], zk_fp2_make(0, 1));
    }
    if (x->n_tc) {
        if (x->prover)
            zk_write_fp2(x->w, sigma);
        else if (zk_read_fp2(x->r, "weights' part", &sigma)) {
            st = zk_reader_status(x->r);
            goto out;
        }
        zk_transcript_absorb_fp2(x->t, "blind/weights-part", &sigma, 1);
    }
    st = table_statement(x, mw, cw, Lw, x->wc, cw_coef, x->n_wc, (int)pad_vec, kern,
                         2 * s.n_pads, (int)pad_vec + 1, zk_fp2_sub(s.value, sigma));
    if (!st && x->n_tc)
        st = table_statement(x, mt, ct, Lt, x->tc, ct_coef, x->n_tc, -1, NULL, 0, -1, sigma);
out:
    free(cw_coef), free(ct_coef), free(kern);
    zk_blind_linear_free(&s);
    return st;
}

/* The pads a blinded proof uses, counted by a dry run of the verifier's
 * side on an all-zero proof (the count depends only on the circuit). */
static za_status count_pads(const ctx *px, const zk_multi_layout *Lt, size_t *n_out)
{
    for (size_t len = (size_t)1 << 22;; len *= 4) {
        ctx v;
        memset(&v, 0, sizeof v);
        v.prover = 0, v.c = px->c, v.threads = px->threads, v.pub = px->pub, v.priv = px->priv;
        memcpy(v.table, px->table, sizeof v.table);
        za_error e;
        memset(&e, 0, sizeof e);
        v.err = &e;
        zk_transcript t;
        zk_transcript_init(&t, "zkaudit/inference/pad-count");
        v.t = &t;
        uint8_t *zeros = calloc(len, 1);
        v.bl = zk_blind_new(ZK_BLIND_MAX_PADS, NULL);
        if (!zeros || !v.bl) {
            free(zeros), zk_blind_free(v.bl);
            return za_error_set(px->err, ZA_ERR_NOMEM, "out of memory");
        }
        zk_reader r;
        zk_reader_init(&r, zeros, len, "count", NULL);
        v.r = &r;
        za_status st = run_relations(&v);
        if (!st && v.priv)
            st = weight_reduce(&v, Lt, NULL, NULL, 0);
        if (!st)
            st = zk_blind_products(v.bl, &t, 1, NULL, &r, &e);
        size_t used = zk_blind_pads_used(v.bl);
        int truncated = r.status != ZA_OK;
        zk_blind_free(v.bl);
        free(v.wc), free(v.tc), free(v.wc_ext), free(v.tc_ext), free(v.tc_hv);
        free(zeros);
        if (!st) {
            *n_out = used;
            return ZA_OK;
        }
        if (!truncated || len >= ((size_t)1 << 30))
            return za_error_set(px->err, st, "prover: counting the pads: %s", e.msg);
    }
}

/* ---------------------------------------------------------------- public data */

/* Copy sample b of model tensor data into a padded vector. */
static void fill_tensor(const zp_tensor *t, const zm_tensor *mt, unsigned b, const void *data,
                        zk_fp *vec)
{
    const zp_shape *s = &t->shape;
    int64_t H = s->n[1], W = s->n[2], C = s->n[3];
    for (int64_t e = 0; e < mt->n_elems; e++) {
        int64_t c = e % C, w = (e / C) % W, h = e / (C * W);
        int32_t v = t->is_uint8 ? ((const uint8_t *)data)[e] : ((const int8_t *)data)[e];
        vec[zp_shape_index(s, b, h, w, c)] = zk_fp_from_i64(v);
        (void)H;
    }
}

static za_status alloc_vecs(zk_fp **v, unsigned n, const unsigned *logs, za_error *err)
{
    for (unsigned i = 0; i < n; i++)
        v[i] = NULL;
    for (unsigned i = 0; i < n; i++)
        if (!(v[i] = calloc((size_t)1 << logs[i], sizeof(zk_fp))))
            return za_error_set(err, ZA_ERR_NOMEM, "out of memory (witness vector of 2^%u)",
                                logs[i]);
    return ZA_OK;
}

static void free_vecs(zk_fp **v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        free(v[i]), v[i] = NULL;
}

/* Bytes of one sample: every model input, in order. */
static size_t sample_bytes(const zm_model *m)
{
    size_t n = 0;
    for (int k = 0; k < m->n_inputs; k++)
        n += (size_t)m->tensors[m->inputs[k]].n_bytes;
    return n;
}

static za_status set_inputs(zm_engine *e, const zm_model *m, const uint8_t *sample, za_error *err)
{
    size_t off = 0;
    for (int k = 0; k < m->n_inputs; k++) {
        size_t nb = (size_t)m->tensors[m->inputs[k]].n_bytes;
        za_status st = zm_engine_set_input(e, k, sample + off, nb, err);
        if (st)
            return st;
        off += nb;
    }
    return ZA_OK;
}

static void absorb_header(zk_transcript *t, const zp_model_commitment *mc, unsigned batch,
                          const uint8_t *inputs, size_t in_len, const zp_circuit *c,
                          uint8_t *const *cut)
{
    zk_transcript_absorb(t, "model id", mc->model_id, 32);
    zk_pcs_absorb_commitment(t, &mc->weights);
    zk_transcript_absorb_u64(t, "batch", batch);
    zk_transcript_absorb(t, "inputs", inputs, in_len);
    unsigned k = 0;
    for (unsigned i = 0; i < c->n_tensors; i++)
        if (c->tensors[i].is_cut)
            zk_transcript_absorb(t, "cut tensor", cut[k++],
                                 (size_t)c->model->tensors[c->tensors[i].model_tensor].n_bytes *
                                     batch);
}

/* ---------------------------------------------------------------- witness */

/* The accumulators (sums) of a threshold layer and their limbs, for output
 * rows [b0, e0) of (batch, oh) - in parallel, each row writes its own
 * elements.  A failure is recorded (1: output outside the activation
 * range; 2: accumulator outside its output's interval). */
typedef struct {
    const ctx *x;
    const zp_layer *L;
    const zp_shape *X, *Y;
    const zk_fp *xv, *yv;
    atomic_int failure;
} acc_job;

static void acc_rows(void *vj, size_t b0, size_t e0)
{
    acc_job *j = vj;
    const ctx *x = j->x;
    const zp_layer *L = j->L;
    const zp_circuit *c = x->c;
    const zp_shape *X = j->X, *Y = j->Y;
    const zk_fp *xv = j->xv, *yv = j->yv;
    const zm_kernel *k = zm_engine_kernel(c->engine, L->op_index);
    const zm_conv_params *p = &k->p.conv;
    zk_fp *acc = x->wit[L->acc], *limbs = x->wit[L->limbs];
    size_t ny = (size_t)1 << Y->log_size;
    int32_t nk = L->out_max - L->out_min + 1;
    zk_fp *const *tcols = x->table; /* thresholds: built from the engine's functions */
    for (size_t r = b0; r < e0; r++) {
        int32_t b = (int32_t)(r / (size_t)Y->n[1]), oh = (int32_t)(r % (size_t)Y->n[1]);
        for (int32_t ow = 0; ow < Y->n[2]; ow++)
            for (int32_t oc = 0; oc < Y->n[3]; oc++) {
                int64_t s = L->kind == ZP_L_AVG ? 0 : p->bias[oc];
                for (int32_t kh = 0; kh < L->kh; kh++) {
                    int64_t ih = (int64_t)oh * L->sh + (int64_t)kh * L->dh - L->pad_top;
                    if (ih < 0 || ih >= X->n[1])
                        continue;
                    for (int32_t kw = 0; kw < L->kw; kw++) {
                        int64_t iw = (int64_t)ow * L->sw + (int64_t)kw * L->dw - L->pad_left;
                        if (iw < 0 || iw >= X->n[2])
                            continue;
                        const zk_fp *row = xv + zp_shape_index(X, b, ih, iw, 0);
                        if (L->kind == ZP_L_CONV) {
                            const int16_t *wr =
                                p->w + (((size_t)oc * L->kh + kh) * L->kw + kw) * X->n[3];
                            for (int32_t ic = 0; ic < X->n[3]; ic++)
                                s += (int64_t)wr[ic] * (zk_fp_to_i64(row[ic]) - L->in_zp);
                        } else if (L->kind == ZP_L_DW) {
                            s += (int64_t)p->w[((size_t)kh * L->kw + kw) * Y->n[3] + oc] *
                                 (zk_fp_to_i64(row[oc / L->depth_mult]) - L->in_zp);
                        } else {
                            s += zk_fp_to_i64(row[oc]);
                        }
                    }
                }
                size_t i = zp_shape_index(Y, b, oh, ow, oc);
                if (x->cheat && x->cheat->acc_layer >= 0 &&
                    &c->layers[x->cheat->acc_layer] == L && x->cheat->acc_index == i)
                    s += x->cheat->acc_delta;
                int64_t out = zk_fp_to_i64(yv[i]);
                int64_t g = L->per_channel ? L->group[oc]
                            : L->sgroup ? L->sgroup[oh * Y->n[2] + ow] : 0;
                if (out < L->out_min || out > L->out_max) {
                    atomic_store(&j->failure, 1);
                    return;
                }
                size_t trow = (size_t)(L->table_row + (uint64_t)(g * nk + (out - L->out_min)));
                int64_t l = zk_fp_to_i64(tcols[2][trow]), h = zk_fp_to_i64(tcols[3][trow]);
                if (s < l || s > h) {
                    atomic_store(&j->failure, 2);
                    return;
                }
                acc[i] = zk_fp_from_i64(s);
                uint64_t d[2] = { (uint64_t)(s - l), (uint64_t)(h - s) };
                unsigned bits = c->range_bits, nl = 32 / bits;
                for (unsigned side = 0; side < 2; side++)
                    for (unsigned q = 0; q < nl; q++)
                        limbs[(side * nl + q) * ny + i] =
                            (d[side] >> (bits * q)) & (((uint64_t)1 << bits) - 1);
            }
    }
}

static za_status make_witness(ctx *x, const zp_layer *L)
{
    const zp_circuit *c = x->c;
    const zp_shape *X = &c->tensors[L->in].shape, *Y = &c->tensors[L->out].shape;
    const zk_fp *xv = ref_data(x, tref(c, L->in)), *yv = ref_data(x, tref(c, L->out));
    if (L->kind == ZP_L_MAX) {
        size_t ny = (size_t)1 << Y->log_size;
        zk_fp *T = x->wit[L->taps];
        zk_fp off = zk_fp_from_i64(-(int64_t)L->in_zp);
        for (int32_t b = 0; b < Y->n[0]; b++)
            for (int32_t oh = 0; oh < Y->n[1]; oh++)
                for (int32_t ow = 0; ow < Y->n[2]; ow++)
                    for (int32_t kh = 0; kh < L->kh; kh++)
                        for (int32_t kw = 0; kw < L->kw; kw++) {
                            int64_t ih = (int64_t)oh * L->sh + kh - L->pad_top;
                            int64_t iw = (int64_t)ow * L->sw + kw - L->pad_left;
                            if (ih < 0 || ih >= X->n[1] || iw < 0 || iw >= X->n[2])
                                continue; /* outside: 0 */
                            size_t slice = ((size_t)kh << L->lg_kw) | (size_t)kw;
                            const zk_fp *row = xv + zp_shape_index(X, b, ih, iw, 0);
                            zk_fp *dst = T + slice * ny + zp_shape_index(Y, b, oh, ow, 0);
                            for (int32_t ch = 0; ch < Y->n[3]; ch++)
                                dst[ch] = zk_fp_add(row[ch], off);
                        }
        for (int j = 1; j < L->n_taps; j++) {
            const zk_fp *prev = j == 1 ? T : x->wit[L->chain[j - 2]];
            size_t slice = ((size_t)(j / L->kw) << L->lg_kw) | (size_t)(j % L->kw);
            const zk_fp *tap = T + slice * ny;
            zk_fp *cur = x->wit[L->chain[j - 1]];
            for (size_t i = 0; i < ny; i++)
                cur[i] = zk_fp_to_i64(prev[i]) > zk_fp_to_i64(tap[i]) ? prev[i] : tap[i];
        }
        return ZA_OK;
    }
    if (L->kind != ZP_L_CONV && L->kind != ZP_L_DW && L->kind != ZP_L_AVG)
        return ZA_OK;
    acc_job j = { x, L, X, Y, xv, yv, 0 };
    size_t rows = (size_t)Y->n[0] * (size_t)Y->n[1];
    za_parallel_for(rows, rows >= 4 ? x->threads : 1, acc_rows, &j);
    int e = atomic_load(&j.failure);
    if (e == 1)
        return layer_fail(x, L, "prover: an output outside the activation range");
    if (e == 2)
        return layer_fail(x, L, "prover: the engine's output is not the circuit's function of "
                                "the accumulator (outside the provable domain?)");
    return ZA_OK;
}

/* ---------------------------------------------------------------- prove */

static za_status check_commitment(const zm_model *m, const zp_model_commitment *mc,
                                  const zp_model_secret *secret, const zp_circuit *c,
                                  zk_fp **wts, int threads, zk_multi_prover **mp, za_error *err)
{
    uint8_t *desc = NULL;
    size_t dlen = 0;
    za_status st = zp_strip_model(m, &desc, &dlen, err);
    if (st)
        return st;
    int same = dlen == mc->descriptor_len && memcmp(desc, mc->descriptor, dlen) == 0;
    free(desc);
    if (!same)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "the model's architecture differs from the commitment's descriptor");
    size_t lens[ZP_MAX_VECS];
    for (unsigned v = 0; v < c->n_wts; v++)
        lens[v] = (size_t)1 << c->wts_log[v];
    if (zp_model_commitment_is_private(mc) &&
        (!secret || secret->budget != mc->weights.params.hiding_openings ||
         memcmp(secret->model_id, mc->model_id, 32) != 0))
        return za_error_set(err, ZA_ERR_ARG, "%s", secret ? "the model key belongs to another "
                            "commitment" : "a private model commitment needs its key to prove");
    zk_multi_commit_opts o = { secret ? secret->budget : 0, secret ? secret->seed : NULL };
    zk_pcs_commitment com;
    zk_multi_layout L;
    if ((st = zk_multi_commit_ex((const zk_fp *const *)wts, lens, c->n_wts,
                                 zp_model_commitment_is_private(mc) ? &o : NULL, threads, mp, &com,
                                 &L, err)))
        return st;
    if (memcmp(&com.root, &mc->weights.root, sizeof com.root) != 0 ||
        memcmp(&com.params, &mc->weights.params, sizeof com.params) != 0)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "the model's weights differ from the committed weights");
    return ZA_OK;
}

/* ---------------------------------------------------------------- model prover */

struct zp_model_prover {
    const zm_model *m;
    uint8_t model_id[32];
    unsigned n_wts;
    unsigned wts_log[ZP_MAX_VECS];
    zk_multi_prover *mt;
};

za_status zp_model_prover_new(const zm_model *m, const zp_model_commitment *mc,
                              const zp_model_secret *secret, int threads, zp_model_prover **out,
                              za_error *err)
{
    *out = NULL;
    if (threads <= 0)
        threads = za_default_threads();
    zm_engine *e = NULL;
    zp_circuit *c = NULL;
    zk_fp *wts[ZP_MAX_VECS] = { 0 };
    zp_model_prover *p = calloc(1, sizeof *p);
    za_status st = p ? ZA_OK : za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    if (!st && !(st = zm_engine_create(m, mc->rounding, &e, err)) &&
        !(st = zp_circuit_compile(m, e, mc->rounding, 1, &c, err)) &&
        !(st = zp_circuit_weights(c, wts, err)))
        st = check_commitment(m, mc, secret, c, wts, threads, &p->mt, err);
    if (c) {
        if (p && !st) {
            p->n_wts = c->n_wts;
            memcpy(p->wts_log, c->wts_log, sizeof(unsigned) * c->n_wts);
        }
        free_vecs(wts, c->n_wts); /* the commitment holds its own copy */
    }
    zp_circuit_free(c);
    zm_engine_free(e);
    if (st) {
        zp_model_prover_free(p);
        return st;
    }
    p->m = m;
    memcpy(p->model_id, mc->model_id, 32);
    *out = p;
    return ZA_OK;
}

void zp_model_prover_free(zp_model_prover *p)
{
    if (!p)
        return;
    zk_multi_prover_free(p->mt);
    free(p);
}

za_status zp_prove(const zm_model *m, const zp_model_commitment *mc, unsigned batch,
                   const uint8_t *inputs, size_t inputs_len, int threads, const zp_cheat *cheat,
                   uint8_t **proof, size_t *proof_len, zp_prove_stats *stats, za_error *err)
{
    return zp_prove_ex(m, mc, batch, inputs, inputs_len, threads, cheat, NULL, proof, proof_len,
                       stats, err);
}

za_status zp_prove_ex(const zm_model *m, const zp_model_commitment *mc, unsigned batch,
                      const uint8_t *inputs, size_t inputs_len, int threads,
                      const zp_cheat *cheat, const zp_prove_opts *opts, uint8_t **proof,
                      size_t *proof_len, zp_prove_stats *stats, za_error *err)
{
    int priv = zp_model_commitment_is_private(mc);
    int blinded = priv || (opts && opts->blinded);
    const zp_model_secret *secret = opts ? opts->model_secret : NULL;
    zp_prove_stats S;
    memset(&S, 0, sizeof S);
    double t0 = za_now_s(), tm;
    if (threads <= 0)
        threads = za_default_threads();
    zm_engine *e = NULL;
    zp_circuit *c = NULL;
    zk_fp *wit[ZP_MAX_VECS] = { 0 }, *wts[ZP_MAX_VECS] = { 0 }, *pub[ZP_MAX_VECS] = { 0 };
    uint8_t *cut[ZP_MAX_VECS] = { 0 };
    zk_multi_prover *mw = NULL, *mt = NULL;
    zk_fp2 *pads = NULL;
    zk_fp *padvec = NULL, *rmask = NULL;
    size_t n_pads = 0;
    zk_pcs_commitment com;
    zk_multi_layout Lw, Lt;
    unsigned n_owned_wit = 0; /* wit[0 .. n) are our allocations */
    zk_writer w;
    zk_writer_init(&w);
    zk_transcript t;
    ctx x;
    memset(&x, 0, sizeof x);
    za_status st = ZA_OK;
    size_t in_bytes = sample_bytes(m);
    if (inputs_len != in_bytes * batch)
        return za_error_set(err, ZA_ERR_ARG, "prover: %zu bytes of input for %u samples of %zu",
                            inputs_len, batch, in_bytes);
    if ((st = zm_engine_create(m, mc->rounding, &e, err)) ||
        (st = zp_circuit_compile(m, e, mc->rounding, batch, &c, err)))
        goto out;
    const zp_model_prover *cached = opts ? opts->model_prover : NULL;
    if (cached) { /* the weights committed once for many proofs */
        if (cheat || cached->m != m || memcmp(cached->model_id, mc->model_id, 32) != 0 ||
            cached->n_wts != c->n_wts ||
            memcmp(cached->wts_log, c->wts_log, sizeof(unsigned) * c->n_wts) != 0) {
            st = za_error_set(err, ZA_ERR_ARG, "prover: the model prover is for another model "
                              "or commitment (or a cheating test prover)");
            goto out;
        }
        mt = cached->mt;
        for (unsigned v = 0; v < c->n_wts; v++)
            wts[v] = (zk_fp *)zk_multi_vector(mt, v); /* read only: no cheat here */
    } else if ((st = zp_circuit_weights(c, wts, err)) ||
               (st = check_commitment(m, mc, secret, c, wts, threads, &mt, err))) {
        goto out;
    }
    if ((st = zp_weight_layout(c, mc, &Lt, err)))
        goto out;
    if ((st = alloc_vecs(wit, c->n_wit, c->wit_log, err)))
        goto out;
    n_owned_wit = c->n_wit;
    for (unsigned i = 0; i < c->n_tensors && !st; i++)
        if (c->tensors[i].is_public &&
            !(pub[i] = calloc((size_t)1 << c->tensors[i].shape.log_size, sizeof(zk_fp))))
            st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    unsigned ncut = 0;
    for (unsigned i = 0; i < c->n_tensors && !st; i++)
        if (c->tensors[i].is_cut &&
            !(cut[ncut++] = malloc((size_t)m->tensors[c->tensors[i].model_tensor].n_bytes * batch)))
            st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
    for (unsigned b = 0; b < batch && !st; b++) {
        if ((st = set_inputs(e, m, inputs + (size_t)b * in_bytes, err)) ||
            (st = zm_engine_run(e, err)))
            break;
        unsigned kc = 0;
        for (unsigned i = 0; i < c->n_tensors; i++) {
            const zp_tensor *ct = &c->tensors[i];
            const zm_tensor *mt_ = &m->tensors[ct->model_tensor];
            const void *data = zm_engine_tensor(e, ct->model_tensor);
            fill_tensor(ct, mt_, b, data, ct->is_public ? pub[i] : wit[ct->wvec]);
            if (ct->is_cut)
                memcpy(cut[kc++] + (size_t)mt_->n_bytes * b, data, (size_t)mt_->n_bytes);
        }
    }
    x.prover = 1, x.c = c, x.threads = threads, x.t = &t, x.w = &w, x.err = err;
    x.wit = wit, x.wts = wts, x.pub = pub, x.cheat = cheat, x.priv = priv;
    if (!st)
        st = zp_circuit_table(c, x.table, err);
    for (unsigned l = 0; l < c->n_layers && !st; l++)
        st = make_witness(&x, &c->layers[l]);
    if (st)
        goto out;
    if (cheat) {
        if (cheat->wit_vec >= 0 && (unsigned)cheat->wit_vec < c->n_wit &&
            cheat->index < ((size_t)1 << c->wit_log[cheat->wit_vec]))
            wit[cheat->wit_vec][cheat->index] =
                zk_fp_add(wit[cheat->wit_vec][cheat->index], zk_fp_from_i64(cheat->delta));
        if (cheat->wts_vec >= 0 && (unsigned)cheat->wts_vec < c->n_wts &&
            cheat->index < ((size_t)1 << c->wts_log[cheat->wts_vec]))
            wts[cheat->wts_vec][cheat->index] =
                zk_fp_add(wts[cheat->wts_vec][cheat->index], zk_fp_from_i64(cheat->delta));
        if (cheat->cut_index >= 0) {
            unsigned kc = 0;
            for (unsigned i = 0; i < c->n_tensors; i++)
                if (c->tensors[i].is_cut && kc++ == (unsigned)cheat->cut_index) {
                    const zp_tensor *ct = &c->tensors[i];
                    size_t nb = (size_t)m->tensors[ct->model_tensor].n_bytes;
                    if (cheat->index < nb * batch) {
                        cut[kc - 1][cheat->index] =
                            (uint8_t)(cut[kc - 1][cheat->index] + (uint8_t)cheat->delta);
                        for (unsigned b = 0; b < batch; b++)
                            fill_tensor(ct, &m->tensors[ct->model_tensor], b, cut[kc - 1] + nb * b,
                                        pub[i]);
                    }
                }
        }
    }
    if (opts && opts->test_cut_bytes) { /* TEST ONLY: the simulator's cut tensors */
        size_t off = 0;
        unsigned kc = 0;
        for (unsigned i = 0; i < c->n_tensors; i++)
            if (c->tensors[i].is_cut) {
                const zp_tensor *ct = &c->tensors[i];
                const zm_tensor *mt_ = &m->tensors[ct->model_tensor];
                size_t nb = (size_t)mt_->n_bytes;
                memcpy(cut[kc], opts->test_cut_bytes + off, nb * batch);
                for (unsigned b = 0; b < batch; b++)
                    fill_tensor(ct, mt_, b, cut[kc] + nb * b, pub[i]);
                off += nb * batch, kc++;
            }
    }
    x.simulate = opts && opts->test_simulate;
    if (c->n_segs && (st = lookup_multiplicities(&x)))
        goto out;
    if (blinded) { /* the pads, one per blinded message, committed with the witness */
        if (c->n_wit + 2 > ZP_MAX_VECS || c->n_wit + 2 > ZK_MULTI_MAX_VECS) {
            st = za_error_set(err, ZA_ERR_UNSUPPORTED, "prover: too many vectors to blind");
            goto out;
        }
        if ((st = count_pads(&x, &Lt, &n_pads)))
            goto out;
        if (!(pads = malloc(sizeof(zk_fp2) * n_pads)) ||
            !(padvec = malloc(sizeof(zk_fp) * 2 * n_pads))) {
            st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
            goto out;
        }
        if ((st = zk_blind_pads_make(n_pads, NULL, pads, err)))
            goto out;
        for (size_t k = 0; k < n_pads; k++)
            padvec[2 * k] = pads[k].c0, padvec[2 * k + 1] = pads[k].c1;
        if (!(x.bl = zk_blind_new(n_pads, pads))) {
            st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
            goto out;
        }
        if (cheat)
            zk_blind_skip_selftest(x.bl);
    }
    tm = za_now_s();
    S.witness_s = tm - t0;
    za_log_info("prove: witness of %u layers ready (%.1f s); committing", c->n_layers,
                S.witness_s);

    /* header */
    size_t mark = zk_writer_begin_container(&w, ZK_KIND_INFERENCE_PROOF);
    zk_write_u32(&w, blinded ? PROOF_VERSION_BLINDED : PROOF_VERSION);
    zk_write_bytes(&w, mc->model_id, 32);
    zk_write_u32(&w, batch);
    zk_write_bytes(&w, inputs, inputs_len);
    ncut = 0;
    for (unsigned i = 0; i < c->n_tensors; i++)
        if (c->tensors[i].is_cut)
            zk_write_bytes(&w, cut[ncut++],
                           (size_t)m->tensors[c->tensors[i].model_tensor].n_bytes * batch);
    zk_transcript_init(&t, blinded ? "zkaudit/inference/blinded/v1" : "zkaudit/inference/v1");
    absorb_header(&t, mc, batch, inputs, inputs_len, c, cut);
    if (blinded) {
        zk_write_u64(&w, n_pads);
        zk_transcript_absorb_u64(&t, "blind/pads", n_pads);
    }

    /* witness commitment */
    {
        size_t lens[ZP_MAX_VECS];
        zk_multi_layout L;
        unsigned nv = 0;
        if ((st = witness_lens(c, blinded, n_pads, lens, &nv, err)))
            goto out;
        for (unsigned v = 0; v < c->n_wit; v++)
            S.witness_elems += lens[v];
        if (blinded) { /* copied by the commitment */
            wit[c->n_wit] = padvec;
            if (!(rmask = malloc(sizeof(zk_fp) * lens[nv - 1])) ||
                zk_blind_random_fp(lens[nv - 1], rmask, err)) {
                st = rmask ? ZA_ERR_IO : za_error_set(err, ZA_ERR_NOMEM, "out of memory");
                goto out;
            }
            wit[c->n_wit + 1] = rmask;
        }
        zk_multi_commit_opts hopts = { 1, NULL };
        st = zk_multi_commit_ex((const zk_fp *const *)wit, lens, nv, blinded ? &hopts : NULL,
                                threads, &mw, &com, &L, err);
        if (blinded) {
            wit[c->n_wit] = wit[c->n_wit + 1] = NULL;
            free(rmask);
            rmask = NULL;
        }
        Lw = L;
        if (st)
            goto out;
        zk_pcs_commitment_write(&w, &com);
        zk_pcs_absorb_commitment(&t, &com);
        S.blinded_begin = w.len;
        /* from here on read the committed copies (saves a copy of the witness) */
        for (unsigned v = 0; v < c->n_wit; v++) {
            free(wit[v]);
            wit[v] = (zk_fp *)zk_multi_vector(mw, v);
        }
        n_owned_wit = 0;
        size_t seg = 0;
        for (unsigned i = 0; i < c->n_segs; i++)
            seg += (size_t)1 << c->segs[i].log_len;
        za_log_debug("circuit: %u layers, %u witness vectors (%zu elements, table 2^%u), "
                     "%u weight vectors, %u lookup segments (%zu rows), table 2^%u rows",
                     c->n_layers, c->n_wit, S.witness_elems, L.log_total, c->n_wts, c->n_segs,
                     seg, c->table_log_rows);
    }
    S.commit_s = za_now_s() - tm, tm = za_now_s();
    za_log_info("prove: committed (%.1f s); lookups and layer relations", S.commit_s);
    if ((st = run_relations(&x)))
        goto out;
    S.relations_s = za_now_s() - tm, tm = za_now_s();
    if (opts && opts->test_weight_evals) {
        for (unsigned i = 0; i < x.n_tc && S.n_weight_evals < ZP_STATS_WEIGHT_EVALS; i++)
            S.weight_evals[S.n_weight_evals++] = x.tc[i].value;
        x.test_evals = &S;
    }
    za_log_info("prove: relations done (%.1f s); opening %u + %u claims", S.relations_s, x.n_wc,
                x.n_tc);
    if (x.bl) {
        if ((priv && (st = weight_reduce(&x, &Lt, mt, &mc->weights, 1))) ||
            (st = blind_finish(&x, mw, &com, &Lw, mt, &mc->weights, &Lt, c->n_wit)))
            goto out;
    } else if ((x.n_wc && (st = zk_multi_open(mw, x.wc, x.n_wc, &t, &w, err))) ||
               (x.n_tc && (st = zk_multi_open(mt, x.tc, x.n_tc, &t, &w, err)))) {
        goto out;
    }
    S.open_s = za_now_s() - tm;
    S.blinded_end = x.bl ? x.blinded_end : 0;
    S.weights_begin = x.weights_begin, S.weights_end = x.weights_end;
    S.test_mask_mix = x.sim_mix;
    if (!x.bl)
        S.blinded_begin = 0;
    zk_writer_end_container(&w, mark);
    if ((st = zk_writer_status(&w, err)))
        goto out;
    *proof = zk_writer_take(&w, proof_len);
    S.proof_bytes = *proof_len;
    S.total_s = za_now_s() - t0;
    if (stats)
        *stats = S;
out:
    zk_writer_free(&w);
    zk_blind_free(x.bl);
    free(pads), free(padvec), free(rmask);
    free(x.wc), free(x.tc), free(x.wc_ext), free(x.tc_ext), free(x.tc_hv);
    for (int k = 0; k < 4; k++)
        free(x.lrows[k]);
    for (int k = 0; k < 4; k++)
        free(x.table[k]);
    zk_multi_prover_free(mw);
    if (!(opts && opts->model_prover)) /* a cached one belongs to its caller */
        zk_multi_prover_free(mt);
    if (c) {
        free_vecs(wit, n_owned_wit);
        if (!(opts && opts->model_prover))
            free_vecs(wts, c->n_wts);
        free_vecs(pub, c->n_tensors);
        for (unsigned i = 0; i < ZP_MAX_VECS; i++)
            free(cut[i]);
    }
    zp_circuit_free(c);
    zm_engine_free(e);
    return st;
}

/* ---------------------------------------------------------------- verify */

void zp_verified_free(zp_verified *v)
{
    free(v->inputs), free(v->outputs), free(v->argmax);
    memset(v, 0, sizeof *v);
}

za_status zp_verify(const zp_model_commitment *mc, const uint8_t *proof, size_t proof_len,
                    int threads, zp_verified *out, za_error *err)
{
    memset(out, 0, sizeof *out);
    if (threads <= 0)
        threads = za_default_threads();
    zm_model *m = NULL;
    zm_engine *e = NULL;
    zp_circuit *c = NULL;
    zk_fp *pub[ZP_MAX_VECS] = { 0 };
    uint8_t *cut[ZP_MAX_VECS] = { 0 };
    zk_reader r;
    zk_transcript t;
    ctx x;
    memset(&x, 0, sizeof x);
    za_status st;
    uint32_t version = 0, batch = 0;
    uint8_t id[32];
    const uint8_t *inputs = NULL;
    zk_reader_init(&r, proof, proof_len, "proof", err);
    if (zk_reader_open_container(&r, ZK_KIND_INFERENCE_PROOF) ||
        zk_read_u32(&r, "version", &version))
        return zk_reader_status(&r);
    if (version != PROOF_VERSION && version != PROOF_VERSION_BLINDED)
        return za_error_set(err, ZA_ERR_MALFORMED, "proof: version %u (expected %d or %d)",
                            version, PROOF_VERSION, PROOF_VERSION_BLINDED);
    int blinded = version == PROOF_VERSION_BLINDED, priv = zp_model_commitment_is_private(mc);
    uint64_t n_pads = 0;
    if (priv && !blinded)
        return za_error_set(err, ZA_ERR_MISMATCH, "a plain proof for a private model commitment "
                            "(its proofs are blinded)");
    if (zk_read_bytes(&r, "model id", id, 32) || zk_read_u32(&r, "batch", &batch))
        return zk_reader_status(&r);
    if (memcmp(id, mc->model_id, 32) != 0)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "the proof is for another model (its model id differs from the "
                            "commitment's)");
    if (batch < 1 || batch > ZP_MAX_BATCH)
        return za_error_set(err, ZA_ERR_MALFORMED, "proof: batch of %u samples", batch);
    if ((st = zp_model_commitment_load(mc, &m, err)) ||
        (st = zm_engine_create(m, mc->rounding, &e, err)) ||
        (st = zp_circuit_compile(m, e, mc->rounding, batch, &c, err)))
        goto out;
    size_t in_bytes = sample_bytes(m);
    if (zk_reader_remaining(&r) < in_bytes * batch) {
        st = zk_reader_fail(&r, 0, ZA_ERR_MALFORMED, "inputs", "truncated");
        goto out;
    }
    inputs = proof + (proof_len - zk_reader_remaining(&r));
    {
        uint8_t *tmp = malloc(in_bytes * batch);
        if (!tmp || zk_read_bytes(&r, "inputs", tmp, in_bytes * batch)) {
            free(tmp);
            st = tmp ? zk_reader_status(&r) : za_error_set(err, ZA_ERR_NOMEM, "out of memory");
            goto out;
        }
        free(tmp);
    }
    unsigned ncut = 0;
    for (unsigned i = 0; i < c->n_tensors; i++)
        if (c->tensors[i].is_cut) {
            size_t nb = (size_t)m->tensors[c->tensors[i].model_tensor].n_bytes * batch;
            if (!(cut[ncut] = malloc(nb ? nb : 1))) {
                st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
                goto out;
            }
            if (zk_read_bytes(&r, "cut tensor", cut[ncut], nb)) {
                st = zk_reader_status(&r);
                goto out;
            }
            ncut++;
        }
    for (unsigned i = 0; i < c->n_tensors; i++)
        if (c->tensors[i].is_public &&
            !(pub[i] = calloc((size_t)1 << c->tensors[i].shape.log_size, sizeof(zk_fp)))) {
            st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
            goto out;
        }
    /* public tensors: run the head on each input, place the cut tensors */
    for (unsigned b = 0; b < batch && !st; b++) {
        if ((st = set_inputs(e, m, inputs + (size_t)b * in_bytes, err)))
            break;
        for (int i = 0; i < c->first_op && !st; i++)
            st = zm_engine_run_op(e, i, err);
        unsigned kc = 0;
        for (unsigned i = 0; i < c->n_tensors && !st; i++) {
            const zp_tensor *ct = &c->tensors[i];
            const zm_tensor *mt_ = &m->tensors[ct->model_tensor];
            if (ct->is_cut) {
                fill_tensor(ct, mt_, b, cut[kc++] + (size_t)mt_->n_bytes * b, pub[i]);
            } else if (ct->is_public) {
                const void *d = zm_engine_tensor(e, ct->model_tensor);
                if (!d) {
                    st = za_error_set(err, ZA_ERR_UNSUPPORTED, "a public tensor has no data");
                    break;
                }
                fill_tensor(ct, mt_, b, d, pub[i]);
            }
        }
    }
    if (st)
        goto out;
    zk_transcript_init(&t, blinded ? "zkaudit/inference/blinded/v1" : "zkaudit/inference/v1");
    absorb_header(&t, mc, batch, inputs, in_bytes * batch, c, cut);
    if (blinded) {
        if (zk_read_u64(&r, "pads", &n_pads)) {
            st = zk_reader_status(&r);
            goto out;
        }
        /* every pad past the dummies blinds one 16-byte message of the proof:
         * a count the bytes cannot hold is refused before anything is sized
         * by it (and blind_finish checks the exact count) */
        if (n_pads < ZK_BLIND_DUMMY_PADS + 1 || n_pads > ZK_BLIND_MAX_PADS ||
            n_pads - ZK_BLIND_DUMMY_PADS > zk_reader_remaining(&r) / 16 ||
            c->n_wit + 2 > ZK_MULTI_MAX_VECS) {
            st = za_error_set(err, ZA_ERR_MALFORMED, "proof: %llu pads",
                              (unsigned long long)n_pads);
            goto out;
        }
        zk_transcript_absorb_u64(&t, "blind/pads", n_pads);
        if (!(x.bl = zk_blind_new((size_t)n_pads, NULL))) {
            st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    zk_pcs_commitment com;
    zk_reader_section(&r, "witness commitment");
    if (zk_pcs_commitment_read(&r, &com)) {
        st = zk_reader_status(&r);
        goto out;
    }
    zk_pcs_absorb_commitment(&t, &com);
    x.prover = 0, x.c = c, x.threads = threads, x.t = &t, x.r = &r, x.err = err, x.pub = pub;
    x.priv = priv, x.n_pads_declared = (size_t)n_pads;
    zk_multi_layout Lt;
    if ((st = zp_weight_layout(c, mc, &Lt, err)))
        goto out;
    zk_reader_section(&r, "relations");
    if ((st = zp_circuit_table(c, x.table, err)) || (st = run_relations(&x)))
        goto out;
    if (priv) {
        zk_reader_section(&r, "private weights");
        if ((st = weight_reduce(&x, &Lt, NULL, &mc->weights, 1)))
            goto out;
    }
    {
        size_t lens[ZP_MAX_VECS];
        zk_multi_layout Lw;
        unsigned nv = 0;
        zk_multi_commit_opts hopts = { 1, NULL };
        if ((st = witness_lens(c, blinded, (size_t)n_pads, lens, &nv, err)) ||
            (st = zk_multi_layout_make_ex(lens, nv, blinded ? &hopts : NULL, &Lw, err)))
            goto out;
        if (blinded) {
            zk_reader_section(&r, "blinded statement");
            if ((st = blind_finish(&x, NULL, &com, &Lw, NULL, &mc->weights, &Lt, c->n_wit)))
                goto out;
        }
        zk_reader_section(&r, "witness opening");
        if (!blinded && x.n_wc && (st = zk_multi_verify(&com, &Lw, x.wc, x.n_wc, &t, &r, err))) {
            za_error_prefix(err, "witness opening");
            goto out;
        }
        zk_reader_section(&r, "weight opening");
        if (!blinded && x.n_tc &&
            (st = zk_multi_verify(&mc->weights, &Lt, x.tc, x.n_tc, &t, &r, err))) {
            za_error_prefix(err, "weight opening");
            goto out;
        }
    }
    if ((st = zk_reader_finish(&r)))
        goto out;
    /* outputs: the tail on the cut tensors */
    int out_t = m->outputs[0];
    out->batch = batch;
    memcpy(out->model_id, id, 32);
    out->in_bytes = in_bytes;
    out->out_bytes = (size_t)m->tensors[out_t].n_bytes;
    out->out_elems = (size_t)m->tensors[out_t].n_elems;
    out->out_is_uint8 = m->tensors[out_t].type == ZM_UINT8;
    out->out_type = zm_dtype_name(m->tensors[out_t].type);
    out->inputs = malloc(in_bytes * batch);
    out->outputs = malloc(out->out_bytes * batch + 1);
    out->argmax = malloc(sizeof(int64_t) * batch);
    if (!out->inputs || !out->outputs || !out->argmax) {
        st = za_error_set(err, ZA_ERR_NOMEM, "out of memory");
        goto out;
    }
    memcpy(out->inputs, inputs, in_bytes * batch);
    for (unsigned b = 0; b < batch && !st; b++) {
        unsigned kc = 0;
        /* the head again (a model without weights is all head) */
        st = set_inputs(e, m, inputs + (size_t)b * in_bytes, err);
        for (int i = 0; i < c->first_op && !st; i++)
            st = zm_engine_run_op(e, i, err);
        for (unsigned i = 0; i < c->n_tensors; i++)
            if (c->tensors[i].is_cut) {
                int mt_ = c->tensors[i].model_tensor;
                size_t nb = (size_t)m->tensors[mt_].n_bytes;
                void *dst = zm_engine_tensor_mut(e, mt_);
                if (dst)
                    memcpy(dst, cut[kc] + nb * b, nb);
                kc++;
            }
        for (int i = c->last_op + 1; i < m->n_ops && !st; i++)
            st = zm_engine_run_op(e, i, err);
        const void *o = zm_engine_output(e, 0);
        if (!st && !o)
            st = za_error_set(err, ZA_ERR_UNSUPPORTED, "the model output has no data");
        if (!st) {
            memcpy(out->outputs + out->out_bytes * b, o, out->out_bytes);
            out->argmax[b] = zm_argmax(&m->tensors[out_t], o);
        }
    }
out:
    zk_blind_free(x.bl);
    free(x.wc), free(x.tc), free(x.wc_ext), free(x.tc_ext), free(x.tc_hv);
    for (int k = 0; k < 4; k++)
        free(x.lrows[k]);
    for (int k = 0; k < 4; k++)
        free(x.table[k]);
    if (c) {
        free_vecs(pub, c->n_tensors);
    }
    for (unsigned i = 0; i < ZP_MAX_VECS; i++)
        free(cut[i]);
    zp_circuit_free(c);
    zm_engine_free(e);
    zm_model_free(m);
    if (st)
        zp_verified_free(out);
    return st;
}
