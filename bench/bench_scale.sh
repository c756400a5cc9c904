#!/usr/bin/env bash
# bench/bench_scale.sh - the speed-up of `mpirun -np 2 seller prove-batch`
# over one rank on this machine, for the same request (the same total work):
# keras-mnist, SCALE_SAMPLES (default 128) MNIST test images in batches of 8.
# Prints one JSON object per configuration, then a summary object:
#   1 process      plain `seller prove-batch`, all cores as prover threads
#   mpirun -np 1   one rank, all cores as prover threads
#   mpirun -np 2   two ranks, the cores split between them (the default)
# wall_s is the whole command (launch included), best of SCALE_REPEATS (2).
# Called by bench/run.sh (BENCH_ONLY=scale), which records it in
# bench/results/scale.json.  Needs bin/seller and bin/buyer built with MPI.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${ZKAUDIT_SHARED:-../shared}
N=${SCALE_SAMPLES:-128}
REPEATS=${SCALE_REPEATS:-2}
M=$SHARED/models/keras-mnist-to-tpu/mnist.tflite
D=$SHARED/datasets/mnist
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bin/buyer dataset import --db "$tmp/ds.db" --name mnist --idx-images "$D/t10k-images-idx3-ubyte.gz" \
    --idx-labels "$D/t10k-labels-idx1-ubyte.gz" --prep "v1;identity" > /dev/null 2>&1
bin/seller commit-model --model "$M" --out "$tmp/m.commit" > /dev/null
bin/buyer sample init --db "$tmp/ds.db" --name mnist --commit "$tmp/m.commit" --out "$tmp/offer.json" \
    --secret "$tmp/secret.json" --max-samples "$N" > /dev/null
bin/seller sample join --offer "$tmp/offer.json" --commit "$tmp/m.commit" --out "$tmp/join.json" > /dev/null
bin/buyer sample draw --db "$tmp/ds.db" --offer "$tmp/offer.json" --secret "$tmp/secret.json" \
    --join "$tmp/join.json" --out "$tmp/req" > /dev/null

# run NAME RANKS LAUNCHER...: best wall time of REPEATS fresh bundles
run() {
    local name=$1 ranks=$2; shift 2
    local best="" t0 t1 w log
    for r in $(seq 1 "$REPEATS"); do
        rm -f "$tmp"/bundle*
        t0=$(date +%s.%N)
        log=$("$@" bin/seller prove-batch --request "$tmp/req" --model "$M" --commit "$tmp/m.commit" \
            --out "$tmp/bundle" --batch-size 8 2>&1)
        t1=$(date +%s.%N)
        grep -q "(complete)" <<< "$log" || { echo "bench_scale: $name failed: $log" >&2; exit 1; }
        w=$(echo "$t1 - $t0" | bc -l)
        if [ -z "$best" ] || [ "$(echo "$w < $best" | bc -l)" = 1 ]; then best=$w; fi
    done
    local threads
    threads=$(sed -n 's/.* x \([0-9]*\) thread.*/\1/p' <<< "$log")
    [ -n "$threads" ] || threads=$(nproc)
    local cpu
    cpu=$(sed -n 's/.*, \([0-9.]*\) CPU-s per sample.*/\1/p' <<< "$log")
    printf '{"config":"%s","ranks":%d,"threads_per_rank":%d,"samples":%d,"batch":8,"wall_s":%.3f,"prove_cpu_s_per_sample":%s,"proofs_per_hour":%.0f}\n' \
        "$name" "$ranks" "$threads" "$N" "$best" "$cpu" "$(echo "$N * 3600 / $best" | bc -l)"
    echo "$best" > "$tmp/wall.$(tr ' ' _ <<< "$name")"
}

run "1 process" 1 env
run "mpirun -np 1" 1 mpirun --oversubscribe -np 1
run "mpirun -np 2" 2 mpirun --oversubscribe -np 2
w1=$(cat "$tmp/wall.1_process")
wm1=$(cat "$tmp/wall.mpirun_-np_1")
wm2=$(cat "$tmp/wall.mpirun_-np_2")
printf '{"summary":"2 ranks over 1","model":"keras-mnist mnist.tflite","samples":%d,"batch":8,"cores":%d,"speedup_2_ranks_over_1_process":%.3f,"speedup_2_ranks_over_1_rank":%.3f,"proofs_per_hour_2_ranks":%.0f,"proofs_per_hour_1_process":%.0f}\n' \
    "$N" "$(nproc)" "$(echo "$w1 / $wm2" | bc -l)" "$(echo "$wm1 / $wm2" | bc -l)" \
    "$(echo "$N * 3600 / $wm2" | bc -l)" "$(echo "$N * 3600 / $w1" | bc -l)"
