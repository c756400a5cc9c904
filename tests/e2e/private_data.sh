#!/usr/bin/env bash
# tests/e2e/private_data.sh - private data mode through the command-line
# tools (docs/protocol.md "Private data"), on the real MNIST test set and
# keras-mnist:
#   - review flow: the holder imports and commits (hiding commitment without
#     labels, secrets mode 0600, fresh salts per commitment), the auditor
#     samples 100 items against that commitment, the holder reveals, the
#     auditor checks and learns exactly those 100 items (the reveal holds 100
#     examples whose indices equal the draw, recomputed here independently
#     in Python; no byte string of any unsampled image and no salt of any
#     unsampled example is in the reveal), labels them (the MNIST labels
#     play the reviewer's), builds the request, the holder proves it with
#     keras-mnist, the auditor verifies (valid; the predictions equal plain
#     inference) and reports (data mode stated in JSON, Markdown and HTML);
#   - committed-labels flow: commit with labels, reveal labels only (no
#     image bytes at all in the reveal), check-reveal (the labels are the
#     committed ones), and the refusal where hidden-input proofs would be;
#   - tampering after the commitment, each caught: a changed input byte, a
#     changed label (committed labels), a swapped index, a changed salt, a
#     reveal for other indices than the draw (another seller seed; a valid
#     item of another draw spliced in), the holder's data changed after the
#     commitment, labels for other items than the revealed ones;
#   - a beacon draw (the holder never answered): reveal and check-reveal
#     with the named round's value; another value and an unnamed round refused.
# usage: tests/e2e/private_data.sh BIN_DIR REL_DIR  (prints "private_data: N passed, M failed")
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
bad() { fail=$((fail + 1)); echo "private_data: FAIL: $*" >&2; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }

M=$SHARED/models/keras-mnist-to-tpu/mnist.tflite
D=$SHARED/datasets/mnist
if [ ! -f "$M" ] || [ ! -f "$D/t10k-images-idx3-ubyte.gz" ]; then
    echo "private_data: skipped: $M or the MNIST test set under $D not found"
    echo "private_data: 0 passed, 0 failed"
    exit 0
fi
if ! python3 -c 'import sqlite3' 2>/dev/null; then
    echo "private_data: FAIL: python3 with sqlite3 is needed to check and tamper with the files"
    echo "private_data: 0 passed, 1 failed"
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
N=100
gzip -dc "$D/t10k-images-idx3-ubyte.gz" > "$tmp/images.idx"
gzip -dc "$D/t10k-labels-idx1-ubyte.gz" > "$tmp/labels.idx"

# reveal.py: parse, check and edit reveal files (layout: docs/datasets.md)
cat > "$tmp/reveal.py" <<'EOF'
import hashlib, json, sqlite3, struct, sys

def parse(path):
    b = open(path, "rb").read()
    assert b[:4] == b"ZKPR", "magic"
    variant, opened = b[5], b[6]
    stored_len, n = struct.unpack_from("<IQ", b, 144)
    o, items = 156, []
    for _ in range(n):
        index, plen = struct.unpack_from("<QI", b, o)
        start = o
        o += 12
        proof = b[o:o + plen]
        o += plen
        data = b[o:o + stored_len]
        o += stored_len
        items.append(dict(index=index, at=start, proof_at=start + 12, plen=plen,
                          data_at=start + 12 + plen, label=struct.unpack_from("<I", proof, 57)[0],
                          proof=proof))
    assert o == len(b), "trailing bytes"
    return b, variant, opened, stored_len, items

def tag(t):
    return t.encode() + b"\0"

def draw(offer, secret, join):
    o = json.load(open(offer)); s = json.load(open(secret)); j = json.load(open(join))
    d = o["dataset"]
    N = d["count"]
    h = hashlib.sha256(tag("zkaudit/sample-seed/v1") + bytes.fromhex(d["root"]) +
                       struct.pack("<Q", N) + bytes.fromhex(o["model_id"]) +
                       hashlib.sha256(o["audit_params"].encode()).digest() +
                       bytes.fromhex(s["buyer_seed"]) + b"\0" +
                       bytes.fromhex(j["seller_seed"])).digest()
    words, ctr = [], 0
    def u64():
        nonlocal ctr
        if not words:
            blk = hashlib.sha256(tag("zkaudit/sample-stream/v1") + h + struct.pack("<Q", ctr)).digest()
            ctr += 1
            words.extend(reversed(struct.unpack("<4Q", blk)))
        return words.pop()
    def uniform(m):
        rem = (2**64 - m) % m
        while True:
            w = u64()
            if w <= 2**64 - 1 - rem:
                return w % m
    perm, out = {}, []
    n = int(o["audit_params"].split("max_samples=")[1].split(";")[0])
    for k in range(n):
        jj = k + uniform(N - k)
        out.append(perm.get(jj, jj))
        perm[jj] = perm.get(k, k)
    return out

cmd = sys.argv[1]
if cmd == "summary":       # REVEAL OFFER SECRET JOIN -> "n ok|differs"
    b, v, op, sl, items = parse(sys.argv[2])
    want = draw(sys.argv[3], sys.argv[4], sys.argv[5])
    got = [it["index"] for it in items]
    print(len(items), "ok" if got == want[:len(got)] and len(got) == len(want) else "differs")
elif cmd == "indices":     # REVEAL -> one index per line
    for it in parse(sys.argv[2])[4]:
        print(it["index"])
elif cmd == "leaks":       # REVEAL IMAGES SECRETS -> unsampled images / salts found, sampled images found
    b, v, op, sl, items = parse(sys.argv[2])
    img = open(sys.argv[3], "rb").read()[16:]
    sampled = {it["index"] for it in items}
    db = sqlite3.connect(sys.argv[4])
    salts = {i: (s, t) for i, s, t in db.execute("select idx, salt, input_salt from salts")}
    leak_img = leak_salt = found = 0
    for i in range(len(img) // 784):
        x = img[784 * i:784 * (i + 1)]
        if i in sampled:
            found += x in b
        else:
            leak_img += x in b
            leak_salt += salts[i][0] in b or salts[i][1] in b
    print(leak_img, leak_salt, found)
elif cmd == "labels":      # REVEAL LABELS.idx -> "same" if the revealed labels are MNIST's
    items = parse(sys.argv[2])[4]
    lab = open(sys.argv[3], "rb").read()[8:]
    print("same" if all(it["label"] == lab[it["index"]] for it in items) else "differs")
elif cmd == "flip":        # REVEAL OUT WHAT: flip one byte of item 3
    b, v, op, sl, items = parse(sys.argv[2])
    b = bytearray(b)
    it = items[3]
    at = {"input": it["data_at"] + 400, "label": it["proof_at"] + 57,
          "salt": it["proof_at"] + 30, "input-salt": it["proof_at"] + 100}[sys.argv[4]]
    b[at] ^= 1
    open(sys.argv[3], "wb").write(b)
elif cmd == "swap":        # REVEAL OUT: swap items 1 and 2
    b, v, op, sl, items = parse(sys.argv[2])
    a, c = items[1], items[2]
    ea, ec = a["data_at"] + sl, c["data_at"] + sl
    nb = b[:a["at"]] + b[c["at"]:ec] + b[a["at"]:ea] + b[ec:]
    open(sys.argv[3], "wb").write(nb)
elif cmd == "splice":      # REVEAL OTHER OUT: item 0 of OTHER in place of item 0 of REVEAL
    b, v, op, sl, items = parse(sys.argv[2])
    ob, _, _, _, oitems = parse(sys.argv[3])
    a, x = items[0], oitems[0]
    nb = b[:a["at"]] + ob[x["at"]:x["data_at"] + sl] + b[a["data_at"] + sl:]
    open(sys.argv[4], "wb").write(nb)
EOF
rv() { python3 "$tmp/reveal.py" "$@"; }

# ---- the holder: import and commit ----
"$B" dataset import --db "$tmp/holder.db" --name mnist --idx-images "$D/t10k-images-idx3-ubyte.gz" \
    --idx-labels "$D/t10k-labels-idx1-ubyte.gz" --prep "v1;identity" > /dev/null 2>&1
check "holder imports its dataset" [ $? -eq 0 ]
"$RS" commit-model --model "$M" --out "$tmp/m.commit" > /dev/null
check "commit-model" [ -s "$tmp/m.commit" ]
"$S" dataset commit-private --db "$tmp/holder.db" --out "$tmp/c_rev.json" --secrets "$tmp/s_rev.db" \
    --no-labels > "$tmp/commit.log" 2>&1
check "commit-private --no-labels" [ $? -eq 0 ] && [ -s "$tmp/c_rev.json" ]
check "the secrets file is private (0600)" [ "$(stat -c %a "$tmp/s_rev.db")" = 600 ]
check "the commitment file names the variant" grep -q '"variant": "no-labels"' "$tmp/c_rev.json"
"$S" dataset commit-private --db "$tmp/holder.db" --out "$tmp/c_rev2.json" --secrets "$tmp/s_rev2.db" \
    --no-labels > /dev/null 2>&1
root_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["root"])' "$1"; }
check "a second commitment draws fresh salts (another root)" [ "$(root_of "$tmp/c_rev.json")" != "$(root_of "$tmp/c_rev2.json")" ]
"$S" dataset commit-private --db "$tmp/holder.db" --out "$tmp/x.json" --secrets "$tmp/s_rev.db" \
    > "$tmp/x.log" 2>&1
check "a secrets file is never overwritten" grep -q "never overwritten" "$tmp/x.log"
check "the public commitment has no salt or label" [ "$(wc -c < "$tmp/c_rev.json")" -lt 1000 ]

# ---- review flow ----
"$B" sample init --private-dataset "$tmp/c_rev.json" --commit "$tmp/m.commit" --out "$tmp/offer.json" \
    --secret "$tmp/secret.json" --max-samples $N > "$tmp/init.log" 2>&1
check "sample init --private-dataset" grep -q "private data, review flow" "$tmp/init.log"
"$S" sample join --offer "$tmp/offer.json" --commit "$tmp/m.commit" --out "$tmp/join.json" > /dev/null
check "sample join" [ -s "$tmp/join.json" ]
# after the join the auditor sends its seed (the secret file) to the holder
"$S" dataset reveal --commit "$tmp/c_rev.json" --secrets "$tmp/s_rev.db" --db "$tmp/holder.db" \
    --offer "$tmp/offer.json" --join "$tmp/join.json" --seed-reveal "$tmp/secret.json" \
    --out "$tmp/reveal.bin" > "$tmp/reveal.log" 2>&1
check "dataset reveal" [ $? -eq 0 ] && [ -s "$tmp/reveal.bin" ]
"$B" dataset check-reveal --commit "$tmp/c_rev.json" --reveal "$tmp/reveal.bin" --offer "$tmp/offer.json" \
    --join "$tmp/join.json" --n $N --export "$tmp/review" > "$tmp/cr.log" 2>&1
check "check-reveal: valid" [ "$(tail -1 "$tmp/cr.log")" = valid ]
check "the reveal holds exactly $N examples, the draw's indices ($(rv summary "$tmp/reveal.bin" "$tmp/offer.json" "$tmp/secret.json" "$tmp/join.json"))" \
    [ "$(rv summary "$tmp/reveal.bin" "$tmp/offer.json" "$tmp/secret.json" "$tmp/join.json")" = "$N ok" ]
"$B" dataset check-reveal --commit "$tmp/c_rev.json" --reveal "$tmp/reveal.bin" --offer "$tmp/offer.json" \
    --join "$tmp/join.json" --json > "$tmp/cr.json" 2>/dev/null
check "check-reveal --json lists the same indices" \
    [ "$(python3 -c 'import json,sys; print("\n".join(map(str, json.load(open(sys.argv[1]))["indices"])))' "$tmp/cr.json")" = "$(rv indices "$tmp/reveal.bin")" ]
leaks=$(rv leaks "$tmp/reveal.bin" "$tmp/images.idx" "$tmp/s_rev.db")
check "the reveal holds no unsampled image and no unsampled salt, and the $N sampled images ($leaks)" \
    [ "$leaks" = "0 0 $N" ]
check "export: $N example files for the reviewers" [ "$(ls "$tmp/review"/*.bin | wc -l)" -eq $N ]
# the reviewer labels the revealed examples (here: with the MNIST labels)
python3 - "$tmp/review/labels.csv" "$tmp/labels.idx" "$tmp/labels.csv" <<'EOF'
import sys
lab = open(sys.argv[2], "rb").read()[8:]
rows = [l.split(",")[0] for l in open(sys.argv[1]).read().split("\n")[1:] if l]
open(sys.argv[3], "w").write("index,label\n" + "".join("%s,%d\n" % (i, lab[int(i)]) for i in rows))
EOF
"$B" sample draw --reveal "$tmp/reveal.bin" --private-dataset "$tmp/c_rev.json" --offer "$tmp/offer.json" \
    --secret "$tmp/secret.json" --join "$tmp/join.json" --out "$tmp/req" > "$tmp/draw.log" 2>&1
check "sample draw --reveal" [ $? -eq 0 ] && [ -s "$tmp/req" ]
"$B" sample check --request "$tmp/req" --offer "$tmp/offer.json" --join "$tmp/join.json" > "$tmp/x.log" 2>&1
check "sample check of the private request" [ "$(tail -1 "$tmp/x.log")" = ok ]
"$RS" prove-batch --request "$tmp/req" --offer "$tmp/offer.json" --join "$tmp/join.json" \
    --model "$M" --commit "$tmp/m.commit" --out "$tmp/bundle" --batch-size 20 > "$tmp/prove.log" 2>&1
check "prove-batch of the revealed items" [ $? -eq 0 ]
"$B" verify --request "$tmp/req" --bundle "$tmp/bundle" --commit "$tmp/m.commit" \
    --private-dataset "$tmp/c_rev.json" --labels "$tmp/labels.csv" > "$tmp/verify.log" 2>&1
check "verify: valid" [ "$(tail -1 "$tmp/verify.log")" = valid ]
"$B" verify --request "$tmp/req" --bundle "$tmp/bundle" --commit "$tmp/m.commit" \
    --private-dataset "$tmp/c_rev.json" --labels "$tmp/labels.csv" --json --all > "$tmp/verify.json" 2>&1
agree=0 plain_correct=0
while read -r index predicted label; do
    tail -c +$((17 + index * 784)) "$tmp/images.idx" | head -c 784 > "$tmp/x.bin"
    a=$("$RS" infer --model "$M" --input "$tmp/x.bin" | sed -n 's/^argmax: \(-\?[0-9]*\).*/\1/p' | head -1)
    [ "$a" = "$predicted" ] && agree=$((agree + 1))
    [ "$a" = "$label" ] && plain_correct=$((plain_correct + 1))
done < <(python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["samples_detail"]:
    print(s["index"], s["predicted"], s["label"])' "$tmp/verify.json")
check "every proven prediction equals plain inference ($agree of $N)" [ "$agree" -eq $N ]
reported=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["correct"])' "$tmp/verify.json")
check "verified correct ($reported) = plain inference correct ($plain_correct)" [ "$reported" -eq "$plain_correct" ]
"$B" report --request "$tmp/req" --bundle "$tmp/bundle" --commit "$tmp/m.commit" \
    --private-dataset "$tmp/c_rev.json" --labels "$tmp/labels.csv" --out "$tmp/report" > "$tmp/report.log" 2>&1
check "report written" [ -s "$tmp/report/report.json" ] && [ -s "$tmp/report/report.md" ] && [ -s "$tmp/report/report.html" ]
python3 - "$tmp/report/report.json" "$plain_correct" "$N" <<'EOF' > "$tmp/rc.log" 2>&1
import json, sys
r = json.load(open(sys.argv[1]))
assert r["data"]["mode"] == "private-review", r["data"]
assert "auditor" in r["data"]["labels_source"] and r["data"]["labels_sha256"]
assert r["accuracy"]["n"] == int(sys.argv[3]) and r["accuracy"]["correct"] == int(sys.argv[2])
assert r["proofs"]["valid"] == int(sys.argv[3])
print("ok")
EOF
check "report.json: data mode private-review, accuracy as plain inference ($(tail -1 "$tmp/rc.log"))" [ "$(tail -1 "$tmp/rc.log")" = ok ]
check "report.md states the data mode" grep -q "Data mode: Private data, review flow" "$tmp/report/report.md"
check "report.html states the data mode" grep -q "Data mode: Private data, review flow" "$tmp/report/report.html"

# the auditor's labels must be exactly for the revealed items
head -n $N "$tmp/labels.csv" > "$tmp/short.csv"
"$B" verify --request "$tmp/req" --bundle "$tmp/bundle" --commit "$tmp/m.commit" \
    --private-dataset "$tmp/c_rev.json" --labels "$tmp/short.csv" > "$tmp/x.log" 2>&1
check "verify refuses labels missing an item" grep -q "no label for example" "$tmp/x.log"
{ cat "$tmp/labels.csv"; echo "99999,1"; } > "$tmp/extra.csv"
"$B" verify --request "$tmp/req" --bundle "$tmp/bundle" --commit "$tmp/m.commit" \
    --private-dataset "$tmp/c_rev.json" --labels "$tmp/extra.csv" > "$tmp/x.log" 2>&1
check "verify refuses a label for an item not revealed" grep -q "not one of the request's samples" "$tmp/x.log"

"$B" verify --request "$tmp/req" --bundle "$tmp/bundle" --commit "$tmp/m.commit" --db "$tmp/holder.db" \
    > "$tmp/x.log" 2>&1
check "verify refuses labels from a dataset index for a private request" grep -q "is of private data" "$tmp/x.log"

# ---- tampering after the commitment (review flow) ----
cr() { # REVEAL -> last line of check-reveal
    "$B" dataset check-reveal --commit "$tmp/c_rev.json" --reveal "$1" --offer "$tmp/offer.json" \
        --join "$tmp/join.json" 2>/dev/null | tail -1
}
rv flip "$tmp/reveal.bin" "$tmp/t_input.bin" input
check "a changed input byte: caught ($(cr "$tmp/t_input.bin" | cut -c1-90))" grep -q "committed input digest" <(cr "$tmp/t_input.bin")
rv flip "$tmp/reveal.bin" "$tmp/t_salt.bin" salt
check "a changed salt: caught" grep -q "does not lead to the committed root" <(cr "$tmp/t_salt.bin")
rv flip "$tmp/reveal.bin" "$tmp/t_isalt.bin" input-salt
check "a changed input salt: caught" grep -q "committed input digest" <(cr "$tmp/t_isalt.bin")
rv swap "$tmp/reveal.bin" "$tmp/t_swap.bin"
check "swapped indices: caught" grep -q "not the draw" <(cr "$tmp/t_swap.bin")
"$B" sample draw --reveal "$tmp/t_input.bin" --private-dataset "$tmp/c_rev.json" --offer "$tmp/offer.json" \
    --secret "$tmp/secret.json" --join "$tmp/join.json" --out "$tmp/x.req" > "$tmp/x.log" 2>&1
check "sample draw refuses a tampered reveal" [ $? -ne 0 ] && [ ! -e "$tmp/x.req" ]
# a reveal for other indices than the draw: the holder draws with another seller seed
"$S" sample join --offer "$tmp/offer.json" --commit "$tmp/m.commit" --out "$tmp/join_b.json" > /dev/null
"$S" dataset reveal --commit "$tmp/c_rev.json" --secrets "$tmp/s_rev.db" --db "$tmp/holder.db" \
    --offer "$tmp/offer.json" --join "$tmp/join_b.json" --seed-reveal "$tmp/secret.json" \
    --out "$tmp/other.bin" > /dev/null 2>&1
check "a reveal drawn with another seller seed: caught" grep -q "another seller seed" <(cr "$tmp/other.bin")
rv splice "$tmp/reveal.bin" "$tmp/other.bin" "$tmp/t_splice.bin"
check "a valid item of another draw spliced in: caught" grep -q "not the draw" <(cr "$tmp/t_splice.bin")
"$S" dataset reveal --commit "$tmp/c_rev.json" --secrets "$tmp/s_rev2.db" --db "$tmp/holder.db" \
    --offer "$tmp/offer.json" --join "$tmp/join.json" --seed-reveal "$tmp/secret.json" \
    --out "$tmp/no1.bin" > "$tmp/x.log" 2>&1
check "the holder cannot reveal with the salts of another commitment" grep -q "another commitment" "$tmp/x.log"
check "and writes no reveal" [ ! -e "$tmp/no1.bin" ]
cp "$tmp/secret.json" "$tmp/bad_secret.json"
python3 - "$tmp/bad_secret.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1])); s["buyer_seed"] = "00" * 32
open(sys.argv[1], "w").write(json.dumps(s))
EOF
"$S" dataset reveal --commit "$tmp/c_rev.json" --secrets "$tmp/s_rev.db" --db "$tmp/holder.db" \
    --offer "$tmp/offer.json" --join "$tmp/join.json" --seed-reveal "$tmp/bad_secret.json" \
    --out "$tmp/no2.bin" > "$tmp/x.log" 2>&1
check "reveal refuses a seed that does not open the offer's commitment" grep -q "does not open" "$tmp/x.log"
check "and writes no reveal" [ ! -e "$tmp/no2.bin" ]
# the holder changes a stored example after the commitment and makes
# everything it holds consistent again: the index (input, hash, leaf and
# root rewritten) and its own secrets file (the index root it names)
cp "$tmp/holder.db" "$tmp/changed.db"
cp "$tmp/s_rev.db" "$tmp/s_changed.db"
python3 - "$tmp/changed.db" "$tmp/s_changed.db" <<'EOF2'
import hashlib, sqlite3, struct, sys
H = lambda b: hashlib.sha256(b).digest()
db = sqlite3.connect(sys.argv[1])
row = db.execute("select input, label from examples where idx = 7").fetchone()
x = bytearray(row[0]); x[300] ^= 0xff
h = H(bytes(x))
leaf = H(b"zkaudit/dataset/leaf/v1" + struct.pack("<QI", 7, row[1]) + h)
db.execute("update examples set input = ?, input_sha256 = ?, leaf = ? where idx = 7", (bytes(x), h, leaf))
lv = [r[0] for r in db.execute("select leaf from examples order by idx")]
n, pad = len(lv), H(b"zkaudit/dataset/pad/v1")
while len(lv) > 1:
    if len(lv) % 2:
        lv.append(pad)
    lv = [H(b"zkaudit/dataset/node/v1" + lv[i] + lv[i + 1]) for i in range(0, len(lv), 2)]
    pad = H(b"zkaudit/dataset/node/v1" + pad + pad)
root = H(b"zkaudit/dataset/root/v1" + struct.pack("<Q", n) + lv[0])
db.execute("update datasets set root = ?", (root.hex(),))
db.commit()
s = sqlite3.connect(sys.argv[2])
s.execute("update commitment set dataset_root = ?", (root,))
s.commit()
EOF2
"$B" dataset verify --db "$tmp/changed.db" --name mnist > /dev/null 2>&1
check "the changed index is consistent on its own" [ $? -eq 0 ]
"$S" dataset reveal --commit "$tmp/c_rev.json" --secrets "$tmp/s_changed.db" --db "$tmp/changed.db" \
    --offer "$tmp/offer.json" --join "$tmp/join.json" --seed-reveal "$tmp/secret.json" \
    --out "$tmp/no3.bin" > "$tmp/x.log" 2>&1
check "the holder cannot reveal data changed after the commitment" \
    grep -q "no longer give the committed root" "$tmp/x.log"
check "and no reveal is written" [ ! -e "$tmp/no3.bin" ]

# a holder that never answered: the beacon round the offer named decides
"$B" sample init --private-dataset "$tmp/c_rev.json" --commit "$tmp/m.commit" --out "$tmp/offer_b.json" \
    --secret "$tmp/secret_b.json" --max-samples 8 --beacon-round round-7 > /dev/null 2>&1
"$S" dataset reveal --commit "$tmp/c_rev.json" --secrets "$tmp/s_rev.db" --db "$tmp/holder.db" \
    --offer "$tmp/offer_b.json" --beacon 00aa11 --seed-reveal "$tmp/secret_b.json" \
    --out "$tmp/reveal_b.bin" > /dev/null 2>&1
crb() {
    "$B" dataset check-reveal --commit "$tmp/c_rev.json" --reveal "$tmp/reveal_b.bin" \
        --offer "$tmp/offer_b.json" --beacon "$1" 2>/dev/null | tail -1
}
check "a beacon draw: reveal and check-reveal agree" [ "$(crb 00aa11)" = valid ]
check "a beacon draw checked with another beacon value: caught" grep -q "another beacon value" <(crb 00aa12)
"$S" dataset reveal --commit "$tmp/c_rev.json" --secrets "$tmp/s_rev.db" --db "$tmp/holder.db" \
    --offer "$tmp/offer.json" --beacon 00aa11 --seed-reveal "$tmp/secret.json" \
    --out "$tmp/no4.bin" > "$tmp/x.log" 2>&1
check "reveal refuses a beacon the offer did not name" grep -q "names no beacon round" "$tmp/x.log"

# ---- committed-labels flow ----
"$S" dataset commit-private --db "$tmp/holder.db" --out "$tmp/c_lab.json" --secrets "$tmp/s_lab.db" \
    > /dev/null 2>&1
check "commit-private with labels" grep -q '"variant": "committed-labels"' "$tmp/c_lab.json"
"$B" sample init --private-dataset "$tmp/c_lab.json" --commit "$tmp/m.commit" --out "$tmp/offer_l.json" \
    --secret "$tmp/secret_l.json" --max-samples $N > "$tmp/x.log" 2>&1
check "sample init against a committed-labels commitment" grep -q "committed labels" "$tmp/x.log"
"$S" sample join --offer "$tmp/offer_l.json" --commit "$tmp/m.commit" --out "$tmp/join_l.json" > /dev/null
"$S" dataset reveal --commit "$tmp/c_lab.json" --secrets "$tmp/s_lab.db" --db "$tmp/holder.db" \
    --offer "$tmp/offer_l.json" --join "$tmp/join_l.json" --seed-reveal "$tmp/secret_l.json" \
    --out "$tmp/reveal_l.bin" > /dev/null 2>&1
check "dataset reveal (labels only)" [ -s "$tmp/reveal_l.bin" ]
crl() {
    "$B" dataset check-reveal --commit "$tmp/c_lab.json" --reveal "$1" --offer "$tmp/offer_l.json" \
        --join "$tmp/join_l.json" --n $N 2>/dev/null | tail -1
}
check "check-reveal (committed labels): valid" [ "$(crl "$tmp/reveal_l.bin")" = valid ]
check "the reveal holds $N labels of the draw" \
    [ "$(rv summary "$tmp/reveal_l.bin" "$tmp/offer_l.json" "$tmp/secret_l.json" "$tmp/join_l.json")" = "$N ok" ]
check "the revealed labels are the committed (MNIST) ones" [ "$(rv labels "$tmp/reveal_l.bin" "$tmp/labels.idx")" = same ]
check "a labels-only reveal holds no image and no unsampled salt" \
    [ "$(rv leaks "$tmp/reveal_l.bin" "$tmp/images.idx" "$tmp/s_lab.db")" = "0 0 0" ]
check "a labels-only reveal is small ($(wc -c < "$tmp/reveal_l.bin") bytes for $N items)" \
    [ "$(wc -c < "$tmp/reveal_l.bin")" -lt $((N * 700)) ]
rv flip "$tmp/reveal_l.bin" "$tmp/t_label.bin" label
check "a changed label: caught" grep -q "does not lead to the committed root" <(crl "$tmp/t_label.bin")
rv flip "$tmp/reveal_l.bin" "$tmp/t_lsalt.bin" salt
check "a changed label salt: caught" grep -q "does not lead to the committed root" <(crl "$tmp/t_lsalt.bin")
rv swap "$tmp/reveal_l.bin" "$tmp/t_lswap.bin"
check "swapped indices (committed labels): caught" grep -q "not the draw" <(crl "$tmp/t_lswap.bin")
"$B" dataset check-reveal --commit "$tmp/c_rev.json" --reveal "$tmp/reveal_l.bin" --offer "$tmp/offer_l.json" \
    --join "$tmp/join_l.json" > "$tmp/x.log" 2>&1
check "a reveal checked against the other commitment: refused" grep -q "^invalid" "$tmp/x.log"
"$B" sample draw --reveal "$tmp/reveal_l.bin" --private-dataset "$tmp/c_lab.json" --offer "$tmp/offer_l.json" \
    --secret "$tmp/secret_l.json" --join "$tmp/join_l.json" --out "$tmp/req_l" > "$tmp/x.log" 2>&1
rc=$?
check "draw refuses the hidden-input step: exit 1, no request" [ $rc -eq 1 ] && [ ! -e "$tmp/req_l" ]
check "draw says why (zero-knowledge proofs not yet available)" \
    grep -q "hidden-input proofs need zero-knowledge proofs, not yet available" "$tmp/x.log"

echo "private_data: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
