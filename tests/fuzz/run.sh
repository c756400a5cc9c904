#!/usr/bin/env bash
# tests/fuzz/run.sh - run libFuzzer targets for a fixed time each.
#
# Usage: tests/fuzz/run.sh SECONDS BIN...
#
# For a target build/fuzz/fuzz_NAME the corpus is build/fuzz/corpus-NAME.
# The tflite corpus is seeded (on every run, without overwriting) with the
# shared models (${ZKAUDIT_SHARED:-../shared}/models/**/*.tflite) when that
# directory exists, and with the single-op models tools/make_op_models.c
# writes; the importers corpus with the inputs tests/fuzz/seed_importers.c
# writes; nothing is copied into the source tree.  Crash, leak, timeout and
# OOM reproducers go to build/fuzz/artifacts-NAME/, the log to
# build/fuzz/NAME.log.  Exits non-zero if any target found a problem (or
# could not be run).
#
# Environment: FUZZ_JOBS=N runs N libFuzzer processes per target in fork
# mode (default 1: one in-process run); FUZZ_ARGS adds libFuzzer flags.
set -u

if [ "$#" -lt 2 ]; then
    echo "usage: $0 SECONDS BIN..." >&2
    exit 2
fi
secs=$1
shift
case "$secs" in
    ''|*[!0-9]*) echo "$0: SECONDS must be a whole number, got '$secs'" >&2; exit 2 ;;
esac

# binaries as absolute paths, then work from the repository root
bins=()
for bin in "$@"; do
    case "$bin" in
        /*) bins+=("$bin") ;;
        *) bins+=("$PWD/$bin") ;;
    esac
done
cd "$(dirname -- "$0")/../.." || exit 2
out=build/fuzz
mkdir -p "$out"
shared=${ZKAUDIT_SHARED:-../shared}
jobs=${FUZZ_JOBS:-1}
status=0
# make every UBSan report fatal (so libFuzzer records it) even if the target
# was built without -fno-sanitize-recover; keep the caller's other options
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"

for bin in "${bins[@]}"; do
    name=$(basename -- "$bin")
    name=${name#fuzz_}
    if [ ! -x "$bin" ]; then
        echo "fuzz: $bin is not an executable file" >&2
        status=1
        continue
    fi
    corpus=$out/corpus-$name
    artifacts=$out/artifacts-$name
    log=$out/$name.log
    mkdir -p "$corpus" "$artifacts"
    if [ "$name" = tflite ]; then
        if [ -d "$shared/models" ]; then
            n=0
            while IFS= read -r -d '' f; do
                # flatten the path into a stable, unique corpus file name
                dst=$corpus/seed-$(printf '%s' "${f#"$shared"/models/}" | tr '/' '_')
                [ -e "$dst" ] || cp -- "$f" "$dst"
                n=$((n + 1))
            done < <(find "$shared/models" -name '*.tflite' -type f -print0)
            echo "fuzz: $name: $n seed model(s) from $shared/models"
        else
            echo "fuzz: $name: $shared/models not found"
        fi
        # small single-op models (every supported op, int8 and uint8) from
        # tools/make_op_models.c: they reach kernels the shared models do not
        # (MEAN, PAD, TRANSPOSE, CONCATENATION, ...) within -max_len
        gen=$out/make_op_models
        if ${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -O1 -I. \
                tools/make_op_models.c tests/support/tflite_builder.c model/fixedpoint.c \
                -o "$gen" -lm >"$out/make_op_models.log" 2>&1 &&
            rm -rf "$out/op-models" && "$gen" "$out/op-models" >>"$out/make_op_models.log" 2>&1; then
            n=0
            for f in "$out"/op-models/*.tflite; do
                [ -e "$f" ] || continue
                dst=$corpus/seed-op-$(basename -- "$f")
                [ -e "$dst" ] || cp -- "$f" "$dst"
                n=$((n + 1))
            done
            echo "fuzz: $name: $n seed model(s) from tools/make_op_models.c"
        else
            echo "fuzz: $name: could not build or run tools/make_op_models.c (see" \
                "$out/make_op_models.log); continuing without its models"
        fi
    fi
    if [ "$name" = importers ]; then
        # small valid CIFAR/CSV/PNG/JPEG/recipe inputs from
        # tests/fuzz/seed_importers.c (rewritten each run; nothing in the tree)
        gen=$out/seed_importers
        if ${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -O1 -I. \
                tests/fuzz/seed_importers.c -o "$gen" -lpng -ljpeg >"$out/seed_importers.log" 2>&1 &&
            "$gen" "$corpus" >>"$out/seed_importers.log" 2>&1; then
            echo "fuzz: $name: $(find "$corpus" -name 'seed-*' | wc -l) seed input(s) from" \
                "tests/fuzz/seed_importers.c"
        else
            echo "fuzz: $name: could not build or run tests/fuzz/seed_importers.c (see" \
                "$out/seed_importers.log); continuing without its seeds"
        fi
    fi
    # reproducers of problems (libFuzzer's slow-unit-* files are not failures)
    count_artifacts() {
        find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
            -o -name 'oom-*' \) | wc -l
    }
    before=$(count_artifacts)
    echo "fuzz: $name: running ${bin#"$PWD"/} for ${secs}s (log: $log)"
    args=(-max_total_time="$secs" -rss_limit_mb=2048 -max_len=400000 -timeout=10
          -print_final_stats=1 -artifact_prefix="$artifacts/")
    if [ "$jobs" -gt 1 ]; then
        args+=(-fork="$jobs" -ignore_crashes=0 -ignore_timeouts=0 -ignore_ooms=0)
    fi
    # shellcheck disable=SC2086
    "$bin" "${args[@]}" ${FUZZ_ARGS:-} "$corpus" >"$log" 2>&1
    rc=$?
    after=$(count_artifacts)
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE' "$log" | tail -n 3
    if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
        echo "fuzz: $name: FAILED (exit status $rc); reproducers in $artifacts/:"
        ls -t -- "$artifacts" | head -n 20 | sed "s|^|  $artifacts/|"
        grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|invariant violated' \
            "$log" | head -n 5
        status=1
    else
        echo "fuzz: $name: no crash in ${secs}s; corpus $(find "$corpus" -type f | wc -l) files"
    fi
done
exit "$status"
