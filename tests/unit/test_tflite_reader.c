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
 * The regression_* tests replay inputs found by tests/fuzz/fuzz_tflite.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
