#!/usr/bin/env bash
# The FFI test suite (crates/tokenkeeper-ffi/tests/ffi_client.rs: every exported call,
# foreign traits implemented in Rust, clients created, shut down and dropped) under
# LeakSanitizer. Any leak fails the run (LSan exits 23). Needs a nightly toolchain
# (-Zsanitizer); without one it says so and exits 0. Own target dir: sanitizer builds
# share nothing with normal ones.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "leak-check: no nightly toolchain (rustup toolchain install nightly): skipped." >&2
  exit 0
fi
host="$(rustc -vV | sed -n 's/^host: //p')"
RUSTFLAGS="-Zsanitizer=leak" CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/lsan" \
  cargo +nightly test -q -p tokenkeeper-ffi --test ffi_client --target "$host"
echo "leak-check: no leaks reported by LeakSanitizer"
