#!/usr/bin/env bash
# Installs what building and testing Strongroom needs, skipping whatever is already there.
# Sourced by scripts/run.sh and scripts/test.sh; `--with-test-tools` also installs Chromium and
# PostgreSQL from Debian's packages. Exports CARGO_TARGET_DIR (outside the checkout, so builds
# stay incremental across clones and CI runs) and puts npm's wasm-opt on PATH.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/strongroom/target}"
export PATH="$HOME/.cargo/bin:$repo_root/playwright/node_modules/.bin:$PATH"

TRUNK_VERSION="0.21.14"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

need_command() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "setup: '$1' is required but not installed ($2)" >&2
    exit 1
  }
}

setup_tools() {
  need_command cargo "install Rust with rustup"
  need_command rustup "install Rust with rustup"
  need_command node "install Node.js (Debian: apt-get install nodejs)"
  need_command npm "install npm (Debian: apt-get install npm)"

  if ! rustup target list --installed | grep -x wasm32-unknown-unknown >/dev/null; then
    say "Adding the wasm32-unknown-unknown Rust target"
    rustup target add wasm32-unknown-unknown
  fi

  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "Installing trunk $TRUNK_VERSION (about 8 minutes the first time)"
    cargo install --locked "trunk@$TRUNK_VERSION"
  fi

  # wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly. Its own lock file
  # names crates the registry here lacks, so it is installed without --locked.
  local bindgen_version
  bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$repo_root/Cargo.lock")
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]; then
    say "Installing wasm-bindgen-cli $bindgen_version"
    cargo install wasm-bindgen-cli --version "$bindgen_version"
  fi

  # npm packages: Playwright's test runner and binaryen's wasm-opt (never Debian's binaryen).
  if [ ! -x "$repo_root/playwright/node_modules/.bin/wasm-opt" ] ||
    [ "$repo_root/playwright/package-lock.json" -nt "$repo_root/playwright/node_modules/.package-lock.json" ]; then
    say "Installing npm packages in playwright/"
    (cd "$repo_root/playwright" && npm ci --no-audit --no-fund)
  fi
}

setup_test_tools() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  [ -x /usr/bin/sqlite3 ] || missing+=(sqlite3)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing ${missing[*]} from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

setup_tools
if [ "${1:-}" = "--with-test-tools" ]; then
  setup_test_tools
fi
