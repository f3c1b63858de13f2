#!/usr/bin/env bash
# Builds the web app again from a fresh clone of this commit, in another folder and with another
# target folder, and compares it byte for byte with dist/ (which scripts/build-web.sh made): the
# release build must not depend on where the checkout is, or when it was built.
set -euo pipefail
cd "$(dirname "$0")/.."

other=$(mktemp -d)
trap 'rm -rf "$other"' EXIT
git clone --quiet --no-hardlinks . "$other/strongroom"
git -C "$other/strongroom" checkout --quiet "$(git rev-parse HEAD)"
# Another target folder (a stable one, so that later runs are incremental). The Cargo home stays:
# Leptos's wasm-split macro stamps the wasm with a hash of its own manifest's path, so the
# build depends on where the Cargo home is; it is the same for both builds.
target="${CARGO_TARGET_DIR:-$HOME/.cache/strongroom/target}"
CARGO_TARGET_DIR="$target-elsewhere" "$other/strongroom/scripts/build-web.sh" >/dev/null 2>&1
if diff -r dist "$other/strongroom/dist"; then
  echo "reproducible: the second build, in $other, is byte-identical to dist/"
else
  echo "NOT reproducible: the files above differ between two builds of $(git rev-parse --short HEAD)" >&2
  exit 1
fi
