#!/usr/bin/env bash
# Runs every cargo-fuzz target for a while (needs a nightly toolchain; installs
# cargo-fuzz when missing), starting from the seeds in fuzz/corpus (written by
# `cargo run -p tokenkeeper-fuzz --example seed_corpus`). New inputs that raise coverage
# go to fuzz/corpus-local (git-ignored), so later runs start from them.
#
#   scripts/fuzz.sh [seconds per target]     default 60; the long run: scripts/fuzz.sh 3600
#
# A crash stops the run; its input is in fuzz/artifacts/<target>/. Copy it into
# fuzz/regressions/<target>/ and fix the code: tests/corpus.rs replays that directory
# on stable in every test run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz: no nightly toolchain (rustup toolchain install nightly); the corpus still replays on stable in cargo test." >&2
  exit 0
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

# cargo fuzz builds with the release profile; the workspace's (LTO, size-first) breaks
# sanitizer-coverage linking and fuzzes slowly: the usual settings for fuzzing instead.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_OPT_LEVEL=3

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for target in jwt jwks token_response session_record; do
  echo "== fuzz $target for ${seconds}s"
  mkdir -p "fuzz/corpus-local/$target"
  if ! cargo +nightly fuzz run --fuzz-dir fuzz "$target" "fuzz/corpus-local/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=16384 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "fuzz: $target crashed; the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$log" || true
done
