#!/usr/bin/env bash
# bench/bench_scale.sh - the speed-up of `mpirun -np 2 seller prove-batch`
# over one rank on this machine, for the same request (the same total work):
# keras-mnist, SCALE_SAMPLES (default 128) MNIST test images in batches of 8.
# Prints one JSON object per configuration, then a summary object:
#   1 process      plain `seller prove-batch`, all cores as prover threads
#   mpirun -np 1   one rank, all cores as prover threads (--bind-to none:
#                  else OpenMPI binds the rank to one core)
#   mpirun -np 2   two ranks, each bound to a core with one prover thread
#                  (the defaults)
# wall_s is the whole command (launch included), best of SCALE_REPEATS (5);
# the load average before and after is recorded (the machine may be shared).
# Called by bench/run.sh (BENCH_ONLY=scale), which records it in
# bench/results/scale.json.  Needs bin/seller and bin/buyer built with MPI.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${ZKAUDIT_SHARED:-../shared}
N=${SCALE_SAMPLES:-128}
REPEATS=${SCALE_REPEATS:-5}
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

# once NAME LAUNCHER...: prove the request into a fresh bundle; keeps the best
# wall time in $tmp/NAME.wall and the last log in $tmp/NAME.log
once() {
    local name=$1; shift
    local t0 t1 w
    rm -f "$tmp"/bundle*
    t0=$(date +%s.%N)
    "$@" bin/seller prove-batch --request "$tmp/req" --offer "$tmp/offer.json" \
        --join "$tmp/join.json" --model "$M" --commit "$tmp/m.commit" \
        --out "$tmp/bundle" --batch-size 8 > "$tmp/$name.log" 2>&1
    t1=$(date +%s.%N)
    grep -q "(complete)" "$tmp/$name.log" ||
        { echo "bench_scale: $name failed: $(cat "$tmp/$name.log")" >&2; exit 1; }
    w=$(echo "$t1 - $t0" | bc -l)
    if [ ! -f "$tmp/$name.wall" ] || [ "$(echo "$w < $(cat "$tmp/$name.wall")" | bc -l)" = 1 ]; then
        echo "$w" > "$tmp/$name.wall"
    fi
}
# report NAME LABEL RANKS: the JSON line of one configuration
report() {
    local name=$1 label=$2 ranks=$3 best threads cpu
    best=$(cat "$tmp/$name.wall")
    threads=$(sed -n 's/.* x \([0-9]*\) thread.*/\1/p' "$tmp/$name.log")
    [ -n "$threads" ] || threads=$(nproc)
    cpu=$(sed -n 's/.*, \([0-9.]*\) CPU-s per sample.*/\1/p' "$tmp/$name.log")
    printf '{"config":"%s","ranks":%d,"threads_per_rank":%d,"samples":%d,"batch":8,"wall_s":%.3f,"prove_cpu_s_per_sample":%s,"proofs_per_hour":%.0f}\n' \
        "$label" "$ranks" "$threads" "$N" "$best" "$cpu" "$(echo "$N * 3600 / $best" | bc -l)"
}

# the configurations take turns, so that other load on the machine falls on
# all of them alike
load0=$(cut -d' ' -f1 /proc/loadavg)
for r in $(seq 1 "$REPEATS"); do
    once p1 env
    once m1 mpirun --oversubscribe --bind-to none -np 1
    once m2 mpirun --oversubscribe -np 2
done
load1=$(cut -d' ' -f1 /proc/loadavg)
report p1 "1 process" 1
report m1 "mpirun --bind-to none -np 1" 1
report m2 "mpirun -np 2" 2
w1=$(cat "$tmp/p1.wall")
wm1=$(cat "$tmp/m1.wall")
wm2=$(cat "$tmp/m2.wall")
printf '{"summary":"2 ranks over 1","model":"keras-mnist mnist.tflite","samples":%d,"batch":8,"cores":%d,"repeats":%d,"loadavg_before":%s,"loadavg_after":%s,"speedup_2_ranks_over_1_process":%.3f,"speedup_2_ranks_over_1_rank":%.3f,"proofs_per_hour_2_ranks":%.0f,"proofs_per_hour_1_process":%.0f}\n' \
    "$N" "$(nproc)" "$REPEATS" "$load0" "$load1" "$(echo "$w1 / $wm2" | bc -l)" \
    "$(echo "$wm1 / $wm2" | bc -l)" "$(echo "$N * 3600 / $wm2" | bc -l)" "$(echo "$N * 3600 / $w1" | bc -l)"
