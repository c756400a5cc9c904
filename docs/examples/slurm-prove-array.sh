#!/bin/bash
# docs/examples/slurm-prove-array.sh - a Slurm job array proves an audit
# request in N shards without MPI, then one dependent job merges the shards
# (docs/scale-out.md).
#   jid=$(sbatch --parsable docs/examples/slurm-prove-array.sh)
#   sbatch --dependency=afterok:$jid --wrap \
#       'bin/seller merge --out $HOME/audit/bundle $HOME/audit/shards/shard-*.bundle'
# A shard that failed is simply resubmitted (sbatch --array=K ...): it proves
# only its missing batches; `seller merge` can be run again at any time and
# reports the batches still missing.
#SBATCH --job-name=zkaudit-shard
#SBATCH --array=0-99               # N = 100 shards
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G                   # MobileNet v2: ~4.9 GB per proof + the request
#SBATCH --time=01:00:00
set -euo pipefail
AUDIT=${AUDIT:-$HOME/audit}         # request, model.tflite, model.commit (shared or staged)
K=$SLURM_ARRAY_TASK_ID
N=$SLURM_ARRAY_TASK_COUNT
mkdir -p "$AUDIT/shards"
# SQLite's WAL needs a local disk: prove into node-local scratch, resume from
# the shard's earlier bundle if there is one, then copy the finished file.
LOCAL=${TMPDIR:-/tmp}/shard-$K.bundle
[ -f "$AUDIT/shards/shard-$K.bundle" ] && cp "$AUDIT/shards/shard-$K.bundle" "$LOCAL"
bin/seller prove-batch --request "$AUDIT/request" --offer "$AUDIT/offer.json" --join "$AUDIT/join.json" --model "$AUDIT/model.tflite" \
    --commit "$AUDIT/model.commit" --out "$LOCAL" --batch-size 1 --shard "$K/$N"
cp "$LOCAL" "$AUDIT/shards/shard-$K.bundle.tmp"
mv "$AUDIT/shards/shard-$K.bundle.tmp" "$AUDIT/shards/shard-$K.bundle"
