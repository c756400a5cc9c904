/* model/engine.h - bit-exact integer inference of a zm_model.
 *
 * zm_engine_create() checks every op against what its kernel supports
 * (types, shapes, quantization), precomputes the fixed-point parameters
 * exactly as the TFLite runtime's Prepare step does, packs the weights, and
 * allocates one arena holding every non-constant tensor.  zm_engine_run()
 * then executes the ops in order without allocating.  After a run every
 * tensor's contents stay readable (zm_engine_tensor), which is what
 * --dump-dir and, later, the prover's witness generation use.
 *
 * Ownership: the engine borrows the model (which must outlive it) and owns
 * its arena and packed parameters.  An engine is not thread-safe; create one
 * per thread (they can share a model).
 */
#ifndef ZM_ENGINE_H
#define ZM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "model/model.h"

/* Which requantization rounding the CONV_2D / FULLY_CONNECTED kernels use
 * (DESIGN.md §3).  DEPTHWISE_CONV_2D and every other op round the same way
 * in both profiles. */
typedef enum {
    ZM_ROUNDING_TFLITE = 0,    /* the TFLite runtime: single rounding in conv/FC */
    ZM_ROUNDING_REFERENCE = 1  /* TFLite reference kernels / TFLM: double everywhere */
} zm_rounding;

const char *zm_rounding_name(zm_rounding r);
/* "tflite" or "reference"; returns 0 on anything else. */
int zm_rounding_parse(const char *s, zm_rounding *out);

typedef struct zm_engine zm_engine;

za_status zm_engine_create(const zm_model *m, zm_rounding rounding, zm_engine **out,
                           za_error *err) ZA_WARN_UNUSED;
void zm_engine_free(zm_engine *e);

/* Copy len bytes into graph input k; len must equal the tensor's byte size. */
za_status zm_engine_set_input(zm_engine *e, int k, const void *data, size_t len,
                              za_error *err) ZA_WARN_UNUSED;

za_status zm_engine_run(zm_engine *e, za_error *err) ZA_WARN_UNUSED;

/* Run only operator i on the tensors' current contents (its inputs must
 * have been set, e.g. by a previous full run or by zm_engine_tensor_mut). */
za_status zm_engine_run_op(zm_engine *e, int i, za_error *err) ZA_WARN_UNUSED;

/* Writable storage of non-constant tensor i, NULL for constants. */
void *zm_engine_tensor_mut(zm_engine *e, int i);

/* Current contents of tensor i (constant data or arena), or NULL if the
 * tensor has no storage (e.g. an unused tensor). */
const void *zm_engine_tensor(const zm_engine *e, int i);

/* Graph output k after a run. */
const void *zm_engine_output(const zm_engine *e, int k);

/* The prepared kernel of operator i (model/kernels.h: geometry, packed
 * weights, fixed-point parameters), for the prover's circuit compiler, which
 * must use exactly the parameters the engine runs with.  NULL if out of
 * range. */
struct zm_kernel;
const struct zm_kernel *zm_engine_kernel(const zm_engine *e, int i);

/* Statistics of the prepared model. */
typedef struct {
    uint64_t macs;          /* multiply-accumulates of CONV/DWCONV/FC per inference */
    uint64_t params;        /* elements of constant tensors */
    uint64_t arena_bytes;   /* activations memory */
} zm_engine_stats;
void zm_engine_get_stats(const zm_engine *e, zm_engine_stats *s);

/* Argmax of a tensor's values (int8, uint8, int32 or float32 element
 * types), lowest index on ties; -1 if empty or of another type. */
int64_t zm_argmax(const zm_tensor *t, const void *data);

#endif
