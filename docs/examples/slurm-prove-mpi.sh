#!/bin/bash
# docs/examples/slurm-prove-mpi.sh - one MPI job proves a whole audit request
# (docs/scale-out.md).  Rank 0 reads the files and writes the bundle; the
# other ranks need only bin/seller: the request, the model and the proofs
# travel over MPI, so no shared filesystem is needed.
#   sbatch docs/examples/slurm-prove-mpi.sh
# Resubmitting the same job after a failure proves only the missing batches.
#SBATCH --job-name=zkaudit-prove
#SBATCH --nodes=50
#SBATCH --ntasks-per-node=2        # 2 ranks per node, 1 prover thread each
#SBATCH --cpus-per-task=1
#SBATCH --mem=12G                  # MobileNet v2: ~4.9 GB per proof and rank; rank 0 also holds the request
#SBATCH --time=02:00:00
set -euo pipefail
AUDIT=${AUDIT:-$HOME/audit}         # on the node of rank 0 (the first node)
mpirun bin/seller prove-batch --request "$AUDIT/request" --offer "$AUDIT/offer.json" --join "$AUDIT/join.json" --model "$AUDIT/model.tflite" \
    --commit "$AUDIT/model.commit" --out "$AUDIT/bundle" --batch-size 1
# (with a Slurm built with PMIx, `srun --mpi=pmix bin/seller prove-batch ...` does the same)
