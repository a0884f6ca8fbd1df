#!/usr/bin/env bash
# Tests build-android.sh without building anything: runs a copy of it in a throwaway
# repository with stub cargo, cargo-ndk, rustup, gradle, java and NDK tools on a PATH that
# holds nothing else, and
#  - removes each prerequisite in turn (all others present): the script must exit non-zero,
#    name what is missing on stderr, and build nothing (the stubs log every build step);
#  - provides all of them: the build steps must run in order with the expected flags
#    (feature android, API 24, 16 KiB pages for the .so only, bindings from the host build);
#  - then runs shellcheck -x over every shell script (installed with apt-get when missing).
# Takes a few seconds.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

targets=(aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android)
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() {
  failed=$((failed + 1))
  echo "not ok - $1: $2"
  sed 's/^/    stderr: /' "$case_dir/err"
  [ ! -s "$case_dir/log" ] || sed 's/^/    log: /' "$case_dir/log"
}

# The only real programs the script and the stubs may use.
tools="$tmp/tools"
mkdir -p "$tools"
for tool in bash awk cat dirname grep mkdir rm sed touch uname; do
  ln -s "$(command -v "$tool")" "$tools/$tool"
done
bash_path="$tools/bash"

# Stubs: each logs its call to $STUB_LOG; the build steps leave the files the next step reads.
stubs="$tmp/stubs"
mkdir -p "$stubs"
stub() { printf '#!%s\nset -eu\n%s\n' "$bash_path" "$2" >"$stubs/$1" && chmod +x "$stubs/$1"; }
# shellcheck disable=SC2016 # stub bodies: their variables expand when the stubs run
{
  stub cargo '
  case "$1" in
    ndk)
      echo "cargo $* | RUSTFLAGS=${RUSTFLAGS:-} | ANDROID_NDK_HOME=${ANDROID_NDK_HOME:-}" >>"$STUB_LOG"
      out=""
      abis=()
      while [ $# -gt 0 ]; do
        case "$1" in -o) out="$2"; shift ;; -t) abis+=("$2"); shift ;; esac
        shift
      done
      for abi in "${abis[@]}"; do mkdir -p "$out/$abi" && touch "$out/$abi/libtokenkeeper_ffi.so"; done ;;
    run)
      echo "cargo $*" >>"$STUB_LOG"
      while [ $# -gt 0 ]; do [ "$1" != --out-dir ] || mkdir -p "$2"; shift; done ;;
    *) echo "cargo $* | RUSTFLAGS=${RUSTFLAGS:-}" >>"$STUB_LOG" ;;
  esac'
  stub cargo-ndk 'echo "cargo-ndk $*" >>"$STUB_LOG"'
  stub rustup '[ "$*" = "target list --installed" ] && cat "$STUB_TARGETS"'
  stub gradle 'echo "gradle $* | in ${PWD#"$STUB_REPO"/}" >>"$STUB_LOG"'
  stub java 'echo "    java.specification.version = ${STUB_JAVA_VERSION:-17}" >&2'
  stub llvm-strip 'echo "llvm-strip $*" >>"$STUB_LOG"'
  stub llvm-readelf 'echo "  LOAD 0x000000 0x0000000000000000 0x0000000000000000 0x1a2b3c 0x1a2b3c R E ${STUB_ALIGN:-0x4000}"'
}

# A fresh case: throwaway repository, every prerequisite present. Tests then take one away.
new_case() {
  case_dir="$tmp/case-$1"
  repo="$case_dir/repo"
  mkdir -p "$case_dir/bin" "$repo/bindings/kotlin" "$case_dir/sdk" \
    "$case_dir/ndk/toolchains/llvm/prebuilt/host/bin"
  cp "$root/build-android.sh" "$repo/"
  for name in cargo cargo-ndk rustup gradle java; do ln -s "$stubs/$name" "$case_dir/bin/$name"; done
  ln -s "$stubs/llvm-strip" "$stubs/llvm-readelf" "$case_dir/ndk/toolchains/llvm/prebuilt/host/bin/"
  echo "Pkg.Revision = 28.2.13676358" >"$case_dir/ndk/source.properties"
  printf '%s\n' "${targets[@]}" >"$case_dir/targets"
  : >"$case_dir/log"
  vars=(HOME="$case_dir" PATH="$case_dir/bin:$tools" STUB_LOG="$case_dir/log"
    STUB_TARGETS="$case_dir/targets" STUB_REPO="$repo"
    ANDROID_NDK_HOME="$case_dir/ndk" ANDROID_HOME="$case_dir/sdk")
}
unset_var() { # drops NAME=... from the case's environment
  local kept=() var
  for var in "${vars[@]}"; do [ "${var%%=*}" = "$1" ] || kept+=("$var"); done
  vars=("${kept[@]}")
}
run() {
  rc=0
  env -i "${vars[@]}" "$bash_path" "$repo/build-android.sh" >"$case_dir/out" 2>"$case_dir/err" || rc=$?
}

# Must stop before building: non-zero exit, the message on stderr, no build step logged.
expect_stop() {
  local name="$1" message="$2"
  run
  if [ "$rc" -eq 0 ]; then
    not_ok "$name" "exit code 0"
  elif ! grep -qF -- "$message" "$case_dir/err"; then
    not_ok "$name" "stderr lacks '$message'"
  elif [ -s "$case_dir/log" ] || [ -e "$repo/bindings/kotlin/android" ] || [ -e "$repo/bindings/kotlin/generated" ]; then
    not_ok "$name" "something was built before the check"
  else
    ok "$name"
  fi
}

# Must succeed, with these log lines in this order (each a fixed string, a whole line).
expect_build() {
  local name="$1" line at last=0
  shift
  run
  if [ "$rc" -ne 0 ]; then
    not_ok "$name" "exit code $rc"
    return
  fi
  for line in "$@"; do
    at="$(grep -nFx -m1 -- "$line" "$case_dir/log" | cut -d: -f1)" || at=""
    if [ -z "$at" ] || [ "$at" -le "$last" ]; then
      not_ok "$name" "log lacks, or has out of order: $line"
      return
    fi
    last="$at"
  done
  ok "$name"
}

# --- Each prerequisite missing, in the script's order. ---
new_case no-cargo
rm "$case_dir/bin/cargo"
expect_stop "stops without cargo" "cargo not found"

new_case no-ndk
unset_var ANDROID_NDK_HOME
expect_stop "stops without ANDROID_NDK_HOME/ANDROID_NDK_ROOT" "Android NDK not found"

new_case ndk-dir-missing
unset_var ANDROID_NDK_HOME
vars+=(ANDROID_NDK_ROOT="$case_dir/no-such-ndk")
expect_stop "stops when the NDK directory does not exist" "Android NDK not found at $case_dir/no-such-ndk"

new_case ndk-incomplete
rm -r "$case_dir/ndk/toolchains"
expect_stop "stops when the NDK has no LLVM tools" "is incomplete"

new_case no-cargo-ndk
rm "$case_dir/bin/cargo-ndk"
expect_stop "stops without cargo-ndk" "cargo-ndk not found: cargo install cargo-ndk"

new_case no-rustup
rm "$case_dir/bin/rustup"
expect_stop "stops without rustup" "rustup not found"

for target in "${targets[@]}"; do
  new_case "no-$target"
  grep -vx "$target" "$case_dir/targets" >"$case_dir/targets.new" || true
  mv "$case_dir/targets.new" "$case_dir/targets"
  expect_stop "stops without the $target target" "Rust target(s) missing: $target: rustup target add $target"
done

new_case no-gradle
rm "$case_dir/bin/gradle"
expect_stop "stops without gradle or a wrapper" "Gradle not found"

new_case no-java
rm "$case_dir/bin/java"
expect_stop "stops without java" "Java not found"

new_case old-java
vars+=(STUB_JAVA_VERSION=11)
expect_stop "stops with a JDK older than 17" "JDK 17 or newer needed by the Android Gradle plugin, found 11"

new_case no-sdk
unset_var ANDROID_HOME
expect_stop "stops without the Android SDK" "Android SDK not found"

# --- Everything present. ---
case "$(uname -s)" in
  Darwin) host_lib=libtokenkeeper_ffi.dylib ;;
  *) host_lib=libtokenkeeper_ffi.so ;;
esac
jni=bindings/kotlin/android/src/main/jniLibs
ndk_build="cargo ndk --platform 24 -t arm64-v8a -t armeabi-v7a -t x86_64 -t x86 -o $jni rustc -p tokenkeeper-ffi --release --features android --lib --crate-type cdylib"
build_steps=(
  # The page-size flag reaches the Android build only, and cargo-ndk gets the NDK found.
  "$ndk_build | RUSTFLAGS= -C link-arg=-Wl,-z,max-page-size=16384 | ANDROID_NDK_HOME=$tmp/case-all/ndk"
  "llvm-strip --strip-unneeded $jni/arm64-v8a/libtokenkeeper_ffi.so"
  "llvm-strip --strip-unneeded $jni/x86/libtokenkeeper_ffi.so"
  "cargo build -p tokenkeeper-ffi --release --features android | RUSTFLAGS="
  "cargo run -q -p uniffi-bindgen -- generate target/release/$host_lib --language kotlin --out-dir bindings/kotlin/generated --no-format"
  "gradle :android:assembleRelease | in bindings/kotlin"
)
new_case all
expect_build "builds .so, bindings and AAR in order when all is there" "${build_steps[@]}"

new_case ndk-root
unset_var ANDROID_NDK_HOME
vars+=(ANDROID_NDK_ROOT="$case_dir/ndk")
expect_build "takes the NDK from ANDROID_NDK_ROOT and hands it to cargo-ndk" \
  "$ndk_build | RUSTFLAGS= -C link-arg=-Wl,-z,max-page-size=16384 | ANDROID_NDK_HOME=$case_dir/ndk"

new_case wrapper
rm "$case_dir/bin/gradle"
ln -s "$stubs/gradle" "$repo/bindings/kotlin/gradlew"
expect_build "uses bindings/kotlin/gradlew when there is one" "gradle :android:assembleRelease | in bindings/kotlin"

new_case sdk-local-properties
unset_var ANDROID_HOME
echo "sdk.dir=$case_dir/sdk" >"$repo/bindings/kotlin/local.properties"
expect_build "finds the SDK in bindings/kotlin/local.properties" "gradle :android:assembleRelease | in bindings/kotlin"

new_case misaligned
vars+=(STUB_ALIGN=0x1000)
run
if [ "$rc" -ne 0 ] && grep -qF "aligned to 0x1000, not 16 KiB" "$case_dir/err" && ! grep -q "^gradle" "$case_dir/log"; then
  ok "refuses a .so whose LOAD segments are not 16 KiB-aligned"
else
  not_ok "refuses a .so whose LOAD segments are not 16 KiB-aligned" "exit $rc"
fi

# --- shellcheck over every shell script. ---
if ! command -v shellcheck >/dev/null; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "installing shellcheck with apt-get" >&2
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
fi
cd "$root"
case_dir="$tmp/shellcheck"
mkdir -p "$case_dir" && : >"$case_dir/log"
for script in build-android.sh build-ios.sh tests/*.sh scripts/*.sh; do
  if shellcheck -x "$script" >"$case_dir/err" 2>&1; then
    ok "shellcheck $script"
  else
    not_ok "shellcheck $script" "findings"
  fi
done

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
