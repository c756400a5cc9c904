#!/usr/bin/env bash
# tests/e2e/service.sh - a whole audit between `seller serve` and the buyer's
# client over HTTP on the loopback interface (127.0.0.1, a free port), on
# keras-mnist and the MNIST test set (docs/service.md):
#   - the model resources; `buyer sample init/draw --seller` and `buyer
#     fetch`, then `buyer verify` says valid;
#   - refusals, each with the server still serving afterwards: a missing or
#     wrong token (401), oversized bodies (413, declared or chunked),
#     malformed offers and requests (400), a request of another audit (400),
#     a second request for one audit (409), unknown audits and paths (404),
#     wrong methods (405), an unsatisfiable Range (416);
#   - Range requests, and a resumed download from a partial file;
#   - 50 concurrent clients, each must get the right answer;
#   - kill -9 of the server mid-proving, a restart on the same state: the
#     audit resumes and finishes, every proof valid, no batch proven twice,
#     while `buyer fetch` rides out the restart with its retries;
#   - the sanitizer-built server stops on SIGTERM without a leak report.
# The HTTP tests run the sanitizer-built tools (BIN_DIR); the kill -9 test's
# server is the release seller (REL_DIR), so its proofs take seconds.
# usage: tests/e2e/service.sh BIN_DIR REL_DIR   (prints "service: N passed, M failed")
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-build/test/bin}
REL=${2:-bin}
B=$BIN/buyer
S=$BIN/seller
RS=$REL/seller
SHARED=${ZKAUDIT_SHARED:-../shared}
N_SAMPLES=${SERVICE_SAMPLES:-40}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "service: FAIL: $*" >&2; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }

M=$SHARED/models/keras-mnist-to-tpu/mnist.tflite
D=$SHARED/datasets/mnist
if [ ! -f "$M" ] || [ ! -f "$D/t10k-images-idx3-ubyte.gz" ]; then
    echo "service: skipped: $M or the MNIST test set under $D not found"
    echo "service: 0 passed, 0 failed"
    exit 0
fi
for tool in curl python3; do
    if ! command -v $tool > /dev/null; then
        echo "service: FAIL: $tool is needed"
        echo "service: 0 passed, 1 failed"
        exit 1
    fi
done
tmp=$(mktemp -d)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null
    kill -9 $(jobs -p) 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$port
printf '# zkaudit service tokens\n%s\n' "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    > "$tmp/tokens"
TOKEN=$(sed -n 2p "$tmp/tokens")
AUTH="Authorization: Bearer $TOKEN"
STATE=$tmp/state.db
CURL_TLS=()

# start SELLER_BIN serve on the port (extra options after), wait until it answers
start_server() {
    local bin=$1; shift
    "$bin" serve --listen "127.0.0.1:$port" --model "$M" --commit "$tmp/m.commit" --db "$STATE" \
        --token-file "$tmp/tokens" "$@" >> "$tmp/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 300); do
        [ "$(code GET /v1/model)" = 200 ] && return 0
        kill -0 "$server_pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
# the HTTP status of METHOD PATH [curl options...], with the token
code() {
    local m=$1 p=$2; shift 2
    curl -s -o "$tmp/body" -w '%{http_code}' --max-time 60 "${CURL_TLS[@]}" -X "$m" -H "$AUTH" \
        "$@" "$URL$p"
}
code_noauth() {
    local m=$1 p=$2; shift 2
    curl -s -o "$tmp/body" -w '%{http_code}' --max-time 60 -X "$m" "$@" "$URL$p"
}
alive() { [ "$(code GET /v1/model)" = 200 ]; }
json() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@" 2>/dev/null; }
nb() { python3 - "$1" <<'PY'
import sqlite3, sys
try:
    print(sqlite3.connect(sys.argv[1], timeout=30).execute("select count(*) from batches").fetchone()[0])
except Exception:
    print(0)
PY
}

# ---- setup: the buyer's dataset, the seller's commitment ----
"$B" dataset import --db "$tmp/ds.db" --name mnist --idx-images "$D/t10k-images-idx3-ubyte.gz" \
    --idx-labels "$D/t10k-labels-idx1-ubyte.gz" --prep "v1;identity" > "$tmp/import.log" 2>&1
check "dataset import" [ $? -eq 0 ]
"$RS" commit-model --model "$M" --out "$tmp/m.commit" > /dev/null
check "commit-model" [ -s "$tmp/m.commit" ]

start_server "$S" --max-request-bytes 4000000
check "the sanitizer-built server starts and answers" [ $? -eq 0 ]

# ---- the model resources ----
check "GET /v1/model" [ "$(code GET /v1/model)" = 200 ]
mid=$(json "$tmp/body" model_id)
check "the model id is 64 hex digits" [ ${#mid} -eq 64 ]
check "GET /v1/model/commitment" [ "$(code GET /v1/model/commitment)" = 200 ]
check "the commitment bytes are M.commit" cmp -s "$tmp/body" "$tmp/m.commit"

# ---- authentication ----
check "no token: 401" [ "$(code_noauth GET /v1/model)" = 401 ]
check "401 is a JSON error" grep -q '"error"' "$tmp/body"
check "a wrong token: 401" [ "$(code_noauth GET /v1/model -H "Authorization: Bearer ${TOKEN}x")" = 401 ]
check "a token prefix: 401" [ "$(code_noauth GET /v1/model -H "Authorization: Bearer ${TOKEN:0:20}")" = 401 ]
check "basic auth: 401" [ "$(code_noauth GET /v1/model -u "x:$TOKEN")" = 401 ]
check "no token on POST /v1/audits: 401" [ "$(code_noauth POST /v1/audits --data-binary '{}')" = 401 ]
check "still serving after the 401s" alive

# ---- the audit through the client ----
"$B" sample init --db "$tmp/ds.db" --name mnist --commit "$tmp/m.commit" --out "$tmp/offer.json" \
    --secret "$tmp/secret.json" --max-samples "$N_SAMPLES" \
    --seller "$URL" --token-file "$tmp/tokens" --join-out "$tmp/join.json" > "$tmp/init.log" 2>&1
check "sample init --seller" [ $? -eq 0 -a -s "$tmp/join.json" ]
ID=$(sed -n 's/^audit id: //p' "$tmp/init.log")
check "init prints the audit id" [ ${#ID} -eq 32 ]
check "the join answers the offer" python3 - "$tmp/offer.json" "$tmp/join.json" <<'PY'
import hashlib, json, sys
o = open(sys.argv[1], "rb").read(); j = json.load(open(sys.argv[2]))
sys.exit(0 if j["offer_sha256"] == hashlib.sha256(o).hexdigest() else 1)
PY
check "GET /v1/audits/ID: joined" [ "$(code GET "/v1/audits/$ID")" = 200 ] && \
    [ "$(json "$tmp/body" state)" = joined ]
check "no bundle before proving: 409" [ "$(code GET "/v1/audits/$ID/bundle")" = 409 ]

# a second audit, for the cross-audit refusal below
"$B" sample init --db "$tmp/ds.db" --name mnist --commit "$tmp/m.commit" --out "$tmp/offer2.json" \
    --secret "$tmp/secret2.json" --max-samples 8 \
    --seller "$URL" --token-file "$tmp/tokens" --join-out "$tmp/join2.json" > "$tmp/init2.log" 2>&1
ID2=$(sed -n 's/^audit id: //p' "$tmp/init2.log")
check "a second audit" [ ${#ID2} -eq 32 -a "$ID2" != "$ID" ]

"$B" sample draw --db "$tmp/ds.db" --offer "$tmp/offer.json" --secret "$tmp/secret.json" \
    --join "$tmp/join.json" --out "$tmp/req" --seller "$URL" --audit "$ID" \
    --token-file "$tmp/tokens" > "$tmp/draw.log" 2>&1
check "sample draw --seller" [ $? -eq 0 ] && grep -q "^sent the request" "$tmp/draw.log"
check "the same request again: 202" [ "$(code POST "/v1/audits/$ID/request" --data-binary @"$tmp/req")" = 202 ]

# ---- malformed and refused bodies ----
check "an empty offer: 400" [ "$(code POST /v1/audits --data-binary '')" = 400 ]
check "an offer that is not JSON: 400" [ "$(code POST /v1/audits --data-binary '{')" = 400 ]
check "the 400 names the problem" grep -q '"error":"the offer' "$tmp/body"
check "an offer that is a list: 400" [ "$(code POST /v1/audits --data-binary '[1,2]')" = 400 ]
sed 's/"model_id": "[0-9a-f]*"/"model_id": "'"$(printf '0%.0s' $(seq 64))"'"/' "$tmp/offer.json" > "$tmp/offer-other.json"
check "an offer for another model: 400" [ "$(code POST /v1/audits --data-binary @"$tmp/offer-other.json")" = 400 ]
head -c 2000000 /dev/zero | tr '\0' ' ' > "$tmp/big.json"
check "a 2 MB offer: 413" [ "$(code POST /v1/audits --data-binary @"$tmp/big.json")" = 413 ]
check "a chunked 2 MB offer: 413" [ "$(code POST /v1/audits -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big.json")" = 413 ]
head -c 5000000 /dev/urandom > "$tmp/big.req"
check "a 5 MB request (cap 4 MB): 413" [ "$(code POST "/v1/audits/$ID2/request" --data-binary @"$tmp/big.req")" = 413 ]
head -c 3000 /dev/urandom > "$tmp/junk.req"
check "a request of random bytes: 400" [ "$(code POST "/v1/audits/$ID2/request" --data-binary @"$tmp/junk.req")" = 400 ]
head -c 40000 "$tmp/req" > "$tmp/cut.req"
check "a truncated request: 400" [ "$(code POST "/v1/audits/$ID2/request" --data-binary @"$tmp/cut.req")" = 400 ]
check "another audit's request: 400" [ "$(code POST "/v1/audits/$ID2/request" --data-binary @"$tmp/req")" = 400 ]
check "... because of the seller seed" grep -q 'seller seed' "$tmp/body"
"$B" sample draw --db "$tmp/ds.db" --offer "$tmp/offer2.json" --secret "$tmp/secret2.json" \
    --join "$tmp/join2.json" --out "$tmp/req2" > /dev/null 2>&1
check "a second request for audit 1: 409" [ "$(code POST "/v1/audits/$ID/request" --data-binary @"$tmp/req2")" = 409 ]
check "unknown audit: 404" [ "$(code GET "/v1/audits/$(printf '0%.0s' $(seq 32))")" = 404 ]
check "unknown audit's request: 404" [ "$(code POST "/v1/audits/$(printf 'a%.0s' $(seq 32))/request" --data-binary @"$tmp/req2")" = 404 ]
check "a malformed audit id: 404" [ "$(code GET "/v1/audits/XYZ")" = 404 ]
check "unknown path: 404" [ "$(code GET /nothing/here)" = 404 ]
check "GET /v1/audits: 405" [ "$(code GET /v1/audits)" = 405 ]
check "DELETE /v1/model: 405" [ "$(code DELETE /v1/model)" = 405 ]
check "POST /v1/audits/ID: 405" [ "$(code POST "/v1/audits/$ID" --data-binary x)" = 405 ]
check "still serving after the refusals" alive

# ---- the bundle ----
"$B" fetch --seller "$URL" --audit "$ID" --token-file "$tmp/tokens" --out "$tmp/bundle" \
    --poll 0.5 --wait 900 > "$tmp/fetch.log" 2>&1
check "buyer fetch" [ $? -eq 0 -a -s "$tmp/bundle" ]
check "fetch showed the progress" grep -q "batches proven" "$tmp/fetch.log"
"$B" verify --request "$tmp/req" --bundle "$tmp/bundle" --commit "$tmp/m.commit" --db "$tmp/ds.db" \
    > "$tmp/verify.log" 2>&1
check "verify: every proof valid" [ $? -eq 0 -a "$(tail -1 "$tmp/verify.log")" = valid ]
size=$(stat -c %s "$tmp/bundle")
check "Range: bytes=1000-: 206" [ "$(code GET "/v1/audits/$ID/bundle" -H 'Range: bytes=1000-')" = 206 ]
check "... and the bytes are the bundle's tail" cmp -s "$tmp/body" <(tail -c +1001 "$tmp/bundle")
check "Range: bytes=10-19: 10 bytes" [ "$(code GET "/v1/audits/$ID/bundle" -H 'Range: bytes=10-19')" = 206 ] && \
    [ "$(stat -c %s "$tmp/body")" = 10 ]
check "Range past the end: 416" [ "$(code GET "/v1/audits/$ID/bundle" -H "Range: bytes=$size-")" = 416 ]
head -c 3000 "$tmp/bundle" > "$tmp/bundle2.part"
"$B" fetch --seller "$URL" --audit "$ID" --token-file "$tmp/tokens" --out "$tmp/bundle2" \
    > "$tmp/fetch2.log" 2>&1
check "a resumed download is the same bundle" cmp -s "$tmp/bundle" "$tmp/bundle2"
check "... and the part file is gone" [ ! -e "$tmp/bundle2.part" ]
head -c 3000 /dev/urandom > "$tmp/bundle3.part"
"$B" fetch --seller "$URL" --audit "$ID" --token-file "$tmp/tokens" --out "$tmp/bundle3" \
    > "$tmp/fetch3.log" 2>&1
rc3=$?
check "a corrupt part file is refused by the SHA-256" \
    bash -c '[ "$1" -ne 0 ] && [ ! -e "$2" ] && grep -q "SHA-256" "$3"' _ "$rc3" "$tmp/bundle3" "$tmp/fetch3.log"
"$B" fetch --seller "$URL" --audit "$(printf '0%.0s' $(seq 32))" --token-file "$tmp/tokens" \
    --out "$tmp/none" > "$tmp/fetch4.log" 2>&1
check "fetch of an unknown audit fails at once with the 404" [ $? -ne 0 ] && grep -q "HTTP 404" "$tmp/fetch4.log"

# ---- 50 concurrent clients ----
mkdir -p "$tmp/many"
for i in $(seq 1 50); do
    if [ $((i % 2)) -eq 0 ]; then p=/v1/audits/$ID; else p=/v1/model; fi
    curl -s --max-time 60 -H "$AUTH" -o "$tmp/many/$i.json" -w '%{http_code}' "$URL$p" \
        > "$tmp/many/$i.code" 2>/dev/null &
done
for _ in $(seq 1 600); do
    [ -z "$(jobs -p | grep -v "^$server_pid\$")" ] && break
    sleep 0.1
done
good=0
for i in $(seq 1 50); do
    if [ $((i % 2)) -eq 0 ]; then
        [ "$(cat "$tmp/many/$i.code")" = 200 ] && [ "$(json "$tmp/many/$i.json" audit)" = "$ID" ] && \
            [ "$(json "$tmp/many/$i.json" state)" = done ] && good=$((good + 1))
    else
        [ "$(cat "$tmp/many/$i.code")" = 200 ] && [ "$(json "$tmp/many/$i.json" model_id)" = "$mid" ] && \
            good=$((good + 1))
    fi
done
check "50 concurrent clients all answered correctly ($good)" [ "$good" -eq 50 ]
check "still serving after the crowd" alive

# ---- the sanitizer-built server stops cleanly ----
kill -TERM "$server_pid"
for _ in $(seq 1 300); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$server_pid" 2>/dev/null && kill -9 "$server_pid" # did not stop in 30 s: fails below
wait "$server_pid"
rc=$?
server_pid=
check "SIGTERM: the server exits 0 ($rc)" [ "$rc" -eq 0 ]
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$tmp/serve.log'"

# ---- kill -9 mid-proving, restart, resume ----
start_server "$RS" --batch-size 4
check "the release server starts on the same state" [ $? -eq 0 ]
"$B" sample init --db "$tmp/ds.db" --name mnist --commit "$tmp/m.commit" --out "$tmp/offer3.json" \
    --secret "$tmp/secret3.json" --max-samples "$N_SAMPLES" \
    --seller "$URL" --token-file "$tmp/tokens" --join-out "$tmp/join3.json" > "$tmp/init3.log" 2>&1
ID3=$(sed -n 's/^audit id: //p' "$tmp/init3.log")
"$B" sample draw --db "$tmp/ds.db" --offer "$tmp/offer3.json" --secret "$tmp/secret3.json" \
    --join "$tmp/join3.json" --out "$tmp/req3" --seller "$URL" --audit "$ID3" \
    --token-file "$tmp/tokens" > "$tmp/draw3.log" 2>&1
check "the third audit is queued" [ $? -eq 0 -a ${#ID3} -eq 32 ]
"$B" fetch --seller "$URL" --audit "$ID3" --token-file "$tmp/tokens" --out "$tmp/bundle-k" \
    --poll 0.2 --wait 900 --tries 10 > "$tmp/fetch-k.log" 2>&1 &
fetch_pid=$!
BUNDLE3=$STATE.files/$ID3.bundle
total=$(( (N_SAMPLES + 3) / 4 ))
for _ in $(seq 1 600); do
    [ "$(nb "$BUNDLE3")" -ge 2 ] && break
    sleep 0.1
done
{ kill -9 "$server_pid"; wait "$server_pid"; } 2>/dev/null
server_pid=
before=$(nb "$BUNDLE3")
check "some batches were proven before the kill ($before of $total)" [ "$before" -ge 1 -a "$before" -lt "$total" ]
sleep 1
start_server "$RS" --batch-size 4
check "the server restarts after kill -9" [ $? -eq 0 ]
check "the restart re-queues the audit" grep -q "resuming 1 unfinished audit" "$tmp/serve.log"
for _ in $(seq 1 1200); do kill -0 $fetch_pid 2>/dev/null || break; sleep 0.1; done
kill -0 $fetch_pid 2>/dev/null && kill -9 $fetch_pid # still waiting after 120 s: fails below
wait $fetch_pid
check "buyer fetch rode out the restart" [ $? -eq 0 -a -s "$tmp/bundle-k" ]
check "the resumed job skipped the $before proven batches" \
    grep -q "audit $ID3: done ([0-9]* samples proven now, $before batches skipped)" "$tmp/serve.log"
check "the bundle has every batch once ($(nb "$tmp/bundle-k") of $total)" [ "$(nb "$tmp/bundle-k")" -eq "$total" ]
"$B" verify --request "$tmp/req3" --bundle "$tmp/bundle-k" --commit "$tmp/m.commit" --db "$tmp/ds.db" \
    > "$tmp/verify3.log" 2>&1
check "verify after the crash: every proof valid" [ $? -eq 0 -a "$(tail -1 "$tmp/verify3.log")" = valid ]
check "the first audit survived the restarts" [ "$(code GET "/v1/audits/$ID")" = 200 ] && \
    [ "$(json "$tmp/body" state)" = done ]

# ---- https ----
if command -v openssl > /dev/null; then
    kill -TERM "$server_pid"
    for _ in $(seq 1 300); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
        -days 1 -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" > /dev/null 2>&1
    URL=https://127.0.0.1:$port
    CURL_TLS=(--cacert "$tmp/cert.pem")
    start_server "$RS" --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
    check "the server starts with TLS" [ $? -eq 0 ]
    check "https: GET /v1/model" [ "$(code GET /v1/model)" = 200 ]
    check "https: an untrusted certificate is refused by the client" \
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H "$AUTH" "$URL/v1/model")" = 000 ]
    "$B" fetch --seller "$URL" --audit "$ID" --token-file "$tmp/tokens" --out "$tmp/bundle-tls" \
        --cacert "$tmp/cert.pem" > "$tmp/fetch-tls.log" 2>&1
    check "https: buyer fetch gets the same bundle" cmp -s "$tmp/bundle" "$tmp/bundle-tls"
else
    echo "service: https tests skipped: no openssl"
fi

if [ "$fail" -ne 0 ]; then
    echo "service: the server's log:" >&2
    tail -40 "$tmp/serve.log" >&2
fi
echo "service: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
