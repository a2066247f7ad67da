#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this):
#   1. installs what the tests need (Postfix, dnsmasq, Cyrus SASL, openssl from Debian's packages),
#   2. starts the server lab on loopback addresses (tests/lab/start.sh),
#   3. runs every test with the lab switched on (SMTP_DOCTOR_LAB=1, ignored lab tests included),
#   4. stops the lab, whatever happened.
# Needs root, or sudo, for the packages and the lab's Postfix.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

lab=tests/lab
if [ -x "$lab/start.sh" ] || [ -f "$lab/start.sh" ]; then
  as_root bash "$lab/install-deps.sh"
  trap 'as_root bash "$lab/stop.sh" >/dev/null 2>&1 || true' EXIT
  as_root bash "$lab/start.sh"
  export SMTP_DOCTOR_LAB=1
  ignored=(--include-ignored)
else
  ignored=()
fi

cargo build --locked --all-targets
cargo test --locked --all-targets -- "${ignored[@]}"
