/* tests/unit/test_demo_model.c - the demo model's trainer pieces (tools/):
 * the backward pass against finite differences, the int8 layout written by
 * demo_quant.c as our reader sees it, its engine output against a float
 * forward pass, and the IDX loader on small and broken files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "model/engine.h"
#include "model/model.h"
#include "tests/unit/testutil.h"
#include "tools/demo_cnn.h"
#include "tools/demo_data.h"
#include "tools/demo_quant.h"

/* a randomly initialised network with non-zero biases, and a random image */
static void random_net(zd_cnn *net, uint8_t *img, uint64_t seed)
{
    zd_rng r;
    zd_rng_seed(&r, seed);
    zd_cnn_init(net, &r);
    for (int i = 0; i < ZD_C1; i++)
        net->p[ZD_OFF_B1 + i] = 0.2f * (zd_rng_uniform(&r) - 0.3f);
    for (int i = 0; i < ZD_C2; i++)
        net->p[ZD_OFF_B2 + i] = 0.2f * (zd_rng_uniform(&r) - 0.3f);
    for (int i = 0; i < ZD_NCLS; i++)
        net->p[ZD_OFF_BF + i] = 0.1f * (zd_rng_uniform(&r) - 0.5f);
    for (int i = 0; i < ZD_PIXELS; i++)
        img[i] = (uint8_t)(zd_rng_next(&r) >> 56);
}

static void test_gradients(void **state)
{
    (void)state;
    uint64_t seed = zt_seed("demo_model gradients");
    zd_cnn *net = malloc(sizeof *net);
    zd_acts *a = malloc(sizeof *a);
    float *g = calloc(ZD_NPARAM, sizeof(float)), *junk = calloc(ZD_NPARAM, sizeof(float));
    uint8_t img[ZD_PIXELS];
    assert_true(net && a && g && junk);
    random_net(net, img, seed);
    zd_cnn_backprop(net, img, 3, a, g);
    /* central differences on parameters of every block.  The loss is float
     * (noise ~1e-7) and a ReLU or max-pool kink inside +-h bends the
     * difference, so each parameter gets two step sizes and passes if either
     * agrees, and a few misses are tolerated; a wrong backward pass misses
     * on most parameters of its block. */
    const int blocks[][2] = { { ZD_OFF_W1, ZD_K1 * ZD_C1 }, { ZD_OFF_B1, ZD_C1 },
                              { ZD_OFF_W2, ZD_K2 * ZD_C2 }, { ZD_OFF_B2, ZD_C2 },
                              { ZD_OFF_WF, ZD_FLAT * ZD_NCLS }, { ZD_OFF_BF, ZD_NCLS } };
    int checked = 0, bad = 0;
    uint64_t st = seed;
    for (int b = 0; b < 6; b++)
        for (int t = 0; t < 10; t++) {
            int i = blocks[b][0] + (int)(zt_next(&st) % (uint64_t)blocks[b][1]);
            const float p0 = net->p[i], hs[2] = { 1e-3f, 3e-4f };
            double fd = 0.0;
            int agree = 0;
            for (int k = 0; k < 2 && !agree; k++) {
                net->p[i] = p0 + hs[k];
                double lp = zd_cnn_backprop(net, img, 3, a, junk);
                net->p[i] = p0 - hs[k];
                double lm = zd_cnn_backprop(net, img, 3, a, junk);
                net->p[i] = p0;
                fd = (lp - lm) / (2.0 * (double)hs[k]);
                agree = fabs(fd - g[i]) <= 3e-3 + 0.05 * fabs(fd);
            }
            checked++;
            if (!agree) {
                bad++;
                print_message("param %d: backprop %.6g, finite difference %.6g\n", i,
                              (double)g[i], fd);
            }
        }
    assert_true(bad <= checked / 20);
    free(net);
    free(a);
    free(g);
    free(junk);
}

static void test_int8_layout(void **state)
{
    (void)state;
    zd_cnn *net = malloc(sizeof *net);
    zd_acts *a = malloc(sizeof *a);
    uint8_t img[ZD_PIXELS];
    assert_true(net && a);
    random_net(net, img, 7);
    zd_ranges r;
    zd_ranges_init(&r);
    zd_cnn_forward(net, img, a);
    zd_ranges_update(&r, a);
    uint8_t *tfl = NULL;
    size_t len = 0;
    za_error err;
    assert_int_equal(zd_write_tflite(net, &r, "test", &tfl, &len, &err), ZA_OK);
    zm_model *m = NULL;
    assert_int_equal(zm_model_load_buffer(tfl, len, "demo.tflite", &m, &err), ZA_OK);
    assert_int_equal(m->n_ops, 7);
    const int ops[7] = { ZM_OP_CONV_2D, ZM_OP_MAX_POOL_2D, ZM_OP_CONV_2D, ZM_OP_MAX_POOL_2D,
                         ZM_OP_RESHAPE, ZM_OP_FULLY_CONNECTED, ZM_OP_SOFTMAX };
    for (int i = 0; i < 7; i++)
        assert_int_equal(m->ops[i].opcode, ops[i]);
    const zm_tensor *in = &m->tensors[m->inputs[0]], *out = &m->tensors[m->outputs[0]];
    assert_int_equal(in->type, ZM_INT8);
    assert_true(in->q.scale[0] == 1.0f / 255.0f && in->q.zero_point[0] == -128);
    assert_true(out->q.scale[0] == 1.0f / 256.0f && out->q.zero_point[0] == -128);
    /* weighted layers: per-channel symmetric weights reaching +-127, biases
     * with scale input_scale * weight_scale */
    const int weighted[3] = { 0, 2, 5 };
    for (int k = 0; k < 3; k++) {
        const zm_op *o = &m->ops[weighted[k]];
        const zm_tensor *x = &m->tensors[o->inputs[0]], *w = &m->tensors[o->inputs[1]];
        const zm_tensor *b = &m->tensors[o->inputs[2]], *y = &m->tensors[o->outputs[0]];
        int oc = w->shape[0];
        int64_t per = w->n_elems / oc;
        assert_int_equal(w->q.n, oc);
        assert_int_equal(w->q.quantized_dim, 0);
        assert_int_equal(b->q.n, oc);
        for (int c = 0; c < oc; c++) {
            int mx = 0;
            for (int64_t j = 0; j < per; j++) {
                int v = abs((int8_t)w->data[c * per + j]);
                mx = v > mx ? v : mx;
            }
            assert_int_equal(mx, 127);
            assert_int_equal(w->q.zero_point[c], 0);
            assert_true(b->q.scale[c] == x->q.scale[0] * w->q.scale[c]);
        }
        if (k < 2) /* fused RELU: the calibrated range starts at 0 */
            assert_int_equal(y->q.zero_point[0], -128);
    }
    /* the engine's logits track the float network's */
    zm_engine *e = NULL;
    assert_int_equal(zm_engine_create(m, ZM_ROUNDING_TFLITE, &e, &err), ZA_OK);
    uint8_t q[ZD_PIXELS];
    for (int i = 0; i < ZD_PIXELS; i++)
        q[i] = img[i] ^ 0x80;
    assert_int_equal(zm_engine_set_input(e, 0, q, sizeof q, &err), ZA_OK);
    assert_int_equal(zm_engine_run(e, &err), ZA_OK);
    const zm_tensor *lt = &m->tensors[m->ops[5].outputs[0]];
    const int8_t *lq = zm_engine_tensor(e, m->ops[5].outputs[0]);
    for (int u = 0; u < ZD_NCLS; u++) {
        float deq = lt->q.scale[0] * (float)(lq[u] - lt->q.zero_point[0]);
        assert_true(fabsf(deq - a->logits[u]) < 4.0f * lt->q.scale[0] + 0.05f * fabsf(a->logits[u]));
    }
    zm_engine_free(e);
    zm_model_free(m);
    free(tfl);
    free(net);
    free(a);
}

static void write_gz(const char *path, const uint8_t *data, size_t len)
{
    gzFile g = gzopen(path, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, data, (unsigned)len), (int)len);
    gzclose(g);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void test_idx_loader(void **state)
{
    (void)state;
    char dir[] = "/tmp/zd_test_idx_XXXXXX", ip[256], lp[256];
    assert_non_null(mkdtemp(dir));
    snprintf(ip, sizeof ip, "%s/x-images-idx3-ubyte.gz", dir);
    snprintf(lp, sizeof lp, "%s/x-labels-idx1-ubyte.gz", dir);
    uint8_t img[16 + 2 * ZD_PIXELS], lab[8 + 2];
    put32(img, 0x803);
    put32(img + 4, 2);
    put32(img + 8, 28);
    put32(img + 12, 28);
    for (int i = 0; i < 2 * ZD_PIXELS; i++)
        img[16 + i] = (uint8_t)(i * 7);
    put32(lab, 0x801);
    put32(lab + 4, 2);
    lab[8] = 9;
    lab[9] = 0;
    write_gz(ip, img, sizeof img);
    write_gz(lp, lab, sizeof lab);
    zd_set s;
    za_error err;
    assert_int_equal(zd_set_load(dir, "x", &s, &err), ZA_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.labels[0], 9);
    assert_memory_equal(s.pixels, img + 16, 2 * ZD_PIXELS);
    zd_set_free(&s);
    /* a label out of range, a count mismatch, a wrong magic, a missing file */
    lab[9] = 10;
    write_gz(lp, lab, sizeof lab);
    assert_int_equal(zd_set_load(dir, "x", &s, &err), ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "label 10"));
    assert_null(s.pixels);
    lab[9] = 1;
    put32(lab + 4, 3);
    write_gz(lp, lab, sizeof lab);
    assert_int_equal(zd_set_load(dir, "x", &s, &err), ZA_ERR_MALFORMED);
    put32(img, 0x801);
    write_gz(ip, img, sizeof img);
    assert_int_equal(zd_set_load(dir, "x", &s, &err), ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "x-images-idx3-ubyte.gz"));
    assert_int_equal(zd_set_load(dir, "y", &s, &err), ZA_ERR_IO);
    unlink(ip);
    unlink(lp);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_gradients),
                                        cmocka_unit_test(test_int8_layout),
                                        cmocka_unit_test(test_idx_loader) };
    return cmocka_run_group_tests_name("demo_model", tests, NULL, NULL);
}
