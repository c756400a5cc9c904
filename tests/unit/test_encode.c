/* tests/unit/test_encode.c - the proof encoding: exact byte layout, round
 * trips of every type, every truncation of a valid encoding failing cleanly
 * (each prefix parsed from an exact-size heap copy, so ASan sees any
 * over-read), non-canonical field elements, oversized vector counts
 * rejected before any allocation, the container header (magic, version,
 * kind, payload length, size cap, trailing bytes), sticky errors and the
 * wording of messages. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "tests/unit/testutil.h"
#include "zk/encode.h"

static uint64_t seed;

static uint8_t *take_ok(zk_writer *w, size_t *len)
{
    za_error err;
    assert_int_equal(zk_writer_status(w, &err), ZA_OK);
    uint8_t *b = zk_writer_take(w, len);
    assert_non_null(b);
    return b;
}

static void test_layout(void **state)
{
    (void)state;
    zk_writer w;
    zk_writer_init(&w);
    zk_write_u8(&w, 0xab);
    zk_write_u16(&w, 0x0102);
    zk_write_u32(&w, 0x03040506);
    zk_write_u64(&w, 0x0708090a0b0c0d0eull);
    zk_write_fp(&w, ZK_P - 1);
    zk_write_fp2(&w, zk_fp2_make(1, 2));
    zk_fp v[2] = { 5, 6 };
    zk_write_fp_vec(&w, v, 2);
    zk_write_byte_string(&w, "hi", 2);
    size_t len;
    uint8_t *b = take_ok(&w, &len);
    static const uint8_t want[] = {
        0xab, 0x02, 0x01, 0x06, 0x05, 0x04, 0x03, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 0x09, 0x08,
        0x07, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,                   /* p-1 */
        1,    0,    0,    0,    0,    0,    0,    0,    2, 0, 0, 0, 0, 0, 0, 0, /* fp2 */
        2,    0,    0,    0,    5,    0,    0,    0,    0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0,
        2,    0,    0,    0,    'h',  'i',
    };
    assert_int_equal(len, sizeof want);
    assert_memory_equal(b, want, sizeof want);
    free(b);

    /* a container header */
    zk_writer_init(&w);
    size_t mark = zk_writer_begin_container(&w, 0x0203);
    zk_write_u8(&w, 9);
    zk_writer_end_container(&w, mark);
    b = take_ok(&w, &len);
    static const uint8_t hdr[] = { 'Z', 'K', 'A', 'P', ZK_FORMAT_VERSION, 0, 3, 2, 1, 0, 0, 0, 9 };
    assert_int_equal(len, sizeof hdr);
    assert_memory_equal(b, hdr, sizeof hdr);
    free(b);
}

/* A rich encoding and its parser: the same sequence writes and reads. */
typedef struct {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    zk_fp fp;
    zk_fp2 fp2;
    zk_digest dg;
    zk_fp fa[3];
    zk_fp2 f2a[2];
    zk_digest da[2];
    uint64_t ua[2];
    zk_fp *fv;
    size_t nfv;
    zk_fp2 *f2v;
    size_t nf2v;
    zk_digest *dv;
    size_t ndv;
    uint64_t *uv;
    size_t nuv;
    const uint8_t *bs;
    size_t nbs;
    uint8_t raw[5];
} sample;

static void sample_fill(sample *x, uint64_t *s, int empty_vectors)
{
    memset(x, 0, sizeof *x);
    x->u8 = (uint8_t)zt_next(s);
    x->u16 = (uint16_t)zt_next(s);
    x->u32 = (uint32_t)zt_next(s);
    x->u64 = zt_next(s);
    x->fp = zt_next(s) % ZK_P;
    x->fp2 = zk_fp2_make(ZK_P - 1, zt_next(s) % ZK_P);
    for (int i = 0; i < 32; i++)
        x->dg.h[i] = (uint8_t)zt_next(s);
    for (int i = 0; i < 3; i++)
        x->fa[i] = zt_next(s) % ZK_P;
    x->f2a[0] = zk_fp2_make(0, 0);
    x->f2a[1] = zk_fp2_make(zt_next(s) % ZK_P, zt_next(s) % ZK_P);
    x->da[0] = x->dg;
    memset(x->da[1].h, 0xee, 32);
    x->ua[0] = UINT64_MAX;
    x->ua[1] = 0;
    if (!empty_vectors) {
        static zk_fp fv[4];
        static zk_fp2 f2v[3];
        static zk_digest dv[2];
        static uint64_t uv[3];
        static const uint8_t bs[7] = "abcdefg";
        for (int i = 0; i < 4; i++)
            fv[i] = zt_next(s) % ZK_P;
        for (int i = 0; i < 3; i++)
            f2v[i] = zk_fp2_make(zt_next(s) % ZK_P, zt_next(s) % ZK_P);
        memset(dv, 0x5a, sizeof dv);
        for (int i = 0; i < 3; i++)
            uv[i] = zt_next(s);
        x->fv = fv, x->nfv = 4;
        x->f2v = f2v, x->nf2v = 3;
        x->dv = dv, x->ndv = 2;
        x->uv = uv, x->nuv = 3;
        x->bs = bs, x->nbs = 7;
    }
    memcpy(x->raw, "\x01\x02\x03\x04\x05", 5);
}

static void sample_write(zk_writer *w, const sample *x)
{
    zk_write_u8(w, x->u8);
    zk_write_u16(w, x->u16);
    zk_write_u32(w, x->u32);
    zk_write_u64(w, x->u64);
    zk_write_fp(w, x->fp);
    zk_write_fp2(w, x->fp2);
    zk_write_digest(w, &x->dg);
    zk_write_fp_array(w, x->fa, 3);
    zk_write_fp2_array(w, x->f2a, 2);
    zk_write_digest_array(w, x->da, 2);
    zk_write_u64_array(w, x->ua, 2);
    zk_write_fp_vec(w, x->fv, x->nfv);
    zk_write_fp2_vec(w, x->f2v, x->nf2v);
    zk_write_digest_vec(w, x->dv, x->ndv);
    zk_write_u64_vec(w, x->uv, x->nuv);
    zk_write_byte_string(w, x->bs, x->nbs);
    zk_write_bytes(w, x->raw, 5);
}

/* Parse into y (vectors allocated: sample_release frees them). */
static za_status sample_read(zk_reader *r, sample *y)
{
    memset(y, 0, sizeof *y);
    zk_reader_section(r, "sample");
    zk_read_u8(r, "u8", &y->u8);
    zk_read_u16(r, "u16", &y->u16);
    zk_read_u32(r, "u32", &y->u32);
    zk_read_u64(r, "u64", &y->u64);
    zk_read_fp(r, "fp", &y->fp);
    zk_read_fp2(r, "fp2", &y->fp2);
    zk_read_digest(r, "digest", &y->dg);
    zk_read_fp_array(r, "fp array", y->fa, 3);
    zk_read_fp2_array(r, "fp2 array", y->f2a, 2);
    zk_read_digest_array(r, "digest array", y->da, 2);
    zk_read_u64_array(r, "u64 array", y->ua, 2);
    zk_read_fp_vec(r, "fp vec", 16, &y->fv, &y->nfv);
    zk_read_fp2_vec(r, "fp2 vec", 16, &y->f2v, &y->nf2v);
    zk_read_digest_vec(r, "digest vec", 16, &y->dv, &y->ndv);
    zk_read_u64_vec(r, "u64 vec", 16, &y->uv, &y->nuv);
    zk_read_byte_string(r, "bytes", 16, &y->bs, &y->nbs);
    zk_read_bytes(r, "raw", y->raw, 5);
    return zk_reader_status(r);
}

static void sample_release(sample *y)
{
    free(y->fv);
    free(y->f2v);
    free(y->dv);
    free(y->uv);
}

static void sample_equal(const sample *x, const sample *y)
{
    assert_int_equal(x->u8, y->u8);
    assert_int_equal(x->u16, y->u16);
    assert_int_equal(x->u32, y->u32);
    assert_int_equal(x->u64, y->u64);
    assert_int_equal(x->fp, y->fp);
    assert_true(zk_fp2_eq(x->fp2, y->fp2));
    assert_memory_equal(&x->dg, &y->dg, 32);
    assert_memory_equal(x->fa, y->fa, sizeof x->fa);
    assert_memory_equal(x->f2a, y->f2a, sizeof x->f2a);
    assert_memory_equal(x->da, y->da, sizeof x->da);
    assert_memory_equal(x->ua, y->ua, sizeof x->ua);
    assert_int_equal(x->nfv, y->nfv);
    assert_int_equal(x->nf2v, y->nf2v);
    assert_int_equal(x->ndv, y->ndv);
    assert_int_equal(x->nuv, y->nuv);
    assert_int_equal(x->nbs, y->nbs);
    if (x->nfv) {
        assert_memory_equal(x->fv, y->fv, x->nfv * sizeof *x->fv);
        assert_memory_equal(x->f2v, y->f2v, x->nf2v * sizeof *x->f2v);
        assert_memory_equal(x->dv, y->dv, x->ndv * sizeof *x->dv);
        assert_memory_equal(x->uv, y->uv, x->nuv * sizeof *x->uv);
        assert_memory_equal(x->bs, y->bs, x->nbs);
    } else {
        assert_null(y->fv);
        assert_null(y->f2v);
        assert_null(y->dv);
        assert_null(y->uv);
    }
    assert_memory_equal(x->raw, y->raw, 5);
}

static uint8_t *encode_sample(const sample *x, int container, size_t *len)
{
    zk_writer w;
    zk_writer_init(&w);
    size_t mark = container ? zk_writer_begin_container(&w, 7) : 0;
    sample_write(&w, x);
    if (container)
        zk_writer_end_container(&w, mark);
    return take_ok(&w, len);
}

static void test_roundtrip(void **state)
{
    (void)state;
    uint64_t s = seed ^ 0x5005;
    for (int rep = 0; rep < 50; rep++) {
        sample x, y;
        sample_fill(&x, &s, rep % 5 == 0);
        for (int container = 0; container <= 1; container++) {
            size_t len;
            uint8_t *b = encode_sample(&x, container, &len);
            za_error err;
            zk_reader r;
            zk_reader_init(&r, b, len, "proof", &err);
            if (container)
                assert_int_equal(zk_reader_open_container(&r, 7), ZA_OK);
            assert_int_equal(sample_read(&r, &y), ZA_OK);
            assert_int_equal(zk_reader_finish(&r), ZA_OK);
            assert_int_equal(err.code, ZA_OK);
            sample_equal(&x, &y);
            /* the allocations never exceed the input */
            assert_true(r.allocated <= len);
            sample_release(&y);
            free(b);
        }
    }
}

static void test_every_truncation(void **state)
{
    (void)state;
    uint64_t s = seed ^ 0x6006;
    sample x, y;
    sample_fill(&x, &s, 0);
    for (int container = 0; container <= 1; container++) {
        size_t len;
        uint8_t *full = encode_sample(&x, container, &len);
        for (size_t cut = 0; cut < len; cut++) {
            /* an exact-size copy: any read past the end is an ASan error */
            uint8_t *b = malloc(cut ? cut : 1);
            assert_non_null(b);
            memcpy(b, full, cut);
            za_error err;
            zk_reader r;
            zk_reader_init(&r, b, cut, "proof", &err);
            memset(&y, 0, sizeof y);
            za_status st = container ? zk_reader_open_container(&r, 7) : ZA_OK;
            if (st == ZA_OK)
                st = sample_read(&r, &y);
            if (st == ZA_OK)
                st = zk_reader_finish(&r);
            if (st == ZA_OK)
                fail_msg("a %zu-byte prefix of a %zu-byte encoding parsed", cut, len);
            assert_int_equal(st, ZA_ERR_MALFORMED);
            assert_int_equal(err.code, st);
            assert_non_null(strstr(err.msg, "proof: offset "));
            if (!container)
                assert_non_null(strstr(err.msg, "truncated"));
            /* a failed reader stays failed, outputs zeroed */
            uint64_t v = 1;
            assert_int_equal(zk_read_u64(&r, "more", &v), st);
            assert_int_equal(v, 0);
            sample_release(&y);
            free(b);
        }
        /* and the full encoding parses */
        za_error err;
        zk_reader r;
        zk_reader_init(&r, full, len, "proof", &err);
        if (container)
            assert_int_equal(zk_reader_open_container(&r, 7), ZA_OK);
        assert_int_equal(sample_read(&r, &y), ZA_OK);
        assert_int_equal(zk_reader_finish(&r), ZA_OK);
        sample_release(&y);
        free(full);
    }
}

static void test_noncanonical(void **state)
{
    (void)state;
    const uint64_t bad[] = { ZK_P, ZK_P + 1, ZK_P + 0xfffffffeull, UINT64_MAX };
    za_error err;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t b[8 * 5 + 4];
        zk_reader r;
        zk_fp v;
        /* single element */
        zk_fp_to_bytes(0, b);
        for (int k = 0; k < 8; k++)
            b[k] = (uint8_t)(bad[i] >> (8 * k));
        zk_reader_init(&r, b, 8, "proof", &err);
        assert_int_equal(zk_read_fp(&r, "x", &v), ZA_ERR_MALFORMED);
        assert_int_equal(v, 0);
        assert_non_null(strstr(err.msg, "non-canonical"));
        /* element 3 of an array of 5: the offset names it */
        for (int e = 0; e < 5; e++)
            for (int k = 0; k < 8; k++)
                b[8 * e + k] = (uint8_t)((e == 3 ? bad[i] : (uint64_t)e) >> (8 * k));
        zk_fp a[5] = { 9, 9, 9, 9, 9 };
        zk_reader_init(&r, b, 40, "proof", &err);
        assert_int_equal(zk_read_fp_array(&r, "column", a, 5), ZA_ERR_MALFORMED);
        assert_non_null(strstr(err.msg, "proof: offset 24 (column)"));
        assert_non_null(strstr(err.msg, "element 3 of 5"));
        for (int e = 0; e < 5; e++)
            assert_int_equal(a[e], 0);
        /* in a vector: rejected and nothing left allocated */
        b[0] = 5, b[1] = b[2] = b[3] = 0;
        for (int e = 0; e < 5; e++)
            for (int k = 0; k < 8; k++)
                b[4 + 8 * e + k] = (uint8_t)((e == 4 ? bad[i] : (uint64_t)e) >> (8 * k));
        zk_fp *vec = (zk_fp *)1;
        size_t n = 7;
        zk_reader_init(&r, b, 44, "proof", &err);
        assert_int_equal(zk_read_fp_vec(&r, "vec", 5, &vec, &n), ZA_ERR_MALFORMED);
        assert_null(vec);
        assert_int_equal(n, 0);
        /* either half of an extension element */
        for (int half = 0; half < 2; half++) {
            for (int k = 0; k < 8; k++) {
                b[k] = (uint8_t)((half == 0 ? bad[i] : 1) >> (8 * k));
                b[8 + k] = (uint8_t)((half == 1 ? bad[i] : 1) >> (8 * k));
            }
            zk_fp2 x2;
            zk_reader_init(&r, b, 16, "proof", &err);
            assert_int_equal(zk_read_fp2(&r, "ext", &x2), ZA_ERR_MALFORMED);
            assert_true(zk_fp2_is_zero(x2));
        }
        /* the writer refuses to produce one */
        zk_writer w;
        zk_writer_init(&w);
        zk_write_fp(&w, bad[i]);
        assert_int_equal(zk_writer_status(&w, &err), ZA_ERR_ARG);
        zk_writer_free(&w);
        zk_writer_init(&w);
        zk_write_fp2(&w, zk_fp2_make(0, bad[i]));
        assert_int_equal(zk_writer_status(&w, &err), ZA_ERR_ARG);
        size_t len;
        assert_null(zk_writer_take(&w, &len));
        assert_int_equal(len, 0);
    }
    /* p - 1 is fine */
    uint8_t b[8];
    zk_fp v;
    zk_reader r;
    zk_fp_to_bytes(ZK_P - 1, b);
    zk_reader_init(&r, b, 8, "proof", &err);
    assert_int_equal(zk_read_fp(&r, "x", &v), ZA_OK);
    assert_int_equal(v, ZK_P - 1);
}

static void test_oversized_counts(void **state)
{
    (void)state;
    za_error err;
    const uint32_t counts[] = { 0xffffffffu, 0x80000000u, 1000000u, 3 };
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        /* the count, then only 2 elements' worth of bytes (16 + pad) */
        uint8_t b[4 + 64] = { 0 };
        for (int k = 0; k < 4; k++)
            b[k] = (uint8_t)(counts[c] >> (8 * k));
        for (int type = 0; type < 5; type++) {
            for (int limited = 0; limited <= 1; limited++) {
                /* limited: max below the count (ZA_ERR_LIMIT); else an
                 * unlimited max and a count the bytes cannot hold */
                size_t max = limited ? counts[c] - 1 : SIZE_MAX;
                size_t len = type == 4 ? 4 + 2 : 4 + 2 * (type == 1 ? 16 : type == 2 ? 32 : 8);
                zk_reader r;
                zk_reader_init(&r, b, len, "proof", &err);
                void *v = (void *)1;
                size_t n = 99;
                za_status st;
                switch (type) {
                case 0: st = zk_read_fp_vec(&r, "v", max, (zk_fp **)&v, &n); break;
                case 1: st = zk_read_fp2_vec(&r, "v", max, (zk_fp2 **)&v, &n); break;
                case 2: st = zk_read_digest_vec(&r, "v", max, (zk_digest **)&v, &n); break;
                case 3: st = zk_read_u64_vec(&r, "v", max, (uint64_t **)&v, &n); break;
                default: {
                    const uint8_t *p = (const uint8_t *)1;
                    st = zk_read_byte_string(&r, "v", max, &p, &n);
                    assert_null(p);
                    v = NULL;
                }
                }
                assert_int_equal(st, limited ? ZA_ERR_LIMIT : ZA_ERR_MALFORMED);
                assert_non_null(strstr(err.msg, limited ? "above the maximum" : "truncated"));
                assert_null(v);
                assert_int_equal(n, 0);
                assert_int_equal(r.allocated, 0); /* checked before allocating */
            }
        }
    }
    /* the count alone, truncated */
    uint8_t b[3] = { 1, 0, 0 };
    zk_reader r;
    size_t n;
    uint64_t *v;
    zk_reader_init(&r, b, 3, "proof", &err);
    assert_int_equal(zk_read_u64_vec(&r, "v", 10, &v, &n), ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "(v count): truncated, need 4 bytes, 3 left"));
    /* an exactly fitting count is fine */
    uint8_t ok[4 + 16] = { 2 };
    zk_reader_init(&r, ok, sizeof ok, "proof", &err);
    assert_int_equal(zk_read_u64_vec(&r, "v", 2, &v, &n), ZA_OK);
    assert_int_equal(n, 2);
    assert_int_equal(r.allocated, 16);
    assert_int_equal(zk_reader_finish(&r), ZA_OK);
    free(v);
}

static size_t make_container(uint8_t *b, const char *magic, uint16_t version, uint16_t kind,
                             uint32_t plen, size_t actual)
{
    memcpy(b, magic, 4);
    b[4] = (uint8_t)version, b[5] = (uint8_t)(version >> 8);
    b[6] = (uint8_t)kind, b[7] = (uint8_t)(kind >> 8);
    for (int k = 0; k < 4; k++)
        b[8 + k] = (uint8_t)(plen >> (8 * k));
    memset(b + 12, 0x42, actual);
    return 12 + actual;
}

static void test_container(void **state)
{
    (void)state;
    uint8_t b[64];
    za_error err;
    zk_reader r;
    struct {
        const char *magic;
        uint16_t version, kind;
        uint32_t plen;
        size_t actual;
        za_status want;
        const char *msg;
    } cases[] = {
        { "ZKAP", ZK_FORMAT_VERSION, 5, 10, 10, ZA_OK, NULL },
        { "ZKAP", ZK_FORMAT_VERSION, 5, 0, 0, ZA_OK, NULL },
        { "ZKAQ", ZK_FORMAT_VERSION, 5, 10, 10, ZA_ERR_MALFORMED, "offset 0 (container magic): not a zkaudit" },
        { "TFL3", ZK_FORMAT_VERSION, 5, 10, 10, ZA_ERR_MALFORMED, "magic" },
        { "ZKAP", 0, 5, 10, 10, ZA_ERR_UNSUPPORTED, "format version 0" },
        { "ZKAP", ZK_FORMAT_VERSION + 1, 5, 10, 10, ZA_ERR_UNSUPPORTED, "offset 4 (container version)" },
        { "ZKAP", ZK_FORMAT_VERSION, 6, 10, 10, ZA_ERR_MISMATCH, "proof kind 6, expected 5" },
        { "ZKAP", ZK_FORMAT_VERSION, 5, 10, 11, ZA_ERR_MALFORMED, "1 trailing bytes" },
        { "ZKAP", ZK_FORMAT_VERSION, 5, 0, 40, ZA_ERR_MALFORMED, "40 trailing bytes" },
        { "ZKAP", ZK_FORMAT_VERSION, 5, 10, 9, ZA_ERR_MALFORMED, "truncated" },
        { "ZKAP", ZK_FORMAT_VERSION, 5, 0xffffffffu, 9, ZA_ERR_LIMIT, "above the limit" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t len = make_container(b, cases[c].magic, cases[c].version, cases[c].kind,
                                    cases[c].plen, cases[c].actual);
        zk_reader_init(&r, b, len, "proof", &err);
        za_status st = zk_reader_open_container(&r, 5);
        if (st != cases[c].want)
            fail_msg("case %zu: status %d, want %d (%s)", c, st, cases[c].want, err.msg);
        if (st == ZA_OK) {
            assert_int_equal(r.off, 12);
            assert_int_equal(zk_reader_remaining(&r), cases[c].actual);
        } else if (!strstr(err.msg, cases[c].msg)) {
            fail_msg("case %zu: message \"%s\" lacks \"%s\"", c, err.msg, cases[c].msg);
        }
    }
    /* every truncation of the header */
    size_t len = make_container(b, "ZKAP", ZK_FORMAT_VERSION, 5, 0, 0);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *h = malloc(cut ? cut : 1);
        memcpy(h, b, cut);
        zk_reader_init(&r, h, cut, "proof", &err);
        assert_int_equal(zk_reader_open_container(&r, 5), ZA_ERR_MALFORMED);
        assert_non_null(strstr(err.msg, "truncated"));
        free(h);
    }
    /* the size cap: a payload that really is one byte too large */
    size_t big = ZA_MAX_PROOF_BYTES - ZK_CONTAINER_HEADER_BYTES + 1;
    uint8_t *huge = calloc(1, ZK_CONTAINER_HEADER_BYTES + big);
    assert_non_null(huge);
    make_container(huge, "ZKAP", ZK_FORMAT_VERSION, 5, (uint32_t)big, 0);
    zk_reader_init(&r, huge, ZK_CONTAINER_HEADER_BYTES + big, "proof", &err);
    assert_int_equal(zk_reader_open_container(&r, 5), ZA_ERR_LIMIT);
    make_container(huge, "ZKAP", ZK_FORMAT_VERSION, 5, (uint32_t)(big - 1), 0);
    zk_reader_init(&r, huge, ZK_CONTAINER_HEADER_BYTES + big - 1, "proof", &err);
    assert_int_equal(zk_reader_open_container(&r, 5), ZA_OK);
    free(huge);
    /* the writer refuses to close an oversized container */
    zk_writer w;
    zk_writer_init(&w);
    w.limit = SIZE_MAX;
    size_t mark = zk_writer_begin_container(&w, 5);
    uint8_t *zeros = calloc(1, big);
    assert_non_null(zeros);
    zk_write_bytes(&w, zeros, big);
    free(zeros);
    zk_writer_end_container(&w, mark);
    assert_int_equal(zk_writer_status(&w, &err), ZA_ERR_LIMIT);
    zk_writer_free(&w);
}

static void test_finish_and_messages(void **state)
{
    (void)state;
    uint8_t b[1300] = { 0 };
    za_error err;
    zk_reader r;
    uint32_t x;
    /* unread bytes */
    zk_reader_init(&r, b, 9, "proof", &err);
    assert_int_equal(zk_read_u32(&r, "x", &x), ZA_OK);
    assert_int_equal(zk_reader_finish(&r), ZA_ERR_MALFORMED);
    assert_string_equal(err.msg, "proof: offset 4: 5 trailing bytes after the end of the data");
    /* the message format of the design document */
    zk_reader_init(&r, b, 1244, "proof", &err);
    uint8_t skip[1234];
    assert_int_equal(zk_read_bytes(&r, "preamble", skip, sizeof skip), ZA_OK);
    zk_reader_section(&r, "sumcheck round %d", 3);
    zk_fp2 poly[3];
    assert_int_equal(zk_read_fp2_array(&r, "polynomial", poly, 3), ZA_ERR_MALFORMED);
    assert_string_equal(err.msg,
                        "proof: offset 1234 (sumcheck round 3 polynomial): truncated, need 48 "
                        "bytes, 10 left");
    /* sticky: a later failure does not overwrite the first */
    assert_int_equal(zk_reader_fail(&r, 0, ZA_ERR_MISMATCH, "y", "other"), ZA_ERR_MALFORMED);
    assert_int_equal(zk_reader_finish(&r), ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "sumcheck round 3 polynomial"));
    /* a caller-reported failure, with and without a section */
    zk_reader_init(&r, b, 8, "model", &err);
    assert_int_equal(zk_reader_fail(&r, 6, ZA_ERR_MISMATCH, "shape", "rank %d", 9),
                     ZA_ERR_MISMATCH);
    assert_string_equal(err.msg, "model: offset 6 (shape): rank 9");
    assert_int_equal(err.code, ZA_ERR_MISMATCH);
    /* a NULL error report is allowed */
    zk_reader_init(&r, b, 2, "proof", NULL);
    assert_int_equal(zk_read_u32(&r, "x", &x), ZA_ERR_MALFORMED);
    assert_int_equal(x, 0);
    /* the empty input */
    zk_reader_init(&r, NULL, 0, "proof", &err);
    zk_fp none[1];
    assert_int_equal(zk_read_fp_array(&r, "nothing", none, 0), ZA_OK);
    assert_int_equal(zk_read_bytes(&r, "nothing", none, 0), ZA_OK);
    assert_int_equal(zk_reader_finish(&r), ZA_OK);
    assert_int_equal(zk_read_u8(&r, "b", (uint8_t *)b), ZA_ERR_MALFORMED);
}

static void test_writer_failures(void **state)
{
    (void)state;
    za_error err;
    zk_writer w;
    size_t len;
    /* a limit reached: sticky, later writes do nothing */
    zk_writer_init(&w);
    w.limit = 10;
    zk_write_u64(&w, 1);
    zk_write_u32(&w, 2);
    assert_int_equal(w.len, 8);
    zk_write_u8(&w, 3);
    assert_int_equal(w.len, 8);
    assert_int_equal(zk_writer_status(&w, &err), ZA_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "too large"));
    assert_null(zk_writer_take(&w, &len));
    /* a vector too long for its u32 prefix fails before touching data */
    zk_writer_init(&w);
    zk_write_u64_vec(&w, (const uint64_t *)8, (size_t)UINT32_MAX + 1);
    zk_write_digest_vec(&w, NULL, 1); /* no-op after failure */
    assert_int_equal(zk_writer_status(&w, &err), ZA_ERR_LIMIT);
    assert_int_equal(w.len, 0);
    zk_writer_free(&w);
    zk_writer_free(&w);
    /* an empty writer takes as an empty buffer */
    zk_writer_init(&w);
    uint8_t *b = zk_writer_take(&w, &len);
    assert_non_null(b);
    assert_int_equal(len, 0);
    free(b);
    /* growth across many reallocations */
    zk_writer_init(&w);
    for (uint32_t i = 0; i < 100000; i++)
        zk_write_u32(&w, i);
    b = take_ok(&w, &len);
    assert_int_equal(len, 400000);
    zk_reader r;
    zk_reader_init(&r, b, len, "proof", &err);
    for (uint32_t i = 0; i < 100000; i++) {
        uint32_t v;
        assert_int_equal(zk_read_u32(&r, "i", &v), ZA_OK);
        assert_int_equal(v, i);
    }
    assert_int_equal(zk_reader_finish(&r), ZA_OK);
    free(b);
}

/* random bytes through the sample parser: failures are clean */
static void test_random_bytes(void **state)
{
    (void)state;
    uint64_t s = seed ^ 0x7007;
    long iters = zt_iters(3000);
    sample x, y;
    sample_fill(&x, &s, 0);
    size_t len;
    uint8_t *valid = encode_sample(&x, 1, &len);
    for (long it = 0; it < iters; it++) {
        uint8_t *b = malloc(len);
        memcpy(b, valid, len);
        /* a few random byte changes to a valid encoding */
        int changes = 1 + (int)(zt_next(&s) % 4);
        for (int c = 0; c < changes; c++)
            b[zt_next(&s) % len] = (uint8_t)zt_next(&s);
        za_error err;
        zk_reader r;
        zk_reader_init(&r, b, len, "proof", &err);
        memset(&y, 0, sizeof y);
        za_status st = zk_reader_open_container(&r, 7);
        if (st == ZA_OK)
            st = sample_read(&r, &y);
        if (st == ZA_OK)
            st = zk_reader_finish(&r);
        assert_int_equal(err.code, st);
        if (st != ZA_OK)
            assert_true(err.msg[0] != 0);
        else
            assert_true(y.fp < ZK_P && y.fp2.c0 < ZK_P && y.fp2.c1 < ZK_P);
        sample_release(&y);
        free(b);
    }
    free(valid);
}

int main(void)
{
    seed = zt_seed("encode");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),           cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_every_truncation), cmocka_unit_test(test_noncanonical),
        cmocka_unit_test(test_oversized_counts), cmocka_unit_test(test_container),
        cmocka_unit_test(test_finish_and_messages), cmocka_unit_test(test_writer_failures),
        cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests_name("encode", tests, NULL, NULL);
}
