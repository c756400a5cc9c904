/* tests/unit/test_prepare.c - input preparation recipes (datasets/prepare.h):
 * canonical parse/format round trips, rejection of malformed and
 * non-canonical strings, exactness of the quantization against a GMP
 * rational computation over all 256 byte values (fixed recipes with the
 * exact-half corners, the shared models' inputs, and seeded random
 * recipes), and the NHWC/NCHW layouts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "datasets/prepare.h"
#include "datasets/prepare_model.h"
#include "tests/unit/testutil.h"

static zd_prep parse_ok(const char *s)
{
    zd_prep p;
    za_error err;
    if (zd_prep_parse(s, &p, &err) != ZA_OK)
        fail_msg("\"%s\": %s", s, err.msg);
    return p;
}

static void test_round_trip(void **state)
{
    (void)state;
    static const char *const good[] = {
        "v1;identity",
        "v1;dtype=int8;scale=0x3f800000;zp=-128;real=x;layout=nhwc",
        "v1;dtype=uint8;scale=0x3b808081;zp=0;real=x/255;layout=nhwc",
        "v1;dtype=int8;scale=0x3c008081;zp=-1;real=x*2/255-1;layout=nchw",
        "v1;dtype=int8;scale=0x3c98a048;zp=-14;real=x*3-255/2;layout=nchw",
        "v1;dtype=int8;scale=0x00000001;zp=127;real=x+1;layout=nhwc",
        "v1;dtype=uint8;scale=0x7f7fffff;zp=255;real=x*65535/65534+65535/65533;layout=nhwc",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        zd_prep p = parse_ok(good[i]);
        char buf[ZD_PREP_STRING_MAX];
        za_error err;
        assert_int_equal(zd_prep_format(&p, buf, sizeof buf, &err), ZA_OK);
        assert_string_equal(buf, good[i]);
    }
    zd_prep p = parse_ok(good[3]);
    assert_int_equal(p.identity, 0);
    assert_int_equal(p.dtype, ZD_PREP_INT8);
    assert_int_equal(p.scale_bits, 0x3c008081);
    assert_int_equal(p.zero_point, -1);
    assert_int_equal(p.num, 2);
    assert_int_equal(p.den, 255);
    assert_int_equal(p.off_num, -1);
    assert_int_equal(p.off_den, 1);
    assert_int_equal(p.layout, ZD_PREP_NCHW);
    assert_int_equal(parse_ok(good[0]).identity, 1);
    /* format refuses what has no canonical string */
    zd_prep q = p;
    char buf[ZD_PREP_STRING_MAX];
    za_error err;
    q.num = 4;
    q.den = 254;
    assert_int_equal(zd_prep_format(&q, buf, sizeof buf, &err), ZA_ERR_ARG);
    q = p;
    q.off_num = 0;
    q.off_den = 3;
    assert_int_equal(zd_prep_format(&q, buf, sizeof buf, &err), ZA_ERR_ARG);
    q = p;
    q.zero_point = 128;
    assert_int_equal(zd_prep_format(&q, buf, sizeof buf, &err), ZA_ERR_ARG);
    q = p;
    assert_int_equal(zd_prep_format(&q, buf, 20, &err), ZA_ERR_ARG); /* too small */
}

static void test_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "v1",
        "v2;identity",
        "v1;identity;",
        "V1;identity",
        "v1;dtype=int16;scale=0x3f800000;zp=0;real=x;layout=nhwc",
        "v1;scale=0x3f800000;dtype=int8;zp=0;real=x;layout=nhwc",    /* order */
        "v1;dtype=int8;scale=0x3F800000;zp=0;real=x;layout=nhwc",    /* upper hex */
        "v1;dtype=int8;scale=0x3f80000;zp=0;real=x;layout=nhwc",     /* 7 digits */
        "v1;dtype=int8;scale=3f800000;zp=0;real=x;layout=nhwc",
        "v1;dtype=int8;scale=0x00000000;zp=0;real=x;layout=nhwc",    /* zero */
        "v1;dtype=int8;scale=0x80000000;zp=0;real=x;layout=nhwc",    /* -0 */
        "v1;dtype=int8;scale=0xbf800000;zp=0;real=x;layout=nhwc",    /* negative */
        "v1;dtype=int8;scale=0x7f800000;zp=0;real=x;layout=nhwc",    /* inf */
        "v1;dtype=int8;scale=0x7fc00000;zp=0;real=x;layout=nhwc",    /* NaN */
        "v1;dtype=int8;scale=0x3f800000;zp=-0;real=x;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=01;real=x;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=+1;real=x;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=128;real=x;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=-129;real=x;layout=nhwc",
        "v1;dtype=uint8;scale=0x3f800000;zp=-1;real=x;layout=nhwc",
        "v1;dtype=uint8;scale=0x3f800000;zp=256;real=x;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x*1;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x/1;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x*2/4;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x+0;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x-0;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x+2/4;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x+1/1;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x*0;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x/0;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x*65536;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x*02;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=2*x;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x*-2;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x/2/3;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x;layout=NHWC",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x;layout=nhwc;",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x",
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x;layout=nhwc ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        zd_prep p;
        za_error err;
        za_status st = zd_prep_parse(bad[i], &p, &err);
        if (st != ZA_ERR_MALFORMED)
            fail_msg("\"%s\" gave status %d, want malformed", bad[i], st);
        assert_true(strlen(err.msg) > 0);
    }
    /* over-long */
    char *big = malloc(ZA_MAX_PREP_STRING + 10);
    memset(big, 'x', ZA_MAX_PREP_STRING + 9);
    big[ZA_MAX_PREP_STRING + 9] = '\0';
    zd_prep p;
    za_error err;
    assert_int_equal(zd_prep_parse(big, &p, &err), ZA_ERR_MALFORMED);
    free(big);
}

/* The GMP oracle: clamp(round_half_away(real / scale) + zp). */
static int oracle(const zd_prep *p, unsigned x)
{
    union {
        uint32_t u;
        float f;
    } sc = { p->scale_bits };
    mpq_t real, off, scale, v;
    mpq_inits(real, off, scale, v, NULL);
    mpq_set_ui(real, (unsigned long)x * p->num, p->den);
    mpq_canonicalize(real);
    mpq_set_si(off, p->off_num, p->off_den);
    mpq_canonicalize(off);
    mpq_add(real, real, off);
    mpq_set_d(scale, (double)sc.f); /* float -> double -> rational: exact */
    mpq_div(v, real, scale);
    /* round half away from zero: sign(v) * floor(|v| + 1/2) */
    int neg = mpq_sgn(v) < 0;
    mpq_abs(v, v);
    mpq_t half;
    mpq_init(half);
    mpq_set_ui(half, 1, 2);
    mpq_add(v, v, half);
    mpz_t r;
    mpz_init(r);
    mpz_fdiv_q(r, mpq_numref(v), mpq_denref(v));
    if (neg)
        mpz_neg(r, r);
    if (p->zero_point >= 0)
        mpz_add_ui(r, r, (unsigned long)p->zero_point);
    else
        mpz_sub_ui(r, r, (unsigned long)-p->zero_point);
    int lo = p->dtype == ZD_PREP_INT8 ? -128 : 0, hi = p->dtype == ZD_PREP_INT8 ? 127 : 255;
    int q;
    if (mpz_cmp_si(r, lo) < 0)
        q = lo;
    else if (mpz_cmp_si(r, hi) > 0)
        q = hi;
    else
        q = (int)mpz_get_si(r);
    mpz_clear(r);
    mpq_clears(real, off, scale, v, half, NULL);
    return q;
}

static void check_all_bytes(const zd_prep *p)
{
    for (unsigned x = 0; x < 256; x++) {
        int got = zd_prep_quantize(p, (uint8_t)x), want = oracle(p, x);
        if (got != want) {
            char buf[ZD_PREP_STRING_MAX];
            za_error err;
            if (zd_prep_format(p, buf, sizeof buf, &err) != ZA_OK)
                snprintf(buf, sizeof buf, "(unformattable)");
            fail_msg("%s: x=%u gives %d, GMP says %d", buf, x, got, want);
        }
    }
}

static void test_exact_fixed(void **state)
{
    (void)state;
    static const char *const recipes[] = {
        /* the shared models' inputs */
        "v1;dtype=int8;scale=0x3f800000;zp=-128;real=x;layout=nhwc",         /* ResNet-8 */
        "v1;dtype=uint8;scale=0x3b808081;zp=0;real=x/255;layout=nhwc",       /* keras MNIST */
        "v1;dtype=int8;scale=0x3c008081;zp=-1;real=x*2/255-1;layout=nhwc",   /* person */
        "v1;dtype=int8;scale=0x3c98a048;zp=-14;real=x/255;layout=nchw",      /* MobileNet */
        /* exact halves: x/2, x/2 - 255/2 (negative halves), with zp */
        "v1;dtype=int8;scale=0x3f800000;zp=0;real=x/2;layout=nhwc",
        "v1;dtype=int8;scale=0x3f800000;zp=3;real=x/2-255/2;layout=nhwc",
        "v1;dtype=uint8;scale=0x3f800000;zp=128;real=x-255/2;layout=nhwc",
        "v1;dtype=int8;scale=0x40000000;zp=0;real=x-128;layout=nhwc",        /* /2: halves */
        "v1;dtype=int8;scale=0x3e800000;zp=0;real=x/8-16;layout=nhwc",       /* *4 of /8 */
        /* extremes of the float range */
        "v1;dtype=int8;scale=0x00000001;zp=0;real=x/65535;layout=nhwc",
        "v1;dtype=int8;scale=0x00800000;zp=-5;real=x-1/65535;layout=nhwc",
        "v1;dtype=uint8;scale=0x7f7fffff;zp=7;real=x*65535;layout=nhwc",
        "v1;dtype=int8;scale=0x1e000000;zp=0;real=x/65535-1/65535;layout=nhwc",
        "v1;dtype=int8;scale=0x5f000000;zp=0;real=x*65535+65535;layout=nhwc",
        "v1;dtype=uint8;scale=0x3f800000;zp=0;real=x;layout=nhwc",
        "v1;dtype=uint8;scale=0x3f7fffff;zp=0;real=x;layout=nhwc",           /* just below 1 */
        "v1;dtype=uint8;scale=0x3f800001;zp=0;real=x;layout=nhwc",           /* just above 1 */
    };
    for (size_t i = 0; i < sizeof recipes / sizeof *recipes; i++) {
        zd_prep p = parse_ok(recipes[i]);
        check_all_bytes(&p);
    }
    /* spot values: ResNet-8's input is x - 128; x/2 rounds halves away */
    zd_prep r = parse_ok(recipes[0]);
    for (unsigned x = 0; x < 256; x++)
        assert_int_equal(zd_prep_quantize(&r, (uint8_t)x), (int)x - 128);
    zd_prep h = parse_ok(recipes[4]);
    assert_int_equal(zd_prep_quantize(&h, 1), 1);
    assert_int_equal(zd_prep_quantize(&h, 3), 2);
    assert_int_equal(zd_prep_quantize(&h, 255), 127); /* 127.5 -> 128 -> clamped */
    zd_prep n = parse_ok(recipes[5]);
    assert_int_equal(zd_prep_quantize(&n, 0), -128 + 3); /* -127.5 -> -128, +3 */
    assert_int_equal(zd_prep_quantize(&n, 2), -127 + 3); /* -126.5 -> -127, +3 */
    assert_int_equal(zd_prep_quantize(&n, 255), 0 + 3);
    /* keras MNIST: q = round(x/255 / float(1/255)) is x for every byte */
    zd_prep k = parse_ok(recipes[1]);
    for (unsigned x = 0; x < 256; x++)
        assert_int_equal(zd_prep_quantize(&k, (uint8_t)x), (int)x);
}

static uint32_t gcd32(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void test_exact_random(void **state)
{
    (void)state;
    uint64_t s = zt_seed("prepare");
    long iters = zt_iters(300);
    for (long it = 0; it < iters; it++) {
        zd_prep p;
        memset(&p, 0, sizeof p);
        uint64_t r = zt_next(&s);
        p.dtype = (r & 1) ? ZD_PREP_UINT8 : ZD_PREP_INT8;
        p.layout = ZD_PREP_NHWC;
        p.zero_point = p.dtype == ZD_PREP_INT8 ? (int32_t)((r >> 1) % 256) - 128
                                                : (int32_t)((r >> 1) % 256);
        /* scales mostly near the usual 2^-12 .. 2^4, sometimes anywhere */
        uint32_t mant = (uint32_t)(zt_next(&s) & 0x7fffff);
        uint32_t ex = (r >> 10) % 8 == 0 ? (uint32_t)((r >> 13) % 255)
                                         : 115 + (uint32_t)((r >> 13) % 17);
        p.scale_bits = ex << 23 | mant;
        if (p.scale_bits == 0)
            p.scale_bits = 1;
        /* small terms most of the time (exact halves happen), the cap sometimes */
        uint32_t lim = (r >> 20) % 4 == 0 ? ZA_MAX_PREP_TERM : 300;
        p.num = 1 + (uint32_t)(zt_next(&s) % lim);
        p.den = 1 + (uint32_t)(zt_next(&s) % lim);
        uint32_t g = gcd32(p.num, p.den);
        p.num /= g;
        p.den /= g;
        int32_t on = (int32_t)(zt_next(&s) % (2 * lim + 1)) - (int32_t)lim;
        uint32_t od = 1 + (uint32_t)(zt_next(&s) % (lim < 8 ? lim : 8));
        if (on == 0) {
            od = 1;
        } else {
            g = gcd32((uint32_t)(on < 0 ? -on : on), od);
            on /= (int32_t)g;
            od /= g;
        }
        p.off_num = on;
        p.off_den = od;
        za_error err;
        char buf[ZD_PREP_STRING_MAX];
        if (zd_prep_format(&p, buf, sizeof buf, &err) != ZA_OK)
            fail_msg("random recipe %ld: %s", it, err.msg);
        zd_prep back = parse_ok(buf);
        assert_memory_equal(&back, &p, sizeof p);
        check_all_bytes(&p);
    }
}

static void test_apply_layouts(void **state)
{
    (void)state;
    const uint32_t shape[3] = { 2, 3, 2 }; /* H W C */
    uint8_t in[12], out[12];
    for (int i = 0; i < 12; i++)
        in[i] = (uint8_t)(i * 21);
    za_error err;
    zd_prep p = parse_ok("v1;dtype=int8;scale=0x3f800000;zp=-128;real=x;layout=nhwc");
    assert_int_equal(zd_prep_apply(&p, in, 3, shape, out, 12, &err), ZA_OK);
    for (int i = 0; i < 12; i++)
        assert_int_equal((int8_t)out[i], in[i] - 128);
    p.layout = ZD_PREP_NCHW;
    assert_int_equal(zd_prep_apply(&p, in, 3, shape, out, 12, &err), ZA_OK);
    for (unsigned y = 0; y < 2; y++)
        for (unsigned x = 0; x < 3; x++)
            for (unsigned c = 0; c < 2; c++)
                assert_int_equal((int8_t)out[(c * 2 + y) * 3 + x], in[(y * 3 + x) * 2 + c] - 128);
    /* rank 2 NCHW is one channel: nothing moves */
    const uint32_t s2[2] = { 3, 4 };
    assert_int_equal(zd_prep_apply(&p, in, 2, s2, out, 12, &err), ZA_OK);
    for (int i = 0; i < 12; i++)
        assert_int_equal((int8_t)out[i], in[i] - 128);
    /* errors */
    const uint32_t s1[1] = { 12 };
    assert_int_equal(zd_prep_apply(&p, in, 1, s1, out, 12, &err), ZA_ERR_ARG);
    assert_int_equal(zd_prep_apply(&p, in, 3, shape, out, 11, &err), ZA_ERR_ARG);
    const uint32_t s0[3] = { 2, 0, 2 };
    assert_int_equal(zd_prep_apply(&p, in, 3, s0, out, 0, &err), ZA_ERR_ARG);
    assert_int_equal(zd_prep_apply(&p, in, 5, shape, out, 12, &err), ZA_ERR_ARG);
    /* identity copies */
    zd_prep id = parse_ok("v1;identity");
    assert_int_equal(zd_prep_apply(&id, in, 3, shape, out, 12, &err), ZA_OK);
    assert_memory_equal(out, in, 12);
}

/* Recipes derived from the shared models' inputs (skipped without ../shared). */
static void test_from_model(void **state)
{
    (void)state;
    static const struct {
        const char *rel;
        uint32_t num, den;
        int32_t off_num;
        uint32_t off_den;
        const char *want;
    } cases[] = {
        { "models/mlcommons-tiny/pretrainedResnet_quant.tflite", 1, 1, 0, 1,
          "v1;dtype=int8;scale=0x3f800000;zp=-128;real=x;layout=nhwc" },
        { "models/keras-mnist-to-tpu/mnist.tflite", 2, 510, 0, 7,
          "v1;dtype=uint8;scale=0x3b808081;zp=0;real=x/255;layout=nhwc" },
        { "models/tflite-micro/person_detect.tflite", 2, 255, -2, 2,
          "v1;dtype=int8;scale=0x3c008081;zp=-1;real=x*2/255-1;layout=nhwc" },
        { "models/tflite-micro/mobilenet_v2_quantized_1x3x224x224.tflite", 1, 255, 0, 1,
          "v1;dtype=int8;scale=0x3c98a048;zp=-14;real=x/255;layout=nchw" },
    };
    if (!zt_shared()) {
        print_message("shared models not found: skipped\n");
        skip();
    }
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        zm_model *m;
        za_error err;
        if (zm_model_load_file(zt_shared_path(cases[i].rel), &m, &err) != ZA_OK)
            fail_msg("%s: %s", cases[i].rel, err.msg);
        zd_prep p;
        if (zd_prep_from_model(m, cases[i].num, cases[i].den, cases[i].off_num,
                               cases[i].off_den, &p, &err) != ZA_OK)
            fail_msg("%s: %s", cases[i].rel, err.msg);
        char buf[ZD_PREP_STRING_MAX];
        assert_int_equal(zd_prep_format(&p, buf, sizeof buf, &err), ZA_OK);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(zd_prep_from_model(m, 0, 1, 0, 1, &p, &err), ZA_ERR_ARG);
        zm_model_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_exact_fixed),
        cmocka_unit_test(test_exact_random),
        cmocka_unit_test(test_apply_layouts),
        cmocka_unit_test(test_from_model),
    };
    return cmocka_run_group_tests_name("prepare", tests, NULL, NULL);
}
