#!/usr/bin/env bash
# Whole-process cost of a single-file check, next to the cheapest thing a hook could do with the
# same file (ripgrep). Needs hyperfine and ripgrep (apt-get install hyperfine ripgrep).
# Usage: benches/compare.sh [FILE]   (default: examples/config.toml)
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-examples/config.toml}
cargo build --release --quiet
bin=target/release/smtp-doctor
hyperfine --warmup 20 --runs 200 -N -i \
  --export-markdown target/bench-compare.md \
  "$bin check --format concise $file" \
  "rg -i smtp $file" \
  "$bin --version" || true
cat target/bench-compare.md
