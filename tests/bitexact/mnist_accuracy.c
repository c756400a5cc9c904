/* tests/bitexact/mnist_accuracy.c - keras-mnist on the whole MNIST test set.
 *
 * usage: mnist_accuracy SHARED_DIR
 * Runs ../shared/models/keras-mnist-to-tpu/mnist.tflite (tflite profile) on
 * all 10,000 test images, checks the first 300 outputs byte for byte
 * against ../shared/golden/mnist_keras_first300.tsv, and prints the
 * accuracy (quoted in docs/inference.md).  Built with release flags: under
 * the sanitizers 10,000 inferences take minutes.  Exit 0 iff every golden
 * row matches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gzfile.h"
#include "common/progress.h"
#include "model/engine.h"
#include "model/model.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SHARED_DIR\n", argv[0]);
        return 2;
    }
    char path[4096];
    size_t ni = 0, nl = 0;
    snprintf(path, sizeof path, "%s/datasets/mnist/t10k-images-idx3-ubyte.gz", argv[1]);
    uint8_t *img = NULL, *lab = NULL;
    za_error gz_err;
    if (za_read_gzip_file(path, (size_t)1 << 28, &img, &ni, &gz_err) != ZA_OK)
        fprintf(stderr, "mnist: %s\n", gz_err.msg);
    snprintf(path, sizeof path, "%s/datasets/mnist/t10k-labels-idx1-ubyte.gz", argv[1]);
    if (za_read_gzip_file(path, (size_t)1 << 28, &lab, &nl, &gz_err) != ZA_OK)
        fprintf(stderr, "mnist: %s\n", gz_err.msg);
    if (!img || !lab || ni < 16 || nl < 8 || be32(img) != 0x803 || be32(lab) != 0x801 ||
        ni != 16 + (size_t)be32(img + 4) * 784 || nl != 8 + (size_t)be32(lab + 4)) {
        fprintf(stderr, "mnist: cannot read the MNIST test set under %s\n", argv[1]);
        return 1;
    }
    uint32_t count = be32(img + 4);
    snprintf(path, sizeof path, "%s/models/keras-mnist-to-tpu/mnist.tflite", argv[1]);
    zm_model *m = NULL;
    zm_engine *e = NULL;
    za_error err;
    if (zm_model_load_file(path, &m, &err) || zm_engine_create(m, ZM_ROUNDING_TFLITE, &e, &err)) {
        fprintf(stderr, "mnist: %s\n", err.msg);
        return 1;
    }
    snprintf(path, sizeof path, "%s/golden/mnist_keras_first300.tsv", argv[1]);
    FILE *g = fopen(path, "r");
    char line[256];
    if (!g || !fgets(line, sizeof line, g)) {
        fprintf(stderr, "mnist: cannot read %s\n", path);
        return 1;
    }
    const zm_tensor *ot = &m->tensors[m->outputs[0]];
    int golden_ok = 0, golden_bad = 0;
    uint32_t correct = 0;
    double t0 = za_now_s();
    for (uint32_t i = 0; i < count; i++) {
        if (zm_engine_set_input(e, 0, img + 16 + (size_t)i * 784, 784, &err) ||
            zm_engine_run(e, &err)) {
            fprintf(stderr, "mnist: image %u: %s\n", i, err.msg);
            return 1;
        }
        const uint8_t *o = zm_engine_output(e, 0);
        int64_t am = zm_argmax(ot, o);
        correct += am == lab[8 + i];
        if (fgets(line, sizeof line, g)) {
            char hex[64], ours[21];
            unsigned idx, label, amx;
            for (int k = 0; k < 10; k++)
                snprintf(ours + 2 * k, 3, "%02x", o[k]);
            if (sscanf(line, "%u\t%u\t%63s\t%u", &idx, &label, hex, &amx) == 4 && idx == i &&
                label == lab[8 + i] && !strcmp(hex, ours) && amx == am) {
                golden_ok++;
            } else {
                golden_bad++;
                fprintf(stderr, "mnist: image %u: output %s, golden row: %s", i, ours, line);
            }
        }
    }
    double secs = za_now_s() - t0;
    fclose(g);
    printf("mnist: keras-mnist golden rows: %d identical, %d different\n", golden_ok, golden_bad);
    printf("mnist: accuracy on the %u MNIST test images: %u correct = %.2f%% (%.1f ms per image)\n",
           count, correct, 100.0 * correct / count, 1000.0 * secs / count);
    zm_engine_free(e);
    zm_model_free(m);
    free(img);
    free(lab);
    return golden_bad == 0 && golden_ok == 300 ? 0 : 1;
}
