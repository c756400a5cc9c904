#!/usr/bin/env bash
# tools/install_deps.sh - install the Debian packages zkaudit needs (make deps).
# Installs only what is missing; needs root (or sudo) when something is missing.
# Why each one is here: docs/dependencies.md.
set -euo pipefail
pkgs=(
    gcc make pkg-config
    libssl-dev          # SHA-256 (and later randomness)
    libjansson-dev      # JSON output (inspect/infer --json, manifests)
    zlib1g-dev          # gzip'd datasets (MNIST IDX .gz)
    libgmp-dev          # exact big-number test oracle
    libcmocka-dev       # unit tests
    libsqlite3-dev      # dataset index and journals
    libcurl4-openssl-dev # downloads and buyer-seller transport
    libmicrohttpd-dev   # the seller's HTTP(S) service (seller serve)
    curl openssl        # tests/e2e/service.sh: raw HTTP requests, a self-signed certificate
    libpng-dev libjpeg62-turbo-dev # image-folder datasets (PNG, JPEG)
    dataset-fashion-mnist # the demo's dataset (and importer tests)
    python3             # a local HTTP server for the URL-import tests
    clang libclang-rt-14-dev # libFuzzer (make fuzz)
    libopenmpi-dev openmpi-bin # optional: prove-batch under mpirun (docs/scale-out.md)
)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all ${#pkgs[@]} packages present"
    exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
