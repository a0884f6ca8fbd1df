#!/usr/bin/env bash
# Builds the iOS XCFramework and the Swift package zip + checksum.
# Needs macOS with Xcode; on anything else it stops at once and says why.
set -euo pipefail
cd "$(dirname "$0")"

fail() { echo "build-ios.sh: $*" >&2; exit 1; }

[ "$(uname -s)" = "Darwin" ] || fail "needs macOS with Xcode (this is $(uname -s)); the XCFramework cannot be built here."
command -v xcodebuild >/dev/null || fail "xcodebuild not found: install Xcode and run 'xcode-select --install'."
command -v cargo >/dev/null || fail "cargo not found: install Rust from https://rustup.rs."
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
for target in "${targets[@]}"; do
  rustup target list --installed | grep -qx "$target" || fail "Rust target $target missing: rustup target add ${targets[*]}"
done
[ -d crates/tokenkeeper-ffi ] || fail "crates/tokenkeeper-ffi does not exist yet (the UniFFI layer, issue 5): nothing to package."

out=target/ios
rm -rf "$out" && mkdir -p "$out"
for target in "${targets[@]}"; do
  # Only the staticlib: built alongside the lib crate type, rustc skips LTO (BENCHMARKS.md).
  cargo rustc -p tokenkeeper-ffi --release --target "$target" --lib --crate-type staticlib
done
# Bindings come from an unstripped library (UniFFI reads its metadata symbols).
cargo run -p uniffi-bindgen -- generate "target/aarch64-apple-ios/release/libtokenkeeper_ffi.a" \
  --language swift --out-dir "$out/swift"
mkdir -p "$out/sim"
lipo -create target/aarch64-apple-ios-sim/release/libtokenkeeper_ffi.a \
  target/x86_64-apple-ios/release/libtokenkeeper_ffi.a -output "$out/sim/libtokenkeeper_ffi.a"
mkdir -p "$out/headers" && cp "$out"/swift/*.h "$out/headers/" && cp "$out"/swift/*.modulemap "$out/headers/module.modulemap"
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/release/libtokenkeeper_ffi.a -headers "$out/headers" \
  -library "$out/sim/libtokenkeeper_ffi.a" -headers "$out/headers" \
  -output "$out/TokenKeeperFFI.xcframework"
(cd "$out" && zip -qry TokenKeeperFFI.xcframework.zip TokenKeeperFFI.xcframework)
swift package compute-checksum "$out/TokenKeeperFFI.xcframework.zip" | tee "$out/TokenKeeperFFI.xcframework.zip.sha256"
echo "built $out/TokenKeeperFFI.xcframework.zip"
