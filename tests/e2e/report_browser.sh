#!/usr/bin/env bash
# tests/e2e/report_browser.sh - the HTML report in a real browser: the unit
# suite test_report writes a synthetic audit's report (ZKAUDIT_REPORT_DIR),
# headless Chromium (Debian's chromium) takes a screenshot and dumps the
# DOM, and the checks look for the accuracy (computed from report.json),
# the seven interval rows, the three charts as <svg> elements, the rejected
# samples and the hostile label kept as text.
# usage: tests/e2e/report_browser.sh [BIN_DIR]   (default build/test/bin;
# prints "report-browser: N passed, M failed", exits non-zero on failures).
# Without chromium it skips with a message, unless ZKAUDIT_REQUIRE_CHROMIUM=1
# (.ci/run sets it), which makes a missing browser a failure.
# KEEP=DIR keeps the report and screenshot in DIR.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-build/test/bin}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "report-browser: FAIL: $*" >&2; }
finish() { echo "report-browser: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ]; then
    if [ "${ZKAUDIT_REQUIRE_CHROMIUM:-0}" = 1 ]; then
        bad "chromium not found (apt-get install chromium)"
        finish
    fi
    echo "report-browser: skipped: chromium not installed (apt-get install chromium)"
    finish
fi
if [ ! -x "$BIN/test_report" ]; then
    bad "$BIN/test_report is not an executable (make $BIN/test_report)"
    finish
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/report
if ZKAUDIT_REPORT_DIR=$out "$BIN/test_report" > "$tmp/unit.log" 2>&1 && [ -s "$out/report.html" ]; then
    ok
else
    bad "test_report did not write $out/report.html: $(tail -5 "$tmp/unit.log")"
    finish
fi

# chromium: headless, no network, no profile left behind
browse() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d "$tmp/profile.XXXXXX")" "$@" "file://$out/report.html"
}

# the screenshot: a PNG of the window's size, not a blank page
png=$tmp/report.png
browse --screenshot="$png" --window-size=1200,2000 > "$tmp/shot.log" 2>&1
if [ -s "$png" ] && [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
    ok
    # IHDR width and height, big-endian at bytes 16..23
    wh=$(od -An -tu1 -j16 -N8 "$png" | awk '{ print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8 }')
    [ "$wh" = 1200x2000 ] && ok || bad "screenshot is $wh, want 1200x2000"
    # a blank or error page compresses to a few KB; the report is far richer
    size=$(wc -c < "$png")
    [ "$size" -gt 60000 ] && ok || bad "screenshot is only $size bytes (blank page?)"
else
    bad "no PNG screenshot: $(tail -3 "$tmp/shot.log")"
fi

# the DOM as Chromium parsed it
dom=$tmp/dom.html
browse --dump-dom > "$dom" 2> "$tmp/dom.log"
if [ ! -s "$dom" ]; then
    bad "no DOM dumped: $(tail -3 "$tmp/dom.log")"
    finish
fi
ok

# the accuracy figure, from report.json's accuracy.correct / accuracy.n
json=$out/report.json
acc_block=$(sed -n '/^  "accuracy": {/,/^  }/p' "$json")
correct=$(printf '%s\n' "$acc_block" | sed -n 's/^    "correct": \([0-9]*\),$/\1/p')
n=$(printf '%s\n' "$acc_block" | sed -n 's/^    "n": \([0-9]*\),$/\1/p')
if [ -n "$correct" ] && [ -n "$n" ] && [ "$n" -gt 0 ]; then
    pct=$(awk -v x="$correct" -v n="$n" 'BEGIN { printf "%.2f%%", 100 * x / n }')
    grep -q "id=\"accuracy\">$pct<" "$dom" && ok || bad "DOM lacks the accuracy $pct"
    grep -q "<b>$correct</b> of <b>$n</b> samples correct" "$dom" && ok || bad "DOM lacks '$correct of $n'"
else
    bad "report.json: no accuracy.correct / accuracy.n"
fi

# the interval table: one row per method, one recommended
for m in clopper-pearson hypergeometric wilson jeffreys exact-lower hoeffding-one-sided hoeffding-two-sided; do
    grep -q "<tr class=\"interval-row[a-z ]*\" data-method=\"$m\">" "$dom" && ok || bad "no interval row for $m"
done
rows=$(grep -o 'class="interval-row' "$dom" | wc -l)
[ "$rows" -eq 7 ] && ok || bad "$rows interval rows, want 7"
grep -q '<tr class="interval-row recommended" data-method="hypergeometric">' "$dom" && ok ||
    bad "the hypergeometric row is not the recommended one"

# the three charts, each an <svg> element with content
for id in chart-intervals chart-classes chart-confusion; do
    grep -q "<svg id=\"$id\"" "$dom" && ok || bad "no <svg id=\"$id\">"
done
[ "$(grep -o '<g class="interval' "$dom" | wc -l)" -eq 7 ] && ok || bad "chart-intervals: not 7 bars"
[ "$(grep -o '<g class="class-bar"' "$dom" | wc -l)" -eq 10 ] && ok || bad "chart-classes: not 10 bars"
[ "$(grep -o '<g class="cell">' "$dom" | wc -l)" -eq 110 ] && ok || bad "chart-confusion: not 10 x 11 cells"

# the rejected samples, and the hostile label as text, not as a script
[ "$(grep -o 'class="rejected-row"' "$dom" | wc -l)" -eq 5 ] && ok || bad "not 5 rejected rows"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;&amp;"' "$dom" && ok || bad "hostile label not shown as text"
grep -qi '<script' "$dom" && bad "a <script> element in the DOM" || ok

if [ -n "${KEEP:-}" ]; then
    mkdir -p "$KEEP" && cp "$out"/report.* "$png" "$dom" "$KEEP"/ && echo "report-browser: kept in $KEEP"
fi
finish
