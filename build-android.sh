#!/usr/bin/env bash
# Builds the Android library: libtokenkeeper_ffi.so for arm64-v8a, armeabi-v7a, x86_64 and
# x86 (cargo-ndk), the Kotlin bindings (UniFFI) and the AAR (Gradle).
# Checks every prerequisite first and stops at the first missing one, saying how to get it.
# See bindings/kotlin/README.md; tests/build-android-prereqs.sh tests the checks.
set -euo pipefail
cd "$(dirname "$0")"

fail() { echo "build-android.sh: $*" >&2; exit 1; }

targets=(aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android)
min_sdk=24 # minSdk of bindings/kotlin/android/build.gradle.kts

# --- Prerequisites, in order; nothing is built before all are there. ---
command -v cargo >/dev/null || fail "cargo not found: install Rust from https://rustup.rs."

ndk="${ANDROID_NDK_HOME:-${ANDROID_NDK_ROOT:-}}"
[ -n "$ndk" ] || fail "Android NDK not found: install it (sdkmanager 'ndk;28.2.13676358') and set ANDROID_NDK_HOME."
[ -f "$ndk/source.properties" ] || fail "Android NDK not found at $ndk (no source.properties): set ANDROID_NDK_HOME to an NDK, e.g. \$ANDROID_HOME/ndk/<version>."
ndk_strip=("$ndk"/toolchains/llvm/prebuilt/*/bin/llvm-strip)
[ -x "${ndk_strip[0]}" ] || fail "Android NDK at $ndk is incomplete (no toolchains/llvm/prebuilt/*/bin/llvm-strip): reinstall it."
ndk_bin="$(dirname "${ndk_strip[0]}")"
export ANDROID_NDK_HOME="$ndk" # the one cargo-ndk reads first

command -v cargo-ndk >/dev/null || fail "cargo-ndk not found: cargo install cargo-ndk"

command -v rustup >/dev/null || fail "rustup not found: the Android targets are installed with rustup (https://rustup.rs)."
installed="$(rustup target list --installed)" || fail "'rustup target list --installed' failed."
missing=()
for target in "${targets[@]}"; do
  grep -qx "$target" <<<"$installed" || missing+=("$target")
done
[ "${#missing[@]}" -eq 0 ] || fail "Rust target(s) missing: ${missing[*]}: rustup target add ${missing[*]}"

if [ -x bindings/kotlin/gradlew ]; then
  gradle=(./gradlew)
elif command -v gradle >/dev/null; then
  gradle=(gradle)
else
  fail "Gradle not found: install Gradle 8.9 or newer (https://gradle.org/install/), or add the wrapper in bindings/kotlin (see its README)."
fi

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v "$java" >/dev/null || fail "Java not found: the Android Gradle plugin needs a JDK 17 or newer; install one and set JAVA_HOME."
java_version="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
[ "${java_version%%.*}" -ge 17 ] 2>/dev/null || fail "JDK 17 or newer needed by the Android Gradle plugin, found ${java_version:-an unknown version} ($java): set JAVA_HOME."

sdk="${ANDROID_HOME:-${ANDROID_SDK_ROOT:-}}"
if [ -z "$sdk" ] && [ -f bindings/kotlin/local.properties ]; then
  sdk="$(sed -n 's/^sdk\.dir=//p' bindings/kotlin/local.properties)"
fi
[ -n "$sdk" ] || fail "Android SDK not found: install it (Android Studio or the command-line tools) and set ANDROID_HOME, or sdk.dir in bindings/kotlin/local.properties."
[ -d "$sdk" ] || fail "Android SDK not found at $sdk: set ANDROID_HOME to the SDK directory."

# --- 1. The .so files, one per ABI, into the module's jniLibs. ---
jni=bindings/kotlin/android/src/main/jniLibs
rm -rf "$jni"
# 16 KB pages: Android 15+ devices may use 16 KiB memory pages, where a library whose LOAD
# segments are 4 KiB-aligned fails to load (Google Play requires 16 KiB for apps targeting
# Android 15+). NDK r28+ links that way by default, older NDKs do not: say it explicitly.
# Set for this command only, so the host build below keeps its own flags and cache.
# `rustc --crate-type cdylib`, not `build`: with the crate's other types (lib for Rust
# tests) in the same build, rustc skips LTO: 0.8 MB more per ABI (BENCHMARKS.md).
RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,max-page-size=16384" \
  cargo ndk --platform "$min_sdk" -t arm64-v8a -t armeabi-v7a -t x86_64 -t x86 -o "$jni" \
  rustc -p tokenkeeper-ffi --release --features android --lib --crate-type cdylib
for so in "$jni"/*/libtokenkeeper_ffi.so; do
  # Only .symtab goes: JNI and JNA find their functions in the dynamic symbol table.
  "$ndk_bin/llvm-strip" --strip-unneeded "$so"
  aligns="$("$ndk_bin/llvm-readelf" -lW "$so" | awk '$1 == "LOAD" { print $NF }')"
  [ -n "$aligns" ] || fail "$so has no LOAD segment."
  for align in $aligns; do
    ((align >= 16384)) || fail "$so has a LOAD segment aligned to $align, not 16 KiB."
  done
done

# --- 2. Kotlin bindings, from the unstripped host library (UniFFI reads its metadata
# symbols; a stripped library yields "No UniFFI metadata found"). Same features as above,
# so androidKeystoreStore() is in them. ---
case "$(uname -s)" in
  Darwin) host_lib=libtokenkeeper_ffi.dylib ;;
  *) host_lib=libtokenkeeper_ffi.so ;;
esac
cargo build -p tokenkeeper-ffi --release --features android
generated=bindings/kotlin/generated
rm -rf "$generated"
cargo run -q -p uniffi-bindgen -- generate "${CARGO_TARGET_DIR:-target}/release/$host_lib" \
  --language kotlin --out-dir "$generated" --no-format

# --- 3. The AAR. ---
(cd bindings/kotlin && "${gradle[@]}" :android:assembleRelease)
echo "built bindings/kotlin/android/build/outputs/aar/android-release.aar"
