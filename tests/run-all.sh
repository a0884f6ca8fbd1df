#!/usr/bin/env bash
# The one test entry point (README's second command; .ci/run calls it).
# Installs what it needs, starts the servers the tests need (in-process, on
# 127.0.0.1), and runs every suite. Exit code is non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n== %s ==\n' "$*"; }

source scripts/ensure-rust.sh

section "format"
cargo fmt --all -- --check

section "lint"
cargo clippy --workspace --all-targets -- -D warnings

section "Rust tests (core, reference server, demo)"
cargo test --workspace

section "demo"
cargo run -q -p tokenkeeper-demo

echo
echo "all suites passed"
