#!/usr/bin/env bash
# The Kotlin/JVM suite: the hand-written Kotlin layer and the generated bindings,
# compiled by Maven (kotlin-maven-plugin) and tested with JUnit 5 against the host
# cdylib (debug build, features android = Keystore init + JNI fast path) and the reference
# server, which each test starts on 127.0.0.1.
#
#   tests/kotlin.sh [extra mvn arguments]     e.g. -Dtest=SessionTest
#
# Installs Maven with apt when missing. Called by tests/run-all.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

if ! command -v mvn >/dev/null 2>&1; then
  echo "Maven not found: installing it with apt…" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq maven >/dev/null
fi

TOKENKEEPER_FFI_FEATURES=android scripts/generate-bindings.sh debug >/dev/null
cargo build -q -p tokenkeeper-testserver

rm -rf bindings/kotlin/jvm/target/surefire-reports
mvn -B -q -Dstyle.color=never -f bindings/kotlin/jvm/pom.xml test \
  -Dtokenkeeper.generated="$target_dir/bindings/kotlin" \
  -Dtokenkeeper.libdir="$target_dir/debug" \
  -Dtokenkeeper.testserver="$target_dir/debug/tokenkeeper-testserver" \
  "$@"

reports=bindings/kotlin/jvm/target/surefire-reports
total=$(grep -ho 'tests="[0-9]*"' "$reports"/TEST-*.xml | tr -dc '0-9\n' | awk '{ n += $1 } END { print n }')
echo "Kotlin/JVM: $total tests passed"
