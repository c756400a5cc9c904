#!/usr/bin/env bash
# tests/e2e/audit.sh - a whole accuracy audit between a buyer and a seller,
# through the command-line tools, on a real third-party model (keras-mnist)
# and the real MNIST test set, and the cheating sellers it must catch.
#   - dataset import, commit-model, sample init / join / draw / check,
#     prove-batch of 200 samples, verify: every proof valid, and the
#     accuracy equals that of plain inference (`seller infer`) over the same
#     indices, sample by sample;
#   - kill -9 of prove-batch halfway, then the same command again: it
#     finishes, every proof is valid and no batch is proven twice;
#   - cheating sellers, each caught with the reason: a skipped batch
#     (missing), a flipped proof byte, a proof for a different input, a
#     proof replayed from another audit, a whole bundle of another audit, a
#     proof made with another model after the commitment; a seller cannot
#     even start proving with another model's commitment;
#   - refusals of the commit-reveal: a secret of another offer, a join for
#     another offer, a tampered request, a beacon without a named round.
# The buyer side runs the sanitizer-built tools (BIN_DIR); proving uses the
# release seller (REL_DIR) so the 200 proofs take seconds, not minutes.
# usage: tests/e2e/audit.sh BIN_DIR REL_DIR   (prints "audit: N passed, M failed")
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
bad() { fail=$((fail + 1)); echo "audit: FAIL: $*" >&2; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }

M=$SHARED/models/keras-mnist-to-tpu/mnist.tflite
D=$SHARED/datasets/mnist
if [ ! -f "$M" ] || [ ! -f "$D/t10k-images-idx3-ubyte.gz" ]; then
    echo "audit: skipped: $M or the MNIST test set under $D not found"
    echo "audit: 0 passed, 0 failed"
    exit 0
fi
if ! python3 -c 'import sqlite3' 2>/dev/null; then
    echo "audit: FAIL: python3 with sqlite3 is needed to play the cheating seller"
    echo "audit: 0 passed, 1 failed"
    exit 1
fi
tmp=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
N_SAMPLES=${AUDIT_SAMPLES:-200}

# ---- the honest audit ----
"$B" dataset import --db "$tmp/ds.db" --name mnist --idx-images "$D/t10k-images-idx3-ubyte.gz" \
    --idx-labels "$D/t10k-labels-idx1-ubyte.gz" --prep "v1;identity" > "$tmp/import.log" 2>&1
check "dataset import" [ $? -eq 0 ]
# (a public commitment: its proofs are deterministic, which the checks of
# the journal below use; the private audit follows the blinded one)
"$RS" commit-model --public --model "$M" --out "$tmp/m.commit" > /dev/null
check "commit-model" [ -s "$tmp/m.commit" ]
"$B" sample init --db "$tmp/ds.db" --name mnist --commit "$tmp/m.commit" --out "$tmp/offer.json" \
    --secret "$tmp/secret.json" --max-samples "$N_SAMPLES" > /dev/null
check "sample init" [ -s "$tmp/offer.json" ]
check "the secret is private" [ "$(stat -c %a "$tmp/secret.json")" = 600 ]
"$S" sample join --offer "$tmp/offer.json" --commit "$tmp/m.commit" --out "$tmp/join.json" > /dev/null
check "sample join" [ -s "$tmp/join.json" ]
"$B" sample draw --db "$tmp/ds.db" --offer "$tmp/offer.json" --secret "$tmp/secret.json" \
    --join "$tmp/join.json" --out "$tmp/req" > "$tmp/draw.log"
check "sample draw" [ -s "$tmp/req" ]
"$B" sample check --request "$tmp/req" --db "$tmp/ds.db" > "$tmp/check.log" 2>&1
check "sample check" [ "$(tail -1 "$tmp/check.log")" = ok ]

# kill -9 halfway through proving, then resume
"$RS" prove-batch --request "$tmp/req" --offer "$tmp/offer.json" --join "$tmp/join.json" \
    --model "$M" --commit "$tmp/m.commit" \
    --out "$tmp/bundle" --batch-size 8 > "$tmp/prove1.log" 2>&1 &
pid=$!
nb() { python3 - "$1" <<'EOF'
import sqlite3, sys
try:
    print(sqlite3.connect(sys.argv[1], timeout=30).execute("select count(*) from batches").fetchone()[0])
except Exception:
    print(0)
EOF
}
for _ in $(seq 1 600); do
    [ "$(nb "$tmp/bundle")" -ge 5 ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
before=$(nb "$tmp/bundle")
check "some batches were proven before the kill ($before)" [ "$before" -ge 1 ]
"$RS" prove-batch --request "$tmp/req" --offer "$tmp/offer.json" --join "$tmp/join.json" \
    --model "$M" --commit "$tmp/m.commit" \
    --out "$tmp/bundle" --batch-size 8 > "$tmp/prove2.log" 2>&1
check "prove-batch resumes" [ $? -eq 0 ]
nbatches=$(( (N_SAMPLES + 7) / 8 ))
check "the bundle is complete ($(nb "$tmp/bundle") of $nbatches)" [ "$(nb "$tmp/bundle")" -eq $nbatches ]
check "the resumed run skipped the $before proven batches" \
    grep -q "skipped $before batch" "$tmp/prove2.log"
"$RS" prove-batch --request "$tmp/req" --offer "$tmp/offer.json" --join "$tmp/join.json" \
    --model "$M" --commit "$tmp/m.commit" \
    --out "$tmp/bundle" --batch-size 8 > "$tmp/prove3.log" 2>&1
check "a third run proves nothing" grep -q "^proved 0 samples" "$tmp/prove3.log"

"$B" verify --request "$tmp/req" --bundle "$tmp/bundle" --commit "$tmp/m.commit" --db "$tmp/ds.db" \
    > "$tmp/verify.log" 2>&1
check "verify: every proof valid" [ $? -eq 0 -a "$(tail -1 "$tmp/verify.log")" = valid ]
"$B" verify --request "$tmp/req" --bundle "$tmp/bundle" --commit "$tmp/m.commit" --db "$tmp/ds.db" \
    --json --all > "$tmp/verify.json"

# the same request proven with blinded proofs (docs/zero-knowledge.md): every
# proof valid, and the same verdicts and accuracy line as the plain bundle
"$RS" prove-batch --request "$tmp/req" --offer "$tmp/offer.json" --join "$tmp/join.json" \
    --model "$M" --commit "$tmp/m.commit" --out "$tmp/blinded.bundle" --batch-size 32 --blinded \
    > "$tmp/proveb.log" 2>&1
check "prove-batch --blinded" [ $? -eq 0 ]
"$B" verify --request "$tmp/req" --bundle "$tmp/blinded.bundle" --commit "$tmp/m.commit" \
    --db "$tmp/ds.db" > "$tmp/verifyb.log" 2>&1
check "verify: every blinded proof valid" [ $? -eq 0 -a "$(tail -1 "$tmp/verifyb.log")" = valid ]
acc_plain=$(grep '^correct .*accuracy' "$tmp/verify.log") acc_blind=$(grep '^correct .*accuracy' "$tmp/verifyb.log")
check "blinded and plain bundles give the same accuracy line ($acc_blind)" \
    [ -n "$acc_plain" -a "$acc_plain" = "$acc_blind" ]

# a private model (the default of commit-model; docs/zero-knowledge.md):
# its own offer, join and draw; every zero-knowledge proof valid, each
# sample's prediction that of plain inference, and the key's budget counts
# the proofs (200 samples at batch 32: 7 of 8)
"$RS" commit-model --model "$M" --proofs 8 --out "$tmp/p.commit" > /dev/null
"$B" sample init --db "$tmp/ds.db" --name mnist --commit "$tmp/p.commit" --out "$tmp/offer_p.json" \
    --secret "$tmp/secret_p.json" --max-samples "$N_SAMPLES" > /dev/null &&
    "$S" sample join --offer "$tmp/offer_p.json" --commit "$tmp/p.commit" --out "$tmp/join_p.json" > /dev/null &&
    "$B" sample draw --db "$tmp/ds.db" --offer "$tmp/offer_p.json" --secret "$tmp/secret_p.json" \
        --join "$tmp/join_p.json" --out "$tmp/req_p" > /dev/null
check "private model: sample init, join, draw" [ -s "$tmp/req_p" ]
"$RS" prove-batch --request "$tmp/req_p" --offer "$tmp/offer_p.json" --join "$tmp/join_p.json" \
    --model "$M" --commit "$tmp/p.commit" --out "$tmp/p.bundle" --batch-size 32 > "$tmp/provep.log" 2>&1
check "private model: prove-batch" [ $? -eq 0 ]
check "private model: 7 of the key's 8 proofs spent" [ "$(python3 -c '
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select count(*) from openings").fetchone()[0])' "$tmp/p.commit.key")" = 7 ]
"$B" verify --request "$tmp/req_p" --bundle "$tmp/p.bundle" --commit "$tmp/p.commit" \
    --db "$tmp/ds.db" --json --all > "$tmp/verifyp.json" 2> "$tmp/verifyp.err"
check "private model: every proof valid" python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
assert v["result"] == "valid" and v["valid"] == v["samples"] == '"$N_SAMPLES"', v["result"]' "$tmp/verifyp.json"
python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["samples_detail"][:20]:
    print(s["index"], s["predicted"])' "$tmp/verifyp.json" > "$tmp/samples_p.tsv"
gzip -dc "$D/t10k-images-idx3-ubyte.gz" > "$tmp/mnist_p.idx"
mism=0
while read -r idx pred; do
    tail -c +$((17 + idx * 784)) "$tmp/mnist_p.idx" | head -c 784 > "$tmp/one_p.bin"
    want=$("$RS" infer --model "$M" --input "$tmp/one_p.bin" | sed -n 's/^argmax: //p')
    [ "$want" = "$pred" ] || mism=$((mism + 1))
done < "$tmp/samples_p.tsv"
check "private model: predictions equal plain inference (20 samples, $mism differ)" \
    [ $mism -eq 0 -a "$(wc -l < "$tmp/samples_p.tsv")" -eq 20 ]

# the reported accuracy equals plain inference over the same indices
python3 - "$tmp/verify.json" > "$tmp/samples.tsv" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
for s in v["samples_detail"]:
    print(s["index"], s["predicted"], s["label"])
EOF
gzip -dc "$D/t10k-images-idx3-ubyte.gz" > "$tmp/images.idx"
plain_correct=0 agree=0 n=0
while read -r index predicted label; do
    tail -c +$((17 + index * 784)) "$tmp/images.idx" | head -c 784 > "$tmp/x.bin"
    a=$("$RS" infer --model "$M" --input "$tmp/x.bin" | sed -n 's/^argmax: \(-\?[0-9]*\).*/\1/p' | head -1)
    echo "$index $a $label" >> "$tmp/plain.tsv"
    [ "$a" = "$predicted" ] && agree=$((agree + 1))
    [ "$a" = "$label" ] && plain_correct=$((plain_correct + 1))
    n=$((n + 1))
done < "$tmp/samples.tsv"
reported=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["correct"])' "$tmp/verify.json")
check "every proven prediction equals plain inference ($agree of $n)" [ "$agree" -eq "$N_SAMPLES" ]
check "reported correct ($reported) = plain inference correct ($plain_correct)" \
    [ "$reported" -eq "$plain_correct" ]

# the report: the same accuracy, and per-class figures that match plain
# inference over the same indices (samples.tsv: index, proven, label)
"$B" report --db "$tmp/ds.db" --request "$tmp/req" --bundle "$tmp/bundle" --commit "$tmp/m.commit" \
    --out "$tmp/report" > "$tmp/report.log" 2>&1
check "report written" [ -s "$tmp/report/report.json" -a -s "$tmp/report/report.html" -a -s "$tmp/report/report.md" ]
python3 - "$tmp/report/report.json" "$tmp/plain.tsv" <<'EOF' > "$tmp/report_check.log" 2>&1
import json, sys
r = json.load(open(sys.argv[1]))
plain = [l.split() for l in open(sys.argv[2])]
n = len(plain)
correct = sum(1 for idx, a, label in plain if a == label)
assert r["accuracy"]["n"] == n and r["accuracy"]["correct"] == correct, (r["accuracy"], n, correct)
for c in r["classes"]:
    cn = sum(1 for _, a, label in plain if int(label) == c["class"])
    cc = sum(1 for _, a, label in plain if int(label) == c["class"] and a == label)
    assert c["n"] == cn and c["correct"] == cc, (c, cn, cc)
assert r["proofs"]["valid"] == n and not r["proofs"]["rejected"]
assert r["security"]["zero_knowledge"] is False
print("ok")
EOF
check "report: accuracy and per-class figures equal plain inference ($(tail -1 "$tmp/report_check.log"))" \
    [ "$(tail -1 "$tmp/report_check.log")" = ok ]
# buyer verify and buyer report replay the same stopping rule over the same
# verdicts: an audit with a confidence sequence must stop at the same sample
# in both (the in-batch order of the replay comes from the audit's seed)
"$B" sample init --db "$tmp/ds.db" --name mnist --commit "$tmp/m.commit" --out "$tmp/offer_cs.json" \
    --secret "$tmp/secret_cs.json" --max-samples 160 --stop confseq > /dev/null
"$S" sample join --offer "$tmp/offer_cs.json" --commit "$tmp/m.commit" --out "$tmp/join_cs.json" > /dev/null
"$B" sample draw --db "$tmp/ds.db" --offer "$tmp/offer_cs.json" --secret "$tmp/secret_cs.json" \
    --join "$tmp/join_cs.json" --out "$tmp/req_cs" > /dev/null
"$RS" prove-batch --request "$tmp/req_cs" --offer "$tmp/offer_cs.json" --join "$tmp/join_cs.json" \
    --model "$M" --commit "$tmp/m.commit" --out "$tmp/bundle_cs" --batch-size 8 > /dev/null 2>&1
"$B" verify --request "$tmp/req_cs" --bundle "$tmp/bundle_cs" --commit "$tmp/m.commit" \
    --db "$tmp/ds.db" --json > "$tmp/verify_cs.json" 2>&1
"$B" report --db "$tmp/ds.db" --request "$tmp/req_cs" --bundle "$tmp/bundle_cs" \
    --commit "$tmp/m.commit" --out "$tmp/report_cs" --format json > /dev/null 2>&1
cs_same=$(python3 - "$tmp/verify_cs.json" "$tmp/report_cs/report.json" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))["sequential"]
r = json.load(open(sys.argv[2]))["sequential"]
va = v["decided_at"] if v["decided"] else None
print("ok, at %r" % va if va == r["stopped_at"] else
      "verify stops at %r, report at %r" % (va, r["stopped_at"]))
EOF
)
check "verify and report: the confidence sequence stops at the same sample ($cs_same)" \
    [ "${cs_same%%,*}" = ok ]

# ---- refusals of the commit-reveal ----
"$B" sample init --db "$tmp/ds.db" --name mnist --commit "$tmp/m.commit" --out "$tmp/offer2.json" \
    --secret "$tmp/secret2.json" --max-samples 16 > /dev/null
"$B" sample draw --db "$tmp/ds.db" --offer "$tmp/offer.json" --secret "$tmp/secret2.json" \
    --join "$tmp/join.json" --out "$tmp/x.req" > "$tmp/x.log" 2>&1
check "draw refuses a secret of another offer" grep -q "secret of another offer" "$tmp/x.log"
"$B" sample draw --db "$tmp/ds.db" --offer "$tmp/offer2.json" --secret "$tmp/secret2.json" \
    --join "$tmp/join.json" --out "$tmp/x.req" > "$tmp/x.log" 2>&1
check "draw refuses a join for another offer" grep -q "answers another offer" "$tmp/x.log"
"$B" sample draw --db "$tmp/ds.db" --offer "$tmp/offer2.json" --secret "$tmp/secret2.json" \
    --beacon 00ff --out "$tmp/x.req" > "$tmp/x.log" 2>&1
check "draw refuses a beacon the offer did not name" grep -q "names no beacon round" "$tmp/x.log"
cp "$tmp/req" "$tmp/tampered.req"
python3 - "$tmp/tampered.req" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[-100] ^= 1
open(sys.argv[1], "wb").write(b)
EOF
"$B" sample check --request "$tmp/tampered.req" > "$tmp/x.log" 2>&1
check "check refuses a request with a changed example" grep -q "^not ok" "$tmp/x.log"

# a buyer that draws with a seller seed of its own choosing (here: another
# join of the same offer) is refused by the seller, who checks its own join
"$S" sample join --offer "$tmp/offer.json" --commit "$tmp/m.commit" --out "$tmp/join_b.json" > /dev/null
"$B" sample draw --db "$tmp/ds.db" --offer "$tmp/offer.json" --secret "$tmp/secret.json" \
    --join "$tmp/join_b.json" --out "$tmp/req_b" > /dev/null
"$RS" prove-batch --request "$tmp/req_b" --offer "$tmp/offer.json" --join "$tmp/join.json" \
    --model "$M" --commit "$tmp/m.commit" --out "$tmp/b.bundle" > "$tmp/x.log" 2>&1
check "prove-batch refuses a request drawn with another seller seed" \
    grep -q "seller seed is not the one the join gave" "$tmp/x.log"
"$B" sample check --request "$tmp/req_b" --offer "$tmp/offer.json" --join "$tmp/join.json" \
    > "$tmp/x.log" 2>&1
check "sample check --offer --join refuses it too" grep -q "^not ok" "$tmp/x.log"
"$B" sample check --request "$tmp/req" --offer "$tmp/offer.json" --join "$tmp/join.json" \
    > "$tmp/x.log" 2>&1
check "sample check --offer --join accepts the honest draw" [ "$(tail -1 "$tmp/x.log")" = ok ]
"$RS" prove-batch --request "$tmp/req" --model "$M" --commit "$tmp/m.commit" \
    --out "$tmp/b.bundle" > /dev/null 2>&1
check "prove-batch without --offer and --join: exit 2" [ $? -eq 2 ]
"$RS" prove-batch --request "$tmp/req" --offer "$tmp/offer.json" --join "$tmp/join.json" \
    --beacon 00 --model "$M" --commit "$tmp/m.commit" --out "$tmp/b.bundle" > /dev/null 2>&1
check "prove-batch with both --join and --beacon: exit 2" [ $? -eq 2 ]

# a seller that never answered: the beacon round the offer named decides
"$B" sample init --db "$tmp/ds.db" --name mnist --commit "$tmp/m.commit" --out "$tmp/offer_bc.json" \
    --secret "$tmp/secret_bc.json" --max-samples 4 --beacon-round test-round-1 > /dev/null
"$S" sample join --offer "$tmp/offer_bc.json" --commit "$tmp/m.commit" --out "$tmp/join_bc.json" > /dev/null
"$B" sample draw --db "$tmp/ds.db" --offer "$tmp/offer_bc.json" --secret "$tmp/secret_bc.json" \
    --beacon 00ff11 --out "$tmp/req_bc" > /dev/null
"$RS" prove-batch --request "$tmp/req_bc" --offer "$tmp/offer_bc.json" --beacon 00ff12 \
    --model "$M" --commit "$tmp/m.commit" --out "$tmp/bc.bundle" > "$tmp/x.log" 2>&1
check "prove-batch refuses a beacon draw with another beacon value" grep -q "beacon hash" "$tmp/x.log"
"$RS" prove-batch --request "$tmp/req_bc" --offer "$tmp/offer_bc.json" --join "$tmp/join_bc.json" \
    --model "$M" --commit "$tmp/m.commit" --out "$tmp/bc.bundle" > "$tmp/x.log" 2>&1
check "prove-batch that answered refuses a beacon draw" grep -q "answered the offer" "$tmp/x.log"
"$RS" prove-batch --request "$tmp/req_bc" --offer "$tmp/offer_bc.json" --beacon 00ff11 \
    --model "$M" --commit "$tmp/m.commit" --out "$tmp/bc.bundle" --batch-size 4 > "$tmp/x.log" 2>&1
check "prove-batch proves the beacon draw with the round's value" [ $? -eq 0 ]

# a second audit (for the replays)
"$S" sample join --offer "$tmp/offer2.json" --commit "$tmp/m.commit" --out "$tmp/join2.json" > /dev/null
"$B" sample draw --db "$tmp/ds.db" --offer "$tmp/offer2.json" --secret "$tmp/secret2.json" \
    --join "$tmp/join2.json" --out "$tmp/req2" > /dev/null
"$RS" prove-batch --request "$tmp/req2" --offer "$tmp/offer2.json" --join "$tmp/join2.json" \
    --model "$M" --commit "$tmp/m.commit" \
    --out "$tmp/bundle2" --batch-size 8 > /dev/null 2>&1
check "a second audit proves" [ "$(nb "$tmp/bundle2")" -eq 2 ]

# ---- cheating sellers ----
# edit a copy of the honest bundle with SQL (what a cheating seller can do)
cheat() { # NAME SQL...
    local name=$1; shift
    cp "$tmp/bundle" "$tmp/$name.bundle"
    python3 - "$tmp/$name.bundle" "$@" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for sql in sys.argv[2:]:
    db.execute(sql)
db.commit()
EOF
    "$B" verify --request "$tmp/req" --bundle "$tmp/$name.bundle" --commit "$tmp/m.commit" \
        --db "$tmp/ds.db" --json > "$tmp/$name.json" 2>&1
    echo $?
}
reason_of() { # JSON STATUS -> "count reason-of-first"
    python3 - "$1" "$2" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
p = [x for x in v.get("problems", []) if x["status"] == sys.argv[2]]
print(len(p), p[0]["reason"] if p else "")
EOF
}
rc=$(cheat skipped "DELETE FROM batches WHERE batch = 3")
check "a skipped batch: exit 1" [ "$rc" -eq 1 ]
check "a skipped batch: 8 samples missing" [ "$(reason_of "$tmp/skipped.json" missing | cut -d' ' -f1)" -eq 8 ]

cp "$tmp/bundle" "$tmp/flipped.bundle"
python3 - "$tmp/bundle" "$tmp/flipped.bundle" <<'EOF'
import sqlite3, sys
# SQLite string functions are not byte-safe on blobs: flip the byte in Python
src = sqlite3.connect(sys.argv[1]).execute("select proof from batches where batch = 5").fetchone()[0]
b = bytearray(src); b[200] ^= 1
db = sqlite3.connect(sys.argv[2]); db.execute("update batches set proof = ? where batch = 5", (bytes(b),)); db.commit()
EOF
"$B" verify --request "$tmp/req" --bundle "$tmp/flipped.bundle" --commit "$tmp/m.commit" --json > "$tmp/flipped.json" 2>&1
check "a flipped proof byte: rejected" grep -q "proof rejected" "$tmp/flipped.json"

rc=$(cheat other_input "UPDATE batches SET proof = (SELECT proof FROM batches WHERE batch = 1) WHERE batch = 2")
check "a proof for a different input: exit 1" [ "$rc" -eq 1 ]
check "a proof for a different input: named" grep -q "different input" "$tmp/other_input.json"

rc=$(cheat replayed "ATTACH '$tmp/bundle2' AS o" "UPDATE batches SET proof = (SELECT proof FROM o.batches WHERE batch = 0) WHERE batch = 0")
check "a proof replayed from another audit: caught" grep -q "different input" "$tmp/replayed.json"

"$B" verify --request "$tmp/req" --bundle "$tmp/bundle2" --commit "$tmp/m.commit" > "$tmp/foreign.log" 2>&1
check "a whole bundle of another audit: refused" grep -q "answers another request" "$tmp/foreign.log"

# another model after the commitment: same input size (784 bytes), its own commitment
OTHER=models/demo/fashion_cnn.tflite
if [ -f "$OTHER" ]; then
    "$RS" commit-model --model "$OTHER" --out "$tmp/o.commit" > /dev/null
    "$RS" prove-batch --request "$tmp/req" --offer "$tmp/offer.json" --join "$tmp/join.json" \
    --model "$OTHER" --commit "$tmp/o.commit" \
        --out "$tmp/o.bundle" > "$tmp/o.log" 2>&1
    check "prove-batch refuses a commitment that is not the request's model" grep -q "is for model" "$tmp/o.log"
    # the first batch's inputs, proven by the other model
    ins=()
    for index in $(head -8 "$tmp/samples.tsv" | cut -d' ' -f1); do
        tail -c +$((17 + index * 784)) "$tmp/images.idx" | head -c 784 > "$tmp/in$index.bin"
        ins+=(--input "$tmp/in$index.bin")
    done
    "$RS" prove --model "$OTHER" --commit "$tmp/o.commit" "${ins[@]}" --out "$tmp/o.proof" > /dev/null 2>&1
    cp "$tmp/bundle" "$tmp/swapped.bundle"
    python3 - "$tmp/swapped.bundle" "$tmp/o.proof" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("update batches set proof = ? where batch = 0", (open(sys.argv[2], "rb").read(),))
db.commit()
EOF
    "$B" verify --request "$tmp/req" --bundle "$tmp/swapped.bundle" --commit "$tmp/m.commit" --json > "$tmp/swapped.json" 2>&1
    check "a proof made with another model: rejected" grep -q "proof rejected" "$tmp/swapped.json"
else
    echo "audit: note: $OTHER absent; the swapped-model case is skipped"
fi

# every cheat is shown in the report, with its reason
shown() { # BUNDLE-NAME REASON-SUBSTRING
    "$B" report --db "$tmp/ds.db" --request "$tmp/req" --bundle "$tmp/$1.bundle" \
        --commit "$tmp/m.commit" --out "$tmp/report_$1" --format json,html > /dev/null 2>&1 &&
    python3 - "$tmp/report_$1/report.json" "$2" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
rej = r["proofs"]["rejected"]
sys.exit(0 if rej and all(sys.argv[2] in x["reason"] for x in rej) else 1)
EOF
}
check "report shows the skipped batch" shown skipped "no proof for its batch"
check "report shows the flipped byte" shown flipped "proof rejected"
check "report shows the proof for another input" shown other_input "different input"
check "report shows the replayed proof" shown replayed "different input"
[ -f "$tmp/swapped.bundle" ] && check "report shows the swapped model" shown swapped "proof rejected"
cp "$tmp/bundle2" "$tmp/foreign.bundle"
check "report shows the foreign bundle" shown foreign "answers another request"

# two cheats at once: a skipped batch and a proof for another input
cp "$tmp/bundle" "$tmp/cheats.bundle"
python3 - "$tmp/cheats.bundle" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM batches WHERE batch = 3")
db.execute("UPDATE batches SET proof = (SELECT proof FROM batches WHERE batch = 1) WHERE batch = 2")
db.commit()
EOF
"$B" report --db "$tmp/ds.db" --request "$tmp/req" --bundle "$tmp/cheats.bundle" --commit "$tmp/m.commit" \
    --out "$tmp/report_cheats" > /dev/null 2>&1
python3 - "$tmp/report_cheats/report.json" <<'EOF' > "$tmp/cheats_check.log" 2>&1
import json, sys
r = json.load(open(sys.argv[1]))
rej = r["proofs"]["rejected"]
assert r["proofs"]["missing"] == 8 and r["proofs"]["invalid"] == 8, r["proofs"]
assert sum(1 for x in rej if x["status"] == "missing") == 8
assert sum(1 for x in rej if "different input" in x["reason"]) == 8
assert r["accuracy"]["correct"] <= r["accuracy"]["n"] - 16
print("ok")
EOF
check "report shows the cheats ($(tail -1 "$tmp/cheats_check.log"))" [ "$(tail -1 "$tmp/cheats_check.log")" = ok ]
grep -q "different input" "$tmp/report_cheats/report.html"
check "the HTML report names the cheat" [ $? -eq 0 ]

echo "audit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
