# tests/bitexact/common.sh - shared helpers of the bit-exactness scripts.
# Sourced, not run.  Sets SHARED (the ../shared folder) and ORACLE_DIR.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED=${ZKAUDIT_SHARED:-$ROOT/../shared}
ORACLE_DIR=${ZKAUDIT_ORACLE_DIR:-$ROOT/build/oracle/tflite_ref}

have_shared() { [ -f "$SHARED/golden/outputs.tsv" ] && [ -d "$SHARED/models" ]; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# oracle_ready: 0 if the TFLite oracle is installed under build/oracle.
oracle_ready() {
    command -v node >/dev/null 2>&1 && [ -d "$ORACLE_DIR/node_modules/@tensorflow/tfjs-tflite" ]
}
