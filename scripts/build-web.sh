#!/usr/bin/env bash
# The release web build (Trunk, into dist/), reproducible: two builds of the same commit with the
# same toolchain and the Cargo home at the same path give byte-identical files, wherever the
# checkout and the target folder are (scripts/check-reproducible.sh checks it). The Cargo home's
# path counts: dependencies' panic locations name it, and Leptos's wasm-split macro stamps the
# wasm with a hash of it. Prints each file's SHA-256 at the end, so an operator can compare what
# they serve with what was released. Arguments go to `trunk build`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build scripts' generated code is compiled from the target folder, and its path would end up in
# panic locations: write it as /target.
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--remap-path-prefix=$target_dir=/target"
trunk build --release "$@"

echo "SHA-256 of the web app in dist/:"
(cd dist && find . -type f | sort | sed 's|^\./||' | xargs sha256sum)
