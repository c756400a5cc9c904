/* tools/demo_cnn.c - float32 forward/backward of the demo CNN (demo_cnn.h).
 *
 * Plain loops, no BLAS: the network is ~290k multiply-adds per image.  The
 * innermost loops run over output channels (8, 16 or 10 independent sums),
 * which gcc vectorizes without -ffast-math because no single sum is
 * reordered; the build's -ffp-contract=off keeps fused multiply-adds out,
 * so the bits do not depend on what the compiler chose to fuse.
 */
#include "tools/demo_cnn.h"

#include <math.h>
#include <string.h>

void zd_rng_seed(zd_rng *r, uint64_t seed)
{
    /* splitmix64, so that nearby seeds give unrelated streams */
    uint64_t z = seed + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    r->s = z ? z : 1;
}

uint64_t zd_rng_next(zd_rng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545f4914f6cdd1dull;
}

float zd_rng_uniform(zd_rng *r)
{
    return (float)(zd_rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

static void init_uniform(float *w, int n, int fan_in, zd_rng *r)
{
    float lim = sqrtf(6.0f / (float)fan_in);
    for (int i = 0; i < n; i++)
        w[i] = (2.0f * zd_rng_uniform(r) - 1.0f) * lim;
}

void zd_cnn_init(zd_cnn *net, zd_rng *r)
{
    memset(net, 0, sizeof *net);
    init_uniform(net->p + ZD_OFF_W1, ZD_K1 * ZD_C1, ZD_K1, r);
    init_uniform(net->p + ZD_OFF_W2, ZD_K2 * ZD_C2, ZD_K2, r);
    /* the logits layer: limit sqrt(12 / (fan_in + fan_out)), well below He's,
     * so that the first logits are small */
    init_uniform(net->p + ZD_OFF_WF, ZD_FLAT * ZD_NCLS, (ZD_FLAT + ZD_NCLS) / 2, r);
}

_Static_assert(ZD_C1 <= 16 && ZD_C2 <= 16, "conv3_relu keeps at most 16 sums");

/* 3x3 SAME convolution (pad 1 each side) + ReLU: x is HxWxIC, y HxWxOC. */
static inline void conv3_relu(const float *x, int H, int IC, const float *wT, const float *b,
                              int OC, float *y)
{
    float acc[16];
    for (int oy = 0; oy < H; oy++)
        for (int ox = 0; ox < H; ox++) {
            for (int oc = 0; oc < OC; oc++)
                acc[oc] = b[oc];
            for (int ky = 0; ky < 3; ky++) {
                int iy = oy + ky - 1;
                if (iy < 0 || iy >= H)
                    continue;
                for (int kx = 0; kx < 3; kx++) {
                    int ix = ox + kx - 1;
                    if (ix < 0 || ix >= H)
                        continue;
                    const float *xv = x + (iy * H + ix) * IC;
                    const float *wk = wT + (ky * 3 + kx) * IC * OC;
                    for (int ic = 0; ic < IC; ic++)
                        for (int oc = 0; oc < OC; oc++)
                            acc[oc] += xv[ic] * wk[ic * OC + oc];
                }
            }
            float *yv = y + (oy * H + ox) * OC;
            for (int oc = 0; oc < OC; oc++)
                yv[oc] = acc[oc] > 0.0f ? acc[oc] : 0.0f;
        }
}

/* 2x2 stride-2 max pooling of an HxHxC map; arg gets each maximum's index
 * into x (the first on a tie). */
static void maxpool2(const float *x, int H, int C, float *y, int32_t *arg)
{
    int Ho = H / 2;
    for (int oy = 0; oy < Ho; oy++)
        for (int ox = 0; ox < Ho; ox++)
            for (int c = 0; c < C; c++) {
                int best = ((2 * oy) * H + 2 * ox) * C + c;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++) {
                        int i = ((2 * oy + dy) * H + 2 * ox + dx) * C + c;
                        if (x[i] > x[best])
                            best = i;
                    }
                y[(oy * Ho + ox) * C + c] = x[best];
                arg[(oy * Ho + ox) * C + c] = best;
            }
}

void zd_cnn_forward(const zd_cnn *net, const uint8_t *pixels, zd_acts *a)
{
    const float *p = net->p;
    for (int i = 0; i < ZD_H1 * ZD_H1; i++)
        a->x[i] = (float)pixels[i] / 255.0f;
    conv3_relu(a->x, ZD_H1, 1, p + ZD_OFF_W1, p + ZD_OFF_B1, ZD_C1, a->y1);
    maxpool2(a->y1, ZD_H1, ZD_C1, a->p1, a->a1);
    conv3_relu(a->p1, ZD_H2, ZD_C1, p + ZD_OFF_W2, p + ZD_OFF_B2, ZD_C2, a->y2);
    maxpool2(a->y2, ZD_H2, ZD_C2, a->p2, a->a2);
    const float *wf = p + ZD_OFF_WF;
    for (int u = 0; u < ZD_NCLS; u++)
        a->logits[u] = p[ZD_OFF_BF + u];
    for (int k = 0; k < ZD_FLAT; k++)
        for (int u = 0; u < ZD_NCLS; u++)
            a->logits[u] += a->p2[k] * wf[k * ZD_NCLS + u];
}

/* Backward of conv3_relu given dy (the gradient after the ReLU, which is
 * masked here by y > 0): adds to dwT and db, and, when dx is not NULL,
 * writes the input gradient into dx (HxHxIC, overwritten). */
static inline void conv3_back(const float *x, int H, int IC, const float *wT, int OC,
                              const float *y, float *dy, float *dwT, float *db, float *dx)
{
    if (dx)
        memset(dx, 0, sizeof(float) * (size_t)(H * H * IC));
    for (int oy = 0; oy < H; oy++)
        for (int ox = 0; ox < H; ox++) {
            float *g = dy + (oy * H + ox) * OC;
            const float *yv = y + (oy * H + ox) * OC;
            int any = 0;
            for (int oc = 0; oc < OC; oc++) {
                g[oc] = yv[oc] > 0.0f ? g[oc] : 0.0f;
                any |= g[oc] != 0.0f;
            }
            if (!any) /* a whole pixel switched off by the ReLU adds nothing */
                continue;
            for (int oc = 0; oc < OC; oc++)
                db[oc] += g[oc];
            for (int ky = 0; ky < 3; ky++) {
                int iy = oy + ky - 1;
                if (iy < 0 || iy >= H)
                    continue;
                for (int kx = 0; kx < 3; kx++) {
                    int ix = ox + kx - 1;
                    if (ix < 0 || ix >= H)
                        continue;
                    const float *xv = x + (iy * H + ix) * IC;
                    int k0 = (ky * 3 + kx) * IC;
                    for (int ic = 0; ic < IC; ic++) {
                        float *dw = dwT + (k0 + ic) * OC;
                        for (int oc = 0; oc < OC; oc++)
                            dw[oc] += xv[ic] * g[oc];
                    }
                    if (!dx)
                        continue;
                    float *dxv = dx + (iy * H + ix) * IC;
                    for (int ic = 0; ic < IC; ic++) {
                        const float *w = wT + (k0 + ic) * OC;
                        float s = 0.0f;
                        for (int oc = 0; oc < OC; oc++)
                            s += w[oc] * g[oc];
                        dxv[ic] += s;
                    }
                }
            }
        }
}

float zd_cnn_backprop(const zd_cnn *net, const uint8_t *pixels, int label, zd_acts *a,
                      float *grad)
{
    const float *p = net->p;
    zd_cnn_forward(net, pixels, a);

    /* softmax cross-entropy: dlogits = softmax - onehot */
    float mx = a->logits[0], prob[ZD_NCLS], sum = 0.0f;
    for (int u = 1; u < ZD_NCLS; u++)
        mx = a->logits[u] > mx ? a->logits[u] : mx;
    for (int u = 0; u < ZD_NCLS; u++) {
        prob[u] = expf(a->logits[u] - mx);
        sum += prob[u];
    }
    float loss = logf(sum) - (a->logits[label] - mx);
    float dl[ZD_NCLS];
    for (int u = 0; u < ZD_NCLS; u++)
        dl[u] = prob[u] / sum - (u == label ? 1.0f : 0.0f);

    /* FC */
    const float *wf = p + ZD_OFF_WF;
    float *gwf = grad + ZD_OFF_WF;
    for (int u = 0; u < ZD_NCLS; u++)
        grad[ZD_OFF_BF + u] += dl[u];
    memset(a->dy2, 0, sizeof a->dy2);
    for (int k = 0; k < ZD_FLAT; k++) {
        float s = 0.0f;
        for (int u = 0; u < ZD_NCLS; u++) {
            gwf[k * ZD_NCLS + u] += a->p2[k] * dl[u];
            s += wf[k * ZD_NCLS + u] * dl[u];
        }
        a->dy2[a->a2[k]] = s; /* pool2 backward: to the maximum only */
    }
    conv3_back(a->p1, ZD_H2, ZD_C1, p + ZD_OFF_W2, ZD_C2, a->y2, a->dy2, grad + ZD_OFF_W2,
               grad + ZD_OFF_B2, a->dp1);
    memset(a->dy1, 0, sizeof a->dy1);
    for (int k = 0; k < ZD_H2 * ZD_H2 * ZD_C1; k++)
        a->dy1[a->a1[k]] = a->dp1[k];
    conv3_back(a->x, ZD_H1, 1, p + ZD_OFF_W1, ZD_C1, a->y1, a->dy1, grad + ZD_OFF_W1,
               grad + ZD_OFF_B1, NULL);
    return loss;
}

void zd_adam_step(zd_adam *opt, zd_cnn *net, const float *grad, float lr)
{
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    opt->t++;
    /* bias corrections in double, then one float step size */
    float c1 = (float)(1.0 - pow(b1, (double)opt->t));
    float c2 = (float)(1.0 - pow(b2, (double)opt->t));
    float step = lr * sqrtf(c2) / c1;
    for (int i = 0; i < ZD_NPARAM; i++) {
        opt->m[i] = b1 * opt->m[i] + (1.0f - b1) * grad[i];
        opt->v[i] = b2 * opt->v[i] + (1.0f - b2) * grad[i] * grad[i];
        net->p[i] -= step * opt->m[i] / (sqrtf(opt->v[i]) + eps);
    }
}

int zd_argmax(const float *logits, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (logits[i] > logits[best])
            best = i;
    return best;
}
