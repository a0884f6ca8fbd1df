#!/usr/bin/env bash
# The README's first command: builds and runs the demo against the embedded
# reference auth server (in-process, 127.0.0.1). Installs Rust if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ensure-rust.sh
exec cargo run -q -p tokenkeeper-demo
