/* zk/field.c - the non-inline part of zk/field.h. */
#include "zk/field.h"

#include <string.h>

zk_fp zk_fp_pow(zk_fp a, uint64_t e)
{
    zk_fp r = 1;
    while (e) {
        if (e & 1)
            r = zk_fp_mul(r, a);
        a = zk_fp_sqr(a);
        e >>= 1;
    }
    return r;
}

zk_fp zk_fp_inv(zk_fp a)
{
    return zk_fp_pow(a, ZK_P - 2); /* Fermat; 0 -> 0 */
}

void zk_fp_batch_inv(zk_fp *v, size_t n, zk_fp *scratch)
{
    /* prefix products of the non-zero elements, one inversion, then unwind */
    zk_fp acc = 1;
    for (size_t i = 0; i < n; i++) {
        scratch[i] = acc;
        if (v[i])
            acc = zk_fp_mul(acc, v[i]);
    }
    zk_fp inv = zk_fp_inv(acc);
    for (size_t i = n; i-- > 0;) {
        if (!v[i])
            continue;
        zk_fp vi = v[i];
        v[i] = zk_fp_mul(inv, scratch[i]);
        inv = zk_fp_mul(inv, vi);
    }
}

zk_fp zk_fp_root_of_unity(unsigned log_n)
{
    /* 7 generates F_p^*, so 7^((p-1)/2^32) has order exactly 2^32; the
     * constant is that power (tests/unit/test_field.c recomputes it) */
    const zk_fp root32 = 0x185629dcda58878cull;
    if (log_n > 32)
        return 0;
    zk_fp r = root32;
    for (unsigned i = log_n; i < 32; i++)
        r = zk_fp_sqr(r);
    return r;
}

void zk_fp_to_bytes(zk_fp a, uint8_t out[8])
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(a >> (8 * i));
}

int zk_fp_from_bytes(const uint8_t in[8], zk_fp *out)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)in[i] << (8 * i);
    if (v >= ZK_P)
        return 0;
    *out = v;
    return 1;
}

zk_fp2 zk_fp2_inv(zk_fp2 a)
{
    /* 1/(a0 + a1 X) = (a0 - a1 X) / (a0^2 - 7 a1^2); the norm is non-zero
     * for a != 0 because 7 is a non-residue */
    zk_fp norm = zk_fp_sub(zk_fp_sqr(a.c0), zk_fp_mul(ZK_FP2_W, zk_fp_sqr(a.c1)));
    zk_fp ni = zk_fp_inv(norm);
    return zk_fp2_make(zk_fp_mul(a.c0, ni), zk_fp_neg(zk_fp_mul(a.c1, ni)));
}

zk_fp2 zk_fp2_pow(zk_fp2 a, uint64_t e)
{
    zk_fp2 r = zk_fp2_make(1, 0);
    while (e) {
        if (e & 1)
            r = zk_fp2_mul(r, a);
        a = zk_fp2_sqr(a);
        e >>= 1;
    }
    return r;
}

void zk_fp2_batch_inv(zk_fp2 *v, size_t n, zk_fp2 *scratch)
{
    zk_fp2 acc = zk_fp2_make(1, 0);
    for (size_t i = 0; i < n; i++) {
        scratch[i] = acc;
        if (!zk_fp2_is_zero(v[i]))
            acc = zk_fp2_mul(acc, v[i]);
    }
    zk_fp2 inv = zk_fp2_inv(acc);
    for (size_t i = n; i-- > 0;) {
        if (zk_fp2_is_zero(v[i]))
            continue;
        zk_fp2 vi = v[i];
        v[i] = zk_fp2_mul(inv, scratch[i]);
        inv = zk_fp2_mul(inv, vi);
    }
}

void zk_fp2_to_bytes(zk_fp2 a, uint8_t out[16])
{
    zk_fp_to_bytes(a.c0, out);
    zk_fp_to_bytes(a.c1, out + 8);
}

int zk_fp2_from_bytes(const uint8_t in[16], zk_fp2 *out)
{
    return zk_fp_from_bytes(in, &out->c0) && zk_fp_from_bytes(in + 8, &out->c1);
}
