#!/usr/bin/env bash
# tests/bitexact/ops.sh SELLER - bit-exactness of `seller infer` against the real
# TFLite runtime on every op configuration the engine claims to support.
#
# tools/make_op_models.c (built here with $CC) writes ~140 small synthetic models,
# one op configuration each (see its header comment), plus models.tsv.  For every
# model expected to run, and inputs random:1..3 (`seller make-input`; input k of a
# multi-input model uses seed SEED+100*k), the oracle's output and `seller infer`'s
# must be identical byte for byte; models flagged "dump" also have every
# intermediate tensor compared (oracle --dump-all vs seller --dump-dir, seed 1).
# Models expected to be refused must make `seller infer` exit 1 with a message
# naming the op.
#
# Prints one line per mismatch, a pass/fail table per op family, and ends with
# exactly "ops: N passed, M failed"; exits non-zero on any failure.  Skipped
# (exit 0) when the oracle is not installed (`make oracle`), except under
# CI=true where that is a failure, as in run.sh.
#
# Environment: CC (default cc), JOBS (parallel models, default: nproc),
# OPS_FILTER (extended regex on model names), OPS_KEEP=DIR (keep the models,
# inputs and outputs there), OPS_VERBOSE=1 (a line per passing check too),
# ZKAUDIT_ORACLE_DIR (see common.sh).
set -uo pipefail
. "$(dirname "$0")/common.sh"
SELLER=${1:?usage: ops.sh SELLER}
case "$SELLER" in /*) ;; *) SELLER="$PWD/$SELLER" ;; esac

if ! oracle_ready; then
    if [ "${CI:-}" = true ]; then
        echo "FAIL: ops: the TFLite oracle is not installed in $ORACLE_DIR (run 'make oracle')"
        echo "ops: 0 passed, 1 failed"
        exit 1
    fi
    echo "ops: skipped: the TFLite oracle is not installed in $ORACLE_DIR (run 'make oracle')"
    echo "ops: 0 passed, 0 failed"
    exit 0
fi
if [ ! -x "$SELLER" ]; then
    echo "FAIL: ops: $SELLER is not an executable"
    echo "ops: 0 passed, 1 failed"
    exit 1
fi

if [ -n "${OPS_KEEP:-}" ]; then
    tmp=$OPS_KEEP
    rm -rf "$tmp" && mkdir -p "$tmp"
else
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
fi

# ---- build and run the model generator
if ! ${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -O1 -I"$ROOT" \
        "$ROOT/tools/make_op_models.c" "$ROOT/tests/support/tflite_builder.c" \
        "$ROOT/model/fixedpoint.c" -o "$tmp/make_op_models" -lm > "$tmp/cc.log" 2>&1; then
    echo "FAIL: ops: cannot build tools/make_op_models:"
    sed 's/^/    /' "$tmp/cc.log" | head -20
    echo "ops: 0 passed, 1 failed"
    exit 1
fi
models="$tmp/models"
if ! "$tmp/make_op_models" "$models" > "$tmp/gen.log" 2>&1; then
    echo "FAIL: ops: make_op_models failed:"
    sed 's/^/    /' "$tmp/gen.log" | head -20
    echo "ops: 0 passed, 1 failed"
    exit 1
fi

ORACLE="$ORACLE_DIR/tflite_ref.mjs"
SEEDS="1 2 3"

# bytes_diff A B: "K of N bytes differ, first at byte I: expected E, got G"
bytes_diff() {
    local n k pos a b
    n=$(stat -c %s "$1")
    if [ "$n" != "$(stat -c %s "$2")" ]; then
        echo "sizes differ: expected $n bytes, got $(stat -c %s "$2")"
        return
    fi
    k=$(cmp -l "$1" "$2" | wc -l)
    read -r pos a b < <(cmp -l "$1" "$2" | head -1)
    echo "$k of $n bytes differ, first at byte $((pos - 1)): expected 0x$(printf %02x $((8#$a))), got 0x$(printf %02x $((8#$b)))"
}

# check_model NAME EXPECT N_INPUTS FLAGS: writes "PASS|FAIL <text>" lines to
# $tmp/res/NAME.
check_model() {
    local name=$1 expect=$2 nin=$3 flags=$4
    local m="$models/$name.tflite" w="$tmp/work/$name" out="$tmp/res/$name"
    mkdir -p "$w"
    : > "$out"
    if [ "${expect%%:*}" = refuse ]; then
        local op=${expect#refuse:} rc
        head -c 64 /dev/zero > "$w/in.bin"
        "$SELLER" infer --model "$m" --input "$w/in.bin" --output "$w/out.bin" > "$w/log" 2>&1
        rc=$?
        if [ $rc -ne 1 ]; then
            echo "FAIL $name: seller infer exited $rc, expected 1 (refusal): $(tail -1 "$w/log")" >> "$out"
        elif ! grep -q -- "$op" "$w/log"; then
            echo "FAIL $name: refusal message does not name $op: $(tail -1 "$w/log")" >> "$out"
        else
            echo "PASS $name: refused: $(tail -1 "$w/log" | cut -c1-160)" >> "$out"
        fi
        return
    fi
    local seed k ins args
    for seed in $SEEDS; do
        ins=""; args=()
        for ((k = 0; k < nin; k++)); do
            if ! "$SELLER" make-input --model "$m" --rule "random:$((seed + 100 * k))" \
                    --input-index $k --out "$w/in$seed.$k.bin" > "$w/log" 2>&1; then
                echo "FAIL $name random:$seed: make-input: $(tail -1 "$w/log")" >> "$out"
                continue 2
            fi
            ins="$ins${ins:+,}$w/in$seed.$k.bin"
            args+=(--input "$w/in$seed.$k.bin")
        done
        local dump=0 d1="$w/oracle_dump$seed" d2="$w/seller_dump$seed"
        [ "$flags" = dump ] && [ "$seed" = 1 ] && dump=1
        local oargs=() sargs=()
        [ $dump = 1 ] && oargs=(--dump-all "$d1") && sargs=(--dump-dir "$d2")
        if ! node "$ORACLE" "$m" "$ins" "$w/oracle$seed.bin" --quiet "${oargs[@]}" > "$w/olog" 2>&1; then
            echo "FAIL $name random:$seed: the oracle failed: $(grep -v '^input\|^output' "$w/olog" | tail -2 | tr '\n' ' ')" >> "$out"
            continue
        fi
        if ! "$SELLER" infer --model "$m" "${args[@]}" --output "$w/seller$seed.bin" \
                "${sargs[@]}" > "$w/log" 2>&1; then
            echo "FAIL $name random:$seed: seller infer failed: $(tail -1 "$w/log")" >> "$out"
            continue
        fi
        if cmp -s "$w/oracle$seed.bin" "$w/seller$seed.bin"; then
            echo "PASS $name random:$seed" >> "$out"
        else
            echo "FAIL $name random:$seed: output $(bytes_diff "$w/oracle$seed.bin" "$w/seller$seed.bin")" >> "$out"
        fi
        if [ $dump = 1 ]; then
            local f b n=0 nbad=0 first=""
            for f in "$d1"/t*.bin; do
                b=$(basename "$f"); n=$((n + 1))
                if [ ! -f "$d2/$b" ]; then
                    nbad=$((nbad + 1)); [ -z "$first" ] && first="$b: missing from seller's dump"
                elif ! cmp -s "$f" "$d2/$b"; then
                    nbad=$((nbad + 1)); [ -z "$first" ] && first="$b: $(bytes_diff "$f" "$d2/$b")"
                fi
            done
            if [ $n -eq 0 ]; then
                echo "FAIL $name random:$seed: the oracle dumped no intermediate tensors" >> "$out"
            elif [ $nbad -eq 0 ]; then
                echo "PASS $name random:$seed: all $n intermediate tensors identical" >> "$out"
            else
                echo "FAIL $name random:$seed: $nbad of $n intermediate tensors differ ($first)" >> "$out"
            fi
        fi
    done
}

mkdir -p "$tmp/res" "$tmp/work"
jobs_max=${JOBS:-$(nproc 2>/dev/null || echo 4)}
names=()
while IFS=$'\t' read -r name expect nin flags; do
    [ -z "$name" ] && continue
    if [ -n "${OPS_FILTER:-}" ] && ! [[ $name =~ $OPS_FILTER ]]; then continue; fi
    names+=("$name")
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
    check_model "$name" "$expect" "$nin" "$flags" &
done < "$models/models.tsv"
wait

# ---- report, in the order of models.tsv
pass=0; fail=0
declare -A fam_pass fam_fail
families=()
for name in "${names[@]}"; do
    fam=${name%%_*}
    if [ -z "${fam_pass[$fam]+x}" ]; then fam_pass[$fam]=0; fam_fail[$fam]=0; families+=("$fam"); fi
    if [ ! -s "$tmp/res/$name" ]; then
        echo "FAIL: $name: no result"
        fail=$((fail + 1)); fam_fail[$fam]=$((fam_fail[$fam] + 1))
        continue
    fi
    while read -r status text; do
        if [ "$status" = PASS ]; then
            pass=$((pass + 1)); fam_pass[$fam]=$((fam_pass[$fam] + 1))
            [ "${OPS_VERBOSE:-}" = 1 ] && echo "ok: $text"
        else
            fail=$((fail + 1)); fam_fail[$fam]=$((fam_fail[$fam] + 1))
            echo "FAIL: $text"
        fi
    done < "$tmp/res/$name"
done
printf 'ops: %-12s %7s %7s\n' family passed failed
for fam in "${families[@]}"; do
    printf 'ops: %-12s %7d %7d\n' "$fam" "${fam_pass[$fam]}" "${fam_fail[$fam]}"
done
echo "ops: $pass passed, $fail failed"
[ $fail -eq 0 ]
