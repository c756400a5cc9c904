#!/usr/bin/env bash
# tools/demo.sh - make demo: a whole accuracy audit between a buyer and a
# seller, on the project's own int8 Fashion-MNIST model (models/demo, made by
# `make demo-model`) and the Fashion-MNIST test set (Debian's
# dataset-fashion-mnist):
#   buyer:  import and commit the test set, plan +-5% at 95% for N = 10,000,
#           fix the audit and commit to a seed;
#   seller: commit to the model, answer with its seed;
#   buyer:  reveal, draw the sample, send the request;
#   seller: prove every sampled prediction (a resumable bundle);
#   buyer:  verify every proof and write reports/demo/report.{json,md,html}.
# The two parties' files live in build/demo/{buyer,seller}: only the offer,
# the join, the request and the bundle cross between them.
set -euo pipefail
cd "$(dirname "$0")/.."
B=bin/buyer
S=bin/seller
FM=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
MODEL=models/demo/fashion_cnn.tflite
OUT=reports/demo
W=build/demo
for f in "$FM/t10k-images-idx3-ubyte.gz" "$FM/t10k-labels-idx1-ubyte.gz" "$MODEL"; do
    [ -f "$f" ] || { echo "demo: $f not found (make deps installs dataset-fashion-mnist)"; exit 1; }
done
rm -rf "$W"
mkdir -p "$W/buyer" "$W/seller" "$OUT"
t0=$(date +%s)
say() { printf '\n== %s\n' "$*"; }

say "buyer: import the Fashion-MNIST test set into a committed index"
# the demo model's input is int8 with scale 1/255 and zero point -128: a
# pixel x becomes x - 128 (docs/demo-model.md)
$B dataset import --db "$W/buyer/datasets.db" --name fashion-test \
    --idx-images "$FM/t10k-images-idx3-ubyte.gz" --idx-labels "$FM/t10k-labels-idx1-ubyte.gz" \
    --prep "v1;dtype=int8;scale=0x3b808081;zp=-128;real=x/255;layout=nhwc" \
    --label-names "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot" | grep -E "^(examples|root|label counts)"

say "seller: commit to the model: private, so every proof is zero-knowledge (the weights stay with the seller)"
$S commit-model --model "$MODEL" --out "$W/seller/model.commit" | grep -E "^(model id|private)"
cp "$W/seller/model.commit" "$W/buyer/model.commit" # public

say "buyer: how many samples does +-5% at 95% need on 10,000 items?"
$B plan --margin 0.05 --confidence 0.95 --test-set-size 10000 | grep -E "^(hoeffding-one|clopper|hypergeometric|recommended|against)"

say "buyer: fix the audit, commit to a secret seed"
$B sample init --db "$W/buyer/datasets.db" --name fashion-test --commit "$W/buyer/model.commit" \
    --margin 0.05 --confidence 0.95 --out "$W/buyer/offer.json" --secret "$W/buyer/secret.json" | head -2
cp "$W/buyer/offer.json" "$W/seller/offer.json"

say "seller: answer with its own random seed"
$S sample join --offer "$W/seller/offer.json" --commit "$W/seller/model.commit" \
    --out "$W/seller/join.json" | tail -1
cp "$W/seller/join.json" "$W/buyer/join.json"

say "buyer: reveal the seed, draw the sample, write the request"
$B sample draw --db "$W/buyer/datasets.db" --offer "$W/buyer/offer.json" \
    --secret "$W/buyer/secret.json" --join "$W/buyer/join.json" --out "$W/buyer/request.zkreq"
cp "$W/buyer/request.zkreq" "$W/seller/request.zkreq"

say "seller: prove every sampled prediction"
$S prove-batch --request "$W/seller/request.zkreq" --offer "$W/seller/offer.json" \
    --join "$W/seller/join.json" --model "$MODEL" --commit "$W/seller/model.commit" --batch-size 16 --out "$W/seller/bundle.db"
cp "$W/seller/bundle.db" "$W/buyer/bundle.db"

say "buyer: verify every proof"
$B verify --request "$W/buyer/request.zkreq" --bundle "$W/buyer/bundle.db" \
    --commit "$W/buyer/model.commit" --db "$W/buyer/datasets.db" | tail -3

say "buyer: the report"
$B report --db "$W/buyer/datasets.db" --request "$W/buyer/request.zkreq" \
    --bundle "$W/buyer/bundle.db" --commit "$W/buyer/model.commit" --out "$OUT"
t1=$(date +%s)
printf "\ndemo: the whole audit took %d s; open %s/report.html\n" $((t1 - t0)) "$OUT"
echo "demo: the proofs are sound and zero-knowledge: the model commitment is private (docs/zero-knowledge.md)"
