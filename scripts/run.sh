#!/usr/bin/env bash
# Builds the web app and the server and runs Strongroom on the embedded default: SQLite in
# ./data, listening on 127.0.0.1 (STRONGROOM_BIND to change). Prints the URL. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

say "Building the web app (scripts/build-web.sh)"
scripts/build-web.sh

say "Building the server"
cargo build -p backend --bin strongroom

export STRONGROOM_STATIC_DIR="${STRONGROOM_STATIC_DIR:-$PWD/dist}"
export STRONGROOM_DATA_DIR="${STRONGROOM_DATA_DIR:-$PWD/data}"
say "Starting Strongroom (data in $STRONGROOM_DATA_DIR)"
exec "$CARGO_TARGET_DIR/debug/strongroom" "$@"
