#!/usr/bin/env bash
# tests/e2e/dataset.sh - `buyer dataset ...` end to end, through the
# (sanitizer-built) tool:
#   - MNIST test set from ../shared by path and by file:// URL: 10,000
#     examples, the known label counts, the same root both times;
#   - Fashion-MNIST test set (Debian's dataset-fashion-mnist): 1,000 per class;
#     the 60,000-image training set too unless DATASET_SKIP_TRAIN=1 (timed);
#   - a local HTTP server (python3 -m http.server on a free port): import from
#     http://127.0.0.1, a wrong --sha256 refused leaving nothing behind, a 404
#     a clear error, a closed port retried then a clear error, HTTP 503 twice
#     then the file: retried and imported;
#   - tampering (python3's sqlite3): one example's bytes and another's label
#     -> verify exits 1 naming both, and the recomputed root differs;
#   - prove-inclusion / check-inclusion: valid, and invalid for another
#     example's bytes, another index, another label, another root;
#   - malformed IDX (truncated, wrong magic, label/image count mismatch): a
#     clear error each, the index unchanged.
# usage: tests/e2e/dataset.sh [BIN_DIR]  (default build/test/bin)
# Ends with exactly one line "dataset: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-build/test/bin}
B=$BIN/buyer
SHARED=${ZKAUDIT_SHARED:-../shared}
MNIST=$SHARED/datasets/mnist
FASHION=/usr/share/datasets/fashion-mnist
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "dataset: FAIL: $*" >&2; }
finish() {
    echo "dataset: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}
if [ ! -x "$B" ]; then
    bad "$B is not an executable file"
    finish
fi
tmp=$(mktemp -d)
server_pid= flaky_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    [ -n "$flaky_pid" ] && kill "$flaky_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

labels_of() { grep '^label counts:' "$1" | sed 's/^label counts: *//'; }
root_of() { grep '^root:' "$1" | awk '{print $2}'; }
count_of() { grep '^examples:' "$1" | awk '{print $2}'; }
n_datasets() { "$B" dataset list --db "$1" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

MNIST_COUNTS="980 1135 1032 1010 982 892 958 1028 974 1009"
db=$tmp/index.db
mnist_root=

# ---- MNIST by path and by file:// URL ----
if [ -f "$MNIST/t10k-images-idx3-ubyte.gz" ]; then
    img=$MNIST/t10k-images-idx3-ubyte.gz lab=$MNIST/t10k-labels-idx1-ubyte.gz
    if "$B" dataset import --db "$db" --name mnist --idx-images "$img" --idx-labels "$lab" \
        > "$tmp/m1.out" 2> "$tmp/m1.err"; then
        [ "$(count_of "$tmp/m1.out")" = 10000 ] && [ "$(labels_of "$tmp/m1.out")" = "$MNIST_COUNTS" ] &&
            ok || bad "mnist by path: $(count_of "$tmp/m1.out") examples, labels $(labels_of "$tmp/m1.out")"
    else
        bad "mnist by path: $(tail -1 "$tmp/m1.err")"
    fi
    absimg=$(cd "$(dirname "$img")" && pwd)/$(basename "$img")
    abslab=$(cd "$(dirname "$lab")" && pwd)/$(basename "$lab")
    if "$B" dataset import --db "$db" --name mnist-url --idx-images "file://$absimg" \
        --idx-labels "file://$abslab" > "$tmp/m2.out" 2> "$tmp/m2.err"; then
        [ "$(count_of "$tmp/m2.out")" = 10000 ] && [ "$(labels_of "$tmp/m2.out")" = "$MNIST_COUNTS" ] &&
            ok || bad "mnist by file:// URL: wrong counts"
        mnist_root=$(root_of "$tmp/m1.out")
        [ -n "$mnist_root" ] && [ "$mnist_root" = "$(root_of "$tmp/m2.out")" ] &&
            [ "$("$B" dataset commit --db "$db" --name mnist-url)" = "$mnist_root" ] &&
            ok || bad "mnist: the two imports give different roots"
        grep -q "file://$absimg" "$tmp/m2.out" && ok || bad "mnist by URL: the source URL is not recorded"
        sha=$(sha256sum "$img" | cut -d' ' -f1)
        grep -q "$sha" "$tmp/m2.out" && ok || bad "mnist by URL: the images' sha256 is not recorded"
    else
        bad "mnist by file:// URL: $(tail -1 "$tmp/m2.err")"
    fi
    "$B" dataset verify --db "$db" --name mnist > "$tmp/v0.out" && ok || bad "mnist: verify of an untouched import"
else
    echo "dataset: MNIST skipped: $MNIST not found"
fi

# ---- Fashion-MNIST ----
if [ -f "$FASHION/t10k-images-idx3-ubyte.gz" ]; then
    if "$B" dataset import --db "$db" --name fashion-test --idx-images "$FASHION/t10k-images-idx3-ubyte.gz" \
        --idx-labels "$FASHION/t10k-labels-idx1-ubyte.gz" > "$tmp/f1.out" 2> "$tmp/f1.err"; then
        [ "$(count_of "$tmp/f1.out")" = 10000 ] &&
            [ "$(labels_of "$tmp/f1.out")" = "1000 1000 1000 1000 1000 1000 1000 1000 1000 1000" ] &&
            ok || bad "fashion test: wrong counts"
    else
        bad "fashion test: $(tail -1 "$tmp/f1.err")"
    fi
    if [ "${DATASET_SKIP_TRAIN:-0}" != 1 ]; then
        t0=$(date +%s.%N)
        if "$B" dataset import --db "$tmp/train.db" --name fashion-train \
            --idx-images "$FASHION/train-images-idx3-ubyte.gz" \
            --idx-labels "$FASHION/train-labels-idx1-ubyte.gz" > "$tmp/f2.out" 2> "$tmp/f2.err"; then
            t1=$(date +%s.%N)
            printf "dataset: fashion-mnist train (60,000) imported in %.2f s by %s\n" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$B"
            [ "$(count_of "$tmp/f2.out")" = 60000 ] &&
                [ "$(labels_of "$tmp/f2.out")" = "6000 6000 6000 6000 6000 6000 6000 6000 6000 6000" ] &&
                ok || bad "fashion train: wrong counts"
        else
            bad "fashion train: $(tail -1 "$tmp/f2.err")"
        fi
    fi
    # label names: IDX files carry none, --label-names gives them
    names="T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot"
    "$B" dataset import --db "$tmp/names.db" --name f --idx-images "$FASHION/t10k-images-idx3-ubyte.gz" \
        --idx-labels "$FASHION/t10k-labels-idx1-ubyte.gz" --label-names "$names" > /dev/null 2>&1 &&
        "$B" dataset show --db "$tmp/names.db" --name f --json | grep -q '"Ankle boot"' &&
        ok || bad "--label-names not recorded"
    "$B" dataset import --db "$tmp/names.db" --name g --idx-images "$FASHION/t10k-images-idx3-ubyte.gz" \
        --idx-labels "$FASHION/t10k-labels-idx1-ubyte.gz" --label-names "a,b" > /dev/null 2> "$tmp/names.err"
    [ $? -ne 0 ] && grep -q "gives 2 names, the dataset has 10" "$tmp/names.err" &&
        ! "$B" dataset show --db "$tmp/names.db" --name g > /dev/null 2>&1 &&
        ok || bad "--label-names with the wrong count was not refused cleanly"
else
    echo "dataset: Fashion-MNIST skipped: $FASHION not found (Debian package dataset-fashion-mnist)"
fi

# ---- a small IDX set written here (used by the HTTP, tamper and malformed checks) ----
python3 - "$tmp" <<'EOF'
import gzip, struct, sys
d = sys.argv[1]
n, r, c = 50, 4, 6
img = struct.pack('>IIII', 0x803, n, r, c) + bytes((i * 7 + 3) % 256 for i in range(n * r * c))
lab = struct.pack('>II', 0x801, n) + bytes(i % 10 for i in range(n))
open(d + '/small-img', 'wb').write(img)
open(d + '/small-lab', 'wb').write(lab)
gzip.open(d + '/small-img.gz', 'wb').write(img)
gzip.open(d + '/small-lab.gz', 'wb').write(lab)
open(d + '/trunc-img', 'wb').write(img[:-5])
open(d + '/magic-img', 'wb').write(struct.pack('>I', 0x802) + img[4:])
open(d + '/few-lab', 'wb').write(struct.pack('>II', 0x801, n - 1) + lab[8:-1])
EOF
S=$tmp/small-img SL=$tmp/small-lab
"$B" dataset import --db "$db" --name small --idx-images "$S" --idx-labels "$SL" > "$tmp/s.out" 2>&1 &&
    ok || bad "small: $(tail -1 "$tmp/s.out")"
small_root=$(root_of "$tmp/s.out")

# ---- HTTP ----
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$tmp" && exec python3 -m http.server "$port" --bind 127.0.0.1 > "$tmp/http.log" 2>&1) &
server_pid=$!
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
    sleep 0.1
done
url=http://127.0.0.1:$port
good_sha=$(sha256sum "$tmp/small-img.gz" | cut -d' ' -f1)
if "$B" dataset import --db "$db" --name small-http --idx-images "$url/small-img.gz" \
    --idx-labels "$url/small-lab.gz" --images-sha256 "$good_sha" > "$tmp/h1.out" 2> "$tmp/h1.err"; then
    [ "$(root_of "$tmp/h1.out")" = "$small_root" ] && ok || bad "http: another root than the path import"
else
    bad "http import: $(tail -1 "$tmp/h1.err")"
fi
before=$(n_datasets "$db")
# every file but the logs of this script (*.out, *.err)
files() { ls "$tmp" | grep -v '\.out$\|\.err$' | sort; }
files_before=$(files)
wrong=0000000000000000000000000000000000000000000000000000000000000000
if "$B" dataset import --db "$db" --name small-wrong --idx-images "$url/small-img.gz" \
    --idx-labels "$url/small-lab.gz" --images-sha256 "$wrong" > /dev/null 2> "$tmp/h2.err"; then
    bad "http: a wrong --images-sha256 was accepted"
else
    grep -q "expected $wrong, got $good_sha" "$tmp/h2.err" && [ "$(n_datasets "$db")" = "$before" ] &&
        [ "$(files)" = "$files_before" ] && ok ||
        bad "http: wrong sha256: message '$(tail -1 "$tmp/h2.err")' or something left behind"
fi
# a fresh index file is not even created
"$B" dataset import --db "$tmp/never.db" --name x --idx-images "$url/small-img.gz" \
    --idx-labels "$url/small-lab.gz" --images-sha256 "$wrong" > /dev/null 2>&1
[ ! -e "$tmp/never.db" ] && ok || bad "http: a refused import left an index file"
if "$B" dataset import --db "$db" --name small-404 --idx-images "$url/nothing-here.gz" \
    --idx-labels "$url/small-lab.gz" > /dev/null 2> "$tmp/h3.err"; then
    bad "http: a 404 was accepted"
else
    grep -q "HTTP error 404" "$tmp/h3.err" && [ "$(n_datasets "$db")" = "$before" ] && ok ||
        bad "http 404: message '$(tail -1 "$tmp/h3.err")'"
fi
kill "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
server_pid=
# the server is gone: connection refused is retried with backoff, then a clear error
if "$B" dataset import --db "$db" --name small-gone --idx-images "$url/small-img.gz" \
    --idx-labels "$url/small-lab.gz" > /dev/null 2> "$tmp/h4.err"; then
    bad "http: import from a closed port succeeded"
else
    [ "$(grep -c 'retrying' "$tmp/h4.err")" -eq 3 ] && grep -q 'after retries' "$tmp/h4.err" &&
        [ "$(n_datasets "$db")" = "$before" ] && ok ||
        bad "http: closed port: $(tail -1 "$tmp/h4.err")"
fi

# a server answering 503 to the first two requests for the images: retried, then imported
fport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 - "$fport" "$tmp" > "$tmp/flaky.log" 2>&1 <<'EOF' &
import http.server, os, sys
port, root = int(sys.argv[1]), sys.argv[2]
failed = {"n": 0}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/ping":
            self.send_response(200)
            self.end_headers()
            return
        if self.path == "/small-img.gz" and failed["n"] < 2:
            failed["n"] += 1
            self.send_response(503)
            self.end_headers()
            return
        data = open(os.path.join(root, os.path.basename(self.path)), "rb").read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
flaky_pid=$!
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$fport/ping" 2>/dev/null && break
    sleep 0.1
done
if "$B" dataset import --db "$db" --name small-flaky --idx-images "http://127.0.0.1:$fport/small-img.gz" \
    --idx-labels "http://127.0.0.1:$fport/small-lab.gz" > "$tmp/fl.out" 2> "$tmp/fl.err"; then
    [ "$(grep -c 'server error; retrying' "$tmp/fl.err")" -eq 2 ] &&
        [ "$(root_of "$tmp/fl.out")" = "$small_root" ] && ok ||
        bad "http 503: $(grep -c retrying "$tmp/fl.err") retries, root $(root_of "$tmp/fl.out")"
else
    bad "http 503 twice, then 200: $(tail -1 "$tmp/fl.err")"
fi
kill "$flaky_pid" 2>/dev/null
wait "$flaky_pid" 2>/dev/null
flaky_pid=

# ---- inclusion proofs ----
count=50
"$B" dataset prove-inclusion --db "$db" --name small --index 17 --out "$tmp/p17" > /dev/null &&
    "$B" dataset example --db "$db" --name small --index 17 --out "$tmp/e17" > /dev/null &&
    "$B" dataset example --db "$db" --name small --index 18 --out "$tmp/e18" > /dev/null ||
    bad "prove-inclusion / example failed"
check() { "$B" dataset check-inclusion --root "$small_root" --count $count --proof "$tmp/p17" "$@"; }
check --index 17 > "$tmp/c1.out" && grep -q '^valid: example 17 (label 7' "$tmp/c1.out" && ok ||
    bad "check-inclusion of a good proof: $(cat "$tmp/c1.out")"
check --index 17 --label 7 --input "$tmp/e17" > /dev/null && ok || bad "check-inclusion with --label --input"
check --index 17 --label 7 --input "$tmp/e18" > "$tmp/c2.out"; [ $? -eq 1 ] && grep -q '^invalid' "$tmp/c2.out" &&
    ok || bad "check-inclusion accepted another example's bytes"
check --index 18 > "$tmp/c3.out"; [ $? -eq 1 ] && ok || bad "check-inclusion accepted another index"
check --index 17 --label 3 > /dev/null; [ $? -eq 1 ] && ok || bad "check-inclusion accepted another label"
"$B" dataset check-inclusion --root "${mnist_root:-$wrong}" --count $count --index 17 --proof "$tmp/p17" > /dev/null
[ $? -eq 1 ] && ok || bad "check-inclusion accepted another root"
# a proof with one flipped hex digit
sed 's/^\(.\{200\}\)./\1x/' "$tmp/p17" | tr x 0 > "$tmp/p17bad"
cmp -s "$tmp/p17" "$tmp/p17bad" && sed -i 's/^\(.\{200\}\)./\11/' "$tmp/p17bad"
"$B" dataset check-inclusion --root "$small_root" --count $count --index 17 --proof "$tmp/p17bad" > /dev/null
[ $? -ne 0 ] && ok || bad "check-inclusion accepted a changed proof"

# ---- tampering ----
cp "$db" "$tmp/tamper.db"
python3 - "$tmp/tamper.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
ds = c.execute("SELECT id FROM datasets WHERE name = 'small'").fetchone()[0]
blob = bytearray(c.execute("SELECT input FROM examples WHERE dataset_id = ? AND idx = 5", (ds,)).fetchone()[0])
blob[3] ^= 0xff
c.execute("UPDATE examples SET input = ? WHERE dataset_id = ? AND idx = 5", (bytes(blob), ds))
c.execute("UPDATE examples SET label = (label + 1) % 10 WHERE dataset_id = ? AND idx = 31", (ds,))
c.commit()
EOF
"$B" dataset verify --db "$tmp/tamper.db" --name small > "$tmp/t.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q '^example 5: input bytes changed' "$tmp/t.out" &&
    grep -q '^example 31: label or input hash changed' "$tmp/t.out" &&
    grep -q '^root: the recomputed root .* differs from the stored root' "$tmp/t.out" && ok ||
    bad "verify after tampering (exit $rc): $(cat "$tmp/t.out")"
new_root=$("$B" dataset verify --db "$tmp/tamper.db" --name small --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["recomputed_root"])')
[ -n "$new_root" ] && [ "$new_root" != "$small_root" ] && ok || bad "tampering did not change the root"
"$B" dataset prove-inclusion --db "$tmp/tamper.db" --name small --index 2 > /dev/null 2>&1
[ $? -ne 0 ] && ok || bad "prove-inclusion on a tampered dataset"
"$B" dataset verify --db "$db" --name small > /dev/null && ok || bad "verify of the untampered copy"

# ---- malformed IDX: a clear error each, the index unchanged ----
before=$(n_datasets "$db")
cp "$db" "$tmp/before.db"
malformed() {
    local what=$1 want=$2 name=$3; shift 3
    if "$B" dataset import --db "$db" --name "$name" "$@" > /dev/null 2> "$tmp/bad.err"; then
        bad "malformed ($what) accepted"
    elif ! grep -q "$want" "$tmp/bad.err"; then
        bad "malformed ($what): message '$(tail -1 "$tmp/bad.err")' lacks '$want'"
    elif [ "$(n_datasets "$db")" != "$before" ]; then
        bad "malformed ($what): the index changed"
    else
        ok
    fi
}
malformed truncated "truncated at byte 1211" broken --idx-images "$tmp/trunc-img" --idx-labels "$SL"
malformed "wrong magic" "bad magic 0x00000802" broken --idx-images "$tmp/magic-img" --idx-labels "$SL"
malformed "count mismatch" "49 labels, but .* has 50 images" broken --idx-images "$S" --idx-labels "$tmp/few-lab"
malformed "swapped files" "this is a label file" broken --idx-images "$SL" --idx-labels "$S"
malformed "name taken" "already exists" small --idx-images "$S" --idx-labels "$SL"
"$B" dataset import --db "$tmp/never2.db" --name x --idx-images "$tmp/trunc-img" --idx-labels "$SL" > /dev/null 2>&1
[ ! -e "$tmp/never2.db" ] && ok || bad "a failed import left a new index file"
# foreign files
echo "not a database at all, just some text to fill a page" > "$tmp/text.db"
"$B" dataset list --db "$tmp/text.db" 2> "$tmp/fx.err" > /dev/null
grep -q "not a zkaudit dataset index" "$tmp/fx.err" && ok || bad "a text file as index: $(cat "$tmp/fx.err")"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=7'); c.commit()" "$tmp/before.db"
"$B" dataset list --db "$tmp/before.db" 2> "$tmp/fx.err" > /dev/null
grep -q "schema version 7, newer" "$tmp/fx.err" && ok || bad "a newer schema: $(cat "$tmp/fx.err")"
# every --help exits 0
for c in import list show commit verify example prove-inclusion check-inclusion; do
    "$B" dataset $c --help > /dev/null || bad "dataset $c --help"
done
ok

finish
