#!/usr/bin/env bash
# Soak test (opt-in): thousands of requests through AuthClient against embedded
# reference servers issuing 2 s access tokens, while 5xx, dropped connections, slow
# answers and forced expiries are injected. Prints a report (requests, refreshes,
# faults, RSS at start and end) and fails if a 401 or an error a retry could have
# saved reached the caller, a session ended, or RSS grew past the bound.
#   scripts/soak.sh [duration-seconds] [tokenkeeper-soak options...]   (default 600)
# The test entry runs the 2-minute version inside scripts/log-check.sh 120.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-rust.sh

seconds="${1:-600}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/soak.sh [duration-seconds] [tokenkeeper-soak options...]" >&2
  exit 2
fi
if [ "$#" -gt 0 ]; then shift; fi

# The dev profile: it shares the test entry's build, and the soak judges behaviour
# and memory growth, not speed.
cargo build -q -p tokenkeeper-soak
exec "${CARGO_TARGET_DIR:-target}/debug/tokenkeeper-soak" --duration "$seconds" "$@"
