#!/usr/bin/env bash
# tests/e2e/prove.sh - seller commit-model / prove and buyer verify-proof on
# the real models of ../shared, through the command-line tools.
#   - every model but MobileNet v2 (its proof is a benchmark: make bench):
#     commit, prove the golden inputs (zeros, random:1, random:2) in one
#     batch, verify; every verified output must equal `seller infer`'s;
#   - real inputs: person_detect on person.bmp + no_person.bmp in one batch,
#     keras-mnist on the first four MNIST test digits in one batch, both
#     rounding profiles; the demo model (models/demo) on the first four
#     Fashion-MNIST test images;
#   - refusals: a proof under another model's commitment, with other
#     inputs, or with a flipped byte is `invalid` (exit 1); proving with a
#     model that is not the committed one fails.
# usage: tests/e2e/prove.sh BIN_DIR   (prints "e2e: N passed, M failed")
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-bin}
S=$BIN/seller
B=$BIN/buyer
SHARED=${ZKAUDIT_SHARED:-../shared}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "e2e: FAIL: $*" >&2; }
if [ ! -d "$SHARED/models" ]; then
    echo "e2e: skipped: $SHARED/models not found (the shared models are needed)"
    echo "e2e: 0 passed, 0 failed"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the values after the last ": " of the output line(s)
values_of_infer() { "$S" infer "$@" | grep '^output 0' | sed 's/.*]: //'; }
values_of_verify() { grep '^sample' "$1" | sed 's/.*]: //'; }

# prove_check NAME MODEL ROUNDING INPUT... : commit, prove, verify, compare
prove_check() {
    local name=$1 model=$2 rounding=$3; shift 3
    local args=() want="" n=0
    "$S" commit-model --model "$model" --rounding "$rounding" --out "$tmp/$name.commit" > /dev/null ||
        { bad "$name: commit-model"; return; }
    for f in "$@"; do args+=(--input "$f"); done
    if ! "$S" prove --model "$model" --commit "$tmp/$name.commit" "${args[@]}" \
        --out "$tmp/$name.proof" > "$tmp/$name.prove.log" 2>&1; then
        bad "$name: prove: $(tail -1 "$tmp/$name.prove.log")"; return
    fi
    if ! "$B" verify-proof --commit "$tmp/$name.commit" --proof "$tmp/$name.proof" "${args[@]}" \
        > "$tmp/$name.verify" 2>&1; then
        bad "$name: verify-proof: $(tail -1 "$tmp/$name.verify")"; return
    fi
    [ "$(tail -1 "$tmp/$name.verify")" = "valid" ] || { bad "$name: last line not 'valid'"; return; }
    # compare with the engine, sample by sample (models with one input)
    local k=0
    while IFS= read -r line; do
        want=$(values_of_infer --model "$model" --rounding "$rounding" --input "${@:$((k + 1)):1}")
        [ "$line" = "$want" ] || { bad "$name: sample $k: proof says [$line], engine [$want]"; return; }
        k=$((k + 1))
    done < <(values_of_verify "$tmp/$name.verify")
    [ "$k" -eq "$#" ] || { bad "$name: $k samples verified, $# inputs"; return; }
    ok
}

for m in $(cd "$SHARED/models" && ls */*.tflite | sort); do
    case $m in *mobilenet*) continue ;; esac
    name=$(basename "$m" .tflite)
    model=$SHARED/models/$m
    ninputs=$("$S" inspect --model "$model" | grep -c '^input ')
    if [ "$ninputs" -ne 1 ]; then
        # several inputs: one file per input, the output checked against infer
        ins=()
        for ((k = 0; k < ninputs; k++)); do
            "$S" make-input --model "$model" --rule random:$((k + 1)) --input-index $k --out "$tmp/$name.in$k" > /dev/null
            ins+=(--input "$tmp/$name.in$k")
        done
        "$S" commit-model --model "$model" --out "$tmp/$name.commit" > /dev/null &&
            "$S" prove --model "$model" --commit "$tmp/$name.commit" "${ins[@]}" --out "$tmp/$name.proof" > /dev/null &&
            "$B" verify-proof --commit "$tmp/$name.commit" --proof "$tmp/$name.proof" "${ins[@]}" > "$tmp/$name.verify" &&
            [ "$(values_of_verify "$tmp/$name.verify")" = "$(values_of_infer --model "$model" "${ins[@]}")" ] &&
            ok || bad "$name: multi-input prove/verify"
        continue
    fi
    # the golden inputs (../shared/golden/outputs.tsv), one batch
    for rule in zeros random:1 random:2; do
        "$S" make-input --model "$model" --rule "$rule" --out "$tmp/$name.${rule/:/}.in" > /dev/null
    done
    prove_check "$name" "$model" tflite "$tmp/$name.zeros.in" "$tmp/$name.random1.in" "$tmp/$name.random2.in"
done

# real inputs: person_detect on its two images (BMP rows bottom-up)
pd=$SHARED/models/tflite-micro/person_detect.tflite
if [ -f "$pd" ]; then
    for img in person no_person; do
        bmp=$SHARED/models/tflite-micro/testdata/$img.bmp
        off=$(od -An -tu4 -j10 -N4 "$bmp" | tr -d ' ')
        : > "$tmp/$img.bin"
        for ((row = 95; row >= 0; row--)); do
            dd if="$bmp" bs=1 skip=$((off + row * 96)) count=96 status=none >> "$tmp/$img.bin"
        done
    done
    prove_check person_batch "$pd" tflite "$tmp/person.bin" "$tmp/no_person.bin"
fi

# real inputs: the first four MNIST test digits, both profiles
mn=$SHARED/models/keras-mnist-to-tpu/mnist.tflite
imgs=$SHARED/datasets/mnist/t10k-images-idx3-ubyte.gz
if [ -f "$mn" ] && [ -f "$imgs" ]; then
    gzip -dc "$imgs" > "$tmp/mnist.idx"
    for i in 0 1 2 3; do
        tail -c +$((17 + i * 784)) "$tmp/mnist.idx" | head -c 784 > "$tmp/digit$i.bin"
    done
    prove_check mnist_digits "$mn" tflite "$tmp"/digit{0,1,2,3}.bin
    prove_check mnist_digits_ref "$mn" reference "$tmp"/digit{0,1,2,3}.bin

    # refusals
    expect_invalid() {
        local what=$1; shift
        "$B" verify-proof "$@" > "$tmp/out" 2>&1
        local rc=$?
        if [ $rc -eq 1 ] && grep -q '^invalid: ' "$tmp/out"; then ok; else bad "$what: exit $rc, $(tail -1 "$tmp/out")"; fi
    }
    P=$tmp/mnist_digits.proof C=$tmp/mnist_digits.commit
    expect_invalid "proof under another model's commitment" --commit "$tmp/mnist_digits_ref.commit" --proof "$P"
    expect_invalid "proof with other inputs" --commit "$C" --proof "$P" \
        --input "$tmp/digit1.bin" --input "$tmp/digit0.bin" --input "$tmp/digit2.bin" --input "$tmp/digit3.bin"
    size=$(stat -c %s "$P")
    for pos in 40 1000 $((size / 3)) $((size / 2)) $((size - 100)); do
        cp "$P" "$tmp/flip.proof"
        byte=$(od -An -tu1 -j "$pos" -N1 "$P" | tr -d ' ')
        printf "$(printf '\\%03o' $(((byte + 1) % 256)))" | dd of="$tmp/flip.proof" bs=1 seek="$pos" conv=notrunc status=none
        expect_invalid "proof with byte $pos changed" --commit "$C" --proof "$tmp/flip.proof"
    done
    # the wrong model for a commitment
    rn=$SHARED/models/mlcommons-tiny/pretrainedResnet_quant.tflite
    if "$S" prove --model "$rn" --commit "$C" --input "$tmp/digit0.bin" --out "$tmp/x.proof" > /dev/null 2>&1; then
        bad "prove with a model that is not the committed one succeeded"
    else
        ok
    fi
fi

# real inputs: our own demo model (models/demo, docs/demo-model.md) on the
# first four Fashion-MNIST test images (int8 = pixel - 128), one batch
dm=models/demo/fashion_cnn.tflite
fimgs=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}/t10k-images-idx3-ubyte.gz
if [ -f "$dm" ] && [ -f "$fimgs" ]; then
    gzip -dc "$fimgs" > "$tmp/fashion.idx"
    for i in 0 1 2 3; do
        tail -c +$((17 + i * 784)) "$tmp/fashion.idx" | head -c 784 |
            LC_ALL=C tr '\000-\377' '\200-\377\000-\177' > "$tmp/fashion$i.bin"
    done
    prove_check fashion_demo "$dm" tflite "$tmp"/fashion{0,1,2,3}.bin
fi

# blinded proofs (docs/zero-knowledge.md): the same outputs as a plain
# proof, two proofs of one batch differ, and a flipped byte is invalid
mn=$SHARED/models/keras-mnist-to-tpu/mnist.tflite
if [ -f "$mn" ]; then
    "$S" commit-model --public --model "$mn" --out "$tmp/bl.commit" > /dev/null
    for r in 1 2; do "$S" make-input --model "$mn" --rule random:$r --out "$tmp/bl$r.in" > /dev/null; done
    ins=(--input "$tmp/bl1.in" --input "$tmp/bl2.in")
    "$S" prove --model "$mn" --commit "$tmp/bl.commit" "${ins[@]}" --out "$tmp/plain.proof" > /dev/null
    for k in a b; do
        "$S" prove --blinded --model "$mn" --commit "$tmp/bl.commit" "${ins[@]}" \
            --out "$tmp/bl$k.proof" > "$tmp/bl$k.log" || bad "blinded prove"
    done
    grep -q '(blinded)' "$tmp/bla.log" && ok || bad "blinded prove: not reported as blinded"
    "$B" verify-proof --commit "$tmp/bl.commit" --proof "$tmp/plain.proof" > "$tmp/plain.verify"
    if "$B" verify-proof --commit "$tmp/bl.commit" --proof "$tmp/bla.proof" > "$tmp/bla.verify"; then
        tail -1 "$tmp/bla.verify" | grep -qx valid && ok || bad "blinded verify: no 'valid' line"
        [ "$(values_of_verify "$tmp/bla.verify")" = "$(values_of_verify "$tmp/plain.verify")" ] &&
            ok || bad "blinded proof: outputs differ from the plain proof's"
    else
        bad "blinded proof rejected: $(tail -1 "$tmp/bla.verify")"
    fi
    cmp -s "$tmp/bla.proof" "$tmp/blb.proof" && bad "two blinded proofs are identical" || ok
    size=$(stat -c %s "$tmp/bla.proof")
    cp "$tmp/bla.proof" "$tmp/flip.proof"
    printf '\x5a' | dd of="$tmp/flip.proof" bs=1 seek=$((size * 2 / 3)) conv=notrunc status=none
    if "$B" verify-proof --commit "$tmp/bl.commit" --proof "$tmp/flip.proof" > "$tmp/flip.verify" 2>&1; then
        bad "a blinded proof with a changed byte was accepted"
    else
        grep -q '^invalid' "$tmp/flip.verify" && ok || bad "changed byte: no 'invalid:' line"
    fi
fi

# private model commitments (the default; docs/zero-knowledge.md): the
# proof says it is zero-knowledge, the key is found beside the commitment,
# its budget is spent one proof at a time and a proof beyond it is refused
# with nothing written; without its key, or with another commitment's, the
# prover refuses; a public commitment's prover refuses --model-key
if [ -f "$mn" ]; then
    "$S" commit-model --model "$mn" --proofs 2 --out "$tmp/pv.commit" > "$tmp/pv.log" &&
        grep -q 'private commitment for 2 proofs' "$tmp/pv.log" &&
        [ "$(stat -c %a "$tmp/pv.commit.key")" = 600 ] && ok || bad "private commit-model"
    "$S" commit-model --model "$mn" --proofs 2 --out "$tmp/pv.commit" > /dev/null 2>&1 &&
        bad "commit-model over an existing key succeeded" || ok
    for k in 1 2; do
        "$S" prove --model "$mn" --commit "$tmp/pv.commit" --input "$tmp/bl1.in"             --out "$tmp/pv$k.proof" > "$tmp/pv$k.log" 2>&1 || bad "private prove $k: $(tail -1 "$tmp/pv$k.log")"
    done
    grep -q '(zero-knowledge)' "$tmp/pv1.log" && grep -q 'spent proof 2 of .* 2' "$tmp/pv2.log" &&
        ok || bad "private prove: not reported as zero-knowledge with its budget"
    "$B" verify-proof --commit "$tmp/pv.commit" --proof "$tmp/pv1.proof" > "$tmp/pv.verify" 2>&1 &&
        tail -1 "$tmp/pv.verify" | grep -qx valid && ok || bad "private proof rejected: $(tail -1 "$tmp/pv.verify")"
    grep -q '^model id: .*a zero-knowledge proof' "$tmp/pv.verify" && ok ||
        bad "verify-proof does not say the private proof is zero-knowledge"
    [ "$(values_of_verify "$tmp/pv.verify")" = "$(values_of_infer --model "$mn" --input "$tmp/bl1.in")" ] &&
        ok || bad "private proof: outputs differ from the engine's"
    if "$S" prove --model "$mn" --commit "$tmp/pv.commit" --input "$tmp/bl1.in" --out "$tmp/pv3.proof"         > "$tmp/pv3.log" 2>&1; then
        bad "a proof beyond the budget was made"
    else
        grep -q 'budget is spent' "$tmp/pv3.log" && [ ! -e "$tmp/pv3.proof" ] && ok ||
            bad "beyond the budget: $(tail -1 "$tmp/pv3.log")"
    fi
    "$S" commit-model --model "$mn" --out "$tmp/pw.commit" --model-key "$tmp/elsewhere.key" > /dev/null
    "$S" prove --model "$mn" --commit "$tmp/pw.commit" --input "$tmp/bl1.in" --out "$tmp/x.proof"         > "$tmp/nokey.log" 2>&1 && bad "a private proof without its key" ||
        { grep -q 'needs its key' "$tmp/nokey.log" && ok || bad "no key: $(tail -1 "$tmp/nokey.log")"; }
    "$S" prove --model "$mn" --commit "$tmp/pw.commit" --model-key "$tmp/pv.commit.key"         --input "$tmp/bl1.in" --out "$tmp/x.proof" > "$tmp/wrongkey.log" 2>&1 &&
        bad "a private proof with another commitment's key" ||
        { grep -q 'key of another model commitment' "$tmp/wrongkey.log" && ok ||
            bad "wrong key: $(tail -1 "$tmp/wrongkey.log")"; }
    "$S" prove --model "$mn" --commit "$tmp/pw.commit" --model-key "$tmp/elsewhere.key"         --input "$tmp/bl1.in" --out "$tmp/pw.proof" > /dev/null 2>&1 &&
        "$B" verify-proof --commit "$tmp/pw.commit" --proof "$tmp/pw.proof" > /dev/null 2>&1 &&
        ok || bad "private prove with --model-key"
    "$S" prove --model "$mn" --commit "$tmp/bl.commit" --model-key "$tmp/elsewhere.key"         --input "$tmp/bl1.in" --out "$tmp/x.proof" > "$tmp/pubkey.log" 2>&1 &&
        bad "--model-key accepted for a public commitment" || ok
    # a private proof does not verify under the public commitment of the same model
    "$B" verify-proof --commit "$tmp/bl.commit" --proof "$tmp/pv1.proof" > /dev/null 2>&1 &&
        bad "a private proof verified under another commitment" || ok
fi

echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
