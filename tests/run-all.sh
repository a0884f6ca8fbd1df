#!/usr/bin/env bash
# The one test entry point (README's second command; .ci/run calls it).
# Installs what it needs (Rust, a JDK, Python 3, gnome-keyring + D-Bus), starts the
# servers the tests need — the reference auth server in-process on 127.0.0.1,
# a Secret Service in a private D-Bus session, a JVM inside the Android
# Keystore tests — and runs every suite. Non-zero exit if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n== %s ==\n' "$*"; }

source scripts/ensure-rust.sh
source scripts/ensure-jdk.sh
source scripts/ensure-python.sh

section "format"
cargo fmt --all -- --check

section "lint (all features; and the core and FFI library without the built-in transport)"
cargo clippy --workspace --all-targets --all-features -- -D warnings
cargo clippy -p tokenkeeper --no-default-features --lib -- -D warnings
cargo clippy -p tokenkeeper-ffi --no-default-features --lib -- -D warnings

section "Rust tests: core, storage backends, reference server, interop, CLI"
# All features: the Keychain logic (fake keychain), Android Keystore over JNI
# (host JVM), desktop keyring (real Secret Service, started by the wrapper).
# The interop suite starts djangorestframework-simplejwt (PyPI, in a venv under
# target/) on 127.0.0.1; the CLI tests run the built binary against the reference server.
scripts/with-secret-service.sh cargo test --workspace --all-features

# 30 s per target keeps the whole entry near 25 minutes on 2 cores; the long run is
# scripts/fuzz.sh 3600 (README).
section "fuzz: 30 s per target where a nightly toolchain is present (stable: corpus replayed above)"
scripts/fuzz.sh 30

section "leaks: the FFI suite under LeakSanitizer (nightly only)"
scripts/leak-check.sh

section "bindings: Kotlin and Swift generated from the FFI library"
scripts/generate-bindings.sh debug

section "Kotlin on the JVM: generated bindings + Kotlin layer + OkHttp, against the host library"
tests/kotlin.sh

section "Android build script: prerequisite checks; shellcheck"
tests/build-android-prereqs.sh

section "demo"
cargo run -q -p tokenkeeper-demo

section "soak (2 min: 2 s tokens, injected faults) + log check: no token in the TRACE output of the demo or the soak"
scripts/log-check.sh 120

echo
echo "all suites passed"
