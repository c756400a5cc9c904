/* tests/support/tflite_builder.c - see tflite_builder.h.
 *
 * Field numbers (tensorflow/lite/schema/schema.fbs, schema version 3):
 *   Model:      0 version (u32), 1 operator_codes, 2 subgraphs, 3 description,
 *               4 buffers
 *   OperatorCode: 0 deprecated_builtin_code (i8), 1 custom_code, 2 version,
 *               3 builtin_code (i32)
 *   SubGraph:   0 tensors, 1 inputs, 2 outputs, 3 operators, 4 name
 *   Tensor:     0 shape, 1 type (i8), 2 buffer (u32), 3 name, 4 quantization
 *   QuantizationParameters: 2 scale [f32], 3 zero_point [i64],
 *               6 quantized_dimension (i32)
 *   Buffer:     0 data [u8]
 *   Operator:   0 opcode_index (u32), 1 inputs, 2 outputs,
 *               3 builtin_options_type (u8), 4 builtin_options
 *
 * Serialization goes through a small tree of nodes (tables, scalar vectors,
 * vectors of tables, strings) that is then written front to back: a table
 * is written first (vtable, then the inline part with placeholder offsets)
 * and its children after it, and each placeholder is patched with the
 * child's (positive) distance.  The vtable precedes its table, so the
 * table's soffset (table - vtable) is positive, which FlatBuffers allows.
 */
#include "tests/support/tflite_builder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TB_MAX_RANK 8

typedef struct {
    uint8_t *data;
    size_t len;
} tb_buf;

typedef struct {
    char *name;
    int type;
    int rank;
    int32_t shape[TB_MAX_RANK];
    int buffer;
    int n_quant;
    float *scales;
    int64_t *zps;
    int qdim;
} tb_tens;

typedef struct {
    int code;
    int version;
    char *custom;
} tb_opcode;

typedef struct {
    int opcode_index;
    int n_in, n_out;
    int32_t *in, *out;
    tb_options opt;
} tb_oper;

struct tb_model {
    tb_buf *bufs;
    int n_bufs, cap_bufs;
    tb_tens *tens;
    int n_tens, cap_tens;
    tb_opcode *codes;
    int n_codes, cap_codes;
    tb_oper *ops;
    int n_ops, cap_ops;
    int32_t *inputs, *outputs;
    int n_inputs, n_outputs;
    char *description;
    char err[256];
};

/* ------------------------------------------------------------ errors */

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fail(tb_model *tb, const char *fmt, ...)
{
    if (tb && !tb->err[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(tb->err, sizeof tb->err, fmt, ap);
        va_end(ap);
        if (!tb->err[0])
            snprintf(tb->err, sizeof tb->err, "tflite_builder: error");
    }
    return -1;
}

const char *tb_error(const tb_model *tb)
{
    return tb ? tb->err : "no builder";
}

/* Grow *arr (of elem-byte items) to hold at least n + 1 items. */
static int grow(void **arr, int *cap, int n, size_t elem)
{
    if (n < *cap)
        return 0;
    int ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(*arr, (size_t)ncap * elem);
    if (!p)
        return -1;
    memset((uint8_t *)p + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
    *arr = p;
    *cap = ncap;
    return 0;
}

static char *dup_s(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

/* ------------------------------------------------------------ options */

tb_options tb_opt_none(void)
{
    tb_options o;
    memset(&o, 0, sizeof o);
    o.version = 1;
    o.type = TB_OPT_NONE;
    o.vec_field = -1;
    return o;
}

tb_options tb_opt_empty(int type)
{
    tb_options o = tb_opt_none();
    o.type = type;
    return o;
}

void tb_opt_field(tb_options *o, int id, int size, uint32_t bits)
{
    if (o->n_fields >= TB_MAX_OPT_FIELDS)
        return; /* helpers never get here; tb_op rejects n_fields overflow */
    o->f[o->n_fields].id = id;
    o->f[o->n_fields].size = size;
    o->f[o->n_fields].bits = bits;
    o->n_fields++;
}

static uint32_t u32_of_int(int v)
{
    return (uint32_t)v;
}

static uint32_t u32_of_float(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

tb_options tb_opt_conv2d(int padding, int stride_w, int stride_h, int activation,
                         int dilation_w, int dilation_h)
{
    tb_options o = tb_opt_empty(TB_OPT_CONV2D);
    tb_opt_field(&o, 0, 1, (uint32_t)padding);
    tb_opt_field(&o, 1, 4, u32_of_int(stride_w));
    tb_opt_field(&o, 2, 4, u32_of_int(stride_h));
    tb_opt_field(&o, 3, 1, (uint32_t)activation);
    tb_opt_field(&o, 4, 4, u32_of_int(dilation_w));
    tb_opt_field(&o, 5, 4, u32_of_int(dilation_h));
    return o;
}

tb_options tb_opt_depthwise(int padding, int stride_w, int stride_h, int depth_multiplier,
                            int activation, int dilation_w, int dilation_h)
{
    tb_options o = tb_opt_empty(TB_OPT_DEPTHWISE_CONV2D);
    tb_opt_field(&o, 0, 1, (uint32_t)padding);
    tb_opt_field(&o, 1, 4, u32_of_int(stride_w));
    tb_opt_field(&o, 2, 4, u32_of_int(stride_h));
    tb_opt_field(&o, 3, 4, u32_of_int(depth_multiplier));
    tb_opt_field(&o, 4, 1, (uint32_t)activation);
    tb_opt_field(&o, 5, 4, u32_of_int(dilation_w));
    tb_opt_field(&o, 6, 4, u32_of_int(dilation_h));
    return o;
}

tb_options tb_opt_pool2d(int padding, int stride_w, int stride_h, int filter_w, int filter_h,
                         int activation)
{
    tb_options o = tb_opt_empty(TB_OPT_POOL2D);
    tb_opt_field(&o, 0, 1, (uint32_t)padding);
    tb_opt_field(&o, 1, 4, u32_of_int(stride_w));
    tb_opt_field(&o, 2, 4, u32_of_int(stride_h));
    tb_opt_field(&o, 3, 4, u32_of_int(filter_w));
    tb_opt_field(&o, 4, 4, u32_of_int(filter_h));
    tb_opt_field(&o, 5, 1, (uint32_t)activation);
    return o;
}

tb_options tb_opt_fc(int activation, int keep_num_dims)
{
    tb_options o = tb_opt_empty(TB_OPT_FULLY_CONNECTED);
    tb_opt_field(&o, 0, 1, (uint32_t)activation);
    tb_opt_field(&o, 1, 1, 0); /* weights_format DEFAULT */
    tb_opt_field(&o, 2, 1, keep_num_dims ? 1u : 0u);
    return o;
}

tb_options tb_opt_softmax(float beta)
{
    tb_options o = tb_opt_empty(TB_OPT_SOFTMAX);
    tb_opt_field(&o, 0, 4, u32_of_float(beta));
    return o;
}

tb_options tb_opt_concat(int axis, int activation)
{
    tb_options o = tb_opt_empty(TB_OPT_CONCATENATION);
    tb_opt_field(&o, 0, 4, u32_of_int(axis));
    tb_opt_field(&o, 1, 1, (uint32_t)activation);
    return o;
}

tb_options tb_opt_add(int activation)
{
    tb_options o = tb_opt_empty(TB_OPT_ADD);
    tb_opt_field(&o, 0, 1, (uint32_t)activation);
    return o;
}

tb_options tb_opt_reshape(int rank, const int32_t *new_shape)
{
    tb_options o = tb_opt_empty(TB_OPT_RESHAPE);
    if (rank < 0 || rank > TB_MAX_OPT_VEC)
        rank = -1; /* rejected by tb_op */
    o.vec_field = 0;
    o.vec_len = rank;
    for (int i = 0; i < rank; i++)
        o.vec[i] = new_shape[i];
    return o;
}

tb_options tb_opt_reducer(int keep_dims)
{
    tb_options o = tb_opt_empty(TB_OPT_REDUCER);
    tb_opt_field(&o, 0, 1, keep_dims ? 1u : 0u);
    return o;
}

/* ------------------------------------------------------------ model */

tb_model *tb_new(void)
{
    tb_model *tb = calloc(1, sizeof *tb);
    if (!tb)
        return NULL;
    /* buffer 0: the empty buffer every data-less tensor refers to */
    if (grow((void **)&tb->bufs, &tb->cap_bufs, 0, sizeof *tb->bufs)) {
        free(tb);
        return NULL;
    }
    tb->n_bufs = 1;
    return tb;
}

void tb_free(tb_model *tb)
{
    if (!tb)
        return;
    for (int i = 0; i < tb->n_bufs; i++)
        free(tb->bufs[i].data);
    free(tb->bufs);
    for (int i = 0; i < tb->n_tens; i++) {
        free(tb->tens[i].name);
        free(tb->tens[i].scales);
        free(tb->tens[i].zps);
    }
    free(tb->tens);
    for (int i = 0; i < tb->n_codes; i++)
        free(tb->codes[i].custom);
    free(tb->codes);
    for (int i = 0; i < tb->n_ops; i++) {
        free(tb->ops[i].in);
        free(tb->ops[i].out);
    }
    free(tb->ops);
    free(tb->inputs);
    free(tb->outputs);
    free(tb->description);
    free(tb);
}

int tb_description(tb_model *tb, const char *text)
{
    if (!tb || !text)
        return fail(tb, "tb_description: bad argument");
    char *d = dup_s(text);
    if (!d)
        return fail(tb, "out of memory");
    free(tb->description);
    tb->description = d;
    return 0;
}

int tb_buffer(tb_model *tb, const void *data, size_t len)
{
    if (!tb || (len && !data) || len > UINT32_MAX)
        return fail(tb, "tb_buffer: bad argument");
    if (grow((void **)&tb->bufs, &tb->cap_bufs, tb->n_bufs, sizeof *tb->bufs))
        return fail(tb, "out of memory");
    tb_buf *b = &tb->bufs[tb->n_bufs];
    b->data = malloc(len ? len : 1);
    if (!b->data)
        return fail(tb, "out of memory");
    if (len)
        memcpy(b->data, data, len);
    b->len = len;
    return tb->n_bufs++;
}

int tb_tensor(tb_model *tb, const char *name, int type, int rank, const int32_t *shape,
              int buffer, int n_quant, const float *scales, const int64_t *zps, int qdim)
{
    if (!tb)
        return -1;
    if (!name || rank < 0 || rank > TB_MAX_RANK || (rank && !shape) || buffer < 0 ||
        buffer >= tb->n_bufs || n_quant < 0 || (n_quant && !scales) || type < 0 || type > 127)
        return fail(tb, "tb_tensor \"%s\": bad argument", name ? name : "?");
    if (grow((void **)&tb->tens, &tb->cap_tens, tb->n_tens, sizeof *tb->tens))
        return fail(tb, "out of memory");
    tb_tens *t = &tb->tens[tb->n_tens];
    memset(t, 0, sizeof *t);
    t->name = dup_s(name);
    if (!t->name)
        return fail(tb, "out of memory");
    t->type = type;
    t->rank = rank;
    for (int d = 0; d < rank; d++)
        t->shape[d] = shape[d];
    t->buffer = buffer;
    t->qdim = qdim;
    if (n_quant) {
        t->scales = malloc(sizeof(float) * (size_t)n_quant);
        t->zps = calloc((size_t)n_quant, sizeof(int64_t));
        if (!t->scales || !t->zps) {
            free(t->name);
            free(t->scales);
            free(t->zps);
            memset(t, 0, sizeof *t);
            return fail(tb, "out of memory");
        }
        memcpy(t->scales, scales, sizeof(float) * (size_t)n_quant);
        if (zps)
            memcpy(t->zps, zps, sizeof(int64_t) * (size_t)n_quant);
        t->n_quant = n_quant;
    }
    return tb->n_tens++;
}

static int32_t *dup_idx(const int32_t *v, int n)
{
    int32_t *p = malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
    if (p && n)
        memcpy(p, v, sizeof(int32_t) * (size_t)n);
    return p;
}

static int opcode_index(tb_model *tb, int code, int version, const char *custom)
{
    for (int i = 0; i < tb->n_codes; i++) {
        const tb_opcode *c = &tb->codes[i];
        if (c->code == code && c->version == version &&
            ((!c->custom && !custom) || (c->custom && custom && !strcmp(c->custom, custom))))
            return i;
    }
    if (grow((void **)&tb->codes, &tb->cap_codes, tb->n_codes, sizeof *tb->codes))
        return fail(tb, "out of memory");
    tb_opcode *c = &tb->codes[tb->n_codes];
    c->code = code;
    c->version = version;
    c->custom = NULL;
    if (custom && !(c->custom = dup_s(custom)))
        return fail(tb, "out of memory");
    return tb->n_codes++;
}

int tb_op(tb_model *tb, int builtin_code, int n_in, const int32_t *inputs, int n_out,
          const int32_t *outputs, const tb_options *opt)
{
    if (!tb)
        return -1;
    tb_options o = opt ? *opt : tb_opt_none();
    if (builtin_code < 0 || n_in < 0 || n_out < 1 || (n_in && !inputs) || !outputs ||
        o.n_fields < 0 || o.n_fields > TB_MAX_OPT_FIELDS || o.type < 0 || o.type > 255 ||
        (o.vec_field >= 0 && (o.vec_len < 0 || o.vec_len > TB_MAX_OPT_VEC)))
        return fail(tb, "tb_op (builtin %d): bad argument", builtin_code);
    for (int i = 0; i < n_in; i++)
        if (inputs[i] < -1 || inputs[i] >= tb->n_tens)
            return fail(tb, "tb_op (builtin %d): input %d is tensor %d of %d", builtin_code, i,
                        inputs[i], tb->n_tens);
    for (int i = 0; i < n_out; i++)
        if (outputs[i] < 0 || outputs[i] >= tb->n_tens)
            return fail(tb, "tb_op (builtin %d): output %d is tensor %d of %d", builtin_code, i,
                        outputs[i], tb->n_tens);
    for (int i = 0; i < o.n_fields; i++)
        if (o.f[i].id < 0 || o.f[i].id > 63 || (o.f[i].size != 1 && o.f[i].size != 4))
            return fail(tb, "tb_op (builtin %d): bad options field", builtin_code);
    if (builtin_code == TB_OP_CUSTOM && !o.custom_code)
        return fail(tb, "tb_op: a CUSTOM op needs options.custom_code");
    int version = o.version > 0 ? o.version : 1;
    int oc = opcode_index(tb, builtin_code, version,
                          builtin_code == TB_OP_CUSTOM ? o.custom_code : NULL);
    if (oc < 0)
        return -1;
    if (grow((void **)&tb->ops, &tb->cap_ops, tb->n_ops, sizeof *tb->ops))
        return fail(tb, "out of memory");
    tb_oper *op = &tb->ops[tb->n_ops];
    op->opcode_index = oc;
    op->n_in = n_in;
    op->n_out = n_out;
    op->in = dup_idx(inputs, n_in);
    op->out = dup_idx(outputs, n_out);
    op->opt = o;
    op->opt.custom_code = NULL; /* only needed for the opcode table */
    if (!op->in || !op->out) {
        free(op->in);
        free(op->out);
        op->in = op->out = NULL;
        return fail(tb, "out of memory");
    }
    return tb->n_ops++;
}

int tb_io(tb_model *tb, int n_in, const int32_t *inputs, int n_out, const int32_t *outputs)
{
    if (!tb)
        return -1;
    if (n_in < 0 || n_out < 0 || (n_in && !inputs) || (n_out && !outputs))
        return fail(tb, "tb_io: bad argument");
    for (int i = 0; i < n_in; i++)
        if (inputs[i] < 0 || inputs[i] >= tb->n_tens)
            return fail(tb, "tb_io: input %d is tensor %d of %d", i, inputs[i], tb->n_tens);
    for (int i = 0; i < n_out; i++)
        if (outputs[i] < 0 || outputs[i] >= tb->n_tens)
            return fail(tb, "tb_io: output %d is tensor %d of %d", i, outputs[i], tb->n_tens);
    int32_t *a = dup_idx(inputs, n_in), *b = dup_idx(outputs, n_out);
    if (!a || !b) {
        free(a);
        free(b);
        return fail(tb, "out of memory");
    }
    free(tb->inputs);
    free(tb->outputs);
    tb->inputs = a;
    tb->outputs = b;
    tb->n_inputs = n_in;
    tb->n_outputs = n_out;
    return 0;
}

/* ------------------------------------------------------------ node tree */

enum { N_TABLE, N_VEC, N_VEC_REF, N_STRING };

#define N_MAX_FIELDS 16

typedef struct node node;
typedef struct {
    int id;
    int size;          /* 1, 2, 4 or 8: inline scalar; 0: offset to child */
    uint64_t bits;
    node *child;
} field;

struct node {
    int kind;
    node *next_alloc;
    /* N_TABLE */
    int nf;
    field f[N_MAX_FIELDS];
    /* N_VEC / N_STRING: n elements of elem bytes, first element aligned to
     * align; N_VEC_REF: n items */
    const void *data;
    size_t n, elem, align;
    node **items;
};

typedef struct {
    node *nodes; /* allocation list */
    int oom;
    /* output */
    uint8_t *b;
    size_t len, cap;
} writer;

static node *new_node(writer *w, int kind)
{
    node *n = calloc(1, sizeof *n);
    if (!n) {
        w->oom = 1;
        return NULL;
    }
    n->kind = kind;
    n->next_alloc = w->nodes;
    w->nodes = n;
    return n;
}

static void free_nodes(writer *w)
{
    while (w->nodes) {
        node *n = w->nodes;
        w->nodes = n->next_alloc;
        free(n->items);
        free(n);
    }
}

static node *table(writer *w)
{
    return new_node(w, N_TABLE);
}

static void add_scalar(writer *w, node *t, int id, int size, uint64_t bits)
{
    if (!t || t->nf >= N_MAX_FIELDS) {
        w->oom = 1;
        return;
    }
    t->f[t->nf++] = (field){ id, size, bits, NULL };
}

static void add_child(writer *w, node *t, int id, node *child)
{
    if (!t || !child || t->nf >= N_MAX_FIELDS) {
        w->oom = 1;
        return;
    }
    t->f[t->nf++] = (field){ id, 0, 0, child };
}

/* data must outlive serialization (it points into the tb_model) */
static node *vec(writer *w, const void *data, size_t n, size_t elem, size_t align)
{
    node *v = new_node(w, N_VEC);
    if (v) {
        v->data = data;
        v->n = n;
        v->elem = elem;
        v->align = align;
    }
    return v;
}

static node *str(writer *w, const char *s)
{
    node *v = new_node(w, N_STRING);
    if (v) {
        v->data = s;
        v->n = strlen(s);
        v->elem = 1;
        v->align = 1;
    }
    return v;
}

static node *vec_ref(writer *w, size_t n)
{
    node *v = new_node(w, N_VEC_REF);
    if (v) {
        v->n = n;
        v->items = calloc(n ? n : 1, sizeof *v->items);
        if (!v->items) {
            w->oom = 1;
            return NULL;
        }
    }
    return v;
}

/* ------------------------------------------------------------ writing */

static int reserve(writer *w, size_t extra)
{
    if (w->len + extra <= w->cap)
        return 0;
    size_t ncap = w->cap ? w->cap : 1024;
    while (ncap < w->len + extra)
        ncap *= 2;
    uint8_t *p = realloc(w->b, ncap);
    if (!p) {
        w->oom = 1;
        return -1;
    }
    memset(p + w->cap, 0, ncap - w->cap);
    w->b = p;
    w->cap = ncap;
    return 0;
}

/* Append n zero bytes at a position p with (p + bias) % align == 0;
 * returns p. */
static size_t alloc_at(writer *w, size_t n, size_t align, size_t bias)
{
    size_t p = w->len;
    while ((p + bias) % align)
        p++;
    if (reserve(w, p - w->len + n))
        return 0;
    w->len = p + n;
    return p;
}

static void put(writer *w, size_t pos, uint64_t v, int size)
{
    for (int i = 0; i < size; i++)
        w->b[pos + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static size_t emit(writer *w, const node *n);

static void patch(writer *w, size_t slot, size_t target)
{
    /* a uoffset is relative to its own position and points forward */
    put(w, slot, (uint64_t)(target - slot), 4);
}

static size_t emit_table(writer *w, const node *t)
{
    int max_id = -1, has8 = 0;
    for (int i = 0; i < t->nf; i++) {
        if (t->f[i].id > max_id)
            max_id = t->f[i].id;
        if (t->f[i].size == 8)
            has8 = 1;
    }
    /* inline layout: soffset, then fields by decreasing size (offsets are 4) */
    uint16_t off[N_MAX_FIELDS];
    size_t cur = 4;
    for (int sz = 8; sz >= 1; sz /= 2)
        for (int i = 0; i < t->nf; i++) {
            int fs = t->f[i].size ? t->f[i].size : 4;
            if (fs != sz)
                continue;
            cur = (cur + (size_t)fs - 1) / (size_t)fs * (size_t)fs;
            off[i] = (uint16_t)cur;
            cur += (size_t)fs;
        }
    size_t tsize = (cur + 3) / 4 * 4;
    size_t vsize = 4 + 2 * (size_t)(max_id + 1);
    size_t vt = alloc_at(w, vsize, 2, 0);
    if (w->oom)
        return 0;
    size_t tp = alloc_at(w, tsize, has8 ? 8 : 4, 0);
    if (w->oom)
        return 0;
    put(w, vt, vsize, 2);
    put(w, vt + 2, tsize, 2);
    for (int i = 0; i < t->nf; i++)
        put(w, vt + 4 + 2 * (size_t)t->f[i].id, off[i], 2);
    put(w, tp, (uint64_t)(uint32_t)(int32_t)(tp - vt), 4);
    for (int i = 0; i < t->nf; i++)
        if (t->f[i].size)
            put(w, tp + off[i], t->f[i].bits, t->f[i].size);
    for (int i = 0; i < t->nf; i++) {
        if (t->f[i].size)
            continue;
        size_t c = emit(w, t->f[i].child);
        if (w->oom)
            return 0;
        patch(w, tp + off[i], c);
    }
    return tp;
}

static size_t emit(writer *w, const node *n)
{
    if (w->oom || !n) {
        w->oom = 1;
        return 0;
    }
    switch (n->kind) {
    case N_TABLE:
        return emit_table(w, n);
    case N_VEC:
    case N_STRING: {
        size_t a = n->align > 4 ? n->align : 4;
        if (n->elem > a)
            a = n->elem;
        size_t bytes = n->n * n->elem + (n->kind == N_STRING ? 1 : 0);
        size_t p = alloc_at(w, 4 + bytes, a, 4); /* elements at p + 4, aligned */
        if (w->oom)
            return 0;
        put(w, p, n->n, 4);
        if (n->n)
            memcpy(w->b + p + 4, n->data, n->n * n->elem);
        return p;
    }
    case N_VEC_REF: {
        size_t p = alloc_at(w, 4 + 4 * n->n, 4, 0);
        if (w->oom)
            return 0;
        put(w, p, n->n, 4);
        for (size_t i = 0; i < n->n; i++) {
            size_t c = emit(w, n->items[i]);
            if (w->oom)
                return 0;
            patch(w, p + 4 + 4 * i, c);
        }
        return p;
    }
    default:
        w->oom = 1;
        return 0;
    }
}

/* ------------------------------------------------------------ model tree */

static node *build_tensor(writer *w, const tb_tens *t)
{
    node *n = table(w);
    add_child(w, n, 0, vec(w, t->shape, (size_t)t->rank, 4, 4));
    add_scalar(w, n, 1, 1, (uint64_t)(uint8_t)t->type);
    add_scalar(w, n, 2, 4, (uint64_t)(uint32_t)t->buffer);
    add_child(w, n, 3, str(w, t->name));
    if (t->n_quant) {
        node *q = table(w);
        add_child(w, q, 2, vec(w, t->scales, (size_t)t->n_quant, 4, 4));
        add_child(w, q, 3, vec(w, t->zps, (size_t)t->n_quant, 8, 8));
        add_scalar(w, q, 6, 4, (uint64_t)(uint32_t)t->qdim);
        add_child(w, n, 4, q);
    }
    return n;
}

static node *build_op(writer *w, const tb_oper *op)
{
    node *n = table(w);
    add_scalar(w, n, 0, 4, (uint64_t)(uint32_t)op->opcode_index);
    add_child(w, n, 1, vec(w, op->in, (size_t)op->n_in, 4, 4));
    add_child(w, n, 2, vec(w, op->out, (size_t)op->n_out, 4, 4));
    if (op->opt.type != TB_OPT_NONE) {
        node *o = table(w);
        for (int i = 0; i < op->opt.n_fields; i++)
            add_scalar(w, o, op->opt.f[i].id, op->opt.f[i].size, op->opt.f[i].bits);
        if (op->opt.vec_field >= 0)
            add_child(w, o, op->opt.vec_field,
                      vec(w, op->opt.vec, (size_t)op->opt.vec_len, 4, 4));
        add_scalar(w, n, 3, 1, (uint64_t)(uint8_t)op->opt.type);
        add_child(w, n, 4, o);
    }
    return n;
}

static node *build_model(writer *w, const tb_model *tb)
{
    node *m = table(w);
    add_scalar(w, m, 0, 4, 3); /* schema version */

    node *codes = vec_ref(w, (size_t)tb->n_codes);
    for (int i = 0; codes && i < tb->n_codes; i++) {
        const tb_opcode *c = &tb->codes[i];
        node *oc = table(w);
        /* deprecated_builtin_code holds codes below 127, else
         * PLACEHOLDER_FOR_GREATER_OP_CODES (127) */
        add_scalar(w, oc, 0, 1, (uint64_t)(uint8_t)(c->code < 127 ? c->code : 127));
        if (c->custom)
            add_child(w, oc, 1, str(w, c->custom));
        add_scalar(w, oc, 2, 4, (uint64_t)(uint32_t)c->version);
        add_scalar(w, oc, 3, 4, (uint64_t)(uint32_t)c->code);
        codes->items[i] = oc;
    }
    add_child(w, m, 1, codes);

    node *sg = table(w);
    node *tens = vec_ref(w, (size_t)tb->n_tens);
    for (int i = 0; tens && i < tb->n_tens; i++)
        tens->items[i] = build_tensor(w, &tb->tens[i]);
    add_child(w, sg, 0, tens);
    add_child(w, sg, 1, vec(w, tb->inputs, (size_t)tb->n_inputs, 4, 4));
    add_child(w, sg, 2, vec(w, tb->outputs, (size_t)tb->n_outputs, 4, 4));
    node *ops = vec_ref(w, (size_t)tb->n_ops);
    for (int i = 0; ops && i < tb->n_ops; i++)
        ops->items[i] = build_op(w, &tb->ops[i]);
    add_child(w, sg, 3, ops);
    add_child(w, sg, 4, str(w, "main"));
    node *sgs = vec_ref(w, 1);
    if (sgs)
        sgs->items[0] = sg;
    add_child(w, m, 2, sgs);

    add_child(w, m, 3, str(w, tb->description ? tb->description : "zkaudit tflite_builder"));

    node *bufs = vec_ref(w, (size_t)tb->n_bufs);
    for (int i = 0; bufs && i < tb->n_bufs; i++) {
        node *b = table(w);
        if (i > 0) /* buffer 0 stays an empty table */
            add_child(w, b, 0, vec(w, tb->bufs[i].data, tb->bufs[i].len, 1, 16));
        bufs->items[i] = b;
    }
    add_child(w, m, 4, bufs);
    return m;
}

int tb_finish(tb_model *tb, uint8_t **out, size_t *len)
{
    if (!tb || !out || !len)
        return fail(tb, "tb_finish: bad argument");
    *out = NULL;
    *len = 0;
    if (tb->err[0])
        return -1;
    if (tb->n_outputs == 0)
        return fail(tb, "tb_finish: no graph outputs (call tb_io)");
    writer w;
    memset(&w, 0, sizeof w);
    node *root = build_model(&w, tb);
    if (!w.oom) {
        size_t hdr = alloc_at(&w, 8, 4, 0); /* root uoffset + file identifier */
        size_t r = emit(&w, root);
        if (!w.oom) {
            put(&w, hdr, (uint64_t)r, 4);
            memcpy(w.b + hdr + 4, "TFL3", 4);
        }
    }
    free_nodes(&w);
    if (w.oom) {
        free(w.b);
        return fail(tb, "tb_finish: out of memory");
    }
    /* pad to a multiple of 16 so that appended data would stay aligned */
    if (alloc_at(&w, 0, 16, 0), w.oom) {
        free(w.b);
        return fail(tb, "tb_finish: out of memory");
    }
    *out = w.b;
    *len = w.len;
    return 0;
}
