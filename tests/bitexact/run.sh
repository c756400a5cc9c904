#!/usr/bin/env bash
# tests/bitexact/run.sh SELLER - bit-exactness of `seller infer` against the real
# TFLite runtime:
#   1. every row of shared/golden/outputs.tsv (8 models x 3 inputs): the input is
#      regenerated with `seller make-input` (its sha256 must match the recorded one)
#      and the output's sha256 must match;
#   2. keras-mnist on all 10,000 MNIST test images (MNIST_ACCURACY program):
#      the 300 golden rows byte for byte, and the accuracy;
#   3. every intermediate tensor of four models on two inputs each, against the
#      oracle's --dump-all (needs the oracle: `make oracle`; skipped with a message
#      when it is missing, except under CI=true where it is required).
# Prints "bitexact: N passed, M failed" and exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/common.sh"
SELLER=${1:?usage: run.sh SELLER [MNIST_ACCURACY]}
MNIST=${2:-}
pass=0; fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL: $*"; }

if ! have_shared; then
    echo "bitexact: skipped: $SHARED (models, golden outputs) not found"
    echo "bitexact: 0 passed, 0 failed"
    exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# ---- 1. golden final outputs
while IFS=$'\t' read -r model rule in_sha out_sha out_hex; do
    [ "$model" = model ] && continue
    m="$SHARED/models/$model"
    "$SELLER" make-input --model "$m" --rule "$rule" --out "$tmp/in.bin" || { bad "$model $rule: make-input"; continue; }
    if [ "$(sha256_of "$tmp/in.bin")" != "$in_sha" ]; then bad "$model $rule: input sha256 differs"; continue; fi
    args=(--input "$tmp/in.bin")
    if [ "$(basename "$model")" = simple_add_model.tflite ]; then
        head -c "$(stat -c %s "$tmp/in.bin")" /dev/zero > "$tmp/zero.bin"
        args+=(--input "$tmp/zero.bin")
    fi
    if ! "$SELLER" infer --model "$m" "${args[@]}" --output "$tmp/out.bin" > "$tmp/log" 2>&1; then
        bad "$model $rule: infer failed: $(tail -1 "$tmp/log")"; continue
    fi
    got=$(sha256_of "$tmp/out.bin")
    if [ "$got" = "$out_sha" ]; then ok; else
        bad "$model $rule: output sha256 $got, expected $out_sha (got bytes $(head -c 16 "$tmp/out.bin" | od -An -tx1 | tr -d ' \n'), expected $out_hex)"
    fi
done < "$SHARED/golden/outputs.tsv"
echo "bitexact: golden outputs: $pass passed, $fail failed"

# ---- 2. keras-mnist over the MNIST test set (golden rows + accuracy)
if [ -n "$MNIST" ]; then
    if "$MNIST" "$SHARED"; then ok; else bad "keras-mnist on MNIST (see above)"; fi
fi

# ---- 3. intermediates against the live oracle
if ! oracle_ready; then
    if [ "${CI:-}" = true ]; then bad "oracle not installed in $ORACLE_DIR (run make oracle)"
    else echo "bitexact: intermediates skipped: oracle not installed (run 'make oracle')"; fi
else
    for model in tflite-micro/person_detect.tflite mlcommons-tiny/pretrainedResnet_quant.tflite \
                 keras-mnist-to-tpu/mnist.tflite tflite-micro/mobilenet_v2_quantized_1x3x224x224.tflite; do
        for rule in random:1 random:2; do
            d1="$tmp/oracle"; d2="$tmp/ours"; rm -rf "$d1" "$d2"
            m="$SHARED/models/$model"
            "$SELLER" make-input --model "$m" --rule "$rule" --out "$tmp/in.bin"
            if ! node "$ORACLE_DIR/tflite_ref.mjs" "$m" "$tmp/in.bin" "$tmp/o1.bin" --dump-all "$d1" --quiet > "$tmp/olog" 2>&1; then
                bad "$model $rule: oracle failed: $(tail -2 "$tmp/olog")"; continue
            fi
            "$SELLER" infer --model "$m" --input "$tmp/in.bin" --output "$tmp/o2.bin" --dump-dir "$d2" > /dev/null
            n=0; nbad=0
            for f in "$d1"/t*.bin; do
                b=$(basename "$f"); n=$((n+1))
                if ! cmp -s "$f" "$d2/$b"; then
                    nbad=$((nbad+1))
                    [ $nbad -le 3 ] && echo "  $model $rule: intermediate $b differs"
                fi
            done
            if [ $nbad -eq 0 ] && [ $n -gt 0 ]; then ok; echo "bitexact: $model $rule: all $n intermediate tensors identical"
            else bad "$model $rule: $nbad of $n intermediate tensors differ"; fi
        done
    done
fi
echo "bitexact: $pass passed, $fail failed"
[ $fail -eq 0 ]
