#!/usr/bin/env bash
# tests/e2e/scale.sh - scale-out proving (docs/scale-out.md) on keras-mnist
# and the real MNIST test set: one request of 40 samples in batches of 8,
#   - proven by one process: the reference bundle, every proof valid;
#   - under `mpirun --oversubscribe -np 2`: every proof valid, the same
#     verdict and prediction per sample, and (the prover is deterministic)
#     the same proof bytes batch by batch; a bundle already half proven is
#     resumed (every rank skips what is there); a wrong commitment fails on
#     every rank with the reason;
#   - as --shard K/3 in three separate processes, merged by `seller merge`:
#     the same again; merging twice copies nothing; bundles of another
#     request or another batch size are refused and the output is untouched.
# Proving uses the release seller (REL_DIR); merging and verifying use the
# sanitizer-built tools (BIN_DIR).  Without ../shared the test is skipped;
# without mpirun the MPI part is skipped with a message (a failure under
# CI=true, where `make deps` installs OpenMPI).
# usage: tests/e2e/scale.sh BIN_DIR REL_DIR   (prints "scale: N passed, M failed")
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-build/test/bin}
REL=${2:-bin}
B=$BIN/buyer
S=$BIN/seller
RS=$REL/seller
SHARED=${ZKAUDIT_SHARED:-../shared}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "scale: FAIL: $*" >&2; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
finish() { echo "scale: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

M=$SHARED/models/keras-mnist-to-tpu/mnist.tflite
D=$SHARED/datasets/mnist
if [ ! -f "$M" ] || [ ! -f "$D/t10k-images-idx3-ubyte.gz" ]; then
    echo "scale: skipped: $M or the MNIST test set under $D not found"
    finish
fi
if ! python3 -c 'import sqlite3' 2>/dev/null; then
    bad "python3 with sqlite3 is needed to compare bundles"
    finish
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
N=40

# draw a request of N samples: request FILE
# (its offer and join are kept beside it: FILE.offer.json, FILE.join.json)
# (COMMIT, default $tmp/m.commit: the model commitment the offer names)
draw() {
    local commit=${2:-$tmp/m.commit}
    "$B" sample init --db "$tmp/ds.db" --name mnist --commit "$commit" \
        --out "$1.offer.json" --secret "$1.secret.json" --max-samples $N > /dev/null &&
    "$S" sample join --offer "$1.offer.json" --commit "$commit" \
        --out "$1.join.json" > /dev/null &&
    "$B" sample draw --db "$tmp/ds.db" --offer "$1.offer.json" --secret "$1.secret.json" \
        --join "$1.join.json" --out "$1" > /dev/null
}
# prove REQUEST BUNDLE [options]: prove-batch of the test's model in batches
# of 8 by the release seller, launched by "${LAUNCH[@]}" (mpirun or nothing)
LAUNCH=()
prove() {
    local req=$1 out=$2; shift 2
    "${LAUNCH[@]}" "$RS" prove-batch --request "$req" --offer "$req.offer.json" \
        --join "$req.join.json" --model "$M" --commit "$tmp/m.commit" \
        --out "$out" --batch-size 8 "$@"
}
# verdicts BUNDLE: "index status predicted" per sample, or nothing if verify fails
verdicts() {
    "$B" verify --request "$tmp/req" --bundle "$1" --commit "$tmp/m.commit" --db "$tmp/ds.db" \
        --json --all 2> /dev/null | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert v["result"] == "valid" and v["valid"] == v["samples"]
for s in v["samples_detail"]:
    print(s["index"], s["status"], s["predicted"])' 2> /dev/null
}
# proofs BUNDLE: "batch first count sha256(proof)" per batch
proofs() { python3 - "$1" <<'EOF'
import hashlib, sqlite3, sys
for b, f, n, p in sqlite3.connect(sys.argv[1]).execute(
        "select batch, first, count, proof from batches order by batch"):
    print(b, f, n, hashlib.sha256(p).hexdigest())
EOF
}
# same_as_single WHAT BUNDLE: every proof valid, same verdicts and proof bytes
same_as_single() {
    verdicts "$2" > "$tmp/v.txt"
    check "$1: every proof valid ($(wc -l < "$tmp/v.txt") of $N)" [ "$(wc -l < "$tmp/v.txt")" -eq $N ]
    check "$1: the same verdict and prediction per sample as one process" \
        cmp -s "$tmp/v.txt" "$tmp/single.verdicts"
    check "$1: the same proof bytes, batch by batch" cmp -s <(proofs "$2") "$tmp/single.proofs"
}

"$B" dataset import --db "$tmp/ds.db" --name mnist --idx-images "$D/t10k-images-idx3-ubyte.gz" \
    --idx-labels "$D/t10k-labels-idx1-ubyte.gz" --prep "v1;identity" > "$tmp/import.log" 2>&1
check "dataset import" [ $? -eq 0 ]
# a public commitment: its proofs are deterministic, so every way of
# running the prover must give the same bytes (private ones: below)
"$RS" commit-model --public --model "$M" --out "$tmp/m.commit" > /dev/null
check "commit-model" [ -s "$tmp/m.commit" ]
draw "$tmp/req"
check "sample draw" [ -s "$tmp/req" ]

# ---- one process: the reference ----
prove "$tmp/req" "$tmp/single" > "$tmp/single.log" 2>&1
check "one process proves the request" grep -q "5 of 5 batches present (complete)" "$tmp/single.log"
verdicts "$tmp/single" > "$tmp/single.verdicts"
check "one process: every proof valid" [ "$(wc -l < "$tmp/single.verdicts")" -eq $N ]
proofs "$tmp/single" > "$tmp/single.proofs"

# ---- mpirun -np 2 ----
if command -v mpirun > /dev/null; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    # containers often forbid the cross-process reads (CMA) of OpenMPI's
    # shared-memory transport; plain copies work everywhere
    export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
    MPIRUN=(mpirun --oversubscribe -np 2)
    LAUNCH=("${MPIRUN[@]}")
    prove "$tmp/req" "$tmp/mpi" > "$tmp/mpi.log" 2>&1
    rc=$?
    if grep -q "built without MPI support" "$tmp/mpi.log"; then
        check "mpirun: $RS has no MPI support: rebuild with libopenmpi-dev installed" false
    else
        check "mpirun -np 2 proves the request (rc $rc)" [ $rc -eq 0 ]
        check "mpirun -np 2: the work went to 2 ranks" grep -q " on 2 ranks " "$tmp/mpi.log"
        check "mpirun -np 2: the bundle is complete" \
            grep -q "5 of 5 batches present (complete)" "$tmp/mpi.log"
        same_as_single "mpirun -np 2" "$tmp/mpi"
        # resume: batches 0, 2, 4 are there; the two ranks prove only 1 and 3
        LAUNCH=()
        prove "$tmp/req" "$tmp/mpi_resume" --shard 0/2 > /dev/null 2>&1
        LAUNCH=("${MPIRUN[@]}")
        prove "$tmp/req" "$tmp/mpi_resume" > "$tmp/resume.log" 2>&1
        check "mpirun resumes a half-proven bundle: 2 batches proven, 3 skipped" \
            grep -q "^proved 16 samples in 2 batches .*skipped 3 batches" "$tmp/resume.log"
        same_as_single "mpirun resumed" "$tmp/mpi_resume"
        # a commitment of another model: refused, nothing proven
        "$RS" commit-model --public --model "$SHARED/models/tflite-micro/hello_world_int8.tflite" \
            --out "$tmp/other.commit" > /dev/null 2>&1
        "${MPIRUN[@]}" "$RS" prove-batch --request "$tmp/req" --offer "$tmp/req.offer.json" \
            --join "$tmp/req.join.json" --model "$M" --commit "$tmp/other.commit" --out "$tmp/mpi_bad" > "$tmp/bad.log" 2>&1
        rc=$?
        check "mpirun with another model's commitment fails (rc $rc)" [ $rc -ne 0 ]
        check "mpirun with another model's commitment says why" \
            grep -q "commits to model" "$tmp/bad.log"
    fi
    LAUNCH=()
elif [ "${CI:-}" = true ]; then
    bad "mpirun not found (make deps installs openmpi-bin and libopenmpi-dev)"
else
    echo "scale: MPI part skipped: mpirun not found (apt-get install openmpi-bin libopenmpi-dev)"
fi

# ---- --shard K/3 as three separate processes, then seller merge ----
for k in 0 1 2; do
    prove "$tmp/req" "$tmp/shard$k" --shard $k/3 > "$tmp/shard$k.log" 2>&1 &
done
wait
check "three shard processes prove 2+2+1 batches" \
    [ "$(cat "$tmp"/shard?.log | sed -n 's/^proved [0-9]* samples\? in \([0-9]*\) batch.*/\1/p' | tr '\n' ' ')" = "2 2 1 " ]
"$S" merge --out "$tmp/merged" "$tmp/shard0" "$tmp/shard1" > "$tmp/merge1.log" 2>&1
check "merge of two shards: 4 of 5 present, 1 missing" \
    grep -q "4 of 5 batches present, 1 still missing" "$tmp/merge1.log"
"$S" merge --out "$tmp/merged" "$tmp/shard0" "$tmp/shard1" "$tmp/shard2" > "$tmp/merge2.log" 2>&1
check "merge of all shards extends the bundle: complete (rc $?)" \
    grep -q "5 of 5 batches present, 0 still missing (complete)" "$tmp/merge2.log"
check "merge reports what was already present" \
    grep -q "shard0: 0 batches copied, 2 already present" "$tmp/merge2.log"
same_as_single "shards merged" "$tmp/merged"

# ---- a private commitment (protocol/model_key.h): shards on copies of its
# key spend disjoint slots; a budget of exactly the request's 5 batches is
# enough for three shard processes on three copies, and the merged bundle
# verifies; a sixth proof is refused; mpirun proves with a private one too
"$RS" commit-model --model "$M" --proofs 5 --out "$tmp/p.commit" > /dev/null
check "private commit-model" [ -s "$tmp/p.commit.key" ]
draw "$tmp/preq" "$tmp/p.commit"
for k in 0 1 2; do
    cp "$tmp/p.commit.key" "$tmp/p$k.key"
    "$RS" prove-batch --request "$tmp/preq" --offer "$tmp/preq.offer.json" --join "$tmp/preq.join.json" \
        --model "$M" --commit "$tmp/p.commit" --model-key "$tmp/p$k.key" --out "$tmp/pshard$k" \
        --batch-size 8 --shard $k/3 > "$tmp/pshard$k.log" 2>&1 &
done
wait
check "three private shards on copies of one key prove 2+2+1 batches" \
    [ "$(cat "$tmp"/pshard?.log | sed -n 's/^proved [0-9]* samples\? in \([0-9]*\) batch.*/\1/p' | tr '\n' ' ')" = "2 2 1 " ]
"$S" merge --out "$tmp/pmerged" "$tmp/pshard0" "$tmp/pshard1" "$tmp/pshard2" > /dev/null 2>&1
"$B" verify --request "$tmp/preq" --bundle "$tmp/pmerged" --commit "$tmp/p.commit" --db "$tmp/ds.db" --json \
    > "$tmp/pverify.json" 2> /dev/null
check "the merged private bundle: every proof valid" python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
assert v["result"] == "valid" and v["valid"] == v["samples"] == '$N', v' "$tmp/pverify.json"
"$RS" prove-batch --request "$tmp/preq" --offer "$tmp/preq.offer.json" --join "$tmp/preq.join.json" \
    --model "$M" --commit "$tmp/p.commit" --model-key "$tmp/p0.key" --out "$tmp/pmore" \
    --batch-size 8 --shard 0/1 > "$tmp/pmore.log" 2>&1
check "a run that needs more proofs than the key has left is refused before proving" \
    grep -q "nothing was proven" "$tmp/pmore.log"
if command -v mpirun > /dev/null && ! grep -q "built without MPI support" "$tmp/mpi.log" 2> /dev/null; then
    # mpirun: rank 0 reads the key, spends a slot per batch and sends the
    # secret to the other rank (a fresh commitment for exactly 5 proofs)
    "$RS" commit-model --model "$M" --proofs 5 --out "$tmp/q.commit" > /dev/null
    draw "$tmp/qreq" "$tmp/q.commit"
    mpirun --oversubscribe -np 2 "$RS" prove-batch --request "$tmp/qreq" --offer "$tmp/qreq.offer.json" \
        --join "$tmp/qreq.join.json" --model "$M" --commit "$tmp/q.commit" --out "$tmp/qmpi" \
        --batch-size 8 > "$tmp/qmpi.log" 2>&1
    check "mpirun -np 2 proves with a private commitment" \
        grep -q "5 of 5 batches present (complete)" "$tmp/qmpi.log"
    "$B" verify --request "$tmp/qreq" --bundle "$tmp/qmpi" --commit "$tmp/q.commit" --db "$tmp/ds.db" \
        > "$tmp/qverify.log" 2>&1
    check "mpirun private bundle: every proof valid" [ "$(tail -1 "$tmp/qverify.log")" = valid ]
    check "mpirun spent 5 of the key's 5 slots" [ "$(python3 -c '
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select count(*) from openings").fetchone()[0])' "$tmp/q.commit.key")" = 5 ]
    mpirun --oversubscribe -np 2 "$RS" prove-batch --request "$tmp/qreq" --offer "$tmp/qreq.offer.json" \
        --join "$tmp/qreq.join.json" --model "$M" --commit "$tmp/q.commit" --out "$tmp/qmpi2" \
        --batch-size 8 > "$tmp/qmpi2.log" 2>&1
    check "mpirun refuses a run beyond the key's budget before proving" \
        grep -q "nothing was proven" "$tmp/qmpi2.log"
fi

# ---- refusals ----
draw "$tmp/req2"
prove "$tmp/req2" "$tmp/other_req" --shard 0/5 > /dev/null 2>&1
cp "$tmp/merged" "$tmp/merged.before"
"$S" merge --out "$tmp/merged" "$tmp/other_req" > "$tmp/refuse1.log" 2>&1
rc=$?
check "merging a bundle of another request is refused (rc $rc)" [ $rc -eq 1 ]
check "the refusal names the other request" grep -q "answers request" "$tmp/refuse1.log"
check "the refused merge left the output untouched" cmp -s "$tmp/merged" "$tmp/merged.before"
"$S" merge --out "$tmp/mixed" "$tmp/shard0" "$tmp/other_req" > "$tmp/refuse2.log" 2>&1
rc=$?
check "inputs of two requests are refused (rc $rc)" [ $rc -eq 1 ]
check "and no output is created" [ ! -e "$tmp/mixed" ]
prove "$tmp/req" "$tmp/b4" --batch-size 4 --shard 0/10 > /dev/null 2>&1
"$S" merge --out "$tmp/mixed" "$tmp/shard0" "$tmp/b4" > "$tmp/refuse3.log" 2>&1
rc=$?
check "inputs of another batch size are refused (rc $rc)" [ $rc -eq 1 ] &&
    grep -q "in batches of" "$tmp/refuse3.log"
"$S" merge --out "$tmp/merged" "$tmp/merged" > /dev/null 2>&1
check "the output as an input is a usage error" [ $? -eq 2 ]
finish
