#!/usr/bin/env bash
# bench/run.sh - make bench: plain inference time and peak memory of every
# model in ../shared/models, one process per model, one thread.  Writes
# bench/results/inference.json (with the command, machine and date) and
# prints a table.  This is the baseline that proving time is compared with.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${ZKAUDIT_SHARED:-../shared}
BIN=build/rel/bin/bench_infer
OUT=bench/results/inference.json
if [ ! -d "$SHARED/models" ]; then echo "bench: skipped: $SHARED/models not found"; exit 0; fi
mkdir -p bench/results
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
for m in $(cd "$SHARED/models" && ls */*.tflite | sort); do
    "$BIN" "$SHARED/models/$m" >> "$tmp"
done
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
{
    printf '{\n "command": "make bench (bench/run.sh -> %s MODEL)",\n' "$BIN"
    printf ' "date": "%s",\n "host_cpu": "%s",\n "cores": %s,\n' "$(date -u +%FT%TZ)" "$cpu" "$(nproc)"
    printf ' "git_commit": "%s",\n "results": [\n' "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    sed '$!s/$/,/' "$tmp" | sed 's/^/  /'
    printf ' ]\n}\n'
} > "$OUT"
python3 - "$OUT" <<'PY' 2>/dev/null || cat "$OUT"
import json, sys
d = json.load(open(sys.argv[1]))
print(f"{'model':48} {'median ms':>10} {'GMAC/s':>8} {'peak RSS MiB':>13}")
for r in d["results"]:
    print(f"{r['model']:48} {r['median_s']*1e3:10.3f} {r['gmacs_per_s']:8.2f} {r['peak_rss_kib']/1024:13.1f}")
PY
echo "bench: wrote $OUT"
