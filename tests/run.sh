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
fi

# pre-commit, for the test that runs this repository's hook with `pre-commit try-repo`.
if ! command -v pre-commit >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check pre-commit
fi

# The official SARIF 2.1.0 JSON Schema, for the SARIF output test (an npm package ships it).
if [ ! -s target/sarif/sarif-schema-2.1.0.json ]; then
  mkdir -p target/sarif
  (cd target/sarif && npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null \
     && tar -xzf microsoft-jest-sarif-1.0.0-beta.0.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json \
     && mv package/lib/schemas/sarif-2.1.0-rtm.5.json sarif-schema-2.1.0.json && rm -rf package ./*.tgz)
fi
ignored=(--include-ignored)
# The mutation fuzzer (tests/fuzz.rs) gets a minute of the CI run; locally it defaults to 5 s.
export SMTP_DOCTOR_FUZZ_SECONDS=${SMTP_DOCTOR_FUZZ_SECONDS:-60}

cargo build --locked --all-targets
log=$(mktemp)
status=0
cargo test --locked --all-targets -- "${ignored[@]}" 2>&1 | tee "$log" || status=$?
# One closing line for the whole suite, summed over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1); if ($i ~ /^ignored/) g += $(i-1) } }
     END { printf "suite: %d passed, %d failed, %d skipped\n", p, f, g }' "$log"
rm -f "$log"
exit "$status"
