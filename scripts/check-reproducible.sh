#!/usr/bin/env bash
# Builds the web app again from a fresh clone of this commit, in another folder, with the Cargo
# home under another path and its own target folder, and compares it byte for byte with dist/
# (which scripts/build-web.sh made): the release build must not depend on where, by whom or
# when it was made.
set -euo pipefail
cd "$(dirname "$0")/.."

other=$(mktemp -d)
trap 'rm -rf "$other"' EXIT
git clone --quiet --no-hardlinks . "$other/strongroom"
git -C "$other/strongroom" checkout --quiet "$(git rev-parse HEAD)"
# The same crates under another Cargo home, as on another machine (hard links: no copy, and
# a real path, which a symbolic link would not give: Cargo resolves those); a stable path and
# target folder, so that later runs are incremental.
target="${CARGO_TARGET_DIR:-$HOME/.cache/strongroom/target}"
elsewhere="$(dirname "$target")/cargo-home-elsewhere"
rm -rf "$elsewhere"
mkdir -p "$elsewhere"
cp -al "${CARGO_HOME:-$HOME/.cargo}/registry" "$elsewhere/registry"
CARGO_HOME="$elsewhere" CARGO_TARGET_DIR="$target-elsewhere" "$other/strongroom/scripts/build-web.sh" >/dev/null 2>&1
if diff -r dist "$other/strongroom/dist"; then
  echo "reproducible: the second build, in $other, is byte-identical to dist/"
else
  echo "NOT reproducible: the files above differ between two builds of $(git rev-parse --short HEAD)" >&2
  exit 1
fi
