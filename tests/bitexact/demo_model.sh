#!/usr/bin/env bash
# tests/bitexact/demo_model.sh SELLER - the committed demo model
# (models/demo/fashion_cnn.tflite, made by `make demo-model`) against the real
# TFLite runtime.  The model is written by our own TFLite writer
# (tests/support/tflite_builder.c), so this also checks that the runtime reads
# that writer's files as we do.
#
# Checks:
#   - models/demo/fashion_cnn.json records the sha256 of the committed .tflite;
#   - on inputs random:1..5 (`seller make-input`) and on Fashion-MNIST test
#     images 0..4, every 500th and 9999 (int8 = pixel - 128, the model's input
#     convention), the oracle's output equals `seller infer`'s byte for byte,
#     and so does every intermediate tensor (oracle --dump-all vs seller
#     --dump-dir: 7 small tensors, cheap).
# Ends with exactly "demo-model: N passed, M failed"; exits non-zero on any
# failure.  Skipped (exit 0) with a message when the oracle (`make oracle`) or
# the model is missing, except under CI=true where a missing oracle is a
# failure, as in ops.sh; the real-image checks are skipped when
# FASHION_MNIST (default /usr/share/datasets/fashion-mnist, Debian's
# dataset-fashion-mnist) is absent.
set -uo pipefail
. "$(dirname "$0")/common.sh"
SELLER=${1:?usage: demo_model.sh SELLER}
case "$SELLER" in /*) ;; *) SELLER="$PWD/$SELLER" ;; esac
MODEL=${DEMO_MODEL:-$ROOT/models/demo/fashion_cnn.tflite}
FMNIST=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
ORACLE="$ORACLE_DIR/tflite_ref.mjs"
pass=0; fail=0
ok() { pass=$((pass + 1)); [ "${DEMO_VERBOSE:-}" = 1 ] && echo "ok: $*"; return 0; }
bad() { fail=$((fail + 1)); echo "FAIL: demo-model: $*"; }
finish() { echo "demo-model: $pass passed, $fail failed"; [ $fail -eq 0 ]; exit; }

if ! oracle_ready; then
    if [ "${CI:-}" = true ]; then
        bad "the TFLite oracle is not installed in $ORACLE_DIR (run 'make oracle')"
        finish
    fi
    echo "demo-model: skipped: the TFLite oracle is not installed in $ORACLE_DIR (run 'make oracle')"
    finish
fi
if [ ! -f "$MODEL" ]; then
    echo "demo-model: skipped: $MODEL not found (run 'make demo-model')"
    finish
fi
if [ ! -x "$SELLER" ]; then bad "$SELLER is not an executable"; finish; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- the recorded sha256
json=${MODEL%.tflite}.json
want=$(sed -n 's/^ *"sha256": "\([0-9a-f]*\)".*/\1/p' "$json" 2>/dev/null)
got=$(sha256_of "$MODEL")
if [ "$want" = "$got" ]; then ok "sha256 $got recorded in $json"
else bad "$MODEL has sha256 $got, $json records '${want}'"; fi

# compare LABEL IN: final output and every intermediate tensor
compare() {
    local label=$1 in=$2 w="$tmp/$1"
    mkdir -p "$w"
    if ! node "$ORACLE" "$MODEL" "$in" "$w/oracle.bin" --quiet --dump-all "$w/od" > "$w/olog" 2>&1; then
        bad "$label: the oracle failed: $(tail -2 "$w/olog" | tr '\n' ' ')"; return
    fi
    if ! "$SELLER" infer --model "$MODEL" --input "$in" --output "$w/seller.bin" \
            --dump-dir "$w/sd" > "$w/slog" 2>&1; then
        bad "$label: seller infer failed: $(tail -1 "$w/slog")"; return
    fi
    if cmp -s "$w/oracle.bin" "$w/seller.bin"; then
        ok "$label: output $(od -An -td1 "$w/seller.bin" | tr -s ' ')"
    else
        bad "$label: outputs differ: oracle $(od -An -td1 "$w/oracle.bin" | tr -s ' '), seller $(od -An -td1 "$w/seller.bin" | tr -s ' ')"
    fi
    local f n=0 nbad=0 first=""
    for f in "$w"/od/t*.bin; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        if ! cmp -s "$f" "$w/sd/$(basename "$f")"; then
            nbad=$((nbad + 1)); [ -z "$first" ] && first=$(basename "$f")
        fi
    done
    if [ $n -eq 0 ]; then bad "$label: the oracle dumped no intermediate tensors"
    elif [ $nbad -eq 0 ]; then ok "$label: all $n intermediate tensors identical"
    else bad "$label: $nbad of $n intermediate tensors differ (first: $first)"; fi
}

# ---- random inputs
for seed in 1 2 3 4 5; do
    if "$SELLER" make-input --model "$MODEL" --rule "random:$seed" --out "$tmp/r$seed.bin" \
            > "$tmp/mlog" 2>&1; then
        compare "random:$seed" "$tmp/r$seed.bin"
    else
        bad "random:$seed: make-input failed: $(tail -1 "$tmp/mlog")"
    fi
done

# ---- real test images: int8 = pixel - 128, i.e. each byte with its top bit flipped
images="$FMNIST/t10k-images-idx3-ubyte.gz"
if [ ! -f "$images" ]; then
    echo "demo-model: real-image checks skipped: $images not found (Debian's dataset-fashion-mnist)"
else
    zcat "$images" > "$tmp/t10k.idx" 2>/dev/null
    for i in 0 1 2 3 4 $(seq 500 500 9500) 9999; do
        tail -c +$((16 + i * 784 + 1)) "$tmp/t10k.idx" | head -c 784 |
            LC_ALL=C tr '\000-\377' '\200-\377\000-\177' > "$tmp/img$i.bin"
        if [ "$(stat -c %s "$tmp/img$i.bin")" != 784 ]; then
            bad "test image $i: cannot extract 784 bytes from $images"; continue
        fi
        compare "test-image:$i" "$tmp/img$i.bin"
    done
fi
finish
