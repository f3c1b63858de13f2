#!/usr/bin/env bash
# Installs what is missing, then runs every check and suite: formatting, clippy (native and
# wasm32), native unit and integration tests (the backend's on SQLite and PostgreSQL), the
# wasm-crypto suite and the webapp's IndexedDB tests as wasm in headless Chromium, the release
# web build (twice, from two clones, compared byte for byte), and Playwright in Chromium. Stops at the first failure. Always ends with one line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

log_dir=$(mktemp -d)
started=$SECONDS
step_failed=0

summary() {
  local status=$?
  set +e
  # Sum every suite: cargo's "test result" lines and Playwright's summary lines.
  local passed failed
  passed=$(cat "$log_dir"/*.log 2>/dev/null | sed -n -E 's/^test result: [a-zA-Z]+\. ([0-9]+) passed.*/\1/p; s/^ +([0-9]+) passed \(.*/\1/p' | awk '{s+=$1} END {print s+0}')
  failed=$(cat "$log_dir"/*.log 2>/dev/null | sed -n -E 's/^test result: .* ([0-9]+) failed.*/\1/p; s/^ +([0-9]+) (failed|flaky)$/\1/p' | awk '{s+=$1} END {print s+0}')
  # A step that failed without a failing test (build, lint, set-up) still counts as a failure.
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  echo
  if [ -f "$log_dir/timings" ]; then
    say "Timings"
    cat "$log_dir/timings"
  fi
  printf '    total: %d s\n' $((SECONDS - started))
  rm -rf "$log_dir"
  echo "$passed passed, $failed failed"
  exit "$status"
}
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
trap summary EXIT

step_no=0
step() {
  local name=$1
  shift
  step_no=$((step_no + 1))
  local t0=$SECONDS
  say "$name"
  if ! "$@" 2>&1 | tee "$log_dir/$step_no.log"; then
    echo "FAILED: $name (after $((SECONDS - t0)) s)" >&2
    exit 1
  fi
  printf '    %-48s %4d s\n' "$name" $((SECONDS - t0)) >>"$log_dir/timings"
}

# Like step, but in this shell (no pipe), for steps that export variables.
step_here() {
  local name=$1
  shift
  local t0=$SECONDS
  say "$name"
  "$@"
  printf '    %-48s %4d s\n' "$name" $((SECONDS - t0)) >>"$log_dir/timings"
}

start_postgres() {
  STRONGROOM_TEST_POSTGRES_URL=$(scripts/local-postgres.sh)
  export STRONGROOM_TEST_POSTGRES_URL
  echo "PostgreSQL for the tests: $STRONGROOM_TEST_POSTGRES_URL"
}

step_here "install what is missing" source scripts/setup.sh --with-test-tools
step "cargo fmt --check" cargo fmt --all -- --check
step "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
step "clippy (wasm32)" cargo clippy -p webapp -p wasm-crypto --target wasm32-unknown-unknown --lib --tests -- -D warnings
step_here "start PostgreSQL" start_postgres
unset STRONGROOM_TEST_SKIP_POSTGRES
step "native tests (backend on SQLite and PostgreSQL)" cargo test --workspace --all-targets
step "wasm tests in Chromium (wasm-crypto, the webapp's IndexedDB)" env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test -p wasm-crypto -p webapp --target wasm32-unknown-unknown --lib
step "release web build (trunk)" scripts/build-web.sh
step "the release web build is reproducible" scripts/check-reproducible.sh
step "Playwright in Chromium" env STRONGROOM_BIN="$CARGO_TARGET_DIR/debug/strongroom" \
  bash -c 'cd playwright && npx playwright test'
