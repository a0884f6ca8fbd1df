#!/usr/bin/env bash
# Builds the Android .so files (arm64-v8a, armeabi-v7a, x86_64, x86) with
# cargo-ndk, generates the Kotlin bindings and assembles the AAR.
# Checks every prerequisite first and stops at the first missing one.
set -euo pipefail
cd "$(dirname "$0")"

fail() { echo "build-android.sh: $*" >&2; exit 1; }

command -v cargo >/dev/null || fail "cargo not found: install Rust from https://rustup.rs."
ndk="${ANDROID_NDK_HOME:-${ANDROID_NDK_ROOT:-}}"
[ -n "$ndk" ] && [ -d "$ndk" ] || fail "Android NDK not found: install it (sdkmanager 'ndk;27.2.12479018') and set ANDROID_NDK_HOME."
command -v cargo-ndk >/dev/null || fail "cargo-ndk not found: cargo install cargo-ndk"
targets=(aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android)
for target in "${targets[@]}"; do
  rustup target list --installed | grep -qx "$target" || fail "Rust target $target missing: rustup target add ${targets[*]}"
done
[ -d crates/tokenkeeper-ffi ] || fail "crates/tokenkeeper-ffi does not exist yet (the UniFFI layer, issue 5): nothing to package."
gradle=bindings/kotlin/gradlew
[ -x "$gradle" ] || command -v gradle >/dev/null || fail "Gradle not found: add the wrapper in bindings/kotlin or install Gradle 8."

jni=bindings/kotlin/android/src/main/jniLibs
# 16 KB page sizes (Android 15+): align LOAD segments to 16 KiB.
export RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,max-page-size=16384"
cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -t x86 -o "$jni" build -p tokenkeeper-ffi --release
# Bindings come from an unstripped library (UniFFI reads its metadata symbols).
cargo build -p tokenkeeper-ffi --release
cargo run -p uniffi-bindgen -- generate target/release/libtokenkeeper_ffi.so \
  --language kotlin --out-dir bindings/kotlin/generated
(cd bindings/kotlin && { [ -x ./gradlew ] && ./gradlew :android:assembleRelease || gradle :android:assembleRelease; })
echo "built bindings/kotlin/android/build/outputs/aar/"
