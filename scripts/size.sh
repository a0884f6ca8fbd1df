#!/usr/bin/env bash
# Size of the stripped release tokenkeeper-ffi library for the host (a proxy for
# arm64-v8a), per feature set, checked against the targets BENCHMARKS.md records.
#
#   scripts/size.sh               build, strip copies, print the table, check the targets
#   scripts/size.sh --no-check    only report (exit 0 even when a target is missed)
#   scripts/size.sh --bloat       also: largest crates and symbols of each library
#   scripts/size.sh --cargo-bloat also: cargo-bloat's own per-crate table (see below)
#
# MB here are decimal: 1 MB = 1,000,000 bytes.
#
# The library is built with `cargo rustc --crate-type cdylib`, not `cargo build`: the
# crate also lists "lib" in crate-type (for Rust tests), and rustc then silently skips
# LTO for every crate type (rust-lang/rust#51009, rust-lang/cargo#9672) -- the
# `cargo build` library is ~0.8 MB bigger. Ship the same way (see BENCHMARKS.md).
# Stripping works on copies: bindings are generated from the unstripped library.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-rust.sh

check=1 bloat=0 cargo_bloat=0
for arg in "$@"; do
  case "$arg" in
    --no-check) check=0 ;;
    --bloat) bloat=1 ;;
    --cargo-bloat) cargo_bloat=1 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--no-check] [--bloat] [--cargo-bloat]" >&2; exit 2 ;;
  esac
done

# name | cargo feature flags | target in bytes
sets=(
  "builtin-transport|                                    |3000000"
  "no-transport     |--no-default-features               |1500000"
  "android+transport|--features android                 |3000000"
  "android          |--no-default-features --features android|1500000"
)

case "$(uname -s)" in
  Darwin) lib=libtokenkeeper_ffi.dylib strip_args=(-x) ;;
  *) lib=libtokenkeeper_ffi.so strip_args=(--strip-unneeded) ;;
esac
strip_tool="${STRIP:-}"
if [ -z "$strip_tool" ]; then
  if command -v llvm-strip >/dev/null; then strip_tool="llvm-strip"; else strip_tool="strip"; fi
fi
target_dir="${CARGO_TARGET_DIR:-target}"
out="$target_dir/size-report"
mkdir -p "$out"

trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; echo "${s%"${s##*[![:space:]]}"}"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1e6 }'; }

# Per-crate .text of an unstripped library, the way cargo-bloat --crates counts it:
# each symbol goes to the first path segment of its demangled name.
crates_of() {
  nm -C -S -t d --size-sort "$1" | awk '
    $3 ~ /^[tTwW]$/ {
      size = $2 + 0; name = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", name)
      sub(/^(<|&|dyn |mut |\(|\[)+/, "", name)
      # <T as some_crate::Trait>: a generic or primitive type counts for the trait'"'"'s crate.
      if (name ~ /^[^:<]* as [A-Za-z_][A-Za-z0-9_]*::/) sub(/^[^:<]* as /, "", name)
      if (name ~ /^[A-Za-z_][A-Za-z0-9_]*::/) { crate = name; sub(/::.*/, "", crate) }
      else if (name ~ /^(uniffi|ffi)_tokenkeeper_ffi/) crate = "tokenkeeper_ffi"
      else if (name ~ /^rust_(eh_personality|begin_unwind|panic)/) crate = "std"
      else crate = "C and assembly (the crypto library: ring or aws-lc)"
      if (crate ~ /^(core|alloc|std|std_detect|panic_unwind|unwind|compiler_builtins|rustc_demangle|addr2line|gimli|miniz_oxide|object|adler2)$/) crate = "std (with backtrace symbolization)"
      sum[crate] += size; total += size
    }
    END {
      for (c in sum) printf "%9.1f KiB %5.1f%%  %s\n", sum[c] / 1024, 100 * sum[c] / total, c
      printf "%9.1f KiB 100.0%%  .text total\n", total / 1024
    }' | sort -rn | head -25
}

echo "# $(uname -m), $(rustc -V), $(date -u +%Y-%m-%d), strip: $strip_tool"
rows=() failed=0
for set in "${sets[@]}"; do
  IFS='|' read -r name flags limit <<<"$set"
  name="$(trim "$name")"; flags="$(trim "$flags")"; limit="$(trim "$limit")"
  # shellcheck disable=SC2086 # $flags is a word list on purpose
  cargo rustc -q -p tokenkeeper-ffi --release --lib --crate-type cdylib $flags
  cp "$target_dir/release/$lib" "$out/$name.$lib"
  "$strip_tool" "${strip_args[@]}" -o "$out/$name.stripped.$lib" "$out/$name.$lib"
  bytes="$(wc -c <"$out/$name.stripped.$lib" | tr -d ' ')"
  verdict="ok"
  if [ "$bytes" -gt "$limit" ]; then verdict="MISSED"; failed=1; fi
  rows+=("$(printf '| %-17s | %-40s | %9s | %5s | ≤ %s | %s |' \
    "$name" "${flags:-(default)}" "$bytes" "$(mb "$bytes")" "$(mb "$limit")" "$verdict")")
  if [ "$bloat" = 1 ]; then
    echo
    echo "## $name: sections of the stripped library (bytes)"
    size -A "$out/$name.stripped.$lib" | awk 'NR > 2 && $2 > 4096 { printf "%-20s %9d\n", $1, $2 }' | sort -k2 -rn
    echo "## $name: largest crates (.text)"
    crates_of "$out/$name.$lib"
    echo "## $name: largest symbols"
    nm -C -S -t d --size-sort "$out/$name.$lib" | tail -12 | sort -rn -k2 |
      awk '{ size = $2 + 0; $1 = $2 = $3 = ""; sub(/^ +/, ""); printf "%9d  %s\n", size, $0 }' | cut -c1-150
  fi
done

echo
echo "| feature set | cargo flags | stripped bytes | MB | target MB | |"
echo "|---|---|---:|---:|---:|---|"
printf '%s\n' "${rows[@]}"
echo "(unstripped and stripped copies in $out)"

if [ "$cargo_bloat" = 1 ]; then
  command -v cargo-bloat >/dev/null || cargo install cargo-bloat --locked
  echo
  echo "## cargo-bloat --crates (default features). Note: cargo-bloat can only build with"
  echo "## \`cargo build\`, whose library has no LTO here (see the top of this script): its"
  echo "## crate sizes are those of the un-LTO'd library, not of the shipped one."
  cargo bloat -p tokenkeeper-ffi --release --lib --crates -n 25
fi

if [ "$check" = 1 ] && [ "$failed" = 1 ]; then
  echo "size.sh: a size target was missed" >&2
  exit 1
fi
