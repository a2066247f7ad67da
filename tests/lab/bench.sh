#!/usr/bin/env bash
# bench.sh [RUNS]: probe latency against the lab, compared with openssl s_client and swaks on the
# same endpoint, and N endpoints at once against one. Needs a started lab (start.sh) and hyperfine.
# Results: RUN/bench/*.json and *.md (RUN = ./run or $LAB_RUN_DIR). Traffic goes to loopback only.
#
# The probe is timed through the lab test binary's `bench_driver` test (built with --release),
# which runs the library's run_probes() on LAB_PROBE, LAB_PROBE_COPIES times, at most
# LAB_PROBE_CONCURRENCY at once. An empty run of the same binary is measured too, so the harness's
# own start-up can be subtracted.
set -euo pipefail
LAB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$LAB/../.." && pwd)
RUN=${LAB_RUN_DIR:-$LAB/run}
RUNS=${1:-40}
OUT=$RUN/bench
HINT="install with: sudo $LAB/install-deps.sh; start the lab with: sudo $LAB/start.sh"

for b in hyperfine openssl swaks cargo; do
  command -v "$b" >/dev/null || { echo "bench: $b is missing; $HINT" >&2; exit 3; }
done
[ -s "$RUN/lab.env" ] || { echo "bench: the lab is not running ($RUN/lab.env missing); $HINT" >&2; exit 3; }
# shellcheck disable=SC1091
. "$RUN/lab.env"
mkdir -p "$OUT"

echo "bench: building the probe driver (release)..."
DRIVER=$(cd "$ROOT" && cargo test --release --test lab --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*"' | tail -n 1 | cut -d'"' -f4)
[ -x "$DRIVER" ] || { echo "bench: could not build the lab test binary" >&2; exit 1; }
export SMTP_DOCTOR_LAB=1 LAB_RUN_DIR="$RUN"
probe() { # probe TARGET COPIES CONCURRENCY
  echo "env LAB_PROBE=$1 LAB_PROBE_COPIES=$2 LAB_PROBE_CONCURRENCY=$3 $DRIVER --exact bench_driver --include-ignored --test-threads 1 -q"
}
# Sanity: the driver works and the probe is clean before anything is timed.
eval "$(probe smtp.mail.me.com:587 1 1)" >/dev/null

H=(hyperfine --warmup 3 --runs "$RUNS" --style basic)

echo "bench: STARTTLS on 587 (iCloud-like, 127.0.0.2)"
"${H[@]}" --export-json "$OUT/starttls-587.json" --export-markdown "$OUT/starttls-587.md" \
  -n "harness start-up (no test run)" "$DRIVER --exact no_such_test -q" \
  -n "smtp-doctor probe (DNS A + connect, EHLO, STARTTLS, verify, EHLO, QUIT)" "$(probe smtp.mail.me.com:587 1 1)" \
  -n "openssl s_client -starttls smtp (lab CA, name check)" \
     "openssl s_client -brief -starttls smtp -connect 127.0.0.2:587 -servername smtp.mail.me.com -CAfile $LAB_CA -verify_hostname smtp.mail.me.com -verify_return_error </dev/null" \
  -n "openssl s_client -starttls smtp (system CA bundle, no check)" \
     "openssl s_client -brief -starttls smtp -connect 127.0.0.2:587 </dev/null" \
  -n "swaks --tls --quit-after AUTH (lab CA)" \
     "swaks --server 127.0.0.2:587 --tls --tls-verify --tls-ca-path $LAB_CA --quit-after AUTH --silent 1"

echo "bench: implicit TLS on 465 (Gmail-like, 127.0.0.3)"
"${H[@]}" --export-json "$OUT/implicit-465.json" --export-markdown "$OUT/implicit-465.md" \
  -n "smtp-doctor probe 465" "$(probe smtp.gmail.com:465 1 1)" \
  -n "openssl s_client 465 (lab CA)" \
     "openssl s_client -brief -connect 127.0.0.3:465 -servername smtp.gmail.com -CAfile $LAB_CA -verify_hostname smtp.gmail.com -verify_return_error </dev/null"

echo "bench: N endpoints at once vs one"
"${H[@]}" --export-json "$OUT/concurrency.json" --export-markdown "$OUT/concurrency.md" \
  -n "1 probe" "$(probe smtp.mail.me.com:587 1 1)" \
  -n "8 probes, 8 at once" "$(probe smtp.mail.me.com:587 8 8)" \
  -n "8 probes, 1 at a time" "$(probe smtp.mail.me.com:587 8 1)" \
  -n "32 probes, 8 at once" "$(probe smtp.mail.me.com:587 32 8)" \
  -n "8 probes of 465, 8 at once" "$(probe smtp.gmail.com:465 8 8)" \
  -n "8 probes of 465, 1 at a time" "$(probe smtp.gmail.com:465 8 1)"

echo "bench: results in $OUT"
for f in starttls-587 implicit-465 concurrency; do echo; cat "$OUT/$f.md"; done

# In-process times: what the probe itself takes, without process start-up.
inproc() { # inproc TARGET COPIES CONCURRENCY -> median run ms, median per-probe ms
  for _ in $(seq 1 "$RUNS"); do
    env LAB_PROBE_REPORT=1 LAB_PROBE="$1" LAB_PROBE_COPIES="$2" LAB_PROBE_CONCURRENCY="$3" \
      "$DRIVER" --exact bench_driver --include-ignored --test-threads 1 -q --nocapture 2>&1 >/dev/null \
      | grep '^bench-ms' || true
  done | awk -v name="$1 x$2 (concurrency $3)" '
    { split($2, a, "="); run[NR] = a[2]; split($3, b, "="); n = split(b[2], p, ",");
      for (i = 1; i <= n; i++) all[++m] = p[i] }
    function median(arr, k,   i, j, t) {
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
      return (k % 2) ? arr[(k + 1) / 2] : (arr[k / 2] + arr[k / 2 + 1]) / 2 }
    END { printf "| %s | %.2f | %.2f | %.2f | %d |\n", name, median(run, NR), median(all, m), all[1] < 0 ? 0 : min_of(all, m), NR }
    function min_of(arr, k,   i, mn) { mn = arr[1]; for (i = 2; i <= k; i++) if (arr[i] < mn) mn = arr[i]; return mn }'
}
{
  echo "| in-process (runs of run_probes) | median run ms | median per-probe ms | min per-probe ms | runs |"
  echo "|:---|---:|---:|---:|---:|"
  inproc smtp.mail.me.com:587 1 1
  inproc smtp.gmail.com:465 1 1
  inproc smtp.mail.me.com:587 8 8
  inproc smtp.mail.me.com:587 8 1
} | tee "$OUT/in-process.md"
