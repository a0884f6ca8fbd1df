#!/usr/bin/env bash
# Kotlin-side numbers for BENCHMARKS.md, against the release library:
#  - accessToken() through the FFI on a valid session (plain timing, AccessTokenBenchmark.kt);
#  - 200 concurrent 401s through OkHttp: a naive refresh-per-401 Authenticator vs
#    TokenKeeperAuthenticator (RefreshComparisonTest.kt).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

TOKENKEEPER_FFI_FEATURES=android scripts/generate-bindings.sh release >/dev/null
cargo build -q --release -p tokenkeeper-testserver
properties=(
  -Dtokenkeeper.generated="$target_dir/bindings/kotlin"
  -Dtokenkeeper.libdir="$target_dir/release"
  -Dtokenkeeper.testserver="$target_dir/release/tokenkeeper-testserver"
)
pom=bindings/kotlin/jvm/pom.xml

echo "== machine: $(uname -m), $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%Y-%m-%d)"
echo "== accessToken() from Kotlin"
mvn -B -q -Dstyle.color=never -f "$pom" test-compile exec:java "${properties[@]}" \
  -Dexec.mainClass=dev.tokenkeeper.AccessTokenBenchmarkKt
echo "== 200 concurrent 401s through OkHttp"
mvn -B -q -Dstyle.color=never -f "$pom" test "${properties[@]}" -Dtest=RefreshComparisonTest \
  | grep -E '(naive|TokenKeeper)[A-Za-z ]*:'
