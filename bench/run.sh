#!/usr/bin/env bash
# bench/run.sh - make bench: every benchmark, results as JSON in bench/results/.
#   inference.json  plain inference time and peak memory of every shared model
#                   (one process per model, one thread): the baseline that
#                   proving time is compared with;
#   zk-*.json       the proof-system building blocks (bench/bench_*.c);
#   dataset.json    importing the 60,000-image Fashion-MNIST training set into
#                   the dataset index (time, peak RSS), its commitment, verify
#                   and an inclusion proof (bench/bench_dataset.c);
#   prove.json      proving and verifying every shared model (batch 1), and
#                   the MNIST model at batches 8 and 64 (bench/bench_prove.c);
#   blind.json      blinded proofs against plain ones (docs/zero-knowledge.md):
#                   keras-mnist, ResNet-8, person_detect and MobileNet v2, plain,
#                   blinded (public commitment) and private (zero-knowledge, a
#                   commitment for 16 and for 64 proofs; MobileNet 64 only) one
#                   after the other for each model;
#   model_prover.json  keras-mnist proofs with the weights committed once per
#                   run (as prove-batch does) against once per proof;
#   scale.json      the speed-up of `mpirun -np 2 seller prove-batch` over one
#                   rank for the same request, and proofs per hour
#                   (bench/bench_scale.sh; needs a seller built with MPI).
# Each file records the command that produced it, the date, the CPU and the
# commit.  The machine is shared: compare ratios measured in one run.
# BENCH_ONLY=name (e.g. BENCH_ONLY=pcs, BENCH_ONLY=pcs-hiding) runs one group.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${ZKAUDIT_SHARED:-../shared}
mkdir -p bench/results
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

# record OUT LABEL CMD... : run CMD (JSON objects, one per line) into OUT
record() {
    local out=$1 label=$2; shift 2
    local tmp; tmp=$(mktemp)
    echo "bench: $label: $*" >&2
    "$@" > "$tmp"
    {
        printf '{\n "command": "make bench (%s)",\n' "$*"
        printf ' "date": "%s",\n "host_cpu": "%s",\n "cores": %s,\n' "$(date -u +%FT%TZ)" "$cpu" "$(nproc)"
        printf ' "load_average": "%s",\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
        printf ' "git_commit": "%s",\n "results": [\n' "$commit"
        grep '^{' "$tmp" | sed '$!s/$/,/' | sed 's/^/  /'
        printf ' ]\n}\n'
    } > "$out"
    rm -f "$tmp"
    echo "bench: wrote $out" >&2
}

infer_all() {
    for m in $(cd "$SHARED/models" && ls */*.tflite | sort); do
        build/rel/bin/bench_infer "$SHARED/models/$m"
    done
}

prove_all() {
    for m in $(cd "$SHARED/models" && ls */*.tflite | sort); do
        build/rel/bin/bench_prove "$SHARED/models/$m" 1 3
    done
    for b in 8 64; do
        build/rel/bin/bench_prove "$SHARED/models/keras-mnist-to-tpu/mnist.tflite" $b 1
    done
}

blind_all() {
    for spec in keras-mnist-to-tpu/mnist:5 mlcommons-tiny/pretrainedResnet_quant:3 \
        tflite-micro/person_detect:3 tflite-micro/mobilenet_v2_quantized_1x3x224x224:1; do
        m=${spec%:*} reps=${spec#*:}
        build/rel/bin/bench_prove "$SHARED/models/$m.tflite" 1 "$reps"
        build/rel/bin/bench_prove "$SHARED/models/$m.tflite" 1 "$reps" blinded
        case $m in *mobilenet*) budgets=64 ;; *) budgets="16 64" ;; esac
        for B in $budgets; do
            build/rel/bin/bench_prove "$SHARED/models/$m.tflite" 1 "$reps" private:$B
        done
    done
}

# the weights committed once per run (zp_model_prover_new, as prove-batch
# does) against once per proof, keras-mnist plain and private (16, 64)
model_prover_all() {
    local m=$SHARED/models/keras-mnist-to-tpu/mnist.tflite
    for mode in "" private:16 private:64; do
        for c in 0 1; do
            BENCH_MODEL_PROVER=$c build/rel/bin/bench_prove "$m" 1 5 $mode
        done
    done
}

want() { [ -z "${BENCH_ONLY:-}" ] || [ "$BENCH_ONLY" = "$1" ]; }

if want infer; then
    if [ -d "$SHARED/models" ]; then
        record bench/results/inference.json inference infer_all
    else
        echo "bench: inference skipped: $SHARED/models not found"
    fi
fi
for b in ntt merkle pcs sumcheck logup; do
    if want "$b" && [ -x "build/rel/bin/bench_$b" ]; then
        record "bench/results/zk-$b.json" "$b" "build/rel/bin/bench_$b"
    fi
done
# hiding commitments against plain ones, measured in the same run
if want pcs-hiding && [ -x build/rel/bin/bench_pcs ]; then
    record bench/results/zk-pcs-hiding.json pcs-hiding build/rel/bin/bench_pcs hiding
fi
FASHION=/usr/share/datasets/fashion-mnist
if want dataset && [ -x build/rel/bin/bench_dataset ]; then
    if [ -f "$FASHION/train-images-idx3-ubyte.gz" ]; then
        record bench/results/dataset.json dataset build/rel/bin/bench_dataset \
            "$FASHION/train-images-idx3-ubyte.gz" "$FASHION/train-labels-idx1-ubyte.gz"
    else
        echo "bench: dataset skipped: $FASHION not found (Debian package dataset-fashion-mnist)"
    fi
fi
if want prove; then
    if [ -d "$SHARED/models" ]; then
        record bench/results/prove.json prove prove_all
    else
        echo "bench: prove skipped: $SHARED/models not found"
    fi
fi
if want blind; then
    if [ -d "$SHARED/models" ]; then
        record bench/results/blind.json blind blind_all
    else
        echo "bench: blind skipped: $SHARED/models not found"
    fi
fi
if want model_prover; then
    if [ -d "$SHARED/models" ]; then
        record bench/results/model_prover.json model_prover model_prover_all
    else
        echo "bench: model_prover skipped: $SHARED/models not found"
    fi
fi
if want scale; then
    if [ -d "$SHARED/models" ] && command -v mpirun > /dev/null; then
        record bench/results/scale.json scale bench/bench_scale.sh
    else
        echo "bench: scale skipped: $SHARED/models or mpirun not found"
    fi
fi
