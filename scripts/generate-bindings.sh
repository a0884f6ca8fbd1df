#!/usr/bin/env bash
# Builds the tokenkeeper-ffi cdylib and generates its Kotlin and Swift bindings.
#
#   scripts/generate-bindings.sh [debug|release]     (default: debug)
#
# TOKENKEEPER_FFI_FEATURES: extra cargo features of tokenkeeper-ffi for the library
# (e.g. jni-fast-path for the Kotlin suite); the bindings do not depend on them.
#
# Output: target/bindings/kotlin and target/bindings/swift. Bindings are generated from
# the unstripped library (UniFFI reads its metadata symbols; a stripped one yields "No
# UniFFI metadata found"): strip copies only after this step. Settings (Kotlin package,
# omit_checksums, Swift module) come from crates/tokenkeeper-ffi/uniffi.toml.
set -euo pipefail

profile="${1:-debug}"
case "$profile" in
  debug) cargo_flags=() ;;
  release) cargo_flags=(--release) ;;
  *) echo "usage: $0 [debug|release]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

case "$(uname -s)" in
  Darwin) lib_name="libtokenkeeper_ffi.dylib" ;;
  MINGW* | MSYS* | CYGWIN*) lib_name="tokenkeeper_ffi.dll" ;;
  *) lib_name="libtokenkeeper_ffi.so" ;;
esac

if [[ -n "${TOKENKEEPER_FFI_FEATURES:-}" ]]; then
  cargo_flags+=(--features "$TOKENKEEPER_FFI_FEATURES")
fi
cargo build -p tokenkeeper-ffi "${cargo_flags[@]}"
# The generator itself is a host tool: always the quick debug build.
cargo build -p uniffi-bindgen

library="$target_dir/$profile/$lib_name"
bindgen="$target_dir/debug/uniffi-bindgen"
out="$target_dir/bindings"
[[ -f "$library" ]] || { echo "error: $library was not built" >&2; exit 1; }

rm -rf "$out/kotlin" "$out/swift"
"$bindgen" generate "$library" --language kotlin --out-dir "$out/kotlin" --no-format
"$bindgen" generate "$library" --language swift --out-dir "$out/swift" --no-format

echo "library (unstripped, $profile): $library"
echo "kotlin bindings: $out/kotlin"
find "$out/kotlin" -type f | sed 's/^/  /'
echo "swift bindings:  $out/swift"
find "$out/swift" -type f | sed 's/^/  /'
