#!/usr/bin/env bash
# tools/demo.sh - make demo: what zkaudit can do today, on the real models in
# ../shared.  The audit itself (commitments, sampling, proofs, reports) is
# being built; until then the demo shows the engine every proof will attest
# to: bit-exact TFLite integer inference.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${ZKAUDIT_SHARED:-../shared}
S=bin/seller
if [ ! -d "$SHARED/models" ]; then
    echo "demo: $SHARED/models not found; the demo needs the shared models"; exit 1
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
say() { printf '\n== %s\n' "$*"; }

say "MobileNet v2 (ImageNet, int8): what the seller would commit to"
$S inspect --model "$SHARED/models/tflite-micro/mobilenet_v2_quantized_1x3x224x224.tflite" | tail -3

say "person_detect on its two sample images (BMP rows are stored bottom-up)"
for img in person no_person; do
    bmp="$SHARED/models/tflite-micro/testdata/$img.bmp"
    off=$(od -An -tu4 -j10 -N4 "$bmp" | tr -d ' ')
    : > "$tmp/$img.bin"
    for ((row = 95; row >= 0; row--)); do
        dd if="$bmp" bs=1 skip=$((off + row * 96)) count=96 status=none >> "$tmp/$img.bin"
    done
    out=$($S infer --model "$SHARED/models/tflite-micro/person_detect.tflite" --input "$tmp/$img.bin" --json)
    scores=$(echo "$out" | tr -d ' \n' | sed 's/.*"values":\[\([^]]*\)\].*/\1/')
    echo "$img.bmp: scores [no person, person] = [$scores]"
done

say "MobileNet v2 on a random image, both rounding profiles"
$S make-input --model "$SHARED/models/tflite-micro/mobilenet_v2_quantized_1x3x224x224.tflite" --rule random:1 --out "$tmp/mb.bin"
for r in tflite reference; do
    $S infer --model "$SHARED/models/tflite-micro/mobilenet_v2_quantized_1x3x224x224.tflite" \
        --input "$tmp/mb.bin" --rounding "$r" | tail -2 | tr '\n' ' '
    echo
done

say "keras-mnist on the 10,000 MNIST test images"
make -s build/rel/bin/mnist_accuracy >/dev/null
build/rel/bin/mnist_accuracy "$SHARED"

echo
echo "demo: done. Proofs, dataset commitments, sampling and reports are not built yet (docs/roadmap.md)."
