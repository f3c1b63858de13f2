#!/usr/bin/env bash
# The release web build (Trunk, into dist/), reproducible: two builds of the same commit with
# the same toolchain give byte-identical files, wherever the checkout, the Cargo home and the
# target folder are (paths in panic locations are written as /cargo/... and /target/...). Prints each file's
# SHA-256 at the end, so an operator can compare what they serve with what was released.
# Arguments go to `trunk build`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Cargo passes dependency paths as it resolved them: map the Cargo home both as given and with
# symbolic links resolved.
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
resolved_home="$(cd "$cargo_home" && pwd -P)"
flags="--remap-path-prefix=$cargo_home=/cargo"
[ "$resolved_home" = "$cargo_home" ] || flags="$flags --remap-path-prefix=$resolved_home=/cargo"
# Code that build scripts generate is compiled from the target folder.
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
flags="$flags --remap-path-prefix=$target_dir=/target"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$flags"
trunk build --release "$@"

echo "SHA-256 of the web app in dist/:"
(cd dist && find . -type f | sort | sed 's|^\./||' | xargs sha256sum)
