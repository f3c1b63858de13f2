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
# The same Cargo home seen under another path, as on another machine; a stable path and target
# folder, so that later runs are incremental.
target="${CARGO_TARGET_DIR:-$HOME/.cache/strongroom/target}"
alias_home="$(dirname "$target")/cargo-home-elsewhere"
ln -sfn "${CARGO_HOME:-$HOME/.cargo}" "$alias_home"
CARGO_HOME="$alias_home" CARGO_TARGET_DIR="$target-elsewhere" "$other/strongroom/scripts/build-web.sh" >/dev/null
if diff -r dist "$other/strongroom/dist"; then
  echo "reproducible: the second build, in $other, is byte-identical to dist/"
else
  echo "NOT reproducible: the files above differ between two builds of $(git rev-parse --short HEAD)" >&2
  exit 1
fi
