#!/usr/bin/env bash
# Log check: runs the demo and the soak with every crate logging at TRACE and fails if
# any token the reference server issued appears in anything they printed (stdout or
# stderr): an access, ID or refresh token whole, or a JWT's payload or signature
# segment alone (a partial leak counts). Also fails if either program fails — so with
# 120 the test entry's 2-minute soak and this check are one run.
#   scripts/log-check.sh [soak-seconds]    (default 120)
# Outputs, token lists and patterns stay in target/log-check/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-rust.sh

seconds="${1:-120}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/log-check.sh [soak-seconds]" >&2
  exit 2
fi
out=target/log-check
rm -rf "$out"
mkdir -p "$out"
failed=0
fail() {
  echo "log-check: FAIL: $*" >&2
  failed=1
}

cargo build -q -p tokenkeeper-demo -p tokenkeeper-soak
bin="${CARGO_TARGET_DIR:-target}/debug"

# run NAME PROGRAM [ARGS...]: TRACE everywhere, every token issued written to NAME.tokens.
run() {
  local name="$1"
  shift
  echo "log-check: running $name at RUST_LOG=trace"
  if ! RUST_LOG=trace "$@" --issued-tokens-out "$out/$name.tokens" \
    >"$out/$name.stdout" 2>"$out/$name.stderr"; then
    fail "$name exited with an error (see $out/$name.stdout and .stderr)"
  fi
  if [ ! -s "$out/$name.tokens" ]; then
    fail "$name reported no issued token: a check that sees no token proves nothing"
  fi
}
run demo "$bin/tokenkeeper-demo"
run soak "$bin/tokenkeeper-soak" --duration "$seconds"
cat "$out/soak.stdout"

# Patterns: every token whole and, for JWTs (three segments), the payload and the
# signature alone. Headers are left out: they are public and shared by every token.
tokens="$out/tokens.txt"
patterns="$out/patterns.txt"
cat "$out"/*.tokens 2>/dev/null | LC_ALL=C sort -u >"$tokens" || true
awk -F. 'NF == 3 { print $2; print $3 } NF > 0 { print }' "$tokens" \
  | awk 'length($0) >= 16' | LC_ALL=C sort -u >"$patterns"
token_count=$(wc -l <"$tokens")
jwt_count=$(awk -F. 'NF == 3' "$tokens" | wc -l)
pattern_count=$(wc -l <"$patterns")
if [ "$token_count" -eq 0 ] || [ "$pattern_count" -eq 0 ]; then
  fail "no token to look for"
fi

# The matcher must see a planted token segment, or a clean result means nothing.
planted="$(sed -n 1p "$patterns")"
if ! printf 'field=%s,\n' "$planted" | LC_ALL=C grep -qF -f "$patterns"; then
  fail "the matcher missed a planted token segment"
fi

logs=("$out"/demo.stdout "$out"/demo.stderr "$out"/soak.stdout "$out"/soak.stderr)
bytes=$(cat "${logs[@]}" | wc -c)
status=0
LC_ALL=C grep -qF -f "$patterns" -- "${logs[@]}" || status=$?
case "$status" in
  0)
    # Where, never what: printing the match would leak the token here.
    fail "token material in the output, at (file:line):"
    LC_ALL=C grep -nF -f "$patterns" -- "${logs[@]}" | cut -d: -f1,2 | head -n 20 >&2
    ;;
  1) ;;
  *) fail "grep could not scan the output (status $status)" ;;
esac

echo "log-check: scanned $bytes bytes of demo and soak output (stdout and stderr, RUST_LOG=trace)" \
  "for $token_count issued tokens ($jwt_count JWTs, $((token_count - jwt_count)) refresh tokens;" \
  "$pattern_count patterns with the JWT payload and signature segments)"
if [ "$failed" -ne 0 ]; then
  exit 1
fi
echo "log-check: no token, whole or in part, in any output"
