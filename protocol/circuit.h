/* protocol/circuit.h - a TFLite model compiled into the relations zkaudit
 * proves (docs/proof-system.md, "Proving inference").
 *
 * The model's operators fall in three parts:
 *   head    operators whose inputs are all public (the model inputs and
 *           other head outputs), e.g. the QUANTIZE or TRANSPOSE of the input:
 *           the verifier runs them itself with the engine;
 *   middle  from the first operator that is not head to the last operator
 *           with weights: proven;
 *   tail    the operators after it (SOFTMAX, a final QUANTIZE, RESHAPE):
 *           the prover reveals their middle inputs (the "cut" tensors, e.g.
 *           the logits) and the verifier runs them itself.
 * Both parties compile the same circuit: the prover from the real model,
 * the verifier from the stripped descriptor (weights zeroed), with the same
 * rounding profile and batch size, so every size, layout and table agrees.
 *
 * Layout.  Every activation tensor is four-dimensional [batch, H, W, C]
 * (lower ranks are right-aligned, the first axis is the batch) and each
 * axis is padded to a power of two on its own, C fastest.  The MLE
 * variables are therefore grouped by axis (C lowest, then W, H, batch),
 * which is what makes the shift predicates of convolutions and the validity
 * masks cheap to evaluate for the verifier: each factors over the axes.
 * Padding entries are zero, and the relations force them to be.
 *
 * Vectors.  Witness vectors (per proof, one zk_multi_commit): every
 * non-public activation, and per layer its accumulators / sums (acc) and
 * the 16-bit (or 8-bit) limbs of acc - lo and hi - acc, where [lo, hi] is the
 * interval of accumulators that give the element's output (the lookup
 * reads lo and hi as linear combinations of acc and the limbs); for
 * MAX_POOL the window taps and the running maxima; the lookup table's
 * multiplicities.  Weight vectors (the model commitment): per CONV /
 * DEPTHWISE / FULLY_CONNECTED layer its packed weights and its biases.
 */
#ifndef ZP_CIRCUIT_H
#define ZP_CIRCUIT_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "model/engine.h"
#include "model/model.h"
#include "zk/field.h"

#define ZP_MAX_LAYERS 256
#define ZP_MAX_VECS 1024
#define ZP_MAX_SEGS 256
#define ZP_MAX_BATCH 4096

/* A padded 4-D shape: n[d] real sizes, lg[d] = log2 of the padded size;
 * axis 0 = batch, 3 = channels (lowest variables). */
typedef struct {
    int32_t n[4];
    unsigned lg[4];
    unsigned log_size; /* sum of lg */
} zp_shape;

/* First MLE variable of axis d (C = axis 3 starts at 0). */
unsigned zp_shape_var0(const zp_shape *s, int d);
/* Index of element (b, h, w, c) in the padded layout. */
size_t zp_shape_index(const zp_shape *s, int64_t b, int64_t h, int64_t w, int64_t c);

typedef enum { ZP_VEC_WITNESS = 0, ZP_VEC_WEIGHT = 1, ZP_VEC_PUBLIC = 2, ZP_VEC_CONST = 3 } zp_vec_kind;

/* A vector some relation reads: a witness or weight vector (id into the
 * circuit's lists), a public tensor (circuit tensor id), or a constant. */
typedef struct {
    zp_vec_kind kind;
    unsigned id;
    int64_t constant; /* ZP_VEC_CONST */
} zp_vec_ref;

typedef struct {
    int model_tensor;   /* index into zm_model.tensors */
    zp_shape shape;
    int is_public;      /* input, head output or cut tensor */
    int is_cut;         /* revealed by the proof */
    unsigned wvec;      /* witness vector if not public */
    int is_uint8;
} zp_tensor;

typedef enum {
    ZP_L_CONV,     /* CONV_2D, FULLY_CONNECTED (a full-window conv) */
    ZP_L_DW,       /* DEPTHWISE_CONV_2D */
    ZP_L_AVG,      /* AVERAGE_POOL_2D, MEAN over H and W */
    ZP_L_MAX,      /* MAX_POOL_2D */
    ZP_L_ADD,      /* ADD of two same-shape tensors */
    ZP_L_ALIAS,    /* RESHAPE whose padded layout is unchanged */
    ZP_L_MAP,      /* QUANTIZE between 8-bit types: a 256-row table of the engine's own map */
    ZP_L_PERMUTE,  /* TRANSPOSE of a 4-D tensor that keeps the batch axis first */
    ZP_L_CONCAT,   /* CONCATENATION along a non-batch axis */
    ZP_L_RESHAPE   /* RESHAPE that moves elements in the padded layout (e.g. a flatten) */
} zp_layer_kind;

#define ZP_MAX_CONCAT 16

typedef struct {
    zp_layer_kind kind;
    int op_index;
    unsigned in, in2, out; /* circuit tensors */
    /* window geometry (CONV, DW, AVG, MAX) over the input's H, W */
    int kh, kw, sh, sw, dh, dw, pad_top, pad_left, depth_mult;
    unsigned lg_kh, lg_kw;
    int32_t in_zp;            /* subtracted from inputs (CONV, DW) */
    int identity_view;        /* the im2col view is the input itself */
    /* weights (CONV, DW): weight vector ids and the packed shapes */
    unsigned w_vec, b_vec;
    zp_shape w_shape;         /* CONV: [1, OC, KH*.., ..] see circuit.c */
    /* monotone output function: per-group thresholds (CONV, DW, AVG) */
    unsigned acc, limbs;      /* witness vectors: accumulators, the limbs (2 * 32/range_bits
                                 parts in the high bits: acc - lo's, then hi - acc's) */
    int per_channel;          /* groups are sets of output channels */
    int32_t n_groups;         /* channels with the same output function share one */
    int32_t *group;           /* per output channel: its group (per_channel only) */
    int32_t *group_rep;       /* per group: a channel of it */
    int32_t *sgroup;          /* AVG with border windows: per output (h, w), its group */
    int64_t *group_count;     /* ... and per group, its window's element count */
    int32_t out_min, out_max; /* output range of the function */
    int64_t acc_min, acc_max; /* domain on which it is monotone and exact */
    uint64_t tag;             /* first lookup tag of this layer */
    uint64_t table_row;       /* first row of its sub-table */
    int64_t window;           /* AVG: elements per window */
    /* MAX: the taps [KH'][KW'][out shape], shifted by -in_zp so that taps
     * outside the input (0) are below every real one, and the running
     * maxima; the last one is the output shifted the same way */
    unsigned taps;
    unsigned chain[64];       /* chain[j] = max of taps 0..j+1, j < n_taps - 1 */
    int n_taps;
    int perm[4];              /* PERMUTE: output axis a is input axis perm[a] */
    int cat_axis, n_cat;      /* CONCAT: the 4-D axis, the inputs and their offsets */
    unsigned cat_in[ZP_MAX_CONCAT];
    int32_t cat_off[ZP_MAX_CONCAT];
} zp_layer;

/* One group of rows of the combined lookup: four columns. */
typedef struct {
    unsigned log_len;
    zp_vec_ref col[4];
    /* column 0 structure when not CONST: valid(i) * (tag + channel(i)) or
     * valid(i) * tag over `shape` */
    int tag_kind;             /* 0: col[0] is CONST; 1: valid*tag; 2: valid*(tag+group(channel));
                                 3: valid*(tag+sgroup(h, w)) */
    uint64_t tag;
    const int32_t *group;     /* tag_kind 2: channel -> group; 3: h*W + w -> group */
    zp_shape shape;
    unsigned slice_bits[4];   /* extra high coordinates fixed to slice_bits (taps) */
    unsigned slice_nbits[4];
    /* column k may add up to four more vectors (slices) times constants:
     * the thresholds lo = acc - sum_j 2^(bj) l_j and hi = acc + sum_j
     * 2^(bj) l'_j are such combinations, so they need no commitment */
    struct {
        unsigned n;
        zp_vec_ref ref[4];
        int64_t coef[4];
        unsigned slice_bits[4], slice_nbits[4];
    } lin[4];
} zp_segment;

typedef struct {
    const zm_model *model;
    const zm_engine *engine;
    zm_rounding rounding;
    unsigned batch;
    int first_op, last_op;        /* middle = [first_op, last_op] */
    unsigned n_tensors;
    zp_tensor *tensors;
    int *tensor_of;               /* model tensor -> circuit tensor or -1 */
    unsigned n_layers;
    zp_layer *layers;
    /* witness and weight vectors: log2 sizes */
    unsigned n_wit, n_wts;
    unsigned wit_log[ZP_MAX_VECS], wts_log[ZP_MAX_VECS];
    /* lookup */
    unsigned n_segs;
    zp_segment *segs;
    unsigned table_log_rows;
    uint64_t n_tags;
    unsigned mu_vec;              /* witness vector: the table rows' multiplicities */
    unsigned range_bits;          /* limb width: 16 or 8 (the cheaper for this model) */
} zp_circuit;

/* Compile.  model/engine must outlive the circuit. */
za_status zp_circuit_compile(const zm_model *m, const zm_engine *e, zm_rounding r, unsigned batch,
                             zp_circuit **out, za_error *err) ZA_WARN_UNUSED;
void zp_circuit_free(zp_circuit *c);

/* The combined lookup table (4 columns of 2^table_log_rows rows); both
 * parties build it from the circuit (thresholds from the engine's own
 * output functions). */
za_status zp_circuit_table(const zp_circuit *c, zk_fp *cols[4], za_error *err) ZA_WARN_UNUSED;

/* The weight vectors of a real model (prover side, and commit-model). */
za_status zp_circuit_weights(const zp_circuit *c, zk_fp **vecs, za_error *err) ZA_WARN_UNUSED;

/* Structural MLEs the verifier evaluates itself. */
zk_fp2 zp_mle_prefix(const zk_fp2 *r, unsigned nbits, int64_t n);   /* sum_{i<n} eq(r, i) */
zk_fp2 zp_mle_valid(const zp_shape *s, const zk_fp2 *r);
/* valid(x) * (tag + group[channel(x)]) (group NULL: valid(x) * tag) */
zk_fp2 zp_mle_channel_tag(const zp_shape *s, uint64_t tag, const int32_t *group, const zk_fp2 *r);
/* valid(x) * (tag + sgroup[h(x) * W + w(x)]) */
zk_fp2 zp_mle_spatial_tag(const zp_shape *s, uint64_t tag, const int32_t *sgroup, const zk_fp2 *r);

#endif
