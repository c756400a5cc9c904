/* tests/unit/test_tflite_reader.c - the .tflite reader against malformed and
 * hostile files.
 *
 * Every rejection is checked for its status code (ZA_ERR_MALFORMED,
 * ZA_ERR_UNSUPPORTED or ZA_ERR_LIMIT), for err.code agreeing with it, and
 * for a message that names the file and what is wrong.  Hostile variants are
 * made by patching real models of ../shared at offsets found by walking the
 * FlatBuffer with the small reader below (independent of model/flatbuf.c),
 * so that each test breaks exactly one field of an otherwise valid file.
 * Tests that need ../shared (ZKAUDIT_SHARED overrides the location) skip
 * with a message when it is absent.  The random corruption test uses a fixed
 * seed unless ZKAUDIT_TEST_SEED is set; ZKAUDIT_TEST_ITERS scales it.
 *
 * The regression_* tests replay the engine bugs found while fuzzing: by the
 * random flips below (SOFTMAX beta), by mutating the fields of loaded models
 * (shared and tools/make_op_models.c ones: activation range, MEAN), and in
 * the review that followed (empty filters, PAD, dilation, pooling bounds).
 * Each is a deterministic mutation of a shared model - patched file bytes
 * where a file can express it, else edits of the loaded zm_model - and each
 * fails (UBSan, a hang or a wrong status) without its fix.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/limits.h"
#include "model/engine.h"
#include "model/model.h"

#define HELLO "tflite-micro/hello_world_int8.tflite"

static const char *const all_models[] = {
    "tflite-micro/hello_world_int8.tflite",
    "tflite-micro/simple_add_model.tflite",
    "tflite-micro/micro_speech_quantized.tflite",
    "tflite-micro/person_detect.tflite",
    "tflite-micro/mobilenet_v2_quantized_1x3x224x224.tflite",
    "mlcommons-tiny/ad01_int8.tflite",
    "mlcommons-tiny/pretrainedResnet_quant.tflite",
    "keras-mnist-to-tpu/mnist.tflite",
};
#define N_MODELS (sizeof all_models / sizeof all_models[0])

/* ---- ../shared ---------------------------------------------------------- */

static const char *shared_dir(void)
{
    const char *env = getenv("ZKAUDIT_SHARED");
    const char *dir = env && *env ? env : "../shared";
    char probe[4096];
    struct stat st;
    snprintf(probe, sizeof probe, "%s/models", dir);
    if (stat(probe, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return dir;
}

/* The bytes of models/<rel>, or NULL when ../shared is absent. */
static uint8_t *read_model(const char *rel, size_t *len)
{
    const char *dir = shared_dir();
    if (!dir)
        return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/models/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    uint8_t *b = malloc((size_t)n);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

#define SKIP_WITHOUT_SHARED()                                                        \
    do {                                                                             \
        if (!shared_dir()) {                                                         \
            print_message("# ../shared/models not found (set ZKAUDIT_SHARED): "     \
                          "skipped\n");                                              \
            skip();                                                                  \
        }                                                                            \
    } while (0)

/* ---- loading and checking errors ---------------------------------------- */

#define NAME "test.tflite"

/* Load, free any model, and check the error contract on failure: the
 * returned status is err.code and the message is non-empty. */
static za_status try_load(const uint8_t *b, size_t n, za_error *err)
{
    zm_model *m = (zm_model *)(uintptr_t)1;
    memset(err, 0x55, sizeof *err); /* the loader must overwrite it */
    za_status st = zm_model_load_buffer(b, n, NAME, &m, err);
    if (st == ZA_OK) {
        assert_non_null(m);
        zm_model_free(m);
        return st;
    }
    assert_null(m);
    if (err->code != st)
        fail_msg("status %d but err.code %d", st, err->code);
    assert_non_null(memchr(err->msg, 0, sizeof err->msg));
    if (err->msg[0] == 0)
        fail_msg("status %d (%s) with an empty message", st, za_status_name(st));
    return st;
}

/* Load must fail with `code` and a message naming the file and containing
 * every one of the NULL-terminated substrings. */
static void expect_fail(const uint8_t *b, size_t n, za_status code, ...)
{
    za_error err;
    za_status st = try_load(b, n, &err);
    if (st != code)
        fail_msg("expected status %d (%s), got %d (%s): %s", code, za_status_name(code), st,
                 za_status_name(st), st == ZA_OK ? "(loaded)" : err.msg);
    if (!strstr(err.msg, NAME))
        fail_msg("message does not name the file: %s", err.msg);
    va_list ap;
    va_start(ap, code);
    for (const char *s; (s = va_arg(ap, const char *)) != NULL;)
        if (!strstr(err.msg, s)) {
            va_end(ap);
            fail_msg("message lacks \"%s\": %s", s, err.msg);
        }
    va_end(ap);
}

/* ---- an independent FlatBuffer walker for locating fields ----------------
 * Only used on unmodified real models; every access is bounds-checked with
 * assertions so that a surprising file fails the test, not the process. */

typedef struct {
    uint8_t *b;
    size_t n;
} fbw;

static uint32_t g32(const fbw *f, size_t p)
{
    assert_true(p + 4 <= f->n);
    uint32_t v;
    memcpy(&v, f->b + p, 4);
    return v;
}

static uint16_t g16(const fbw *f, size_t p)
{
    assert_true(p + 2 <= f->n);
    uint16_t v;
    memcpy(&v, f->b + p, 2);
    return v;
}

static void p32(fbw *f, size_t p, uint32_t v)
{
    assert_true(p + 4 <= f->n);
    memcpy(f->b + p, &v, 4);
}

static void p8(fbw *f, size_t p, uint8_t v)
{
    assert_true(p < f->n);
    f->b[p] = v;
}

static size_t vtable_of(const fbw *f, size_t table)
{
    int64_t vt = (int64_t)table - (int32_t)g32(f, table);
    assert_true(vt >= 0 && (size_t)vt + 4 <= f->n);
    return (size_t)vt;
}

/* Absolute position of field `field` of the table at `table`, 0 if absent. */
static size_t field_at(const fbw *f, size_t table, int field)
{
    size_t vt = vtable_of(f, table);
    size_t slot = 4 + 2 * (size_t)field;
    if (slot + 2 > g16(f, vt))
        return 0;
    uint16_t off = g16(f, vt + slot);
    return off ? table + off : 0;
}

static size_t deref(const fbw *f, size_t p)
{
    size_t t = p + g32(f, p);
    assert_true(t + 4 <= f->n);
    return t;
}

static size_t root_table(const fbw *f)
{
    return deref(f, 0);
}

/* Position of the length word of a vector (or string) field; 0 if absent. */
static size_t vec_field(const fbw *f, size_t table, int field)
{
    size_t p = field_at(f, table, field);
    return p ? deref(f, p) : 0;
}

static uint32_t vec_len(const fbw *f, size_t vec)
{
    return vec ? g32(f, vec) : 0;
}

/* Table element i of the vector whose length word is at vec. */
static size_t vec_table(const fbw *f, size_t vec, uint32_t i)
{
    assert_true(i < vec_len(f, vec));
    return deref(f, vec + 4 + 4 * (size_t)i);
}

/* An i32/u32 scalar field, or def when absent. */
static uint32_t u32_field(const fbw *f, size_t table, int field, uint32_t def)
{
    size_t p = field_at(f, table, field);
    return p ? g32(f, p) : def;
}

/* Field numbers of schema.fbs (see model/tflite_reader.c). */
enum { MODEL_VERSION = 0, MODEL_OPCODES = 1, MODEL_SUBGRAPHS = 2, MODEL_BUFFERS = 4 };
enum { SG_TENSORS = 0, SG_INPUTS = 1, SG_OUTPUTS = 2, SG_OPERATORS = 3 };
enum { T_SHAPE = 0, T_TYPE = 1, T_BUFFER = 2, T_NAME = 3 };
enum { OC_DEPRECATED = 0, OC_BUILTIN = 3 };
enum { OP_OPCODE_INDEX = 0, OP_INPUTS = 1, OP_OUTPUTS = 2 };
enum { BUF_DATA = 0 };

static size_t subgraph0(const fbw *f)
{
    size_t sgs = vec_field(f, root_table(f), MODEL_SUBGRAPHS);
    assert_true(vec_len(f, sgs) >= 1);
    return vec_table(f, sgs, 0);
}

static size_t tensors_vec(const fbw *f)
{
    return vec_field(f, subgraph0(f), SG_TENSORS);
}

static size_t operators_vec(const fbw *f)
{
    return vec_field(f, subgraph0(f), SG_OPERATORS);
}

/* A working copy of a shared model; returns 0 (test skipped) without it. */
static int open_model(const char *rel, fbw *f)
{
    f->b = read_model(rel, &f->n);
    if (!f->b)
        return 0;
    /* the walker is only meaningful on a file the loader accepts */
    za_error err;
    if (try_load(f->b, f->n, &err) != ZA_OK)
        fail_msg("%s does not load: %s", rel, err.msg);
    return 1;
}

static char *ctx(char *buf, size_t n, const char *what, uint32_t i)
{
    snprintf(buf, n, "%s %u", what, i);
    return buf;
}

/* ---- header ------------------------------------------------------------- */

static void test_empty_file(void **state)
{
    (void)state;
    uint8_t none = 0;
    expect_fail(&none, 0, ZA_ERR_MALFORMED, "shorter than 8 bytes", NULL);
    expect_fail(NULL, 0, ZA_ERR_MALFORMED, "shorter than 8 bytes", NULL);
}

static void test_seven_byte_file(void **state)
{
    (void)state;
    const uint8_t b[7] = { 8, 0, 0, 0, 'T', 'F', 'L' };
    expect_fail(b, sizeof b, ZA_ERR_MALFORMED, "shorter than 8 bytes", NULL);
    for (size_t n = 1; n < 8; n++)
        expect_fail(b, n, ZA_ERR_MALFORMED, "shorter than 8 bytes", NULL);
}

static void test_wrong_identifier(void **state)
{
    (void)state;
    /* a minimal file: root offset, identifier, then a tiny table */
    uint8_t b[24] = { 12, 0, 0, 0, 'T', 'F', 'L', '2', 4, 0, 4, 0, 252, 255, 255, 255 };
    expect_fail(b, sizeof b, ZA_ERR_MALFORMED, "file identifier", "\"TFL3\"",
                "54 46 4c 32", NULL);
    memcpy(b + 4, "\0\0\0\0", 4);
    expect_fail(b, sizeof b, ZA_ERR_MALFORMED, "file identifier", "00 00 00 00", NULL);

    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    memcpy(f.b + 4, "tfl3", 4);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "expected file identifier \"TFL3\"", NULL);
    free(f.b);
}

static void test_root_offset_past_end(void **state)
{
    (void)state;
    uint8_t b[16] = { 0x00, 0x10, 0, 0, 'T', 'F', 'L', '3' };
    expect_fail(b, sizeof b, ZA_ERR_MALFORMED, "root table", "outside the file", NULL);
    /* exactly at the end, 2 bytes before it, the maximum, and zero */
    const uint32_t bad[] = { 16, 14, 13, UINT32_MAX, 0 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(b, &bad[i], 4);
        expect_fail(b, sizeof b, ZA_ERR_MALFORMED, "root table", NULL);
    }

    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    p32(&f, 0, (uint32_t)f.n + 1000);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "root table", "outside the file", NULL);
    free(f.b);
}

static void test_file_size_limit(void **state)
{
    (void)state;
    /* the size is checked before a byte is read */
    const uint8_t b[8] = { 0 };
    expect_fail(b, ZA_MAX_MODEL_FILE_BYTES + 1, ZA_ERR_LIMIT, "larger than", NULL);
}

/* Every prefix of a real model fails cleanly (and none reads past it:
 * each prefix is a separate allocation of exactly its length). */
static void test_every_truncation(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    size_t n;
    uint8_t *full = read_model(HELLO, &n);
    for (size_t len = 0; len < n; len++) {
        uint8_t *p = malloc(len ? len : 1);
        assert_non_null(p);
        memcpy(p, full, len);
        za_error err;
        za_status st = try_load(p, len, &err);
        if (st == ZA_OK)
            fail_msg("the %zu-byte prefix of a %zu-byte model loaded", len, n);
        if (st != ZA_ERR_MALFORMED)
            fail_msg("prefix of %zu bytes: status %d: %s", len, st, err.msg);
        if (!strstr(err.msg, NAME))
            fail_msg("prefix of %zu bytes: message does not name the file: %s", len, err.msg);
        free(p);
    }
    print_message("# %zu truncations of %s rejected as malformed\n", n, HELLO);
    free(full);
}

/* ---- FlatBuffer structure ----------------------------------------------- */

static void test_vtable_offset_out_of_range(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    size_t root = root_table(&f);
    uint32_t orig = g32(&f, root);
    /* vtable past the end of the file */
    p32(&f, root, (uint32_t)(int32_t)((int64_t)root - (int64_t)f.n - 100));
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "root table", "vtable offset points outside", NULL);
    /* before the start of the file */
    p32(&f, root, (uint32_t)root + 1);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "root table", "vtable offset points outside", NULL);
    /* INT32_MIN / INT32_MAX */
    p32(&f, root, 0x80000000u);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "vtable offset points outside", NULL);
    p32(&f, root, 0x7fffffffu);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "vtable offset points outside", NULL);
    p32(&f, root, orig);

    /* a tensor's vtable: the message names the tensor */
    size_t tv = tensors_vec(&f);
    uint32_t last = vec_len(&f, tv) - 1;
    size_t t = vec_table(&f, tv, last);
    p32(&f, t, 0x80000001u);
    char c[64];
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, ctx(c, sizeof c, "subgraph 0 tensor", last),
                "vtable offset points outside", NULL);
    free(f.b);
}

static void test_vtable_size_bad(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    size_t vt = vtable_of(&f, root_table(&f));
    uint16_t sizes[] = { 0, 2, 7, 0xfffe };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memcpy(f.b + vt, &sizes[i], 2);
        expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "root table", "vtable size", NULL);
    }
    free(f.b);
    /* a table whose inline size runs past the end of the file */
    assert_int_equal(open_model(HELLO, &f), 1);
    vt = vtable_of(&f, root_table(&f));
    uint16_t big = 0xfff0;
    memcpy(f.b + vt + 2, &big, 2);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "table runs past the end", NULL);
    free(f.b);
}

static void test_vector_runs_past_end(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    /* the buffers vector: under the count limit, over the file's size */
    size_t bufs = vec_field(&f, root_table(&f), MODEL_BUFFERS);
    uint32_t orig = vec_len(&f, bufs);
    p32(&f, bufs, ZA_MAX_BUFFERS - 1);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "buffers", "runs past the end of the file", NULL);
    /* over the count limit */
    p32(&f, bufs, UINT32_MAX);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "buffers", "at most 100000 allowed", NULL);
    p32(&f, bufs, orig);

    /* the tensors vector of subgraph 0 */
    size_t tv = tensors_vec(&f);
    orig = vec_len(&f, tv);
    p32(&f, tv, (uint32_t)(f.n / 4));
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "tensors", "runs past the end of the file", NULL);
    p32(&f, tv, orig);

    /* a tensor's name string */
    size_t name = vec_field(&f, vec_table(&f, tv, 0), T_NAME);
    assert_true(name != 0);
    p32(&f, name, 0x7ffffff0u);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "subgraph 0 tensor 0", "name",
                "string runs past the end of the file", NULL);
    free(f.b);

    /* a constant buffer's data: one byte more than the file holds */
    assert_int_equal(open_model(HELLO, &f), 1);
    bufs = vec_field(&f, root_table(&f), MODEL_BUFFERS);
    for (uint32_t i = 0; i < vec_len(&f, bufs); i++) {
        size_t d = vec_field(&f, vec_table(&f, bufs, i), BUF_DATA);
        if (d && vec_len(&f, d) > 0) {
            p32(&f, d, (uint32_t)(f.n - (d + 4) + 1));
            expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "buffer.data",
                        "runs past the end of the file", NULL);
            break;
        }
    }
    free(f.b);
}

/* An offset field pointing outside the file (the subgraphs vector). */
static void test_offset_field_outside(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    size_t p = field_at(&f, root_table(&f), MODEL_SUBGRAPHS);
    assert_true(p != 0);
    p32(&f, p, UINT32_MAX - 2);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "subgraphs", "offset points outside the file", NULL);
    free(f.b);
}

/* ---- tensors ------------------------------------------------------------ */

/* First tensor of subgraph 0 with rank >= min_rank; returns its index and
 * the position of its shape vector. */
static uint32_t find_tensor_with_rank(const fbw *f, uint32_t min_rank, size_t *shape)
{
    size_t tv = tensors_vec(f);
    for (uint32_t i = 0; i < vec_len(f, tv); i++) {
        size_t s = vec_field(f, vec_table(f, tv, i), T_SHAPE);
        if (vec_len(f, s) >= min_rank) {
            *shape = s;
            return i;
        }
    }
    fail_msg("no tensor of rank >= %u", min_rank);
    return 0;
}

static void test_huge_dimension(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    size_t shape;
    uint32_t ti = find_tensor_with_rank(&f, 2, &shape);
    char c[64], lim[64];
    ctx(c, sizeof c, "subgraph 0 tensor", ti);
    snprintf(lim, sizeof lim, "more than %lld elements", (long long)ZA_MAX_TENSOR_ELEMENTS);
    /* 2^16 x 2^16 = 2^32 elements */
    p32(&f, shape + 4, 1u << 16);
    p32(&f, shape + 8, 1u << 16);
    expect_fail(f.b, f.n, ZA_ERR_LIMIT, c, lim, NULL);
    /* INT32_MAX x 2: just above the limit, computed without overflow */
    p32(&f, shape + 4, INT32_MAX);
    p32(&f, shape + 8, 2);
    expect_fail(f.b, f.n, ZA_ERR_LIMIT, c, lim, NULL);
    /* INT32_MAX x INT32_MAX would overflow 32 bits */
    p32(&f, shape + 8, INT32_MAX);
    expect_fail(f.b, f.n, ZA_ERR_LIMIT, c, lim, NULL);
    free(f.b);
}

static void test_negative_dimension(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    size_t shape;
    uint32_t ti = find_tensor_with_rank(&f, 1, &shape);
    char c[64];
    ctx(c, sizeof c, "subgraph 0 tensor", ti);
    p32(&f, shape + 4, (uint32_t)-1);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, c, "shape[0] is -1", "dynamic shapes", NULL);
    p32(&f, shape + 4, 0x80000000u);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, c, "shape[0] is -2147483648", NULL);
    free(f.b);
}

static void test_rank_above_limit(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    size_t shape;
    uint32_t ti = find_tensor_with_rank(&f, 1, &shape);
    char c[64];
    ctx(c, sizeof c, "subgraph 0 tensor", ti);
    p32(&f, shape, ZA_MAX_RANK + 1);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, c, "shape", "at most 6 allowed", NULL);
    free(f.b);
}

/* First tensor whose buffer field is stored; *pos is its position. */
static uint32_t find_tensor_with_buffer_field(const fbw *f, size_t *pos, int want_data)
{
    size_t tv = tensors_vec(f);
    size_t bufs = vec_field(f, root_table(f), MODEL_BUFFERS);
    for (uint32_t i = 0; i < vec_len(f, tv); i++) {
        size_t p = field_at(f, vec_table(f, tv, i), T_BUFFER);
        if (!p)
            continue;
        if (want_data) {
            uint32_t bi = g32(f, p);
            assert_true(bi < vec_len(f, bufs));
            if (vec_len(f, vec_field(f, vec_table(f, bufs, bi), BUF_DATA)) == 0)
                continue;
        }
        *pos = p;
        return i;
    }
    fail_msg("no tensor with a stored buffer field");
    return 0;
}

static void test_buffer_index_out_of_range(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    size_t pos;
    uint32_t ti = find_tensor_with_buffer_field(&f, &pos, 0);
    uint32_t nbuf = vec_len(&f, vec_field(&f, root_table(&f), MODEL_BUFFERS));
    char c[64], want[96];
    ctx(c, sizeof c, "subgraph 0 tensor", ti);
    p32(&f, pos, nbuf); /* one past the last */
    snprintf(want, sizeof want, "buffer index %u is out of range (%u buffers)", nbuf, nbuf);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, c, want, NULL);
    p32(&f, pos, UINT32_MAX);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, c, "buffer index 4294967295 is out of range", NULL);
    free(f.b);
}

static void test_constant_buffer_wrong_size(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    size_t pos;
    uint32_t ti = find_tensor_with_buffer_field(&f, &pos, 1);
    uint32_t bi = g32(&f, pos);
    size_t bufs = vec_field(&f, root_table(&f), MODEL_BUFFERS);
    size_t data = vec_field(&f, vec_table(&f, bufs, bi), BUF_DATA);
    uint32_t len = vec_len(&f, data);
    char c[64], want[96];
    ctx(c, sizeof c, "subgraph 0 tensor", ti);
    /* one byte short */
    p32(&f, data, len - 1);
    snprintf(want, sizeof want, "constant buffer %u has %u bytes", bi, len - 1);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, c, want, NULL);
    /* one byte long (still inside the file) */
    p32(&f, data, len + 1);
    snprintf(want, sizeof want, "constant buffer %u has %u bytes", bi, len + 1);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, c, want, NULL);
    p32(&f, data, len);
    /* a tensor type of unknown size (string) cannot be a constant */
    size_t tp = field_at(&f, vec_table(&f, tensors_vec(&f), ti), T_TYPE);
    if (tp) {
        p8(&f, tp, ZM_STRING);
        expect_fail(f.b, f.n, ZA_ERR_MALFORMED, c, "constant buffer", "string", NULL);
    }
    free(f.b);
}

/* ---- operators ---------------------------------------------------------- */

static void test_opcode_index_out_of_range(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    /* no operator codes at all: every opcode_index is out of range */
    size_t oc = vec_field(&f, root_table(&f), MODEL_OPCODES);
    uint32_t n_oc = vec_len(&f, oc);
    p32(&f, oc, 0);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "subgraph 0 operator 0",
                "opcode_index 0 is out of range (0 operator codes)", NULL);
    p32(&f, oc, n_oc);
    /* an explicit index one past the end */
    size_t ops = operators_vec(&f);
    for (uint32_t i = 0; i < vec_len(&f, ops); i++) {
        size_t p = field_at(&f, vec_table(&f, ops, i), OP_OPCODE_INDEX);
        if (!p)
            continue;
        p32(&f, p, n_oc);
        char c[64], want[96];
        snprintf(want, sizeof want, "opcode_index %u is out of range (%u operator codes)", n_oc,
                 n_oc);
        expect_fail(f.b, f.n, ZA_ERR_MALFORMED, ctx(c, sizeof c, "subgraph 0 operator", i), want,
                    NULL);
        break;
    }
    free(f.b);
}

static void test_operator_tensor_index_out_of_range(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    uint32_t nt = vec_len(&f, tensors_vec(&f));
    size_t op0 = vec_table(&f, operators_vec(&f), 0);
    size_t in = vec_field(&f, op0, OP_INPUTS), out = vec_field(&f, op0, OP_OUTPUTS);
    assert_true(vec_len(&f, in) >= 1 && vec_len(&f, out) >= 1);
    uint32_t orig_in = g32(&f, in + 4), orig_out = g32(&f, out + 4);
    char want[128];
    snprintf(want, sizeof want, "tensor index %u is out of range (the subgraph has %u tensors)",
             nt, nt);
    p32(&f, in + 4, nt);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "subgraph 0 operator 0", "inputs[0]", want, NULL);
    p32(&f, in + 4, (uint32_t)-2);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "inputs[0]", "tensor index -2 is out of range",
                NULL);
    p32(&f, in + 4, orig_in);
    /* -1 (an omitted optional input) is fine for inputs, not for outputs */
    p32(&f, out + 4, (uint32_t)-1);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "outputs[0]", "tensor index -1 is out of range",
                NULL);
    p32(&f, out + 4, orig_out);
    /* too many inputs */
    p32(&f, in, ZA_MAX_OP_IO + 1);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "inputs", "at most 64 allowed", NULL);
    p32(&f, in, 1);
    /* the graph's own inputs */
    size_t gin = vec_field(&f, subgraph0(&f), SG_INPUTS);
    p32(&f, gin + 4, INT32_MAX);
    expect_fail(f.b, f.n, ZA_ERR_MALFORMED, "subgraph 0", "tensor index 2147483647", NULL);
    free(f.b);
}

/* Set operator code 0 to builtin `code`; returns the first operator that
 * uses it. */
static uint32_t set_opcode0(fbw *f, int32_t code)
{
    size_t oc0 = vec_table(f, vec_field(f, root_table(f), MODEL_OPCODES), 0);
    size_t dep = field_at(f, oc0, OC_DEPRECATED), bc = field_at(f, oc0, OC_BUILTIN);
    assert_true(dep || bc);
    if (dep)
        p8(f, dep, code < 127 ? (uint8_t)code : 127 /* PLACEHOLDER_FOR_GREATER_OP_CODES */);
    if (bc)
        p32(f, bc, (uint32_t)code);
    size_t ops = operators_vec(f);
    for (uint32_t i = 0; i < vec_len(f, ops); i++)
        if (u32_field(f, vec_table(f, ops, i), OP_OPCODE_INDEX, 0) == 0)
            return i;
    fail_msg("no operator uses operator code 0");
    return 0;
}

static void test_unsupported_op(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    uint32_t oi = set_opcode0(&f, 28 /* TANH */);
    char c[64];
    snprintf(c, sizeof c, "operator %u is TANH (builtin code 28)", oi);
    expect_fail(f.b, f.n, ZA_ERR_UNSUPPORTED, c, "supported ops", zm_supported_ops_list(),
                NULL);
    /* a code beyond every known op */
    oi = set_opcode0(&f, 100000);
    snprintf(c, sizeof c, "operator %u is UNKNOWN_OP (builtin code 100000)", oi);
    expect_fail(f.b, f.n, ZA_ERR_UNSUPPORTED, c, "supported ops", NULL);
    free(f.b);
}

static void test_custom_op(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    uint32_t oi = set_opcode0(&f, 32 /* CUSTOM */);
    char c[64];
    snprintf(c, sizeof c, "operator %u is a CUSTOM op", oi);
    expect_fail(f.b, f.n, ZA_ERR_UNSUPPORTED, c, "supported ops", "FULLY_CONNECTED", NULL);
    free(f.b);
}

static void test_schema_version(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(HELLO, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    size_t v = field_at(&f, root_table(&f), MODEL_VERSION);
    assert_true(v != 0);
    assert_int_equal(g32(&f, v), 3);
    const uint32_t bad[] = { 0, 1, 2, 4, UINT32_MAX };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p32(&f, v, bad[i]);
        char want[64];
        snprintf(want, sizeof want, "schema version %u", bad[i]);
        expect_fail(f.b, f.n, ZA_ERR_UNSUPPORTED, want, "only version 3", NULL);
    }
    free(f.b);
}

/* ---- whole files -------------------------------------------------------- */

static void test_shared_models_load(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    for (size_t i = 0; i < N_MODELS; i++) {
        size_t n;
        uint8_t *b = read_model(all_models[i], &n);
        zm_model *m = NULL;
        za_error err;
        if (zm_model_load_buffer(b, n, all_models[i], &m, &err) != ZA_OK)
            fail_msg("%s: %s", all_models[i], err.msg);
        assert_int_equal(m->version, 3);
        assert_true(m->n_ops > 0 && m->n_inputs > 0 && m->n_outputs > 0);
        zm_model_free(m);
        free(b);
    }
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Mark the bytes of every constant buffer's data, so that half of the flips
 * can target the FlatBuffer's structure instead of weights. */
static uint8_t *data_map(const fbw *f)
{
    uint8_t *map = calloc(f->n, 1);
    assert_non_null(map);
    size_t bufs = vec_field(f, root_table(f), MODEL_BUFFERS);
    for (uint32_t i = 0; i < vec_len(f, bufs); i++) {
        size_t d = vec_field(f, vec_table(f, bufs, i), BUF_DATA);
        uint32_t len = vec_len(f, d);
        if (len)
            memset(map + d + 4, 1, len);
    }
    return map;
}

/* A model that loads after corruption may still be hostile to the engine:
 * prepare it under both profiles, and run it when it is small. */
static void exercise_engine(const zm_model *m)
{
    for (int r = 0; r < 2; r++) {
        zm_engine *e = NULL;
        za_error err;
        za_status st = zm_engine_create(m, (zm_rounding)r, &e, &err);
        if (st != ZA_OK) {
            assert_null(e);
            assert_int_equal(err.code, st);
            assert_true(err.msg[0] != 0);
            continue;
        }
        zm_engine_stats s;
        zm_engine_get_stats(e, &s);
        if (s.macs <= 2000000 && s.arena_bytes <= (16u << 20))
            assert_int_equal(zm_engine_run(e, &err), ZA_OK);
        zm_engine_free(e);
    }
}

static void test_random_byte_flips(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    const char *env = getenv("ZKAUDIT_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 20240611;
    const char *it = getenv("ZKAUDIT_TEST_ITERS");
    long iters = it ? strtol(it, NULL, 10) : 2000;
    if (iters <= 0)
        iters = 2000;
    print_message("# random byte flips: seed %llu, %ld per model (ZKAUDIT_TEST_SEED, "
                  "ZKAUDIT_TEST_ITERS)\n", (unsigned long long)seed, iters);
    for (size_t mi = 0; mi < N_MODELS; mi++) {
        fbw f;
        assert_int_equal(open_model(all_models[mi], &f), 1);
        uint8_t *map = data_map(&f);
        size_t n_meta = 0;
        for (size_t i = 0; i < f.n; i++)
            n_meta += !map[i];
        size_t *meta = malloc(sizeof *meta * (n_meta ? n_meta : 1));
        assert_non_null(meta);
        for (size_t i = 0, k = 0; i < f.n; i++)
            if (!map[i])
                meta[k++] = i;
        /* the engine is only prepared for small models (ASan makes packing
         * mobilenet's weights 2000 times slow) */
        int with_engine = f.n <= 400000;
        uint64_t s = seed ^ (0x100000001b3ull * (mi + 1));
        long loaded = 0, rejected[8] = { 0 };
        for (long k = 0; k < iters; k++) {
            uint64_t r = splitmix(&s);
            size_t pos = (r & 1) || !n_meta ? (size_t)((r >> 1) % f.n)
                                            : meta[(r >> 1) % n_meta];
            uint8_t flip = (uint8_t)(splitmix(&s) % 255 + 1);
            f.b[pos] ^= flip;
            zm_model *m = NULL;
            za_error err;
            za_status st = zm_model_load_buffer(f.b, f.n, NAME, &m, &err);
            if (st == ZA_OK) {
                loaded++;
                if (with_engine)
                    exercise_engine(m);
                zm_model_free(m);
            } else {
                if (err.code != st || err.msg[0] == 0)
                    fail_msg("%s, byte %zu ^= 0x%02x: status %d, err.code %d, msg \"%s\"",
                             all_models[mi], pos, flip, st, err.code, err.msg);
                if (st != ZA_ERR_MALFORMED && st != ZA_ERR_UNSUPPORTED && st != ZA_ERR_LIMIT)
                    fail_msg("%s, byte %zu ^= 0x%02x: unexpected status %d: %s",
                             all_models[mi], pos, flip, st, err.msg);
                rejected[st & 7]++;
            }
            f.b[pos] ^= flip;
        }
        print_message("# %s: %ld loaded, %ld malformed, %ld unsupported, %ld over a limit\n",
                      all_models[mi], loaded, rejected[ZA_ERR_MALFORMED],
                      rejected[ZA_ERR_UNSUPPORTED], rejected[ZA_ERR_LIMIT]);
        free(meta);
        free(map);
        free(f.b);
    }
}

/* ---- regressions found by tests/fuzz/fuzz_tflite.c ---------------------- */

#define MICRO_SPEECH "tflite-micro/micro_speech_quantized.tflite"

/* Builtin code of operator code `i` (the larger of the two code fields). */
static int32_t opcode_of(const fbw *f, uint32_t i)
{
    size_t oc = vec_table(f, vec_field(f, root_table(f), MODEL_OPCODES), i);
    size_t dep = field_at(f, oc, OC_DEPRECATED);
    int32_t d = dep ? (int8_t)f->b[dep] : 0;
    int32_t c = (int32_t)u32_field(f, oc, OC_BUILTIN, 0);
    return c > d ? c : d;
}

/* The first operator of subgraph 0 running builtin `code`: its index and
 * the position of its builtin_options table (0 if absent). */
static uint32_t find_op(const fbw *f, int32_t code, size_t *options)
{
    size_t ops = operators_vec(f);
    for (uint32_t i = 0; i < vec_len(f, ops); i++) {
        size_t op = vec_table(f, ops, i);
        if (opcode_of(f, u32_field(f, op, OP_OPCODE_INDEX, 0)) == code) {
            size_t o = field_at(f, op, 4 /* builtin_options */);
            *options = o ? deref(f, o) : 0;
            return i;
        }
    }
    fail_msg("no operator with builtin code %d", code);
    return 0;
}

/* Load (must succeed) and create an engine under both profiles; every
 * engine that is created is run on deterministic inputs.  Returns the
 * status of the last zm_engine_create and its message in err. */
static za_status load_and_prepare(const fbw *f, za_error *err)
{
    zm_model *m = NULL;
    za_status st = zm_model_load_buffer(f->b, f->n, NAME, &m, err);
    if (st != ZA_OK)
        fail_msg("the model no longer loads: %s", err->msg);
    for (int r = 0; r < 2; r++) {
        zm_engine *e = NULL;
        st = zm_engine_create(m, (zm_rounding)r, &e, err);
        if (st != ZA_OK) {
            assert_null(e);
            assert_int_equal(err->code, st);
            continue;
        }
        for (int k = 0; k < m->n_inputs; k++) {
            const zm_tensor *t = &m->tensors[m->inputs[k]];
            uint8_t *x = malloc((size_t)t->n_bytes + 1);
            assert_non_null(x);
            for (int64_t j = 0; j < t->n_bytes; j++)
                x[j] = (uint8_t)(j * 37 + 11);
            assert_int_equal(zm_engine_set_input(e, k, x, (size_t)t->n_bytes, err), ZA_OK);
            free(x);
        }
        assert_int_equal(zm_engine_run(e, err), ZA_OK);
        zm_engine_free(e);
    }
    zm_model_free(m);
    return st;
}

/* micro_speech with one byte of SOFTMAX's beta flipped (byte 17159 ^ 0xff:
 * beta -4; ^ 0x40: beta inf) made the exponential table overflow to inf, so
 * probabilities became NaN and the float -> int32 conversion in run_softmax
 * overflowed (UBSan: signed integer overflow in kernel_softmax.c).  Such
 * betas are now refused when the engine is prepared; a moderately negative
 * beta, whose table stays finite, still runs. */
static void regression_softmax_beta(void **state)
{
    (void)state;
    fbw f;
    if (!open_model(MICRO_SPEECH, &f)) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    size_t opts;
    uint32_t oi = find_op(&f, ZM_OP_SOFTMAX, &opts);
    assert_true(opts != 0);
    size_t beta_at = field_at(&f, opts, 0);
    assert_true(beta_at != 0);
    float orig;
    memcpy(&orig, f.b + beta_at, 4);
    assert_true(orig == 1.0f);
    char want[64];
    snprintf(want, sizeof want, "operator %u (SOFTMAX)", oi);
    /* the bytes the fuzzing found: high byte of beta ^ 0xff and ^ 0x40 */
    const uint8_t flips[] = { 0xff, 0x40 };
    for (size_t i = 0; i < sizeof flips; i++) {
        f.b[beta_at + 3] ^= flips[i];
        za_error err;
        if (load_and_prepare(&f, &err) != ZA_ERR_UNSUPPORTED || !strstr(err.msg, want) ||
            !strstr(err.msg, "beta"))
            fail_msg("beta byte ^ 0x%02x: %s", flips[i], err.msg);
        f.b[beta_at + 3] ^= flips[i];
    }
    const float bad[] = { -4.0f, -1e30f, -INFINITY, INFINITY, NAN };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(f.b + beta_at, &bad[i], 4);
        za_error err;
        if (load_and_prepare(&f, &err) != ZA_ERR_UNSUPPORTED || !strstr(err.msg, "beta"))
            fail_msg("beta %g: %s", (double)bad[i], err.msg);
    }
    const float fine[] = { -1.0f, 0.0f, 0.5f, 1e38f };
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        memcpy(f.b + beta_at, &fine[i], 4);
        za_error err;
        if (load_and_prepare(&f, &err) != ZA_OK)
            fail_msg("beta %g: %s", (double)fine[i], err.msg);
    }
    free(f.b);
}

/* The same overflow through a uint8 SOFTMAX, whose output scale the runtime
 * does not check: probabilities reach 1 / output_scale.  Built by running
 * micro_speech's SOFTMAX alone, retyped to uint8, in the loaded model. */
static void regression_softmax_uint8_output_scale(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = read_model(MICRO_SPEECH, &n);
    if (!b) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    zm_model *m = NULL;
    za_error err;
    assert_int_equal(zm_model_load_buffer(b, n, NAME, &m, &err), ZA_OK);
    int k = -1;
    for (int i = 0; i < m->n_ops && k < 0; i++)
        if (m->ops[i].opcode == ZM_OP_SOFTMAX)
            k = i;
    assert_true(k >= 0);
    zm_op *saved_ops = m->ops;
    int saved_n_ops = m->n_ops;
    int32_t saved_in = m->inputs[0], saved_out = m->outputs[0];
    zm_tensor *in = &m->tensors[saved_ops[k].inputs[0]];
    zm_tensor *out = &m->tensors[saved_ops[k].outputs[0]];
    zm_dtype saved_in_type = in->type, saved_out_type = out->type;
    m->ops = &saved_ops[k];
    m->n_ops = 1;
    m->inputs[0] = saved_ops[k].inputs[0];
    m->outputs[0] = saved_ops[k].outputs[0];
    in->type = out->type = ZM_UINT8;
    in->q.zero_point[0] = 0;
    out->q.zero_point[0] = 0;
    const float scales[] = { 1e-20f, 1e-10f, 1.0f / 256 };
    for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++) {
        out->q.scale[0] = scales[i];
        zm_engine *e = NULL;
        za_status st = zm_engine_create(m, ZM_ROUNDING_TFLITE, &e, &err);
        if (scales[i] < 1e-9f) {
            if (st != ZA_ERR_UNSUPPORTED || !strstr(err.msg, "output scale"))
                fail_msg("uint8 output scale %g: status %d: %s", (double)scales[i], st,
                         st ? err.msg : "(created)");
            zm_engine_free(e);
            continue;
        }
        assert_int_equal(st, ZA_OK);
        uint8_t x[64];
        assert_true(in->n_bytes <= (int64_t)sizeof x);
        for (size_t j = 0; j < sizeof x; j++)
            x[j] = (uint8_t)(j * 71);
        assert_int_equal(zm_engine_set_input(e, 0, x, (size_t)in->n_bytes, &err), ZA_OK);
        assert_int_equal(zm_engine_run(e, &err), ZA_OK);
        zm_engine_free(e);
    }
    in->type = saved_in_type;
    out->type = saved_out_type;
    m->ops = saved_ops;
    m->n_ops = saved_n_ops;
    m->inputs[0] = saved_in;
    m->outputs[0] = saved_out;
    zm_model_free(m);
    free(b);
}

/* A fused RELU6 / RELU_N1_TO_1 on an output with a tiny scale: TFLite's
 * quantize(6.0 / scale) converted an out-of-range float to int32 (UBSan:
 * "-1e+10 is outside the range of representable values of type 'int'" in
 * zm_activation_range, found by mutating simple_add's ADD).  The bound now
 * saturates, so the activation simply does not clip.  Made here by editing
 * hello_world's loaded first FULLY_CONNECTED. */
static void regression_activation_range_tiny_scale(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = read_model(HELLO, &n);
    if (!b) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    const zm_activation acts[] = { ZM_ACT_RELU6, ZM_ACT_RELU_N1_TO_1, ZM_ACT_RELU };
    const float scales[] = { 1e-10f, 1e-30f, 1e-45f };
    for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++)
        for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++) {
            zm_model *m = NULL;
            za_error err;
            assert_int_equal(zm_model_load_buffer(b, n, NAME, &m, &err), ZA_OK);
            assert_int_equal(m->ops[0].opcode, ZM_OP_FULLY_CONNECTED);
            m->ops[0].opt.fc.activation = acts[a];
            zm_tensor *out = &m->tensors[m->ops[0].outputs[0]];
            out->q.scale[0] = scales[i];
            for (int r = 0; r < 2; r++) {
                zm_engine *e = NULL;
                za_status st = zm_engine_create(m, (zm_rounding)r, &e, &err);
                if (st != ZA_OK)
                    fail_msg("%s, scale %g: %s", zm_activation_name(acts[a]),
                             (double)scales[i], err.msg);
                int8_t x = 77;
                assert_int_equal(zm_engine_set_input(e, 0, &x, 1, &err), ZA_OK);
                assert_int_equal(zm_engine_run(e, &err), ZA_OK);
                zm_engine_free(e);
            }
            zm_model_free(m);
        }
    free(b);
}

#define MNIST "keras-mnist-to-tpu/mnist.tflite"

static size_t tensor_table(const fbw *f, uint32_t ti)
{
    return vec_table(f, tensors_vec(f), ti);
}

/* Element i of an int32 vector field of a table. */
static uint32_t vec_u32(const fbw *f, size_t table, int field, uint32_t i)
{
    size_t v = vec_field(f, table, field);
    assert_true(i < vec_len(f, v));
    return g32(f, v + 4 + 4 * (size_t)i);
}

/* Point buffers[bi] at a Buffer table appended to the file that holds only
 * offset and size: the external-data form of schema 3c, the one way a file
 * can give a tensor a constant of zero bytes. */
static void make_external_buffer(fbw *f, uint32_t bi, uint64_t off, uint64_t size)
{
    size_t elem = vec_field(f, root_table(f), MODEL_BUFFERS) + 4 + 4 * (size_t)bi;
    size_t vt = (f->n + 3) & ~(size_t)3;
    size_t table = vt + 12; /* 10-byte vtable, 2 bytes of padding */
    size_t n = table + 20;  /* soffset, u64 offset, u64 size */
    uint8_t *b = realloc(f->b, n);
    assert_non_null(b);
    memset(b + f->n, 0, n - f->n);
    f->b = b;
    f->n = n;
    const uint16_t vtab[5] = { 10, 20, 0 /* data */, 4 /* offset */, 12 /* size */ };
    memcpy(f->b + vt, vtab, sizeof vtab);
    p32(f, table, (uint32_t)(table - vt));
    memcpy(f->b + table + 4, &off, 8);
    memcpy(f->b + table + 12, &size, 8);
    p32(f, elem, (uint32_t)(table - elem));
}

/* Make tensor ti per-tensor quantized by cutting its scale and zero point
 * vectors to their first element. */
static void make_per_tensor(fbw *f, uint32_t ti)
{
    size_t q = field_at(f, tensor_table(f, ti), 4 /* quantization */);
    assert_true(q != 0);
    q = deref(f, q);
    size_t sc = vec_field(f, q, 2), zp = vec_field(f, q, 3);
    assert_true(vec_len(f, sc) >= 1);
    p32(f, sc, 1);
    if (zp)
        p32(f, zp, 1);
}

static void set_shape(fbw *f, uint32_t ti, const int32_t *dims, uint32_t rank)
{
    size_t sh = vec_field(f, tensor_table(f, ti), T_SHAPE);
    assert_int_equal(vec_len(f, sh), rank);
    for (uint32_t d = 0; d < rank; d++)
        p32(f, sh + 4 + 4 * (size_t)d, (uint32_t)dims[d]);
}

/* An empty weighted op with an absurd kernel: the filter has zero output
 * channels (a zero-byte external constant) and 2^30 x 2^30 (CONV_2D) or
 * 2^30 x 1 (DEPTHWISE_CONV_2D) taps, the output zero channels.  CONV_2D computed KH*KW*IC in int64 and overflowed (UBSan,
 * kernel_conv.c) before sizing an im2col buffer from it; DEPTHWISE_CONV_2D
 * visited all KH*KW taps of every output pixel for no MAC (a hang: macs = 0,
 * so no work limit saw it).  Empty filters are now refused in prepare. */
static void empty_filter_case(int opcode, void (*shape_filter)(int32_t *dims, int32_t ic))
{
    fbw f;
    assert_int_equal(open_model(MNIST, &f), 1);
    size_t opts;
    uint32_t oi = find_op(&f, opcode, &opts);
    size_t op = vec_table(&f, operators_vec(&f), oi);
    uint32_t in = vec_u32(&f, op, OP_INPUTS, 0), filt = vec_u32(&f, op, OP_INPUTS, 1);
    uint32_t out = vec_u32(&f, op, OP_OUTPUTS, 0);
    size_t ish = vec_field(&f, tensor_table(&f, in), T_SHAPE);
    assert_int_equal(vec_len(&f, ish), 4);
    int32_t n = (int32_t)g32(&f, ish + 4), ih = (int32_t)g32(&f, ish + 8);
    int32_t iw = (int32_t)g32(&f, ish + 12), ic = (int32_t)g32(&f, ish + 16);
    int32_t fd[4];
    shape_filter(fd, ic);
    set_shape(&f, filt, fd, 4);
    make_per_tensor(&f, filt);
    uint32_t bi = u32_field(&f, tensor_table(&f, filt), T_BUFFER, 0);
    make_external_buffer(&f, bi, 8, 0);
    const int32_t od[4] = { n, ih, iw, 0 };
    set_shape(&f, out, od, 4);
    /* SAME padding, stride 1: the output keeps the input's size */
    assert_true(opts != 0);
    size_t pad = field_at(&f, opts, 0);
    if (pad)
        p8(&f, pad, 0);
    size_t sw = field_at(&f, opts, 1), sh = field_at(&f, opts, 2);
    assert_true(sw && sh);
    p32(&f, sw, 1);
    p32(&f, sh, 1);
    za_error err;
    char want[64];
    snprintf(want, sizeof want, "operator %u (%s)", oi, zm_op_name(opcode));
    za_status st = load_and_prepare(&f, &err);
    if (st != ZA_ERR_UNSUPPORTED || !strstr(err.msg, want) ||
        !strstr(err.msg, "has no elements"))
        fail_msg("%s with an empty filter: status %d: %s", zm_op_name(opcode), st,
                 st ? err.msg : "(created)");
    free(f.b);
}

static void conv_filter(int32_t *d, int32_t ic)
{
    d[0] = 0;
    d[1] = d[2] = 1 << 30;
    d[3] = ic;
}

static void depthwise_filter(int32_t *d, int32_t ic)
{
    (void)ic;
    d[0] = 1;
    d[1] = 1 << 30; /* the running element count must stay under the limit */
    d[2] = 1;
    d[3] = 0;
}

static void regression_empty_conv_filter(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    empty_filter_case(ZM_OP_CONV_2D, conv_filter);
}

static void regression_empty_depthwise_filter(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    empty_filter_case(ZM_OP_DEPTHWISE_CONV_2D, depthwise_filter);
}

/* FULLY_CONNECTED with weights [0, K]: K (up to 2^31 - 1) sized a scratch
 * row of 2K bytes for an op with no output.  Refused like the above (made by
 * editing hello_world's loaded first FULLY_CONNECTED). */
static void regression_empty_fc_weights(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = read_model(HELLO, &n);
    if (!b) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    zm_model *m = NULL;
    za_error err;
    assert_int_equal(zm_model_load_buffer(b, n, NAME, &m, &err), ZA_OK);
    assert_int_equal(m->ops[0].opcode, ZM_OP_FULLY_CONNECTED);
    zm_tensor *w = &m->tensors[m->ops[0].inputs[1]];
    assert_int_equal(w->rank, 2);
    w->shape[0] = 0;
    w->n_elems = w->n_bytes = 0;
    zm_engine *e = NULL;
    za_status st = zm_engine_create(m, ZM_ROUNDING_TFLITE, &e, &err);
    if (st != ZA_ERR_UNSUPPORTED || !strstr(err.msg, "operator 0 (FULLY_CONNECTED)") ||
        !strstr(err.msg, "no elements"))
        fail_msg("status %d: %s", st, st ? err.msg : "(created)");
    zm_model_free(m);
    free(b);
}

#define MOBILENET "tflite-micro/mobilenet_v2_quantized_1x3x224x224.tflite"

/* Run operator k of a loaded model on its own: the op list is cut to it and
 * the graph's first input and output become its input 0 and output. */
typedef struct {
    zm_op *ops;
    int n_ops;
    int32_t in0, out0;
} isolated_op;

static void isolate_op(zm_model *m, int k, isolated_op *sv)
{
    sv->ops = m->ops;
    sv->n_ops = m->n_ops;
    sv->in0 = m->inputs[0];
    sv->out0 = m->outputs[0];
    m->ops = &sv->ops[k];
    m->n_ops = 1;
    m->inputs[0] = sv->ops[k].inputs[0];
    m->outputs[0] = sv->ops[k].outputs[0];
}

static void restore_ops(zm_model *m, const isolated_op *sv)
{
    m->ops = sv->ops;
    m->n_ops = sv->n_ops;
    m->inputs[0] = sv->in0;
    m->outputs[0] = sv->out0;
}

static int find_loaded_op(const zm_model *m, int opcode)
{
    for (int i = 0; i < m->n_ops; i++)
        if (m->ops[i].opcode == opcode)
            return i;
    fail_msg("no %s operator", zm_op_name(opcode));
    return -1;
}

/* Create (and, on success, run on deterministic inputs) an engine for the
 * model; returns the status, message in err. */
static za_status prepare_loaded_profile(const zm_model *m, zm_rounding r, za_error *err)
{
    zm_engine *e = NULL;
    za_status st = zm_engine_create(m, r, &e, err);
    if (st != ZA_OK)
        return st;
    for (int k = 0; k < m->n_inputs; k++) {
        const zm_tensor *t = &m->tensors[m->inputs[k]];
        uint8_t *x = malloc((size_t)t->n_bytes + 1);
        assert_non_null(x);
        for (int64_t j = 0; j < t->n_bytes; j++)
            x[j] = (uint8_t)(j * 29 + 5);
        assert_int_equal(zm_engine_set_input(e, k, x, (size_t)t->n_bytes, err), ZA_OK);
        free(x);
    }
    assert_int_equal(zm_engine_run(e, err), ZA_OK);
    zm_engine_free(e);
    return ZA_OK;
}

static za_status prepare_loaded(const zm_model *m, za_error *err)
{
    return prepare_loaded_profile(m, ZM_ROUNDING_TFLITE, err);
}


/* MEAN over H and W (the runtime's 4-D path) with a huge input/output scale
 * ratio: bias = out_zp - (int32)(in_zp * ratio +- 0.5f) converted an
 * out-of-range float (UBSan "inf is outside the range of representable
 * values of type 'int'" in kernel_mean.c, found by mutating the scales of
 * tools/make_op_models.c's mean_hw_keep_* models) and the rescaled sum plus
 * that bias could overflow int32.  Ratios of 2^22 and more are now refused.
 * Made by editing mobilenet's loaded MEAN. */
static void regression_mean_scale_ratio(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = read_model(MOBILENET, &n);
    if (!b) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    zm_model *m = NULL;
    za_error err;
    assert_int_equal(zm_model_load_buffer(b, n, NAME, &m, &err), ZA_OK);
    int k = find_loaded_op(m, ZM_OP_MEAN);
    isolated_op sv;
    isolate_op(m, k, &sv);
    m->ops[0].opt.reducer.keep_dims = 1;
    zm_tensor *in = &m->tensors[m->ops[0].inputs[0]];
    zm_tensor *out = &m->tensors[m->ops[0].outputs[0]];
    assert_int_equal(in->rank, 4);
    float in_scale = in->q.scale[0], out_scale = out->q.scale[0];
    in->q.zero_point[0] = 100;
    const struct {
        float in, out;
        int ok;
    } cases[] = {
        { 1e20f, 0.05f, 0 },     /* ratio 2e21 */
        { 0.05f, 1e-38f, 0 },    /* ratio 5e36 */
        { 0.05f, 1.4e-45f, 0 },  /* ratio inf */
        { 3e38f, 1e-10f, 0 },
        { 1000.0f, 0.001f, 1 },  /* ratio 1e6: defined, runs */
        { 0.02f, 0.05f, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        in->q.scale[0] = cases[i].in;
        out->q.scale[0] = cases[i].out;
        za_status st = prepare_loaded(m, &err);
        if (cases[i].ok ? st != ZA_OK
                        : st != ZA_ERR_UNSUPPORTED || !strstr(err.msg, "scale ratio"))
            fail_msg("MEAN with scales %g -> %g: status %d: %s", (double)cases[i].in,
                     (double)cases[i].out, st, st ? err.msg : "(created)");
    }
    in->q.scale[0] = in_scale;
    out->q.scale[0] = out_scale;
    restore_ops(m, &sv);
    zm_model_free(m);
    free(b);
}

/* PAD with int64 paddings near INT64_MAX: pads[before] + pads[after] +
 * size overflowed int64 (signed overflow) while checking them against the
 * output shape.  Each pad is now bounded by the output size first.  Made by
 * giving mobilenet's loaded first PAD an int64 paddings constant. */
static void regression_pad_int64_overflow(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = read_model(MOBILENET, &n);
    if (!b) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    zm_model *m = NULL;
    za_error err;
    assert_int_equal(zm_model_load_buffer(b, n, NAME, &m, &err), ZA_OK);
    int k = find_loaded_op(m, ZM_OP_PAD);
    isolated_op sv;
    isolate_op(m, k, &sv);
    zm_tensor *pt = &m->tensors[m->ops[0].inputs[1]];
    const zm_tensor *in = &m->tensors[m->ops[0].inputs[0]];
    const zm_tensor *out = &m->tensors[m->ops[0].outputs[0]];
    assert_int_equal(pt->n_elems, 2 * in->rank);
    zm_tensor saved = *pt;
    int64_t pads[2 * ZA_MAX_RANK];
    pt->type = ZM_INT64;
    pt->n_bytes = 8 * pt->n_elems;
    pt->data = (const uint8_t *)pads;
    /* the real paddings, as int64: still accepted and run */
    for (int d = 0; d < 2 * in->rank; d++) {
        int32_t v;
        memcpy(&v, saved.data + 4 * d, 4);
        pads[d] = v;
    }
    za_status st = prepare_loaded(m, &err);
    if (st != ZA_OK)
        fail_msg("int64 paddings: %s", err.msg);
    /* find a padded dimension and overflow its sum */
    int d = 0;
    while (d < in->rank && in->shape[d] == out->shape[d])
        d++;
    assert_true(d < in->rank);
    const int64_t bad[][2] = { { INT64_MAX, 1 }, { INT64_MAX, INT64_MAX },
                               { 1, INT64_MAX - 1 }, { (int64_t)1 << 62, (int64_t)1 << 62 } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pads[2 * d] = bad[i][0];
        pads[2 * d + 1] = bad[i][1];
        st = prepare_loaded(m, &err);
        if (st != ZA_ERR_MALFORMED || !strstr(err.msg, "paddings"))
            fail_msg("paddings (%lld, %lld): status %d: %s", (long long)bad[i][0],
                     (long long)bad[i][1], st, st ? err.msg : "(created)");
    }
    *pt = saved;
    restore_ops(m, &sv);
    zm_model_free(m);
    free(b);
}

/* CONV_2D whose dilated filter spans more than 2^31 input rows: the
 * kernel's row index oy * stride - pad + ky * dilation overflowed int
 * (UBSan: "524288 * 4096 cannot be represented in type 'int'" in
 * kernel_conv.c) - a 600,000-tap filter with dilation 4096, a 600 KB file.
 * Refused now.  Made by editing mobilenet's loaded first CONV_2D (its
 * filter data taken from the file bytes). */
static void regression_conv_dilation_overflow(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = read_model(MOBILENET, &n);
    if (!b) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    zm_model *m = NULL;
    za_error err;
    assert_int_equal(zm_model_load_buffer(b, n, NAME, &m, &err), ZA_OK);
    int k = find_loaded_op(m, ZM_OP_CONV_2D);
    isolated_op sv;
    isolate_op(m, k, &sv);
    zm_op *op = &m->ops[0];
    int saved_n_inputs = op->n_inputs;
    op->n_inputs = 2; /* no bias: only the reference profile (TFLM) accepts that */
    zm_tensor *in = &m->tensors[op->inputs[0]], *f = &m->tensors[op->inputs[1]];
    zm_tensor *out = &m->tensors[op->outputs[0]];
    zm_tensor s_in = *in, s_f = *f, s_out = *out;
    int saved_qn = f->q.n;
    const int32_t io[4] = { 1, 5, 1, 1 }, fs[4] = { 1, 600000, 1, 1 };
    memcpy(in->shape, io, sizeof io);
    memcpy(out->shape, io, sizeof io);
    in->n_elems = in->n_bytes = out->n_elems = out->n_bytes = 5;
    memcpy(f->shape, fs, sizeof fs);
    f->n_elems = f->n_bytes = 600000;
    assert_true(m->file_len > 700000);
    memset(m->file + 100000, 1, 600000);
    f->data = m->file + 100000;
    f->q.n = 1;
    op->opt.conv.padding = ZM_PAD_SAME;
    op->opt.conv.stride_h = op->opt.conv.stride_w = 1;
    op->opt.conv.dilation_w = 1;
    op->opt.conv.dilation_h = 4096;
    za_status st = prepare_loaded_profile(m, ZM_ROUNDING_REFERENCE, &err);
    if (st != ZA_ERR_UNSUPPORTED || !strstr(err.msg, "spans more than 2^31"))
        fail_msg("dilation 4096: status %d: %s", st, st ? err.msg : "(created)");
    op->opt.conv.dilation_h = 2; /* 1.2M positions: fine, and runs */
    st = prepare_loaded_profile(m, ZM_ROUNDING_REFERENCE, &err);
    if (st != ZA_OK)
        fail_msg("dilation 2: %s", err.msg);
    f->q.n = saved_qn;
    *in = s_in;
    *f = s_f;
    *out = s_out;
    op->n_inputs = saved_n_inputs;
    restore_ops(m, &sv);
    zm_model_free(m);
    free(b);
}

/* MAX_POOL_2D on an input of 2^31 - 1 rows: window bounds ih - (oy *
 * stride - pad) overflowed int.  Refused before any activation memory is
 * allocated.  Made by editing mnist's loaded MAX_POOL_2D. */
static void regression_pool_huge_input(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = read_model(MNIST, &n);
    if (!b) {
        SKIP_WITHOUT_SHARED();
        return;
    }
    zm_model *m = NULL;
    za_error err;
    assert_int_equal(zm_model_load_buffer(b, n, NAME, &m, &err), ZA_OK);
    int k = find_loaded_op(m, ZM_OP_MAX_POOL_2D);
    isolated_op sv;
    isolate_op(m, k, &sv);
    zm_op *op = &m->ops[0];
    zm_tensor *in = &m->tensors[op->inputs[0]], *out = &m->tensors[op->outputs[0]];
    zm_tensor s_in = *in, s_out = *out;
    zm_pool_options s_opt = op->opt.pool;
    const int32_t sh[4] = { 1, INT32_MAX, 1, 1 };
    memcpy(in->shape, sh, sizeof sh);
    memcpy(out->shape, sh, sizeof sh);
    in->n_elems = in->n_bytes = out->n_elems = out->n_bytes = INT32_MAX;
    op->opt.pool.padding = ZM_PAD_SAME;
    op->opt.pool.stride_h = op->opt.pool.stride_w = 1;
    op->opt.pool.filter_h = 3;
    op->opt.pool.filter_w = 1;
    zm_engine *e = NULL;
    za_status st = zm_engine_create(m, ZM_ROUNDING_TFLITE, &e, &err);
    if (st != ZA_ERR_UNSUPPORTED || !strstr(err.msg, "too large to pool"))
        fail_msg("status %d: %s", st, st ? err.msg : "(created)");
    op->opt.pool = s_opt;
    *in = s_in;
    *out = s_out;
    restore_ops(m, &sv);
    zm_model_free(m);
    free(b);
}

int main(void)
{
    if (!shared_dir())
        printf("# ../shared/models not found (set ZKAUDIT_SHARED): model tests are skipped\n");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_seven_byte_file),
        cmocka_unit_test(test_wrong_identifier),
        cmocka_unit_test(test_root_offset_past_end),
        cmocka_unit_test(test_file_size_limit),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_vtable_offset_out_of_range),
        cmocka_unit_test(test_vtable_size_bad),
        cmocka_unit_test(test_vector_runs_past_end),
        cmocka_unit_test(test_offset_field_outside),
        cmocka_unit_test(test_huge_dimension),
        cmocka_unit_test(test_negative_dimension),
        cmocka_unit_test(test_rank_above_limit),
        cmocka_unit_test(test_buffer_index_out_of_range),
        cmocka_unit_test(test_constant_buffer_wrong_size),
        cmocka_unit_test(test_opcode_index_out_of_range),
        cmocka_unit_test(test_operator_tensor_index_out_of_range),
        cmocka_unit_test(test_unsupported_op),
        cmocka_unit_test(test_custom_op),
        cmocka_unit_test(test_schema_version),
        cmocka_unit_test(test_shared_models_load),
        cmocka_unit_test(test_random_byte_flips),
        cmocka_unit_test(regression_softmax_beta),
        cmocka_unit_test(regression_softmax_uint8_output_scale),
        cmocka_unit_test(regression_activation_range_tiny_scale),
        cmocka_unit_test(regression_empty_conv_filter),
        cmocka_unit_test(regression_empty_depthwise_filter),
        cmocka_unit_test(regression_empty_fc_weights),
        cmocka_unit_test(regression_mean_scale_ratio),
        cmocka_unit_test(regression_pad_int64_overflow),
        cmocka_unit_test(regression_conv_dilation_overflow),
        cmocka_unit_test(regression_pool_huge_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
