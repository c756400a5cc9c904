#!/usr/bin/env bash
# tests/e2e/plan.sh - `buyer plan` end to end through the sanitizer-built
# tool: the reference sample sizes in plain and --json output, the
# recommendation, the cost arithmetic, --help, and every bad argument
# (exit 2 with a message naming the option).
# usage: tests/e2e/plan.sh [BIN_DIR]   (default build/test/bin; prints
# "plan: N passed, M failed" and exits non-zero on failures)
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-build/test/bin}
B=$BIN/buyer
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "plan: FAIL: $*" >&2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$B" ]; then
    bad "$B is not an executable"
    echo "plan: $pass passed, $fail failed"
    exit 1
fi

# samples METHOD FILE: the samples column of METHOD's row in plain output
samples() { awk -v m="$1" '$1 == m { print $3 }' "$2"; }

# plain output at +-5% / 95%, N = 10000
if "$B" plan --margin 0.05 --confidence 0.95 --test-set-size 10000 > "$tmp/p5" 2> "$tmp/e5"; then
    for want in hoeffding-one-sided:600 hoeffding-two-sided:738 clopper-pearson:404 hypergeometric:389; do
        m=${want%%:*} n=${want##*:}
        got=$(samples "$m" "$tmp/p5")
        [ "$got" = "$n" ] && ok || bad "+-5%: $m needs '$got' samples, want $n"
    done
    grep -q '^recommended: hypergeometric, 389 samples' "$tmp/p5" && ok || bad "+-5%: recommendation"
    grep -q "paper's one-sided Hoeffding (600 samples): 211 fewer" "$tmp/p5" && ok || bad "+-5%: saving line"
else
    bad "plan --margin 0.05 --test-set-size 10000 failed: $(cat "$tmp/e5")"
fi

# plain output at +-1% / 95%, without N: Clopper-Pearson recommended
if "$B" plan --margin 0.01 --confidence 0.95 > "$tmp/p1" 2> "$tmp/e1"; then
    for want in hoeffding-one-sided:14979 hoeffding-two-sided:18445 clopper-pearson:9704; do
        m=${want%%:*} n=${want##*:}
        got=$(samples "$m" "$tmp/p1")
        [ "$got" = "$n" ] && ok || bad "+-1%: $m needs '$got' samples, want $n"
    done
    grep -q '^recommended: clopper-pearson, 9704 samples' "$tmp/p1" && ok || bad "+-1%: recommendation"
    grep -q '^clopper-pearson' "$tmp/p1" && ! grep -q '^hypergeometric' "$tmp/p1" && ok ||
        bad "+-1%: hypergeometric shown without N"
else
    bad "plan --margin 0.01 failed: $(cat "$tmp/e1")"
fi

# --json at +-1%, N = 10000, with a given cost model: parsed with python3
if "$B" plan --margin 0.01 --test-set-size 10000 --seconds-per-proof 2 --verify-seconds 0.5 \
    --price-per-cpu-hour 0.1 --json > "$tmp/j1" 2> "$tmp/ej"; then
    if python3 - "$tmp/j1" << 'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = {r["method"]: r for r in d["methods"]}
assert d["recommended"] == "hypergeometric" and d["recommended_samples"] == 4949, d["recommended"]
assert m["hoeffding-one-sided"]["samples"] == 14979 and d["paper_samples"] == 14979
assert m["clopper-pearson"]["samples"] == 9704
assert d["saved_samples"] == 14979 - 4949
h = m["hypergeometric"]
assert abs(h["cost_usd"] - 4949 * 2.5 / 3600 * 0.1) < 1e-9, h["cost_usd"]
assert h["achieved_margin"] <= 0.01 and h["guaranteed"] and not m["wilson"]["guaranteed"]
assert d["test_set_size"] == 10000 and d["expected_accuracy"] is None
assert "4949 samples x (2 prover CPU-s + 0.5 verify s)" in h["how"], h["how"]
PY
    then ok; else bad "--json: content"; fi
else
    bad "plan --json failed: $(cat "$tmp/ej")"
fi

# an expected accuracy needs fewer samples than the worst case
n90=$("$B" plan --margin 0.05 --expected-accuracy 0.9 | awk '$1 == "clopper-pearson" { print $3 }')
[ -n "$n90" ] && [ "$n90" -lt 404 ] && ok || bad "--expected-accuracy 0.9: CP needs '$n90'"

# --help exits 0 and documents every option
if "$B" plan --help > "$tmp/help"; then
    missing=""
    for o in --margin --confidence --test-set-size --expected-accuracy --seconds-per-proof \
        --verify-seconds --price-per-cpu-hour --json; do
        grep -q -- "$o" "$tmp/help" || missing="$missing $o"
    done
    [ -z "$missing" ] && ok || bad "--help does not mention$missing"
else
    bad "--help exit status"
fi

# bad arguments: exit 2 and a message containing the expected words
refuse() {
    local want=$1; shift
    "$B" plan "$@" > /dev/null 2> "$tmp/err"
    local rc=$?
    if [ "$rc" -ne 2 ]; then bad "plan $*: exit $rc, want 2"; return; fi
    grep -q -- "$want" "$tmp/err" && ok || bad "plan $*: message '$(head -1 "$tmp/err")' lacks '$want'"
}
refuse "--margin 0 must be strictly between 0 and 0.5" --margin 0
refuse "--margin -0.1 must be" --margin -0.1
refuse "--margin 0.5 must be strictly between 0 and 0.5" --margin 0.5
refuse "--margin 0.7 must be" --margin 0.7
refuse "--confidence 1 must be strictly between 0 and 1" --margin 0.05 --confidence 1
refuse "--confidence 0 must be" --margin 0.05 --confidence 0
refuse "--confidence 95 must be" --margin 0.05 --confidence 95
refuse "--margin 'abc' is not a number" --margin abc
refuse "--confidence '0.9x' is not a number" --margin 0.05 --confidence 0.9x
refuse "--test-set-size 'ten' is not a whole number" --margin 0.05 --test-set-size ten
refuse "--test-set-size '0' is not a whole number of items >= 1" --margin 0.05 --test-set-size 0
refuse "--test-set-size '-5'" --margin 0.05 --test-set-size -5
refuse "too small for +-0.01" --margin 0.01 --test-set-size 50
refuse "--expected-accuracy 1.5 must be between 0 and 1" --margin 0.05 --expected-accuracy 1.5
refuse "--price-per-cpu-hour -1 must be >= 0" --margin 0.05 --price-per-cpu-hour -1
refuse "--seconds-per-proof 'fast' is not a number" --margin 0.05 --seconds-per-proof fast
refuse "--margin is required" --confidence 0.95
refuse "unexpected argument 'extra'" --margin 0.05 extra
refuse "usage: buyer plan" --margin 0.05 --no-such-option

echo "plan: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
