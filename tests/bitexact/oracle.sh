#!/usr/bin/env bash
# tests/bitexact/oracle.sh setup - install the TFLite oracle (shared/tools/tflite_ref)
# into build/oracle: it is copied out of ../shared (which may be read-only) and its
# npm dependencies are installed from the lock file.
set -euo pipefail
. "$(dirname "$0")/common.sh"
case "${1:-}" in
setup)
    if ! have_shared; then echo "oracle: $SHARED not found; skipped"; exit 0; fi
    if oracle_ready; then echo "oracle: ready in $ORACLE_DIR"; exit 0; fi
    command -v npm >/dev/null || { echo "oracle: npm is not installed" >&2; exit 1; }
    rm -rf "$ORACLE_DIR"
    mkdir -p "$(dirname "$ORACLE_DIR")"
    cp -r "$SHARED/tools/tflite_ref" "$ORACLE_DIR"
    chmod -R u+w "$ORACLE_DIR"
    (cd "$ORACLE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    echo "oracle: installed in $ORACLE_DIR"
    ;;
*) echo "usage: $0 setup" >&2; exit 2 ;;
esac
