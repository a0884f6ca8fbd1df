#!/usr/bin/env bash
# Runs the criterion benchmarks and prints the table BENCHMARKS.md records:
# medians, and the ratios the issues set targets for, all from one run.
#   scripts/bench.sh            full criterion runs (a few minutes)
#   scripts/bench.sh --quick    shorter measurement, for a smoke check
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-rust.sh

timing=(--warm-up-time 3 --measurement-time 10)
[ "${1:-}" = "--quick" ] && timing=(--warm-up-time 1 --measurement-time 2)

for bench in jwt client concurrent_expiry restore; do
  cargo bench -q -p tokenkeeper --bench "$bench" -- "${timing[@]}" >&2
done

python3 - <<'PY'
import json, pathlib, platform, subprocess

root = pathlib.Path("target/criterion")

def median_ns(name):
    estimates = json.loads((root / name / "new" / "estimates.json").read_text())
    return estimates["median"]["point_estimate"]

def show(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.2f} {unit}"
    return f"{ns:.1f} ns"

cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
print(f"machine: {platform.system()} {platform.machine()}, {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; {rustc}\n")
print("| benchmark | median |")
print("|---|---|")
rows = [
    "jwt/decode_unverified", "jwt/decode_and_validate",
    "jwt/verify_rs256", "jwt/verify_es256",
    "access_token/cached_session", "access_token/decode_validate_per_call",
    "access_token_floor/token_clone_and_drop", "access_token_floor/clock_read",
    "concurrent_expiry/1000_sends_one_refresh",
    "restore/cold_start_to_first_token",
]
for row in rows:
    print(f"| {row} | {show(median_ns(row))} |")
cached = median_ns("access_token/cached_session")
per_call = median_ns("access_token/decode_validate_per_call")
floor = median_ns("access_token_floor/token_clone_and_drop") + median_ns("access_token_floor/clock_read")
print()
print(f"access_token() vs decode+validate per call, same run: {per_call / cached:.0f}x faster")
print(f"floor (token clone+drop + clock read) vs decode+validate: {per_call / floor:.0f}x")
PY
