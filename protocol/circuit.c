/* protocol/circuit.c - compiling a model into layers, vectors and lookups. */
#include "protocol/circuit.h"

#include <stdlib.h>
#include <string.h>

#include "model/kernels.h"
#include "model/weights.h"
#include "zk/mle.h"

/* lookup tags (column 0 of the combined table) */
enum { TAG_PAD = 0, TAG_RANGE = 1, TAG_FIRST_LAYER = 2 };


unsigned zp_shape_var0(const zp_shape *s, int d)
{
    unsigned v = 0;
    for (int k = 3; k > d; k--)
        v += s->lg[k];
    return v;
}

size_t zp_shape_index(const zp_shape *s, int64_t b, int64_t h, int64_t w, int64_t c)
{
    return ((((size_t)b << s->lg[1] | (size_t)h) << s->lg[2] | (size_t)w) << s->lg[3]) | (size_t)c;
}

static void shape_set(zp_shape *s, int32_t b, int32_t h, int32_t w, int32_t c)
{
    int32_t n[4] = { b, h, w, c };
    s->log_size = 0;
    for (int d = 0; d < 4; d++) {
        s->n[d] = n[d];
        s->lg[d] = zk_mle_log2_ceil((size_t)n[d]);
        s->log_size += s->lg[d];
    }
}

static int shape_eq(const zp_shape *a, const zp_shape *b)
{
    for (int d = 0; d < 4; d++)
        if (a->n[d] != b->n[d])
            return 0;
    return 1;
}

/* ---------------------------------------------------------------- builder */

typedef struct {
    zp_circuit *c;
    const zm_model *m;
    za_error *err;
    int *pad_src;       /* model tensor -> PAD input tensor (fused), or -1 */
    int *pad_hw;        /* model tensor -> pad_top, pad_left (2 entries) */
    int *consumers;     /* model tensor -> number of reading ops */
} builder;

static za_status cerr(builder *b, int op, const char *msg)
{
    const zm_op *o = &b->m->ops[op];
    return za_error_set(b->err, ZA_ERR_UNSUPPORTED, "prover: operator %d (%s): %s", op,
                        zm_op_name(o->opcode), msg);
}

static unsigned new_wit(builder *b, unsigned log)
{
    zp_circuit *c = b->c;
    c->wit_log[c->n_wit] = log;
    return c->n_wit++;
}

static unsigned new_wts(builder *b, unsigned log)
{
    zp_circuit *c = b->c;
    c->wts_log[c->n_wts] = log;
    return c->n_wts++;
}

/* The 4-D shape of a model tensor with the proof's batch. */
static za_status tensor_shape(builder *b, int op, int t, zp_shape *s)
{
    const zm_tensor *x = &b->m->tensors[t];
    if (x->rank < 2 || x->rank > 4 || x->shape[0] != 1)
        return cerr(b, op, "tensors must have rank 2 to 4 and a leading batch axis of 1");
    int32_t d[4] = { (int32_t)b->c->batch, 1, 1, 1 };
    for (int k = 1; k < x->rank; k++)
        d[4 - x->rank + k] = x->shape[k];
    shape_set(s, d[0], d[1], d[2], d[3]);
    if (s->log_size > 28)
        return cerr(b, op, "a tensor too large for one proof (reduce the batch)");
    return ZA_OK;
}

/* Circuit tensor for model tensor t; creates it (public or committed). */
static za_status get_tensor(builder *b, int op, int t, int is_public, unsigned *out)
{
    zp_circuit *c = b->c;
    if (c->tensor_of[t] >= 0) {
        *out = (unsigned)c->tensor_of[t];
        return ZA_OK;
    }
    if (c->n_tensors >= ZP_MAX_VECS || c->n_wit + 8 >= ZP_MAX_VECS)
        return cerr(b, op, "too many tensors");
    zp_tensor *x = &c->tensors[c->n_tensors];
    memset(x, 0, sizeof *x);
    x->model_tensor = t;
    za_status st = tensor_shape(b, op, t, &x->shape);
    if (st)
        return st;
    x->is_public = is_public;
    x->is_uint8 = b->m->tensors[t].type == ZM_UINT8;
    if (!is_public)
        x->wvec = new_wit(b, x->shape.log_size);
    c->tensor_of[t] = (int)c->n_tensors;
    *out = c->n_tensors++;
    return ZA_OK;
}

static int is_weighted(int opcode)
{
    return opcode == ZM_OP_CONV_2D || opcode == ZM_OP_DEPTHWISE_CONV_2D ||
           opcode == ZM_OP_FULLY_CONNECTED;
}

/* The domain on which a fixed-point rescale by (m0, shift) neither wraps
 * nor saturates: |acc| < 2^(31 - max(shift, 0)), and not INT32_MIN. */
static int64_t rescale_bound(int32_t shift)
{
    int left = shift > 0 ? shift : 0;
    return ((int64_t)1 << (31 - left)) - 1;
}

static za_status add_threshold_vectors(builder *b, zp_layer *L)
{
    zp_circuit *c = b->c;
    unsigned lg = c->tensors[L->out].shape.log_size;
    L->acc = new_wit(b, lg);
    L->limbs = new_wit(b, lg + (c->range_bits == 8 ? 3 : 2));
    L->tag = TAG_FIRST_LAYER + c->n_tags;
    c->n_tags += (uint64_t)L->n_groups;
    return ZA_OK;
}

/* Taps of the pooling window at output (oh, ow) that fall inside the input. */
static int64_t window_count(const zp_layer *L, const zp_shape *X, int oh, int ow)
{
    int64_t nh = 0, nw = 0;
    for (int kh = 0; kh < L->kh; kh++) {
        int64_t ih = (int64_t)oh * L->sh + kh - L->pad_top;
        nh += ih >= 0 && ih < X->n[1];
    }
    for (int kw = 0; kw < L->kw; kw++) {
        int64_t iw = (int64_t)ow * L->sw + kw - L->pad_left;
        nw += iw >= 0 && iw < X->n[2];
    }
    return nh * nw;
}

static za_status compile_op(builder *b, int i)
{
    zp_circuit *c = b->c;
    const zm_model *m = b->m;
    const zm_op *o = &m->ops[i];
    const zm_kernel *k = zm_engine_kernel(c->engine, i);
    za_status st;
    if (c->n_layers >= ZP_MAX_LAYERS)
        return cerr(b, i, "too many layers");
    zp_layer *L = &c->layers[c->n_layers];
    memset(L, 0, sizeof *L);
    L->op_index = i;
    L->sh = L->sw = L->dh = L->dw = 1;
    L->depth_mult = 1;
    int out_t = o->outputs[0];

    if (o->opcode == ZM_OP_PAD) {
        /* fused into the convolution that reads it (checked there) */
        const zm_tensor *in = &m->tensors[o->inputs[0]], *pads = &m->tensors[o->inputs[1]];
        if (in->rank != 4 || !pads->data || pads->type != ZM_INT32 || b->consumers[out_t] != 1 ||
            c->tensor_of[out_t] >= 0)
            return cerr(b, i, "only a 4-D PAD read by one convolution (and not revealed) is "
                              "supported");
        const int32_t *p = (const int32_t *)pads->data;
        int32_t v[8];
        memcpy(v, p, sizeof v);
        if (v[0] || v[1] || v[6] || v[7] || v[2] < 0 || v[3] < 0 || v[4] < 0 || v[5] < 0)
            return cerr(b, i, "PAD on the batch or channel axis is not supported");
        b->pad_src[out_t] = o->inputs[0];
        b->pad_hw[2 * out_t] = v[2];
        b->pad_hw[2 * out_t + 1] = v[4];
        return ZA_OK;
    }
    if (o->opcode == ZM_OP_RESHAPE) {
        unsigned tin;
        zp_shape so;
        if ((st = get_tensor(b, i, o->inputs[0], 0, &tin)) || (st = tensor_shape(b, i, out_t, &so)))
            return st;
        if (!shape_eq(&so, &c->tensors[tin].shape)) {
            /* a re-indexing: bound by a sumcheck over the input */
            if ((st = get_tensor(b, i, out_t, 0, &L->out)))
                return st;
            L->kind = ZP_L_RESHAPE;
            L->in = tin;
            c->n_layers++;
            return ZA_OK;
        }
        if (c->tensor_of[out_t] < 0) {
            c->tensor_of[out_t] = (int)tin; /* an alias: same elements, same layout */
            return ZA_OK;
        }
        /* the output is a tensor of its own (revealed): bind it to the input
         * with the identity permutation */
        L->kind = ZP_L_PERMUTE;
        L->in = tin;
        L->out = (unsigned)c->tensor_of[out_t];
        for (int a = 0; a < 4; a++)
            L->perm[a] = a;
        c->n_layers++;
        return ZA_OK;
    }

    int in_t = o->inputs[0];
    int extra_top = 0, extra_left = 0;
    if (b->pad_src[in_t] >= 0) {
        if (o->opcode != ZM_OP_CONV_2D && o->opcode != ZM_OP_DEPTHWISE_CONV_2D)
            return cerr(b, i, "reads a PAD output; only convolutions may");
        extra_top = b->pad_hw[2 * in_t];
        extra_left = b->pad_hw[2 * in_t + 1];
        in_t = b->pad_src[in_t];
    }
    if ((st = get_tensor(b, i, in_t, 0, &L->in)))
        return st;
    /* the output: public if it is a cut tensor (decided by the caller) */
    if ((st = get_tensor(b, i, out_t, 0, &L->out)))
        return st;
    const zp_shape *X = &c->tensors[L->in].shape, *Y = &c->tensors[L->out].shape;

    switch (o->opcode) {
    case ZM_OP_CONV_2D:
    case ZM_OP_DEPTHWISE_CONV_2D: {
        const zm_conv_params *p = &k->p.conv;
        L->kind = o->opcode == ZM_OP_CONV_2D ? ZP_L_CONV : ZP_L_DW;
        L->kh = p->kh, L->kw = p->kw, L->sh = p->stride_h, L->sw = p->stride_w;
        L->dh = p->dil_h, L->dw = p->dil_w;
        L->pad_top = p->pad_top + extra_top, L->pad_left = p->pad_left + extra_left;
        L->depth_mult = L->kind == ZP_L_DW ? p->depth_mult : 1;
        L->in_zp = p->in_zp;
        if (Y->n[1] != p->oh || Y->n[2] != p->ow || Y->n[3] != p->oc ||
            X->n[1] + extra_top > p->ih || X->n[2] + extra_left > p->iw)
            return cerr(b, i, "unexpected geometry");
        break;
    }
    case ZM_OP_FULLY_CONNECTED: {
        const zm_conv_params *p = &k->p.conv;
        L->kind = ZP_L_CONV;
        if (p->batches != 1 || (int64_t)X->n[1] * X->n[2] * X->n[3] != p->k ||
            Y->n[1] != 1 || Y->n[2] != 1 || Y->n[3] != p->oc)
            return cerr(b, i, "only a FULLY_CONNECTED on one row per sample is supported");
        L->kh = X->n[1], L->kw = X->n[2];
        L->in_zp = p->in_zp;
        break;
    }
    case ZM_OP_AVERAGE_POOL_2D:
    case ZM_OP_MAX_POOL_2D: {
        const zm_pool_params *p = &k->p.pool;
        L->kind = o->opcode == ZM_OP_MAX_POOL_2D ? ZP_L_MAX : ZP_L_AVG;
        L->kh = p->kh, L->kw = p->kw, L->sh = p->stride_h, L->sw = p->stride_w;
        L->pad_top = p->pad_top, L->pad_left = p->pad_left;

        /* MAX reads its taps shifted to be non-negative (the view subtracts
         * in_zp): a tap outside the input reads 0, below every real one */
        L->in_zp = p->is_uint8 ? 0 : -128;
        if (Y->n[3] != X->n[3])
            return cerr(b, i, "unexpected geometry");
        L->window = (int64_t)p->kh * p->kw;
        break;
    }
    case ZM_OP_MEAN: {
        const zm_mean_params *p = &k->p.mean;
        if (p->rank != 4 || p->reduce[0] || !p->reduce[1] || !p->reduce[2] || p->reduce[3] ||
            Y->n[1] != 1 || Y->n[2] != 1)
            return cerr(b, i, "only MEAN over the two spatial axes of a 4-D tensor is supported");
        L->kind = ZP_L_AVG;
        L->kh = X->n[1], L->kw = X->n[2];
        L->window = p->count;
        break;
    }
    case ZM_OP_QUANTIZE: {
        const zm_quantize_params *p = &k->p.quant;
        int in8 = p->in_type == ZM_INT8 || p->in_type == ZM_UINT8;
        if (!in8 || (p->out_type != ZM_INT8 && p->out_type != ZM_UINT8) ||
            !shape_eq(X, Y))
            return cerr(b, i, "only QUANTIZE between 8-bit types is supported in the middle");
        L->kind = ZP_L_MAP;
        L->tag = TAG_FIRST_LAYER + c->n_tags;
        c->n_tags += 1;
        c->n_layers++;
        return ZA_OK;
    }
    case ZM_OP_TRANSPOSE: {
        const zm_shape_params *p = &k->p.shape;
        if (p->rank != 4 || p->perm[0] != 0)
            return cerr(b, i, "only a TRANSPOSE of a 4-D tensor that keeps the batch axis "
                              "first is supported in the middle");
        L->kind = ZP_L_PERMUTE;
        for (int a = 0; a < 4; a++) {
            L->perm[a] = p->perm[a];
            if (X->n[p->perm[a]] != Y->n[a])
                return cerr(b, i, "unexpected geometry");
        }
        c->n_layers++;
        return ZA_OK;
    }
    case ZM_OP_CONCATENATION: {
        const zm_tensor *mo = &m->tensors[out_t];
        int axis = o->opt.concat.axis < 0 ? o->opt.concat.axis + mo->rank : o->opt.concat.axis;
        if (axis <= 0 || o->n_inputs > ZP_MAX_CONCAT)
            return cerr(b, i, "only CONCATENATION of up to 16 inputs along a non-batch axis is "
                              "supported in the middle");
        L->kind = ZP_L_CONCAT;
        L->cat_axis = 4 - mo->rank + axis;
        L->n_cat = o->n_inputs;
        int32_t off = 0;
        for (int j = 0; j < o->n_inputs; j++) {
            int tj = o->inputs[j];
            if (tj < 0 || b->pad_src[tj] >= 0)
                return cerr(b, i, "an input that is absent or a PAD output");
            if ((st = get_tensor(b, i, tj, 0, &L->cat_in[j])))
                return st;
            const zp_shape *S = &c->tensors[L->cat_in[j]].shape;
            for (int d = 0; d < 4; d++)
                if (d != L->cat_axis && S->n[d] != Y->n[d])
                    return cerr(b, i, "unexpected geometry");
            L->cat_off[j] = off;
            off += S->n[L->cat_axis];
        }
        if (off != Y->n[L->cat_axis])
            return cerr(b, i, "unexpected geometry");
        c->n_layers++;
        return ZA_OK;
    }
    case ZM_OP_ADD: {
        const zm_add_params *p = &k->p.add;
        if (p->broadcast)
            return cerr(b, i, "a broadcasting ADD is not supported by the prover yet");
        L->kind = ZP_L_ADD;
        int in2_t = o->inputs[1];
        if (b->pad_src[in2_t] >= 0)
            return cerr(b, i, "reads a PAD output; only convolutions may");
        if ((st = get_tensor(b, i, in2_t, 0, &L->in2)))
            return st;
        if (!shape_eq(&c->tensors[L->in].shape, Y) || !shape_eq(&c->tensors[L->in2].shape, Y))
            return cerr(b, i, "inputs and output differ in shape");
        L->tag = TAG_FIRST_LAYER + c->n_tags;
        c->n_tags += 1;
        c->n_layers++;
        return ZA_OK;
    }
    default:
        return cerr(b, i, "not supported by the prover yet (supported in the middle of a "
                          "model: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, "
                          "MAX_POOL_2D, MEAN, ADD, QUANTIZE, TRANSPOSE, CONCATENATION, RESHAPE, "
                          "PAD)");
    }
    L->lg_kh = zk_mle_log2_ceil((size_t)L->kh);
    L->lg_kw = zk_mle_log2_ceil((size_t)L->kw);
    /* the im2col view is the input itself: 1x1 stride-1 convolution, or a
     * full-window one with a single output position */
    L->identity_view =
        L->kind == ZP_L_CONV && L->pad_top == 0 && L->pad_left == 0 &&
        ((L->kh == 1 && L->kw == 1 && L->sh == 1 && L->sw == 1 && Y->n[1] == X->n[1] &&
          Y->n[2] == X->n[2]) ||
         (Y->n[1] == 1 && Y->n[2] == 1 && L->kh == X->n[1] && L->kw == X->n[2]));

    if (L->kind == ZP_L_MAX) {
        L->n_taps = L->kh * L->kw;
        if (L->n_taps < 2 || L->n_taps > 64)
            return cerr(b, i, "MAX_POOL windows of 2 to 64 taps are supported");
        L->taps = new_wit(b, Y->log_size + L->lg_kh + L->lg_kw);
        for (int j = 0; j + 1 < L->n_taps; j++) /* the last one is out - in_zp */
            L->chain[j] = new_wit(b, Y->log_size);
        c->n_layers++;
        return ZA_OK;
    }
    if (L->kind == ZP_L_CONV || L->kind == ZP_L_DW) {
        const zm_conv_params *p = &k->p.conv;
        L->per_channel = 1;
        L->out_min = p->act_min, L->out_max = p->act_max;
        /* channels with the same multiplier share their thresholds (a
         * per-tensor quantized layer has one group) */
        L->group = malloc(sizeof(int32_t) * (size_t)p->oc);
        L->group_rep = malloc(sizeof(int32_t) * (size_t)p->oc);
        if (!L->group || !L->group_rep) {
            free(L->group), free(L->group_rep);
            L->group = L->group_rep = NULL;
            return za_error_set(b->err, ZA_ERR_NOMEM, "prover: out of memory");
        }
        L->n_groups = 0;
        for (int ch = 0; ch < p->oc; ch++) {
            int32_t g = 0;
            while (g < L->n_groups && (p->rq[L->group_rep[g]].m0 != p->rq[ch].m0 ||
                                       p->rq[L->group_rep[g]].shift != p->rq[ch].shift))
                g++;
            if (g == L->n_groups)
                L->group_rep[L->n_groups++] = ch;
            L->group[ch] = g;
        }
        int32_t smax = 0;
        for (int g = 0; g < p->oc; g++)
            smax = p->rq[g].shift > smax ? p->rq[g].shift : smax;
        L->acc_max = rescale_bound(smax);
        L->acc_min = -L->acc_max;
        if (L->kind == ZP_L_CONV)
            shape_set(&L->w_shape, p->oc, L->kh, L->kw, X->n[3]);
        else
            shape_set(&L->w_shape, 1, L->kh, L->kw, p->oc);
        L->w_vec = new_wts(b, L->w_shape.log_size);
        L->b_vec = new_wts(b, zk_mle_log2_ceil((size_t)p->oc));
    } else { /* AVG (pool or mean) */
        L->per_channel = 0;
        L->n_groups = 1;
        shape_set(&L->w_shape, 1, L->kh, L->kw, Y->n[3]);
        if (o->opcode == ZM_OP_MEAN) {
            const zm_mean_params *p = &k->p.mean;
            L->out_min = p->is_uint8 ? 0 : -128, L->out_max = p->is_uint8 ? 255 : 127;
            L->acc_max = L->window * 256;
            if (p->mode == 0 && rescale_bound(p->shift) < L->acc_max)
                L->acc_max = rescale_bound(p->shift);
        } else {
            const zm_pool_params *p = &k->p.pool;
            L->out_min = p->act_min, L->out_max = p->act_max;
            L->acc_max = L->window * 256;
            /* windows that cross the border divide by how many taps are
             * inside: one group of thresholds per distinct count */
            int border = 0;
            for (int oh = 0; oh < Y->n[1]; oh++)
                for (int ow = 0; ow < Y->n[2]; ow++)
                    border |= window_count(L, X, oh, ow) != L->window;
            if (border) {
                size_t np = (size_t)Y->n[1] * (size_t)Y->n[2];
                L->sgroup = malloc(sizeof(int32_t) * np);
                L->group_count = malloc(sizeof(int64_t) * np);
                if (!L->sgroup || !L->group_count) {
                    free(L->sgroup), free(L->group_count);
                    L->sgroup = NULL, L->group_count = NULL;
                    return za_error_set(b->err, ZA_ERR_NOMEM, "prover: out of memory");
                }
                L->n_groups = 0;
                for (int oh = 0; oh < Y->n[1]; oh++)
                    for (int ow = 0; ow < Y->n[2]; ow++) {
                        int64_t cnt = window_count(L, X, oh, ow);
                        int32_t g = 0;
                        while (g < L->n_groups && L->group_count[g] != cnt)
                            g++;
                        if (g == L->n_groups)
                            L->group_count[L->n_groups++] = cnt;
                        L->sgroup[oh * Y->n[2] + ow] = g;
                    }
            }
        }
        L->acc_min = -L->acc_max;
    }
    add_threshold_vectors(b, L);
    c->n_layers++;
    return ZA_OK;
}

/* The monotone output function of a threshold layer, group g. */
typedef struct {
    const zp_layer *L;
    const zm_kernel *k;
    int opcode;
    int single;
} layer_fn_ctx;

static layer_fn_ctx layer_fn_init(const zp_circuit *c, const zp_layer *L)
{
    layer_fn_ctx f;
    f.L = L;
    f.k = zm_engine_kernel(c->engine, L->op_index);
    f.opcode = c->model->ops[L->op_index].opcode;
    f.single = L->kind == ZP_L_DW ? 0 : f.k->p.conv.single_rounding;
    return f;
}

static int32_t layer_fn(const layer_fn_ctx *f, int64_t g, int64_t acc)
{
    if (f->opcode == ZM_OP_MEAN)
        return zm_mean_finish(&f->k->p.mean, (int32_t)acc);
    if (f->opcode == ZM_OP_AVERAGE_POOL_2D)
        return zm_pool_average_finish(&f->k->p.pool, acc,
                                      f->L->sgroup ? f->L->group_count[g] : f->L->window);
    const zm_conv_params *p = &f->k->p.conv;
    return zm_requantize((int32_t)acc, p->rq[g], f->single, p->out_zp, p->act_min, p->act_max);
}

/* ---------------------------------------------------------------- segments */

static zp_vec_ref vr(zp_vec_kind k, unsigned id)
{
    zp_vec_ref r = { k, id, 0 };
    return r;
}

static zp_vec_ref vconst(int64_t v)
{
    zp_vec_ref r = { ZP_VEC_CONST, 0, v };
    return r;
}

static zp_vec_ref tref(const zp_circuit *c, unsigned t)
{
    const zp_tensor *x = &c->tensors[t];
    return x->is_public ? vr(ZP_VEC_PUBLIC, t) : vr(ZP_VEC_WITNESS, x->wvec);
}

static za_status add_seg(builder *b, const zp_segment *s)
{
    zp_circuit *c = b->c;
    if (c->n_segs >= ZP_MAX_SEGS)
        return za_error_set(b->err, ZA_ERR_UNSUPPORTED, "prover: too many lookup segments");
    c->segs[c->n_segs++] = *s;
    return ZA_OK;
}

static za_status build_segments(builder *b)
{
    zp_circuit *c = b->c;
    za_status st = ZA_OK;
    for (unsigned l = 0; l < c->n_layers && !st; l++) {
        const zp_layer *L = &c->layers[l];
        const zp_shape *Y = &c->tensors[L->out].shape;
        zp_segment s;
        memset(&s, 0, sizeof s);
        s.shape = *Y;
        s.log_len = Y->log_size;
        switch (L->kind) {
        case ZP_L_CONV:
        case ZP_L_DW:
        case ZP_L_AVG:
            s.tag_kind = L->per_channel ? 2 : (L->sgroup ? 3 : 1);
            s.tag = L->tag;
            s.group = L->per_channel ? L->group : L->sgroup;
            s.col[1] = tref(c, L->out);
            /* lo = acc - sum_j 2^(bj) l_j, hi = acc + sum_j 2^(bj) l_{nl+j}
             * with nl = 32 / b limbs each (limb p is slice p of the limbs) */
            {
                unsigned bits = c->range_bits, nl = 32 / bits, pl = nl == 4 ? 3 : 2;
                for (int k = 2; k < 4; k++) {
                    int64_t sign = k == 2 ? -1 : 1;
                    s.col[k] = vr(ZP_VEC_WITNESS, L->acc);
                    s.lin[k].n = nl;
                    for (unsigned j = 0; j < nl; j++) {
                        s.lin[k].ref[j] = vr(ZP_VEC_WITNESS, L->limbs);
                        s.lin[k].coef[j] = sign * ((int64_t)1 << (bits * j));
                        s.lin[k].slice_bits[j] = (unsigned)(k - 2) * nl + j;
                        s.lin[k].slice_nbits[j] = pl;
                    }
                }
            }
            if ((st = add_seg(b, &s)))
                break;
            memset(&s, 0, sizeof s);
            s.log_len = Y->log_size + (c->range_bits == 8 ? 3 : 2);
            s.col[0] = vconst(TAG_RANGE);
            s.col[1] = vr(ZP_VEC_WITNESS, L->limbs);
            s.col[2] = vconst(0);
            s.col[3] = vconst(0);
            st = add_seg(b, &s);
            break;
        case ZP_L_MAP:
            s.tag_kind = 1;
            s.tag = L->tag;
            s.col[1] = tref(c, L->in);
            s.col[2] = tref(c, L->out);
            s.col[3] = vconst(0);
            st = add_seg(b, &s);
            break;
        case ZP_L_PERMUTE:
        case ZP_L_CONCAT:
        case ZP_L_RESHAPE:
            break;
        case ZP_L_ADD:
            s.tag_kind = 1;
            s.tag = L->tag;
            s.col[1] = tref(c, L->in);
            s.col[2] = tref(c, L->in2);
            s.col[3] = tref(c, L->out);
            st = add_seg(b, &s);
            break;
        case ZP_L_MAX:
            /* m_j = max(m_{j-1}, T_j): m_j - m_{j-1} and m_j - T_j in
             * [0, 2^16) here, and their product zero (a zero-check in the
             * proof), so m_j is one of the two and at least both */
            for (int j = 1; j < L->n_taps && !st; j++) {
                zp_vec_ref cur = vr(ZP_VEC_WITNESS, L->chain[j - 1]);
                for (int side = 0; side < 2 && !st; side++) {
                    memset(&s, 0, sizeof s);
                    s.log_len = Y->log_size;
                    s.col[0] = vconst(TAG_RANGE);
                    s.col[1] = cur;
                    s.col[2] = vconst(0);
                    s.col[3] = vconst(0);
                    s.lin[1].n = 1;
                    s.lin[1].coef[0] = -1;
                    int tap = side ? j : 0; /* side 0: the previous maximum */
                    if (side == 0 && j > 1) {
                        s.lin[1].ref[0] = vr(ZP_VEC_WITNESS, L->chain[j - 2]);
                    } else {
                        s.lin[1].ref[0] = vr(ZP_VEC_WITNESS, L->taps);
                        s.lin[1].slice_bits[0] =
                            (unsigned)(((tap / L->kw) << L->lg_kw) | (tap % L->kw));
                        s.lin[1].slice_nbits[0] = L->lg_kh + L->lg_kw;
                    }
                    st = add_seg(b, &s);
                }
            }
            break;
        case ZP_L_ALIAS:
            break;
        }
    }
    return st;
}

/* Table size: rows of every sub-table, plus the pad row. */
static uint64_t table_rows(zp_circuit *c)
{
    uint64_t rows = 1 + ((uint64_t)1 << c->range_bits);
    for (unsigned l = 0; l < c->n_layers; l++) {
        zp_layer *L = &c->layers[l];
        L->table_row = rows;
        if (L->kind == ZP_L_ADD)
            rows += 65536;
        else if (L->kind == ZP_L_MAP)
            rows += 256;
        else if (L->kind == ZP_L_PERMUTE || L->kind == ZP_L_CONCAT || L->kind == ZP_L_RESHAPE)
            ;
        else if (L->kind != ZP_L_MAX && L->kind != ZP_L_ALIAS)
            rows += (uint64_t)L->n_groups *
                    (uint64_t)(L->out_max - L->out_min + 1);
    }
    return rows;
}

static za_status compile_with(const zm_model *m, const zm_engine *e, zm_rounding r,
                              unsigned batch, unsigned range_bits, zp_circuit **out,
                              za_error *err)
{
    *out = NULL;
    if (batch < 1 || batch > ZP_MAX_BATCH)
        return za_error_set(err, ZA_ERR_ARG, "prover: batch of %u samples (1 to %d)", batch,
                            ZP_MAX_BATCH);
    zp_circuit *c = calloc(1, sizeof *c);
    builder b = { c, m, err, NULL, NULL, NULL };
    za_status st = ZA_OK;
    if (!c)
        return za_error_set(err, ZA_ERR_NOMEM, "prover: out of memory");
    c->model = m, c->engine = e, c->rounding = r, c->batch = batch;
    c->range_bits = range_bits;
    c->tensors = calloc(ZP_MAX_VECS, sizeof *c->tensors);
    c->layers = calloc(ZP_MAX_LAYERS, sizeof *c->layers);
    c->segs = calloc(ZP_MAX_SEGS, sizeof *c->segs);
    c->tensor_of = malloc(sizeof(int) * (size_t)m->n_tensors);
    b.pad_src = malloc(sizeof(int) * (size_t)m->n_tensors);
    b.pad_hw = calloc(2 * (size_t)m->n_tensors, sizeof(int));
    b.consumers = calloc((size_t)m->n_tensors, sizeof(int));
    int *is_public = calloc((size_t)m->n_tensors, sizeof(int));
    if (!c->tensors || !c->layers || !c->segs || !c->tensor_of || !b.pad_src || !b.pad_hw ||
        !b.consumers || !is_public) {
        st = za_error_set(err, ZA_ERR_NOMEM, "prover: out of memory");
        goto done;
    }
    for (int t = 0; t < m->n_tensors; t++)
        c->tensor_of[t] = -1, b.pad_src[t] = -1;
    for (int i = 0; i < m->n_ops; i++)
        for (int j = 0; j < m->ops[i].n_inputs; j++)
            if (m->ops[i].inputs[j] >= 0)
                b.consumers[m->ops[i].inputs[j]]++;

    /* head: leading ops without weights whose inputs are all public */
    for (int k = 0; k < m->n_inputs; k++)
        is_public[m->inputs[k]] = 1;
    int first = 0;
    for (; first < m->n_ops; first++) {
        const zm_op *o = &m->ops[first];
        int pub = !is_weighted(o->opcode);
        for (int j = 0; j < o->n_inputs && pub; j++) {
            int t = o->inputs[j];
            if (t >= 0 && !m->tensors[t].data && !is_public[t])
                pub = 0;
        }
        if (!pub)
            break;
        for (int j = 0; j < o->n_outputs; j++)
            is_public[o->outputs[j]] = 1;
    }
    int last = -1;
    for (int i = 0; i < m->n_ops; i++)
        if (is_weighted(m->ops[i].opcode))
            last = i;
    if (last < first) {
        /* nothing secret: the verifier runs the whole model itself */
        if (first < m->n_ops) {
            st = za_error_set(err, ZA_ERR_UNSUPPORTED,
                              "prover: operator %d (%s) reads a constant the verifier cannot "
                              "check and no weights follow",
                              first, zm_op_name(m->ops[first].opcode));
            goto done;
        }
        last = first - 1;
    }
    c->first_op = first, c->last_op = last;
    /* cut tensors: middle outputs read by the tail or that are model outputs */
    for (int i = first; i <= last; i++)
        for (int j = 0; j < m->ops[i].n_outputs; j++) {
            int t = m->ops[i].outputs[j];
            int cut = 0;
            for (int k = 0; k < m->n_outputs; k++)
                cut |= m->outputs[k] == t;
            for (int i2 = last + 1; i2 < m->n_ops; i2++)
                for (int j2 = 0; j2 < m->ops[i2].n_inputs; j2++)
                    cut |= m->ops[i2].inputs[j2] == t;
            if (cut)
                is_public[t] = 2;
        }
    /* public tensors first, so that every tensor the middle reads or
     * writes has its kind before the layers are compiled */
    for (int t = 0; t < m->n_tensors; t++)
        if (is_public[t] && !m->tensors[t].data) {
            int used = 0; /* only those the middle reads or writes */
            for (int i = first; i <= last; i++) {
                for (int j = 0; j < m->ops[i].n_inputs; j++)
                    used |= m->ops[i].inputs[j] == t;
                for (int j = 0; j < m->ops[i].n_outputs; j++)
                    used |= m->ops[i].outputs[j] == t;
            }
            if (!used)
                continue;
            unsigned ct;
            if ((st = get_tensor(&b, first, t, 1, &ct)))
                goto done;
            c->tensors[ct].is_cut = is_public[t] == 2;
        }
    for (int i = first; i <= last && !st; i++)
        st = compile_op(&b, i);
    /* every revealed tensor must be bound by some relation: one that no
     * relation reads would be whatever the prover says */
    for (unsigned t = 0; t < c->n_tensors && !st; t++) {
        if (!c->tensors[t].is_cut)
            continue;
        int bound = 0;
        for (unsigned l = 0; l < c->n_layers && !bound; l++) {
            const zp_layer *L = &c->layers[l];
            bound = L->in == t || L->out == t || (L->kind == ZP_L_ADD && L->in2 == t);
            for (int j = 0; L->kind == ZP_L_CONCAT && j < L->n_cat; j++)
                bound |= L->cat_in[j] == t;
        }
        if (!bound)
            st = za_error_set(err, ZA_ERR_UNSUPPORTED,
                              "prover: the revealed tensor \"%s\" is not bound by any proven "
                              "relation (this graph is not supported yet)",
                              m->tensors[c->tensors[t].model_tensor].name);
    }
    if (!st)
        st = build_segments(&b);
    if (!st) {
        uint64_t rows = table_rows(c);
        c->table_log_rows = zk_mle_log2_ceil((size_t)rows);
        if (c->table_log_rows > 26)
            st = za_error_set(err, ZA_ERR_UNSUPPORTED, "prover: lookup table of %llu rows",
                              (unsigned long long)rows);
        else if (c->n_segs)
            c->mu_vec = new_wit(&b, c->table_log_rows);
    }
    /* the commitments need at least one vector each */
    if (!st && !c->n_wts)
        new_wts(&b, 0);
    if (!st && !c->n_wit)
        new_wit(&b, 0);
done:
    free(b.pad_src);
    free(b.pad_hw);
    free(b.consumers);
    free(is_public);
    if (st) {
        zp_circuit_free(c);
        return st;
    }
    *out = c;
    return ZA_OK;
}

/* A rough prover cost: committed elements (padded to the commitment's
 * power of two), plus lookup rows and table rows, which cost about five
 * times as much each (measured: fraction-sum GKR vs Ligero commitment). */
static double circuit_cost(const zp_circuit *c)
{
    uint64_t wit = 0, rows = 0;
    for (unsigned v = 0; v < c->n_wit; v++)
        wit += (uint64_t)1 << c->wit_log[v];
    for (unsigned i = 0; i < c->n_segs; i++)
        rows += (uint64_t)1 << c->segs[i].log_len;
    uint64_t witpad = (uint64_t)1 << zk_mle_log2_ceil((size_t)wit);
    return (double)witpad + 5.0 * (double)(rows + ((uint64_t)1 << c->table_log_rows));
}

za_status zp_circuit_compile(const zm_model *m, const zm_engine *e, zm_rounding r, unsigned batch,
                             zp_circuit **out, za_error *err)
{
    /* both limb widths, keep the cheaper (deterministic: both parties
     * choose the same) */
    zp_circuit *c16 = NULL, *c8 = NULL;
    za_status st = compile_with(m, e, r, batch, 16, &c16, err);
    if (st)
        return st;
    if (compile_with(m, e, r, batch, 8, &c8, err) == ZA_OK && circuit_cost(c8) < circuit_cost(c16)) {
        zp_circuit_free(c16);
        *out = c8;
        return ZA_OK;
    }
    zp_circuit_free(c8);
    *out = c16;
    return ZA_OK;
}

void zp_circuit_free(zp_circuit *c)
{
    if (!c)
        return;
    free(c->tensors);
    for (unsigned l = 0; c->layers && l < c->n_layers; l++)
        free(c->layers[l].group), free(c->layers[l].group_rep), free(c->layers[l].sgroup),
            free(c->layers[l].group_count);
    free(c->layers);
    free(c->segs);
    free(c->tensor_of);
    free(c);
}

/* ---------------------------------------------------------------- table */

/* Least a in [lo, hi] with f(a) >= k (f non-decreasing); hi + 1 if none.
 * `hint` is a guess of the answer: the search gallops from it, so a good
 * guess costs a few evaluations instead of 32. */
static int64_t first_at_least(const layer_fn_ctx *f, int64_t g, int64_t lo, int64_t hi, int32_t k,
                              int64_t hint)
{
    int64_t a = lo, bnd = hi + 1; /* invariant: f < k below a, f >= k from bnd */
    if (hint > lo && hint <= hi) {
        if (layer_fn(f, g, hint) >= k) {
            bnd = hint;
            for (int64_t step = 1; bnd - step > lo; step *= 2) {
                if (layer_fn(f, g, bnd - step) < k) {
                    a = bnd - step + 1;
                    break;
                }
                bnd -= step;
            }
        } else {
            a = hint + 1;
            for (int64_t step = 1; a + step <= hi; step *= 2) {
                if (layer_fn(f, g, a + step - 1) >= k) {
                    bnd = a + step - 1;
                    break;
                }
                a += step;
            }
        }
    }
    while (a < bnd) {
        int64_t mid = a + (bnd - a) / 2;
        if (layer_fn(f, g, mid) >= k)
            bnd = mid;
        else
            a = mid + 1;
    }
    return a;
}

za_status zp_circuit_table(const zp_circuit *c, zk_fp *cols[4], za_error *err)
{
    size_t rows = (size_t)1 << c->table_log_rows;
    for (int k = 0; k < 4; k++) {
        cols[k] = calloc(rows, sizeof(zk_fp));
        if (!cols[k]) {
            for (int j = 0; j <= k; j++)
                free(cols[j]), cols[j] = NULL;
            return za_error_set(err, ZA_ERR_NOMEM, "prover: cannot allocate the lookup table");
        }
    }
    size_t r = 1; /* row 0: the pad row (0, 0, 0, 0) */
#define ROW(a, b_, c_, d)                                                                          \
    do {                                                                                           \
        cols[0][r] = zk_fp_from_i64(a);                                                            \
        cols[1][r] = zk_fp_from_i64(b_);                                                           \
        cols[2][r] = zk_fp_from_i64(c_);                                                           \
        cols[3][r] = zk_fp_from_i64(d);                                                            \
        r++;                                                                                       \
    } while (0)
    for (int64_t v = 0; v < ((int64_t)1 << c->range_bits); v++)
        ROW(TAG_RANGE, v, 0, 0);
    for (unsigned l = 0; l < c->n_layers; l++) {
        const zp_layer *L = &c->layers[l];
        if (L->kind == ZP_L_ADD) {
            const zm_kernel *k = zm_engine_kernel(c->engine, L->op_index);
            int u8 = k->p.add.is_uint8;
            for (int64_t a = 0; a < 256; a++)
                for (int64_t bb = 0; bb < 256; bb++) {
                    int32_t x = (int32_t)(u8 ? a : a - 128), y = (int32_t)(u8 ? bb : bb - 128);
                    ROW((int64_t)L->tag, x, y, zm_add_finish(&k->p.add, x, y));
                }
            continue;
        }
        if (L->kind == ZP_L_MAP) {
            /* the engine's own kernel on all 256 inputs */
            zm_kernel k2 = *zm_engine_kernel(c->engine, L->op_index);
            uint8_t in[256], out[256];
            int iu8 = k2.p.quant.in_type == ZM_UINT8, ou8 = k2.p.quant.out_type == ZM_UINT8;
            for (int v = 0; v < 256; v++)
                in[v] = (uint8_t)v;
            k2.p.quant.n = 256;
            const void *ins[1] = { in };
            k2.run(&k2, ins, out);
            for (int v = 0; v < 256; v++)
                ROW((int64_t)L->tag, iu8 ? v : (int8_t)in[v], ou8 ? out[v] : (int8_t)out[v], 0);
            continue;
        }
        if (L->kind == ZP_L_MAX || L->kind == ZP_L_ALIAS || L->kind == ZP_L_PERMUTE ||
            L->kind == ZP_L_CONCAT || L->kind == ZP_L_RESHAPE)
            continue;
        layer_fn_ctx f = layer_fn_init(c, L);
        for (int64_t gi = 0; gi < L->n_groups; gi++) {
            /* a channel of the group, or the spatial group itself */
            int64_t g = L->per_channel ? L->group_rep[gi] : gi;
            /* thresholds: bucket k = [first(k), first(k+1) - 1]; the next
             * threshold is guessed one bucket width further */
            int64_t lo = first_at_least(&f, g, L->acc_min, L->acc_max, L->out_min, L->acc_min);
            int64_t width = -1;
            for (int32_t kk = L->out_min; kk <= L->out_max; kk++) {
                int64_t hint = width > 0 ? lo + width : lo;
                int64_t nx = kk == L->out_max
                                 ? L->acc_max + 1
                                 : first_at_least(&f, g, lo, L->acc_max, kk + 1, hint);
                if (kk > L->out_min)
                    width = nx - lo;
                /* an empty bucket gives hi = lo - 1: no accumulator fits */
                int64_t start = kk == L->out_min ? L->acc_min : lo;
                ROW((int64_t)(L->tag + (uint64_t)gi), kk, start, nx - 1);
                lo = nx;
            }
        }
    }
#undef ROW
    /* the rest are pad rows (zeros) */
    return ZA_OK;
}

/* ---------------------------------------------------------------- weights */

za_status zp_circuit_weights(const zp_circuit *c, zk_fp **vecs, za_error *err)
{
    for (unsigned v = 0; v < c->n_wts; v++)
        vecs[v] = NULL;
    for (unsigned v = 0; v < c->n_wts; v++) {
        vecs[v] = calloc((size_t)1 << c->wts_log[v], sizeof(zk_fp));
        if (!vecs[v]) {
            for (unsigned j = 0; j < v; j++)
                free(vecs[j]), vecs[j] = NULL;
            return za_error_set(err, ZA_ERR_NOMEM, "prover: cannot allocate the weights");
        }
    }
    for (unsigned l = 0; l < c->n_layers; l++) {
        const zp_layer *L = &c->layers[l];
        if (L->kind != ZP_L_CONV && L->kind != ZP_L_DW)
            continue;
        const zm_conv_params *p = &zm_engine_kernel(c->engine, L->op_index)->p.conv;
        const zp_shape *W = &L->w_shape;
        zk_fp *w = vecs[L->w_vec], *bias = vecs[L->b_vec];
        if (L->kind == ZP_L_CONV) {
            int ic = W->n[3];
            for (int o = 0; o < p->oc; o++)
                for (int y = 0; y < L->kh; y++)
                    for (int x = 0; x < L->kw; x++)
                        for (int ci = 0; ci < ic; ci++)
                            w[zp_shape_index(W, o, y, x, ci)] = zk_fp_from_i64(
                                p->w[(((size_t)o * L->kh + y) * L->kw + x) * ic + ci]);
        } else {
            for (int y = 0; y < L->kh; y++)
                for (int x = 0; x < L->kw; x++)
                    for (int o = 0; o < p->oc; o++)
                        w[zp_shape_index(W, 0, y, x, o)] =
                            zk_fp_from_i64(p->w[((size_t)y * L->kw + x) * p->oc + o]);
        }
        for (int o = 0; o < p->oc; o++)
            bias[o] = zk_fp_from_i64(p->bias[o]);
    }
    return ZA_OK;
}

/* ---------------------------------------------------------------- structural MLEs */

zk_fp2 zp_mle_prefix(const zk_fp2 *r, unsigned nbits, int64_t n)
{
    /* sum_{i < n} eq(r, i), by the bits of n from the top: O(nbits) */
    if (n >= ((int64_t)1 << nbits)) {
        return zk_fp2_make(1, 0);
    }
    zk_fp2 acc = zk_fp2_make(0, 0), pre = zk_fp2_make(1, 0);
    zk_fp2 one = zk_fp2_make(1, 0);
    for (int j = (int)nbits - 1; j >= 0; j--) {
        zk_fp2 x = r[j];
        if ((n >> j) & 1) {
            /* all i with the same higher bits, bit j = 0, any lower bits */
            acc = zk_fp2_add(acc, zk_fp2_mul(pre, zk_fp2_sub(one, x)));
            pre = zk_fp2_mul(pre, x);
        } else {
            pre = zk_fp2_mul(pre, zk_fp2_sub(one, x));
        }
    }
    return acc;
}

zk_fp2 zp_mle_valid(const zp_shape *s, const zk_fp2 *r)
{
    zk_fp2 v = zk_fp2_make(1, 0);
    for (int d = 0; d < 4; d++)
        v = zk_fp2_mul(v, zp_mle_prefix(r + zp_shape_var0(s, d), s->lg[d], s->n[d]));
    return v;
}

zk_fp2 zp_mle_channel_tag(const zp_shape *s, uint64_t tag, const int32_t *group, const zk_fp2 *r)
{
    zk_fp2 v = zk_fp2_make(1, 0);
    for (int d = 0; d < 3; d++)
        v = zk_fp2_mul(v, zp_mle_prefix(r + zp_shape_var0(s, d), s->lg[d], s->n[d]));
    zk_fp2 ch;
    if (!group) {
        ch = zk_fp2_mul_fp(zp_mle_prefix(r, s->lg[3], s->n[3]), zk_fp_from_i64((int64_t)tag));
    } else {
        /* sum_{c < C} eq(r_c, c) (tag + group[c]), directly: C is small */
        zk_fp2 acc = zk_fp2_make(0, 0);
        for (int64_t cc = 0; cc < s->n[3]; cc++) {
            zk_fp2 e = zk_fp2_make(1, 0);
            for (unsigned j = 0; j < s->lg[3]; j++)
                e = zk_fp2_mul(e, ((cc >> j) & 1) ? r[j] : zk_fp2_sub(zk_fp2_make(1, 0), r[j]));
            acc = zk_fp2_add(acc, zk_fp2_mul_fp(e, zk_fp_from_i64((int64_t)tag + group[cc])));
        }
        ch = acc;
    }
    return zk_fp2_mul(v, ch);
}

zk_fp2 zp_mle_spatial_tag(const zp_shape *s, uint64_t tag, const int32_t *sgroup, const zk_fp2 *r)
{
    zk_fp2 one = zk_fp2_make(1, 0);
    zk_fp2 v = zk_fp2_mul(zp_mle_prefix(r + zp_shape_var0(s, 0), s->lg[0], s->n[0]),
                          zp_mle_prefix(r + zp_shape_var0(s, 3), s->lg[3], s->n[3]));
    const zk_fp2 *rh = r + zp_shape_var0(s, 1), *rw = r + zp_shape_var0(s, 2);
    zk_fp2 acc = zk_fp2_make(0, 0);
    for (int64_t h = 0; h < s->n[1]; h++) {
        zk_fp2 eh = one;
        for (unsigned j = 0; j < s->lg[1]; j++)
            eh = zk_fp2_mul(eh, ((h >> j) & 1) ? rh[j] : zk_fp2_sub(one, rh[j]));
        for (int64_t w = 0; w < s->n[2]; w++) {
            zk_fp2 e = eh;
            for (unsigned j = 0; j < s->lg[2]; j++)
                e = zk_fp2_mul(e, ((w >> j) & 1) ? rw[j] : zk_fp2_sub(one, rw[j]));
            acc = zk_fp2_add(acc, zk_fp2_mul_fp(e, zk_fp_from_i64((int64_t)tag +
                                                                  sgroup[h * s->n[2] + w])));
        }
    }
    return zk_fp2_mul(v, acc);
}
