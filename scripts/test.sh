#!/usr/bin/env bash
# Installs what is missing, then runs every check and suite: formatting, clippy (native and
# wasm32), native unit and integration tests (the backend's on SQLite and PostgreSQL), the
# wasm-crypto suite as wasm, the release web build, and Playwright in Chromium. Stops at the
# first failure. Ends with one line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh --with-test-tools

log_dir=$(mktemp -d)
started=$SECONDS
step_no=0

step() {
  local name=$1
  shift
  step_no=$((step_no + 1))
  local log="$log_dir/$step_no.log"
  local t0=$SECONDS
  say "$name"
  if ! "$@" 2>&1 | tee "$log"; then
    echo "FAILED: $name (after $((SECONDS - t0)) s)" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  printf '    %s: %d s\n' "$name" $((SECONDS - t0)) | tee -a "$log_dir/timings"
}

step "cargo fmt --check" cargo fmt --all -- --check
step "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
step "clippy (wasm32)" cargo clippy -p webapp -p wasm-crypto --target wasm32-unknown-unknown --lib --tests -- -D warnings

STRONGROOM_TEST_POSTGRES_URL=$(scripts/local-postgres.sh)
export STRONGROOM_TEST_POSTGRES_URL
unset STRONGROOM_TEST_SKIP_POSTGRES

step "native tests (backend on SQLite and PostgreSQL)" cargo test --workspace --all-targets
step "wasm-crypto tests as wasm" env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p wasm-crypto --target wasm32-unknown-unknown --lib
step "release web build (trunk)" trunk build --release
step "Playwright in Chromium" env STRONGROOM_BIN="$CARGO_TARGET_DIR/debug/strongroom" \
  bash -c 'cd playwright && npx playwright test'

# Sum every suite: cargo's "test result" lines and Playwright's summary.
passed=$(cat "$log_dir"/*.log | sed -n -E 's/^test result: [a-zA-Z]+\. ([0-9]+) passed.*/\1/p; s/^ +([0-9]+) passed \(.*/\1/p' | awk '{s+=$1} END {print s+0}')
failed=$(cat "$log_dir"/*.log | sed -n -E 's/^test result: .* ([0-9]+) failed.*/\1/p; s/^ +([0-9]+) failed$/\1/p' | awk '{s+=$1} END {print s+0}')
echo
say "Timings"
cat "$log_dir/timings"
printf '    total: %d s\n' $((SECONDS - started))
rm -rf "$log_dir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
