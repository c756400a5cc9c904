/* tools/demo_cnn.h - the demo classifier in float32: forward, backward, Adam.
 *
 * Architecture (NHWC, one image at a time, SAME padding, stride 1):
 *   28x28x1 -> CONV 3x3x8 + ReLU -> MAXPOOL 2x2 -> 14x14x8
 *           -> CONV 3x3x16 + ReLU -> MAXPOOL 2x2 -> 7x7x16 = 784
 *           -> FC 10 (logits; softmax cross-entropy during training).
 *
 * All parameters live in one float array (zd_cnn.p), laid out as the
 * ZD_OFF_* offsets say.  Convolution weights are stored tap-major,
 * output-channel-minor (wT[k][oc], k = (ky*3+kx)*IC + ic) and the FC
 * weights input-major (wf[k][unit], k = (y*7+x)*16 + c, the NHWC flattening
 * order of RESHAPE), so the inner loops run over output channels and gcc
 * vectorizes them without reordering any sum: every value is accumulated
 * in a fixed order, and a run is deterministic.
 */
#ifndef ZD_DEMO_CNN_H
#define ZD_DEMO_CNN_H

#include <stdint.h>

#define ZD_C1 8   /* first convolution's filters */
#define ZD_C2 16  /* second convolution's filters */
#define ZD_H1 28  /* side of the first convolution's output */
#define ZD_H2 14  /* ... of the second's */
#define ZD_H3 7   /* ... after the second pooling */
#define ZD_FLAT (ZD_H3 * ZD_H3 * ZD_C2)
#define ZD_NCLS 10

#define ZD_K1 (9 * 1)
#define ZD_K2 (9 * ZD_C1)
#define ZD_OFF_W1 0
#define ZD_OFF_B1 (ZD_OFF_W1 + ZD_K1 * ZD_C1)
#define ZD_OFF_W2 (ZD_OFF_B1 + ZD_C1)
#define ZD_OFF_B2 (ZD_OFF_W2 + ZD_K2 * ZD_C2)
#define ZD_OFF_WF (ZD_OFF_B2 + ZD_C2)
#define ZD_OFF_BF (ZD_OFF_WF + ZD_FLAT * ZD_NCLS)
#define ZD_NPARAM (ZD_OFF_BF + ZD_NCLS)

typedef struct {
    float p[ZD_NPARAM];
} zd_cnn;

/* One image's activations (kept for the backward pass and calibration). */
typedef struct {
    float x[ZD_H1 * ZD_H1];            /* input, pixel / 255 */
    float y1[ZD_H1 * ZD_H1 * ZD_C1];   /* conv1 after ReLU */
    float p1[ZD_H2 * ZD_H2 * ZD_C1];   /* pool1 */
    int32_t a1[ZD_H2 * ZD_H2 * ZD_C1]; /* index into y1 of each pool1 maximum */
    float y2[ZD_H2 * ZD_H2 * ZD_C2];   /* conv2 after ReLU */
    float p2[ZD_FLAT];                 /* pool2 = the flattened FC input */
    int32_t a2[ZD_FLAT];
    float logits[ZD_NCLS];
    /* backward scratch */
    float dy1[ZD_H1 * ZD_H1 * ZD_C1];
    float dp1[ZD_H2 * ZD_H2 * ZD_C1];
    float dy2[ZD_H2 * ZD_H2 * ZD_C2];
} zd_acts;

/* splitmix64-seeded xorshift64*: the trainer's only source of randomness. */
typedef struct {
    uint64_t s;
} zd_rng;
void zd_rng_seed(zd_rng *r, uint64_t seed);
uint64_t zd_rng_next(zd_rng *r);
/* uniform in [0, 1) with 24 random bits */
float zd_rng_uniform(zd_rng *r);

/* He-uniform weights (limit sqrt(6 / fan_in)), zero biases. */
void zd_cnn_init(zd_cnn *net, zd_rng *r);

/* Forward pass of one 28x28 image of raw pixels; fills a (logits included). */
void zd_cnn_forward(const zd_cnn *net, const uint8_t *pixels, zd_acts *a);

/* Forward plus backward for one labelled image: adds d(loss)/d(param) to
 * grad (ZD_NPARAM floats) and returns the cross-entropy loss. */
float zd_cnn_backprop(const zd_cnn *net, const uint8_t *pixels, int label, zd_acts *a,
                      float *grad);

/* Adam state: first and second moments and the step count. */
typedef struct {
    float m[ZD_NPARAM], v[ZD_NPARAM];
    int64_t t;
} zd_adam;

/* One Adam step (beta1 0.9, beta2 0.999, eps 1e-8) with learning rate lr on
 * the mean gradient grad. */
void zd_adam_step(zd_adam *opt, zd_cnn *net, const float *grad, float lr);

/* Index of the largest logit (the first one on a tie). */
int zd_argmax(const float *logits, int n);

#endif
