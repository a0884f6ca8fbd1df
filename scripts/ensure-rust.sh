#!/usr/bin/env bash
# Sourced by the README's commands: makes sure a Rust toolchain with rustfmt
# and clippy is on PATH, installing rustup (stable, minimal profile) if needed.
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust is not installed: installing rustup (stable) into ~/.cargo…" >&2
  command -v curl >/dev/null 2>&1 || { echo "curl is needed to install Rust; install curl and run this again." >&2; exit 1; }
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain stable
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if command -v rustup >/dev/null 2>&1; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi
