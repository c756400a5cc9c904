#!/usr/bin/env bash
# tests/run_unit.sh - run cmocka suite binaries and summarise.
#
# Usage: tests/run_unit.sh BIN...
# Runs each binary with cmocka's messages on stdout, prints one PASS/FAIL line
# per suite, and ends with exactly "unit: N passed, M failed" (counting
# suites).  Exits non-zero if any suite failed, or if no suite was given (an
# empty list usually means a broken Makefile glob, which must not look green).
set -u

export CMOCKA_MESSAGE_OUTPUT=stdout

passed=0
failed=0
failed_names=()

if [ "$#" -eq 0 ]; then
    echo "run_unit.sh: no test binaries given" >&2
    echo "unit: 0 passed, 0 failed"
    exit 2
fi

for bin in "$@"; do
    name=$(basename -- "$bin")
    if [ ! -x "$bin" ]; then
        echo "FAIL  $name (not an executable file: $bin)"
        failed=$((failed + 1))
        failed_names+=("$name")
        continue
    fi
    echo "== $name"
    "$bin"
    rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "PASS  $name"
        passed=$((passed + 1))
    else
        # 128+N is how the shell reports death by signal N (e.g. an abort
        # from a sanitizer or an assert).
        if [ "$rc" -gt 128 ]; then
            echo "FAIL  $name (killed by signal $((rc - 128)))"
        else
            echo "FAIL  $name (exit status $rc)"
        fi
        failed=$((failed + 1))
        failed_names+=("$name")
    fi
done

if [ "$failed" -gt 0 ]; then
    echo "failed suites: ${failed_names[*]}"
fi
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
