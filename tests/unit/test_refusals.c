/* tests/unit/test_refusals.c - models the TFLite runtime refuses are refused
 * by the engine too (in the tflite profile), with a message naming why,
 * rather than computed: a bias-less CONV_2D (accepted by the reference
 * profile, as TFLite Micro does), a broadcast ADD above rank 4, TRANSPOSE and
 * PAD above rank 5.  Models are built with tests/support/tflite_builder. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model/engine.h"
#include "model/model.h"
#include "tests/support/tflite_builder.h"

static za_status prepare(tb_model *tb, zm_rounding r, za_error *err)
{
    uint8_t *buf;
    size_t len;
    assert_int_equal(tb_finish(tb, &buf, &len), 0);
    tb_free(tb);
    zm_model *m = NULL;
    zm_engine *e = NULL;
    za_status st = zm_model_load_buffer(buf, len, "test.tflite", &m, err);
    free(buf);
    assert_int_equal(st, ZA_OK);
    st = zm_engine_create(m, r, &e, err);
    zm_engine_free(e);
    zm_model_free(m);
    return st;
}

static const float S1 = 0.05f;
static const int64_t Z0 = 0;

static tb_model *conv_model(int with_bias)
{
    tb_model *tb = tb_new();
    int8_t w[2 * 1 * 1 * 3] = { 1, -2, 3, 4, 5, -6 };
    int32_t bias[2] = { 10, -10 };
    int32_t in_shape[4] = { 1, 4, 4, 3 }, w_shape[4] = { 2, 1, 1, 3 }, b_shape[1] = { 2 },
            out_shape[4] = { 1, 4, 4, 2 };
    int wb = tb_buffer(tb, w, sizeof w), bb = tb_buffer(tb, bias, sizeof bias);
    int tin = tb_tensor(tb, "in", TB_INT8, 4, in_shape, 0, 1, &S1, &Z0, 0);
    int tw = tb_tensor(tb, "w", TB_INT8, 4, w_shape, wb, 1, &S1, &Z0, 0);
    float bs = S1 * S1;
    int tbias = tb_tensor(tb, "b", TB_INT32, 1, b_shape, bb, 1, &bs, &Z0, 0);
    int tout = tb_tensor(tb, "out", TB_INT8, 4, out_shape, 0, 1, &S1, &Z0, 0);
    int32_t ins[3] = { tin, tw, tbias }, outs[1] = { tout };
    tb_options o = tb_opt_conv2d(TB_PAD_SAME, 1, 1, TB_ACT_NONE, 1, 1);
    tb_op(tb, TB_OP_CONV_2D, with_bias ? 3 : 2, ins, 1, outs, &o);
    tb_io(tb, 1, &ins[0], 1, outs);
    return tb;
}

static void test_conv_without_bias(void **state)
{
    (void)state;
    za_error err;
    assert_int_equal(prepare(conv_model(1), ZM_ROUNDING_TFLITE, &err), ZA_OK);
    assert_int_equal(prepare(conv_model(0), ZM_ROUNDING_TFLITE, &err), ZA_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "CONV_2D"));
    assert_non_null(strstr(err.msg, "no bias"));
    assert_int_equal(prepare(conv_model(0), ZM_ROUNDING_REFERENCE, &err), ZA_OK);
}

/* an elementwise op of the given rank: ADD (b broadcast along every axis
 * but the last), TRANSPOSE (reversed axes) or PAD (one on each side of the
 * last axis) */
static tb_model *rank_model(int op, int rank)
{
    tb_model *tb = tb_new();
    int32_t shape[6], shape2[6], oshape[6];
    for (int d = 0; d < rank; d++)
        shape[d] = shape2[d] = oshape[d] = 2;
    int tin = tb_tensor(tb, "a", TB_INT8, rank, shape, 0, 1, &S1, &Z0, 0);
    int32_t outs[1], ins[2];
    ins[0] = tin;
    tb_options o;
    if (op == TB_OP_ADD) {
        for (int d = 0; d < rank - 1; d++)
            shape2[d] = 1;
        int8_t bval[2] = { 1, 2 };
        int bb = tb_buffer(tb, bval, sizeof bval);
        ins[1] = tb_tensor(tb, "b", TB_INT8, rank, shape2, bb, 1, &S1, &Z0, 0);
        o = tb_opt_add(TB_ACT_NONE);
    } else if (op == TB_OP_TRANSPOSE) {
        int32_t perm[6];
        for (int d = 0; d < rank; d++)
            perm[d] = rank - 1 - d;
        int32_t ps[1] = { rank };
        int pb = tb_buffer(tb, perm, sizeof(int32_t) * (size_t)rank);
        ins[1] = tb_tensor(tb, "perm", TB_INT32, 1, ps, pb, 0, NULL, NULL, 0);
        o = tb_opt_empty(TB_OPT_TRANSPOSE);
    } else {
        int32_t pads[12] = { 0 };
        pads[2 * (rank - 1)] = 1;
        pads[2 * (rank - 1) + 1] = 1;
        oshape[rank - 1] = 4;
        int32_t ps[2] = { rank, 2 };
        int pb = tb_buffer(tb, pads, sizeof(int32_t) * 2 * (size_t)rank);
        ins[1] = tb_tensor(tb, "pads", TB_INT32, 2, ps, pb, 0, NULL, NULL, 0);
        o = tb_opt_empty(TB_OPT_PAD);
    }
    outs[0] = tb_tensor(tb, "out", TB_INT8, rank, oshape, 0, 1, &S1, &Z0, 0);
    tb_op(tb, op, 2, ins, 1, outs, &o);
    tb_io(tb, 1, &ins[0], 1, outs);
    return tb;
}

static void test_rank_limits(void **state)
{
    (void)state;
    za_error err;
    assert_int_equal(prepare(rank_model(TB_OP_ADD, 4), ZM_ROUNDING_TFLITE, &err), ZA_OK);
    assert_int_equal(prepare(rank_model(TB_OP_ADD, 5), ZM_ROUNDING_TFLITE, &err),
                     ZA_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "rank 4 at most"));
    assert_int_equal(prepare(rank_model(TB_OP_TRANSPOSE, 5), ZM_ROUNDING_TFLITE, &err), ZA_OK);
    assert_int_equal(prepare(rank_model(TB_OP_TRANSPOSE, 6), ZM_ROUNDING_TFLITE, &err),
                     ZA_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "rank 5 at most"));
    assert_int_equal(prepare(rank_model(TB_OP_PAD, 5), ZM_ROUNDING_TFLITE, &err), ZA_OK);
    assert_int_equal(prepare(rank_model(TB_OP_PAD, 6), ZM_ROUNDING_TFLITE, &err),
                     ZA_ERR_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_without_bias),
        cmocka_unit_test(test_rank_limits),
    };
    return cmocka_run_group_tests_name("refusals", tests, NULL, NULL);
}
